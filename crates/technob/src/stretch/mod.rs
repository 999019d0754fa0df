//! Time-stretching (issue #7, first step): a phase vocoder with identity phase locking
//! (Laroche & Dolson, "Improved phase vocoder time-scale modification of audio", IEEE TSAP
//! 1999), the same phase rotation for every channel so the stereo image stays, and an output
//! exactly `round(n × ratio)` samples long.
//!
//! Each output frame `k` sits at `k · hop`; it reads the input at `k · hop · n / out_len`, so
//! the first and last frames line up with the input's ends whatever the ratio. Peaks of the
//! channels' summed magnitude are found in every frame; a peak's synthesis phase advances by
//! its instantaneous frequency (measured over the actual analysis step) times the synthesis
//! hop, and every other bin keeps its phase offset to the peak whose region it lies in. The
//! rotation (synthesis − analysis phase) of each region is computed once, on the channel sum,
//! and applied to all channels: inter-channel phase and level differences are kept exactly.

use realfft::RealFftPlanner;
use realfft::num_complex::Complex32;

use crate::spectral::Window;
use crate::{Audio, Result, ensure_param};

/// How to stretch.
#[derive(Clone, Debug, PartialEq)]
pub struct StretchOptions {
    /// FFT size (a power of two ≥ 256); 4096 at 44.1 kHz keeps bass partials apart.
    pub n_fft: usize,
    /// Synthesis hop in samples (`n_fft / 4` or less for a Hann window).
    pub hop: usize,
}

impl Default for StretchOptions {
    fn default() -> Self {
        StretchOptions { n_fft: 4096, hop: 1024 }
    }
}

