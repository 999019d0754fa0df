//! `technob`: the command-line shell over the technob library. Each command parses its
//! arguments, calls one library function, and prints the result; no DSP lives here.

mod commands;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, as documented in `--help`.
pub(crate) mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Anything other than unusable input (an output that cannot be written, an internal error).
    pub const FAILURE: u8 = 1;
    /// Unusable input: missing, unreadable, corrupt, unsupported, no audio, bad parameters.
    pub const BAD_INPUT: u8 = 2;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  failure other than bad input (e.g. an output file cannot be written)
  2  unusable input: missing, unreadable, empty, corrupt, unsupported or too short file, no audio,
     NaN/inf samples, or invalid arguments

Errors are one line on stderr naming the file and the problem; warnings (e.g. a truncated MP3,
FLAC or Ogg file analysed up to the damage) are one line on stderr starting with 'warning:'.
Machine-readable results (--json) go to stdout; progress bars go to stderr, only when stderr is a
terminal and the work takes more than a second.";

/// Music analysis and processing for techno producers and DJs.
#[derive(Parser, Debug)]
#[command(name = "technob", version, about, after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show format, codec, sample rate, channels, bit depth, duration and exact frame count.
    Info(commands::info::Args),
    /// Analyse a track (the bundled demo when no file is given) and print the analysis document.
    Analyze(commands::analyze::Args),
    /// Track tempo, beats, downbeats and the DJ beat grid; export it for DJ software.
    Beats(commands::beats::Args),
    /// Decode any supported file and write WAV or FLAC (optionally resampled or downmixed).
    Convert(commands::convert::Args),
    /// Write the bundled demo track (a synthesised techno track with known ground truth).
    Demo(commands::demo::Args),
    /// Draw a waveform over a log-frequency spectrogram as PNG or SVG.
    Plot(commands::plot::Args),
    /// Score beat tracking against annotations with mir_eval's metrics.
    Eval(commands::eval::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::BAD_INPUT } else { exit::OK });
        }
    };
    let code = match cli.command {
        Command::Info(args) => commands::info::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Beats(args) => commands::beats::run(args),
        Command::Convert(args) => commands::convert::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Plot(args) => commands::plot::run(args),
        Command::Eval(args) => commands::eval::run(args),
    };
    ExitCode::from(code)
}
