//! Structure: a techno track cut into its parts — intro, build-up, drop, breakdown, outro — on
//! bars and 8/16/32-bar phrases, with repetition groups (A, B, …); plus the simple segmenters
//! (split on silence, fixed chunks of whole bars).
//!
//! The segmenter works on bars (from the downbeats of [`crate::rhythm`]):
//! 1. `features`: beat-synchronous timbre (MFCC), chroma, loudness and band energies, kick
//!    presence and the percussive share (HPSS on mel bands), stacked per bar;
//! 2. `novelty`: a self-similarity matrix and its checkerboard-kernel novelty (Foote 2000),
//!    and structure-feature novelty from the time-lag recurrence matrix (Serrà et al. 2014);
//! 3. `boundaries`: boundaries on downbeats by dynamic programming over the novelty, with a
//!    prior for 8/16/32-bar phrase lengths;
//! 4. `labels`: repetition groups by clustering the segments, and roles from energy, kick,
//!    percussive share, spectral rise and position.
//!
//! [`export`] writes structures (and the simple segmenters' intervals) as JSON, CSV, Audacity
//! labels, rekordbox XML (cues at segment starts) and JAMS.

mod boundaries;
pub mod export;
mod features;
mod labels;
mod novelty;
mod simple;

use serde::Serialize;

pub use simple::{Interval, SilenceOptions, bar_chunks, split_on_silence};

use crate::rhythm::Rhythm;
use crate::{Audio, Error, Result, ensure_param};

/// The role a segment plays in a techno track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The opening: drums (often kick and hats) without the full groove.
    Intro,
    /// The rise to a drop: added layers, risers, rolls, filter sweeps.
    Buildup,
    /// The full groove: kick, bass and the main elements.
    Drop,
    /// The kick stops: pads, chords, atmosphere.
    Breakdown,
    /// The ending: elements leave, drums for the next mix.
    Outro,
}

impl Role {
    /// Every role, in song order.
    pub const ALL: [Role; 5] = [Role::Intro, Role::Buildup, Role::Drop, Role::Breakdown, Role::Outro];

    /// The lowercase name the spec uses: `intro`, `buildup`, `drop`, `breakdown`, `outro`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Intro => "intro",
            Role::Buildup => "buildup",
            Role::Drop => "drop",
            Role::Breakdown => "breakdown",
            Role::Outro => "outro",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One part of a track.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Segment {
    /// Start, seconds (a downbeat, or the first beat).
    pub start_s: f64,
    /// End, seconds (the next segment's start, or the last beat).
    pub end_s: f64,
    /// The role it plays.
    pub label: Role,
    /// Repetition group: `A`, `B`, …; segments of one group repeat the same material.
    pub group: String,
    /// Length in bars.
    pub bars: u32,
    /// Index of its first bar in [`Structure::bar_starts_s`].
    pub first_bar: usize,
    /// How sure the boundary and label are, 0–1.
    pub confidence: f64,
}

/// How to segment.
#[derive(Clone, Debug, PartialEq)]
pub struct StructureOptions {
    /// Phrase lengths the boundaries prefer, bars (default 8, 16, 32).
    pub phrase_bars: Vec<u32>,
    /// The shortest segment, bars (default 4).
    pub min_bars: u32,
}

impl Default for StructureOptions {
    fn default() -> Self {
        StructureOptions { phrase_bars: vec![8, 16, 32], min_bars: 4 }
    }
}

/// A track's structure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Structure {
    /// The segments, covering the first to the last beat without gaps.
    pub segments: Vec<Segment>,
    /// Start of every bar used, seconds (the downbeats; pseudo-bars of `beats_per_bar` beats
    /// from the first beat when the downbeats are unknown).
    pub bar_starts_s: Vec<f64>,
    /// Novelty per bar start, 0–1 (how much the music changes there).
    pub novelty: Vec<f64>,
    /// Whether the bars come from tracked downbeats (false: counted from the first beat).
    pub downbeats_known: bool,
}

/// The largest [`StructureOptions::min_bars`].
pub const MAX_MIN_BARS: u32 = 64;
/// The longest phrase in [`StructureOptions::phrase_bars`], bars.
pub const MAX_PHRASE_BARS: u32 = 256;

/// Checkerboard kernel half-width, bars.
const KERNEL_HALF_BARS: usize = 8;
/// Structure-feature smoothing, bars either side.
const LAG_SMOOTH_BARS: usize = 2;

