//! Tuning: how far a recording's pitches sit from the A4 = 440 Hz equal-tempered grid.
//!
//! Method (after Gómez 2006, "Tonal description of music audio signals", PhD thesis, §3.3,
//! and essentia's `TuningFrequency`): the sinusoidal peaks of a Hann-windowed STFT
//! (~0.19 s frames) between 100 Hz and 4 kHz that stand at least 15 dB above the local spectral
//! floor (the median magnitude over ±16 bins) are located to a fraction of a bin with the exact
//! Hann-window interpolation of Grandke (1983, "Interpolation algorithms for discrete Fourier
//! transforms of weighted signals", IEEE Trans. Instrum. Meas. 32(2)): for a peak in bin `k`
//! with larger neighbour ratio `a = |X[k±1]| / |X[k]|`, the offset is `±(2a − 1)/(a + 1)` bins.
//! Each peak's deviation from the nearest equal-tempered pitch, folded into one semitone
//! (100 cents), is accumulated with weight amplitude / frequency (low partials count more: high
//! partials are stretched sharp by inharmonicity) into a circular histogram of 1-cent bins
//! smoothed by a Gaussian (σ = 2 cents). The histogram's mode is refined by the
//! weighted circular mean of the deviations within ±10 cents of it.
//!
//! Sign: a positive deviation means sharp (A4 above 440 Hz). Silence, noise and other signals
//! without tonal peaks give [`Error::NoResult`]. Long signals are analysed on at most
//! [`TuningConfig::max_frames`] frames spread evenly over the whole signal.

use rayon::prelude::*;
use realfft::RealFftPlanner;
use serde::{Deserialize, Serialize};

use crate::spectral::Window;
use crate::{Error, Result, ensure_param};

/// A tuning: the deviation of A4 from 440 Hz.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tuning {
    /// Deviation from A440 equal temperament in cents, in `(−50, 50]`.
    pub cents: f64,
    /// The A4 of this tuning in Hz: `440 · 2^(cents / 1200)`.
    pub a4_hz: f64,
}

impl Tuning {
    /// The tuning `cents` away from A440, folded into `(−50, 50]` (a tuning 100 cents off is
    /// the same grid).
    pub fn from_cents(cents: f64) -> Tuning {
        let mut c = (cents + 50.0).rem_euclid(100.0) - 50.0;
        if c <= -50.0 {
            c += 100.0;
        }
        Tuning { cents: c, a4_hz: 440.0 * 2f64.powf(c / 1200.0) }
    }

    /// The tuning of a grid with A4 at `a4_hz` Hz (folded as [`Tuning::from_cents`]).
    ///
    /// Errors: `a4_hz` not positive and finite.
    pub fn from_a4(a4_hz: f64) -> Result<Tuning> {
        ensure_param!(a4_hz.is_finite() && a4_hz > 0.0, "A4 must be a positive frequency, got {a4_hz} Hz");
        Ok(Tuning::from_cents(1200.0 * (a4_hz / 440.0).log2()))
    }

    /// The tuning as librosa's `tuning` argument: a fraction of one of `bins_per_octave` bins
    /// per octave, folded into `[−0.5, 0.5)` (for the CQT and chroma filterbanks).
    pub fn bins(&self, bins_per_octave: usize) -> f64 {
        let x = self.cents * bins_per_octave as f64 / 1200.0;
        x - (x + 0.5).floor()
    }
}

/// Parameters of [`estimate_tuning_with`]; `Default` is what [`estimate_tuning`] uses.
#[derive(Clone, Debug, PartialEq)]
pub struct TuningConfig {
    /// Lowest peak frequency considered, Hz: 100 by default, above the body of a techno kick
    /// (40–65 Hz, tuned to no particular note), which otherwise decides the tuning of the
    /// bundled demo (−35 cents for a track made at A440).
    pub min_hz: f64,
    /// Highest peak frequency considered, Hz (high partials of strings and pianos are stretched
    /// sharp by inharmonicity).
    pub max_hz: f64,
    /// Frame length in seconds, rounded to a power-of-two number of samples.
    pub frame_seconds: f64,
    /// At most this many (non-overlapping) frames are analysed, spread evenly over the signal.
    pub max_frames: usize,
    /// A peak must stand this many dB above the median magnitude of the 33 bins around it.
    pub min_prominence_db: f64,
    /// Peaks whose amplitude is below this many dB re full scale are ignored.
    pub floor_db: f64,
}

