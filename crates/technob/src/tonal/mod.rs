//! Tonal analysis: tuning, key (with Camelot and Open Key), pitch (YIN, pYIN) and notes.
//!
//! Submodules, one concept each:
//! - `tuning`: deviation of the track's tuning from A4 = 440 Hz;
//! - `key`: key by profile correlation over chroma;
//! - `pitch`: fundamental frequency by YIN and probabilistic YIN;
//! - `notes`: f0 segmented into notes, and standard MIDI files.

pub mod key;
pub mod notes;
pub mod pitch;
pub mod tuning;
