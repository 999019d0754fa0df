//! Harmonic pitch class profile (HPCP), after Gómez (2006), "Tonal description of polyphonic
//! audio for music content processing", INFORMS Journal on Computing 18(3), and her thesis
//! "Tonal description of music audio signals" (UPF, 2006, ch. 3); essentia's `HPCP` follows the
//! same design.
//!
//! Per frame (centred, windowed STFT frame):
//! 1. the spectral peaks (local maxima) between `min_hz` and `max_hz` are located by parabolic
//!    interpolation of the log-magnitude spectrum; of the `max_peaks` strongest, those within
//!    `min_peak_db` of the strongest are kept;
//! 2. each peak of frequency `f` and amplitude `a` adds `w(d) · a²` to the pitch-class bins
//!    around it, where `d` is the distance in semitones from the bin's centre and
//!    `w(d) = cos²(π d / window_semitones)` for `|d| ≤ window_semitones / 2` (zero beyond);
//! 3. it also adds, for `h = 2..=n_harmonics`, `harmonic_decay^(h−1) · w(d_h) · a²` around
//!    `f / h`, as if it were the `h`-th harmonic of a lower note (Gómez's harmonic weighting),
//!    so that a note's partials reinforce its own pitch class;
//! 4. the profile is normalised (`norm`; unit maximum by default).
//!
//! Bin `i` of a profile of `size` bins is centred on the pitch class `i · 12 / size` semitones
//! above C of the grid with A4 = `a4_hz` Hz (set it from [`crate::tonal::tuning`]): row 0 is C,
//! as in [`super::chroma_stft`] and [`super::cqt::chroma_cqt`] (essentia's row 0 is A).
//!
//! ```
//! use technob::spectral::hpcp::{Hpcp, HpcpConfig};
//! use technob::tonal::tuning::estimate_tuning;
//!
//! # fn main() -> technob::Result<()> {
//! let sr = 22050.0;
//! // C4 on a grid tuned to A4 = 432 Hz.
//! let hz = 432.0 * 2f64.powf(-9.0 / 12.0);
//! let y: Vec<f32> = (0..2 * sr as usize).map(|i| (std::f64::consts::TAU * hz * i as f64 / sr).sin() as f32).collect();
//! let tuning = estimate_tuning(&y, sr)?;
//! assert!((tuning.a4_hz - 432.0).abs() < 0.1);
//! let hpcp = Hpcp::new(sr, &HpcpConfig { size: 36, a4_hz: tuning.a4_hz, ..HpcpConfig::default() })?;
//! let profile = hpcp.compute(&y)?;
//! assert_eq!(profile.frame(10)[0], 1.0); // C, centred in its bin
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use rayon::prelude::*;
use realfft::{RealFftPlanner, RealToComplex};

use super::chroma::{Norm, normalize_frames};
use super::spectrogram::Spectrogram;
use super::stft::MAX_N_FFT;
use super::window::Window;
use crate::{Error, Result, ensure_param};

/// Frames per parallel task.
const FRAMES_PER_TASK: usize = 32;

/// Parameters of an HPCP; `Default`: 4096-sample Blackman–Harris frames every 2048 samples,
/// 12 bins, A4 = 440 Hz, peaks from 40 Hz to 5 kHz, a one-semitone cos² window, four harmonics
/// decaying by 0.6, unit-maximum frames.
#[derive(Clone, Debug, PartialEq)]
pub struct HpcpConfig {
    /// FFT size in samples (≥ 16).
    pub n_fft: usize,
    /// Hop between frames in samples (≥ 1); frame `t` is centred on sample `t · hop_length`.
    pub hop_length: usize,
    /// Analysis window (periodic).
    pub window: Window,
    /// Number of bins, a positive multiple of 12 (12: semitones; 36: thirds of a semitone).
    pub size: usize,
    /// Frequency of A4 in Hz of the pitch grid (440 for standard tuning).
    pub a4_hz: f64,
    /// Lowest peak frequency considered, Hz.
    pub min_hz: f64,
    /// Highest peak frequency considered, Hz.
    pub max_hz: f64,
    /// Width of the cos² weighting window in semitones (> 0, at least one bin, ≤ 12).
    pub window_semitones: f64,
    /// Harmonics credited to lower notes (1: the peak's own pitch class only).
    pub n_harmonics: usize,
    /// Weight ratio between successive harmonics, in `(0, 1]` (Gómez: 0.6).
    pub harmonic_decay: f64,
    /// At most this many peaks per frame (the strongest).
    pub max_peaks: usize,
    /// Peaks more than this many dB below the frame's strongest peak are ignored.
    pub min_peak_db: f64,
    /// Normalisation of each frame (`None`: none; Gómez/essentia: unit maximum).
    pub norm: Option<Norm>,
}

