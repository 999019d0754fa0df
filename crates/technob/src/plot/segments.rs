//! Segments (intro, build-up, drop, ...) and the overlays drawn over every panel: segment bands
//! coloured by role, beats and downbeats.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::colour::{BACKGROUND, BEAT, DOWNBEAT, palette};
use super::{Ctx, plot_error};
use crate::structure::export::role_colour;
use crate::structure::{Interval, Role, Structure};
use crate::{Error, Result, ensure_param};

/// A labelled time span, drawn as a translucent band: coloured by its role when it has one
/// (the colours of [`role_colour`]), else by its label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotSegment {
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds (≥ start).
    pub end_s: f64,
    /// The text written in the band (segments without a role and with the same label share a
    /// colour). When it does not fit, a segment with a role shows only the label's last word
    /// (its group letter: `drop A` → `A`).
    pub label: String,
    /// The segment's role, if known.
    #[serde(default, skip_deserializing)]
    pub role: Option<Role>,
}

impl PlotSegment {
    /// A segment labelled `label`, its role read from the label's first word when that is a
    /// role name (`intro`, `buildup` or `build-up`, `drop`, `breakdown`, `outro`, any case).
    pub fn new(start_s: f64, end_s: f64, label: impl Into<String>) -> PlotSegment {
        let label = label.into();
        let role = role_of(&label);
        PlotSegment { start_s, end_s, label, role }
    }

    /// The segments of a [`Structure`], labelled `role group` (`drop A`).
    pub fn from_structure(structure: &Structure) -> Vec<PlotSegment> {
        structure
            .segments
            .iter()
            .map(|s| PlotSegment {
                start_s: s.start_s,
                end_s: s.end_s,
                label: format!("{} {}", s.label, s.group).trim().to_string(),
                role: Some(s.label),
            })
            .collect()
    }

    /// Plain intervals (split on silence, bar chunks), labelled `1`, `2`, ….
    pub fn from_intervals(intervals: &[Interval]) -> Vec<PlotSegment> {
        intervals
            .iter()
            .enumerate()
            .map(|(i, s)| PlotSegment {
                start_s: s.start_s,
                end_s: s.end_s,
                label: (i + 1).to_string(),
                role: None,
            })
            .collect()
    }
}

/// The role a label's first word names, if any.
fn role_of(label: &str) -> Option<Role> {
    let word: String = label
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_lowercase();
    let word = if word == "build-up" { "buildup".to_string() } else { word };
    Role::ALL.into_iter().find(|r| r.as_str() == word)
}

/// Segments from text: what `technob segment --format json|csv|labels` writes, or any
/// Audacity label track (`start<TAB>end<TAB>label` per line; its `\`-prefixed
/// spectral-selection lines are skipped) or CSV `start_s,end_s,label` (a first line that does
/// not start with a number is a header; with a `group` column, as `technob segment` writes, the
/// label is `label group` and the fields may be quoted). Blank lines and lines starting with
/// `#` are skipped; a label may be empty. Roles are read from the labels ([`PlotSegment::new`]).
///
/// JSON: an object with a `segments` array (or the array itself) of objects with `start_s`,
/// `end_s` and optional `label` and `group` strings (with neither, segments are numbered from 1).
///
/// Errors: a line without two numeric times, a non-finite or negative time, an end before
/// its start; JSON without a segments array.
pub fn parse_segments(text: &str) -> Result<Vec<PlotSegment>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return parse_json_segments(trimmed);
    }
    // A CSV header naming a group column: the columns are read by name.
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let columns = split_csv(header.trim_end_matches('\r'));
    let by_name = !header.contains('\t')
        && columns.first().is_some_and(|c| c.parse::<f64>().is_err())
        && columns.iter().any(|c| c == "group");
    let mut segments = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with('\\') {
            continue;
        }
        let fields: Vec<String> = if by_name {
            split_csv(line)
        } else if line.contains('\t') {
            line.splitn(3, '\t').map(str::to_string).collect()
        } else {
            line.splitn(3, ',').map(str::to_string).collect()
        };
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
        check_times(start, end, &format!("segments line {}", i + 1))?;
        let label = if by_name {
            let column = |name: &str| {
                columns.iter().position(|c| c == name).and_then(|k| fields.get(k)).map_or("", |f| f.trim())
            };
            format!("{} {}", column("label"), column("group")).trim().to_string()
        } else {
            // Audacity labels are literal; a CSV label may be quoted.
            let quotes: &[char] = if line.contains('\t') { &[] } else { &['"'] };
            fields.get(2).map(|l| l.trim().trim_matches(quotes).to_string()).unwrap_or_default()
        };
        segments.push(PlotSegment::new(start, end, label));
    }
    Ok(segments)
}

