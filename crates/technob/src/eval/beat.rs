//! Beat tracking metrics: a port of `mir_eval.beat` 0.8 (Raffel et al. 2014), after Davies,
//! Degara & Plumbley, "Evaluation Methods for Musical Audio Beat Tracking Algorithms",
//! C4DM-TR-09-06, 2009.
//!
//! Each metric takes increasing beat times in seconds and reproduces mir_eval's arithmetic
//! (including its quirks), so the scores are mir_eval's to the last bit on mir_eval's own
//! regression data. The metric functions never fail and never panic; on input that
//! [`validate_beats`] rejects their result is unspecified. [`evaluate_beats`] does what
//! `mir_eval.beat.evaluate` does: trim the first 5 s, validate, compute every metric.

use serde::{Deserialize, Serialize};

use crate::{Error, Result, ensure_param};

/// Beats before this time (seconds) are ignored by [`evaluate_beats`] (mir_eval's default).
pub const MIN_BEAT_TIME: f64 = 5.0;
/// Largest beat time mir_eval accepts, seconds.
pub const MAX_TIME: f64 = 30000.0;
/// F-measure hit window, ± seconds.
pub const F_MEASURE_THRESHOLD: f64 = 0.07;
/// Standard deviation of Cemgil's Gaussian error window, seconds.
pub const CEMGIL_SIGMA: f64 = 0.04;
/// Goto: largest relative beat error of a correct beat.
pub const GOTO_THRESHOLD: f64 = 0.35;
/// Goto: bound on the mean absolute error of the correct track.
pub const GOTO_MU: f64 = 0.2;
/// Goto: bound on the standard deviation of the errors of the correct track.
pub const GOTO_SIGMA: f64 = 0.2;
/// P-score window, as a fraction of the median inter-annotation interval.
pub const P_SCORE_THRESHOLD: f64 = 0.2;
/// Continuity: largest phase error, as a fraction of the inter-annotation interval.
pub const CONTINUITY_PHASE_THRESHOLD: f64 = 0.175;
/// Continuity: largest relative difference between inter-beat and inter-annotation intervals.
pub const CONTINUITY_PERIOD_THRESHOLD: f64 = 0.175;
/// Number of bins of the beat error histogram of the information gain.
pub const INFORMATION_GAIN_BINS: usize = 41;

/// The parameters of every beat metric; the default is mir_eval's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeatParams {
    /// Beats before this time (seconds) are dropped before scoring ([`trim_beats_at`]).
    pub min_beat_time: f64,
    /// See [`F_MEASURE_THRESHOLD`].
    pub f_measure_threshold: f64,
    /// See [`CEMGIL_SIGMA`].
    pub cemgil_sigma: f64,
    /// See [`GOTO_THRESHOLD`].
    pub goto_threshold: f64,
    /// See [`GOTO_MU`].
    pub goto_mu: f64,
    /// See [`GOTO_SIGMA`].
    pub goto_sigma: f64,
    /// See [`P_SCORE_THRESHOLD`].
    pub p_score_threshold: f64,
    /// See [`CONTINUITY_PHASE_THRESHOLD`].
    pub continuity_phase_threshold: f64,
    /// See [`CONTINUITY_PERIOD_THRESHOLD`].
    pub continuity_period_threshold: f64,
    /// See [`INFORMATION_GAIN_BINS`].
    pub information_gain_bins: usize,
}

impl Default for BeatParams {
    fn default() -> Self {
        BeatParams {
            min_beat_time: MIN_BEAT_TIME,
            f_measure_threshold: F_MEASURE_THRESHOLD,
            cemgil_sigma: CEMGIL_SIGMA,
            goto_threshold: GOTO_THRESHOLD,
            goto_mu: GOTO_MU,
            goto_sigma: GOTO_SIGMA,
            p_score_threshold: P_SCORE_THRESHOLD,
            continuity_phase_threshold: CONTINUITY_PHASE_THRESHOLD,
            continuity_period_threshold: CONTINUITY_PERIOD_THRESHOLD,
            information_gain_bins: INFORMATION_GAIN_BINS,
        }
    }
}

