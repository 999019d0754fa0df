//! Quantizing a track onto a constant beat grid: a [`TimeMap`] that sends each tracked beat
//! to its place on the grid, followed by the phase vocoder.
//!
//! Beat `i` goes to `g_i = g_d + (i − d) · 60 / bpm`, where `d` is the first downbeat. With a
//! target tempo only, the audio before the first beat keeps the first beat interval's stretch
//! (so the grid starts where the music does); with another track's grid, the first downbeat
//! lands on one of that grid's downbeats, the one that leaves the intro least stretched. After
//! the last beat the map keeps the last interval's stretch. Between beats the map is linear,
//! and the vocoder follows it frame by frame, so there are no segment joins to click at.

use super::{StretchOptions, StretchPlan, TimeMap, plan_stretch, stretch_with_plan};
use crate::rhythm::Beat;
use crate::{Audio, Result, ensure_param};

/// Where the beats should go.
#[derive(Clone, Debug, PartialEq)]
pub enum GridTarget {
    /// A constant tempo in BPM, the grid anchored at the track's own first downbeat.
    Bpm(f64),
    /// Another track's grid: its tempo, first downbeat (seconds) and beats per bar.
    Grid {
        /// Tempo in BPM.
        bpm: f64,
        /// Time of a downbeat of the grid, in seconds.
        first_downbeat_s: f64,
        /// Beats per bar (4 in techno).
        beats_per_bar: u32,
    },
}

impl GridTarget {
    fn bpm(&self) -> f64 {
        match self {
            GridTarget::Bpm(bpm) | GridTarget::Grid { bpm, .. } => *bpm,
        }
    }
}

/// How to quantize.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantizeOptions {
    /// The grid to reach.
    pub target: GridTarget,
    /// The stretch underneath.
    pub stretch: StretchOptions,
}

/// A quantized track and the plan that made it (apply it to the stems with
/// [`stretch_with_plan`] to keep them aligned).
#[derive(Clone, Debug)]
pub struct QuantizeResult {
    /// The quantized audio.
    pub audio: Audio,
    /// The stretch plan (time map with transient locks, phase resets).
    pub plan: StretchPlan,
    /// Median tempo of the input's beats, in BPM.
    pub source_bpm: f64,
    /// The grid's tempo, in BPM.
    pub target_bpm: f64,
    /// Output time of the first beat, seconds: the grid is `first_beat_s + k · 60 / bpm`.
    pub first_beat_s: f64,
    /// Output time of the first downbeat, seconds.
    pub first_downbeat_s: f64,
    /// Beats that were placed on the grid.
    pub beats: usize,
}

/// The time map that puts `beats` (tracked on an input of `n_in` samples at `sr` Hz) on the
/// grid of `target`.
///
/// Beats outside the input (before 0 or at/after its end) are left out.
///
/// Errors: fewer than two beats within the input, beats not increasing, a tempo outside
/// 20–400 BPM, or a beat interval that would need a stretch outside 0.25–4 (a tracking error:
/// check the beats).
pub fn quantize_map(beats: &[Beat], n_in: usize, sr: u32, target: &GridTarget) -> Result<TimeMap> {
    let beats = beats_within(beats, n_in, sr);
    let bpm = target.bpm();
    ensure_param!(
        bpm.is_finite() && (20.0..=400.0).contains(&bpm),
        "the target tempo must be 20 to 400 BPM, got {bpm}"
    );
    ensure_param!(
        beats.len() >= 2,
        "quantizing needs at least two beats within the audio, got {}",
        beats.len()
    );
    let sr = f64::from(sr);
    let n = n_in as f64;
    let b: Vec<f64> = beats.iter().map(|beat| beat.time_s * sr).collect();
    for (i, w) in b.windows(2).enumerate() {
        ensure_param!(
            w[0].is_finite() && w[1] > w[0],
            "beat {} at {:.3} s is not after beat {} at {:.3} s",
            i + 2,
            w[1] / sr,
            i + 1,
            w[0] / sr
        );
    }
    let period = 60.0 * sr / bpm;
    let d = beats.iter().position(|beat| beat.position == 1).unwrap_or(0);
    // Output position of the first beat when the intro keeps the first interval's stretch.
    let natural_first = if b[0] > 0.0 { b[0] * period / (b[1] - b[0]) } else { 0.0 };
    let first = match target {
        GridTarget::Bpm(_) => natural_first,
        GridTarget::Grid { first_downbeat_s, beats_per_bar, .. } => {
            ensure_param!(first_downbeat_s.is_finite(), "the grid's first downbeat must be finite");
            let bar = period * f64::from((*beats_per_bar).max(1));
            // First beat such that beat d falls on one of the grid's downbeats, chosen closest
            // to the natural position (and not before the output's start).
            let on_grid = first_downbeat_s * sr - d as f64 * period;
            let mut k = ((natural_first - on_grid) / bar).round();
            while on_grid + k * bar < 0.0 {
                k += 1.0;
            }
            on_grid + k * bar
        }
    };
    let mut anchors = Vec::with_capacity(b.len() + 2);
    anchors.push((0.0, 0.0));
    for (i, &t) in b.iter().enumerate() {
        let g = first + i as f64 * period;
        if t == 0.0 && g == 0.0 {
            continue;
        }
        anchors.push((t, g));
    }
    let (last_in, last_out) = (b[b.len() - 1], first + (b.len() - 1) as f64 * period);
    let last_interval = b[b.len() - 1] - b[b.len() - 2];
    let out_end = last_out + (n - last_in) * period / last_interval;
    if n > last_in {
        anchors.push((n, out_end));
    }
    for w in anchors.windows(2) {
        let slope = (w[1].1 - w[0].1) / (w[1].0 - w[0].0);
        ensure_param!(
            slope.is_finite() && (0.25..=4.0).contains(&slope),
            "the beats at {:.3}–{:.3} s would need a stretch of {slope:.2} (allowed 0.25 to 4); check the beats",
            w[0].0 / sr,
            w[1].0 / sr
        );
    }
    TimeMap::from_anchors(&anchors)
}

