//! `technob pitch FILE`: fundamental frequency (pYIN or YIN) and notes, as CSV, JSON or a
//! summary, and notes as a standard MIDI file.

use std::path::PathBuf;

use serde::Serialize;
use technob::tonal::notes::{Note, NoteConfig, segment_notes, write_midi};
use technob::tonal::pitch::{PitchConfig, PitchTrack, PitchTracker};

use super::analyze::DEMO_NAME;
use super::{display, format_duration, mono_input, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

/// Highest rate the audio is analysed at; faster files are resampled to 44.1 kHz.
const MAX_ANALYSIS_RATE: u32 = 48_000;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file (a voice, a bass line, a lead: one note at a time); without it, the demo.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Pitch tracker: `pyin` (probabilistic YIN with an HMM; default) or `yin`.
    #[arg(long, default_value = "pyin", value_parser = ["pyin", "yin"])]
    method: String,
    /// Lowest f0 searched, Hz (default C2 = 65.4 Hz).
    #[arg(long, value_name = "HZ")]
    fmin: Option<f64>,
    /// Highest f0 searched, Hz (default C7 = 2093 Hz).
    #[arg(long, value_name = "HZ")]
    fmax: Option<f64>,
    /// Time between f0 frames in milliseconds (default: an eighth of the 46 ms frame, 5.8 ms).
    #[arg(long, value_name = "MS")]
    hop_ms: Option<f64>,
    /// Print the f0 track as CSV: `time_s,f0_hz,voiced,voiced_prob` (f0 0 when unvoiced).
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// Print one JSON object with the f0 track and the notes.
    #[arg(long)]
    json: bool,
    /// Write the notes as a standard MIDI file (atomically).
    #[arg(long, value_name = "OUT.mid")]
    midi: Option<PathBuf>,
    /// Write the CSV or JSON to OUT (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
}

/// What `--json` prints.
#[derive(Serialize)]
struct PitchReport<'a> {
    file: String,
    method: &'a str,
    config: &'a PitchConfig,
    hop_s: f64,
    track: &'a PitchTrack,
    notes: &'a [Note],
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    exit::BAD_INPUT
}

pub(crate) fn run(args: Args) -> u8 {
    if let Some(ms) = args.hop_ms {
        if !(ms.is_finite() && ms > 0.0 && ms <= 1000.0) {
            return usage_error(&format!("--hop-ms {ms}: must be between 0 and 1000 ms"));
        }
    }
    if args.out.is_some() && !args.csv && !args.json {
        return usage_error("-o needs --csv or --json (use --midi for notes)");
    }
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let name = display(&input);
    let progress = TerminalProgress::new("pitch");
    let result = (|| -> technob::Result<(PitchTrack, Vec<Note>, PitchConfig)> {
        let mono = mono_input(args.file.as_deref(), &name, &progress)?;
        let sr = if mono.sample_rate() > MAX_ANALYSIS_RATE { 44_100 } else { mono.sample_rate() };
        let resampled;
        let y = if sr == mono.sample_rate() {
            mono.channel(0)
        } else {
            resampled = technob::audio::resample_channel(mono.channel(0), mono.sample_rate(), sr)?;
            &resampled[..]
        };
        let mut config = PitchConfig::for_sample_rate(sr);
        if let Some(f) = args.fmin {
            config.fmin = f;
        }
        if let Some(f) = args.fmax {
            config.fmax = f;
        }
        if let Some(ms) = args.hop_ms {
            config.hop_length = ((ms / 1000.0 * f64::from(sr)).round() as usize).max(1);
        }
        let tracker = PitchTracker::new(sr, &config).map_err(|e| e.in_file(&input))?;
        let track = if args.method == "yin" { tracker.yin(y)? } else { tracker.pyin(y)? };
        let notes = segment_notes(&track, y, &NoteConfig::default())?;
        if let Some(midi) = &args.midi {
            write_midi(&notes, midi)?;
        }
        Ok((track, notes, config))
    })();
    progress.clear();
    let (track, notes, config) = match result {
        Ok(r) => r,
        Err(e) => return report(&e),
    };
    let text = if args.csv {
        Some(track.to_csv())
    } else if args.json {
        let doc = PitchReport {
            file: name.clone(),
            method: &args.method,
            config: &config,
            hop_s: track.hop_s(),
            track: &track,
            notes: &notes,
        };
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
        (None, _) => summary(&name, &args.method, &track, &notes),
    }
    exit::OK
}

fn summary(name: &str, method: &str, track: &PitchTrack, notes: &[Note]) {
    let voiced: Vec<f64> =
        track.f0_hz.iter().zip(&track.voiced).filter(|(_, v)| **v).map(|(f, _)| *f).collect();
    outln!("file        {name}");
    outln!("method      {method}, {} frames every {:.1} ms", track.len(), 1000.0 * track.hop_s());
    if voiced.is_empty() {
        outln!("voiced      none (no pitch found)");
    } else {
        let mut sorted = voiced.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        outln!(
            "voiced      {:.1} % of frames, median f0 {:.1} Hz, range {:.1}-{:.1} Hz",
            100.0 * voiced.len() as f64 / track.len().max(1) as f64,
            median,
            sorted[0],
            sorted[sorted.len() - 1]
        );
    }
    outln!("notes       {}", notes.len());
    for n in notes.iter().take(12) {
        outln!(
            "            {} - {}  {:<4} velocity {}",
            format_duration(n.onset_s),
            format_duration(n.offset_s),
            n.name,
            n.velocity
        );
    }
    if notes.len() > 12 {
        outln!("            ... ({} more; --json lists them all)", notes.len() - 12);
    }
}
