//! Structural segmentation metrics: a port of `mir_eval.segment` 0.8 (Raffel et al. 2014).
//!
//! A segmentation is a partition of a track into labeled intervals (`start end label` per line
//! of a `.lab` file, [`parse_lab`]). Two families of scores compare an estimate with a reference:
//!
//! - boundaries only: the hit rate of [`detection`] (Turnbull, Lanckriet, Pampalk & Goto, "A
//!   supervised approach for detecting boundaries in music using difference features and
//!   boosting", ISMIR 2007): precision, recall and F-measure of a maximum one-to-one matching
//!   of boundaries within ±`window` s, and the median distances of [`deviation`];
//! - labels, on frames of 0.1 s: [`pairwise`] frame-pair agreement (Levy & Sandler,
//!   "Structural segmentation of musical audio by constrained clustering", IEEE TASLP 16(2),
//!   2008), the [`rand_index`] and its chance-adjusted [`ari`] (Hubert & Arabie 1985), the
//!   [`mutual_information`] (MI, adjusted AMI after Vinh, Epps & Bailey, JMLR 2010, and
//!   normalized NMI), the normalized conditional entropies of [`nce`] (Lukashevich, "Towards
//!   quantitative measures of evaluating song segmentation", ISMIR 2008) and the
//!   [`vmeasure`] (Rosenberg & Hirschberg, EMNLP-CoNLL 2007).
//!
//! [`evaluate`] does what `mir_eval.segment.evaluate` does: pad the reference to start at 0 and
//! the estimate to span the reference ([`adjust_intervals`]), then compute every score, named
//! as mir_eval names them by [`SegmentScores::mir_eval_named`]. The arithmetic follows
//! mir_eval's, quirks included (frame times in float32, labels compared case-insensitively,
//! boundaries rounded to 5 decimals), so the scores agree with mir_eval's regression data to
//! within a few units in the last place. Input mir_eval would reject is an [`Error`], never a
//! panic; NaN or infinite times are refused too (mir_eval lets NaN through).
//!
//! ```
//! use technob::eval::segment::{evaluate, parse_lab};
//!
//! let reference = parse_lab("0.0 10.0 intro\n10.0 40.0 verse\n40.0 60.0 chorus\n")?;
//! let estimate = parse_lab("0.0 10.3 A\n10.3 39.0 B\n39.0 60.0 C\n")?;
//! let scores = evaluate(&reference, &estimate)?;
//! assert_eq!(scores.boundary_3.f_measure, 1.0); // every boundary within 3 s
//! assert_eq!(scores.boundary_05.recall, 0.75); // 0, 10.3 and 60 within 0.5 s, not 39
//! # Ok::<(), technob::Error>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::eval::transcription::Prf;
use crate::{Error, Result, ensure_param};

/// Frame length of the label metrics, seconds (mir_eval's `frame_size`).
pub const FRAME_SIZE: f64 = 0.1;
/// The two boundary hit windows of [`evaluate`], ± seconds.
pub const WINDOWS: [f64; 2] = [0.5, 3.0];
/// Boundary times are rounded to this many decimals before matching (mir_eval's
/// `intervals_to_boundaries`).
pub const BOUNDARY_DECIMALS: i32 = 5;
/// Label of the interval [`adjust_intervals`] inserts before the first one.
pub const START_LABEL: &str = "__T_MIN";
/// Label of the interval [`adjust_intervals`] appends after the last one.
pub const END_LABEL: &str = "__T_MAX";
/// Label of frames that no interval covers (mir_eval samples them as `None`, which it then
/// compares as the label `"none"`).
pub const GAP_LABEL: &str = "None";
/// Most frames the label metrics sample: frame indices stay exact in float32 (where mir_eval
/// computes frame times) and memory bounded; a longer track or a smaller frame is an error.
pub const MAX_FRAMES: usize = 1 << 24;

/// A track's segments: intervals and their labels.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    /// `[start, end]` of each segment, seconds.
    pub intervals: Vec<[f64; 2]>,
    /// Label of each segment (compared case-insensitively).
    pub labels: Vec<String>,
}

/// Parameters of [`evaluate_with`]; the default is mir_eval's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentParams {
    /// Frame length of the label metrics, seconds ([`FRAME_SIZE`]).
    pub frame_size: f64,
    /// Weight of recall in every F-measure (1: harmonic mean).
    pub beta: f64,
    /// Ignore the first and last boundary (the track's start and end) in [`detection`] and
    /// [`deviation`].
    pub trim: bool,
}

impl Default for SegmentParams {
    fn default() -> Self {
        SegmentParams { frame_size: FRAME_SIZE, beta: 1.0, trim: false }
    }
}

impl SegmentParams {
    /// Check every parameter is usable: `frame_size` and `beta` positive and finite.
    pub fn validate(&self) -> Result<()> {
        check_frame_size(self.frame_size)?;
        check_beta(self.beta)
    }
}

/// Median distances between boundaries ([`deviation`]), seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// Median over reference boundaries of the distance to the nearest estimated one.
    pub ref_to_est: f64,
    /// Median over estimated boundaries of the distance to the nearest reference one.
    pub est_to_ref: f64,
}

/// Mutual information between the frame labels ([`mutual_information`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MutualInformation {
    /// Mutual information, nats.
    pub mi: f64,
    /// Mutual information adjusted for chance (1 for identical partitions, about 0 for
    /// independent ones).
    pub ami: f64,
    /// Mutual information over the geometric mean of the two label entropies.
    pub nmi: f64,
}

/// Conditional-entropy scores ([`nce`], [`vmeasure`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Nce {
    /// Over-segmentation score `1 − H(est | ref) / Z(est)` (V-measure: precision).
    pub over: f64,
    /// Under-segmentation score `1 − H(ref | est) / Z(ref)` (V-measure: recall).
    pub under: f64,
    /// Weighted harmonic mean of the two.
    pub f_measure: f64,
}

/// Every score of `mir_eval.segment.evaluate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentScores {
    /// Boundary hit rate within ±0.5 s.
    pub boundary_05: Prf,
    /// Boundary hit rate within ±3 s.
    pub boundary_3: Prf,
    /// Median boundary distances.
    pub deviation: Deviation,
    /// Frame-pair agreement.
    pub pairwise: Prf,
    /// Rand index of the frame labels.
    pub rand_index: f64,
    /// Adjusted Rand index of the frame labels.
    pub ari: f64,
    /// Mutual information of the frame labels.
    pub mutual_information: MutualInformation,
    /// Conditional entropies over the uniform (maximum) entropies.
    pub nce: Nce,
    /// Conditional entropies over the marginal entropies.
    pub vmeasure: Nce,
}

