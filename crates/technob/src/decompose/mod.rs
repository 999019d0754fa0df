//! Decomposition of a spectrogram into parts: harmonic/percussive separation by median
//! filtering ([`hpss()`]).
//!
//! * [`mod@hpss`]: Fitzgerald, "Harmonic/percussive separation using median filtering" (DAFx
//!   2010), with soft (Wiener) or hard masks and the margins and residual of Driedger, Müller &
//!   Disch, "Extending harmonic-percussive separation of audio signals" (ISMIR 2014). Parity
//!   target: `librosa.decompose.hpss` and `librosa.effects.hpss`.

pub mod hpss;
mod median;

pub use hpss::{HpssOptions, HpssParts, HpssSpectrograms, hpss, hpss_masks, hpss_spectrogram};
