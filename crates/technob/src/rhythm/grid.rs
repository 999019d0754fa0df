//! The DJ beat grid: a constant-tempo fit of the tracked beats (least squares of beat time on
//! beat index), and tempo sections where one grid cannot follow the track.
//!
//! Sections come from binary segmentation: while a section's grid misses a tracked beat by
//! more than [`MAX_SECTION_DRIFT_S`], it is split at the beat that most reduces the squared
//! error, provided both halves keep at least [`MIN_SECTION_BEATS`] beats and their tempi
//! differ. A steady track therefore keeps one section; a track that speeds up from 120 to
//! 130 BPM gets several, each with its own BPM.

use super::{Beat, GridFit, GridSection};

/// Largest tolerated distance between a tracked beat and its section's grid, seconds.
pub const MAX_SECTION_DRIFT_S: f64 = 0.030;
/// Fewest beats in a tempo section.
pub const MIN_SECTION_BEATS: usize = 16;
/// Smallest tempo difference between neighbouring sections, relative.
const MIN_TEMPO_CHANGE: f64 = 0.004;

/// Least-squares line `t = offset + period · i` through `times`; (offset, period, SSE).
fn fit(times: &[f64]) -> (f64, f64, f64) {
    let n = times.len() as f64;
    if times.len() < 2 {
        return (times.first().copied().unwrap_or(0.0), 0.0, 0.0);
    }
    let mean_i = (n - 1.0) / 2.0;
    let mean_t = times.iter().sum::<f64>() / n;
    let mut sit = 0.0;
    let mut sii = 0.0;
    for (i, &t) in times.iter().enumerate() {
        let di = i as f64 - mean_i;
        sit += di * (t - mean_t);
        sii += di * di;
    }
    let period = sit / sii;
    let offset = mean_t - period * mean_i;
    let sse = times
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let e = t - (offset + period * i as f64);
            e * e
        })
        .sum();
    (offset, period, sse)
}

/// Round a BPM to 0.01 and anchor a grid with that BPM on `times` (least-squares offset).
/// Returns (bpm, offset, max drift in seconds).
fn rounded_grid(times: &[f64]) -> (f64, f64, f64) {
    let (offset, period, _) = fit(times);
    if period <= 0.0 {
        return (0.0, offset, 0.0);
    }
    let bpm = (6000.0 / period).round() / 100.0;
    let p = 60.0 / bpm;
    let offset = times.iter().enumerate().map(|(i, &t)| t - p * i as f64).sum::<f64>() / times.len() as f64;
    let drift =
        times.iter().enumerate().map(|(i, &t)| (t - (offset + p * i as f64)).abs()).fold(0.0, f64::max);
    (bpm, offset, drift)
}

/// The whole-track grid (`None` with fewer than two beats).
pub fn fit_grid(beats: &[Beat]) -> Option<GridFit> {
    if beats.len() < 2 {
        return None;
    }
    let times: Vec<f64> = beats.iter().map(|b| b.time_s).collect();
    let (bpm, offset, drift) = rounded_grid(&times);
    if bpm <= 0.0 {
        return None;
    }
    let first_down = beats.iter().position(|b| b.position == 1).unwrap_or(0);
    let p = 60.0 / bpm;
    Some(GridFit {
        bpm,
        first_beat_s: offset,
        first_downbeat_s: offset + p * first_down as f64,
        max_drift_ms: drift * 1000.0,
    })
}

/// Constant-tempo sections (see the module documentation).
pub fn tempo_sections(beats: &[Beat], duration_s: f64) -> Vec<GridSection> {
    if beats.len() < 2 {
        return Vec::new();
    }
    let times: Vec<f64> = beats.iter().map(|b| b.time_s).collect();
    let mut bounds = vec![0, times.len()];
    loop {
        let mut split = None;
        for w in bounds.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (_, _, drift) = rounded_grid(&times[a..b]);
            if drift <= MAX_SECTION_DRIFT_S || b - a < 2 * MIN_SECTION_BEATS {
                continue;
            }
            let (_, _, whole) = fit(&times[a..b]);
            let mut best: Option<(f64, usize)> = None;
            for s in a + MIN_SECTION_BEATS..=b - MIN_SECTION_BEATS {
                let (_, p1, e1) = fit(&times[a..s]);
                let (_, p2, e2) = fit(&times[s..b]);
                if (p1 / p2 - 1.0).abs() < MIN_TEMPO_CHANGE {
                    continue;
                }
                if best.is_none_or(|(e, _)| e1 + e2 < e) {
                    best = Some((e1 + e2, s));
                }
            }
            if let Some((e, s)) = best
                && e < 0.5 * whole
            {
                split = Some(s);
                break;
            }
        }
        match split {
            Some(s) => {
                bounds.push(s);
                bounds.sort_unstable();
            }
            None => break,
        }
    }
    bounds
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let (bpm, _, drift) = rounded_grid(&times[a..b]);
            GridSection {
                start_s: times[a],
                end_s: if b < times.len() { times[b] } else { times[b - 1].max(times[a]).min(duration_s) },
                bpm,
                first_position: beats[a].position,
                beats: b - a,
                max_drift_ms: drift * 1000.0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beats(times: &[f64]) -> Vec<Beat> {
        times.iter().enumerate().map(|(i, &t)| Beat { time_s: t, position: (i % 4) as u32 + 1 }).collect()
    }

    #[test]
    fn steady_grid_is_exact() {
        let times: Vec<f64> = (0..200).map(|i| 0.352 + i as f64 * 60.0 / 128.0).collect();
        let g = fit_grid(&beats(&times)).unwrap();
        assert_eq!(g.bpm, 128.0);
        assert!((g.first_beat_s - 0.352).abs() < 1e-9 && g.max_drift_ms < 1e-6);
        assert_eq!(tempo_sections(&beats(&times), 100.0).len(), 1);
    }

    #[test]
    fn a_tempo_change_gives_two_sections() {
        let mut times: Vec<f64> = (0..64).map(|i| i as f64 * 0.5).collect();
        let t0 = times[63];
        times.extend((1..=64).map(|i| t0 + i as f64 * 60.0 / 130.0));
        let s = tempo_sections(&beats(&times), 100.0);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].bpm, 120.0);
        assert_eq!(s[1].bpm, 130.0);
    }
}
