//! `technob features`: JSON and CSV structure at every resolution on the bundled demo (a
//! synthesised 128 BPM techno track in 4/4), and argument errors refused with exit code 2.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn technob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_technob")).args(args).output().expect("the technob binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = technob(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("technob-features-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn demo_json_per_bar_has_summaries_and_bars() {
    let doc: Value = serde_json::from_str(&ok(&["features", "--json", "--per", "bar"])).unwrap();
    assert_eq!(doc["per"], "bar");
    assert_eq!(doc["segments"], "bars");
    assert!(doc.get("note").is_none());
    let bpm = doc["tempo_bpm"].as_f64().unwrap();
    assert!((bpm - 128.0).abs() < 0.5, "{bpm}");
    assert_eq!(doc["sr"], 44100);
    let names: Vec<&str> =
        doc["table"]["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(&names[..5], &["start_s", "end_s", "position", "rms_db", "loudness_lufs"]);
    for needed in
        ["mfcc_1", "mfcc_20", "mfcc_delta_1", "mfcc_delta2_20", "chroma_C", "chroma_B", "band_low_db"]
    {
        assert!(names.contains(&needed), "{needed} missing from {names:?}");
    }
    let rows = doc["table"]["rows"].as_array().unwrap();
    // 90 s at 128 BPM in 4/4: about 48 bars, each 60/128·4 = 1.875 s.
    assert!((40..=50).contains(&rows.len()), "{} bars", rows.len());
    let mut last = -1.0;
    for r in rows {
        let r = r.as_array().unwrap();
        assert_eq!(r.len(), names.len());
        let (start, end) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        assert!(start > last && end > start && end - start < 1.9, "{start}..{end}");
        last = start;
    }
    // The demo is loud and steady: bars carry a loudness; summaries and whole-track values exist.
    let loud: Vec<f64> = rows.iter().filter_map(|r| r[4].as_f64()).collect();
    assert!(loud.len() >= rows.len() - 2 && loud.iter().all(|l| (-30.0..0.0).contains(l)), "{loud:?}");
    let integrated = doc["loudness"]["integrated_lufs"].as_f64().unwrap();
    assert!((-20.0..-3.0).contains(&integrated), "{integrated}");
    let s = &doc["summaries"]["spectral_centroid"];
    for k in ["mean", "std", "min", "max", "p10", "p50", "p90"] {
        assert!(s[k].is_number(), "{k}");
    }
    assert!(s["p10"].as_f64() <= s["p50"].as_f64() && s["p50"].as_f64() <= s["p90"].as_f64());
    assert!(doc["summaries"].get("time_s").is_none());
    let rate = doc["onset_rate"].as_f64().unwrap();
    assert!(rate > 2.0 && rate < 20.0, "{rate}");
    assert!(doc["dynamic_complexity"]["complexity_db"].as_f64().unwrap() > 0.0);
}

#[test]
fn demo_csv_per_beat_and_per_frame() {
    let text = ok(&["features", "--csv", "--per", "beat"]);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "start_s");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 90 s at 128 BPM: about 192 beats, bar positions cycling 1..4.
    assert!((180..=195).contains(&rows.len()), "{} beats", rows.len());
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let positions: Vec<u32> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(positions.iter().all(|p| (1..=4).contains(p)));
    assert!(positions.windows(2).filter(|w| w[1] == w[0] % 4 + 1).count() >= positions.len() - 3);
    // The kick sits in the low band: the beats' low band is the loudest band on average.
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mean = |j: usize| rows.iter().map(|r| r[j].parse::<f64>().unwrap()).sum::<f64>() / rows.len() as f64;
    assert!(mean(col("band_low_db")) > mean(col("band_high_db")));

    let dir = temp_dir("frames");
    let out = dir.join("frames.csv");
    assert_eq!(ok(&["features", "--csv", "--per", "frame", "-o", out.to_str().unwrap()]), "");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "time_s");
    assert_eq!(header.len(), 1 + 6 + 7 + 1 + 3 + 60 + 12);
    // 90.25 s at 44.1 kHz, hop 512: 1 + n / 512 frames.
    assert_eq!(lines.count(), 1 + (90.25 * 44100.0) as usize / 512);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_and_arguments() {
    let dir = temp_dir("bad");
    let bogus = dir.join("noise.wav");
    std::fs::write(&bogus, b"this is not audio").unwrap();
    for args in [
        vec!["features", bogus.to_str().unwrap()],
        vec!["features", "/nonexistent/file.wav"],
        vec!["features", "--per", "minute"],
        vec!["features", "--json", "--csv"],
        vec!["features", "-o", "/tmp/x.json"],
    ] {
        let out = technob(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr.lines().any(|l| l.starts_with("error")), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
