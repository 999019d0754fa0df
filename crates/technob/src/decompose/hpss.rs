//! Harmonic/percussive source separation by median filtering (Fitzgerald 2010): harmonic
//! sounds are horizontal ridges of the magnitude spectrogram, so a median along time keeps
//! them; percussive sounds are vertical, so a median along frequency keeps those. Each part
//! gets the mask `H^p / (H^p + (m·P)^p)` (soft, librosa's `util.softmask`; `p = ∞` is a hard
//! mask), with margins `m ≥ 1` after Driedger et al. (2014): with margins above 1 the two masks
//! no longer cover everything and what neither claims is the residual.

use rayon::prelude::*;

use super::median::median_filter;
use crate::spectral::{Complex32, ComplexSpectrogram, Spectrogram, Stft, StftConfig};
use crate::{Audio, Result, ensure_param};

/// How to separate.
#[derive(Clone, Debug, PartialEq)]
pub struct HpssOptions {
    /// Median length along time (frames) for the harmonic part.
    pub kernel_harmonic: usize,
    /// Median length along frequency (bins) for the percussive part.
    pub kernel_percussive: usize,
    /// Mask exponent: 2 is the Wiener-like soft mask, `f32::INFINITY` a hard (binary) mask.
    pub power: f32,
    /// Harmonic margin (≥ 1): a bin is harmonic where H > margin · P.
    pub margin_harmonic: f32,
    /// Percussive margin (≥ 1).
    pub margin_percussive: f32,
    /// STFT of [`hpss`] on audio (librosa's defaults: 2048/512, Hann, centred).
    pub stft: StftConfig,
}

impl Default for HpssOptions {
    fn default() -> Self {
        HpssOptions {
            kernel_harmonic: 31,
            kernel_percussive: 31,
            power: 2.0,
            margin_harmonic: 1.0,
            margin_percussive: 1.0,
            stft: StftConfig::default(),
        }
    }
}

impl HpssOptions {
    fn check(&self) -> Result<()> {
        ensure_param!(
            (1..=1001).contains(&self.kernel_harmonic) && (1..=1001).contains(&self.kernel_percussive),
            "median kernels must be 1 to 1001 long, got {} and {}",
            self.kernel_harmonic,
            self.kernel_percussive
        );
        ensure_param!(
            self.power > 0.0 && !self.power.is_nan(),
            "the mask power must be > 0, got {}",
            self.power
        );
        ensure_param!(
            self.margin_harmonic >= 1.0
                && self.margin_percussive >= 1.0
                && self.margin_harmonic.is_finite()
                && self.margin_percussive.is_finite(),
            "margins must be finite and ≥ 1, got {} and {}",
            self.margin_harmonic,
            self.margin_percussive
        );
        Ok(())
    }

    /// Whether the masks leave a residual (a margin above 1).
    pub fn has_residual(&self) -> bool {
        self.margin_harmonic > 1.0 || self.margin_percussive > 1.0
    }
}

