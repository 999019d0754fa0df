//! Melody (single-f0) metrics: a port of `mir_eval.melody` 0.8 (Raffel et al. 2014), after
//! Salamon, Gómez, Ellis & Richard, "Melody Extraction from Polyphonic Music Signals:
//! Approaches, Applications and Challenges", IEEE Signal Processing Magazine 31(2), 2014, and
//! Bittner & Bosch, "Generalized Metrics for Single-F0 Estimation Evaluation", ISMIR 2019
//! (continuous voicing).
//!
//! Conventions are mir_eval's: a reference frequency of 0 Hz is unvoiced; an estimated
//! frequency ≤ 0 is unvoiced, and a *negative* estimate is the pitch the estimator would give if
//! the frame were voiced (so raw pitch accuracy can ignore the voicing decision). [`evaluate`]
//! resamples the estimate onto the reference's time base ([`to_cent_voicing`]) and computes
//! voicing recall, voicing false alarm, raw pitch accuracy, raw chroma accuracy and overall
//! accuracy, reproducing mir_eval's arithmetic — numpy's `interp`, scipy's zero-order spline,
//! `np.round(·, 10)`, pairwise summation — so the scores are mir_eval's to the last bit on its
//! own regression data.
//!
//! ```
//! use technob::eval::melody::evaluate;
//!
//! let times: Vec<f64> = (0..100).map(|i| i as f64 * 0.01).collect();
//! let reference: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 220.0 }).collect();
//! // Right pitch, a quarter tone sharp, but voiced 10 frames late.
//! let estimate: Vec<f64> = (0..100).map(|i| if i < 60 { -226.0 } else { 226.0 }).collect();
//! let scores = evaluate(&times, &reference, &times, &estimate)?;
//! assert_eq!(scores.raw_pitch_accuracy, 1.0);
//! assert_eq!(scores.voicing_recall, 0.8);
//! # Ok::<(), technob::Error>(())
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Largest |reference − estimate| of a correct pitch, cents (mir_eval's `cent_tolerance`).
pub const CENT_TOLERANCE: f64 = 50.0;
/// Frequency of 0 cents in [`hz_to_cents`], Hz (mir_eval's `base_frequency`).
pub const BASE_FREQUENCY: f64 = 10.0;

/// The five scores of `mir_eval.melody.evaluate`, each in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MelodyScores {
    /// Fraction of reference-voiced frames the estimate calls voiced.
    pub voicing_recall: f64,
    /// Fraction of reference-unvoiced frames the estimate calls voiced.
    pub voicing_false_alarm: f64,
    /// Fraction of reference-voiced frames whose estimated pitch is within
    /// [`CENT_TOLERANCE`] (estimated voicing ignored).
    pub raw_pitch_accuracy: f64,
    /// As raw pitch accuracy, with octave errors forgiven.
    pub raw_chroma_accuracy: f64,
    /// Fraction of all frames right: voiced with the right pitch, or unvoiced in both.
    pub overall_accuracy: f64,
}

impl MelodyScores {
    /// The scores under mir_eval's names, in mir_eval's order.
    pub fn mir_eval_named(&self) -> [(&'static str, f64); 5] {
        [
            ("Voicing Recall", self.voicing_recall),
            ("Voicing False Alarm", self.voicing_false_alarm),
            ("Raw Pitch Accuracy", self.raw_pitch_accuracy),
            ("Raw Chroma Accuracy", self.raw_chroma_accuracy),
            ("Overall Accuracy", self.overall_accuracy),
        ]
    }
}

/// Reference and estimate on one time base: what the metric functions take.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CentVoicing {
    /// Reference voicing (or reward), per frame, in `[0, 1]`.
    pub ref_voicing: Vec<f64>,
    /// Reference pitch, cents above [`BASE_FREQUENCY`] (0 where unknown).
    pub ref_cent: Vec<f64>,
    /// Estimated voicing, per frame, in `[0, 1]`.
    pub est_voicing: Vec<f64>,
    /// Estimated pitch, cents above [`BASE_FREQUENCY`] (0 where unknown).
    pub est_cent: Vec<f64>,
}

