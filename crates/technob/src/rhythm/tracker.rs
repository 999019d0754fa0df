//! Beat and downbeat tracking with a bar-pointer state space (Whiteley, Cemgil & Godsill, "Bayesian
//! modelling of temporal structure in musical audio", ISMIR 2006) in the efficient form of
//! Krebs, Böck & Widmer ("An efficient state-space model for joint tempo and meter tracking",
//! ISMIR 2015), decoded with Viterbi over sparse transitions.
//!
//! A state is (tempo interval τ in frames per beat, position φ in `0..τ`). Within a beat the
//! pointer advances one frame per frame; only at a beat boundary may the tempo change, with
//! probability `∝ exp(−λ·|τ'/τ − 1|)`. The first `τ / OBSERVATION_LAMBDA` positions of a beat
//! are "beat" states observed with the beat activation `a(t)`; the others see `1 − a(t)`.
//! Each frame costs O(states + tempi²), and only one predecessor per tempo, beat and frame is
//! stored (positions inside a beat have a single predecessor), so memory stays small.
//! [`decode_beats`] is the one-beat bar (beats alone); [`decode_bars`] decodes beats and bar
//! positions jointly for a given meter.

/// Tempo-change penalty λ (madmom's `transition_lambda`).
pub const TRANSITION_LAMBDA: f64 = 100.0;
/// Fraction `1/λ_obs` of a beat whose states are "beat" states (madmom's `observation_lambda`).
pub const OBSERVATION_LAMBDA: f64 = 16.0;
/// At most this many tempo states (log-spaced) between the interval bounds.
pub const MAX_TEMPI: usize = 48;

/// The beat frames decoded from an activation, and the tempo interval at each beat.
#[derive(Clone, Debug, PartialEq)]
pub struct BeatPath {
    /// Frame index of each beat (the activation peak within its beat region).
    pub frames: Vec<usize>,
    /// Average log-likelihood per frame of the decoded path.
    pub log_likelihood: f64,
}

/// Tempo intervals (frames per beat) between `min_interval` and `max_interval`, at most
/// [`MAX_TEMPI`] of them, log-spaced, distinct integers.
pub fn intervals(min_interval: f64, max_interval: f64) -> Vec<usize> {
    let lo = min_interval.floor().max(2.0) as usize;
    let hi = (max_interval.ceil() as usize).max(lo);
    if hi - lo < MAX_TEMPI {
        return (lo..=hi).collect();
    }
    let mut out: Vec<usize> = (0..MAX_TEMPI)
        .map(|i| {
            let f = i as f64 / (MAX_TEMPI - 1) as f64;
            (lo as f64 * (hi as f64 / lo as f64).powf(f)).round() as usize
        })
        .collect();
    out.dedup();
    out
}

/// Decode the most likely beat sequence of `activation` (values in `(0, 1)`, one per frame)
/// with tempo intervals `tempi` (frames per beat).
pub fn decode_beats(activation: &[f64], tempi: &[usize]) -> BeatPath {
    // A one-beat bar with no bar evidence is the beat-only model.
    let path = decode_bars(activation, tempi, 1, |_, _| 0.0);
    BeatPath { frames: path.frames, log_likelihood: path.log_likelihood }
}

/// Beats and their bar positions decoded jointly.
#[derive(Clone, Debug, PartialEq)]
pub struct BarPath {
    /// Frame index of each beat (the activation peak within its beat region).
    pub frames: Vec<usize>,
    /// Bar position of each beat, 0-based (0 = downbeat).
    pub positions: Vec<u32>,
    /// Average log-likelihood per frame of the decoded path.
    pub log_likelihood: f64,
}

