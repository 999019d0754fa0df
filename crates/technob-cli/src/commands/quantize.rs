//! `technob quantize IN OUT --bpm B | --grid-from FILE [--beats FILE] [--stem FILE]...`: put a
//! track on a constant beat grid. Each tracked beat is moved to its grid line (anchored at the
//! first downbeat) by a smoothly varying stretch; stems get the very same stretch plan, so
//! they stay sample-aligned with the quantized mix.

use std::path::{Path, PathBuf};

use serde::Serialize;
use technob::audio::{Audio, WavFormat};
use technob::rhythm::{Beat, RhythmOptions, analyze_rhythm};
use technob::stretch::{GridTarget, QuantizeOptions, quantize, stretch_stems};

use super::stretch::{check_bpm, mode_name, stretch_options};
use super::{all_channels_input, display, finish};
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Input audio file (the mix).
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Output WAV file (32-bit float, written atomically).
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// Target tempo in BPM; the grid is anchored at the track's first downbeat.
    #[arg(long, value_name = "BPM", required_unless_present = "grid_from", conflicts_with = "grid_from")]
    bpm: Option<f64>,
    /// Match another track's grid: its tempo, and downbeats on its downbeats.
    #[arg(long, value_name = "FILE")]
    grid_from: Option<PathBuf>,
    /// Beats of IN from a file instead of tracking them: one per line, `time [position]`
    /// (1 = downbeat), technob's beat CSV, or an Audacity label file (`technob beats --format
    /// csv|labels`).
    #[arg(long, value_name = "FILE")]
    beats: Option<PathBuf>,
    /// A stem of IN (same length and rate) to quantize with the same plan; written beside
    /// OUT as `<OUT stem>.<stem name>.wav`. Repeat for more stems.
    #[arg(long, value_name = "FILE")]
    stem: Vec<PathBuf>,
    /// Cheaper, lower-latency mode: a ~23 ms window and no transient pass.
    #[arg(long)]
    low_latency: bool,
    /// Print one JSON object describing what was written.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct QuantizeDoc {
    file: String,
    out: String,
    source_bpm: f64,
    target_bpm: f64,
    grid_from: Option<String>,
    beats: usize,
    beats_from: &'static str,
    first_beat_s: f64,
    first_downbeat_s: f64,
    transients_locked: usize,
    mode: &'static str,
    sample_rate: u32,
    channels: usize,
    frames_in: usize,
    frames_out: usize,
    stems: Vec<String>,
}

/// Beats from a text file, one per line (`#` starts a comment): `time`, `time position`
/// (madmom's `.beats`), technob's CSV (`time_s,position,is_downbeat`, header optional; any CSV
/// whose header names `time_s`/`time` and `position` columns), or an Audacity label file
/// (`start end label`, the label being the bar position, as `technob beats --format labels`
/// writes). Fields are separated by commas, tabs or spaces; positions are whole numbers.
fn read_beats(path: &Path) -> technob::Result<Vec<Beat>> {
    let text = std::fs::read_to_string(path).map_err(|e| technob::Error::InvalidParameter(format!("{e}")))?;
    let mut beats = Vec::new();
    // Column of the time and of the position (None: no position).
    let mut columns: Option<(usize, Option<usize>)> = None;
    let mut first = true;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> =
            line.split(|c: char| c == ',' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let bad = |what: &str| technob::Error::InvalidParameter(format!("line {}: '{line}': {what}", i + 1));
        if first && fields.first().is_some_and(|f| f.parse::<f64>().is_err()) {
            // A header: find the columns by name.
            let find =
                |names: &[&str]| fields.iter().position(|f| names.contains(&f.to_ascii_lowercase().as_str()));
            let time = find(&["time_s", "time", "beat_s", "beat"])
                .ok_or_else(|| bad("a header without a time column"))?;
            columns = Some((time, find(&["position", "bar_position", "beat_position"])));
            first = false;
            continue;
        }
        first = false;
        let (time_col, position_col) = *columns.get_or_insert_with(|| match fields.len() {
            1 => (0, None),
            2 => (0, Some(1)),
            // Audacity labels: start, end (a time, with a decimal point), label.
            _ if fields[1].contains('.') => (0, Some(2)),
            _ => (0, Some(1)),
        });
        let time_s: f64 = fields
            .get(time_col)
            .and_then(|f| f.parse().ok())
            .filter(|t: &f64| t.is_finite())
            .ok_or_else(|| bad("not a time in seconds"))?;
        let position = match position_col.and_then(|c| fields.get(c)) {
            Some(p) => p.parse::<u32>().map_err(|_| bad("the bar position must be a whole number"))?,
            None => 0,
        };
        beats.push(Beat { time_s, position });
    }
    Ok(beats)
}

fn decode(path: &Path, progress: &TerminalProgress) -> technob::Result<Audio> {
    all_channels_input(Some(path), &display(path), progress)
}

