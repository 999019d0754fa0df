//! Delta features (`librosa.feature.delta`): a local derivative along time by
//! Savitzky–Golay filtering (Savitzky & Golay 1964), as `scipy.signal.savgol_filter(data,
//! width, deriv=order, polyorder=order, mode="interp")`.
//!
//! With `polyorder = deriv = order`, the least-squares polynomial's `order`-th derivative is
//! constant over the window, so each output is one dot product with fixed coefficients:
//! order 1, `Σ k·x[t+k] / Σ k²`; order 2, `2 Σ (k² − m₂)·x[t+k] / Σ (k² − m₂)²` with
//! `m₂ = mean(k²)`, for `k = −w/2..w/2`. Mode `interp` fits one polynomial to the first (last)
//! `width` frames for the frames closer than `width / 2` to an edge; its derivative being
//! constant, they take the value of the first (last) full window.

use crate::{Result, ensure_param};

/// librosa's default delta window, frames.
pub const DELTA_WIDTH: usize = 9;

/// Savitzky–Golay coefficients for the `order`-th derivative (1 or 2) over an odd `width`.
fn coefficients(width: usize, order: usize) -> Vec<f64> {
    let half = (width / 2) as f64;
    let ks: Vec<f64> = (0..width).map(|i| i as f64 - half).collect();
    if order == 1 {
        let norm: f64 = ks.iter().map(|k| k * k).sum();
        ks.iter().map(|k| k / norm).collect()
    } else {
        let m2 = ks.iter().map(|k| k * k).sum::<f64>() / width as f64;
        let norm: f64 = ks.iter().map(|k| (k * k - m2).powi(2)).sum();
        ks.iter().map(|k| 2.0 * (k * k - m2) / norm).collect()
    }
}

/// Delta of order 1 or 2 of `n_series` interleaved series: `data` is frame-major with
/// `stride` values per frame, series `j` at column `offset + j`; the result goes to column
/// `out_offset + j` of `out` (same layout). Fewer frames than `width` shrink the window to the
/// largest odd length available (librosa refuses them); under 3 frames the deltas are 0.
///
/// Errors: `order` not 1 or 2, `width` even or below 3.
pub(crate) fn delta_columns(
    data: &mut [f32],
    stride: usize,
    offset: usize,
    n_series: usize,
    out_offset: usize,
    width: usize,
    order: usize,
) -> Result<()> {
    ensure_param!(order == 1 || order == 2, "delta order must be 1 or 2, got {order}");
    ensure_param!(width >= 3 && width % 2 == 1, "the delta width must be odd and >= 3, got {width}");
    let n_frames = data.len() / stride;
    let width = if n_frames >= width {
        width
    } else if n_frames % 2 == 1 {
        n_frames
    } else {
        n_frames - 1
    };
    if n_frames < 3 || width < 3 {
        for t in 0..n_frames {
            data[t * stride + out_offset..t * stride + out_offset + n_series].fill(0.0);
        }
        return Ok(());
    }
    let c = coefficients(width, order);
    let half = width / 2;
    let mut out = vec![0.0f32; n_frames * n_series];
    for t in 0..n_frames {
        let centre = t.clamp(half, n_frames - 1 - half);
        for j in 0..n_series {
            let v: f64 = c
                .iter()
                .enumerate()
                .map(|(i, w)| w * f64::from(data[(centre + i - half) * stride + offset + j]))
                .sum();
            out[t * n_series + j] = v as f32;
        }
    }
    for t in 0..n_frames {
        data[t * stride + out_offset..t * stride + out_offset + n_series]
            .copy_from_slice(&out[t * n_series..(t + 1) * n_series]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_of_polynomials() {
        // x(t) = 3t² + 2t: first derivative 6t + 2, second 6 (exact for a quadratic fit).
        let n = 20;
        let mut d: Vec<f32> = Vec::new();
        for t in 0..n {
            let t = t as f32;
            d.extend([3.0 * t * t + 2.0 * t, 0.0, 0.0]);
        }
        delta_columns(&mut d, 3, 0, 1, 2, 9, 2).unwrap();
        delta_columns(&mut d, 3, 0, 1, 1, 9, 1).unwrap();
        for t in 4..n - 4 {
            assert!((d[t * 3 + 1] - (6.0 * t as f32 + 2.0)).abs() < 1e-3, "{t}");
            assert!((d[t * 3 + 2] - 6.0).abs() < 1e-3, "{t}");
        }
        // Edges take the first and last full window's value.
        assert_eq!(d[1], d[4 * 3 + 1]);
        assert_eq!(d[(n - 1) * 3 + 1], d[(n - 5) * 3 + 1]);
    }

    #[test]
    fn short_inputs_and_bad_parameters() {
        let mut d = vec![1.0f32, 0.0, 2.0, 0.0];
        delta_columns(&mut d, 2, 0, 1, 1, 9, 1).unwrap();
        assert_eq!(d, vec![1.0, 0.0, 2.0, 0.0]);
        assert!(delta_columns(&mut d, 2, 0, 1, 1, 8, 1).is_err());
        assert!(delta_columns(&mut d, 2, 0, 1, 1, 9, 3).is_err());
    }
}
