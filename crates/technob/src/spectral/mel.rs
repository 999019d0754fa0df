//! Mel scale and mel filterbanks (librosa `filters.mel`, `feature.melspectrogram`).
//!
//! Slaney's scale (Auditory Toolbox, 1998: linear below 1 kHz, logarithmic above) is librosa's
//! default; HTK's is `2595 · log10(1 + f/700)` (Young et al., *The HTK Book*).

use super::stft::{Spectrogram, Stft, StftConfig};
use crate::{Result, ensure_param};

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hz to mels (Slaney's scale, or HTK's when `htk`).
pub fn hz_to_mel(hz: f64, htk: bool) -> f64 {
    if htk {
        return 2595.0 * (1.0 + hz / 700.0).log10();
    }
    if hz >= MIN_LOG_HZ { MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step() } else { hz / F_SP }
}

/// Mels to Hz (inverse of [`hz_to_mel`]).
pub fn mel_to_hz(mel: f64, htk: bool) -> f64 {
    if htk {
        return 700.0 * (10f64.powf(mel / 2595.0) - 1.0);
    }
    if mel >= MIN_LOG_MEL { MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp() } else { F_SP * mel }
}

/// `n` frequencies in Hz equally spaced in mels from `fmin` to `fmax` (librosa `mel_frequencies`).
pub fn mel_frequencies(n: usize, fmin: f64, fmax: f64, htk: bool) -> Vec<f64> {
    let (lo, hi) = (hz_to_mel(fmin, htk), hz_to_mel(fmax, htk));
    (0..n)
        .map(|i| {
            let m = if n == 1 { lo } else { lo + (hi - lo) * i as f64 / (n - 1) as f64 };
            mel_to_hz(m, htk)
        })
        .collect()
}

/// Normalisation of the mel filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MelNorm {
    /// Each triangle divided by its width in Hz (constant energy per band; librosa's default).
    #[default]
    Slaney,
    /// Unit peak triangles.
    None,
}

/// Triangular mel filters over the FFT bins, stored sparsely (each filter's non-zero range).
#[derive(Clone, Debug)]
pub struct MelFilterbank {
    n_fft_bins: usize,
    /// Per mel band: first FFT bin and the weights from there.
    filters: Vec<(usize, Vec<f32>)>,
}

impl MelFilterbank {
    /// librosa `filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk,
    /// norm=...)`; `fmax = None` means `sr / 2`.
    pub fn new(
        sr: u32,
        n_fft: usize,
        n_mels: usize,
        fmin: f64,
        fmax: Option<f64>,
        htk: bool,
        norm: MelNorm,
    ) -> Result<Self> {
        let nyquist = sr as f64 / 2.0;
        let fmax = fmax.unwrap_or(nyquist);
        ensure_param!(sr > 0, "sample rate 0");
        ensure_param!(n_fft >= 2, "n_fft {n_fft} (at least 2)");
        ensure_param!((1..=4096).contains(&n_mels), "n_mels {n_mels} (allowed 1..=4096)");
        ensure_param!(
            fmin.is_finite() && fmax.is_finite() && fmin >= 0.0 && fmin < fmax && fmax <= nyquist,
            "mel range {fmin}..{fmax} Hz (need 0 <= fmin < fmax <= sr/2 = {nyquist})"
        );
        let n_bins = 1 + n_fft / 2;
        let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr as f64 / n_fft as f64).collect();
        let mel_f = mel_frequencies(n_mels + 2, fmin, fmax, htk);
        let filters = (0..n_mels)
            .map(|i| {
                let (left, center, right) = (mel_f[i], mel_f[i + 1], mel_f[i + 2]);
                let scale = match norm {
                    MelNorm::Slaney => 2.0 / (right - left),
                    MelNorm::None => 1.0,
                };
                let weights: Vec<f64> = fft_freqs
                    .iter()
                    .map(|&f| {
                        let lower = (f - left) / (center - left);
                        let upper = (right - f) / (right - center);
                        lower.min(upper).max(0.0) * scale
                    })
                    .collect();
                let first = weights.iter().position(|&w| w > 0.0).unwrap_or(0);
                let last = weights.iter().rposition(|&w| w > 0.0).map_or(first, |l| l + 1);
                (first, weights[first..last].iter().map(|&w| w as f32).collect())
            })
            .collect();
        Ok(MelFilterbank { n_fft_bins: n_bins, filters })
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.filters.len()
    }

    /// The dense `n_mels × (1 + n_fft/2)` weight matrix, row-major (librosa's layout).
    pub fn to_dense(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.filters.len() * self.n_fft_bins];
        for (m, (first, w)) in self.filters.iter().enumerate() {
            out[m * self.n_fft_bins + first..m * self.n_fft_bins + first + w.len()].copy_from_slice(w);
        }
        out
    }

    /// Mel spectrogram of a power (or magnitude) spectrogram with `1 + n_fft/2` bins.
    pub fn apply(&self, spec: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            spec.n_bins() == self.n_fft_bins,
            "spectrogram has {} bins, the mel filterbank expects {}",
            spec.n_bins(),
            self.n_fft_bins
        );
        let n_mels = self.n_mels();
        let mut data = Vec::with_capacity(n_mels * spec.n_frames());
        for frame in spec.frames() {
            data.extend(self.filters.iter().map(|(first, w)| {
                frame[*first..*first + w.len()].iter().zip(w).map(|(x, w)| x * w).sum::<f32>()
            }));
        }
        Ok(Spectrogram::from_frames(n_mels, spec.n_frames(), data).unwrap_or_else(|| unreachable!()))
    }
}

