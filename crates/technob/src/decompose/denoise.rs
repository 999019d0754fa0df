//! Denoising by soft spectral gating with a learned noise profile.
//!
//! The noise is taken to be stationary: a power spectrum λ(k) learned from the quietest frames of
//! the recording or from an excerpt that holds only noise ([`noise_profile`]). Each
//! time-frequency cell then gets a gain in `[floor, 1]`:
//!
//! 1. **Decision-directed Wiener gain** (Ephraim & Malah, "Speech enhancement using a minimum
//!    mean-square error short-time spectral amplitude estimator", IEEE TASSP 1984; the Wiener
//!    form of Scalart & Vieira Filho, "Speech enhancement based on a priori signal to noise
//!    estimation", ICASSP 1996): with the a posteriori SNR `γ = |X|²/λ`, the a priori SNR
//!    `ξ(t) = α·G(t−1)²·γ(t−1) + (1−α)·max(γ(t) − 1, 0)` and `G = ξ / (1 + ξ)`. The recursion
//!    smooths ξ in noise-only cells, which is what keeps the residual noise from turning into
//!    "musical noise" (isolated tones flickering on and off), unlike a per-cell threshold.
//! 2. **Soft gate** after the stationary spectral gating of Sainburg, Thielk & Gentner, "Finding,
//!    visualizing, and quantifying latent structure across diverse animal vocal repertoires"
//!    (PLoS Comput. Biol. 2020; the `noisereduce` package): a cell counts as signal when its level
//!    is `threshold_std` standard deviations above the noise's mean level. Here the statistics are
//!    those of Gaussian noise in a bin (its level in dB has mean `10·log₁₀λ − 2.51` dB and standard
//!    deviation 5.57 dB), and the gate is a logistic curve 2 dB wide instead of a step.
//! 3. **Smoothing** of the gain with a triangular kernel over `smoothing_ms` in time and
//!    `smoothing_hz` in frequency (Sainburg's 2-D mask smoothing).
//! 4. **Floor**: the gain never goes below `10^(strength·floor_db/20)`, so `strength` 0 leaves
//!    the input untouched and 1 removes the noise down to `floor_db`.
//!
//! The gain is computed once from the power averaged over channels and applied to every
//! channel: each bin of every channel is scaled alike, so the stereo image (the level and phase
//! differences between channels) is kept and cannot wobble with the noise. The removed part is
//! the input minus the cleaned signal, so `clean + noise` is the input to one rounding.

use rayon::prelude::*;

use crate::spectral::{ComplexSpectrogram, Spectrogram, Stft, StftConfig};
use crate::{Audio, Result, ensure_param};

/// Mean of `10·log₁₀ P` for Gaussian noise of mean power λ in one bin, relative to `10·log₁₀ λ`
/// (dB): the power is exponentially distributed, and `E[ln P/λ] = −γ_Euler`.
const GAUSSIAN_DB_MEAN: f32 = -2.506_82;
/// Standard deviation of `10·log₁₀ P` for Gaussian noise in one bin (dB): `10/ln 10 · π/√6`.
const GAUSSIAN_DB_STD: f32 = 5.570_04;
/// Width of the logistic gate (dB per unit of its argument).
const GATE_SLOPE_DB: f32 = 2.0;
/// Lower bound of the a priori SNR (−30 dB): limits how far the Wiener gain itself falls, so
/// the floor, not the estimator, sets the deepest attenuation.
const XI_MIN: f32 = 1e-3;
/// Frames below this energy relative to the loudest frame (−100 dB) are digital silence: they
/// carry no noise and are not used to learn it.
const SILENCE_REL: f64 = 1e-10;

/// Where the noise profile comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum NoiseProfile {
    /// The quietest `fraction` (0 < fraction ≤ 1) of the frames by energy, digital silence and
    /// the zero-padded edge frames excepted.
    QuietestFrames {
        /// Share of the frames to use (0.1: the quietest 10 %).
        fraction: f32,
    },
    /// The frames lying wholly inside `[start_s, end_s]` (seconds from the start), which should
    /// hold noise only (a producer's `--noise-from 0:00-0:02`).
    Excerpt {
        /// Start of the excerpt in seconds.
        start_s: f64,
        /// End of the excerpt in seconds.
        end_s: f64,
    },
    /// A noise power spectrum learned elsewhere (by [`noise_profile`] on another recording with
    /// the same STFT): `n_fft / 2 + 1` mean powers `|X|²`, averaged over channels.
    Given(Vec<f32>),
}