/// Stretch `audio` in time by `ratio` (output length `round(n × ratio)`, 0.25 ≤ ratio ≤ 4)
/// without changing its pitch.
///
/// Errors: a ratio outside 0.25–4 or not finite; an FFT size that is not a power of two of
/// 256–65536 or a hop above `n_fft / 4`.
pub fn time_stretch(audio: &Audio, ratio: f64, options: &StretchOptions) -> Result<Audio> {
    ensure_param!(
        ratio.is_finite() && (0.25..=4.0).contains(&ratio),
        "the stretch ratio must be 0.25 to 4, got {ratio}"
    );
    let (n_fft, hop) = (options.n_fft, options.hop);
    ensure_param!(
        n_fft.is_power_of_two() && (256..=65_536).contains(&n_fft),
        "n_fft must be a power of two from 256 to 65536, got {n_fft}"
    );
    ensure_param!(hop >= 1 && hop <= n_fft / 4, "the hop must be 1 to n_fft / 4 = {}, got {hop}", n_fft / 4);
    let n = audio.n_frames();
    let out_len = (n as f64 * ratio).round() as usize;
    let sr = audio.sample_rate();
    if n == 0 || out_len == 0 {
        return Ok(audio.with_channels(vec![Vec::new(); audio.n_channels()], sr));
    }
    let n_bins = n_fft / 2 + 1;
    let window = Window::Hann.periodic(n_fft)?;
    let mut planner = RealFftPlanner::<f32>::new();
    let forward = planner.plan_fft_forward(n_fft);
    let inverse = planner.plan_fft_inverse(n_fft);
    let n_channels = audio.n_channels();
    let half = n_fft / 2;
    // Output frames centred on k · hop, k = 0 ..= ceil(out_len / hop).
    let n_out_frames = out_len.div_ceil(hop) + 1;
    let step = n as f64 / out_len as f64;
    let analysis_at = |k: usize| -> i64 { (k as f64 * hop as f64 * step).round() as i64 };
    let mut out = vec![vec![0.0f32; out_len + n_fft]; n_channels];
    let mut norm = vec![0.0f32; out_len + n_fft];

    let mut frame = vec![0.0f32; n_fft];
    let mut spectra = vec![vec![Complex32::new(0.0, 0.0); n_bins]; n_channels];
    let mut sum = vec![Complex32::new(0.0, 0.0); n_bins];
    let mut prev_phase = vec![0.0f32; n_bins];
    let mut synth_phase = vec![0.0f32; n_bins];
    let mut magnitude = vec![0.0f32; n_bins];
    let mut rotation = vec![Complex32::new(1.0, 0.0); n_bins];
    let mut peaks: Vec<usize> = Vec::new();
    let mut time_buf = vec![0.0f32; n_fft];
    let mut scratch_f = forward.make_scratch_vec();
    let mut scratch_i = inverse.make_scratch_vec();
    let mut prev_at: Option<i64> = None;
    let two_pi = std::f32::consts::TAU;
    for k in 0..n_out_frames {
        let at = analysis_at(k);
        // Analysis: every channel's windowed frame centred on `at` (zeros outside the input).
        for (c, spectrum) in spectra.iter_mut().enumerate() {
            let x = audio.channel(c);
            for (i, f) in frame.iter_mut().enumerate() {
                let t = at + i as i64 - half as i64;
                *f = if t >= 0 && (t as usize) < n { x[t as usize] * window[i] } else { 0.0 };
            }
            forward
                .process_with_scratch(&mut frame, spectrum, &mut scratch_f)
                .map_err(|e| crate::Error::InvalidParameter(format!("FFT failed: {e}")))?;
        }
        for (b, s) in sum.iter_mut().enumerate() {
            *s = spectra.iter().map(|sp| sp[b]).sum();
            magnitude[b] = s.norm();
        }
        // Peaks: local maxima over ±2 bins.
        peaks.clear();
        for b in 0..n_bins {
            let lo = b.saturating_sub(2);
            let hi = (b + 2).min(n_bins - 1);
            let m = magnitude[b];
            if m > 0.0 && (lo..=hi).all(|j| j == b || magnitude[j] < m || (magnitude[j] == m && j > b)) {
                peaks.push(b);
            }
        }
        // Synthesis phases of the peaks.
        let analysis_phase: Vec<f32> = sum.iter().map(|s| s.arg()).collect();
        match prev_at {
            None => synth_phase.copy_from_slice(&analysis_phase),
            Some(prev) => {
                let da = (at - prev) as f32;
                for &p in &peaks {
                    let omega = two_pi * p as f32 / n_fft as f32;
                    let expected = omega * da;
                    let deviation = wrap(analysis_phase[p] - prev_phase[p] - expected);
                    let inst = if da > 0.0 { omega + deviation / da } else { omega };
                    synth_phase[p] += inst * hop as f32;
                }
            }
        }
        // Rotation per region: each bin follows the nearest peak (boundary halfway between).
        if peaks.is_empty() {
            rotation.iter_mut().for_each(|r| *r = Complex32::new(1.0, 0.0));
        } else {
            let mut next = 0;
            for (b, r) in rotation.iter_mut().enumerate() {
                while next + 1 < peaks.len()
                    && (peaks[next + 1] as isize - b as isize).abs()
                        < (peaks[next] as isize - b as isize).abs()
                {
                    next += 1;
                }
                let p = peaks[next];
                let angle = synth_phase[p] - analysis_phase[p];
                *r = Complex32::from_polar(1.0, angle);
            }
        }
        // Keep non-peak bins' synthesis phases consistent for the next frame's peaks.
        for b in 0..n_bins {
            synth_phase[b] = analysis_phase[b] + rotation[b].arg();
        }
        prev_phase.copy_from_slice(&analysis_phase);
        prev_at = Some(at);
        // Synthesis: rotate, invert, window, overlap-add at k · hop (centred).
        let start = k * hop; // index into `out`, which is offset by `half`
        for (c, spectrum) in spectra.iter_mut().enumerate() {
            for (s, r) in spectrum.iter_mut().zip(&rotation) {
                *s *= r;
            }
            spectrum[0].im = 0.0;
            spectrum[n_bins - 1].im = 0.0;
            inverse
                .process_with_scratch(spectrum, &mut time_buf, &mut scratch_i)
                .map_err(|e| crate::Error::InvalidParameter(format!("inverse FFT failed: {e}")))?;
            let o = &mut out[c];
            for i in 0..n_fft {
                if start + i < o.len() {
                    o[start + i] += time_buf[i] * window[i] / n_fft as f32;
                }
            }
        }
        for i in 0..n_fft {
            if start + i < norm.len() {
                norm[start + i] += window[i] * window[i];
            }
        }
    }
    let channels = out
        .into_iter()
        .map(|o| {
            (0..out_len)
                .map(|i| {
                    let w = norm[i + half];
                    if w > 1e-3 { o[i + half] / w } else { 0.0 }
                })
                .collect()
        })
        .collect();
    Ok(audio.with_channels(channels, sr))
}