impl BeatParams {
    /// Check every parameter is usable: [`Error::InvalidParameter`] otherwise.
    pub fn validate(&self) -> Result<()> {
        ensure_param!(
            self.min_beat_time.is_finite(),
            "min_beat_time must be finite, got {}",
            self.min_beat_time
        );
        for (name, v) in [
            ("f_measure_threshold", self.f_measure_threshold),
            ("cemgil_sigma", self.cemgil_sigma),
            ("goto_threshold", self.goto_threshold),
            ("goto_mu", self.goto_mu),
            ("goto_sigma", self.goto_sigma),
            ("p_score_threshold", self.p_score_threshold),
            ("continuity_phase_threshold", self.continuity_phase_threshold),
            ("continuity_period_threshold", self.continuity_period_threshold),
        ] {
            ensure_param!(v.is_finite() && v > 0.0, "{name} must be a positive number, got {v}");
        }
        ensure_param!(self.information_gain_bins >= 1, "information_gain_bins must be at least 1");
        Ok(())
    }
}

/// Every score of `mir_eval.beat.evaluate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BeatScores {
    /// F-measure of beats within ±70 ms ([`f_measure`]).
    pub f_measure: f64,
    /// Cemgil's accuracy at the annotated metrical level ([`cemgil`]).
    pub cemgil: f64,
    /// Cemgil's accuracy, best over the metrical variations.
    pub cemgil_best_metric_level: f64,
    /// Goto's binary score ([`goto`]).
    pub goto: f64,
    /// McKinney's P-score ([`p_score`]).
    pub p_score: f64,
    /// Correct metric level, continuous ([`continuity`]).
    pub cml_c: f64,
    /// Correct metric level, total.
    pub cml_t: f64,
    /// Any metric level, continuous.
    pub aml_c: f64,
    /// Any metric level, total.
    pub aml_t: f64,
    /// Information gain, in `[0, 1]` ([`information_gain`]).
    pub information_gain: f64,
}

impl BeatScores {
    /// The scores under mir_eval's names, in `mir_eval.beat.evaluate`'s order.
    pub fn mir_eval_named(&self) -> [(&'static str, f64); 10] {
        [
            ("F-measure", self.f_measure),
            ("Cemgil", self.cemgil),
            ("Cemgil Best Metric Level", self.cemgil_best_metric_level),
            ("Goto", self.goto),
            ("P-score", self.p_score),
            ("Correct Metric Level Continuous", self.cml_c),
            ("Correct Metric Level Total", self.cml_t),
            ("Any Metric Level Continuous", self.aml_c),
            ("Any Metric Level Total", self.aml_t),
            ("Information gain", self.information_gain),
        ]
    }
}

/// Cemgil's accuracy ([`cemgil`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cemgil {
    /// At the annotated metrical level.
    pub score: f64,
    /// Best over the annotated level, off-beat, double tempo and both half tempi.
    pub best_metric_level: f64,
}

/// The continuity-based scores ([`continuity`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Continuity {
    /// Correct metric level, longest continuously correct segment.
    pub cml_c: f64,
    /// Correct metric level, all correct beats.
    pub cml_t: f64,
    /// Any metric level, longest continuously correct segment.
    pub aml_c: f64,
    /// Any metric level, all correct beats.
    pub aml_t: f64,
}

/// Drop beats before [`MIN_BEAT_TIME`] (5 s): `mir_eval.beat.trim_beats`.
pub fn trim_beats(beats: &[f64]) -> Vec<f64> {
    trim_beats_at(beats, MIN_BEAT_TIME)
}

/// Keep only the beats at or after `min_beat_time` seconds.
pub fn trim_beats_at(beats: &[f64], min_beat_time: f64) -> Vec<f64> {
    beats.iter().copied().filter(|&t| t >= min_beat_time).collect()
}