impl Default for NoiseProfile {
    fn default() -> Self {
        NoiseProfile::QuietestFrames { fraction: 0.1 }
    }
}

/// How to denoise.
#[derive(Clone, Debug, PartialEq)]
pub struct DenoiseOptions {
    /// How much of the noise to remove, 0 to 1: the deepest attenuation is `strength · floor_db`
    /// (0 leaves the input as it is).
    pub strength: f32,
    /// Where the noise profile comes from.
    pub noise_profile: NoiseProfile,
    /// Gate threshold in standard deviations of the noise's level above its mean level (as
    /// noisereduce's `n_std_thresh_stationary`): higher keeps less of what is near the noise.
    pub threshold_std: f32,
    /// Smoothing of the gain along time (ms; 0: none), a triangle of this half-width.
    pub smoothing_ms: f32,
    /// Smoothing of the gain along frequency (Hz; 0: none), a triangle of this half-width.
    pub smoothing_hz: f32,
    /// Deepest attenuation at strength 1 (dB, ≤ 0).
    pub floor_db: f32,
    /// Smoothing constant α of the decision-directed a priori SNR (0 ≤ α < 1): higher is
    /// smoother (less musical noise) but slower to follow onsets.
    pub dd_alpha: f32,
    /// The STFT (default 2048 / 512, Hann, centred).
    pub stft: StftConfig,
}

impl Default for DenoiseOptions {
    fn default() -> Self {
        DenoiseOptions {
            strength: 1.0,
            noise_profile: NoiseProfile::default(),
            threshold_std: 1.0,
            smoothing_ms: 25.0,
            smoothing_hz: 0.0,
            floor_db: -30.0,
            dd_alpha: 0.95,
            stft: StftConfig::default(),
        }
    }
}

impl DenoiseOptions {
    fn check(&self) -> Result<()> {
        ensure_param!(
            (0.0..=1.0).contains(&self.strength),
            "the denoising strength must be between 0 and 1, got {}",
            self.strength
        );
        ensure_param!(
            self.threshold_std.is_finite() && self.threshold_std.abs() <= 20.0,
            "the gate threshold must be between -20 and 20 standard deviations, got {}",
            self.threshold_std
        );
        ensure_param!(
            (0.0..=10_000.0).contains(&self.smoothing_ms) && (0.0..=100_000.0).contains(&self.smoothing_hz),
            "smoothing must be 0 to 10000 ms and 0 to 100000 Hz, got {} ms and {} Hz",
            self.smoothing_ms,
            self.smoothing_hz
        );
        ensure_param!(
            (-200.0..=0.0).contains(&self.floor_db),
            "the floor must be between -200 and 0 dB, got {}",
            self.floor_db
        );
        ensure_param!(
            (0.0..1.0).contains(&self.dd_alpha),
            "the decision-directed alpha must be in [0, 1), got {}",
            self.dd_alpha
        );
        if let NoiseProfile::QuietestFrames { fraction } = self.noise_profile {
            ensure_param!(
                fraction > 0.0 && fraction <= 1.0,
                "the fraction of quietest frames must be in (0, 1], got {fraction}"
            );
        }
        Ok(())
    }
}

/// What [`denoise`] returns: both parts have the input's rate, channels and length, and
/// `clean + noise` is the input (to `f32` rounding).
#[derive(Clone, Debug)]
pub struct DenoiseParts {
    /// The denoised signal.
    pub clean: Audio,
    /// What was removed: the input minus `clean`.
    pub noise: Audio,
}

/// Mean power over channels, cell by cell (`Σ_c |X_c|² / C`).
fn mean_power(specs: &[ComplexSpectrogram]) -> Spectrogram {
    let (n_bins, n_frames) = specs.first().map_or((0, 0), |s| (s.n_bins(), s.n_frames()));
    let mut power = Spectrogram::zeros(n_bins, n_frames);
    let scale = 1.0 / specs.len().max(1) as f32;
    power.as_mut_slice().par_chunks_mut(n_bins.max(1)).enumerate().for_each(|(t, out)| {
        for spec in specs {
            for (o, c) in out.iter_mut().zip(spec.frame(t)) {
                *o += c.norm_sqr();
            }
        }
        out.iter_mut().for_each(|o| *o *= scale);
    });
    power
}

