//! Musical key by correlation of a track's pitch-class profile with published key profiles
//! (Krumhansl & Schmuckler's method, Krumhansl 1990), with the names DJs use: Camelot and
//! Open Key codes and the harmonically compatible keys.
//!
//! Profiles (12 weights from the tonic upwards, major then minor):
//! - [`KeyProfile::Krumhansl`]: Krumhansl & Kessler (1982), probe-tone ratings;
//! - [`KeyProfile::Temperley`]: Temperley (2007, *Music and Probability*), Kostka–Payne corpus;
//! - [`KeyProfile::Edma`]: Faraldo, Gómez, Jordà & Herrera (2016), "Key estimation in electronic
//!   dance music" (ECIR), profiles derived from EDM ("edma", automatic);
//! - [`KeyProfile::Bgate`]: the same paper's profiles from Beatport's annotations ("bgate").
//!
//! The correlation is Pearson's r between the profile, rotated to each of the 12 tonics, and
//! the pitch-class profile of the track (the mean of its per-frame chroma).

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Pitch-class names, sharps only, as the analysis JSON spells tonics.
pub const PITCH_CLASSES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// Major or minor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Major (ionian).
    Major,
    /// Minor (aeolian / harmonic).
    Minor,
}

impl Mode {
    /// `"major"` or `"minor"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Major => "major",
            Mode::Minor => "minor",
        }
    }
}

/// A key: a tonic pitch class (0 = C … 11 = B) and a mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Tonic pitch class, 0 = C, 9 = A.
    pub tonic: u8,
    /// Major or minor.
    pub mode: Mode,
}

/// How a compatible key relates to another on the Camelot wheel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same key.
    Same,
    /// One step clockwise on the wheel: the dominant (a fifth up), e.g. 8A → 9A.
    FifthUp,
    /// One step anticlockwise: the subdominant (a fifth down), e.g. 8A → 7A.
    FifthDown,
    /// Same number, other letter: the relative major or minor, e.g. 8A ↔ 8B.
    Relative,
}

impl Key {
    /// A key from a tonic pitch class (taken modulo 12) and a mode.
    pub fn new(tonic: u8, mode: Mode) -> Key {
        Key { tonic: tonic % 12, mode }
    }

    /// All 24 keys: the 12 major keys from C, then the 12 minor keys from C.
    pub fn all() -> impl Iterator<Item = Key> {
        [Mode::Major, Mode::Minor].into_iter().flat_map(|m| (0..12).map(move |t| Key::new(t, m)))
    }

    /// Tonic name (`C C# D D# E F F# G G# A A# B`).
    pub fn tonic_name(self) -> &'static str {
        PITCH_CLASSES[usize::from(self.tonic % 12)]
    }

    /// `"A minor"`, `"C# major"`.
    pub fn name(self) -> String {
        format!("{} {}", self.tonic_name(), self.mode.as_str())
    }

    /// The relative key (A minor ↔ C major).
    pub fn relative(self) -> Key {
        match self.mode {
            Mode::Major => Key::new(self.tonic + 9, Mode::Minor),
            Mode::Minor => Key::new(self.tonic + 3, Mode::Major),
        }
    }

    /// Position on the circle of fifths shared by a key and its relative: 1 for C major /
    /// A minor, 2 for G major / E minor, … (the Open Key number).
    fn fifths_position(self) -> u8 {
        let major_tonic = match self.mode {
            Mode::Major => self.tonic,
            Mode::Minor => (self.tonic + 3) % 12,
        };
        (major_tonic * 7) % 12 + 1
    }

    /// Camelot code: `8A` for A minor, `8B` for C major; minor keys are `A`, major `B`.
    pub fn camelot(self) -> String {
        // Camelot's 8 is Open Key's 1: the wheels differ by a rotation of 7 steps.
        let number = (self.fifths_position() + 6) % 12 + 1;
        let letter = if self.mode == Mode::Minor { 'A' } else { 'B' };
        format!("{number}{letter}")
    }

    /// Open Key code (Traktor): `1m` for A minor, `1d` for C major.
    pub fn open_key(self) -> String {
        let letter = if self.mode == Mode::Minor { 'm' } else { 'd' };
        format!("{}{letter}", self.fifths_position())
    }

    /// One step clockwise on the Camelot wheel (the key a fifth up, same mode).
    pub fn fifth_up(self) -> Key {
        Key::new(self.tonic + 7, self.mode)
    }

    /// One step anticlockwise (a fifth down, same mode).
    pub fn fifth_down(self) -> Key {
        Key::new(self.tonic + 5, self.mode)
    }

    /// The keys a DJ can mix into from this one by the Camelot rules: the same key, one step
    /// either way on the wheel, and the relative key.
    pub fn compatible(self) -> [(Key, Relation); 4] {
        [
            (self, Relation::Same),
            (self.fifth_up(), Relation::FifthUp),
            (self.fifth_down(), Relation::FifthDown),
            (self.relative(), Relation::Relative),
        ]
    }

    /// Parse a Camelot code (`8A`, `12b`).
    pub fn from_camelot(code: &str) -> Result<Key> {
        let bad = || Error::InvalidParameter(format!("'{code}' is not a Camelot code (1A-12B)"));
        let code = code.trim();
        let (digits, letter) = code.split_at(code.len().saturating_sub(1));
        let number: u8 = digits.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&number) {
            return Err(bad());
        }
        let mode = match letter {
            "A" | "a" => Mode::Minor,
            "B" | "b" => Mode::Major,
            _ => return Err(bad()),
        };
        Key::all()
            .find(|k| k.mode == mode && k.camelot() == format!("{number}{}", letter.to_uppercase()))
            .ok_or_else(bad)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.tonic_name(), self.mode.as_str())
    }
}

