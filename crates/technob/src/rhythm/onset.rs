//! Onset strength: multi-band SuperFlux (Böck & Widmer, "Maximum filter vibrato suppression
//! for onset detection", DAFx 2013) plus a per-frame pitch-class profile for harmonic change.
//!
//! One pass over the signal at about 100 frames per second: a Hann-windowed STFT (≈ 46 ms), a
//! bank of log-spaced triangular filters (mel scale, 30 Hz to 16 kHz), `log10(1 + γ·x)`
//! compression, and the positive difference between each frame and a frequency-wise maximum
//! filter of the frame two hops earlier. The flux is summed over all bands (`full`) and over
//! three groups: `low` (kick and bass, below 200 Hz), `mid` (snare, claps, chords, 200 Hz to
//! 5 kHz) and `high` (hats and cymbals, above 5 kHz). The spectrogram itself is never held
//! whole: frames are processed in blocks, so a 6-minute track costs a few megabytes.

use rayon::prelude::*;

use crate::spectral::{MelFilterbank, MelNorm, Stft, StftConfig, Window};
use crate::{Result, ensure_param};

/// Target frame rate of the onset envelopes, frames per second.
pub const TARGET_FPS: f64 = 100.0;
/// Upper edge of the low (kick/bass) band in Hz.
pub const LOW_BAND_HZ: f64 = 200.0;
/// Lower edge of the high (hats/cymbals) band in Hz.
pub const HIGH_BAND_HZ: f64 = 5000.0;
/// Number of log-spaced filters.
const N_FILTERS: usize = 96;
/// Compression factor of `log10(1 + γ·x)` after RMS normalisation of the signal.
const LOG_GAMMA: f32 = 100.0;
/// Frames between a frame and the reference it is compared with (SuperFlux's μ).
const DIFF_FRAMES: usize = 2;
/// Frames per block (bounds memory: one block of magnitudes at a time).
const BLOCK_FRAMES: usize = 1024;
/// Pitch-class profile range: bins below this carry too little pitch resolution.
const CHROMA_FMIN: f64 = 120.0;
const CHROMA_FMAX: f64 = 4000.0;

/// Frame-wise onset strength of a track in several bands, and its pitch-class profile.
#[derive(Clone, Debug)]
pub struct OnsetFeatures {
    /// Sample rate of the analysed audio.
    pub sr: u32,
    /// Hop between frames in samples.
    pub hop: usize,
    /// Frames per second (`sr / hop`).
    pub fps: f64,
    /// SuperFlux summed over all bands.
    pub full: Vec<f32>,
    /// SuperFlux of the bands below [`LOW_BAND_HZ`] (kick, bass).
    pub low: Vec<f32>,
    /// SuperFlux of the bands between [`LOW_BAND_HZ`] and [`HIGH_BAND_HZ`].
    pub mid: Vec<f32>,
    /// SuperFlux of the bands above [`HIGH_BAND_HZ`] (hats, cymbals).
    pub high: Vec<f32>,
    /// Log energy of the low band per frame (kick presence).
    pub low_energy: Vec<f32>,
    /// Pitch-class profile per frame (C = 0), magnitude-weighted, unnormalised.
    pub chroma: Vec<[f32; 12]>,
}

impl OnsetFeatures {
    /// Number of frames.
    pub fn len(&self) -> usize {
        self.full.len()
    }

    /// True when there are no frames.
    pub fn is_empty(&self) -> bool {
        self.full.is_empty()
    }

    /// Time in seconds of frame `t` (frames are centred on `t · hop`).
    pub fn time(&self, t: f64) -> f64 {
        t / self.fps
    }
}

/// The STFT geometry for a sample rate: hop of about 10 ms, window of about 46 ms.
fn geometry(sr: u32) -> (usize, usize) {
    let hop = ((f64::from(sr) / TARGET_FPS).round() as usize).max(1);
    // The power of two nearest (in octaves) to 46.4 ms: 2048 at 44.1 and 48 kHz.
    let n_fft = 2f64.powf((f64::from(sr) * 0.0464).log2().round()) as usize;
    let n_fft = n_fft.max(64);
    (hop, n_fft)
}

