//! Heatmap panels: log-frequency STFT, mel, constant-Q and chroma. Each is computed per pixel
//! column, mapped to pixel rows, coloured with magma and blitted as one image.

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::colour::{PITCH, magma};
use super::columns::frames_per_column;
use super::{Ctx, KeyAxis, chart_on, draw_axes, plot_error, plotting_pixels};
use crate::spectral::cqt::{Cqt, CqtConfig};
use crate::spectral::{
    ChromaConfig, ChromaFilterbank, MelConfig, MelFilterbank, Spectrogram, hz_to_mel, mel_to_hz,
};
use crate::{Error, Result};

/// MIDI number of C1, the lowest note of the CQT panel.
const CQT_FMIN_MIDI: f64 = 24.0;
/// Bins per octave of the CQT panel.
const CQT_BINS_PER_OCTAVE: usize = 24;
/// Pitch-class names, C first.
const PITCH_CLASSES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// Row → `(lower source row, fraction towards the next)`: linear interpolation between the
/// rows of a column for each pixel row (pixel row 0 at the top).
type RowMap = Vec<(usize, f32)>;

fn row_map(h: usize, n_rows: usize, position: impl Fn(f64) -> f64) -> RowMap {
    (0..h)
        .map(|y| {
            // `position` maps the pixel centre's height in [0, 1] (0 = bottom) to a source row.
            let r = position(1.0 - (y as f64 + 0.5) / h as f64).clamp(0.0, (n_rows - 1) as f64);
            let lo = (r.floor() as usize).min(n_rows.saturating_sub(2));
            (lo, (r - lo as f64).clamp(0.0, 1.0) as f32)
        })
        .collect()
}

/// RGB pixels of `columns` (one frame per pixel column, `v(value)` in `[0, 1]` its colour).
fn pixels(columns: &Spectrogram, rows: &RowMap, v: impl Fn(f32) -> f32) -> Vec<u8> {
    let (w, n) = (columns.n_frames(), columns.n_bins());
    let mut rgb = vec![0u8; w * rows.len() * 3];
    for (x, column) in columns.frames().enumerate() {
        for (y, &(lo, frac)) in rows.iter().enumerate() {
            let hi = (lo + 1).min(n - 1);
            let value = column[lo] * (1.0 - frac) + column[hi] * frac;
            rgb[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&magma(v(value)));
        }
    }
    rgb
}

/// Colour position of a value in dB below `reference` (`factor` 10 for power, 20 for amplitude).
fn db_scale(reference: f32, factor: f32, top_db: f64) -> impl Fn(f32) -> f32 {
    let reference = reference.max(1e-20);
    let top_db = top_db as f32;
    move |x: f32| (factor * (x.max(1e-20) / reference).log10() + top_db) / top_db
}

fn blit<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    top: (f64, f64),
    (w, h): (u32, u32),
    rgb: Vec<u8>,
) -> Result<()> {
    let image = BitMapElement::with_owned_buffer(top, (w, h), rgb)
        .ok_or_else(|| Error::Output("heatmap buffer has the wrong size".into()))?;
    chart.draw_series(std::iter::once(image)).map_err(plot_error)?;
    Ok(())
}

/// The pitch track, one line per voiced run inside the view, at `to_y(f0)`.
fn draw_f0<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    ctx: &Ctx,
    to_y: impl Fn(f64) -> Option<f64>,
) -> Result<()> {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(t, f) in &ctx.options.f0 {
        match to_y(f).filter(|_| (ctx.t0..=ctx.t1).contains(&t)) {
            Some(y) => runs.last_mut().into_iter().for_each(|r| r.push((t, y))),
            None => runs.push(Vec::new()),
        }
    }
    for run in runs.into_iter().filter(|r| r.len() > 1) {
        chart.draw_series(LineSeries::new(run, PITCH.stroke_width(2))).map_err(plot_error)?;
    }
    Ok(())
}

fn hz_label(f: f64) -> String {
    if f >= 1000.0 { format!("{}k", (f / 100.0).round() / 10.0) } else { format!("{}", f.round()) }
}

/// [`super::Panel::Spectrogram`]: the column peak magnitudes on a log-frequency axis.
pub(super) fn draw_spectrogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    let (fmin, fmax) = (ctx.options.fmin_hz, ctx.fmax);
    let mut chart = chart_on(area, ctx, (fmin..fmax).log_scale(), last)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let rgb = spectrogram_pixels(ctx, w as usize, h as usize)?;
    blit(&mut chart, (ctx.t0, fmax), (w, h), rgb)?;
    draw_f0(&mut chart, ctx, |f| (f > fmin && f < fmax).then_some(f))?;
    draw_axes(&mut chart, last, "frequency (Hz)", 10, &|f| hz_label(*f), false)?;
    Ok(plotting_pixels(&chart))
}