/// A time series of frequencies: the two columns of an f0 annotation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct F0Series {
    /// Frame times, seconds.
    pub times: Vec<f64>,
    /// Frequency per frame, Hz (0 = unvoiced; negative = unvoiced with a pitch guess).
    pub freqs: Vec<f64>,
}

/// Load an f0 file as `mir_eval.io.load_time_series` does: two numbers per line, separated by
/// whitespace or a comma (`time,f0` in MDB-stem-synth and vocadito, tab-separated in MIREX
/// files); `#` starts a comment, blank lines are skipped. A line that is not two finite numbers
/// is an [`Error::InvalidInput`] naming the file and the line.
pub fn load_f0(path: impl AsRef<Path>) -> Result<F0Series> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))?;
    parse_f0(&text).map_err(|e| e.in_file(path))
}

/// Parse the text of an f0 file (see [`load_f0`]).
pub fn parse_f0(text: &str) -> Result<F0Series> {
    let mut series = F0Series::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> =
            line.split(|c: char| c == ',' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let bad = || Error::InvalidInput(format!("line {}: expected `time f0`, found {line:?}", i + 1));
        if fields.len() != 2 {
            return Err(bad());
        }
        let t: f64 = fields[0].parse().map_err(|_| bad())?;
        let f: f64 = fields[1].parse().map_err(|_| bad())?;
        if !t.is_finite() || !f.is_finite() {
            return Err(bad());
        }
        series.times.push(t);
        series.freqs.push(f);
    }
    Ok(series)
}

/// Cents above `base_frequency` of |f|; 0 Hz stays 0 (`mir_eval.melody.hz2cents`).
pub fn hz_to_cents(freq_hz: &[f64], base_frequency: f64) -> Vec<f64> {
    freq_hz.iter().map(|&f| if f != 0.0 { 1200.0 * (f.abs() / base_frequency).log2() } else { 0.0 }).collect()
}

/// Split frequencies into |f| and a voicing per frame (`mir_eval.melody.freq_to_voicing`):
/// without `voicing`, a frame is voiced (1) when f > 0; with it, the given voicing is kept
/// except where f = 0, which is forced to 0.
pub fn freq_to_voicing(frequencies: &[f64], voicing: Option<&[f64]>) -> Result<(Vec<f64>, Vec<f64>)> {
    let voicing = match voicing {
        Some(v) => {
            check_same_len(v.len(), frequencies.len(), "voicing and frequency arrays")?;
            v.iter().zip(frequencies).map(|(&v, &f)| if f == 0.0 { 0.0 } else { v }).collect()
        }
        None => frequencies.iter().map(|&f| if f > 0.0 { 1.0 } else { 0.0 }).collect(),
    };
    Ok((frequencies.iter().map(|f| f.abs()).collect(), voicing))
}