/// `<dir of out>/<stem of out>.<stem of stem>.wav`.
fn stem_out(out: &Path, stem: &Path) -> PathBuf {
    let base = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let name = stem.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "stem".into());
    out.with_file_name(format!("{base}.{name}.wav"))
}

pub(crate) fn run(args: Args) -> u8 {
    if let Err(code) = check_bpm(args.bpm) {
        return code;
    }
    let name = display(&args.input);
    let progress = TerminalProgress::new("quantize");
    let result = (|| -> technob::Result<QuantizeDoc> {
        let audio = decode(&args.input, &progress)?;
        // Every stem is decoded and checked before anything is written.
        let mut stems = Vec::with_capacity(args.stem.len());
        for path in &args.stem {
            let stem = decode(path, &progress)?;
            if stem.n_frames() != audio.n_frames() || stem.sample_rate() != audio.sample_rate() {
                return Err(technob::Error::InvalidParameter(format!(
                    "{}: the stem has {} samples at {} Hz, the mix {} at {} Hz",
                    display(path),
                    stem.n_frames(),
                    stem.sample_rate(),
                    audio.n_frames(),
                    audio.sample_rate()
                )));
            }
            stems.push((path, stem));
        }
        let (beats, beats_from) = match &args.beats {
            Some(path) => (read_beats(path).map_err(|e| e.in_file(path))?, "file"),
            None => {
                let rhythm = analyze_rhythm(&audio.to_mono(), &RhythmOptions::default())
                    .map_err(|e| e.in_file(&args.input))?;
                (rhythm.beats, "tracked")
            }
        };
        let target = match (&args.grid_from, args.bpm) {
            (_, Some(bpm)) => GridTarget::Bpm(bpm),
            (Some(other), None) => {
                let other_audio = decode(other, &progress)?;
                let rhythm = analyze_rhythm(&other_audio.to_mono(), &RhythmOptions::default())
                    .map_err(|e| e.in_file(other))?;
                let grid = rhythm.grid.ok_or_else(|| {
                    technob::Error::InvalidParameter("no beat grid found to match".into()).in_file(other)
                })?;
                GridTarget::Grid {
                    bpm: grid.bpm,
                    first_downbeat_s: grid.first_downbeat_s,
                    beats_per_bar: rhythm.beats_per_bar,
                }
            }
            (None, None) => return Err(technob::Error::InvalidParameter("give --bpm or --grid-from".into())),
        };
        let options =
            QuantizeOptions { target, stretch: stretch_options(audio.sample_rate(), args.low_latency) };
        let result = quantize(&audio, &beats, &options).map_err(|e| e.in_file(&args.input))?;
        // Stems take the mix's phase rotations: they add up to the quantized mix as before.
        let stem_audio: Vec<Audio> = stems.iter().map(|(_, a)| a.clone()).collect();
        let stretched = if stem_audio.is_empty() {
            Vec::new()
        } else {
            stretch_stems(&audio, &stem_audio, &result.plan, &options.stretch)
                .map_err(|e| e.in_file(&args.input))?
                .1
        };
        let stem_outputs: Vec<(PathBuf, Audio)> =
            stems.iter().zip(stretched).map(|((path, _), a)| (stem_out(&args.out, path), a)).collect();
        let mut written = Vec::with_capacity(stem_outputs.len());
        technob::audio::write_wav(&result.audio, &args.out, WavFormat::Float32)
            .map_err(|e| e.in_file(&args.out))?;
        for (path, audio) in &stem_outputs {
            technob::audio::write_wav(audio, path, WavFormat::Float32).map_err(|e| e.in_file(path))?;
            written.push(display(path));
        }
        Ok(QuantizeDoc {
            file: name.clone(),
            out: display(&args.out),
            source_bpm: result.source_bpm,
            target_bpm: result.target_bpm,
            grid_from: args.grid_from.as_deref().map(display),
            beats: result.beats,
            beats_from,
            first_beat_s: result.first_beat_s,
            first_downbeat_s: result.first_downbeat_s,
            transients_locked: result.plan.resets.len(),
            mode: mode_name(args.low_latency),
            sample_rate: audio.sample_rate(),
            channels: audio.n_channels(),
            frames_in: audio.n_frames(),
            frames_out: result.audio.n_frames(),
            stems: written,
        })
    })();
    progress.clear();
    finish(result, args.json, print_quantize)
}

fn print_quantize(doc: &QuantizeDoc) {
    outln!("file     {} ({} Hz, {} ch)", doc.file, doc.sample_rate, doc.channels);
    outln!(
        "tempo    {:.2} -> {:.2} BPM ({} beats, {})",
        doc.source_bpm,
        doc.target_bpm,
        doc.beats,
        doc.beats_from
    );
    if let Some(other) = &doc.grid_from {
        outln!("grid     of {other}");
    }
    outln!("grid     first beat {:.3} s, first downbeat {:.3} s", doc.first_beat_s, doc.first_downbeat_s);
    outln!("wrote    {} ({} -> {} samples)", doc.out, doc.frames_in, doc.frames_out);
    for stem in &doc.stems {
        outln!("wrote    {stem}");
    }
}
