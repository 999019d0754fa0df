//! Key metrics: a port of `mir_eval.key` 0.8 (Raffel et al. 2014), the MIREX audio key
//! detection score (MIREX 2005 "Audio Key Finding"; the weights as in mir_eval).
//!
//! A key is written `"(tonic) (mode)"`, e.g. `"C# major"` or `"Db minor"`: the tonic is one of
//! `C C# Db D D# Eb E F F# Gb G G# Ab A A# Bb B` (any letter case), the mode exactly `major`,
//! `minor` or `other` (neither major nor minor). `"X"` (any case) says that the music has no
//! key. Spellings that mir_eval does not accept (`E#`, `Cb`, `Fb`, `B#`, `Major`, `min`) are
//! errors here too.
//!
//! [`weighted_score`] compares an estimated key with the reference:
//!
//! | relation of the estimate to the reference | score |
//! |---|---|
//! | same tonic and mode (and `X` vs `X`) | 1.0 |
//! | same mode, tonic a perfect fifth **above** (7 semitones up; a fifth below scores 0) | 0.5 |
//! | relative: reference major, estimate in another mode 9 semitones up (C major → A minor), or reference minor, estimate in another mode 3 semitones up (A minor → C major) | 0.3 |
//! | parallel: same tonic, different mode | 0.2 |
//! | anything else, and `X` against any key | 0.0 |
//!
//! As in mir_eval the relative and parallel rules only ask the modes to differ, so `other`
//! takes part: `C major` → `A other` scores 0.3, `C other` → `C major` 0.2, `C other` →
//! `G other` 0.5.
//!
//! The key evaluation set — every key-labelled clip of `../shared/data`, with where its label
//! comes from — is [`key_dataset`] (manifest `key_clips.json`, embedded), scored by
//! [`evaluate_key_dataset`] and [`mean_score`].
//!
//! ```
//! use technob::eval::key::{KeyLabel, weighted_score};
//!
//! assert_eq!(weighted_score("A minor", "C major")?, 0.3);
//! assert_eq!(weighted_score("Db minor", "Ab minor")?, 0.5);
//! let key: KeyLabel = "Gb major".parse()?;
//! assert_eq!(key.to_string(), "F# major");
//! # Ok::<(), technob::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Our names of the twelve pitch classes, from C (0) up: sharps, as
/// [`KeyLabel`]'s `Display` writes them.
pub const PITCH_CLASS_NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// The tonic spellings mir_eval accepts (lower case) and their pitch classes
/// (`mir_eval.key.KEY_TO_SEMITONE` without `x`).
const TONICS: [(&str, u8); 17] = [
    ("c", 0),
    ("c#", 1),
    ("db", 1),
    ("d", 2),
    ("d#", 3),
    ("eb", 3),
    ("e", 4),
    ("f", 5),
    ("f#", 6),
    ("gb", 6),
    ("g", 7),
    ("g#", 8),
    ("ab", 8),
    ("a", 9),
    ("a#", 10),
    ("bb", 10),
    ("b", 11),
];

/// The pitch class of a tonic name (`"C#"`, `"db"`, ...), or `None` if mir_eval would not
/// accept it.
pub fn tonic_pitch_class(name: &str) -> Option<u8> {
    let lower = name.to_lowercase();
    TONICS.iter().find(|(n, _)| *n == lower).map(|&(_, pc)| pc)
}

/// The mode of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Major.
    Major,
    /// Minor.
    Minor,
    /// Neither major nor minor (mir_eval's `other`: modal, atonal, ...).
    Other,
}

impl Mode {
    /// `major`, `minor` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Major => "major",
            Mode::Minor => "minor",
            Mode::Other => "other",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = Error;

    /// Exactly `major`, `minor` or `other`, as mir_eval accepts (case-sensitive).
    fn from_str(s: &str) -> Result<Mode> {
        match s {
            "major" => Ok(Mode::Major),
            "minor" => Ok(Mode::Minor),
            "other" => Ok(Mode::Other),
            _ => Err(Error::InvalidInput(format!(
                "Mode '{s}' is invalid; must be 'major', 'minor' or 'other'"
            ))),
        }
    }
}

/// A key: tonic pitch class (0 = C ... 11 = B) and mode.
///
/// Parsed from mir_eval's syntax (`"Db minor"`, flats or sharps, tonic in any case), written
/// with [`PITCH_CLASS_NAMES`] (`"C# minor"`); (de)serialised as that string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyLabel {
    tonic: u8,
    /// The mode.
    pub mode: Mode,
}

