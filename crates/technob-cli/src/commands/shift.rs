//! `technob shift IN OUT --semitones S | --cents C | --to-key KEY`: change the pitch of a
//! recording without changing its tempo; the output has exactly the input's length.

use std::path::PathBuf;

use serde::Serialize;
use technob::audio::WavFormat;
use technob::stretch::{ShiftOptions, pitch_shift, semitones_to_key};
use technob::tonal::key::{self, Key, KeyProfile};

use super::stretch::{mode_name, stretch_options};
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
    /// Shift in semitones, −24 to +24 (fractions allowed: 0.5 is 50 cents).
    #[arg(long, value_name = "S", allow_negative_numbers = true, conflicts_with_all = ["cents", "to_key"])]
    semitones: Option<f64>,
    /// Shift in cents, −2400 to +2400.
    #[arg(long, value_name = "C", allow_negative_numbers = true, conflicts_with = "to_key")]
    cents: Option<f64>,
    /// Target key as a Camelot code (8A) or a name (A minor, F#m): the track's key is detected
    /// and the smaller move taken (a target in the other mode is reached via its relative key).
    #[arg(long, value_name = "KEY")]
    to_key: Option<String>,
    /// Keep the formants (spectral envelope) in place: voices keep their timbre.
    #[arg(long)]
    formants: bool,
    /// Cheaper, lower-latency mode: a ~23 ms window and no transient pass.
    #[arg(long)]
    low_latency: bool,
    /// Print one JSON object describing what was written.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ShiftDoc {
    file: String,
    out: String,
    semitones: f64,
    detected_key: Option<String>,
    target_key: Option<String>,
    formants: bool,
    mode: &'static str,
    sample_rate: u32,
    channels: usize,
    frames: usize,
}

/// A key from a Camelot code (`8A`) or a name (`A minor`, `F#m`).
fn parse_key(text: &str) -> technob::Result<Key> {
    Key::from_camelot(text).or_else(|_| text.parse::<Key>()).map_err(|_| {
        technob::Error::InvalidParameter(format!(
            "--to-key '{text}': not a Camelot code (1A-12B) or a key name (A minor, F#m)"
        ))
    })
}

pub(crate) fn run(args: Args) -> u8 {
    let target = match args.to_key.as_deref().map(parse_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    if args.semitones.is_none() && args.cents.is_none() && target.is_none() {
        eprintln!("error: give --semitones, --cents or --to-key");
        return exit::BAD_INPUT;
    }
    let name = display(&args.input);
    let progress = TerminalProgress::new("shift");
    let result = (|| -> technob::Result<ShiftDoc> {
        let audio = all_channels_input(Some(&args.input), &name, &progress)?;
        let (semitones, detected) = match (args.semitones, args.cents, target) {
            (Some(s), _, _) => (s, None),
            (None, Some(c), _) => (c / 100.0, None),
            (None, None, Some(to)) => {
                let mono = audio.to_mono();
                let sr = f64::from(mono.sample_rate());
                let chroma =
                    key::key_chroma(mono.channel(0), sr, None).map_err(|e| e.in_file(&args.input))?;
                let estimate =
                    key::estimate_from_profile(&key::sum_frames(&chroma.frames), KeyProfile::default())
                        .map_err(|e| e.in_file(&args.input))?;
                let from = estimate.key().map_err(|e| e.in_file(&args.input))?;
                (f64::from(semitones_to_key(from, to)), Some(from))
            }
            (None, None, None) => {
                return Err(technob::Error::InvalidParameter("give --semitones, --cents or --to-key".into()));
            }
        };
        let options = ShiftOptions {
            stretch: stretch_options(audio.sample_rate(), args.low_latency),
            preserve_formants: args.formants,
        };
        let shifted = pitch_shift(&audio, semitones, &options).map_err(|e| e.in_file(&args.input))?;
        technob::audio::write_wav(&shifted, &args.out, WavFormat::Float32)
            .map_err(|e| e.in_file(&args.out))?;
        Ok(ShiftDoc {
            file: name.clone(),
            out: display(&args.out),
            semitones,
            detected_key: detected.map(|k| format!("{} ({})", k, k.camelot())),
            target_key: target.map(|k| format!("{} ({})", k, k.camelot())),
            formants: args.formants,
            mode: mode_name(args.low_latency),
            sample_rate: audio.sample_rate(),
            channels: audio.n_channels(),
            frames: shifted.n_frames(),
        })
    })();
    progress.clear();
    finish(result, args.json, print_shift)
}

fn print_shift(doc: &ShiftDoc) {
    outln!("file     {} ({} Hz, {} ch)", doc.file, doc.sample_rate, doc.channels);
    if let (Some(from), Some(to)) = (&doc.detected_key, &doc.target_key) {
        outln!("key      {from} -> {to}");
    }
    outln!("shift    {:+.2} semitones{}", doc.semitones, if doc.formants { ", formants kept" } else { "" });
    outln!("wrote    {} ({} samples)", doc.out, doc.frames);
}
