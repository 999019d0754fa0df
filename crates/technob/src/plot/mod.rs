//! Pictures: a stack of panels sharing one time axis, as PNG or SVG — a min/max or DJ-style
//! 3-band waveform, log-frequency, mel and constant-Q spectrograms, a chromagram, momentary and
//! short-term loudness against a LUFS target, the beats' offsets from their DJ grid, and any
//! feature curves — with beats, downbeats and segments drawn over every panel.
//!
//! Heatmaps are computed per pixel column and rendered into one pixel buffer per panel, blitted
//! once (never one rectangle per cell). The waveform-like and STFT panels share one set of
//! column spectra, computed only over the time range drawn (plus the frames' context), so a
//! 10-minute track plots in well under a second. Text uses a vendored DejaVu Sans (free
//! Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`), so no system font is needed.
//! Output is deterministic and written atomically.
//!
//! ```no_run
//! use technob::plot::{Panel, PlotOptions, save_overview};
//!
//! # fn main() -> technob::Result<()> {
//! let audio = technob::audio::decode_file("track.flac", &Default::default())?;
//! let options = PlotOptions {
//!     panels: vec![Panel::Waveform3, Panel::Mel, Panel::Chroma, Panel::Loudness],
//!     from_s: Some(60.0),
//!     to_s: Some(90.0),
//!     ..PlotOptions::default()
//! };
//! save_overview(&audio, &options, "track.png")?;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! * `waveform`: [`Panel::Waveform`] (min/max envelope) and [`Panel::Waveform3`] (3-band colour).
//! * `heatmap`: [`Panel::Spectrogram`], [`Panel::Mel`], [`Panel::Cqt`], [`Panel::Chroma`].
//! * `loudness`: [`Panel::Loudness`]; `curves`: [`Panel::Curves`].
//! * `grid`: [`Panel::Grid`] (each beat's offset from the constant beat grid).
//! * `columns`: the per-pixel-column envelope and spectra the panels share.
//! * `segments`: [`PlotSegment`], its file formats, and the overlays drawn on every panel.

mod colour;
mod columns;
mod curves;
mod grid;
mod heatmap;
mod loudness;
mod segments;
#[cfg(test)]
mod tests;
mod waveform;

use std::cell::OnceCell;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{
    AsRangedCoord, DefaultFormatting, KeyPointHint, KeyPointWeight, Ranged, ValueFormatter,
};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

pub use segments::{PlotSegment, parse_segments, read_segments};

use crate::loudness::{LoudnessReport, measure_loudness};
use crate::spectral::Spectrogram;
use crate::{Audio, Error, Result, ensure_param};
use colour::{BACKGROUND, FOREGROUND};
use columns::SpectrumColumns;

/// The vendored font, registered with plotters as `sans-serif` on first use.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();

