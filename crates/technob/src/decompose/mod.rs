//! Decomposition of a spectrogram into parts: harmonic/percussive separation by median
//! filtering ([`hpss()`]).
//!
//! * [`mod@hpss`]: Fitzgerald, "Harmonic/percussive separation using median filtering" (DAFx
//!   2010), with soft (Wiener) or hard masks and the margins and residual of Driedger, Müller &
//!   Disch, "Extending harmonic-percussive separation of audio signals" (ISMIR 2014). Parity
//!   target: `librosa.decompose.hpss` and `librosa.effects.hpss`.
//! * [`mod@repet`]: vocal/background separation by REPET-SIM (Rafii & Pardo, ISMIR 2012), on
//!   the mixture or on top of HPSS.

pub mod hpss;
mod median;
pub mod repet;

pub use hpss::{HpssOptions, HpssParts, HpssSpectrograms, hpss, hpss_masks, hpss_spectrogram};
pub use repet::{RepetOptions, RepetParts, SimilarityView, repet_sim};
