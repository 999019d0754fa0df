//! Source separation metrics: BSS Eval version 4 (`museval.evaluate`, `mode="v4"`), the
//! framewise image-based SDR, ISR, SIR and SAR of Vincent, Gribonval & Févotte, "Performance
//! measurement in blind audio source separation", IEEE TASLP 14(4), 2006, with the
//! time-invariant distortion filters of Liutkus, Stöter & Ito, "The 2018 Signal Separation
//! Evaluation Campaign", LVA/ICA 2018.
//!
//! Each estimate is projected, by least squares, on the span of delayed versions (lags
//! `0..FILTERS_LEN`) of every channel of its own reference (the filters `Cj`) and of all the
//! references (the filters `C`). Unlike BSS Eval v3 (`mir_eval.separation`), version 4
//! computes these filters once on the whole signals, then decomposes every frame with them:
//! `ŝ = s_true + e_spat + e_interf + e_artif`, and
//!
//! - SDR = `‖s_true‖² / ‖e_spat + e_interf + e_artif‖²`,
//! - ISR = `‖s_true‖² / ‖e_spat‖²`,
//! - SIR = `‖s_true + e_spat‖² / ‖e_interf‖²`,
//! - SAR = `‖s_true + e_spat + e_interf‖² / ‖e_artif‖²` (all in dB).
//!
//! Correlations are computed by FFT, the normal equations solved by a Cholesky factorisation
//! in f64 of the Gram matrix (plus machine epsilon on its diagonal, as museval); directions
//! that are linearly dependent (a mono reference stored as stereo) are dropped, where museval
//! relies on the epsilon — the projections, hence the scores, are the same. Frames where a
//! reference or an estimate is silent, and infinite ratios, are `None` (museval stores NaN).
//! Estimates are zero-padded or truncated to the references' length, as `museval.evaluate`.
//! The sources are not permuted (museval's default for v4).

use realfft::RealFftPlanner;
use realfft::num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::{Error, Result, ensure_param};

/// Length of the distortion filters, in samples (museval's `filters_len`).
pub const FILTERS_LEN: usize = 512;

/// The framewise scores of one source (dB; `None` where museval gives NaN).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceScores {
    /// Source to distortion ratio, one value per frame.
    pub sdr: Vec<Option<f64>>,
    /// Source image to spatial distortion ratio.
    pub isr: Vec<Option<f64>>,
    /// Source to interference ratio.
    pub sir: Vec<Option<f64>>,
    /// Source to artifacts ratio.
    pub sar: Vec<Option<f64>>,
}

/// The result of [`bss_eval_images`]: one [`SourceScores`] per source, in input order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeparationScores {
    /// Per-source framewise scores.
    pub sources: Vec<SourceScores>,
    /// Frame length, in samples.
    pub window: usize,
    /// Hop between frames, in samples.
    pub hop: usize,
}

/// Median of the defined values (numpy's `nanmedian`, which museval's aggregation uses for
/// the per-track score); `None` when no value is defined.
pub fn median(values: &[Option<f64>]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().flatten().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) })
}