fn register_font() {
    REGISTER_FONT.call_once(|| {
        // The font is ours and valid; if registration failed, text would be missing, not wrong.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// One panel of the picture; panels are stacked top to bottom and share the time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Panel {
    /// Min/max waveform envelope of the mono downmix.
    Waveform,
    /// DJ-style waveform: height the column's peak (the inner, brighter part its RMS), colour
    /// mixed from the energies of three bands, as in Serato's and rekordbox's RGB waveforms:
    /// lows (20–200 Hz) red, mids (200 Hz–2 kHz) green, highs (above 2 kHz) blue. The bands are
    /// a decade each, so pink noise comes out near white and a kick or bass line red.
    Waveform3,
    /// Log-frequency STFT magnitude in dB (`fmin_hz` to `fmax_hz`).
    Spectrogram,
    /// Log-power mel spectrogram, 128 bands (Slaney scale, librosa's filterbank) up to
    /// `fmax_hz`, in dB.
    Mel,
    /// Log-magnitude constant-Q transform (`crate::spectral::cqt`), 7 octaves from C1 at 24
    /// bins per octave, on a note axis.
    Cqt,
    /// Chromagram: 12 pitch classes (C at the bottom) from the STFT power
    /// (`crate::spectral::chroma`), each column max-normalised as librosa's `chroma_stft`.
    Chroma,
    /// EBU R128 momentary and short-term loudness (`crate::loudness::measure_loudness` on the
    /// un-downmixed audio), its integrated loudness and the `target_lufs` line.
    Loudness,
    /// The beat-grid deviation: each beat of [`PlotOptions::beats`], its offset in ms from the
    /// constant DJ grid fitted to them (`crate::rhythm::grid::fit_grid`, as
    /// `crate::rhythm::Rhythm::grid`) against time, downbeats marked, with the grid's BPM and
    /// the median and largest |offset| of the beats in view. A drifting track draws a swinging
    /// curve, a quantized one a flat line; without at least two beats it says "no beats".
    Grid,
    /// The caller's feature curves ([`PlotOptions::curves`]), one small panel each.
    Curves,
}

impl Panel {
    /// Every panel, in the order of their names in messages.
    pub const ALL: [Panel; 9] = [
        Panel::Waveform,
        Panel::Waveform3,
        Panel::Spectrogram,
        Panel::Mel,
        Panel::Cqt,
        Panel::Chroma,
        Panel::Loudness,
        Panel::Grid,
        Panel::Curves,
    ];

    /// The panel's name on the command line (`waveform3`, `mel`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Panel::Waveform => "waveform",
            Panel::Waveform3 => "waveform3",
            Panel::Spectrogram => "spectrogram",
            Panel::Mel => "mel",
            Panel::Cqt => "cqt",
            Panel::Chroma => "chroma",
            Panel::Loudness => "loudness",
            Panel::Grid => "grid",
            Panel::Curves => "curves",
        }
    }

    /// Panels from a comma-separated list of names (`"waveform3,mel,chroma"`).
    ///
    /// Errors: an empty list, an unknown name (the message lists the valid ones).
    pub fn parse_list(list: &str) -> Result<Vec<Panel>> {
        let panels = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<Panel>>>()?;
        ensure_param!(!panels.is_empty(), "no panel given (valid: {})", valid_names());
        Ok(panels)
    }

    /// Share of the picture height (waveforms thinner than spectrograms).
    fn weight(self) -> f64 {
        match self {
            Panel::Waveform | Panel::Waveform3 => 1.0,
            Panel::Spectrogram | Panel::Mel | Panel::Cqt => 2.3,
            Panel::Chroma => 1.2,
            Panel::Loudness => 1.4,
            Panel::Grid => 1.2,
            Panel::Curves => 0.7,
        }
    }
}

fn valid_names() -> String {
    Panel::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Panel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Panel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Panel> {
        let name = s.trim().to_ascii_lowercase();
        Panel::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            Error::InvalidParameter(format!("unknown panel '{}' (valid: {})", s.trim(), valid_names()))
        })
    }
}

/// A feature curve given by the caller, drawn in its own small panel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curve {
    /// Name of the feature (the panel's axis title).
    pub label: String,
    /// Unit of the values (empty: none).
    pub unit: String,
    /// Time of each value in seconds (finite, non-decreasing).
    pub times_s: Vec<f64>,
    /// The values; a non-finite value breaks the line.
    pub values: Vec<f64>,
}

/// What to draw and how big.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels, split among the panels (waveforms thinner).
    pub height: u32,
    /// Start of the time range in seconds (default: the start).
    pub from_s: Option<f64>,
    /// End of the time range in seconds (default: the end).
    pub to_s: Option<f64>,
    /// Title above the picture (default: none).
    pub title: Option<String>,
    /// The panels, top to bottom (default: waveform over spectrogram).
    pub panels: Vec<Panel>,
    /// Lowest frequency of the spectrogram in Hz.
    pub fmin_hz: f64,
    /// Dynamic range of the heatmap colours in dB below their maximum.
    pub top_db: f64,
    /// Beat times in seconds, drawn as thin lines over every panel (empty: none). When beats
    /// would be closer than 4 pixels, only downbeats are drawn. The grid panel fits its grid to
    /// them, so give every beat of the track, not only those in view.
    pub beats: Vec<f64>,
    /// Downbeat times in seconds, drawn as strong lines over every panel (empty: none).
    pub downbeats: Vec<f64>,
    /// Segments (intro, drop, ...) drawn as translucent bands over every panel, coloured by
    /// role (or by label when they have none), the label written in the top panel (empty: none).
    pub segments: Vec<PlotSegment>,
    /// A pitch track `(time s, f0 Hz)` drawn over the spectrogram, mel and CQT panels; an f0
    /// of 0 (unvoiced) breaks the line (empty: none).
    pub f0: Vec<(f64, f64)>,
    /// Highest frequency of the spectrogram and mel panels in Hz (default: Nyquist).
    pub fmax_hz: Option<f64>,
    /// The loudness target drawn on the loudness panel, LUFS.
    pub target_lufs: f64,
    /// Curves of the curves panel.
    pub curves: Vec<Curve>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            width: 1600,
            height: 800,
            from_s: None,
            to_s: None,
            title: None,
            panels: vec![Panel::Waveform, Panel::Spectrogram],
            fmin_hz: 20.0,
            top_db: 80.0,
            beats: Vec::new(),
            downbeats: Vec::new(),
            segments: Vec::new(),
            f0: Vec::new(),
            fmax_hz: None,
            target_lufs: crate::loudness::TARGET_STREAMING_LUFS,
            curves: Vec::new(),
        }
    }
}