/// Tonic names accepted when parsing, with flats and sharps.
fn parse_tonic(name: &str) -> Option<u8> {
    let mut chars = name.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let base: i32 = match letter {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let mut pc = base;
    for c in chars {
        match c {
            '#' | '♯' => pc += 1,
            'b' | '♭' => pc -= 1,
            _ => return None,
        }
    }
    Some(pc.rem_euclid(12) as u8)
}

impl FromStr for Key {
    type Err = Error;

    /// `"A minor"`, `"Db major"`, `"F#m"`, `"Am"`, `"C"`, or a Camelot (`8A`) or Open Key
    /// (`1m`) code.
    fn from_str(s: &str) -> Result<Key> {
        let bad =
            || Error::InvalidParameter(format!("'{s}' is not a key (e.g. 'A minor', 'F#m', '8A', '1m')"));
        let t = s.trim();
        if t.is_empty() {
            return Err(bad());
        }
        if t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let (digits, letter) = t.split_at(t.len() - 1);
            return match letter {
                "A" | "a" | "B" | "b" => Key::from_camelot(t),
                "m" | "d" => {
                    let n: u8 = digits.parse().map_err(|_| bad())?;
                    let mode = if letter == "m" { Mode::Minor } else { Mode::Major };
                    Key::all().find(|k| k.mode == mode && k.fifths_position() == n).ok_or_else(bad)
                }
                _ => Err(bad()),
            };
        }
        let mut parts = t.split_whitespace();
        let first = parts.next().ok_or_else(bad)?;
        let second = parts.next();
        if parts.next().is_some() {
            return Err(bad());
        }
        let (tonic_str, mode) = match second {
            Some(m) => {
                let mode = match m.to_ascii_lowercase().as_str() {
                    "major" | "maj" => Mode::Major,
                    "minor" | "min" => Mode::Minor,
                    _ => return Err(bad()),
                };
                (first, mode)
            }
            None => match first.strip_suffix('m') {
                Some(tonic) if !tonic.is_empty() => (tonic, Mode::Minor),
                _ => (first, Mode::Major),
            },
        };
        let tonic = parse_tonic(tonic_str).ok_or_else(bad)?;
        Ok(Key::new(tonic, mode))
    }
}

/// A published key profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyProfile {
    /// Krumhansl & Kessler (1982).
    Krumhansl,
    /// Temperley (2007), Kostka–Payne corpus.
    Temperley,
    /// Faraldo et al. (2016), profiles learnt from electronic dance music: the default.
    #[default]
    Edma,
    /// Faraldo et al. (2016), from Beatport's key annotations (essentia's default).
    Bgate,
}

impl KeyProfile {
    /// Every profile, in the order of [`KeyProfile::name`]'s list.
    pub const ALL: [KeyProfile; 4] =
        [KeyProfile::Krumhansl, KeyProfile::Temperley, KeyProfile::Edma, KeyProfile::Bgate];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            KeyProfile::Krumhansl => "krumhansl",
            KeyProfile::Temperley => "temperley",
            KeyProfile::Edma => "edma",
            KeyProfile::Bgate => "bgate",
        }
    }

    /// The 12 weights of the major and of the minor profile, from the tonic up by semitones.
    pub fn weights(self) -> ([f64; 12], [f64; 12]) {
        match self {
            KeyProfile::Krumhansl => (
                [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
                [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
            ),
            KeyProfile::Temperley => (
                [0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400],
                [0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330],
            ),
            KeyProfile::Edma => (
                [1.0, 0.2875, 0.5020, 0.4048, 0.6050, 0.5614, 0.3205, 0.7966, 0.3159, 0.4506, 0.4202, 0.3889],
                [1.0, 0.3096, 0.4415, 0.5827, 0.3262, 0.4948, 0.2889, 0.7804, 0.4328, 0.2903, 0.5331, 0.3217],
            ),
            KeyProfile::Bgate => (
                [1.0, 0.0, 0.42, 0.0, 0.53, 0.37, 0.0, 0.77, 0.0, 0.38, 0.21, 0.30],
                [1.0, 0.0, 0.36, 0.39, 0.0, 0.38, 0.0, 0.74, 0.27, 0.0, 0.42, 0.23],
            ),
        }
    }
}

impl FromStr for KeyProfile {
    type Err = Error;

    fn from_str(s: &str) -> Result<KeyProfile> {
        KeyProfile::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::InvalidParameter(format!(
                "unknown key profile '{s}' (use krumhansl, temperley, edma or bgate)"
            ))
        })
    }
}

