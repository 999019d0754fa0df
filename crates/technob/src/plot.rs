//! Pictures: a waveform (min/max envelope) over a log-frequency spectrogram, as PNG or SVG.
//!
//! Heatmaps are rendered into a pixel buffer and blitted once (never one rectangle per cell),
//! so a 10-minute track plots in well under a second. Text uses a vendored DejaVu Sans (free
//! Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`), so no system font is needed.
//! Output is deterministic and written atomically.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::spectral::{Stft, StftConfig};
use crate::{Audio, Error, Result, ensure_param};

/// The vendored font, registered with plotters as `sans-serif` on first use.
static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();

fn register_font() {
    REGISTER_FONT.call_once(|| {
        // The font is ours and valid; if registration failed, text would be missing, not wrong.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// What to draw and how big.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Start of the time range in seconds (default: the start).
    pub from_s: Option<f64>,
    /// End of the time range in seconds (default: the end).
    pub to_s: Option<f64>,
    /// Title above the picture (default: none).
    pub title: Option<String>,
    /// Lowest frequency of the spectrogram in Hz.
    pub fmin_hz: f64,
    /// Dynamic range of the spectrogram colours in dB below its maximum.
    pub top_db: f64,
    /// Beat times in seconds, drawn as thin lines over the waveform (empty: none). When beats
    /// would be closer than 4 pixels, only downbeats are drawn.
    pub beats: Vec<f64>,
    /// Downbeat times in seconds, drawn as strong lines over the waveform (empty: none).
    pub downbeats: Vec<f64>,
    /// A pitch track `(time s, f0 Hz)` drawn over the spectrogram; an f0 of 0 (unvoiced)
    /// breaks the line (empty: none).
    pub f0: Vec<(f64, f64)>,
    /// Highest frequency of the spectrogram in Hz (default: Nyquist).
    pub fmax_hz: Option<f64>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            width: 1600,
            height: 800,
            from_s: None,
            to_s: None,
            title: None,
            fmin_hz: 20.0,
            top_db: 80.0,
            beats: Vec::new(),
            downbeats: Vec::new(),
            f0: Vec::new(),
            fmax_hz: None,
        }
    }
}

/// Picture file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Portable Network Graphics (raster).
    Png,
    /// Scalable Vector Graphics (the spectrogram is an embedded raster image).
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

/// Draw the waveform over the log-frequency spectrogram of `audio` (downmixed to mono) and
/// return the encoded picture.
pub fn overview(audio: &Audio, options: &PlotOptions, format: ImageFormat) -> Result<Vec<u8>> {
    ensure_param!(
        (200..=16384).contains(&options.width) && (150..=16384).contains(&options.height),
        "picture size {}x{} (allowed 200..=16384 x 150..=16384 pixels)",
        options.width,
        options.height
    );
    ensure_param!(
        options.fmin_hz > 0.0 && options.fmin_hz < audio.sample_rate() as f64 / 2.0,
        "lowest frequency {} Hz (must be between 0 and the Nyquist frequency)",
        options.fmin_hz
    );
    ensure_param!(
        options.top_db > 0.0 && options.top_db.is_finite(),
        "top_db {} (must be > 0)",
        options.top_db
    );
    let mono = audio.to_mono();
    let sr = audio.sample_rate() as f64;
    let duration = audio.duration_s();
    let from = options.from_s.unwrap_or(0.0);
    let to = options.to_s.unwrap_or(duration).min(duration);
    ensure_param!(
        from.is_finite() && to.is_finite() && from >= 0.0 && from < to,
        "time range {from}..{to} s (the audio lasts {duration:.3} s)"
    );
    let first = (from * sr).round() as usize;
    let last = ((to * sr).round() as usize).clamp(first + 1, mono.n_frames());
    let view = View { samples: &mono.channel(0)[first..last], sr, t0: from, t1: to };
    register_font();
    let size = (options.width, options.height);
    match format {
        ImageFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                draw(&root, &view, options)?;
                root.present().map_err(plot_error)?;
            }
            encode_png(&rgb, size)
        }
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(&root, &view, options)?;
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

/// The part of the signal being drawn.
struct View<'a> {
    samples: &'a [f32],
    sr: f64,
    t0: f64,
    t1: f64,
}

const BACKGROUND: RGBColor = RGBColor(16, 16, 24);
const FOREGROUND: RGBColor = RGBColor(220, 220, 230);
const WAVE: RGBColor = RGBColor(80, 200, 255);
const BEAT: RGBColor = RGBColor(200, 200, 210);
const DOWNBEAT: RGBColor = RGBColor(255, 140, 40);
const PITCH: RGBColor = RGBColor(80, 255, 120);

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, view: &View, options: &PlotOptions) -> Result<()> {
    root.fill(&BACKGROUND).map_err(plot_error)?;
    let root = match &options.title {
        Some(title) => {
            root.titled(title, ("sans-serif", 22).into_font().color(&FOREGROUND)).map_err(plot_error)?
        }
        None => root.clone(),
    };
    let (_, height) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically((height as f64 * 0.3) as u32);
    draw_waveform(&top, view, options)?;
    draw_spectrogram(&bottom, view, options)
}

