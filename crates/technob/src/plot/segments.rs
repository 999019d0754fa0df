//! Segments (intro, break, drop, ...) and the overlays drawn over every panel: segment bands,
//! beats and downbeats.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::colour::{BEAT, DOWNBEAT, palette};
use super::{Ctx, plot_error};
use crate::{Error, Result, ensure_param};

/// A labelled time span, drawn as a translucent band coloured by its label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotSegment {
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds (≥ start).
    pub end_s: f64,
    /// Label (segments with the same label share a colour).
    pub label: String,
}

/// Segments from text: an Audacity label track (`start<TAB>end<TAB>label` per line; its
/// `\`-prefixed spectral-selection lines are skipped) or CSV `start_s,end_s,label` (a first
/// line that does not start with a number is a header). Blank lines and lines starting with
/// `#` are skipped; a label may be empty.
///
/// Errors: a line without two numeric times, a non-finite or negative time, an end before
/// its start.
pub fn parse_segments(text: &str) -> Result<Vec<PlotSegment>> {
    let mut segments = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with('\\') {
            continue;
        }
        let fields: Vec<&str> =
            if line.contains('\t') { line.splitn(3, '\t').collect() } else { line.splitn(3, ',').collect() };
        let number = |k: usize| fields.get(k).and_then(|f| f.trim().parse::<f64>().ok());
        let (start, end) = match (number(0), number(1)) {
            (Some(s), Some(e)) => (s, e),
            // A header: the first non-empty line, not starting with a number.
            _ if segments.is_empty() && number(0).is_none() && i == first_line(text) => continue,
            _ => {
                return Err(Error::InvalidInput(format!(
                    "segments line {}: expected 'start, end, label' with times in seconds, got '{}'",
                    i + 1,
                    line.trim()
                )));
            }
        };
        if !(start.is_finite() && end.is_finite() && start >= 0.0 && end >= start) {
            return Err(Error::InvalidInput(format!(
                "segments line {}: times {start}..{end} s (need 0 <= start <= end)",
                i + 1
            )));
        }
        let label = fields.get(2).map(|l| l.trim().trim_matches('"').to_string()).unwrap_or_default();
        segments.push(PlotSegment { start_s: start, end_s: end, label });
    }
    Ok(segments)
}

/// Index of the first non-blank line.
fn first_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

/// [`parse_segments`] of a file (errors name the file).
pub fn read_segments(path: impl AsRef<Path>) -> Result<Vec<PlotSegment>> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))?;
    parse_segments(&text).map_err(|e| e.in_file(path))
}

/// Check the segments and give each its colour: labels in order of first appearance take
/// the palette's colours in turn.
pub(super) fn validate_and_colour(segments: &[PlotSegment]) -> Result<Vec<RGBColor>> {
    let mut labels: Vec<&str> = Vec::new();
    let mut colours = Vec::with_capacity(segments.len());
    for s in segments {
        ensure_param!(
            s.start_s.is_finite() && s.end_s.is_finite() && s.start_s <= s.end_s,
            "segment '{}' spans {}..{} s (need finite times, start <= end)",
            s.label,
            s.start_s,
            s.end_s
        );
        let k = match labels.iter().position(|&l| l == s.label) {
            Some(k) => k,
            None => {
                labels.push(&s.label);
                labels.len() - 1
            }
        };
        colours.push(palette(k));
    }
    Ok(colours)
}

/// Opacity of a segment band.
pub(super) const BAND_ALPHA: f64 = 0.22;

/// Draw the segments, beats and downbeats over a panel's plotting area (pixel coordinates);
/// segment labels only if `labels`.
pub(super) fn draw_overlays<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    labels: bool,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let span = ctx.t1 - ctx.t0;
    let x_of = |t: f64| (((t - ctx.t0) / span) * f64::from(w)).round().clamp(0.0, f64::from(w)) as i32;
    let visible = |t: &&f64| (ctx.t0..=ctx.t1).contains(*t);
    for (s, &colour) in ctx.options.segments.iter().zip(&ctx.segment_colours) {
        if s.end_s < ctx.t0 || s.start_s > ctx.t1 {
            continue;
        }
        let (x0, x1) = (x_of(s.start_s), x_of(s.end_s));
        let x1 = x1.max(x0 + 1);
        area.draw(&Rectangle::new([(x0, 0), (x1, h)], colour.mix(BAND_ALPHA).filled()))
            .map_err(plot_error)?;
        if s.start_s >= ctx.t0 {
            area.draw(&PathElement::new(vec![(x0, 0), (x0, h)], colour.mix(0.9).stroke_width(1)))
                .map_err(plot_error)?;
        }
    }
    let seconds_per_pixel = span / f64::from(w.max(1));
    let beats: Vec<f64> = ctx.options.beats.iter().filter(visible).copied().collect();
    let spacing = beats.windows(2).map(|p| p[1] - p[0]).fold(f64::INFINITY, f64::min);
    if spacing >= 4.0 * seconds_per_pixel {
        for &t in &beats {
            let x = x_of(t);
            area.draw(&PathElement::new(vec![(x, 0), (x, h)], BEAT.mix(0.55).stroke_width(1)))
                .map_err(plot_error)?;
        }
    }
    for &t in ctx.options.downbeats.iter().filter(visible) {
        let x = x_of(t);
        area.draw(&PathElement::new(vec![(x, 0), (x, h)], DOWNBEAT.mix(0.9).stroke_width(2)))
            .map_err(plot_error)?;
    }
    // Labels last, over the beat lines.
    for (s, &colour) in ctx.options.segments.iter().zip(&ctx.segment_colours) {
        let (x0, x1) = (x_of(s.start_s), x_of(s.end_s));
        if labels && !s.label.is_empty() && s.end_s >= ctx.t0 && s.start_s <= ctx.t1 && x1 - x0 >= 12 {
            let style = ("sans-serif", 13).into_font().color(&colour);
            area.draw(&Text::new(s.label.clone(), (x0 + 4, 3), style)).map_err(plot_error)?;
        }
    }
    Ok(())
}
