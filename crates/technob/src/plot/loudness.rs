//! The loudness panel: EBU R128 momentary and short-term loudness over time, the integrated
//! loudness and the target.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colour::{BACKGROUND, FOREGROUND, INTEGRATED, MOMENTARY, SHORT_TERM, TARGET};
use super::{Ctx, chart_on, draw_axes, plot_error, plotting_pixels};
use crate::loudness::LoudnessReport;
use crate::{Error, Result};

/// Points `(time s, LUFS)` of a curve inside the view (plus one on each side, so the line
/// reaches the edges), split where the loudness is −inf. A value is drawn at the end of the
/// block it was measured after (as a meter shows it).
fn runs(curve: &[Option<f64>], step_s: f64, t0: f64, t1: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for (i, v) in curve.iter().enumerate() {
        let t = (i + 1) as f64 * step_s;
        if t < t0 - step_s || t > t1 + step_s {
            continue;
        }
        match v {
            Some(l) => runs.last_mut().into_iter().for_each(|r| r.push((t.clamp(t0, t1), *l))),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The y range (top, bottom) in LUFS: the visible curves, the integrated loudness and the
/// target, with some room, on multiples of 3 LU; at most 60 LU below the loudest value.
pub(super) fn lufs_range(report: &LoudnessReport, target: f64, step_s: f64, t0: f64, t1: f64) -> (f64, f64) {
    let mut values: Vec<f64> = [&report.momentary_lufs, &report.short_term_lufs]
        .into_iter()
        .flat_map(|c| runs(c, step_s, t0, t1).into_iter().flatten().map(|p| p.1))
        .collect();
    values.push(target);
    values.extend(report.integrated_lufs);
    let hi = values.iter().fold(f64::MIN, |a, &b| a.max(b));
    let lo = values.iter().fold(f64::MAX, |a, &b| a.min(b)).max(hi - 60.0);
    let top = ((hi + 2.0) / 3.0).ceil() * 3.0;
    let bottom = ((lo - 2.0) / 3.0).floor() * 3.0;
    (top, bottom.min(top - 6.0))
}

/// Draw the loudness panel; returns its plotting area and y range (top, bottom) in LUFS.
pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<(DrawingArea<DB, Shift>, (f64, f64))> {
    let report =
        ctx.loudness.as_ref().ok_or_else(|| Error::Output("internal: loudness not measured".into()))?;
    let step_s = (crate::loudness::CURVE_STEP_S * ctx.sr).round().max(1.0) / ctx.sr;
    let target = ctx.options.target_lufs;
    let (top, bottom) = lufs_range(report, target, step_s, ctx.t0, ctx.t1);
    let mut chart = chart_on(area, ctx, bottom..top, last)?;
    draw_axes(&mut chart, last, "loudness (LUFS)", 6, &|v| format!("{v:.0}"), true)?;
    let (t0, t1) = (ctx.t0, ctx.t1);
    for (i, run) in runs(&report.momentary_lufs, step_s, t0, t1).into_iter().enumerate() {
        let series = chart
            .draw_series(LineSeries::new(run, MOMENTARY.mix(0.8).stroke_width(1)))
            .map_err(plot_error)?;
        if i == 0 {
            series.label("momentary").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], MOMENTARY));
        }
    }
    for (i, run) in runs(&report.short_term_lufs, step_s, t0, t1).into_iter().enumerate() {
        let series =
            chart.draw_series(LineSeries::new(run, SHORT_TERM.stroke_width(2))).map_err(plot_error)?;
        if i == 0 {
            series
                .label("short-term")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], SHORT_TERM.stroke_width(2)));
        }
    }
    if let Some(integrated) = report.integrated_lufs {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(t0, integrated), (t1, integrated)],
                8,
                5,
                INTEGRATED.into(),
            ))
            .map_err(plot_error)?
            .label(format!("integrated {integrated:.1} LUFS"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], INTEGRATED));
    }
    chart
        .draw_series(LineSeries::new(vec![(t0, target), (t1, target)], TARGET.stroke_width(2)))
        .map_err(plot_error)?
        .label(format!("target {target:.1} LUFS"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], TARGET.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(BACKGROUND.mix(0.8))
        .border_style(FOREGROUND.mix(0.5))
        .label_font(("sans-serif", 12).into_font().color(&FOREGROUND))
        .draw()
        .map_err(plot_error)?;
    Ok((plotting_pixels(&chart), (top, bottom)))
}
