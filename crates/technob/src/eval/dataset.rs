//! The rhythm evaluation set: the clips of `../shared/data` listed in `rhythm_clips.json`
//! (embedded) plus the bundled demo, each scored against its annotations.
//!
//! Beats are scored on clips with full beat annotations only, with mir_eval's metrics and its
//! standard protocol (beats before 5 s ignored) when the annotation lasts at least
//! [`SHORT_CLIP_S`]; shorter clips (the Jazz Trio Database and madmom clips end before 5 s) are
//! scored whole ([`DATASET_PARAMS`]). Downbeats are scored where the
//! annotation has bar positions, tempo wherever the manifest gives one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::annotations::{BeatAnnotation, BeatsFormat, load_beats_as};
use super::beat::{self, BeatParams, BeatScores};
use super::tempo::{self, TempoScores};
use crate::audio::{DecodeOptions, decode_file};
use crate::rhythm::Rhythm;
use crate::{Audio, Error, Result};

/// The manifest, as shipped.
const MANIFEST: &str = include_str!("rhythm_clips.json");

/// Name of the bundled demo clip.
pub const DEMO_CLIP: &str = "demo";

/// Where the data lives by default: `../shared/data`, relative to the current directory.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("../shared/data")
}

/// Clips whose annotation ends before this are scored without mir_eval's 5 s trim.
pub const SHORT_CLIP_S: f64 = 10.0;

/// The beat metric parameters for a reference: mir_eval's defaults, or [`DATASET_PARAMS`] for
/// a clip shorter than [`SHORT_CLIP_S`].
pub fn params_for(reference_beats: &[f64]) -> BeatParams {
    if reference_beats.last().is_some_and(|&t| t >= SHORT_CLIP_S) {
        BeatParams::default()
    } else {
        DATASET_PARAMS
    }
}

/// The beat metric parameters of short clips: mir_eval's, without the 5 s trim.
pub const DATASET_PARAMS: BeatParams = BeatParams {
    min_beat_time: 0.0,
    f_measure_threshold: beat::F_MEASURE_THRESHOLD,
    cemgil_sigma: beat::CEMGIL_SIGMA,
    goto_threshold: beat::GOTO_THRESHOLD,
    goto_mu: beat::GOTO_MU,
    goto_sigma: beat::GOTO_SIGMA,
    p_score_threshold: beat::P_SCORE_THRESHOLD,
    continuity_phase_threshold: beat::CONTINUITY_PHASE_THRESHOLD,
    continuity_period_threshold: beat::CONTINUITY_PERIOD_THRESHOLD,
    information_gain_bins: beat::INFORMATION_GAIN_BINS,
};

/// One clip of the manifest (paths relative to the data directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// Short unique name.
    pub name: String,
    /// Audio file.
    pub audio: String,
    /// Beat annotation file, if any.
    pub beats: Option<String>,
    /// Layout of `beats`.
    pub beats_format: Option<BeatsFormat>,
    /// False when `beats` holds only the first few beats (a tempo-only clip).
    pub beats_full: bool,
    /// Reference tempo, BPM.
    pub tempo_bpm: Option<f64>,
    /// Who set the tempo: `human`, `peers` or `description`.
    pub tempo_source: String,
    /// Beats per bar, when known.
    pub meter: Option<u32>,
}

#[derive(Deserialize)]
struct Manifest {
    clips: Vec<Clip>,
}

/// The clips of the embedded manifest, in its order (without the demo).
pub fn clips() -> Result<Vec<Clip>> {
    serde_json::from_str::<Manifest>(MANIFEST)
        .map(|m| m.clips)
        .map_err(|e| Error::InvalidInput(format!("embedded rhythm_clips.json: {e}")))
}

/// What a clip is scored against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClipReference {
    /// Beat annotation; `None` for tempo-only clips and partial annotations.
    pub beats: Option<BeatAnnotation>,
    /// Reference tempo, BPM.
    pub tempo_bpm: Option<f64>,
}

/// Load the reference of `clip` from `data_dir`; only full beat annotations are kept.
pub fn load_reference(clip: &Clip, data_dir: &Path) -> Result<ClipReference> {
    let beats = match (&clip.beats, clip.beats_format, clip.beats_full) {
        (Some(file), Some(format), true) => Some(load_beats_as(data_dir.join(file), format)?),
        _ => None,
    };
    Ok(ClipReference { beats, tempo_bpm: clip.tempo_bpm })
}

/// The scores of one clip; `error` says why a clip could not be scored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClipScore {
    /// Clip name.
    pub name: String,
    /// Audio file (or `<demo>`).
    pub audio: String,
    /// Why the clip has no scores (missing audio, bad annotation, tracker failure).
    pub error: Option<String>,
    /// Annotated beats (full annotations only).
    pub reference_beats: Option<usize>,
    /// Tracked beats.
    pub estimated_beats: Option<usize>,
    /// Beat metrics ([`DATASET_PARAMS`]), for fully annotated clips.
    pub beats: Option<BeatScores>,
    /// Downbeat F-measure, where the annotation has bar positions.
    pub downbeat_f_measure: Option<f64>,
    /// Reference tempo, BPM.
    pub reference_bpm: Option<f64>,
    /// Tracked tempo, BPM.
    pub estimated_bpm: Option<f64>,
    /// Tempo checks, where there is a reference tempo.
    pub tempo: Option<TempoScores>,
}