/// BSS Eval v4 (`museval.evaluate(references, estimates, win=window, hop=hop)`).
///
/// `references` and `estimates` are `source × channel × samples`; the number of sources and
/// channels must match. Frames start every `hop` samples and last `window` samples; there are
/// `⌊(n − window + hop) / hop⌋` of them, or one over the whole signal when `window ≥ n`.
///
/// Errors: empty, ragged or non-finite input, a silent (all-zero) source, `window` or `hop`
/// of zero.
pub fn bss_eval_images(
    references: &[Vec<Vec<f32>>],
    estimates: &[Vec<Vec<f32>>],
    window: usize,
    hop: usize,
) -> Result<SeparationScores> {
    ensure_param!(window > 0 && hop > 0, "window ({window}) and hop ({hop}) must be positive");
    let nsrc = references.len();
    if nsrc == 0 || estimates.len() != nsrc {
        return Err(Error::InvalidInput(format!(
            "need as many estimates as references, at least one (got {nsrc} references, {} \
             estimates)",
            estimates.len()
        )));
    }
    let nchan = references[0].len();
    let nsampl = references[0].first().map_or(0, Vec::len);
    if nchan == 0 || nsampl == 0 {
        return Err(Error::InvalidInput("the references are empty".into()));
    }
    let est_len = estimates[0].first().map_or(0, Vec::len);
    for (what, set, len) in [("reference", references, nsampl), ("estimate", estimates, est_len)] {
        for (j, source) in set.iter().enumerate() {
            if source.len() != nchan || source.iter().any(|c| c.len() != len) {
                return Err(Error::InvalidInput(format!(
                    "{what} {j} does not have {nchan} channels of {len} samples"
                )));
            }
            if source.iter().flatten().any(|x| !x.is_finite()) {
                return Err(Error::InvalidInput(format!("{what} {j} has NaN or infinite samples")));
            }
        }
    }
    // f64 copies; estimates padded or truncated to the references' length
    let refs: Vec<Vec<Vec<f64>>> = references
        .iter()
        .map(|s| s.iter().map(|c| c.iter().map(|&x| f64::from(x)).collect()).collect())
        .collect();
    let ests: Vec<Vec<Vec<f64>>> = estimates
        .iter()
        .map(|s| {
            s.iter().map(|c| (0..nsampl).map(|i| c.get(i).map_or(0.0, |&x| f64::from(x))).collect()).collect()
        })
        .collect();
    for (what, set) in [("reference", &refs), ("estimate", &ests)] {
        if let Some(j) = (0..nsrc).find(|&j| is_silent(&set[j], 0, nsampl)) {
            return Err(Error::InvalidInput(format!("{what} {j} is silent")));
        }
    }

    let l = FILTERS_LEN;
    let fft = Fft::new((nsampl + l - 1).next_power_of_two());
    let ref_spec: Vec<Vec<Vec<Complex64>>> =
        refs.iter().map(|s| s.iter().map(|c| fft.forward(c)).collect()).collect();
    let est_spec: Vec<Vec<Vec<Complex64>>> =
        ests.iter().map(|s| s.iter().map(|c| fft.forward(c)).collect()).collect();

    // Gram matrix of the delayed references, rows and columns ordered (source, channel, lag)
    let blocks = nsrc * nchan;
    let n = blocks * l;
    let mut gram = vec![0.0; n * n];
    for p in 0..blocks {
        for q in p..blocks {
            let r = fft.xcorr(&ref_spec[p / nchan][p % nchan], &ref_spec[q / nchan][q % nchan], l);
            // <u delayed a, v delayed b> = xcorr(u, v)[a − b]
            for a in 0..l {
                for b in 0..l {
                    let g = r[a + l - 1 - b];
                    gram[(p * l + a) * n + q * l + b] = g;
                    gram[(q * l + b) * n + p * l + a] = g;
                }
            }
        }
    }
    for i in 0..n {
        gram[i * n + i] += f64::EPSILON;
    }
    // per-source blocks for the filters Cj, before the full matrix is factorised in place
    let own: Vec<Vec<f64>> = (0..nsrc)
        .map(|j| {
            let (lo, m) = (j * nchan * l, nchan * l);
            (0..m).flat_map(|r| gram[(lo + r) * n + lo..(lo + r) * n + lo + m].to_vec()).collect()
        })
        .collect();
    let not_pd = || Error::InvalidInput("the references' Gram matrix is not semi-definite".into());
    cholesky(&mut gram, n).ok_or_else(not_pd)?;

    // filters[je][c][(j, cj, lag)]: estimate je on all references; own[je]: on its reference
    let mut filters = Vec::with_capacity(nsrc);
    let mut own_filters = Vec::with_capacity(nsrc);
    for (je, mut own_gram) in own.into_iter().enumerate() {
        let mut per_out = Vec::with_capacity(nchan);
        let mut own_out = Vec::with_capacity(nchan);
        for est_c in &est_spec[je] {
            let mut d = vec![0.0; n];
            for p in 0..blocks {
                let r = fft.xcorr(&ref_spec[p / nchan][p % nchan], est_c, l);
                d[p * l..(p + 1) * l].copy_from_slice(&r[l - 1..]);
            }
            let own_d = d[je * nchan * l..(je + 1) * nchan * l].to_vec();
            per_out.push(cholesky_solve(&gram, n, d));
            own_out.push(own_d);
        }
        let m = nchan * l;
        cholesky(&mut own_gram, m).ok_or_else(not_pd)?;
        filters.push(per_out);
        own_filters.push(own_out.into_iter().map(|d| cholesky_solve(&own_gram, m, d)).collect::<Vec<_>>());
    }

    // frames
    let nwin = if window < nsampl { (nsampl - window + hop) / hop } else { 1 };
    let mut sources = vec![SourceScores::default(); nsrc];
    let mut frame_fft: Option<Fft> = None;
    for t in 0..nwin {
        let start = if window < nsampl { t * hop } else { 0 };
        let stop = (start + window).min(nsampl);
        let w = stop - start;
        let silent = (0..nsrc).any(|j| is_silent(&refs[j], start, stop) || is_silent(&ests[j], start, stop));
        if silent {
            for s in &mut sources {
                for v in [&mut s.sdr, &mut s.isr, &mut s.sir, &mut s.sar] {
                    v.push(None);
                }
            }
            continue;
        }
        let nfft = (w + l - 1).next_power_of_two();
        let ff = match frame_fft.take() {
            Some(f) if f.n == nfft => frame_fft.insert(f),
            _ => frame_fft.insert(Fft::new(nfft)),
        };
        let seg_spec: Vec<Vec<Vec<Complex64>>> =
            refs.iter().map(|s| s.iter().map(|c| ff.forward(&c[start..stop])).collect()).collect();
        for j in 0..nsrc {
            let (mut e_true, mut e_dist, mut e_spat, mut e_imag, mut e_interf, mut e_proj, mut e_artif) =
                (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for c in 0..nchan {
                let proj_all = ff.project(&seg_spec, &filters[j][c], nchan, l, w + l - 1);
                let proj_own = ff.project(&seg_spec[j..j + 1], &own_filters[j][c], nchan, l, w + l - 1);
                for i in 0..w + l - 1 {
                    let s_true = if i < w { refs[j][c][start + i] } else { 0.0 };
                    let est = if i < w { ests[j][c][start + i] } else { 0.0 };
                    e_true += s_true * s_true;
                    e_dist += (est - s_true) * (est - s_true);
                    e_spat += (proj_own[i] - s_true) * (proj_own[i] - s_true);
                    e_imag += proj_own[i] * proj_own[i];
                    e_interf += (proj_all[i] - proj_own[i]) * (proj_all[i] - proj_own[i]);
                    e_proj += proj_all[i] * proj_all[i];
                    e_artif += (est - proj_all[i]) * (est - proj_all[i]);
                }
            }
            let s = &mut sources[j];
            s.sdr.push(db(e_true, e_dist));
            s.isr.push(db(e_true, e_spat));
            s.sir.push(db(e_imag, e_interf));
            s.sar.push(db(e_proj, e_artif));
        }
    }
    Ok(SeparationScores { sources, window, hop })
}

/// `10 log10(num / den)`, `None` when not finite.
fn db(num: f64, den: f64) -> Option<f64> {
    let v = 10.0 * (num / den).log10();
    v.is_finite().then_some(v)
}

/// museval's `_any_source_silent` for one source: the sum over channels is zero everywhere.
fn is_silent(source: &[Vec<f64>], start: usize, stop: usize) -> bool {
    (start..stop).all(|i| source.iter().map(|c| c[i]).sum::<f64>() == 0.0)
}

/// Pivots below this fraction of their diagonal entry mark a delayed channel that is (to
/// rounding) a combination of the previous ones, e.g. the two channels of a mono reference
/// stored as stereo; that direction is dropped, which leaves the projection unchanged.
const DEPENDENT_PIVOT: f64 = 1e-12;

/// In-place Cholesky factorisation `A = L Lᵀ` of a symmetric positive semi-definite `n × n`
/// row-major matrix (the lower triangle receives `L`). Dependent directions get a zero
/// column (see [`DEPENDENT_PIVOT`]); `None` when `A` has a NaN or is not semi-definite.
fn cholesky(a: &mut [f64], n: usize) -> Option<()> {
    for i in 0..n {
        for j in 0..=i {
            let (head, tail) = a.split_at_mut(i * n);
            let row_i = &tail[..n];
            let row_j = if j == i { row_i } else { &head[j * n..j * n + n] };
            let dot: f64 = row_i[..j].iter().zip(&row_j[..j]).map(|(x, y)| x * y).sum();
            let s = tail[j] - dot;
            if j == i {
                let diag = tail[i];
                if s.is_nan() || diag < 0.0 {
                    return None;
                }
                tail[i] = if s > DEPENDENT_PIVOT * diag { s.sqrt() } else { 0.0 };
            } else {
                let pivot = head[j * n + j];
                tail[j] = if pivot > 0.0 { s / pivot } else { 0.0 };
            }
        }
    }
    Some(())
}

/// Solve `L Lᵀ x = b` with the factor of [`cholesky`] (dropped directions get `x = 0`).
fn cholesky_solve(l: &[f64], n: usize, mut b: Vec<f64>) -> Vec<f64> {
    for i in 0..n {
        let pivot = l[i * n + i];
        let dot: f64 = l[i * n..i * n + i].iter().zip(&b[..i]).map(|(x, y)| x * y).sum();
        b[i] = if pivot > 0.0 { (b[i] - dot) / pivot } else { 0.0 };
    }
    for i in (0..n).rev() {
        let pivot = l[i * n + i];
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = if pivot > 0.0 { s / pivot } else { 0.0 };
    }
    b
}

/// Real FFTs of one size, for linear correlations and convolutions.
struct Fft {
    n: usize,
    forward: std::sync::Arc<dyn realfft::RealToComplex<f64>>,
    inverse: std::sync::Arc<dyn realfft::ComplexToReal<f64>>,
}

impl Fft {
    fn new(n: usize) -> Fft {
        let mut planner = RealFftPlanner::<f64>::new();
        Fft { n, forward: planner.plan_fft_forward(n), inverse: planner.plan_fft_inverse(n) }
    }

    /// Spectrum of `x` zero-padded to `n`.
    fn forward(&self, x: &[f64]) -> Vec<Complex64> {
        let mut buf = vec![0.0; self.n];
        buf[..x.len()].copy_from_slice(x);
        let mut out = self.forward.make_output_vec();
        // lengths match the plan, so this cannot fail
        let _ = self.forward.process(&mut buf, &mut out);
        out
    }

    /// Inverse of [`Fft::forward`] (scaled by `1/n`).
    fn inverse(&self, mut spec: Vec<Complex64>) -> Vec<f64> {
        // a real signal's spectrum has real DC and Nyquist bins
        spec[0].im = 0.0;
        if let Some(last) = spec.last_mut() {
            last.im = 0.0;
        }
        let mut out = self.inverse.make_output_vec();
        let _ = self.inverse.process(&mut spec, &mut out);
        let scale = 1.0 / self.n as f64;
        out.iter_mut().for_each(|x| *x *= scale);
        out
    }

    /// `Σₙ u[n] v[n + d]` for `d = −(l−1) … l−1` (index `d + l − 1`), from the spectra.
    fn xcorr(&self, u: &[Complex64], v: &[Complex64], l: usize) -> Vec<f64> {
        let r = self.inverse(u.iter().zip(v).map(|(a, b)| a.conj() * b).collect());
        (1 - l as isize..l as isize).map(|d| r[d.rem_euclid(self.n as isize) as usize]).collect()
    }

    /// `Σ_{j, cj} filter[(j, cj)] ∗ signal[j][cj]`, the first `len` samples, where the
    /// filters are stored `(source, channel, lag)`.
    fn project(
        &self,
        spectra: &[Vec<Vec<Complex64>>],
        filter: &[f64],
        nchan: usize,
        l: usize,
        len: usize,
    ) -> Vec<f64> {
        let mut acc = vec![Complex64::new(0.0, 0.0); self.n / 2 + 1];
        for (j, source) in spectra.iter().enumerate() {
            for (cj, spec) in source.iter().enumerate() {
                let k = j * nchan + cj;
                let h = self.forward(&filter[k * l..(k + 1) * l]);
                acc.iter_mut().zip(spec.iter().zip(&h)).for_each(|(a, (x, y))| *a += x * y);
            }
        }
        let mut out = self.inverse(acc);
        out.truncate(len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        // A = [[4, 2], [2, 3]], x = [1, −2] → b = [0, −4]
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        cholesky(&mut a, 2).unwrap();
        let x = cholesky_solve(&a, 2, vec![0.0, -4.0]);
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] + 2.0).abs() < 1e-12, "{x:?}");
        // duplicated column: one direction is dropped, and L Lᵀ x = b still holds
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        cholesky(&mut singular, 2).unwrap();
        let x = cholesky_solve(&singular, 2, vec![2.0, 2.0]);
        assert_eq!(x, [2.0, 0.0]);
        assert!(cholesky(&mut [f64::NAN], 1).is_none());
    }

    #[test]
    fn median_skips_undefined_frames() {
        assert_eq!(median(&[Some(3.0), None, Some(1.0), Some(2.0)]), Some(2.0));
        assert_eq!(median(&[Some(4.0), Some(1.0)]), Some(2.5));
        assert_eq!(median(&[None, None]), None);
    }

    #[test]
    fn bad_input_is_an_error() {
        let one = vec![vec![vec![0.5f32; 1000]]];
        assert!(bss_eval_images(&one, &one, 0, 100).is_err());
        assert!(bss_eval_images(&one, &[], 100, 100).is_err());
        let silent = vec![vec![vec![0.0f32; 1000]]];
        assert!(bss_eval_images(&silent, &one, 100, 100).is_err());
        let nan = vec![vec![vec![f32::NAN; 1000]]];
        assert!(bss_eval_images(&one, &nan, 100, 100).is_err());
    }
}
