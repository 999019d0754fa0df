//! Waveform panels: the min/max envelope, and the DJ-style 3-band coloured waveform.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colour::{self, BACKGROUND, WAVE};
use super::columns::Envelope;
use super::{Ctx, chart_on, draw_axes, plot_error, plotting_pixels};
use crate::{Error, Result};

/// Upper edges of the 3-band waveform's bands in Hz (lows from 20 Hz: no DC offset).
pub(super) const BANDS_HZ: [f64; 4] = [20.0, 200.0, 2000.0, f64::INFINITY];

fn amplitude_label(v: &f64) -> String {
    format!("{v:.1}")
}

/// [`super::Panel::Waveform`]: the min/max envelope as one polygon.
pub(super) fn draw_min_max<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    let mut chart = chart_on(area, ctx, -1.0f64..1.0f64, last)?;
    draw_axes(&mut chart, last, "amplitude", 5, &amplitude_label, true)?;
    let (width, _) = chart.plotting_area().dim_in_pixel();
    let envelope = Envelope::new(ctx.view(), width.max(1) as usize);
    let n = envelope.min.len();
    let dt = (ctx.t1 - ctx.t0) / n as f64;
    let x = |i: usize| ctx.t0 + (i as f64 + 0.5) * dt;
    let upper = envelope.max.iter().enumerate().map(|(i, &hi)| (x(i), f64::from(hi).clamp(-1.0, 1.0)));
    let lower = envelope.min.iter().enumerate().rev().map(|(i, &lo)| (x(i), f64::from(lo).clamp(-1.0, 1.0)));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    chart.draw_series(std::iter::once(Polygon::new(outline, WAVE.filled()))).map_err(plot_error)?;
    Ok(plotting_pixels(&chart))
}

/// [`super::Panel::Waveform3`]: per pixel column, a symmetric bar as high as the column's peak
/// (its inner part, up to the RMS, brighter), coloured by the column's band amplitudes
/// ([`colour::band_mix`]). Rendered into one pixel buffer.
pub(super) fn draw_three_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    last: bool,
) -> Result<DrawingArea<DB, Shift>> {
    let mut chart = chart_on(area, ctx, -1.0f64..1.0f64, last)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (w, h) = (w.max(1), h.max(1));
    let pixels = three_band_pixels(ctx, w as usize, h as usize)?;
    let image = BitMapElement::with_owned_buffer((ctx.t0, 1.0), (w, h), pixels)
        .ok_or_else(|| Error::Output("waveform buffer has the wrong size".into()))?;
    chart.draw_series(std::iter::once(image)).map_err(plot_error)?;
    draw_axes(&mut chart, last, "amplitude", 5, &amplitude_label, false)?;
    Ok(plotting_pixels(&chart))
}

/// The colour of each column of the 3-band waveform.
pub(super) fn three_band_colours(ctx: &Ctx, w: usize) -> Result<Vec<[u8; 3]>> {
    let spectrum = ctx.spectrum(w)?;
    let bands: Vec<Vec<f32>> = BANDS_HZ.windows(2).map(|b| spectrum.band_energy(b[0], b[1])).collect();
    Ok((0..w).map(|x| colour::band_mix(bands[0][x].sqrt(), bands[1][x].sqrt(), bands[2][x].sqrt())).collect())
}

/// RGB pixels (row-major) of the 3-band waveform, amplitude ±1 over the full height.
pub(super) fn three_band_pixels(ctx: &Ctx, w: usize, h: usize) -> Result<Vec<u8>> {
    let envelope = Envelope::new(ctx.view(), w);
    let colours = three_band_colours(ctx, w)?;
    let bg = [BACKGROUND.0, BACKGROUND.1, BACKGROUND.2];
    let mut rgb = bg.repeat(w * h);
    let centre = (h as f64 - 1.0) / 2.0;
    for x in 0..w {
        let peak = f64::from(envelope.max[x].abs().max(envelope.min[x].abs())).min(1.0);
        let rms = f64::from(envelope.rms[x]).min(peak);
        let outer = colour::dim(colours[x], 0.62);
        let (half_peak, half_rms) = (peak * h as f64 / 2.0, rms * h as f64 / 2.0);
        for y in 0..h {
            let d = (y as f64 - centre).abs();
            let c = if d <= half_rms {
                colours[x]
            } else if d <= half_peak {
                outer
            } else {
                continue;
            };
            rgb[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&c);
        }
    }
    Ok(rgb)
}
