//! `technob segment FILE...`: cut tracks into parts — the techno segmenter (intro, build-up,
//! drop, breakdown, outro on bars and phrases, with repetition groups), split on silence, or
//! chunks of whole bars — printed, exported (JSON, CSV, Audacity labels, rekordbox cues, JAMS)
//! and optionally written as one audio file per part.

use std::path::{Path, PathBuf};

use technob::audio::WavFormat;
use technob::rhythm::{Rhythm, RhythmOptions, analyze_rhythm};
use technob::structure::export::{self, ExportFormat};
use technob::structure::{
    Interval, MAX_MIN_BARS, MAX_PHRASE_BARS, SilenceOptions, Structure, StructureOptions, analyze_structure,
    bar_chunks, split_on_silence,
};
use technob::{Audio, Error};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, format_duration, mono_input, report};
use crate::exit;
use crate::progress::TerminalProgress;

/// Bounds of `--bars`.
const MAX_BARS: usize = 4096;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum MethodName {
    /// Intro, build-up, drop, breakdown and outro on bars and 8/16/32-bar phrases, with
    /// repetition groups (A, B, ...).
    Techno,
    /// The sounding parts between silences (--threshold-db, --min-silence, --min-length).
    Silence,
    /// Chunks of --bars whole bars from the first downbeat (needs a beat).
    Bars,
}

impl MethodName {
    fn name(self) -> &'static str {
        match self {
            MethodName::Techno => "techno",
            MethodName::Silence => "silence",
            MethodName::Bars => "bars",
        }
    }
}

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio files; without any, the bundled demo track. An unusable file is reported in one
    /// line on stderr and the others are still segmented.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to segment.
    #[arg(long, value_enum, default_value = "techno")]
    method: MethodName,
    /// bars: bars per chunk (the last chunk may hold fewer).
    #[arg(long, value_name = "N", default_value_t = 16)]
    bars: usize,
    /// silence: a frame is silent below this RMS level (loudest channel), dBFS, -120 to 0.
    #[arg(long, value_name = "DB", default_value_t = -50.0, allow_hyphen_values = true)]
    threshold_db: f64,
    /// silence: silences shorter than this do not split, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5, allow_hyphen_values = true)]
    min_silence: f64,
    /// silence: sounding parts shorter than this are dropped, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.1, allow_hyphen_values = true)]
    min_length: f64,
    /// techno: phrase lengths the boundaries prefer, bars, comma-separated.
    #[arg(long, value_name = "LIST", default_value = "8,16,32")]
    phrase_bars: String,
    /// techno: the shortest segment, bars.
    #[arg(long, value_name = "N", default_value_t = 4)]
    min_bars: u32,
    /// Output format; without it a table for people (or the format OUT's extension names:
    /// .json .csv .txt .xml .jams). rekordbox gets a memory cue at every segment start and hot
    /// cues at the first eight; rekordbox and jams need the techno method.
    #[arg(long, value_parser = ["json", "csv", "labels", "rekordbox", "jams"])]
    format: Option<String>,
    /// Write the output to OUT (atomically) instead of stdout; one FILE only.
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Write each segment as WAV into DIR (created if missing): all the source's channels at
    /// its rate, named `<stem>.01-intro-A.wav` (techno) or `<stem>.01.wav`.
    #[arg(long, value_name = "DIR")]
    split: Option<PathBuf>,
    /// One JSON object per file and line (the same as --format json).
    #[arg(long)]
    json: bool,
}

/// The checked options, shared by every file.
struct Plan {
    method: MethodName,
    format: Option<ExportFormat>,
    /// Bars per chunk of the bars method.
    bars: usize,
    silence: SilenceOptions,
    structure: StructureOptions,
}

/// What a method found in one file.
enum Segmentation {
    /// The techno segmenter's structure and the beat grid it stands on.
    Structure { structure: Structure, rhythm: Rhythm },
    /// Plain spans (silence, bar chunks), with their bar counts when known.
    Intervals { intervals: Vec<Interval>, bars: Option<Vec<u32>> },
}

