//! Pitch-shifting: stretch by the pitch ratio `α = 2^(semitones / 12)` with the phase vocoder,
//! then resample by `1 / α` (rubato's FFT resampler at the best rational ratio), which brings the length
//! back to the input's and every frequency up by `α` (the classic scheme of Laroche & Dolson,
//! "New phase-vocoder techniques for pitch-shifting", WASPAA 1999).
//!
//! Formant preservation (optional): before the resampling, each vocoder frame is multiplied by
//! `E(α f) / E(f)`, where `E` is the frame's spectral envelope from cepstral smoothing
//! (lifter at 1.5 ms, i.e. above the pitch of a voice), so that after the resampling the
//! envelope sits where it was while the partials moved.

use rayon::prelude::*;
use realfft::RealFftPlanner;
use realfft::num_complex::Complex32;

use super::{StretchOptions, TimeMap, stretch_inner};
use crate::tonal::key::Key;
use crate::{Audio, Error, Result, ensure_param};

/// How to shift pitch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShiftOptions {
    /// The stretch underneath (window, hop, transient locking).
    pub stretch: StretchOptions,
    /// Keep the spectral envelope (formants) in place, so voices do not sound chipmunked or
    /// giant; costs two extra FFTs per frame.
    pub preserve_formants: bool,
}

/// Shift the pitch of `audio` by `semitones` (−24 to +24; fractions are cents/100), keeping
/// its length and tempo.
///
/// Errors: a shift outside ±24 semitones or not finite, or bad stretch options.
pub fn pitch_shift(audio: &Audio, semitones: f64, options: &ShiftOptions) -> Result<Audio> {
    ensure_param!(
        semitones.is_finite() && semitones.abs() <= 24.0,
        "the pitch shift must be −24 to +24 semitones, got {semitones}"
    );
    let n = audio.n_frames();
    if semitones == 0.0 || n == 0 {
        return Ok(audio.clone());
    }
    let alpha = 2f64.powf(semitones / 12.0);
    let map = TimeMap::linear(n, alpha)?;
    let stretched = if options.preserve_formants {
        let mut envelope = FormantKeeper::new(options.stretch.n_fft, alpha);
        let mut hook = |spectra: &mut [Vec<Complex32>]| envelope.apply(spectra);
        stretch_inner(audio, &map, &options.stretch, Some(&mut hook))?
    } else {
        stretch_inner(audio, &map, &options.stretch, None)?
    };
    let channels = stretched
        .channels()
        .par_iter()
        .map(|ch| resample_by(ch, 1.0 / alpha, n))
        .collect::<Result<Vec<_>>>()?;
    Ok(audio.with_channels(channels, audio.sample_rate()))
}

/// The shift in semitones (−6 to +5, the smaller move) that takes `from` to `to`. A target in
/// the other mode is reached through its relative key (A minor → D major moves to B minor,
/// which shares D major's notes): transposing cannot turn minor into major.
pub fn semitones_to_key(from: Key, to: Key) -> i32 {
    let target = if to.mode == from.mode { to } else { to.relative() };
    let up = (i32::from(target.tonic) - i32::from(from.tonic)).rem_euclid(12);
    if up > 5 { up - 12 } else { up }
}

/// `samples` resampled by `ratio` (output / input rate), trimmed or padded to `len`.
///
/// The ratio is replaced by its best rational approximation `p / q` with `q` ≤ 4096 (error
/// below 1e-7, i.e. under 0.0002 cents), so rubato's synchronous FFT resampler can do the work:
/// several times cheaper than a 256-tap sinc interpolator, with the same anti-aliasing filter
/// the rest of technob resamples with.
fn resample_by(samples: &[f32], ratio: f64, len: usize) -> Result<Vec<f32>> {
    let (p, q) = best_rational(ratio, 4096);
    let (to, from) = (u32::try_from(p), u32::try_from(q));
    let (Ok(to), Ok(from)) = (to, from) else {
        return Err(Error::InvalidParameter(format!("resampling ratio {ratio} out of range")));
    };
    let mut out = crate::audio::resample_channel(samples, from, to)?;
    out.truncate(len);
    out.resize(len, 0.0);
    Ok(out)
}