/// Picture file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Portable Network Graphics (raster).
    Png,
    /// Scalable Vector Graphics (heatmaps are embedded raster images).
    Svg,
}

impl ImageFormat {
    /// The format a path's extension asks for (`.png` or `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<ImageFormat> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            _ => Err(Error::InvalidParameter(format!(
                "{}: the picture must end in .png or .svg",
                path.display()
            ))),
        }
    }
}

/// Draw the panels of `options` for `audio` and return the encoded picture. `audio` keeps its
/// channels: the loudness panel measures them as BS.1770 weights them; every other panel
/// draws the mono downmix.
///
/// Errors: a picture size out of 200..=16384 × 150..=16384 pixels or too small for its
/// panels, a bad time range, frequency range or dynamic range, a curves panel without curves,
/// a curve or segment with non-finite or unordered times, audio a panel cannot analyse.
pub fn overview(audio: &Audio, options: &PlotOptions, format: ImageFormat) -> Result<Vec<u8>> {
    let size = (options.width, options.height);
    match format {
        ImageFormat::Png => {
            let (rgb, _) = render_rgb(audio, options)?;
            encode_png(&rgb, size)
        }
        ImageFormat::Svg => {
            let ctx = Ctx::new(audio, options)?;
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(&root, &ctx)?;
                root.present().map_err(plot_error)?;
            }
            Ok(svg.into_bytes())
        }
    }
}

/// [`overview`] written to `path` (format from the extension), atomically.
pub fn save_overview(audio: &Audio, options: &PlotOptions, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let format = ImageFormat::from_path(path)?;
    let bytes = overview(audio, options, format)?;
    crate::io::write_bytes(path, &bytes)
}

/// The picture as RGB pixels, and where each panel's plotting area landed.
fn render_rgb(audio: &Audio, options: &PlotOptions) -> Result<(Vec<u8>, Vec<PanelArea>)> {
    let ctx = Ctx::new(audio, options)?;
    let size = (options.width, options.height);
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    let areas;
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        areas = draw(&root, &ctx)?;
        root.present().map_err(plot_error)?;
    }
    Ok((rgb, areas))
}

/// Where a panel's plotting area is in the picture (pixels), and the value range of its
/// linear y axis (top, bottom) when it has one.
#[derive(Clone, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
struct PanelArea {
    /// Left, top, right (exclusive), bottom (exclusive) pixel.
    rect: (i32, i32, i32, i32),
    y_range: Option<(f64, f64)>,
}

/// One row of the stack: a panel, or one curve of the curves panel.
#[derive(Clone, Copy, Debug)]
enum Row {
    Panel(Panel),
    Curve(usize),
}

/// Everything the panels draw from: the options, the audio, the mono view and what the
/// panels share, computed once.
struct Ctx<'a> {
    options: &'a PlotOptions,
    sr: f64,
    t0: f64,
    t1: f64,
    /// The mono downmix of the view and up to [`CONTEXT_S`] around it.
    mono: Vec<f32>,
    /// First and last (exclusive) sample of the view in `mono`.
    first: usize,
    last: usize,
    /// Highest frequency of the spectrogram and mel panels, Hz.
    fmax: f64,
    rows: Vec<Row>,
    segment_colours: Vec<RGBColor>,
    spectrum: OnceCell<SpectrumColumns>,
    cqt: OnceCell<Spectrogram>,
    loudness: Option<LoudnessReport>,
}

