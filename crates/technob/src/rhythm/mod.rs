//! Rhythm: onset strength, tempo, beats and downbeats, and the DJ beat grid.
//!
//! Data flow: mono audio → [`onset`] (multi-band log-magnitude spectral flux with a
//! SuperFlux-style maximum filter, Böck & Widmer 2013) → [`tempo`] (periodicity over the whole
//! track with a configurable prior) → [`tracker`] (a bar-pointer state space after Whiteley,
//! Cemgil & Godsill 2006 and Krebs, Böck & Widmer 2015, decoded with Viterbi over sparse
//! transitions: first beats alone, which give the beat period and the statistics of the
//! downbeat cues; [`downbeat`] picks the meter from how the cues repeat; then beats and bar
//! positions jointly for that meter) → [`grid`] (constant-tempo fit, tempo-change sections) →
//! [`Rhythm`].
//! [`export`] writes the result for DJ software and annotation tools; [`click`] renders it as
//! audible clicks.

pub mod click;
pub mod downbeat;
pub mod export;
pub mod grid;
pub mod onset;
pub mod tempo;
pub mod tracker;

use serde::{Deserialize, Serialize};

use crate::progress::{NoProgress, Progress};
use crate::{Audio, Error, Result, ensure_param};

use onset::OnsetFeatures;

/// One tracked beat.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Beat {
    /// Time in seconds from the first decoded sample.
    pub time_s: f64,
    /// Position within its bar: 1 is the downbeat, up to `beats_per_bar`.
    pub position: u32,
}

/// A stretch of the track with one constant tempo: the grid a DJ program stores.
///
/// A steady track has one section; a track whose tempo really changes has one per tempo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridSection {
    /// Where the section starts (its first beat), in seconds.
    pub start_s: f64,
    /// Where the section ends (the start of the next section, or the track's last beat).
    pub end_s: f64,
    /// Tempo of the constant grid, BPM rounded to 0.01.
    pub bpm: f64,
    /// Bar position (1..=beats_per_bar) of the beat at `start_s`.
    pub first_position: u32,
    /// Number of tracked beats in the section.
    pub beats: usize,
    /// Largest distance between a tracked beat of the section and its grid, in milliseconds.
    pub max_drift_ms: f64,
}

/// The whole-track beat grid: anchor + BPM, as `analyze` reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridFit {
    /// Grid tempo in BPM, rounded to 0.01.
    pub bpm: f64,
    /// Time of the first grid beat in seconds.
    pub first_beat_s: f64,
    /// Time of the first grid downbeat in seconds.
    pub first_downbeat_s: f64,
    /// Largest distance between a tracked beat and the grid, in milliseconds.
    pub max_drift_ms: f64,
}

/// The global tempo estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempoEstimate {
    /// Beats per minute.
    pub bpm: f64,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
}

/// Everything the rhythm analysis found in a track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rhythm {
    /// Global tempo.
    pub tempo: TempoEstimate,
    /// Every beat, increasing in time, with its bar position.
    pub beats: Vec<Beat>,
    /// Meter: beats per bar (3 or 4).
    pub beats_per_bar: u32,
    /// The single constant grid over the whole track (`None` with fewer than two beats).
    pub grid: Option<GridFit>,
    /// Constant-tempo sections: one for a steady track, more where the tempo changes.
    pub sections: Vec<GridSection>,
    /// Duration of the analysed audio in seconds.
    pub duration_s: f64,
}

impl Rhythm {
    /// Beat times in seconds.
    pub fn beat_times(&self) -> Vec<f64> {
        self.beats.iter().map(|b| b.time_s).collect()
    }

    /// Downbeat times (beats at bar position 1) in seconds.
    pub fn downbeat_times(&self) -> Vec<f64> {
        self.beats.iter().filter(|b| b.position == 1).map(|b| b.time_s).collect()
    }

    /// True when the track has more than one tempo section.
    pub fn tempo_changes(&self) -> bool {
        self.sections.len() > 1
    }
}

/// Which kind of music to expect; narrows the tempo prior.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Style {
    /// Any music: tempo prior over the whole range.
    #[default]
    General,
    /// Techno and house: tempo range narrowed to 115–155 BPM, four beats to the bar.
    Techno,
}

