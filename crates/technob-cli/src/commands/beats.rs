//! `technob beats [FILE]`: tempo, beats, downbeats and the DJ beat grid, printed or exported
//! (JSON, CSV, Audacity labels, rekordbox XML, Traktor NML, JAMS), optionally with a click
//! track to hear the grid.

use std::path::{Path, PathBuf};

use technob::Audio;
use technob::audio::{DecodeOptions, WavFormat};
use technob::rhythm::click::{ClickOptions, click_track};
use technob::rhythm::export::{self, ExportFormat};
use technob::rhythm::{Rhythm, RhythmOptions, Style};

use super::analyze::DEMO_NAME;
use super::{display, format_duration, report, warn_all};
use crate::exit;
use crate::progress::TerminalProgress;

/// Default tempo range in BPM (the library's default).
const DEFAULT_TEMPO_RANGE: (f64, f64) = (60.0, 200.0);
/// Bounds of `--tempo-range`.
const TEMPO_LIMITS: (f64, f64) = (20.0, 400.0);

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file; without it, the bundled demo track.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Output format; without it a summary for people (or the format OUT's extension names:
    /// .json .csv .txt .xml .nml .jams).
    #[arg(long, value_parser = ["json", "csv", "labels", "rekordbox", "traktor", "jams"])]
    format: Option<String>,
    /// Write the output to OUT (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Also write the audio with a click on every beat (downbeats accented) as WAV.
    #[arg(long, value_name = "OUT.wav")]
    click: Option<PathBuf>,
    /// Tempo range to consider, in BPM, as LO-HI (within 20-400).
    #[arg(long, value_name = "LO-HI")]
    tempo_range: Option<String>,
    /// Kind of music: `techno` narrows the tempo to 115-155 BPM and four beats to the bar.
    #[arg(long, default_value = "general", value_parser = ["general", "techno"])]
    style: String,
    /// Beats per bar: `auto` (3 or 4), `3` or `4`.
    #[arg(long, default_value = "auto", value_parser = ["auto", "3", "4"])]
    meter: String,
}

pub(crate) fn run(args: Args) -> u8 {
    let tempo_range = match args.tempo_range.as_deref().map(parse_tempo_range).transpose() {
        Ok(range) => range.unwrap_or(DEFAULT_TEMPO_RANGE),
        Err(msg) => return usage_error(&msg),
    };
    let format = match output_format(&args) {
        Ok(format) => format,
        Err(msg) => return usage_error(&msg),
    };
    // The DJ formats name the audio file by its absolute path.
    let audio_path = match (&args.file, format) {
        (None, Some(f)) if f.needs_audio_path() => {
            return usage_error(&format!("--format {f} needs an audio FILE (the demo has no file)"));
        }
        (Some(file), _) => match std::path::absolute(file) {
            Ok(path) => path,
            Err(e) => return report(&technob::Error::InvalidInput(e.to_string()).in_file(file)),
        },
        (None, _) => PathBuf::from(DEMO_NAME),
    };
    let style = if args.style == "techno" { Style::Techno } else { Style::General };
    let meters = match args.meter.as_str() {
        "3" => vec![3],
        "4" => vec![4],
        _ => vec![3, 4],
    };
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));

    let progress = TerminalProgress::new("beats");
    let result = (|| -> technob::Result<()> {
        let source = match &args.file {
            Some(file) => Source::File(file),
            None => Source::Demo(technob::demo::render(&technob::demo::DemoConfig::default())?.audio),
        };
        let mono = match &source {
            Source::File(file) => {
                let audio =
                    technob::analysis::decode_for_analysis(file, &progress).map_err(|e| e.in_file(file))?;
                warn_all(&display(file), &audio.source().warnings);
                audio
            }
            Source::Demo(audio) => audio.to_mono(),
        };
        let options = RhythmOptions { tempo_range, style, meters, progress: &progress };
        let rhythm = technob::rhythm::analyze_rhythm(&mono, &options).map_err(|e| e.in_file(&input))?;
        drop(mono);
        progress.clear();

        let text = match format {
            Some(f) => export::export(&rhythm, f, &audio_path).map_err(|e| e.in_file(&input))?,
            None => summary(&display(&input), &rhythm),
        };
        if format == Some(ExportFormat::Traktor) && rhythm.tempo_changes() {
            eprintln!(
                "warning: {}: Traktor keeps one tempo per track; the {} tempo sections were written as \
                 one whole-track grid",
                display(&input),
                rhythm.sections.len()
            );
        }
        match &args.out {
            Some(out) => technob::io::write_bytes(out, text.as_bytes())?,
            None => out!("{text}"),
        }

        if let Some(click_out) = &args.click {
            // The click track keeps every channel of the original.
            let full = match source {
                Source::File(file) => technob::audio::decode_file(file, &DecodeOptions { mono: false })?,
                Source::Demo(audio) => audio,
            };
            let clicked =
                click_track(&full, &rhythm, &ClickOptions::default()).map_err(|e| e.in_file(&input))?;
            technob::audio::write_wav(&clicked, click_out, WavFormat::Int24)?;
        }
        Ok(())
    })();
    progress.clear();
    match result {
        Ok(()) => exit::OK,
        Err(e) => report(&e),
    }
}

