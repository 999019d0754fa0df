//! Parity of `technob::eval::melody` with `mir_eval.melody` 0.8.2, bit for bit.
//!
//! 1. mir_eval's own regression data (`../shared/data/mir_eval/tests/data/melody/{ref,est}NN.txt`
//!    with `outputNN.json`), read and scored as mir_eval's `tests/test_melody.py` does: once with
//!    voicing from the signs of the frequencies, once with `est_voicing = (est_freq >= 0)` and a
//!    reward of 1 per reference frame (the continuous-voicing code path).
//! 2. `tests/golden/eval_melody.json` (made by `tools/make_pitch_goldens.py`): continuous
//!    voicings and rewards, the regression pair with `reward00.txt`/`voicingest00.txt`, and
//!    synthetic corners (estimate shorter, longer, starting late, on another hop).
//!
//! Every score must equal mir_eval's exactly (`assert_eq!` on f64).

mod common;

use common::read_json;

use std::path::PathBuf;

use serde_json::Value;
use technob::eval::melody::{F0Series, evaluate, evaluate_with_voicing, load_f0, to_cent_voicing};

fn melody_dir() -> PathBuf {
    common::data_dir().join("mir_eval/tests/data/melody")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn assert_scores(what: &str, ours: technob::eval::melody::MelodyScores, expected: &Value) {
    let named = ours.mir_eval_named();
    assert_eq!(named.len(), expected.as_object().unwrap().len(), "{what}: metric set");
    for (name, value) in named {
        let theirs = expected[name].as_f64().unwrap_or_else(|| panic!("{what}: no {name}"));
        assert_eq!(value, theirs, "{what}: {name}: ours {value:e}, mir_eval {theirs:e}");
    }
}

#[test]
fn regression_data_bit_for_bit() {
    let dir = melody_dir();
    let mut n = 0;
    for i in 0.. {
        let (r, e, o) = (
            dir.join(format!("ref{i:02}.txt")),
            dir.join(format!("est{i:02}.txt")),
            dir.join(format!("output{i:02}.json")),
        );
        if !r.exists() {
            break;
        }
        let reference = load_f0(&r).unwrap();
        let estimate = load_f0(&e).unwrap();
        let expected = read_json(&o);
        let scores = evaluate(&reference.times, &reference.freqs, &estimate.times, &estimate.freqs).unwrap();
        assert_scores(&format!("{} (voicing from signs)", r.display()), scores, &expected);
        // test_melody_functions(voicing=True): the continuous-voicing path must agree.
        let est_voicing: Vec<f64> =
            estimate.freqs.iter().map(|&f| if f >= 0.0 { 1.0 } else { 0.0 }).collect();
        let reward = vec![1.0; reference.times.len()];
        let scores = evaluate_with_voicing(
            &reference.times,
            &reference.freqs,
            &estimate.times,
            &estimate.freqs,
            Some(&est_voicing),
            Some(&reward),
        )
        .unwrap();
        assert_scores(&format!("{} (explicit voicing)", r.display()), scores, &expected);
        n += 1;
    }
    assert_eq!(n, 10, "mir_eval ships ten melody pairs");
}

#[test]
fn to_cent_voicing_values_of_mir_eval_tests() {
    // test_to_cent_voicing: frames 220..225 of ref00/est00, with and without custom voicings.
    let dir = melody_dir();
    let r = load_f0(dir.join("ref00.txt")).unwrap();
    let e = load_f0(dir.join("est00.txt")).unwrap();
    let cv = to_cent_voicing(&r.times, &r.freqs, &e.times, &e.freqs, None, None).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 + 1e-5 * b.abs();
    let ref_c = [0.0, 0.0, 0.0, 6_056.883_781_891_661, 6_028.550_458_302_192];
    for (k, i) in (220..225).enumerate() {
        assert_eq!(cv.ref_voicing[i], if k >= 3 { 1.0 } else { 0.0 });
        assert!(close(cv.ref_cent[i], ref_c[k]), "{}", cv.ref_cent[i]);
        assert_eq!(cv.est_voicing[i], 0.0);
        assert!(close(cv.est_cent[i], 5_351.317_942_364_757), "{}", cv.est_cent[i]);
    }
    let reward = load_f0(dir.join("reward00.txt")).unwrap().freqs;
    let voicing = load_f0(dir.join("voicingest00.txt")).unwrap().freqs;
    let cv = to_cent_voicing(&r.times, &r.freqs, &e.times, &e.freqs, Some(&voicing), Some(&reward)).unwrap();
    let ref_v = [0.0, 0.0, 0.0, 1.0, 0.3];
    for (k, i) in (220..225).enumerate() {
        assert!(close(cv.ref_voicing[i], ref_v[k]), "{}", cv.ref_voicing[i]);
        assert!(close(cv.est_voicing[i], 0.2), "{}", cv.est_voicing[i]);
        assert!(close(cv.est_cent[i], 5_351.317_942_364_757));
    }
}

#[test]
fn golden_cases_bit_for_bit() {
    let golden = read_json(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/eval_melody.json"));
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (reference, estimate, est_voicing, ref_reward) = if let Some(files) = case.get("files") {
            let file = |key: &str| load_f0(melody_dir().join(files[key].as_str().unwrap())).unwrap();
            (file("ref"), file("est"), Some(file("est_voicing").freqs), Some(file("ref_reward").freqs))
        } else {
            let series = |t: &str, f: &str| F0Series { times: floats(&case[t]), freqs: floats(&case[f]) };
            (
                series("ref_time", "ref_freq"),
                series("est_time", "est_freq"),
                case.get("est_voicing").map(floats),
                case.get("ref_reward").map(floats),
            )
        };
        let scores = evaluate_with_voicing(
            &reference.times,
            &reference.freqs,
            &estimate.times,
            &estimate.freqs,
            est_voicing.as_deref(),
            ref_reward.as_deref(),
        )
        .unwrap();
        assert_scores(name, scores, &case["scores"]);
    }
}

#[test]
fn f0_annotations_of_the_pitch_clips_load() {
    let data = common::data_dir();
    let mdb = load_f0(
        data.join("mirdata/mdb_stem_synth/annotation_stems/AClassicEducation_NightOwl_STEM_08.RESYN.csv"),
    )
    .unwrap();
    assert_eq!(mdb.times.len(), 1034);
    assert!(mdb.freqs.iter().all(|&f| f == 0.0 || (100.0..300.0).contains(&f)));
    let voc = load_f0(data.join("mirdata/vocadito/Annotations/F0/vocadito_1_f0.csv")).unwrap();
    assert_eq!(voc.times.len(), 5722);
    assert!(voc.times.windows(2).all(|w| w[1] > w[0]));
    // Scoring an annotation against itself is perfect.
    let s = evaluate(&voc.times, &voc.freqs, &voc.times, &voc.freqs).unwrap();
    assert_eq!((s.raw_pitch_accuracy, s.overall_accuracy, s.voicing_false_alarm), (1.0, 1.0, 0.0));
    let err = load_f0(data.join("mirdata/vocadito/Annotations/missing.csv")).unwrap_err();
    assert!(err.to_string().contains("missing.csv"), "{err}");
}