impl SegmentScores {
    /// The scores under mir_eval's names, in `mir_eval.segment.evaluate`'s order.
    pub fn mir_eval_named(&self) -> Vec<(&'static str, f64)> {
        let (b05, b3, pw) = (&self.boundary_05, &self.boundary_3, &self.pairwise);
        let mi = &self.mutual_information;
        vec![
            ("Precision@0.5", b05.precision),
            ("Recall@0.5", b05.recall),
            ("F-measure@0.5", b05.f_measure),
            ("Precision@3.0", b3.precision),
            ("Recall@3.0", b3.recall),
            ("F-measure@3.0", b3.f_measure),
            ("Ref-to-est deviation", self.deviation.ref_to_est),
            ("Est-to-ref deviation", self.deviation.est_to_ref),
            ("Pairwise Precision", pw.precision),
            ("Pairwise Recall", pw.recall),
            ("Pairwise F-measure", pw.f_measure),
            ("Rand Index", self.rand_index),
            ("Adjusted Rand Index", self.ari),
            ("Mutual Information", mi.mi),
            ("Adjusted Mutual Information", mi.ami),
            ("Normalized Mutual Information", mi.nmi),
            ("NCE Over", self.nce.over),
            ("NCE Under", self.nce.under),
            ("NCE F-measure", self.nce.f_measure),
            ("V Precision", self.vmeasure.over),
            ("V Recall", self.vmeasure.under),
            ("V-measure", self.vmeasure.f_measure),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Parse a `.lab` segment file (`mir_eval.io.load_labeled_intervals`): one segment per line,
/// `start end label` separated by whitespace, where the label is the rest of the line (it may
/// hold spaces and `#`). Lines starting with `#` and blank lines are skipped; `\r\n` endings
/// are fine. A time that is not a finite number, negative, or an end not after its start is an
/// error naming the line (mir_eval only warns there).
pub fn parse_lab(text: &str) -> Result<Segmentation> {
    let mut seg = Segmentation::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let bad = |msg: String| Error::InvalidInput(format!("line {line}: {msg}"));
        let Some((start, rest)) = split(content) else {
            return Err(bad("expected 'start end label', found 1 column".into()));
        };
        let Some((end, label)) = split(rest) else {
            return Err(bad("expected 'start end label', found 2 columns".into()));
        };
        let number = |field: &str, what: &str| -> Result<f64> {
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                Ok(_) => Err(bad(format!("{what} '{field}' is not a finite number"))),
                Err(_) => Err(bad(format!("{what} '{field}' is not a number"))),
            }
        };
        let (start, end) = (number(start, "start time")?, number(end, "end time")?);
        if start < 0.0 {
            return Err(bad(format!("negative start time {start} s")));
        }
        if end <= start {
            return Err(bad(format!("end {end} s is not after start {start} s")));
        }
        seg.intervals.push([start, end]);
        seg.labels.push(label.to_string());
    }
    Ok(seg)
}

/// The first whitespace-separated field of `s` and the rest after the whitespace.
fn split(s: &str) -> Option<(&str, &str)> {
    s.split_once(char::is_whitespace).map(|(a, b)| (a, b.trim_start()))
}

/// Read a `.lab` segment file ([`parse_lab`]); errors name the file.
pub fn load_lab(path: impl AsRef<Path>) -> Result<Segmentation> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))?;
    parse_lab(&text).map_err(|e| e.in_file(path))
}

// ---------------------------------------------------------------------------------------------
// Validation and preparation

fn check_frame_size(frame_size: f64) -> Result<()> {
    ensure_param!(
        frame_size.is_finite() && frame_size > 0.0,
        "frame_size must be a positive number of seconds, got {frame_size}"
    );
    Ok(())
}

fn check_beta(beta: f64) -> Result<()> {
    ensure_param!(beta.is_finite() && beta > 0.0, "beta must be positive, got {beta}");
    Ok(())
}

fn check_finite(intervals: &[[f64; 2]]) -> Result<()> {
    match intervals.iter().position(|iv| !(iv[0].is_finite() && iv[1].is_finite())) {
        Some(i) => Err(Error::InvalidInput(format!(
            "segment {i}: interval [{}, {}] is not finite",
            intervals[i][0], intervals[i][1]
        ))),
        None => Ok(()),
    }
}

fn check_labels(seg: &Segmentation) -> Result<()> {
    if seg.intervals.len() != seg.labels.len() {
        return Err(Error::InvalidInput(format!(
            "{} intervals but {} labels",
            seg.intervals.len(),
            seg.labels.len()
        )));
    }
    Ok(())
}

/// Check segment intervals (`mir_eval.util.validate_intervals`): times finite and
/// non-negative, every duration strictly positive.
pub fn validate_intervals(intervals: &[[f64; 2]]) -> Result<()> {
    check_finite(intervals)?;
    for (i, &[start, end]) in intervals.iter().enumerate() {
        if start < 0.0 || end < 0.0 {
            return Err(Error::InvalidInput(format!("segment {i}: negative time in [{start}, {end}]")));
        }
        if end <= start {
            return Err(Error::InvalidInput(format!(
                "segment {i}: interval [{start}, {end}] does not have a strictly positive duration"
            )));
        }
    }
    Ok(())
}

/// `mir_eval.segment.validate_boundary`: both interval lists valid. (Empty lists are allowed:
/// mir_eval warns and the boundary metrics score them 0, or NaN for [`deviation`].)
pub fn validate_boundary(reference: &[[f64; 2]], estimated: &[[f64; 2]]) -> Result<()> {
    validate_intervals(reference).map_err(|e| Error::InvalidInput(format!("reference {e}")))?;
    validate_intervals(estimated).map_err(|e| Error::InvalidInput(format!("estimated {e}")))
}

/// `mir_eval.segment.validate_structure`: both segmentations have valid intervals and one
/// label per interval, each starts at 0 and both end at the same time (to `np.allclose`'s
/// tolerances, 1e-8 s + 1e-5 relative). Empty segmentations are allowed (scored 0).
pub fn validate_structure(reference: &Segmentation, estimated: &Segmentation) -> Result<()> {
    for (what, seg) in [("reference", reference), ("estimated", estimated)] {
        let err = |e: Error| Error::InvalidInput(format!("{what} {e}"));
        validate_intervals(&seg.intervals).map_err(err)?;
        check_labels(seg).map_err(err)?;
        if let Some(t0) = time_min(&seg.intervals)
            && !allclose(t0, 0.0)
        {
            return Err(Error::InvalidInput(format!("{what} segments start at {t0} s, not at 0")));
        }
    }
    if let (Some(r), Some(e)) = (time_max(&reference.intervals), time_max(&estimated.intervals))
        && !allclose(r, e)
    {
        return Err(Error::InvalidInput(format!(
            "end times do not match: reference ends at {r} s, estimate at {e} s"
        )));
    }
    Ok(())
}