pub(crate) fn run(args: Args) -> u8 {
    let plan = match plan(&args) {
        Ok(plan) => plan,
        Err(msg) => return usage_error(&msg),
    };
    let inputs: Vec<Option<&Path>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files.iter().map(|f| Some(f.as_path())).collect()
    };
    let progress = TerminalProgress::new("segment");
    let mut code = exit::OK;
    for input in inputs {
        // Every file is tried: one bad file does not stop the others.
        let result = segment_one(input, &args, &plan, &progress);
        progress.clear();
        if let Err(e) = result {
            code = code.max(report(&e));
        }
    }
    code
}

/// An argument error: one line on stderr, exit code 2.
fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    exit::BAD_INPUT
}

/// Check every option before any file is decoded.
fn plan(args: &Args) -> Result<Plan, String> {
    let format = output_format(args)?;
    let several = args.files.len() > 1;
    if several && args.out.is_some() {
        return Err("-o writes one document: give one FILE (or use --json to print JSON Lines)".into());
    }
    if let Some(f) = format {
        if several && f != ExportFormat::Json {
            return Err(format!(
                "--format {f} prints one document per file: give one FILE, or use --json for JSON Lines"
            ));
        }
        if args.method != MethodName::Techno && !f.supports_intervals() {
            return Err(format!(
                "--format {f} needs labelled segments: use --method techno (silence and bars export as json, \
                 csv or labels)"
            ));
        }
        if f.needs_audio_path() && args.files.is_empty() {
            return Err(format!("--format {f} needs an audio FILE (the demo has no file)"));
        }
    }
    if !(1..=MAX_BARS).contains(&args.bars) {
        return Err(format!("--bars {}: give 1 to {MAX_BARS} bars per chunk", args.bars));
    }
    if !(args.threshold_db.is_finite() && (-120.0..=0.0).contains(&args.threshold_db)) {
        return Err(format!(
            "--threshold-db {}: the silence threshold must be -120 to 0 dBFS",
            args.threshold_db
        ));
    }
    for (flag, v) in [("--min-silence", args.min_silence), ("--min-length", args.min_length)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{flag} {v}: give a length in seconds, 0 or more"));
        }
    }
    let phrase_bars = parse_bar_list(&args.phrase_bars)?;
    if args.min_bars == 0 {
        return Err("--min-bars 0: a segment needs at least one bar".into());
    }
    if args.min_bars > MAX_MIN_BARS {
        return Err(format!("--min-bars {}: at most {MAX_MIN_BARS} bars", args.min_bars));
    }
    Ok(Plan {
        method: args.method,
        format,
        bars: args.bars,
        silence: SilenceOptions {
            threshold_dbfs: args.threshold_db,
            min_silence_s: args.min_silence,
            min_sound_s: args.min_length,
        },
        structure: StructureOptions { phrase_bars, min_bars: args.min_bars },
    })
}

/// `--format`, `--json`, or the format `-o`'s extension names; `None` for the table.
fn output_format(args: &Args) -> Result<Option<ExportFormat>, String> {
    let named =
        args.format.as_deref().map(|n| n.parse::<ExportFormat>().map_err(|e| e.to_string())).transpose()?;
    if args.json {
        return match named {
            Some(f) if f != ExportFormat::Json => Err(format!("--json and --format {f} disagree: give one")),
            _ => Ok(Some(ExportFormat::Json)),
        };
    }
    if named.is_some() {
        return Ok(named);
    }
    let Some(out) = &args.out else { return Ok(None) };
    match out.extension().and_then(|e| e.to_str()) {
        Some(ext) => Ok(Some(ExportFormat::from_extension(ext).ok_or_else(|| {
            format!(
                "{}: cannot tell the format from the extension .{ext}; use --format (or .json .csv .txt .xml \
                 .jams)",
                display(out)
            )
        })?)),
        None => Ok(None),
    }
}

/// `8,16,32` → bar counts, each at least 1.
fn parse_bar_list(s: &str) -> Result<Vec<u32>, String> {
    let bad = |why: &str| format!("--phrase-bars {s}: {why}");
    let bars = s
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().ok().filter(|&b| (1..=MAX_PHRASE_BARS).contains(&b)))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| {
            bad(&format!("give whole numbers of bars from 1 to {MAX_PHRASE_BARS}, e.g. 8,16,32"))
        })?;
    if bars.is_empty() {
        return Err(bad("give at least one phrase length"));
    }
    Ok(bars)
}