/// Resample a pitch (cents or Hz) and voicing series onto `times_new`
/// (`mir_eval.melody.resample_melody_series` with `kind="linear"`): pitch is linearly
/// interpolated across voiced frames (zeros are held at the last value, then put back with a
/// zero-order hold), voicing by a zero-order hold if it is binary and linearly if not. When the
/// two time bases agree (numpy's `allclose`) the series is returned as it is.
///
/// Errors when a new time lies before the first old time (scipy's bounds error), on empty or
/// mismatched inputs, and on non-finite times.
pub fn resample_melody_series(
    times: &[f64],
    frequencies: &[f64],
    voicing: &[f64],
    times_new: &[f64],
) -> Result<(Vec<f64>, Vec<f64>)> {
    check_same_len(frequencies.len(), times.len(), "times and frequencies")?;
    check_same_len(voicing.len(), times.len(), "times and voicing")?;
    if times.is_empty() {
        return Err(Error::InvalidInput("an empty time series cannot be resampled".into()));
    }
    if times.iter().chain(times_new).any(|t| !t.is_finite()) {
        return Err(Error::InvalidInput("times must be finite".into()));
    }
    if times.len() == times_new.len() && allclose(times, times_new) {
        return Ok((frequencies.to_vec(), voicing.to_vec()));
    }
    let mut times: Vec<f64> = times.iter().map(|&t| round10(t)).collect();
    let times_new: Vec<f64> = times_new.iter().map(|&t| round10(t)).collect();
    let mut frequencies = frequencies.to_vec();
    let mut voicing = voicing.to_vec();
    if times_new.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let new_max = np_max(&times_new);
    if new_max > np_max(&times) {
        times.push(new_max);
        frequencies.push(0.0);
        voicing.push(0.0);
    }
    let mut held = frequencies.clone();
    for n in 1..held.len() {
        if frequencies[n] == 0.0 {
            held[n] = held[n - 1];
        }
    }
    let linear = Interp1d::new(&times, &held, &times_new)?;
    let zero = Interp1d::new(&times, &frequencies, &times_new)?;
    let resampled: Vec<f64> = linear
        .linear()
        .into_iter()
        .zip(zero.zero_order())
        .map(|(f, mask)| f * if mask != 0.0 { 1.0 } else { 0.0 })
        .collect();
    let binary = voicing.iter().all(|&v| v == 0.0 || v == 1.0);
    let voicing_interp = Interp1d::new(&times, &voicing, &times_new)?;
    let voicing_resampled = if binary { voicing_interp.zero_order() } else { voicing_interp.linear() };
    Ok((resampled, voicing_resampled))
}

/// Reference and estimate (times in seconds, frequencies in Hz) as voicing and cents on the
/// reference's time base (`mir_eval.melody.to_cent_voicing` without `hop`, `kind="linear"`).
///
/// `est_voicing` (a confidence per estimated frame, in `[0, 1]`) replaces the voicing implied by
/// the sign of `est_freq`; `ref_reward` weights the reference frames (Bittner & Bosch 2019).
/// A series that does not start at 0 s gets a first frame at 0 s repeating its first value.
/// The estimate is cut or padded (unvoiced) to the reference's length.
pub fn to_cent_voicing(
    ref_time: &[f64],
    ref_freq: &[f64],
    est_time: &[f64],
    est_freq: &[f64],
    est_voicing: Option<&[f64]>,
    ref_reward: Option<&[f64]>,
) -> Result<CentVoicing> {
    check_same_len(ref_freq.len(), ref_time.len(), "reference times and frequencies")?;
    check_same_len(est_freq.len(), est_time.len(), "estimated times and frequencies")?;
    if ref_time.is_empty() || est_time.is_empty() {
        return Err(Error::InvalidInput("an empty melody cannot be evaluated".into()));
    }
    let (ref_time, ref_freq, ref_reward) = with_zero_time(ref_time, ref_freq, ref_reward);
    let (est_time, est_freq, est_voicing) = with_zero_time(est_time, est_freq, est_voicing);
    let (ref_freq, ref_voicing) = freq_to_voicing(&ref_freq, ref_reward.as_deref())?;
    let (est_freq, est_voicing) = freq_to_voicing(&est_freq, est_voicing.as_deref())?;
    let ref_cent = hz_to_cents(&ref_freq, BASE_FREQUENCY);
    let est_cent = hz_to_cents(&est_freq, BASE_FREQUENCY);
    let (mut est_cent, mut est_voicing) =
        resample_melody_series(&est_time, &est_cent, &est_voicing, &ref_time)?;
    est_cent.resize(ref_cent.len(), 0.0);
    est_voicing.resize(ref_cent.len(), 0.0);
    Ok(CentVoicing { ref_voicing, ref_cent, est_voicing, est_cent })
}

