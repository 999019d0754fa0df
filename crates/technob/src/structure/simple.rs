//! Structure (issue #8, first step): the simple segmenters users ask for — split on silence,
//! and fixed-length chunks of whole bars. The techno segmenter (intro, build-up, drop,
//! breakdown, outro on bars and phrases) builds on these types.

use serde::Serialize;

use crate::{Audio, Result, ensure_param};

/// A stretch of time, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds (after `start_s`).
    pub end_s: f64,
}

/// How to split on silence.
#[derive(Clone, Debug, PartialEq)]
pub struct SilenceOptions {
    /// A frame is silent when its RMS (loudest channel) is below this level, dBFS.
    pub threshold_dbfs: f64,
    /// Silences shorter than this do not split, seconds.
    pub min_silence_s: f64,
    /// Sounding parts shorter than this are dropped, seconds.
    pub min_sound_s: f64,
}

impl Default for SilenceOptions {
    fn default() -> Self {
        SilenceOptions { threshold_dbfs: -50.0, min_silence_s: 0.5, min_sound_s: 0.1 }
    }
}

/// RMS frames: 50 ms long, every 10 ms.
const FRAME_S: f64 = 0.05;
const HOP_S: f64 = 0.01;

/// The sounding parts of `audio`: runs of frames whose RMS (in the loudest channel) reaches
/// `threshold_dbfs`, joined across silences shorter than `min_silence_s`, dropped when shorter
/// than `min_sound_s`. Boundaries are at frame centres (10-ms resolution), clamped to the audio.
///
/// Errors: a threshold outside −120 to 0 dBFS, negative or non-finite durations.
pub fn split_on_silence(audio: &Audio, options: &SilenceOptions) -> Result<Vec<Interval>> {
    let SilenceOptions { threshold_dbfs, min_silence_s, min_sound_s } = *options;
    ensure_param!(
        threshold_dbfs.is_finite() && (-120.0..=0.0).contains(&threshold_dbfs),
        "the silence threshold must be −120 to 0 dBFS, got {threshold_dbfs}"
    );
    ensure_param!(
        min_silence_s.is_finite() && min_silence_s >= 0.0 && min_sound_s.is_finite() && min_sound_s >= 0.0,
        "minimum silence and sound lengths must be ≥ 0 s"
    );
    let sr = f64::from(audio.sample_rate());
    let n = audio.n_frames();
    let duration = n as f64 / sr;
    let frame = ((FRAME_S * sr) as usize).max(1);
    let hop = ((HOP_S * sr) as usize).max(1);
    let threshold = 10f64.powf(threshold_dbfs / 20.0);
    // Sounding flag per hop, from the RMS of the frame centred on it.
    let n_hops = n.div_ceil(hop);
    let sounding: Vec<bool> = (0..n_hops)
        .map(|k| {
            let centre = k * hop + hop / 2;
            let (a, b) = (centre.saturating_sub(frame / 2), (centre + frame / 2).min(n));
            audio.channels().iter().any(|ch| {
                let energy: f64 = ch[a..b].iter().map(|&v| f64::from(v) * f64::from(v)).sum();
                b > a && (energy / (b - a) as f64).sqrt() >= threshold
            })
        })
        .collect();
    let mut runs: Vec<Interval> = Vec::new();
    let mut start: Option<usize> = None;
    for (k, &on) in sounding.iter().chain(std::iter::once(&false)).enumerate() {
        match (on, start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                runs.push(Interval {
                    start_s: (s * hop) as f64 / sr,
                    end_s: ((k * hop) as f64 / sr).min(duration),
                });
                start = None;
            }
            _ => {}
        }
    }
    // Join across short silences, then drop short sounds.
    let mut joined: Vec<Interval> = Vec::new();
    for run in runs {
        match joined.last_mut() {
            Some(last) if run.start_s - last.end_s < min_silence_s => last.end_s = run.end_s,
            _ => joined.push(run),
        }
    }
    joined.retain(|i| i.end_s - i.start_s >= min_sound_s);
    Ok(joined)
}

/// Chunks of `bars_per_chunk` whole bars from the `downbeats` (seconds, increasing): each chunk
/// starts on a downbeat; the last one ends at `end_s` (the track's end or its last beat) and may
/// hold fewer bars. Nothing before the first downbeat is returned.
///
/// Errors: `bars_per_chunk` of 0, downbeats not increasing or not finite.
pub fn bar_chunks(downbeats: &[f64], end_s: f64, bars_per_chunk: usize) -> Result<Vec<Interval>> {
    ensure_param!(bars_per_chunk >= 1, "chunks need at least one bar");
    ensure_param!(
        downbeats.iter().all(|t| t.is_finite()) && downbeats.windows(2).all(|w| w[1] > w[0]),
        "downbeats must be finite and increasing"
    );
    let starts: Vec<f64> = downbeats.iter().copied().filter(|&t| t < end_s).step_by(bars_per_chunk).collect();
    Ok(starts
        .iter()
        .enumerate()
        .map(|(i, &start_s)| Interval { start_s, end_s: starts.get(i + 1).copied().unwrap_or(end_s) })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_splits_and_short_gaps_join() {
        let sr = 10_000u32;
        let tone = |s: f64| -> Vec<f32> {
            (0..(s * 10_000.0) as usize).map(|i| 0.3 * (i as f32 * 0.3).sin()).collect()
        };
        let quiet = |s: f64| vec![0.0f32; (s * 10_000.0) as usize];
        // 1 s sound, 1 s silence, 1 s sound, 0.2 s silence, 0.5 s sound, 1 s silence.
        let x: Vec<f32> = [tone(1.0), quiet(1.0), tone(1.0), quiet(0.2), tone(0.5), quiet(1.0)].concat();
        let audio = Audio::from_synth(vec![x], sr).unwrap();
        let parts = split_on_silence(&audio, &SilenceOptions::default()).unwrap();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!((parts[0].start_s - 0.0).abs() < 0.04 && (parts[0].end_s - 1.0).abs() < 0.04, "{parts:?}");
        assert!((parts[1].start_s - 2.0).abs() < 0.04 && (parts[1].end_s - 3.7).abs() < 0.04, "{parts:?}");
        // With no joining, the 0.2-s gap splits.
        let strict = SilenceOptions { min_silence_s: 0.1, ..SilenceOptions::default() };
        assert_eq!(split_on_silence(&audio, &strict).unwrap().len(), 3);
        // Silence alone: nothing.
        let silent = Audio::from_synth(vec![quiet(2.0)], sr).unwrap();
        assert!(split_on_silence(&silent, &SilenceOptions::default()).unwrap().is_empty());
        assert!(
            split_on_silence(&audio, &SilenceOptions { threshold_dbfs: 5.0, ..SilenceOptions::default() })
                .is_err()
        );
    }

    #[test]
    fn chunks_hold_whole_bars() {
        let downbeats: Vec<f64> = (0..10).map(|i| 1.0 + 2.0 * i as f64).collect();
        let chunks = bar_chunks(&downbeats, 20.5, 4).unwrap();
        let got: Vec<(f64, f64)> = chunks.iter().map(|c| (c.start_s, c.end_s)).collect();
        assert_eq!(got, vec![(1.0, 9.0), (9.0, 17.0), (17.0, 20.5)]);
        assert!(bar_chunks(&downbeats, 20.5, 0).is_err());
        assert!(bar_chunks(&[2.0, 1.0], 3.0, 1).is_err());
        assert!(bar_chunks(&[], 3.0, 4).unwrap().is_empty());
    }
}