fn check_times(start: f64, end: f64, context: &str) -> Result<()> {
    if start.is_finite() && end.is_finite() && start >= 0.0 && end >= start {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!("{context}: times {start}..{end} s (need 0 <= start <= end)")))
    }
}

/// The JSON of `technob segment --format json` (or any object with a `segments` array, or
/// the array itself).
fn parse_json_segments(text: &str) -> Result<Vec<PlotSegment>> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::InvalidInput(format!("segments JSON: {e}")))?;
    let list = match &doc {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(o) => match o.get("segments") {
            Some(serde_json::Value::Array(list)) => list,
            _ => return Err(Error::InvalidInput("segments JSON: no \"segments\" array".into())),
        },
        _ => return Err(Error::InvalidInput("segments JSON: expected an object or an array".into())),
    };
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let context = format!("segments JSON, segment {}", i + 1);
            let time = |key: &str| {
                s.get(key)
                    .and_then(serde_json::Value::as_f64)
                    .ok_or_else(|| Error::InvalidInput(format!("{context}: no numeric \"{key}\"")))
            };
            let (start, end) = (time("start_s")?, time("end_s")?);
            check_times(start, end, &context)?;
            let text =
                |key: &str| s.get(key).and_then(serde_json::Value::as_str).unwrap_or("").trim().to_string();
            let label = format!("{} {}", text("label"), text("group")).trim().to_string();
            // Unlabelled spans (silence, bar chunks) are numbered, as their CSV and labels are.
            let label = if s.get("label").is_none() && s.get("group").is_none() {
                (i + 1).to_string()
            } else {
                label
            };
            Ok(PlotSegment::new(start, end, label))
        })
        .collect()
}

/// Split a CSV line on commas outside double quotes; quotes are removed, `""` inside quotes
/// is a quote.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
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

/// Check the segments and give each its colour: a role's colour ([`role_colour`]), or for
/// segments without a role, labels in order of first appearance take the palette's colours
/// in turn.
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
        if let Some(role) = s.role {
            let [r, g, b] = role_colour(role);
            colours.push(RGBColor(r, g, b));
            continue;
        }
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
            let room = u32::try_from(x1 - x0 - 6).unwrap_or(0);
            let fits = |text: &str| area.estimate_text_size(text, &style).is_ok_and(|(w, _)| w <= room);
            // Too narrow for `drop A`: the group letter alone (the colour tells the role).
            let text = match s.label.split_whitespace().last() {
                Some(last) if s.role.is_some() && !fits(&s.label) => last.to_string(),
                _ => s.label.clone(),
            };
            // On a dark plate, so the text reads over the band and the beat lines.
            if let Ok((w, h)) = area.estimate_text_size(&text, &style) {
                let (w, h) = (i32::try_from(w).unwrap_or(0), i32::try_from(h).unwrap_or(0));
                let plate = Rectangle::new(
                    [(x0 + 2, 1), ((x0 + 6 + w).min(x1), 5 + h)],
                    BACKGROUND.mix(0.8).filled(),
                );
                area.draw(&plate).map_err(plot_error)?;
            }
            area.draw(&Text::new(text, (x0 + 4, 3), style)).map_err(plot_error)?;
        }
    }
    Ok(())
}
