//! Analysis windows, as `scipy.signal.get_window` makes them (the windows librosa uses).
//!
//! Windows are *periodic* by default (scipy's `fftbins=True`, librosa's choice for the STFT):
//! a periodic window of length `N` is the symmetric window of length `N + 1` without its last
//! sample. [`pad_center`] centres a short window in an FFT frame (`librosa.util.pad_center`).
//! Coefficients are computed in `f64` and rounded once to `f32`.

use crate::{Result, ensure_param};

/// A window function (dimensionless coefficients, peak 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Window {
    /// Rectangular window (scipy `boxcar`): all ones.
    Rectangular,
    /// Hann window, `0.5 − 0.5 cos(2πn/N)` (scipy `hann`; librosa's default).
    #[default]
    Hann,
    /// Hamming window, `0.54 − 0.46 cos(2πn/N)` (scipy `hamming`).
    Hamming,
    /// Blackman window, `0.42 − 0.5 cos(2πn/N) + 0.08 cos(4πn/N)` (scipy `blackman`).
    Blackman,
    /// 4-term Blackman–Harris window (scipy `blackmanharris`; Harris 1978, minimum 4-term).
    BlackmanHarris,
    /// Kaiser window with shape parameter `beta ≥ 0` (scipy `('kaiser', beta)`).
    Kaiser {
        /// Shape parameter β (0 gives a rectangular window; 8.6 is close to Blackman).
        beta: f64,
    },
    /// User-supplied coefficients; their count must equal the window length asked for.
    Custom(Vec<f32>),
}

impl Window {
    /// The periodic window of `len` samples (scipy `get_window(..., fftbins=True)`).
    ///
    /// Errors: `len == 0`, a negative or non-finite Kaiser β, or a custom window whose length
    /// is not `len`.
    pub fn periodic(&self, len: usize) -> Result<Vec<f32>> {
        Ok(to_f32(&self.coefficients_f64(len, true)?))
    }

    /// The symmetric window of `len` samples (scipy `get_window(..., fftbins=False)`), for
    /// filter design. Custom windows are returned as given.
    pub fn symmetric(&self, len: usize) -> Result<Vec<f32>> {
        Ok(to_f32(&self.coefficients_f64(len, false)?))
    }

    /// The periodic window of `win_length` samples, zero-padded on both sides to `n_fft`
    /// samples as librosa's STFT does (`pad_center(get_window(window, win_length), n_fft)`).
    pub fn padded(&self, win_length: usize, n_fft: usize) -> Result<Vec<f32>> {
        ensure_param!(win_length <= n_fft, "window length {win_length} is larger than the FFT size {n_fft}");
        pad_center(&self.periodic(win_length)?, n_fft)
    }

    /// Coefficients in `f64` (periodic or symmetric).
    pub(crate) fn coefficients_f64(&self, len: usize, periodic: bool) -> Result<Vec<f64>> {
        ensure_param!(len >= 1, "a window needs at least 1 sample");
        if let Window::Custom(w) = self {
            ensure_param!(w.len() == len, "the custom window has {} samples but {len} are needed", w.len());
            return Ok(w.iter().map(|&x| f64::from(x)).collect());
        }
        if let Window::Kaiser { beta } = self {
            ensure_param!(
                beta.is_finite() && *beta >= 0.0,
                "Kaiser beta must be finite and >= 0, got {beta}"
            );
        }
        // scipy returns a single 1 for every window of length 1.
        if len == 1 {
            return Ok(vec![1.0]);
        }
        // A periodic window is the symmetric window one sample longer, truncated.
        let m = if periodic { len + 1 } else { len };
        let mut w = match self {
            Window::Rectangular => vec![1.0; m],
            Window::Hann => cosine_sum(m, &[0.5, 0.5]),
            Window::Hamming => cosine_sum(m, &[0.54, 0.46]),
            Window::Blackman => cosine_sum(m, &[0.42, 0.5, 0.08]),
            Window::BlackmanHarris => cosine_sum(m, &[0.35875, 0.48829, 0.14128, 0.01168]),
            Window::Kaiser { beta } => kaiser(m, *beta),
            Window::Custom(_) => unreachable!("handled above"),
        };
        w.truncate(len);
        Ok(w)
    }
}

