//! `technob plot FILE -o OUT.png|svg`: a stack of panels (waveform, 3-band waveform,
//! spectrogram, mel, CQT, chroma, loudness) on one time axis, beats, downbeats and segments
//! (from a file, or the techno segmenter with `--segments auto`) drawn over them.

use std::path::PathBuf;

use technob::plot::{Panel, PlotOptions, PlotSegment, read_segments, save_overview};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, report};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file; without it, the bundled demo track.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Output picture: `.png` or `.svg` (written atomically).
    #[arg(short, long, value_name = "OUT")]
    out: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1600)]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 800)]
    height: u32,
    /// Start of the time range in seconds.
    #[arg(long, value_name = "SECONDS")]
    from: Option<f64>,
    /// End of the time range in seconds.
    #[arg(long, value_name = "SECONDS")]
    to: Option<f64>,
    /// Title (default: the file name).
    #[arg(long)]
    title: Option<String>,
    /// Do not track and draw beats and downbeats over the waveform.
    #[arg(long)]
    no_beats: bool,
    /// Track the pitch (pYIN) and draw the f0 over the spectrogram.
    #[arg(long)]
    pitch: bool,
    /// Highest frequency of the spectrogram and mel panels in Hz (default: half the sample rate).
    #[arg(long, value_name = "HZ")]
    fmax: Option<f64>,
    /// Panels, top to bottom, comma-separated: waveform, waveform3 (DJ-style 3-band colours),
    /// spectrogram, mel, cqt, chroma, loudness, grid (each beat's offset from the constant beat
    /// grid, in ms), curves (default: waveform,spectrogram).
    #[arg(long, value_name = "LIST")]
    panels: Option<String>,
    /// Descriptors drawn by the curves panel, one row each: column names of `technob features
    /// --per frame` (rms, zcr, spectral_centroid, spectral_flatness, onset_strength, band_low_db,
    /// mfcc_1, chroma_A, ...).
    #[arg(
        long,
        value_name = "LIST",
        default_value = "rms,spectral_centroid,spectral_flatness,onset_strength"
    )]
    curves: String,
    /// Loudness target drawn on the loudness panel, LUFS.
    #[arg(long, value_name = "LUFS", default_value_t = technob::loudness::TARGET_STREAMING_LUFS, allow_hyphen_values = true)]
    target: f64,
    /// Segments drawn as bands coloured by role (intro, buildup, drop, breakdown, outro), the
    /// label or group letter written in them: `auto` runs the techno segmenter (as `technob
    /// segment`); or a file: what `technob segment --format json|csv|labels` writes, an Audacity
    /// label file (start, end, label separated by tabs) or CSV with the header
    /// start_s,end_s,label (a file named `auto`: give it as ./auto).
    #[arg(long, value_name = "FILE|auto")]
    segments: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> u8 {
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let result = (|| {
        // Options first: a bad panel name or segments file fails before any decoding.
        let panels = match &args.panels {
            Some(list) => Panel::parse_list(list)?,
            None => PlotOptions::default().panels,
        };
        let auto_segments = args.segments.as_deref().is_some_and(|p| p.as_os_str() == "auto");
        let mut segments = match &args.segments {
            Some(path) if !auto_segments => read_segments(path)?,
            _ => Vec::new(),
        };
        // All channels: the loudness panel measures them as BS.1770 weights them.
        let audio =
            all_channels_input(args.file.as_deref(), &display(&input), &TerminalProgress::new("plot"))?;
        let wants_curves = panels.contains(&technob::plot::Panel::Curves);
        let needs_mono = !args.no_beats || args.pitch || wants_curves || auto_segments;
        let mono = if needs_mono { Some(audio.to_mono()) } else { None };
        let curves = match (&mono, wants_curves) {
            (Some(mono), true) => feature_curves(mono, &args.curves).map_err(|e| e.in_file(&input))?,
            _ => Vec::new(),
        };
        let title = args.title.clone().unwrap_or_else(|| {
            input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        });
        let rhythm = if args.no_beats && !auto_segments {
            None
        } else {
            let mono = mono.as_ref().unwrap_or(&audio);
            match technob::rhythm::analyze_rhythm(mono, &technob::rhythm::RhythmOptions::default()) {
                Ok(r) => Some(r),
                // No beat (silence, noise): the picture is still useful without the grid.
                Err(e) if e.is_no_result() && !auto_segments => None,
                Err(e) if e.is_no_result() => {
                    return Err(technob::Error::NoResult(format!(
                        "--segments auto needs beats to segment on: {e}"
                    ))
                    .in_file(&input));
                }
                Err(e) => return Err(e.in_file(&input)),
            }
        };
        if let (true, Some(r)) = (auto_segments, &rhythm) {
            let mono = mono.as_ref().unwrap_or(&audio);
            let structure = technob::structure::analyze_structure(
                mono,
                r,
                &technob::structure::StructureOptions::default(),
            )
            .map_err(|e| e.in_file(&input))?;
            segments = PlotSegment::from_structure(&structure);
        }
        let (beats, downbeats) = match (&rhythm, args.no_beats) {
            (Some(r), false) => (r.beat_times(), r.downbeat_times()),
            _ => (Vec::new(), Vec::new()),
        };
        let f0 = match (&mono, args.pitch) {
            (Some(mono), true) => pitch_track(mono).map_err(|e| e.in_file(&input))?,
            _ => Vec::new(),
        };
        let options = PlotOptions {
            beats,
            downbeats,
            f0,
            fmax_hz: args.fmax,
            width: args.width,
            height: args.height,
            from_s: args.from,
            to_s: args.to,
            title: Some(title),
            panels,
            segments,
            target_lufs: args.target,
            curves,
            ..PlotOptions::default()
        };
        // Problems with the options are reported against the input they were applied to.
        save_overview(&audio, &options, &args.out).map_err(|e| e.in_file(&input))
    })();
    match result {
        Ok(()) => exit::OK,
        Err(e) => report(&e),
    }
}

