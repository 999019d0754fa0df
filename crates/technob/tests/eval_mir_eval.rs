//! Parity of `technob::eval` with mir_eval.
//!
//! 1. mir_eval's own regression data (`../shared/data/mir_eval/tests/data/beat/{ref,est}NN.txt`
//!    with `outputNN.json`, read as `tests/test_beat.py` does: `mir_eval.io.load_events` then
//!    `mir_eval.beat.evaluate`; and `.../tempo/{ref,est}NN.lab` with `outputNN.json`, read as
//!    `tests/test_tempo.py` does: one line `tempo1 tempo2 weight`, `mir_eval.tempo.evaluate`).
//! 2. Corner cases scored by mir_eval 0.8.2 (`tests/golden/eval_cases.json`, made by
//!    `tools/make_eval_goldens.py`): empty and one-beat sequences, exact matches, metrical
//!    variations, duplicate beats, jittered and sparse estimates.
//!
//! Every score must equal mir_eval's exactly, except the information gain against (2): its
//! entropy is summed in order (which is what reproduces (1) bit for bit), while numpy >= 1.9
//! sums pairwise, so there |Δ| <= 1e-12 is asserted. Deviations are printed per metric
//! (`cargo test --test eval_mir_eval -- --nocapture`).

mod common;

use common::{numbered, read_json};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use technob::eval::annotations::{load_beat_times, load_mirex_tempo};
use technob::eval::beat::evaluate_beats;
use technob::eval::tempo::{DETECTION_TOLERANCE, detection};

fn mir_eval_data(kind: &str) -> PathBuf {
    common::data_dir().join("mir_eval/tests/data").join(kind)
}

/// Largest |Δ| per metric, and how many comparisons were not bit-identical.
#[derive(Default)]
struct Deviations(BTreeMap<String, (f64, usize, usize)>);

impl Deviations {
    fn add(&mut self, metric: &str, ours: f64, theirs: f64) -> f64 {
        let d =
            if ours == theirs || (ours.is_nan() && theirs.is_nan()) { 0.0 } else { (ours - theirs).abs() };
        let e = self.0.entry(metric.to_string()).or_default();
        e.0 = e.0.max(d);
        e.1 += usize::from(d != 0.0);
        e.2 += 1;
        d
    }

    fn print(&self, title: &str) {
        println!("{title}: max |ours - mir_eval| per metric (inexact / compared)");
        for (metric, (max, inexact, n)) in &self.0 {
            println!("  {metric:<34} {max:<10.3e} ({inexact}/{n})");
        }
    }
}

#[test]
fn beat_regression_data_bit_for_bit() {
    let dir = mir_eval_data("beat");
    let refs = numbered(&dir, "ref", ".txt");
    let ests = numbered(&dir, "est", ".txt");
    let outs = numbered(&dir, "output", ".json");
    assert!(!refs.is_empty() && refs.len() == ests.len() && refs.len() == outs.len(), "{}", dir.display());
    let mut dev = Deviations::default();
    for ((r, e), o) in refs.iter().zip(&ests).zip(&outs) {
        let reference = load_beat_times(r).unwrap();
        let estimated = load_beat_times(e).unwrap();
        let expected = read_json(o);
        let scores = evaluate_beats(&reference, &estimated).unwrap();
        let named = scores.mir_eval_named();
        assert_eq!(named.len(), expected.as_object().unwrap().len(), "{}: metric set", o.display());
        for (name, ours) in named {
            let theirs = expected[name].as_f64().unwrap_or_else(|| panic!("{}: no {name}", o.display()));
            let d = dev.add(name, ours, theirs);
            assert_eq!(d, 0.0, "{}: {name}: ours {ours:e}, mir_eval {theirs:e}", r.display());
        }
    }
    dev.print(&format!("mir_eval beat regression data ({} pairs)", refs.len()));
}