fn axis_style() -> TextStyle<'static> {
    ("sans-serif", 14).into_font().color(&FOREGROUND)
}

fn draw_waveform<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &View,
    options: &PlotOptions,
) -> Result<()> {
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(0)
        .y_label_area_size(70)
        .build_cartesian_2d(view.t0..view.t1, -1.0f64..1.0f64)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_x_axis()
        .y_labels(5)
        .y_desc("amplitude")
        .axis_style(FOREGROUND)
        .label_style(axis_style())
        .light_line_style(RGBColor(40, 40, 55))
        .bold_line_style(RGBColor(60, 60, 80))
        .draw()
        .map_err(plot_error)?;
    let (width, _) = chart.plotting_area().dim_in_pixel();
    let envelope = min_max_envelope(view.samples, width.max(1) as usize);
    let dt = (view.t1 - view.t0) / envelope.len() as f64;
    let upper = envelope.iter().enumerate().map(|(i, &(_, hi))| (view.t0 + (i as f64 + 0.5) * dt, hi as f64));
    let lower =
        envelope.iter().enumerate().rev().map(|(i, &(lo, _))| (view.t0 + (i as f64 + 0.5) * dt, lo as f64));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    chart.draw_series(std::iter::once(Polygon::new(outline, WAVE.filled()))).map_err(plot_error)?;
    let visible = |t: &&f64| (view.t0..=view.t1).contains(*t);
    let seconds_per_pixel = (view.t1 - view.t0) / f64::from(width.max(1));
    let beats: Vec<f64> = options.beats.iter().filter(visible).copied().collect();
    let spacing = beats.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
    if spacing >= 4.0 * seconds_per_pixel {
        chart
            .draw_series(
                beats.iter().map(|&t| PathElement::new(vec![(t, -1.0), (t, 1.0)], BEAT.stroke_width(1))),
            )
            .map_err(plot_error)?;
    }
    chart
        .draw_series(
            options
                .downbeats
                .iter()
                .filter(visible)
                .map(|&t| PathElement::new(vec![(t, -1.0), (t, 1.0)], DOWNBEAT.stroke_width(2))),
        )
        .map_err(plot_error)?;
    Ok(())
}

/// Min and max of each of `columns` equal slices of `samples` (a waveform's pixel columns).
fn min_max_envelope(samples: &[f32], columns: usize) -> Vec<(f32, f32)> {
    let n = samples.len();
    (0..columns)
        .map(|c| {
            let a = c * n / columns;
            let b = ((c + 1) * n / columns).max(a + 1).min(n);
            samples[a.min(n - 1)..b].iter().fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
        })
        .collect()
}

fn draw_spectrogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &View,
    options: &PlotOptions,
) -> Result<()> {
    let nyquist = view.sr / 2.0;
    let fmax = options.fmax_hz.filter(|&f| f > options.fmin_hz && f < nyquist).unwrap_or(nyquist);
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(view.t0..view.t1, (options.fmin_hz..fmax).log_scale())
        .map_err(plot_error)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let pixels = spectrogram_pixels(view, options, w as usize, h as usize, fmax)?;
    let image = plotters::element::BitMapElement::with_owned_buffer((view.t0, fmax), (w, h), pixels)
        .ok_or_else(|| Error::Output("spectrogram buffer has the wrong size".into()))?;
    chart.draw_series(std::iter::once(image)).map_err(plot_error)?;
    // The pitch track, one line per voiced run inside the view.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    for &(t, f) in &options.f0 {
        if f > options.fmin_hz && f < fmax && (view.t0..=view.t1).contains(&t) {
            run.push((t, f));
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.push(run);
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        chart.draw_series(LineSeries::new(run, PITCH.stroke_width(2))).map_err(plot_error)?;
    }
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("time (s)")
        .y_desc("frequency (Hz)")
        .x_labels(12)
        .y_labels(10)
        .y_label_formatter(&|f| {
            if *f >= 1000.0 { format!("{}k", (*f / 100.0).round() / 10.0) } else { format!("{}", f.round()) }
        })
        .axis_style(FOREGROUND)
        .label_style(axis_style())
        .draw()
        .map_err(plot_error)?;
    Ok(())
}

