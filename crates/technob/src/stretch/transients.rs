//! Transient detection and locking, so kicks and hats stay sharp after a stretch.
//!
//! Detection follows Rubber Band's percussive detector (Cannam, "Rubber Band Library", after
//! Duxbury, Davies & Sandler, DAFx 2001): a frame is percussive when a large fraction of its
//! bins rise by more than 3 dB over the previous frame and its total power rises too; the
//! transient's position is refined to the 64-sample block of steepest energy rise.
//!
//! Locking (as Rubber Band's stretch calculator does, after Röbel's transient-preserving phase
//! vocoder, DAFx 2003): around each kept transient the [`TimeMap`] gets a segment of slope 1
//! that spans the frames which carry it, the stretch is made up between transients, and the
//! vocoder resets its phase rotation to the identity at the first frame of the segment. With
//! unit steps and no rotation the frames around the transient overlap-add to the input itself,
//! so the attack is reproduced sample for sample instead of being smeared across frames.

use super::TimeMap;
use crate::spectral::{Stft, StftConfig};
use crate::{Audio, Result};

/// A detected transient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transient {
    /// Input position in samples.
    pub position: f64,
    /// Fraction of bins that rose by more than 3 dB (0–1).
    pub strength: f32,
}

/// Fraction of rising bins above which a frame is percussive (Rubber Band uses 0.35).
const PERCUSSIVE_FRACTION: f32 = 0.35;

/// Percussive onsets of `audio` (channels averaged), in input order.
pub fn detect_transients(audio: &Audio) -> Result<Vec<Transient>> {
    let mono = audio.to_mono();
    let x = mono.channel(0);
    let sr = audio.sample_rate() as f64;
    // ~23 ms frames (1024 at 44.1 kHz), hop a quarter of that.
    let n_fft = ((0.023 * sr) as usize).next_power_of_two().clamp(64, 8192);
    let stft = Stft::new(StftConfig::with_n_fft(n_fft))?;
    let hop = stft.hop_length();
    let power = stft.power(x);
    let n_frames = power.n_frames();
    if n_frames < 3 {
        return Ok(Vec::new());
    }
    let totals: Vec<f64> = power.frames().map(|f| f.iter().map(|&p| f64::from(p)).sum()).collect();
    let loudest = totals.iter().copied().fold(0.0f64, f64::max);
    if loudest <= 0.0 {
        return Ok(Vec::new());
    }
    // Bins quieter than 80 dB below the loudest frame's mean bin do not count.
    let floor = (loudest / power.n_bins() as f64 * 1e-8) as f32;
    let mut fraction = vec![0.0f32; n_frames];
    for (t, f) in fraction.iter_mut().enumerate().skip(1) {
        let (now, before) = (power.frame(t), power.frame(t - 1));
        let rising = now.iter().zip(before).filter(|&(&p, &q)| p > floor && p > 2.0 * q).count();
        *f = rising as f32 / now.len() as f32;
    }
    // A transient starts where a frame turns percussive (after one that is not), at least
    // 50 ms after the previous one.
    let percussive = |t: usize| fraction[t] >= PERCUSSIVE_FRACTION && totals[t] > 1.5 * totals[t - 1];
    let min_separation = ((0.05 * sr) as usize).div_ceil(hop);
    let mut transients: Vec<Transient> = Vec::new();
    let mut last: Option<usize> = None;
    for (t, &strength) in fraction.iter().enumerate().skip(1) {
        if percussive(t) && !(t >= 2 && percussive(t - 1)) && last.is_none_or(|l| t - l >= min_separation) {
            let centre = t * hop;
            let position = refine(x, centre.saturating_sub(n_fft / 2), (centre + n_fft / 2).min(x.len()));
            transients.push(Transient { position: position as f64, strength });
            last = Some(t);
        }
    }
    Ok(transients)
}

/// The start of the 64-sample block in `x[start..end]` with the steepest energy rise over the
/// four blocks before it (first differences, so low rumble does not count).
fn refine(x: &[f32], start: usize, end: usize) -> usize {
    const BLOCK: usize = 64;
    let energy = |b: usize| -> f64 {
        let s = start + b * BLOCK;
        (s.max(1)..(s + BLOCK).min(x.len())).map(|i| f64::from(x[i] - x[i - 1]).powi(2)).sum()
    };
    let n_blocks = (end - start) / BLOCK;
    let energies: Vec<f64> = (0..n_blocks).map(energy).collect();
    let mut best = (start + (end - start) / 2, 0.0f64);
    for b in 1..n_blocks {
        let before = energies[b.saturating_sub(4)..b].iter().sum::<f64>() / (b - b.saturating_sub(4)) as f64;
        let rise = energies[b] / (before + 1e-12);
        if rise > best.1 {
            best = (start + b * BLOCK, rise);
        }
    }
    best.0
}

