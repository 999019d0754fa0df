//! Chroma from the STFT (librosa `filters.chroma` and `feature.chroma_stft`, after Ellis's
//! chromagram: Gaussian bumps around each pitch class, weighted towards the middle octaves).

use super::stft::{Spectrogram, Stft, StftConfig};
use crate::{Result, ensure_param};

/// Maps FFT bins to pitch classes.
#[derive(Clone, Debug)]
pub struct ChromaFilterbank {
    n_chroma: usize,
    n_fft_bins: usize,
    /// `n_chroma × (1 + n_fft/2)`, row-major; row 0 is C.
    weights: Vec<f32>,
}

impl ChromaFilterbank {
    /// librosa `filters.chroma(sr=sr, n_fft=n_fft, n_chroma=n_chroma, tuning=tuning)` with its
    /// defaults `ctroct = 5.0`, `octwidth = 2`, `norm = 2`, `base_c = True`. `tuning` is the
    /// deviation from A440 in fractions of a chroma bin.
    pub fn new(sr: u32, n_fft: usize, n_chroma: usize, tuning: f64) -> Result<ChromaFilterbank> {
        ensure_param!(sr > 0, "sample rate 0");
        ensure_param!(n_fft >= 2, "n_fft {n_fft} (at least 2)");
        ensure_param!((1..=120).contains(&n_chroma), "n_chroma {n_chroma} (allowed 1..=120)");
        ensure_param!(tuning.is_finite() && tuning.abs() <= 0.5, "tuning {tuning} (allowed -0.5..=0.5 bins)");
        let (ctroct, octwidth) = (5.0f64, 2.0f64);
        let nc = n_chroma as f64;
        let a440 = 440.0 * 2f64.powf(tuning / nc);
        // Pitch (in chroma bins) of every FFT bin but DC; DC sits 1.5 octaves below bin 1.
        let mut frqbins: Vec<f64> = (1..n_fft)
            .map(|k| {
                let f = k as f64 * sr as f64 / n_fft as f64;
                nc * (f / (a440 / 16.0)).log2()
            })
            .collect();
        frqbins.insert(0, frqbins[0] - 1.5 * nc);
        let mut binwidth: Vec<f64> = frqbins.windows(2).map(|w| (w[1] - w[0]).max(1.0)).collect();
        binwidth.push(1.0);
        let half = (nc / 2.0).round();
        let mut w = vec![0f64; n_chroma * n_fft];
        for (k, (&fb, &bw)) in frqbins.iter().zip(&binwidth).enumerate() {
            for c in 0..n_chroma {
                let d = (fb - c as f64 + half + 10.0 * nc).rem_euclid(nc) - half;
                w[c * n_fft + k] = (-0.5 * (2.0 * d / bw).powi(2)).exp();
            }
        }
        // Unit L2 norm per FFT bin (column), then the octave weighting.
        for (k, &fb) in frqbins.iter().enumerate() {
            let norm = (0..n_chroma).map(|c| w[c * n_fft + k].powi(2)).sum::<f64>().sqrt();
            let octave = (-0.5 * ((fb / nc - ctroct) / octwidth).powi(2)).exp();
            for c in 0..n_chroma {
                let v = &mut w[c * n_fft + k];
                if norm > f64::MIN_POSITIVE {
                    *v /= norm;
                }
                *v *= octave;
            }
        }
        // Rotate so that row 0 is C (the construction above starts at A).
        let shift = 3 * (n_chroma / 12);
        let n_bins = 1 + n_fft / 2;
        let mut weights = vec![0f32; n_chroma * n_bins];
        for c in 0..n_chroma {
            let src = (c + shift) % n_chroma;
            for k in 0..n_bins {
                weights[c * n_bins + k] = w[src * n_fft + k] as f32;
            }
        }
        Ok(ChromaFilterbank { n_chroma, n_fft_bins: n_bins, weights })
    }

    /// Number of pitch classes.
    pub fn n_chroma(&self) -> usize {
        self.n_chroma
    }

    /// The dense weights, `n_chroma × (1 + n_fft/2)`, row-major.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Raw (unnormalised) chroma of a power spectrogram.
    pub fn apply(&self, power: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            power.n_bins() == self.n_fft_bins,
            "spectrogram has {} bins, the chroma filterbank expects {}",
            power.n_bins(),
            self.n_fft_bins
        );
        let mut data = Vec::with_capacity(self.n_chroma * power.n_frames());
        for frame in power.frames() {
            data.extend(
                self.weights
                    .chunks_exact(self.n_fft_bins)
                    .map(|row| row.iter().zip(frame).map(|(w, x)| w * x).sum::<f32>()),
            );
        }
        Ok(Spectrogram::from_frames(self.n_chroma, power.n_frames(), data).unwrap_or_else(|| unreachable!()))
    }
}

/// Chromagram of `y` (librosa `feature.chroma_stft(y, sr, tuning=tuning)`): chroma of the power
/// STFT, each frame scaled to a maximum of 1 (`norm=inf`). librosa estimates `tuning` when it is
/// not given; here the caller passes it (0.0 for A440).
pub fn chroma_stft(
    y: &[f32],
    sr: u32,
    stft: &StftConfig,
    n_chroma: usize,
    tuning: f64,
) -> Result<Spectrogram> {
    let plan = Stft::new(*stft)?;
    let bank = ChromaFilterbank::new(sr, stft.n_fft, n_chroma, tuning)?;
    let mut chroma = bank.apply(&plan.power(y))?;
    for t in 0..chroma.n_frames() {
        let frame = chroma.frame_mut(t);
        let peak = frame.iter().fold(0f32, |m, x| m.max(x.abs()));
        if peak > f32::MIN_POSITIVE {
            frame.iter_mut().for_each(|x| *x /= peak);
        }
    }
    Ok(chroma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_lights_its_pitch_class() {
        let sr = 22050;
        // G4 = 392 Hz -> pitch class 7 (C = 0).
        let y: Vec<f32> =
            (0..sr).map(|i| (std::f32::consts::TAU * 392.0 * i as f32 / sr as f32).sin()).collect();
        let chroma = chroma_stft(&y, sr as u32, &StftConfig::default(), 12, 0.0).unwrap();
        let mid = chroma.frame(chroma.n_frames() / 2);
        let best = mid.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        assert_eq!(best, Some(7));
        assert!(ChromaFilterbank::new(22050, 2048, 0, 0.0).is_err());
        assert!(ChromaFilterbank::new(22050, 2048, 12, 3.0).is_err());
    }
}
