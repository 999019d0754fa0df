//! `technob`: the command-line shell over the technob library. Each command parses its
//! arguments, calls one library function, and prints the result; no DSP lives here.

/// `println!` for results on stdout: a closed pipe (`technob analyze --json | head`) ends the
/// program quietly with success instead of panicking, any other write error exits 1.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` for results on stdout, with the same handling of a closed pipe as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!($($arg)*)) };
}

mod commands;
mod progress;

use std::process::ExitCode;

/// Writing results to stdout without panicking when the reader goes away.
pub(crate) mod stdout {
    use std::io::Write;

    /// Write `args` to stdout; see [`outln!`].
    pub(crate) fn write(args: std::fmt::Arguments<'_>) {
        let result = std::io::stdout().lock().write_fmt(args);
        if let Err(e) = result {
            exit_on(&e);
        }
    }

    /// Flush stdout before exiting, with the same error handling as [`write`].
    pub(crate) fn flush() {
        if let Err(e) = std::io::stdout().lock().flush() {
            exit_on(&e);
        }
    }

    fn exit_on(e: &std::io::Error) -> ! {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader has all it wanted; what is left would be thrown away anyway.
            std::process::exit(i32::from(crate::exit::OK));
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(i32::from(crate::exit::FAILURE));
    }
}

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
Commands that take several files (info, segment) go on after a bad one; the exit code is then
the highest of the files' codes.

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
    /// Estimate the key (Camelot, Open Key), the keys to mix into, and key changes over time.
    Key(commands::key::Args),
    /// EBU R128 loudness: integrated, range, true peak, and the gain to a LUFS target.
    Loudness(commands::loudness::Args),
    /// Descriptors per frame, beat or bar (spectral shape, MFCC, chroma, band energy) and summaries.
    Features(commands::features::Args),
    /// Track the pitch (f0, pYIN or YIN) of a melody, voice or bass line; notes to MIDI.
    Pitch(commands::pitch::Args),
    /// Decode any supported file and write WAV or FLAC (optionally resampled or downmixed).
    Convert(commands::convert::Args),
    /// Write the bundled demo track (a synthesised techno track with known ground truth).
    Demo(commands::demo::Args),
    /// Cut tracks into intro, build-up, drop, breakdown and outro (or on silence, or into bars);
    /// export cues for rekordbox, split into audio files.
    Segment(commands::segment::Args),
    /// Draw waveforms, spectrograms, chroma, loudness and descriptor curves as PNG or SVG.
    Plot(commands::plot::Args),
    /// Split into stems: harmonic/percussive, vocals/background (REPET-SIM), or clean/noise.
    Separate(commands::separate::Args),
    /// Time-stretch without changing the pitch: by a ratio, or to a tempo (--bpm).
    Stretch(commands::stretch::Args),
    /// Pitch-shift without changing the tempo: by semitones/cents, or to a key (--to-key 8A).
    Shift(commands::shift::Args),
    /// Put a track (and its stems) on a constant beat grid: a tempo, or another track's grid.
    Quantize(commands::quantize::Args),
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
        Command::Key(args) => commands::key::run(args),
        Command::Pitch(args) => commands::pitch::run(args),
        Command::Loudness(args) => commands::loudness::run(args),
        Command::Features(args) => commands::features::run(args),
        Command::Convert(args) => commands::convert::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Segment(args) => commands::segment::run(args),
        Command::Plot(args) => commands::plot::run(args),
        Command::Separate(args) => commands::separate::run(args),
        Command::Stretch(args) => commands::stretch::run(args),
        Command::Shift(args) => commands::shift::run(args),
        Command::Quantize(args) => commands::quantize::run(args),
        Command::Eval(args) => commands::eval::run(args),
    };
    stdout::flush();
    ExitCode::from(code)
}
