//! One entry point for every classical separation ([`separate`]): the method's parts as named
//! stems (the names `technob separate` writes), and how well they add back to the input.

use serde::Serialize;

use super::denoise::{DenoiseOptions, denoise};
use super::hpss::{HpssOptions, hpss};
use super::nmf::{NmfSeparationOptions, nmf_separate};
use super::repet::{RepetOptions, repet_sim};
use crate::{Audio, Error, Result};

/// A separation method with its settings.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Harmonic/percussive (+ residual with a margin above 1): `harmonic`, `percussive`,
    /// `residual`.
    Hpss(HpssOptions),
    /// Components by NMF: `component-1` … `component-K`, lowest template centroid first.
    Nmf(NmfSeparationOptions),
    /// Voice/backing by REPET-SIM: `vocals`, `background`.
    Repet(RepetOptions),
    /// Spectral-gating denoising: `clean`, `noise`.
    Denoise(DenoiseOptions),
}

impl Method {
    /// The method's name on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Hpss(_) => "hpss",
            Method::Nmf(_) => "nmf",
            Method::Repet(_) => "repet",
            Method::Denoise(_) => "denoise",
        }
    }
}

/// One part of a separation, named by its role (`harmonic`, `vocals`, `component-1`, …).
#[derive(Clone, Debug)]
pub struct Stem {
    /// Role, also the file name without `.wav`.
    pub name: String,
    /// The part, with the input's rate, channels and length.
    pub audio: Audio,
    /// NMF: the component comes from a template held fixed (e.g. learnt from a kick sample).
    pub from_template: bool,
}

/// The stems of one separation.
#[derive(Clone, Debug)]
pub struct Separation {
    /// The method's name.
    pub method: &'static str,
    /// The parts, in a fixed order.
    pub stems: Vec<Stem>,
}

/// Separate `audio` by `method`. Every method's stems add back to the input (masks that sum
/// to one, or a part defined as the input minus the others); [`reconstruction`] measures it.
///
/// Errors: those of the method (invalid options, audio too short).
pub fn separate(audio: &Audio, method: &Method) -> Result<Separation> {
    let stem = |name: &str, audio: Audio| Stem { name: name.to_string(), audio, from_template: false };
    let stems = match method {
        Method::Hpss(options) => {
            let parts = hpss(audio, options)?;
            let mut stems = vec![stem("harmonic", parts.harmonic), stem("percussive", parts.percussive)];
            if let Some(residual) = parts.residual {
                stems.push(stem("residual", residual));
            }
            stems
        }
        Method::Nmf(options) => {
            let parts = nmf_separate(audio, options)?;
            let fixed: Vec<bool> = parts.source_index.iter().map(|&i| i < parts.fixed_count).collect();
            parts
                .components
                .into_iter()
                .zip(fixed)
                .enumerate()
                .map(|(i, (audio, from_template))| Stem {
                    name: format!("component-{}", i + 1),
                    audio,
                    from_template,
                })
                .collect()
        }
        Method::Repet(options) => {
            let parts = repet_sim(audio, options)?;
            vec![stem("vocals", parts.foreground), stem("background", parts.background)]
        }
        Method::Denoise(options) => {
            let parts = denoise(audio, options)?;
            vec![stem("clean", parts.clean), stem("noise", parts.noise)]
        }
    };
    Ok(Separation { method: method.name(), stems })
}

/// How well stems add back to the input.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Reconstruction {
    /// `10·log10(Σ x² / Σ (x − Σ stems)²)` over all channels, in dB; `None` when the sum is
    /// exact to the last bit (an infinite ratio) or the input is digital silence.
    pub snr_db: Option<f64>,
    /// Largest absolute sample error of the sum.
    pub max_error: f64,
}

