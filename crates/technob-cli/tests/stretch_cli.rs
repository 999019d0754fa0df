//! `technob stretch`: exact output length, the tempo reached with --bpm (re-tracked by technob
//! itself), and clear errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn techno_loop() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/essentia-audio/recorded/techno_loop.mp3");
    assert!(path.exists(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

#[test]
fn bpm_target_is_reached_and_length_is_exact() {
    let input = techno_loop();
    let out = std::env::temp_dir().join(format!("technob-stretch-{}.wav", std::process::id()));
    let out_s = out.to_str().unwrap();
    let doc = json(&technob(&["stretch", &input, out_s, "--bpm", "130", "--json"]));
    let (n_in, n_out) = (doc["frames_in"].as_u64().unwrap(), doc["frames_out"].as_u64().unwrap());
    let ratio = doc["ratio"].as_f64().unwrap();
    assert_eq!(n_out, (n_in as f64 * ratio).round() as u64);
    assert!((doc["detected_bpm"].as_f64().unwrap() - 125.0).abs() < 0.1, "{doc}");
    // Re-track the output: 130 BPM.
    let beats = json(&technob(&["beats", out_s, "--format", "json"]));
    let bpm = beats["tempo"]["bpm"].as_f64().or_else(|| beats["bpm"].as_f64()).unwrap();
    assert!((bpm - 130.0).abs() < 0.5, "re-tracked {bpm} BPM");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn bad_parameters_are_one_line_errors() {
    let input = techno_loop();
    let out = std::env::temp_dir().join(format!("technob-stretch-bad-{}.wav", std::process::id()));
    let out_s = out.to_str().unwrap();
    for (args, needle) in [
        (vec!["stretch", &input, out_s, "--ratio", "9"], "ratio"),
        (vec!["stretch", &input, out_s, "--bpm", "1000"], "bpm"),
        (vec!["stretch", "/no/such.wav", out_s, "--ratio", "1.1"], "/no/such.wav"),
    ] {
        let o = technob(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.to_lowercase().contains(needle), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(!out.exists());
}
