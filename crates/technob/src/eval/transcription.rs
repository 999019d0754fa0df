//! Note transcription metrics: a port of `mir_eval.transcription` 0.8 (Raffel et al. 2014),
//! the MIREX note-tracking criteria (Salamon 2013, PhD thesis, UPF, p. 186; Bay, Ehmann &
//! Downie, "Evaluation of multiple-F0 estimation and tracking systems", ISMIR 2009).
//!
//! Notes are intervals `[onset, offset]` in seconds with a pitch in Hz. An estimated note
//! matches a reference note when its onset is within ±50 ms, its pitch within ±50 cents and,
//! unless offsets are ignored, its offset within 20 % of the reference note's duration or
//! 50 ms, whichever is larger (`≤` by default, `<` with `strict`). Distances in time are
//! rounded to 4 decimals first, as mir_eval does. Each reference note matches at most one
//! estimate: the pairs are a maximum matching of the bipartite hit graph, found with the same
//! algorithm as mir_eval (Eppstein's Hopcroft–Karp, visiting vertices in mir_eval's order), so
//! the matched pairs — not only their number — and therefore the overlap ratios are mir_eval's.
//!
//! Loaders read mir_eval's `onset offset pitch_hz` text files ([`parse_valued_intervals`])
//! and vocadito's `onset,pitch_hz,duration` note CSVs ([`parse_vocadito_notes`]).
//!
//! ```
//! use technob::eval::transcription::{evaluate, NoteAnnotation};
//!
//! let reference = NoteAnnotation { intervals: vec![[0.5, 1.0], [1.0, 1.5]], pitches: vec![440.0, 220.0] };
//! let estimate = NoteAnnotation { intervals: vec![[0.52, 1.2], [1.3, 1.5]], pitches: vec![445.0, 220.0] };
//! let scores = evaluate(&reference.intervals, &reference.pitches, &estimate.intervals, &estimate.pitches)?;
//! assert_eq!(scores.no_offset.f_measure, 0.5);
//! assert_eq!(scores.onset.f_measure, 0.5);
//! # Ok::<(), technob::Error>(())
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result, ensure_param};

/// Onset window, ± seconds.
pub const ONSET_TOLERANCE: f64 = 0.05;
/// Pitch window, ± cents.
pub const PITCH_TOLERANCE: f64 = 50.0;
/// Offset window as a fraction of the reference note's duration.
pub const OFFSET_RATIO: f64 = 0.2;
/// Smallest offset window, ± seconds.
pub const OFFSET_MIN_TOLERANCE: f64 = 0.05;
/// Time distances are rounded to this many decimals before the window checks.
pub const N_DECIMALS: i32 = 4;

/// The matching criteria; the default is mir_eval's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionParams {
    /// See [`ONSET_TOLERANCE`].
    pub onset_tolerance: f64,
    /// See [`PITCH_TOLERANCE`].
    pub pitch_tolerance: f64,
    /// See [`OFFSET_RATIO`]; `None` ignores offsets.
    pub offset_ratio: Option<f64>,
    /// See [`OFFSET_MIN_TOLERANCE`].
    pub offset_min_tolerance: f64,
    /// Windows are open (`<`) instead of closed (`≤`).
    pub strict: bool,
    /// Weight of recall in the F-measure (1: harmonic mean).
    pub beta: f64,
}

impl Default for TranscriptionParams {
    fn default() -> Self {
        TranscriptionParams {
            onset_tolerance: ONSET_TOLERANCE,
            pitch_tolerance: PITCH_TOLERANCE,
            offset_ratio: Some(OFFSET_RATIO),
            offset_min_tolerance: OFFSET_MIN_TOLERANCE,
            strict: false,
            beta: 1.0,
        }
    }
}

impl TranscriptionParams {
    /// The default criteria without offsets (mir_eval's `offset_ratio=None`).
    pub fn without_offsets() -> Self {
        TranscriptionParams { offset_ratio: None, ..Default::default() }
    }

    /// Check every parameter is usable: tolerances finite and non-negative, `beta` positive.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("onset_tolerance", self.onset_tolerance),
            ("pitch_tolerance", self.pitch_tolerance),
            ("offset_ratio", self.offset_ratio.unwrap_or(0.0)),
            ("offset_min_tolerance", self.offset_min_tolerance),
        ] {
            ensure_param!(v.is_finite() && v >= 0.0, "{name} must be a non-negative number, got {v}");
        }
        ensure_param!(self.beta.is_finite() && self.beta > 0.0, "beta must be positive, got {}", self.beta);
        Ok(())
    }
}

