//! Parity of `technob::eval::key` with mir_eval 0.8, and the key evaluation set.
//!
//! 1. mir_eval's regression data (`../shared/data/mir_eval/tests/data/key/`: `refNN.txt`,
//!    `estNN.txt`, `outputNN.json`), read as `tests/test_key.py` does (`mir_eval.io.load_key`,
//!    then `mir_eval.key.evaluate`): the weighted score must be mir_eval's bit for bit.
//! 2. The strings mir_eval's `validate_key` rejects are errors here.
//! 3. The key manifest (`src/eval/key_clips.json`) against `../shared/data` (every audio and
//!    label file present and agreeing) and against the peers' golden scores
//!    (`tests/golden/tonal/key_peers.json`, made by `tools/make_key_goldens.py`): the same
//!    clips and references, and every peer's score recomputed by our port equals mir_eval's.

mod common;

use common::read_json;

use std::path::{Path, PathBuf};

use serde_json::Value;
use technob::eval::key::{
    EvalKey, KeyLabel, evaluate, key_dataset, load_key, weighted_score, weighted_score_keys,
};

fn case_files(dir: &Path, prefix: &str, ext: &str) -> Vec<PathBuf> {
    (0..10).map(|i| dir.join(format!("{prefix}{i:02}{ext}"))).collect()
}

#[test]
fn regression_data_bit_for_bit() {
    let dir = common::data_dir().join("mir_eval/tests/data/key");
    let outs = case_files(&dir, "output", ".json");
    let mut seen = std::collections::BTreeSet::new();
    for ((r, e), o) in case_files(&dir, "ref", ".txt").iter().zip(case_files(&dir, "est", ".txt")).zip(&outs)
    {
        let (reference, estimate) = (load_key(r).unwrap(), load_key(&e).unwrap());
        let expected = read_json(o);
        let expected = expected.as_object().unwrap();
        let theirs = expected["Weighted Score"].as_f64().unwrap();
        // Through the typed keys and through the strings mir_eval's load_key builds.
        let typed = weighted_score_keys(reference, estimate);
        let scores = evaluate(&reference.to_string(), &estimate.to_string()).unwrap();
        assert_eq!(scores.mir_eval_named().len(), expected.len());
        for (name, ours) in scores.mir_eval_named().into_iter().chain([("Weighted Score", typed)]) {
            let theirs = expected[name].as_f64().unwrap();
            assert_eq!(
                ours.to_bits(),
                theirs.to_bits(),
                "{}: {name}: ours {ours}, mir_eval {theirs}",
                r.display()
            );
        }
        seen.insert(theirs.to_bits());
    }
    // The ten cases cover every score of the table: 1, 0.5, 0.3, 0.2 and 0.
    assert_eq!(seen.len(), 5);
}

#[test]
fn invalid_keys_are_errors_as_in_mir_eval() {
    // validate_key's ValueErrors: shape, tonic, X with a mode, mode spelling.
    for bad in
        ["C", "C major extra", "", "H major", "E# minor", "X minor", "x major", "C Major", "C maj", "C# min"]
    {
        let err = weighted_score(bad, "C major").expect_err(bad);
        assert!(!err.to_string().is_empty());
        assert!(weighted_score("C major", bad).is_err(), "{bad}");
        assert!(evaluate(bad, bad).is_err(), "{bad}");
    }
    assert_eq!(weighted_score("X", "X").unwrap(), 1.0);
    assert_eq!(weighted_score("x", "C major").unwrap(), 0.0);
    assert!("X".parse::<KeyLabel>().is_err());
    assert_eq!("X".parse::<EvalKey>().unwrap(), EvalKey::Unknown);
    // Files: a key file holds exactly one 'tonic mode' line.
    let dir = std::env::temp_dir().join(format!("technob-eval-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, text) in ["", "C major\nD minor\n", "C\n", "C major minor\n", "Cb major\n"].iter().enumerate() {
        let path = dir.join(format!("bad{i}.txt"));
        std::fs::write(&path, text).unwrap();
        let err = load_key(&path).expect_err(text);
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn manifest_matches_the_data() {
    let data = common::data_dir();
    let clips = key_dataset(&data).unwrap();
    assert!(clips.len() >= 9);
    for clip in &clips {
        assert!(clip.audio.is_file(), "{}: audio missing at {}", clip.name, clip.audio.display());
        if let Some(file) = &clip.label_file {
            let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(text.trim(), clip.label, "{}: label file and manifest differ", clip.name);
        }
    }
}

fn golden() -> Value {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tonal/key_peers.json"))
}

#[test]
fn peer_goldens_agree_with_the_manifest_and_our_port() {
    let doc = golden();
    let clips = key_dataset(&common::data_dir()).unwrap();
    let golden_clips = doc["clips"].as_array().unwrap();
    let names: Vec<&str> = golden_clips.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let ours: Vec<&str> = clips.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ours, "key_peers.json is stale: rerun tools/make_key_goldens.py");
    let peers: Vec<&str> = doc["peers"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(peers.len() >= 5);
    let mut sums = vec![0.0; peers.len()];
    let mut n_scored = 0;
    for (clip, g) in clips.iter().zip(golden_clips) {
        assert_eq!(g["reference"].as_str(), Some(clip.key.to_string().as_str()), "{}", clip.name);
        assert_eq!(g["scored"].as_bool(), Some(clip.scored), "{}", clip.name);
        n_scored += usize::from(clip.scored);
        for (peer, sum) in peers.iter().zip(&mut sums) {
            let est = &g["estimates"][*peer];
            let key: KeyLabel = est["key"].as_str().unwrap().parse().unwrap();
            // Our names: the script normalised every peer's spelling.
            assert_eq!(est["key"].as_str(), Some(key.to_string().as_str()), "{}: {peer}", clip.name);
            let score = weighted_score_keys(clip.key.into(), key.into());
            assert_eq!(Some(score), est["score"].as_f64(), "{}: {peer}", clip.name);
            let by_label = weighted_score(&clip.label, &key.to_string()).ok();
            if clip.flag.as_deref() == Some("label_corrected") {
                assert_eq!(by_label, est["score_vs_label"].as_f64(), "{}: {peer}", clip.name);
            }
            if clip.scored {
                *sum += score;
            }
        }
    }
    for (peer, sum) in peers.iter().zip(&sums) {
        let mean = doc["mean_score"][*peer].as_f64().unwrap();
        assert!(
            (mean - sum / n_scored as f64).abs() < 1e-12,
            "{peer}: mean {mean} vs {}",
            sum / n_scored as f64
        );
        println!("{peer:<20} mean MIREX score {mean:.3} over {n_scored} clips");
    }
    let timing = &doc["timing"];
    assert!(timing["audio_s"].as_f64().unwrap() >= 300.0);
    for peer in &peers {
        assert!(timing["seconds"][*peer].as_f64().is_some_and(|s| s > 0.0), "no time for {peer}");
    }
}