/// `map` with a slope-1 segment of `2 × half_width` input samples around each transient that
/// fits, and the output frames (of hop `hop`) at which the vocoder resets its phases.
///
/// Transients are taken strongest first; one is skipped when it lies within
/// `2 × half_width + hop` of a kept one, or when the segments left between locks would need a
/// stretch outside half to twice the map's own slope there.
pub(crate) fn lock_transients(
    map: &TimeMap,
    transients: &[Transient],
    half_width: f64,
    hop: usize,
) -> Result<(TimeMap, Vec<usize>)> {
    let (n_in, n_out) = (map.input_len(), map.output_len());
    let min_gap = 2.0 * half_width + hop as f64;
    let mut by_strength: Vec<&Transient> = transients.iter().collect();
    by_strength.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.position.total_cmp(&b.position)));
    let mut kept: Vec<f64> = Vec::new(); // sorted positions
    for t in by_strength {
        let p = t.position;
        if p - half_width <= 0.0 || p + half_width >= n_in {
            continue;
        }
        let i = kept.partition_point(|&q| q < p);
        let near_left = i > 0 && p - kept[i - 1] < min_gap;
        let near_right = i < kept.len() && kept[i] - p < min_gap;
        if near_left || near_right {
            continue;
        }
        // The gaps on either side must stay stretchable.
        let ok_gap = |a: f64, b: f64| -> bool {
            // a, b: input positions of the gap ends, each the centre of a lock or a map end.
            let (a_in, a_out) =
                if a <= 0.0 { (0.0, 0.0) } else { (a + half_width, map.output_at(a) + half_width) };
            let (b_in, b_out) =
                if b >= n_in { (n_in, n_out) } else { (b - half_width, map.output_at(b) - half_width) };
            if b_in - a_in < 1.0 || b_out - a_out < 1.0 {
                return false;
            }
            let slope = (b_out - a_out) / (b_in - a_in);
            let base = (map.output_at(b.min(n_in)) - map.output_at(a.max(0.0))) / (b.min(n_in) - a.max(0.0));
            slope >= 0.5 * base && slope <= 2.0 * base
        };
        let left = if i > 0 { kept[i - 1] } else { 0.0 };
        let right = if i < kept.len() { kept[i] } else { n_in };
        if ok_gap(left, p) && ok_gap(p, right) {
            kept.insert(i, p);
        }
    }
    let mut anchors = vec![(0.0, 0.0)];
    let mut resets = Vec::with_capacity(kept.len());
    for &p in &kept {
        let centre = map.output_at(p);
        anchors.push((p - half_width, centre - half_width));
        anchors.push((p + half_width, centre + half_width));
        resets.push(((centre - half_width) / hop as f64).ceil().max(0.0) as usize);
    }
    anchors.push((n_in, n_out));
    Ok((TimeMap::from_anchors(&anchors)?, resets))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clicks (decaying noise bursts) every 0.25 s over a quiet tone.
    fn clicks(sr: u32, seconds: f32) -> (Vec<f32>, Vec<usize>) {
        let n = (sr as f32 * seconds) as usize;
        let mut x: Vec<f32> =
            (0..n).map(|i| 0.05 * (std::f32::consts::TAU * 220.0 * i as f32 / sr as f32).sin()).collect();
        let mut state = 12_345u32;
        let mut onsets = Vec::new();
        let mut at = sr as usize / 8;
        while at + 2000 < n {
            onsets.push(at);
            for i in 0..2000 {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                x[at + i] += 0.8 * noise * (-(i as f32) / 300.0).exp();
            }
            at += sr as usize / 4;
        }
        (x, onsets)
    }

    #[test]
    fn finds_clicks_within_a_block() {
        let sr = 44_100;
        let (x, onsets) = clicks(sr, 3.0);
        let audio = Audio::from_synth(vec![x], sr).unwrap();
        let found = detect_transients(&audio).unwrap();
        assert_eq!(found.len(), onsets.len(), "{found:?}");
        for (t, &o) in found.iter().zip(&onsets) {
            assert!((t.position - o as f64).abs() <= 64.0, "{} vs {o}", t.position);
        }
    }

    #[test]
    fn steady_noise_and_silence_have_no_transients() {
        let mut state = 7u32;
        let noise: Vec<f32> = (0..44_100)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        let audio = Audio::from_synth(vec![noise], 44_100).unwrap();
        // The noise starting at sample 0 is an onset; nothing after it is.
        let found = detect_transients(&audio).unwrap();
        assert!(found.iter().all(|t| t.position < 2048.0), "{found:?}");
        let silence = Audio::from_synth(vec![vec![0.0; 44_100]], 44_100).unwrap();
        assert!(detect_transients(&silence).unwrap().is_empty());
    }

    #[test]
    fn locks_keep_the_map_monotone_and_the_transients_in_place() {
        let map = TimeMap::linear(100_000, 1.25).unwrap();
        let transients: Vec<Transient> =
            (1..20).map(|i| Transient { position: i as f64 * 5_000.0, strength: 0.5 }).collect();
        let (locked, resets) = lock_transients(&map, &transients, 1536.0, 1024).unwrap();
        assert_eq!(locked.output_len(), 125_000.0);
        // 5000 samples apart, above the 2·1536 + 1024 spacing: all fit.
        assert!(resets.len() >= 9, "{} locks", resets.len());
        for w in locked.anchors().windows(2) {
            let slope = (w[1].1 - w[0].1) / (w[1].0 - w[0].0);
            assert!((0.5..=2.6).contains(&slope), "slope {slope}");
        }
        // A locked transient keeps its place on the base map.
        let (a, b) = (locked.anchors()[1], locked.anchors()[2]);
        let centre = 0.5 * (a.0 + b.0);
        assert!((locked.output_at(centre) - map.output_at(centre)).abs() < 1e-9);
        assert_eq!(locked.slope_at(centre), 1.0);
    }
}