/// Frames whose window lies wholly inside samples `[lo, hi)` of the (unpadded) signal.
fn frames_inside(config: &StftConfig, n_frames: usize, lo: usize, hi: usize) -> std::ops::Range<usize> {
    let (n_fft, hop) = (config.n_fft, config.hop_length);
    let pad = if config.center { n_fft / 2 } else { 0 };
    // Frame t covers padded samples [t·hop, t·hop + n_fft), i.e. [t·hop − pad, ...) of the signal.
    let first = (lo + pad).div_ceil(hop);
    let last = if hi + pad >= n_fft { (hi + pad - n_fft) / hop + 1 } else { 0 };
    first.min(n_frames)..last.min(n_frames).max(first.min(n_frames))
}

/// The noise power spectrum (`n_bins` mean powers) of a power spectrogram, averaged over the
/// profile's frames. `len` is the signal's length in samples, `sr` its rate.
fn learn_profile(
    power: &Spectrogram,
    profile: &NoiseProfile,
    config: &StftConfig,
    len: usize,
    sr: u32,
) -> Result<Vec<f32>> {
    let n_bins = config.n_fft / 2 + 1;
    let n_frames = power.n_frames();
    let frames: Vec<usize> = match profile {
        NoiseProfile::Given(p) => {
            ensure_param!(
                p.len() == n_bins,
                "the noise profile has {} bins but an FFT of size {} has {n_bins}",
                p.len(),
                config.n_fft
            );
            ensure_param!(
                p.iter().all(|v| v.is_finite() && *v >= 0.0),
                "the noise profile must hold finite, non-negative powers"
            );
            return Ok(p.clone());
        }
        NoiseProfile::Excerpt { start_s, end_s } => {
            let duration = len as f64 / f64::from(sr);
            ensure_param!(
                start_s.is_finite()
                    && end_s.is_finite()
                    && start_s.total_cmp(&0.0).is_ge()
                    && start_s.total_cmp(end_s).is_lt(),
                "the noise excerpt {start_s} to {end_s} s is not a time span"
            );
            ensure_param!(
                start_s.total_cmp(&duration).is_lt(),
                "the noise excerpt starts at {start_s} s, after the end of the audio ({duration:.3} s)"
            );
            let lo = (start_s * f64::from(sr)).round() as usize;
            let hi = ((end_s.min(duration)) * f64::from(sr)).round() as usize;
            let range = frames_inside(config, n_frames, lo, hi.min(len));
            ensure_param!(
                !range.is_empty(),
                "the noise excerpt {start_s} to {end_s} s is shorter than one STFT frame ({:.3} s)",
                config.n_fft as f64 / f64::from(sr)
            );
            range.collect()
        }
        NoiseProfile::QuietestFrames { fraction } => {
            let mut inside = frames_inside(config, n_frames, 0, len);
            if inside.is_empty() {
                inside = 0..n_frames;
            }
            let energy: Vec<f64> =
                power.frames().map(|f| f.iter().map(|&v| f64::from(v)).sum::<f64>()).collect();
            let loudest = inside.clone().map(|t| energy[t]).fold(0.0f64, f64::max);
            let mut candidates: Vec<usize> =
                inside.filter(|&t| energy[t] > loudest * SILENCE_REL && energy[t] > 0.0).collect();
            if candidates.is_empty() {
                // Digital silence throughout: no noise to learn or remove.
                return Ok(vec![0.0; n_bins]);
            }
            // Stable: ties keep time order, so the choice is deterministic.
            candidates.sort_by(|&a, &b| energy[a].total_cmp(&energy[b]));
            let k = ((f64::from(*fraction) * candidates.len() as f64).round() as usize)
                .clamp(1, candidates.len());
            candidates.truncate(k);
            candidates.sort_unstable();
            candidates
        }
    };
    let mut sum = vec![0.0f64; n_bins];
    for &t in &frames {
        for (s, &v) in sum.iter_mut().zip(power.frame(t)) {
            *s += f64::from(v);
        }
    }
    let scale = 1.0 / frames.len() as f64;
    Ok(sum.iter().map(|s| (s * scale) as f32).collect())
}