/// mir_eval's checks on a beat sequence (`mir_eval.util.validate_events`), plus finiteness:
/// times finite, at most [`MAX_TIME`], non-decreasing. Empty is valid (every score is then 0).
pub fn validate_beats(beats: &[f64]) -> Result<()> {
    for (i, &t) in beats.iter().enumerate() {
        if !t.is_finite() {
            return Err(Error::InvalidInput(format!("beat {} is not a finite time ({t})", i + 1)));
        }
        if t > MAX_TIME {
            return Err(Error::InvalidInput(format!(
                "beat {} at {t} s is after the largest allowed time {MAX_TIME} s (times must be in seconds)",
                i + 1
            )));
        }
        if i > 0 && t < beats[i - 1] {
            return Err(Error::InvalidInput(format!(
                "beat times must not decrease: beat {} at {t} s comes after {} s",
                i + 1,
                beats[i - 1]
            )));
        }
    }
    Ok(())
}

/// Every beat metric with mir_eval's defaults: `mir_eval.beat.evaluate(reference, estimated)`.
///
/// Both sequences are trimmed at 5 s, then validated ([`validate_beats`]); an empty sequence
/// (before or after trimming) gives mir_eval's scores for it (all zero), not an error.
pub fn evaluate_beats(reference: &[f64], estimated: &[f64]) -> Result<BeatScores> {
    evaluate_beats_with(reference, estimated, &BeatParams::default())
}

/// [`evaluate_beats`] with explicit parameters.
pub fn evaluate_beats_with(reference: &[f64], estimated: &[f64], params: &BeatParams) -> Result<BeatScores> {
    params.validate()?;
    let reference = trim_beats_at(reference, params.min_beat_time);
    let estimated = trim_beats_at(estimated, params.min_beat_time);
    validate_beats(&reference).map_err(|e| Error::InvalidInput(format!("reference: {e}")))?;
    validate_beats(&estimated).map_err(|e| Error::InvalidInput(format!("estimate: {e}")))?;
    let (r, e) = (reference.as_slice(), estimated.as_slice());
    let c = cemgil(r, e, params.cemgil_sigma);
    let k = continuity(r, e, params.continuity_phase_threshold, params.continuity_period_threshold);
    Ok(BeatScores {
        f_measure: f_measure(r, e, params.f_measure_threshold),
        cemgil: c.score,
        cemgil_best_metric_level: c.best_metric_level,
        goto: goto(r, e, params.goto_threshold, params.goto_mu, params.goto_sigma),
        p_score: p_score(r, e, params.p_score_threshold),
        cml_c: k.cml_c,
        cml_t: k.cml_t,
        aml_c: k.aml_c,
        aml_t: k.aml_t,
        information_gain: information_gain(r, e, params.information_gain_bins),
    })
}

/// Downbeat F-measure: the beat F-measure (±70 ms) of downbeat lists, as madmom and mir_eval
/// score downbeats, after the same 5 s trim and validation as [`evaluate_beats`].
pub fn downbeat_f_measure(reference: &[f64], estimated: &[f64]) -> Result<f64> {
    downbeat_f_measure_with(reference, estimated, &BeatParams::default())
}

/// [`downbeat_f_measure`] with explicit parameters (`min_beat_time`, `f_measure_threshold`).
pub fn downbeat_f_measure_with(reference: &[f64], estimated: &[f64], params: &BeatParams) -> Result<f64> {
    params.validate()?;
    let reference = trim_beats_at(reference, params.min_beat_time);
    let estimated = trim_beats_at(estimated, params.min_beat_time);
    validate_beats(&reference).map_err(|e| Error::InvalidInput(format!("reference downbeats: {e}")))?;
    validate_beats(&estimated).map_err(|e| Error::InvalidInput(format!("estimated downbeats: {e}")))?;
    Ok(f_measure(&reference, &estimated, params.f_measure_threshold))
}