/// Precision, recall and F-measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    /// Matched estimates / estimates.
    pub precision: f64,
    /// Matched references / references.
    pub recall: f64,
    /// Weighted harmonic mean of the two.
    pub f_measure: f64,
}

/// Scores of [`precision_recall_f1_overlap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteScores {
    /// Matched estimates / estimates.
    pub precision: f64,
    /// Matched references / references.
    pub recall: f64,
    /// Weighted harmonic mean of the two.
    pub f_measure: f64,
    /// Mean overlap ratio of the matched pairs ([`average_overlap_ratio`]).
    pub average_overlap_ratio: f64,
}

/// Every score of `mir_eval.transcription.evaluate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionScores {
    /// Onset, pitch and offset (absent when offsets are ignored).
    pub with_offset: Option<NoteScores>,
    /// Onset and pitch.
    pub no_offset: NoteScores,
    /// Onsets only.
    pub onset: Prf,
    /// Offsets only (absent when offsets are ignored).
    pub offset: Option<Prf>,
}

impl TranscriptionScores {
    /// The scores under mir_eval's names, in `mir_eval.transcription.evaluate`'s order.
    pub fn mir_eval_named(&self) -> Vec<(&'static str, f64)> {
        let mut out = Vec::with_capacity(14);
        if let Some(s) = &self.with_offset {
            out.extend([
                ("Precision", s.precision),
                ("Recall", s.recall),
                ("F-measure", s.f_measure),
                ("Average_Overlap_Ratio", s.average_overlap_ratio),
            ]);
        }
        let s = &self.no_offset;
        out.extend([
            ("Precision_no_offset", s.precision),
            ("Recall_no_offset", s.recall),
            ("F-measure_no_offset", s.f_measure),
            ("Average_Overlap_Ratio_no_offset", s.average_overlap_ratio),
            ("Onset_Precision", self.onset.precision),
            ("Onset_Recall", self.onset.recall),
            ("Onset_F-measure", self.onset.f_measure),
        ]);
        if let Some(o) = &self.offset {
            out.extend([
                ("Offset_Precision", o.precision),
                ("Offset_Recall", o.recall),
                ("Offset_F-measure", o.f_measure),
            ]);
        }
        out
    }
}

/// Check note intervals (`mir_eval.util.validate_intervals`): times finite and
/// non-negative, every duration strictly positive. (mir_eval lets NaN through; this does not.)
pub fn validate_intervals(intervals: &[[f64; 2]]) -> Result<()> {
    for (i, &[on, off]) in intervals.iter().enumerate() {
        if !(on.is_finite() && off.is_finite()) {
            return Err(Error::InvalidInput(format!("note {i}: interval [{on}, {off}] is not finite")));
        }
        if on < 0.0 || off < 0.0 {
            return Err(Error::InvalidInput(format!("note {i}: negative interval time in [{on}, {off}]")));
        }
        if off <= on {
            return Err(Error::InvalidInput(format!(
                "note {i}: interval [{on}, {off}] does not have a strictly positive duration"
            )));
        }
    }
    Ok(())
}

/// `mir_eval.transcription.validate`: both interval lists valid, one pitch per interval,
/// every pitch a positive finite frequency.
pub fn validate(
    ref_intervals: &[[f64; 2]],
    ref_pitches: &[f64],
    est_intervals: &[[f64; 2]],
    est_pitches: &[f64],
) -> Result<()> {
    for (what, intervals, pitches) in
        [("reference", ref_intervals, ref_pitches), ("estimated", est_intervals, est_pitches)]
    {
        validate_intervals(intervals).map_err(|e| Error::InvalidInput(format!("{what} {e}")))?;
        if intervals.len() != pitches.len() {
            return Err(Error::InvalidInput(format!(
                "{what} intervals and pitches have different lengths ({} and {})",
                intervals.len(),
                pitches.len()
            )));
        }
        if let Some(p) = pitches.iter().find(|p| !(p.is_finite() && **p > 0.0)) {
            return Err(Error::InvalidInput(format!(
                "{what} notes hold a pitch of {p} Hz: must be positive"
            )));
        }
    }
    Ok(())
}

