//! The DJ beat grid: a constant-tempo fit of the tracked beats (a robust line of beat time on
//! beat index), and tempo sections where one grid cannot follow the track.
//!
//! When one grid misses a tracked beat by more than [`MAX_SECTION_DRIFT_S`], the beats are
//! partitioned into sections of at least [`MIN_SECTION_BEATS`] beats, each with its own
//! least-squares line, by penalised dynamic programming (prefix sums make each fit O(1)). A steady track keeps one
//! section; a track that speeds up from 120 to 130 BPM gets several, each with its own BPM;
//! an edit that jumps the beat phase (a DJ mix, a loop glued badly) starts a new section.

use super::{Beat, GridFit, GridSection};

/// Largest tolerated distance between a tracked beat and its section's grid, seconds.
pub const MAX_SECTION_DRIFT_S: f64 = 0.030;
/// Fewest beats in a tempo section.
pub const MIN_SECTION_BEATS: usize = 16;

/// Beats spanned by one slope in the robust period estimate (4 bars of 4/4).
const SLOPE_SPAN: usize = 16;

/// The median (mean of the middle two for an even count; 0 for none).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// A grid through `times` that a few misplaced, missing or extra beats cannot bend: the period
/// is the median of the slopes over [`SLOPE_SPAN`] beats (Theil–Sen style), rounded to
/// 0.01 BPM; each beat gets the grid index nearest to it, and the anchor is the median residual.
/// Returns (bpm, time of the grid line at the first beat, max drift in seconds).
fn rounded_grid(times: &[f64]) -> (f64, f64, f64) {
    if times.len() < 2 {
        return (0.0, times.first().copied().unwrap_or(0.0), 0.0);
    }
    let span = SLOPE_SPAN.min(times.len() - 1);
    let period = median(times.windows(span + 1).map(|w| (w[span] - w[0]) / span as f64).collect());
    if period <= 0.0 {
        return (0.0, times[0], 0.0);
    }
    let bpm = (6000.0 / period).round() / 100.0;
    let p = 60.0 / bpm;
    let index = |t: f64| ((t - times[0]) / p).round();
    let offset = median(times.iter().map(|&t| t - p * index(t)).collect());
    let drift = times.iter().map(|&t| (t - (offset + p * index(t))).abs()).fold(0.0, f64::max);
    (bpm, offset, drift)
}

/// Prefix sums for O(1) least-squares fits of `t = a + b·i` over any range of beats.
struct Prefix {
    i: Vec<f64>,
    t: Vec<f64>,
    ii: Vec<f64>,
    it: Vec<f64>,
    tt: Vec<f64>,
}

impl Prefix {
    fn new(times: &[f64]) -> Prefix {
        let mut p = Prefix { i: vec![0.0], t: vec![0.0], ii: vec![0.0], it: vec![0.0], tt: vec![0.0] };
        for (k, &t) in times.iter().enumerate() {
            let i = k as f64;
            let last = p.i.len() - 1;
            p.i.push(p.i[last] + i);
            p.t.push(p.t[last] + t);
            p.ii.push(p.ii[last] + i * i);
            p.it.push(p.it[last] + i * t);
            p.tt.push(p.tt[last] + t * t);
        }
        p
    }

    /// (period, squared error) of the least-squares line over beats `a..b`.
    fn fit(&self, a: usize, b: usize) -> (f64, f64) {
        let n = (b - a) as f64;
        if b - a < 2 {
            return (0.0, 0.0);
        }
        let si = self.i[b] - self.i[a];
        let st = self.t[b] - self.t[a];
        let sii = self.ii[b] - self.ii[a];
        let sit = self.it[b] - self.it[a];
        let stt = self.tt[b] - self.tt[a];
        let var_i = sii - si * si / n;
        let cov = sit - si * st / n;
        let var_t = stt - st * st / n;
        let slope = if var_i > 0.0 { cov / var_i } else { 0.0 };
        (slope, (var_t - slope * cov).max(0.0))
    }
}

