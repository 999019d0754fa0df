//! Structure: a techno track cut into its parts — intro, build-up, drop, breakdown, outro — on
//! bars and 8/16/32-bar phrases, with repetition groups (A, B, …); plus the simple segmenters
//! (split on silence, fixed chunks of whole bars).
//!
//! The segmenter works on bars (from the downbeats of [`crate::rhythm`]):
//! 1. [`features`]: beat-synchronous timbre (MFCC), chroma, loudness and band energies, kick
//!    presence and the percussive share (HPSS on mel bands), stacked per bar;
//! 2. [`novelty`]: a self-similarity matrix and its checkerboard-kernel novelty (Foote 2000),
//!    and structure-feature novelty from the time-lag recurrence matrix (Serrà et al. 2014);
//! 3. [`boundaries`]: boundaries on downbeats by dynamic programming over the novelty, with a
//!    prior for 8/16/32-bar phrase lengths;
//! 4. [`labels`]: repetition groups by clustering the segments, and roles from energy, kick,
//!    percussive share, spectral rise and position.
//!
//! [`export`] writes structures (and the simple segmenters' intervals) as JSON, CSV, Audacity
//! labels, rekordbox XML (cues at segment starts) and JAMS.

pub mod export;
mod simple;

use serde::Serialize;

pub use simple::{Interval, SilenceOptions, bar_chunks, split_on_silence};

use crate::rhythm::Rhythm;
use crate::{Audio, Result};

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

/// Segment a track: `audio` (mono, or mixed to mono here) with its [`Rhythm`] (beats and
/// downbeats from [`crate::rhythm::analyze_rhythm`]).
///
/// Errors: bad options, fewer than two bars of beats.
pub fn analyze_structure(audio: &Audio, rhythm: &Rhythm, options: &StructureOptions) -> Result<Structure> {
    let _ = (audio, rhythm, options);
    Err(crate::Error::InvalidParameter("the segmenter is being written".into()))
}
