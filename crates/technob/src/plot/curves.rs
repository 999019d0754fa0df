//! The curves panel: each caller-given feature curve in its own small panel, its y axis fitted
//! to the values inside the view.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colour::palette;
use super::{Ctx, Curve, chart_on, draw_axes, plot_error, plotting_pixels};
use crate::{Result, ensure_param};

/// Check a curve: as many times as values, times finite and non-decreasing.
pub(super) fn validate(curve: &Curve) -> Result<()> {
    ensure_param!(
        curve.times_s.len() == curve.values.len(),
        "curve '{}' has {} times but {} values",
        curve.label,
        curve.times_s.len(),
        curve.values.len()
    );
    ensure_param!(
        curve.times_s.iter().all(|t| t.is_finite()) && curve.times_s.windows(2).all(|w| w[0] <= w[1]),
        "curve '{}' has non-finite or decreasing times",
        curve.label
    );
    Ok(())
}

/// The curve's points inside the view (plus one on each side), split at non-finite values.
fn runs(curve: &Curve, t0: f64, t1: f64) -> Vec<Vec<(f64, f64)>> {
    let first = curve.times_s.partition_point(|&t| t < t0).saturating_sub(1);
    let end = (curve.times_s.partition_point(|&t| t <= t1) + 1).min(curve.times_s.len());
    let mut runs = vec![Vec::new()];
    for i in first..end {
        let (t, v) = (curve.times_s[i], curve.values[i]);
        if v.is_finite() {
            runs.last_mut().into_iter().for_each(|r| r.push((t.clamp(t0, t1), v)));
        } else {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// Compact label of an axis value.
fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(0.01..10_000.0).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Draw curve `k`; returns its plotting area and y range (top, bottom).
pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    k: usize,
    last: bool,
) -> Result<(DrawingArea<DB, Shift>, (f64, f64))> {
    let curve = &ctx.options.curves[k];
    let runs = runs(curve, ctx.t0, ctx.t1);
    let (lo, hi) = runs.iter().flatten().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let (bottom, top) = if lo > hi {
        (0.0, 1.0)
    } else if hi - lo <= 1e-12 * hi.abs().max(1.0) {
        (lo - 1.0, hi + 1.0)
    } else {
        let pad = 0.08 * (hi - lo);
        (lo - pad, hi + pad)
    };
    let mut chart = chart_on(area, ctx, bottom..top, last)?;
    let desc =
        if curve.unit.is_empty() { curve.label.clone() } else { format!("{} ({})", curve.label, curve.unit) };
    draw_axes(&mut chart, last, &desc, 3, &|v| short(*v), true)?;
    let colour = palette(k);
    for run in runs {
        chart.draw_series(LineSeries::new(run, colour.stroke_width(2))).map_err(plot_error)?;
    }
    Ok((plotting_pixels(&chart), (top, bottom)))
}
