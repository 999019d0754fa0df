//! `technob separate [FILE] --method hpss|repet|denoise --out DIR`: split a recording into
//! stems named by role, written as WAV with the input's rate and channels.

use std::path::{Path, PathBuf};

use serde::Serialize;
use technob::audio::WavFormat;
use technob::decompose::{
    DenoiseOptions, HpssOptions, Method, NoiseProfile, Reconstruction, RepetOptions, reconstruction, separate,
};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum MethodName {
    /// Harmonic/percussive by median filtering: harmonic.wav, percussive.wav (+ residual.wav
    /// with --margin above 1).
    Hpss,
    /// Voice/backing by REPET-SIM: vocals.wav, background.wav.
    Repet,
    /// Spectral-gating noise reduction: clean.wav, noise.wav.
    Denoise,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum SampleFormat {
    /// 32-bit float (lossless: the stems add back to the input exactly).
    F32,
    /// 24-bit integer.
    I24,
    /// 16-bit integer.
    I16,
}

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file; without it, the bundled demo.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Separation method.
    #[arg(long, value_enum, default_value = "hpss")]
    method: MethodName,
    /// Directory for the stems (created if missing); default `<file name>-<method>` here.
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Sample format of the stems.
    #[arg(long, value_enum, default_value = "f32")]
    format: SampleFormat,
    /// hpss: median lengths, harmonic (frames) and percussive (bins), e.g. 31 or 17,41.
    #[arg(long, value_name = "H[,P]", value_parser = parse_pair_usize)]
    kernel: Option<(usize, usize)>,
    /// hpss: separation margin ≥ 1, one value or harmonic,percussive; above 1, what neither part
    /// claims goes to residual.wav.
    #[arg(long, value_name = "M[,P]", value_parser = parse_pair_f32)]
    margin: Option<(f32, f32)>,
    /// hpss: hard (binary) masks instead of soft ones.
    #[arg(long)]
    hard: bool,
    /// repet: frames at least this far apart (seconds) count as repetitions.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    min_distance: f32,
    /// repet: separate harmonic from percussive first and take the voice from the harmonic part
    /// only (drums can never leak into vocals.wav; consonants may be lost).
    #[arg(long)]
    on_harmonic: bool,
    /// denoise: how much noise to remove, 0 to 1 (1: down to -30 dB).
    #[arg(long, value_name = "0..1", default_value_t = 1.0)]
    strength: f32,
    /// denoise: learn the noise from this excerpt, START-END in seconds or m:ss (e.g. 0-1.5 or
    /// 0:00-0:02); default: the quietest 10 % of the frames.
    #[arg(long, value_name = "START-END", value_parser = parse_span)]
    noise_from: Option<(f64, f64)>,
    /// Print one JSON object describing what was written.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct StemDoc {
    name: String,
    path: String,
    rms_dbfs: Option<f64>,
}

#[derive(Serialize)]
struct SeparateDoc {
    file: String,
    method: &'static str,
    sample_rate: u32,
    channels: usize,
    frames: usize,
    out_dir: String,
    stems: Vec<StemDoc>,
    /// How well the written stems add back to the input (before integer rounding).
    reconstruction: Reconstruction,
}

fn parse_pair<T: std::str::FromStr + Copy>(s: &str) -> Result<(T, T), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let parse = |p: &str| p.parse::<T>().map_err(|_| format!("'{p}' is not a number"));
    match parts.as_slice() {
        [one] => parse(one).map(|v| (v, v)),
        [a, b] => Ok((parse(a)?, parse(b)?)),
        _ => Err(format!("'{s}': give one value or two separated by a comma")),
    }
}

fn parse_pair_usize(s: &str) -> Result<(usize, usize), String> {
    parse_pair(s)
}

fn parse_pair_f32(s: &str) -> Result<(f32, f32), String> {
    parse_pair(s)
}

/// Seconds from `12.5`, `1:02.5` or `1:01:02`.
fn parse_time(s: &str) -> Result<f64, String> {
    let mut seconds = 0.0;
    for part in s.trim().split(':') {
        let v: f64 = part.parse().map_err(|_| format!("'{s}' is not a time (seconds or m:ss)"))?;
        seconds = seconds * 60.0 + v;
    }
    if seconds.is_finite() && seconds >= 0.0 { Ok(seconds) } else { Err(format!("'{s}' is not a time")) }
}