impl Default for TuningConfig {
    fn default() -> Self {
        TuningConfig {
            min_hz: 100.0,
            max_hz: 4000.0,
            frame_seconds: 0.186,
            max_frames: 1000,
            min_prominence_db: 15.0,
            floor_db: -90.0,
        }
    }
}

/// Half-width in bins of the neighbourhood whose median is the local floor.
const FLOOR_HALF_WIDTH: usize = 16;
/// Width of the histogram smoothing (Gaussian σ) and of the refinement window, cents.
const SMOOTH_CENTS: f64 = 2.0;
const REFINE_CENTS: f64 = 10.0;

/// Estimate the tuning of `y` (mono, `sr` Hz) with the default [`TuningConfig`].
///
/// Errors: [`Error::NoResult`] when there is no tonal peak (silence, noise);
/// [`Error::InvalidInput`] for an empty signal; [`Error::InvalidParameter`] for a bad `sr`.
pub fn estimate_tuning(y: &[f32], sr: f64) -> Result<Tuning> {
    estimate_tuning_with(y, sr, &TuningConfig::default())
}

/// Estimate the tuning of `y` (mono, `sr` Hz); see the module documentation for the method.
///
/// Errors: as [`estimate_tuning`], and [`Error::InvalidParameter`] for a bad configuration.
pub fn estimate_tuning_with(y: &[f32], sr: f64, config: &TuningConfig) -> Result<Tuning> {
    ensure_param!(sr.is_finite() && sr > 0.0, "the sample rate must be positive, got {sr} Hz");
    ensure_param!(
        config.min_hz.is_finite()
            && config.min_hz > 0.0
            && config.max_hz.is_finite()
            && config.max_hz > config.min_hz,
        "the peak band {}..{} Hz is not a valid band",
        config.min_hz,
        config.max_hz
    );
    ensure_param!(
        config.frame_seconds.is_finite() && config.frame_seconds > 0.0,
        "the frame length must be positive, got {} s",
        config.frame_seconds
    );
    ensure_param!(config.max_frames >= 1, "max_frames must be at least 1");
    ensure_param!(config.min_prominence_db.is_finite(), "min_prominence_db must be finite");
    ensure_param!(!config.floor_db.is_nan(), "floor_db must be a number");
    if y.is_empty() {
        return Err(Error::InvalidInput("cannot estimate the tuning of an empty signal".into()));
    }
    let n_fft =
        2f64.powf((config.frame_seconds * sr).log2().round()).clamp(256.0, (1u64 << 20) as f64) as usize;
    let peaks = tonal_peaks(y, sr, n_fft, config)?;
    // Weight: amplitude over frequency. Higher partials of strings and pianos are stretched
    // sharp by inharmonicity (partial n sits ~866·B·n² cents high); favouring the low partials
    // keeps that bias out (measured on the A4 = 432 Hz guitars: −29.6/−30.5 cents with plain
    // amplitude weights, −31.1/−30.9 with these; truth −31.8).
    let (devs, weights): (Vec<f64>, Vec<f64>) =
        peaks.iter().map(|&(f, a)| (deviation_cents(f), a / f)).unzip();
    tuning_from_deviations(&devs, &weights)
}

/// Deviation in cents of `hz` from the nearest pitch of the A440 equal-tempered grid, in
/// `[−50, 50]`.
pub fn deviation_cents(hz: f64) -> f64 {
    let cents = 1200.0 * (hz / 440.0).log2();
    cents - 100.0 * (cents / 100.0).round()
}

