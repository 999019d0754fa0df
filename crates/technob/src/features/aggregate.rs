//! Beat-synchronous aggregation: the frames of each beat, bar or fixed-length segment
//! averaged, with the segment's intensity (RMS in dB) and momentary loudness.
//!
//! Segments come from the beat grid of [`crate::rhythm::analyze_rhythm`]: a beat lasts until
//! the next beat, a bar from its downbeat to the next downbeat; the last one lasts one more
//! beat (bar) period, cut at the end of the track. Without a beat (the rhythm analysis found
//! none), [`segmentation`] falls back to [`FALLBACK_SEGMENT_S`] segments and says so.

use serde::Serialize;

use super::{FeatureSet, FeatureTable};
use crate::rhythm::Rhythm;

/// Length of the fixed segments used when there is no beat, seconds.
pub const FALLBACK_SEGMENT_S: f64 = 0.5;

/// The resolution of a feature table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// One row per STFT frame.
    Frame,
    /// One row per beat.
    Beat,
    /// One row per bar.
    Bar,
}

/// What the segments of a [`Segmentation`] are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Beats of the tracked grid.
    Beats,
    /// Bars (downbeat to downbeat).
    Bars,
    /// Fixed-length segments (no beat grid).
    Fixed,
}

/// One time span to aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Segment {
    /// Start, seconds.
    pub start_s: f64,
    /// End (exclusive), seconds.
    pub end_s: f64,
    /// Bar position of a beat (1 = downbeat); `None` for bars and fixed segments.
    pub position: Option<u32>,
}

/// Segments and how they were made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Segmentation {
    /// Beats, bars or fixed segments.
    pub kind: SegmentKind,
    /// Why the segments are not what was asked for (no beat found), if they are not.
    pub note: Option<String>,
    /// The segments, in time order.
    pub segments: Vec<Segment>,
}

/// Segments of `[0, duration_s)` for `resolution` from `rhythm`; `None` rhythm, or too few
/// beats or downbeats, give fixed [`FALLBACK_SEGMENT_S`] segments with a note (as does
/// [`Resolution::Frame`], which needs no segments: the caller uses the frame table).
pub fn segmentation(rhythm: Option<&Rhythm>, duration_s: f64, resolution: Resolution) -> Segmentation {
    let fixed = |note: &str| Segmentation {
        kind: SegmentKind::Fixed,
        note: Some(note.to_string()),
        segments: fixed_segments(duration_s, FALLBACK_SEGMENT_S),
    };
    let Some(rhythm) = rhythm else {
        return fixed("no beat found: fixed 0.5 s segments instead of beats/bars");
    };
    let (kind, times, positions): (SegmentKind, Vec<f64>, Vec<Option<u32>>) = match resolution {
        Resolution::Bar => (SegmentKind::Bars, rhythm.downbeat_times(), Vec::new()),
        _ => {
            (SegmentKind::Beats, rhythm.beat_times(), rhythm.beats.iter().map(|b| Some(b.position)).collect())
        }
    };
    if times.len() < 2 {
        return fixed("fewer than two beats or downbeats: fixed 0.5 s segments instead");
    }
    let segments = spans(&times, duration_s)
        .into_iter()
        .enumerate()
        .map(|(i, (start_s, end_s))| Segment {
            start_s,
            end_s,
            position: positions.get(i).copied().flatten(),
        })
        .collect();
    Segmentation { kind, note: None, segments }
}

/// Spans between consecutive times; the last lasts one more median period, cut at `end`.
fn spans(times: &[f64], end: f64) -> Vec<(f64, f64)> {
    let mut periods: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    periods.sort_by(f64::total_cmp);
    let period = periods.get(periods.len() / 2).copied().unwrap_or(0.0);
    let mut out: Vec<(f64, f64)> = times.windows(2).map(|w| (w[0], w[1])).collect();
    if let Some(&last) = times.last() {
        let stop = (last + period).min(end);
        if stop > last {
            out.push((last, stop));
        }
    }
    out
}

/// Consecutive segments of `length_s` covering `[0, duration_s)` (the last may be shorter).
pub fn fixed_segments(duration_s: f64, length_s: f64) -> Vec<Segment> {
    if !(length_s > 0.0 && duration_s > 0.0) {
        return Vec::new();
    }
    let n = (duration_s / length_s).ceil() as usize;
    (0..n)
        .map(|i| Segment {
            start_s: i as f64 * length_s,
            end_s: ((i + 1) as f64 * length_s).min(duration_s),
            position: None,
        })
        .collect()
}

