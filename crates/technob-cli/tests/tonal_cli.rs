//! `technob key` and `technob pitch`: outputs in the documented formats, and argument errors
//! refused with exit code 2, one stderr line and nothing on stdout.

use std::path::PathBuf;
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

/// A real clip with exact f0 (3 s, resynthesised, CC BY-NC 4.0) from ../shared/data.
fn clip() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/mirdata/mdb_stem_synth/audio_stems/AClassicEducation_NightOwl_STEM_08.RESYN.wav");
    assert!(path.exists(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-tonal-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = technob(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {lines:?}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout {:?}", String::from_utf8_lossy(&out.stdout));
    assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "{args:?}: {lines:?}");
}

#[test]
fn pitch_csv_has_the_documented_columns() {
    let out = technob(&["pitch", &clip(), "--csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("time_s,f0_hz,voiced,voiced_prob"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 400, "{} rows", rows.len());
    let mut voiced = 0;
    let mut last_t = -1.0;
    for r in &rows {
        assert_eq!(r.len(), 4);
        let (t, f0, p): (f64, f64, f64) =
            (r[0].parse().unwrap(), r[1].parse().unwrap(), r[3].parse().unwrap());
        assert!(t > last_t);
        last_t = t;
        assert!((0.0..=1.0).contains(&p));
        match r[2] {
            "true" => {
                voiced += 1;
                assert!(f0 > 60.0 && f0 < 2100.0, "{r:?}");
            }
            "false" => assert_eq!(f0, 0.0, "unvoiced rows carry f0 0: {r:?}"),
            other => panic!("voiced must be true/false, got {other}"),
        }
    }
    assert!(voiced > rows.len() / 2, "{voiced} of {} voiced", rows.len());
}

#[test]
fn pitch_writes_midi_and_json() {
    let dir = temp_dir("midi");
    let midi = dir.join("notes.mid");
    let out = technob(&["pitch", &clip(), "--json", "--midi", &midi.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["notes"].as_array().unwrap();
    assert!(!notes.is_empty());
    assert!(notes.iter().all(|n| n["name"].as_str().is_some_and(|s| !s.is_empty())));
    assert_eq!(
        doc["track"]["f0_hz"].as_array().unwrap().len(),
        doc["track"]["voiced"].as_array().unwrap().len()
    );
    let bytes = std::fs::read(&midi).unwrap();
    assert_eq!(&bytes[..4], b"MThd");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn key_of_the_demo() {
    let out = technob(&["key", "--json", "--timeline"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["key"]["name"], "F minor");
    assert_eq!(doc["key"]["camelot"], "4A");
    assert_eq!(doc["key"]["open_key"], "9m");
    let compatible: Vec<&str> =
        doc["key"]["compatible"].as_array().unwrap().iter().map(|c| c["camelot"].as_str().unwrap()).collect();
    assert_eq!(compatible, ["4A", "5A", "3A", "4B"]);
    assert!(doc["tuning"]["cents"].as_f64().unwrap().abs() < 5.0);
    assert!(!doc["timeline"].as_array().unwrap().is_empty());
}

#[test]
fn argument_errors() {
    assert_usage_error(&["key", "--profile", "shaath"], "invalid value 'shaath'");
    assert_usage_error(&["pitch", "--hop-ms", "0"], "--hop-ms 0");
    assert_usage_error(&["pitch", "-o", "/tmp/never-written.csv"], "-o needs --csv or --json");
    assert_usage_error(&["pitch", "--csv", "--json"], "cannot be used with");
    assert_usage_error(
        &["pitch", &clip(), "--fmin", "500", "--fmax", "100"],
        "fmin (500) must be below fmax (100)",
    );
    assert_usage_error(&["key", "/nonexistent/track.wav"], "/nonexistent/track.wav");
}

#[test]
fn eval_key_scores_a_pair() {
    let out = technob(&["eval", "key", "--ref", "A minor", "--est", "C major", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["weighted_score"], 0.3);
    let out = technob(&["eval", "key", "--ref", "A minor", "--est", "E minor", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["weighted_score"], 0.5);
    assert_usage_error(&["eval", "key", "--ref", "A minor", "--est", "H major"], "'H major' is not a key");
}
