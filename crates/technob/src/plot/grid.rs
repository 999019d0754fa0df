//! The beat-grid panel: how far each tracked beat lies from the track's constant DJ grid.
//!
//! The grid is the one a DJ program stores and [`crate::rhythm::Rhythm::grid`] reports: a
//! constant BPM and the time of its first beat, fitted to the beats by
//! [`crate::rhythm::grid::fit_grid`] (a Theil–Sen-style robust line of beat time on beat
//! index). A beat's offset is its distance to the nearest grid line, in milliseconds, positive
//! when the beat comes late. A track whose tempo drifts (a live or analogue recording) draws a
//! swinging curve; a quantized track a flat line on zero.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colour::{BACKGROUND, DOWNBEAT, FOREGROUND, WAVE};
use super::{Ctx, KeyAxis, chart_on, draw_axes, plot_error, plotting_pixels};
use crate::Result;
use crate::rhythm::Beat;
use crate::rhythm::grid::fit_grid;

/// Smallest half-height of the y axis, ms: a tight grid still looks tight.
pub(super) const MIN_RANGE_MS: f64 = 20.0;
/// A beat is drawn as a downbeat when a downbeat lies this close to it, seconds.
const SAME_BEAT_S: f64 = 1e-3;
/// Dots are drawn only when the beats are at least this far apart, pixels.
const MIN_DOT_SPACING_PX: f64 = 4.0;

/// The beats' offsets from their constant grid.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct GridDeviation {
    /// Grid tempo, BPM (rounded to 0.01 as [`crate::rhythm::GridFit::bpm`]).
    pub bpm: f64,
    /// Time of the grid line at the first beat, seconds.
    pub first_beat_s: f64,
    /// Per beat, in time order: (time s, offset from the nearest grid line ms, is a downbeat).
    pub points: Vec<(f64, f64, bool)>,
}

impl GridDeviation {
    /// The grid of `beats` (seconds) and each beat's offset from it; `downbeats` mark beats.
    /// `None` when there is no grid to draw: fewer than two beats, or beat times that are not
    /// finite and non-decreasing.
    pub(super) fn new(beats: &[f64], downbeats: &[f64]) -> Option<GridDeviation> {
        if beats.len() < 2 || beats.iter().any(|t| !t.is_finite()) || beats.windows(2).any(|w| w[1] < w[0]) {
            return None;
        }
        let mut downs: Vec<f64> = downbeats.iter().copied().filter(|t| t.is_finite()).collect();
        downs.sort_by(f64::total_cmp);
        let is_down = |t: f64| {
            let i = downs.partition_point(|&d| d < t - SAME_BEAT_S);
            downs.get(i).is_some_and(|&d| d <= t + SAME_BEAT_S)
        };
        let tracked: Vec<Beat> =
            beats.iter().map(|&t| Beat { time_s: t, position: if is_down(t) { 1 } else { 2 } }).collect();
        let fit = fit_grid(&tracked)?;
        let period = 60.0 / fit.bpm;
        let points = tracked
            .iter()
            .map(|b| {
                let k = ((b.time_s - fit.first_beat_s) / period).round();
                let offset = b.time_s - fit.first_beat_s - k * period;
                (b.time_s, offset * 1e3, b.position == 1)
            })
            .collect();
        Some(GridDeviation { bpm: fit.bpm, first_beat_s: fit.first_beat_s, points })
    }

    /// The points with `t0 <= time <= t1`.
    pub(super) fn visible(&self, t0: f64, t1: f64) -> &[(f64, f64, bool)] {
        let a = self.points.partition_point(|p| p.0 < t0);
        let b = self.points.partition_point(|p| p.0 <= t1);
        &self.points[a..b.max(a)]
    }

    /// The line through the offsets over `t0..=t1`, cut at the view's edges (the segments
    /// to the beats just outside are interpolated, not clamped).
    fn line(&self, t0: f64, t1: f64) -> Vec<(f64, f64)> {
        let a = self.points.partition_point(|p| p.0 < t0);
        let b = self.points.partition_point(|p| p.0 <= t1);
        let mut line: Vec<(f64, f64)> = self.points[a..b.max(a)].iter().map(|p| (p.0, p.1)).collect();
        let edge = |p: (f64, f64, bool), q: (f64, f64, bool), t: f64| {
            let f = if q.0 > p.0 { (t - p.0) / (q.0 - p.0) } else { 0.0 };
            (t, p.1 + f * (q.1 - p.1))
        };
        if a > 0 && a < self.points.len() {
            line.insert(0, edge(self.points[a - 1], self.points[a], t0));
        }
        if b > 0 && b < self.points.len() {
            line.push(edge(self.points[b - 1], self.points[b], t1));
        }
        line
    }
}

