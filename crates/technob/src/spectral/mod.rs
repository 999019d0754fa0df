//! Spectral core: STFT and its inverse, spectrogram types, mel, MFCC and chroma features,
//! unit and decibel conversions. Parity target: librosa 0.11 with its defaults (checked
//! against golden arrays in `tests/spectral_parity.rs`).
//!
//! # Layout
//!
//! * [`window`]: periodic windows as `scipy.signal.get_window` (Hann, Hamming, Blackman,
//!   Blackman–Harris, Kaiser, rectangular, custom) and [`pad_center`].
//! * [`stft`]: [`StftConfig`] (librosa defaults: n_fft 2048, hop 512, Hann, centred, zero
//!   padding) and the reusable plan [`Stft`]: [`Stft::forward`], [`Stft::magnitude`],
//!   [`Stft::power`], [`Stft::inverse`]. Parallel over frames with rayon, deterministic.
//! * [`Spectrogram`] (real `f32`) and [`ComplexSpectrogram`] (`Complex<f32>`): frame-major
//!   matrices, `frame(t)` is contiguous; `to_bin_major()` gives librosa's `(bins, frames)`.
//! * [`convert`]: Hz ↔ mel (Slaney and HTK), MIDI, octaves, frames ↔ samples ↔ seconds.
//! * [`db`]: [`power_to_db`], [`amplitude_to_db`], [`db_to_power`], [`db_to_amplitude`].
//! * [`mel`]: [`MelFilterbank`] (sparse, built once) and [`melspectrogram`].
//! * [`mod@mfcc`]: the [`Mfcc`] transform (DCT-II ortho) and [`mfcc()`].
//! * [`chroma`]: [`ChromaFilterbank`] and [`chroma_stft`].
//! * [`cqt`]: constant-Q transform ([`cqt::Cqt`], [`cqt::cqt`]) and [`cqt::chroma_cqt`].
//! * [`hpcp`]: harmonic pitch class profiles from spectral peaks ([`hpcp::Hpcp`]).
//!
//! Units: sample rates and frequencies in Hz (`f64`), lengths and hops in samples, STFT values
//! unnormalised (as `numpy.fft.rfft` of the windowed frame), decibels in dB.
//!
//! ```
//! use technob::spectral::{self, DbRef, MelConfig, MelFilterbank, Stft, StftConfig};
//!
//! # fn main() -> technob::Result<()> {
//! let sr = 22050.0;
//! let y: Vec<f32> = (0..22050).map(|i| (i as f32 * 0.1).sin()).collect();
//! let stft = Stft::new(StftConfig::default())?;
//! let power = stft.power(&y);
//! let bank = MelFilterbank::from_config(sr, stft.n_fft(), &MelConfig::default())?;
//! let mel = bank.apply(&power)?;
//! let log_mel = spectral::power_to_db(&mel, DbRef::Max, spectral::db::POWER_AMIN, Some(80.0))?;
//! assert_eq!((log_mel.n_bins(), log_mel.n_frames()), (128, 44));
//! # Ok(())
//! # }
//! ```

pub mod chroma;
pub mod convert;
pub mod cqt;
pub mod db;
pub mod hpcp;
pub mod mel;
pub mod mfcc;
mod spectrogram;
pub mod stft;
pub mod window;

pub use chroma::{ChromaConfig, ChromaFilterbank, Norm, chroma_stft, normalize_frames};
pub use convert::{
    fft_frequencies, frames_to_samples, frames_to_time, hz_to_mel, hz_to_midi, hz_to_octs, mel_frequencies,
    mel_to_hz, midi_to_hz, octs_to_hz, samples_to_frames, samples_to_time, time_to_frames, time_to_samples,
};
pub use db::{DbRef, amplitude_to_db, db_to_amplitude, db_to_power, power_to_db, power_to_db_in_place};
pub use mel::{MelConfig, MelFilterbank, MelNorm, melspectrogram};
pub use mfcc::{Mfcc, mfcc};
pub use realfft::num_complex::Complex32;
pub use spectrogram::{ComplexSpectrogram, Element, FrameMatrix, Spectrogram};
pub use stft::{PadMode, Stft, StftConfig};
pub use window::{Window, pad_center};