/// The tuning from deviations in cents (any range; folded modulo 100) and their weights: the
/// mode of the smoothed circular histogram, refined by the weighted circular mean around it.
///
/// Errors: [`Error::NoResult`] when no deviation has a positive finite weight;
/// [`Error::InvalidParameter`] when the slices differ in length.
pub fn tuning_from_deviations(deviations: &[f64], weights: &[f64]) -> Result<Tuning> {
    ensure_param!(
        deviations.len() == weights.len(),
        "{} deviations but {} weights",
        deviations.len(),
        weights.len()
    );
    const N: usize = 100;
    let mut hist = [0.0f64; N];
    let mut total = 0.0;
    for (&d, &w) in deviations.iter().zip(weights) {
        if !(w.is_finite() && w > 0.0 && d.is_finite()) {
            continue;
        }
        // Position in [0, 100) cents, linear interpolation between the two nearest bins.
        let pos = d.rem_euclid(100.0);
        let lo = pos.floor();
        let frac = pos - lo;
        let lo = lo as usize % N;
        hist[lo] += w * (1.0 - frac);
        hist[(lo + 1) % N] += w * frac;
        total += w;
    }
    if total <= 0.0 {
        return Err(Error::NoResult("no tonal peak to estimate the tuning from".into()));
    }
    let radius = (4.0 * SMOOTH_CENTS).ceil() as i64;
    let smoothed: Vec<f64> = (0..N as i64)
        .map(|i| {
            (-radius..=radius)
                .map(|o| {
                    hist[(i + o).rem_euclid(N as i64) as usize]
                        * (-0.5 * (o as f64 / SMOOTH_CENTS).powi(2)).exp()
                })
                .sum()
        })
        .collect();
    // First maximum: deterministic on ties.
    let mode =
        smoothed.iter().enumerate().fold(0usize, |best, (i, &v)| if v > smoothed[best] { i } else { best });
    let mode = mode as f64;
    // Weighted circular mean of the deviations near the mode (angles on the 100-cent circle).
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for (&d, &w) in deviations.iter().zip(weights) {
        if !(w.is_finite() && w > 0.0 && d.is_finite()) {
            continue;
        }
        let diff = (d - mode + 50.0).rem_euclid(100.0) - 50.0;
        if diff.abs() <= REFINE_CENTS {
            let angle = 2.0 * std::f64::consts::PI * diff / 100.0;
            s += w * angle.sin();
            c += w * angle.cos();
        }
    }
    let offset = if s == 0.0 && c == 0.0 { 0.0 } else { s.atan2(c) * 100.0 / (2.0 * std::f64::consts::PI) };
    Ok(Tuning::from_cents(mode + offset))
}

