//! `technob info FILE...`: what each file holds, without analysing it.

use std::path::PathBuf;

use serde::Serialize;
use technob::analysis::AudioSummary;

use super::{display, format_duration, report, to_json, warn_all};
use crate::exit;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio files (WAV, AIFF, FLAC, MP3, OGG Vorbis, M4A/MP4 AAC or ALAC).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// One JSON object per file and line (JSON Lines): {"file": ..., "audio": {...}}.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct InfoLine<'a> {
    file: &'a str,
    audio: AudioSummary,
}

pub(crate) fn run(args: Args) -> u8 {
    let mut code = exit::OK;
    for path in &args.files {
        let name = display(path);
        // Every file is tried: one bad file does not stop the others.
        let info = match technob::audio::probe_file(path) {
            Ok(info) => info,
            Err(e) => {
                code = code.max(report(&e));
                continue;
            }
        };
        warn_all(&name, &info.warnings);
        let audio = AudioSummary::from(&info);
        if args.json {
            match to_json(&InfoLine { file: &name, audio }) {
                Ok(line) => outln!("{line}"),
                Err(c) => code = code.max(c),
            }
        } else {
            let depth = audio.bit_depth.map(|b| format!(", {b}-bit")).unwrap_or_default();
            outln!(
                "{name}: {} / {}, {} Hz, {} ch{depth}, {} ({} frames)",
                audio.format,
                audio.codec,
                audio.sample_rate,
                audio.channels,
                format_duration(audio.duration_s),
                audio.frames
            );
        }
    }
    code
}
