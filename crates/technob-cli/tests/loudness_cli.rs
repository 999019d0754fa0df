//! `technob loudness` and the `loudness` object of `technob analyze`: the streaming meter of
//! `analyze` (which never holds a stereo file as stereo) agrees with `technob loudness`, both
//! with ffmpeg's golden value, and `--normalize` reaches the target.

use std::path::PathBuf;
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Real stereo techno (30.7 s MP3) from ../shared/data.
fn techno_loop() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/essentia-audio/recorded/techno_loop.mp3");
    assert!(path.exists(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

#[test]
fn analyze_and_loudness_agree_on_a_stereo_file_and_with_ffmpeg() {
    let file = techno_loop();
    let analysis = json(&technob(&["analyze", &file, "--json"]));
    let loudness = json(&technob(&["loudness", &file, "--json"]));
    let (a, l) = (&analysis["loudness"], &loudness);
    for (field, tolerance) in [("integrated_lufs", 0.005), ("range_lu", 0.005), ("true_peak_dbtp", 0.005)] {
        let (x, y) = (a[field].as_f64().unwrap(), l[field].as_f64().unwrap());
        assert!((x - y).abs() <= tolerance, "{field}: analyze {x} vs loudness {y} (analyze rounds to 0.01)");
    }
    // ffmpeg's ebur128 filter reads -12.973 LUFS (tools/make_loudness_goldens.py).
    let i = l["integrated_lufs"].as_f64().unwrap();
    assert!((i + 12.973).abs() < 0.05, "{i}");
    assert_eq!(analysis["audio"]["channels"], 2);
}

#[test]
fn demo_loudness_in_analyze() {
    let analysis = json(&technob(&["analyze", "--json"]));
    let loudness = json(&technob(&["loudness", "--json"]));
    let x = analysis["loudness"]["integrated_lufs"].as_f64().unwrap();
    let y = loudness["integrated_lufs"].as_f64().unwrap();
    assert!((x - y).abs() <= 0.005, "{x} vs {y}");
    // A club master: louder than the streaming target.
    assert!(y > -14.0 && y < -6.0, "{y}");
    let curve = loudness["short_term_lufs"].as_array().unwrap();
    let duration = analysis["audio"]["duration_s"].as_f64().unwrap();
    assert_eq!(curve.len(), (duration * 10.0) as usize);
}

#[test]
fn normalize_reaches_the_target_under_the_ceiling() {
    let dir = std::env::temp_dir().join(format!("technob-loudness-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("quiet.wav");
    let out_str = out.to_string_lossy().into_owned();
    // The loop is at -13 LUFS with a true peak of -0.4 dBTP: -18 LUFS is a plain 5 dB cut.
    let report =
        json(&technob(&["loudness", &techno_loop(), "--target", "-18", "--normalize", &out_str, "--json"]));
    assert!(report["gain_to_target_db"].as_f64().unwrap() < -4.9);
    let after = json(&technob(&["loudness", &out_str, "--json"]));
    let i = after["integrated_lufs"].as_f64().unwrap();
    assert!((i + 18.0).abs() < 0.02, "{i}");
    assert!(after["true_peak_dbtp"].as_f64().unwrap() <= -1.0);
    let _ = std::fs::remove_dir_all(&dir);
}