/// The named descriptor columns of the frame table of the mono audio as plot curves.
fn feature_curves(audio: &technob::Audio, names: &str) -> technob::Result<Vec<technob::plot::Curve>> {
    use technob::features::{FeatureOptions, frame_features};
    let table = frame_features(audio.channel(0), audio.sample_rate(), &FeatureOptions::default())?;
    let times: Vec<f64> = table.column("time_s").unwrap_or_default().iter().map(|&t| f64::from(t)).collect();
    names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|name| {
            let values = table.column(name).ok_or_else(|| {
                technob::Error::InvalidParameter(format!(
                    "unknown descriptor '{name}' for --curves (valid: {})",
                    table.names()[1..].join(", ")
                ))
            })?;
            let unit = match name {
                "spectral_centroid" | "spectral_bandwidth" | "spectral_rolloff" => "Hz",
                n if n.ends_with("_db") || n.starts_with("spectral_contrast") => "dB",
                _ => "",
            };
            Ok(technob::plot::Curve {
                label: name.to_string(),
                unit: unit.to_string(),
                times_s: times.clone(),
                values: values.iter().map(|&v| f64::from(v)).collect(),
            })
        })
        .collect()
}

/// pYIN f0 of the mono audio (at up to 22.05 kHz: a picture needs no finer hop) as
/// `(time s, f0 Hz)`, 0 where unvoiced.
fn pitch_track(audio: &technob::Audio) -> technob::Result<Vec<(f64, f64)>> {
    let sr = audio.sample_rate().min(22_050);
    let resampled;
    let y = if sr == audio.sample_rate() {
        audio.channel(0)
    } else {
        resampled = technob::audio::resample_channel(audio.channel(0), audio.sample_rate(), sr)?;
        &resampled[..]
    };
    let config = technob::tonal::pitch::PitchConfig::for_sample_rate(sr);
    let track = technob::tonal::pitch::pyin(y, sr, &config)?;
    Ok(track.times_s.iter().copied().zip(track.f0_hz.iter().copied()).collect())
}
