//! Onsets and the onset rate. [`detect_onsets`] picks peaks of technob's own onset strength
//! ([`crate::rhythm::onset::onset_features`], SuperFlux after Böck & Widmer 2013, ~100 frames
//! per second); the onset rate of [`super::extract`] picks them, with the same rule, in the
//! frame table's `onset_strength` column (librosa's onset envelope), which costs nothing more.
//!
//! Peak picking after Böck, Krebs & Schedl, "Evaluating the online capabilities of onset
//! detection methods" (ISMIR 2012), with librosa's `onset_detect` parameters: the envelope is
//! scaled to a maximum of 1; frame `t` is an onset when it is the maximum of the 30 ms before
//! it and the 10 ms after, exceeds the mean of the 100 ms on either side by
//! [`ONSET_DELTA`], and comes at least 30 ms after the previous onset.

use crate::Result;
use crate::rhythm::onset::onset_features;

/// Threshold above the local mean, on the envelope scaled to a maximum of 1.
pub const ONSET_DELTA: f32 = 0.07;
const PRE_MAX_S: f64 = 0.03;
const POST_MAX_S: f64 = 0.01;
const AVG_S: f64 = 0.1;
const WAIT_S: f64 = 0.03;

/// Onset times in seconds of a mono signal at `sr` Hz (SuperFlux onset strength).
///
/// Errors: a sample rate below 1 kHz or a signal shorter than one analysis window.
pub fn detect_onsets(y: &[f32], sr: u32) -> Result<Vec<f64>> {
    let features = onset_features(y, sr)?;
    Ok(pick_onsets(&features.full, features.fps).into_iter().map(|t| features.time(t as f64)).collect())
}

/// Frames of an onset envelope sampled at `fps` frames per second that are onsets (the rule of
/// the module documentation).
pub fn pick_onsets(env: &[f32], fps: f64) -> Vec<usize> {
    let max = env.iter().fold(0.0f32, |a, &b| a.max(b));
    if max <= 0.0 || !max.is_finite() {
        return Vec::new();
    }
    let frames = |s: f64| (s * fps).round() as usize;
    let (pre_max, post_max, avg, wait) =
        (frames(PRE_MAX_S), frames(POST_MAX_S), frames(AVG_S), frames(WAIT_S));
    let n = env.len();
    // Prefix sums for the moving mean.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f64);
    for &v in env {
        prefix.push(prefix[prefix.len() - 1] + f64::from(v / max));
    }
    let mut onsets = Vec::new();
    let mut last: Option<usize> = None;
    for t in 0..n {
        let v = env[t] / max;
        let (a, b) = (t.saturating_sub(pre_max), (t + post_max + 1).min(n));
        if env[a..b].iter().any(|&u| u > env[t]) || v <= 0.0 {
            continue;
        }
        let (a, b) = (t.saturating_sub(avg), (t + avg + 1).min(n));
        let mean = (prefix[b] - prefix[a]) / (b - a) as f64;
        if f64::from(v) < mean + f64::from(ONSET_DELTA) {
            continue;
        }
        if last.is_some_and(|l| t - l <= wait) {
            continue;
        }
        last = Some(t);
        onsets.push(t);
    }
    onsets
}

/// Onsets per second of a mono signal at `sr` Hz, as [`super::extract`] measures it: peaks of
/// the `onset_strength` column of [`super::frame_features`] with the default options.
///
/// Errors: as [`super::frame_features`].
pub fn onset_rate(y: &[f32], sr: u32) -> Result<f64> {
    let options = super::FeatureOptions::default();
    let table = super::frame_features(y, sr, &options)?;
    Ok(onset_rate_of_table(&table, sr, options.hop_length, y.len()))
}

/// Onsets per second from a frame table's `onset_strength` column (0 without that column or
/// for an empty signal).
pub(crate) fn onset_rate_of_table(table: &super::FeatureTable, sr: u32, hop: usize, n_samples: usize) -> f64 {
    let duration = n_samples as f64 / f64::from(sr);
    match table.column("onset_strength") {
        Some(env) if duration > 0.0 => pick_onsets(&env, f64::from(sr) / hop as f64).len() as f64 / duration,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_clicks() {
        let sr = 44100u32;
        let mut y = vec![0.0f32; sr as usize * 4];
        // A decaying noise-like burst every 250 ms from 0.1 s: 16 onsets in 4 s.
        for k in 0..16 {
            let start = k * sr as usize / 4 + sr as usize / 10;
            for i in 0..2000 {
                let phase = (i * 7919 % 101) as f32 / 101.0 - 0.5;
                y[start + i] = phase * (-(i as f32) / 400.0).exp();
            }
        }
        let onsets = detect_onsets(&y, sr).unwrap();
        assert_eq!(onsets.len(), 16, "{onsets:?}");
        for (k, t) in onsets.iter().enumerate() {
            assert!((t - 0.1 - k as f64 * 0.25).abs() < 0.03, "{k}: {t}");
        }
        assert!((onset_rate(&y, sr).unwrap() - 4.0).abs() < 1e-9);
        assert!(detect_onsets(&vec![0.0; 44100], sr).unwrap().is_empty());
    }
}
