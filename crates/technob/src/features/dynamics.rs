//! Dynamic complexity (Streich, *Music Complexity: a multi-faceted description of audio
//! content*, PhD thesis, UPF Barcelona 2007, §3.2), as essentia's `DynamicComplexity`
//! defines it: the average absolute deviation of a frame-wise loudness estimate from the
//! track's global loudness, in dB.
//!
//! Steps: a first-order high-pass (`b = [0.98595, −0.98595]`, `a = [1, −0.9719]`, a cheap
//! B-weighting), squared samples, non-overlapping 200 ms frames, each frame's energy weighted
//! by an exponential window with a 35 ms time constant and smeared into a running value
//! (`V ← c^N·V + (1 − c)·Σ wᵢ xᵢ²`, `c = e^(−1/(0.035·sr))`), converted to dB with a −90 dB
//! floor; leading and trailing frames at the floor are dropped; the global loudness is the
//! mean of the frame levels weighted by `0.9^(−dB)` (quiet frames count more), and the
//! complexity is the mean of `|dB − global|`.

use serde::{Deserialize, Serialize};

/// Frame length of the loudness estimate, seconds (essentia's `frameSize`).
pub const FRAME_S: f64 = 0.2;
/// Level assigned to silence, dB.
const SILENCE_DB: f64 = -90.0;

/// Result of [`dynamic_complexity`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicComplexity {
    /// Mean absolute deviation of the frame loudness from the global loudness, dB.
    pub complexity_db: f64,
    /// The global loudness estimate, dB (−90 for silence).
    pub loudness_db: f64,
}

/// Dynamic complexity of a mono signal at `sr` Hz. An empty or silent signal gives 0 dB
/// complexity and −90 dB loudness (as essentia).
pub fn dynamic_complexity(y: &[f32], sr: f64) -> DynamicComplexity {
    let frame = (FRAME_S * sr).floor() as usize;
    let silent = DynamicComplexity { complexity_db: 0.0, loudness_db: SILENCE_DB };
    if y.is_empty() || frame == 0 {
        return silent;
    }
    let c = (-1.0 / (0.035 * sr)).exp();
    // weight[i] = c^(frame − 1 − i): the frame's last sample weighs 1.
    let mut weight = vec![0.0f64; frame];
    let mut decay = 1.0f64;
    for w in weight.iter_mut().rev() {
        *w = decay;
        decay *= c;
    }
    let (b0, b1, a1) = (0.98595f64, -0.98595f64, -0.9719f64);
    let n_frames = y.len() / frame;
    let mut levels = Vec::with_capacity(n_frames);
    let mut state = 0.0f64;
    let (mut prev_x, mut prev_y) = (0.0f64, 0.0f64);
    for (i, chunk) in y.chunks(frame).take(n_frames).enumerate() {
        let mut energy = 0.0f64;
        for (j, (&x, w)) in chunk.iter().zip(&weight).enumerate() {
            let x = f64::from(x);
            let filtered = if i == 0 && j == 0 { b0 * x } else { b0 * x + b1 * prev_x - a1 * prev_y };
            prev_x = x;
            prev_y = filtered;
            energy += w * filtered * filtered;
        }
        state = decay * state + (1.0 - c) * energy;
        levels.push(if state < 1e-9 { SILENCE_DB } else { 10.0 * state.log10() });
    }
    let first = levels.iter().position(|&l| l != SILENCE_DB);
    let last = levels.iter().rposition(|&l| l != SILENCE_DB);
    let (Some(first), Some(last)) = (first, last) else {
        return silent;
    };
    let levels = &levels[first..=last];
    let weights: Vec<f64> = levels.iter().map(|&l| 0.9f64.powf(-l)).collect();
    let total: f64 = weights.iter().sum();
    let loudness = weights.iter().zip(levels).map(|(w, l)| w * l).sum::<f64>() / total;
    let complexity = levels.iter().map(|l| (l - loudness).abs()).sum::<f64>() / levels.len() as f64;
    DynamicComplexity { complexity_db: complexity, loudness_db: loudness }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(sr: f64, seconds: f64, amp: f32) -> Vec<f32> {
        (0..(sr * seconds) as usize).map(|i| amp * (i as f32 * 0.05).sin()).collect()
    }

    #[test]
    fn steady_tone_is_simple_and_steps_are_complex() {
        let sr = 44100.0;
        let steady = dynamic_complexity(&tone(sr, 4.0, 0.5), sr);
        assert!(steady.complexity_db < 0.5, "{steady:?}");
        let mut steps = tone(sr, 2.0, 0.5);
        steps.extend(tone(sr, 2.0, 0.05));
        let stepped = dynamic_complexity(&steps, sr);
        // A 20 dB step, half of the time on each level: about 10 dB of deviation.
        assert!(stepped.complexity_db > 6.0 && stepped.complexity_db < 12.0, "{stepped:?}");
        assert!(stepped.loudness_db < steady.loudness_db);
    }

    #[test]
    fn silence_and_empty() {
        let s = dynamic_complexity(&[0.0; 44100], 44100.0);
        assert_eq!((s.complexity_db, s.loudness_db), (0.0, -90.0));
        assert_eq!(dynamic_complexity(&[], 44100.0).loudness_db, -90.0);
    }
}