/// Joint beat and downbeat decoding in the full bar-pointer state space: a state is (tempo
/// interval τ, position φ in `0..meter·τ`). The pointer advances one frame per frame and wraps
/// at the bar end; the tempo may change at every beat boundary. Beat `k` of the bar is observed
/// in its beat region with `ln a(t) + bar_evidence(t, k)`, where `bar_evidence` (log-likelihood
/// ratios, any scale) says how much frame `t` looks like bar position `k`.
pub fn decode_bars<F>(activation: &[f64], tempi: &[usize], meter: usize, bar_evidence: F) -> BarPath
where
    F: Fn(usize, usize) -> f64,
{
    let n = activation.len();
    let n_tempi = tempi.len();
    let m = meter.max(1);
    if n == 0 || n_tempi == 0 {
        return BarPath { frames: Vec::new(), positions: Vec::new(), log_likelihood: f64::NEG_INFINITY };
    }
    let mut log_trans = vec![f64::NEG_INFINITY; n_tempi * n_tempi];
    for (i, &from) in tempi.iter().enumerate() {
        let weights: Vec<f64> = tempi
            .iter()
            .map(|&to| (-TRANSITION_LAMBDA * (to as f64 / from as f64 - 1.0).abs()).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        for (j, w) in weights.iter().enumerate() {
            if *w > 1e-12 {
                log_trans[i * n_tempi + j] = (w / total).ln();
            }
        }
    }
    let regions: Vec<usize> =
        tempi.iter().map(|&tau| ((tau as f64 / OBSERVATION_LAMBDA).round() as usize).max(1)).collect();
    let obs = |t: usize| -> (f64, f64) {
        let a = activation[t].clamp(1e-6, 1.0 - 1e-6);
        (a.ln(), ((1.0 - a) / (OBSERVATION_LAMBDA - 1.0)).ln())
    };
    let observe = |d: &mut [f64], j: usize, (on, off): (f64, f64), evidence: &[f64]| {
        let tau = tempi[j];
        for (k, beat) in d.chunks_exact_mut(tau).enumerate() {
            let (region, rest) = beat.split_at_mut(regions[j].min(tau));
            let v_on = on + evidence[k];
            region.iter_mut().for_each(|v| *v += v_on);
            rest.iter_mut().for_each(|v| *v += off);
        }
    };
    let mut evidence = vec![0.0; m];
    let mut evidence_at = |t: usize| -> Vec<f64> {
        for (k, e) in evidence.iter_mut().enumerate() {
            *e = bar_evidence(t, k);
        }
        evidence.clone()
    };
    let mut delta: Vec<Vec<f64>> = tempi.iter().map(|&tau| vec![0.0; m * tau]).collect();
    let ev = evidence_at(0);
    for (j, d) in delta.iter_mut().enumerate() {
        observe(d, j, obs(0), &ev);
    }
    // back[(t * n_tempi + j) * m + k]: tempo the beat k starting at (t, τ_j) came from.
    let mut back = vec![0u16; n * n_tempi * m];
    let mut ends = vec![0.0; n_tempi * m];
    let mut starts = vec![0.0; n_tempi * m];
    for t in 1..n {
        // End of beat k of every tempo: the state before the start of beat k + 1.
        for (i, d) in delta.iter().enumerate() {
            for k in 0..m {
                ends[i * m + k] = d[(k + 1) * tempi[i] - 1];
            }
        }
        for j in 0..n_tempi {
            for k in 0..m {
                let prev_k = (k + m - 1) % m;
                let mut best = f64::NEG_INFINITY;
                let mut arg = 0usize;
                for i in 0..n_tempi {
                    let v = ends[i * m + prev_k] + log_trans[i * n_tempi + j];
                    if v > best {
                        best = v;
                        arg = i;
                    }
                }
                starts[j * m + k] = best;
                back[(t * n_tempi + j) * m + k] = arg as u16;
            }
        }
        let ev = evidence_at(t);
        let o = obs(t);
        for (j, d) in delta.iter_mut().enumerate() {
            let len = d.len();
            d.copy_within(0..len - 1, 1);
            for k in 0..m {
                d[k * tempi[j]] = starts[j * m + k];
            }
            observe(d, j, o, &ev);
        }
    }
    let mut best = (f64::NEG_INFINITY, 0usize, 0usize);
    for (j, d) in delta.iter().enumerate() {
        for (phi, &v) in d.iter().enumerate() {
            if v > best.0 {
                best = (v, j, phi);
            }
        }
    }
    let (score, mut j, phi) = best;
    let mut k = phi / tempi[j];
    let mut within = phi % tempi[j];
    let mut frames = Vec::new();
    let mut positions = Vec::new();
    let mut t = n - 1;
    loop {
        if within > t {
            break;
        }
        let start = t - within;
        let end = (start + regions[j]).min(n);
        let peak = (start..end).fold(start, |p, f| if activation[f] > activation[p] { f } else { p });
        frames.push(peak);
        positions.push(k as u32);
        if start == 0 {
            break;
        }
        let prev = back[(start * n_tempi + j) * m + k] as usize;
        j = prev;
        k = (k + m - 1) % m;
        t = start - 1;
        within = tempi[j] - 1;
    }
    frames.reverse();
    positions.reverse();
    BarPath { frames, positions, log_likelihood: score / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulses(n: usize, period: f64, offset: f64) -> Vec<f64> {
        let mut a = vec![0.05; n];
        let mut t = offset;
        while (t as usize) < n {
            a[t.round() as usize % n] = 0.9;
            t += period;
        }
        a
    }

    #[test]
    fn follows_a_steady_pulse() {
        let a = pulses(3000, 46.875, 20.0);
        let path = decode_beats(&a, &intervals(40.0, 55.0));
        assert!(path.frames.len() >= 62, "{}", path.frames.len());
        for &f in &path.frames[1..path.frames.len() - 1] {
            let k = ((f as f64 - 20.0) / 46.875).round();
            assert!((f as f64 - (20.0 + k * 46.875)).abs() <= 1.0, "beat at {f}");
        }
    }

    #[test]
    fn follows_a_tempo_change() {
        let mut a = pulses(2000, 50.0, 10.0);
        a.extend(pulses(2000, 45.0, 0.0));
        let path = decode_beats(&a, &intervals(40.0, 56.0));
        let late: Vec<usize> = path.frames.iter().copied().filter(|&f| f > 2100).collect();
        let d: Vec<usize> = late.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(d.iter().all(|&x| (44..=46).contains(&x)), "{d:?}");
    }

    #[test]
    fn joint_decoding_puts_the_bar_where_the_evidence_is() {
        // 3/4 at 50 frames per beat; bar starts (frame 20 + 150 k) carry downbeat evidence.
        let a = pulses(3000, 50.0, 20.0);
        let evidence = |t: usize, k: usize| -> f64 {
            let is_bar_start = t >= 18 && (t - 18) % 150 <= 4;
            match (k, is_bar_start) {
                (0, true) => 1.0,
                (0, false) => -0.5,
                (_, true) => -1.0,
                _ => 0.0,
            }
        };
        let path = decode_bars(&a, &intervals(44.0, 56.0), 3, evidence);
        assert!(path.frames.len() >= 58);
        for (&f, &k) in path.frames.iter().zip(&path.positions) {
            let beat = ((f as f64 - 20.0) / 50.0).round() as i64;
            assert!((f as f64 - (20.0 + beat as f64 * 50.0)).abs() <= 1.0, "beat at {f}");
            assert_eq!(k as i64, beat.rem_euclid(3), "frame {f}");
        }
    }

    #[test]
    fn intervals_are_bounded() {
        assert_eq!(intervals(40.2, 44.7), vec![40, 41, 42, 43, 44, 45]);
        let many = intervals(20.0, 200.0);
        assert!(many.len() <= MAX_TEMPI && many[0] == 20 && *many.last().unwrap() == 200);
    }
}
