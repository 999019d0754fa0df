//! The analysis document: what `technob analyze --json` prints (contract:
//! `../shared/spec/analysis-json.md`, schema version 1).
//!
//! Every field an analyser has not determined is `None` and serialises as `null`, never an
//! invented value. The audio is decoded once, streamed to mono at its native rate (so a
//! 10-minute stereo track is never held as stereo) while its loudness is measured on every
//! channel, and handed to the analysers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::DecodeOptions;
use crate::progress::{NoProgress, Progress};
use crate::rhythm::{RhythmOptions, analyze_rhythm};
use crate::structure::StructureOptions;
use crate::tonal::key::{KeyOptions, estimate_key};
use crate::tonal::tuning::Tuning;
use crate::{Audio, Error, Result, SourceInfo};

/// Version of the JSON contract this library writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Shortest audio `analyze` accepts, in sample frames: one 2048-sample analysis window.
pub const MIN_ANALYSIS_FRAMES: usize = 2048;

/// The `audio` object: what was decoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudioSummary {
    /// Duration in seconds (frames / sample_rate).
    pub duration_s: f64,
    /// Sample rate of the source in Hz.
    pub sample_rate: u32,
    /// Channels of the source.
    pub channels: usize,
    /// Codec (`mp3`, `flac`, `pcm_s16le`, `aac`, ...).
    pub codec: String,
    /// Container format (`wav`, `flac`, `mp3`, `ogg`, `mp4`, `aiff`, `synth`).
    pub format: String,
    /// Exact decoded sample frames per channel (encoder delay and padding removed).
    pub frames: u64,
    /// Bits per sample for lossless sources, `null` for lossy codecs.
    pub bit_depth: Option<u32>,
}

impl From<&SourceInfo> for AudioSummary {
    fn from(info: &SourceInfo) -> Self {
        AudioSummary {
            duration_s: info.duration_s(),
            sample_rate: info.sample_rate,
            channels: info.channels,
            codec: info.codec.clone(),
            format: info.format.clone(),
            frames: info.frames,
            bit_depth: info.bit_depth,
        }
    }
}

/// Global tempo estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tempo {
    /// Beats per minute.
    pub bpm: f64,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
}

/// The constant-tempo grid a DJ program stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeatGrid {
    /// Grid tempo in BPM.
    pub bpm: f64,
    /// Time of the first beat in seconds.
    pub first_beat_s: f64,
    /// Time of the first downbeat in seconds.
    pub first_downbeat_s: f64,
    /// Largest distance between a tracked beat and the grid, in milliseconds.
    pub max_drift_ms: f64,
}

/// Musical key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// `"<tonic> major"` or `"<tonic> minor"`.
    pub name: String,
    /// Tonic, one of `C C# D D# E F F# G G# A A# B`.
    pub tonic: String,
    /// `major` or `minor`.
    pub mode: String,
    /// Camelot code (`1A`–`12B`).
    pub camelot: String,
    /// Open Key code (`1m`–`12d`).
    pub open_key: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
}

/// EBU R128 loudness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Integrated loudness in LUFS.
    pub integrated_lufs: f64,
    /// Loudness range in LU.
    pub range_lu: f64,
    /// True peak in dBTP.
    pub true_peak_dbtp: f64,
}

/// One structural segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds.
    pub end_s: f64,
    /// Role: `intro`, `buildup`, `drop`, `breakdown` or `outro`.
    pub label: String,
    /// Repetition group (`A`, `B`, ...).
    pub group: String,
    /// Length in bars.
    pub bars: u32,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
}

/// The analysis document of one track (schema version 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisDocument {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The path as given (or `<demo>` for the bundled demo).
    pub file: String,
    /// What was decoded.
    pub audio: AudioSummary,
    /// Global tempo.
    pub tempo: Option<Tempo>,
    /// Every beat, seconds, increasing.
    pub beats: Option<Vec<f64>>,
    /// The beats that start a bar.
    pub downbeats: Option<Vec<f64>>,
    /// Beats per bar (3 or 4).
    pub beats_per_bar: Option<u32>,
    /// DJ beat grid.
    pub beat_grid: Option<BeatGrid>,
    /// Musical key.
    pub key: Option<Key>,
    /// Tuning reference (frequency of A4) in Hz.
    pub tuning_hz: Option<f64>,
    /// EBU R128 loudness.
    pub loudness: Option<Loudness>,
    /// Structural segments, covering the first to the last beat.
    pub segments: Option<Vec<Segment>>,
}

