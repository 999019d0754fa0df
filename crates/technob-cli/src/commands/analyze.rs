//! `technob analyze [FILE]`: the analysis document of a track, or of the bundled demo.

use std::path::PathBuf;

use technob::analysis::{AnalysisDocument, AnalyzeOptions};

use super::{display, finish, format_duration, warn_all};
use crate::progress::TerminalProgress;

/// What the `file` field says for the bundled demo.
pub(crate) const DEMO_NAME: &str = "<demo>";

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file; without it, the bundled demo track is synthesised and analysed.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Print the analysis document as one JSON object (contract: shared/spec/analysis-json.md).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let progress = TerminalProgress::new("analyze");
    let options = AnalyzeOptions { progress: &progress };
    let result = match &args.file {
        Some(path) => technob::analysis::analyze_file(path, &options).map(|(doc, info)| {
            warn_all(&display(path), &info.warnings);
            doc
        }),
        None => technob::demo::render(&technob::demo::DemoConfig::default())
            .and_then(|demo| technob::analysis::analyze_audio(&demo.audio, DEMO_NAME, &options)),
    };
    progress.clear();
    finish(result, args.json, print_human)
}

fn print_human(doc: &AnalysisDocument) {
    let a = &doc.audio;
    let depth = a.bit_depth.map(|b| format!(", {b}-bit")).unwrap_or_default();
    outln!("file        {}", doc.file);
    outln!(
        "audio       {} / {}, {} Hz, {} ch{depth}, {} ({} frames)",
        a.format,
        a.codec,
        a.sample_rate,
        a.channels,
        format_duration(a.duration_s),
        a.frames
    );
    let na = "not analysed";
    match &doc.tempo {
        Some(t) => outln!("tempo       {:.2} BPM (confidence {:.2})", t.bpm, t.confidence),
        None => outln!("tempo       {na}"),
    }
    match &doc.beats {
        Some(b) => {
            outln!("beats       {} beats, {} downbeats", b.len(), doc.downbeats.as_ref().map_or(0, Vec::len))
        }
        None => outln!("beats       {na}"),
    }
    match &doc.beat_grid {
        Some(g) => outln!(
            "beat grid   {:.2} BPM from {:.3} s, first downbeat {:.3} s, max drift {:.1} ms",
            g.bpm,
            g.first_beat_s,
            g.first_downbeat_s,
            g.max_drift_ms
        ),
        None => outln!("beat grid   {na}"),
    }
    match &doc.key {
        Some(k) => {
            outln!("key         {} ({}, {}), confidence {:.2}", k.name, k.camelot, k.open_key, k.confidence)
        }
        None => outln!("key         {na}"),
    }
    match doc.tuning_hz {
        Some(t) => outln!("tuning      A4 = {t:.1} Hz"),
        None => outln!("tuning      {na}"),
    }
    match &doc.loudness {
        Some(l) => outln!(
            "loudness    {:.1} LUFS integrated, {:.1} LU range, {:.1} dBTP true peak",
            l.integrated_lufs,
            l.range_lu,
            l.true_peak_dbtp
        ),
        None => outln!("loudness    {na}"),
    }
    match &doc.segments {
        Some(segs) => {
            outln!("segments    {}", segs.len());
            for s in segs {
                outln!("  {:>8.2}-{:<8.2} {:<9} {} {:>3} bars", s.start_s, s.end_s, s.label, s.group, s.bars);
            }
        }
        None => outln!("segments    {na}"),
    }
}