/// `np.around(x, 4)`: scale, round half to even, scale back.
fn round_decimals(x: f64) -> f64 {
    let scale = 10f64.powi(N_DECIMALS);
    (x * scale).round_ties_even() / scale
}

fn within(distance: f64, tolerance: f64, strict: bool) -> bool {
    if strict { distance < tolerance } else { distance <= tolerance }
}

/// The hit graph as mir_eval builds it: estimate index → reference indices (increasing),
/// estimates in the order of their first hit in a row-major scan (`np.where`).
fn hit_graph(n_ref: usize, n_est: usize, hit: impl Fn(usize, usize) -> bool) -> Vec<(usize, Vec<usize>)> {
    let mut slot: Vec<Option<usize>> = vec![None; n_est];
    let mut graph: Vec<(usize, Vec<usize>)> = Vec::new();
    for r in 0..n_ref {
        for (e, s) in slot.iter_mut().enumerate() {
            if hit(r, e) {
                let k = *s.get_or_insert_with(|| {
                    graph.push((e, Vec::new()));
                    graph.len() - 1
                });
                graph[k].1.push(r);
            }
        }
    }
    graph
}

/// Where a left vertex stands in the current layering of [`bipartite_match`].
#[derive(Clone, Copy)]
enum Pred {
    /// Not (or no longer) in the layered graph.
    Absent,
    /// Free (unmatched), in the first layer.
    Free,
    /// Reached through this (matched) right vertex.
    Via(usize),
}

/// A maximum matching of a bipartite graph given as `(left vertex, right neighbours)` in
/// visiting order: Hopcroft & Karp, "An n^5/2 algorithm for maximum matchings in bipartite
/// graphs", SIAM J. Comput. 1973, in David Eppstein's formulation (PADS, 2002) that
/// `mir_eval.util._bipartite_match` follows; vertices and edges are visited in the same order
/// so the same matching comes out. Returns `(right, left)` pairs sorted by right vertex.
fn bipartite_match(graph: &[(usize, Vec<usize>)]) -> Vec<(usize, usize)> {
    let n_left = graph.iter().map(|(u, _)| u + 1).max().unwrap_or(0);
    let n_right = graph.iter().flat_map(|(_, vs)| vs.iter().map(|v| v + 1)).max().unwrap_or(0);
    let mut adj: Vec<&[usize]> = vec![&[]; n_left];
    for (u, vs) in graph {
        adj[*u] = vs;
    }
    let mut matching: Vec<Option<usize>> = vec![None; n_right];
    // Greedy start.
    for (u, vs) in graph {
        if let Some(&v) = vs.iter().find(|&&v| matching[v].is_none()) {
            matching[v] = Some(*u);
        }
    }
    loop {
        // Layer the residual graph: preds[v] = left vertices of the previous layer reaching v.
        let mut preds: Vec<Option<Vec<usize>>> = vec![None; n_right];
        let mut unmatched: Vec<usize> = Vec::new();
        let mut pred = vec![Pred::Absent; n_left];
        for (u, _) in graph {
            pred[*u] = Pred::Free;
        }
        for u in matching.iter().flatten() {
            pred[*u] = Pred::Absent;
        }
        let mut layer: Vec<usize> =
            graph.iter().map(|(u, _)| *u).filter(|&u| matches!(pred[u], Pred::Free)).collect();
        let mut new_layer: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut slot: Vec<Option<usize>> = vec![None; n_right];
        while !layer.is_empty() && unmatched.is_empty() {
            new_layer.clear();
            for &u in &layer {
                for &v in adj[u] {
                    if preds[v].is_none() {
                        let k = *slot[v].get_or_insert_with(|| {
                            new_layer.push((v, Vec::new()));
                            new_layer.len() - 1
                        });
                        new_layer[k].1.push(u);
                    }
                }
            }
            layer.clear();
            for (v, us) in new_layer.drain(..) {
                slot[v] = None;
                preds[v] = Some(us);
                match matching[v] {
                    Some(mu) => {
                        layer.push(mu);
                        pred[mu] = Pred::Via(v);
                    }
                    None => unmatched.push(v),
                }
            }
        }
        if unmatched.is_empty() {
            return matching.iter().enumerate().filter_map(|(v, u)| u.map(|u| (v, u))).collect();
        }
        for &v in &unmatched {
            augment(v, &mut preds, &mut pred, &mut matching);
        }
    }
}

