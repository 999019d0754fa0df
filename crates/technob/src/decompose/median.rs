//! Running medians with a sorted window: each step removes the sample leaving the window and
//! inserts the one entering it (two binary searches and a short shift), so a kernel of 31 costs
//! a few dozen operations per cell instead of a sort.
//!
//! Edges follow `scipy.ndimage.median_filter` with `mode='reflect'` (`d c b a | a b c d | d c b
//! a`), and the median of a window of `k` values is the value of rank `k / 2` (0-based) among
//! them, as scipy's rank filter takes it (for even `k` the upper middle, not a mean).

/// Index into `0..n` of position `i` (which may lie outside) under half-sample reflection.
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let period = 2 * n;
    let mut j = i.rem_euclid(period);
    if j >= n {
        j = period - 1 - j;
    }
    j as usize
}

/// An unsigned key that orders floats as `f32::total_cmp` does, so the window compares
/// integers.
#[inline]
fn key(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits >> 31 == 1 { !bits } else { bits | 0x8000_0000 }
}

#[inline]
fn unkey(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k })
}

/// Median filter of `x` with a window of `k` values (`k ≥ 1`), written to `out` (same length).
/// Output `i` is the median of `x[i − k/2 ..= i + (k − 1)/2]`, reflected at the edges.
pub(crate) fn median_filter(x: &[f32], k: usize, out: &mut [f32], window: &mut Vec<u32>) {
    let n = x.len();
    debug_assert_eq!(out.len(), n);
    if n == 0 {
        return;
    }
    let before = (k / 2) as isize;
    let after = ((k - 1) / 2) as isize;
    window.clear();
    window.extend((-before..=after).map(|d| key(x[reflect(d, n)])));
    window.sort_unstable();
    out[0] = unkey(window[k / 2]);
    for (i, o) in out.iter_mut().enumerate().skip(1) {
        let (li, ei) = (i as isize - 1 - before, i as isize + after);
        // Inside the signal (almost every step) no reflection, so no division.
        let (li, ei) = if li >= 0 && (ei as usize) < n {
            (li as usize, ei as usize)
        } else {
            (reflect(li, n), reflect(ei, n))
        };
        let (leaving, entering) = (key(x[li]), key(x[ei]));
        if leaving != entering {
            // Replace `leaving` by `entering`, shifting the values between them by one place.
            let at = window.partition_point(|&v| v < leaving);
            let to = window.partition_point(|&v| v < entering);
            if to > at {
                window.copy_within(at + 1..to, at);
                window[to - 1] = entering;
            } else {
                for j in (to..at).rev() {
                    window[j + 1] = window[j];
                }
                window[to] = entering;
            }
        }
        *o = unkey(window[k / 2]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, by sorting every window.
    fn naive(x: &[f32], k: usize) -> Vec<f32> {
        let n = x.len();
        (0..n)
            .map(|i| {
                let mut w: Vec<f32> = (-((k / 2) as isize)..=((k - 1) / 2) as isize)
                    .map(|d| x[reflect(i as isize + d, n)])
                    .collect();
                w.sort_by(f32::total_cmp);
                w[k / 2]
            })
            .collect()
    }

    #[test]
    fn matches_sorting_every_window() {
        let mut seed = 7u32;
        for n in [1usize, 2, 5, 31, 100] {
            let x: Vec<f32> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    // Few distinct values: ties exercise the removal.
                    ((seed >> 24) % 7) as f32
                })
                .collect();
            for k in [1usize, 2, 3, 4, 17, 31, 64] {
                let mut out = vec![0.0; n];
                median_filter(&x, k, &mut out, &mut Vec::new());
                // Negative values and signed zeros order as total_cmp orders them.
                let signed: Vec<f32> = x.iter().map(|v| v - 3.0).chain([-0.0, 0.0]).collect();
                let mut out_signed = vec![0.0; signed.len()];
                median_filter(&signed, k, &mut out_signed, &mut Vec::new());
                let want: Vec<u32> = naive(&signed, k).iter().map(|v| v.to_bits()).collect();
                assert_eq!(
                    out_signed.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    want,
                    "signed n {n} k {k}"
                );
                assert_eq!(out, naive(&x, k), "n {n} k {k}");
            }
        }
    }

    #[test]
    fn reflection_is_half_sample_symmetric() {
        // d c b a | a b c d | d c b a
        assert_eq!((-4..8).map(|i| reflect(i, 4)).collect::<Vec<_>>(), [3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0]);
        assert_eq!(reflect(-9, 4), 0);
        assert_eq!(reflect(5, 1), 0);
    }
}
