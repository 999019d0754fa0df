//! Repetition groups and techno roles of segments.
//!
//! Groups: agglomerative clustering (average linkage) of the segments under the energy
//! distance between their bars' feature distributions (Székely & Rizzo 2005), normalised to
//! 0–1: two segments that repeat the same material have the same distribution of bars (0),
//! different material comes near 1. Letters follow first appearance.
//!
//! Roles, from what a DJ hears:
//! * **drop**: the kick is there and the energy (loudness, lows) is within 3 dB of the
//!   track's fullest kick part;
//! * **buildup**: the brightness, highs or loudness rise across the segment (risers, filter
//!   sweeps, rolls), before the end of the track;
//! * **breakdown**: no kick (or far less energy) after the music has started and before
//!   it comes back;
//! * **intro** / **outro**: what comes before the first drop / after the last one; with three
//!   segments or more the first and the last are always intro and outro (techno is made to
//!   be mixed: tracks open and close with parts for the DJ).

use super::Role;
use super::features::BarFeatures;

/// Segments closer than this (normalised energy distance) share a group.
const GROUP_DISTANCE: f64 = 0.27;
/// A kick is present when the percussive lows on the beat are within [`KICK_LEVEL_RANGE_DB`]
/// of the track's loudest kick and at least as strong as half a beat later (this much above,
/// dB: a rolling bass on the off-beat 16ths leaves the kick only a few dB of contrast).
const KICK_CONTRAST_DB: f64 = 0.0;
/// A kick this far under the track's loudest is not a kick (a residue, a filtered echo), dB.
const KICK_LEVEL_RANGE_DB: f64 = 12.0;
/// A kick part is a drop when within this of the fullest kick part, dB.
const DROP_MARGIN_DB: f64 = 3.0;
/// A segment between drops this far below the fullest is a breakdown even with a kick, dB.
const BREAKDOWN_MARGIN_DB: f64 = 6.0;
/// Steady rise across a segment that makes it a build-up (in rise units: octaves of
/// centroid, 10 dB of highs, 6 dB of loudness, each weighted by its line's R²).
const RISE: f64 = 0.6;

/// Normalised energy distance between bar sets `a` and `b` (bar index ranges) from the bar
/// distance matrix `d`.
fn energy_distance(d: &[Vec<f64>], a: std::ops::Range<usize>, b: std::ops::Range<usize>) -> f64 {
    let mean = |x: std::ops::Range<usize>, y: std::ops::Range<usize>| {
        let mut s = 0.0;
        for i in x.clone() {
            for j in y.clone() {
                s += d[i][j];
            }
        }
        s / (x.len() * y.len()) as f64
    };
    let between = mean(a.clone(), b.clone());
    if between <= 0.0 {
        return 0.0;
    }
    let e = 2.0 * between - mean(a.clone(), a) - mean(b.clone(), b);
    (e / (2.0 * between)).clamp(0.0, 1.0)
}