/// The harmonic and percussive masks of a magnitude spectrogram (`librosa.decompose.hpss(S,
/// mask=True)`): values in `[0, 1]`, same shape as `magnitude`.
pub fn hpss_masks(magnitude: &Spectrogram, options: &HpssOptions) -> Result<(Spectrogram, Spectrogram)> {
    options.check()?;
    let (n_bins, n_frames) = (magnitude.n_bins(), magnitude.n_frames());
    // Harmonic: along time, per bin. Rows of 16 neighbouring bins are gathered together (one
    // cache line of each frame), filtered, and scattered back the same way.
    const BLOCK: usize = 16;
    let blocks: Vec<Vec<Vec<f32>>> = (0..n_bins)
        .step_by(BLOCK)
        .collect::<Vec<usize>>()
        .into_par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(row, window), b0| {
                let width = BLOCK.min(n_bins - b0);
                let mut rows = vec![Vec::with_capacity(n_frames); width];
                for f in magnitude.frames() {
                    for (r, &v) in rows.iter_mut().zip(&f[b0..b0 + width]) {
                        r.push(v);
                    }
                }
                for r in rows.iter_mut() {
                    std::mem::swap(row, r);
                    r.resize(n_frames, 0.0);
                    median_filter(row, options.kernel_harmonic, r, window);
                }
                rows
            },
        )
        .collect();
    let mut harmonic = Spectrogram::zeros(n_bins, n_frames);
    harmonic.as_mut_slice().par_chunks_mut(n_bins.max(1)).enumerate().for_each(|(t, f)| {
        for (bi, rows) in blocks.iter().enumerate() {
            for (j, r) in rows.iter().enumerate() {
                f[bi * BLOCK + j] = r[t];
            }
        }
    });
    drop(blocks);
    // Percussive: along frequency, per frame.
    let mut percussive = Spectrogram::zeros(n_bins, n_frames);
    percussive
        .as_mut_slice()
        .par_chunks_mut(n_bins.max(1))
        .zip(magnitude.as_slice().par_chunks(n_bins.max(1)))
        .for_each_init(Vec::new, |window, (out, frame)| {
            median_filter(frame, options.kernel_percussive, out, window)
        });
    // Masks, in place: harmonic ← mask_H, percussive ← mask_P.
    let split_zeros = !options.has_residual();
    let (p, mh, mp) = (options.power, options.margin_harmonic, options.margin_percussive);
    harmonic.as_mut_slice().par_iter_mut().zip(percussive.as_mut_slice().par_iter_mut()).for_each(
        |(h, q)| {
            let (hv, pv) = (*h, *q);
            *h = softmask(hv, pv * mh, p, split_zeros);
            *q = softmask(pv, hv * mp, p, split_zeros);
        },
    );
    Ok((harmonic, percussive))
}

/// librosa's `util.softmask(x, x_ref, power, split_zeros)` for one cell: `(x/z)^p / ((x/z)^p +
/// (r/z)^p)` with `z = max(x, r)`; where `z` is below the smallest normal float, 0.5 (split) or
/// 0; with an infinite power, `x > r`.
pub(crate) fn softmask(x: f32, x_ref: f32, power: f32, split_zeros: bool) -> f32 {
    if power.is_infinite() {
        return if x > x_ref { 1.0 } else { 0.0 };
    }
    let z = x.max(x_ref);
    if z < f32::MIN_POSITIVE {
        return if split_zeros { 0.5 } else { 0.0 };
    }
    let (a, b) = if power == 1.0 {
        (x / z, x_ref / z)
    } else if power == 2.0 {
        let (a, b) = (x / z, x_ref / z);
        (a * a, b * b)
    } else {
        ((x / z).powf(power), (x_ref / z).powf(power))
    };
    a / (a + b)
}

/// The parts of a complex spectrogram.
#[derive(Clone, Debug)]
pub struct HpssSpectrograms {
    /// Harmonic part.
    pub harmonic: ComplexSpectrogram,
    /// Percussive part.
    pub percussive: ComplexSpectrogram,
    /// What neither mask claims (only with a margin above 1).
    pub residual: Option<ComplexSpectrogram>,
}

/// Separate a complex spectrogram (`librosa.decompose.hpss(D)`): each part is `D · mask`.
pub fn hpss_spectrogram(spec: &ComplexSpectrogram, options: &HpssOptions) -> Result<HpssSpectrograms> {
    let (mask_h, mask_p) = hpss_masks(&spec.magnitude(), options)?;
    let apply = |mask: &Spectrogram| -> Result<ComplexSpectrogram> {
        let data: Vec<Complex32> =
            spec.as_slice().par_iter().zip(mask.as_slice().par_iter()).map(|(d, &m)| d * m).collect();
        ComplexSpectrogram::new(spec.n_bins(), spec.n_frames(), data)
    };
    let harmonic = apply(&mask_h)?;
    let percussive = apply(&mask_p)?;
    let residual = if options.has_residual() {
        let data: Vec<Complex32> = spec
            .as_slice()
            .par_iter()
            .zip(harmonic.as_slice().par_iter().zip(percussive.as_slice().par_iter()))
            .map(|(d, (h, p))| d - h - p)
            .collect();
        Some(ComplexSpectrogram::new(spec.n_bins(), spec.n_frames(), data)?)
    } else {
        None
    };
    Ok(HpssSpectrograms { harmonic, percussive, residual })
}

