//! `technob plot FILE -o OUT.png|svg`: waveform over a log-frequency spectrogram.

use std::path::PathBuf;

use technob::audio::DecodeOptions;
use technob::plot::{PlotOptions, save_overview};

use super::analyze::DEMO_NAME;
use super::{display, report, warn_all};
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
    /// Highest frequency of the spectrogram in Hz (default: half the sample rate).
    #[arg(long, value_name = "HZ")]
    fmax: Option<f64>,
}

pub(crate) fn run(args: Args) -> u8 {
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let result = (|| {
        let audio = match &args.file {
            Some(file) => {
                let progress = TerminalProgress::new("plot");
                let audio = technob::audio::decode_file_with_progress(
                    file,
                    &DecodeOptions { mono: true },
                    &progress,
                )?;
                progress.clear();
                warn_all(&display(file), &audio.source().warnings);
                audio
            }
            None => technob::demo::render(&technob::demo::DemoConfig::default())?.audio.to_mono(),
        };
        let title = args.title.clone().unwrap_or_else(|| {
            input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        });
        let (beats, downbeats) = if args.no_beats {
            (Vec::new(), Vec::new())
        } else {
            match technob::rhythm::analyze_rhythm(&audio, &technob::rhythm::RhythmOptions::default()) {
                Ok(r) => (r.beat_times(), r.downbeat_times()),
                // No beat (silence, noise): the picture is still useful without the grid.
                Err(e) if e.is_no_result() => (Vec::new(), Vec::new()),
                Err(e) => return Err(e.in_file(&input)),
            }
        };
        let f0 = if args.pitch { pitch_track(&audio).map_err(|e| e.in_file(&input))? } else { Vec::new() };
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

/// pYIN f0 of the audio (at up to 22.05 kHz: a picture needs no finer hop) as
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
