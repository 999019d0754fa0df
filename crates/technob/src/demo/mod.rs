//! The bundled demo track: a techno track that technob synthesises itself, deterministically,
//! with its ground truth known by construction.
//!
//! `technob analyze` without a file analyses it, and the analysers' tests (beats, downbeats,
//! key, structure, loudness) measure themselves against [`DemoTruth`]. It is built to be a fair
//! test rather than a click track: a saturated, pitch-swept kick; loud open hats on every
//! off-beat (the classic trap that pulls beat trackers half a beat off); 16th closed hats with
//! varying velocity; a clap on 2 and 4; a rolling 16th bassline; syncopated chord stabs through
//! a ping-pong delay; a pad breakdown without kick; a noise riser and snare roll; all through a
//! look-ahead limiter.
//!
//! ```
//! let demo = technob::demo::render(&technob::demo::DemoConfig::default())?;
//! assert_eq!(demo.truth.key, "F minor");
//! assert_eq!(demo.truth.sections[3].label, "drop");
//! # Ok::<(), technob::Error>(())
//! ```
//!
//! # Arrangement (default configuration)
//!
//! 128 BPM, 4/4, 44.1 kHz stereo, 0.25 s of silence before the first downbeat, 48 bars, 90.25 s.
//! One bar lasts 1.875 s; every section is a whole number of 4-bar phrases.
//!
//! | section     | bars | start (s) | end (s) | group | what plays |
//! |-------------|-----:|----------:|--------:|:-----:|------------|
//! | `intro`     |    8 |      0.25 |   15.25 | A | kick on every beat, open hat on every off-beat, closed hats on the other 16ths |
//! | `buildup`   |    8 |     15.25 |   30.25 | B | intro + clap on 2 and 4, rolling bass (3 dB down), noise riser (250 Hz → 9 kHz over the 8 bars), snare roll over the last 4 bars (quarters, quarters, eighths, sixteenths, getting louder) |
//! | `breakdown` |    8 |     30.25 |   45.25 | C | crash on the first downbeat, pad chords, softer chord stabs with delay; closed hats return for the last 4 bars; **no kick, no bass** |
//! | `drop`      |   16 |     45.25 |   75.25 | D | crash, kick, open + closed hats, clap, rolling bass, chord stabs with delay: everything, loudest |
//! | `outro`     |    8 |     75.25 |   90.25 | A | kick + hats, as the intro |
//!
//! # Key and harmony
//!
//! **F minor** (Camelot 4A), natural minor: F G A♭ B♭ C D♭ E♭. Every 4-bar phrase runs the
//! progression **i – i – VI – VII** (Fm – Fm – D♭ – E♭, one chord per bar), the Aeolian
//! cadence of countless techno and trance tracks. The bass plays the chord root (F2, D♭2, E♭2)
//! on the three 16ths after each kick, with octave jumps and one fifth per bar, so half of the
//! bass notes are the tonic F. Stabs voice the chords in close position (F3–E♭4), the pad in
//! open position (D♭3–B♭4). [`DemoConfig::tonic`] transposes everything to another minor key
//! (by −6 to +5 semitones, so the bass roots stay between G1 and A♯2).
//!
//! # Timing
//!
//! Every event sits on a 16th-note grid: step `k` starts at sample
//! `lead_in + round(k · 15 · sample_rate / bpm)`, computed from `k` each time (no accumulated
//! drift). Beats are the steps `k = 4j`, and the truth's times are exactly those sample positions
//! divided by the sample rate, so beats are evenly spaced to within one sample.
//!
//! # Determinism
//!
//! The output is a pure function of [`DemoConfig`], bit for bit on every platform: noise comes
//! from seeded SplitMix64 streams (one per instrument), oscillators use `f64` phase
//! accumulators or closed-form phases, and sines, exponentials and `tanh` come from our own
//! implementations built on IEEE-754 basic operations (the platform maths library may differ in
//! the last bit between systems). Rendering is single-threaded, in a fixed order.
//!
//! # Levels
//!
//! Drums and stabs are peak-normalised samples mixed at fixed levels; the master bus adds
//! 4.5 dB and a stereo-linked look-ahead limiter (1.5 ms attack ramp, 80 ms release, at most
//! about 5 dB of gain reduction, on the kicks) with a sample-peak ceiling of −1 dBFS. The
//! default track measures −9.6 LUFS integrated (BS.1770), sample peak −1.0 dBFS, true peak
//! about −0.1 dBTP; per section: intro and outro −9.7, build-up −9.3, breakdown −12.7, drop
//! −8.7 LUFS: like a mastered techno track.