impl Default for HpcpConfig {
    fn default() -> Self {
        HpcpConfig {
            n_fft: 4096,
            hop_length: 2048,
            window: Window::BlackmanHarris,
            size: 12,
            a4_hz: 440.0,
            min_hz: 40.0,
            max_hz: 5000.0,
            window_semitones: 1.0,
            n_harmonics: 4,
            harmonic_decay: 0.6,
            max_peaks: 100,
            min_peak_db: 80.0,
            norm: Some(Norm::Inf),
        }
    }
}

/// A spectral peak: frequency in Hz and amplitude (a full-scale sinusoid has amplitude 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Peak {
    /// Interpolated frequency, Hz.
    pub hz: f64,
    /// Interpolated amplitude (linear, window gain removed).
    pub amplitude: f64,
}

/// An HPCP plan for one sample rate: window, FFT plan and harmonic weights made once.
#[derive(Clone)]
pub struct Hpcp {
    sr: f64,
    config: HpcpConfig,
    window: Vec<f32>,
    /// 2 / Σw: turns an FFT magnitude into a sinusoid's amplitude.
    amplitude_scale: f64,
    fft: Arc<dyn RealToComplex<f32>>,
    /// C of the grid (any octave), Hz.
    c_hz: f64,
    /// For h = 1..=n_harmonics: (`size · log2(h)`, `harmonic_decay^(h−1)`).
    harmonic_weights: Vec<(f64, f64)>,
}

impl std::fmt::Debug for Hpcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hpcp").field("sr", &self.sr).field("config", &self.config).finish_non_exhaustive()
    }
}

impl Hpcp {
    /// Validate `config` for sample rate `sr` Hz and build the plan.
    ///
    /// Errors ([`Error::InvalidParameter`]): `sr` or `a4_hz` not positive, `n_fft` below 16 or
    /// above 2²⁴, hop 0, `size` not a positive multiple of 12, a window narrower than one bin
    /// or wider than 12 semitones, a band that is empty or above Nyquist, `n_harmonics` 0,
    /// `harmonic_decay` outside `(0, 1]`, `max_peaks` 0, a negative or NaN `min_peak_db`.
    pub fn new(sr: f64, config: &HpcpConfig) -> Result<Hpcp> {
        ensure_param!(sr.is_finite() && sr > 0.0, "the sample rate must be positive, got {sr} Hz");
        ensure_param!(
            (16..=MAX_N_FFT).contains(&config.n_fft),
            "n_fft must be in 16..={MAX_N_FFT}, got {}",
            config.n_fft
        );
        ensure_param!(config.hop_length >= 1, "hop_length must be at least 1");
        ensure_param!(
            config.size >= 12 && config.size % 12 == 0 && config.size <= 1200,
            "size must be a multiple of 12 (12..=1200), got {}",
            config.size
        );
        ensure_param!(
            config.a4_hz.is_finite() && config.a4_hz > 0.0,
            "a4_hz must be positive, got {}",
            config.a4_hz
        );
        let bin_semitones = 12.0 / config.size as f64;
        ensure_param!(
            config.window_semitones.is_finite()
                && config.window_semitones >= bin_semitones
                && config.window_semitones <= 12.0,
            "window_semitones must span at least one bin ({bin_semitones}) and at most 12, got {}",
            config.window_semitones
        );
        ensure_param!(
            config.min_hz.is_finite()
                && config.min_hz > 0.0
                && config.max_hz.is_finite()
                && config.max_hz > config.min_hz
                && config.max_hz <= sr / 2.0,
            "the peak band {}..{} Hz must be non-empty and below Nyquist ({} Hz)",
            config.min_hz,
            config.max_hz,
            sr / 2.0
        );
        ensure_param!(config.n_harmonics >= 1, "n_harmonics must be at least 1 (the fundamental)");
        ensure_param!(config.n_harmonics <= 100, "n_harmonics {} is absurdly large", config.n_harmonics);
        ensure_param!(
            config.harmonic_decay.is_finite() && config.harmonic_decay > 0.0 && config.harmonic_decay <= 1.0,
            "harmonic_decay must be in (0, 1], got {}",
            config.harmonic_decay
        );
        ensure_param!(config.max_peaks >= 1, "max_peaks must be at least 1");
        ensure_param!(
            (0.0..=f64::INFINITY).contains(&config.min_peak_db),
            "min_peak_db must be ≥ 0 dB, got {}",
            config.min_peak_db
        );
        let window = config.window.periodic(config.n_fft)?;
        let sum: f64 = window.iter().map(|&w| f64::from(w)).sum();
        ensure_param!(sum.is_finite() && sum > 0.0, "the window must have a positive sum");
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(config.n_fft);
        Ok(Hpcp {
            sr,
            config: config.clone(),
            window,
            amplitude_scale: 2.0 / sum,
            fft,
            c_hz: config.a4_hz * 2f64.powf(-9.0 / 12.0),
            harmonic_weights: (0..config.n_harmonics)
                .map(|h| (config.size as f64 * ((h + 1) as f64).log2(), config.harmonic_decay.powi(h as i32)))
                .collect(),
        })
    }

