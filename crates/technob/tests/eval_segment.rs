//! Parity of `technob::eval::segment` with `mir_eval.segment` 0.8.2.
//!
//! 1. mir_eval's own regression data (`../shared/data/mir_eval/tests/data/segment/`:
//!    `refNN.lab`, `estNN.lab` and `outputNN.json`, the scores `mir_eval.segment.evaluate`
//!    gives), loaded and scored as mir_eval's `tests/test_segment.py` does: every key of every
//!    fixture within 1e-6 (the largest deviation per metric is printed).
//! 2. Properties that hold whatever the numbers: identical segmentations score perfectly,
//!    renaming labels or changing their case changes nothing, swapping reference and estimate
//!    swaps precision and recall (and NCE over and under), the individual metric functions
//!    agree with `evaluate`, and unusable input is an error.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use technob::eval::segment::{
    SegmentParams, Segmentation, adjust_intervals, ari, detection, deviation, evaluate, evaluate_with,
    load_lab, mutual_information, nce, pairwise, parse_lab, rand_index, vmeasure,
};

const TOLERANCE: f64 = 1e-6;

fn segment_dir() -> PathBuf {
    common::data_dir().join("mir_eval/tests/data/segment")
}

/// The ten fixture pairs with their expected scores.
fn fixtures() -> Vec<(String, Segmentation, Segmentation, serde_json::Value)> {
    let dir = segment_dir();
    let refs = common::numbered(&dir, "ref", ".lab");
    let ests = common::numbered(&dir, "est", ".lab");
    let outs = common::numbered(&dir, "output", ".json");
    assert_eq!((refs.len(), ests.len(), outs.len()), (10, 10, 10), "mir_eval ships ten segment pairs");
    refs.iter()
        .zip(&ests)
        .zip(&outs)
        .map(|((r, e), o)| {
            let name = r.file_name().unwrap().to_string_lossy().to_string();
            (name, load_lab(r).unwrap(), load_lab(e).unwrap(), common::read_json(o))
        })
        .collect()
}

#[test]
fn regression_data_matches_mir_eval() {
    let mut worst: BTreeMap<&'static str, f64> = BTreeMap::new();
    for (name, reference, estimate, expected) in fixtures() {
        let scores = evaluate(&reference, &estimate).unwrap();
        let named = scores.mir_eval_named();
        let expected = expected.as_object().unwrap();
        assert_eq!(named.len(), expected.len(), "{name}: metric set");
        for (key, ours) in named {
            let theirs =
                expected.get(key).and_then(|v| v.as_f64()).unwrap_or_else(|| panic!("{name}: no {key}"));
            let diff = (ours - theirs).abs();
            assert!(diff <= TOLERANCE, "{name}: {key}: ours {ours:e}, mir_eval {theirs:e}");
            let w = worst.entry(key).or_insert(0.0);
            *w = w.max(diff);
        }
    }
    for (key, diff) in &worst {
        eprintln!("largest |technob - mir_eval| for {key}: {diff:e}");
    }
    assert_eq!(worst.len(), 22);
}

#[test]
fn loader_reads_labels_with_spaces_comments_and_crlf() {
    let dir = segment_dir();
    // est00.lab opens with "# comment"; ref04.lab has labels with spaces; all lines end in CRLF.
    let est = load_lab(dir.join("est00.lab")).unwrap();
    assert_eq!(est.intervals[0], [0.0, 6.0]);
    assert_eq!(est.labels[0], "A");
    let reference = load_lab(dir.join("ref04.lab")).unwrap();
    assert_eq!(reference.labels, vec!["Part 1", "Part 2", "Part 3 (with complete ending)"]);
    assert_eq!(reference.intervals[2], [89.014, 123.498]);
    let err = load_lab(dir.join("no_such_file.lab")).unwrap_err();
    assert!(err.to_string().contains("no_such_file.lab"), "{err}");
}

