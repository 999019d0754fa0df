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
    // The inverse FFT is unnormalised: fold its 1/n_fft into the synthesis window.
    let synthesis_window: Vec<f32> = window.iter().map(|w| w / n_fft as f32).collect();
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
    // The lead channels' summed spectrum, this frame and the previous one.
    let mut sum = vec![Complex32::new(0.0, 0.0); n_bins];
    let mut prev_sum = vec![Complex32::new(0.0, 0.0); n_bins];
    let mut power = vec![0.0f32; n_bins];
    // Rotation of every bin (as a unit complex and as an angle, the angle kept for the phase
    // propagation of the next frame's peaks).
    let mut rotation = vec![Complex32::new(1.0, 0.0); n_bins];
    let mut angle = vec![0.0f32; n_bins];
    let mut peaks: Vec<usize> = Vec::new();
    let mut peak_angle: Vec<f32> = Vec::new();
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
            let start = at - half as i64;
            if start >= 0 && start as usize + n_fft <= n {
                let src = &x[start as usize..start as usize + n_fft];
                for ((f, &v), &w) in frame.iter_mut().zip(src).zip(&window) {
                    *f = v * w;
                }
            } else {
                for (i, f) in frame.iter_mut().enumerate() {
                    let t = start + i as i64;
                    *f = if t >= 0 && (t as usize) < n { x[t as usize] * window[i] } else { 0.0 };
                }
            }
            forward.process_with_scratch(&mut frame, spectrum, &mut scratch_f).map_err(fft_error)?;
        }
        std::mem::swap(&mut sum, &mut prev_sum);
        sum.copy_from_slice(&spectra[0]);
        for spectrum in &spectra[1..lead] {
            for (s, v) in sum.iter_mut().zip(spectrum) {
                *s += v;
            }
        }
        for (p, s) in power.iter_mut().zip(&sum) {
            *p = s.norm_sqr();
        }
        let mut reset = prev_at.is_none();
        while next_reset.peek().is_some_and(|&&r| r <= k) {
            reset |= next_reset.next().is_some_and(|&r| r == k);
        }
        if reset {
            rotation.iter_mut().for_each(|r| *r = Complex32::new(1.0, 0.0));
            angle.iter_mut().for_each(|a| *a = 0.0);
        } else {
            // Peaks: local maxima over ±2 bins.
            peaks.clear();
            // (Ties go to the higher bin, so a flat top gives one peak.)
            for b in 0..n_bins {
                let m = power[b];
                let above = |j: usize| j < n_bins && (power[j] > m || (power[j] == m && j > b));
                let below_higher =
                    |j: Option<usize>| j.is_some_and(|j| power[j] > m || (power[j] == m && j > b));
                if m > 0.0
                    && !below_higher(b.checked_sub(1))
                    && !below_higher(b.checked_sub(2))
                    && !above(b + 1)
                    && !above(b + 2)
                {
                    peaks.push(b);
                }
            }
            // A peak's synthesis phase advances from its previous one (previous analysis phase
            // plus the rotation its bin had) by its instantaneous frequency times the hop.
            let da = prev_at.map_or(0, |p| at - p) as f32;
            peak_angle.clear();
            for &p in &peaks {
                let omega = two_pi * p as f32 / n_fft as f32;
                let (now, before) = (sum[p].arg(), prev_sum[p].arg());
                let deviation = wrap(now - before - omega * da);
                let inst = if da > 0.0 { omega + deviation / da } else { omega };
                let synth = before + angle[p] + inst * hop as f32;
                peak_angle.push(wrap(synth - now));
            }
            // Rotation per region: each bin follows the nearest peak (boundary halfway between).
            if peaks.is_empty() {
                rotation.iter_mut().for_each(|r| *r = Complex32::new(1.0, 0.0));
                angle.iter_mut().for_each(|a| *a = 0.0);
            } else {
                let peak_rotation: Vec<Complex32> =
                    peak_angle.iter().map(|&a| Complex32::from_polar(1.0, a)).collect();
                let mut next = 0;
                for b in 0..n_bins {
                    while next + 1 < peaks.len() && peaks[next + 1].abs_diff(b) < peaks[next].abs_diff(b) {
                        next += 1;
                    }
                    rotation[b] = peak_rotation[next];
                    angle[b] = peak_angle[next];
                }
            }
        }
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
            for ((o, t), w) in o[start..end].iter_mut().zip(&time_buf).zip(&synthesis_window) {
                *o += t * w;
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
