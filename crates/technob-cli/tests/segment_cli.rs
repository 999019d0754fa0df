//! `technob segment`: the silence and bars methods on generated audio and the demo, every
//! export format parsed back, `--split` files with the right channels, rate, lengths and
//! samples, the techno method on the demo, segments drawn by `technob plot`, and one-line
//! errors for bad input while a batch goes on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use technob::Audio;
use technob::audio::{DecodeOptions, WavFormat, decode_file, write_wav};

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn stdout(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("UTF-8 on stdout")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).expect("one JSON document on stdout")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect()
}

/// Exit 2, nothing on stdout, one `error:` line containing `needle`.
fn assert_one_line_error(out: &Output, needle: &str, context: &str) {
    let lines = stderr_lines(out);
    assert_eq!(out.status.code(), Some(2), "{context}: {lines:?}");
    assert!(out.stdout.is_empty(), "{context}: stdout {:?}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(lines.len(), 1, "{context}: one stderr line, got {lines:?}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "{context}: {lines:?}");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-segment-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SR: u32 = 22_050;

/// Stereo 16-bit WAV: a 220 Hz tone (left) and half of it (right) sounding 0–1 s, 2–4 s and
/// 5.5–6 s, silent elsewhere; 6.5 s long.
fn gapped_tones(dir: &Path) -> PathBuf {
    let sr = SR as f64;
    let on = |t: f64| (0.0..1.0).contains(&t) || (2.0..4.0).contains(&t) || (5.5..6.0).contains(&t);
    let left: Vec<f32> = (0..(6.5 * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            if on(t) { 0.4 * (std::f64::consts::TAU * 220.0 * t).sin() as f32 } else { 0.0 }
        })
        .collect();
    let right: Vec<f32> = left.iter().map(|v| v * 0.5).collect();
    let path = dir.join("gapped.wav");
    write_wav(&Audio::from_synth(vec![left, right], SR).unwrap(), &path, WavFormat::Int16).unwrap();
    path
}

/// The bundled demo (90 s, 128 BPM, sections known) and its ground truth, written once per
/// run into one fixed directory (replaced atomically, so runs leave one copy behind, not one
/// per process).
fn demo() -> &'static (PathBuf, serde_json::Value) {
    static DEMO: OnceLock<(PathBuf, serde_json::Value)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = std::env::temp_dir().join("technob-segment-cli-demo");
        std::fs::create_dir_all(&dir).unwrap();
        let (wav, truth) = (dir.join("demo.wav"), dir.join("truth.json"));
        let out = technob(&["demo", wav.to_str().unwrap(), "--truth", truth.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let truth = serde_json::from_str(&std::fs::read_to_string(truth).unwrap()).unwrap();
        (wav, truth)
    })
}

/// `(start_s, end_s)` of the segments of a JSON export.
fn spans(doc: &serde_json::Value) -> Vec<(f64, f64)> {
    doc["segments"]
        .as_array()
        .expect("a segments array")
        .iter()
        .map(|s| (s["start_s"].as_f64().unwrap(), s["end_s"].as_f64().unwrap()))
        .collect()
}

/// The WAV files `--split` wrote into `dir`, sorted by name.
fn split_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Each split file holds exactly its segment of `source`: same rate and channels, length
/// `round(end·sr) − round(start·sr)`, the same samples (within `tolerance`).
fn check_split(source: &Path, files: &[PathBuf], spans: &[(f64, f64)], tolerance: f32) {
    let x = decode_file(source, &DecodeOptions { mono: false }).unwrap();
    let sr = f64::from(x.sample_rate());
    assert_eq!(files.len(), spans.len(), "{files:?}");
    for (file, &(start, end)) in files.iter().zip(spans) {
        let part = decode_file(file, &DecodeOptions { mono: false }).unwrap();
        let (a, b) = ((start * sr).round() as usize, ((end * sr).round() as usize).min(x.n_frames()));
        assert_eq!(
            (part.sample_rate(), part.n_channels(), part.n_frames()),
            (x.sample_rate(), x.n_channels(), b - a),
            "{}",
            file.display()
        );
        for c in 0..x.n_channels() {
            let worst = part
                .channel(c)
                .iter()
                .zip(&x.channel(c)[a..b])
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f32::max);
            assert!(worst <= tolerance, "{} channel {c}: largest difference {worst}", file.display());
        }
    }
}

