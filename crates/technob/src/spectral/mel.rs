//! Mel filterbank and mel spectrogram (`librosa.filters.mel`, `librosa.feature.melspectrogram`).
//!
//! Triangular filters with vertices at `n_mels + 2` frequencies equally spaced on the mel scale
//! (Slaney's Auditory Toolbox scale by default, or HTK's), each filter evaluated at the FFT bin
//! frequencies. Slaney normalisation scales filter `m` by `2 / (f[m+2] − f[m])` so that each
//! band has about the same energy for white noise. The filters are computed in `f64` and stored
//! sparsely (the range of non-zero bins of each), so applying them costs about two
//! multiply-adds per FFT bin and frame.

use rayon::prelude::*;

use super::convert::{fft_frequencies, mel_frequencies};
use super::spectrogram::Spectrogram;
use super::stft::{Stft, StftConfig};
use crate::{Result, ensure_param};

/// Frames per parallel task when applying a filterbank.
const FRAMES_PER_TASK: usize = 256;

/// Normalisation of the mel filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MelNorm {
    /// Peak 1 triangles, no normalisation (`norm=None`).
    None,
    /// Divide each triangle by half its width in Hz (`norm="slaney"`, librosa's default):
    /// constant energy per band.
    #[default]
    Slaney,
}

/// Parameters of a mel filterbank; `Default` is librosa's (128 bands, 0 Hz to `sr / 2`,
/// Slaney scale, Slaney normalisation).
#[derive(Clone, Debug, PartialEq)]
pub struct MelConfig {
    /// Number of mel bands (≥ 1).
    pub n_mels: usize,
    /// Lowest frequency in Hz (≥ 0).
    pub fmin: f64,
    /// Highest frequency in Hz (`None`: `sr / 2`); must not exceed `sr / 2`.
    pub fmax: Option<f64>,
    /// HTK mel scale instead of Slaney's.
    pub htk: bool,
    /// Filter normalisation.
    pub norm: MelNorm,
}

impl Default for MelConfig {
    fn default() -> Self {
        MelConfig { n_mels: 128, fmin: 0.0, fmax: None, htk: false, norm: MelNorm::Slaney }
    }
}

/// A mel filterbank for one sample rate and FFT size, built once and applied to many
/// spectrograms (`librosa.filters.mel`).
#[derive(Clone, Debug, PartialEq)]
pub struct MelFilterbank {
    n_fft: usize,
    n_bins: usize,
    /// First non-zero bin of each filter.
    starts: Vec<usize>,
    /// `offsets[m]..offsets[m + 1]` indexes `weights` for filter `m`.
    offsets: Vec<usize>,
    /// Non-zero weights of all filters, concatenated.
    weights: Vec<f32>,
    /// The `n_mels + 2` triangle vertices in Hz.
    vertices: Vec<f64>,
}

impl MelFilterbank {
    /// Build the filterbank (`librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels,
    /// fmin=fmin, fmax=fmax, htk=htk, norm=norm)`); frequencies in Hz.
    ///
    /// Errors: `sr` not positive, `n_fft < 2`, `n_mels == 0`, `fmin < 0`, `fmax > sr / 2`,
    /// `fmin ≥ fmax`. Bands narrower than the FFT resolution are all zeros (librosa warns).
    pub fn new(
        sr: f64,
        n_fft: usize,
        n_mels: usize,
        fmin: f64,
        fmax: Option<f64>,
        htk: bool,
        norm: MelNorm,
    ) -> Result<MelFilterbank> {
        ensure_param!(sr.is_finite() && sr > 0.0, "the sample rate must be positive, got {sr} Hz");
        ensure_param!(n_fft >= 2, "n_fft must be at least 2, got {n_fft}");
        ensure_param!(n_fft <= super::stft::MAX_N_FFT, "n_fft {n_fft} is too large");
        ensure_param!(n_mels >= 1, "n_mels must be at least 1");
        ensure_param!(n_mels <= 100_000, "n_mels {n_mels} is absurdly large");
        let nyquist = sr / 2.0;
        let fmax = fmax.unwrap_or(nyquist);
        ensure_param!(fmin.is_finite() && fmin >= 0.0, "fmin must be >= 0 Hz, got {fmin}");
        ensure_param!(
            fmax.is_finite() && fmax <= nyquist,
            "fmax {fmax} Hz is above the Nyquist frequency {nyquist} Hz"
        );
        ensure_param!(fmin.is_finite() && fmin < fmax, "fmin {fmin} Hz must be below fmax {fmax} Hz");

        let freqs = fft_frequencies(sr, n_fft);
        let vertices = mel_frequencies(n_mels + 2, fmin, fmax, htk);
        let mut starts = Vec::with_capacity(n_mels);
        let mut offsets = Vec::with_capacity(n_mels + 1);
        let mut weights = Vec::new();
        offsets.push(0);
        for m in 0..n_mels {
            let (lo, mid, hi) = (vertices[m], vertices[m + 1], vertices[m + 2]);
            let scale = match norm {
                MelNorm::Slaney => 2.0 / (hi - lo),
                MelNorm::None => 1.0,
            };
            // Triangle: rises from lo to mid, falls from mid to hi, zero elsewhere.
            let value = |f: f64| {
                let rise = (f - lo) / (mid - lo);
                let fall = (hi - f) / (hi - mid);
                (rise.min(fall).max(0.0) * scale) as f32
            };
            let first = freqs.iter().position(|&f| value(f) > 0.0);
            match first {
                Some(first) => {
                    let last = freqs.iter().rposition(|&f| value(f) > 0.0).unwrap_or(first);
                    starts.push(first);
                    weights.extend(freqs[first..=last].iter().map(|&f| value(f)));
                }
                None => starts.push(0),
            }
            offsets.push(weights.len());
        }
        Ok(MelFilterbank { n_fft, n_bins: n_fft / 2 + 1, starts, offsets, weights, vertices })
    }