/// F-measure of estimated beats within ±`threshold` s of a reference beat, each reference
/// beat matched at most once (maximum matching): `mir_eval.beat.f_measure`. 0 when either
/// sequence is empty.
pub fn f_measure(reference: &[f64], estimated: &[f64], threshold: f64) -> f64 {
    if estimated.is_empty() || reference.is_empty() {
        return 0.0;
    }
    let matched = match_events(reference, estimated, threshold) as f64;
    let precision = matched / estimated.len() as f64;
    let recall = matched / reference.len() as f64;
    if precision == 0.0 && recall == 0.0 {
        return 0.0;
    }
    // mir_eval.util.f_measure with beta = 1: (1 + β²)·P·R / (β²·P + R).
    2.0 * precision * recall / (precision + recall)
}

/// Size of a maximum matching of `mir_eval.util.match_events`: pairs with
/// `est − window ≤ ref ≤ est + window` (computed as mir_eval's `_fast_hit_windows` does).
///
/// Each estimate hits a contiguous run of the sorted reference whose ends never move back as
/// the estimate grows, so giving each estimate, in order, the first free reference beat of
/// its run is a maximum matching (the cardinality Hopcroft–Karp finds in mir_eval).
fn match_events(reference: &[f64], estimated: &[f64], window: f64) -> usize {
    let mut r = reference.to_vec();
    let mut e = estimated.to_vec();
    r.sort_by(f64::total_cmp);
    e.sort_by(f64::total_cmp);
    let mut matched = 0;
    let mut next_free = 0usize;
    for &t in &e {
        let (lo, hi) = (t - window, t + window);
        let start = r.partition_point(|&x| x < lo).max(next_free);
        let end = r.partition_point(|&x| x <= hi);
        if start < end {
            matched += 1;
            next_free = start + 1;
        }
    }
    matched
}

/// The five metrical variations of mir_eval's `_get_reference_beat_variations`: annotated,
/// off-beat, double tempo, half tempo (odd beats), half tempo (even beats).
fn reference_variations(reference: &[f64]) -> [Vec<f64>; 5] {
    // np.interp at the midpoints 0, 0.5, 1, ...: slope·(x − xⱼ) + yⱼ with slope = yⱼ₊₁ − yⱼ.
    let n = reference.len();
    let mut double = Vec::with_capacity((2 * n).saturating_sub(1));
    for (i, &b) in reference.iter().enumerate() {
        double.push(b);
        if i + 1 < n {
            double.push((reference[i + 1] - b) / 1.0 * 0.5 + b);
        }
    }
    let off_beat = double.iter().skip(1).step_by(2).copied().collect();
    let half_odd = reference.iter().step_by(2).copied().collect();
    let half_even = reference.iter().skip(1).step_by(2).copied().collect();
    [reference.to_vec(), off_beat, double, half_odd, half_even]
}

/// Cemgil et al. (2001) accuracy with a Gaussian error window of `sigma` s, for the annotated
/// level and the best metrical variation: `mir_eval.beat.cemgil`. 0 when either is empty.
pub fn cemgil(reference: &[f64], estimated: &[f64], sigma: f64) -> Cemgil {
    if estimated.is_empty() || reference.is_empty() {
        return Cemgil::default();
    }
    let two_sigma_sq = 2.0 * (sigma * sigma);
    let mut accuracies = [0.0; 5];
    for (acc, variation) in accuracies.iter_mut().zip(reference_variations(reference)) {
        let mut sum = 0.0;
        for &beat in &variation {
            let diff = min_abs_diff(beat, estimated);
            sum += (-(diff * diff) / two_sigma_sq).exp();
        }
        *acc = sum / (0.5 * (estimated.len() + variation.len()) as f64);
    }
    Cemgil { score: accuracies[0], best_metric_level: np_max(&accuracies) }
}