/// Score a tracker's result against a reference.
pub fn score_clip(name: &str, audio: &str, reference: &ClipReference, rhythm: &Rhythm) -> Result<ClipScore> {
    let est_beats = rhythm.beat_times();
    let mut score = ClipScore {
        name: name.to_string(),
        audio: audio.to_string(),
        estimated_beats: Some(est_beats.len()),
        reference_bpm: reference.tempo_bpm,
        estimated_bpm: Some(rhythm.tempo.bpm),
        ..ClipScore::default()
    };
    if let Some(ann) = &reference.beats {
        score.reference_beats = Some(ann.beats.len());
        let params = params_for(&ann.beats);
        score.beats = Some(beat::evaluate_beats_with(&ann.beats, &est_beats, &params)?);
        if let Some(ref_down) = ann.downbeats() {
            score.downbeat_f_measure =
                Some(beat::downbeat_f_measure_with(&ref_down, &rhythm.downbeat_times(), &params)?);
        }
    }
    score.tempo = reference.tempo_bpm.map(|bpm| tempo::evaluate_tempo(bpm, rhythm.tempo.bpm));
    Ok(score)
}

fn error_entry(name: &str, audio: &str, reference_bpm: Option<f64>, err: &Error) -> ClipScore {
    ClipScore {
        name: name.to_string(),
        audio: audio.to_string(),
        error: Some(err.to_string()),
        reference_bpm,
        ..ClipScore::default()
    }
}

/// Run `tracker` on every clip of the manifest (audio decoded to mono) and on the bundled
/// demo (its stereo mix downmixed, ground truth from its score), and score each.
///
/// A clip that cannot be scored (missing audio, bad annotation, tracker error) becomes an entry
/// with `error` set and the others go on; the call fails only when `data_dir` is not a
/// directory.
pub fn evaluate_rhythm_dataset<F>(data_dir: &Path, tracker: F) -> Result<Vec<ClipScore>>
where
    F: Fn(&Audio) -> Result<Rhythm>,
{
    if !data_dir.is_dir() {
        return Err(Error::InvalidInput("the data directory does not exist".into()).in_file(data_dir));
    }
    let mut out = Vec::new();
    for clip in clips()? {
        let audio_path = data_dir.join(&clip.audio);
        let shown = audio_path.display().to_string();
        let result = load_reference(&clip, data_dir).and_then(|reference| {
            let audio = decode_file(&audio_path, &DecodeOptions { mono: true })?;
            let rhythm = tracker(&audio).map_err(|e| e.in_file(&audio_path))?;
            score_clip(&clip.name, &shown, &reference, &rhythm)
        });
        out.push(result.unwrap_or_else(|e| error_entry(&clip.name, &shown, clip.tempo_bpm, &e)));
    }
    out.push(evaluate_demo(&tracker));
    Ok(out)
}

/// The demo entry of [`evaluate_rhythm_dataset`].
fn evaluate_demo<F>(tracker: &F) -> ClipScore
where
    F: Fn(&Audio) -> Result<Rhythm>,
{
    const AUDIO: &str = "<demo>";
    let result = crate::demo::render(&crate::demo::DemoConfig::default()).and_then(|demo| {
        let truth = &demo.truth;
        // Bar positions: 1 on each downbeat, counting up from there.
        let mut position = 0;
        let positions = truth
            .beats
            .iter()
            .map(|t| {
                position =
                    if truth.downbeats.contains(t) { 1 } else { position % truth.beats_per_bar.max(1) + 1 };
                position
            })
            .collect::<Vec<u32>>();
        let reference = ClipReference {
            beats: Some(BeatAnnotation { beats: truth.beats.clone(), positions: Some(positions) }),
            tempo_bpm: Some(truth.bpm),
        };
        let rhythm = tracker(&demo.audio.to_mono())?;
        score_clip(DEMO_CLIP, AUDIO, &reference, &rhythm)
    });
    result.unwrap_or_else(|e| error_entry(DEMO_CLIP, AUDIO, None, &e))
}

/// Means over the clips that have each score (tempo checks as the fraction passed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Clips in the run.
    pub clips: usize,
    /// Clips with an error.
    pub errors: usize,
    /// Clips with beat scores.
    pub beat_clips: usize,
    /// Mean of each beat metric over those clips.
    pub beats: Option<BeatScores>,
    /// Clips with a downbeat score.
    pub downbeat_clips: usize,
    /// Mean downbeat F-measure.
    pub downbeat_f_measure: Option<f64>,
    /// Clips with a tempo check.
    pub tempo_clips: usize,
    /// Fraction within 1 %.
    pub within_1_percent: Option<f64>,
    /// Fraction passing Accuracy 1.
    pub accuracy1: Option<f64>,
    /// Fraction passing Accuracy 2.
    pub accuracy2: Option<f64>,
}