/// The parts of a signal, each with the input's rate, channels and length.
#[derive(Clone, Debug)]
pub struct HpssParts {
    /// Sustained, pitched sounds (pads, bass, vocals' vowels).
    pub harmonic: Audio,
    /// Transients (kicks, hats, claps, consonants).
    pub percussive: Audio,
    /// What neither part claims (with a margin above 1): harmonic + percussive + residual is
    /// the input.
    pub residual: Option<Audio>,
}

/// Separate audio into harmonic and percussive parts (`librosa.effects.hpss`, every channel
/// on its own with the same settings): STFT, [`hpss_spectrogram`], inverse STFT to the input's
/// length.
///
/// Errors: invalid options; audio shorter than one frame.
pub fn hpss(audio: &Audio, options: &HpssOptions) -> Result<HpssParts> {
    options.check()?;
    let stft = Stft::new(options.stft.clone())?;
    let n = audio.n_frames();
    let mut harmonic = Vec::with_capacity(audio.n_channels());
    let mut percussive = Vec::with_capacity(audio.n_channels());
    let mut residual = Vec::new();
    // The spectrogram and one buffer for the masked spectrograms are reused part after part
    // and channel after channel: the six-minute spectrogram is large, and fresh memory costs
    // page faults.
    let mut spec = ComplexSpectrogram::zeros(stft.n_bins(), stft.n_frames(n));
    let mut part = ComplexSpectrogram::zeros(stft.n_bins(), stft.n_frames(n));
    for channel in audio.channels() {
        stft.forward_into(channel, &mut spec);
        let (mask_h, mask_p) = hpss_masks(&spec.magnitude(), options)?;
        let spec = &spec;
        let masked =
            |part: &mut ComplexSpectrogram, mask: &(dyn Fn(usize) -> f32 + Sync)| -> Result<Vec<f32>> {
                part.as_mut_slice()
                    .par_iter_mut()
                    .zip(spec.as_slice().par_iter())
                    .enumerate()
                    .for_each(|(i, (o, d))| *o = d * mask(i));
                stft.inverse(part, Some(n))
            };
        let (h, p) = (mask_h.as_slice(), mask_p.as_slice());
        let h_signal = masked(&mut part, &|i| h[i])?;
        // Soft masks without a margin add up to one in every cell, so the percussive part is
        // the input minus the harmonic one: one inverse STFT instead of two (the difference
        // from inverting `D · mask_P` is the STFT round trip's rounding, ~140 dB down).
        if options.power.is_finite() && !options.has_residual() {
            percussive.push(channel.iter().zip(&h_signal).map(|(x, v)| x - v).collect());
        } else {
            percussive.push(masked(&mut part, &|i| p[i])?);
        }
        harmonic.push(h_signal);
        if options.has_residual() {
            residual.push(masked(&mut part, &|i| 1.0 - h[i] - p[i])?);
        }
    }
    let sr = audio.sample_rate();
    Ok(HpssParts {
        harmonic: audio.with_channels(harmonic, sr),
        percussive: audio.with_channels(percussive, sr),
        residual: (!residual.is_empty()).then(|| audio.with_channels(residual, sr)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmask_follows_librosa() {
        assert_eq!(softmask(0.0, 0.0, 2.0, true), 0.5);
        assert_eq!(softmask(0.0, 0.0, 2.0, false), 0.0);
        assert!((softmask(3.0, 1.0, 2.0, true) - 0.9).abs() < 1e-6);
        assert_eq!(softmask(3.0, 1.0, f32::INFINITY, true), 1.0);
        assert_eq!(softmask(1.0, 1.0, f32::INFINITY, true), 0.0);
    }

    #[test]
    fn a_tone_is_harmonic_and_clicks_are_percussive() {
        let sr = 22_050u32;
        let n = sr as usize * 2;
        let tone: Vec<f32> =
            (0..n).map(|i| 0.5 * (i as f32 * 440.0 * std::f32::consts::TAU / sr as f32).sin()).collect();
        // Eight drum-like hits: 20 ms decaying noise bursts.
        let mut clicks = vec![0.0f32; n];
        let mut seed = 3u32;
        for k in 0..8 {
            for i in 0..441 {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (seed >> 8) as f32 / (1 << 24) as f32 - 0.5;
                clicks[k * n / 8 + 100 + i] = 1.6 * noise * (-(i as f32) / 100.0).exp();
            }
        }
        let mix: Vec<f32> = tone.iter().zip(&clicks).map(|(a, b)| a + b).collect();
        let audio = Audio::from_synth(vec![mix], sr).unwrap();
        let parts = hpss(&audio, &HpssOptions::default()).unwrap();
        let energy = |x: &[f32], y: &[f32]| -> f64 {
            let e: f64 = x.iter().zip(y).map(|(a, b)| f64::from(a - b).powi(2)).sum();
            let s: f64 = y.iter().map(|b| f64::from(*b).powi(2)).sum();
            10.0 * (s / e).log10()
        };
        // Each part resembles its source far more than the other one.
        let (h_snr, p_snr) =
            (energy(parts.harmonic.channel(0), &tone), energy(parts.percussive.channel(0), &clicks));
        let (h_cross, p_cross) =
            (energy(parts.harmonic.channel(0), &clicks), energy(parts.percussive.channel(0), &tone));
        assert!(h_snr > 10.0 && p_snr > 3.0, "harmonic {h_snr:.1} dB, percussive {p_snr:.1} dB");
        assert!(h_cross < 0.0 && p_cross < 0.0, "cross {h_cross:.1} {p_cross:.1} dB");
        // The soft masks sum to one: the parts add back to the input.
        for ((h, p), x) in
            parts.harmonic.channel(0).iter().zip(parts.percussive.channel(0)).zip(audio.channel(0))
        {
            assert!((h + p - x).abs() < 1e-4);
        }
        assert!(parts.residual.is_none());
    }

    #[test]
    fn margins_leave_a_residual_that_completes_the_sum() {
        let sr = 22_050u32;
        let y: Vec<f32> = (0..sr as usize).map(|i| ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.3).collect();
        let audio = Audio::from_synth(vec![y.clone(), y], sr).unwrap();
        let options = HpssOptions { margin_harmonic: 2.0, margin_percussive: 2.0, ..HpssOptions::default() };
        let parts = hpss(&audio, &options).unwrap();
        let residual = parts.residual.unwrap();
        assert_eq!(residual.n_channels(), 2);
        for c in 0..2 {
            for i in 0..audio.n_frames() {
                let sum =
                    parts.harmonic.channel(c)[i] + parts.percussive.channel(c)[i] + residual.channel(c)[i];
                assert!((sum - audio.channel(c)[i]).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn bad_options_are_errors() {
        let audio = Audio::from_synth(vec![vec![0.0; 4096]], 22_050).unwrap();
        for options in [
            HpssOptions { kernel_harmonic: 0, ..HpssOptions::default() },
            HpssOptions { power: 0.0, ..HpssOptions::default() },
            HpssOptions { power: f32::NAN, ..HpssOptions::default() },
            HpssOptions { margin_harmonic: 0.5, ..HpssOptions::default() },
            HpssOptions { margin_percussive: f32::INFINITY, ..HpssOptions::default() },
        ] {
            assert!(hpss(&audio, &options).is_err(), "{options:?}");
        }
        // Silence separates into silence.
        let parts = hpss(&audio, &HpssOptions::default()).unwrap();
        assert!(parts.harmonic.channel(0).iter().all(|&v| v == 0.0));
    }
}