/// `np.allclose(a, b)` for scalars.
fn allclose(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

fn time_min(intervals: &[[f64; 2]]) -> Option<f64> {
    intervals.iter().flatten().copied().reduce(f64::min)
}

fn time_max(intervals: &[[f64; 2]]) -> Option<f64> {
    intervals.iter().flatten().copied().reduce(f64::max)
}

/// Make a segmentation span `[t_min, t_max]` (`mir_eval.util.adjust_intervals`): intervals
/// wholly outside are dropped, those partly outside are cropped, and where the range begins
/// before the first interval or ends after the last, an interval labeled [`START_LABEL`] or
/// [`END_LABEL`] fills the gap. An empty segmentation with both bounds becomes one interval
/// `[t_min, t_max]` labeled [`START_LABEL`].
///
/// As in mir_eval, intervals are not checked here (a negative start is clipped to `t_min`);
/// non-finite times, a label count that differs from the interval count, an empty
/// segmentation without both bounds, or one that `t_max` leaves empty are errors.
pub fn adjust_intervals(seg: &Segmentation, t_min: Option<f64>, t_max: Option<f64>) -> Result<Segmentation> {
    check_finite(&seg.intervals)?;
    check_labels(seg)?;
    for (name, t) in [("t_min", t_min), ("t_max", t_max)] {
        if let Some(t) = t {
            ensure_param!(t.is_finite(), "{name} must be finite, got {t}");
        }
    }
    if seg.intervals.is_empty() {
        return match (t_min, t_max) {
            (Some(t0), Some(t1)) => {
                Ok(Segmentation { intervals: vec![[t0, t1]], labels: vec![START_LABEL.to_string()] })
            }
            _ => Err(Error::InvalidInput("no segments, and no range to fill with one".into())),
        };
    }
    let mut intervals = seg.intervals.clone();
    let mut labels = seg.labels.clone();
    if let Some(t0) = t_min {
        // Drop the intervals before the first one ending at or after t_min (if any does).
        if let Some(first) = intervals.iter().position(|iv| iv[1] >= t0) {
            intervals.drain(..first);
            labels.drain(..first);
        }
        for t in intervals.iter_mut().flatten() {
            *t = t.max(t0);
        }
        if let Some(lo) = time_min(&intervals)
            && lo > t0
        {
            intervals.insert(0, [t0, lo]);
            labels.insert(0, START_LABEL.to_string());
        }
    }
    if let Some(t1) = t_max {
        if let Some(last) = intervals.iter().position(|iv| iv[0] > t1) {
            intervals.truncate(last);
            labels.truncate(last);
        }
        for t in intervals.iter_mut().flatten() {
            *t = t.min(t1);
        }
        let Some(hi) = time_max(&intervals) else {
            return Err(Error::InvalidInput(format!("every segment starts after t_max = {t1} s")));
        };
        if hi < t1 {
            intervals.push([hi, t1]);
            labels.push(END_LABEL.to_string());
        }
    }
    Ok(Segmentation { intervals, labels })
}

/// `np.round(x, 5)`: scale, round half to even, scale back.
fn round_boundary(x: f64) -> f64 {
    let scale = 10f64.powi(BOUNDARY_DECIMALS);
    (x * scale).round_ties_even() / scale
}

/// The distinct boundary times of a segmentation, increasing, rounded to
/// [`BOUNDARY_DECIMALS`] decimals (`mir_eval.util.intervals_to_boundaries`).
pub fn intervals_to_boundaries(intervals: &[[f64; 2]]) -> Vec<f64> {
    let mut b: Vec<f64> = intervals.iter().flatten().map(|&t| round_boundary(t)).collect();
    b.sort_by(f64::total_cmp);
    b.dedup();
    b
}

// ---------------------------------------------------------------------------------------------
// Boundary metrics

/// A maximum one-to-one matching of `reference` and `estimated` event times with
/// `est − window ≤ ref ≤ est + window` (`mir_eval.util.match_events`, the window test as its
/// `_fast_hit_windows` computes it). Returns `(reference index, estimate index)` pairs sorted
/// by reference index. The matching is found by Hopcroft–Karp ([`max_bipartite_matching`]),
/// so its size is mir_eval's; when several maximum matchings exist, the pairs may differ.
pub fn match_events(reference: &[f64], estimated: &[f64], window: f64) -> Result<Vec<(usize, usize)>> {
    ensure_param!(window.is_finite() && window >= 0.0, "window must be a non-negative number, got {window}");
    if let Some(t) = reference.iter().chain(estimated).find(|t| !t.is_finite()) {
        return Err(Error::InvalidInput(format!("event time {t} is not finite")));
    }
    let mut order: Vec<usize> = (0..reference.len()).collect();
    order.sort_by(|&a, &b| reference[a].total_cmp(&reference[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| reference[i]).collect();
    // Left vertices: estimates; right vertices: references.
    let adjacency: Vec<Vec<usize>> = estimated
        .iter()
        .map(|&e| {
            let lo = sorted.partition_point(|&r| r < e - window);
            let hi = sorted.partition_point(|&r| r <= e + window);
            order[lo..hi.max(lo)].to_vec()
        })
        .collect();
    let mate = max_bipartite_matching(&adjacency, reference.len());
    let mut pairs: Vec<(usize, usize)> =
        mate.iter().enumerate().filter_map(|(e, r)| r.map(|r| (r, e))).collect();
    pairs.sort_unstable();
    Ok(pairs)
}

/// A maximum-cardinality matching of a bipartite graph: Hopcroft & Karp, "An n^5/2 algorithm
/// for maximum matchings in bipartite graphs", SIAM J. Comput. 2(4), 1973. `adjacency[u]`
/// lists the right vertices (`< n_right`) of left vertex `u`; returns the mate of each left
/// vertex. Each phase layers the graph by a breadth-first search from the free left vertices
/// and augments along a maximal set of vertex-disjoint shortest paths (depth-first, with an
/// explicit stack), so at most O(√V) phases run.
pub fn max_bipartite_matching(adjacency: &[Vec<usize>], n_right: usize) -> Vec<Option<usize>> {
    const FAR: usize = usize::MAX;
    let n_left = adjacency.len();
    let mut mate_left: Vec<Option<usize>> = vec![None; n_left];
    let mut mate_right: Vec<Option<usize>> = vec![None; n_right];
    let mut layer = vec![FAR; n_left];
    let mut next_edge = vec![0usize; n_left];
    let mut queue = Vec::with_capacity(n_left);
    loop {
        // Breadth-first layering from the free left vertices; `free_layer` is the length of the
        // shortest augmenting paths (in left vertices), FAR when there is none.
        queue.clear();
        for u in 0..n_left {
            layer[u] = if mate_left[u].is_none() { 0 } else { FAR };
            if layer[u] == 0 {
                queue.push(u);
            }
        }
        let mut free_layer = FAR;
        let mut head = 0;
        while head < queue.len() {
            let u = queue[head];
            head += 1;
            if layer[u] >= free_layer {
                continue;
            }
            for &v in &adjacency[u] {
                match mate_right[v] {
                    None => free_layer = free_layer.min(layer[u] + 1),
                    Some(w) if layer[w] == FAR => {
                        layer[w] = layer[u] + 1;
                        queue.push(w);
                    }
                    Some(_) => {}
                }
            }
        }
        if free_layer == FAR {
            return mate_left;
        }
        next_edge.fill(0);
        for root in 0..n_left {
            if mate_left[root].is_some() {
                continue;
            }
            // Depth-first search along the layers: `path[k]` is the right vertex that leads
            // from `stack[k]` to `stack[k + 1]`.
            let mut stack = vec![root];
            let mut path: Vec<usize> = Vec::new();
            while let Some(&u) = stack.last() {
                let Some(&v) = adjacency[u].get(next_edge[u]) else {
                    layer[u] = FAR; // dead end for this phase
                    stack.pop();
                    path.pop();
                    continue;
                };
                next_edge[u] += 1;
                match mate_right[v] {
                    None if layer[u] + 1 == free_layer => {
                        path.push(v);
                        for (&u, &v) in stack.iter().zip(&path) {
                            mate_left[u] = Some(v);
                            mate_right[v] = Some(u);
                        }
                        break;
                    }
                    Some(w) if layer[w] != FAR && layer[w] == layer[u] + 1 => {
                        stack.push(w);
                        path.push(v);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// `mir_eval.util.f_measure`: `(1 + β²)·P·R / (β²·P + R)`, 0 when both are 0.
fn f_measure(precision: f64, recall: f64, beta: f64) -> f64 {
    if precision == 0.0 && recall == 0.0 {
        return 0.0;
    }
    let b2 = beta * beta;
    (1.0 + b2) * precision * recall / (b2 * precision + recall)
}

fn trimmed(mut boundaries: Vec<f64>, trim: bool) -> Vec<f64> {
    if trim {
        if boundaries.len() <= 2 {
            return Vec::new();
        }
        boundaries.pop();
        boundaries.remove(0);
    }
    boundaries
}

/// Boundary detection hit rate (`mir_eval.segment.detection`, after Turnbull et al. 2007):
/// the boundaries of both segmentations ([`intervals_to_boundaries`], without the first and
/// last with `trim`) are matched one-to-one within ±`window` s by a maximum matching
/// ([`match_events`]); precision = matches / estimated boundaries, recall = matches /
/// reference boundaries, F-measure weighted by `beta`. All 0 when either side has no
/// boundary.
pub fn detection(
    reference: &[[f64; 2]],
    estimated: &[[f64; 2]],
    window: f64,
    beta: f64,
    trim: bool,
) -> Result<Prf> {
    check_beta(beta)?;
    ensure_param!(window.is_finite() && window >= 0.0, "window must be a non-negative number, got {window}");
    validate_boundary(reference, estimated)?;
    let ref_b = trimmed(intervals_to_boundaries(reference), trim);
    let est_b = trimmed(intervals_to_boundaries(estimated), trim);
    if ref_b.is_empty() || est_b.is_empty() {
        return Ok(Prf::default());
    }
    let matched = match_events(&ref_b, &est_b, window)?.len() as f64;
    let precision = matched / est_b.len() as f64;
    let recall = matched / ref_b.len() as f64;
    Ok(Prf { precision, recall, f_measure: f_measure(precision, recall, beta) })
}

/// `np.median`: the middle value, or the mean of the two middle values.
fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

/// Median boundary deviations (`mir_eval.segment.deviation`, after Turnbull et al. 2007):
/// the median over reference boundaries of the distance to the nearest estimated boundary,
/// and the other way round, seconds (boundaries as in [`detection`]). NaN when either side
/// has no boundary.
pub fn deviation(reference: &[[f64; 2]], estimated: &[[f64; 2]], trim: bool) -> Result<Deviation> {
    validate_boundary(reference, estimated)?;
    let ref_b = trimmed(intervals_to_boundaries(reference), trim);
    let est_b = trimmed(intervals_to_boundaries(estimated), trim);
    if ref_b.is_empty() || est_b.is_empty() {
        return Ok(Deviation { ref_to_est: f64::NAN, est_to_ref: f64::NAN });
    }
    let nearest =
        |t: f64, others: &[f64]| others.iter().map(|&o| (t - o).abs()).fold(f64::INFINITY, f64::min);
    Ok(Deviation {
        ref_to_est: median(ref_b.iter().map(|&r| nearest(r, &est_b)).collect()),
        est_to_ref: median(est_b.iter().map(|&e| nearest(e, &ref_b)).collect()),
    })
}

// ---------------------------------------------------------------------------------------------
// Frame labels

/// The label class of each frame of `frame_size` s (`mir_eval.util.intervals_to_samples`
/// then `index_labels`). Frames start at `k · frame_size` for `k < ⌊t_end / frame_size⌋`
/// (`t_end` the latest time), computed in float32 as mir_eval does; a frame takes the label of
/// the last interval `[start, end]` (both ends included) that holds it, [`GAP_LABEL`] if none.
/// Labels are compared case-insensitively, and classes numbered in the sorted order of the
/// lower-cased labels that occur. More than [`MAX_FRAMES`] frames is an error.
pub fn frame_classes(seg: &Segmentation, frame_size: f64) -> Result<Vec<usize>> {
    check_frame_size(frame_size)?;
    check_finite(&seg.intervals)?;
    check_labels(seg)?;
    let Some(t_end) = time_max(&seg.intervals) else {
        return Ok(Vec::new());
    };
    let n_frames = (t_end / frame_size).floor().max(0.0);
    if n_frames > MAX_FRAMES as f64 {
        return Err(Error::InvalidInput(format!(
            "{t_end} s in frames of {frame_size} s is more than {MAX_FRAMES} frames"
        )));
    }
    let n_frames = n_frames as usize;
    let step = frame_size as f32;
    let times: Vec<f64> = (0..n_frames).map(|k| (k as f32 * step) as f64).collect();
    // The interval holding each frame (later intervals overwrite earlier ones).
    let mut holder: Vec<Option<usize>> = vec![None; n_frames];
    for (i, &[start, end]) in seg.intervals.iter().enumerate() {
        let first = times.partition_point(|&t| t < start);
        let last = times.partition_point(|&t| t <= end);
        if first < last {
            holder[first..last].fill(Some(i));
        }
    }
    let lower: Vec<String> = seg.labels.iter().map(|l| l.to_lowercase()).collect();
    let gap = GAP_LABEL.to_lowercase();
    let name = |h: &Option<usize>| h.map_or(gap.as_str(), |i| lower[i].as_str());
    let mut classes: BTreeMap<&str, usize> = holder.iter().map(|h| (name(h), 0)).collect();
    for (k, index) in classes.values_mut().enumerate() {
        *index = k;
    }
    Ok(holder.iter().map(|h| classes[name(h)]).collect())
}

/// The contingency table of two frame labelings: `counts[i·cols + j]` frames in reference
/// class `i` and estimated class `j`.
struct Contingency {
    rows: usize,
    cols: usize,
    counts: Vec<u64>,
    /// Frames per reference class.
    row_sums: Vec<u64>,
    /// Frames per estimated class.
    col_sums: Vec<u64>,
    n: u64,
}

impl Contingency {
    fn new(y_ref: &[usize], y_est: &[usize]) -> Result<Contingency> {
        if y_ref.len() != y_est.len() {
            return Err(Error::InvalidInput(format!(
                "the reference has {} frames and the estimate {}: their end times differ",
                y_ref.len(),
                y_est.len()
            )));
        }
        let rows = y_ref.iter().max().map_or(0, |m| m + 1);
        let cols = y_est.iter().max().map_or(0, |m| m + 1);
        let mut counts = vec![0u64; rows * cols];
        for (&r, &e) in y_ref.iter().zip(y_est) {
            counts[r * cols + e] += 1;
        }
        let mut row_sums = vec![0u64; rows];
        let mut col_sums = vec![0u64; cols];
        for i in 0..rows {
            for j in 0..cols {
                row_sums[i] += counts[i * cols + j];
                col_sums[j] += counts[i * cols + j];
            }
        }
        Ok(Contingency { rows, cols, counts, row_sums, col_sums, n: y_ref.len() as u64 })
    }
}

/// Validate, then the contingency table of the frame labels; `None` when either is empty.
fn frame_table(
    reference: &Segmentation,
    estimated: &Segmentation,
    frame_size: f64,
) -> Result<Option<Contingency>> {
    check_frame_size(frame_size)?;
    validate_structure(reference, estimated)?;
    if reference.intervals.is_empty() || estimated.intervals.is_empty() {
        return Ok(None);
    }
    let y_ref = frame_classes(reference, frame_size)?;
    let y_est = frame_classes(estimated, frame_size)?;
    Contingency::new(&y_ref, &y_est).map(Some)
}

/// Σ xᵢ², Σ over the table of n_ij², and Σ x (ordered frame pairs, the diagonal included).
fn sum_squares(xs: &[u64]) -> u128 {
    xs.iter().map(|&x| x as u128 * x as u128).sum()
}

/// Σ C(x, 2).
fn sum_pairs(xs: &[u64]) -> u128 {
    xs.iter().map(|&x| x as u128 * x.saturating_sub(1) as u128 / 2).sum()
}

// ---------------------------------------------------------------------------------------------
// Label metrics

fn pairwise_of(t: &Contingency, beta: f64) -> Prf {
    let n = t.n as u128;
    // Unordered pairs of distinct frames with the same label in the reference, the estimate,
    // and both.
    let agree_ref = (sum_squares(&t.row_sums) - n) as f64 / 2.0;
    let agree_est = (sum_squares(&t.col_sums) - n) as f64 / 2.0;
    let agree_both = (sum_squares(&t.counts) - n) as f64 / 2.0;
    let precision = agree_both / agree_est;
    let recall = agree_both / agree_ref;
    Prf { precision, recall, f_measure: f_measure(precision, recall, beta) }
}

/// Pairwise frame clustering scores (`mir_eval.segment.pairwise`, after Levy & Sandler 2008):
/// of the pairs of distinct frames the estimate labels alike, the fraction the reference also
/// labels alike (precision), and the other way round (recall); F-measure weighted by `beta`.
/// The segmentations must pass [`validate_structure`] (use [`adjust_intervals`] first); all
/// 0 when either is empty, NaN (as in mir_eval) when no two frames share a label.
pub fn pairwise(
    reference: &Segmentation,
    estimated: &Segmentation,
    frame_size: f64,
    beta: f64,
) -> Result<Prf> {
    check_beta(beta)?;
    Ok(frame_table(reference, estimated, frame_size)?.map_or_else(Prf::default, |t| pairwise_of(&t, beta)))
}

fn rand_index_of(t: &Contingency) -> f64 {
    let n = t.n as u128;
    let (same_ref, same_est, same_both) =
        (sum_squares(&t.row_sums), sum_squares(&t.col_sums), sum_squares(&t.counts));
    let n_pairs = (n * n.saturating_sub(1)) as f64 / 2.0;
    let agree_pos = (same_both - n) as f64 / 2.0;
    // Ordered pairs labeled differently by both (never on the diagonal).
    let agree_neg = (n * n + same_both - same_ref - same_est) as f64 / 2.0;
    (agree_pos + agree_neg) / n_pairs
}

/// Rand index of the frame labels (`mir_eval.segment.rand_index`; Rand, JASA 1971): the
/// fraction of pairs of distinct frames on which both segmentations agree (same label in
/// both, or different labels in both). 0 when either segmentation is empty, NaN for fewer than
/// two frames.
pub fn rand_index(reference: &Segmentation, estimated: &Segmentation, frame_size: f64) -> Result<f64> {
    Ok(frame_table(reference, estimated, frame_size)?.map_or(0.0, |t| rand_index_of(&t)))
}

fn ari_of(t: &Contingency) -> f64 {
    let (r, c, n) = (t.rows, t.cols, t.n as usize);
    if (r == 1 && c == 1) || (r == 0 && c == 0) || (r == n && c == n) {
        return 1.0;
    }
    let sum_comb_c = sum_pairs(&t.row_sums);
    let sum_comb_k = sum_pairs(&t.col_sums);
    let sum_comb = sum_pairs(&t.counts);
    let n = t.n as u128;
    let prod_comb = (sum_comb_c * sum_comb_k) as f64 / (n * n.saturating_sub(1) / 2) as f64;
    let mean_comb = (sum_comb_k + sum_comb_c) as f64 / 2.0;
    (sum_comb as f64 - prod_comb) / (mean_comb - prod_comb)
}

/// Adjusted Rand index of the frame labels (`mir_eval.segment.ari`; Hubert & Arabie,
/// "Comparing partitions", J. Classification 1985, as in scikit-learn's
/// `adjusted_rand_score`): the Rand index rescaled so that chance agreement scores 0 and
/// identical partitions 1. 0 when either segmentation is empty.
pub fn ari(reference: &Segmentation, estimated: &Segmentation, frame_size: f64) -> Result<f64> {
    Ok(frame_table(reference, estimated, frame_size)?.map_or(0.0, |t| ari_of(&t)))
}

/// numpy's pairwise summation of a contiguous float64 array: a plain loop below 8 values, 8
/// interleaved partial sums up to 128, and above that two halves cut at a multiple of 8.
fn np_sum(xs: &[f64]) -> f64 {
    if xs.len() < 8 {
        return xs.iter().fold(0.0, |acc, &x| acc + x);
    }
    if xs.len() > 128 {
        let cut = xs.len() / 2 / 8 * 8;
        return np_sum(&xs[..cut]) + np_sum(&xs[cut..]);
    }
    let mut lanes = [0.0f64; 8];
    lanes.copy_from_slice(&xs[..8]);
    let body = xs.len() / 8 * 8;
    for chunk in xs[8..body].chunks_exact(8) {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += x;
        }
    }
    let mut total =
        ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for &x in &xs[body..] {
        total += x;
    }
    total
}

/// Mutual information of a contingency table, nats (scikit-learn's `mutual_info_score`, as
/// mir_eval's `_mutual_info_score` computes it term by term).
fn mutual_info_of(t: &Contingency) -> f64 {
    // The table's total, and the totals of its row and column sums: all n.
    let total = t.n as f64;
    let ln_total = total.ln();
    let mut terms = Vec::new();
    for i in 0..t.rows {
        for j in 0..t.cols {
            let nij = t.counts[i * t.cols + j];
            if nij == 0 {
                continue;
            }
            let nij = nij as f64;
            let p = nij / total;
            let outer = t.row_sums[i] as f64 * t.col_sums[j] as f64;
            let log_outer = -outer.ln() + ln_total + ln_total;
            terms.push(p * (nij.ln() - ln_total) + p * log_outer);
        }
    }
    np_sum(&terms)
}

/// Entropy of a labeling from its class sizes, nats (mir_eval's `_entropy`).
fn entropy_of_counts(counts: &[u64]) -> f64 {
    if counts.is_empty() {
        return 1.0;
    }
    let pi: Vec<f64> = counts.iter().filter(|&&c| c > 0).map(|&c| c as f64).collect();
    let total = np_sum(&pi);
    let ln_total = total.ln();
    -np_sum(&pi.iter().map(|&p| (p / total) * (p.ln() - ln_total)).collect::<Vec<_>>())
}

/// ln k! = ln Γ(k + 1): the product for k ≤ 20, Stirling's series beyond (error < 2e-15).
fn ln_factorial(k: usize) -> f64 {
    if k <= 20 {
        return (2..=k).fold(1.0f64, |p, i| p * i as f64).ln();
    }
    let x = (k + 1) as f64;
    let (x2, ln_2pi) = (x * x, (2.0 * std::f64::consts::PI).ln());
    let series = (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * x2)) / x2) / x2) / x;
    (x - 0.5) * x.ln() - x + 0.5 * ln_2pi + series
}

/// Mutual information adjusted for chance (Vinh, Epps & Bailey, "Information theoretic
/// measures for clusterings comparison", JMLR 11, 2010; scikit-learn's
/// `adjusted_mutual_info_score` as mir_eval's `_adjusted_mutual_info_score` computes it):
/// `(MI − E[MI]) / (max(H_ref, H_est) − E[MI])`, E[MI] under the hypergeometric model.
fn ami_of(t: &Contingency, mi: f64) -> f64 {
    if (t.rows == 1 && t.cols == 1) || (t.rows == 0 && t.cols == 0) {
        return 1.0;
    }
    let n = t.n as usize;
    let nf = n as f64;
    let (a, b) = (&t.row_sums, &t.col_sums);
    let ln_fact_n = ln_factorial(n);
    let mut emi = 0.0;
    for &ai in a {
        let ai = ai as usize;
        let (gln_a, gln_na) = (ln_factorial(ai), ln_factorial(n - ai));
        for &bj in b {
            let bj = bj as usize;
            let (gln_b, gln_nb) = (ln_factorial(bj), ln_factorial(n - bj));
            let log_ab = (ai as f64 * bj as f64).ln();
            let start = (ai + bj).saturating_sub(n).max(1);
            for nij in start..=ai.min(bj) {
                let term1 = nij as f64 / nf;
                let term2 = (nf * nij as f64).ln() - log_ab;
                let gln = gln_a + gln_b + gln_na + gln_nb
                    - ln_fact_n
                    - ln_factorial(nij)
                    - ln_factorial(ai - nij)
                    - ln_factorial(bj - nij)
                    - ln_factorial(n + nij - ai - bj);
                emi += term1 * term2 * gln.exp();
            }
        }
    }
    let (h_ref, h_est) = (entropy_of_counts(a), entropy_of_counts(b));
    (mi - emi) / (h_ref.max(h_est) - emi)
}

/// NMI: MI over the geometric mean of the label entropies (mir_eval's
/// `_normalized_mutual_info_score`).
fn nmi_of(t: &Contingency, mi: f64) -> f64 {
    if (t.rows == 1 && t.cols == 1) || (t.rows == 0 && t.cols == 0) {
        return 1.0;
    }
    let (h_ref, h_est) = (entropy_of_counts(&t.row_sums), entropy_of_counts(&t.col_sums));
    mi / (h_ref * h_est).sqrt().max(1e-10)
}

fn mutual_information_of(t: &Contingency) -> MutualInformation {
    let mi = mutual_info_of(t);
    MutualInformation { mi, ami: ami_of(t, mi), nmi: nmi_of(t, mi) }
}

/// Mutual information of the frame labels (`mir_eval.segment.mutual_information`): MI in
/// nats, AMI adjusted for chance (Vinh et al. 2010), NMI normalized by the geometric mean of
/// the two entropies. All 0 when either segmentation is empty.
pub fn mutual_information(
    reference: &Segmentation,
    estimated: &Segmentation,
    frame_size: f64,
) -> Result<MutualInformation> {
    Ok(frame_table(reference, estimated, frame_size)?
        .map_or_else(MutualInformation::default, |t| mutual_information_of(&t)))
}

/// `scipy.special.entr`: −x·ln x, 0 at 0.
fn entr(x: f64) -> f64 {
    if x > 0.0 { -x * x.ln() } else { 0.0 }
}

/// `scipy.stats.entropy(p, base=2)`: entropy in bits of `p` over its sum `total`. numpy adds
/// a contiguous run pairwise (`contiguous`), a strided one (a table column) in order.
fn entropy_bits(p: &[f64], total: f64, contiguous: bool) -> f64 {
    let terms: Vec<f64> = p.iter().map(|&x| entr(x / total)).collect();
    let sum = if contiguous { np_sum(&terms) } else { terms.iter().fold(0.0, |s, &x| s + x) };
    sum / 2f64.ln()
}

fn nce_of(t: &Contingency, beta: f64, marginal: bool) -> Nce {
    let (rows, cols) = (t.rows, t.cols);
    let n = t.n as f64;
    let p: Vec<f64> = t.counts.iter().map(|&c| c as f64 / n).collect();
    let row = |i: usize| &p[i * cols..(i + 1) * cols];
    let column = |j: usize| (0..rows).map(|i| p[i * cols + j]).collect::<Vec<f64>>();
    // Column sums run down the rows (numpy reduces axis 0 row by row); row sums pairwise.
    let p_est: Vec<f64> = (0..cols).map(|j| column(j).iter().fold(0.0, |s, &x| s + x)).collect();
    let p_ref: Vec<f64> = (0..rows).map(|i| np_sum(row(i))).collect();
    // H(ref | est) = Σ_j P(est = j) · H(ref | est = j), and the other way round.
    let ref_given_est =
        (0..cols).map(|j| p_est[j] * entropy_bits(&column(j), p_est[j], false)).fold(0.0, |s, x| s + x);
    let est_given_ref =
        (0..rows).map(|i| p_ref[i] * entropy_bits(row(i), p_ref[i], true)).fold(0.0, |s, x| s + x);
    let (z_ref, z_est) = if marginal {
        (entropy_bits(&p_ref, np_sum(&p_ref), true), entropy_bits(&p_est, np_sum(&p_est), true))
    } else {
        ((rows as f64).log2(), (cols as f64).log2())
    };
    let under = if z_ref > 0.0 { 1.0 - ref_given_est / z_ref } else { 0.0 };
    let over = if z_est > 0.0 { 1.0 - est_given_ref / z_est } else { 0.0 };
    Nce { over, under, f_measure: f_measure(over, under, beta) }
}

/// Normalized conditional entropy scores (`mir_eval.segment.nce`, after Lukashevich 2008):
/// over-segmentation `1 − H(est | ref) / log₂|est classes|` and under-segmentation
/// `1 − H(ref | est) / log₂|ref classes|` (with `marginal`, over the marginal entropies
/// `H(est)` and `H(ref)` instead: the V-measure), each 0 when its normalizer is 0, and their
/// F-measure weighted by `beta`. All 0 when either segmentation is empty.
pub fn nce(
    reference: &Segmentation,
    estimated: &Segmentation,
    frame_size: f64,
    beta: f64,
    marginal: bool,
) -> Result<Nce> {
    check_beta(beta)?;
    Ok(frame_table(reference, estimated, frame_size)?
        .map_or_else(Nce::default, |t| nce_of(&t, beta, marginal)))
}

/// V-measure (`mir_eval.segment.vmeasure`; Rosenberg & Hirschberg 2007): [`nce`] with
/// marginal normalization. `over` is mir_eval's V precision `1 − H(est | ref) / H(est)`,
/// `under` its V recall `1 − H(ref | est) / H(ref)`.
pub fn vmeasure(
    reference: &Segmentation,
    estimated: &Segmentation,
    frame_size: f64,
    beta: f64,
) -> Result<Nce> {
    nce(reference, estimated, frame_size, beta, true)
}

// ---------------------------------------------------------------------------------------------
// Everything at once

/// Every score of `mir_eval.segment.evaluate` with its defaults ([`evaluate_with`]).
pub fn evaluate(reference: &Segmentation, estimated: &Segmentation) -> Result<SegmentScores> {
    evaluate_with(reference, estimated, &SegmentParams::default())
}

/// Every score of `mir_eval.segment.evaluate`: the reference is adjusted to start at 0, the
/// estimate to span `[0, reference end]` ([`adjust_intervals`]), then the boundaries are
/// scored at ±0.5 s and ±3 s ([`detection`], [`deviation`]) and the frame labels by every
/// label metric, which share one labeling of the frames.
pub fn evaluate_with(
    reference: &Segmentation,
    estimated: &Segmentation,
    params: &SegmentParams,
) -> Result<SegmentScores> {
    params.validate()?;
    let reference = adjust_intervals(reference, Some(0.0), None).map_err(|e| in_what("reference", e))?;
    let t_end = time_max(&reference.intervals).unwrap_or(0.0);
    let estimated =
        adjust_intervals(estimated, Some(0.0), Some(t_end)).map_err(|e| in_what("estimate", e))?;
    let (ref_iv, est_iv) = (&reference.intervals, &estimated.intervals);
    let boundary_05 = detection(ref_iv, est_iv, WINDOWS[0], params.beta, params.trim)?;
    let boundary_3 = detection(ref_iv, est_iv, WINDOWS[1], params.beta, params.trim)?;
    let deviation = deviation(ref_iv, est_iv, params.trim)?;
    let Some(table) = frame_table(&reference, &estimated, params.frame_size)? else {
        return Err(Error::InvalidInput("no segments after adjustment".into()));
    };
    Ok(SegmentScores {
        boundary_05,
        boundary_3,
        deviation,
        pairwise: pairwise_of(&table, params.beta),
        rand_index: rand_index_of(&table),
        ari: ari_of(&table),
        mutual_information: mutual_information_of(&table),
        nce: nce_of(&table, params.beta, false),
        vmeasure: nce_of(&table, params.beta, true),
    })
}

fn in_what(what: &str, e: Error) -> Error {
    match e {
        Error::InvalidInput(msg) => Error::InvalidInput(format!("{what}: {msg}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(spec: &[(f64, f64, &str)]) -> Segmentation {
        Segmentation {
            intervals: spec.iter().map(|&(s, e, _)| [s, e]).collect(),
            labels: spec.iter().map(|&(_, _, l)| l.to_string()).collect(),
        }
    }

    /// Size of a maximum matching by trying every assignment (small graphs only).
    fn brute_force_matching(adjacency: &[Vec<usize>], used: &mut Vec<bool>, u: usize) -> usize {
        if u == adjacency.len() {
            return 0;
        }
        let mut best = brute_force_matching(adjacency, used, u + 1);
        for &v in &adjacency[u] {
            if !used[v] {
                used[v] = true;
                best = best.max(1 + brute_force_matching(adjacency, used, u + 1));
                used[v] = false;
            }
        }
        best
    }

    #[test]
    fn hopcroft_karp_is_maximum_on_random_graphs() {
        // A fixed linear congruential generator: the same graphs on every run.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        for _ in 0..400 {
            let (n_left, n_right) = (1 + next(7) as usize, 1 + next(7) as usize);
            let density = 1 + next(4);
            let adjacency: Vec<Vec<usize>> =
                (0..n_left).map(|_| (0..n_right).filter(|_| next(5) < density).collect()).collect();
            let mate = max_bipartite_matching(&adjacency, n_right);
            // A valid matching: along edges, each right vertex used once.
            let mut seen = vec![false; n_right];
            for (u, v) in mate.iter().enumerate() {
                if let Some(v) = *v {
                    assert!(adjacency[u].contains(&v));
                    assert!(!seen[v], "right vertex {v} matched twice");
                    seen[v] = true;
                }
            }
            let size = mate.iter().flatten().count();
            assert_eq!(size, brute_force_matching(&adjacency, &mut vec![false; n_right], 0), "{adjacency:?}");
        }
    }

    #[test]
    fn matching_beats_nearest_first_greedy() {
        // Matching each estimate to its nearest free reference finds one pair; two exist.
        let pairs = match_events(&[1.0, 1.4], &[1.3, 1.85], 0.5).unwrap();
        assert_eq!(pairs, vec![(0, 0), (1, 1)]);
        // The window is closed.
        assert_eq!(match_events(&[1.0], &[1.5], 0.5).unwrap().len(), 1);
        assert_eq!(match_events(&[1.0], &[1.5000001], 0.5).unwrap().len(), 0);
        assert!(match_events(&[1.0], &[1.0], -0.1).is_err());
        assert!(match_events(&[f64::NAN], &[1.0], 0.1).is_err());
    }

    #[test]
    fn ln_factorial_agrees_with_products_and_known_values() {
        let mut ln_fact = 0.0f64;
        for k in 1..=200usize {
            ln_fact += (k as f64).ln();
            let got = ln_factorial(k);
            assert!((got - ln_fact).abs() <= 1e-12 * ln_fact.max(1.0), "{k}: {got} vs {ln_fact}");
        }
        assert_eq!(ln_factorial(0), 0.0);
        assert_eq!(ln_factorial(1), 0.0);
        // ln 100! = 363.73937555556347 (Γ(101)).
        assert!((ln_factorial(100) - 363.739_375_555_563_47).abs() < 1e-12);
        // Stirling takes over at 21: continuous with the exact product there.
        assert!((ln_factorial(21) - (ln_factorial(20) + 21f64.ln())).abs() < 1e-13);
    }

    #[test]
    fn np_sum_adds_integers_exactly() {
        for n in [0usize, 1, 7, 8, 9, 127, 128, 129, 300, 1000] {
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(np_sum(&xs), (n * n.saturating_sub(1) / 2) as f64);
        }
    }

    #[test]
    fn frames_use_float32_times_and_closed_intervals() {
        // mir_eval's frame 7 is at float32(7 · 0.1) = 0.699999988…: a boundary at 0.7 s puts
        // it in the first interval, and frame 3 (0.300000012 s) in the second at 0.3.
        let s = seg(&[(0.0, 0.7, "a"), (0.7, 1.05, "b")]);
        let y = frame_classes(&s, 0.1).unwrap();
        assert_eq!(y, vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
        let s = seg(&[(0.0, 0.3, "a"), (0.3, 0.5, "b")]);
        assert_eq!(frame_classes(&s, 0.1).unwrap(), vec![0, 0, 0, 1, 1]);
        // Labels are case-insensitive, classes numbered in sorted order, gaps are "none".
        let s = seg(&[(0.0, 0.2, "Verse"), (0.2, 0.4, "chorus"), (0.6, 0.8, "verse")]);
        let y = frame_classes(&s, 0.1).unwrap();
        // classes: chorus 0, none 1, verse 2; frame 4 (0.400000006 s) is past "chorus".
        assert_eq!(y, vec![2, 2, 0, 0, 1, 1, 2, 2]);
        assert!(frame_classes(&s, 0.0).is_err());
        assert!(frame_classes(&seg(&[(0.0, 1e9, "a")]), 0.01).is_err());
    }

    #[test]
    fn adjust_pads_crops_and_fills() {
        let s = seg(&[(0.5, 2.0, "a"), (2.0, 5.0, "b"), (5.0, 9.0, "c")]);
        let a = adjust_intervals(&s, Some(0.0), Some(6.0)).unwrap();
        assert_eq!(a.intervals, vec![[0.0, 0.5], [0.5, 2.0], [2.0, 5.0], [5.0, 6.0]]);
        assert_eq!(a.labels, vec![START_LABEL, "a", "b", "c"]);
        let a = adjust_intervals(&s, Some(0.0), Some(10.0)).unwrap();
        assert_eq!(a.intervals.last(), Some(&[9.0, 10.0]));
        assert_eq!(a.labels.last().map(String::as_str), Some(END_LABEL));
        // Intervals ending before t_min are dropped, the rest clipped.
        let a = adjust_intervals(&s, Some(3.0), None).unwrap();
        assert_eq!(a.intervals, vec![[3.0, 5.0], [5.0, 9.0]]);
        assert_eq!(a.labels, vec!["b", "c"]);
        let empty = Segmentation::default();
        let a = adjust_intervals(&empty, Some(0.0), Some(4.0)).unwrap();
        assert_eq!((a.intervals, a.labels), (vec![[0.0, 4.0]], vec![START_LABEL.to_string()]));
        assert!(adjust_intervals(&empty, Some(0.0), None).is_err());
        assert!(adjust_intervals(&s, Some(0.0), Some(0.2)).is_ok());
        assert!(adjust_intervals(&seg(&[(1.0, 2.0, "a")]), None, Some(0.5)).is_err());
        let mut bad = s.clone();
        bad.labels.pop();
        assert!(adjust_intervals(&bad, Some(0.0), None).is_err());
        bad = s.clone();
        bad.intervals[1][1] = f64::NAN;
        assert!(adjust_intervals(&bad, Some(0.0), None).is_err());
    }

    #[test]
    fn boundaries_round_to_five_decimals() {
        let b = intervals_to_boundaries(&[[0.0, 1.000_004], [1.000_004_9, 2.123_456_5]]);
        assert_eq!(b, vec![0.0, 1.0, 2.12346]);
    }

    #[test]
    fn parse_lab_keeps_labels_whole() {
        let s = parse_lab("# header\r\n0.000\t7.5\tPart 1 (intro)\r\n\r\n7.5 9 Seg#2\n").unwrap();
        assert_eq!(s.intervals, vec![[0.0, 7.5], [7.5, 9.0]]);
        assert_eq!(s.labels, vec!["Part 1 (intro)", "Seg#2"]);
        for bad in ["0 1", "0", "0 x a", "1 1 a", "-1 2 a", "0 inf a", "0 NaN a"] {
            let err = parse_lab(&format!("0 0.5 ok\n{bad}\n")).unwrap_err().to_string();
            assert!(err.starts_with("line 2:"), "{bad}: {err}");
        }
    }
}
