//! Onsets and the onset rate, from technob's own onset strength
//! ([`crate::rhythm::onset::onset_features`], SuperFlux after Böck & Widmer 2013, ~100
//! frames per second).
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

/// Onset times in seconds of a mono signal at `sr` Hz.
///
/// Errors: a sample rate below 1 kHz or a signal shorter than one analysis window.
pub fn detect_onsets(y: &[f32], sr: u32) -> Result<Vec<f64>> {
    let features = onset_features(y, sr)?;
    let env = &features.full;
    let max = env.iter().fold(0.0f32, |a, &b| a.max(b));
    if max <= 0.0 {
        return Ok(Vec::new());
    }
    let frames = |s: f64| (s * features.fps).round() as usize;
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
        onsets.push(features.time(t as f64));
    }
    Ok(onsets)
}

/// Onsets per second over the whole signal (0 for an empty one).
///
/// Errors: as [`detect_onsets`].
pub fn onset_rate(y: &[f32], sr: u32) -> Result<f64> {
    let onsets = detect_onsets(y, sr)?;
    let duration = y.len() as f64 / f64::from(sr);
    Ok(if duration > 0.0 { onsets.len() as f64 / duration } else { 0.0 })
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