/// Pearson correlation of `a` with `b` rotated so that `b[0]` lines up with `a[shift]`.
fn rotated_correlation(a: &[f64; 12], b: &[f64; 12], shift: usize) -> f64 {
    let mean_a = a.iter().sum::<f64>() / 12.0;
    let mean_b = b.iter().sum::<f64>() / 12.0;
    let (mut num, mut var_a, mut var_b) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let da = a[(i + shift) % 12] - mean_a;
        let db = b[i] - mean_b;
        num += da * db;
        var_a += da * da;
        var_b += db * db;
    }
    if var_a <= 0.0 || var_b <= 0.0 { 0.0 } else { num / (var_a * var_b).sqrt() }
}

/// Correlation of a pitch-class profile (index 0 = C) with every key under `profile`, in
/// [`Key::all`] order.
pub fn key_correlations(pcp: &[f64; 12], profile: KeyProfile) -> [f64; 24] {
    let (major, minor) = profile.weights();
    let mut out = [0.0; 24];
    for tonic in 0..12 {
        out[tonic] = rotated_correlation(pcp, &major, tonic);
        out[12 + tonic] = rotated_correlation(pcp, &minor, tonic);
    }
    out
}

/// Temperature of the soft-max that turns correlations into the reported confidence: a key
/// whose correlation is higher by this much is e times as likely.
pub const CONFIDENCE_TEMPERATURE: f64 = 0.05;

/// The key of a pitch-class profile and how sure it is.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyScores {
    /// The best key.
    pub key: Key,
    /// Its correlation with the profile (Pearson r, in `[-1, 1]`).
    pub correlation: f64,
    /// Soft-max probability of the best key among the 24 ([`CONFIDENCE_TEMPERATURE`]).
    pub confidence: f64,
    /// The correlation of every key, in [`Key::all`] order.
    pub correlations: [f64; 24],
}

/// The best key of a pitch-class profile (index 0 = C); `None` when the profile is flat
/// (silence, or noise with no pitch-class structure at all).
pub fn key_of_profile(pcp: &[f64; 12], profile: KeyProfile) -> Option<KeyScores> {
    if pcp.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let correlations = key_correlations(pcp, profile);
    if correlations.iter().all(|&r| r == 0.0) {
        return None;
    }
    // First maximum in Key::all order, so ties resolve the same way on every run.
    let mut best = 0;
    for (i, &r) in correlations.iter().enumerate() {
        if r > correlations[best] {
            best = i;
        }
    }
    let top = correlations[best];
    let sum: f64 = correlations.iter().map(|&r| ((r - top) / CONFIDENCE_TEMPERATURE).exp()).sum();
    let key = Key::all().nth(best)?;
    Some(KeyScores { key, correlation: top, confidence: 1.0 / sum, correlations })
}

/// Options of [`estimate_key`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyOptions {
    /// Key profile to correlate with.
    pub profile: KeyProfile,
    /// Tuning of the track in cents from A440 (`None`: measured on the same sustained
    /// spectral peaks the key is read from, 0 when there are none).
    pub tuning_cents: Option<f64>,
}

/// A key compatible with the estimate, for harmonic mixing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompatibleKey {
    /// `"E minor"`.
    pub name: String,
    /// Camelot code.
    pub camelot: String,
    /// Open Key code.
    pub open_key: String,
    /// How it relates to the estimated key.
    pub relation: Relation,
}

/// The estimated key of a track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyEstimate {
    /// `"A minor"`.
    pub name: String,
    /// Tonic (`C C# D D# E F F# G G# A A# B`).
    pub tonic: String,
    /// `major` or `minor`.
    pub mode: Mode,
    /// Camelot code (`1A`–`12B`).
    pub camelot: String,
    /// Open Key code (`1m`–`12d`).
    pub open_key: String,
    /// Soft-max probability of this key among the 24, in `[0, 1]`.
    pub confidence: f64,
    /// Pearson correlation of the track's pitch-class profile with the key's profile.
    pub correlation: f64,
    /// The profile used.
    pub profile: KeyProfile,
    /// The runner-up key and its correlation.
    pub runner_up: String,
    /// Correlation of the runner-up.
    pub runner_up_correlation: f64,
    /// Keys to mix into (Camelot rules).
    pub compatible: Vec<CompatibleKey>,
    /// The track's pitch-class profile (C first), scaled to a maximum of 1.
    pub pitch_class_profile: [f64; 12],
    /// Tuning the pitch classes were read with, cents from A440 (0 when estimated from a bare
    /// profile by [`estimate_from_profile`]).
    pub tuning_cents: f64,
}