mod dsp;
mod instruments;
mod mix;
mod score;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::{Audio, Result, ensure_param};

/// Pitch-class names used in key strings (sharps only), index = pitch class (0 = C).
const PITCH_CLASSES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// Camelot code of the minor key on each tonic pitch class (0 = C minor = 5A).
const CAMELOT_MINOR: [&str; 12] = ["5A", "12A", "7A", "2A", "9A", "4A", "11A", "6A", "1A", "8A", "3A", "10A"];

/// Longest demo [`render`] accepts, in seconds.
pub const MAX_DURATION_S: f64 = 300.0;

/// Bars per section. Each must be a positive multiple of 4 (whole 4-bar phrases) and at most
/// 64, and the whole track may last at most [`MAX_DURATION_S`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionBars {
    /// Intro (kick + hats), bars.
    pub intro: u32,
    /// Build-up (adds clap, bass, riser, snare roll), bars.
    pub buildup: u32,
    /// Breakdown (pad and stabs, no kick), bars.
    pub breakdown: u32,
    /// Drop (everything), bars.
    pub drop: u32,
    /// Outro (kick + hats), bars.
    pub outro: u32,
}

impl Default for SectionBars {
    /// 8 + 8 + 8 + 16 + 8 = 48 bars (90 s at 128 BPM).
    fn default() -> Self {
        SectionBars { intro: 8, buildup: 8, breakdown: 8, drop: 16, outro: 8 }
    }
}

impl SectionBars {
    /// Total number of bars.
    pub fn total(&self) -> u32 {
        self.intro + self.buildup + self.breakdown + self.drop + self.outro
    }
}

/// How to render the demo track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoConfig {
    /// Tempo in beats per minute, 60–200. Default 128.
    pub bpm: f64,
    /// Sample rate in Hz, 8000–192000. Default 44100.
    pub sample_rate: u32,
    /// Seed of every random choice (noise, hat velocities, sample variants). The ground truth
    /// does not depend on it. Default 0x7EC4_40B0.
    pub seed: u64,
    /// Pitch class of the tonic of the (minor) key, 0 = C … 11 = B. Default 5: F minor.
    pub tonic: u8,
    /// Silence before the first downbeat, seconds, 0–10 (rounded to a whole sample).
    /// Default 0.25.
    pub lead_in_s: f64,
    /// Length of each section in bars.
    pub bars: SectionBars,
}

impl Default for DemoConfig {
    /// 128 BPM, 44.1 kHz, F minor, 0.25 s lead-in, 8 + 8 + 8 + 16 + 8 bars, fixed seed.
    fn default() -> Self {
        DemoConfig {
            bpm: 128.0,
            sample_rate: 44_100,
            seed: 0x7EC4_40B0,
            tonic: score::BASE_TONIC,
            lead_in_s: 0.25,
            bars: SectionBars::default(),
        }
    }
}

/// The rendered demo: audio and its ground truth.
#[derive(Clone, Debug)]
pub struct Demo {
    /// Stereo audio at [`DemoConfig::sample_rate`], peaking below −1 dBFS.
    pub audio: Audio,
    /// What the audio contains, by construction.
    pub truth: DemoTruth,
}

/// One section of the demo's arrangement.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DemoSection {
    /// `intro`, `buildup`, `breakdown`, `drop` or `outro`.
    pub label: String,
    /// Start, seconds from the start of the audio (a downbeat).
    pub start_s: f64,
    /// End, seconds (the next section's start, or the end of the audio).
    pub end_s: f64,
    /// Length in bars (a multiple of 4).
    pub bars: u32,
    /// Repetition group: sections playing the same material share a letter (intro and outro
    /// are both `A`).
    pub group: String,
}

