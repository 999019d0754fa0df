//! `technob beats`: argument errors are refused before any decoding, with exit code 2, one line
//! on stderr and nothing on stdout or on disk.

use std::process::{Command, Output};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = technob(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {lines:?}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout {:?}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(lines.len(), 1, "{args:?}: one stderr line, got {lines:?}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "{args:?}: {lines:?}");
}

#[test]
fn bad_tempo_ranges() {
    assert_usage_error(&["beats", "--tempo-range", "200-60"], "--tempo-range 200-60: LO must be below HI");
    assert_usage_error(&["beats", "--tempo-range", "120-120"], "LO must be below HI");
    assert_usage_error(&["beats", "--tempo-range", "10-200"], "within 20-400");
    assert_usage_error(&["beats", "--tempo-range", "60-401"], "within 20-400");
    assert_usage_error(&["beats", "--tempo-range", "fast"], "expected LO-HI");
    assert_usage_error(&["beats", "--tempo-range", "x-200"], "'x' is not a number");
    // Checked before the file is even opened.
    assert_usage_error(
        &["beats", "/nonexistent/track.wav", "--tempo-range", "200-60"],
        "LO must be below HI",
    );
}

#[test]
fn dj_formats_need_a_file() {
    assert_usage_error(&["beats", "--format", "rekordbox"], "needs an audio FILE");
    assert_usage_error(&["beats", "--format", "traktor"], "needs an audio FILE");
    let out = std::env::temp_dir().join(format!("technob-beats-{}.nml", std::process::id()));
    assert_usage_error(&["beats", "-o", &out.to_string_lossy()], "needs an audio FILE");
    assert!(!out.exists());
}

#[test]
fn unknown_output_extension() {
    let out = std::env::temp_dir().join(format!("technob-beats-{}.mp3", std::process::id()));
    assert_usage_error(&["beats", "-o", &out.to_string_lossy()], "use --format");
    assert!(!out.exists());
}

#[test]
fn missing_file_is_named() {
    let out = technob(&["beats", "/nonexistent/track.wav", "--format", "csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/track.wav"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn clap_rejects_unknown_choices() {
    for args in [["beats", "--format", "mp3"], ["beats", "--meter", "5"], ["beats", "--style", "jazz"]] {
        let out = technob(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn help_lists_the_formats() {
    let out = technob(&["beats", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["rekordbox", "traktor", "jams", "labels", "--click", "--tempo-range", "--meter", "--style"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let top = technob(&["--help"]);
    assert!(
        String::from_utf8_lossy(&top.stdout).contains("Track tempo, beats, downbeats and the DJ beat grid")
    );
}