impl KeyEstimate {
    /// The key as a [`Key`].
    pub fn key(&self) -> Result<Key> {
        self.name.parse()
    }

    fn from_scores(scores: &KeyScores, profile: KeyProfile, pcp: &[f64; 12]) -> KeyEstimate {
        let key = scores.key;
        let mut order: Vec<usize> = (0..24).collect();
        order.sort_by(|&a, &b| scores.correlations[b].total_cmp(&scores.correlations[a]).then(a.cmp(&b)));
        let second = order.get(1).copied().unwrap_or(0);
        let runner_up = Key::all().nth(second).unwrap_or(key);
        let max = pcp.iter().fold(0.0f64, |m, &v| m.max(v));
        let mut scaled = *pcp;
        if max > 0.0 {
            scaled.iter_mut().for_each(|v| *v /= max);
        }
        KeyEstimate {
            name: key.name(),
            tonic: key.tonic_name().to_string(),
            mode: key.mode,
            camelot: key.camelot(),
            open_key: key.open_key(),
            confidence: scores.confidence,
            correlation: scores.correlation,
            profile,
            runner_up: runner_up.name(),
            runner_up_correlation: scores.correlations[second],
            compatible: key
                .compatible()
                .iter()
                .map(|&(k, relation)| CompatibleKey {
                    name: k.name(),
                    camelot: k.camelot(),
                    open_key: k.open_key(),
                    relation,
                })
                .collect(),
            pitch_class_profile: scaled,
            tuning_cents: 0.0,
        }
    }
}

/// Below this correlation no key is reported: the profile would explain less than a sixth of
/// the pitch-class profile's variance (white noise reaches about 0.25; the music of
/// `../shared/data` 0.6 and more).
pub const MIN_KEY_CORRELATION: f64 = 0.4;

/// Shortest audio a key is estimated for, in seconds.
pub const MIN_KEY_DURATION_S: f64 = 1.0;

/// The key of a pitch-class profile as a full estimate (names, codes, compatible keys).
///
/// Errors: [`Error::NoResult`] when the profile is flat or no key reaches
/// [`MIN_KEY_CORRELATION`].
pub fn estimate_from_profile(pcp: &[f64; 12], profile: KeyProfile) -> Result<KeyEstimate> {
    let scores = key_of_profile(pcp, profile)
        .ok_or_else(|| Error::NoResult("no key found: the audio has no pitch-class structure".into()))?;
    if scores.correlation < MIN_KEY_CORRELATION {
        return Err(Error::NoResult(format!(
            "no clear key: the best key ({}) correlates only {:.2} with the pitch content (at least \
             {MIN_KEY_CORRELATION} needed)",
            scores.key.name(),
            scores.correlation
        )));
    }
    Ok(KeyEstimate::from_scores(&scores, profile, pcp))
}

/// Lowest frequency that counts towards the key, in Hz: above the body of a techno kick
/// (40–65 Hz, often tuned to nothing in particular); bass lines still count through their
/// second and third harmonics.
pub const KEY_FMIN_HZ: f64 = 100.0;
/// Highest frequency that counts towards the key, in Hz (as in essentia's key extractor).
pub const KEY_FMAX_HZ: f64 = 3500.0;
/// Rate the key's STFT sizes refer to; the signal is halved towards it (44.1 kHz → 11.025
/// kHz) while the Nyquist frequency stays above [`KEY_FMAX_HZ`].
pub const KEY_SAMPLE_RATE: u32 = 11_025;
/// STFT size at [`KEY_SAMPLE_RATE`]: 186 ms, a semitone resolved from about 100 Hz up.
pub const KEY_N_FFT: usize = 2048;
/// Hop at [`KEY_SAMPLE_RATE`]: 46 ms.
pub const KEY_HOP: usize = 512;
/// Frames in the running median that keeps the sustained part of each frequency bin
/// (Fitzgerald 2010's harmonic filter): 5 frames = 232 ms, so an event must last about
/// 140 ms to count — drums (kick body, hats, claps) do not, held or sung notes do.
pub const HARMONIC_MEDIAN_FRAMES: usize = 5;
/// Spectral peaks below this fraction of the frame's largest are ignored (−60 dB).
const PEAK_FLOOR: f32 = 1e-3;

/// Median of five values (a sorting network would be no faster here: five compares).
fn median5(mut v: [f32; 5]) -> f32 {
    v.sort_unstable_by(f32::total_cmp);
    v[2]
}