#[test]
fn tempo_regression_data() {
    let dir = mir_eval_data("tempo");
    let refs = numbered(&dir, "ref", ".lab");
    let ests = numbered(&dir, "est", ".lab");
    let outs = numbered(&dir, "output", ".json");
    assert!(!refs.is_empty() && refs.len() == ests.len() && refs.len() == outs.len(), "{}", dir.display());
    let mut dev = Deviations::default();
    for ((r, e), o) in refs.iter().zip(&ests).zip(&outs) {
        let reference = load_mirex_tempo(r).unwrap();
        let estimated = load_mirex_tempo(e).unwrap();
        let expected = read_json(o);
        let d = detection(reference.tempi, reference.weight, estimated.tempi, DETECTION_TOLERANCE).unwrap();
        assert_eq!(
            dev.add("P-score", d.p_score, expected["P-score"].as_f64().unwrap()),
            0.0,
            "{}",
            r.display()
        );
        assert_eq!(Some(d.one_correct), expected["One-correct"].as_bool(), "{}", r.display());
        assert_eq!(Some(d.both_correct), expected["Both-correct"].as_bool(), "{}", r.display());
    }
    dev.print(&format!("mir_eval tempo regression data ({} pairs)", refs.len()));
    // The malformed annotations mir_eval ships (two lines, negative weight, negative tempo).
    let good = load_mirex_tempo(&refs[0]).unwrap();
    let bad = numbered(&dir, "bad", ".lab");
    assert!(!bad.is_empty());
    for b in bad {
        let result = load_mirex_tempo(&b).and_then(|t| detection(t.tempi, t.weight, good.tempi, 0.08));
        let err = result.expect_err(&b.display().to_string());
        println!("  {}: {err}", b.file_name().unwrap().to_string_lossy());
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn corner_cases_match_mir_eval_0_8() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/eval_cases.json");
    let doc = read_json(&path);
    let mut dev = Deviations::default();
    let cases = doc["beat"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let scores = evaluate_beats(&floats(&case["reference"]), &floats(&case["estimated"])).unwrap();
        for (metric, ours) in scores.mir_eval_named() {
            let theirs = case["scores"][metric].as_f64().unwrap();
            let d = dev.add(metric, ours, theirs);
            if metric == "Information gain" {
                assert!(d <= 1e-12, "{name}: {metric}: ours {ours:e}, mir_eval {theirs:e}");
            } else {
                assert_eq!(d, 0.0, "{name}: {metric}: ours {ours:e}, mir_eval {theirs:e}");
            }
        }
    }
    for case in doc["tempo"].as_array().unwrap() {
        let r = floats(&case["reference"]);
        let e = floats(&case["estimated"]);
        let w = case["weight"].as_f64().unwrap();
        let d = detection([r[0], r[1]], w, [e[0], e[1]], case["tol"].as_f64().unwrap()).unwrap();
        assert_eq!(dev.add("tempo P-score", d.p_score, case["p_score"].as_f64().unwrap()), 0.0, "{case}");
        assert_eq!(Some(d.one_correct), case["one_correct"].as_bool(), "{case}");
        assert_eq!(Some(d.both_correct), case["both_correct"].as_bool(), "{case}");
    }
    dev.print(&format!("corner cases vs mir_eval 0.8.2 ({} beat cases)", cases.len()));
}

#[test]
fn dataset_annotations_load() {
    let data = common::data_dir();
    for clip in technob::eval::dataset::clips().unwrap() {
        let reference = technob::eval::dataset::load_reference(&clip, &data)
            .unwrap_or_else(|e| panic!("{}: {e}", clip.name));
        if let Some(beats) = &reference.beats {
            assert!(beats.beats.len() >= 4, "{}: {} beats", clip.name, beats.beats.len());
            if let Some(meter) = clip.meter {
                let positions = beats.positions.as_ref().unwrap();
                assert!(positions.iter().all(|&p| p <= meter), "{}: positions beyond the meter", clip.name);
            }
        }
        assert!(data.join(&clip.audio).is_file(), "{}: audio missing", clip.name);
    }
}

/// A tracker that ignores the music: a 120 BPM metronome over the whole clip, 4 to the bar.
fn metronome(audio: &technob::Audio) -> technob::Result<technob::rhythm::Rhythm> {
    use technob::rhythm::{Beat, Rhythm, TempoEstimate};
    let duration_s = audio.duration_s();
    let beats = (0..)
        .map(|i| Beat { time_s: 0.5 * i as f64, position: i % 4 + 1 })
        .take_while(|b| b.time_s < duration_s)
        .collect();
    Ok(Rhythm {
        tempo: TempoEstimate { bpm: 120.0, confidence: 1.0 },
        beats,
        beats_per_bar: 4,
        grid: None,
        sections: vec![],
        duration_s,
    })
}

#[test]
fn dataset_scores_every_clip() {
    use technob::eval::dataset::{DEMO_CLIP, clips, evaluate_rhythm_dataset, summarize};
    let scores = evaluate_rhythm_dataset(&common::data_dir(), metronome).unwrap();
    assert_eq!(scores.len(), clips().unwrap().len() + 1);
    for s in &scores {
        assert_eq!(s.error, None, "{}", s.name);
        assert!(s.estimated_bpm == Some(120.0) && s.estimated_beats.unwrap_or(0) > 0, "{s:?}");
    }
    let by_name = |n: &str| scores.iter().find(|s| s.name == n).unwrap();
    // Full annotations with positions: beats and downbeats scored; tempo-only clips: tempo only.
    for name in ["ballroom_waltz", "gtzan_country", "madmom_sample", "jtd_barron", DEMO_CLIP] {
        let s = by_name(name);
        assert!(s.beats.is_some() && s.downbeat_f_measure.is_some(), "{s:?}");
    }
    for name in ["hainsworth_001", "cuidado_falla", "giantsteps_28952", "techno_loop"] {
        let s = by_name(name);
        assert!(s.beats.is_none() && s.tempo.is_some(), "{s:?}");
    }
    // The demo is at 128 BPM: a 120 BPM metronome is off by 6 %.
    let demo = by_name(DEMO_CLIP);
    assert_eq!(demo.reference_bpm, Some(128.0));
    assert!(!demo.tempo.unwrap().accuracy1);
    let mean = summarize(&scores);
    assert_eq!((mean.errors, mean.beat_clips), (0, 5));
    println!("metronome tracker: mean {:?}", mean);
}