    /// Build from a [`MelConfig`].
    pub fn from_config(sr: f64, n_fft: usize, config: &MelConfig) -> Result<MelFilterbank> {
        MelFilterbank::new(sr, n_fft, config.n_mels, config.fmin, config.fmax, config.htk, config.norm)
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.starts.len()
    }

    /// Number of FFT bins expected (`n_fft / 2 + 1`).
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// FFT size in samples.
    pub fn n_fft(&self) -> usize {
        self.n_fft
    }

    /// Centre frequency of each band in Hz (the triangles' peaks).
    pub fn center_frequencies(&self) -> &[f64] {
        &self.vertices[1..self.vertices.len() - 1]
    }

    /// The `n_mels + 2` triangle vertices in Hz (`librosa.mel_frequencies(n_mels + 2, ...)`).
    pub fn band_edges(&self) -> &[f64] {
        &self.vertices
    }

    /// Filter `m`: its first non-zero FFT bin and its non-zero weights (empty for a band
    /// narrower than the FFT resolution). Panics if `m ≥ n_mels`.
    pub fn filter(&self, m: usize) -> (usize, &[f32]) {
        (self.starts[m], &self.weights[self.offsets[m]..self.offsets[m + 1]])
    }

    /// The dense `(n_mels, n_bins)` matrix in row-major order, as librosa returns it.
    pub fn to_dense(&self) -> Vec<f32> {
        let mut out = vec![0.0f32; self.n_mels() * self.n_bins];
        for m in 0..self.n_mels() {
            let (start, w) = self.filter(m);
            out[m * self.n_bins + start..m * self.n_bins + start + w.len()].copy_from_slice(w);
        }
        out
    }

    /// Apply to one frame of `n_bins` values, writing `n_mels` values.
    pub fn apply_frame(&self, frame: &[f32], out: &mut [f32]) {
        for (m, o) in out.iter_mut().enumerate().take(self.n_mels()) {
            let (start, w) = self.filter(m);
            *o = w.iter().zip(&frame[start..start + w.len()]).map(|(a, b)| a * b).sum();
        }
    }

    /// Mel spectrogram of a power (or magnitude) spectrogram: `n_mels` bands per frame, in
    /// the units of the input (`mel_basis @ S`).
    ///
    /// Errors: `spec` does not have `n_fft / 2 + 1` bins.
    pub fn apply(&self, spec: &Spectrogram) -> Result<Spectrogram> {
        ensure_param!(
            spec.n_bins() == self.n_bins,
            "the spectrogram has {} bins but the mel filterbank expects {} (n_fft {})",
            spec.n_bins(),
            self.n_bins,
            self.n_fft
        );
        let n_mels = self.n_mels();
        let mut out = Spectrogram::zeros(n_mels, spec.n_frames());
        out.as_mut_slice()
            .par_chunks_mut(n_mels * FRAMES_PER_TASK)
            .zip(spec.as_slice().par_chunks(self.n_bins * FRAMES_PER_TASK))
            .for_each(|(o, s)| {
                for (of, sf) in o.chunks_exact_mut(n_mels).zip(s.chunks_exact(self.n_bins)) {
                    self.apply_frame(sf, of);
                }
            });
        Ok(out)
    }
}

