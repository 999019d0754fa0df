//! Decomposition of a spectrogram into parts: harmonic/percussive separation by median
//! filtering ([`hpss()`]).
//!
//! * [`mod@hpss`]: Fitzgerald, "Harmonic/percussive separation using median filtering" (DAFx
//!   2010), with soft (Wiener) or hard masks and the margins and residual of Driedger, Müller &
//!   Disch, "Extending harmonic-percussive separation of audio signals" (ISMIR 2014). Parity
//!   target: `librosa.decompose.hpss` and `librosa.effects.hpss`.
//! * [`mod@nmf`]: NMF with the β-divergence (Euclidean, Kullback–Leibler, Itakura–Saito) by the
//!   multiplicative updates of Févotte & Idier (2011), NNDSVD(a) or seeded initialisation, fixed
//!   templates (semi-supervised), components resynthesised through soft masks. Parity target:
//!   scikit-learn's `NMF(solver='mu')`.

pub mod hpss;
mod median;
pub mod nmf;

pub use hpss::{HpssOptions, HpssParts, HpssSpectrograms, hpss, hpss_masks, hpss_spectrogram};
pub use nmf::{
    Beta, NmfInit, NmfOptions, NmfParts, NmfResult, NmfSeparationOptions, learn_templates, nmf, nmf_init,
    nmf_separate,
};