/// The noise power spectrum of `audio` under `profile`: for each of the `n_fft / 2 + 1` bins
/// of `stft`, the mean of `|X|²` (averaged over channels) over the profile's frames, in the
/// units of [`Stft::power`]. Give it to [`NoiseProfile::Given`] to denoise other recordings with
/// a noise learned here (for example from a recording of the room alone).
///
/// Errors: an excerpt that is not a time span, starts after the end, or is shorter than one
/// frame; a given profile of the wrong length or with negative or non-finite powers; invalid
/// STFT settings.
pub fn noise_profile(audio: &Audio, profile: &NoiseProfile, stft: &StftConfig) -> Result<Vec<f32>> {
    if let NoiseProfile::QuietestFrames { fraction } = *profile {
        ensure_param!(
            fraction > 0.0 && fraction <= 1.0,
            "the fraction of quietest frames must be in (0, 1], got {fraction}"
        );
    }
    let plan = Stft::new(stft.clone())?;
    let specs: Vec<ComplexSpectrogram> = audio.channels().iter().map(|c| plan.forward(c)).collect();
    learn_profile(&mean_power(&specs), profile, stft, audio.n_frames(), audio.sample_rate())
}

/// The gain of every cell (before smoothing and floor): decision-directed Wiener gain times the
/// soft gate, from the channel-mean power and the noise power spectrum.
fn raw_gain(power: &Spectrogram, noise: &[f32], options: &DenoiseOptions) -> Spectrogram {
    let n_bins = power.n_bins();
    let alpha = options.dd_alpha;
    let threshold_db = GAUSSIAN_DB_MEAN + options.threshold_std * GAUSSIAN_DB_STD;
    // Bins without noise (λ = 0, or below f32's normal range) are passed as they are.
    let inv_noise: Vec<f32> =
        noise.iter().map(|&l| if l > f32::MIN_POSITIVE { 1.0 / l } else { 0.0 }).collect();
    let mut gain = Spectrogram::zeros(n_bins, power.n_frames());
    // The recursion runs along time; bins are independent, so blocks of bins run in parallel,
    // each cell's value depending only on its own bin: the same result on any thread count.
    const BLOCK: usize = 64;
    let n_blocks = n_bins.div_ceil(BLOCK);
    let blocks: Vec<Vec<f32>> = (0..n_blocks)
        .into_par_iter()
        .map(|b| {
            let (k0, k1) = (b * BLOCK, ((b + 1) * BLOCK).min(n_bins));
            let width = k1 - k0;
            let mut out = Vec::with_capacity(width * power.n_frames());
            // Estimated clean power of the previous frame over λ: G(t−1)²·γ(t−1).
            let mut prev = vec![0.0f32; width];
            for (t, frame) in power.frames().enumerate() {
                for (j, (&p, &inv)) in frame[k0..k1].iter().zip(&inv_noise[k0..k1]).enumerate() {
                    if inv == 0.0 {
                        out.push(1.0);
                        continue;
                    }
                    let gamma = p * inv;
                    let ml = (gamma - 1.0).max(0.0);
                    let xi = if t == 0 { ml } else { alpha * prev[j] + (1.0 - alpha) * ml }.max(XI_MIN);
                    let wiener = xi / (1.0 + xi);
                    prev[j] = wiener * wiener * gamma;
                    let level_db = 10.0 * gamma.max(1e-30).log10();
                    let gate = 1.0 / (1.0 + ((threshold_db - level_db) / GATE_SLOPE_DB).exp());
                    out.push(wiener * gate);
                }
            }
            out
        })
        .collect();
    gain.as_mut_slice().par_chunks_mut(n_bins.max(1)).enumerate().for_each(|(t, frame)| {
        for (b, block) in blocks.iter().enumerate() {
            let k0 = b * BLOCK;
            let width = BLOCK.min(n_bins - k0);
            frame[k0..k0 + width].copy_from_slice(&block[t * width..(t + 1) * width]);
        }
    });
    gain
}

/// Triangle weights `1 − |j|/(n+1)` for `j = −n..=n`.
fn triangle(n: usize) -> Vec<f32> {
    (0..=2 * n).map(|i| 1.0 - (i as f32 - n as f32).abs() / (n as f32 + 1.0)).collect()
}