/// Summarise a run of [`evaluate_rhythm_dataset`].
pub fn summarize(scores: &[ClipScore]) -> DatasetSummary {
    let beats: Vec<&BeatScores> = scores.iter().filter_map(|s| s.beats.as_ref()).collect();
    let downs: Vec<f64> = scores.iter().filter_map(|s| s.downbeat_f_measure).collect();
    let tempi: Vec<&TempoScores> = scores.iter().filter_map(|s| s.tempo.as_ref()).collect();
    let mean =
        |xs: &mut dyn Iterator<Item = f64>, n: usize| (n > 0).then(|| xs.fold(0.0, |a, b| a + b) / n as f64);
    let mean_beats = (!beats.is_empty()).then(|| {
        let m = |f: fn(&BeatScores) -> f64| beats.iter().map(|s| f(s)).sum::<f64>() / beats.len() as f64;
        BeatScores {
            f_measure: m(|s| s.f_measure),
            cemgil: m(|s| s.cemgil),
            cemgil_best_metric_level: m(|s| s.cemgil_best_metric_level),
            goto: m(|s| s.goto),
            p_score: m(|s| s.p_score),
            cml_c: m(|s| s.cml_c),
            cml_t: m(|s| s.cml_t),
            aml_c: m(|s| s.aml_c),
            aml_t: m(|s| s.aml_t),
            information_gain: m(|s| s.information_gain),
        }
    });
    let frac = |f: fn(&TempoScores) -> bool| {
        mean(&mut tempi.iter().map(|t| if f(t) { 1.0 } else { 0.0 }), tempi.len())
    };
    DatasetSummary {
        clips: scores.len(),
        errors: scores.iter().filter(|s| s.error.is_some()).count(),
        beat_clips: beats.len(),
        beats: mean_beats,
        downbeat_clips: downs.len(),
        downbeat_f_measure: mean(&mut downs.iter().copied(), downs.len()),
        tempo_clips: tempi.len(),
        within_1_percent: frac(|t| t.within_1_percent),
        accuracy1: frac(|t| t.accuracy1),
        accuracy2: frac(|t| t.accuracy2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rhythm::{Beat, TempoEstimate};

    fn rhythm_from(beats: &[f64], per_bar: u32, bpm: f64) -> Rhythm {
        Rhythm {
            tempo: TempoEstimate { bpm, confidence: 1.0 },
            beats: beats
                .iter()
                .enumerate()
                .map(|(i, &t)| Beat { time_s: t, position: i as u32 % per_bar + 1 })
                .collect(),
            beats_per_bar: per_bar,
            grid: None,
            sections: vec![],
            duration_s: beats.last().copied().unwrap_or(0.0),
        }
    }

    #[test]
    fn manifest_parses() {
        let clips = clips().unwrap();
        assert!(clips.len() >= 10);
        assert!(clips.iter().all(|c| c.beats.is_some() == c.beats_format.is_some()));
        assert!(clips.iter().any(|c| c.beats_format == Some(BeatsFormat::JtdCsv)));
    }

    #[test]
    fn perfect_tracker_scores_one() {
        let beats: Vec<f64> = (0..40).map(|i| 0.3 + i as f64 * 0.5).collect();
        let positions = (0..40).map(|i| i % 4 + 1).collect();
        let reference = ClipReference {
            beats: Some(BeatAnnotation { beats: beats.clone(), positions: Some(positions) }),
            tempo_bpm: Some(120.0),
        };
        let s = score_clip("x", "x.wav", &reference, &rhythm_from(&beats, 4, 120.4)).unwrap();
        let b = s.beats.unwrap();
        assert_eq!((b.f_measure, b.cml_t, b.aml_t, b.p_score), (1.0, 1.0, 1.0, 1.0));
        assert_eq!(s.downbeat_f_measure, Some(1.0));
        assert_eq!(s.tempo, Some(TempoScores { within_1_percent: true, accuracy1: true, accuracy2: true }));
        let sum =
            summarize(&[s.clone(), error_entry("y", "y.wav", None, &Error::InvalidInput("gone".into()))]);
        assert_eq!((sum.clips, sum.errors, sum.beat_clips, sum.accuracy1), (2, 1, 1, Some(1.0)));
    }

    #[test]
    fn missing_data_dir_is_an_error_and_missing_audio_an_entry() {
        let none = Path::new("/nonexistent/technob-data");
        assert!(evaluate_rhythm_dataset(none, |_| Err(Error::InvalidInput("x".into()))).is_err());
        let empty = std::env::temp_dir().join(format!("technob-eval-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let scores =
            evaluate_rhythm_dataset(&empty, |_| Err(Error::Unsupported("no tracker".into()))).unwrap();
        let _ = std::fs::remove_dir_all(&empty);
        assert_eq!(scores.len(), clips().unwrap().len() + 1);
        assert!(scores.iter().all(|s| s.error.is_some()), "{scores:?}");
        assert_eq!(scores.last().map(|s| s.name.as_str()), Some(DEMO_CLIP));
    }
}
