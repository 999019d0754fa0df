//! Chroma from the STFT (`librosa.filters.chroma`, `librosa.feature.chroma_stft`; after
//! Ellis's `chromagram_E`).
//!
//! Each FFT bin is spread over the pitch classes with a Gaussian bump centred on its
//! (fractional) pitch class, about one class wide; each bin's weights are normalised across
//! classes, and the whole is weighted by a Gaussian over octaves (centre `ctroct`, width
//! `octwidth`) that favours the middle of the range. The filterbank is built once in `f64`.

use rayon::prelude::*;

use super::convert::hz_to_octs;
use super::spectrogram::Spectrogram;
use super::stft::{Stft, StftConfig};
use crate::{Result, ensure_param};

/// Frames per parallel task.
const FRAMES_PER_TASK: usize = 256;

/// A vector norm (librosa's `norm` argument: 1, 2 or `np.inf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    /// Sum of absolute values.
    L1,
    /// Euclidean norm.
    L2,
    /// Largest absolute value (`np.inf`).
    Inf,
}

impl Norm {
    /// The norm of `v`.
    pub fn of(self, v: &[f32]) -> f32 {
        match self {
            Norm::L1 => v.iter().map(|x| x.abs()).sum(),
            Norm::L2 => v.iter().map(|x| x * x).sum::<f32>().sqrt(),
            Norm::Inf => v.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        }
    }

    fn of_f64(self, v: &[f64]) -> f64 {
        match self {
            Norm::L1 => v.iter().map(|x| x.abs()).sum(),
            Norm::L2 => v.iter().map(|x| x * x).sum::<f64>().sqrt(),
            Norm::Inf => v.iter().fold(0.0f64, |m, x| m.max(x.abs())),
        }
    }
}

/// Divide every frame of `spec` by its norm (`librosa.util.normalize(S, norm=norm, axis=0)`
/// on librosa's `(bins, frames)` layout). Frames whose norm is below the smallest normal
/// `f32` are left as they are.
pub fn normalize_frames(spec: &mut Spectrogram, norm: Norm) {
    for frame in spec.frames_mut() {
        let n = norm.of(frame);
        if n >= f32::MIN_POSITIVE {
            frame.iter_mut().for_each(|v| *v /= n);
        }
    }
}

/// Parameters of a chroma filterbank and of [`chroma_stft`]; `Default` is librosa's, except
/// that the tuning is 0 rather than estimated (see [`ChromaConfig::tuning`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ChromaConfig {
    /// Number of pitch classes (12: semitones).
    pub n_chroma: usize,
    /// Tuning offset from A440 in fractions of a chroma bin (−0.5..0.5). librosa's
    /// `chroma_stft` estimates it when not given; technob uses 0 unless told.
    pub tuning: f64,
    /// Centre of the octave weighting, in octaves above A0 (27.5 Hz); 5.0 ≈ 880 Hz.
    pub ctroct: f64,
    /// Width (standard deviation) of the octave weighting in octaves; `None` weights all
    /// octaves equally.
    pub octwidth: Option<f64>,
    /// Normalisation of each FFT bin's weights across pitch classes (`None`: none).
    pub filter_norm: Option<Norm>,
    /// Start at C rather than A.
    pub base_c: bool,
    /// Normalisation of each output frame in [`chroma_stft`] (librosa: `np.inf`).
    pub frame_norm: Option<Norm>,
}

impl Default for ChromaConfig {
    fn default() -> Self {
        ChromaConfig {
            n_chroma: 12,
            tuning: 0.0,
            ctroct: 5.0,
            octwidth: Some(2.0),
            filter_norm: Some(Norm::L2),
            base_c: true,
            frame_norm: Some(Norm::Inf),
        }
    }
}

/// A chroma filterbank for one sample rate and FFT size (`librosa.filters.chroma`):
/// `n_chroma × (n_fft/2 + 1)` weights, dense.
#[derive(Clone, Debug, PartialEq)]
pub struct ChromaFilterbank {
    n_chroma: usize,
    n_bins: usize,
    frame_norm: Option<Norm>,
    /// Row-major `n_chroma × n_bins`.
    weights: Vec<f32>,
}