/// Pixel width of the y label area of every panel (so the time axes line up).
const Y_AXIS_PX: u32 = 70;
/// Left and right margins of every panel, pixels.
const MARGINS_PX: (u32, u32) = (8, 12);
/// Pixel height of the time axis under the last panel.
const X_AXIS_PX: u32 = 40;
/// Smallest height of a panel's row in pixels.
const MIN_ROW_PX: u32 = 40;
/// Audio read on each side of the view, seconds: more than half the longest window of any
/// panel (the CQT's lowest filter, about 1 s long).
const CONTEXT_S: f64 = 2.0;

impl<'a> Ctx<'a> {
    fn new(audio: &'a Audio, options: &'a PlotOptions) -> Result<Ctx<'a>> {
        ensure_param!(
            (200..=16384).contains(&options.width) && (150..=16384).contains(&options.height),
            "picture size {}x{} (allowed 200..=16384 x 150..=16384 pixels)",
            options.width,
            options.height
        );
        let sr = audio.sample_rate() as f64;
        let nyquist = sr / 2.0;
        ensure_param!(
            options.fmin_hz > 0.0 && options.fmin_hz < nyquist,
            "lowest frequency {} Hz (must be between 0 and the Nyquist frequency)",
            options.fmin_hz
        );
        ensure_param!(
            options.top_db > 0.0 && options.top_db.is_finite(),
            "top_db {} (must be > 0)",
            options.top_db
        );
        ensure_param!(options.target_lufs.is_finite(), "target loudness {} LUFS", options.target_lufs);
        if let Some(f) = options.fmax_hz {
            ensure_param!(f.is_finite() && f > 0.0, "highest frequency {f} Hz (must be > 0)");
        }
        let duration = audio.duration_s();
        let t0 = options.from_s.unwrap_or(0.0);
        let t1 = options.to_s.unwrap_or(duration).min(duration);
        ensure_param!(
            t0.is_finite() && t1.is_finite() && t0 >= 0.0 && t0 < t1,
            "time range {t0}..{t1} s (the audio lasts {duration:.3} s)"
        );
        let rows = rows(options)?;
        for c in &options.curves {
            curves::validate(c)?;
        }
        let segment_colours = segments::validate_and_colour(&options.segments)?;
        let n = audio.n_frames();
        ensure_param!(n > 0 && audio.n_channels() > 0, "the audio has no samples");
        // The view's samples and its context, downmixed.
        let first = ((t0 * sr).round() as usize).min(n - 1);
        let last = ((t1 * sr).round() as usize).clamp(first + 1, n);
        let context = (CONTEXT_S * sr).ceil() as usize;
        let (start, end) = (first.saturating_sub(context), (last + context).min(n));
        let mono = downmix(audio, start..end);
        let fmax = options.fmax_hz.filter(|&f| f > options.fmin_hz && f < nyquist).unwrap_or(nyquist);
        let ctx = Ctx {
            options,
            sr,
            t0,
            t1,
            mono,
            first: first - start,
            last: last - start,
            fmax,
            rows,
            segment_colours,
            spectrum: OnceCell::new(),
            cqt: OnceCell::new(),
            loudness: None,
        };
        ctx.precompute(audio)
    }

    /// Compute what the panels need at once, in parallel: the loudness (of the whole
    /// programme, for its integrated loudness), the column spectra and the CQT, for the
    /// plotting width every panel has.
    fn precompute(mut self, audio: &Audio) -> Result<Ctx<'a>> {
        let has = |p: Panel| self.options.panels.contains(&p);
        let stft_panels = [Panel::Waveform3, Panel::Spectrogram, Panel::Mel, Panel::Chroma];
        let w = self.options.width.saturating_sub(MARGINS_PX.0 + MARGINS_PX.1 + Y_AXIS_PX).max(1) as usize;
        let (mono, first, last, sr) = (&self.mono[..], self.first, self.last, self.sr);
        let (loudness, (spectrum, cqt)) = rayon::join(
            || has(Panel::Loudness).then(|| measure_loudness(audio)).transpose(),
            || {
                rayon::join(
                    || {
                        stft_panels
                            .iter()
                            .any(|&p| has(p))
                            .then(|| SpectrumColumns::new(mono, first, last, sr, w))
                            .transpose()
                    },
                    || has(Panel::Cqt).then(|| heatmap::cqt_columns(mono, first, last, sr, w)).transpose(),
                )
            },
        );
        self.loudness = loudness?;
        if let Some(s) = spectrum? {
            let _ = self.spectrum.set(s);
        }
        if let Some(c) = cqt? {
            let _ = self.cqt.set(c);
        }
        Ok(self)
    }

    /// The samples of the view.
    fn view(&self) -> &[f32] {
        &self.mono[self.first..self.last]
    }

    /// The shared column spectra for a plotting area `w` pixels wide (computed once: every
    /// panel's plotting area has the same width).
    fn spectrum(&self, w: usize) -> Result<&SpectrumColumns> {
        if self.spectrum.get().is_none() {
            let s = SpectrumColumns::new(&self.mono, self.first, self.last, self.sr, w)?;
            let _ = self.spectrum.set(s);
        }
        self.spectrum
            .get()
            .filter(|s| s.w == w)
            .ok_or_else(|| Error::Output(format!("internal: a panel is {w} pixels wide, not as the others")))
    }
}