/// Smooth the gain with triangles of half-width `n_t` frames and `n_f` bins, normalised by the
/// weights that fall inside the spectrogram (so edges are not darkened).
fn smooth(gain: &Spectrogram, n_t: usize, n_f: usize) -> Spectrogram {
    let (n_bins, n_frames) = (gain.n_bins(), gain.n_frames());
    let mut out = gain.clone();
    if n_f > 0 {
        let w = triangle(n_f);
        out.as_mut_slice()
            .par_chunks_mut(n_bins.max(1))
            .zip(gain.as_slice().par_chunks(n_bins.max(1)))
            .for_each(|(o, g)| {
                for (k, v) in o.iter_mut().enumerate() {
                    let lo = k.saturating_sub(n_f);
                    let hi = (k + n_f).min(n_bins - 1);
                    let (mut s, mut ws) = (0.0f32, 0.0f32);
                    for (kk, &x) in g.iter().enumerate().take(hi + 1).skip(lo) {
                        let wk = w[kk + n_f - k];
                        s += wk * x;
                        ws += wk;
                    }
                    *v = s / ws;
                }
            });
    }
    if n_t > 0 {
        let w = triangle(n_t);
        let src = out.clone();
        out.as_mut_slice().par_chunks_mut(n_bins.max(1)).enumerate().for_each(|(t, o)| {
            let lo = t.saturating_sub(n_t);
            let hi = (t + n_t).min(n_frames - 1);
            o.fill(0.0);
            let mut ws = 0.0f32;
            for tt in lo..=hi {
                let wt = w[tt + n_t - t];
                ws += wt;
                for (v, &x) in o.iter_mut().zip(src.frame(tt)) {
                    *v += wt * x;
                }
            }
            o.iter_mut().for_each(|v| *v /= ws);
        });
    }
    out
}

/// The gain of every cell, in `[floor, 1]`, for audio of this power spectrogram (channel mean)
/// and noise power spectrum: [`denoise`]'s mask, for callers that work on spectrograms.
///
/// Errors: invalid options; `noise` not of `power.n_bins()` values.
pub fn denoise_gain(
    power: &Spectrogram,
    noise: &[f32],
    sr: u32,
    options: &DenoiseOptions,
) -> Result<Spectrogram> {
    options.check()?;
    ensure_param!(
        noise.len() == power.n_bins(),
        "the noise profile has {} bins, the spectrogram {}",
        noise.len(),
        power.n_bins()
    );
    ensure_param!(sr > 0, "the sample rate must be positive");
    let mut gain = raw_gain(power, noise, options);
    let hop_s = options.stft.hop_length as f32 / sr as f32;
    let bin_hz = sr as f32 / options.stft.n_fft as f32;
    let n_t = (options.smoothing_ms / 1000.0 / hop_s).round() as usize;
    let n_f = (options.smoothing_hz / bin_hz).round() as usize;
    if (n_t > 0 || n_f > 0) && !gain.is_empty() {
        gain = smooth(&gain, n_t.min(gain.n_frames()), n_f.min(gain.n_bins()));
    }
    let floor = 10f32.powf(options.strength * options.floor_db / 20.0);
    gain.map_in_place(|g| g.clamp(floor, 1.0));
    Ok(gain)
}