/// RGB pixels (row-major, top row = highest frequency) of the log-frequency spectrogram.
pub(super) fn spectrogram_pixels(ctx: &Ctx, w: usize, h: usize) -> Result<Vec<u8>> {
    let spectrum = ctx.spectrum(w)?;
    let (fmin, fmax) = (ctx.options.fmin_hz, ctx.fmax);
    let columns = &spectrum.max_magnitude;
    let bins_per_hz = spectrum.n_fft as f64 / spectrum.sr;
    let rows = row_map(h, columns.n_bins(), |u| fmin * (fmax / fmin).powf(u) * bins_per_hz);
    // The colour reference is the loudest pixel of the picture, as drawn.
    let peak = rows
        .iter()
        .flat_map(|&(lo, _)| columns.frames().map(move |c| c[lo].max(c[(lo + 1).min(c.len() - 1)])))
        .fold(0f32, f32::max);
    Ok(pixels(columns, &rows, db_scale(peak, 20.0, ctx.options.top_db)))
}

/// [`super::Panel::Mel`]: 128 mel bands of the column mean power, in dB, on a mel axis.
pub(super) fn draw_mel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    let top = hz_to_mel(ctx.fmax, false);
    // Round frequencies, at least 7 % of the axis apart.
    let mut ticks: Vec<f64> = Vec::new();
    for f in [100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0] {
        let m = hz_to_mel(f, false);
        if f < ctx.fmax && ticks.last().is_none_or(|&p| m - p >= 0.07 * top) && m >= 0.07 * top {
            ticks.push(m);
        }
    }
    let mut chart = chart_on(area, ctx, KeyAxis::new(0.0, top, ticks), last)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let rgb = mel_pixels(ctx, w as usize, h as usize)?;
    blit(&mut chart, (ctx.t0, top), (w, h), rgb)?;
    draw_f0(&mut chart, ctx, |f| (f > 0.0 && f < ctx.fmax).then(|| hz_to_mel(f, false)))?;
    draw_axes(&mut chart, last, "mel (Hz)", 10, &|m| hz_label(mel_to_hz(*m, false)), false)?;
    Ok(plotting_pixels(&chart))
}

/// Number of mel bands of the mel panel.
pub(super) const N_MELS: usize = 128;

pub(super) fn mel_pixels(ctx: &Ctx, w: usize, h: usize) -> Result<Vec<u8>> {
    let spectrum = ctx.spectrum(w)?;
    let config = MelConfig { n_mels: N_MELS, fmin: 0.0, fmax: Some(ctx.fmax), ..MelConfig::default() };
    let bank = MelFilterbank::from_config(spectrum.sr, spectrum.n_fft, &config)?;
    let mel = bank.apply(&spectrum.mean_power)?;
    // Band i is centred at mel (i + 1) · top / (n_mels + 1).
    let rows = row_map(h, N_MELS, |u| u * (N_MELS + 1) as f64 - 1.0);
    Ok(pixels(&mel, &rows, db_scale(mel.max(), 10.0, ctx.options.top_db)))
}

/// [`super::Panel::Cqt`]: log-magnitude constant-Q transform on a note axis.
pub(super) fn draw_cqt<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    let n_bins = cqt_octaves(ctx.sr)? * CQT_BINS_PER_OCTAVE;
    let half = 6.0 / CQT_BINS_PER_OCTAVE as f64;
    let (lo, hi) = (CQT_FMIN_MIDI - half, CQT_FMIN_MIDI + (n_bins - 1) as f64 * 2.0 * half + half);
    let ticks: Vec<f64> = (0..=10).map(|o| CQT_FMIN_MIDI + 12.0 * o as f64).filter(|&m| m <= hi).collect();
    let mut chart = chart_on(area, ctx, KeyAxis::new(lo, hi, ticks), last)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let rgb = cqt_pixels(ctx, w as usize, h as usize)?;
    blit(&mut chart, (ctx.t0, hi), (w, h), rgb)?;
    draw_f0(&mut chart, ctx, |f| {
        let m = crate::spectral::hz_to_midi(f);
        (f > 0.0 && m > lo && m < hi).then_some(m)
    })?;
    let note = |m: &f64| {
        let m = m.round() as i64;
        format!("{}{}", PITCH_CLASSES[m.rem_euclid(12) as usize], m.div_euclid(12) - 1)
    };
    draw_axes(&mut chart, last, "note", 10, &note, false)?;
    Ok(plotting_pixels(&chart))
}

/// Octaves of the CQT panel: 7 from C1, fewer when the top would pass 0.45 · sr.
fn cqt_octaves(sr: f64) -> Result<usize> {
    let fmin = crate::spectral::midi_to_hz(CQT_FMIN_MIDI);
    let octaves = ((0.45 * sr / fmin).log2().floor() as usize).min(7);
    crate::ensure_param!(octaves >= 1, "a sample rate of {sr} Hz is too low for the CQT panel");
    Ok(octaves)
}