/// Compute the onset features of a mono signal.
///
/// Errors: a sample rate below 1 kHz, or a signal shorter than one window.
pub fn onset_features(y: &[f32], sr: u32) -> Result<OnsetFeatures> {
    ensure_param!(sr >= 1000, "sample rate {sr} Hz is too low for rhythm analysis");
    let (hop, n_fft) = geometry(sr);
    ensure_param!(y.len() >= n_fft, "the signal ({} samples) is shorter than one analysis window", y.len());
    let srf = f64::from(sr);
    let nyquist = srf / 2.0;
    let fmax = 16000.0f64.min(nyquist);
    let filters = MelFilterbank::new(srf, n_fft, N_FILTERS, 30.0, Some(fmax), false, MelNorm::None)?;
    let centres = filters.center_frequencies().to_vec();
    let band_of = |f: f64| -> usize {
        if f < LOW_BAND_HZ {
            0
        } else if f < HIGH_BAND_HZ {
            1
        } else {
            2
        }
    };
    let filter_band: Vec<usize> = (0..N_FILTERS).map(|m| band_of(centres[m])).collect();
    let low_filters: Vec<usize> = (0..N_FILTERS).filter(|&m| filter_band[m] == 0).collect();

    // FFT bin → pitch class, for bins in the chroma range.
    let n_bins = n_fft / 2 + 1;
    let bin_pc: Vec<Option<usize>> = (0..n_bins)
        .map(|k| {
            let f = k as f64 * srf / n_fft as f64;
            if !(CHROMA_FMIN..=CHROMA_FMAX).contains(&f) {
                return None;
            }
            let midi = 69.0 + 12.0 * (f / 440.0).log2();
            Some((midi.round() as i64).rem_euclid(12) as usize)
        })
        .collect();

    // Level normalisation: onset strength should not depend on the mastering level.
    let rms = (y.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / y.len() as f64).sqrt();
    let gain = if rms > 1e-9 { (0.1 / rms) as f32 } else { 1.0 };

    let stft = Stft::new(StftConfig {
        n_fft,
        hop_length: hop,
        win_length: None,
        window: Window::Hann,
        center: false,
        pad_mode: crate::spectral::PadMode::Constant,
    })?;
    let n_frames = 1 + y.len() / hop;
    let half = (n_fft / 2) as isize;

    let mut out = OnsetFeatures {
        sr,
        hop,
        fps: srf / hop as f64,
        full: Vec::with_capacity(n_frames),
        low: Vec::with_capacity(n_frames),
        mid: Vec::with_capacity(n_frames),
        high: Vec::with_capacity(n_frames),
        low_energy: Vec::with_capacity(n_frames),
        chroma: Vec::with_capacity(n_frames),
    };
    // Log-filtered frames of the previous block's tail (the flux reference).
    let mut history: Vec<Vec<f32>> = Vec::new();
    let mut segment = Vec::new();
    let mut f0 = 0;
    while f0 < n_frames {
        let f1 = (f0 + BLOCK_FRAMES).min(n_frames);
        // Samples of frames f0..f1, centred frames, zero outside the signal.
        let start = f0 as isize * hop as isize - half;
        let len = (f1 - f0 - 1) * hop + n_fft;
        segment.clear();
        segment.extend((0..len as isize).map(|i| {
            let s = start + i;
            if s >= 0 && (s as usize) < y.len() { y[s as usize] * gain } else { 0.0 }
        }));
        let mag = stft.magnitude(&segment);
        let frames: Vec<(Vec<f32>, [f32; 12])> = (0..mag.n_frames())
            .into_par_iter()
            .map(|t| {
                let frame = mag.frame(t);
                let mut bands = vec![0.0f32; N_FILTERS];
                filters.apply_frame(frame, &mut bands);
                for b in &mut bands {
                    *b = (1.0 + LOG_GAMMA * *b).log10();
                }
                let mut pcp = [0.0f32; 12];
                for (k, pc) in bin_pc.iter().enumerate() {
                    if let Some(pc) = pc {
                        pcp[*pc] += frame[k];
                    }
                }
                (bands, pcp)
            })
            .collect();
        for (bands, pcp) in frames {
            let mut sums = [0.0f32; 3];
            if history.len() >= DIFF_FRAMES {
                let reference = &history[history.len() - DIFF_FRAMES];
                for m in 0..N_FILTERS {
                    let lo = m.saturating_sub(1);
                    let hi = (m + 1).min(N_FILTERS - 1);
                    let r = reference[lo..=hi].iter().fold(f32::MIN, |a, &b| a.max(b));
                    let d = bands[m] - r;
                    if d > 0.0 {
                        sums[filter_band[m]] += d;
                    }
                }
            }
            out.low.push(sums[0]);
            out.mid.push(sums[1]);
            out.high.push(sums[2]);
            out.full.push(sums[0] + sums[1] + sums[2]);
            let le: f32 = low_filters.iter().map(|&m| bands[m]).sum();
            out.low_energy.push(le / low_filters.len().max(1) as f32);
            out.chroma.push(pcp);
            history.push(bands);
            if history.len() > DIFF_FRAMES {
                history.remove(0);
            }
        }
        f0 = f1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clicks(sr: u32, period_s: f64, seconds: f64, freq: f64) -> Vec<f32> {
        let n = (f64::from(sr) * seconds) as usize;
        let mut y = vec![0.0f32; n];
        let period = (period_s * f64::from(sr)) as usize;
        for start in (0..n).step_by(period) {
            for i in 0..(f64::from(sr) * 0.3) as usize {
                if start + i < n {
                    // 5 ms raised-cosine attack, exponential decay: no broadband click.
                    let t = i as f64 / f64::from(sr);
                    let attack =
                        if t < 0.005 { 0.5 - 0.5 * (std::f64::consts::PI * t / 0.005).cos() } else { 1.0 };
                    let env = attack * (-t * 25.0).exp();
                    y[start + i] += ((2.0 * std::f64::consts::PI * freq * t).sin() * env) as f32;
                }
            }
        }
        y
    }

    #[test]
    fn flux_peaks_at_clicks_in_the_right_band() {
        let sr = 44100;
        let y = clicks(sr, 0.5, 4.0, 60.0);
        let f = onset_features(&y, sr).unwrap();
        assert!((f.fps - 100.0).abs() < 1e-9);
        // Peaks of the low band near every 50th frame; the high band stays quiet.
        let max_low = f.low.iter().cloned().fold(0.0f32, f32::max);
        let max_high = f.high.iter().cloned().fold(0.0f32, f32::max);
        assert!(max_low > 10.0 * max_high, "low {max_low} high {max_high}");
        for k in 1..7 {
            let t = k * 50;
            let local = f.low[t - 3..=t + 3].iter().cloned().fold(0.0f32, f32::max);
            let between = f.low[t + 15..t + 35].iter().cloned().fold(0.0f32, f32::max);
            assert!(local > 5.0 * between.max(1e-6), "frame {t}: {local} vs {between}");
        }
    }

    #[test]
    fn odd_rates_and_silence_do_not_fail() {
        for sr in [8000, 22050, 48000, 96000] {
            let y = clicks(sr, 0.5, 2.0, 80.0);
            let f = onset_features(&y, sr).unwrap();
            assert!(f.len() > 150 && f.full.iter().all(|v| v.is_finite()));
        }
        let f = onset_features(&vec![0.0; 44100], 44100).unwrap();
        assert!(f.full.iter().all(|&v| v == 0.0));
        assert!(onset_features(&[0.0; 100], 44100).is_err());
    }
}