/// How to track the rhythm.
pub struct RhythmOptions<'a> {
    /// Lowest and highest tempo considered, in BPM (default 60–200).
    pub tempo_range: (f64, f64),
    /// Kind of music; [`Style::Techno`] narrows `tempo_range` to 115–155 and `meters` to 4/4
    /// unless they were changed from their defaults.
    pub style: Style,
    /// Meters (beats per bar) considered; default 3 and 4.
    pub meters: Vec<u32>,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
}

impl Default for RhythmOptions<'_> {
    fn default() -> Self {
        RhythmOptions {
            tempo_range: (60.0, 200.0),
            style: Style::General,
            meters: vec![3, 4],
            progress: &NoProgress,
        }
    }
}

/// Shortest audio the tracker accepts, in seconds.
pub const MIN_DURATION_S: f64 = 1.5;
/// Tempo range of [`Style::Techno`].
pub const TECHNO_TEMPO_RANGE: (f64, f64) = (115.0, 155.0);
/// Default tempo range.
pub const DEFAULT_TEMPO_RANGE: (f64, f64) = (60.0, 200.0);
/// The beat tracker follows tempo within this factor of the global estimate.
const TEMPO_FOLLOW: f64 = 1.2;
/// How much earlier than a sharp onset the activation peaks (the 46 ms window sees an onset
/// before its centre reaches it); added to every beat time. Measured on synthetic noise bursts
/// at 22.05, 44.1 and 48 kHz by the test `onset_latency_is_compensated`.
pub const ONSET_LATENCY_S: f64 = 0.009;
/// Below this periodicity of the onset envelope there is no beat to report.
pub const MIN_PERIODICITY: f64 = 0.03;

/// Track tempo, beats, downbeats and the beat grid of `audio` (downmixed to mono).
///
/// Errors: [`Error::InvalidParameter`] for an unusable tempo range or meter list;
/// [`Error::NoResult`] when there is no beat to report (silence, a lone click, noise without
/// periodicity, or audio shorter than [`MIN_DURATION_S`]).
pub fn analyze_rhythm(audio: &Audio, options: &RhythmOptions) -> Result<Rhythm> {
    let (lo, hi) = effective_range(options);
    ensure_param!(
        lo.is_finite() && hi.is_finite() && lo >= 20.0 && hi <= 400.0 && lo < hi,
        "tempo range {lo}-{hi} BPM is not usable (it must lie within 20-400 BPM, low < high)"
    );
    ensure_param!(
        !options.meters.is_empty() && options.meters.iter().all(|&m| (2..=12).contains(&m)),
        "meters must be between 2 and 12 beats per bar, got {:?}",
        options.meters
    );
    let duration_s = audio.duration_s();
    if duration_s < MIN_DURATION_S {
        return Err(Error::NoResult(format!(
            "too short for beat tracking ({duration_s:.2} s; at least {MIN_DURATION_S} s needed)"
        )));
    }
    let mono = if audio.n_channels() == 1 { None } else { Some(audio.to_mono()) };
    let y = mono.as_ref().unwrap_or(audio).channel(0);
    options.progress.update("onsets", 0.0);
    let features = onset::onset_features(y, audio.sample_rate())?;
    if features.full.iter().all(|&v| v <= 1e-6) {
        return Err(Error::NoResult("no beat found: the audio is silent or has no onsets".into()));
    }
    options.progress.update("tempo", 0.6);
    let salience = tempo::tempo_salience(&features, (lo, hi));
    let Some((global_bpm, periodicity)) = salience.best() else {
        return Err(Error::NoResult("no beat found: the onsets are not periodic".into()));
    };
    if periodicity < MIN_PERIODICITY {
        return Err(Error::NoResult(format!(
            "no steady beat found (onset periodicity {periodicity:.3} is below {MIN_PERIODICITY})"
        )));
    }
    options.progress.update("beats", 0.7);
    let activation = beat_activation(&features);
    let fps = features.fps;
    let min_bpm = lo.max(global_bpm / TEMPO_FOLLOW);
    let max_bpm = hi.min(global_bpm * TEMPO_FOLLOW);
    let tempi = tracker::intervals(60.0 * fps / max_bpm, 60.0 * fps / min_bpm);
    // Pass 1: beats alone, to learn the beat period, the cue statistics and the meter.
    let path = tracker::decode_beats(&activation, &tempi);
    let (a, b) = active_range(&features, &path.frames);
    let frames = &path.frames[a..b];
    if frames.len() < 2 {
        return Err(Error::NoResult("no beat found: fewer than two beats in the audio".into()));
    }
    options.progress.update("downbeats", 0.8);
    let cues = beat_cues(&features, frames);
    let meters: &[u32] =
        if options.style == Style::Techno && options.meters == [3, 4] { &[4] } else { &options.meters };
    let (beats_per_bar, _) = downbeat::meter_and_positions(&cues, meters);
    // Pass 2: beats and downbeats jointly in the bar-pointer state space of that meter.
    let frame_cues = FrameCues::new(&features, frames);
    let bar = tracker::decode_bars(&activation, &tempi, beats_per_bar as usize, |t, k| {
        JOINT_CUE_WEIGHT * frame_cues.evidence(t, beats_per_bar, k as u32)
    });
    let (a, b) = active_range(&features, &bar.frames);
    if b - a < 2 {
        return Err(Error::NoResult("no beat found: fewer than two beats in the audio".into()));
    }
    let beats: Vec<Beat> = bar.frames[a..b]
        .iter()
        .zip(&bar.positions[a..b])
        .map(|(&f, &k)| Beat { time_s: refine(&activation, f) / fps + ONSET_LATENCY_S, position: k + 1 })
        .collect();
    let grid = grid::fit_grid(&beats);
    let sections = grid::tempo_sections(&beats, duration_s);
    // The tempo of the longest constant-tempo section (the whole track when it is steady).
    let bpm = sections
        .iter()
        .max_by(|a, b| (a.end_s - a.start_s).total_cmp(&(b.end_s - b.start_s)))
        .map(|s| s.bpm)
        .filter(|&b| b > 0.0)
        .unwrap_or(global_bpm);
    let confidence = ((2.0 * periodicity).clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
    Ok(Rhythm { tempo: TempoEstimate { bpm, confidence }, beats, beats_per_bar, grid, sections, duration_s })
}

/// The tempo range after applying the style.
fn effective_range(options: &RhythmOptions) -> (f64, f64) {
    if options.style == Style::Techno && options.tempo_range == DEFAULT_TEMPO_RANGE {
        TECHNO_TEMPO_RANGE
    } else {
        options.tempo_range
    }
}

/// Value below which `fraction` of `x` lies (nearest rank).
fn percentile(x: &[f32], fraction: f64) -> f64 {
    let mut v: Vec<f32> = x.to_vec();
    v.sort_by(f32::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() - 1) as f64 * fraction).round() as usize;
    f64::from(v[i])
}