/// The mean of the channels over `range`.
fn downmix(audio: &Audio, range: std::ops::Range<usize>) -> Vec<f32> {
    let channels = audio.channels();
    let k = 1.0 / channels.len().max(1) as f32;
    let mut mono = channels.first().map(|c| c[range.clone()].to_vec()).unwrap_or_default();
    for c in channels.iter().skip(1) {
        mono.iter_mut().zip(&c[range.clone()]).for_each(|(m, &x)| *m += x);
    }
    if channels.len() > 1 {
        mono.iter_mut().for_each(|m| *m *= k);
    }
    mono
}

fn rows(options: &PlotOptions) -> Result<Vec<Row>> {
    ensure_param!(!options.panels.is_empty(), "no panel to draw (valid: {})", valid_names());
    let mut rows = Vec::new();
    for &panel in &options.panels {
        if panel == Panel::Curves {
            ensure_param!(!options.curves.is_empty(), "the curves panel needs at least one curve");
            rows.extend((0..options.curves.len()).map(Row::Curve));
        } else {
            rows.push(Row::Panel(panel));
        }
    }
    Ok(rows)
}

fn row_weight(row: Row) -> f64 {
    match row {
        Row::Panel(p) => p.weight(),
        Row::Curve(_) => Panel::Curves.weight(),
    }
}

fn axis_style() -> TextStyle<'static> {
    ("sans-serif", 14).into_font().color(&FOREGROUND)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<Vec<PanelArea>> {
    register_font();
    root.fill(&BACKGROUND).map_err(plot_error)?;
    let root = match &ctx.options.title {
        Some(title) => {
            root.titled(title, ("sans-serif", 22).into_font().color(&FOREGROUND)).map_err(plot_error)?
        }
        None => root.clone(),
    };
    let (_, height) = root.dim_in_pixel();
    let n = ctx.rows.len() as u32;
    let needed = n * MIN_ROW_PX + X_AXIS_PX;
    ensure_param!(
        height >= needed,
        "picture height {} px is too small for {n} panels (at least {} px)",
        ctx.options.height,
        ctx.options.height - height + needed
    );
    // Split the height by the rows' weights, each row at least MIN_ROW_PX; the last row also
    // holds the time axis.
    let total: f64 = ctx.rows.iter().map(|&r| row_weight(r)).sum();
    let free = (height - needed) as f64;
    let mut breaks = Vec::with_capacity(ctx.rows.len());
    let mut acc = 0.0;
    for &row in &ctx.rows[..ctx.rows.len() - 1] {
        acc += MIN_ROW_PX as f64 + free * row_weight(row) / total;
        breaks.push(acc.round() as u32);
    }
    let areas = root.split_by_breakpoints(Vec::<u32>::new(), breaks);
    let mut placed = Vec::with_capacity(areas.len());
    for (i, (row, area)) in ctx.rows.iter().zip(&areas).enumerate() {
        let last = i + 1 == ctx.rows.len();
        let (plot, y_range) = match *row {
            Row::Panel(Panel::Waveform) => (waveform::draw_min_max(area, ctx, last)?, None),
            Row::Panel(Panel::Waveform3) => (waveform::draw_three_band(area, ctx, last)?, None),
            Row::Panel(Panel::Spectrogram) => (heatmap::draw_spectrogram(area, ctx, last)?, None),
            Row::Panel(Panel::Mel) => (heatmap::draw_mel(area, ctx, last)?, None),
            Row::Panel(Panel::Cqt) => (heatmap::draw_cqt(area, ctx, last)?, None),
            Row::Panel(Panel::Chroma) => (heatmap::draw_chroma(area, ctx, last)?, None),
            Row::Panel(Panel::Loudness) => {
                let (plot, range) = loudness::draw(area, ctx, last)?;
                (plot, Some(range))
            }
            Row::Panel(Panel::Grid) => {
                let (plot, range) = grid::draw(area, ctx, last)?;
                (plot, Some(range))
            }
            Row::Panel(Panel::Curves) => unreachable_row()?,
            Row::Curve(k) => {
                let (plot, range) = curves::draw(area, ctx, k, last)?;
                (plot, Some(range))
            }
        };
        segments::draw_overlays(&plot, ctx, i == 0)?;
        let (x0, y0) = plot.get_base_pixel();
        let (w, h) = plot.dim_in_pixel();
        placed.push(PanelArea { rect: (x0, y0, x0 + w as i32, y0 + h as i32), y_range });
    }
    Ok(placed)
}