/// Goto & Muraoka (1997) binary score: 1 when a continuously correct stretch of at least 25 %
/// of the beats has mean |error| < `mu` and error deviation < `sigma`: `mir_eval.beat.goto`
/// (with its slicing exactly). 0 when either sequence is empty.
pub fn goto(reference: &[f64], estimated: &[f64], threshold: f64, mu: f64, sigma: f64) -> f64 {
    if estimated.is_empty() || reference.is_empty() {
        return 0.0;
    }
    let n = reference.len();
    let mut beat_error = vec![1.0; n];
    for i in 1..n.saturating_sub(1) {
        let previous_interval = 0.5 * (reference[i] - reference[i - 1]);
        let window_min = reference[i] - previous_interval;
        let next_interval = 0.5 * (reference[i + 1] - reference[i]);
        let window_max = reference[i] + next_interval;
        let mut in_window = estimated.iter().filter(|&&t| t >= window_min && t < window_max);
        match (in_window.next(), in_window.next()) {
            (Some(&t), None) => {
                let offset = t - reference[i];
                beat_error[i] =
                    if offset < 0.0 { offset / previous_interval } else { offset / next_interval };
            }
            _ => beat_error[i] = 1.0,
        }
    }
    let incorrect: Vec<usize> = (0..n).filter(|&i| beat_error[i].abs() > threshold).collect();
    let Some((&first, &last)) = incorrect.first().zip(incorrect.last()) else {
        return 0.0; // unreachable: beat_error[0] is 1
    };
    let track: &[f64] = if incorrect.len() < 3 {
        &beat_error[py_slice(n, first as i64 + 1, last as i64 - 1)]
    } else {
        let diffs: Vec<usize> = incorrect.windows(2).map(|w| w[1] - w[0]).collect();
        let track_len = diffs.iter().copied().max().unwrap_or(0);
        let track_start = diffs.iter().position(|&d| d == track_len).unwrap_or(0);
        if (track_len as f64 - 1.0) > 0.25 * (n as f64 - 2.0) {
            &beat_error[incorrect[track_start]..=incorrect[track_start + 1]]
        } else {
            return 0.0;
        }
    };
    let abs: Vec<f64> = track.iter().map(|x| x.abs()).collect();
    let mean_abs = np_sum(&abs) / abs.len() as f64;
    if mean_abs < mu && np_std_ddof1(track) < sigma { 1.0 } else { 0.0 }
}

