//! # technob
//!
//! Music analysis and processing for techno producers and DJs, in one dependable library.
//!
//! Data flows one way:
//! decode ([`audio`]) → [`Audio`] → shared spectral views ([`spectral`], computed once) →
//! analysers → serialisable results ([`analysis`]) → outputs.
//!
//! ```no_run
//! use technob::audio::{self, DecodeOptions};
//! use technob::spectral::{Stft, StftConfig};
//!
//! # fn main() -> technob::Result<()> {
//! let audio = audio::decode_file("track.flac", &DecodeOptions::default())?;
//! let mono = audio.to_mono();
//! let stft = Stft::new(StftConfig { n_fft: 2048, hop_length: 512, ..Default::default() })?;
//! let spec = stft.magnitude(mono.channel(0));
//! println!("{} frames x {} bins", spec.n_frames(), spec.n_bins());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod analysis;
pub mod audio;
pub mod decompose;
pub mod demo;
mod error;
pub mod eval;
pub mod features;
pub mod io;
pub mod loudness;
#[cfg(feature = "plot")]
pub mod plot;
pub mod progress;
pub mod rhythm;
pub mod spectral;
pub mod stretch;
pub mod structure;
pub mod tonal;

pub use audio::{Audio, SourceInfo};
pub(crate) use error::ensure_param;
pub use error::{Error, Result};

/// The README's and tutorials' Rust examples are compiled as doctests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
#[doc = include_str!("../../../docs/tutorials/01_overview.md")]
#[doc = include_str!("../../../docs/tutorials/03_pitch_tracking.md")]
#[doc = include_str!("../../../docs/tutorials/05_beat_tracking.md")]
pub struct ReadmeDoctests;
