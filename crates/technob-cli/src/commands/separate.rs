//! `technob separate [FILE] --method hpss|nmf|repet|denoise --out DIR`: split a recording into
//! stems named by role, written as WAV with the input's rate and channels.

use std::path::{Path, PathBuf};

use serde::Serialize;
use technob::audio::WavFormat;
use technob::decompose::{
    Beta, DenoiseOptions, HpssOptions, Method, NmfOptions, NmfSeparationOptions, NoiseProfile,
    Reconstruction, RepetOptions, learn_templates, reconstruction, separate,
};

use super::analyze::DEMO_NAME;
use super::{all_channels_input, display, finish};
use crate::progress::TerminalProgress;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum MethodName {
    /// Harmonic/percussive by median filtering: harmonic.wav, percussive.wav (+ residual.wav
    /// with --margin above 1).
    Hpss,
    /// Components by NMF (β-divergence): component-1.wav … component-K.wav, lowest first.
    Nmf,
    /// Voice/backing by REPET-SIM: vocals.wav, background.wav.
    Repet,
    /// Spectral-gating noise reduction: clean.wav, noise.wav.
    Denoise,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum BetaName {
    /// Euclidean distance (β = 2).
    Euclidean,
    /// Kullback–Leibler divergence (β = 1).
    Kl,
    /// Itakura–Saito divergence (β = 0), scale-invariant: quiet parts count as much as loud ones.
    Is,
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
    /// nmf: number of components K (templates from --template included).
    #[arg(long, value_name = "K", default_value_t = 4)]
    components: usize,
    /// nmf: the divergence the factorisation minimises.
    #[arg(long, value_enum, default_value = "kl")]
    beta: BetaName,
    /// nmf: most multiplicative-update iterations (it stops earlier once converged).
    #[arg(long, value_name = "N", default_value_t = 200)]
    iterations: usize,
    /// nmf: learn templates from this example sound (e.g. a kick sample) and hold them fixed:
    /// semi-supervised separation; their stems are marked "from_template" in --json.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// nmf: how many templates to learn from --template.
    #[arg(long, value_name = "N", default_value_t = 2)]
    template_components: usize,
    /// repet: frames at least this far apart (seconds) count as repetitions.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    min_distance: f32,
    /// repet: look for the voice in the whole mixture instead of in its harmonic part (by
    /// default HPSS runs first, so drum hits cannot leak into vocals.wav; with this flag
    /// consonants are kept better, drums leak more).
    #[arg(long)]
    on_mixture: bool,
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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    from_template: bool,
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
        MethodName::Nmf => Method::Nmf(NmfSeparationOptions {
            nmf: NmfOptions {
                n_components: args.components,
                beta: match args.beta {
                    BetaName::Euclidean => Beta::Euclidean,
                    BetaName::Kl => Beta::KullbackLeibler,
                    BetaName::Is => Beta::ItakuraSaito,
                },
                max_iter: args.iterations,
                ..NmfOptions::default()
            },
            ..NmfSeparationOptions::default()
        }),
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
            hpss: (!args.on_mixture).then(HpssOptions::default),
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

/// Templates learnt from an example sound, at the mix's sample rate.
fn templates_from(
    path: &Path,
    mix: &technob::Audio,
    n_templates: usize,
    options: &NmfSeparationOptions,
) -> technob::Result<technob::spectral::Spectrogram> {
    let example = technob::audio::decode_file(path, &technob::audio::DecodeOptions { mono: false })
        .and_then(
            |a| if a.sample_rate() == mix.sample_rate() { Ok(a) } else { a.resampled(mix.sample_rate()) },
        )
        .map_err(|e| e.in_file(path))?;
    super::warn_all(&display(path), &example.source().warnings);
    learn_templates(&example, n_templates, options).map_err(|e| e.in_file(path))
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
    let mut method = method(&args);
    let dir = out_dir(&args, &input, method.name());
    let format = match args.format {
        SampleFormat::F32 => WavFormat::Float32,
        SampleFormat::I24 => WavFormat::Int24,
        SampleFormat::I16 => WavFormat::Int16,
    };
    let progress = TerminalProgress::new("separate");
    let result = (|| -> technob::Result<SeparateDoc> {
        let audio = all_channels_input(args.file.as_deref(), &name, &progress)?;
        if let (Method::Nmf(options), Some(template)) = (&mut method, &args.template) {
            options.nmf.fixed_templates =
                Some(templates_from(template, &audio, args.template_components, options)?);
        }
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
                from_template: stem.from_template,
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
    finish(result, args.json, print_separation)
}

fn print_separation(doc: &SeparateDoc) {
    outln!("file     {} ({} Hz, {} ch)", doc.file, doc.sample_rate, doc.channels);
    outln!("method   {}", doc.method);
    for stem in &doc.stems {
        let level = stem.rms_dbfs.map_or("silent".to_string(), |db| format!("{db:.1} dBFS RMS"));
        let template = if stem.from_template { ", from the template" } else { "" };
        outln!("wrote    {}  ({level}{template})", stem.path);
    }
    match doc.reconstruction.snr_db {
        Some(db) => outln!("sum      the stems add back to the input at {db:.1} dB SNR"),
        None => outln!("sum      the stems add back to the input exactly"),
    }
}
