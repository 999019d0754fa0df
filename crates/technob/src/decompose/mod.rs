//! Decomposition of a recording into parts: harmonic/percussive separation by median filtering
//! ([`hpss()`]), components by NMF ([`nmf_separate`]), vocal/background separation
//! ([`repet_sim`]) and denoising ([`denoise()`]).
//!
//! * [`mod@hpss`]: Fitzgerald, "Harmonic/percussive separation using median filtering" (DAFx
//!   2010), with soft (Wiener) or hard masks and the margins and residual of Driedger, Müller &
//!   Disch, "Extending harmonic-percussive separation of audio signals" (ISMIR 2014). Parity
//!   target: `librosa.decompose.hpss` and `librosa.effects.hpss`.
//! * [`mod@stems`]: [`separate`], every method behind one call, its parts as named stems, and
//!   [`reconstruction`] (how well they add back to the input).
//! * [`mod@repet`]: vocal/background separation by REPET-SIM (Rafii & Pardo, ISMIR 2012), on
//!   the mixture or on top of HPSS.
//! * [`mod@denoise`]: soft spectral gating with a noise profile learned from the quietest frames
//!   or an excerpt (decision-directed Wiener gain, Ephraim & Malah 1984 / Scalart & Vieira Filho
//!   1996, with the smoothed stationary gate of Sainburg et al. 2020, noisereduce).
//! * [`mod@nmf`]: NMF with the β-divergence (Euclidean, Kullback–Leibler, Itakura–Saito) by the
//!   multiplicative updates of Févotte & Idier (2011), NNDSVD(a) or seeded initialisation, fixed
//!   templates (semi-supervised), components resynthesised through soft masks. Parity target:
//!   scikit-learn's `NMF(solver='mu')`.

pub mod denoise;
pub mod hpss;
mod median;
pub mod nmf;
pub mod repet;
pub mod stems;

pub use denoise::{DenoiseOptions, DenoiseParts, NoiseProfile, denoise, denoise_gain, noise_profile};
pub use hpss::{HpssOptions, HpssParts, HpssSpectrograms, hpss, hpss_masks, hpss_spectrogram};
pub use nmf::{
    Beta, NmfInit, NmfOptions, NmfParts, NmfResult, NmfSeparationOptions, learn_templates, nmf, nmf_init,
    nmf_separate,
};
pub use repet::{RepetOptions, RepetParts, SimilarityView, repet_sim};
pub use stems::{Method, Reconstruction, Separation, Stem, reconstruction, separate};