fn parse_span(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once('-').ok_or_else(|| format!("'{s}': expected START-END, e.g. 0:00-0:02"))?;
    let (start, end) = (parse_time(a)?, parse_time(b)?);
    if end <= start {
        return Err(format!("'{s}': the end must come after the start"));
    }
    Ok((start, end))
}

fn method(args: &Args) -> Method {
    match args.method {
        MethodName::Hpss => {
            let mut options = HpssOptions::default();
            if let Some((h, p)) = args.kernel {
                (options.kernel_harmonic, options.kernel_percussive) = (h, p);
            }
            if let Some((h, p)) = args.margin {
                (options.margin_harmonic, options.margin_percussive) = (h, p);
            }
            if args.hard {
                options.power = f32::INFINITY;
            }
            Method::Hpss(options)
        }
        MethodName::Repet => Method::Repet(RepetOptions {
            min_distance_s: args.min_distance,
            hpss: args.on_harmonic.then(HpssOptions::default),
            ..RepetOptions::default()
        }),
        MethodName::Denoise => Method::Denoise(DenoiseOptions {
            strength: args.strength,
            noise_profile: match args.noise_from {
                Some((start_s, end_s)) => NoiseProfile::Excerpt { start_s, end_s },
                None => NoiseProfile::default(),
            },
            ..DenoiseOptions::default()
        }),
    }
}

/// The stems' directory: `--out`, or `<file stem>-<method>` in the current directory.
fn out_dir(args: &Args, input: &Path, method: &str) -> PathBuf {
    args.out.clone().unwrap_or_else(|| {
        let stem = input.file_stem().map_or_else(|| "technob".into(), |s| s.to_string_lossy().to_string());
        PathBuf::from(format!("{stem}-{method}"))
    })
}

pub(crate) fn run(args: Args) -> u8 {
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let name = display(&input);
    let method = method(&args);
    let dir = out_dir(&args, &input, method.name());
    let format = match args.format {
        SampleFormat::F32 => WavFormat::Float32,
        SampleFormat::I24 => WavFormat::Int24,
        SampleFormat::I16 => WavFormat::Int16,
    };
    let progress = TerminalProgress::new("separate");
    let result = (|| -> technob::Result<SeparateDoc> {
        let audio = all_channels_input(args.file.as_deref(), &name, &progress)?;
        let separation = separate(&audio, &method).map_err(|e| e.in_file(&input))?;
        let fit = reconstruction(&audio, &separation.stems)?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| technob::Error::Output(format!("cannot create the directory: {e}")).in_file(&dir))?;
        let mut stems = Vec::with_capacity(separation.stems.len());
        for stem in &separation.stems {
            let path = dir.join(format!("{}.wav", stem.name));
            technob::audio::write_wav(&stem.audio, &path, format).map_err(|e| e.in_file(&path))?;
            let (sum, count) = stem
                .audio
                .channels()
                .iter()
                .flatten()
                .fold((0.0f64, 0usize), |(s, n), &x| (s + f64::from(x) * f64::from(x), n + 1));
            let rms = (sum / count.max(1) as f64).sqrt();
            stems.push(StemDoc {
                name: stem.name.clone(),
                path: display(&path),
                rms_dbfs: (rms > 0.0).then(|| 20.0 * rms.log10()),
            });
        }
        Ok(SeparateDoc {
            file: name.clone(),
            method: separation.method,
            sample_rate: audio.sample_rate(),
            channels: audio.n_channels(),
            frames: audio.n_frames(),
            out_dir: display(&dir),
            stems,
            reconstruction: fit,
        })
    })();
    progress.clear();
    let doc = match result {
        Ok(doc) => doc,
        Err(e) => return report(&e),
    };
    if args.json {
        match to_json(&doc) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
        return exit::OK;
    }
    outln!("file     {} ({} Hz, {} ch)", doc.file, doc.sample_rate, doc.channels);
    outln!("method   {}", doc.method);
    for stem in &doc.stems {
        let level = stem.rms_dbfs.map_or("silent".to_string(), |db| format!("{db:.1} dBFS RMS"));
        outln!("wrote    {}  ({level})", stem.path);
    }
    match doc.reconstruction.snr_db {
        Some(db) => outln!("sum      the stems add back to the input at {db:.1} dB SNR"),
        None => outln!("sum      the stems add back to the input exactly"),
    }
    exit::OK
}
