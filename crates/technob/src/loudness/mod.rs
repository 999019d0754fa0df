//! Loudness after EBU R128 / ITU-R BS.1770-4 (EBU Tech 3341 and 3342), measured with the
//! `ebur128` crate (a port of libebur128): integrated loudness with its two gates, loudness
//! range, momentary and short-term curves, sample and true peak, and the gain that reaches a
//! loudness target.

use serde::{Deserialize, Serialize};

use crate::{Audio, Error, Result};

/// Streaming services' usual target, LUFS.
pub const TARGET_STREAMING_LUFS: f64 = -14.0;

/// Step of the momentary and short-term curves, seconds.
pub const CURVE_STEP_S: f64 = 0.1;

/// The loudness of a programme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoudnessReport {
    /// Integrated (gated) loudness, LUFS; `None` when every block falls under the −70 LUFS gate.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub range_lu: f64,
    /// Largest true peak over the channels (4× oversampled), dBTP.
    pub true_peak_dbtp: f64,
    /// Largest sample peak over the channels, dBFS.
    pub sample_peak_dbfs: f64,
    /// Momentary loudness (400 ms window) every [`CURVE_STEP_S`], LUFS (−inf → `None`).
    pub momentary_lufs: Vec<Option<f64>>,
    /// Short-term loudness (3 s window) every [`CURVE_STEP_S`], LUFS (−inf → `None`).
    pub short_term_lufs: Vec<Option<f64>>,
}

impl LoudnessReport {
    /// Gain in dB that brings the integrated loudness to `target_lufs` (`None` without an
    /// integrated loudness).
    pub fn gain_to_target_db(&self, target_lufs: f64) -> Option<f64> {
        self.integrated_lufs.map(|i| target_lufs - i)
    }
}

fn ebu_error(e: ebur128::Error) -> Error {
    Error::InvalidInput(format!("loudness measurement failed: {e:?}"))
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Decibels of a linear peak (−inf for 0).
fn to_db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// Measure the loudness of `audio` (every channel; channels 0–5 are L, R, C, LFE (unused),
/// Ls, Rs as BS.1770 weights them; beyond that unused).
///
/// Errors: no channels, a sample rate the filters cannot be designed for, NaN samples.
pub fn measure_loudness(audio: &Audio) -> Result<LoudnessReport> {
    let channels = audio.n_channels();
    crate::ensure_param!((1..=64).contains(&channels), "cannot measure loudness of {channels} channels");
    if audio.channels().iter().any(|c| c.iter().any(|v| !v.is_finite())) {
        return Err(Error::InvalidInput("the audio contains NaN or infinite samples".into()));
    }
    let sr = audio.sample_rate();
    let mode = ebur128::Mode::I | ebur128::Mode::LRA | ebur128::Mode::TRUE_PEAK | ebur128::Mode::SAMPLE_PEAK;
    let mut meter = ebur128::EbuR128::new(channels as u32, sr, mode).map_err(ebu_error)?;
    // Feed in steps of CURVE_STEP_S, reading the momentary and short-term loudness after each.
    let step = ((CURVE_STEP_S * f64::from(sr)).round() as usize).max(1);
    let n = audio.n_frames();
    let mut momentary = Vec::with_capacity(n / step + 1);
    let mut short_term = Vec::with_capacity(n / step + 1);
    let mut start = 0;
    while start < n {
        let end = (start + step).min(n);
        let planes: Vec<&[f32]> = audio.channels().iter().map(|c| &c[start..end]).collect();
        meter.add_frames_planar_f32(&planes).map_err(ebu_error)?;
        momentary.push(meter.loudness_momentary().ok().and_then(finite));
        short_term.push(meter.loudness_shortterm().ok().and_then(finite));
        start = end;
    }
    let integrated = meter.loudness_global().map_err(ebu_error)?;
    let range = meter.loudness_range().map_err(ebu_error)?;
    let mut true_peak = 0.0f64;
    let mut sample_peak = 0.0f64;
    for ch in 0..channels as u32 {
        true_peak = true_peak.max(meter.true_peak(ch).map_err(ebu_error)?);
        sample_peak = sample_peak.max(meter.sample_peak(ch).map_err(ebu_error)?);
    }
    Ok(LoudnessReport {
        integrated_lufs: finite(integrated),
        range_lu: if range.is_finite() { range } else { 0.0 },
        true_peak_dbtp: to_db(true_peak),
        sample_peak_dbfs: to_db(sample_peak),
        momentary_lufs: momentary,
        short_term_lufs: short_term,
    })
}
