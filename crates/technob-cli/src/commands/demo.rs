//! `technob demo OUT`: write the bundled demo track (and, optionally, its ground truth).

use std::path::PathBuf;

use technob::audio::{FlacDepth, WavFormat};
use technob::demo::{DemoConfig, render};

use super::{report, to_json};
use crate::exit;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Output file: `.wav` or `.flac`.
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// Sample format: WAV `f32` (default), `s16` or `s24`; FLAC `s16` (default) or `s24`.
    #[arg(long, value_parser = ["f32", "s16", "s24"])]
    sample_format: Option<String>,
    /// Tempo of the demo in BPM.
    #[arg(long, default_value_t = 128.0)]
    bpm: f64,
    /// Key of the demo: a minor key by its tonic (`C`, `F#`, `Bb`, ...); default F (F minor).
    #[arg(long, value_name = "TONIC")]
    tonic: Option<String>,
    /// Also write the ground truth (tempo, beats, downbeats, key, sections) as JSON to this file.
    #[arg(long, value_name = "JSON")]
    truth: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> u8 {
    let mut config = DemoConfig { bpm: args.bpm, ..DemoConfig::default() };
    if let Some(tonic) = &args.tonic {
        match format!("{tonic} minor").parse::<technob::tonal::key::Key>() {
            Ok(key) => config.tonic = key.tonic,
            Err(_) => {
                eprintln!("error: --tonic {tonic}: not a pitch class (C, C#, Db, ... B)");
                return exit::BAD_INPUT;
            }
        }
    }
    let demo = match render(&config) {
        Ok(d) => d,
        Err(e) => return report(&e),
    };
    let ext = args.out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let fmt = args.sample_format.as_deref();
    let written = match ext.as_deref() {
        Some("flac") => {
            let depth = if fmt == Some("s24") { FlacDepth::Bits24 } else { FlacDepth::Bits16 };
            if fmt == Some("f32") {
                eprintln!("error: {}: FLAC cannot hold 32-bit float; use s16 or s24", args.out.display());
                return exit::BAD_INPUT;
            }
            technob::audio::write_flac(&demo.audio, &args.out, depth)
        }
        Some("wav") => {
            let format = match fmt {
                Some("s16") => WavFormat::Int16,
                Some("s24") => WavFormat::Int24,
                _ => WavFormat::Float32,
            };
            technob::audio::write_wav(&demo.audio, &args.out, format)
        }
        _ => {
            eprintln!("error: {}: output must end in .wav or .flac", args.out.display());
            return exit::BAD_INPUT;
        }
    };
    if let Err(e) = written {
        return report(&e);
    }
    if let Some(truth_path) = &args.truth {
        let json = match to_json(&demo.truth) {
            Ok(j) => j,
            Err(code) => return code,
        };
        if let Err(e) = technob::io::write_bytes(truth_path, json.as_bytes()) {
            return report(&e);
        }
    }
    exit::OK
}