/// Wrap a phase to (−π, π].
fn wrap(x: f32) -> f32 {
    let two_pi = std::f32::consts::TAU;
    x - two_pi * ((x + std::f32::consts::PI) / two_pi).floor()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frequency of the strongest partial over the middle of `x` (Hann window, parabolic
    /// interpolation of the log magnitude).
    fn peak_frequency(x: &[f32], sr: f32) -> f32 {
        let n = 16_384.min(x.len());
        let start = (x.len() - n) / 2;
        let window = Window::Hann.periodic(n).unwrap();
        let mut frame: Vec<f32> = x[start..start + n].iter().zip(&window).map(|(a, w)| a * w).collect();
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(n);
        let mut spectrum = fft.make_output_vec();
        fft.process(&mut frame, &mut spectrum).unwrap();
        let mags: Vec<f32> = spectrum.iter().map(|c| c.norm().max(1e-12).ln()).collect();
        let k = (1..mags.len() - 1).max_by(|&a, &b| mags[a].total_cmp(&mags[b])).unwrap();
        let (a, b, c) = (mags[k - 1], mags[k], mags[k + 1]);
        let delta = 0.5 * (a - c) / (a - 2.0 * b + c);
        (k as f32 + delta) * sr / n as f32
    }

    fn tone(f: f32, sr: u32, seconds: f32) -> Vec<f32> {
        (0..(sr as f32 * seconds) as usize)
            .map(|i| 0.5 * (std::f32::consts::TAU * f * i as f32 / sr as f32).sin())
            .collect()
    }

    #[test]
    fn length_is_exact_and_pitch_is_kept() {
        let sr = 22_050u32;
        let x = tone(440.0, sr, 3.0);
        let audio = Audio::from_synth(vec![x.clone()], sr).unwrap();
        for ratio in [0.8, 1.25, 0.5, 2.0, 1.05] {
            let y = time_stretch(&audio, ratio, &StretchOptions::default()).unwrap();
            assert_eq!(y.n_frames(), (x.len() as f64 * ratio).round() as usize);
            let f = peak_frequency(y.channel(0), sr as f32);
            let cents = 1200.0 * (f / 440.0).log2();
            println!("ratio {ratio}: {f:.3} Hz ({cents:+.3} cents)");
            assert!(cents.abs() < 5.0, "ratio {ratio}: {f} Hz, {cents:.2} cents");
            // Level kept in the middle (no comb-filter loss of a locked sinusoid).
            let mid = &y.channel(0)[y.n_frames() / 4..3 * y.n_frames() / 4];
            let rms = (mid.iter().map(|v| v * v).sum::<f32>() / mid.len() as f32).sqrt();
            assert!((rms / (0.5 / 2f32.sqrt()) - 1.0).abs() < 0.05, "ratio {ratio}: rms {rms}");
        }
    }

    #[test]
    fn stereo_image_is_kept_exactly() {
        let sr = 22_050u32;
        let left: Vec<f32> =
            tone(300.0, sr, 2.0).iter().zip(tone(1234.5, sr, 2.0)).map(|(a, b)| a + b).collect();
        let right: Vec<f32> = left.iter().map(|v| 0.5 * v).collect();
        let audio = Audio::from_synth(vec![left, right], sr).unwrap();
        let y = time_stretch(&audio, 1.3, &StretchOptions::default()).unwrap();
        for (l, r) in y.channel(0).iter().zip(y.channel(1)) {
            assert!((0.5 * l - r).abs() < 1e-5, "{l} {r}");
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let audio = Audio::from_synth(vec![vec![0.1; 1000]], 8000).unwrap();
        assert!(time_stretch(&audio, 0.1, &StretchOptions::default()).is_err());
        assert!(time_stretch(&audio, f64::NAN, &StretchOptions::default()).is_err());
        assert!(time_stretch(&audio, 1.0, &StretchOptions { n_fft: 1000, hop: 250 }).is_err());
        assert!(time_stretch(&audio, 1.0, &StretchOptions { n_fft: 1024, hop: 512 }).is_err());
        assert_eq!(time_stretch(&audio, 1.5, &StretchOptions::default()).unwrap().n_frames(), 1500);
    }
}
