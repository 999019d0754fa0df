//! Time and pitch (issue #7): time-stretching, pitch-shifting and quantizing onto a beat grid,
//! all through one phase vocoder.
//!
//! - [`time_stretch`] / [`stretch_with_map`]: identity phase locking (Laroche & Dolson 1999,
//!   the vocoder), one phase rotation for every channel so the stereo image stays, transients
//!   locked so attacks stay sharp ([`transients`]), output exactly `round(n × ratio)` samples.
//! - [`pitch_shift`]: stretch by the pitch ratio, then resample back to the input length with
//!   a windowed-sinc resampler; optional formant preservation.
//! - [`quantize`]: a [`TimeMap`] from tracked beats to a constant grid, followed by the same
//!   vocoder, so the joins between beats cannot click and stems stay sample-aligned.

use crate::{Audio, Result, ensure_param};

mod quantize;
mod shift;
mod time_map;
pub mod transients;
mod vocoder;

pub use quantize::{GridTarget, QuantizeOptions, QuantizeResult, quantize, quantize_map};
pub use shift::{ShiftOptions, pitch_shift, semitones_to_key};
pub use time_map::TimeMap;

/// How to stretch.
#[derive(Clone, Debug, PartialEq)]
pub struct StretchOptions {
    /// FFT size (a power of two, 256–65536); 2048 at 44.1 kHz (46 ms).
    pub n_fft: usize,
    /// Synthesis hop in samples (`n_fft / 4` or less for a Hann window).
    pub hop: usize,
    /// Detect transients and lock them (slope-1 time map and phase reset around each), so
    /// attacks stay sharp. Off in the low-latency mode.
    pub transients: bool,
}

impl Default for StretchOptions {
    fn default() -> Self {
        StretchOptions { n_fft: 2048, hop: 512, transients: true }
    }
}

impl StretchOptions {
    /// The default for audio at `sr` Hz: the window scaled to stay ~46 ms long (2048 samples
    /// at 44.1 and 48 kHz, 1024 at 22.05 kHz, 4096 at 96 kHz).
    pub fn for_sample_rate(sr: u32) -> StretchOptions {
        let n_fft = window_for(sr, 0.046);
        StretchOptions { n_fft, hop: n_fft / 4, transients: true }
    }

    /// The cheaper, lower-latency mode at `sr` Hz: a ~23 ms window (1024 samples at 44.1 kHz,
    /// half the default's look-ahead) and no transient pass (no look-ahead over the file).
    pub fn low_latency(sr: u32) -> StretchOptions {
        let n_fft = window_for(sr, 0.023);
        StretchOptions { n_fft, hop: n_fft / 4, transients: false }
    }

    fn validate(&self) -> Result<()> {
        let (n_fft, hop) = (self.n_fft, self.hop);
        ensure_param!(
            n_fft.is_power_of_two() && (256..=65_536).contains(&n_fft),
            "n_fft must be a power of two from 256 to 65536, got {n_fft}"
        );
        ensure_param!(
            hop >= 1 && hop <= n_fft / 4,
            "the hop must be 1 to n_fft / 4 = {}, got {hop}",
            n_fft / 4
        );
        Ok(())
    }
}

/// Whether a map covering `covered` input samples fits audio of `n` samples.
fn same_length(covered: f64, n: usize) -> bool {
    (covered - n as f64).abs() < 0.5
}

/// The power of two nearest `seconds` at `sr` Hz (in the log domain), 256 to 65536.
fn window_for(sr: u32, seconds: f64) -> usize {
    let exact = (f64::from(sr) * seconds).max(1.0);
    (1usize << exact.log2().round() as u32).clamp(256, 65_536)
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
    let map = TimeMap::linear(audio.n_frames(), ratio)?;
    stretch_with_map(audio, &map, options)
}

/// Stretch `audio` following `map` (input → output sample positions, covering the whole
/// input); the output is `round(map.output_len())` samples long.
///
/// Errors: a map that does not end at the input's length, a segment stretched outside
/// 0.25–4, or bad options.
pub fn stretch_with_map(audio: &Audio, map: &TimeMap, options: &StretchOptions) -> Result<Audio> {
    stretch_inner(audio, map, options, None)
}

/// What the vocoder will do: the time map with its transient locks, and the output frames at
/// which the phases reset. Planned once on a mix, it stretches the mix's stems identically,
/// so they stay sample-aligned.
#[derive(Clone, Debug, PartialEq)]
pub struct StretchPlan {
    /// The map actually followed (the asked one with slope-1 segments around transients).
    pub map: TimeMap,
    /// Output frames (of `options.hop`) at which the phase rotation is reset.
    pub resets: Vec<usize>,
    /// Output length in samples.
    pub out_len: usize,
}