impl KeyLabel {
    /// The key on pitch class `tonic` (0 = C ... 11 = B); an error for `tonic` ≥ 12.
    pub fn new(tonic: u8, mode: Mode) -> Result<KeyLabel> {
        if tonic >= 12 {
            return Err(Error::InvalidInput(format!("tonic pitch class {tonic} is not in 0..=11")));
        }
        Ok(KeyLabel { tonic, mode })
    }

    /// Tonic pitch class, 0 = C ... 11 = B.
    pub fn tonic(&self) -> u8 {
        self.tonic
    }

    /// Tonic name from [`PITCH_CLASS_NAMES`].
    pub fn tonic_name(&self) -> &'static str {
        PITCH_CLASS_NAMES[usize::from(self.tonic)]
    }

    /// The key `semitones` up (down when negative), same mode.
    pub fn transposed(&self, semitones: i32) -> KeyLabel {
        let tonic = (i32::from(self.tonic) + semitones).rem_euclid(12) as u8;
        KeyLabel { tonic, mode: self.mode }
    }
}

impl fmt::Display for KeyLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.tonic_name(), self.mode)
    }
}

impl From<KeyLabel> for String {
    fn from(key: KeyLabel) -> String {
        key.to_string()
    }
}

impl TryFrom<String> for KeyLabel {
    type Error = Error;

    fn try_from(s: String) -> Result<KeyLabel> {
        s.parse()
    }
}

impl FromStr for KeyLabel {
    type Err = Error;

    /// mir_eval's key syntax, without `X` ([`EvalKey`] accepts that too).
    fn from_str(s: &str) -> Result<KeyLabel> {
        match s.parse::<EvalKey>()? {
            EvalKey::Known(key) => Ok(key),
            EvalKey::Unknown => {
                Err(Error::InvalidInput(format!("'{s}' has no key (X): expected e.g. 'C# major'")))
            }
        }
    }
}

/// A key as mir_eval reads it: a [`KeyLabel`], or `X` when the music has no key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvalKey {
    /// `X`: uncategorised, no key.
    Unknown,
    /// A tonic and mode.
    Known(KeyLabel),
}

impl From<KeyLabel> for EvalKey {
    fn from(key: KeyLabel) -> EvalKey {
        EvalKey::Known(key)
    }
}

impl fmt::Display for EvalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalKey::Unknown => f.write_str("X"),
            EvalKey::Known(key) => key.fmt(f),
        }
    }
}

impl FromStr for EvalKey {
    type Err = Error;

    /// `mir_eval.key.validate_key` then `split_key_string`: the same strings are accepted and
    /// rejected (with mir_eval's messages).
    fn from_str(s: &str) -> Result<EvalKey> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        let is_x = s.to_lowercase() == "x";
        // mir_eval: two fields, or the single field 'X' (the whole string, untrimmed).
        let single_x = !fields.is_empty() && is_x;
        if fields.len() != 2 && !single_x {
            return Err(Error::InvalidInput(format!("'{s}' is not in the form '(key) (mode)' or 'X'")));
        }
        if is_x {
            return Ok(EvalKey::Unknown);
        }
        let (tonic, mode) = (fields[0], fields[1]);
        if tonic.to_lowercase() == "x" {
            return Err(Error::InvalidInput(format!(
                "Mode {mode} is invalid; 'X' (Uncategorized) doesn't have mode"
            )));
        }
        let Some(pc) = tonic_pitch_class(tonic) else {
            return Err(Error::InvalidInput(format!(
                "Key {tonic} is invalid; should be e.g. D or C# or Eb or X (Uncategorized)"
            )));
        };
        Ok(EvalKey::Known(KeyLabel { tonic: pc, mode: mode.parse()? }))
    }
}

/// Score of an exact match.
pub const SAME: f64 = 1.0;
/// Score of an estimate a perfect fifth above the reference, same mode.
pub const FIFTH: f64 = 0.5;
/// Score of the relative key.
pub const RELATIVE: f64 = 0.3;
/// Score of the parallel key.
pub const PARALLEL: f64 = 0.2;

