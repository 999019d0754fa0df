//! Summaries of a descriptor over a track: mean, standard deviation, extremes and the 10th,
//! 50th and 90th percentiles.

use serde::{Deserialize, Serialize};

/// Statistics of one descriptor over the frames of a track.
///
/// `std` is the population standard deviation (`numpy.std`, ddof 0); the percentiles use
/// numpy's default `linear` definition: the value at fractional rank `p/100 · (n − 1)` of the
/// sorted values, interpolated between its two neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Arithmetic mean.
    pub mean: f64,
    /// Population standard deviation.
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

impl Summary {
    /// Summary of `values`, NaNs ignored; `None` when no value is left.
    pub fn of<I: IntoIterator<Item = f64>>(values: I) -> Option<Summary> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        Self::of_vec(&mut v)
    }

    /// As [`Summary::of`] on NaN-free `v`, reordering it (order statistics by selection).
    pub(crate) fn of_vec(v: &mut [f64]) -> Option<Summary> {
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let std = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Summary {
            mean,
            std,
            min,
            max,
            p10: percentile(v, 10.0),
            p50: percentile(v, 50.0),
            p90: percentile(v, 90.0),
        })
    }
}

/// Percentile `p` (0–100) of non-empty, NaN-free `v` with numpy's linear interpolation; `v` is
/// reordered (two order statistics found by selection, no full sort).
pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    let pos = (p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let b = if pos > lo as f64 { rest.iter().copied().fold(f64::INFINITY, f64::min) } else { a };
    a + (b - a) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_linear_percentiles() {
        // numpy.percentile([1, 2, 3, 4, 10], [10, 50, 90]) = [1.4, 3.0, 7.6]
        let s = Summary::of([4.0, 1.0, 10.0, 3.0, 2.0]).unwrap();
        assert!((s.p10 - 1.4).abs() < 1e-12 && (s.p50 - 3.0).abs() < 1e-12 && (s.p90 - 7.6).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.mean), (1.0, 10.0, 4.0));
        // numpy.std([1, 2, 3, 4, 10]) = sqrt(10)
        assert!((s.std - 10f64.sqrt()).abs() < 1e-12);
        assert!(Summary::of([f64::NAN]).is_none());
        assert_eq!(Summary::of([f64::NAN, 2.0]).unwrap().p90, 2.0);
    }
}