/// Weights of the full, low, mid and high bands in the beat activation. The kick (low band)
/// counts most; hats (high band) count only through the full band, so techno's off-beat open
/// hi-hat cannot pull the beats onto the off-beat.
const ACTIVATION_WEIGHTS: [f64; 4] = [0.25, 0.5, 0.25, 0.0];

/// Beat activation in `(0, 1)`: a weighted mean of the band fluxes, each scaled by its 99th
/// percentile, clipped ([`ACTIVATION_WEIGHTS`]).
fn beat_activation(f: &OnsetFeatures) -> Vec<f64> {
    let w = ACTIVATION_WEIGHTS;
    let bands = [&f.full, &f.low, &f.mid, &f.high];
    let scales: Vec<f64> = bands.iter().map(|b| percentile(b, 0.99)).collect();
    (0..f.len())
        .map(|t| {
            let mut x = 0.0;
            let mut wsum = 0.0;
            for k in 0..4 {
                if scales[k] > 1e-6 && w[k] > 0.0 {
                    x += w[k] * f64::from(bands[k][t]) / scales[k];
                    wsum += w[k];
                }
            }
            let x = if wsum > 0.0 { x / wsum } else { 0.0 };
            x.clamp(0.01, 0.99)
        })
        .collect()
}

/// Sub-frame position of the activation peak at a decoded beat (parabolic interpolation).
fn refine(activation: &[f64], peak: usize) -> f64 {
    if peak == 0 || peak + 1 >= activation.len() {
        return peak as f64;
    }
    let (l, c, r) = (activation[peak - 1], activation[peak], activation[peak + 1]);
    let denom = l - 2.0 * c + r;
    let shift = if denom.abs() > 1e-12 { (0.5 * (l - r) / denom).clamp(-0.5, 0.5) } else { 0.0 };
    peak as f64 + shift
}

