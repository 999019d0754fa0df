//! Tempo metrics: `mir_eval.tempo.detection` (MIREX tempo estimation: two tempi and the
//! weight of the slower one, McKinney et al. 2007) and the single-tempo accuracies of Gouyon
//! et al., "An experimental comparison of audio tempo induction algorithms", IEEE TASLP 2006
//! (computed as madmom's `TempoEvaluation` does).

use serde::{Deserialize, Serialize};

use crate::{Error, Result, ensure_param};

/// Default tolerance of [`detection`]: ±8 % (mir_eval, MIREX).
pub const DETECTION_TOLERANCE: f64 = 0.08;
/// Tolerance of [`accuracy1`] and [`accuracy2`]: ±4 % (Gouyon et al. 2006).
pub const ACCURACY_TOLERANCE: f64 = 0.04;
/// Tolerance of [`within_1_percent`].
pub const STRICT_TOLERANCE: f64 = 0.01;
/// Tempo ratios [`accuracy2`] accepts besides 1: double, half, triple, third.
pub const ACCURACY2_FACTORS: [f64; 5] = [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0];

/// The result of [`detection`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempoDetection {
    /// `weight · hit₀ + (1 − weight) · hit₁`.
    pub p_score: f64,
    /// At least one reference tempo was hit.
    pub one_correct: bool,
    /// Both reference tempi were hit.
    pub both_correct: bool,
}

/// `mir_eval.tempo.detection`: reference tempo `i` is hit when some estimated tempo is within
/// `tol × reference` of it; a zero reference tempo is never hit.
///
/// Errors (mir_eval's `ValueError`s): a tempo negative or not finite, both reference tempi
/// zero, `reference_weight` outside `[0, 1]`, `tol` outside `[0, 1]`.
pub fn detection(
    reference_tempi: [f64; 2],
    reference_weight: f64,
    estimated_tempi: [f64; 2],
    tol: f64,
) -> Result<TempoDetection> {
    for (what, tempi) in [("reference", reference_tempi), ("estimated", estimated_tempi)] {
        if tempi.iter().any(|t| !t.is_finite() || *t < 0.0) {
            return Err(Error::InvalidInput(format!("{what} tempi {tempi:?} must be non-negative numbers")));
        }
    }
    if reference_tempi.iter().all(|&t| t == 0.0) {
        return Err(Error::InvalidInput(format!(
            "reference tempi {reference_tempi:?} must have one value greater than zero"
        )));
    }
    if !(0.0..=1.0).contains(&reference_weight) {
        return Err(Error::InvalidInput(format!(
            "reference weight must lie in [0, 1], got {reference_weight}"
        )));
    }
    ensure_param!((0.0..=1.0).contains(&tol), "tempo tolerance must lie in [0, 1], got {tol}");
    let mut hits = [false; 2];
    for (hit, &ref_t) in hits.iter_mut().zip(&reference_tempi) {
        if ref_t > 0.0 {
            let relative_error = estimated_tempi
                .iter()
                .map(|&e| (ref_t - e).abs() / ref_t)
                .fold(f64::INFINITY, |a, b| if b < a { b } else { a });
            *hit = relative_error <= tol;
        }
    }
    let as_f = |b: bool| if b { 1.0 } else { 0.0 };
    Ok(TempoDetection {
        p_score: reference_weight * as_f(hits[0]) + (1.0 - reference_weight) * as_f(hits[1]),
        one_correct: hits[0] || hits[1],
        both_correct: hits[0] && hits[1],
    })
}

/// True when `estimated_bpm` is within `tolerance` (relative) of `reference_bpm`:
/// `|1 − estimated / reference| ≤ tolerance`, madmom's test. False for non-positive or
/// non-finite tempi.
pub fn within(reference_bpm: f64, estimated_bpm: f64, tolerance: f64) -> bool {
    if !(reference_bpm.is_finite() && reference_bpm > 0.0 && estimated_bpm.is_finite() && estimated_bpm > 0.0)
    {
        return false;
    }
    (1.0 - estimated_bpm / reference_bpm).abs() <= tolerance
}

/// Within 1 % of the reference tempo.
pub fn within_1_percent(reference_bpm: f64, estimated_bpm: f64) -> bool {
    within(reference_bpm, estimated_bpm, STRICT_TOLERANCE)
}

/// Accuracy 1 (Gouyon et al. 2006): within 4 % of the reference tempo.
pub fn accuracy1(reference_bpm: f64, estimated_bpm: f64) -> bool {
    within(reference_bpm, estimated_bpm, ACCURACY_TOLERANCE)
}

/// Accuracy 2 (Gouyon et al. 2006): within 4 % of the reference tempo or of its double, half,
/// triple or third.
pub fn accuracy2(reference_bpm: f64, estimated_bpm: f64) -> bool {
    ACCURACY2_FACTORS.iter().any(|&k| within(reference_bpm * k, estimated_bpm, ACCURACY_TOLERANCE))
}

/// The single-tempo checks of one estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TempoScores {
    /// [`within_1_percent`].
    pub within_1_percent: bool,
    /// [`accuracy1`].
    pub accuracy1: bool,
    /// [`accuracy2`].
    pub accuracy2: bool,
}

/// [`within_1_percent`], [`accuracy1`] and [`accuracy2`] of one estimate.
pub fn evaluate_tempo(reference_bpm: f64, estimated_bpm: f64) -> TempoScores {
    TempoScores {
        within_1_percent: within_1_percent(reference_bpm, estimated_bpm),
        accuracy1: accuracy1(reference_bpm, estimated_bpm),
        accuracy2: accuracy2(reference_bpm, estimated_bpm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_tempo_accuracies() {
        assert_eq!(
            evaluate_tempo(128.0, 128.5),
            TempoScores { within_1_percent: true, accuracy1: true, accuracy2: true }
        );
        assert_eq!(
            evaluate_tempo(128.0, 131.0),
            TempoScores { within_1_percent: false, accuracy1: true, accuracy2: true }
        );
        assert_eq!(
            evaluate_tempo(128.0, 64.0),
            TempoScores { within_1_percent: false, accuracy1: false, accuracy2: true }
        );
        assert!(accuracy2(60.0, 180.0) && accuracy2(90.0, 30.5) && !accuracy2(100.0, 150.0));
        assert!(!accuracy1(0.0, 0.0) && !accuracy1(120.0, f64::NAN) && !within_1_percent(-120.0, -120.0));
    }

    #[test]
    fn detection_rejects_what_mir_eval_rejects() {
        assert!(detection([0.0, 0.0], 0.5, [60.0, 120.0], 0.08).is_err());
        assert!(detection([60.0, 120.0], 1.5, [60.0, 120.0], 0.08).is_err());
        assert!(detection([60.0, 120.0], 0.5, [60.0, 120.0], -1.0).is_err());
        assert!(detection([-1.0, 50.0], 0.5, [60.0, 120.0], 0.08).is_err());
        assert!(detection([60.0, 120.0], 0.5, [f64::NAN, 120.0], 0.08).is_err());
        let d = detection([60.0, 120.0], 0.5, [0.0, 0.0], 0.08).unwrap();
        assert_eq!((d.p_score, d.one_correct, d.both_correct), (0.0, false, false));
    }
}