    /// The configuration of this plan.
    pub fn config(&self) -> &HpcpConfig {
        &self.config
    }

    /// Number of frames for a signal of `len` samples (`1 + len / hop`, centred frames).
    pub fn n_frames(&self, len: usize) -> usize {
        if len == 0 { 0 } else { 1 + len / self.config.hop_length }
    }

    /// HPCP of `y` (mono, at the plan's rate): `size` values per frame, row 0 = C.
    ///
    /// Errors: an empty signal.
    pub fn compute(&self, y: &[f32]) -> Result<Spectrogram> {
        if y.is_empty() {
            return Err(Error::InvalidInput("the HPCP of an empty signal is undefined".into()));
        }
        let size = self.config.size;
        let mut out = Spectrogram::zeros(size, self.n_frames(y.len()));
        let make = || {
            (
                self.fft.make_input_vec(),
                self.fft.make_output_vec(),
                self.fft.make_scratch_vec(),
                vec![0.0f32; self.config.n_fft / 2 + 1],
                Vec::<Peak>::new(),
                vec![0.0f64; size],
                Vec::<(u32, f32)>::new(),
            )
        };
        out.as_mut_slice().par_chunks_mut(FRAMES_PER_TASK * size).enumerate().for_each_init(
            make,
            |(input, output, scratch, power, peaks, acc, candidates), (chunk, rows)| {
                for (i, row) in rows.chunks_exact_mut(size).enumerate() {
                    let t = chunk * FRAMES_PER_TASK + i;
                    self.frame(y, t, input);
                    // Lengths are fixed by the plan, so the transform cannot fail.
                    let _ = self.fft.process_with_scratch(input, output, scratch);
                    for (p, c) in power.iter_mut().zip(output.iter()) {
                        *p = c.re * c.re + c.im * c.im;
                    }
                    self.peaks_of(power, candidates, peaks);
                    self.profile_into(peaks, acc, row);
                }
            },
        );
        if let Some(norm) = self.config.norm {
            normalize_frames(&mut out, norm);
        }
        Ok(out)
    }

    /// Windowed frame `t` (centred on `t · hop`, zeros beyond the ends) into `input`.
    fn frame(&self, y: &[f32], t: usize, input: &mut [f32]) {
        let n = input.len();
        let start = (t * self.config.hop_length) as isize - (n / 2) as isize;
        // Samples [lo, hi) of y land at input[lo − start ..].
        let lo = start.clamp(0, y.len() as isize) as usize;
        let hi = (start + n as isize).clamp(0, y.len() as isize) as usize;
        input.fill(0.0);
        if lo < hi {
            let off = (lo as isize - start) as usize;
            for ((x, &s), &w) in
                input[off..off + (hi - lo)].iter_mut().zip(&y[lo..hi]).zip(&self.window[off..])
            {
                *x = s * w;
            }
        }
    }