/// RGB pixels (row-major, top row = highest frequency) of a log-frequency spectrogram.
fn spectrogram_pixels(view: &View, options: &PlotOptions, w: usize, h: usize, fmax: f64) -> Result<Vec<u8>> {
    // 4096-point frames resolve the kick and bass (10.8 Hz bins at 44.1 kHz); the hop gives about
    // two frames per pixel column, so a long track costs the same as a short one.
    let n_fft = if view.sr > 30_000.0 { 4096 } else { 2048 };
    let hop = (view.samples.len() / (2 * w)).max(n_fft / 8).max(1);
    let stft = Stft::new(StftConfig { n_fft, hop_length: hop, ..StftConfig::default() })?;
    let spec = stft.magnitude(view.samples);
    let (n_frames, n_bins) = (spec.n_frames(), spec.n_bins());
    // Row → fractional FFT bin on a log-frequency axis (pixel centres).
    let rows: Vec<(usize, f32)> = (0..h)
        .map(|y| {
            let frac = 1.0 - (y as f64 + 0.5) / h as f64;
            let f = options.fmin_hz * (fmax / options.fmin_hz).powf(frac);
            let bin = (f * n_fft as f64 / view.sr).min((n_bins - 1) as f64);
            let lo = (bin.floor() as usize).min(n_bins.saturating_sub(2));
            (lo, (bin - lo as f64) as f32)
        })
        .collect();
    // Column → max over its frames, then rows by interpolation.
    let mut columns = vec![0f32; w * h];
    let mut peak = 0f32;
    let mut column = vec![0f32; n_bins];
    for x in 0..w {
        let a = x * n_frames / w;
        let b = ((x + 1) * n_frames / w).max(a + 1).min(n_frames);
        column.iter_mut().for_each(|c| *c = 0.0);
        for t in a.min(n_frames.saturating_sub(1))..b {
            for (c, &m) in column.iter_mut().zip(spec.frame(t)) {
                *c = c.max(m);
            }
        }
        for (y, &(lo, frac)) in rows.iter().enumerate() {
            let hi = (lo + 1).min(n_bins - 1);
            let v = column[lo] * (1.0 - frac) + column[hi] * frac;
            columns[y * w + x] = v;
            peak = peak.max(v);
        }
    }
    let reference = peak.max(1e-10);
    let top_db = options.top_db as f32;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for &v in &columns {
        let db = 20.0 * (v.max(1e-10) / reference).log10();
        let (r, g, b) = magma(((db + top_db) / top_db).clamp(0.0, 1.0));
        rgb.extend_from_slice(&[r, g, b]);
    }
    Ok(rgb)
}

/// A perceptually uniform dark-to-bright colour map (control points of matplotlib's *magma*).
fn magma(v: f32) -> (u8, u8, u8) {
    const STOPS: [(f32, f32, f32); 9] = [
        (0.0, 0.0, 4.0),
        (28.0, 16.0, 68.0),
        (79.0, 18.0, 123.0),
        (129.0, 37.0, 129.0),
        (181.0, 54.0, 122.0),
        (229.0, 80.0, 100.0),
        (251.0, 135.0, 97.0),
        (254.0, 194.0, 135.0),
        (252.0, 253.0, 191.0),
    ];
    let pos = v.clamp(0.0, 1.0) * (STOPS.len() - 1) as f32;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let t = pos - i as f32;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f32, q: f32| (p + (q - p) * t).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn test_audio() -> Audio {
        let sr = 22050;
        let samples: Vec<f32> = (0..sr * 3)
            .map(|i| {
                let t = i as f32 / sr as f32;
                0.5 * (std::f32::consts::TAU * 440.0 * t).sin()
                    * if (t * 2.0).fract() < 0.5 { 1.0 } else { 0.1 }
            })
            .collect();
        Audio::from_synth(vec![samples], sr as u32).unwrap()
    }

    #[test]
    fn png_and_svg_are_made_and_deterministic() {
        let audio = test_audio();
        let opts = PlotOptions { width: 640, height: 360, title: Some("test".into()), ..Default::default() };
        let png = overview(&audio, &opts, ImageFormat::Png).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(png, overview(&audio, &opts, ImageFormat::Png).unwrap());
        let svg = String::from_utf8(overview(&audio, &opts, ImageFormat::Svg).unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<image") && svg.contains("time (s)"));
    }

    #[test]
    fn the_tone_is_bright_at_its_frequency() {
        let audio = test_audio();
        let opts = PlotOptions::default();
        let view = View { samples: audio.channel(0), sr: 22050.0, t0: 0.0, t1: 3.0 };
        let (w, h) = (300, 200);
        let px = spectrogram_pixels(&view, &opts, w, h, 11025.0).unwrap();
        let row_of = |f: f64| ((1.0 - (f / 20.0).ln() / (11025.0f64 / 20.0).ln()) * h as f64) as usize;
        let brightness = |row: usize| -> u32 { (0..w).map(|x| px[(row * w + x) * 3] as u32).sum() };
        assert!(brightness(row_of(440.0)) > 3 * brightness(row_of(3000.0)));
    }

    #[test]
    fn bad_options_are_errors() {
        let audio = test_audio();
        let bad = [
            PlotOptions { width: 10, ..Default::default() },
            PlotOptions { from_s: Some(2.0), to_s: Some(1.0), ..Default::default() },
            PlotOptions { from_s: Some(5.0), ..Default::default() },
            PlotOptions { from_s: Some(f64::NAN), ..Default::default() },
            PlotOptions { fmin_hz: 0.0, ..Default::default() },
        ];
        for opts in bad {
            assert!(overview(&audio, &opts, ImageFormat::Png).is_err(), "{opts:?}");
        }
        assert!(ImageFormat::from_path(Path::new("x.jpg")).is_err());
    }
}