/// `mir_eval.key.weighted_score` on parsed keys (see the module docs for the table).
pub fn weighted_score_keys(reference: EvalKey, estimate: EvalKey) -> f64 {
    if reference == estimate {
        return SAME;
    }
    let (EvalKey::Known(r), EvalKey::Known(e)) = (reference, estimate) else {
        return 0.0;
    };
    let up = (e.tonic + 12 - r.tonic) % 12;
    // The relative key: 9 semitones up from a major reference, 3 up from a minor one.
    let relative_up = match r.mode {
        Mode::Major => Some(9),
        Mode::Minor => Some(3),
        Mode::Other => None,
    };
    if e.mode == r.mode && up == 7 {
        FIFTH
    } else if e.mode != r.mode && relative_up == Some(up) {
        RELATIVE
    } else if e.mode != r.mode && up == 0 {
        PARALLEL
    } else {
        0.0
    }
}

/// `mir_eval.key.weighted_score`: the MIREX score of `estimate` against `reference`, both
/// key strings; an error (mir_eval's `ValueError`) when either is not a valid key.
pub fn weighted_score(reference: &str, estimate: &str) -> Result<f64> {
    let reference: EvalKey = reference.parse()?;
    let estimate: EvalKey = estimate.parse()?;
    Ok(weighted_score_keys(reference, estimate))
}

/// Every score of `mir_eval.key.evaluate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyScores {
    /// [`weighted_score`].
    pub weighted_score: f64,
}

impl KeyScores {
    /// The scores under mir_eval's names, in `mir_eval.key.evaluate`'s order.
    pub fn mir_eval_named(&self) -> [(&'static str, f64); 1] {
        [("Weighted Score", self.weighted_score)]
    }
}

/// `mir_eval.key.evaluate` on two key strings.
pub fn evaluate(reference: &str, estimate: &str) -> Result<KeyScores> {
    Ok(KeyScores { weighted_score: weighted_score(reference, estimate)? })
}

/// Parse a key annotation as `mir_eval.io.load_key` reads it: one line `tonic mode`
/// (whitespace-separated), lines starting with `#` and blank lines ignored. Unlike mir_eval,
/// which only warns, an invalid key is an error.
pub fn parse_key_annotation(text: &str) -> Result<EvalKey> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let [(i, line)] = lines.as_slice() else {
        return Err(Error::InvalidInput(format!(
            "a key file holds one line 'tonic mode', found {} lines",
            lines.len()
        )));
    };
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [tonic, mode] = fields.as_slice() else {
        return Err(Error::InvalidInput(format!(
            "line {}: expected 'tonic mode', found {} columns",
            i + 1,
            fields.len()
        )));
    };
    format!("{tonic} {mode}")
        .parse::<EvalKey>()
        .map_err(|e| Error::InvalidInput(format!("line {}: {e}", i + 1)))
}

/// Read a key annotation file ([`parse_key_annotation`]); errors name the file.
pub fn load_key(path: impl AsRef<Path>) -> Result<EvalKey> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))?;
    parse_key_annotation(&text).map_err(|e| e.in_file(path))
}

/// The key evaluation set, as shipped.
const KEY_MANIFEST: &str = include_str!("key_clips.json");

/// One key-labelled clip of `../shared/data` (see `key_clips.json` for the fields' meaning).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyClip {
    /// Short unique name.
    pub name: String,
    /// Audio file: relative to the data directory in [`key_clips`], absolute in
    /// [`key_dataset`].
    pub audio: PathBuf,
    /// The reference key the clip is scored against.
    pub key: KeyLabel,
    /// The label as found (file, name, title or description); differs from `key` where `flag`
    /// says why.
    pub label: String,
    /// The annotation file holding `label`, if any (resolved like `audio`).
    pub label_file: Option<PathBuf>,
    /// Who set the label: `expert`, `filename`, `title`, `description`, `peers` (agreement of
    /// essentia and madmom) or `peer` (the test output of one peer under test).
    pub source: String,
    /// Whether the clip counts in the mean score ([`mean_score`]).
    pub scored: bool,
    /// `label_corrected` (the recording sounds in `key`, not in `label`), `mode_inferred`
    /// (the label gives no mode), or none.
    pub flag: Option<String>,
    /// How the reference was established.
    pub note: String,
}

#[derive(Deserialize)]
struct KeyManifest {
    clips: Vec<KeyClip>,
}

/// The clips of the embedded key manifest, in its order, with paths relative to the data
/// directory.
pub fn key_clips() -> Result<Vec<KeyClip>> {
    serde_json::from_str::<KeyManifest>(KEY_MANIFEST)
        .map(|m| m.clips)
        .map_err(|e| Error::InvalidInput(format!("embedded key_clips.json: {e}")))
}