/// Mel power spectrogram of `y` (librosa `feature.melspectrogram` with `power=2`).
pub fn melspectrogram(y: &[f32], sr: u32, stft: &StftConfig, n_mels: usize) -> Result<Spectrogram> {
    let plan = Stft::new(*stft)?;
    let bank = MelFilterbank::new(sr, stft.n_fft, n_mels, 0.0, None, false, MelNorm::Slaney)?;
    bank.apply(&plan.power(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_trip() {
        for htk in [false, true] {
            for hz in [0.0, 100.0, 999.0, 1000.0, 4000.0, 11025.0] {
                assert!((mel_to_hz(hz_to_mel(hz, htk), htk) - hz).abs() < 1e-9, "{hz} {htk}");
            }
        }
        assert!((hz_to_mel(1000.0, false) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(1000.0, true) - 999.9855371396243).abs() < 1e-9);
    }

    #[test]
    fn filterbank_shape_and_norm() {
        let bank = MelFilterbank::new(22050, 2048, 128, 0.0, None, false, MelNorm::None).unwrap();
        assert_eq!(bank.n_mels(), 128);
        let dense = bank.to_dense();
        assert_eq!(dense.len(), 128 * 1025);
        let peak = dense.iter().copied().fold(0.0, f32::max);
        assert!(peak <= 1.0 && peak > 0.9);
        // Slaney: area of each triangle in Hz is 1 (weights × bin width sum to ~1).
        let slaney = MelFilterbank::new(22050, 4096, 40, 0.0, None, false, MelNorm::Slaney).unwrap();
        let bin_hz = 22050.0 / 4096.0;
        for (first, w) in &slaney.filters[5..] {
            let area: f32 = w.iter().sum::<f32>() * bin_hz;
            assert!((area - 1.0).abs() < 0.05, "area {area} at bin {first}");
        }
    }

    #[test]
    fn bad_parameters() {
        assert!(MelFilterbank::new(22050, 2048, 0, 0.0, None, false, MelNorm::Slaney).is_err());
        assert!(MelFilterbank::new(22050, 2048, 128, 0.0, Some(20000.0), false, MelNorm::Slaney).is_err());
        assert!(MelFilterbank::new(22050, 2048, 128, 500.0, Some(100.0), false, MelNorm::Slaney).is_err());
        assert!(MelFilterbank::new(0, 2048, 128, 0.0, None, false, MelNorm::Slaney).is_err());
        let bank = MelFilterbank::new(22050, 2048, 128, 0.0, None, false, MelNorm::Slaney).unwrap();
        assert!(bank.apply(&Spectrogram::from_frames(10, 1, vec![0.0; 10]).unwrap()).is_err());
    }
}
