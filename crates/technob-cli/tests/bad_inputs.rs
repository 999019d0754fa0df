//! Every damaged or hostile input of `tests/bad_inputs/` (made by `tools/make_bad_inputs.py`)
//! through `technob info` and `technob analyze`: never a panic; for errors exit code 2, one line
//! on stderr naming the file, nothing on stdout; for truncated compressed files the decodable
//! part with one warning line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("bad_inputs")
}

fn manifest_json() -> serde_json::Value {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.json")).expect("MANIFEST.json");
    serde_json::from_str(&text).expect("valid manifest")
}

fn manifest() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.json")).expect("MANIFEST.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid manifest");
    let files = json["files"].as_object().expect("files object");
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|(name, v)| (name.clone(), v["expect"].as_str().unwrap_or("").to_string()))
        .collect();
    out.sort();
    out
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect()
}

/// An error: exit 2, nothing on stdout, exactly one stderr line naming the file.
fn assert_clean_error(out: &Output, path: &str, context: &str) {
    let lines = stderr_lines(out);
    assert_eq!(out.status.code(), Some(2), "{context}: exit code; stderr: {lines:?}");
    assert!(
        out.stdout.is_empty(),
        "{context}: stdout must be empty, got {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(lines.len(), 1, "{context}: one stderr line, got {lines:?}");
    assert!(lines[0].starts_with("error: "), "{context}: {lines:?}");
    assert!(lines[0].contains(path), "{context}: the message must name {path}: {lines:?}");
}

#[test]
fn corpus_through_analyze() {
    let cases = manifest();
    let json = manifest_json();
    assert!(cases.len() >= 15, "the corpus is incomplete: {cases:?}");
    for (name, expect) in cases {
        let path = corpus_dir().join(&name);
        let path_s = path.to_string_lossy().to_string();
        let out = technob(&["analyze", "--json", &path_s]);
        let lines = stderr_lines(&out);
        match expect.as_str() {
            "error" => assert_clean_error(&out, &path_s, &name),
            "warning" => {
                assert_eq!(out.status.code(), Some(0), "{name}: {lines:?}");
                assert_eq!(lines.len(), 1, "{name}: one warning line, got {lines:?}");
                assert!(lines[0].starts_with("warning: ") && lines[0].contains(&path_s), "{name}: {lines:?}");
                let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                let dur = doc["audio"]["duration_s"].as_f64().unwrap_or(0.0);
                let range = &json["files"][&name]["duration_s"];
                let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
                assert!(dur >= lo && dur <= hi, "{name}: decoded {dur} s, expected {lo}..={hi}");
            }
            "ok" => {
                assert_eq!(out.status.code(), Some(0), "{name}: {lines:?}");
                assert!(lines.is_empty(), "{name}: no stderr expected: {lines:?}");
                let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                assert_eq!(doc["schema_version"], 1);
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
}

#[test]
fn corpus_through_info_keeps_going_after_failures() {
    let cases = manifest();
    let paths: Vec<String> =
        cases.iter().map(|(n, _)| corpus_dir().join(n).to_string_lossy().to_string()).collect();
    let mut args = vec!["info", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let out = technob(&args);
    assert_eq!(out.status.code(), Some(2), "some files are bad, so the exit code is 2");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let objects: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("JSON Lines")).collect();
    // `info` describes what decodes (a one-sample file is valid audio: too short only to analyse).
    let described: Vec<&str> = objects.iter().filter_map(|o| o["file"].as_str()).collect();
    for (name, expect) in &cases {
        let listed = described.iter().any(|d| d.ends_with(name.as_str()));
        let should = expect != "error" || name == "one_sample.wav";
        assert_eq!(listed, should, "{name} ({expect}) listed on stdout: {listed}");
    }
    for o in &objects {
        for key in ["duration_s", "sample_rate", "channels", "codec", "frames"] {
            assert!(!o["audio"][key].is_null(), "{key} missing in {o}");
        }
    }
    let err_lines = stderr_lines(&out);
    let errors = err_lines.iter().filter(|l| l.starts_with("error: ")).count();
    let expected_errors = cases.iter().filter(|(n, e)| e == "error" && n != "one_sample.wav").count();
    assert_eq!(errors, expected_errors, "{err_lines:?}");
}

#[test]
fn missing_file_and_directory() {
    let out = technob(&["analyze", "/definitely/not/here.wav"]);
    assert_clean_error(&out, "/definitely/not/here.wav", "missing");
    assert!(stderr_lines(&out)[0].contains("no such file"));
    let dir = corpus_dir();
    let dir_s = dir.to_string_lossy().to_string();
    let out = technob(&["analyze", &dir_s]);
    assert_clean_error(&out, &dir_s, "directory");
    assert!(stderr_lines(&out)[0].contains("directory"));
    let out = technob(&["info", "/definitely/not/here.wav"]);
    assert_clean_error(&out, "/definitely/not/here.wav", "info missing");
}

#[test]
fn bad_arguments_are_exit_2() {
    let out = technob(&["analyze", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = technob(&["info"]);
    assert_eq!(out.status.code(), Some(2));
    let out = technob(&["demo", "/tmp/technob-demo-test.mp3"]);
    assert_eq!(out.status.code(), Some(2), "unsupported output extension");
}

#[test]
fn unwritable_output_is_exit_1_and_names_the_file() {
    let out = technob(&["demo", "/nonexistent-dir/demo.wav"]);
    assert_eq!(out.status.code(), Some(1));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("/nonexistent-dir/demo.wav"), "{lines:?}");
}

#[test]
fn corpus_through_separate() {
    // Every method on every damaged file: a decode error is one clean line (exit 2); what
    // decodes is separated (exit 0) or refused as too short for the method (exit 2, one line
    // naming the file) — never a panic, and never a stem left behind by a failed run.
    let out_root = std::env::temp_dir().join(format!("technob-bad-separate-{}", std::process::id()));
    for (name, _expect) in manifest() {
        let path = corpus_dir().join(&name);
        let path_s = path.to_string_lossy().to_string();
        for method in ["hpss", "nmf", "repet", "denoise"] {
            let dir = out_root.join(format!("{name}-{method}"));
            let out =
                technob(&["separate", &path_s, "--method", method, "-o", dir.to_str().unwrap(), "--json"]);
            let lines = stderr_lines(&out);
            let context = format!("{name} {method}");
            // (Files `analyze` refuses as too short, such as one sample, may still separate.)
            match out.status.code() {
                Some(0) => {
                    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                    assert_eq!(doc["method"], method, "{context}");
                }
                Some(2) => {
                    let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("error: ")).collect();
                    assert_eq!(errors.len(), 1, "{context}: {lines:?}");
                    assert!(errors[0].contains(&path_s), "{context}: {lines:?}");
                    assert!(!dir.exists(), "{context}: a failed run left {}", dir.display());
                }
                other => panic!("{context}: exit {other:?}, stderr {lines:?}"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out_root);
}

#[test]
fn corpus_through_stretch_shift_and_quantize() {
    // Time and pitch on every damaged file: decoded files are stretched/shifted (exit 0) or
    // refused in one line naming the file (exit 2: nothing to stretch, no beats to quantize);
    // never a panic, and never an output left by a failed run.
    let out_root = std::env::temp_dir().join(format!("technob-bad-stretch-{}", std::process::id()));
    std::fs::create_dir_all(&out_root).unwrap();
    for (name, _expect) in manifest() {
        let path = corpus_dir().join(&name);
        let path_s = path.to_string_lossy().to_string();
        for (command, extra) in [
            ("stretch", vec!["--ratio", "1.3"]),
            ("shift", vec!["--semitones", "-3"]),
            ("quantize", vec!["--bpm", "128"]),
        ] {
            let out_path = out_root.join(format!("{name}-{command}.wav"));
            let mut args = vec![command, path_s.as_str(), out_path.to_str().unwrap(), "--json"];
            args.extend(extra.iter().copied());
            let out = technob(&args);
            let lines = stderr_lines(&out);
            let context = format!("{name} {command}");
            match out.status.code() {
                Some(0) => {
                    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                    assert!(out_path.exists(), "{context}: no output written");
                }
                Some(2) => {
                    let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("error: ")).collect();
                    assert_eq!(errors.len(), 1, "{context}: {lines:?}");
                    assert!(errors[0].contains(&path_s), "{context}: {lines:?}");
                    assert!(!out_path.exists(), "{context}: a failed run left {}", out_path.display());
                }
                other => panic!("{context}: exit {other:?}, stderr {lines:?}"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out_root);
}

#[test]
fn corpus_through_segment() {
    // Every method on every damaged file: what decodes is segmented (exit 0, JSON on stdout) or
    // refused in one line naming the file (exit 2: undecodable, no beats, too short); never a
    // panic, and never a split part left by a failed run.
    let out_root = std::env::temp_dir().join(format!("technob-bad-segment-{}", std::process::id()));
    for (name, expect) in manifest() {
        let path = corpus_dir().join(&name);
        let path_s = path.to_string_lossy().to_string();
        for method in ["silence", "bars", "techno"] {
            let dir = out_root.join(format!("{name}-{method}"));
            let args = ["segment", &path_s, "--method", method, "--json", "--split", dir.to_str().unwrap()];
            let out = technob(&args);
            let lines = stderr_lines(&out);
            let context = format!("{name} {method}");
            match out.status.code() {
                Some(0) => {
                    // (A one-sample file decodes: too short to analyse, not to split on silence.)
                    let decodable = expect != "error" || name == "one_sample.wav";
                    assert!(decodable, "{context}: an undecodable file was segmented");
                    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
                    let n = doc["segments"].as_array().expect("segments").len();
                    let written = std::fs::read_dir(&dir).map_or(0, |d| d.count());
                    assert_eq!(written, n, "{context}: one part per segment");
                    let warnings = lines.iter().filter(|l| l.starts_with("warning: ")).count();
                    assert_eq!(warnings, lines.len(), "{context}: only warnings on success: {lines:?}");
                }
                Some(2) => {
                    // (A truncated file may warn before it is refused: the warning is its own line.)
                    let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("error: ")).collect();
                    assert_eq!(errors.len(), 1, "{context}: {lines:?}");
                    assert!(errors[0].contains(&path_s), "{context}: {lines:?}");
                    assert!(
                        lines.iter().all(|l| l.starts_with("error: ") || l.starts_with("warning: ")),
                        "{lines:?}"
                    );
                    assert!(out.stdout.is_empty(), "{context}: output on failure");
                    let written = std::fs::read_dir(&dir).map_or(0, |d| d.count());
                    assert_eq!(written, 0, "{context}: a failed run left parts in {}", dir.display());
                }
                other => panic!("{context}: exit {other:?}, stderr {lines:?}"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out_root);
}