/// Group letters (`A`, `B`, … `Z`, `AA`, …) of the segments `[bounds[k], bounds[k + 1])`.
/// Segments whose `kind` differs (kick in or out, steady or rising) never share a group: with
/// the kick gone or a riser playing, it is not the same material to a DJ.
pub(super) fn groups(d: &[Vec<f64>], bounds: &[usize], kind: &[(bool, bool)]) -> Vec<String> {
    let n_seg = bounds.len().saturating_sub(1);
    let range = |k: usize| bounds[k]..bounds[k + 1];
    let dist: Vec<Vec<f64>> = (0..n_seg)
        .map(|i| {
            (0..n_seg).map(|j| if i == j { 0.0 } else { energy_distance(d, range(i), range(j)) }).collect()
        })
        .collect();

    // Average linkage: merge the closest pair of clusters while below the threshold.
    let mut clusters: Vec<Vec<usize>> = (0..n_seg).map(|k| vec![k]).collect();
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..clusters.len() {
            for b in a + 1..clusters.len() {
                let mut s = 0.0;
                for &i in &clusters[a] {
                    for &j in &clusters[b] {
                        s += dist[i][j];
                    }
                }
                let link = s / (clusters[a].len() * clusters[b].len()) as f64;
                let compatible = kind.get(clusters[a][0]) == kind.get(clusters[b][0]);
                if compatible && link < GROUP_DISTANCE && best.is_none_or(|(l, _, _)| link < l) {
                    best = Some((link, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else { break };
        let merged = clusters.remove(b);
        clusters[a].extend(merged);
    }
    let mut cluster_of = vec![0usize; n_seg];
    for (c, members) in clusters.iter().enumerate() {
        for &k in members {
            cluster_of[k] = c;
        }
    }
    // Letters by first appearance.
    let mut letter_of: Vec<Option<usize>> = vec![None; clusters.len()];
    let mut next = 0;
    cluster_of
        .iter()
        .map(|&c| {
            let l = *letter_of[c].get_or_insert_with(|| {
                next += 1;
                next - 1
            });
            letter(l)
        })
        .collect()
}

fn letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// What the roles are decided from, per segment.
#[derive(Clone, Debug)]
pub(super) struct SegmentTraits {
    /// Median kick contrast over its bars, dB.
    pub kick_db: f64,
    /// Median kick level on the beat, dB.
    pub kick_level_db: f64,
    /// Harmonic energy above 150 Hz (power mean over its bars), dB.
    pub harmonic_db: f64,
    /// Rise across the segment (see [`RISE`]).
    pub rise: f64,
}

/// The steady change across `v`: the least-squares line's rise from its first to its last
/// value, times the line's R² (a riser or a filter sweep climbs steadily; bar-to-bar
/// variation of a groove does not).
fn steady_change(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 3 {
        return 0.0;
    }
    let mx = (n - 1) as f64 / 2.0;
    let my = v.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in v.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
        syy += (y - my) * (y - my);
    }
    if syy <= 0.0 {
        return 0.0;
    }
    let r2 = sxy * sxy / (sxx * syy);
    sxy / sxx * (n - 1) as f64 * r2
}

/// The traits of segment `range` of bars.
pub(super) fn traits(f: &BarFeatures, range: std::ops::Range<usize>) -> SegmentTraits {
    let r = range.clone();
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let kick_db = median(&f.kick_db[r.clone()]);
    let kick_level_db = median(&f.kick_level_db[r.clone()]);
    let harmonic_db = {
        let p = f.harmonic_db[r.clone()].iter().map(|x| 10f64.powf(x / 10.0)).sum::<f64>()
            / r.len().max(1) as f64;
        10.0 * p.max(1e-10).log10()
    };
    let rise = steady_change(&f.centroid_oct[r.clone()]).max(0.0)
        + steady_change(&f.high_db[r.clone()]).max(0.0) / 10.0
        + steady_change(&f.loudness_db[r.clone()]).max(0.0) / 6.0;
    SegmentTraits { kick_db, kick_level_db, harmonic_db, rise }
}

/// Whether each segment has a kick: within [`KICK_LEVEL_RANGE_DB`] of the track's loudest kick
/// and on the beat.
pub(super) fn kick_presence(t: &[SegmentTraits]) -> Vec<bool> {
    let loudest_kick = t.iter().map(|s| s.kick_level_db).fold(f64::NEG_INFINITY, f64::max);
    t.iter()
        .map(|s| s.kick_db >= KICK_CONTRAST_DB && s.kick_level_db >= loudest_kick - KICK_LEVEL_RANGE_DB)
        .collect()
}

/// Whether each segment builds up: a steady rise, not at either end of the track (with three
/// segments or more, the ends are the intro and the outro).
pub(super) fn rising(t: &[SegmentTraits]) -> Vec<bool> {
    let n = t.len();
    (0..n).map(|i| t[i].rise >= RISE && i + 1 < n && (n < 3 || i > 0)).collect()
}

/// Roles and a confidence (0.5–1) for each segment, in order.
pub(super) fn roles(t: &[SegmentTraits]) -> Vec<(Role, f64)> {
    let n = t.len();
    if n == 0 {
        return Vec::new();
    }
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let has_kick = kick_presence(t);
    // Energy: what plays over the drums (a drop adds the bass, chords and leads that the
    // intro's kick and hats lack).
    let energy: Vec<f64> = t.iter().map(|s| s.harmonic_db).collect();
    // A DJ-friendly track opens with an intro and closes with an outro: with three segments or
    // more, the first and last are never the drop (nor a build-up).
    let inner: Vec<usize> = if n >= 3 { (1..n - 1).collect() } else { (0..n).collect() };
    let pool: Vec<usize> = if inner.iter().any(|&i| has_kick[i]) {
        inner.iter().copied().filter(|&i| has_kick[i]).collect()
    } else {
        inner.clone()
    };
    let top = pool.iter().map(|&i| energy[i]).fold(f64::NEG_INFINITY, f64::max);
    let rising = rising(t);
    let is_drop: Vec<bool> =
        (0..n).map(|i| pool.contains(&i) && energy[i] >= top - DROP_MARGIN_DB && !rising[i]).collect();
    // With every candidate rising (a track that only builds), the fullest is the drop.
    let is_drop: Vec<bool> = if is_drop.iter().any(|&d| d) {
        is_drop
    } else {
        let best = pool.iter().copied().max_by(|&a, &b| energy[a].total_cmp(&energy[b])).unwrap_or(0);
        (0..n).map(|i| i == best).collect()
    };
    let first_drop = is_drop.iter().position(|&d| d).unwrap_or(0);
    let last_drop = is_drop.iter().rposition(|&d| d).unwrap_or(n - 1);
    let kick_conf = |i: usize| sigmoid((t[i].kick_db - KICK_CONTRAST_DB).abs() / 2.0);
    (0..n)
        .map(|i| {
            if is_drop[i] {
                let margin = energy[i] - (top - DROP_MARGIN_DB);
                return (Role::Drop, sigmoid(margin) * kick_conf(i));
            }
            if rising[i] {
                return (Role::Buildup, sigmoid(4.0 * (t[i].rise - RISE) / RISE));
            }
            let kick_before = (0..i).any(|j| has_kick[j]);
            let low = !has_kick[i] || energy[i] < top - BREAKDOWN_MARGIN_DB;
            if i < first_drop {
                if !has_kick[i] && kick_before {
                    (Role::Breakdown, kick_conf(i))
                } else {
                    (Role::Intro, 0.5 + 0.5 * (first_drop - i) as f64 / first_drop as f64)
                }
            } else if i > last_drop {
                // The kick stopping and coming back is a breakdown, even after the last drop.
                if !has_kick[i] && (i + 1..n).any(|j| has_kick[j]) {
                    return (Role::Breakdown, kick_conf(i));
                }
                (Role::Outro, 0.5 + 0.5 * (i - last_drop) as f64 / (n - 1 - last_drop) as f64)
            } else if low {
                (Role::Breakdown, if has_kick[i] { 0.6 } else { kick_conf(i) })
            } else {
                (Role::Drop, 0.6)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_run_past_z() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
    }

    #[test]
    fn a_techno_arrangement_gets_its_roles() {
        let seg = |harmonic_db: f64, kick_db: f64, rise: f64| SegmentTraits {
            kick_level_db: if kick_db > 0.0 { -30.0 } else { -80.0 },
            harmonic_db,
            kick_db,
            rise,
        };
        let t = [
            seg(-34.0, 60.0, 0.0), // kick and hats
            seg(-30.0, 18.0, 1.5), // riser
            seg(-43.0, 0.0, 0.1),  // pads, no kick
            seg(-30.0, 14.0, 0.1), // everything
            seg(-34.0, 60.0, 0.0), // kick and hats
        ];
        let roles: Vec<Role> = roles(&t).into_iter().map(|r| r.0).collect();
        assert_eq!(roles, [Role::Intro, Role::Buildup, Role::Breakdown, Role::Drop, Role::Outro]);
    }
}