impl ChromaFilterbank {
    /// Build the filterbank (`librosa.filters.chroma(sr=sr, n_fft=n_fft, n_chroma=...,
    /// tuning=..., ctroct=..., octwidth=..., norm=..., base_c=...)`); `sr` in Hz.
    ///
    /// Errors: `sr` not positive, `n_fft < 2`, `n_chroma == 0`, non-finite `tuning` or
    /// `ctroct`, `octwidth ≤ 0`, more than 2²⁸ weights.
    pub fn new(sr: f64, n_fft: usize, config: &ChromaConfig) -> Result<ChromaFilterbank> {
        let n_chroma = config.n_chroma;
        ensure_param!(sr.is_finite() && sr > 0.0, "the sample rate must be positive, got {sr} Hz");
        ensure_param!(n_fft >= 2, "n_fft must be at least 2, got {n_fft}");
        ensure_param!(n_fft <= super::stft::MAX_N_FFT, "n_fft {n_fft} is too large");
        ensure_param!(n_chroma >= 1, "n_chroma must be at least 1");
        ensure_param!(n_chroma <= 10_000, "n_chroma {n_chroma} is absurdly large");
        ensure_param!(config.tuning.is_finite(), "the tuning must be finite");
        ensure_param!(config.ctroct.is_finite(), "ctroct must be finite");
        if let Some(w) = config.octwidth {
            ensure_param!(w.is_finite() && w > 0.0, "octwidth must be positive, got {w}");
        }
        let n_bins = n_fft / 2 + 1;
        ensure_param!(
            n_chroma.saturating_mul(n_bins) <= 1 << 28,
            "a chroma filterbank of {n_chroma} x {n_bins} weights is absurdly large"
        );
        let nc = n_chroma as f64;

        // Fractional chroma-bin number of each FFT bin (bins 1..); bin 0 (DC) is given a
        // made-up position 1.5 octaves below bin 1.
        let n_pos = (n_bins + 1).min(n_fft);
        let mut pos = vec![0.0f64; n_pos];
        for (k, p) in pos.iter_mut().enumerate().skip(1) {
            let hz = k as f64 * sr / n_fft as f64;
            *p = nc * hz_to_octs(hz, config.tuning, n_chroma);
        }
        pos[0] = pos[1] - 1.5 * nc;
        // Width of each bin in chroma bins (at least 1); the last FFT bin gets 1.
        let width = |k: usize| if k + 1 < n_fft { (pos[k + 1] - pos[k]).max(1.0) } else { 1.0 };

        let half = (nc / 2.0).round_ties_even();
        let mut w = vec![0.0f64; n_chroma * n_bins];
        let mut column = vec![0.0f64; n_chroma];
        for k in 0..n_bins {
            let bw = width(k);
            for (c, v) in column.iter_mut().enumerate() {
                // Distance from pitch class c, wrapped into [−n_chroma/2, n_chroma/2).
                let d = (pos[k] - c as f64 + half + 10.0 * nc).rem_euclid(nc) - half;
                *v = (-0.5 * (2.0 * d / bw).powi(2)).exp();
            }
            if let Some(norm) = config.filter_norm {
                let n = norm.of_f64(&column);
                if n >= f64::MIN_POSITIVE {
                    column.iter_mut().for_each(|v| *v /= n);
                }
            }
            let oct_weight = match config.octwidth {
                Some(ow) => (-0.5 * ((pos[k] / nc - config.ctroct) / ow).powi(2)).exp(),
                None => 1.0,
            };
            // Rotate so that row 0 is C (3 semitones above A) when base_c.
            let shift = if config.base_c { 3 * (n_chroma / 12) } else { 0 };
            for (c, &v) in column.iter().enumerate() {
                let row = (c + n_chroma - shift % n_chroma) % n_chroma;
                w[row * n_bins + k] = v * oct_weight;
            }
        }
        Ok(ChromaFilterbank {
            n_chroma,
            n_bins,
            frame_norm: config.frame_norm,
            weights: w.into_iter().map(|x| x as f32).collect(),
        })
    }

    /// Number of pitch classes.
    pub fn n_chroma(&self) -> usize {
        self.n_chroma
    }