/// Cost of one more section: what a split must save in squared error (s²). A phase jump or
/// tempo change that puts [`MIN_SECTION_BEATS`]/2 beats [`MAX_SECTION_DRIFT_S`] off the grid
/// pays for it; beat-to-beat jitter of a few milliseconds does not.
fn section_penalty() -> f64 {
    MIN_SECTION_BEATS as f64 / 2.0 * MAX_SECTION_DRIFT_S * MAX_SECTION_DRIFT_S
}

/// Optimal partition of beats `0..n` into sections of at least [`MIN_SECTION_BEATS`] beats
/// minimising squared error + [`section_penalty`] per section, by dynamic programming with
/// PELT pruning (Killick, Fearnhead & Eckley 2012). Returns the section bounds.
fn segment(prefix: &Prefix, n: usize) -> Vec<usize> {
    let beta = section_penalty();
    if n < 2 * MIN_SECTION_BEATS {
        return vec![0, n];
    }
    let mut cost = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    cost[0] = -beta;
    let mut candidates: Vec<usize> = vec![0];
    for t in MIN_SECTION_BEATS..=n {
        // Sections may only end where the rest can still form a section (or at the end).
        if t != n && n - t < MIN_SECTION_BEATS {
            continue;
        }
        let mut best = (f64::INFINITY, 0usize);
        for &s in &candidates {
            if t - s >= MIN_SECTION_BEATS && cost[s].is_finite() {
                let c = cost[s] + prefix.fit(s, t).1 + beta;
                if c < best.0 {
                    best = (c, s);
                }
            }
        }
        cost[t] = best.0;
        last[t] = best.1;
        // PELT: a start that is already worse than `t` by more than the penalty never wins.
        candidates.retain(|&s| t - s < MIN_SECTION_BEATS || cost[s] + prefix.fit(s, t).1 <= cost[t]);
        if t + MIN_SECTION_BEATS <= n {
            candidates.push(t);
        }
    }
    let mut bounds = vec![n];
    let mut t = n;
    while t > 0 {
        t = last[t];
        bounds.push(t);
    }
    bounds.reverse();
    bounds
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
    let p = 60.0 / bpm;
    let first_down = beats.iter().find(|b| b.position == 1).map_or(times[0], |b| b.time_s);
    let k = ((first_down - times[0]) / p).round();
    Some(GridFit {
        bpm,
        first_beat_s: offset,
        first_downbeat_s: offset + p * k,
        max_drift_ms: drift * 1000.0,
    })
}

/// Constant-tempo sections (see the module documentation).
pub fn tempo_sections(beats: &[Beat], duration_s: f64) -> Vec<GridSection> {
    if beats.len() < 2 {
        return Vec::new();
    }
    let times: Vec<f64> = beats.iter().map(|b| b.time_s).collect();
    let bounds = if rounded_grid(&times).2 <= MAX_SECTION_DRIFT_S {
        vec![0, times.len()]
    } else {
        segment(&Prefix::new(&times), times.len())
    };
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
    fn a_phase_jump_starts_a_new_section_and_the_grid_stays_sane() {
        let p = 60.0 / 128.0;
        let mut times: Vec<f64> = (0..64).map(|i| 1.0 + i as f64 * p).collect();
        let t0 = times[63] + 1.5 * p;
        times.extend((0..64).map(|i| t0 + i as f64 * p));
        let s = tempo_sections(&beats(&times), 100.0);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s.iter().all(|x| x.bpm == 128.0 && x.max_drift_ms < 1e-6), "{s:?}");
        let g = fit_grid(&beats(&times)).unwrap();
        assert_eq!(g.bpm, 128.0);
        assert!(g.first_beat_s >= 1.0 - p / 2.0 && g.max_drift_ms <= 500.0 * p + 1e-6, "{g:?}");
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
