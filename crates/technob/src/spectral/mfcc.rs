//! Mel-frequency cepstral coefficients (librosa `feature.mfcc`: DCT-II, orthonormal, of the
//! log-power mel spectrogram; Davis & Mermelstein 1980).

use super::convert::{DbRef, power_to_db};
use super::mel::MelFilterbank;
use super::stft::{Spectrogram, Stft, StftConfig};
use crate::{Result, ensure_param};

/// An MFCC transform for a given number of mel bands: the DCT matrix built once.
#[derive(Clone, Debug)]
pub struct Mfcc {
    n_mfcc: usize,
    n_mels: usize,
    /// `n_mfcc × n_mels`, row-major.
    dct: Vec<f32>,
}

impl Mfcc {
    /// `n_mfcc` coefficients (librosa default 20) from `n_mels` bands.
    pub fn new(n_mfcc: usize, n_mels: usize) -> Result<Mfcc> {
        ensure_param!(n_mels >= 1, "n_mels 0");
        ensure_param!((1..=n_mels).contains(&n_mfcc), "n_mfcc {n_mfcc} (allowed 1..=n_mels = {n_mels})");
        let n = n_mels as f64;
        let mut dct = Vec::with_capacity(n_mfcc * n_mels);
        for k in 0..n_mfcc {
            let scale = if k == 0 { (1.0 / n).sqrt() } else { (2.0 / n).sqrt() };
            for i in 0..n_mels {
                let angle = std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * n);
                dct.push((scale * angle.cos()) as f32);
            }
        }
        Ok(Mfcc { n_mfcc, n_mels, dct })
    }

    /// Coefficients of a log-power (dB) mel spectrogram, frame by frame.
    pub fn apply(&self, log_mel: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            log_mel.n_bins() == self.n_mels,
            "mel spectrogram has {} bands, this MFCC expects {}",
            log_mel.n_bins(),
            self.n_mels
        );
        let mut data = Vec::with_capacity(self.n_mfcc * log_mel.n_frames());
        for frame in log_mel.frames() {
            data.extend(
                self.dct
                    .chunks_exact(self.n_mels)
                    .map(|row| row.iter().zip(frame).map(|(a, b)| a * b).sum::<f32>()),
            );
        }
        Ok(Spectrogram::from_frames(self.n_mfcc, log_mel.n_frames(), data).unwrap_or_else(|| unreachable!()))
    }
}

/// MFCCs of `y` with librosa's defaults: `power_to_db` (ref 1, amin 1e-10, top_db 80) of the
/// Slaney-normalised mel power spectrogram, then the orthonormal DCT-II.
pub fn mfcc(y: &[f32], sr: u32, stft: &StftConfig, n_mels: usize, n_mfcc: usize) -> Result<Spectrogram> {
    let plan = Stft::new(*stft)?;
    let bank = MelFilterbank::new(sr, stft.n_fft, n_mels, 0.0, None, false, super::MelNorm::Slaney)?;
    let log_mel = power_to_db(&bank.apply(&plan.power(y))?, DbRef::Value(1.0), 1e-10, Some(80.0));
    Mfcc::new(n_mfcc, n_mels)?.apply(&log_mel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_is_orthonormal() {
        let m = Mfcc::new(16, 16).unwrap();
        for a in 0..16 {
            for b in 0..16 {
                let dot: f32 = (0..16).map(|i| m.dct[a * 16 + i] * m.dct[b * 16 + i]).sum();
                assert!((dot - if a == b { 1.0 } else { 0.0 }).abs() < 1e-5);
            }
        }
        // A constant log-mel frame has only a DC coefficient.
        let flat = Spectrogram::from_frames(16, 1, vec![2.0; 16]).unwrap();
        let c = m.apply(&flat).unwrap();
        assert!((c.get(0, 0) - 8.0).abs() < 1e-5 && c.frame(0)[1..].iter().all(|x| x.abs() < 1e-5));
        assert!(Mfcc::new(0, 16).is_err() && Mfcc::new(17, 16).is_err());
    }
}