    /// Number of FFT bins expected (`n_fft / 2 + 1`).
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// The dense `(n_chroma, n_bins)` weights, row-major (librosa's layout).
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Raw chroma of a power spectrogram: `n_chroma` values per frame, not normalised.
    ///
    /// Errors: `spec` does not have `n_fft / 2 + 1` bins.
    pub fn apply(&self, spec: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            spec.n_bins() == self.n_bins,
            "the spectrogram has {} bins but the chroma filterbank expects {}",
            spec.n_bins(),
            self.n_bins
        );
        let (nc, nb) = (self.n_chroma, self.n_bins);
        let mut out = Spectrogram::zeros(nc, spec.n_frames());
        out.as_mut_slice()
            .par_chunks_mut(nc * FRAMES_PER_TASK)
            .zip(spec.as_slice().par_chunks(nb * FRAMES_PER_TASK))
            .for_each(|(o, s)| {
                for (of, sf) in o.chunks_exact_mut(nc).zip(s.chunks_exact(nb)) {
                    for (v, row) in of.iter_mut().zip(self.weights.chunks_exact(nb)) {
                        *v = row.iter().zip(sf).map(|(a, b)| a * b).sum();
                    }
                }
            });
        Ok(out)
    }

    /// Chroma of a power spectrogram, each frame normalised by the configured frame norm
    /// (librosa's `chroma_stft(S=power)` with its `norm`).
    pub fn chroma(&self, power: &Spectrogram) -> Result<Spectrogram> {
        let mut out = self.apply(power)?;
        if let Some(norm) = self.frame_norm {
            normalize_frames(&mut out, norm);
        }
        Ok(out)
    }
}

/// Chromagram of a signal (`librosa.feature.chroma_stft(y=y, sr=sr, tuning=config.tuning,
/// ...)`): power STFT → chroma filterbank → per-frame normalisation (max = 1 by default).
/// Output: `n_chroma` values per STFT frame, row 0 = C (with `base_c`).
///
/// Errors: invalid STFT or chroma parameters.
pub fn chroma_stft(y: &[f32], sr: f64, stft: &StftConfig, config: &ChromaConfig) -> Result<Spectrogram> {
    let plan = Stft::new(stft.clone())?;
    let bank = ChromaFilterbank::new(sr, stft.n_fft, config)?;
    bank.chroma(&plan.power(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a440_lands_on_a() {
        let sr = 22050.0;
        let y: Vec<f32> =
            (0..22050).map(|i| (2.0 * std::f64::consts::PI * 440.0 * i as f64 / sr).sin() as f32).collect();
        let c = chroma_stft(&y, sr, &StftConfig::default(), &ChromaConfig::default()).unwrap();
        assert_eq!(c.n_bins(), 12);
        let mid = c.frame(c.n_frames() / 2);
        let argmax = (0..12).max_by(|&a, &b| mid[a].total_cmp(&mid[b])).unwrap();
        assert_eq!(argmax, 9, "{mid:?}"); // C C# D D# E F F# G G# A
        assert!((mid[9] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn normalize_frames_leaves_silence() {
        let mut s = Spectrogram::new(2, 2, vec![0.0, 0.0, 1.0, -4.0]).unwrap();
        normalize_frames(&mut s, Norm::Inf);
        assert_eq!(s.as_slice(), &[0.0, 0.0, 0.25, -1.0]);
    }

    #[test]
    fn bad_parameters() {
        let c = ChromaConfig::default();
        assert!(ChromaFilterbank::new(0.0, 2048, &c).is_err());
        assert!(ChromaFilterbank::new(22050.0, 1, &c).is_err());
        assert!(ChromaFilterbank::new(22050.0, 2048, &ChromaConfig { n_chroma: 0, ..c.clone() }).is_err());
        assert!(
            ChromaFilterbank::new(22050.0, 1 << 24, &ChromaConfig { n_chroma: 10_000, ..c.clone() }).is_err()
        );
        assert!(
            ChromaFilterbank::new(22050.0, 2048, &ChromaConfig { octwidth: Some(0.0), ..c.clone() }).is_err()
        );
        assert!(ChromaFilterbank::new(22050.0, 2048, &ChromaConfig { tuning: f64::NAN, ..c }).is_err());
        let bank = ChromaFilterbank::new(22050.0, 2, &ChromaConfig::default()).unwrap();
        assert_eq!(bank.n_bins(), 2);
    }
}