/// mir_eval's "add a sample at time 0" step: a series starting after 0 s gets a first frame at
/// 0 s with its first value (and first voicing).
fn with_zero_time(
    times: &[f64],
    freqs: &[f64],
    voicing: Option<&[f64]>,
) -> (Vec<f64>, Vec<f64>, Option<Vec<f64>>) {
    let mut times = times.to_vec();
    let mut freqs = freqs.to_vec();
    let mut voicing = voicing.map(|v| v.to_vec());
    if times[0] > 0.0 {
        times.insert(0, 0.0);
        freqs.insert(0, freqs[0]);
        if let Some(v) = voicing.as_mut()
            && let Some(&first) = v.first()
        {
            v.insert(0, first);
        }
    }
    (times, freqs, voicing)
}

/// Fraction of reference-voiced frames (voicing > 0) that the estimate voices, weighted by the
/// estimated voicing (`mir_eval.melody.voicing_recall`). 0 for empty input, 1 when the
/// reference has no voiced frame.
pub fn voicing_recall(ref_voicing: &[f64], est_voicing: &[f64]) -> Result<f64> {
    validate_voicing(ref_voicing, est_voicing)?;
    if ref_voicing.is_empty() || est_voicing.is_empty() {
        return Ok(0.0);
    }
    let indicator: Vec<f64> = ref_voicing.iter().map(|&v| if v > 0.0 { 1.0 } else { 0.0 }).collect();
    let total = np_sum(&indicator);
    if total == 0.0 {
        return Ok(1.0);
    }
    let hits: Vec<f64> = est_voicing.iter().zip(&indicator).map(|(e, r)| e * r).collect();
    Ok(np_sum(&hits) / total)
}

/// Fraction of reference-unvoiced frames (voicing = 0) that the estimate voices, weighted by
/// the estimated voicing (`mir_eval.melody.voicing_false_alarm`). 0 for empty input or when
/// every reference frame is voiced.
pub fn voicing_false_alarm(ref_voicing: &[f64], est_voicing: &[f64]) -> Result<f64> {
    validate_voicing(ref_voicing, est_voicing)?;
    if ref_voicing.is_empty() || est_voicing.is_empty() {
        return Ok(0.0);
    }
    let indicator: Vec<f64> = ref_voicing.iter().map(|&v| if v == 0.0 { 1.0 } else { 0.0 }).collect();
    let total = np_sum(&indicator);
    if total == 0.0 {
        return Ok(0.0);
    }
    let alarms: Vec<f64> = est_voicing.iter().zip(&indicator).map(|(e, r)| e * r).collect();
    Ok(np_sum(&alarms) / total)
}

/// Raw pitch accuracy (`mir_eval.melody.raw_pitch_accuracy`): the reference-voicing-weighted
/// fraction of frames whose estimated pitch lies within `cent_tolerance` of the reference,
/// among frames where both pitches are known; estimated voicing is ignored. 0 when the
/// reference has no voiced frame.
pub fn raw_pitch_accuracy(cv: &CentVoicing, cent_tolerance: f64) -> Result<f64> {
    pitch_accuracy(cv, cent_tolerance, false)
}

/// Raw chroma accuracy (`mir_eval.melody.raw_chroma_accuracy`): as [`raw_pitch_accuracy`]
/// after folding the difference to the nearest octave.
pub fn raw_chroma_accuracy(cv: &CentVoicing, cent_tolerance: f64) -> Result<f64> {
    pitch_accuracy(cv, cent_tolerance, true)
}

fn pitch_accuracy(cv: &CentVoicing, cent_tolerance: f64, chroma: bool) -> Result<f64> {
    validate(cv)?;
    if cv.ref_voicing.is_empty() || np_sum(&cv.ref_voicing) == 0.0 || cv.est_cent.is_empty() {
        return Ok(0.0);
    }
    let mut weighted = Vec::new();
    for i in 0..cv.ref_cent.len() {
        if cv.est_cent[i] == 0.0 || cv.ref_cent[i] == 0.0 {
            continue;
        }
        let diff = (cv.ref_cent[i] - cv.est_cent[i]).abs();
        let correct = if chroma {
            let octave = 1200.0 * (diff / 1200.0 + 0.5).floor();
            (diff - octave).abs() < cent_tolerance
        } else {
            diff < cent_tolerance
        };
        weighted.push(cv.ref_voicing[i] * if correct { 1.0 } else { 0.0 });
    }
    if weighted.is_empty() {
        return Ok(0.0);
    }
    Ok(np_sum(&weighted) / np_sum(&cv.ref_voicing))
}

