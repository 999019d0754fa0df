//! Key accuracy on every key-labelled clip of ../shared/data (`eval/key_clips.json`), scored
//! with the MIREX weighted score (mir_eval.key), against essentia (edma, bgate, temperley,
//! krumhansl) and madmom's CNN on the same clips (committed by `tools/make_key_goldens.py` in
//! `tests/golden/tonal/key_peers.json`, so no Python here).
//!
//! Run with `--nocapture` for the table.

mod common;

use serde_json::Value;
use technob::eval::key::{KeyLabel, Mode as EvalMode, evaluate_key_dataset, mean_score};
use technob::tonal::key::{KeyOptions, KeyProfile, Mode, estimate_key};

/// Measured mean of technob's default profile while it is below the best peer (issue #4 asks
/// for at least the best): the floor it is held to, so a regression fails. `None`: the target
/// is met and asserted.
const KNOWN_SHORTFALL: Option<f64> = None;

fn peers() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tonal/key_peers.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("golden JSON")
}

fn estimator(profile: KeyProfile) -> impl Fn(&technob::Audio) -> technob::Result<KeyLabel> {
    move |audio| {
        let est = estimate_key(
            audio.channel(0),
            f64::from(audio.sample_rate()),
            &KeyOptions { profile, ..KeyOptions::default() },
        )?;
        let key = est.key()?;
        let mode = if key.mode == Mode::Major { EvalMode::Major } else { EvalMode::Minor };
        KeyLabel::new(key.tonic, mode)
    }
}

#[test]
fn key_scores_against_the_peers() {
    let data = common::data_dir();
    let peers = peers();
    let ours = evaluate_key_dataset(&data, estimator(KeyProfile::default())).expect("dataset");
    let mut lines = vec![format!("{:<20} {:<10} {:<10} {:>5}", "clip", "reference", "technob", "score")];
    for s in &ours {
        assert!(s.error.is_none(), "{}: {:?}", s.name, s.error);
        lines.push(format!(
            "{:<20} {:<10} {:<10} {:>5.2}{}",
            s.name,
            s.reference.to_string(),
            s.estimate.map(|k| k.to_string()).unwrap_or_default(),
            s.score.unwrap_or(0.0),
            if s.scored { "" } else { "  (not in the mean: peer label)" }
        ));
    }
    let ours_mean = mean_score(&ours).expect("scored clips");
    let mut best_peer = ("", 0.0f64);
    for (name, v) in peers["mean_score"].as_object().expect("mean_score") {
        let m = v.as_f64().expect("a number");
        lines.push(format!("mean {name:<20} {m:.3}"));
        if m > best_peer.1 {
            best_peer = (name, m);
        }
    }
    lines.push(format!("mean technob ({}) {ours_mean:.3}", KeyProfile::default().name()));
    for profile in KeyProfile::ALL {
        let scores = evaluate_key_dataset(&data, estimator(profile)).expect("dataset");
        lines.push(format!("mean technob {:<10} {:.3}", profile.name(), mean_score(&scores).unwrap_or(0.0)));
    }
    println!("{}", lines.join("\n"));
    match KNOWN_SHORTFALL {
        Some(floor) => {
            assert!(
                ours_mean >= floor - 5e-4,
                "technob {ours_mean:.3} fell below its floor {floor}\n{}",
                lines.join("\n")
            );
            assert!(
                ours_mean < best_peer.1 - 1e-9,
                "technob {ours_mean:.3} now reaches {} {:.3}: set KNOWN_SHORTFALL to None",
                best_peer.0,
                best_peer.1
            );
        }
        // The target of issue #4: at least the best peer (mean over the same clips, same metric).
        None => assert!(
            ours_mean >= best_peer.1 - 1e-9,
            "technob {ours_mean:.3} < {} {:.3}\n{}",
            best_peer.0,
            best_peer.1,
            lines.join("\n")
        ),
    }
}