/// The range of beats to keep: leading and trailing beats without an onset (under a tenth of
/// the median onset strength at beats) are dropped, because the state space runs over the whole
/// signal and keeps "counting" through a silent lead-in or a fading tail.
fn active_range(f: &OnsetFeatures, frames: &[usize]) -> (usize, usize) {
    if frames.len() < 2 {
        return (0, frames.len());
    }
    let activity: Vec<f64> = frames
        .iter()
        .map(|&fr| {
            let a = fr.saturating_sub(2);
            let b = (fr + 3).min(f.len());
            f.full[a..b].iter().fold(0.0f32, |m, &v| m.max(v)) as f64
        })
        .collect();
    let mut sorted = activity.clone();
    sorted.sort_by(f64::total_cmp);
    let threshold = 0.1 * sorted[sorted.len() / 2];
    let first = activity.iter().position(|&a| a > threshold).unwrap_or(0);
    let last = activity.iter().rposition(|&a| a > threshold).unwrap_or(frames.len() - 1);
    (first, last + 1)
}

/// Weight of the bar-position cues against the beat activation in the joint decoding.
const JOINT_CUE_WEIGHT: f64 = 0.2;

/// Downbeat cues at every frame, standardised with their statistics at the beats of the first
/// pass, so that `evidence` speaks the units of [`downbeat::BeatCues`].
struct FrameCues {
    harmony: Vec<f64>,
    change: Vec<f64>,
    low: Vec<f64>,
    back: Vec<f64>,
}

impl FrameCues {
    fn new(f: &OnsetFeatures, beat_frames: &[usize]) -> FrameCues {
        let n = f.len();
        let mut intervals: Vec<usize> = beat_frames.windows(2).map(|w| w[1] - w[0]).collect();
        intervals.sort_unstable();
        let w = intervals.get(intervals.len() / 2).copied().unwrap_or(50).max(2);
        // Prefix sums of the unit-sum pitch-class profiles.
        let mut prefix = vec![[0.0f64; 12]; n + 1];
        for (t, c) in f.chroma.iter().enumerate() {
            let total: f32 = c.iter().sum();
            let last = prefix[t];
            for (k, (p, &v)) in prefix[t + 1].iter_mut().zip(c).enumerate() {
                *p = last[k] + if total > 0.0 { f64::from(v / total) } else { 0.0 };
            }
        }
        let mean = |a: usize, b: usize| -> Option<[f64; 12]> {
            if b <= a {
                return None;
            }
            let mut m = [0.0; 12];
            for k in 0..12 {
                m[k] = prefix[b][k] - prefix[a][k];
            }
            let norm = m.iter().map(|v| v * v).sum::<f64>().sqrt();
            (norm > 1e-12).then(|| m.map(|v| v / norm))
        };
        let novelty = |span: usize| -> Vec<f64> {
            (0..n)
                .map(|t| cosine_distance(mean(t.saturating_sub(span), t), mean(t, (t + span).min(n))))
                .collect()
        };
        let near = |x: &[f32]| -> Vec<f64> {
            (0..n)
                .map(|t| {
                    let a = t.saturating_sub(2);
                    let b = (t + 3).min(n);
                    x[a..b].iter().fold(0.0f32, |m, &v| m.max(v)) as f64
                })
                .collect()
        };
        let low = near(&f.low);
        let mid = near(&f.mid);
        let high = near(&f.high);
        let mut cues = FrameCues {
            harmony: novelty(w),
            change: novelty(2 * w),
            low,
            back: mid.iter().zip(&high).map(|(a, b)| a + b).collect(),
        };
        for x in [&mut cues.harmony, &mut cues.change, &mut cues.low, &mut cues.back] {
            let at: Vec<f64> = beat_frames.iter().map(|&t| x[t.min(n - 1)]).collect();
            let mu = at.iter().sum::<f64>() / at.len().max(1) as f64;
            let sd = (at.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / at.len().max(1) as f64).sqrt();
            for v in x.iter_mut() {
                *v = if sd > 1e-12 { (*v - mu) / sd } else { 0.0 };
            }
        }
        cues
    }