/// Segment one file (or the demo), print or save the result, and split it if asked.
fn segment_one(
    input: Option<&Path>,
    args: &Args,
    plan: &Plan,
    progress: &TerminalProgress,
) -> technob::Result<()> {
    let name = input.map_or_else(|| DEMO_NAME.to_string(), display);
    let shown = PathBuf::from(&name);
    // The DJ format names the audio file by its absolute path.
    let doc_path = match input {
        Some(file) if plan.format.is_some_and(ExportFormat::needs_audio_path) => {
            std::path::absolute(file).map_err(|e| Error::InvalidInput(e.to_string()).in_file(file))?
        }
        _ => shown.clone(),
    };
    // Silence is judged on the loudest channel and --split writes every channel: both need
    // the channels; the beat tracker and the segmenter only the mono mix.
    let audio = if args.split.is_some() || plan.method == MethodName::Silence {
        all_channels_input(input, &name, progress)?
    } else {
        mono_input(input, &name, progress)?
    };
    let segmentation = segment_audio(&audio, plan, progress).map_err(|e| e.in_file(&shown))?;
    progress.clear();
    let text = match (plan.format, &segmentation) {
        (None, s) => table(&name, plan.method, s),
        (Some(f), Segmentation::Structure { structure, rhythm }) => {
            export::export(structure, rhythm, f, &doc_path).map_err(|e| e.in_file(&shown))?
        }
        (Some(f), Segmentation::Intervals { intervals, .. }) => {
            export::export_intervals(intervals, f, &doc_path).map_err(|e| e.in_file(&shown))?
        }
    };
    let text = match &args.split {
        Some(dir) => {
            let stem = input
                .and_then(Path::file_stem)
                .map_or_else(|| "demo".to_string(), |s| s.to_string_lossy().into_owned());
            let written = split(&audio, &segmentation, dir, &stem)?;
            match plan.format {
                None => format!("{text}split       {} files in {}\n", written.len(), display(dir)),
                Some(_) => text,
            }
        }
        None => text,
    };
    match &args.out {
        Some(out) => technob::io::write_bytes(out, text.as_bytes())?,
        None => out!("{text}"),
    }
    Ok(())
}

/// Run the chosen method on `audio` (mono or all channels).
fn segment_audio(audio: &Audio, plan: &Plan, progress: &TerminalProgress) -> technob::Result<Segmentation> {
    if plan.method == MethodName::Silence {
        let intervals = split_on_silence(audio, &plan.silence)?;
        return Ok(Segmentation::Intervals { intervals, bars: None });
    }
    let mono_owned = (audio.n_channels() > 1).then(|| audio.to_mono());
    let mono = mono_owned.as_ref().unwrap_or(audio);
    let options = RhythmOptions { progress, ..RhythmOptions::default() };
    let rhythm = analyze_rhythm(mono, &options).map_err(|e| {
        if e.is_no_result() && plan.method == MethodName::Bars {
            Error::NoResult(format!("no beats, so no bars to chunk ({e})"))
        } else {
            e
        }
    })?;
    match plan.method {
        MethodName::Techno => {
            let structure = analyze_structure(mono, &rhythm, &plan.structure)?;
            Ok(Segmentation::Structure { structure, rhythm })
        }
        _ => {
            let downbeats = rhythm.downbeat_times();
            if downbeats.is_empty() {
                return Err(Error::NoResult("no downbeats found, so no bars to chunk".into()));
            }
            let intervals = bar_chunks(&downbeats, audio.duration_s(), plan.bars)?;
            let bars = intervals
                .iter()
                .map(|c| downbeats.iter().filter(|&&d| d >= c.start_s && d < c.end_s).count() as u32)
                .collect();
            Ok(Segmentation::Intervals { intervals, bars: Some(bars) })
        }
    }
}

