//! Analysis windows, periodic as `scipy.signal.get_window(name, n, fftbins=True)`.

use crate::{Result, ensure_param};

/// Window functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Window {
    /// Hann (raised cosine), librosa's default.
    #[default]
    Hann,
    /// Hamming (0.54 − 0.46 cos).
    Hamming,
    /// Blackman (0.42 − 0.5 cos + 0.08 cos 2x).
    Blackman,
    /// Rectangular (no window).
    Rectangular,
}

/// The periodic window of `len` samples, zero-padded centrally to `n_fft` samples when
/// `len < n_fft` (librosa's `util.pad_center`). Computed in `f64`, returned as `f32`.
pub fn window(kind: Window, len: usize, n_fft: usize) -> Result<Vec<f32>> {
    ensure_param!(len >= 1, "window length 0");
    ensure_param!(len <= n_fft, "window length {len} exceeds n_fft {n_fft}");
    let n = len as f64;
    let value = |i: usize| -> f64 {
        let x = std::f64::consts::TAU * i as f64 / n;
        match kind {
            Window::Hann => 0.5 - 0.5 * x.cos(),
            Window::Hamming => 0.54 - 0.46 * x.cos(),
            Window::Blackman => 0.42 - 0.5 * x.cos() + 0.08 * (2.0 * x).cos(),
            Window::Rectangular => 1.0,
        }
    };
    let mut out = vec![0f32; n_fft];
    let lpad = (n_fft - len) / 2;
    for i in 0..len {
        out[lpad + i] = value(i) as f32;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_hann_and_padding() {
        let w = window(Window::Hann, 4, 4).unwrap();
        assert_eq!(w, vec![0.0, 0.5, 1.0, 0.5]);
        let w = window(Window::Hann, 4, 8).unwrap();
        assert_eq!(w, vec![0.0, 0.0, 0.0, 0.5, 1.0, 0.5, 0.0, 0.0]);
        let b = window(Window::Blackman, 8, 8).unwrap();
        assert!(b[0].abs() < 1e-7 && (b[4] - 1.0).abs() < 1e-6);
        assert!(window(Window::Hann, 0, 8).is_err());
        assert!(window(Window::Hann, 9, 8).is_err());
    }
}