#[test]
fn silence_method_finds_the_sounding_parts_and_splits_them() {
    let dir = scratch("silence");
    let input = gapped_tones(&dir);
    let input_s = input.to_str().unwrap();
    let doc = json(&technob(&["segment", input_s, "--method", "silence", "--json"]));
    assert_eq!(doc["file"], input_s);
    let got = spans(&doc);
    let expected = [(0.0, 1.0), (2.0, 4.0), (5.5, 6.0)];
    assert_eq!(got.len(), 3, "{got:?}");
    for (g, e) in got.iter().zip(expected) {
        assert!((g.0 - e.0).abs() < 0.04 && (g.1 - e.1).abs() < 0.04, "{got:?}");
    }
    // A longer --min-silence joins the parts 1 s apart; --min-length drops the short last one.
    let joined =
        json(&technob(&["segment", input_s, "--method", "silence", "--min-silence", "1.2", "--json"]));
    assert_eq!(spans(&joined).len(), 2, "{joined}");
    let long = json(&technob(&["segment", input_s, "--method", "silence", "--min-length", "0.8", "--json"]));
    assert_eq!(spans(&long).len(), 2, "{long}");
    // A threshold above the tone's level: nothing sounds.
    let quiet =
        json(&technob(&["segment", input_s, "--method", "silence", "--threshold-db", "-3", "--json"]));
    assert!(spans(&quiet).is_empty(), "{quiet}");

    let split_dir = dir.join("parts");
    let text = stdout(&technob(&[
        "segment",
        input_s,
        "--method",
        "silence",
        "--split",
        split_dir.to_str().unwrap(),
    ]));
    assert!(text.contains("split       3 files in"), "{text}");
    let files = split_files(&split_dir);
    let names: Vec<String> =
        files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["gapped.01.wav", "gapped.02.wav", "gapped.03.wav"]);
    // A 16-bit source is written back in 16 bits: the samples are exact.
    check_split(&input, &files, &got, 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_table_lists_every_segment() {
    let dir = scratch("table");
    let input = gapped_tones(&dir);
    let text = stdout(&technob(&["segment", input.to_str().unwrap(), "--method", "silence"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("file") && lines[0].contains("gapped.wav"), "{text}");
    assert!(lines[1].contains("silence (3 segments"), "{text}");
    for word in ["start", "end", "bars", "label", "group", "confidence"] {
        assert!(lines[2].contains(word), "{text}");
    }
    assert_eq!(lines.len(), 6, "{text}");
    // Row 2: its number, then its start as m:ss.mmm, near 2 s.
    let fields: Vec<&str> = lines[4].split_whitespace().collect();
    assert_eq!(fields[0], "2", "{text}");
    let (m, s) = fields[1].split_once(':').unwrap();
    let start = m.parse::<f64>().unwrap() * 60.0 + s.parse::<f64>().unwrap();
    assert!((start - 2.0).abs() < 0.04, "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interval_formats_parse_and_labelled_formats_are_refused() {
    let dir = scratch("formats");
    let input = gapped_tones(&dir);
    let input_s = input.to_str().unwrap();
    let reference = spans(&json(&technob(&["segment", input_s, "--method", "silence", "--format", "json"])));
    let csv = stdout(&technob(&["segment", input_s, "--method", "silence", "--format", "csv"]));
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("start_s,end_s,label"));
    let from_csv: Vec<(f64, f64)> = rows
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap())
        })
        .collect();
    let labels = stdout(&technob(&["segment", input_s, "--method", "silence", "--format", "labels"]));
    let from_labels: Vec<(f64, f64)> = labels
        .lines()
        .map(|r| {
            let f: Vec<&str> = r.split('\t').collect();
            assert_eq!(f.len(), 3, "{r}");
            (f[0].parse().unwrap(), f[1].parse().unwrap())
        })
        .collect();
    for other in [from_csv, from_labels] {
        assert_eq!(other.len(), reference.len());
        for (a, b) in other.iter().zip(&reference) {
            assert!((a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6, "{other:?} vs {reference:?}");
        }
    }
    // -o writes the format its extension names, atomically.
    let out = dir.join("parts.csv");
    assert!(
        technob(&["segment", input_s, "--method", "silence", "-o", out.to_str().unwrap()]).status.success()
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), csv);
    // rekordbox and JAMS need roles: the silence and bars methods have none.
    for format in ["rekordbox", "jams"] {
        for method in ["silence", "bars"] {
            let out = technob(&["segment", input_s, "--method", method, "--format", format]);
            assert_one_line_error(&out, "needs labelled segments", &format!("{method} {format}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bars_method_chunks_on_the_demos_downbeats() {
    let (demo, truth) = demo();
    let demo_s = demo.to_str().unwrap();
    let downbeats: Vec<f64> =
        truth["downbeats"].as_array().unwrap().iter().map(|d| d.as_f64().unwrap()).collect();
    let bar = 4.0 * 60.0 / truth["bpm"].as_f64().unwrap();
    let doc = json(&technob(&["segment", demo_s, "--method", "bars", "--bars", "8", "--json"]));
    let chunks = spans(&doc);
    let duration = truth["duration_s"].as_f64().unwrap();
    // 48 bars from the first downbeat: 6 chunks of 8 bars (the demo's last bar runs to its end).
    assert_eq!(chunks.len(), 6, "{chunks:?}");
    for (k, &(start, end)) in chunks.iter().enumerate() {
        let nearest = downbeats.iter().map(|d| (d - start).abs()).fold(f64::INFINITY, f64::min);
        assert!(nearest < 0.03, "chunk {k} starts {:.1} ms from a downbeat", nearest * 1e3);
        if k + 1 < chunks.len() {
            assert!((end - start - 8.0 * bar).abs() < 0.03, "chunk {k}: {start}..{end}");
            assert_eq!(end, chunks[k + 1].0);
        }
    }
    assert!((chunks[5].1 - duration).abs() < 1e-6, "the last chunk ends with the track");
    // The table counts the bars of each chunk.
    let text = stdout(&technob(&["segment", demo_s, "--method", "bars", "--bars", "16"]));
    assert_eq!(text.lines().filter(|l| l.contains("      16  -")).count(), 3, "{text}");
    // --split: one file per chunk, all channels, exact lengths.
    let dir = scratch("bars-split");
    let out = technob(&[
        "segment",
        demo_s,
        "--method",
        "bars",
        "--bars",
        "16",
        "--split",
        dir.to_str().unwrap(),
        "--json",
    ]);
    let chunks16 = spans(&json(&out));
    check_split(demo, &split_files(&dir), &chunks16, 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bars_without_beats_is_a_clear_error() {
    let dir = scratch("nobeats");
    let path = dir.join("hum.wav");
    let hum: Vec<f32> = (0..(4 * SR) as usize).map(|i| 0.3 * (i as f32 * 0.05).sin()).collect();
    write_wav(&Audio::from_synth(vec![hum], SR).unwrap(), &path, WavFormat::Float32).unwrap();
    let out = technob(&["segment", path.to_str().unwrap(), "--method", "bars"]);
    assert_one_line_error(&out, "no beats", "a hum");
    assert!(stderr_lines(&out)[0].contains(path.to_str().unwrap()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_are_refused_before_decoding() {
    let missing = "/nonexistent/track.wav";
    for (args, needle) in [
        (vec!["--method", "bars", "--bars", "0"], "--bars 0"),
        (vec!["--method", "silence", "--threshold-db", "10"], "--threshold-db 10"),
        (vec!["--method", "silence", "--min-silence", "-1"], "--min-silence"),
        (vec!["--method", "silence", "--min-length", "nan"], "--min-length"),
        (vec!["--phrase-bars", "8,0"], "--phrase-bars"),
        (vec!["--phrase-bars", "eight"], "--phrase-bars"),
        (vec!["--min-bars", "0"], "--min-bars"),
        (vec!["--json", "--format", "csv"], "--json and --format csv"),
        (vec!["-o", "/tmp/technob-segment-x.mp3"], "cannot tell the format"),
    ] {
        let mut all = vec!["segment", missing];
        all.extend(args.iter().copied());
        assert_one_line_error(&technob(&all), needle, &format!("{args:?}"));
    }
    // One document per file for -o and the non-JSON formats; rekordbox names a real file.
    let two = ["segment", missing, missing];
    assert_one_line_error(&technob(&[&two[..], &["-o", "/tmp/x.json"]].concat()), "give one FILE", "-o");
    assert_one_line_error(&technob(&[&two[..], &["--format", "csv"]].concat()), "give one FILE", "csv");
    assert_one_line_error(&technob(&["segment", "--format", "rekordbox"]), "needs an audio FILE", "demo");
    // clap's own checks are exit 2 too.
    for args in [["segment", "--method", "magic"], ["segment", "--format", "traktor"]] {
        let out = technob(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_batch_goes_on_after_bad_files() {
    let dir = scratch("batch");
    let good = gapped_tones(&dir);
    let corrupt = dir.join("corrupt.wav");
    std::fs::write(&corrupt, b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    let text = dir.join("notes.wav");
    std::fs::write(&text, "this is not audio\n").unwrap();
    let missing = dir.join("missing.wav");
    let paths = [&good, &missing, &corrupt, &good, &text];
    let mut args = vec!["segment", "--method", "silence", "--json"];
    let path_strings: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    args.extend(path_strings.iter().map(String::as_str));
    let out = technob(&args);
    assert_eq!(out.status.code(), Some(2));
    let docs: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 2, "the two good files are segmented");
    assert!(docs.iter().all(|d| d["file"] == path_strings[0] && spans(d).len() == 3));
    let errors = stderr_lines(&out);
    assert_eq!(errors.len(), 3, "{errors:?}");
    for (line, bad) in errors.iter().zip([&path_strings[1], &path_strings[2], &path_strings[4]]) {
        assert!(line.starts_with("error: ") && line.contains(bad.as_str()), "{errors:?}");
    }
    // The same with --split: the good file's parts are written, the bad ones leave nothing.
    let split_dir = dir.join("parts");
    let mut args = vec!["segment", "--method", "silence", "--split", split_dir.to_str().unwrap()];
    args.extend([path_strings[1].as_str(), path_strings[0].as_str()]);
    let out = technob(&args);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(split_files(&split_dir).len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plot_draws_segments_from_technob_segment_files() {
    let dir = scratch("plot");
    let input = gapped_tones(&dir);
    let input_s = input.to_str().unwrap();
    for format in ["json", "csv", "labels"] {
        let segments = dir.join(format!("parts.{format}"));
        let out = technob(&[
            "segment",
            input_s,
            "--method",
            "silence",
            "--format",
            format,
            "-o",
            segments.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let svg = dir.join(format!("{format}.svg"));
        let out = technob(&[
            "plot",
            input_s,
            "--no-beats",
            "--segments",
            segments.to_str().unwrap(),
            "-o",
            svg.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        // The numbered parts are written in their bands (left-anchored texts).
        assert_eq!(band_labels(&std::fs::read_to_string(&svg).unwrap()), ["1", "2", "3"], "{format}");
    }
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "start_s,end_s,label,group\n5,4,drop,A\n").unwrap();
    let out = technob(&[
        "plot",
        input_s,
        "--segments",
        bad.to_str().unwrap(),
        "-o",
        dir.join("x.png").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "bad.csv", "backwards segment");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The texts written in segment bands of a `technob plot` SVG: plotters writes each text as
/// `<text ... text-anchor="start" ...>`, the text on the next line; axis labels are centred or
/// right-aligned.
fn band_labels(svg: &str) -> Vec<String> {
    let lines: Vec<&str> = svg.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("<text") && w[0].contains("text-anchor=\"start\""))
        .map(|w| w[1].trim().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The techno method (needs `structure::analyze_structure`)

/// Roles a segment may have.
const ROLES: [&str; 5] = ["intro", "buildup", "drop", "breakdown", "outro"];

#[test]
fn techno_method_on_the_demo_in_every_format() {
    let (demo, truth) = demo();
    let demo_s = demo.to_str().unwrap();
    let doc = json(&technob(&["segment", demo_s, "--json"]));
    let segments = doc["segments"].as_array().unwrap().clone();
    let n = segments.len();
    assert!(n >= 2, "{doc}");
    let first_beat = truth["beats"][0].as_f64().unwrap();
    assert!((segments[0]["start_s"].as_f64().unwrap() - first_beat).abs() < 0.05, "{doc}");
    for (k, s) in segments.iter().enumerate() {
        assert!(ROLES.contains(&s["label"].as_str().unwrap()), "{s}");
        assert!(!s["group"].as_str().unwrap().is_empty() && s["bars"].as_u64().unwrap() >= 1, "{s}");
        let c = s["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{s}");
        if k + 1 < n {
            assert_eq!(s["end_s"], segments[k + 1]["start_s"], "segments are contiguous");
        }
    }
    let starts: Vec<f64> = segments.iter().map(|s| s["start_s"].as_f64().unwrap()).collect();

    let csv = stdout(&technob(&["segment", demo_s, "--format", "csv"]));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "start_s,end_s,label,group,bars,confidence");
    assert_eq!(rows.len(), n + 1);
    for (row, s) in rows[1..].iter().zip(&segments) {
        let f: Vec<&str> = row.split(',').collect();
        assert!((f[0].parse::<f64>().unwrap() - s["start_s"].as_f64().unwrap()).abs() < 1e-6, "{row}");
        assert_eq!(f[2], s["label"].as_str().unwrap());
    }

    let labels = stdout(&technob(&["segment", demo_s, "--format", "labels"]));
    assert_eq!(labels.lines().count(), n);
    for (line, s) in labels.lines().zip(&segments) {
        let want = format!("{} {}", s["label"].as_str().unwrap(), s["group"].as_str().unwrap());
        assert_eq!(line.split('\t').nth(2), Some(want.as_str()), "{line}");
    }

    let xml = stdout(&technob(&["segment", demo_s, "--format", "rekordbox"]));
    assert!(xml.contains("<TEMPO ") && xml.contains("Location=\"file://localhost/"), "{xml}");
    let marks: Vec<&str> = xml.lines().filter(|l| l.contains("<POSITION_MARK ")).collect();
    let memory: Vec<&&str> = marks.iter().filter(|l| l.contains("Num=\"-1\"")).collect();
    assert_eq!(memory.len(), n);
    assert_eq!(marks.len() - memory.len(), n.min(8), "hot cues at the first eight starts");
    for (m, start) in memory.iter().zip(&starts) {
        assert!(m.contains(&format!("Start=\"{start:.3}\"")), "{m} vs {start}");
    }

    let jams = json(&technob(&["segment", demo_s, "--format", "jams"]));
    let annotations = jams["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 2);
    for a in annotations {
        assert_eq!(a["namespace"], "segment_open");
        assert_eq!(a["data"].as_array().unwrap().len(), n);
    }
    assert_eq!(annotations[0]["data"][0]["value"], segments[0]["label"]);
    assert_eq!(annotations[1]["data"][0]["value"], segments[0]["group"]);

    let table = stdout(&technob(&["segment", demo_s]));
    assert!(table.contains(&format!("techno ({n} segments")), "{table}");
    assert_eq!(table.lines().count(), n + 3, "{table}");
}

#[test]
fn techno_split_names_files_by_role_and_group() {
    let (demo, _) = demo();
    let dir = scratch("techno-split");
    let out = technob(&["segment", demo.to_str().unwrap(), "--split", dir.to_str().unwrap(), "--json"]);
    let doc = json(&out);
    let files = split_files(&dir);
    let segments = doc["segments"].as_array().unwrap();
    assert_eq!(files.len(), segments.len());
    for (k, (file, s)) in files.iter().zip(segments).enumerate() {
        let want = format!(
            "demo.{:02}-{}-{}.wav",
            k + 1,
            s["label"].as_str().unwrap(),
            s["group"].as_str().unwrap()
        );
        assert_eq!(file.file_name().unwrap().to_string_lossy(), want);
    }
    // The demo is 32-bit float: the parts are too, sample for sample.
    check_split(demo, &files, &spans(&doc), 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plot_segments_auto_draws_the_roles() {
    let (demo, _) = demo();
    let dir = scratch("plot-auto");
    let svg = dir.join("auto.svg");
    let out = technob(&["plot", demo.to_str().unwrap(), "--segments", "auto", "-o", svg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let labels = band_labels(&std::fs::read_to_string(&svg).unwrap());
    let segments = json(&technob(&["segment", demo.to_str().unwrap(), "--json"]));
    let segments = segments["segments"].as_array().unwrap();
    // Each segment's group is written in its band (after its role where there is room).
    assert_eq!(labels.len(), segments.len(), "{labels:?}");
    for (label, s) in labels.iter().zip(segments) {
        let (role, group) = (s["label"].as_str().unwrap(), s["group"].as_str().unwrap());
        assert!(*label == format!("{role} {group}") || label == group, "{label} for {s}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