/// Per-frame chroma for key estimation (HPCP-like, after Gómez 2006): each frame scaled to a
/// maximum of 1 (index 0 = C); frames without energy (under 1 % of the loudest frame) are
/// all zeros. Also returns the hop between frames in seconds.
///
/// Signal halved towards [`KEY_SAMPLE_RATE`] → magnitude STFT ([`KEY_N_FFT`], [`KEY_HOP`]) → per-bin
/// running median over [`HARMONIC_MEDIAN_FRAMES`] (the harmonic part) → spectral peaks between
/// [`KEY_FMIN_HZ`] and [`KEY_FMAX_HZ`], parabolically interpolated → each peak's energy to the
/// nearest pitch class of the tuned 12-tone grid with a cos² weight (zero half a semitone
/// away).
pub fn key_chroma(y: &[f32], sr: f64, tuning_cents: Option<f64>) -> Result<KeyChroma> {
    use crate::spectral::{Stft, StftConfig};
    crate::ensure_param!(
        (8000.0..=768_000.0).contains(&sr) && sr.fract() == 0.0,
        "key estimation needs a whole sample rate of 8-768 kHz, got {sr} Hz"
    );
    if let Some(cents) = tuning_cents {
        crate::ensure_param!(
            cents.is_finite() && cents.abs() <= 50.0,
            "tuning must be within ±50 cents, got {cents}"
        );
    }
    let duration_s = y.len() as f64 / sr;
    if duration_s < MIN_KEY_DURATION_S {
        return Err(Error::NoResult(format!(
            "too short for key estimation ({duration_s:.2} s; at least {MIN_KEY_DURATION_S} s needed)"
        )));
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidInput("the audio contains NaN or infinite samples".into()));
    }
    // Halve the rate (half-band FIR) while the result still holds KEY_FMAX_HZ with room for
    // the filter's transition: 44.1 kHz → 11.025 kHz, 48 kHz → 12 kHz, 8 kHz stays.
    let mut work_sr = sr;
    let mut decimated: Option<Vec<f32>> = None;
    while work_sr / 2.0 >= 2.1 * KEY_FMAX_HZ {
        let out_nyquist = work_sr / 4.0;
        let pass = (1.03 * KEY_FMAX_HZ / out_nyquist).min(0.98);
        decimated = Some(crate::spectral::cqt::decimate_by_2(decimated.as_deref().unwrap_or(y), pass));
        work_sr /= 2.0;
    }
    let x = decimated.as_deref().unwrap_or(y);
    // About 186 ms frames at any rate (2048 samples at 11.025 kHz).
    let frame = KEY_N_FFT as f64 * work_sr / f64::from(KEY_SAMPLE_RATE);
    let n_fft = 2usize.pow(frame.log2().round() as u32).max(256);
    let hop = n_fft / 4;
    let stft = Stft::new(StftConfig { hop_length: hop, ..StftConfig::with_n_fft(n_fft) })?;
    let spec = stft.magnitude(x);
    let bin_hz = work_sr / n_fft as f64;
    let n_frames = spec.n_frames();
    // One bin of margin on each side for the peak test.
    let lo = ((KEY_FMIN_HZ / bin_hz).floor() as usize).saturating_sub(1).max(1);
    let hi = ((KEY_FMAX_HZ.min(0.5 * work_sr) / bin_hz).ceil() as usize + 1).min(spec.n_bins());
    let width = hi.saturating_sub(lo);
    // Harmonic part, frame-major like the spectrogram.
    let mut harmonic = vec![0.0f32; n_frames * width];
    let half = HARMONIC_MEDIAN_FRAMES / 2;
    harmonic.par_chunks_mut(width.max(1)).take(n_frames).enumerate().for_each(|(t, row)| {
        let frame =
            |u: usize| &spec.frame(u.clamp(t.saturating_sub(half), (t + half).min(n_frames - 1)))[lo..hi];
        let (f0, f1, f2, f3, f4) =
            (frame(t.saturating_sub(2)), frame(t.saturating_sub(1)), frame(t), frame(t + 1), frame(t + 2));
        for (b, r) in row.iter_mut().enumerate() {
            *r = median5([f0[b], f1[b], f2[b], f3[b], f4[b]]);
        }
    });
    // The sustained spectral peaks of every frame: (frequency Hz, energy).
    let peaks: Vec<Vec<(f64, f64)>> = harmonic
        .par_chunks_exact(width.max(1))
        .take(n_frames)
        .map(|row| {
            let mut out = Vec::new();
            let top = row.iter().fold(0.0f32, |m, &v| m.max(v));
            for b in 1..row.len().saturating_sub(1) {
                let (l, m, r) = (row[b - 1], row[b], row[b + 1]);
                if !(m > l && m >= r && m > PEAK_FLOOR * top) {
                    continue;
                }
                let (l, m, r) = (f64::from(l), f64::from(m), f64::from(r));
                let denom = l - 2.0 * m + r;
                let shift = if denom.abs() > 1e-20 { (0.5 * (l - r) / denom).clamp(-0.5, 0.5) } else { 0.0 };
                let freq = ((lo + b) as f64 + shift) * bin_hz;
                if (KEY_FMIN_HZ..=KEY_FMAX_HZ).contains(&freq) {
                    let amp = m - 0.25 * (l - r) * shift;
                    out.push((freq, amp * amp));
                }
            }
            out
        })
        .collect();
    // The tuning of the sustained peaks themselves, unless the caller gave one: drums and
    // noise, which can pull a whole-signal estimate, are not among them.
    let tuning_cents = match tuning_cents {
        Some(cents) => cents,
        None => {
            let (deviations, energies): (Vec<f64>, Vec<f64>) =
                peaks.iter().flatten().map(|&(f, e)| (crate::tonal::tuning::deviation_cents(f), e)).unzip();
            match crate::tonal::tuning::tuning_from_deviations(&deviations, &energies) {
                Ok(t) => t.cents,
                Err(e) if e.is_no_result() => 0.0,
                Err(e) => return Err(e),
            }
        }
    };
    let a4 = 440.0 * 2f64.powf(tuning_cents / 1200.0);
    let mut frames: Vec<[f64; 12]> = peaks
        .par_iter()
        .map(|frame_peaks| {
            let mut c = [0.0f64; 12];
            for &(freq, energy) in frame_peaks {
                let midi = 69.0 + 12.0 * (freq / a4).log2();
                let nearest = midi.round();
                let w = (std::f64::consts::PI * (midi - nearest)).cos().powi(2);
                c[(nearest as i64).rem_euclid(12) as usize] += w * energy;
            }
            c
        })
        .collect();
    frames.resize(n_frames, [0.0; 12]);
    let energies: Vec<f64> = frames.iter().map(|f| f.iter().sum()).collect();
    let loudest = energies.iter().fold(0.0f64, |m, &e| m.max(e));
    let floor = 0.01 * loudest;
    for (frame, &e) in frames.iter_mut().zip(&energies) {
        let max = frame.iter().fold(0.0f64, |m, &v| m.max(v));
        if e > floor && max > 0.0 {
            frame.iter_mut().for_each(|v| *v /= max);
        } else {
            *frame = [0.0; 12];
        }
    }
    Ok(KeyChroma { frames, hop_s: hop as f64 / work_sr, tuning_cents })
}