/// The curves panel is expanded into one row per curve by [`rows`].
fn unreachable_row<T>() -> Result<T> {
    Err(Error::Output("internal: the curves panel was not expanded".into()))
}

/// A chart on `area` over the view's time range and `y`, with the y label area every panel
/// shares and the time axis only under the last panel.
fn chart_on<'a, DB: DrawingBackend, Y: AsRangedCoord<Value = f64>>(
    area: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
    y: Y,
    last: bool,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y::CoordDescType>>> {
    ChartBuilder::on(area)
        .margin_left(MARGINS_PX.0)
        .margin_right(MARGINS_PX.1)
        .margin_top(6)
        .margin_bottom(if last { 4 } else { 2 })
        .x_label_area_size(if last { X_AXIS_PX } else { 0 })
        .y_label_area_size(Y_AXIS_PX)
        .build_cartesian_2d(ctx.t0..ctx.t1, y)
        .map_err(plot_error)
}

/// Axes of a panel: the y axis with `y_desc` and `y_fmt`, the time axis if `last`.
fn draw_axes<DB: DrawingBackend, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    last: bool,
    y_desc: &str,
    y_labels: usize,
    y_fmt: &dyn Fn(&f64) -> String,
    grid: bool,
) -> Result<()>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let span = {
        let r = chart.x_range();
        r.end - r.start
    };
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    };
    let time_fmt = move |t: &f64| format!("{t:.decimals$}");
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .y_desc(y_desc)
        .y_labels(y_labels)
        .y_label_formatter(y_fmt)
        .axis_style(FOREGROUND)
        .label_style(axis_style())
        .max_light_lines(1)
        .light_line_style(RGBColor(30, 30, 42))
        .bold_line_style(RGBColor(55, 55, 72));
    if !grid {
        mesh.disable_y_mesh();
    }
    if last {
        mesh.x_desc("time (s)").x_labels(12).x_label_formatter(&time_fmt);
    } else {
        mesh.disable_x_axis();
    }
    mesh.draw().map_err(plot_error)
}

/// A linear axis with the tick positions given (plotters' `WithKeyPoints` over `f64` has no
/// value formatter, so it cannot draw a mesh).
#[derive(Clone, Debug)]
struct KeyAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl KeyAxis {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> KeyAxis {
        KeyAxis { lo, hi, ticks }
    }
}

impl Ranged for KeyAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = (value - self.lo) / (self.hi - self.lo);
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        match hint.weight() {
            KeyPointWeight::Bold => self.ticks.clone(),
            KeyPointWeight::Any => Vec::new(),
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// The plotting area of a chart in pixels, for overlays.
fn plotting_pixels<DB: DrawingBackend, X: Ranged, Y: Ranged>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
) -> DrawingArea<DB, Shift> {
    chart.plotting_area().strip_coord_spec()
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| Error::Output(format!("PNG encoding failed: {e}")))?;
    Ok(out)
}

fn plot_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Output(format!("drawing failed: {e}"))
}