/// The CQT magnitude of each of `w` pixel columns (max over the column's frames).
/// `mono[first..last]` is the view, the rest its context.
pub(super) fn cqt_columns(mono: &[f32], first: usize, last: usize, sr: f64, w: usize) -> Result<Spectrogram> {
    let octaves = cqt_octaves(sr)?;
    let n = last - first;
    // A hop of about half a column, a multiple of 2^(octaves − 1) so every octave keeps an
    // integer hop.
    let q = 1usize << (octaves - 1);
    let hop = (((n as f64 / w as f64 / 2.0) / q as f64).round() as usize).max(1) * q;
    let config = CqtConfig {
        hop_length: hop,
        fmin: crate::spectral::midi_to_hz(CQT_FMIN_MIDI),
        n_bins: octaves * CQT_BINS_PER_OCTAVE,
        bins_per_octave: CQT_BINS_PER_OCTAVE,
        ..CqtConfig::default()
    };
    let cqt = Cqt::new(sr, &config)?;
    // Context: half the longest filter on each side of the view.
    let context = (cqt.filter_lengths().iter().fold(0f64, |a, &b| a.max(b)) / 2.0).ceil() as usize;
    let start = first.saturating_sub(context);
    let end = (last + context).min(mono.len());
    let magnitude = cqt.magnitude(&mono[start..end])?;
    let n_bins = magnitude.n_bins();
    let groups = frames_per_column(magnitude.n_frames(), |t| (start + t * hop) as f64, first, n, w);
    let mut columns = vec![0f32; w * n_bins];
    for (column, frames) in columns.chunks_exact_mut(n_bins).zip(groups) {
        for t in frames {
            for (c, &m) in column.iter_mut().zip(magnitude.frame(t)) {
                *c = c.max(m);
            }
        }
    }
    Spectrogram::new(n_bins, w, columns)
}

pub(super) fn cqt_pixels(ctx: &Ctx, w: usize, h: usize) -> Result<Vec<u8>> {
    let computed;
    let columns = match ctx.cqt.get().filter(|c| c.n_frames() == w) {
        Some(c) => c,
        None => {
            computed = cqt_columns(&ctx.mono, ctx.first, ctx.last, ctx.sr, w)?;
            &computed
        }
    };
    let n_bins = columns.n_bins();
    let rows = row_map(h, n_bins, |u| u * n_bins as f64 - 0.5);
    Ok(pixels(columns, &rows, db_scale(columns.max(), 20.0, ctx.options.top_db)))
}

/// [`super::Panel::Chroma`]: 12 pitch classes per column, C at the bottom.
pub(super) fn draw_chroma<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    // The natural notes (twelve labels would not fit a small panel).
    let ticks: Vec<f64> = [0, 2, 4, 5, 7, 9, 11].into_iter().map(|k| k as f64 + 0.5).collect();
    let mut chart = chart_on(area, ctx, KeyAxis::new(0.0, 12.0, ticks), last)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let rgb = chroma_pixels(ctx, w as usize, h as usize)?;
    blit(&mut chart, (ctx.t0, 12.0), (w, h), rgb)?;
    let class = |v: &f64| PITCH_CLASSES[(v.floor().max(0.0) as usize).min(11)].to_string();
    draw_axes(&mut chart, last, "pitch class", 12, &class, false)?;
    Ok(plotting_pixels(&chart))
}

pub(super) fn chroma_pixels(ctx: &Ctx, w: usize, h: usize) -> Result<Vec<u8>> {
    let spectrum = ctx.spectrum(w)?;
    let config = ChromaConfig { frame_norm: None, ..ChromaConfig::default() };
    let bank = ChromaFilterbank::new(spectrum.sr, spectrum.n_fft, &config)?;
    let mut chroma = bank.apply(&spectrum.mean_power)?;
    // Max-normalise each column, but leave columns far below the loudest one dark (librosa
    // would normalise silence into noise).
    let energy: Vec<f32> = spectrum.mean_power.frames().map(|f| f.iter().sum()).collect();
    let floor = energy.iter().fold(0f32, |a, &b| a.max(b)) * 10f32.powf(-(ctx.options.top_db as f32) / 10.0);
    for (column, &e) in chroma.frames_mut().zip(&energy) {
        let top = column.iter().fold(0f32, |a, &b| a.max(b));
        let k = if e > floor && top > 0.0 { 1.0 / top } else { 0.0 };
        column.iter_mut().for_each(|v| *v *= k);
    }
    // Nearest class: rows are constant within a pitch class.
    let rows: RowMap = (0..h)
        .map(|y| {
            let u = 1.0 - (y as f64 + 0.5) / h as f64;
            (((u * 12.0).floor() as usize).min(11), 0.0)
        })
        .collect();
    Ok(pixels(&chroma, &rows, |v| v))
}