/// Centre `data` in a buffer of `size` zeros (`librosa.util.pad_center`): the left padding is
/// `(size − len) / 2` (rounded down), the rest goes to the right.
///
/// Errors when `data` is longer than `size`.
pub fn pad_center(data: &[f32], size: usize) -> Result<Vec<f32>> {
    ensure_param!(data.len() <= size, "cannot pad {} samples to a length of {size}", data.len());
    let left = (size - data.len()) / 2;
    let mut out = vec![0.0f32; size];
    out[left..left + data.len()].copy_from_slice(data);
    Ok(out)
}

fn to_f32(w: &[f64]) -> Vec<f32> {
    w.iter().map(|&x| x as f32).collect()
}

/// Symmetric generalised cosine window of `m ≥ 2` samples:
/// `Σ_k (−1)^k a_k cos(2πkn/(m−1))`.
fn cosine_sum(m: usize, a: &[f64]) -> Vec<f64> {
    let denom = (m - 1) as f64;
    (0..m)
        .map(|n| {
            let phase = 2.0 * std::f64::consts::PI * n as f64 / denom;
            a.iter()
                .enumerate()
                .map(|(k, &ak)| {
                    let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
                    sign * ak * (k as f64 * phase).cos()
                })
                .sum()
        })
        .collect()
}

/// Symmetric Kaiser window of `m ≥ 2` samples: `I0(β √(1 − (2n/(m−1) − 1)²)) / I0(β)`.
fn kaiser(m: usize, beta: f64) -> Vec<f64> {
    let alpha = (m - 1) as f64 / 2.0;
    let denom = bessel_i0(beta);
    (0..m)
        .map(|n| {
            let r = (n as f64 - alpha) / alpha;
            bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / denom
        })
        .collect()
}

/// Modified Bessel function of the first kind, order 0, by its power series
/// `Σ ((x/2)^k / k!)²` (accurate to rounding for the β of practical windows, |x| < 700).
pub(crate) fn bessel_i0(x: f64) -> f64 {
    let half = x / 2.0;
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    let mut k = 1.0f64;
    loop {
        term *= half / k;
        let t2 = term * term;
        sum += t2;
        if t2 <= sum * 1e-17 || k > 1000.0 {
            return sum;
        }
        k += 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hann_periodic_values() {
        let w = Window::Hann.periodic(4).unwrap();
        let want = [0.0, 0.5, 1.0, 0.5];
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{w:?}");
        }
        let s = Window::Hann.symmetric(5).unwrap();
        for (a, b) in s.iter().zip([0.0, 0.5, 1.0, 0.5, 0.0]) {
            assert!((a - b).abs() < 1e-7, "{s:?}");
        }
    }

    #[test]
    fn length_one_is_one() {
        for w in [Window::Hann, Window::Hamming, Window::Blackman, Window::Kaiser { beta: 4.0 }] {
            assert_eq!(w.periodic(1).unwrap(), vec![1.0]);
        }
    }

    #[test]
    fn kaiser_matches_scipy() {
        // scipy.signal.get_window(('kaiser', 4.0), 4)
        let want: [f32; 4] = [0.08848053, 0.6334318, 1.0, 0.6334318];
        let w = Window::Kaiser { beta: 4.0 }.periodic(4).unwrap();
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{w:?}");
        }
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_i0(1.0) - 1.2660658777520082).abs() < 1e-14);
    }

    #[test]
    fn pad_center_layout() {
        assert_eq!(pad_center(&[1.0, 2.0, 3.0], 6).unwrap(), vec![0.0, 1.0, 2.0, 3.0, 0.0, 0.0]);
        assert!(pad_center(&[1.0; 4], 3).is_err());
        let p = Window::Rectangular.padded(2, 5).unwrap();
        assert_eq!(p, vec![0.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_parameters() {
        assert!(Window::Hann.periodic(0).is_err());
        assert!(Window::Kaiser { beta: -1.0 }.periodic(8).is_err());
        assert!(Window::Kaiser { beta: f64::NAN }.periodic(8).is_err());
        assert!(Window::Custom(vec![1.0; 3]).periodic(4).is_err());
        assert!(Window::Hann.padded(8, 4).is_err());
    }
}