/// Ground truth of the demo track.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DemoTruth {
    /// Tempo, beats per minute.
    pub bpm: f64,
    /// Beats per bar (4).
    pub beats_per_bar: u32,
    /// Every beat, seconds (exact sample position / sample rate).
    pub beats: Vec<f64>,
    /// Every downbeat (first beat of a bar), seconds; a subset of `beats`.
    pub downbeats: Vec<f64>,
    /// Key, e.g. `F minor` (tonic spelled C C# D D# E F F# G G# A A# B).
    pub key: String,
    /// Camelot code of the key, e.g. `4A`.
    pub camelot: String,
    /// The sections in order, contiguous from the first downbeat to the end of the audio.
    pub sections: Vec<DemoSection>,
    /// Duration of the audio, seconds.
    pub duration_s: f64,
}

/// Check a configuration; every problem is an [`crate::Error::InvalidParameter`].
fn validate(c: &DemoConfig) -> Result<()> {
    ensure_param!(
        c.bpm.is_finite() && (60.0..=200.0).contains(&c.bpm),
        "demo tempo must be 60-200 BPM, got {}",
        c.bpm
    );
    ensure_param!(
        (8_000..=192_000).contains(&c.sample_rate),
        "demo sample rate must be 8000-192000 Hz, got {}",
        c.sample_rate
    );
    ensure_param!(c.tonic < 12, "demo tonic must be a pitch class 0-11, got {}", c.tonic);
    ensure_param!(
        c.lead_in_s.is_finite() && (0.0..=10.0).contains(&c.lead_in_s),
        "demo lead-in must be 0-10 s, got {}",
        c.lead_in_s
    );
    let b = &c.bars;
    for (name, n) in [
        ("intro", b.intro),
        ("buildup", b.buildup),
        ("breakdown", b.breakdown),
        ("drop", b.drop),
        ("outro", b.outro),
    ] {
        ensure_param!(
            n > 0 && n % score::BARS_PER_PHRASE == 0 && n <= 64,
            "demo {name} must be 4, 8, ... 64 bars (whole 4-bar phrases), got {n}"
        );
    }
    let duration = c.lead_in_s + b.total() as f64 * 4.0 * 60.0 / c.bpm;
    ensure_param!(
        (0.0..=MAX_DURATION_S).contains(&duration),
        "demo would last {duration:.0} s, more than {MAX_DURATION_S:.0} s: use fewer bars or a faster tempo"
    );
    Ok(())
}

/// Render the demo track and its ground truth.
///
/// Fails with [`crate::Error::InvalidParameter`] when the configuration is out of range (see
/// the fields of [`DemoConfig`]).
pub fn render(config: &DemoConfig) -> Result<Demo> {
    validate(config)?;
    let sections = score::sections(&config.bars);
    let tl = mix::Timeline::new(config.bpm, config.sample_rate, config.lead_in_s);
    let score = score::build(&sections, config.seed);
    // Transpose by −6…+5 semitones, keeping the bass in its register.
    let transpose = (config.tonic as i32 - score::BASE_TONIC as i32 + 6).rem_euclid(12) - 6;
    let [l, r] = mix::render(&score, &tl, transpose, config.seed);
    let audio = Audio::from_synth(vec![l, r], config.sample_rate)?;
    let truth = truth(config, &tl, &sections, score.total_steps);
    Ok(Demo { audio, truth })
}

/// The ground truth of a rendering on `tl`.
fn truth(
    config: &DemoConfig,
    tl: &mix::Timeline,
    sections: &[score::Section],
    total_steps: u64,
) -> DemoTruth {
    let sr = tl.sr;
    let secs = |step: u64| tl.sample(step) as f64 / sr;
    let n_beats = total_steps / score::STEPS_PER_BEAT;
    let beats: Vec<f64> = (0..n_beats).map(|b| secs(b * score::STEPS_PER_BEAT)).collect();
    let downbeats: Vec<f64> =
        (0..n_beats / score::BEATS_PER_BAR).map(|b| secs(b * score::STEPS_PER_BAR)).collect();
    let tonic = config.tonic as usize % 12;
    DemoTruth {
        bpm: config.bpm,
        beats_per_bar: score::BEATS_PER_BAR as u32,
        beats,
        downbeats,
        key: format!("{} minor", PITCH_CLASSES[tonic]),
        camelot: CAMELOT_MINOR[tonic].to_string(),
        sections: sections
            .iter()
            .map(|s| DemoSection {
                label: s.label.name().to_string(),
                start_s: secs(s.start_step()),
                end_s: secs(s.end_step()),
                bars: s.bars,
                group: s.label.group().to_string(),
            })
            .collect(),
        duration_s: secs(total_steps),
    }
}