/// Median and largest |offset| (ms) of `points` (zeros when empty).
pub(super) fn offset_stats(points: &[(f64, f64, bool)]) -> (f64, f64) {
    let mut abs: Vec<f64> = points.iter().map(|p| p.1.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let n = abs.len();
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => abs[n / 2],
        _ => 0.5 * (abs[n / 2 - 1] + abs[n / 2]),
    };
    (median, abs.last().copied().unwrap_or(0.0))
}

/// Half-height of the symmetric y axis for a largest |offset| of `max_ms`: some room above
/// it, on a multiple of 10 ms, at least [`MIN_RANGE_MS`].
pub(super) fn y_limit(max_ms: f64) -> f64 {
    if !max_ms.is_finite() {
        return MIN_RANGE_MS;
    }
    (((max_ms * 1.15) / 10.0).ceil() * 10.0).max(MIN_RANGE_MS)
}

/// Ticks of the y axis for a half-height of `lim` ms: multiples of a step of 1, 2 or 5 × 10^k
/// ms (about a third of `lim`), strictly inside the axis so they never meet the labels of the
/// panels above and below.
pub(super) fn y_ticks(lim: f64) -> Vec<f64> {
    let rough = (lim / 3.0).max(1e-3);
    let decade = 10f64.powf(rough.log10().floor());
    let step =
        [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * decade).find(|&s| s >= rough).unwrap_or(10.0 * decade);
    let n = ((lim - 0.2 * step) / step).floor() as i64;
    (-n..=n).map(|k| k as f64 * step).collect()
}

/// Draw the grid panel; returns its plotting area and y range (top, bottom) in ms.
pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<(DrawingArea<DB, Shift>, (f64, f64))> {
    let (t0, t1) = (ctx.t0, ctx.t1);
    let deviation = GridDeviation::new(&ctx.options.beats, &ctx.options.downbeats);
    let visible = deviation.as_ref().map_or(&[][..], |d| d.visible(t0, t1));
    let (median, max) = offset_stats(visible);
    let lim = y_limit(max);
    let mut chart = chart_on(area, ctx, KeyAxis::new(-lim, lim, y_ticks(lim)), last)?;
    draw_axes(&mut chart, last, "off grid (ms)", 5, &|v| format!("{v:.0}"), true)?;
    chart
        .draw_series(LineSeries::new(vec![(t0, 0.0), (t1, 0.0)], FOREGROUND.mix(0.6).stroke_width(1)))
        .map_err(plot_error)?;
    let label = match &deviation {
        None => "no beats: no grid to compare with".to_string(),
        Some(d) if visible.is_empty() => format!("grid {:.2} BPM · no beats in view", d.bpm),
        Some(d) => format!(
            "grid {:.2} BPM · |offset| median {median:.1} ms, max {max:.1} ms ({} beats)",
            d.bpm,
            visible.len()
        ),
    };
    if let Some(d) = &deviation {
        let line = d.line(t0, t1);
        chart.draw_series(LineSeries::new(line, WAVE.mix(0.55).stroke_width(1))).map_err(plot_error)?;
        let (w, _) = chart.plotting_area().dim_in_pixel();
        let px_per_s = f64::from(w.max(1)) / (t1 - t0);
        let spacing = |pts: &mut dyn Iterator<Item = f64>| {
            let times: Vec<f64> = pts.collect();
            times.windows(2).map(|p| p[1] - p[0]).fold(f64::INFINITY, f64::min) * px_per_s
        };
        if spacing(&mut visible.iter().map(|p| p.0)) >= MIN_DOT_SPACING_PX {
            chart
                .draw_series(visible.iter().map(|p| Circle::new((p.0, p.1), 2, WAVE.filled())))
                .map_err(plot_error)?;
        }
        if spacing(&mut visible.iter().filter(|p| p.2).map(|p| p.0)) >= MIN_DOT_SPACING_PX {
            chart
                .draw_series(
                    visible.iter().filter(|p| p.2).map(|p| Circle::new((p.0, p.1), 4, DOWNBEAT.filled())),
                )
                .map_err(plot_error)?;
        }
    }
    let plot = plotting_pixels(&chart);
    let (_, h) = plot.dim_in_pixel();
    let style = ("sans-serif", 14).into_font().color(&FOREGROUND);
    let (tw, th) = plot.estimate_text_size(&label, &style).map_err(plot_error)?;
    let (x, y) = (6, h as i32 - th as i32 - 6);
    plot.draw(&Rectangle::new(
        [(x - 3, y - 2), (x + tw as i32 + 3, y + th as i32 + 2)],
        BACKGROUND.mix(0.8).filled(),
    ))
    .map_err(plot_error)?;
    plot.draw(&Text::new(label, (x, y), style)).map_err(plot_error)?;
    Ok((plot, (lim, -lim)))
}