/// The recursive search of alternating paths backwards through the layers, from the free
/// right vertex `v0` (Eppstein's `recurse`), with an explicit stack. True when a path was found
/// and the matching was flipped along it.
fn augment(
    v0: usize,
    preds: &mut [Option<Vec<usize>>],
    pred: &mut [Pred],
    matching: &mut [Option<usize>],
) -> bool {
    struct Frame {
        v: usize,
        candidates: Vec<usize>,
        next: usize,
        via: usize,
    }
    let Some(candidates) = preds[v0].take() else {
        return false;
    };
    let mut stack = vec![Frame { v: v0, candidates, next: 0, via: 0 }];
    let mut child: Option<bool> = None;
    while let Some(top) = stack.last_mut() {
        if child.take() == Some(true) {
            matching[top.v] = Some(top.via);
            stack.pop();
            child = Some(true);
            continue;
        }
        let mut found = false;
        let mut descend: Option<Frame> = None;
        while top.next < top.candidates.len() {
            let u = top.candidates[top.next];
            top.next += 1;
            match pred[u] {
                Pred::Absent => {}
                Pred::Free => {
                    pred[u] = Pred::Absent;
                    matching[top.v] = Some(u);
                    found = true;
                    break;
                }
                Pred::Via(pu) => {
                    pred[u] = Pred::Absent;
                    if let Some(candidates) = preds[pu].take() {
                        top.via = u;
                        descend = Some(Frame { v: pu, candidates, next: 0, via: 0 });
                        break;
                    }
                }
            }
        }
        if let Some(frame) = descend {
            stack.push(frame);
            continue;
        }
        stack.pop();
        child = Some(found);
    }
    child == Some(true)
}

fn onset_hit(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    tol: f64,
    strict: bool,
) -> Vec<Vec<bool>> {
    ref_intervals
        .iter()
        .map(|r| {
            est_intervals.iter().map(|e| within(round_decimals((r[0] - e[0]).abs()), tol, strict)).collect()
        })
        .collect()
}

fn offset_hit(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    ratio: f64,
    min_tol: f64,
    strict: bool,
) -> Vec<Vec<bool>> {
    ref_intervals
        .iter()
        .map(|r| {
            let tol = (ratio * (r[1] - r[0]).abs()).max(min_tol);
            est_intervals.iter().map(|e| within(round_decimals((r[1] - e[1]).abs()), tol, strict)).collect()
        })
        .collect()
}

/// `mir_eval.transcription.match_notes`: the matched `(reference, estimate)` pairs under
/// onset, pitch and (unless `params.offset_ratio` is `None`) offset criteria, sorted by
/// reference note. Errors on invalid notes or parameters.
pub fn match_notes(
    ref_intervals: &[[f64; 2]],
    ref_pitches: &[f64],
    est_intervals: &[[f64; 2]],
    est_pitches: &[f64],
    params: &TranscriptionParams,
) -> Result<Vec<(usize, usize)>> {
    params.validate()?;
    validate(ref_intervals, ref_pitches, est_intervals, est_pitches)?;
    let strict = params.strict;
    let onsets = onset_hit(ref_intervals, est_intervals, params.onset_tolerance, strict);
    let offsets = params
        .offset_ratio
        .map(|ratio| offset_hit(ref_intervals, est_intervals, ratio, params.offset_min_tolerance, strict));
    let ref_log: Vec<f64> = ref_pitches.iter().map(|p| p.log2()).collect();
    let est_log: Vec<f64> = est_pitches.iter().map(|p| p.log2()).collect();
    let graph = hit_graph(ref_intervals.len(), est_intervals.len(), |r, e| {
        onsets[r][e]
            && within((1200.0 * (ref_log[r] - est_log[e])).abs(), params.pitch_tolerance, strict)
            && offsets.as_ref().is_none_or(|o| o[r][e])
    });
    Ok(bipartite_match(&graph))
}

/// `mir_eval.transcription.match_note_onsets`: the matched `(reference, estimate)` pairs
/// with onsets within `onset_tolerance` s, sorted by reference note.
pub fn match_note_onsets(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    onset_tolerance: f64,
    strict: bool,
) -> Result<Vec<(usize, usize)>> {
    let params = TranscriptionParams { onset_tolerance, ..Default::default() };
    params.validate()?;
    validate_intervals(ref_intervals)?;
    validate_intervals(est_intervals)?;
    let onsets = onset_hit(ref_intervals, est_intervals, onset_tolerance, strict);
    Ok(bipartite_match(&hit_graph(ref_intervals.len(), est_intervals.len(), |r, e| onsets[r][e])))
}

