//! The structure test set (issue #8): techno-like tracks whose segments are known exactly, by
//! construction, because no section-annotated techno exists in `../shared/data`.
//!
//! [`build`] makes every item, deterministically, at 44.1 kHz stereo; nothing is cached on disk.
//! Each truth segment has a repetition `group` (segments of one group play the same material)
//! and, where the construction gives it, a techno `role`. Truth covers the first downbeat of
//! the first segment to the end of the audio.
//!
//! **Demo renderings** (`technob::demo`; truth = `demo.truth.sections`, groups and roles as the
//! demo's score writes them: intro and outro share group A):
//! - `demo`: the default demo, 128 BPM, 8/8/8/16/8 bars (intro, build-up, breakdown, drop,
//!   outro), 90.25 s;
//! - `demo_124`: 124 BPM, 16/8/16/16/8 bars, 124.1 s;
//! - `demo_134`: 134 BPM, another seed, 8/16/8/32/8 bars, 129.2 s.
//!
//! **Splices of real recordings** (role unknown, `None`). Each clip is beat-tracked with
//! `analyze_rhythm` (4/4, tempo searched in 95–160 BPM so that the half-time jazz clip is read
//! at its double tempo), quantized to 125 BPM by `stretch::quantize` (a constant grid anchored
//! at the tracked first downbeat), brought to −22 dBFS RMS (levels matched, as a producer
//! would, so that no boundary is a mere jump in level between recordings), and cut into blocks
//! of 8 or 16 whole bars starting at downbeats of that grid. The blocks are concatenated; each
//! junction is a 10 ms crossfade centred on the splice point (the block before continues 5 ms
//! past its end, the block after starts 5 ms early, gains sin²/cos²), and the splice point is
//! the truth boundary, exact to the sample. The same clip twice is the same bars, so the same
//! group; a block played twice in a row is a loop (no boundary inside). Clips: techno_loop
//! (essentia-audio), admiralbob77 "Choice" drum+bass, Kevin MacLeod "Vibe Ace" (from its bar 8,
//! after its intro: one 8-bar phrase of its theme, since the theme changes at its bar 16) and Karissa Hobbs "Let's Go Fishin'" (its first 50 s), all 44.1 kHz stereo:
//! - `splice_aba`: A = techno_loop bars 0–8, B = Choice bars 0–8, A (24 bars, 46.1 s);
//! - `splice_abac`: A = Vibe Ace's 8-bar phrase looped to 16 bars, B = techno_loop 8, A, C =
//!   Fishin' 8 (48 bars, 92.2 s);
//! - `splice_bacab`: B = Choice 8, A = Fishin' 16, C = Vibe Ace 8, A, B (56 bars, 107.5 s).
//!
//! **Techno arrangements of real recordings** (roles known by construction), spliced the same
//! way at 125 BPM from processed versions of the quantized clips; a group is one material (one
//! source and one processing), so a build-up (swept full mix) is not the drop's group:
//! - `arrange_loop`, all from techno_loop (bars 0–8 of each version; a 16-bar section is those
//!   8 bars twice, as a loop is played): intro 8 = the percussive part (HPSS, librosa's
//!   defaults) `A`; build-up 8 = the full mix under a rising high-pass sweep (4th-order
//!   Butterworth, cutoff 40 Hz → 2 kHz exponentially over the 8 bars) `B`; drop 16 = the full
//!   mix `C`; breakdown 8 = the harmonic part with the lows removed (8th-order high-pass
//!   at 150 Hz, a 4th-order Butterworth twice: no kick, no sub) `D`; drop 16 `C`; outro 8 = percussive `A`
//!   (64 bars, 122.9 s). Percussive parts are levelled 3 dB and breakdowns 6 dB under the
//!   full mix;
//! - `arrange_mix`, from three clips: intro 8 = Choice's percussive part `A`; drop 16 =
//!   techno_loop's full mix `B`; breakdown 8 = Vibe Ace's harmonic part without lows `C`;
//!   build-up 8 = techno_loop swept `D`; drop 16 `B`; outro 8 = Choice percussive `A`
//!   (64 bars, 122.9 s).
//!
//! Include it from an example with `#[path = "../tests/common/segset.rs"] mod segset;`: it needs
//! nothing else from `tests/common`.