/// McKinney et al. (2007) P-score: the cross-correlation of the two beat impulse trains
/// (10 ms resolution) within ±`threshold` × the median inter-annotation interval, over the
/// longer sequence's length: `mir_eval.beat.p_score`. 0 with fewer than two beats in either.
///
/// Where mir_eval raises (every reference beat in one 10 ms cell: no interval to take the
/// median of) this returns 0.
pub fn p_score(reference: &[f64], estimated: &[f64], threshold: f64) -> f64 {
    if estimated.len() <= 1 || reference.len() <= 1 {
        return 0.0;
    }
    const SAMPLING_RATE: f64 = 100.0;
    let offset = np_min(estimated).min(np_min(reference));
    // The impulse positions np.ceil((t − offset)·100), each train's set of cells.
    let cells = |beats: &[f64]| -> Vec<i64> {
        let mut c: Vec<i64> = beats.iter().map(|&t| ((t - offset) * SAMPLING_RATE).ceil() as i64).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let (ref_cells, est_cells) = (cells(reference), cells(estimated));
    let intervals: Vec<i64> = ref_cells.windows(2).map(|w| w[1].saturating_sub(w[0])).collect();
    let Some(median) = median_i64(&intervals) else {
        return 0.0;
    };
    let win_size = (threshold * median).round_ties_even();
    if !win_size.is_finite() || win_size < 0.0 {
        return 0.0;
    }
    let w = win_size as i64;
    // Sum of the correlation over lags −w..=w: pairs of impulses at most w cells apart.
    let mut pairs = 0u64;
    for &c in &est_cells {
        let lo = ref_cells.partition_point(|&x| x < c.saturating_sub(w));
        let hi = ref_cells.partition_point(|&x| x <= c.saturating_add(w));
        pairs += hi.saturating_sub(lo) as u64;
    }
    pairs as f64 / estimated.len().max(reference.len()) as f64
}

/// Continuity-based accuracies of Hainsworth (2004) and Klapuri et al. (2006): CMLc, CMLt,
/// AMLc, AMLt (`mir_eval.beat.continuity`, including its use of `max(len)` as denominator and
/// of index −1 at the first annotation). 0 with fewer than two beats in either sequence.
pub fn continuity(
    reference: &[f64],
    estimated: &[f64],
    phase_threshold: f64,
    period_threshold: f64,
) -> Continuity {
    if estimated.len() <= 1 || reference.len() <= 1 {
        return Continuity::default();
    }
    let mut continuous = [0.0; 5];
    let mut total = [0.0; 5];
    for (v, refs) in reference_variations(reference).iter().enumerate() {
        let n_annotations = refs.len().max(estimated.len());
        let mut used = vec![false; n_annotations];
        let mut successes = vec![false; n_annotations];
        for m in 0..estimated.len() {
            let Some((nearest, min_difference)) = argmin_abs_diff(estimated[m], refs) else {
                continue;
            };
            if used[nearest] {
                continue;
            }
            // Python's index −1 is the last annotation.
            let before = |i: usize| if i == 0 { refs.len() - 1 } else { i - 1 };
            let (phase, period) = if m == 0 || nearest == 0 {
                let reference_interval = if nearest + 1 < refs.len() {
                    refs[nearest + 1] - refs[nearest]
                } else {
                    refs[nearest] - refs[before(nearest)]
                };
                let estimated_interval = if m + 1 < estimated.len() {
                    estimated[m + 1] - estimated[m]
                } else {
                    estimated[m] - estimated[m - 1]
                };
                if reference_interval == 0.0 {
                    (
                        if min_difference == 0.0 { 1.0 } else { f64::INFINITY },
                        if estimated_interval == 0.0 { 0.0 } else { f64::INFINITY },
                    )
                } else {
                    (
                        (min_difference / reference_interval).abs(),
                        (1.0 - estimated_interval / reference_interval).abs(),
                    )
                }
            } else {
                let reference_interval = refs[nearest] - refs[nearest - 1];
                let estimated_interval = estimated[m] - estimated[m - 1];
                (
                    (min_difference / reference_interval).abs(),
                    (1.0 - estimated_interval / reference_interval).abs(),
                )
            };
            if phase < phase_threshold && period < period_threshold {
                used[nearest] = true;
                successes[m] = true;
            }
        }
        // Longest run of successes, with failures assumed just before and after.
        let (mut longest, mut run) = (0usize, 0usize);
        for &s in &successes {
            run = if s { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let n = successes.len() as f64;
        continuous[v] = longest as f64 / n;
        total[v] = successes.iter().filter(|&&s| s).count() as f64 / n;
    }
    Continuity { cml_c: continuous[0], cml_t: total[0], aml_c: np_max(&continuous), aml_t: np_max(&total) }
}

/// Davies, Degara & Plumbley (2011) information gain: 1 − entropy / log2(`bins`) of the
/// histogram of beat errors relative to the inter-annotation interval, the larger entropy of
/// the two directions: `mir_eval.beat.information_gain`. 0 with fewer than two beats in either.
///
/// The entropy is summed in order, as mir_eval's stored regression outputs were computed;
/// numpy ≥ 1.9 sums pairwise, which can move the last bit or two.
pub fn information_gain(reference: &[f64], estimated: &[f64], bins: usize) -> f64 {
    if estimated.len() <= 1 || reference.len() <= 1 {
        return 0.0;
    }
    let forward = beat_error_entropy(reference, estimated, bins);
    let backward = beat_error_entropy(estimated, reference, bins);
    let norm = (bins as f64).log2();
    if forward > backward { (norm - forward) / norm } else { (norm - backward) / norm }
}

/// mir_eval's `_get_entropy`: needs at least two reference beats.
fn beat_error_entropy(reference: &[f64], estimated: &[f64], bins: usize) -> f64 {
    let n_ref = reference.len();
    let last = n_ref - 1;
    let mut errors = Vec::with_capacity(estimated.len());
    for &t in estimated {
        let Some((closest, _)) = argmin_abs_diff(t, reference) else {
            continue;
        };
        let absolute_error = t - reference[closest];
        // mir_eval's if/if-else: at the first annotation the second branch still runs, and its
        // index closest − 1 is Python's −1 (the last annotation).
        let interval = if closest == last {
            0.5 * (reference[last] - reference[last - 1])
        } else if absolute_error < 0.0 {
            let previous = if closest == 0 { last } else { closest - 1 };
            0.5 * (reference[closest] - reference[previous])
        } else {
            0.5 * (reference[closest + 1] - reference[closest])
        };
        let error = 0.5 * absolute_error / interval;
        // np.mod(error + 0.5, -1) + 0.5: wrap into [-0.5, 0.5).
        errors.push(np_mod(error + 0.5, -1.0) + 0.5);
    }
    // np.histogram over np.linspace(-0.5, 0.5, bins + 1); the last bin includes its right edge.
    let step = 1.0 / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step + -0.5).collect();
    if let Some(e) = edges.last_mut() {
        *e = 0.5;
    }
    let mut counts = vec![0u64; bins];
    for &x in &errors {
        let k = edges.partition_point(|&e| e <= x);
        if k == 0 {
            continue;
        }
        if k < edges.len() {
            counts[k - 1] += 1;
        } else if x == edges[bins] && bins > 0 {
            counts[bins - 1] += 1;
        }
    }
    let total = counts.iter().sum::<u64>() as f64;
    let mut entropy = 0.0;
    for &c in &counts {
        let mut p = c as f64 / (1.0 * total);
        if p == 0.0 {
            p = 1.0;
        }
        entropy += p * p.log2();
    }
    -entropy
}

/// min |t − x| over `xs` (NaN-propagating like np.min).
fn min_abs_diff(t: f64, xs: &[f64]) -> f64 {
    let mut best = f64::INFINITY;
    for &x in xs {
        let d = (t - x).abs();
        if d.is_nan() {
            return d;
        }
        if d < best {
            best = d;
        }
    }
    best
}

/// np.argmin(|t − xs|) and the minimum: the first index of the smallest difference.
fn argmin_abs_diff(t: f64, xs: &[f64]) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &x) in xs.iter().enumerate() {
        let d = (t - x).abs();
        match best {
            None => best = Some((i, d)),
            Some((_, b)) if d < b || (d.is_nan() && !b.is_nan()) => best = Some((i, d)),
            _ => {}
        }
        if d.is_nan() {
            break;
        }
    }
    best
}