#[cfg(test)]
mod tests {
    use super::super::{ImageFormat, Panel, PlotOptions, overview, render_rgb};
    use super::*;
    use crate::Audio;

    const SR: u32 = 22050;

    /// Beats every 0.5 s (120 BPM) from 0.5 s, `n` of them, beat `i` moved by `moves[i]` ms.
    fn beats_120(n: usize, moves: &[(usize, f64)]) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let shift = moves.iter().find(|m| m.0 == i).map_or(0.0, |m| m.1);
                0.5 + 0.5 * i as f64 + shift * 1e-3
            })
            .collect()
    }

    #[test]
    fn offsets_are_distances_to_the_constant_grid() {
        let beats = beats_120(24, &[(6, 12.0), (10, -7.0)]);
        let downbeats: Vec<f64> = beats.iter().step_by(4).copied().collect();
        let d = GridDeviation::new(&beats, &downbeats).unwrap();
        assert_eq!(d.bpm, 120.0);
        assert!((d.first_beat_s - 0.5).abs() < 1e-9, "{}", d.first_beat_s);
        for (i, &(t, offset, down)) in d.points.iter().enumerate() {
            let expected = match i {
                6 => 12.0,
                10 => -7.0,
                _ => 0.0,
            };
            assert!((offset - expected).abs() < 1e-6, "beat {i} at {t}: {offset} ms");
            assert_eq!(down, i % 4 == 0, "beat {i}");
        }
        let (median, max) = offset_stats(&d.points);
        assert!(median.abs() < 1e-9 && (max - 12.0).abs() < 1e-9, "{median} {max}");
        // A sinusoidal drift of ±15 ms over 16 beats around 125 BPM: one period per slope
        // span, so the grid is exactly 125 BPM and the offsets are the drift.
        let drift = |k: usize| 15.0 * (std::f64::consts::TAU * k as f64 / 16.0).sin();
        let beats: Vec<f64> = (0..64).map(|k| 1.0 + 0.48 * k as f64 + drift(k) * 1e-3).collect();
        let d = GridDeviation::new(&beats, &[]).unwrap();
        assert_eq!(d.bpm, 125.0);
        for (k, p) in d.points.iter().enumerate() {
            assert!((p.1 - drift(k)).abs() < 0.5, "beat {k}: {} ms, drift {} ms", p.1, drift(k));
        }
        let (median, max) = offset_stats(&d.points);
        assert!((max - 15.0).abs() < 0.5 && median > 5.0 && median < max, "{median} {max}");
    }

    #[test]
    fn no_or_bad_beats_give_no_grid() {
        for bad in [vec![], vec![1.0], vec![f64::NAN, 1.0, 1.5], vec![2.0, 1.0, 1.5], vec![1.0, 1.0]] {
            assert_eq!(GridDeviation::new(&bad, &[]), None, "{bad:?}");
        }
        // Unusable downbeats only lose their marks.
        let d = GridDeviation::new(&beats_120(8, &[]), &[f64::NAN, 0.5]).unwrap();
        assert!(d.points[0].2 && !d.points[1].2);
    }

    #[test]
    fn the_y_axis_is_symmetric_and_at_least_20_ms() {
        assert_eq!(y_limit(0.0), 20.0);
        assert_eq!(y_limit(12.0), 20.0);
        assert_eq!(y_limit(19.0), 30.0);
        assert_eq!(y_limit(35.0), 50.0);
        assert_eq!(y_limit(f64::NAN), 20.0);
        assert_eq!(y_ticks(20.0), vec![-10.0, 0.0, 10.0]);
        assert_eq!(y_ticks(50.0), vec![-40.0, -20.0, 0.0, 20.0, 40.0]);
        assert_eq!(y_ticks(140.0), vec![-100.0, -50.0, 0.0, 50.0, 100.0]);
        let audio = Audio::from_synth(vec![vec![0.0; 8 * SR as usize]], SR).unwrap();
        for (moves, lim) in [(vec![], 20.0), (vec![(6, 35.0)], 50.0)] {
            let opts = PlotOptions {
                width: 600,
                height: 300,
                panels: vec![Panel::Grid],
                beats: beats_120(15, &moves),
                ..PlotOptions::default()
            };
            let (_, areas) = render_rgb(&audio, &opts).unwrap();
            assert_eq!(areas[0].y_range, Some((lim, -lim)), "{moves:?}");
        }
    }

    #[test]
    fn each_dot_is_drawn_at_its_offset() {
        let audio = Audio::from_synth(vec![vec![0.0; 8 * SR as usize]], SR).unwrap();
        let opts = PlotOptions {
            width: 600,
            height: 300,
            panels: vec![Panel::Grid],
            beats: beats_120(15, &[(6, 12.0), (9, -15.0)]),
            ..PlotOptions::default()
        };
        let (rgb, areas) = render_rgb(&audio, &opts).unwrap();
        let (x0, y0, x1, y1) = areas[0].rect;
        let (top, bottom) = areas[0].y_range.unwrap();
        let width = opts.width as usize;
        let wave = [WAVE.0, WAVE.1, WAVE.2];
        for (i, &t) in opts.beats.iter().enumerate() {
            let x = x0 as f64 + t / 8.0 * f64::from(x1 - x0);
            // Rows of dot-coloured pixels within 3 columns of the beat.
            let rows: Vec<i32> = (y0..y1)
                .filter(|&y| {
                    (x.round() as i32 - 3..=x.round() as i32 + 3).any(|x| {
                        let k = (y as usize * width + x as usize) * 3;
                        rgb[k..k + 3] == wave
                    })
                })
                .collect();
            assert!(!rows.is_empty() && rows.len() <= 7, "beat {i}: rows {rows:?}");
            let drawn = rows.iter().sum::<i32>() as f64 / rows.len() as f64;
            let offset = match i {
                6 => 12.0,
                9 => -15.0,
                _ => 0.0,
            };
            let expected = y0 as f64 + (top - offset) / (top - bottom) * f64::from(y1 - y0);
            assert!((drawn - expected).abs() <= 2.0, "beat {i}: row {drawn}, expected {expected}");
        }
    }

    #[test]
    fn the_panel_writes_the_grid_or_says_no_beats() {
        let audio = Audio::from_synth(vec![vec![0.0; 8 * SR as usize]], SR).unwrap();
        let with = |beats: Vec<f64>| PlotOptions {
            width: 600,
            height: 300,
            panels: vec![Panel::Waveform, Panel::Grid],
            beats,
            ..PlotOptions::default()
        };
        let svg = |opts: &PlotOptions| {
            String::from_utf8(overview(&audio, opts, ImageFormat::Svg).unwrap()).unwrap()
        };
        let text = svg(&with(beats_120(15, &[(6, 12.0)])));
        assert!(text.contains("grid 120.00 BPM") && text.contains("max 12.0 ms"), "grid label missing");
        assert!(!text.contains("no beats"));
        for bad in [vec![], vec![1.0], vec![f64::NAN, 2.0], vec![3.0, 2.0, 1.0]] {
            let opts = with(bad);
            assert!(svg(&opts).contains("no beats"), "{:?}", opts.beats);
            assert_eq!(&overview(&audio, &opts, ImageFormat::Png).unwrap()[1..4], b"PNG");
        }
        // A view without beats still names the grid.
        let opts = PlotOptions { from_s: Some(0.0), to_s: Some(0.4), ..with(beats_120(15, &[])) };
        assert!(svg(&opts).contains("no beats in view"));
    }
}