/// What [`key_chroma`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyChroma {
    /// One 12-bin chroma per frame (C first), scaled to a maximum of 1; zeros without energy.
    pub frames: Vec<[f64; 12]>,
    /// Seconds between frames.
    pub hop_s: f64,
    /// Tuning the pitch classes were folded with, cents from A440 (given, or measured on the
    /// sustained peaks).
    pub tuning_cents: f64,
}

/// Sum of chroma frames (a pitch-class profile).
pub fn sum_frames(frames: &[[f64; 12]]) -> [f64; 12] {
    let mut pcp = [0.0f64; 12];
    for f in frames {
        for (p, v) in pcp.iter_mut().zip(f) {
            *p += v;
        }
    }
    pcp
}

/// Pitch-class profile of a mono signal: the sum of its key chroma frames ([`key_chroma`]).
pub fn pitch_class_profile(y: &[f32], sr: f64, tuning_cents: Option<f64>) -> Result<[f64; 12]> {
    Ok(sum_frames(&key_chroma(y, sr, tuning_cents)?.frames))
}

/// Key of a mono signal: pitch-class profile ([`pitch_class_profile`]) correlated with the
/// chosen profile.
///
/// Errors: [`Error::InvalidParameter`] for an unusable sample rate or tuning,
/// [`Error::NoResult`] for silence or audio without pitch-class structure.
pub fn estimate_key(y: &[f32], sr: f64, options: &KeyOptions) -> Result<KeyEstimate> {
    let chroma = key_chroma(y, sr, options.tuning_cents)?;
    let mut estimate = estimate_from_profile(&sum_frames(&chroma.frames), options.profile)?;
    estimate.tuning_cents = chroma.tuning_cents;
    Ok(estimate)
}

/// Decision step of the key timeline in seconds.
pub const TIMELINE_STEP_S: f64 = 4.0;
/// Length of audio whose chroma is pooled for each timeline step, in seconds (centred).
pub const TIMELINE_CONTEXT_S: f64 = 24.0;
/// Cost of a key change in the timeline, in units of correlation / [`CONFIDENCE_TEMPERATURE`]:
/// a new key must lead by 0.1 in correlation for about five steps (20 s) to be reported.
pub const KEY_CHANGE_COST: f64 = 10.0;

