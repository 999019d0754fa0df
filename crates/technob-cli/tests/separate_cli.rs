//! `technob separate`: stems named by role, with the input's rate, channels and length, that add
//! back to the input; the JSON report; clear errors for bad parameters and unwritable outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use technob::audio::{DecodeOptions, decode_file};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The MUSDB sample mixture (6.8 s, 44.1 kHz stereo) from ../shared/data.
fn mixture() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sigsep-mus-eval/derived-wav/Music Delta - 80s Rock/mixture.wav");
    assert!(path.exists(), "{} is missing", path.display());
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-separate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Decode the written stems and check they match the input's shape and add back to it.
fn check_stems(input: &Path, doc: &serde_json::Value, names: &[&str], tolerance: f32) {
    let x = decode_file(input, &DecodeOptions { mono: false }).unwrap();
    let stems: Vec<_> = doc["stems"].as_array().unwrap().iter().collect();
    let got: Vec<&str> = stems.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(got, names);
    let decoded: Vec<_> = stems
        .iter()
        .map(|s| decode_file(s["path"].as_str().unwrap(), &DecodeOptions { mono: false }).unwrap())
        .collect();
    for d in &decoded {
        assert_eq!(
            (d.sample_rate(), d.n_channels(), d.n_frames()),
            (x.sample_rate(), x.n_channels(), x.n_frames())
        );
    }
    let mut worst = 0.0f32;
    for c in 0..x.n_channels() {
        for (i, &v) in x.channel(c).iter().enumerate() {
            let sum: f32 = decoded.iter().map(|d| d.channel(c)[i]).sum();
            worst = worst.max((sum - v).abs());
        }
    }
    assert!(worst <= tolerance, "the stems add back with a largest error of {worst}");
    assert_eq!(doc["sample_rate"], x.sample_rate());
    assert_eq!(doc["channels"], x.n_channels());
    assert_eq!(doc["frames"], x.n_frames());
}

#[test]
fn hpss_with_a_margin_writes_three_stems_that_add_back() {
    let input = mixture();
    let dir = scratch("hpss");
    let out = technob(&[
        "separate",
        input.to_str().unwrap(),
        "--method",
        "hpss",
        "--margin",
        "2",
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["method"], "hpss");
    check_stems(&input, &doc, &["harmonic", "percussive", "residual"], 1e-5);
    assert!(doc["reconstruction"]["snr_db"].as_f64().is_none_or(|db| db > 100.0), "{doc}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn repet_and_denoise_write_their_stems() {
    let input = mixture();
    let dir = scratch("repet");
    let doc = json(&technob(&[
        "separate",
        input.to_str().unwrap(),
        "--method",
        "repet",
        "-o",
        dir.to_str().unwrap(),
        "--json",
    ]));
    check_stems(&input, &doc, &["vocals", "background"], 1e-5);
    // The vocal is quieter than the backing in this mix, and not silent.
    let level = |i: usize| doc["stems"][i]["rms_dbfs"].as_f64().unwrap();
    assert!(level(0) < level(1) && level(0) > -60.0, "{doc}");
    let dir2 = scratch("denoise");
    let doc = json(&technob(&[
        "separate",
        input.to_str().unwrap(),
        "--method",
        "denoise",
        "--strength",
        "0.5",
        "--noise-from",
        "0:00-0:00.5",
        "--format",
        "i24",
        "-o",
        dir2.to_str().unwrap(),
        "--json",
    ]));
    // 24-bit rounding of each stem: within two 24-bit steps.
    check_stems(&input, &doc, &["clean", "noise"], 2.5 / 8_388_608.0);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn nmf_with_templates_from_an_example_marks_them() {
    let input = mixture();
    let drums = input.with_file_name("drums.wav");
    let dir = scratch("nmf");
    let doc = json(&technob(&[
        "separate",
        input.to_str().unwrap(),
        "--method",
        "nmf",
        "--components",
        "4",
        "--iterations",
        "40",
        "--template",
        drums.to_str().unwrap(),
        "--template-components",
        "2",
        "-o",
        dir.to_str().unwrap(),
        "--json",
    ]));
    check_stems(&input, &doc, &["component-1", "component-2", "component-3", "component-4"], 1e-5);
    let fixed = doc["stems"].as_array().unwrap().iter().filter(|s| s["from_template"] == true).count();
    assert_eq!(fixed, 2, "{doc}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_parameters_and_outputs_fail_cleanly() {
    let input = mixture();
    let input = input.to_str().unwrap();
    let dir = scratch("bad");
    let dir_s = dir.to_str().unwrap();
    let cases: [(&[&str], u8, &str); 8] = [
        (&["separate", input, "--method", "nmf", "--components", "0", "-o", dir_s], 2, "component"),
        (
            &["separate", input, "--method", "nmf", "--template", "/no/kick.wav", "-o", dir_s],
            2,
            "/no/kick.wav",
        ),
        (&["separate", input, "--method", "nmf", "--iterations", "0", "-o", dir_s], 2, "iteration"),
        (&["separate", "/no/such/file.wav", "-o", dir_s], 2, "no/such/file.wav"),
        (&["separate", input, "--margin", "0.5", "-o", dir_s], 2, "margin"),
        (&["separate", input, "--method", "denoise", "--strength", "3", "-o", dir_s], 2, "strength"),
        (&["separate", input, "--method", "denoise", "--noise-from", "9-10", "-o", dir_s], 2, "excerpt"),
        (&["separate", input, "--method", "repet", "--min-distance", "4", "-o", dir_s], 2, "too short"),
    ];
    for (args, code, needle) in cases {
        let out = technob(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(i32::from(code)), "{args:?}: {stderr}");
        assert!(stderr.to_lowercase().contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
    }
    // Nothing was written for failed runs.
    assert!(!dir.exists());
    // An output directory that cannot be created (a file is in the way): exit 1, named.
    let blocker = scratch("blocker");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let out = technob(&["separate", input, "-o", blocker.join("stems").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stems"), "{stderr}");
    std::fs::remove_file(&blocker).unwrap();
}
