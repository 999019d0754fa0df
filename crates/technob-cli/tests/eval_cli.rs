//! `technob eval beats --ref --est`: scores in JSON and as a table; unusable files → exit 2
//! with one stderr line naming the file.

use std::path::PathBuf;
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

/// A fresh directory under the system temp dir for this test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-eval-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 40 beats at 120 BPM from 5.5 s, 4 to the bar; the estimate misses every 4th beat and is
/// 20 ms late: precision 1, recall 0.75, F = 6/7.
fn write_pair(dir: &std::path::Path) -> (String, String) {
    let mut reference = String::from("# time position\n");
    let mut estimate = String::new();
    for i in 0..40 {
        let t = 5.5 + 0.5 * i as f64;
        reference.push_str(&format!("{t:.3}\t{}\n", i % 4 + 1));
        if i % 4 != 3 {
            estimate.push_str(&format!("{:.3} {}\n", t + 0.02, i % 4 + 1));
        }
    }
    let (r, e) = (dir.join("ref.beats"), dir.join("est.beats"));
    std::fs::write(&r, reference).unwrap();
    std::fs::write(&e, estimate).unwrap();
    (r.to_string_lossy().to_string(), e.to_string_lossy().to_string())
}

#[test]
fn json_scores() {
    let dir = temp_dir("json");
    let (r, e) = write_pair(&dir);
    let out = technob(&["eval", "beats", "--ref", &r, "--est", &e, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let f = doc["scores"]["f_measure"].as_f64().unwrap();
    assert!((f - 6.0 / 7.0).abs() < 1e-12, "{doc}");
    assert_eq!(doc["reference_beats"], 40);
    assert_eq!(doc["estimated_beats"], 30);
    assert_eq!(doc["downbeat_f_measure"], 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn table() {
    let dir = temp_dir("table");
    let (r, e) = write_pair(&dir);
    let out = technob(&["eval", "beats", "--ref", &r, "--est", &e]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("F-measure") && text.contains("0.8571"), "{text}");
    assert!(text.contains("Downbeat F-measure") && text.contains("Information gain"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_files_exit_2_naming_the_file() {
    let dir = temp_dir("bad");
    let (r, _) = write_pair(&dir);
    let missing = dir.join("missing.beats").to_string_lossy().to_string();
    let garbled = dir.join("garbled.beats");
    std::fs::write(&garbled, "5.5\n6.0\nsix\n").unwrap();
    let garbled = garbled.to_string_lossy().to_string();
    for est in [&missing, &garbled] {
        let out = technob(&["eval", "beats", "--ref", &r, "--est", est]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(est.as_str()), "{lines:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