fn assert_all_perfect(scores: &technob::eval::segment::SegmentScores, what: &str) {
    for (key, value) in scores.mir_eval_named() {
        let want = match key {
            "Ref-to-est deviation" | "Est-to-ref deviation" => 0.0,
            // MI is the entropy of the labeling itself (nats), positive.
            "Mutual Information" => {
                assert!(value > 0.0, "{what}: {key} = {value}");
                continue;
            }
            _ => 1.0,
        };
        assert!((value - want).abs() < 1e-12, "{what}: {key} = {value}, want {want}");
    }
}

#[test]
fn identical_segmentations_score_perfectly() {
    for (name, reference, _, _) in fixtures() {
        let scores = evaluate(&reference, &reference).unwrap();
        assert_all_perfect(&scores, &name);
        // The same partition under other names, in another case, is still perfect.
        let mut renamed = reference.clone();
        renamed.labels = reference.labels.iter().map(|l| format!("x{}", l.to_uppercase())).collect();
        assert_all_perfect(&evaluate(&reference, &renamed).unwrap(), &format!("{name} renamed"));
    }
}

#[test]
fn relabeling_the_estimate_changes_nothing() {
    for (name, reference, estimate, _) in fixtures() {
        // A one-to-one renaming of the (case-insensitive) classes that reverses their order.
        let classes: BTreeMap<String, usize> =
            estimate.labels.iter().map(|l| (l.to_lowercase(), 0)).collect();
        let n = classes.len();
        let rank: BTreeMap<&String, usize> = classes.keys().enumerate().map(|(i, k)| (k, i)).collect();
        let mut relabeled = estimate.clone();
        relabeled.labels =
            estimate.labels.iter().map(|l| format!("class{:04}", n - rank[&l.to_lowercase()])).collect();
        assert_ne!(relabeled.labels, estimate.labels);
        let a = evaluate(&reference, &estimate).unwrap().mir_eval_named();
        let b = evaluate(&reference, &relabeled).unwrap().mir_eval_named();
        for ((key, x), (_, y)) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12, "{name}: {key}: {x} vs {y}");
        }
    }
}

#[test]
fn swapping_reference_and_estimate_swaps_precision_and_recall() {
    for (name, reference, estimate, _) in fixtures() {
        // Give both the same span so that adjusting pads neither differently.
        let reference = adjust_intervals(&reference, Some(0.0), None).unwrap();
        let t_end = reference.intervals.iter().map(|iv| iv[1]).fold(0.0, f64::max);
        let estimate = adjust_intervals(&estimate, Some(0.0), Some(t_end)).unwrap();
        let ab = evaluate(&reference, &estimate).unwrap();
        let ba = evaluate(&estimate, &reference).unwrap();
        for (x, y) in
            [(ab.boundary_05, ba.boundary_05), (ab.boundary_3, ba.boundary_3), (ab.pairwise, ba.pairwise)]
        {
            assert_eq!((x.precision, x.recall), (y.recall, y.precision), "{name}");
        }
        assert_eq!(ab.deviation.ref_to_est, ba.deviation.est_to_ref, "{name}");
        assert!((ab.rand_index - ba.rand_index).abs() < 1e-15, "{name}");
        assert!((ab.ari - ba.ari).abs() < 1e-12, "{name}");
        assert!((ab.mutual_information.mi - ba.mutual_information.mi).abs() < 1e-12, "{name}");
        assert!((ab.mutual_information.ami - ba.mutual_information.ami).abs() < 1e-9, "{name}");
        for (x, y) in [(ab.nce, ba.nce), (ab.vmeasure, ba.vmeasure)] {
            assert!((x.over - y.under).abs() < 1e-12 && (x.under - y.over).abs() < 1e-12, "{name}");
        }
    }
}