    /// How much frame `t` looks like bar position `k` (0-based) of a `meter`-beat bar.
    fn evidence(&self, t: usize, meter: u32, k: u32) -> f64 {
        let w = downbeat::template(meter, k);
        (w[0] * self.harmony[t] + w[1] * self.change[t] + w[2] * self.low[t] + w[3] * self.back[t])
            .clamp(-3.0, 3.0)
    }
}

/// Mean pitch-class profile over frames `a..b`, normalised to unit length.
fn mean_chroma(f: &OnsetFeatures, a: usize, b: usize) -> Option<[f64; 12]> {
    if b <= a {
        return None;
    }
    let mut m = [0.0f64; 12];
    for c in &f.chroma[a..b] {
        let total: f32 = c.iter().sum();
        if total > 0.0 {
            for k in 0..12 {
                m[k] += f64::from(c[k] / total);
            }
        }
    }
    let norm = m.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm <= 1e-12 {
        return None;
    }
    Some(m.map(|v| v / norm))
}

fn cosine_distance(x: Option<[f64; 12]>, y: Option<[f64; 12]>) -> f64 {
    match (x, y) {
        (Some(x), Some(y)) => 1.0 - x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>(),
        _ => 0.0,
    }
}

/// Beat-synchronous downbeat cues (see [`downbeat::BeatCues`]).
fn beat_cues(f: &OnsetFeatures, frames: &[usize]) -> downbeat::BeatCues {
    let n = frames.len();
    let mut cues = downbeat::BeatCues::default();
    let near = |x: &[f32], fr: usize| -> f64 {
        let a = fr.saturating_sub(2);
        let b = (fr + 3).min(x.len());
        x[a..b].iter().fold(0.0f32, |m, &v| m.max(v)) as f64
    };
    let beat_frame = |i: isize| -> usize {
        if i < 0 {
            frames[0].saturating_sub((frames[1] - frames[0]) * (-i) as usize)
        } else if i as usize >= n {
            (frames[n - 1] + (frames[n - 1] - frames[n - 2]) * (i as usize - n + 1)).min(f.len())
        } else {
            frames[i as usize]
        }
    };
    for (i, &fr) in frames.iter().enumerate() {
        let ii = i as isize;
        cues.harmony.push(cosine_distance(
            mean_chroma(f, beat_frame(ii - 1), fr),
            mean_chroma(f, fr, beat_frame(ii + 1)),
        ));
        cues.change.push(cosine_distance(
            mean_chroma(f, beat_frame(ii - 2), fr),
            mean_chroma(f, fr, beat_frame(ii + 2)),
        ));
        cues.low.push(near(&f.low, fr));
        cues.back.push(near(&f.mid, fr) + near(&f.high, fr));
    }
    downbeat::standardise(&mut cues.harmony);
    downbeat::standardise(&mut cues.change);
    downbeat::standardise(&mut cues.low);
    downbeat::standardise(&mut cues.back);
    cues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onset_latency_is_compensated() {
        for sr in [22050u32, 44100, 48000] {
            let n = sr as usize * 10;
            let mut y = vec![0.0f32; n];
            let mut onsets = Vec::new();
            let mut state = 12345u64;
            let mut t = 0.5;
            while t < 9.5 {
                let s = (t * f64::from(sr)) as usize;
                onsets.push(s as f64 / f64::from(sr));
                for i in 0..(0.1 * f64::from(sr)) as usize {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let noise = ((state >> 33) as f64 / (1u64 << 31) as f64) - 1.0;
                    let env = (-(i as f64) / f64::from(sr) * 40.0).exp();
                    y[s + i] += (0.5 * noise * env) as f32;
                }
                t += 0.4837;
            }
            let f = onset::onset_features(&y, sr).unwrap();
            let act = beat_activation(&f);
            let mut errs = Vec::new();
            for &o in &onsets {
                let c = (o * f.fps).round() as usize;
                let peak = (c.saturating_sub(4)..c + 5).fold(c, |p, q| if act[q] > act[p] { q } else { p });
                errs.push(refine(&act, peak) / f.fps + ONSET_LATENCY_S - o);
            }
            errs.sort_by(f64::total_cmp);
            let median = errs[errs.len() / 2];
            assert!(median.abs() < 0.002, "sr {sr}: median error {:.2} ms", median * 1000.0);
        }
    }
}