/// The fraction `p / q` closest to `x > 0` with `1 ≤ q ≤ max_q` (continued fractions, with the
/// best semiconvergent at the end).
fn best_rational(x: f64, max_q: u64) -> (u64, u64) {
    let (mut p0, mut q0, mut p1, mut q1) = (0u64, 1u64, 1u64, 0u64);
    let mut v = x;
    loop {
        let a = v.floor();
        if a > 1e12 {
            break;
        }
        let a = a as u64;
        let (p2, q2) = (a * p1 + p0, a * q1 + q0);
        if q2 > max_q {
            // Largest semiconvergent that still fits, if closer than the last convergent.
            let k = (max_q - q0) / q1.max(1);
            let (ps, qs) = (k * p1 + p0, k * q1 + q0);
            let close = |p: u64, q: u64| (p as f64 / q as f64 - x).abs();
            if qs > 0 && q1 > 0 && close(ps, qs) < close(p1, q1) {
                return (ps, qs);
            }
            break;
        }
        (p0, q0, p1, q1) = (p1, q1, p2, q2);
        let frac = v - a as f64;
        if frac < 1e-12 {
            break;
        }
        v = 1.0 / frac;
    }
    (p1.max(1), q1.max(1))
}

/// Per-frame envelope correction `E(α f) / E(f)` from the cepstrally smoothed log magnitude of
/// the channels' sum (one gain for all channels, so the stereo image stays).
struct FormantKeeper {
    n_fft: usize,
    alpha: f64,
    forward: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    inverse: std::sync::Arc<dyn realfft::ComplexToReal<f32>>,
    log_mag: Vec<Complex32>,
    cepstrum: Vec<f32>,
    envelope: Vec<f32>,
    gain: Vec<f32>,
}

impl FormantKeeper {
    fn new(n_fft: usize, alpha: f64) -> FormantKeeper {
        let mut planner = RealFftPlanner::<f32>::new();
        let n_bins = n_fft / 2 + 1;
        FormantKeeper {
            n_fft,
            alpha,
            forward: planner.plan_fft_forward(n_fft),
            inverse: planner.plan_fft_inverse(n_fft),
            log_mag: vec![Complex32::new(0.0, 0.0); n_bins],
            cepstrum: vec![0.0; n_fft],
            envelope: vec![0.0; n_bins],
            gain: vec![1.0; n_bins],
        }
    }