/// One stretch of constant key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeySegment {
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds.
    pub end_s: f64,
    /// `"A minor"`.
    pub name: String,
    /// Camelot code.
    pub camelot: String,
    /// Open Key code.
    pub open_key: String,
    /// Mean over the segment's steps of the soft-max probability of its key.
    pub confidence: f64,
}

/// Key over time: pooled chroma every [`TIMELINE_STEP_S`] over [`TIMELINE_CONTEXT_S`], a
/// Viterbi path over the 24 keys that pays [`KEY_CHANGE_COST`] per change (so short
/// borrowed chords do not count as modulations), merged into segments. Steps without tonal
/// content take the key around them. Empty when no step has pitch-class structure.
pub fn key_timeline(
    frames: &[[f64; 12]],
    hop_s: f64,
    duration_s: f64,
    profile: KeyProfile,
) -> Vec<KeySegment> {
    if frames.is_empty() || hop_s.is_nan() || hop_s <= 0.0 || duration_s.is_nan() || duration_s <= 0.0 {
        return Vec::new();
    }
    let n_steps = ((duration_s / TIMELINE_STEP_S).ceil() as usize).max(1);
    let half = (0.5 * TIMELINE_CONTEXT_S / hop_s).round() as usize;
    let scores: Vec<Option<[f64; 24]>> = (0..n_steps)
        .map(|i| {
            let centre = (((i as f64 + 0.5) * TIMELINE_STEP_S) / hop_s) as usize;
            let a = centre.saturating_sub(half).min(frames.len());
            let b = (centre + half).min(frames.len());
            let pcp = sum_frames(&frames[a..b]);
            key_of_profile(&pcp, profile).map(|s| s.correlations)
        })
        .collect();
    if scores.iter().all(Option::is_none) {
        return Vec::new();
    }
    // Viterbi over keys; emission = correlation / temperature (a log-likelihood up to scale).
    let emit = |s: &Option<[f64; 24]>, k: usize| s.as_ref().map_or(0.0, |c| c[k] / CONFIDENCE_TEMPERATURE);
    let mut delta: Vec<f64> = (0..24).map(|k| emit(&scores[0], k)).collect();
    let mut back = vec![[0u8; 24]; n_steps];
    for t in 1..n_steps {
        let (best_prev, best_val) = delta
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |b, (k, &v)| if v > b.1 { (k, v) } else { b });
        let mut next = [0.0f64; 24];
        for (k, n) in next.iter_mut().enumerate() {
            let stay = delta[k];
            let change = best_val - KEY_CHANGE_COST;
            let (from, v) = if stay >= change { (k, stay) } else { (best_prev, change) };
            back[t][k] = from as u8;
            *n = v + emit(&scores[t], k);
        }
        delta.copy_from_slice(&next);
    }
    let mut k = (0..24).fold(0, |b, k| if delta[k] > delta[b] { k } else { b });
    let mut path = vec![0usize; n_steps];
    for t in (0..n_steps).rev() {
        path[t] = k;
        k = usize::from(back[t][k]);
    }
    let keys: Vec<Key> = Key::all().collect();
    let mut out: Vec<KeySegment> = Vec::new();
    let mut t = 0;
    while t < n_steps {
        let mut end = t;
        while end + 1 < n_steps && path[end + 1] == path[t] {
            end += 1;
        }
        let key = keys[path[t]];
        let confs: Vec<f64> = scores[t..=end]
            .iter()
            .filter_map(|s| {
                s.as_ref().map(|c| {
                    let top = c.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                    let sum: f64 = c.iter().map(|&r| ((r - top) / CONFIDENCE_TEMPERATURE).exp()).sum();
                    ((c[path[t]] - top) / CONFIDENCE_TEMPERATURE).exp() / sum
                })
            })
            .collect();
        let confidence = if confs.is_empty() { 0.0 } else { confs.iter().sum::<f64>() / confs.len() as f64 };
        out.push(KeySegment {
            start_s: t as f64 * TIMELINE_STEP_S,
            end_s: ((end + 1) as f64 * TIMELINE_STEP_S).min(duration_s),
            name: key.name(),
            camelot: key.camelot(),
            open_key: key.open_key(),
            confidence,
        });
        t = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camelot_and_open_key_wheels() {
        let cases = [
            ("A minor", "8A", "1m"),
            ("C major", "8B", "1d"),
            ("E minor", "9A", "2m"),
            ("G major", "9B", "2d"),
            ("D minor", "7A", "12m"),
            ("F major", "7B", "12d"),
            ("F# minor", "11A", "4m"),
            ("D major", "10B", "3d"),
            ("G# minor", "1A", "6m"),
            ("B major", "1B", "6d"),
            ("D# minor", "2A", "7m"),
            ("A# major", "6B", "11d"),
        ];
        for (name, camelot, open) in cases {
            let key: Key = name.parse().unwrap();
            assert_eq!(key.name(), name);
            assert_eq!(key.camelot(), camelot, "{name}");
            assert_eq!(key.open_key(), open, "{name}");
            assert_eq!(Key::from_camelot(camelot).unwrap(), key);
            assert_eq!(open.parse::<Key>().unwrap(), key);
        }
        // Every code is used exactly once.
        let mut codes: Vec<String> = Key::all().map(|k| k.camelot()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 24);
    }

    #[test]
    fn parses_common_spellings() {
        let a_minor = Key::new(9, Mode::Minor);
        for s in ["A minor", "a minor", "Am", "A min", "8A", "8a", "1m"] {
            assert_eq!(s.parse::<Key>().unwrap(), a_minor, "{s}");
        }
        assert_eq!("Db major".parse::<Key>().unwrap(), Key::new(1, Mode::Major));
        assert_eq!("Bbm".parse::<Key>().unwrap(), Key::new(10, Mode::Minor));
        assert_eq!("Cb major".parse::<Key>().unwrap(), Key::new(11, Mode::Major));
        for s in ["", "H minor", "A dorian", "13A", "0B", "8C", "A minor x", "#"] {
            assert!(s.parse::<Key>().is_err(), "{s}");
        }
    }

    #[test]
    fn compatible_keys_follow_the_wheel() {
        let codes: Vec<String> =
            Key::new(9, Mode::Minor).compatible().iter().map(|(k, _)| k.camelot()).collect();
        assert_eq!(codes, ["8A", "9A", "7A", "8B"]);
        let codes: Vec<String> =
            Key::new(11, Mode::Major).compatible().iter().map(|(k, _)| k.camelot()).collect();
        assert_eq!(codes, ["1B", "2B", "12B", "1A"]);
    }

    #[test]
    fn a_profile_finds_its_own_key() {
        for profile in KeyProfile::ALL {
            let (major, minor) = profile.weights();
            for key in Key::all() {
                let weights = if key.mode == Mode::Major { major } else { minor };
                let mut pcp = [0.0; 12];
                for (i, w) in weights.iter().enumerate() {
                    pcp[(i + usize::from(key.tonic)) % 12] = *w;
                }
                let scores = key_of_profile(&pcp, profile).unwrap();
                assert_eq!(scores.key, key, "{profile:?}");
                assert!((scores.correlation - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn flat_profile_has_no_key() {
        assert!(key_of_profile(&[1.0; 12], KeyProfile::Edma).is_none());
        assert!(key_of_profile(&[0.0; 12], KeyProfile::Edma).is_none());
        let mut nan = [1.0; 12];
        nan[3] = f64::NAN;
        assert!(key_of_profile(&nan, KeyProfile::Edma).is_none());
    }

    /// Harmonic tones of a chord progression, `seconds` per chord.
    fn chords(progression: &[[f64; 3]], seconds: f64, sr: f64) -> Vec<f32> {
        let per = (seconds * sr) as usize;
        let mut y = Vec::with_capacity(per * progression.len());
        for chord in progression {
            for i in 0..per {
                let t = i as f64 / sr;
                let mut v = 0.0;
                for &midi in chord {
                    let f0 = 440.0 * 2f64.powf((midi - 69.0) / 12.0);
                    for h in 1..=4 {
                        v += (2.0 * std::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64;
                    }
                }
                y.push((0.05 * v) as f32);
            }
        }
        y
    }

    #[test]
    fn timeline_finds_a_modulation() {
        let sr = 22050.0;
        // i-iv-V-i in A minor for 40 s, then I-IV-V-I in D major for 40 s.
        let a_minor = [[57.0, 60.0, 64.0], [62.0, 65.0, 69.0], [64.0, 68.0, 71.0], [57.0, 60.0, 64.0]];
        let d_major = [[62.0, 66.0, 69.0], [67.0, 71.0, 74.0], [69.0, 73.0, 76.0], [62.0, 66.0, 69.0]];
        let mut progression = Vec::new();
        for _ in 0..5 {
            progression.extend_from_slice(&a_minor);
        }
        for _ in 0..5 {
            progression.extend_from_slice(&d_major);
        }
        let y = chords(&progression, 2.0, sr);
        let chroma = key_chroma(&y, sr, Some(0.0)).unwrap();
        let timeline = key_timeline(&chroma.frames, chroma.hop_s, y.len() as f64 / sr, KeyProfile::Edma);
        let names: Vec<&str> = timeline.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["A minor", "D major"], "{timeline:?}");
        assert!((timeline[0].end_s - 40.0).abs() <= 2.0 * TIMELINE_STEP_S, "{timeline:?}");
        assert_eq!(timeline[1].end_s, y.len() as f64 / sr);
        // The whole-track key of the first half alone.
        let first = estimate_key(&y[..y.len() / 2], sr, &KeyOptions::default()).unwrap();
        assert_eq!(first.camelot, "8A");
    }
}