impl FeatureSet {
    /// One row per segment: `start_s`, `end_s`, `position` (bar position of a beat, else
    /// empty), `rms_db` (20·log10 of the RMS over the segment's frames, floor −100 dB),
    /// `loudness_lufs` (energy mean of the momentary loudness values whose 400 ms window is
    /// centred in the segment; empty when silent or not measured), then the mean of every
    /// descriptor over the frames centred in the segment (a segment shorter than a hop takes
    /// the frame nearest its centre).
    pub fn aggregate(&self, segments: &[Segment]) -> FeatureTable {
        let names_in = self.frames.names();
        let mut names: Vec<String> = ["start_s", "end_s", "position", "rms_db", "loudness_lufs"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        names.extend(names_in.iter().skip(1).cloned());
        let n_cols = names.len();
        let n_desc = names_in.len() - 1;
        let rms_col = self.frames.index_of("rms");
        let frame_s = self.hop_length as f64 / f64::from(self.sr);
        let n_frames = self.frames.n_rows();
        let step = crate::loudness::CURVE_STEP_S;
        let mut data = vec![0.0f32; segments.len() * n_cols];
        let mut sums = vec![0.0f64; n_desc];
        for (seg, row) in segments.iter().zip(data.chunks_exact_mut(n_cols)) {
            // Frames t with t·frame_s in [start, end).
            let mut a = (seg.start_s / frame_s).ceil().max(0.0) as usize;
            let mut b = ((seg.end_s / frame_s).ceil().max(0.0) as usize).min(n_frames);
            if a >= b {
                let centre = ((0.5 * (seg.start_s + seg.end_s) / frame_s).round().max(0.0) as usize)
                    .min(n_frames.saturating_sub(1));
                (a, b) = (centre, (centre + 1).min(n_frames));
            }
            row[0] = seg.start_s as f32;
            row[1] = seg.end_s as f32;
            row[2] = seg.position.map_or(f32::NAN, |p| p as f32);
            sums.fill(0.0);
            let mut ms = 0.0f64;
            for t in a..b {
                let frame = self.frames.row(t);
                for (s, &v) in sums.iter_mut().zip(&frame[1..]) {
                    *s += f64::from(v);
                }
                if let Some(j) = rms_col {
                    ms += f64::from(frame[j]) * f64::from(frame[j]);
                }
            }
            let count = (b - a).max(1) as f64;
            row[3] = (10.0 * (ms / count).max(1e-10).log10()) as f32;
            row[4] = segment_loudness(&self.momentary_lufs, step, seg).map_or(f32::NAN, |l| l as f32);
            for (o, s) in row[5..].iter_mut().zip(&sums) {
                *o = if b > a { (s / count) as f32 } else { f32::NAN };
            }
        }
        FeatureTable::new(names, data)
    }
}

/// Energy mean of the momentary loudness values (every `step` s, value `k` read at
/// `(k + 1)·step`, its 400 ms window centred 0.2 s earlier) centred in the segment.
fn segment_loudness(momentary: &[Option<f64>], step: f64, seg: &Segment) -> Option<f64> {
    let mut power = 0.0f64;
    let mut count = 0usize;
    for (k, l) in momentary.iter().enumerate() {
        let centre = (k + 1) as f64 * step - 0.2;
        if centre >= seg.start_s && centre < seg.end_s {
            count += 1;
            if let Some(l) = l {
                power += 10f64.powf(l / 10.0);
            }
        }
    }
    (count > 0 && power > 0.0).then(|| 10.0 * (power / count as f64).log10())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rhythm::{Beat, TempoEstimate};

    fn rhythm(times: &[f64]) -> Rhythm {
        Rhythm {
            tempo: TempoEstimate { bpm: 120.0, confidence: 1.0 },
            beats: times
                .iter()
                .enumerate()
                .map(|(i, &t)| Beat { time_s: t, position: (i % 4) as u32 + 1 })
                .collect(),
            beats_per_bar: 4,
            grid: None,
            sections: Vec::new(),
            duration_s: 10.0,
        }
    }

    #[test]
    fn beats_bars_and_fallback() {
        let times: Vec<f64> = (0..16).map(|i| 0.25 + 0.5 * i as f64).collect();
        let r = rhythm(&times);
        let beats = segmentation(Some(&r), 8.1, Resolution::Beat);
        assert_eq!(beats.kind, SegmentKind::Beats);
        assert_eq!(beats.segments.len(), 16);
        assert_eq!(beats.segments[0].position, Some(1));
        assert!((beats.segments[15].end_s - 8.1).abs() < 1e-12, "cut at the end of the track");
        let bars = segmentation(Some(&r), 8.1, Resolution::Bar);
        assert_eq!(bars.segments.len(), 4);
        assert!(
            (bars.segments[1].start_s - 2.25).abs() < 1e-12 && (bars.segments[1].end_s - 4.25).abs() < 1e-12
        );
        let none = segmentation(None, 2.2, Resolution::Beat);
        assert_eq!(none.kind, SegmentKind::Fixed);
        assert!(none.note.is_some());
        assert_eq!(none.segments.len(), 5);
        assert!((none.segments[4].end_s - 2.2).abs() < 1e-12);
    }

    #[test]
    fn loudness_is_an_energy_mean() {
        let m = vec![Some(-10.0), Some(-20.0), None, Some(-10.0)];
        // Centres: -0.1, 0.0, 0.1, 0.2.
        let seg = Segment { start_s: 0.0, end_s: 0.25, position: None };
        let l = segment_loudness(&m, 0.1, &seg).unwrap();
        let want = 10.0 * ((0.01 + 0.0 + 0.1) / 3.0f64).log10();
        assert!((l - want).abs() < 1e-9, "{l} {want}");
    }
}