/// Denoise `audio` by soft spectral gating (see the [module](self) documentation): learn the
/// noise profile, compute one gain per time-frequency cell from the channel-mean power, apply it
/// to every channel's STFT and invert to the input's length.
///
/// Silence gives silence; `strength` 0 returns the input unchanged.
///
/// Errors: invalid options (strength outside `[0, 1]`, a bad profile or excerpt, see
/// [`noise_profile`]); audio shorter than one hop.
pub fn denoise(audio: &Audio, options: &DenoiseOptions) -> Result<DenoiseParts> {
    options.check()?;
    let stft = Stft::new(options.stft.clone())?;
    let (n, sr) = (audio.n_frames(), audio.sample_rate());
    ensure_param!(
        stft.n_frames(n) > 0,
        "the audio ({n} samples) is too short for an STFT of {} samples",
        options.stft.n_fft
    );
    if options.strength == 0.0 {
        let zeros = vec![vec![0.0f32; n]; audio.n_channels()];
        return Ok(DenoiseParts { clean: audio.clone(), noise: audio.with_channels(zeros, sr) });
    }
    let mut specs: Vec<ComplexSpectrogram> = audio.channels().iter().map(|c| stft.forward(c)).collect();
    let power = mean_power(&specs);
    let noise_power = learn_profile(&power, &options.noise_profile, &options.stft, n, sr)?;
    let gain = denoise_gain(&power, &noise_power, sr, options)?;
    drop(power);
    let mut clean = Vec::with_capacity(audio.n_channels());
    let mut removed = Vec::with_capacity(audio.n_channels());
    for (spec, x) in specs.iter_mut().zip(audio.channels()) {
        spec.as_mut_slice().par_iter_mut().zip(gain.as_slice().par_iter()).for_each(|(c, &g)| *c *= g);
        let y = stft.inverse(spec, Some(n))?;
        removed.push(x.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<f32>>());
        clean.push(y);
    }
    Ok(DenoiseParts { clean: audio.with_channels(clean, sr), noise: audio.with_channels(removed, sr) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_level_statistics() {
        // E[ln E] = −γ (Euler–Mascheroni), Var[ln E] = π²/6 for a unit exponential E.
        let db = 10.0 / std::f64::consts::LN_10;
        assert!((f64::from(GAUSSIAN_DB_MEAN) + db * 0.577_215_664_9).abs() < 1e-4);
        assert!((f64::from(GAUSSIAN_DB_STD) - db * std::f64::consts::PI / 6f64.sqrt()).abs() < 1e-4);
    }

    #[test]
    fn frames_inside_the_signal() {
        let c = StftConfig::default(); // 2048 / 512, centred
        // Frame t covers signal samples [512 t − 1024, 512 t + 1024).
        assert_eq!(frames_inside(&c, 100, 0, 10_000), 2..18);
        assert_eq!(frames_inside(&c, 100, 0, 2048), 2..3);
        assert!(frames_inside(&c, 100, 0, 2047).is_empty());
        assert_eq!(frames_inside(&c, 10, 0, 1_000_000), 2..10);
    }

    #[test]
    fn triangle_weights() {
        assert_eq!(triangle(0), vec![1.0]);
        let w = triangle(2);
        assert_eq!(w.len(), 5);
        assert!((w[2] - 1.0).abs() < 1e-7 && (w[0] - 1.0 / 3.0).abs() < 1e-7 && (w[4] - w[0]).abs() < 1e-7);
    }

    #[test]
    fn smoothing_keeps_a_constant_and_spreads_a_spike() {
        let mut g = Spectrogram::zeros(9, 9);
        g.map_in_place(|_| 0.5);
        let s = smooth(&g, 2, 3);
        assert!(s.as_slice().iter().all(|v| (v - 0.5).abs() < 1e-6));
        let mut g = Spectrogram::zeros(9, 9);
        g.frame_mut(4)[4] = 1.0;
        let s = smooth(&g, 1, 1);
        assert!(s.get(4, 4) < 1.0 && s.get(3, 4) > 0.0 && s.get(4, 3) > 0.0 && s.get(2, 4) == 0.0);
    }

    #[test]
    fn gain_is_high_for_signal_and_floored_for_noise() {
        // One bin of noise power 1: a cell at 30 dB above it passes, a cell at the noise's level
        // is attenuated to the floor.
        let mut power = Spectrogram::zeros(3, 40);
        for (t, f) in power.frames_mut().enumerate() {
            f.copy_from_slice(&[1.0, if t >= 20 { 1000.0 } else { 1.0 }, 0.0]);
        }
        let options = DenoiseOptions { smoothing_ms: 0.0, ..DenoiseOptions::default() };
        let gain = denoise_gain(&power, &[1.0, 1.0, 0.0], 22_050, &options).unwrap();
        let floor = 10f32.powf(-1.5);
        assert!((gain.get(0, 30) - floor).abs() < 1e-6, "{}", gain.get(0, 30));
        assert!(gain.get(1, 35) > 0.99, "{}", gain.get(1, 35));
        assert!((gain.get(1, 10) - floor).abs() < 1e-6);
        // A bin without noise passes untouched.
        assert_eq!(gain.get(2, 5), 1.0);
    }
}