/// How to analyse.
pub struct AnalyzeOptions<'a> {
    /// Where progress goes.
    pub progress: &'a dyn Progress,
}

impl Default for AnalyzeOptions<'_> {
    fn default() -> Self {
        AnalyzeOptions { progress: &NoProgress }
    }
}

/// Analyse a file: decode it (streaming, mono) and run every analyser.
///
/// Errors name the file. Warnings (e.g. a truncated stream analysed up to the damage) are in
/// the returned [`SourceInfo::warnings`].
pub fn analyze_file(
    path: impl AsRef<Path>,
    options: &AnalyzeOptions,
) -> Result<(AnalysisDocument, SourceInfo)> {
    let path = path.as_ref();
    let (audio, loudness) = decode_for_analysis_with_loudness(path, options.progress)?;
    let doc = analyze_mono(&audio, loudness.as_ref(), &path.display().to_string(), options)
        .map_err(|e| e.in_file(path))?;
    Ok((doc, audio.source().clone()))
}

/// Analyse decoded audio (any channel count: loudness is measured on every channel, the rest
/// on the mono mix); `file` is what the document's `file` field says.
pub fn analyze_audio(audio: &Audio, file: &str, options: &AnalyzeOptions) -> Result<AnalysisDocument> {
    check_length(audio)?;
    let loudness = crate::loudness::measure_loudness(audio)?;
    let mono = if audio.n_channels() == 1 { None } else { Some(audio.to_mono()) };
    analyze_mono(mono.as_ref().unwrap_or(audio), Some(&loudness), file, options)
}