/// The clips of [`key_clips`] with absolute paths under `data_dir` (e.g.
/// [`super::dataset::default_data_dir`]); an error when `data_dir` is not a directory. The
/// files themselves are not opened.
pub fn key_dataset(data_dir: &Path) -> Result<Vec<KeyClip>> {
    if !data_dir.is_dir() {
        return Err(Error::InvalidInput("the data directory does not exist".into()).in_file(data_dir));
    }
    let root = std::path::absolute(data_dir).map_err(|e| Error::Io(e).in_file(data_dir))?;
    let mut clips = key_clips()?;
    for clip in &mut clips {
        clip.audio = root.join(&clip.audio);
        clip.label_file = clip.label_file.as_ref().map(|f| root.join(f));
    }
    Ok(clips)
}

/// The result of one clip of [`evaluate_key_dataset`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyClipScore {
    /// Clip name.
    pub name: String,
    /// Reference key.
    pub reference: KeyLabel,
    /// Whether the clip counts in the mean.
    pub scored: bool,
    /// Estimated key (`None` after an error).
    pub estimate: Option<KeyLabel>,
    /// MIREX weighted score of the estimate (`None` after an error).
    pub score: Option<f64>,
    /// Why the clip has no score (missing audio, estimator failure).
    pub error: Option<String>,
}

/// Run `estimator` on every clip of [`key_dataset`] (audio decoded to mono) and score it with
/// [`weighted_score_keys`]. A clip that fails becomes an entry with `error` set; the call fails
/// only when `data_dir` is not a directory.
pub fn evaluate_key_dataset<F>(data_dir: &Path, estimator: F) -> Result<Vec<KeyClipScore>>
where
    F: Fn(&crate::Audio) -> Result<KeyLabel>,
{
    let options = crate::audio::DecodeOptions { mono: true };
    let mut out = Vec::new();
    for clip in key_dataset(data_dir)? {
        let result = crate::audio::decode_file(&clip.audio, &options)
            .and_then(|audio| estimator(&audio).map_err(|e| e.in_file(&clip.audio)));
        let (estimate, error) = match result {
            Ok(key) => (Some(key), None),
            Err(e) => (None, Some(e.to_string())),
        };
        out.push(KeyClipScore {
            name: clip.name,
            reference: clip.key,
            scored: clip.scored,
            score: estimate.map(|e| weighted_score_keys(clip.key.into(), e.into())),
            estimate,
            error,
        });
    }
    Ok(out)
}