/// `mir_eval.transcription.match_note_offsets`: the matched `(reference, estimate)` pairs
/// with offsets within `max(offset_ratio × reference duration, offset_min_tolerance)`,
/// sorted by reference note.
pub fn match_note_offsets(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    offset_ratio: f64,
    offset_min_tolerance: f64,
    strict: bool,
) -> Result<Vec<(usize, usize)>> {
    let params =
        TranscriptionParams { offset_ratio: Some(offset_ratio), offset_min_tolerance, ..Default::default() };
    params.validate()?;
    validate_intervals(ref_intervals)?;
    validate_intervals(est_intervals)?;
    let offsets = offset_hit(ref_intervals, est_intervals, offset_ratio, offset_min_tolerance, strict);
    Ok(bipartite_match(&hit_graph(ref_intervals.len(), est_intervals.len(), |r, e| offsets[r][e])))
}

/// numpy's pairwise summation of float64 (`np.add.reduce` on a contiguous array): plain
/// below 8 values, 8 interleaved partial sums up to 128, halves (cut at a multiple of 8) above.
fn pairwise_sum(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 8 {
        xs.iter().fold(0.0, |s, &x| s + x)
    } else if n <= 128 {
        let mut lanes = [0.0; 8];
        lanes.copy_from_slice(&xs[..8]);
        let full = n - n % 8;
        for chunk in xs[8..full].chunks_exact(8) {
            for (l, &x) in lanes.iter_mut().zip(chunk) {
                *l += x;
            }
        }
        let mut s =
            ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for &x in &xs[full..] {
            s += x;
        }
        s
    } else {
        let half = n / 2 - (n / 2) % 8;
        pairwise_sum(&xs[..half]) + pairwise_sum(&xs[half..])
    }
}

/// `mir_eval.transcription.average_overlap_ratio`: the mean over matched pairs of
/// `(min offset − max onset) / (max offset − min onset)`; 0 without pairs. An error when a
/// pair names a note that does not exist.
pub fn average_overlap_ratio(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    matching: &[(usize, usize)],
) -> Result<f64> {
    let mut ratios = Vec::with_capacity(matching.len());
    for &(r, e) in matching {
        let (Some(r_int), Some(e_int)) = (ref_intervals.get(r), est_intervals.get(e)) else {
            return Err(Error::InvalidInput(format!(
                "matched pair ({r}, {e}) names a note that does not exist"
            )));
        };
        ratios.push(
            (r_int[1].min(e_int[1]) - r_int[0].max(e_int[0]))
                / (r_int[1].max(e_int[1]) - r_int[0].min(e_int[0])),
        );
    }
    if ratios.is_empty() {
        return Ok(0.0);
    }
    Ok(pairwise_sum(&ratios) / ratios.len() as f64)
}

/// `mir_eval.util.f_measure`: `(1 + β²)·P·R / (β²·P + R)`, 0 when both are 0.
fn f_measure(precision: f64, recall: f64, beta: f64) -> f64 {
    if precision == 0.0 && recall == 0.0 {
        return 0.0;
    }
    let b2 = beta * beta;
    (1.0 + b2) * precision * recall / (b2 * precision + recall)
}

fn prf(matched: usize, n_ref: usize, n_est: usize, beta: f64) -> Prf {
    let precision = matched as f64 / n_est as f64;
    let recall = matched as f64 / n_ref as f64;
    Prf { precision, recall, f_measure: f_measure(precision, recall, beta) }
}

/// `mir_eval.transcription.precision_recall_f1_overlap`: precision, recall, F-measure and
/// average overlap ratio of the notes matched by [`match_notes`]; all 0 when either side has
/// no notes.
pub fn precision_recall_f1_overlap(
    ref_intervals: &[[f64; 2]],
    ref_pitches: &[f64],
    est_intervals: &[[f64; 2]],
    est_pitches: &[f64],
    params: &TranscriptionParams,
) -> Result<NoteScores> {
    params.validate()?;
    validate(ref_intervals, ref_pitches, est_intervals, est_pitches)?;
    if ref_pitches.is_empty() || est_pitches.is_empty() {
        return Ok(NoteScores::default());
    }
    let matching = match_notes(ref_intervals, ref_pitches, est_intervals, est_pitches, params)?;
    let p = prf(matching.len(), ref_pitches.len(), est_pitches.len(), params.beta);
    Ok(NoteScores {
        precision: p.precision,
        recall: p.recall,
        f_measure: p.f_measure,
        average_overlap_ratio: average_overlap_ratio(ref_intervals, est_intervals, &matching)?,
    })
}