fn check_length(audio: &Audio) -> Result<()> {
    if audio.n_frames() < MIN_ANALYSIS_FRAMES {
        return Err(Error::InvalidInput(format!(
            "too short to analyse: {} sample frame{} (at least {MIN_ANALYSIS_FRAMES} needed)",
            audio.n_frames(),
            if audio.n_frames() == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// The analysers on mono audio, with the loudness already measured on the source's channels.
fn analyze_mono(
    audio: &Audio,
    loudness: Option<&crate::loudness::LoudnessReport>,
    file: &str,
    options: &AnalyzeOptions,
) -> Result<AnalysisDocument> {
    check_length(audio)?;
    let rhythm_options = RhythmOptions { progress: options.progress, ..RhythmOptions::default() };
    // "Nothing found" (silence, no periodicity) leaves the rhythm fields null; real errors stop.
    let rhythm = match analyze_rhythm(audio, &rhythm_options) {
        Ok(r) => Some(r),
        Err(e) if e.is_no_result() => None,
        Err(e) => return Err(e),
    };
    let rhythm = rhythm.as_ref();
    options.progress.update("structure", 0.85);
    let structure = match rhythm {
        Some(r) => match crate::structure::analyze_structure(audio, r, &StructureOptions::default()) {
            Ok(s) => Some(s),
            Err(e) if e.is_no_result() => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    options.progress.update("key", 0.9);
    let y = audio.channel(0);
    let sr = f64::from(audio.sample_rate());
    let estimate = match estimate_key(y, sr, &KeyOptions::default()) {
        Ok(k) => Some(k),
        Err(e) if e.is_no_result() => None,
        Err(e) => return Err(e),
    };
    // The tuning the key was read with; without a key, the whole-signal estimate.
    let tuning_cents = match &estimate {
        Some(k) => Some(k.tuning_cents),
        None => match crate::tonal::tuning::estimate_tuning(y, sr) {
            Ok(t) => Some(t.cents),
            Err(e) if e.is_no_result() => None,
            Err(e) => return Err(e),
        },
    };
    let key = estimate.map(|k| Key {
        name: k.name,
        tonic: k.tonic,
        mode: k.mode.as_str().to_string(),
        camelot: k.camelot,
        open_key: k.open_key,
        confidence: (k.confidence * 1000.0).round() / 1000.0,
    });
    Ok(AnalysisDocument {
        schema_version: SCHEMA_VERSION,
        file: file.to_string(),
        audio: AudioSummary::from(audio.source()),
        tempo: rhythm.map(|r| Tempo { bpm: r.tempo.bpm, confidence: r.tempo.confidence }),
        beats: rhythm.map(|r| r.beat_times()),
        downbeats: rhythm.map(|r| r.downbeat_times()),
        beats_per_bar: rhythm.map(|r| r.beats_per_bar),
        beat_grid: rhythm.and_then(|r| r.grid.as_ref()).map(|g| BeatGrid {
            bpm: g.bpm,
            first_beat_s: g.first_beat_s,
            first_downbeat_s: g.first_downbeat_s,
            max_drift_ms: g.max_drift_ms,
        }),
        key,
        tuning_hz: tuning_cents.map(|c| (Tuning::from_cents(c).a4_hz * 10.0).round() / 10.0),
        // Silence (every block under the −70 LUFS gate) has no integrated loudness.
        loudness: loudness.and_then(|l| {
            l.integrated_lufs.map(|i| Loudness {
                integrated_lufs: round_to(i, 2),
                range_lu: round_to(l.range_lu, 2),
                true_peak_dbtp: round_to(l.true_peak_dbtp, 2),
            })
        }),
        segments: structure.map(|s| {
            s.segments
                .into_iter()
                .map(|g| Segment {
                    start_s: g.start_s,
                    end_s: g.end_s,
                    label: g.label.as_str().to_string(),
                    group: g.group,
                    bars: g.bars,
                    confidence: round_to(g.confidence, 2),
                })
                .collect()
        }),
    })
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Decode `path` to mono at its native rate, block by block, measuring the loudness of the
/// source's channels on the way (so a stereo file is never held as stereo), and reporting
/// progress. The mono mix is the same as [`Audio::to_mono`]'s, bit for bit.
pub fn decode_for_analysis_with_loudness(
    path: &Path,
    progress: &dyn Progress,
) -> Result<(Audio, Option<crate::loudness::LoudnessReport>)> {
    use crate::audio::AudioStream;
    use crate::loudness::LoudnessMeter;
    let decode = || -> Result<(Audio, Option<crate::loudness::LoudnessReport>)> {
        let mut stream = AudioStream::open(path, &DecodeOptions { mono: false })?;
        let n_channels = stream.output_channels();
        let mut meter = LoudnessMeter::new(n_channels, stream.info().sample_rate)?;
        let mut mono = Vec::with_capacity(stream.capacity_hint());
        let mut block: Vec<Vec<f32>> = Vec::new();
        let declared = stream.info().frames;
        let mut next_report = 0usize;
        let scale = 1.0 / n_channels as f32;
        while stream.next_block(&mut block)? > 0 {
            let planes: Vec<&[f32]> = block.iter().map(Vec::as_slice).collect();
            meter.add_planar(&planes)?;
            if n_channels == 1 {
                mono.extend_from_slice(&block[0]);
            } else {
                // (0 + a + b + ...) · (1 / channels), as audio::downmix.
                let start = mono.len();
                mono.resize(start + block[0].len(), 0.0f32);
                for ch in &block {
                    for (o, &x) in mono[start..].iter_mut().zip(ch) {
                        *o += x;
                    }
                }
                mono[start..].iter_mut().for_each(|o| *o *= scale);
            }
            if declared > 0 && mono.len() >= next_report {
                progress.update("decode", (mono.len() as f64 / declared as f64).min(1.0));
                next_report = mono.len() + (1 << 18);
            }
        }
        let info = stream.finish()?;
        mono.shrink_to_fit();
        let loudness = meter.finish()?;
        // Every block was checked for NaN/inf as it was decoded.
        Ok((Audio::from_checked_parts(vec![mono], info)?, Some(loudness)))
    };
    decode().map_err(|e| e.in_file(path))
}

/// Decode `path` to mono at its native rate, block by block, reporting progress.
///
/// Peak memory is the mono signal plus one packet: a 10-minute 44.1 kHz stereo file needs about
/// 106 MB here, not the 212 MB of its stereo samples.
pub fn decode_for_analysis(path: &Path, progress: &dyn Progress) -> Result<Audio> {
    crate::audio::decode_file_with_progress(path, &DecodeOptions { mono: true }, progress)
}
