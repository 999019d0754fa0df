//! Parity of `technob::eval::transcription` with mir_eval 0.8.
//!
//! 1. mir_eval's own regression data (`../shared/data/mir_eval/tests/data/transcription/`:
//!    `refNN.txt`, `estNN.txt`, `outputNN.json`), read as `tests/test_transcription.py` does
//!    (`mir_eval.io.load_valued_intervals`, then `mir_eval.transcription.evaluate`): every score
//!    must be mir_eval's bit for bit.
//! 2. `tests/golden/tonal/transcription_cases.json` (made by
//!    `tools/make_transcription_goldens.py`): vocadito's two note annotators scored against
//!    each other, with the default, strict and no-offset criteria, and crowded random note sets
//!    where the maximum matching is not unique — there the matched pairs themselves (from
//!    mir_eval's `match_notes`, `match_note_onsets`, `match_note_offsets`) must be mir_eval's.

mod common;

use common::{numbered, read_json};

use std::path::Path;

use serde_json::Value;
use technob::eval::transcription::{
    NoteAnnotation, TranscriptionParams, evaluate, evaluate_with, load_valued_intervals, load_vocadito_notes,
    match_note_offsets, match_note_onsets, match_notes,
};

/// Compare every named score with mir_eval's (same metric set, bit for bit).
fn assert_scores(what: &str, ours: &[(&'static str, f64)], expected: &Value) {
    let expected = expected.as_object().unwrap();
    assert_eq!(ours.len(), expected.len(), "{what}: metric set {ours:?} vs {expected:?}");
    for (name, v) in ours {
        let theirs =
            expected.get(*name).and_then(Value::as_f64).unwrap_or_else(|| panic!("{what}: no {name}"));
        assert_eq!(v.to_bits(), theirs.to_bits(), "{what}: {name}: ours {v:e}, mir_eval {theirs:e}");
    }
}

#[test]
fn regression_data_bit_for_bit() {
    let dir = common::data_dir().join("mir_eval/tests/data/transcription");
    let refs = numbered(&dir, "ref", ".txt");
    let ests = numbered(&dir, "est", ".txt");
    let outs = numbered(&dir, "output", ".json");
    assert!(refs.len() == 10 && ests.len() == 10 && outs.len() == 10, "{}", dir.display());
    for ((r, e), o) in refs.iter().zip(&ests).zip(&outs) {
        let reference = load_valued_intervals(r).unwrap();
        let estimate = load_valued_intervals(e).unwrap();
        assert!(reference.pitches.len() >= 90 && estimate.pitches.len() >= 100);
        let scores =
            evaluate(&reference.intervals, &reference.pitches, &estimate.intervals, &estimate.pitches)
                .unwrap();
        assert_scores(&r.display().to_string(), &scores.mir_eval_named(), &read_json(o));
    }
}

fn notes(v: &Value) -> NoteAnnotation {
    let intervals = v["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let pitches = v["pitches"].as_array().unwrap().iter().map(|p| p.as_f64().unwrap()).collect();
    NoteAnnotation { intervals, pitches }
}

fn params(v: &Value) -> TranscriptionParams {
    TranscriptionParams {
        offset_ratio: v["offset_ratio"].as_f64(),
        strict: v["strict"].as_bool().unwrap(),
        ..Default::default()
    }
}

fn pairs(v: &Value) -> Vec<(usize, usize)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_u64().unwrap() as usize))
        .collect()
}

fn golden() -> Value {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tonal/transcription_cases.json"))
}

#[test]
fn vocadito_annotators_against_each_other() {
    let doc = golden();
    let dir = common::data_dir().join("mirdata/vocadito/Annotations/Notes");
    let a1 = load_vocadito_notes(dir.join("vocadito_1_notesA1.csv")).unwrap();
    let a2 = load_vocadito_notes(dir.join("vocadito_1_notesA2.csv")).unwrap();
    assert_eq!((a1.pitches.len(), a2.pitches.len()), (59, 64));
    // The golden file holds the notes as mirdata loads them: ours must be the same numbers.
    assert_eq!(notes(&doc["vocadito_notes"]["A1"]), a1);
    assert_eq!(notes(&doc["vocadito_notes"]["A2"]), a2);
    let cases = doc["vocadito"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let (r, e) = if case["reference"] == "A1" { (&a1, &a2) } else { (&a2, &a1) };
        let p = params(case);
        let what = format!(
            "vocadito ref {} offset_ratio {:?} strict {}",
            case["reference"], p.offset_ratio, p.strict
        );
        let scores = evaluate_with(&r.intervals, &r.pitches, &e.intervals, &e.pitches, &p).unwrap();
        assert_scores(&what, &scores.mir_eval_named(), &case["scores"]);
        let matched = match_notes(&r.intervals, &r.pitches, &e.intervals, &e.pitches, &p).unwrap();
        assert_eq!(matched, pairs(&case["match_notes"]), "{what}");
        println!(
            "{what}: note F {:.4} (no offset {:.4})",
            scores.with_offset.map_or(f64::NAN, |s| s.f_measure),
            scores.no_offset.f_measure
        );
    }
}

#[test]
fn crowded_random_notes_give_mir_eval_s_matching() {
    let doc = golden();
    let cases = doc["random"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut not_greedy = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, e) = (notes(&case["reference"]), notes(&case["estimate"]));
        let p = params(case);
        let ratio = p.offset_ratio.unwrap_or(0.2);
        let m = match_notes(&r.intervals, &r.pitches, &e.intervals, &e.pitches, &p).unwrap();
        assert_eq!(m, pairs(&case["match_notes"]), "{name}: match_notes");
        let m = match_note_onsets(&r.intervals, &e.intervals, p.onset_tolerance, p.strict).unwrap();
        assert_eq!(m, pairs(&case["match_note_onsets"]), "{name}: match_note_onsets");
        let m =
            match_note_offsets(&r.intervals, &e.intervals, ratio, p.offset_min_tolerance, p.strict).unwrap();
        assert_eq!(m, pairs(&case["match_note_offsets"]), "{name}: match_note_offsets");
        not_greedy +=
            case["augmented"].as_array().unwrap().iter().filter(|a| a.as_bool() == Some(true)).count();
        let scores = evaluate_with(&r.intervals, &r.pitches, &e.intervals, &e.pitches, &p).unwrap();
        assert_scores(name, &scores.mir_eval_named(), &case["scores"]);
    }
    // The cases must exercise the augmenting-path search, not only the greedy start.
    assert!(not_greedy >= 5, "only {not_greedy} matchings needed augmenting paths");
}