/// Mel spectrogram of a signal (`librosa.feature.melspectrogram(y=y, sr=sr, power=power, ...)`):
/// `|STFT|^power` through a mel filterbank. `power` 2 (librosa's default) gives power, 1
/// magnitude. For many signals, build the [`Stft`] and [`MelFilterbank`] once instead.
///
/// Errors: invalid STFT or mel parameters, `power ≤ 0`.
pub fn melspectrogram(
    y: &[f32],
    sr: f64,
    stft: &StftConfig,
    mel: &MelConfig,
    power: f32,
) -> Result<Spectrogram> {
    let plan = Stft::new(stft.clone())?;
    let bank = MelFilterbank::from_config(sr, stft.n_fft, mel)?;
    bank.apply(&plan.magnitude_pow(y, power)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_row_sums() {
        let sr = 22050.0;
        let bank = MelFilterbank::new(sr, 2048, 128, 0.0, None, false, MelNorm::Slaney).unwrap();
        assert_eq!((bank.n_mels(), bank.n_bins()), (128, 1025));
        let dense = bank.to_dense();
        let df = sr / 2048.0;
        let edges = bank.band_edges();
        for m in 0..128 {
            let row = &dense[m * 1025..(m + 1) * 1025];
            assert!(row.iter().all(|&w| w >= 0.0));
            // Slaney: the area of each triangle (Σw·Δf) is about 1.
            let area: f64 = row.iter().map(|&w| f64::from(w) * df).sum();
            if edges[m + 2] - edges[m] > 8.0 * df {
                assert!((area - 1.0).abs() < 0.05, "band {m}: area {area}");
            }
        }
        // Unnormalised: peak ≤ 1, and interior bins are covered by two triangles summing to ~1.
        let plain = MelFilterbank::new(sr, 2048, 40, 0.0, None, true, MelNorm::None).unwrap();
        let dense = plain.to_dense();
        assert!(dense.iter().all(|&w| (0.0..=1.0).contains(&w)));
        for k in 100..900 {
            let s: f32 = (0..40).map(|m| dense[m * 1025 + k]).sum();
            assert!((s - 1.0).abs() < 1e-5, "bin {k}: {s}");
        }
    }

    #[test]
    fn sparse_apply_matches_dense() {
        let bank = MelFilterbank::new(16000.0, 512, 40, 50.0, Some(7000.0), false, MelNorm::Slaney).unwrap();
        let dense = bank.to_dense();
        let spec_data: Vec<f32> = (0..257 * 600).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
        let spec = Spectrogram::new(257, 600, spec_data).unwrap();
        let mel = bank.apply(&spec).unwrap();
        assert_eq!((mel.n_bins(), mel.n_frames()), (40, 600));
        for t in [0, 299, 599] {
            for m in 0..40 {
                let want: f32 = (0..257).map(|k| dense[m * 257 + k] * spec.get(k, t)).sum();
                assert!((mel.get(m, t) - want).abs() <= 1e-5 * want.abs().max(1.0));
            }
        }
        let wrong = Spectrogram::new(256, 1, vec![0.0; 256]).unwrap();
        assert!(bank.apply(&wrong).is_err());
    }

    #[test]
    fn absurd_parameters_are_errors() {
        let n = MelNorm::Slaney;
        assert!(MelFilterbank::new(22050.0, 2048, 0, 0.0, None, false, n).is_err());
        assert!(MelFilterbank::new(22050.0, 2048, 128, 0.0, Some(12000.0), false, n).is_err());
        assert!(MelFilterbank::new(22050.0, 2048, 128, -1.0, None, false, n).is_err());
        assert!(MelFilterbank::new(22050.0, 2048, 128, 5000.0, Some(4000.0), false, n).is_err());
        assert!(MelFilterbank::new(0.0, 2048, 128, 0.0, None, false, n).is_err());
        assert!(MelFilterbank::new(f64::NAN, 2048, 128, 0.0, None, false, n).is_err());
        assert!(MelFilterbank::new(22050.0, 1, 128, 0.0, None, false, n).is_err());
        assert!(
            melspectrogram(&[0.0; 100], 22050.0, &StftConfig::default(), &MelConfig::default(), 0.0).is_err()
        );
    }

    #[test]
    fn empty_bands_do_not_panic() {
        // 256 bands on a 64-point FFT: most are narrower than a bin.
        let bank = MelFilterbank::new(8000.0, 64, 256, 0.0, None, false, MelNorm::Slaney).unwrap();
        let spec = Spectrogram::new(33, 2, vec![1.0; 66]).unwrap();
        let mel = bank.apply(&spec).unwrap();
        assert_eq!(mel.n_bins(), 256);
        assert!(mel.as_slice().contains(&0.0));
    }
}