/// Overall accuracy (`mir_eval.melody.overall_accuracy`): the fraction of frames that are
/// voiced in both with a correct pitch (weighted by both voicings and rescaled by the
/// reference reward) or unvoiced in both. 0 for empty input.
pub fn overall_accuracy(cv: &CentVoicing, cent_tolerance: f64) -> Result<f64> {
    validate(cv)?;
    if cv.ref_voicing.is_empty() || cv.est_voicing.is_empty() || cv.est_cent.is_empty() {
        return Ok(0.0);
    }
    let mut voiced_right = Vec::new();
    for i in 0..cv.ref_cent.len() {
        if cv.est_cent[i] == 0.0 || cv.ref_cent[i] == 0.0 {
            continue;
        }
        let correct = (cv.ref_cent[i] - cv.est_cent[i]).abs() < cent_tolerance;
        voiced_right.push(cv.ref_voicing[i] * cv.est_voicing[i] * if correct { 1.0 } else { 0.0 });
    }
    let ref_binary: Vec<f64> = cv.ref_voicing.iter().map(|&v| if v > 0.0 { 1.0 } else { 0.0 }).collect();
    let reward_total = np_sum(&cv.ref_voicing);
    let ratio = if reward_total == 0.0 { 0.0 } else { np_sum(&ref_binary) / reward_total };
    let unvoiced_right: Vec<f64> =
        ref_binary.iter().zip(&cv.est_voicing).map(|(r, e)| (1.0 - r) * (1.0 - e)).collect();
    let n_frames = cv.ref_voicing.len() as f64;
    Ok((ratio * np_sum(&voiced_right) + np_sum(&unvoiced_right)) / n_frames)
}

/// Every melody metric, as `mir_eval.melody.evaluate(ref_time, ref_freq, est_time, est_freq)`:
/// binary voicing from the signs of the frequencies (see the module docs).
pub fn evaluate(
    ref_time: &[f64],
    ref_freq: &[f64],
    est_time: &[f64],
    est_freq: &[f64],
) -> Result<MelodyScores> {
    evaluate_with_voicing(ref_time, ref_freq, est_time, est_freq, None, None)
}

/// [`evaluate`] with an estimated voicing confidence per estimated frame and a reward per
/// reference frame (`est_voicing` and `ref_reward` of `mir_eval.melody.evaluate`).
pub fn evaluate_with_voicing(
    ref_time: &[f64],
    ref_freq: &[f64],
    est_time: &[f64],
    est_freq: &[f64],
    est_voicing: Option<&[f64]>,
    ref_reward: Option<&[f64]>,
) -> Result<MelodyScores> {
    let cv = to_cent_voicing(ref_time, ref_freq, est_time, est_freq, est_voicing, ref_reward)?;
    Ok(MelodyScores {
        voicing_recall: voicing_recall(&cv.ref_voicing, &cv.est_voicing)?,
        voicing_false_alarm: voicing_false_alarm(&cv.ref_voicing, &cv.est_voicing)?,
        raw_pitch_accuracy: raw_pitch_accuracy(&cv, CENT_TOLERANCE)?,
        raw_chroma_accuracy: raw_chroma_accuracy(&cv, CENT_TOLERANCE)?,
        overall_accuracy: overall_accuracy(&cv, CENT_TOLERANCE)?,
    })
}

/// mir_eval's `validate_voicing`: equal lengths, every value in `[0, 1]` (NaN is rejected too,
/// where mir_eval would let it through).
fn validate_voicing(ref_voicing: &[f64], est_voicing: &[f64]) -> Result<()> {
    check_same_len(ref_voicing.len(), est_voicing.len(), "reference and estimated voicing")?;
    if ref_voicing.iter().chain(est_voicing).any(|&v| !(0.0..=1.0).contains(&v)) {
        return Err(Error::InvalidInput("voicing values must lie in [0, 1]".into()));
    }
    Ok(())
}

