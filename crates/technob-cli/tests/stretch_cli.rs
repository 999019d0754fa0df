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

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("technob-{name}-{}.wav", std::process::id()))
}

#[test]
fn shift_to_a_key_is_detected_again() {
    let input = techno_loop();
    let out = temp("shift-key");
    let out_s = out.to_str().unwrap();
    let doc = json(&technob(&["shift", &input, out_s, "--to-key", "10A", "--json"]));
    assert_eq!(doc["semitones"].as_f64(), Some(2.0), "{doc}");
    assert!(doc["detected_key"].as_str().unwrap().contains("8A"), "{doc}");
    let key = json(&technob(&["key", out_s, "--json"]));
    assert_eq!(key["key"]["camelot"].as_str(), Some("10A"), "{key}");
    let info = json(&technob(&["info", out_s, "--json"]));
    assert_eq!(info["audio"]["frames"].as_u64(), doc["frames"].as_u64(), "{info}");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn quantize_reaches_the_tempo_and_stems_follow() {
    let input = techno_loop();
    let out = temp("quantize");
    let out_s = out.to_str().unwrap();
    // The input itself as a "stem": it must come out identical to the quantized mix.
    let doc = json(&technob(&["quantize", &input, out_s, "--bpm", "128", "--stem", &input, "--json"]));
    assert_eq!(doc["target_bpm"].as_f64(), Some(128.0));
    let stem = doc["stems"][0].as_str().unwrap().to_string();
    let beats = json(&technob(&["beats", out_s, "--format", "json"]));
    let bpm = beats["tempo"]["bpm"].as_f64().or_else(|| beats["bpm"].as_f64()).unwrap();
    assert!((bpm - 128.0).abs() < 0.05, "re-tracked {bpm} BPM");
    assert_eq!(std::fs::read(&stem).unwrap(), std::fs::read(&out).unwrap(), "the stem differs from the mix");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&stem);
}

#[test]
fn quantize_and_shift_refuse_bad_input_in_one_line() {
    let input = techno_loop();
    let out = temp("qs-bad");
    let out_s = out.to_str().unwrap();
    let beats = std::env::temp_dir().join(format!("technob-bad-beats-{}.txt", std::process::id()));
    std::fs::write(&beats, "0.5 1\nnot-a-time\n").unwrap();
    let beats_s = beats.to_str().unwrap();
    for (args, needle) in [
        (vec!["shift", &input, out_s, "--semitones", "40"], "semitones"),
        (vec!["shift", &input, out_s, "--to-key", "13C"], "to-key"),
        (vec!["shift", &input, out_s], "semitones"),
        (vec!["quantize", &input, out_s, "--bpm", "0"], "bpm"),
        (vec!["quantize", &input, out_s, "--bpm", "128", "--beats", beats_s], "line 2"),
        (vec!["quantize", &input, out_s, "--bpm", "128", "--stem", "/no/such.wav"], "/no/such.wav"),
        (vec!["quantize", &input, out_s, "--grid-from", "/no/such.wav"], "/no/such.wav"),
    ] {
        let o = technob(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.to_lowercase().contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(!out.exists());
    let _ = std::fs::remove_file(&beats);
}

#[test]
fn quantize_to_another_tracks_grid_lands_on_its_downbeats() {
    let input = techno_loop();
    let demo = temp("grid-demo");
    let out = temp("grid-out");
    let (demo_s, out_s) = (demo.to_str().unwrap(), out.to_str().unwrap());
    assert!(technob(&["demo", demo_s]).status.success());
    let reference = json(&technob(&["beats", demo_s, "--format", "json"]));
    let doc = json(&technob(&["quantize", &input, out_s, "--grid-from", demo_s, "--json"]));
    let bpm = reference["grid"]["bpm"].as_f64().unwrap();
    assert_eq!(doc["target_bpm"].as_f64(), Some(bpm), "{doc}");
    // The re-tracked first downbeat sits on one of the demo's downbeats (mod one bar).
    let again = json(&technob(&["beats", out_s, "--format", "json"]));
    assert!((again["grid"]["bpm"].as_f64().unwrap() - bpm).abs() < 0.05, "{again}");
    let bar = 4.0 * 60.0 / bpm;
    let offset = again["grid"]["first_downbeat_s"].as_f64().unwrap()
        - reference["grid"]["first_downbeat_s"].as_f64().unwrap();
    let phase = offset - (offset / bar).round() * bar;
    println!("downbeat phase against the demo's grid: {:.1} ms", phase * 1e3);
    assert!(phase.abs() < 0.02, "downbeats {:.1} ms off the demo's", phase * 1e3);
    let _ = std::fs::remove_file(&demo);
    let _ = std::fs::remove_file(&out);
}

#[test]
fn quantize_reads_technobs_own_beat_files() {
    let input = techno_loop();
    let out = temp("beats-file");
    let out_s = out.to_str().unwrap();
    let tracked = json(&technob(&["quantize", &input, out_s, "--bpm", "128", "--json"]));
    for format in ["csv", "labels"] {
        let beats = std::env::temp_dir().join(format!("technob-beats-{}.{format}", std::process::id()));
        let written = technob(&["beats", &input, "--format", format, "-o", beats.to_str().unwrap()]);
        assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
        let doc = json(&technob(&[
            "quantize",
            &input,
            out_s,
            "--bpm",
            "128",
            "--beats",
            beats.to_str().unwrap(),
            "--json",
        ]));
        assert_eq!(doc["beats_from"], "file");
        assert_eq!(doc["beats"], tracked["beats"], "{format}: {doc}");
        // Same downbeats as the tracker's, to the 6 decimals of the file.
        let d = doc["first_downbeat_s"].as_f64().unwrap() - tracked["first_downbeat_s"].as_f64().unwrap();
        assert!(d.abs() < 1e-4, "{format}: first downbeat differs by {d} s");
        let _ = std::fs::remove_file(&beats);
    }
    let _ = std::fs::remove_file(&out);
}