    /// Spectral peaks of one frame from its power spectrum (`n_fft / 2 + 1` values): the
    /// `max_peaks` local maxima in the band with the most power (ties: lower bin first),
    /// interpolated, those within `min_peak_db` of the strongest kept, in descending amplitude.
    fn peaks_of(&self, power: &[f32], candidates: &mut Vec<(u32, f32)>, peaks: &mut Vec<Peak>) {
        peaks.clear();
        candidates.clear();
        let bin_hz = self.sr / self.config.n_fft as f64;
        let k_lo = ((self.config.min_hz / bin_hz).floor() as usize).max(1);
        let k_hi = ((self.config.max_hz / bin_hz).ceil() as usize).min(power.len() - 2);
        for k in k_lo..=k_hi {
            let b = power[k];
            if b > power[k - 1] && b >= power[k + 1] && b.is_finite() {
                candidates.push((k as u32, b));
            }
        }
        let stronger = |x: &(u32, f32), y: &(u32, f32)| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0));
        if candidates.len() > self.config.max_peaks {
            candidates.select_nth_unstable_by(self.config.max_peaks - 1, stronger);
            candidates.truncate(self.config.max_peaks);
        }
        let db = |v: f32| 10.0 * f64::from(v).log10();
        for &(k, b) in candidates.iter() {
            let k = k as usize;
            // dB of the power (−inf for exact zeros).
            let (a, b, c) = (db(power[k - 1]), db(b), db(power[k + 1]));
            // Parabola through the three log-magnitudes (dB of power / 2 = dB of magnitude).
            let (a, b, c) = if a.is_finite() && c.is_finite() { (a, b, c) } else { (b, b, b) };
            let denom = a - 2.0 * b + c;
            let p = if denom < 0.0 { (0.5 * (a - c) / denom).clamp(-0.5, 0.5) } else { 0.0 };
            let hz = (k as f64 + p) * bin_hz;
            if hz < self.config.min_hz || hz > self.config.max_hz {
                continue;
            }
            let peak_db = b - 0.25 * (a - c) * p;
            let amplitude = 10f64.powf(peak_db / 20.0) * self.amplitude_scale;
            peaks.push(Peak { hz, amplitude });
        }
        // Strongest first; ties by frequency, so the order is total and deterministic.
        peaks.sort_by(|x, y| y.amplitude.total_cmp(&x.amplitude).then(x.hz.total_cmp(&y.hz)));
        if let Some(top) = peaks.first().map(|p| p.amplitude) {
            let floor = top * 10f64.powf(-self.config.min_peak_db / 20.0);
            peaks.retain(|p| p.amplitude >= floor);
        }
    }

    /// The (unnormalised) profile of a set of peaks into `row` (`size` values), accumulated in
    /// `acc` (`size` values of scratch).
    fn profile_into(&self, peaks: &[Peak], acc: &mut [f64], row: &mut [f32]) {
        let size = self.config.size;
        let per_semitone = size as f64 / 12.0;
        let half = self.config.window_semitones * per_semitone / 2.0;
        acc.fill(0.0);
        for p in peaks {
            let energy = p.amplitude * p.amplitude;
            let pos1 = size as f64 * (p.hz / self.c_hz).log2();
            for &(shift, hw) in &self.harmonic_weights {
                // Position of f / h: `size · log2(h)` bins lower.
                let pos = pos1 - shift;
                let lo = (pos - half).ceil() as i64;
                let hi = (pos + half).floor() as i64;
                for i in lo..=hi {
                    let d = (pos - i as f64).abs() / per_semitone;
                    let w = (std::f64::consts::PI * d / self.config.window_semitones).cos();
                    acc[i.rem_euclid(size as i64) as usize] += w * w * hw * energy;
                }
            }
        }
        for (r, &a) in row.iter_mut().zip(acc.iter()) {
            *r = a as f32;
        }
    }

    /// The profile of one frame's peaks (essentia's `HPCP` on `SpectralPeaks` output), normalised
    /// as configured; peaks outside the band are ignored.
    ///
    /// Errors: a peak with a non-finite or negative frequency or amplitude.
    pub fn from_peaks(&self, peaks: &[Peak]) -> Result<Vec<f32>> {
        ensure_param!(
            peaks
                .iter()
                .all(|p| p.hz.is_finite() && p.hz >= 0.0 && p.amplitude.is_finite() && p.amplitude >= 0.0),
            "peaks must have finite, non-negative frequencies and amplitudes"
        );
        let kept: Vec<Peak> = peaks
            .iter()
            .copied()
            .filter(|p| p.hz >= self.config.min_hz && p.hz <= self.config.max_hz)
            .collect();
        let mut row = vec![0.0f32; self.config.size];
        self.profile_into(&kept, &mut vec![0.0f64; self.config.size], &mut row);
        if let Some(norm) = self.config.norm {
            let n = norm.of(&row);
            if n >= f32::MIN_POSITIVE {
                row.iter_mut().for_each(|v| *v /= n);
            }
        }
        Ok(row)
    }
}