/// mir_eval's `validate_voicing` and `validate`: all four arrays of one length.
fn validate(cv: &CentVoicing) -> Result<()> {
    validate_voicing(&cv.ref_voicing, &cv.est_voicing)?;
    check_same_len(cv.ref_cent.len(), cv.ref_voicing.len(), "reference voicing and cents")?;
    check_same_len(cv.est_cent.len(), cv.est_voicing.len(), "estimated voicing and cents")?;
    check_same_len(cv.est_cent.len(), cv.ref_cent.len(), "reference and estimated cents")
}

fn check_same_len(a: usize, b: usize, what: &str) -> Result<()> {
    if a == b { Ok(()) } else { Err(Error::InvalidInput(format!("{what} differ in length ({a} vs {b})"))) }
}

/// `np.round(x, 10)`: multiply by 1e10, round half to even, divide.
fn round10(x: f64) -> f64 {
    (x * 1e10).round_ties_even() / 1e10
}

/// `np.allclose(a, b)` (rtol 1e-5, atol 1e-8; NaN is never close).
fn allclose(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(&x, &y)| (x - y).abs() <= 1e-8 + 1e-5 * y.abs())
}

/// np.max of a non-empty, NaN-free slice.
fn np_max(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// `scipy.interpolate.interp1d(x, y)(x_new)` for the two kinds mir_eval uses, with its
/// defaults: x sorted first (stable), and a bounds error outside `[min x, max x]`.
struct Interp1d<'a> {
    x: Vec<f64>,
    y: Vec<f64>,
    x_new: &'a [f64],
}

