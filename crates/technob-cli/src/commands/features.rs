//! `technob features [FILE]`: descriptors per frame, beat or bar (RMS, zero-crossing rate,
//! spectral shape, contrast, onset strength, band energies, MFCC and deltas, chroma) with
//! whole-track summaries, onset rate, dynamic complexity and EBU R128 loudness.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use technob::features::aggregate::{Resolution, SegmentKind, segmentation};
use technob::features::{FeatureOptions, FeatureSet, FeatureTable, extract};
use technob::progress::Progress;
use technob::rhythm::{RhythmOptions, analyze_rhythm};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, format_duration, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file (descriptors on the mono downmix at the file's rate, loudness on every
    /// channel); without it, the bundled demo.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Print one JSON object: whole-track summaries and the rows at the chosen resolution.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV: a header of column names, one row per frame, beat or bar.
    #[arg(long)]
    csv: bool,
    /// Rows per STFT frame (2048/512 samples), per beat or per bar of the tracked beat grid
    /// (fixed 0.5 s segments when no beat is found, said in the JSON and on stderr).
    #[arg(long, default_value = "beat", value_parser = ["frame", "beat", "bar"])]
    per: String,
    /// Write the CSV or JSON to OUT (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Skip the EBU R128 loudness (faster; no loudness summary, empty loudness_lufs column).
    #[arg(long)]
    no_loudness: bool,
    /// Print how long decoding, descriptors + loudness, beat tracking and output took, on stderr.
    #[arg(long)]
    timings: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct FeaturesDoc<'a> {
    file: String,
    per: Resolution,
    /// Beats, bars or fixed segments (absent per frame).
    #[serde(skip_serializing_if = "Option::is_none")]
    segments: Option<SegmentKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    tempo_bpm: Option<f64>,
    #[serde(flatten)]
    features: &'a FeatureSet,
    table: &'a FeatureTable,
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    exit::BAD_INPUT
}

pub(crate) fn run(args: Args) -> u8 {
    if args.out.is_some() && !args.csv && !args.json {
        return usage_error("-o needs --csv or --json");
    }
    let per = match args.per.as_str() {
        "frame" => Resolution::Frame,
        "bar" => Resolution::Bar,
        _ => Resolution::Beat,
    };
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let name = display(&input);
    let progress = TerminalProgress::new("features");
    let mut timings: Vec<(&str, f64)> = Vec::new();
    let result = (|| -> technob::Result<(FeatureSet, Option<technob::rhythm::Rhythm>)> {
        let clock = Instant::now();
        let audio = all_channels_input(args.file.as_deref(), &name, &progress)?;
        timings.push(("decode", clock.elapsed().as_secs_f64()));
        let clock = Instant::now();
        progress.update("descriptors", 0.1);
        let options = FeatureOptions { loudness: !args.no_loudness, ..FeatureOptions::default() };
        let set = extract(&audio, &options).map_err(|e| e.in_file(&input))?;
        timings.push(("descriptors+loudness", clock.elapsed().as_secs_f64()));
        let rhythm = if per == Resolution::Frame {
            None
        } else {
            let clock = Instant::now();
            let options = RhythmOptions { progress: &progress, ..RhythmOptions::default() };
            let rhythm = match analyze_rhythm(&audio, &options) {
                Ok(r) => Some(r),
                Err(e) if e.is_no_result() => None,
                Err(e) => return Err(e.in_file(&input)),
            };
            timings.push(("beats", clock.elapsed().as_secs_f64()));
            rhythm
        };
        Ok((set, rhythm))
    })();
    progress.clear();
    let (set, rhythm) = match result {
        Ok(r) => r,
        Err(e) => return report(&e),
    };
    let clock = Instant::now();
    let (table, segments, note) = if per == Resolution::Frame {
        (set.frames.clone(), None, None)
    } else {
        let seg = segmentation(rhythm.as_ref(), set.duration_s, per);
        if let Some(note) = &seg.note {
            eprintln!("warning: {name}: {note}");
        }
        (set.aggregate(&seg.segments), Some(seg.kind), seg.note)
    };
    let tempo_bpm = rhythm.as_ref().map(|r| r.tempo.bpm);
    let text = if args.csv {
        Some(table.to_csv())
    } else if args.json {
        let doc =
            FeaturesDoc { file: name.clone(), per, segments, note, tempo_bpm, features: &set, table: &table };
        match to_json(&doc) {
            Ok(line) => Some(line + "\n"),
            Err(code) => return code,
        }
    } else {
        None
    };
    match (text, &args.out) {
        (Some(text), Some(out)) => {
            if let Err(e) = technob::io::write_bytes(out, text.as_bytes()) {
                return report(&e);
            }
        }
        (Some(text), None) => out!("{text}"),
        (None, _) => summary(&name, &set, &table, tempo_bpm),
    }
    timings.push(("output", clock.elapsed().as_secs_f64()));
    if args.timings {
        let parts: Vec<String> = timings.iter().map(|(k, v)| format!("{k} {v:.3} s")).collect();
        eprintln!("timings: {}", parts.join(", "));
    }
    exit::OK
}

fn summary(name: &str, set: &FeatureSet, table: &FeatureTable, tempo_bpm: Option<f64>) {
    outln!("file               {name}");
    outln!(
        "analysis           {} Hz, {} frames of {} samples every {}, {}",
        set.sr,
        set.frames.n_rows(),
        set.n_fft,
        set.hop_length,
        format_duration(set.duration_s)
    );
    if let Some(bpm) = tempo_bpm {
        outln!("tempo              {bpm:.2} BPM ({} rows)", table.n_rows());
    }
    if let Some(l) = &set.loudness {
        let integrated = l.integrated_lufs.map_or("below the gate".to_string(), |v| format!("{v:.1} LUFS"));
        outln!(
            "loudness           {integrated}, range {:.1} LU, true peak {:.1} dBTP",
            l.range_lu,
            l.true_peak_dbtp
        );
    }
    if let Some(rate) = set.onset_rate {
        outln!("onset rate         {rate:.2} per second");
    }
    outln!("dynamic complexity {:.2} dB", set.dynamic_complexity.complexity_db);
    outln!("{:<22} {:>10} {:>10} {:>10} {:>10}", "descriptor", "mean", "std", "p10", "p90");
    for (n, s) in &set.summaries.0 {
        if n.starts_with("mfcc") || n.starts_with("chroma") || n.starts_with("spectral_contrast_") {
            continue;
        }
        outln!("{n:<22} {:>10.4} {:>10.4} {:>10.4} {:>10.4}", s.mean, s.std, s.p10, s.p90);
    }
    outln!("(MFCC, deltas, chroma and contrast: --json or --csv)");
}
