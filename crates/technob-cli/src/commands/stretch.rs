//! `technob stretch IN OUT --ratio R | --bpm B`: change the length (tempo) of a recording
//! without changing its pitch; the output is exactly `round(n × ratio)` samples long.

use std::path::PathBuf;

use serde::Serialize;
use technob::audio::WavFormat;
use technob::rhythm::{RhythmOptions, analyze_rhythm};
use technob::stretch::{StretchOptions, time_stretch};

use super::{all_channels_input, display, finish};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Input audio file.
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Output WAV file (32-bit float, written atomically).
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// Length ratio, 0.25 to 4: 2 makes the track twice as long (half the tempo).
    #[arg(long, value_name = "R", required_unless_present = "bpm", conflicts_with = "bpm")]
    ratio: Option<f64>,
    /// Target tempo: the track's tempo is detected (its DJ grid) and the ratio follows.
    #[arg(long, value_name = "BPM")]
    bpm: Option<f64>,
    /// Cheaper, lower-latency mode: a ~23 ms window and no transient pass.
    #[arg(long)]
    low_latency: bool,
    /// Print one JSON object describing what was written.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct StretchDoc {
    file: String,
    out: String,
    ratio: f64,
    detected_bpm: Option<f64>,
    target_bpm: Option<f64>,
    mode: &'static str,
    sample_rate: u32,
    channels: usize,
    frames_in: usize,
    frames_out: usize,
}

pub(crate) fn run(args: Args) -> u8 {
    if let Err(code) = check_bpm(args.bpm) {
        return code;
    }
    let name = display(&args.input);
    let progress = TerminalProgress::new("stretch");
    let result = (|| -> technob::Result<StretchDoc> {
        let audio = all_channels_input(Some(&args.input), &name, &progress)?;
        let (ratio, detected_bpm) = match (args.ratio, args.bpm) {
            (Some(ratio), _) => (ratio, None),
            (None, Some(target)) => {
                let rhythm = analyze_rhythm(&audio.to_mono(), &RhythmOptions::default())
                    .map_err(|e| e.in_file(&args.input))?;
                let detected = rhythm.grid.as_ref().map_or(rhythm.tempo.bpm, |g| g.bpm);
                (detected / target, Some(detected))
            }
            (None, None) => {
                return Err(technob::Error::InvalidParameter("give --ratio or --bpm".into()));
            }
        };
        let options = stretch_options(audio.sample_rate(), args.low_latency);
        let stretched = time_stretch(&audio, ratio, &options).map_err(|e| e.in_file(&args.input))?;
        technob::audio::write_wav(&stretched, &args.out, WavFormat::Float32)
            .map_err(|e| e.in_file(&args.out))?;
        Ok(StretchDoc {
            file: name.clone(),
            out: display(&args.out),
            ratio,
            detected_bpm,
            target_bpm: args.bpm,
            mode: mode_name(args.low_latency),
            sample_rate: audio.sample_rate(),
            channels: audio.n_channels(),
            frames_in: audio.n_frames(),
            frames_out: stretched.n_frames(),
        })
    })();
    progress.clear();
    finish(result, args.json, print_stretch)
}

fn print_stretch(doc: &StretchDoc) {
    outln!("file     {} ({} Hz, {} ch)", doc.file, doc.sample_rate, doc.channels);
    if let (Some(from), Some(to)) = (doc.detected_bpm, doc.target_bpm) {
        outln!("tempo    {from:.2} -> {to:.2} BPM");
    }
    outln!("ratio    {:.6}", doc.ratio);
    outln!("wrote    {} ({} -> {} samples)", doc.out, doc.frames_in, doc.frames_out);
}

/// The stretch options for audio at `sr` Hz: the default or the low-latency mode.
pub(crate) fn stretch_options(sr: u32, low_latency: bool) -> StretchOptions {
    if low_latency { StretchOptions::low_latency(sr) } else { StretchOptions::for_sample_rate(sr) }
}

/// `"default"` or `"low-latency"`, for reports.
pub(crate) fn mode_name(low_latency: bool) -> &'static str {
    if low_latency { "low-latency" } else { "default" }
}

/// A `--bpm` value must be a tempo of 20–400 BPM; otherwise the error is printed and the exit
/// code returned.
pub(crate) fn check_bpm(bpm: Option<f64>) -> Result<(), u8> {
    match bpm {
        Some(bpm) if !(bpm.is_finite() && (20.0..=400.0).contains(&bpm)) => {
            eprintln!("error: --bpm {bpm}: must be between 20 and 400");
            Err(exit::BAD_INPUT)
        }
        _ => Ok(()),
    }
}