/// Segment a track: `audio` (mono, or mixed to mono here) with its [`Rhythm`] (beats and
/// downbeats from [`crate::rhythm::analyze_rhythm`]).
///
/// Bars run from downbeat to downbeat (without downbeats: every `beats_per_bar` beats from the
/// first beat); the segments cover the first to the last beat (a pickup before the first
/// downbeat belongs to the first segment).
///
/// Errors: bad options; [`crate::Error::NoResult`] with fewer than two beats.
pub fn analyze_structure(audio: &Audio, rhythm: &Rhythm, options: &StructureOptions) -> Result<Structure> {
    ensure_param!(
        (1..=MAX_MIN_BARS).contains(&options.min_bars),
        "the shortest segment must be 1–{MAX_MIN_BARS} bars, got {}",
        options.min_bars
    );
    ensure_param!(
        !options.phrase_bars.is_empty()
            && options.phrase_bars.iter().all(|&p| (1..=MAX_PHRASE_BARS).contains(&p)),
        "phrase lengths must be 1–{MAX_PHRASE_BARS} bars"
    );
    let beats = rhythm.beat_times();
    if beats.len() < 2 || beats.iter().any(|t| !t.is_finite()) || beats.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::NoResult("too few beats to find the structure".into()));
    }
    let (first_beat, last_beat) = (beats[0], beats[beats.len() - 1]);
    let downbeats = rhythm.downbeat_times();
    let downbeats_known = downbeats.len() >= 2;
    let mut bar_starts: Vec<f64> = if downbeats_known {
        downbeats
    } else {
        beats.iter().copied().step_by(rhythm.beats_per_bar.max(1) as usize).collect()
    };
    bar_starts.retain(|&t| t < last_beat);
    if bar_starts.is_empty() {
        bar_starts.push(first_beat);
    }
    // Edges of the bars the features are taken over: the pickup goes to the first bar.
    let mut edges = bar_starts.clone();
    edges[0] = edges[0].min(first_beat);
    edges.push(last_beat);
    let n_bars = bar_starts.len();

    let mono;
    let y = if audio.n_channels() == 1 {
        audio.channel(0)
    } else {
        mono = audio.to_mono();
        mono.channel(0)
    };
    let sr = f64::from(audio.sample_rate());
    let bar_features = features::bar_features(y, sr, &edges, &beats)?;
    let rows = novelty::scaled_rows(&bar_features);
    let dist = novelty::distances(&rows);
    let sim = novelty::similarity(&dist);
    let mut checker = novelty::checkerboard(&sim, KERNEL_HALF_BARS);
    let mut lag = novelty::structure_feature_novelty(&dist, LAG_SMOOTH_BARS);
    novelty::normalise_max(&mut checker);
    novelty::normalise_max(&mut lag);
    // The checkerboard counts double: bar-level k-NN picks arbitrary neighbours inside a
    // homogeneous part, which leaves the lag novelty noisier.
    let mut nov: Vec<f64> = checker.iter().zip(&lag).map(|(a, b)| (2.0 * a + b) / 3.0).collect();
    novelty::normalise_max(&mut nov);

    let phrases: Vec<usize> = options.phrase_bars.iter().map(|&p| p as usize).collect();
    let bounds = boundaries::choose_boundaries(&nov, &phrases, options.min_bars as usize);
    let traits: Vec<labels::SegmentTraits> =
        bounds.windows(2).map(|w| labels::traits(&bar_features, w[0]..w[1])).collect();
    let kind: Vec<(bool, bool)> =
        labels::kick_presence(&traits).into_iter().zip(labels::rising(&traits)).collect();
    let groups = labels::groups(&dist, &bounds, &kind);
    let roles = labels::roles(&traits);

    let segments = bounds
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let start_s = if k == 0 { first_beat } else { bar_starts[w[0]] };
            let end_s = if w[1] >= n_bars { last_beat } else { bar_starts[w[1]] };
            let boundary = if k == 0 { 1.0 } else { nov[w[0]] };
            let (label, role_confidence) = roles[k];
            Segment {
                start_s,
                end_s,
                label,
                group: groups[k].clone(),
                bars: (w[1] - w[0]) as u32,
                first_bar: w[0],
                confidence: (boundary.min(1.0) * role_confidence * 1000.0).round() / 1000.0,
            }
        })
        .collect();
    Ok(Structure { segments, bar_starts_s: bar_starts, novelty: nov[..n_bars].to_vec(), downbeats_known })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rhythm::{Beat, TempoEstimate};

    const SR: u32 = 22_050;
    const BEAT_S: f64 = 0.5;

    /// 120 BPM, 4/4: sections of `bars` bars, each a kick on every beat (or none) under a tone
    /// of its own pitch and brightness. Returns the audio and its rhythm.
    fn track(sections: &[(u32, f64, bool)], downbeats: bool) -> (Audio, Rhythm) {
        let mut y = Vec::new();
        let mut beats = Vec::new();
        for &(bars, tone_hz, kick) in sections {
            for _ in 0..bars * 4 {
                let start = y.len();
                beats.push(Beat {
                    time_s: start as f64 / f64::from(SR),
                    position: if downbeats { (beats.len() % 4) as u32 + 1 } else { 0 },
                });
                for i in 0..(BEAT_S * f64::from(SR)) as usize {
                    let t = i as f64 / f64::from(SR);
                    let mut v =
                        0.2 * (std::f64::consts::TAU * tone_hz * (start + i) as f64 / f64::from(SR)).sin();
                    v += 0.05
                        * (std::f64::consts::TAU * 3.0 * tone_hz * (start + i) as f64 / f64::from(SR)).sin();
                    if kick {
                        v += 0.6 * (-t / 0.08).exp() * (std::f64::consts::TAU * 55.0 * t).sin();
                    }
                    y.push(v as f32);
                }
            }
        }
        let duration_s = y.len() as f64 / f64::from(SR);
        let rhythm = Rhythm {
            tempo: TempoEstimate { bpm: 120.0, confidence: 1.0 },
            beats,
            beats_per_bar: 4,
            grid: None,
            sections: Vec::new(),
            duration_s,
        };
        (Audio::from_synth(vec![y], SR).unwrap(), rhythm)
    }

    #[test]
    fn sections_are_found_on_their_bars_and_repeats_share_a_group() {
        let plan = [(8, 220.0, true), (8, 330.0, true), (8, 440.0, false), (8, 220.0, true)];
        let (audio, rhythm) = track(&plan, true);
        let s = analyze_structure(&audio, &rhythm, &StructureOptions::default()).unwrap();
        let starts: Vec<usize> = s.segments.iter().map(|g| g.first_bar).collect();
        assert_eq!(starts, vec![0, 8, 16, 24], "{:?}", s.segments);
        let groups: Vec<&str> = s.segments.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(groups, ["A", "B", "C", "A"]);
        assert_eq!(s.segments[2].label, Role::Breakdown, "no kick between kick parts: {:?}", s.segments);
        assert!(s.downbeats_known);
        // Contiguous, first to last beat.
        assert_eq!(s.segments[0].start_s, 0.0);
        assert_eq!(s.segments.last().unwrap().end_s, rhythm.beats.last().unwrap().time_s);
        assert!(s.segments.windows(2).all(|w| w[0].end_s == w[1].start_s));
        // Bit for bit the same on a second run.
        assert_eq!(s, analyze_structure(&audio, &rhythm, &StructureOptions::default()).unwrap());
    }

    #[test]
    fn without_downbeats_bars_are_counted_from_the_first_beat() {
        let plan = [(8, 220.0, true), (8, 330.0, true), (8, 220.0, true)];
        let (audio, rhythm) = track(&plan, false);
        let s = analyze_structure(&audio, &rhythm, &StructureOptions::default()).unwrap();
        assert!(!s.downbeats_known);
        let starts: Vec<usize> = s.segments.iter().map(|g| g.first_bar).collect();
        assert_eq!(starts, vec![0, 8, 16], "{:?}", s.segments);
    }

    #[test]
    fn bad_options_and_too_few_beats_are_errors() {
        let (audio, rhythm) = track(&[(2, 220.0, true)], true);
        let bad = StructureOptions { min_bars: 0, ..StructureOptions::default() };
        assert!(analyze_structure(&audio, &rhythm, &bad).is_err());
        let bad = StructureOptions { phrase_bars: vec![], ..StructureOptions::default() };
        assert!(analyze_structure(&audio, &rhythm, &bad).is_err());
        let one = Rhythm { beats: rhythm.beats[..1].to_vec(), ..rhythm.clone() };
        let e = analyze_structure(&audio, &one, &StructureOptions::default()).unwrap_err();
        assert!(e.is_no_result(), "{e}");
        // A short track is one segment.
        let s = analyze_structure(&audio, &rhythm, &StructureOptions::default()).unwrap();
        assert_eq!(s.segments.len(), 1, "{:?}", s.segments);
    }
}