/// The beats that lie within an input of `n_in` samples at `sr` Hz (NaN times dropped too).
fn beats_within(beats: &[Beat], n_in: usize, sr: u32) -> Vec<Beat> {
    let end = n_in as f64 / f64::from(sr);
    beats.iter().copied().filter(|b| b.time_s >= 0.0 && b.time_s < end).collect()
}

/// Quantize `audio` onto the grid of `options.target`, given its tracked `beats` (with bar
/// positions; position 1 marks a downbeat).
///
/// Errors: as [`quantize_map`] and [`plan_stretch`].
pub fn quantize(audio: &Audio, beats: &[Beat], options: &QuantizeOptions) -> Result<QuantizeResult> {
    let sr = audio.sample_rate();
    let map = quantize_map(beats, audio.n_frames(), sr, &options.target)?;
    let beats = beats_within(beats, audio.n_frames(), sr);
    let plan = plan_stretch(audio, &map, &options.stretch)?;
    let quantized = stretch_with_plan(audio, &plan, &options.stretch)?;
    let mut intervals: Vec<f64> = beats.windows(2).map(|w| w[1].time_s - w[0].time_s).collect();
    intervals.sort_by(f64::total_cmp);
    let median = intervals[intervals.len() / 2];
    let target_bpm = options.target.bpm();
    let period_s = 60.0 / target_bpm;
    let first_beat_s = map.output_at(beats[0].time_s * f64::from(sr)) / f64::from(sr);
    let d = beats.iter().position(|beat| beat.position == 1).unwrap_or(0);
    Ok(QuantizeResult {
        audio: quantized,
        plan,
        source_bpm: 60.0 / median,
        target_bpm,
        first_beat_s,
        first_downbeat_s: first_beat_s + d as f64 * period_s,
        beats: beats.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beats(times: &[f64]) -> Vec<Beat> {
        times.iter().enumerate().map(|(i, &t)| Beat { time_s: t, position: (i % 4) as u32 + 1 }).collect()
    }

    #[test]
    fn beats_land_on_the_grid() {
        let sr = 1000;
        let b = beats(&[0.5, 1.0, 1.6, 2.1, 2.5, 3.0]);
        let map = quantize_map(&b, 4000, sr, &GridTarget::Bpm(120.0)).unwrap();
        // First interval 0.5 s = 120 BPM: the intro is not stretched, the first beat stays.
        assert!((map.output_at(500.0) - 500.0).abs() < 1e-9);
        for (i, beat) in b.iter().enumerate() {
            let out = map.output_at(beat.time_s * 1000.0);
            assert!((out - (500.0 + 500.0 * i as f64)).abs() < 1e-9, "beat {i}: {out}");
        }
        // The tail keeps the last interval's stretch (0.5 s → 0.5 s).
        assert!((map.output_len() - (3000.0 + 1000.0)).abs() < 1e-9);
    }

    #[test]
    fn another_grid_puts_the_downbeat_on_its_downbeats() {
        let sr = 1000;
        // Downbeat at 1.0 s (second beat), beats every 0.5 s; target grid 120 BPM with a
        // downbeat at 0.1 s: downbeats at 0.1, 2.1, 4.1 ... The closest to the natural 1.0 s is
        // 0.1 s, but the beat before it would then fall before zero, so it moves a bar on.
        let mut b = beats(&[0.5, 1.0, 1.5, 2.0, 2.5]);
        for (i, beat) in b.iter_mut().enumerate() {
            beat.position = ((i + 3) % 4) as u32 + 1;
        }
        let target = GridTarget::Grid { bpm: 120.0, first_downbeat_s: 0.1, beats_per_bar: 4 };
        let map = quantize_map(&b, 3000, sr, &target).unwrap();
        let downbeat_out = map.output_at(1000.0) / 1000.0;
        assert!(((downbeat_out - 0.1) / 2.0).fract().abs() < 1e-9, "downbeat at {downbeat_out}");
        assert!(map.output_at(500.0) > 0.0);
    }

    #[test]
    fn bad_beats_are_refused() {
        let sr = 1000;
        assert!(quantize_map(&beats(&[0.5]), 2000, sr, &GridTarget::Bpm(120.0)).is_err());
        assert!(quantize_map(&beats(&[0.5, 0.4]), 2000, sr, &GridTarget::Bpm(120.0)).is_err());
        // Beats after the end are left out: one beat is left, too few.
        assert!(quantize_map(&beats(&[0.5, 2.0, 3.0]), 2000, sr, &GridTarget::Bpm(120.0)).is_err());
        assert!(quantize_map(&beats(&[0.5, 1.0, 3.0]), 2000, sr, &GridTarget::Bpm(120.0)).is_ok());
        assert!(quantize_map(&beats(&[0.5, 1.0]), 2000, sr, &GridTarget::Bpm(0.0)).is_err());
        // A beat interval ten times too long (a missed stretch of beats) is refused.
        assert!(
            quantize_map(&beats(&[0.1, 0.2, 1.2]), 2000, sr, &GridTarget::Bpm(600.0 / 1.0 / 2.0)).is_err()
        );
    }
}