/// Plan a stretch of `audio` along `map`: check the map, find and lock the transients.
///
/// Errors: a map that does not end at the input's length, a segment stretched outside
/// 0.25–4, or bad options.
pub fn plan_stretch(audio: &Audio, map: &TimeMap, options: &StretchOptions) -> Result<StretchPlan> {
    options.validate()?;
    let n = audio.n_frames();
    ensure_param!(
        same_length(map.input_len(), n),
        "the time map covers {} input samples, the audio has {n}",
        map.input_len()
    );
    for w in map.anchors().windows(2) {
        let slope = (w[1].1 - w[0].1) / (w[1].0 - w[0].0);
        ensure_param!(
            (0.25 - 1e-9..=4.0 + 1e-9).contains(&slope),
            "the time map stretches samples {:.0}–{:.0} by {slope:.3}; allowed 0.25 to 4",
            w[0].0,
            w[1].0
        );
    }
    let out_len = map.output_len().round() as usize;
    if options.transients && n > 0 && out_len > 0 {
        let found = transients::detect_transients(audio)?;
        let half_width = 1.5 * options.hop as f64;
        let (map, resets) = transients::lock_transients(map, &found, half_width, options.hop)?;
        Ok(StretchPlan { map, resets, out_len })
    } else {
        Ok(StretchPlan { map: map.clone(), resets: Vec::new(), out_len })
    }
}

/// Stretch `audio` (or a stem of the audio the plan was made on) by a [`StretchPlan`].
///
/// Errors: audio of another length than the plan's input, or bad options.
pub fn stretch_with_plan(audio: &Audio, plan: &StretchPlan, options: &StretchOptions) -> Result<Audio> {
    options.validate()?;
    let n = audio.n_frames();
    ensure_param!(
        same_length(plan.map.input_len(), n),
        "the stretch plan is for {} samples, the audio has {n}",
        plan.map.input_len()
    );
    vocoder::vocode(audio, 0, &plan.map, plan.out_len, options.n_fft, options.hop, &plan.resets, None)
}

/// Stretch a mix and its stems by the mix's [`StretchPlan`], with the phase rotations of the
/// mix applied to every stem: the stretch is then linear, so stems that add up to the mix
/// still add up to the stretched mix (to float rounding) and stay sample-aligned with it.
/// Stems may have any channel count; they must have the mix's length and rate.
///
/// Returns the stretched mix and the stretched stems, in order.
pub fn stretch_stems(
    mix: &Audio,
    stems: &[Audio],
    plan: &StretchPlan,
    options: &StretchOptions,
) -> Result<(Audio, Vec<Audio>)> {
    options.validate()?;
    let n = mix.n_frames();
    ensure_param!(
        same_length(plan.map.input_len(), n),
        "the stretch plan is for {} samples, the mix has {n}",
        plan.map.input_len()
    );
    let mut channels: Vec<Vec<f32>> = mix.channels().to_vec();
    for (i, stem) in stems.iter().enumerate() {
        ensure_param!(
            stem.n_frames() == n && stem.sample_rate() == mix.sample_rate(),
            "stem {} has {} samples at {} Hz, the mix {n} at {} Hz",
            i + 1,
            stem.n_frames(),
            stem.sample_rate(),
            mix.sample_rate()
        );
        channels.extend(stem.channels().iter().cloned());
    }
    let all = mix.with_channels(channels, mix.sample_rate());
    let lead = mix.n_channels();
    let out =
        vocoder::vocode(&all, lead, &plan.map, plan.out_len, options.n_fft, options.hop, &plan.resets, None)?;
    let mut rest = out.channels().iter();
    let mut take = |count: usize| -> Vec<Vec<f32>> { rest.by_ref().take(count).cloned().collect() };
    let stretched_mix = mix.with_channels(take(lead), mix.sample_rate());
    let stretched_stems =
        stems.iter().map(|stem| stem.with_channels(take(stem.n_channels()), stem.sample_rate())).collect();
    Ok((stretched_mix, stretched_stems))
}

pub(crate) fn stretch_inner(
    audio: &Audio,
    map: &TimeMap,
    options: &StretchOptions,
    hook: Option<vocoder::FrameHook<'_>>,
) -> Result<Audio> {
    let plan = plan_stretch(audio, map, options)?;
    vocoder::vocode(audio, 0, &plan.map, plan.out_len, options.n_fft, options.hop, &plan.resets, hook)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectral::Window;
    use realfft::RealFftPlanner;

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
        assert!(
            time_stretch(&audio, 1.0, &StretchOptions { n_fft: 1000, hop: 250, transients: true }).is_err()
        );
        assert!(
            time_stretch(&audio, 1.0, &StretchOptions { n_fft: 1024, hop: 512, transients: true }).is_err()
        );
        assert_eq!(time_stretch(&audio, 1.5, &StretchOptions::default()).unwrap().n_frames(), 1500);
    }
}