    fn apply(&mut self, spectra: &mut [Vec<Complex32>]) {
        let n_bins = self.log_mag.len();
        for b in 0..n_bins {
            let s: Complex32 = spectra.iter().map(|sp| sp[b]).sum();
            self.log_mag[b] = Complex32::new((s.norm() + 1e-9).ln(), 0.0);
        }
        // Real cepstrum, liftered to quefrencies below 1.5 ms (n_fft / 60 bins of quefrency is
        // ~1.5 ms at 44.1 kHz with n_fft 4096; scaled with n_fft so the lifter stays in time).
        if self.inverse.process(&mut self.log_mag, &mut self.cepstrum).is_err() {
            return;
        }
        let cutoff = (self.n_fft / 64).max(4);
        for (q, c) in self.cepstrum.iter_mut().enumerate() {
            let from_zero = q.min(self.n_fft - q);
            *c = if from_zero < cutoff { *c / self.n_fft as f32 } else { 0.0 };
        }
        if self.forward.process(&mut self.cepstrum, &mut self.log_mag).is_err() {
            return;
        }
        for (e, c) in self.envelope.iter_mut().zip(&self.log_mag) {
            *e = c.re;
        }
        for b in 0..n_bins {
            let source = b as f64 * self.alpha;
            let target = if source >= (n_bins - 1) as f64 {
                self.envelope[n_bins - 1]
            } else {
                let i = source.floor() as usize;
                let t = (source - i as f64) as f32;
                self.envelope[i] * (1.0 - t) + self.envelope[i + 1] * t
            };
            // At most ±24 dB of correction.
            self.gain[b] = (target - self.envelope[b]).clamp(-2.76, 2.76).exp();
        }
        for spectrum in spectra.iter_mut() {
            for (s, g) in spectrum.iter_mut().zip(&self.gain) {
                *s *= g;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tonal::key::Mode;

    fn tone(f: f64, sr: u32, seconds: f64) -> Vec<f32> {
        (0..(sr as f64 * seconds) as usize)
            .map(|i| (0.5 * (std::f64::consts::TAU * f * i as f64 / sr as f64).sin()) as f32)
            .collect()
    }

    /// Frequency of the strongest partial in the middle (zero crossings of a pure tone).
    fn zero_crossing_frequency(x: &[f32], sr: u32) -> f64 {
        let (a, b) = (x.len() / 4, 3 * x.len() / 4);
        let crossings: Vec<f64> = (a..b)
            .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
            .map(|i| (i - 1) as f64 + f64::from(x[i - 1] / (x[i - 1] - x[i])))
            .collect();
        let span = crossings[crossings.len() - 1] - crossings[0];
        (crossings.len() - 1) as f64 * sr as f64 / span
    }

    #[test]
    fn shifts_a_tone_by_the_asked_interval_and_keeps_the_length() {
        let sr = 44_100;
        let audio = Audio::from_synth(vec![tone(440.0, sr, 2.0)], sr).unwrap();
        for semitones in [12.0, -5.0, 0.5, 3.0] {
            let y = pitch_shift(&audio, semitones, &ShiftOptions::default()).unwrap();
            assert_eq!(y.n_frames(), audio.n_frames());
            let f = zero_crossing_frequency(y.channel(0), sr);
            let cents = 1200.0 * (f / 440.0).log2() - 100.0 * semitones;
            println!("{semitones:+} semitones: {f:.3} Hz, error {cents:+.3} cents");
            assert!(cents.abs() < 1.0, "{semitones}: {f} Hz ({cents:+.2} cents off)");
        }
    }

    #[test]
    fn keys_are_reached_by_the_smaller_move() {
        let a_minor = Key::new(9, Mode::Minor);
        assert_eq!(semitones_to_key(a_minor, Key::from_camelot("8A").unwrap()), 0);
        assert_eq!(semitones_to_key(a_minor, Key::new(4, Mode::Minor)), -5);
        assert_eq!(semitones_to_key(a_minor, Key::new(2, Mode::Minor)), 5);
        assert_eq!(semitones_to_key(a_minor, Key::new(3, Mode::Minor)), -6);
        // D major's relative minor is B minor: two semitones up.
        assert_eq!(semitones_to_key(a_minor, Key::new(2, Mode::Major)), 2);
        assert_eq!(semitones_to_key(Key::new(0, Mode::Major), Key::new(11, Mode::Major)), -1);
    }

    #[test]
    fn events_stay_in_place() {
        // Noise bursts every 0.3 s: after a shift their onsets are where they were.
        let sr = 44_100;
        let mut state = 99u32;
        let x: Vec<f32> = (0..sr as usize * 3)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let since = (i + 4410) % 13_230;
                noise * (-(since as f32) / 400.0).exp()
            })
            .collect();
        let audio = Audio::from_synth(vec![x], sr).unwrap();
        let before = super::super::transients::detect_transients(&audio).unwrap();
        for semitones in [5.0, -7.0] {
            let y = pitch_shift(&audio, semitones, &ShiftOptions::default()).unwrap();
            let after = super::super::transients::detect_transients(&y).unwrap();
            assert_eq!(after.len(), before.len(), "{semitones}");
            for (a, b) in after.iter().zip(&before) {
                assert!(
                    (a.position - b.position).abs() <= 64.0,
                    "{semitones}: {} vs {}",
                    a.position,
                    b.position
                );
            }
        }
    }

    #[test]
    fn rational_approximations_are_close() {
        for semitones in [-24.0, -5.0, 0.5, 1.0, 2.0, 7.0, 24.0] {
            let x = 2f64.powf(-semitones / 12.0);
            let (p, q) = best_rational(x, 4096);
            assert!(q <= 4096 && p >= 1);
            let cents = 1200.0 * (p as f64 / q as f64 / x).log2();
            assert!(cents.abs() < 0.001, "{semitones}: {p}/{q}, {cents} cents");
        }
        assert_eq!(best_rational(0.5, 4096), (1, 2));
        assert_eq!(best_rational(1.5, 4096), (3, 2));
    }

    #[test]
    fn bad_shifts_are_refused() {
        let audio = Audio::from_synth(vec![vec![0.1; 1000]], 8000).unwrap();
        assert!(pitch_shift(&audio, 30.0, &ShiftOptions::default()).is_err());
        assert!(pitch_shift(&audio, f64::NAN, &ShiftOptions::default()).is_err());
    }
}