#[test]
fn metric_functions_agree_with_evaluate() {
    let p = SegmentParams::default();
    for (name, reference, estimate, _) in fixtures().into_iter().take(4) {
        let all = evaluate(&reference, &estimate).unwrap();
        let r = adjust_intervals(&reference, Some(0.0), None).unwrap();
        let t_end = r.intervals.iter().map(|iv| iv[1]).fold(0.0, f64::max);
        let e = adjust_intervals(&estimate, Some(0.0), Some(t_end)).unwrap();
        assert_eq!(
            detection(&r.intervals, &e.intervals, 0.5, 1.0, false).unwrap(),
            all.boundary_05,
            "{name}"
        );
        assert_eq!(detection(&r.intervals, &e.intervals, 3.0, 1.0, false).unwrap(), all.boundary_3, "{name}");
        assert_eq!(deviation(&r.intervals, &e.intervals, false).unwrap(), all.deviation, "{name}");
        assert_eq!(pairwise(&r, &e, p.frame_size, 1.0).unwrap(), all.pairwise, "{name}");
        assert_eq!(rand_index(&r, &e, p.frame_size).unwrap(), all.rand_index, "{name}");
        assert_eq!(ari(&r, &e, p.frame_size).unwrap(), all.ari, "{name}");
        assert_eq!(mutual_information(&r, &e, p.frame_size).unwrap(), all.mutual_information, "{name}");
        assert_eq!(nce(&r, &e, p.frame_size, 1.0, false).unwrap(), all.nce, "{name}");
        assert_eq!(vmeasure(&r, &e, p.frame_size, 1.0).unwrap(), all.vmeasure, "{name}");
        // The trimmed scores ignore the first and last boundary: never more hits than untrimmed.
        let trimmed = evaluate_with(&reference, &estimate, &SegmentParams { trim: true, ..p }).unwrap();
        let hits = |prf: technob::eval::segment::Prf, n_est: usize| (prf.precision * n_est as f64).round();
        let n_est = technob::eval::segment::intervals_to_boundaries(&e.intervals).len();
        assert!(hits(trimmed.boundary_3, n_est - 2) <= hits(all.boundary_3, n_est), "{name}");
        assert_eq!(trimmed.pairwise, all.pairwise, "{name}: trim touches boundaries only");
    }
}

#[test]
fn unusable_input_is_an_error() {
    let good = parse_lab("0 10 a\n10 20 b\n").unwrap();
    let with = |intervals: Vec<[f64; 2]>, labels: &[&str]| Segmentation {
        intervals,
        labels: labels.iter().map(|s| s.to_string()).collect(),
    };
    let bad = [
        with(vec![[0.0, 10.0], [10.0, 10.0]], &["a", "b"]),
        with(vec![[0.0, 10.0], [12.0, 11.0]], &["a", "b"]),
        with(vec![[0.0, f64::NAN]], &["a"]),
        with(vec![[0.0, f64::INFINITY]], &["a"]),
        with(vec![[0.0, 10.0]], &["a", "b"]),
        with(vec![[0.0, 10.0], [10.0, 20.0]], &["a"]),
    ];
    for (i, b) in bad.iter().enumerate() {
        assert!(evaluate(&good, b).is_err(), "bad estimate {i}");
        assert!(evaluate(b, &good).is_err(), "bad reference {i}");
    }
    // An empty reference cannot be adjusted; an empty estimate becomes one segment.
    assert!(evaluate(&Segmentation::default(), &good).is_err());
    let scores = evaluate(&good, &Segmentation::default()).unwrap();
    assert_eq!(scores.pairwise.recall, 1.0);
    assert!(scores.pairwise.precision < 0.6, "{:?}", scores.pairwise);
    assert_eq!(scores.nce.over, 0.0);
    // Bad parameters.
    for params in [
        SegmentParams { frame_size: 0.0, ..Default::default() },
        SegmentParams { frame_size: f64::NAN, ..Default::default() },
        SegmentParams { beta: -1.0, ..Default::default() },
        SegmentParams { frame_size: 1e-9, ..Default::default() },
    ] {
        assert!(evaluate_with(&good, &good, &params).is_err(), "{params:?}");
    }
    assert!(detection(&good.intervals, &good.intervals, f64::NAN, 1.0, false).is_err());
    // The label metrics take adjusted segmentations: not starting at 0, or ending apart, is refused.
    let late = parse_lab("1 10 a\n10 20 b\n").unwrap();
    let short = parse_lab("0 10 a\n10 19 b\n").unwrap();
    assert!(pairwise(&late, &good, 0.1, 1.0).is_err());
    assert!(nce(&good, &short, 0.1, 1.0, false).is_err());
}