/// Where the audio comes from.
enum Source<'a> {
    /// A file, decoded once mono for tracking and again in full for the click track.
    File(&'a Path),
    /// The bundled demo, rendered once.
    Demo(Audio),
}

/// An argument error: one line on stderr, exit code 2.
fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    exit::BAD_INPUT
}

/// `--format`, or the format `-o`'s extension names, or `None` for the summary.
fn output_format(args: &Args) -> Result<Option<ExportFormat>, String> {
    if let Some(name) = &args.format {
        return name.parse::<ExportFormat>().map(Some).map_err(|e| e.to_string());
    }
    let Some(out) = &args.out else { return Ok(None) };
    match out.extension().and_then(|e| e.to_str()) {
        Some(ext) => Ok(Some(ExportFormat::from_extension(ext).ok_or_else(|| {
            format!(
                "{}: cannot tell the format from the extension .{ext}; use --format (or .json .csv \
                 .txt .xml .nml .jams)",
                display(out)
            )
        })?)),
        None => Ok(None),
    }
}

/// Parse `LO-HI` in BPM: both numbers, `LO < HI`, within 20-400.
fn parse_tempo_range(s: &str) -> Result<(f64, f64), String> {
    let bad = |why: &str| format!("--tempo-range {s}: {why}");
    let (lo, hi) = s.split_once('-').ok_or_else(|| bad("expected LO-HI in BPM, e.g. 60-200"))?;
    let number = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(&format!("'{x}' is not a number")))
    };
    let (lo, hi) = (number(lo)?, number(hi)?);
    let (min, max) = TEMPO_LIMITS;
    if lo < min || hi > max {
        return Err(bad(&format!("the range must lie within {min}-{max} BPM")));
    }
    if lo >= hi {
        return Err(bad("LO must be below HI"));
    }
    Ok((lo, hi))
}

/// The summary for people: tempo, meter, beats, grid and sections.
fn summary(file: &str, r: &Rhythm) -> String {
    let mut s = String::new();
    let downbeats = r.beats.iter().filter(|b| b.position == 1).count();
    s += &format!("file        {file}\n");
    s += &format!("duration    {}\n", format_duration(r.duration_s));
    s += &format!("tempo       {:.2} BPM (confidence {:.2})\n", r.tempo.bpm, r.tempo.confidence);
    s += &format!("meter       {}/4\n", r.beats_per_bar);
    s += &format!("beats       {} beats, {downbeats} downbeats\n", r.beats.len());
    match &r.grid {
        Some(g) => {
            s += &format!(
                "beat grid   {:.2} BPM from {:.3} s, first downbeat {:.3} s, max drift {:.1} ms\n",
                g.bpm, g.first_beat_s, g.first_downbeat_s, g.max_drift_ms
            )
        }
        None => s += "beat grid   none (fewer than two beats)\n",
    }
    let kind = if r.tempo_changes() { "tempo changes" } else { "steady tempo" };
    s += &format!("sections    {} ({kind})\n", r.sections.len());
    for sec in &r.sections {
        s += &format!(
            "  {:>8.3}-{:<8.3} s  {:>7.2} BPM  beat {} first  {:>4} beats  max drift {:.1} ms\n",
            sec.start_s, sec.end_s, sec.bpm, sec.first_position, sec.beats, sec.max_drift_ms
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempo_range_parsing() {
        assert_eq!(parse_tempo_range("60-200"), Ok((60.0, 200.0)));
        assert_eq!(parse_tempo_range("115.5-155"), Ok((115.5, 155.0)));
        for (bad, why) in [
            ("200-60", "LO must be below HI"),
            ("120-120", "LO must be below HI"),
            ("10-200", "within 20-400"),
            ("60-500", "within 20-400"),
            ("60", "expected LO-HI"),
            ("a-200", "not a number"),
            ("60-inf", "not a number"),
        ] {
            let err = parse_tempo_range(bad).unwrap_err();
            assert!(err.contains(why) && err.starts_with("--tempo-range"), "{bad}: {err}");
        }
    }
}