use std::f64::consts::{FRAC_PI_2, TAU};
use std::path::PathBuf;

use technob::audio::{Audio, DecodeOptions, decode_file};
use technob::decompose::hpss::{HpssOptions, hpss};
use technob::demo::{self, DemoConfig, SectionBars};
use technob::eval::segment::Segmentation;
use technob::rhythm::{RhythmOptions, analyze_rhythm};
use technob::stretch::{GridTarget, QuantizeOptions, StretchOptions, quantize};
use technob::structure::Role;
use technob::{Error, Result};

/// Sample rate of every item, Hz.
pub const SAMPLE_RATE: u32 = 44_100;
/// Tempo of the spliced items and arrangements, BPM (one bar = 84 672 samples).
pub const SPLICE_BPM: f64 = 125.0;
/// Half the crossfade at a splice, samples (5 ms).
const HALF_FADE: usize = 220;
/// Level every quantized recording is brought to (RMS over its bars, all channels), dBFS: as
/// a producer matches levels, so that no boundary is a mere jump in level between recordings.
const CLIP_RMS_DB: f64 = -22.0;
/// Level of the percussive intros and outros in the arrangements, dB from [`CLIP_RMS_DB`].
const PERCUSSIVE_DB: f64 = -3.0;
/// Level of the breakdowns in the arrangements, dB from [`CLIP_RMS_DB`].
const BREAKDOWN_DB: f64 = -6.0;

/// One segment of an item's ground truth.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthSegment {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Repetition group (`A`, `B`, ...).
    pub group: String,
    /// Techno role, where the construction fixes it.
    pub role: Option<Role>,
}

/// One test item: audio and its truth.
#[derive(Clone, Debug)]
pub struct SegItem {
    /// Short name, also the file stem of the example's output.
    pub name: String,
    /// The audio, 44.1 kHz.
    pub audio: Audio,
    /// The truth segments, contiguous, in time order.
    pub truth: Vec<TruthSegment>,
}

impl SegItem {
    /// Whether every truth segment has a role.
    pub fn has_roles(&self) -> bool {
        !self.truth.is_empty() && self.truth.iter().all(|s| s.role.is_some())
    }

    /// The truth with group labels, as `technob::eval::segment` takes it.
    pub fn truth_groups(&self) -> Segmentation {
        Segmentation {
            intervals: self.truth.iter().map(|s| [s.start_s, s.end_s]).collect(),
            labels: self.truth.iter().map(|s| s.group.clone()).collect(),
        }
    }

    /// Start and end of the truth, seconds.
    pub fn span(&self) -> (f64, f64) {
        let start = self.truth.first().map_or(0.0, |s| s.start_s);
        let end = self.truth.last().map_or(0.0, |s| s.end_s);
        (start, end)
    }

    /// The truth as a `.lab` file (`start end group` per line, mir_eval's format; times
    /// printed so that they parse back to the same `f64`).
    pub fn lab(&self) -> String {
        self.truth.iter().map(|s| format!("{} {} {}\n", s.start_s, s.end_s, s.group)).collect()
    }

    /// The roles as a `.lab` file, when every segment has one.
    pub fn roles_lab(&self) -> Option<String> {
        self.has_roles().then(|| {
            self.truth
                .iter()
                .filter_map(|s| s.role.map(|r| format!("{} {} {}\n", s.start_s, s.end_s, r)))
                .collect()
        })
    }
}

