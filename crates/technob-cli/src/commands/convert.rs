//! `technob convert IN OUT`: decode any supported file and write WAV or FLAC, optionally
//! resampled, downmixed or reduced to one channel.

use std::path::PathBuf;

use technob::audio::{DecodeOptions, FlacDepth, WavFormat};

use super::{display, report, warn_all};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Input audio file.
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Output file: `.wav` or `.flac` (written atomically).
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// Resample to this rate in Hz.
    #[arg(long, value_name = "HZ")]
    rate: Option<u32>,
    /// Downmix to mono (mean of the channels).
    #[arg(long, conflicts_with = "channel")]
    mono: bool,
    /// Keep only this channel (0-based).
    #[arg(long, value_name = "INDEX")]
    channel: Option<usize>,
    /// Sample format: WAV `f32` (default), `s16` or `s24`; FLAC `s16` (default) or `s24`.
    #[arg(long, value_parser = ["f32", "s16", "s24"])]
    sample_format: Option<String>,
}

pub(crate) fn run(args: Args) -> u8 {
    let ext = args.out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let fmt = args.sample_format.as_deref();
    let target = match (ext.as_deref(), fmt) {
        (Some("wav"), Some("s16")) => Target::Wav(WavFormat::Int16),
        (Some("wav"), Some("s24")) => Target::Wav(WavFormat::Int24),
        (Some("wav"), _) => Target::Wav(WavFormat::Float32),
        (Some("flac"), Some("f32")) => {
            eprintln!("error: {}: FLAC cannot hold 32-bit float; use s16 or s24", display(&args.out));
            return exit::BAD_INPUT;
        }
        (Some("flac"), Some("s24")) => Target::Flac(FlacDepth::Bits24),
        (Some("flac"), _) => Target::Flac(FlacDepth::Bits16),
        _ => {
            eprintln!("error: {}: output must end in .wav or .flac", display(&args.out));
            return exit::BAD_INPUT;
        }
    };
    let progress = TerminalProgress::new("convert");
    let result = (|| {
        let mut audio = technob::audio::decode_file_with_progress(
            &args.input,
            &DecodeOptions { mono: args.mono },
            &progress,
        )?;
        progress.clear();
        warn_all(&display(&args.input), &audio.source().warnings);
        if let Some(index) = args.channel {
            audio = audio.select_channel(index).map_err(|e| e.in_file(&args.input))?;
        }
        if let Some(rate) = args.rate {
            audio = audio.resampled(rate)?;
        }
        match target {
            Target::Wav(f) => technob::audio::write_wav(&audio, &args.out, f),
            Target::Flac(d) => technob::audio::write_flac(&audio, &args.out, d),
        }
    })();
    match result {
        Ok(()) => exit::OK,
        Err(e) => report(&e),
    }
}

enum Target {
    Wav(WavFormat),
    Flac(FlacDepth),
}
