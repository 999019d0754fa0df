//! `technob loudness [FILE]`: EBU R128 integrated loudness, loudness range, true and sample
//! peak, and the gain to a loudness target.

use std::path::PathBuf;

use serde::Serialize;
use technob::audio::WavFormat;
use technob::loudness::{
    LoudnessReport, NormalizeOptions, TARGET_STREAMING_LUFS, measure_loudness, normalize,
};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file (every channel is measured); without it, the bundled demo.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Loudness target in LUFS for the gain line: -14 streaming, -9 club, -18 ReplayGain 2.
    #[arg(long, default_value_t = TARGET_STREAMING_LUFS, allow_negative_numbers = true, value_name = "LUFS")]
    target: f64,
    /// Write the audio with the gain to --target applied, as 24-bit WAV (atomically). The gain
    /// stops where the true peak would pass --ceiling: no limiter, no clipping.
    #[arg(long, value_name = "OUT.wav")]
    normalize: Option<PathBuf>,
    /// True-peak ceiling for --normalize, dBTP.
    #[arg(long, default_value_t = -1.0, allow_negative_numbers = true, value_name = "DBTP")]
    ceiling: f64,
    /// Print one JSON object (with the momentary and short-term curves, 100 ms apart).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct LoudnessDoc<'a> {
    file: String,
    target_lufs: f64,
    gain_to_target_db: Option<f64>,
    #[serde(flatten)]
    report: &'a LoudnessReport,
}

pub(crate) fn run(args: Args) -> u8 {
    if !(args.target.is_finite() && (-70.0..=0.0).contains(&args.target)) {
        eprintln!("error: --target {}: must be between -70 and 0 LUFS", args.target);
        return exit::BAD_INPUT;
    }
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let name = display(&input);
    let progress = TerminalProgress::new("loudness");
    let result = (|| -> technob::Result<LoudnessReport> {
        let audio = all_channels_input(args.file.as_deref(), &name, &progress)?;
        let measured = measure_loudness(&audio).map_err(|e| e.in_file(&input))?;
        if let Some(out) = &args.normalize {
            let options = NormalizeOptions { target_lufs: args.target, true_peak_ceiling_dbtp: args.ceiling };
            let normalized = normalize(&audio, &measured, &options).map_err(|e| e.in_file(&input))?;
            technob::audio::write_wav(&normalized.audio, out, WavFormat::Int24)?;
            if normalized.gain_db < normalized.requested_gain_db {
                eprintln!(
                    "warning: {name}: gain limited to {:+.1} dB (not {:+.1} dB) to keep the true peak at {} dBTP",
                    normalized.gain_db, normalized.requested_gain_db, args.ceiling
                );
            }
        }
        Ok(measured)
    })();
    progress.clear();
    let report_ = match result {
        Ok(r) => r,
        Err(e) => return report(&e),
    };
    let gain = report_.gain_to_target_db(args.target);
    if args.json {
        let doc =
            LoudnessDoc { file: name, target_lufs: args.target, gain_to_target_db: gain, report: &report_ };
        match to_json(&doc) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
        return exit::OK;
    }
    let lufs = |x: Option<f64>| x.map_or("below the -70 LUFS gate".to_string(), |v| format!("{v:.1} LUFS"));
    outln!("file        {name}");
    outln!("integrated  {}", lufs(report_.integrated_lufs));
    outln!("range       {:.1} LU", report_.range_lu);
    outln!("true peak   {:.1} dBTP", report_.true_peak_dbtp);
    outln!("sample peak {:.1} dBFS", report_.sample_peak_dbfs);
    if let Some(g) = gain {
        outln!(
            "to {:.1} LUFS  {:+.1} dB (true peak after: {:.1} dBTP)",
            args.target,
            g,
            report_.true_peak_dbtp + g
        );
    }
    exit::OK
}
