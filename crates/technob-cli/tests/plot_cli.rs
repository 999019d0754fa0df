//! `technob plot`: panels chosen with `--panels`, segments from a file, PNG and SVG written
//! deterministically; bad panel names, segments files and sizes refused with exit code 2 and
//! one stderr line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

/// A real clip (3 s, mono, resynthesised, CC BY-NC 4.0) from ../shared/data.
fn clip() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/mirdata/mdb_stem_synth/audio_stems/AClassicEducation_NightOwl_STEM_08.RESYN.wav");
    assert!(path.exists(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-plot-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = technob(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {lines:?}");
    assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "{args:?}: {lines:?}");
}

#[test]
fn panels_and_segments_draw_png_and_svg_deterministically() {
    let dir = temp_dir("ok");
    let segments = dir.join("segments.txt");
    std::fs::write(&segments, "0.5\t1.5\tintro\n1.5\t2.5\tdrop\n").unwrap();
    let clip = clip();
    for ext in ["png", "svg"] {
        let mut outputs = Vec::new();
        for run in 0..2 {
            let out = dir.join(format!("plot{run}.{ext}"));
            let args = [
                "plot",
                &clip,
                "-o",
                path_str(&out),
                "--panels",
                "waveform3,spectrogram,mel,cqt,chroma,loudness",
                "--segments",
                path_str(&segments),
                "--target",
                "-16",
                "--width",
                "640",
                "--height",
                "720",
                "--from",
                "0.25",
                "--to",
                "2.75",
                "--no-beats",
            ];
            let result = technob(&args);
            assert_eq!(result.status.code(), Some(0), "{}", String::from_utf8_lossy(&result.stderr));
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(outputs[0], outputs[1], "{ext} output is deterministic");
        if ext == "png" {
            assert_eq!(&outputs[0][1..4], b"PNG");
        } else {
            let svg = String::from_utf8(outputs[0].clone()).unwrap();
            for text in ["intro", "drop", "target -16.0 LUFS", "pitch class", "note", "mel (Hz)", "time (s)"]
            {
                assert!(svg.contains(text), "the SVG lacks {text:?}");
            }
            assert_eq!(svg.matches("<image").count(), 5, "one image per heatmap panel");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_default_picture_is_waveform_over_spectrogram() {
    let dir = temp_dir("default");
    let out = dir.join("plot.svg");
    let result =
        technob(&["plot", &clip(), "-o", path_str(&out), "--no-beats", "--width", "500", "--height", "300"]);
    assert_eq!(result.status.code(), Some(0), "{}", String::from_utf8_lossy(&result.stderr));
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("amplitude") && svg.contains("frequency (Hz)") && !svg.contains("LUFS"));
    assert_eq!(svg.matches("<image").count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_are_usage_errors() {
    let dir = temp_dir("bad");
    let out = dir.join("plot.png");
    let out = path_str(&out);
    let clip = clip();
    assert_usage_error(
        &["plot", &clip, "-o", out, "--panels", "waveform,sonogram"],
        "valid: waveform, waveform3",
    );
    assert_usage_error(&["plot", &clip, "-o", out, "--panels", ","], "no panel");
    let segments = dir.join("bad.csv");
    std::fs::write(&segments, "start_s,end_s,label\n2,1,backwards\n").unwrap();
    assert_usage_error(&["plot", &clip, "-o", out, "--segments", path_str(&segments)], "bad.csv");
    assert_usage_error(
        &["plot", &clip, "-o", out, "--segments", "/nonexistent/segments.txt"],
        "segments.txt",
    );
    assert_usage_error(
        &["plot", &clip, "-o", out, "--no-beats", "--height", "150", "--panels", "waveform,mel,cqt,chroma"],
        "too small",
    );
    assert_usage_error(
        &["plot", &clip, "-o", out, "--no-beats", "--panels", "curves", "--curves", "nope"],
        "nope",
    );
    assert_usage_error(
        &["plot", &clip, "-o", out, "--no-beats", "--panels", "curves", "--curves", ","],
        "curve",
    );
    assert!(!Path::new(out).exists(), "nothing is written on error");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn curves_panel_draws_named_descriptors() {
    let dir = temp_dir("curves");
    let out = dir.join("curves.png");
    let clip = clip();
    let args = [
        "plot",
        &clip,
        "-o",
        path_str(&out),
        "--no-beats",
        "--panels",
        "waveform,curves",
        "--curves",
        "rms,chroma_A",
    ];
    let result = technob(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let png = std::fs::read(&out).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
}