/// np.max of a non-empty list without NaN handling subtleties (first NaN wins).
fn np_max(xs: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for &x in xs {
        if x.is_nan() {
            return x;
        }
        if x > m {
            m = x;
        }
    }
    m
}

/// np.min (NaN-propagating).
fn np_min(xs: &[f64]) -> f64 {
    let mut m = f64::INFINITY;
    for &x in xs {
        if x.is_nan() {
            return x;
        }
        if x < m {
            m = x;
        }
    }
    m
}

/// numpy's remainder for floats (`npy_divmod`): fmod, moved to the divisor's sign.
fn np_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if b == 0.0 {
        return m;
    }
    if m != 0.0 { if (b < 0.0) != (m < 0.0) { m + b } else { m } } else { 0.0f64.copysign(b) }
}

/// np.median of integer intervals (as float64); `None` for no intervals.
fn median_i64(xs: &[i64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut s = xs.to_vec();
    s.sort_unstable();
    let n = s.len();
    Some(if n % 2 == 1 { s[n / 2] as f64 } else { (s[n / 2 - 1] as f64 + s[n / 2] as f64) / 2.0 })
}

/// numpy's pairwise summation of float64 (`pairwise_sum_DOUBLE`, blocks of 128, 8 lanes).
fn np_sum(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 8 {
        let mut s = 0.0;
        for &x in xs {
            s += x;
        }
        s
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&xs[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += xs[i + j];
            }
            i += 8;
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &xs[i..] {
            s += x;
        }
        s
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        np_sum(&xs[..n2]) + np_sum(&xs[n2..])
    }
}

/// np.std(xs, ddof=1) as numpy computes it (NaN for fewer than two values).
fn np_std_ddof1(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = np_sum(xs) / n;
    let sq: Vec<f64> = xs.iter().map(|&x| (x - mean) * (x - mean)).collect();
    let dof = (n - 1.0).max(0.0);
    (np_sum(&sq) / dof).sqrt()
}

/// The range Python's `a[start:stop]` selects in a sequence of length `len`.
fn py_slice(len: usize, start: i64, stop: i64) -> std::ops::Range<usize> {
    let len_i = len as i64;
    let norm = |i: i64| (if i < 0 { i + len_i } else { i }).clamp(0, len_i) as usize;
    let (a, b) = (norm(start), norm(stop));
    if a < b { a..b } else { a..a }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_single_beats_score_zero_without_panic() {
        let beats = [6.0, 6.5, 7.0];
        for (r, e) in [(&[][..], &beats[..]), (&beats[..], &[][..]), (&[][..], &[][..])] {
            let s = evaluate_beats(r, e).unwrap();
            assert_eq!(s, BeatScores::default());
        }
        let s = evaluate_beats(&[6.0], &[6.0]).unwrap();
        assert_eq!((s.f_measure, s.p_score, s.cml_t, s.information_gain), (1.0, 0.0, 0.0, 0.0));
        // Everything before 5 s is trimmed: all zero.
        assert_eq!(evaluate_beats(&[1.0, 2.0], &[1.0, 2.0]).unwrap(), BeatScores::default());
    }

    #[test]
    fn invalid_sequences_are_errors_not_panics() {
        assert!(evaluate_beats(&[6.0, 5.5, 7.0], &[6.0]).is_err());
        assert!(evaluate_beats(&[6.0], &[6.0, f64::INFINITY]).is_err());
        assert!(evaluate_beats(&[6.0, 40_000.0], &[6.0]).is_err());
        // NaN is before any trim time, so it is trimmed away as in mir_eval.
        assert!(evaluate_beats(&[6.0, 7.0], &[f64::NAN, 6.0, 7.0]).is_ok());
        let bad = BeatParams { information_gain_bins: 0, ..BeatParams::default() };
        assert!(evaluate_beats_with(&[6.0], &[6.0], &bad).is_err());
    }

    #[test]
    fn metrics_survive_garbage_input() {
        let garbage = [f64::NAN, 7.0, 6.0, f64::INFINITY, -3.0, 6.0, 1e300];
        let other = [6.0, 6.0, 6.0];
        for (r, e) in [(&garbage[..], &other[..]), (&other[..], &garbage[..]), (&garbage[..], &garbage[..])] {
            let _ = f_measure(r, e, 0.07);
            let _ = cemgil(r, e, 0.04);
            let _ = goto(r, e, 0.35, 0.2, 0.2);
            let _ = p_score(r, e, 0.2);
            let _ = continuity(r, e, 0.175, 0.175);
            let _ = information_gain(r, e, 41);
            let _ = information_gain(r, e, 0);
        }
        // All reference beats in one 10 ms cell: mir_eval raises, we give 0.
        assert_eq!(p_score(&[6.0, 6.0], &[6.0, 6.5], 0.2), 0.0);
    }

    #[test]
    fn numpy_helpers() {
        assert_eq!(py_slice(1, 1, -1), 1..1);
        assert_eq!(py_slice(5, 1, 3), 1..3);
        assert_eq!(py_slice(5, 1, -1), 1..4);
        assert_eq!(np_mod(0.7, -1.0), 0.7 - 1.0);
        assert_eq!(np_mod(-0.3, -1.0), -0.3);
        assert!(np_mod(1.0, -1.0).is_sign_negative());
        let xs: Vec<f64> = (0..300).map(|i| (i as f64 * 0.37).sin()).collect();
        assert!((np_sum(&xs) - xs.iter().sum::<f64>()).abs() < 1e-12);
        assert_eq!(median_i64(&[3, 1, 2, 10]), Some(2.5));
    }
}