/// Root-mean-square of every sample of every channel (the identity the goldens record).
pub fn rms(audio: &Audio) -> f64 {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for c in audio.channels() {
        sum += c.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
        n += c.len();
    }
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

/// Build every item of the set, in a fixed order.
pub fn build() -> Result<Vec<SegItem>> {
    let mut items = vec![
        demo_item("demo", &DemoConfig::default())?,
        demo_item(
            "demo_124",
            &DemoConfig {
                bpm: 124.0,
                bars: SectionBars { intro: 16, buildup: 8, breakdown: 16, drop: 16, outro: 8 },
                ..DemoConfig::default()
            },
        )?,
        demo_item(
            "demo_134",
            &DemoConfig {
                bpm: 134.0,
                seed: 0x5EED_0134,
                bars: SectionBars { intro: 8, buildup: 16, breakdown: 8, drop: 32, outro: 8 },
                ..DemoConfig::default()
            },
        )?,
    ];

    let data = data_dir();
    let techno = Clip::load(&data.join("essentia-audio/recorded/techno_loop.mp3"), None, 0)?;
    let choice =
        Clip::load(&data.join("librosa-data/audio/admiralbob77_-_Choice_-_Drum-bass.hq.ogg"), None, 0)?;
    // Vibe Ace from its bar 8 (at the double-tempo reading): its theme enters there and
    // changes again at bar 16 (technob and librosa's Laplacian segmentation both put boundaries
    // there), so its blocks are that one 8-bar phrase, looped for 16 bars.
    let vibe = Clip::load(&data.join("librosa-data/audio/Kevin_MacLeod_-_Vibe_Ace.hq.ogg"), None, 8)?;
    let fishin =
        Clip::load(&data.join("librosa-data/audio/Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg"), Some(50.0), 0)?;

    let (t8, c8, v8, f8, f16) = (
        techno.block(0, 8)?,
        choice.block(0, 8)?,
        vibe.block(0, 8)?,
        fishin.block(0, 8)?,
        fishin.block(0, 16)?,
    );
    items.push(spliced("splice_aba", &[(vec![&t8], "A"), (vec![&c8], "B"), (vec![&t8], "A")])?);
    items.push(spliced(
        "splice_abac",
        &[(vec![&v8, &v8], "A"), (vec![&t8], "B"), (vec![&v8, &v8], "A"), (vec![&f8], "C")],
    )?);
    items.push(spliced(
        "splice_bacab",
        &[(vec![&c8], "B"), (vec![&f16], "A"), (vec![&v8], "C"), (vec![&f16], "A"), (vec![&c8], "B")],
    )?);

    // Processed versions of the quantized clips, sample-aligned with them.
    let techno_parts = hpss(&techno.audio, &HpssOptions::default())?;
    let techno_perc = techno.with_audio(techno_parts.percussive, PERCUSSIVE_DB)?;
    let choice_perc =
        choice.with_audio(hpss(&choice.audio, &HpssOptions::default())?.percussive, PERCUSSIVE_DB)?;
    let vibe_harmonic = hpss(&vibe.audio, &HpssOptions::default())?.harmonic;
    let vibe_pad = vibe.with_audio(high_passed(&vibe_harmonic, 150.0)?, BREAKDOWN_DB)?;
    let techno_pad = techno.with_audio(high_passed(&techno_parts.harmonic, 150.0)?, BREAKDOWN_DB)?;

    let full = techno.block(0, 8)?;
    let swept = swept_block(&full, 40.0, 2000.0)?;
    let perc = techno_perc.block(0, 8)?;
    let pad = techno_pad.block(0, 8)?;
    items.push(arranged(
        "arrange_loop",
        &[
            (vec![&perc], "A", Role::Intro),
            (vec![&swept], "B", Role::Buildup),
            (vec![&full, &full], "C", Role::Drop),
            (vec![&pad], "D", Role::Breakdown),
            (vec![&full, &full], "C", Role::Drop),
            (vec![&perc], "A", Role::Outro),
        ],
    )?);
    let choice_intro = choice_perc.block(0, 8)?;
    let vibe_breakdown = vibe_pad.block(0, 8)?;
    items.push(arranged(
        "arrange_mix",
        &[
            (vec![&choice_intro], "A", Role::Intro),
            (vec![&full, &full], "B", Role::Drop),
            (vec![&vibe_breakdown], "C", Role::Breakdown),
            (vec![&swept], "D", Role::Buildup),
            (vec![&full, &full], "B", Role::Drop),
            (vec![&choice_intro], "A", Role::Outro),
        ],
    )?);
    Ok(items)
}

/// `../shared/data` beside the checkout.
fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// A demo rendering and its sections.
fn demo_item(name: &str, config: &DemoConfig) -> Result<SegItem> {
    let demo = demo::render(config)?;
    let truth = demo
        .truth
        .sections
        .iter()
        .map(|s| {
            let role = Role::ALL.into_iter().find(|r| r.as_str() == s.label).ok_or_else(|| {
                Error::InvalidInput(format!("demo section label {:?} is not a role", s.label))
            })?;
            Ok(TruthSegment { start_s: s.start_s, end_s: s.end_s, group: s.group.clone(), role: Some(role) })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SegItem { name: name.into(), audio: demo.audio, truth })
}

/// A recording quantized to [`SPLICE_BPM`], with its bar grid.
struct Clip {
    audio: Audio,
    /// Sample of the first usable downbeat.
    first_downbeat: f64,
    /// Samples per bar.
    bar: f64,
}

impl Clip {
    /// Decode `path` (stereo, its first `seconds` if given), track its beats, quantize it to
    /// [`SPLICE_BPM`] and bring it to [`CLIP_RMS_DB`]; bars count from its tracked first
    /// downbeat plus `skip_bars`.
    fn load(path: &std::path::Path, seconds: Option<f64>, skip_bars: usize) -> Result<Clip> {
        let mut audio = decode_file(path, &DecodeOptions { mono: false })?;
        if audio.sample_rate() != SAMPLE_RATE {
            audio = audio.resampled(SAMPLE_RATE)?;
        }
        if let Some(seconds) = seconds {
            let n = ((seconds * f64::from(SAMPLE_RATE)) as usize).min(audio.n_frames());
            audio =
                Audio::from_synth(audio.channels().iter().map(|c| c[..n].to_vec()).collect(), SAMPLE_RATE)?;
        }
        let options =
            RhythmOptions { tempo_range: (95.0, 160.0), meters: vec![4], ..RhythmOptions::default() };
        let rhythm = analyze_rhythm(&audio, &options)?;
        let q = quantize(
            &audio,
            &rhythm.beats,
            &QuantizeOptions {
                target: GridTarget::Bpm(SPLICE_BPM),
                stretch: StretchOptions::for_sample_rate(SAMPLE_RATE),
            },
        )?;
        let bar = 4.0 * 60.0 * f64::from(SAMPLE_RATE) / SPLICE_BPM;
        let first_downbeat = q.first_downbeat_s * f64::from(SAMPLE_RATE) + skip_bars as f64 * bar;
        let audio = leveled(&q.audio, first_downbeat as usize, CLIP_RMS_DB)?;
        Ok(Clip { audio, first_downbeat, bar })
    }

    /// The same grid over other (sample-aligned) audio, brought to `relative_db` from
    /// [`CLIP_RMS_DB`].
    fn with_audio(&self, audio: Audio, relative_db: f64) -> Result<Clip> {
        let audio = leveled(&audio, self.first_downbeat as usize, CLIP_RMS_DB + relative_db)?;
        Ok(Clip { audio, first_downbeat: self.first_downbeat, bar: self.bar })
    }

    /// Sample where bar `k` starts.
    fn bar_start(&self, k: usize) -> usize {
        (self.first_downbeat + k as f64 * self.bar).round() as usize
    }

    /// Bars `first .. first + bars`; an error when the clip is shorter.
    fn block(&self, first: usize, bars: usize) -> Result<Block> {
        let (start, end) = (self.bar_start(first), self.bar_start(first + bars));
        if end + HALF_FADE > self.audio.n_frames() {
            return Err(Error::InvalidInput(format!(
                "clip too short for bars {first}..{}: {} samples, {end} needed",
                first + bars,
                self.audio.n_frames()
            )));
        }
        // Keep the crossfade margins with the block.
        let from = start.saturating_sub(HALF_FADE);
        let channels = self.audio.channels().iter().map(|c| c[from..end + HALF_FADE].to_vec()).collect();
        Ok(Block { channels, offset: start - from, len: end - start })
    }
}

/// Bars of one material: `len` samples from `offset` of `channels`, which hold the crossfade
/// margins around them (fewer before when the block starts the clip).
#[derive(Clone)]
struct Block {
    channels: Vec<Vec<f32>>,
    offset: usize,
    len: usize,
}

impl Block {
    /// Sample `i` (relative to the block start) of channel `c`, 0 outside the stored margins.
    fn at(&self, c: usize, i: isize) -> f32 {
        let j = self.offset as isize + i;
        if j < 0 {
            return 0.0;
        }
        self.channels.get(c).and_then(|ch| ch.get(j as usize)).copied().unwrap_or(0.0)
    }
}

/// Blocks one after another, each junction a crossfade centred on the splice point; returns
/// the audio and the start sample of every block.
fn splice(blocks: &[&Block]) -> Result<(Audio, Vec<usize>)> {
    let n_channels = blocks.iter().map(|b| b.channels.len()).max().unwrap_or(0);
    let total: usize = blocks.iter().map(|b| b.len).sum();
    let mut out = vec![vec![0.0f32; total]; n_channels];
    let mut starts = Vec::with_capacity(blocks.len());
    let h = HALF_FADE as isize;
    let mut o = 0usize;
    for b in blocks {
        starts.push(o);
        let len = b.len as isize;
        let (lo, hi) = ((o as isize - h).max(0), (o as isize + len + h).min(total as isize));
        for t in lo..hi {
            let i = t - o as isize;
            let gain = if i < h {
                let u = (i + h) as f64 + 0.5;
                (FRAC_PI_2 * u / (2 * h) as f64).sin().powi(2)
            } else if i >= len - h {
                let u = (i - (len - h)) as f64 + 0.5;
                (FRAC_PI_2 * u / (2 * h) as f64).cos().powi(2)
            } else {
                1.0
            } as f32;
            for (c, ch) in out.iter_mut().enumerate() {
                ch[t as usize] += gain * b.at(c.min(b.channels.len() - 1), i);
            }
        }
        o += b.len;
    }
    Ok((Audio::from_synth(out, SAMPLE_RATE)?, starts))
}

/// An item of blocks with group labels and no roles.
fn spliced(name: &str, parts: &[(Vec<&Block>, &str)]) -> Result<SegItem> {
    let sections: Vec<(Vec<&Block>, &str, Option<Role>)> =
        parts.iter().map(|(blocks, group)| (blocks.clone(), *group, None)).collect();
    joined(name, &sections)
}

/// An arrangement: sections of one or more blocks, each with its group and role.
fn arranged(name: &str, sections: &[(Vec<&Block>, &str, Role)]) -> Result<SegItem> {
    let sections: Vec<(Vec<&Block>, &str, Option<Role>)> =
        sections.iter().map(|(blocks, group, role)| (blocks.clone(), *group, Some(*role))).collect();
    joined(name, &sections)
}

/// Sections of one or more blocks (a block twice is a loop played twice: no boundary inside),
/// each with its group and maybe a role.
fn joined(name: &str, sections: &[(Vec<&Block>, &str, Option<Role>)]) -> Result<SegItem> {
    let blocks: Vec<&Block> = sections.iter().flat_map(|s| s.0.iter().copied()).collect();
    let (audio, starts) = splice(&blocks)?;
    let sr = f64::from(SAMPLE_RATE);
    let mut truth = Vec::with_capacity(sections.len());
    let mut k = 0;
    for (i, (section_blocks, group, role)) in sections.iter().enumerate() {
        let start = starts[k];
        k += section_blocks.len();
        let end = if i + 1 == sections.len() { audio.n_frames() } else { starts[k] };
        truth.push(TruthSegment {
            start_s: start as f64 / sr,
            end_s: end as f64 / sr,
            group: (*group).to_string(),
            role: *role,
        });
    }
    Ok(SegItem { name: name.into(), audio, truth })
}

/// `audio` scaled so that its RMS from sample `from` on (all channels) is `db` dBFS.
fn leveled(audio: &Audio, from: usize, db: f64) -> Result<Audio> {
    let from = from.min(audio.n_frames());
    let (mut sum, mut n) = (0.0f64, 0usize);
    for c in audio.channels() {
        sum += c[from..].iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
        n += c.len() - from;
    }
    if n == 0 || sum <= 0.0 {
        return Err(Error::InvalidInput("cannot level silent audio".into()));
    }
    let gain = (10f64.powf(db / 20.0) / (sum / n as f64).sqrt()) as f32;
    Audio::from_synth(
        audio.channels().iter().map(|c| c.iter().map(|&x| x * gain).collect()).collect(),
        SAMPLE_RATE,
    )
}

/// A second-order high-pass section (the bilinear-transform high-pass of Robert
/// Bristow-Johnson's "Audio EQ Cookbook"), direct form I in `f64`.
#[derive(Clone, Copy, Default)]
struct HighPass {
    b: [f64; 3],
    a: [f64; 2],
    x: [f64; 2],
    y: [f64; 2],
}

impl HighPass {
    /// Set the cutoff `fc` Hz and quality `q` at `sr` Hz, keeping the state.
    fn tune(&mut self, fc: f64, q: f64, sr: f64) {
        let w = TAU * fc / sr;
        let (s, c) = w.sin_cos();
        let alpha = s / (2.0 * q);
        let a0 = 1.0 + alpha;
        self.b = [(1.0 + c) / (2.0 * a0), -(1.0 + c) / a0, (1.0 + c) / (2.0 * a0)];
        self.a = [-2.0 * c / a0, (1.0 - alpha) / a0];
    }

    fn run(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.b[1] * self.x[0] + self.b[2] * self.x[1]
            - self.a[0] * self.y[0]
            - self.a[1] * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

/// Quality factors of the two sections of a 4th-order Butterworth filter.
const BUTTERWORTH_4: [f64; 2] = [0.541_196_100_146_197, 1.306_562_964_876_376_7];

/// Run every channel through a 4th-order Butterworth high-pass whose cutoff is `cutoff(i)` Hz
/// at sample `i` (retuned every 32 samples).
fn high_pass_channels(channels: &[Vec<f32>], cutoff: impl Fn(usize) -> f64) -> Vec<Vec<f32>> {
    let sr = f64::from(SAMPLE_RATE);
    channels
        .iter()
        .map(|ch| {
            let mut sections = [HighPass::default(); 2];
            ch.iter()
                .enumerate()
                .map(|(i, &x)| {
                    if i % 32 == 0 {
                        let fc = cutoff(i);
                        for (s, q) in sections.iter_mut().zip(BUTTERWORTH_4) {
                            s.tune(fc, q, sr);
                        }
                    }
                    sections.iter_mut().fold(f64::from(x), |v, s| s.run(v)) as f32
                })
                .collect()
        })
        .collect()
}

/// `audio` through a fixed 8th-order high-pass at `fc` Hz (the 4th-order Butterworth twice:
/// −44 dB at 80 Hz). A techno loop's harmonic part is mostly the kick's pitched body, which a
/// 4th-order filter at 150 Hz leaves 22 dB down at 80 Hz — still a thump on every beat after
/// levelling — so one pass would not make the "no kick" of a breakdown true.
fn high_passed(audio: &Audio, fc: f64) -> Result<Audio> {
    let once = high_pass_channels(audio.channels(), |_| fc);
    Audio::from_synth(high_pass_channels(&once, |_| fc), SAMPLE_RATE)
}

/// `block` under a high-pass whose cutoff rises exponentially from `from_hz` at the block's
/// start to `to_hz` at its end (held in the margins).
fn swept_block(block: &Block, from_hz: f64, to_hz: f64) -> Result<Block> {
    let (offset, len) = (block.offset as f64, block.len as f64);
    let cutoff = |i: usize| {
        let u = ((i as f64 - offset) / len).clamp(0.0, 1.0);
        from_hz * (to_hz / from_hz).powf(u)
    };
    Ok(Block { channels: high_pass_channels(&block.channels, cutoff), offset: block.offset, len: block.len })
}
