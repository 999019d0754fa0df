//! Time maps: where each moment of the input lands in the output.
//!
//! A [`TimeMap`] is a piecewise-linear, strictly increasing map from input sample positions to
//! output sample positions, from `(0, 0)` to `(n_in, n_out)`. A constant stretch is a single
//! segment; quantizing a track is one segment per beat; transient locking inserts short
//! segments of slope 1 around each detected transient. The phase vocoder reads the map
//! backwards: output frame `k` (at `k · hop`) analyses the input at `map.input_at(k · hop)`.

use crate::{Result, ensure_param};

/// A piecewise-linear, strictly increasing map from input to output sample positions.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeMap {
    /// Anchor points `(input, output)` in samples, strictly increasing in both coordinates,
    /// starting at `(0, 0)` and ending at `(n_in, n_out)`.
    points: Vec<(f64, f64)>,
}

impl TimeMap {
    /// The constant stretch of `n_in` samples to `round(n_in × ratio)`.
    pub fn linear(n_in: usize, ratio: f64) -> Result<TimeMap> {
        ensure_param!(ratio.is_finite() && ratio > 0.0, "the stretch ratio must be positive, got {ratio}");
        let n_out = (n_in as f64 * ratio).round();
        TimeMap::from_anchors(&[(0.0, 0.0), (n_in as f64, n_out)])
    }

    /// A map through the given `(input, output)` anchors in samples. The first anchor must be
    /// `(0, 0)`-based: anchors not starting at zero get a first segment with the slope of the
    /// following one (and likewise the map is extended with the slope of its last segment only
    /// by [`TimeMap::extended_to`]).
    ///
    /// Errors: fewer than two anchors, non-finite values, or anchors not strictly increasing in
    /// both coordinates.
    pub fn from_anchors(anchors: &[(f64, f64)]) -> Result<TimeMap> {
        ensure_param!(anchors.len() >= 2, "a time map needs at least two anchors, got {}", anchors.len());
        for w in anchors.windows(2) {
            let ((a0, b0), (a1, b1)) = (w[0], w[1]);
            ensure_param!(
                a0.is_finite() && b0.is_finite() && a1.is_finite() && b1.is_finite(),
                "time map anchors must be finite"
            );
            ensure_param!(
                a1 > a0 && b1 > b0,
                "time map anchors must increase in input and output: ({a0}, {b0}) then ({a1}, {b1})"
            );
        }
        Ok(TimeMap { points: anchors.to_vec() })
    }

    /// The anchors `(input, output)` in samples.
    pub fn anchors(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// Input length covered, in samples (the last anchor's input position).
    pub fn input_len(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// Output length in samples (the last anchor's output position).
    pub fn output_len(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.1)
    }

    /// Where input position `input` (samples) lands in the output; the end segments are
    /// extended linearly beyond the anchors.
    pub fn output_at(&self, input: f64) -> f64 {
        interpolate(&self.points, input, |p| p.0, |p| p.1)
    }

    /// Which input position (samples) output position `output` reads; the inverse of
    /// [`TimeMap::output_at`].
    pub fn input_at(&self, output: f64) -> f64 {
        interpolate(&self.points, output, |p| p.1, |p| p.0)
    }

    /// Local stretch (output / input duration) of the segment holding input position `input`.
    pub fn slope_at(&self, input: f64) -> f64 {
        let i = segment(&self.points, input, |p| p.0);
        let ((a0, b0), (a1, b1)) = (self.points[i], self.points[i + 1]);
        (b1 - b0) / (a1 - a0)
    }

    /// The same map followed by the input `n_in` and output `n_out` ends: anchors outside
    /// `(0, 0)–(n_in, n_out)` are dropped, and the ends are added (extending the outer
    /// segments' slopes where an end is missing).
    pub fn extended_to(&self, n_in: f64, n_out: f64) -> Result<TimeMap> {
        let mut points: Vec<(f64, f64)> = self
            .points
            .iter()
            .copied()
            .filter(|&(a, b)| a > 0.0 && b > 0.0 && a < n_in && b < n_out)
            .collect();
        points.insert(0, (0.0, 0.0));
        points.push((n_in, n_out));
        TimeMap::from_anchors(&points)
    }
}

/// Index of the segment `[i, i + 1]` whose `key` range holds `x` (clamped to the ends).
fn segment(points: &[(f64, f64)], x: f64, key: impl Fn(&(f64, f64)) -> f64) -> usize {
    let upper = points.partition_point(|p| key(p) <= x);
    upper.clamp(1, points.len() - 1) - 1
}

fn interpolate(
    points: &[(f64, f64)],
    x: f64,
    from: impl Fn(&(f64, f64)) -> f64,
    to: impl Fn(&(f64, f64)) -> f64,
) -> f64 {
    let i = segment(points, x, &from);
    let (p, q) = (&points[i], &points[i + 1]);
    let t = (x - from(p)) / (from(q) - from(p));
    to(p) + t * (to(q) - to(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_map_and_its_inverse() {
        let map = TimeMap::linear(1000, 1.5).unwrap();
        assert_eq!(map.output_len(), 1500.0);
        assert_eq!(map.output_at(100.0), 150.0);
        assert_eq!(map.input_at(150.0), 100.0);
        assert_eq!(map.slope_at(999.0), 1.5);
    }

    #[test]
    fn piecewise_map_interpolates_and_extrapolates() {
        let map = TimeMap::from_anchors(&[(0.0, 0.0), (100.0, 200.0), (300.0, 300.0)]).unwrap();
        assert_eq!(map.output_at(50.0), 100.0);
        assert_eq!(map.output_at(200.0), 250.0);
        assert_eq!(map.input_at(250.0), 200.0);
        assert_eq!(map.output_at(400.0), 350.0);
        assert_eq!(map.output_at(-10.0), -20.0);
        assert_eq!(map.slope_at(150.0), 0.5);
    }

    #[test]
    fn bad_anchors_are_refused() {
        assert!(TimeMap::from_anchors(&[(0.0, 0.0)]).is_err());
        assert!(TimeMap::from_anchors(&[(0.0, 0.0), (10.0, 0.0)]).is_err());
        assert!(TimeMap::from_anchors(&[(0.0, 0.0), (f64::NAN, 1.0)]).is_err());
        assert!(TimeMap::linear(10, -1.0).is_err());
    }
}