/// `mir_eval.transcription.onset_precision_recall_f1`: notes matched on onsets alone
/// ([`match_note_onsets`]); all 0 when either side has no notes.
pub fn onset_precision_recall_f1(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    onset_tolerance: f64,
    strict: bool,
    beta: f64,
) -> Result<Prf> {
    TranscriptionParams { onset_tolerance, beta, ..Default::default() }.validate()?;
    validate_intervals(ref_intervals)?;
    validate_intervals(est_intervals)?;
    if ref_intervals.is_empty() || est_intervals.is_empty() {
        return Ok(Prf::default());
    }
    let matching = match_note_onsets(ref_intervals, est_intervals, onset_tolerance, strict)?;
    Ok(prf(matching.len(), ref_intervals.len(), est_intervals.len(), beta))
}

/// `mir_eval.transcription.offset_precision_recall_f1`: notes matched on offsets alone
/// ([`match_note_offsets`]); all 0 when either side has no notes.
pub fn offset_precision_recall_f1(
    ref_intervals: &[[f64; 2]],
    est_intervals: &[[f64; 2]],
    offset_ratio: f64,
    offset_min_tolerance: f64,
    strict: bool,
    beta: f64,
) -> Result<Prf> {
    TranscriptionParams {
        offset_ratio: Some(offset_ratio),
        offset_min_tolerance,
        beta,
        ..Default::default()
    }
    .validate()?;
    validate_intervals(ref_intervals)?;
    validate_intervals(est_intervals)?;
    if ref_intervals.is_empty() || est_intervals.is_empty() {
        return Ok(Prf::default());
    }
    let matching =
        match_note_offsets(ref_intervals, est_intervals, offset_ratio, offset_min_tolerance, strict)?;
    Ok(prf(matching.len(), ref_intervals.len(), est_intervals.len(), beta))
}

/// `mir_eval.transcription.evaluate` with its defaults.
pub fn evaluate(
    ref_intervals: &[[f64; 2]],
    ref_pitches: &[f64],
    est_intervals: &[[f64; 2]],
    est_pitches: &[f64],
) -> Result<TranscriptionScores> {
    evaluate_with(ref_intervals, ref_pitches, est_intervals, est_pitches, &TranscriptionParams::default())
}

/// `mir_eval.transcription.evaluate` with `params` passed to every metric: with and without
/// offsets (the former only when `params.offset_ratio` is set), onsets only, offsets only.
pub fn evaluate_with(
    ref_intervals: &[[f64; 2]],
    ref_pitches: &[f64],
    est_intervals: &[[f64; 2]],
    est_pitches: &[f64],
    params: &TranscriptionParams,
) -> Result<TranscriptionScores> {
    params.validate()?;
    let with_offset = match params.offset_ratio {
        Some(_) => {
            Some(precision_recall_f1_overlap(ref_intervals, ref_pitches, est_intervals, est_pitches, params)?)
        }
        None => None,
    };
    let no_offset = precision_recall_f1_overlap(
        ref_intervals,
        ref_pitches,
        est_intervals,
        est_pitches,
        &TranscriptionParams { offset_ratio: None, ..*params },
    )?;
    let onset = onset_precision_recall_f1(
        ref_intervals,
        est_intervals,
        params.onset_tolerance,
        params.strict,
        params.beta,
    )?;
    let offset = match params.offset_ratio {
        Some(ratio) => Some(offset_precision_recall_f1(
            ref_intervals,
            est_intervals,
            ratio,
            params.offset_min_tolerance,
            params.strict,
            params.beta,
        )?),
        None => None,
    };
    Ok(TranscriptionScores { with_offset, no_offset, onset, offset })
}

/// Notes read from an annotation file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteAnnotation {
    /// `[onset, offset]` of each note, seconds.
    pub intervals: Vec<[f64; 2]>,
    /// Pitch of each note, Hz.
    pub pitches: Vec<f64>,
}

