//! Mel-frequency cepstral coefficients (`librosa.feature.mfcc`, Davis & Mermelstein 1980).
//!
//! librosa's pipeline: power mel spectrogram → `power_to_db` (ref 1, amin 1e-10, top_db 80)
//! → orthonormal DCT-II along the mel axis (`scipy.fft.dct(type=2, norm="ortho")`), first
//! `n_mfcc` coefficients, optional sinusoidal liftering. The DCT matrix is built once.

use rayon::prelude::*;

use super::db::{DbRef, POWER_AMIN, TOP_DB, power_to_db_in_place};
use super::mel::{MelConfig, MelFilterbank};
use super::spectrogram::Spectrogram;
use super::stft::{Stft, StftConfig};
use crate::{Result, ensure_param};

/// Frames per parallel task.
const FRAMES_PER_TASK: usize = 256;

/// An MFCC transform from log-mel frames: a DCT-II (orthonormal) matrix of
/// `n_mfcc × n_mels` and an optional lifter, built once.
#[derive(Clone, Debug, PartialEq)]
pub struct Mfcc {
    n_mfcc: usize,
    n_mels: usize,
    /// Row-major `n_mfcc × n_mels`, lifter included.
    basis: Vec<f64>,
}

impl Mfcc {
    /// DCT-II with orthonormal scaling, keeping the first `n_mfcc` of `n_mels` coefficients:
    /// `c_k = s_k Σ_n x_n cos(π k (2n + 1) / (2 n_mels))`, `s_0 = √(1/n_mels)`,
    /// `s_k = √(2/n_mels)`.
    ///
    /// Errors: `n_mfcc == 0`, `n_mels == 0`, `n_mfcc > n_mels`, or a matrix above 2²⁶ entries.
    pub fn new(n_mfcc: usize, n_mels: usize) -> Result<Mfcc> {
        Mfcc::with_lifter(n_mfcc, n_mels, 0.0)
    }

    /// As [`Mfcc::new`], then multiply coefficient `k` by `1 + (L/2) sin(π (k + 1) / L)`
    /// (librosa's `lifter=L`; 0 disables it).
    ///
    /// Errors: as [`Mfcc::new`], and a negative or non-finite `lifter`.
    pub fn with_lifter(n_mfcc: usize, n_mels: usize, lifter: f64) -> Result<Mfcc> {
        ensure_param!(n_mfcc >= 1, "n_mfcc must be at least 1");
        ensure_param!(n_mels >= 1, "n_mels must be at least 1");
        ensure_param!(n_mfcc <= n_mels, "n_mfcc {n_mfcc} exceeds the number of mel bands {n_mels}");
        ensure_param!(
            n_mfcc.saturating_mul(n_mels) <= 1 << 26,
            "a DCT of {n_mfcc} x {n_mels} is absurdly large"
        );
        ensure_param!(lifter.is_finite() && lifter >= 0.0, "the lifter must be >= 0, got {lifter}");
        let n = n_mels as f64;
        let mut basis = Vec::with_capacity(n_mfcc * n_mels);
        for k in 0..n_mfcc {
            let scale = if k == 0 { (1.0 / n).sqrt() } else { (2.0 / n).sqrt() };
            let lift = if lifter > 0.0 {
                1.0 + lifter / 2.0 * (std::f64::consts::PI * (k + 1) as f64 / lifter).sin()
            } else {
                1.0
            };
            for i in 0..n_mels {
                let phase = std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * n);
                basis.push(scale * lift * phase.cos());
            }
        }
        Ok(Mfcc { n_mfcc, n_mels, basis })
    }

    /// Number of coefficients per frame.
    pub fn n_mfcc(&self) -> usize {
        self.n_mfcc
    }

    /// Number of mel bands expected.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// MFCCs of a log-mel spectrogram (dB): `n_mfcc` coefficients per frame.
    ///
    /// Errors: `log_mel` does not have `n_mels` bins.
    pub fn from_log_mel(&self, log_mel: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            log_mel.n_bins() == self.n_mels,
            "the log-mel spectrogram has {} bands, the MFCC transform expects {}",
            log_mel.n_bins(),
            self.n_mels
        );
        let (n_mfcc, n_mels) = (self.n_mfcc, self.n_mels);
        let mut out = Spectrogram::zeros(n_mfcc, log_mel.n_frames());
        out.as_mut_slice()
            .par_chunks_mut(n_mfcc * FRAMES_PER_TASK)
            .zip(log_mel.as_slice().par_chunks(n_mels * FRAMES_PER_TASK))
            .for_each(|(o, s)| {
                for (of, sf) in o.chunks_exact_mut(n_mfcc).zip(s.chunks_exact(n_mels)) {
                    for (c, row) in of.iter_mut().zip(self.basis.chunks_exact(n_mels)) {
                        *c = row.iter().zip(sf).map(|(&b, &x)| b * f64::from(x)).sum::<f64>() as f32;
                    }
                }
            });
        Ok(out)
    }
}

/// MFCCs of a signal with librosa's pipeline (`librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc,
/// ...)`): power mel spectrogram, `power_to_db` with ref 1.0, amin 1e-10 and top_db 80 (the
/// 80 dB floor is relative to the loudest band of the whole signal), DCT-II ortho.
/// Output: `n_mfcc` coefficients per STFT frame. librosa's default is `n_mfcc` 20.
///
/// Errors: invalid STFT, mel or MFCC parameters.
pub fn mfcc(y: &[f32], sr: f64, stft: &StftConfig, mel: &MelConfig, n_mfcc: usize) -> Result<Spectrogram> {
    let transform = Mfcc::new(n_mfcc, mel.n_mels)?;
    let plan = Stft::new(stft.clone())?;
    let bank = MelFilterbank::from_config(sr, stft.n_fft, mel)?;
    let mut log_mel = bank.apply(&plan.power(y))?;
    power_to_db_in_place(&mut log_mel, DbRef::Value(1.0), POWER_AMIN, Some(TOP_DB))?;
    transform.from_log_mel(&log_mel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_is_orthonormal() {
        let m = Mfcc::new(16, 16).unwrap();
        for a in 0..16 {
            for b in 0..16 {
                let dot: f64 = (0..16).map(|i| m.basis[a * 16 + i] * m.basis[b * 16 + i]).sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "{a} {b}: {dot}");
            }
        }
    }

    #[test]
    fn constant_input_has_only_c0() {
        let m = Mfcc::new(5, 8).unwrap();
        let s = Spectrogram::new(8, 1, vec![2.0; 8]).unwrap();
        let c = m.from_log_mel(&s).unwrap();
        assert!((c.get(0, 0) - 2.0 * 8f32.sqrt()).abs() < 1e-5);
        assert!(c.frame(0)[1..].iter().all(|v| v.abs() < 1e-5));
    }

    #[test]
    fn bad_parameters() {
        assert!(Mfcc::new(0, 128).is_err());
        assert!(Mfcc::new(20, 0).is_err());
        assert!(Mfcc::new(200, 128).is_err());
        assert!(Mfcc::new(100_000, 100_000).is_err());
        assert!(Mfcc::with_lifter(20, 128, -1.0).is_err());
        let m = Mfcc::new(20, 128).unwrap();
        assert!(m.from_log_mel(&Spectrogram::new(40, 1, vec![0.0; 40]).unwrap()).is_err());
        assert!(mfcc(&[0.0; 10], 22050.0, &StftConfig::default(), &MelConfig::default(), 0).is_err());
    }
}