/// Compare the sum of `stems` with `input`.
///
/// Errors: a stem whose channels or length differ from the input's.
pub fn reconstruction(input: &Audio, stems: &[Stem]) -> Result<Reconstruction> {
    for s in stems {
        if s.audio.n_channels() != input.n_channels() || s.audio.n_frames() != input.n_frames() {
            return Err(Error::InvalidParameter(format!(
                "stem {} has {} channels × {} frames, the input {} × {}",
                s.name,
                s.audio.n_channels(),
                s.audio.n_frames(),
                input.n_channels(),
                input.n_frames()
            )));
        }
    }
    let (mut signal, mut error, mut max_error) = (0.0f64, 0.0f64, 0.0f64);
    for (c, x) in input.channels().iter().enumerate() {
        for (i, &v) in x.iter().enumerate() {
            let sum: f64 = stems.iter().map(|s| f64::from(s.audio.channel(c)[i])).sum();
            let e = f64::from(v) - sum;
            signal += f64::from(v) * f64::from(v);
            error += e * e;
            max_error = max_error.max(e.abs());
        }
    }
    let snr_db = (error > 0.0 && signal > 0.0).then(|| 10.0 * (signal / error).log10());
    Ok(Reconstruction { snr_db, max_error })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_audio() -> Audio {
        let sr = 16_000u32;
        let n = sr as usize * 6;
        let mut seed = 11u32;
        let channels = (0..2)
            .map(|c| {
                (0..n)
                    .map(|i| {
                        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        let noise = ((seed >> 8) as f32 / (1 << 24) as f32 - 0.5) * 0.02;
                        let t = (i % sr as usize) as f32 / sr as f32;
                        0.3 * (std::f32::consts::TAU * (200.0 + 50.0 * c as f32) * t).sin()
                            + if i % 8000 < 30 { 0.4 } else { 0.0 }
                            + noise
                    })
                    .collect()
            })
            .collect();
        Audio::from_synth(channels, sr).unwrap()
    }

    #[test]
    fn every_method_names_its_stems_and_adds_back() {
        let audio = test_audio();
        let cases = [
            (Method::Hpss(HpssOptions::default()), vec!["harmonic", "percussive"]),
            (
                Method::Hpss(HpssOptions {
                    margin_harmonic: 2.0,
                    margin_percussive: 2.0,
                    ..HpssOptions::default()
                }),
                vec!["harmonic", "percussive", "residual"],
            ),
            (Method::Repet(RepetOptions::default()), vec!["vocals", "background"]),
            (
                Method::Nmf(NmfSeparationOptions {
                    nmf: crate::decompose::NmfOptions { n_components: 3, max_iter: 30, ..Default::default() },
                    ..Default::default()
                }),
                vec!["component-1", "component-2", "component-3"],
            ),
            (Method::Denoise(DenoiseOptions::default()), vec!["clean", "noise"]),
        ];
        for (method, names) in cases {
            let separation = separate(&audio, &method).unwrap();
            assert_eq!(separation.method, method.name());
            let got: Vec<&str> = separation.stems.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(got, names);
            let r = reconstruction(&audio, &separation.stems).unwrap();
            assert!(r.snr_db.is_none_or(|db| db > 100.0), "{}: {r:?}", method.name());
            assert!(r.max_error < 1e-4, "{}: {r:?}", method.name());
        }
    }

    #[test]
    fn reconstruction_measures_the_error() {
        let audio = test_audio();
        let half: Vec<Vec<f32>> =
            audio.channels().iter().map(|c| c.iter().map(|x| x * 0.5).collect()).collect();
        let half = Audio::from_synth(half, audio.sample_rate()).unwrap();
        let stem = |name: &str, audio: &Audio| Stem {
            name: name.into(),
            audio: audio.clone(),
            from_template: false,
        };
        let stems = vec![stem("a", &half), stem("b", &half)];
        let exact = reconstruction(&audio, &stems).unwrap();
        assert_eq!(exact.snr_db, None);
        // One half only: the error is the other half, 6.02 dB below the input.
        let r = reconstruction(&audio, &stems[..1]).unwrap();
        assert!((r.snr_db.unwrap() - 6.0206).abs() < 1e-3, "{r:?}");
        let short = Audio::from_synth(vec![vec![0.0; 10]; 2], audio.sample_rate()).unwrap();
        assert!(reconstruction(&audio, &[stem("s", &short)]).is_err());
    }
}