/// HPCP of `y` (mono, `sr` Hz) with `config`: `size` values per frame, row 0 = C. Builds an
/// [`Hpcp`] plan; keep one to analyse many signals.
///
/// Errors: see [`Hpcp::new`]; an empty signal.
pub fn hpcp(y: &[f32], sr: f64, config: &HpcpConfig) -> Result<Spectrogram> {
    Hpcp::new(sr, config)?.compute(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: &[f64], sr: f64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| {
                hz.iter().map(|f| (2.0 * std::f64::consts::PI * f * i as f64 / sr).sin() * 0.2).sum::<f64>()
                    as f32
            })
            .collect()
    }

    fn argmax(v: &[f32]) -> usize {
        (0..v.len()).fold(0, |m, i| if v[i] > v[m] { i } else { m })
    }

    #[test]
    fn a_tone_lands_on_its_pitch_class() {
        let sr = 22050.0;
        let h = Hpcp::new(sr, &HpcpConfig { n_harmonics: 1, ..HpcpConfig::default() }).unwrap();
        // A3 = 220 Hz → class 9 (A); E4 → 4; C5 → 0.
        for (hz, class) in [(220.0, 9), (329.627_556_912_869_9, 4), (523.251_130_601_197_3, 0)] {
            let p = h.compute(&tone(&[hz], sr, 8192)).unwrap();
            let mid = p.frame(p.n_frames() / 2);
            assert_eq!(argmax(mid), class, "{hz} Hz: {mid:?}");
            assert!((mid[class] - 1.0).abs() < 1e-6);
            // A pure tone in the middle of its bin touches no other class (one-semitone window).
            assert!(mid.iter().enumerate().all(|(i, &v)| i == class || v < 1e-3), "{mid:?}");
        }
    }

    #[test]
    fn resolution_and_tuning() {
        let sr = 22050.0;
        let cfg = HpcpConfig { size: 36, n_harmonics: 1, ..HpcpConfig::default() };
        // A quarter-tone sharp of A (A4 = 452.9 Hz grid): in 36 bins, between A (27) and A+1/3.
        let h = Hpcp::new(sr, &cfg).unwrap();
        let p = h.from_peaks(&[Peak { hz: 440.0 * 2f64.powf(1.0 / 36.0), amplitude: 1.0 }]).unwrap();
        assert_eq!(argmax(&p), 28);
        // With the grid tuned to that pitch it is class A exactly.
        let tuned = Hpcp::new(sr, &HpcpConfig { a4_hz: 440.0 * 2f64.powf(1.0 / 36.0), ..cfg }).unwrap();
        let p = tuned.from_peaks(&[Peak { hz: 440.0 * 2f64.powf(1.0 / 36.0), amplitude: 1.0 }]).unwrap();
        assert_eq!(argmax(&p), 27);
        assert!((p[26] - p[28]).abs() < 1e-6);
    }

    #[test]
    fn harmonics_reinforce_the_fundamental() {
        let sr = 22050.0;
        // Partials 1..4 of A2: with harmonic weighting, A dominates more than without.
        let peaks: Vec<Peak> =
            (1..=4).map(|n| Peak { hz: 110.0 * n as f64, amplitude: 1.0 / n as f64 }).collect();
        let with = Hpcp::new(sr, &HpcpConfig::default()).unwrap().from_peaks(&peaks).unwrap();
        let without = Hpcp::new(sr, &HpcpConfig { n_harmonics: 1, ..HpcpConfig::default() })
            .unwrap()
            .from_peaks(&peaks)
            .unwrap();
        assert_eq!(argmax(&with), 9);
        assert!(
            with[4] < without[4],
            "E (3rd partial) should weigh less relative to A: {with:?} {without:?}"
        );
    }

    #[test]
    fn silence_and_bad_parameters() {
        let sr = 22050.0;
        let h = Hpcp::new(sr, &HpcpConfig::default()).unwrap();
        let p = h.compute(&[0.0; 10000]).unwrap();
        assert!(p.as_slice().iter().all(|&v| v == 0.0));
        assert!(h.compute(&[]).is_err());
        let d = HpcpConfig::default();
        assert!(Hpcp::new(0.0, &d).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { size: 13, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { hop_length: 0, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { max_hz: 20000.0, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { window_semitones: 0.2, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { a4_hz: -440.0, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { n_harmonics: 0, ..d.clone() }).is_err());
        assert!(Hpcp::new(sr, &HpcpConfig { harmonic_decay: 1.5, ..d }).is_err());
        assert!(h.from_peaks(&[Peak { hz: f64::NAN, amplitude: 1.0 }]).is_err());
    }
}
