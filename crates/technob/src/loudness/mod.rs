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
    let mode = ebur128::Mode::I | ebur128::Mode::S | ebur128::Mode::TRUE_PEAK | ebur128::Mode::SAMPLE_PEAK;
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
    // Short-term values count for the range once their 3-s window is full.
    let window = 3 * sr as usize;
    let first_full = window.div_ceil(step).saturating_sub(1);
    let range = loudness_range(short_term.get(first_full..).unwrap_or(&[]));
    let mut true_peak = 0.0f64;
    let mut sample_peak = 0.0f64;
    for ch in 0..channels as u32 {
        true_peak = true_peak.max(meter.true_peak(ch).map_err(ebu_error)?);
        sample_peak = sample_peak.max(meter.sample_peak(ch).map_err(ebu_error)?);
    }
    Ok(LoudnessReport {
        integrated_lufs: finite(integrated),
        range_lu: range,
        true_peak_dbtp: to_db(true_peak),
        sample_peak_dbfs: to_db(sample_peak),
        momentary_lufs: momentary,
        short_term_lufs: short_term,
    })
}

/// Loudness range (EBU Tech 3342, 2016) of short-term loudness values taken every 0.1 s:
/// values under the absolute gate (−70 LUFS) and then those more than 20 LU under the
/// power mean of the rest are dropped; the range is the 95th minus the 10th percentile
/// (nearest rank, as libebur128: index `round((n − 1)·p)` of the sorted values). 0 with
/// fewer than two values left.
///
/// The 10-Hz rate follows Tech 3342's 2016 revision (≥ 2.9 s overlap of the 3-s windows),
/// as ffmpeg's `ebur128` filter does; libebur128 (and so the `ebur128` crate) still steps by
/// 1 s, which makes the range of a short track depend on where the blocks happen to fall.
fn loudness_range(short_term_lufs: &[Option<f64>]) -> f64 {
    const ABSOLUTE_GATE_LUFS: f64 = -70.0;
    const RELATIVE_GATE_LU: f64 = -20.0;
    let gated: Vec<f64> =
        short_term_lufs.iter().flatten().copied().filter(|&l| l >= ABSOLUTE_GATE_LUFS).collect();
    if gated.len() < 2 {
        return 0.0;
    }
    // Power mean in the loudness domain: L = −0.691 + 10·log10(mean power).
    let mean_power = gated.iter().map(|l| 10f64.powf((l + 0.691) / 10.0)).sum::<f64>() / gated.len() as f64;
    let threshold = -0.691 + 10.0 * mean_power.log10() + RELATIVE_GATE_LU;
    let mut kept: Vec<f64> = gated.into_iter().filter(|&l| l >= threshold).collect();
    if kept.len() < 2 {
        return 0.0;
    }
    kept.sort_by(f64::total_cmp);
    let rank = |p: f64| kept[((kept.len() - 1) as f64 * p).round() as usize];
    rank(0.95) - rank(0.10)
}

/// How to normalise ([`normalize`]).
#[derive(Clone, Debug, PartialEq)]
pub struct NormalizeOptions {
    /// Integrated loudness to reach, LUFS.
    pub target_lufs: f64,
    /// The true peak after the gain stays at or below this, dBTP: when reaching the target
    /// would pass it, the gain is reduced instead (no limiter: the sound is never changed
    /// except in level).
    pub true_peak_ceiling_dbtp: f64,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions { target_lufs: TARGET_STREAMING_LUFS, true_peak_ceiling_dbtp: -1.0 }
    }
}

/// The result of [`normalize`].
#[derive(Clone, Debug)]
pub struct Normalized {
    /// The audio with the gain applied.
    pub audio: Audio,
    /// The gain applied, dB.
    pub gain_db: f64,
    /// The gain the target asked for, dB (larger than `gain_db` when the ceiling bound it).
    pub requested_gain_db: f64,
}

/// Apply one gain to `audio` so that its integrated loudness (measured in `report`) reaches the
/// target, unless that would put the true peak above the ceiling: then the largest gain that
/// keeps it under is applied. A true peak scales exactly with the gain, so the ceiling holds
/// without a limiter and without clipping (sample peaks lie under true peaks).
///
/// Errors: an unusable target or ceiling; [`Error::NoResult`] when the audio has no integrated
/// loudness (silence under the −70 LUFS gate).
pub fn normalize(audio: &Audio, report: &LoudnessReport, options: &NormalizeOptions) -> Result<Normalized> {
    crate::ensure_param!(
        options.target_lufs.is_finite() && (-70.0..=0.0).contains(&options.target_lufs),
        "the loudness target must be between -70 and 0 LUFS, got {}",
        options.target_lufs
    );
    crate::ensure_param!(
        options.true_peak_ceiling_dbtp.is_finite() && (-30.0..=0.0).contains(&options.true_peak_ceiling_dbtp),
        "the true-peak ceiling must be between -30 and 0 dBTP, got {}",
        options.true_peak_ceiling_dbtp
    );
    let integrated = report.integrated_lufs.ok_or_else(|| {
        Error::NoResult("nothing to normalise: the audio is below the -70 LUFS gate".into())
    })?;
    let requested = options.target_lufs - integrated;
    let headroom = options.true_peak_ceiling_dbtp - report.true_peak_dbtp;
    let gain_db = if report.true_peak_dbtp.is_finite() { requested.min(headroom) } else { requested };
    let factor = 10f64.powf(gain_db / 20.0) as f32;
    let channels: Vec<Vec<f32>> =
        audio.channels().iter().map(|c| c.iter().map(|&v| v * factor).collect()).collect();
    Ok(Normalized {
        audio: Audio::new(channels, audio.sample_rate(), audio.source().clone())?,
        gain_db,
        requested_gain_db: requested,
    })
}
