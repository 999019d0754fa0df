//! Bar self-similarity and novelty.
//!
//! * Checkerboard novelty (Foote 2000, "Automatic audio segmentation using a measure of audio
//!   novelty"): a Gaussian-tapered checkerboard kernel slid along the diagonal of the
//!   self-similarity matrix; high where the bars before differ from the bars after.
//! * Structure-feature novelty (Serrà, Müller, Grosche & Arcos 2014, "Unsupervised music
//!   structure annotation by time series structure features and segment similarity"): the
//!   k-nearest-neighbour recurrence matrix in time-lag form, smoothed along time; each bar's
//!   column of lags is its structure feature, and novelty is how much that feature changes.
//!   It sees a boundary where repetitions start or stop, even between similar-sounding parts.

use super::features::{BarFeatures, GROUPS};

/// Bar features scaled for distances: every dimension z-scored over the track, every group
/// weighted so that its dimensions together carry the group's weight.
pub(super) fn scaled_rows(f: &BarFeatures) -> Vec<Vec<f64>> {
    let n = f.rows.len();
    let dims = f.dim_group.len();
    let mut out = vec![vec![0.0; dims]; n];
    if n == 0 {
        return out;
    }
    for d in 0..dims {
        let mean = f.rows.iter().map(|r| r[d]).sum::<f64>() / n as f64;
        let var = f.rows.iter().map(|r| (r[d] - mean).powi(2)).sum::<f64>() / n as f64;
        let group = f.dim_group[d];
        let group_dims = f.dim_group.iter().filter(|&&g| g == group).count() as f64;
        let weight = GROUPS[group].1 / group_dims.sqrt();
        // A dimension that barely moves stays near zero instead of amplifying noise.
        let sd = var.sqrt().max(1e-3);
        for (o, r) in out.iter_mut().zip(&f.rows) {
            o[d] = weight * (r[d] - mean) / sd;
        }
    }
    out
}

/// Euclidean distances between all rows, `n × n`.
pub(super) fn distances(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = rows.len();
    let mut d = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let v = rows[i].iter().zip(&rows[j]).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
            d[i][j] = v;
            d[j][i] = v;
        }
    }
    d
}

/// Similarity `exp(−d² / (2σ²))` with σ the median off-diagonal distance.
pub(super) fn similarity(d: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = d.len();
    let mut off: Vec<f64> =
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| d[i][j]).collect();
    off.sort_by(f64::total_cmp);
    let sigma = off.get(off.len() / 2).copied().unwrap_or(1.0).max(1e-9);
    d.iter().map(|row| row.iter().map(|&v| (-v * v / (2.0 * sigma * sigma)).exp()).collect()).collect()
}

/// Checkerboard novelty at every bar boundary `0..=n` (boundary `i` is before bar `i`), with
/// a kernel of `half` bars on each side (fewer near the ends, the same on both sides). The
/// two ends are 0.
pub(super) fn checkerboard(s: &[Vec<f64>], half: usize) -> Vec<f64> {
    let n = s.len();
    let mut nov = vec![0.0; n + 1];
    let sd = half as f64 / 2.0;
    for (i, v) in nov.iter_mut().enumerate().take(n).skip(1) {
        let (mut sum, mut norm) = (0.0, 0.0);
        // Near the ends the kernel shrinks symmetrically, so both sides weigh the same.
        let h = half.min(i).min(n - i) as i64;
        // Offsets a, b in −h..h: bar i + a (a < 0: before the boundary).
        for a in -h..h {
            for b in -h..h {
                let (x, y) = (i as i64 + a, i as i64 + b);
                if x < 0 || y < 0 || x >= n as i64 || y >= n as i64 {
                    continue;
                }
                let (ca, cb) = (a as f64 + 0.5, b as f64 + 0.5);
                let taper = (-(ca * ca + cb * cb) / (2.0 * sd * sd)).exp();
                let sign = if (a < 0) == (b < 0) { 1.0 } else { -1.0 };
                sum += sign * taper * s[x as usize][y as usize];
                norm += taper;
            }
        }
        *v = if norm > 0.0 { (sum / norm).max(0.0) } else { 0.0 };
    }
    nov
}

/// Structure-feature novelty at every bar boundary `0..=n`: k-NN recurrence (mutual
/// neighbours, k ≈ 10 % of the bars, at least 2), circular time-lag matrix, Gaussian
/// smoothing over ±`smooth` bars in time; novelty = squared distance between the structure
/// features of the bars either side of the boundary. The two ends are 0.
pub(super) fn structure_feature_novelty(d: &[Vec<f64>], smooth: usize) -> Vec<f64> {
    let n = d.len();
    let mut nov = vec![0.0; n + 1];
    if n < 3 {
        return nov;
    }
    let k = ((n as f64 * 0.1).round() as usize).clamp(2, n - 1);
    // k nearest neighbours of each bar (itself excluded; ties by index).
    let neighbours: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            let mut idx: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            idx.sort_by(|&a, &b| d[i][a].total_cmp(&d[i][b]).then(a.cmp(&b)));
            idx.truncate(k);
            idx
        })
        .collect();
    let mut rec = vec![vec![0.0f64; n]; n];
    for i in 0..n {
        for &j in &neighbours[i] {
            if neighbours[j].contains(&i) {
                rec[i][j] = 1.0;
            }
        }
    }
    // Lag matrix: lag[i][l] = rec[i][(i + l) mod n].
    let lag: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|l| rec[i][(i + l) % n]).collect()).collect();
    // Smooth over time.
    let sd = (smooth as f64 / 2.0).max(0.5);
    let taps: Vec<f64> =
        (-(smooth as i64)..=smooth as i64).map(|o| (-(o * o) as f64 / (2.0 * sd * sd)).exp()).collect();
    let smoothed: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut row = vec![0.0; n];
            let mut norm = 0.0;
            for (o, &w) in (-(smooth as i64)..=smooth as i64).zip(&taps) {
                let t = i as i64 + o;
                if t < 0 || t >= n as i64 {
                    continue;
                }
                norm += w;
                for (r, v) in row.iter_mut().zip(&lag[t as usize]) {
                    *r += w * v;
                }
            }
            row.iter_mut().for_each(|r| *r /= norm);
            row
        })
        .collect();
    for i in 1..n {
        nov[i] = smoothed[i].iter().zip(&smoothed[i - 1]).map(|(a, b)| (a - b).powi(2)).sum();
    }
    nov
}

/// Scale to a maximum of 1 (all zeros stay zeros).
pub(super) fn normalise_max(v: &mut [f64]) {
    let max = v.iter().copied().fold(0.0, f64::max);
    if max > 0.0 {
        v.iter_mut().for_each(|x| *x /= max);
    }
}