/// The table for people.
fn table(name: &str, method: MethodName, s: &Segmentation) -> String {
    let mut out = format!("file        {name}\n");
    let n = match s {
        Segmentation::Structure { structure, .. } => structure.segments.len(),
        Segmentation::Intervals { intervals, .. } => intervals.len(),
    };
    let detail = match s {
        Segmentation::Structure { structure, .. } if structure.downbeats_known => ", on tracked downbeats",
        Segmentation::Structure { .. } => ", on bars counted from the first beat (no downbeats found)",
        _ => "",
    };
    out += &format!("method      {} ({n} segments{detail})\n", method.name());
    out += "   #  start       end           bars  label      group  confidence\n";
    let row = |i: usize, start: f64, end: f64, bars: String, label: &str, group: &str, conf: String| {
        format!(
            "{:>4}  {:<10}  {:<10}  {bars:>6}  {label:<9}  {group:<5}  {conf}\n",
            i + 1,
            format_duration(start),
            format_duration(end)
        )
    };
    match s {
        Segmentation::Structure { structure, .. } => {
            for (i, seg) in structure.segments.iter().enumerate() {
                out += &row(
                    i,
                    seg.start_s,
                    seg.end_s,
                    seg.bars.to_string(),
                    seg.label.as_str(),
                    &seg.group,
                    format!("{:.2}", seg.confidence),
                );
            }
        }
        Segmentation::Intervals { intervals, bars } => {
            for (i, iv) in intervals.iter().enumerate() {
                let b = bars.as_ref().and_then(|b| b.get(i)).map_or_else(|| "-".to_string(), u32::to_string);
                out += &row(i, iv.start_s, iv.end_s, b, "-", "-", "-".to_string());
            }
        }
    }
    out
}

/// Write each segment of `audio` as WAV into `dir`; returns the paths written.
fn split(audio: &Audio, s: &Segmentation, dir: &Path, stem: &str) -> technob::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Output(e.to_string()).in_file(dir))?;
    let spans: Vec<(f64, f64, String)> = match s {
        Segmentation::Structure { structure, .. } => structure
            .segments
            .iter()
            .map(|seg| {
                let group = file_safe(&seg.group);
                let suffix = if group.is_empty() {
                    format!("-{}", seg.label)
                } else {
                    format!("-{}-{group}", seg.label)
                };
                (seg.start_s, seg.end_s, suffix)
            })
            .collect(),
        Segmentation::Intervals { intervals, .. } => {
            intervals.iter().map(|iv| (iv.start_s, iv.end_s, String::new())).collect()
        }
    };
    let width = spans.len().to_string().len().max(2);
    let sr = f64::from(audio.sample_rate());
    let n = audio.n_frames();
    // Integer sources keep their depth (their samples are written back exactly); float and
    // lossy sources are written as 32-bit float.
    let float = audio.source().codec.starts_with("pcm_f");
    let format = match audio.source().bit_depth {
        Some(d) if d <= 16 && !float => WavFormat::Int16,
        Some(d) if d <= 24 && !float => WavFormat::Int24,
        _ => WavFormat::Float32,
    };
    let mut written = Vec::with_capacity(spans.len());
    for (i, (start_s, end_s, suffix)) in spans.iter().enumerate() {
        let a = ((start_s * sr).round().max(0.0) as usize).min(n);
        let b = ((end_s * sr).round().max(0.0) as usize).clamp(a, n);
        let channels: Vec<Vec<f32>> = audio.channels().iter().map(|ch| ch[a..b].to_vec()).collect();
        let source =
            technob::SourceInfo { frames: (b - a) as u64, warnings: Vec::new(), ..audio.source().clone() };
        let part = Audio::new(channels, audio.sample_rate(), source)?;
        let path = dir.join(format!("{stem}.{:0width$}{suffix}.wav", i + 1));
        technob::audio::write_wav(&part, &path, format)?;
        written.push(path);
    }
    Ok(written)
}

/// A group name as a file-name part: ASCII letters and digits kept, anything else `_`.
fn file_safe(s: &str) -> String {
    s.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_lists_parse() {
        assert_eq!(parse_bar_list("8,16,32"), Ok(vec![8, 16, 32]));
        assert_eq!(parse_bar_list(" 4 , 8 "), Ok(vec![4, 8]));
        for bad in ["", ",", "0,8", "8,x", "-4", "1.5", "100000"] {
            let err = parse_bar_list(bad).unwrap_err();
            assert!(err.starts_with("--phrase-bars"), "{bad}: {err}");
        }
    }

    #[test]
    fn group_names_are_safe_in_file_names() {
        assert_eq!(file_safe("A"), "A");
        assert_eq!(file_safe("B2"), "B2");
        assert_eq!(file_safe("../x y"), "___x_y");
        assert_eq!(file_safe(" "), "");
    }
}