impl NoteAnnotation {
    fn push(&mut self, line: usize, onset: f64, offset: f64, pitch: f64) -> Result<()> {
        let bad = |msg: String| Error::InvalidInput(format!("line {line}: {msg}"));
        if onset < 0.0 {
            return Err(bad(format!("negative onset {onset} s")));
        }
        if offset <= onset {
            return Err(bad(format!("offset {offset} s is not after onset {onset} s")));
        }
        if pitch <= 0.0 {
            return Err(bad(format!("pitch {pitch} Hz is not positive")));
        }
        self.intervals.push([onset, offset]);
        self.pitches.push(pitch);
        Ok(())
    }
}

fn number(line: usize, field: &str, what: &str) -> Result<f64> {
    let v: f64 = field
        .trim()
        .parse()
        .map_err(|_| Error::InvalidInput(format!("line {line}: {what} '{field}' is not a number")))?;
    if !v.is_finite() {
        return Err(Error::InvalidInput(format!("line {line}: {what} '{field}' is not a finite number")));
    }
    Ok(v)
}

/// Parse mir_eval's note format (`mir_eval.io.load_valued_intervals`): one note per line,
/// `onset offset pitch_hz` separated by whitespace; lines starting with `#` and blank lines
/// are skipped. A note with a negative onset, a non-positive duration or pitch is an error
/// naming its line (mir_eval warns, then its metrics refuse it).
pub fn parse_valued_intervals(text: &str) -> Result<NoteAnnotation> {
    let mut notes = NoteAnnotation::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split_whitespace().collect();
        let [on, off, pitch] = fields.as_slice() else {
            return Err(Error::InvalidInput(format!(
                "line {line}: expected 'onset offset pitch', found {} columns",
                fields.len()
            )));
        };
        notes.push(
            line,
            number(line, on, "onset")?,
            number(line, off, "offset")?,
            number(line, pitch, "pitch")?,
        )?;
    }
    Ok(notes)
}

/// Parse a vocadito note file (`Annotations/Notes/*_notes{A1,A2}.csv`): rows
/// `onset,pitch_hz,duration` without a header, as mirdata's `vocadito.load_notes` reads them;
/// offset = onset + duration.
pub fn parse_vocadito_notes(text: &str) -> Result<NoteAnnotation> {
    let mut notes = NoteAnnotation::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').collect();
        let [on, pitch, dur] = fields.as_slice() else {
            return Err(Error::InvalidInput(format!(
                "line {line}: expected 'onset,pitch,duration', found {} columns",
                fields.len()
            )));
        };
        let onset = number(line, on, "onset")?;
        let duration = number(line, dur, "duration")?;
        notes.push(line, onset, onset + duration, number(line, pitch, "pitch")?)?;
    }
    Ok(notes)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))
}

/// Read a note file in mir_eval's format ([`parse_valued_intervals`]); errors name the file.
pub fn load_valued_intervals(path: impl AsRef<Path>) -> Result<NoteAnnotation> {
    let path = path.as_ref();
    parse_valued_intervals(&read(path)?).map_err(|e| e.in_file(path))
}