/// Interpolated frequency (Hz) and amplitude of every tonal peak of the analysed frames, in
/// frame order then frequency order.
fn tonal_peaks(y: &[f32], sr: f64, n_fft: usize, config: &TuningConfig) -> Result<Vec<(f64, f64)>> {
    let hop = n_fft;
    let n_avail = if y.len() <= n_fft { 1 } else { 1 + (y.len() - n_fft) / hop };
    let n_frames = n_avail.min(config.max_frames);
    let starts: Vec<usize> = (0..n_frames).map(|i| (i * n_avail / n_frames) * hop).collect();
    let window = Window::Hann.periodic(n_fft)?;
    let window_sum: f64 = window.iter().map(|&w| w as f64).sum();
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n_fft);
    let bin_hz = sr / n_fft as f64;
    let k_lo = ((config.min_hz / bin_hz).floor() as usize).max(2);
    let k_hi = ((config.max_hz / bin_hz).ceil() as usize).min(n_fft / 2 - 2);
    let floor = 10f64.powf(config.floor_db / 20.0);
    // A peak stands `min_prominence_db` above the median of its neighbourhood exactly when at
    // least half of the neighbourhood (plus one) lies below `peak / prominence`: a count, in
    // the power domain, instead of a sort per peak.
    let prominence_power = 10f64.powf(config.min_prominence_db / 10.0) as f32;
    let per_frame: Vec<Vec<(f64, f64)>> = starts
        .par_iter()
        .map_init(
            || {
                (
                    fft.make_input_vec(),
                    fft.make_output_vec(),
                    fft.make_scratch_vec(),
                    vec![0.0f32; n_fft / 2 + 1],
                )
            },
            |(input, output, scratch, power), &start| {
                let end = (start + n_fft).min(y.len());
                input.fill(0.0);
                for ((x, &s), &w) in input.iter_mut().zip(&y[start..end]).zip(&window) {
                    *x = s * w;
                }
                // Lengths are fixed by the plan, so the transform cannot fail.
                let _ = fft.process_with_scratch(input, output, scratch);
                for (p, c) in power.iter_mut().zip(output.iter()) {
                    *p = c.re * c.re + c.im * c.im;
                }
                let mut peaks = Vec::new();
                if k_lo >= k_hi {
                    return peaks;
                }
                for k in k_lo..=k_hi {
                    let b = power[k];
                    if !(b > power[k - 1] && b >= power[k + 1]) {
                        continue;
                    }
                    let lo = k.saturating_sub(FLOOR_HALF_WIDTH);
                    let hi = (k + FLOOR_HALF_WIDTH + 1).min(power.len());
                    let limit = b / prominence_power;
                    let below = power[lo..hi].iter().filter(|&&v| v <= limit).count();
                    if below < (hi - lo) / 2 + 1 {
                        continue;
                    }
                    let (a, b, c) =
                        (f64::from(power[k - 1]).sqrt(), f64::from(b).sqrt(), f64::from(power[k + 1]).sqrt());
                    // Grandke's exact Hann interpolation.
                    let (ratio, sign) = if c >= a { (c / b, 1.0) } else { (a / b, -1.0) };
                    let delta = sign * (2.0 * ratio - 1.0) / (ratio + 1.0);
                    // Amplitude: undo the Hann main lobe's scalloping at offset delta.
                    let d = delta.abs();
                    let lobe = if d < 1e-9 {
                        1.0
                    } else {
                        (std::f64::consts::PI * d).sin() / (std::f64::consts::PI * d * (1.0 - d * d))
                    };
                    let amplitude = 2.0 * b / (window_sum * lobe.max(1e-9));
                    if amplitude < floor {
                        continue;
                    }
                    peaks.push(((k as f64 + delta) * bin_hz, amplitude));
                }
                peaks
            },
        )
        .collect();
    Ok(per_frame.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: &[f64], sr: f64, seconds: f64) -> Vec<f32> {
        (0..(sr * seconds) as usize)
            .map(|i| {
                let t = i as f64 / sr;
                hz.iter()
                    .enumerate()
                    .map(|(j, f)| (2.0 * std::f64::consts::PI * f * t + j as f64).sin() * 0.3)
                    .sum::<f64>() as f32
            })
            .collect()
    }

    #[test]
    fn folding() {
        assert!((Tuning::from_cents(-50.0).cents - 50.0).abs() < 1e-12);
        assert!((Tuning::from_cents(150.0).cents - 50.0).abs() < 1e-12);
        assert!((Tuning::from_cents(-31.8).cents + 31.8).abs() < 1e-12);
        assert!((Tuning::from_cents(68.2).cents + 31.8).abs() < 1e-9);
        let t = Tuning::from_a4(432.0).unwrap();
        assert!((t.cents + 31.766_653_633_369_31).abs() < 1e-9, "{t:?}");
        assert!((t.a4_hz - 432.0).abs() < 1e-9);
        assert!(Tuning::from_a4(0.0).is_err());
        // In thirds of a semitone (33.3 cents per bin): −31.8 cents is −0.953 bins → +0.047.
        assert!((t.bins(36) - (1.0 - 31.766_653_633_369_31 / 100.0 * 3.0)).abs() < 1e-9);
        assert!((Tuning::from_cents(10.0).bins(12) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn synthetic_tones_at_known_offsets() {
        let sr = 22050.0;
        for cents in [-31.766_653_633_369_31, -12.0, 0.0, 7.5, 49.0] {
            let ratio = 2f64.powf(cents / 1200.0);
            // A chord of three pitches of the shifted grid (A3, C#4, E5).
            let hz: Vec<f64> =
                [220.0, 277.182_630_976_872, 659.255_113_825_74].iter().map(|f| f * ratio).collect();
            let t = estimate_tuning(&tone(&hz, sr, 2.0), sr).unwrap();
            assert!((t.cents - cents).abs() < 0.05, "{cents}: {t:?}");
        }
    }

    #[test]
    fn silence_and_noise_have_no_tuning() {
        let sr = 22050.0;
        assert!(estimate_tuning(&vec![0.0; 22050], sr).unwrap_err().is_no_result());
        let mut state = 0x1234_5678_9abc_def0u64;
        let noise: Vec<f32> = (0..44100)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) as f32
            })
            .collect();
        assert!(estimate_tuning(&noise, sr).unwrap_err().is_no_result());
        assert!(estimate_tuning(&[], sr).is_err());
        assert!(estimate_tuning(&[0.0; 10], 0.0).is_err());
    }

    #[test]
    fn histogram_wraps() {
        // Deviations on both sides of ±50 cents: the tuning is 50 (= −50), not 0.
        let t = tuning_from_deviations(&[49.0, -49.0, 50.0, -50.0], &[1.0; 4]).unwrap();
        assert!((t.cents.abs() - 50.0).abs() < 1e-9, "{t:?}");
        assert!(tuning_from_deviations(&[1.0], &[0.0]).unwrap_err().is_no_result());
        assert!(tuning_from_deviations(&[1.0], &[]).is_err());
    }
}