impl<'a> Interp1d<'a> {
    fn new(x: &[f64], y: &[f64], x_new: &'a [f64]) -> Result<Interp1d<'a>> {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let x: Vec<f64> = order.iter().map(|&i| x[i]).collect();
        let y: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let (Some(&lo), Some(&hi)) = (x.first(), x.last()) else {
            return Err(Error::InvalidInput("cannot interpolate an empty series".into()));
        };
        if x_new.iter().any(|&t| t < lo) {
            return Err(Error::InvalidInput(format!(
                "a reference time lies before the first estimated time ({lo} s)"
            )));
        }
        if x_new.iter().any(|&t| t > hi) {
            return Err(Error::InvalidInput(format!(
                "a reference time lies after the last estimated time ({hi} s)"
            )));
        }
        Ok(Interp1d { x, y, x_new })
    }

    /// The last index j with x[j] <= t (t within range, so j exists).
    fn segment(&self, t: f64) -> usize {
        self.x.partition_point(|&xi| xi <= t).saturating_sub(1)
    }

    /// `np.interp` (what `interp1d(kind="linear")` delegates to for float64 data).
    fn linear(&self) -> Vec<f64> {
        let (x, y) = (&self.x, &self.y);
        let n = x.len();
        self.x_new
            .iter()
            .map(|&t| {
                let j = self.segment(t);
                if j + 1 >= n || x[j] == t {
                    return y[j];
                }
                let slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
                let v = slope * (t - x[j]) + y[j];
                if !v.is_nan() {
                    return v;
                }
                let v = slope * (t - x[j + 1]) + y[j + 1];
                if v.is_nan() && y[j] == y[j + 1] { y[j] } else { v }
            })
            .collect()
    }

    /// `interp1d(kind="zero")`: a zero-order B-spline, the value of the last knot at or before t.
    fn zero_order(&self) -> Vec<f64> {
        self.x_new.iter().map(|&t| self.y[self.segment(t)]).collect()
    }
}

/// numpy's pairwise summation of float64 (`pairwise_sum`: sequential below 8 values, eight
/// accumulators up to 128, halves split at a multiple of 8 above).
fn np_sum(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 8 {
        return xs.iter().fold(0.0, |s, &x| s + x);
    }
    if n > 128 {
        let half = n / 2;
        let half = half - half % 8;
        return np_sum(&xs[..half]) + np_sum(&xs[half..]);
    }
    let mut acc = [0.0; 8];
    acc.copy_from_slice(&xs[..8]);
    let whole = n - n % 8;
    for block in xs[8..whole].chunks_exact(8) {
        for (a, &x) in acc.iter_mut().zip(block) {
            *a += x;
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for &x in &xs[whole..] {
        s += x;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_of_simple_frequencies() {
        // mir_eval's test_hz2cents.
        let c = hz_to_cents(&[0.0, 10.0, 5.0, 320.0, 1420.31238974231], BASE_FREQUENCY);
        let expected = [0.0, 0.0, -1200.0, 6000.0, 8580.0773605];
        for (a, b) in c.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn voicing_from_signs_and_given_voicing() {
        let (f, v) = freq_to_voicing(&[0.0, 100.0, -132.0], None).unwrap();
        assert_eq!((f, v), (vec![0.0, 100.0, 132.0], vec![0.0, 1.0, 0.0]));
        let (f, v) =
            freq_to_voicing(&[0.0, 100.0, -132.0, 0.0, 131.0], Some(&[0.8, 0.0, 1.0, 0.0, 0.5])).unwrap();
        assert_eq!(f, vec![0.0, 100.0, 132.0, 0.0, 131.0]);
        assert_eq!(v, vec![0.0, 0.0, 1.0, 0.0, 0.5]);
        assert!(freq_to_voicing(&[1.0, 2.0], Some(&[1.0])).is_err());
    }

    #[test]
    fn resampling_keeps_zero_transitions() {
        // mir_eval's test_resample_melody_series.
        let times: Vec<f64> = (0..4).map(|i| i as f64 / 35.0).collect();
        let cents = [2.0, 0.0, -1.0, 1.0];
        let times_new: Vec<f64> = (0..9).map(|i| 0.08 * i as f64 / 8.0).collect();
        let (c, v) = resample_melody_series(&times, &cents, &[1.0, 0.0, 1.0, 1.0], &times_new).unwrap();
        let expected_c = [2.0, 2.0, 2.0, 0.0, 0.0, 0.0, -0.8, -0.1, 0.6];
        let expected_v = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        // mir_eval's tolerance (np.allclose): its times are rounded to 10 decimals first.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 + 1e-5 * b.abs();
        for i in 0..9 {
            assert!(close(c[i], expected_c[i]), "{c:?}");
            assert_eq!(v[i], expected_v[i], "{v:?}");
        }
        let (_, v) = resample_melody_series(&times, &cents, &[0.8, 0.0, 0.2, 1.0], &times_new).unwrap();
        let expected_v = [0.8, 0.52, 0.24, 0.01, 0.08, 0.15, 0.28, 0.56, 0.84];
        for i in 0..9 {
            assert!(close(v[i], expected_v[i]), "{v:?}");
        }
        // Identical time bases: nothing changes, not even zeros.
        let t = [0.0, 0.1, 0.2, 0.3];
        let (c, v) = resample_melody_series(&t, &cents, &[0.5, 0.8, 0.9, 1.0], &t).unwrap();
        assert_eq!((c, v), (cents.to_vec(), vec![0.5, 0.8, 0.9, 1.0]));
    }

    #[test]
    fn a_zero_sample_is_added_at_the_start() {
        let cv =
            to_cent_voicing(&[1.0, 2.0], &[440.0, 442.0], &[1.0, 2.0], &[441.0, 443.0], None, None).unwrap();
        for v in [&cv.ref_voicing, &cv.ref_cent, &cv.est_voicing, &cv.est_cent] {
            assert_eq!(v.len(), 3);
            assert_eq!(v[0], v[1]);
        }
    }

    #[test]
    fn continuous_voicing_cases_of_mir_eval() {
        // mir_eval's test_continuous_voicing_metrics (expected values to 1e-12).
        let ref_time = [0.0, 0.1, 0.2, 0.3];
        let ref_freq = [440.0, 0.0, 220.0, 220.0];
        let est_freq = [440.1, 330.0, 440.0, 330.0];
        let cases: [([f64; 4], [f64; 5]); 3] = [
            ([1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 0.5]),
            ([0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0 / 3.0, 2.0 / 3.0, 0.0]),
            ([0.8, 0.2, 0.8, 0.8], [0.8, 0.2, 1.0 / 3.0, 2.0 / 3.0, 0.4]),
        ];
        for (voicing, expected) in cases {
            let s = evaluate_with_voicing(&ref_time, &ref_freq, &ref_time, &est_freq, Some(&voicing), None)
                .unwrap();
            for ((_, ours), theirs) in s.mir_eval_named().iter().zip(expected) {
                assert!((ours - theirs).abs() < 1e-12, "{voicing:?}: {s:?}");
            }
        }
        let rewards: [([f64; 4], [f64; 5]); 3] = [
            ([0.0, 0.0, 0.0, 0.0], [1.0, 0.75, 0.0, 0.0, 0.25]),
            ([1.0, 0.0, 0.5, 0.5], [1.0, 0.0, 0.5, 0.75, 0.625]),
            ([0.1, 0.0, 0.1, 0.8], [1.0, 0.0, 0.1, 0.2, 0.325]),
        ];
        for (reward, expected) in rewards {
            let s = evaluate_with_voicing(
                &ref_time,
                &ref_freq,
                &ref_time,
                &est_freq,
                Some(&[1.0, 0.0, 1.0, 1.0]),
                Some(&reward),
            )
            .unwrap();
            for ((_, ours), theirs) in s.mir_eval_named().iter().zip(expected) {
                assert!((ours - theirs).abs() < 1e-12, "{reward:?}: {s:?}");
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert!(evaluate(&[], &[], &[0.0], &[1.0]).is_err());
        assert!(evaluate(&[0.0], &[1.0], &[], &[]).is_err());
        assert!(evaluate(&[0.0, 0.1], &[1.0], &[0.0], &[1.0]).is_err());
        assert!(evaluate(&[0.0, f64::NAN], &[1.0, 1.0], &[0.0], &[1.0]).is_err());
        // A reference time before the estimate's first (after mir_eval's 0 s padding).
        assert!(evaluate(&[-1.0, 0.0], &[1.0, 1.0], &[0.0], &[1.0]).is_err());
        assert!(
            evaluate_with_voicing(&[0.0], &[100.0], &[0.0], &[100.0], Some(&[1.5]), None).is_err(),
            "voicing above 1"
        );
        assert!(voicing_recall(&[1.0], &[1.0, 0.0]).is_err());
        assert_eq!(voicing_recall(&[], &[]).unwrap(), 0.0);
        assert_eq!(raw_pitch_accuracy(&CentVoicing::default(), CENT_TOLERANCE).unwrap(), 0.0);
        assert!(parse_f0("0.0,1.0\n0.1 x\n").unwrap_err().to_string().contains("line 2"));
        assert!(parse_f0("0.0,1.0,2.0\n").is_err());
        assert!(parse_f0("0.0,nan\n").is_err());
        let s = parse_f0("# header\n0.0,0.0\n\n0.01\t220.5\n").unwrap();
        assert_eq!((s.times, s.freqs), (vec![0.0, 0.01], vec![0.0, 220.5]));
    }

    #[test]
    fn pairwise_sum_matches_plain_sum_of_integers() {
        let xs: Vec<f64> = (0..1000).map(|i| (i % 7) as f64).collect();
        assert_eq!(np_sum(&xs), xs.iter().sum::<f64>());
        assert_eq!(np_sum(&[]), 0.0);
        // numpy: np.sum(np.full(1000, 0.1)) == 100.00000000000001; a left fold gives 99.9999999999986.
        let tenths = vec![0.1; 1000];
        assert_eq!(np_sum(&tenths), 100.00000000000001);
        assert_ne!(np_sum(&tenths), tenths.iter().fold(0.0, |s, x| s + x));
    }
}
