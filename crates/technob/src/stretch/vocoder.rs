//! The phase vocoder behind every stretch: identity phase locking (Laroche & Dolson,
//! "Improved phase vocoder time-scale modification of audio", IEEE TSAP 1999) driven by a
//! [`TimeMap`], with phase resets at chosen frames.
//!
//! Output frame `k` sits at `k · hop` and analyses the input at `map.input_at(k · hop)`, so a
//! varying map (quantizing) is followed frame by frame with no joins to click at. Peaks of the
//! channels' summed spectrum (local maxima over ±2 bins) advance by their instantaneous
//! frequency, measured over the actual analysis step, times the synthesis hop; every other bin
//! keeps its phase offset to the nearest peak. The rotation (synthesis − analysis phase) is
//! computed once, on the channel sum, and applied to every channel, so inter-channel phase and
//! level differences are kept exactly. At a reset frame the rotation is the identity: where
//! the analysis step equals the hop (a transient lock), the output then reproduces the input.

use realfft::RealFftPlanner;
use realfft::num_complex::Complex32;

use super::TimeMap;
use crate::spectral::Window;
use crate::{Audio, Error, Result};

/// Per-frame spectral processing applied after the phase rotation (formant correction).
pub(crate) type FrameHook<'a> = &'a mut dyn FnMut(&mut [Vec<Complex32>]);

/// Run the vocoder: `out_len` output samples following `map`, with the rotation reset to the
/// identity at the output frames listed in `resets` (sorted). The rotation is computed from the
/// sum of the first `lead` channels (all of them when `lead` is 0 or too large) and applied to
/// every channel: stems appended after a mix's channels are stretched exactly as the mix is.
#[allow(clippy::too_many_arguments)]
pub(crate) fn vocode(
    audio: &Audio,
    lead: usize,
    map: &TimeMap,
    out_len: usize,
    n_fft: usize,
    hop: usize,
    resets: &[usize],
    mut hook: Option<FrameHook<'_>>,
) -> Result<Audio> {
    let n = audio.n_frames();
    let sr = audio.sample_rate();
    let n_channels = audio.n_channels();
    let lead = if lead == 0 || lead > n_channels { n_channels } else { lead };
    if n == 0 || out_len == 0 {
        return Ok(audio.with_channels(vec![Vec::new(); n_channels], sr));
    }
    let n_bins = n_fft / 2 + 1;
    let window = Window::Hann.periodic(n_fft)?;
    let mut planner = RealFftPlanner::<f32>::new();
    let forward = planner.plan_fft_forward(n_fft);
    let inverse = planner.plan_fft_inverse(n_fft);
    let half = n_fft / 2;
    // Output frames centred on k · hop, k = 0 ..= ceil(out_len / hop).
    let n_out_frames = out_len.div_ceil(hop) + 1;
    let analysis_at = |k: usize| -> i64 { map.input_at((k * hop) as f64).round() as i64 };
    let mut out = vec![vec![0.0f32; out_len + n_fft]; n_channels];
    let mut norm = vec![0.0f32; out_len + n_fft];

    let mut frame = vec![0.0f32; n_fft];
    let mut spectra = vec![vec![Complex32::new(0.0, 0.0); n_bins]; n_channels];
    let mut analysis_phase = vec![0.0f32; n_bins];
    let mut prev_phase = vec![0.0f32; n_bins];
    let mut synth_phase = vec![0.0f32; n_bins];
    let mut magnitude = vec![0.0f32; n_bins];
    let mut rotation = vec![Complex32::new(1.0, 0.0); n_bins];
    let mut peaks: Vec<usize> = Vec::new();
    let mut time_buf = vec![0.0f32; n_fft];
    let mut scratch_f = forward.make_scratch_vec();
    let mut scratch_i = inverse.make_scratch_vec();
    let mut prev_at: Option<i64> = None;
    let mut next_reset = resets.iter().peekable();
    let two_pi = std::f32::consts::TAU;
    let fft_error = |e: realfft::FftError| Error::InvalidParameter(format!("FFT failed: {e}"));
    for k in 0..n_out_frames {
        let at = analysis_at(k);
        // Analysis: every channel's windowed frame centred on `at` (zeros outside the input).
        for (c, spectrum) in spectra.iter_mut().enumerate() {
            let x = audio.channel(c);
            for (i, f) in frame.iter_mut().enumerate() {
                let t = at + i as i64 - half as i64;
                *f = if t >= 0 && (t as usize) < n { x[t as usize] * window[i] } else { 0.0 };
            }
            forward.process_with_scratch(&mut frame, spectrum, &mut scratch_f).map_err(fft_error)?;
        }
        for b in 0..n_bins {
            let s: Complex32 = spectra[..lead].iter().map(|sp| sp[b]).sum();
            magnitude[b] = s.norm();
            analysis_phase[b] = s.arg();
        }
        let mut reset = prev_at.is_none();
        while next_reset.peek().is_some_and(|&&r| r <= k) {
            reset |= next_reset.next().is_some_and(|&r| r == k);
        }
        if reset {
            rotation.iter_mut().for_each(|r| *r = Complex32::new(1.0, 0.0));
            synth_phase.copy_from_slice(&analysis_phase);
        } else {
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
            let da = prev_at.map_or(0, |p| at - p) as f32;
            for &p in &peaks {
                let omega = two_pi * p as f32 / n_fft as f32;
                let deviation = wrap(analysis_phase[p] - prev_phase[p] - omega * da);
                let inst = if da > 0.0 { omega + deviation / da } else { omega };
                synth_phase[p] += inst * hop as f32;
            }
            // Rotation per region: each bin follows the nearest peak (boundary halfway between).
            if peaks.is_empty() {
                rotation.iter_mut().for_each(|r| *r = Complex32::new(1.0, 0.0));
            } else {
                let mut next = 0;
                for (b, r) in rotation.iter_mut().enumerate() {
                    while next + 1 < peaks.len() && peaks[next + 1].abs_diff(b) < peaks[next].abs_diff(b) {
                        next += 1;
                    }
                    let p = peaks[next];
                    *r = Complex32::from_polar(1.0, synth_phase[p] - analysis_phase[p]);
                }
            }
            // Keep non-peak bins' synthesis phases consistent for the next frame's peaks
            // (and every phase within a few turns, so f32 keeps its precision).
            for b in 0..n_bins {
                synth_phase[b] = analysis_phase[b] + rotation[b].arg();
            }
        }
        prev_phase.copy_from_slice(&analysis_phase);
        prev_at = Some(at);
        for (spectrum, _) in spectra.iter_mut().zip(0..) {
            for (s, r) in spectrum.iter_mut().zip(&rotation) {
                *s *= r;
            }
        }
        if let Some(hook) = hook.as_mut() {
            hook(&mut spectra);
        }
        // Synthesis: invert, window, overlap-add at k · hop (centred).
        let start = k * hop; // index into `out`, which is offset by `half`
        for (c, spectrum) in spectra.iter_mut().enumerate() {
            spectrum[0].im = 0.0;
            spectrum[n_bins - 1].im = 0.0;
            inverse.process_with_scratch(spectrum, &mut time_buf, &mut scratch_i).map_err(fft_error)?;
            let o = &mut out[c];
            let end = (start + n_fft).min(o.len());
            for ((o, t), w) in o[start..end].iter_mut().zip(&time_buf).zip(&window) {
                *o += t * w / n_fft as f32;
            }
        }
        let end = (start + n_fft).min(norm.len());
        for (nm, w) in norm[start..end].iter_mut().zip(&window) {
            *nm += w * w;
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
