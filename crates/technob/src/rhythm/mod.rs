//! Rhythm: onset strength, tempo, beats and downbeats, and the DJ beat grid.
//!
//! Data flow: mono audio → [`onset`] (multi-band log-magnitude spectral flux with a
//! SuperFlux-style maximum filter, Böck & Widmer 2013) → [`tempo`] (periodicity over the whole
//! track with a configurable prior) → [`tracker`] (a bar-pointer state space after Whiteley,
//! Cemgil & Godsill 2006 and Krebs, Böck & Widmer 2015, decoded with Viterbi over sparse
//! transitions) → [`grid`] (constant-tempo fit, tempo-change sections) → [`Rhythm`].
//! [`export`] writes the result for DJ software and annotation tools; [`click`] renders it as
//! audible clicks.

pub mod click;
pub mod export;

use serde::{Deserialize, Serialize};

use crate::progress::{NoProgress, Progress};
use crate::{Audio, Error, Result};

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
    /// Kind of music; [`Style::Techno`] narrows `tempo_range` to 115–155 unless it was set.
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

/// Track tempo, beats, downbeats and the beat grid of `audio` (downmixed to mono).
pub fn analyze_rhythm(audio: &Audio, options: &RhythmOptions) -> Result<Rhythm> {
    let _ = (audio, options);
    Err(Error::Unsupported("rhythm analysis is being written".into()))
}
