//! Per-pixel-column summaries of the view, shared by the panels: the waveform envelope and the
//! column spectra (mean power and peak magnitude of a few STFT frames spread over each column).

use std::ops::Range;

use rayon::prelude::*;

use crate::Result;
use crate::spectral::{Spectrogram, Stft, StftConfig};

/// Waveform summary of each pixel column: min, max and RMS of its samples.
pub(super) struct Envelope {
    pub min: Vec<f32>,
    pub max: Vec<f32>,
    pub rms: Vec<f32>,
}

/// The sample range `[a, b)` of column `x` of `w` over `n` samples (never empty when `n > 0`).
pub(super) fn column_span(x: usize, w: usize, n: usize) -> Range<usize> {
    let a = (x * n / w).min(n.saturating_sub(1));
    let b = ((x + 1) * n / w).max(a + 1).min(n);
    a..b
}

impl Envelope {
    /// Summaries of `w` equal slices of `samples` (not empty).
    pub fn new(samples: &[f32], w: usize) -> Envelope {
        let n = samples.len();
        let stats: Vec<(f32, f32, f32)> = (0..w)
            .into_par_iter()
            .map(|x| {
                let seg = &samples[column_span(x, w, n)];
                let (lo, hi, sq) = seg.iter().fold((f32::MAX, f32::MIN, 0.0f64), |(lo, hi, sq), &s| {
                    (lo.min(s), hi.max(s), sq + f64::from(s) * f64::from(s))
                });
                (lo, hi, (sq / seg.len().max(1) as f64).sqrt() as f32)
            })
            .collect();
        Envelope {
            min: stats.iter().map(|s| s.0).collect(),
            max: stats.iter().map(|s| s.1).collect(),
            rms: stats.iter().map(|s| s.2).collect(),
        }
    }
}

/// STFT of the view summarised per pixel column: each column's frames (at least one, spaced
/// at most `n_fft` apart so every sample is seen) are averaged in power and maxed in magnitude.
pub(super) struct SpectrumColumns {
    pub sr: f64,
    pub n_fft: usize,
    /// Pixel columns.
    pub w: usize,
    /// Mean power of each column, `w` frames of `n_fft / 2 + 1` bins.
    pub mean_power: Spectrogram,
    /// Peak magnitude of each column, `w` frames of `n_fft / 2 + 1` bins.
    pub max_magnitude: Spectrogram,
}

/// FFT size of the column spectra: about 93 ms, which resolves the kick and bass (10.8 Hz
/// bins at 44.1 kHz).
pub(super) fn n_fft_for(sr: f64) -> usize {
    if sr <= 30_000.0 {
        2048
    } else if sr <= 60_000.0 {
        4096
    } else {
        8192
    }
}

impl SpectrumColumns {
    /// Column spectra of `mono[first..last]` over `w` columns; frames near the view's edges
    /// read the samples around it (zeros beyond the signal).
    pub fn new(mono: &[f32], first: usize, last: usize, sr: f64, w: usize) -> Result<SpectrumColumns> {
        let n_fft = n_fft_for(sr);
        let n_bins = n_fft / 2 + 1;
        let col_len = (last - first) as f64 / w as f64;
        let per_column = ((col_len / n_fft as f64).ceil() as usize).max(1);
        let hop = ((col_len / per_column as f64).round() as usize).max(1);
        let stft =
            Stft::new(StftConfig { n_fft, hop_length: hop, center: false, ..StftConfig::with_n_fft(n_fft) })?;
        let span = n_fft + (per_column - 1) * hop;
        let mut mean_power = vec![0f32; w * n_bins];
        let mut max_magnitude = vec![0f32; w * n_bins];
        mean_power
            .par_chunks_mut(n_bins)
            .zip(max_magnitude.par_chunks_mut(n_bins))
            .enumerate()
            .for_each_init(
                || (Spectrogram::zeros(n_bins, 0), vec![0f32; span]),
                |(power, buf), (x, (mean, peak))| {
                    // Frames centred around the column's centre, `hop` apart.
                    let centre = first as f64 + (x as f64 + 0.5) * col_len;
                    let start =
                        (centre - ((per_column - 1) * hop) as f64 / 2.0).round() as i64 - (n_fft / 2) as i64;
                    let seg: &[f32] = if start >= 0 && start as usize + span <= mono.len() {
                        &mono[start as usize..start as usize + span]
                    } else {
                        for (i, b) in buf.iter_mut().enumerate() {
                            let j = start + i as i64;
                            *b = if j >= 0 && (j as usize) < mono.len() { mono[j as usize] } else { 0.0 };
                        }
                        &buf[..]
                    };
                    stft.power_into(seg, power);
                    let k = 1.0 / power.n_frames().max(1) as f32;
                    for frame in power.frames() {
                        for ((m, p), &v) in mean.iter_mut().zip(peak.iter_mut()).zip(frame) {
                            *m += v * k;
                            *p = p.max(v);
                        }
                    }
                    peak.iter_mut().for_each(|p| *p = p.sqrt());
                },
            );
        Ok(SpectrumColumns {
            sr,
            n_fft,
            w,
            mean_power: Spectrogram::new(n_bins, w, mean_power)?,
            max_magnitude: Spectrogram::new(n_bins, w, max_magnitude)?,
        })
    }

    /// Energy of each column between `lo` and `hi` Hz (sum of mean power over those bins).
    pub fn band_energy(&self, lo: f64, hi: f64) -> Vec<f32> {
        let bin_hz = self.sr / self.n_fft as f64;
        let a = (lo / bin_hz).ceil() as usize;
        let b = ((hi / bin_hz).ceil() as usize).min(self.mean_power.n_bins());
        self.mean_power.frames().map(|f| if a < b { f[a..b].iter().sum() } else { 0.0 }).collect()
    }
}

/// The frames belonging to each of `w` pixel columns, for frames centred at sample
/// `centre(t)`, `t < n_frames`, increasing: those whose centre lies in the column, or the
/// nearest one when none does. `n` is the view length in samples from `first`.
pub(super) fn frames_per_column(
    n_frames: usize,
    centre: impl Fn(usize) -> f64,
    first: usize,
    n: usize,
    w: usize,
) -> Vec<Range<usize>> {
    let col_len = n as f64 / w as f64;
    let mut out = Vec::with_capacity(w);
    let mut t = 0usize;
    for x in 0..w {
        let (a, b) = (first as f64 + x as f64 * col_len, first as f64 + (x + 1) as f64 * col_len);
        while t < n_frames && centre(t) < a {
            t += 1;
        }
        let start = t;
        let mut end = t;
        while end < n_frames && centre(end) < b {
            end += 1;
        }
        if end > start {
            out.push(start..end);
        } else if n_frames == 0 {
            out.push(0..0);
        } else {
            // The nearest frame to the column's centre.
            let mid = (a + b) / 2.0;
            let after = t.min(n_frames - 1);
            let before = t.saturating_sub(1);
            let k = if (centre(before) - mid).abs() <= (centre(after) - mid).abs() { before } else { after };
            out.push(k..k + 1);
        }
    }
    out
}