/// Mean weighted score over the clips marked `scored` (a failed clip counts 0); `None` when
/// there are none.
pub fn mean_score(scores: &[KeyClipScore]) -> Option<f64> {
    let counted: Vec<f64> = scores.iter().filter(|s| s.scored).map(|s| s.score.unwrap_or(0.0)).collect();
    (!counted.is_empty()).then(|| counted.iter().sum::<f64>() / counted.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(r: &str, e: &str) -> f64 {
        weighted_score(r, e).unwrap()
    }

    #[test]
    fn every_relation() {
        assert_eq!(score("C major", "C major"), 1.0);
        assert_eq!(score("C# major", "Db major"), 1.0);
        assert_eq!(score("C major", "G major"), 0.5);
        assert_eq!(score("G major", "C major"), 0.0, "a fifth below is not a fifth");
        assert_eq!(score("A minor", "E minor"), 0.5);
        assert_eq!(score("C major", "A minor"), 0.3);
        assert_eq!(score("A minor", "C major"), 0.3);
        assert_eq!(score("C major", "E minor"), 0.0);
        assert_eq!(score("C major", "C minor"), 0.2);
        assert_eq!(score("C minor", "C major"), 0.2);
        assert_eq!(score("B minor", "D major"), 0.3, "3 semitones up wraps past C");
        assert_eq!(score("F major", "C major"), 0.5);
    }

    #[test]
    fn other_and_x_follow_mir_eval() {
        assert_eq!(score("X", "x"), 1.0);
        assert_eq!(score("X", "C major"), 0.0);
        assert_eq!(score("C major", "X"), 0.0);
        assert_eq!(score("C other", "C other"), 1.0);
        assert_eq!(score("C other", "G other"), 0.5);
        assert_eq!(score("C major", "A other"), 0.3);
        assert_eq!(score("A minor", "C other"), 0.3);
        assert_eq!(score("C other", "C major"), 0.2);
        assert_eq!(score("C other", "A minor"), 0.0);
    }

    #[test]
    fn bad_keys_are_errors() {
        for bad in [
            "",
            " ",
            "C",
            "C major minor",
            "H major",
            "E# major",
            "Cb minor",
            "C Major",
            "C min",
            "X major",
            "x minor",
            " X",
            "C\u{0}major",
        ] {
            assert!(weighted_score(bad, "C major").is_err(), "{bad:?}");
            assert!(weighted_score("C major", bad).is_err(), "{bad:?}");
        }
        assert!(" C  major ".parse::<EvalKey>().is_ok());
        assert!("c\tminor".parse::<KeyLabel>().is_ok());
        assert!("X".parse::<KeyLabel>().is_err());
        assert!(KeyLabel::new(12, Mode::Major).is_err());
    }

    #[test]
    fn labels_round_trip() {
        for tonic in 0..12 {
            for mode in [Mode::Major, Mode::Minor, Mode::Other] {
                let key = KeyLabel::new(tonic, mode).unwrap();
                assert_eq!(key.to_string().parse::<KeyLabel>().unwrap(), key);
                let json = serde_json::to_string(&key).unwrap();
                assert_eq!(serde_json::from_str::<KeyLabel>(&json).unwrap(), key);
            }
        }
        let k: KeyLabel = "bb minor".parse().unwrap();
        assert_eq!((k.tonic(), k.to_string()), (10, "A# minor".to_string()));
        assert_eq!(k.transposed(-11).to_string(), "B minor");
        assert!(serde_json::from_str::<KeyLabel>("\"H minor\"").is_err());
    }

    #[test]
    fn annotation_files() {
        let k = parse_key_annotation("# A comment\nC\tmajor\n").unwrap();
        assert_eq!(k.to_string(), "C major");
        assert!(parse_key_annotation("").is_err());
        assert!(parse_key_annotation("C major\nD minor\n").is_err());
        assert!(parse_key_annotation("C major extra\n").is_err());
        assert!(parse_key_annotation("C\n").is_err());
        assert!(parse_key_annotation("Q major\n").is_err());
        assert!(load_key("/nonexistent/technob.key").is_err());
    }

    #[test]
    fn manifest_is_consistent() {
        let clips = key_clips().unwrap();
        assert!(clips.len() >= 7);
        let mut names: Vec<&str> = clips.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), clips.len(), "clip names must be unique");
        for c in &clips {
            assert!(c.audio.is_relative() && c.label_file.as_ref().is_none_or(|f| f.is_relative()));
            assert!(c.key.mode != Mode::Other, "{}", c.name);
            match c.flag.as_deref() {
                None => assert_eq!(c.label.parse::<KeyLabel>().unwrap(), c.key, "{}", c.name),
                Some("label_corrected") => assert_ne!(c.label.parse::<KeyLabel>().unwrap(), c.key),
                Some("mode_inferred") => assert_eq!(tonic_pitch_class(&c.label), Some(c.key.tonic())),
                Some(other) => panic!("{}: unknown flag {other}", c.name),
            }
            assert!(
                ["expert", "filename", "title", "description", "peers", "peer"].contains(&c.source.as_str())
            );
            assert_eq!(c.scored, c.source != "peer", "{}", c.name);
        }
    }

    #[test]
    fn dataset_paths_and_scores() {
        assert!(key_dataset(Path::new("/nonexistent/technob-data")).is_err());
        let dir = std::env::temp_dir();
        let clips = key_dataset(&dir).unwrap();
        assert!(clips.iter().all(|c| c.audio.is_absolute() && c.audio.starts_with(&dir)));
        // Nothing decodes from an empty place: every clip is an entry with an error.
        let empty = dir.join(format!("technob-key-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let scores = evaluate_key_dataset(&empty, |_| Ok(KeyLabel::new(0, Mode::Major).unwrap())).unwrap();
        let _ = std::fs::remove_dir_all(&empty);
        assert_eq!(scores.len(), clips.len());
        assert!(scores.iter().all(|s| s.error.is_some() && s.score.is_none()));
        assert_eq!(mean_score(&scores), Some(0.0));
        let key = KeyLabel::new(9, Mode::Minor).unwrap();
        let entry = |scored, score| KeyClipScore {
            name: "x".into(),
            reference: key,
            scored,
            estimate: Some(key),
            score: Some(score),
            error: None,
        };
        assert_eq!(mean_score(&[entry(true, 1.0), entry(true, 0.5), entry(false, 0.0)]), Some(0.75));
        assert_eq!(mean_score(&[entry(false, 1.0)]), None);
    }
}
