//! Boundaries on bars: a dynamic programme picks the boundary set that maximises the novelty
//! at the chosen boundaries (above a threshold) plus a prior on segment lengths that favours
//! whole phrases (8, 16, 32 bars by default) — the way techno is arranged and DJs count —
//! in the spirit of the optimal-segmentation formulation of Jensen (2007) and the
//! phrase-length priors of downbeat-aware segmenters.

/// A boundary pays off when its novelty (0–1, track maximum = 1) is above this.
pub(super) const NOVELTY_THRESHOLD: f64 = 0.35;

/// Length penalties (in novelty units).
const OFF_PHRASE_MULTIPLE_OF_4: f64 = 0.1;
const OFF_PHRASE: f64 = 0.3;
const TOO_SHORT_AT_EDGE: f64 = 0.5;

/// The prior of a segment of `len` bars; `None` when not allowed. Edge segments (first or
/// last) may be down to half of `min_bars` and pay half the off-phrase penalties (a track may
/// start with a pickup or end on a tail).
fn length_prior(len: usize, phrases: &[usize], min_bars: usize, edge: bool) -> Option<f64> {
    if len == 0 {
        return None;
    }
    let max_phrase = phrases.iter().copied().max().unwrap_or(8).max(1);
    let penalty = if len < min_bars {
        // A pickup or a tail of at least half the minimum may stand alone at an edge.
        if !edge || 2 * len < min_bars {
            return None;
        }
        TOO_SHORT_AT_EDGE
    } else if phrases.contains(&len) || len % max_phrase == 0 {
        0.0
    } else if len % 4 == 0 {
        OFF_PHRASE_MULTIPLE_OF_4
    } else {
        OFF_PHRASE
    };
    Some(if edge { -0.5 * penalty } else { -penalty })
}

/// Boundary bar indices `0 = b₀ < b₁ < … < b_K = n` for `n` bars with novelty `nov`
/// (`n + 1` values; `nov[i]` is at the start of bar `i`).
pub(super) fn choose_boundaries(nov: &[f64], phrases: &[usize], min_bars: usize) -> Vec<usize> {
    let n = nov.len().saturating_sub(1);
    if n == 0 {
        return vec![0];
    }
    let mut best = vec![f64::NEG_INFINITY; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0.0;
    for b in 1..=n {
        for a in 0..b {
            if best[a] == f64::NEG_INFINITY {
                continue;
            }
            let edge = a == 0 || b == n;
            let Some(prior) = length_prior(b - a, phrases, min_bars, edge) else { continue };
            let gain = if a == 0 { 0.0 } else { nov[a] - NOVELTY_THRESHOLD };
            let score = best[a] + prior + gain;
            if score > best[b] {
                best[b] = score;
                from[b] = a;
            }
        }
        // Nothing fits (a track shorter than the minimum): one segment.
        if best[b] == f64::NEG_INFINITY && b == n {
            best[b] = 0.0;
            from[b] = 0;
        }
    }
    let mut out = vec![n];
    let mut b = n;
    while b > 0 {
        b = from[b];
        out.push(b);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_lengths_win_over_a_slightly_higher_off_phrase_peak() {
        // 32 bars, a clear change at bar 16 and a slightly stronger blip at bar 15.
        let mut nov = vec![0.05; 33];
        nov[15] = 0.85;
        nov[16] = 0.8;
        assert_eq!(choose_boundaries(&nov, &[8, 16, 32], 4), vec![0, 16, 32]);
        // A strong change off the phrase grid is still taken.
        let mut nov = vec![0.05; 33];
        nov[13] = 1.0;
        assert_eq!(choose_boundaries(&nov, &[8, 16, 32], 4), vec![0, 13, 32]);
        // No change: one segment.
        assert_eq!(choose_boundaries(&[0.0; 33], &[8, 16, 32], 4), vec![0, 32]);
        // Too short for min_bars between two peaks: only one of them.
        let mut nov = vec![0.0; 33];
        nov[8] = 1.0;
        nov[10] = 0.9;
        assert_eq!(choose_boundaries(&nov, &[8, 16, 32], 4), vec![0, 8, 32]);
        assert_eq!(choose_boundaries(&[0.0; 3], &[8], 4), vec![0, 2]);
    }
}