/// Read a vocadito note CSV ([`parse_vocadito_notes`]); errors name the file.
pub fn load_vocadito_notes(path: impl AsRef<Path>) -> Result<NoteAnnotation> {
    let path = path.as_ref();
    parse_vocadito_notes(&read(path)?).map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every maximum matching of a small graph, by brute force: its size.
    fn max_matching_size(graph: &[(usize, Vec<usize>)]) -> usize {
        fn go(graph: &[(usize, Vec<usize>)], i: usize, used: &mut Vec<usize>) -> usize {
            if i == graph.len() {
                return 0;
            }
            let mut best = go(graph, i + 1, used);
            for &v in &graph[i].1 {
                if !used.contains(&v) {
                    used.push(v);
                    best = best.max(1 + go(graph, i + 1, used));
                    used.pop();
                }
            }
            best
        }
        go(graph, 0, &mut Vec::new())
    }

    #[test]
    fn matching_is_maximum_and_valid() {
        // Deterministic pseudo-random graphs (an LCG), checked against brute force.
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..300 {
            let (n_l, n_r) = (1 + next() % 7, 1 + next() % 7);
            let mut graph = Vec::new();
            for u in 0..n_l {
                let vs: Vec<usize> = (0..n_r).filter(|_| next() % 3 == 0).collect();
                if !vs.is_empty() {
                    graph.push((u, vs));
                }
            }
            let m = bipartite_match(&graph);
            assert_eq!(m.len(), max_matching_size(&graph), "{graph:?}");
            let mut lefts: Vec<usize> = m.iter().map(|p| p.1).collect();
            lefts.sort_unstable();
            lefts.dedup();
            assert_eq!(lefts.len(), m.len(), "a left vertex matched twice: {m:?}");
            for (v, u) in &m {
                assert!(graph.iter().any(|(gu, vs)| gu == u && vs.contains(v)), "{m:?} not in {graph:?}");
            }
        }
    }

    #[test]
    fn greedy_start_is_improved_by_an_augmenting_path() {
        // u0 takes v0 greedily; u1 only reaches v0: the path u1-v0-u0-v1 must be found.
        let graph = vec![(0, vec![0, 1]), (1, vec![0])];
        assert_eq!(bipartite_match(&graph), vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn window_edges_follow_strict() {
        let r = [[1.0, 2.0]];
        let e = [[1.05, 2.0]];
        assert_eq!(match_note_onsets(&r, &e, 0.05, false).unwrap().len(), 1);
        assert_eq!(match_note_onsets(&r, &e, 0.05, true).unwrap().len(), 0);
        let pitch = [440.0];
        let quarter_tone_up = [440.0 * 2f64.powf(49.0 / 1200.0)];
        let p = TranscriptionParams::default();
        assert_eq!(match_notes(&r, &pitch, &r, &quarter_tone_up, &p).unwrap().len(), 1);
        let too_far = [440.0 * 2f64.powf(51.0 / 1200.0)];
        assert_eq!(match_notes(&r, &pitch, &r, &too_far, &p).unwrap().len(), 0);
    }

    #[test]
    fn bad_input_is_an_error() {
        let ok = [[0.0, 1.0]];
        let p = TranscriptionParams::default();
        assert!(precision_recall_f1_overlap(&[[1.0, 1.0]], &[440.0], &ok, &[440.0], &p).is_err());
        assert!(precision_recall_f1_overlap(&[[-1.0, 1.0]], &[440.0], &ok, &[440.0], &p).is_err());
        assert!(precision_recall_f1_overlap(&[[f64::NAN, 1.0]], &[440.0], &ok, &[440.0], &p).is_err());
        assert!(precision_recall_f1_overlap(&ok, &[0.0], &ok, &[440.0], &p).is_err());
        assert!(precision_recall_f1_overlap(&ok, &[440.0, 220.0], &ok, &[440.0], &p).is_err());
        let bad = TranscriptionParams { onset_tolerance: -0.1, ..p };
        assert!(precision_recall_f1_overlap(&ok, &[440.0], &ok, &[440.0], &bad).is_err());
        assert!(average_overlap_ratio(&ok, &ok, &[(0, 3)]).is_err());
        let empty = evaluate(&[], &[], &ok, &[440.0]).unwrap();
        assert!(empty.mir_eval_named().iter().all(|(_, v)| *v == 0.0));
    }

    #[test]
    fn loaders() {
        let n = parse_valued_intervals("# c\n0.1\t0.5\t440\n\n1 2 220.5\n").unwrap();
        assert_eq!(n.intervals, vec![[0.1, 0.5], [1.0, 2.0]]);
        assert_eq!(n.pitches, vec![440.0, 220.5]);
        assert!(parse_valued_intervals("0.1 0.5\n").is_err());
        assert!(parse_valued_intervals("0.5 0.1 440\n").is_err());
        assert!(parse_valued_intervals("0.1 0.5 nan\n").is_err());
        let v = parse_vocadito_notes("0.5,143.7,0.25\n1.0,158.4,0.5\n").unwrap();
        assert_eq!(v.intervals, vec![[0.5, 0.75], [1.0, 1.5]]);
        assert_eq!(v.pitches, vec![143.7, 158.4]);
        assert!(parse_vocadito_notes("0.5,143.7\n").is_err());
        assert!(parse_vocadito_notes("0.5,143.7,0\n").is_err());
        assert!(load_vocadito_notes("/nonexistent/notes.csv").is_err());
    }

    #[test]
    fn pairwise_sum_matches_plain_sum_on_integers() {
        for n in [0usize, 1, 7, 8, 9, 127, 128, 129, 300, 1000] {
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(pairwise_sum(&xs), (n * n.saturating_sub(1) / 2) as f64);
        }
    }
}
