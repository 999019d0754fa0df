//! Notes from an f0 track, and standard MIDI files.
//!
//! [`segment_notes`] turns a pitch track (e.g. [`crate::tonal::pitch::pyin`]) of a monophonic
//! line into notes, after the note stage of Tony (Mauch, Cannam, Bittner, Fazekas, Salamon,
//! Dai, Bello & Dixon, "Computer-aided Melody Note Transcription Using the Tony Software:
//! Accuracy and Efficiency", TENOR 2015), simplified to explicit rules instead of its note HMM:
//!
//! 1. voiced runs, with unvoiced gaps up to `max_gap_s` bridged (a dropout inside a note);
//! 2. inside a run, three kinds of note starts, in order of trust (a cue within `dip_window_s`
//!    of a more trusted one is dropped): a dip of the voicing probability (a consonant between
//!    syllables; the note starts where the probability is back above ½), a dip of the
//!    short-time RMS level at least `dip_db` deep on both sides, and a pitch change — the pitch
//!    (MIDI numbers, median-smoothed over `smooth_s`) leaves the current note's median by at
//!    least `split_semitones` and the next `min_note_s` differ as much while varying less
//!    (not still gliding: vibrato and scoops stay inside a note), the boundary placed where the
//!    pitch crosses half-way;
//! 3. each note is trimmed to its confidently voiced frames (voicing probability above ½ for
//!    15 ms: the breathy attack and release are not part of the pitch), and notes shorter than
//!    `min_note_s` are dropped. The default, 100 ms, keeps sixteenth notes up to 150 BPM.
//!
//! Each note's pitch is the median of its confident frames' pitches; its velocity maps its RMS
//! level from −60 dBFS (velocity 1) to 0 dBFS (127), linearly in dB. [`midi_bytes`] writes the notes
//! as a standard MIDI file (format 0, one track, 480 ticks per quarter note at 120 BPM, so one
//! tick is 1/960 s); [`write_midi`] writes it atomically.
//!
//! ```
//! use technob::tonal::notes::{midi_bytes, note_name, segment_notes, NoteConfig};
//! use technob::tonal::pitch::{pyin, PitchConfig};
//!
//! let sr = 22050;
//! // A3 for 0.4 s, then C4 for 0.4 s.
//! let y: Vec<f32> = (0..(0.8 * sr as f64) as usize)
//!     .map(|i| {
//!         let f = if i < (0.4 * sr as f64) as usize { 220.0 } else { 261.63 };
//!         (0.5 * (2.0 * std::f64::consts::PI * f * i as f64 / sr as f64).sin()) as f32
//!     })
//!     .collect();
//! let track = pyin(&y, sr, &PitchConfig { hop_length: 256, ..PitchConfig::default() })?;
//! let notes = segment_notes(&track, &y, &NoteConfig::default())?;
//! let names: Vec<&str> = notes.iter().map(|n| n.name.as_str()).collect();
//! assert_eq!(names, ["A3", "C4"]);
//! assert_eq!(note_name(61), "C#4");
//! assert!(midi_bytes(&notes)?.starts_with(b"MThd"));
//! # Ok::<(), technob::Error>(())
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::tonal::pitch::PitchTrack;
use crate::{Error, Result, ensure_param};

/// MIDI ticks per quarter note of the files [`midi_bytes`] writes.
pub const TICKS_PER_QUARTER: u16 = 480;
/// Tempo of the files [`midi_bytes`] writes, microseconds per quarter note (120 BPM).
pub const MICROS_PER_QUARTER: u32 = 500_000;
/// Frames with a voicing probability above ½ for this long (seconds) start and end a note.
const CONFIDENT_S: f64 = 0.015;
/// Level of velocity 1, dBFS; 0 dBFS is velocity 127.
pub const VELOCITY_FLOOR_DB: f64 = -60.0;

/// One note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Start, seconds.
    pub onset_s: f64,
    /// End, seconds.
    pub offset_s: f64,
    /// Median pitch, fractional MIDI number (69 = A4 = 440 Hz).
    pub pitch_midi: f64,
    /// Nearest MIDI note number.
    pub midi: u8,
    /// Note name with octave, sharps for black keys (`"A4"`, `"C#5"`; MIDI 60 is `"C4"`).
    pub name: String,
    /// MIDI velocity 1..=127 from the note's RMS level.
    pub velocity: u8,
}

impl Note {
    /// The note's median pitch in Hz.
    pub fn pitch_hz(&self) -> f64 {
        440.0 * 2f64.powf((self.pitch_midi - 69.0) / 12.0)
    }
}

/// Settings of [`segment_notes`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteConfig {
    /// Shortest note kept, seconds.
    pub min_note_s: f64,
    /// Longest unvoiced gap bridged inside a note, seconds.
    pub max_gap_s: f64,
    /// Length of the median filter on the pitch, seconds.
    pub smooth_s: f64,
    /// Pitch change that starts a new note, semitones.
    pub split_semitones: f64,
    /// Depth of a level dip that starts a new note, dB (`f64::INFINITY` turns it off).
    pub dip_db: f64,
    /// Span on each side of a dip over which its depth is measured, seconds.
    pub dip_window_s: f64,
    /// A dip of the voicing probability to at most this value, from at least 1 − this on both
    /// sides, starts a new note (a consonant between syllables); 0 turns it off.
    pub voicing_dip: f64,
}

impl Default for NoteConfig {
    fn default() -> Self {
        NoteConfig {
            min_note_s: 0.1,
            max_gap_s: 0.03,
            smooth_s: 0.05,
            split_semitones: 0.75,
            dip_db: 6.0,
            dip_window_s: 0.1,
            voicing_dip: 0.25,
        }
    }
}

/// Name of a MIDI note number: pitch class with sharps, then the octave (60 → `"C4"`).
pub fn note_name(midi: u8) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    format!("{}{}", NAMES[(midi % 12) as usize], midi as i32 / 12 - 1)
}

/// MIDI number (fractional) of a frequency in Hz.
pub fn hz_to_midi(hz: f64) -> f64 {
    69.0 + 12.0 * (hz / 440.0).log2()
}

/// Notes of a monophonic pitch track; `y` is the analysed mono signal (at `track.sr`), used for
/// the level dips and the velocities. See the module docs for the method. Errors when the track's
/// arrays differ in length, when the configuration is out of range, or when `y` has non-finite
/// samples; a track without voiced frames gives no notes.
pub fn segment_notes(track: &PitchTrack, y: &[f32], config: &NoteConfig) -> Result<Vec<Note>> {
    let n = track.len();
    if track.f0_hz.len() != n || track.voiced.len() != n {
        return Err(Error::InvalidInput("the pitch track's arrays differ in length".into()));
    }
    ensure_param!(track.sr > 0 && track.hop_length > 0, "the pitch track has no sample rate or hop");
    let c = config;
    for (name, v) in [("min_note_s", c.min_note_s), ("max_gap_s", c.max_gap_s), ("smooth_s", c.smooth_s)] {
        ensure_param!(v.is_finite() && v >= 0.0, "{name} must be a non-negative number of seconds, got {v}");
    }
    ensure_param!(
        c.split_semitones.is_finite() && c.split_semitones > 0.0,
        "split_semitones must be positive"
    );
    ensure_param!(!c.dip_db.is_nan() && c.dip_db > 0.0, "dip_db must be positive");
    ensure_param!(c.dip_window_s.is_finite() && c.dip_window_s > 0.0, "dip_window_s must be positive");
    ensure_param!((0.0..0.5).contains(&c.voicing_dip), "voicing_dip must be in [0, 0.5)");
    if track.voiced_prob.len() != n {
        return Err(Error::InvalidInput("the pitch track's arrays differ in length".into()));
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidInput("the signal has non-finite samples".into()));
    }
    let hop_s = track.hop_s();
    let sr = track.sr as f64;
    let frames = |s: f64| (s / hop_s).round() as usize;
    let min_frames = frames(c.min_note_s).max(1);
    let confident = frames(CONFIDENT_S).max(1);
    let level = frame_levels_db(y, track.hop_length, n);

    let mut notes = Vec::new();
    for (start, end) in voiced_runs(track, frames(c.max_gap_s)) {
        let pitch = run_pitch(track, start, end);
        let smooth = median_filter(&pitch, frames(c.smooth_s) | 1);
        let window = frames(c.dip_window_s).max(1);
        // Cues in order of trust: consonant (voicing dip), level dip, pitch change; a cue within
        // `window` of a more trusted one is dropped, and notes keep at least `min_frames`.
        let mut cues: Vec<usize> = voicing_dips(&track.voiced_prob[start..end], window, c.voicing_dip);
        for candidate in [
            level_dips(&level[start..end], window, c.dip_db),
            pitch_boundaries(&smooth, min_frames, c.split_semitones),
        ] {
            let kept: Vec<usize> =
                candidate.into_iter().filter(|&b| !cues.iter().any(|&d| d.abs_diff(b) <= window)).collect();
            cues.extend(kept);
        }
        cues.sort_unstable();
        let mut cuts = vec![0];
        for b in cues {
            if b >= cuts.last().map_or(0, |&c| c) + min_frames && b + min_frames <= end - start {
                cuts.push(b);
            }
        }
        cuts.push(end - start);
        for w in cuts.windows(2) {
            // Trim the breathy attack and release: the note spans the frames from the first to
            // the last run of `confident` frames with a voicing probability above ½.
            let sure = |i: usize| track.voiced[i] && track.voiced_prob[i] > 0.5;
            let (a0, b0) = (start + w[0], start + w[1]);
            let Some(a) = (a0..b0).find(|&i| i + confident <= b0 && (i..i + confident).all(sure)) else {
                continue;
            };
            let Some(b) = (a0..b0)
                .rev()
                .find(|&j| j + 1 >= a + confident && (j + 1 - confident..=j).all(sure))
                .map(|j| j + 1)
            else {
                continue;
            };
            if b < a + min_frames {
                continue;
            }
            let mut voiced: Vec<f64> = (a..b).filter(|&i| sure(i)).map(|i| pitch[i - start]).collect();
            let pitch_midi = median(&mut voiced);
            let onset_s = ((a as f64 - 0.5) * hop_s).max(0.0);
            let offset_s = (b as f64 - 0.5) * hop_s;
            let midi = pitch_midi.round().clamp(0.0, 127.0) as u8;
            notes.push(Note {
                onset_s,
                offset_s,
                pitch_midi,
                midi,
                name: note_name(midi),
                velocity: velocity(rms_db(y, (onset_s * sr) as usize, (offset_s * sr) as usize)),
            });
        }
    }
    Ok(notes)
}

/// Voiced runs `[start, end)` of frames, joining runs separated by at most `max_gap` frames.
fn voiced_runs(track: &PitchTrack, max_gap: usize) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let n = track.len();
    while i < n {
        if !track.voiced[i] || track.f0_hz[i] <= 0.0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && track.voiced[i] && track.f0_hz[i] > 0.0 {
            i += 1;
        }
        match runs.last_mut() {
            Some(last) if start - last.1 <= max_gap => last.1 = i,
            _ => runs.push((start, i)),
        }
    }
    runs
}

/// MIDI pitch of frames `start..end`, unvoiced gaps filled by linear interpolation.
fn run_pitch(track: &PitchTrack, start: usize, end: usize) -> Vec<f64> {
    let known = |i: usize| track.voiced[i] && track.f0_hz[i] > 0.0;
    let mut pitch: Vec<f64> =
        (start..end).map(|i| if known(i) { hz_to_midi(track.f0_hz[i]) } else { f64::NAN }).collect();
    let mut last: Option<usize> = None;
    for k in 0..pitch.len() {
        if pitch[k].is_nan() {
            continue;
        }
        if let Some(l) = last
            && k > l + 1
        {
            for g in l + 1..k {
                let t = (g - l) as f64 / (k - l) as f64;
                pitch[g] = pitch[l] + t * (pitch[k] - pitch[l]);
            }
        }
        last = Some(k);
    }
    pitch
}

/// Running median over an odd window (shrunk at the edges).
fn median_filter(x: &[f64], window: usize) -> Vec<f64> {
    let half = window / 2;
    let mut buf = Vec::with_capacity(window);
    (0..x.len())
        .map(|i| {
            buf.clear();
            buf.extend_from_slice(&x[i.saturating_sub(half)..(i + half + 1).min(x.len())]);
            median(&mut buf)
        })
        .collect()
}

/// Median of a non-empty slice (sorted in place; mean of the middle two for an even count).
fn median(x: &mut [f64]) -> f64 {
    x.sort_by(f64::total_cmp);
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { x[n / 2] } else { 0.5 * (x[n / 2 - 1] + x[n / 2]) }
}

/// Indices (relative to the run) where a new note starts because the smoothed pitch moved to a
/// new, stable value.
fn pitch_boundaries(smooth: &[f64], min_frames: usize, split: f64) -> Vec<usize> {
    let n = smooth.len();
    let mut bounds = Vec::new();
    let mut start = 0;
    let mut i = min_frames;
    let mut buf = Vec::new();
    while i + min_frames <= n {
        // The current note's pitch: median of its last (up to) 0.5 s worth of min-note spans.
        let from = start.max(i.saturating_sub(8 * min_frames));
        buf.clear();
        buf.extend_from_slice(&smooth[from..i]);
        let reference = median(&mut buf);
        if (smooth[i] - reference).abs() < split {
            i += 1;
            continue;
        }
        let ahead_span = &smooth[i..i + min_frames];
        let spread = ahead_span.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - ahead_span.iter().copied().fold(f64::INFINITY, f64::min);
        buf.clear();
        buf.extend_from_slice(ahead_span);
        let ahead = median(&mut buf);
        // The new pitch must differ and be stable (not still gliding: a scoop stays in its note).
        if (ahead - reference).abs() < split || spread > split {
            i += 1;
            continue;
        }
        // Boundary where the pitch crosses half-way between the two notes.
        let middle = 0.5 * (reference + ahead);
        let up = ahead > reference;
        let mut b = i;
        while b > start + 1 && ((smooth[b - 1] > middle) == up) {
            b -= 1;
        }
        bounds.push(b);
        start = b;
        i = (b + min_frames).max(i + 1);
    }
    bounds
}

/// Level dips: local minima at least `depth_db` below the maxima within `window` frames on both
/// sides, and the lowest level within `window` (one cue per dip).
fn level_dips(level: &[f64], window: usize, depth_db: f64) -> Vec<usize> {
    let n = level.len();
    let mut dips = Vec::new();
    if !depth_db.is_finite() {
        return dips;
    }
    for i in 1..n.saturating_sub(1) {
        let v = level[i];
        if !(v < level[i - 1] && v <= level[i + 1]) {
            continue;
        }
        let span = &level[i.saturating_sub(window)..(i + 1 + window).min(n)];
        let before = level[i.saturating_sub(window)..i].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let after = level[i + 1..(i + 1 + window).min(n)].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if before - v >= depth_db && after - v >= depth_db && span.iter().all(|&x| x >= v) {
            dips.push(i);
        }
    }
    dips
}

/// Onsets after dips of the voicing probability: a local minimum at most `depth`, the lowest
/// within `window` frames, with probabilities of at least 1 − `depth` within `window` frames on
/// both sides; the onset is the first frame after the minimum where the probability is back
/// above ½.
fn voicing_dips(prob: &[f64], window: usize, depth: f64) -> Vec<usize> {
    let n = prob.len();
    let mut onsets = Vec::new();
    if depth <= 0.0 {
        return onsets;
    }
    for i in 1..n.saturating_sub(1) {
        let v = prob[i];
        if !(v <= depth && v < prob[i - 1] && v <= prob[i + 1]) {
            continue;
        }
        let lo = i.saturating_sub(window);
        let hi = (i + 1 + window).min(n);
        let before = prob[lo..i].iter().copied().fold(0.0, f64::max);
        let after = prob[i + 1..hi].iter().copied().fold(0.0, f64::max);
        if before < 1.0 - depth || after < 1.0 - depth || prob[lo..hi].iter().any(|&x| x < v) {
            continue;
        }
        let onset = (i + 1..n).find(|&k| prob[k] > 0.5).unwrap_or(n);
        if onsets.last() != Some(&onset) {
            onsets.push(onset);
        }
    }
    onsets
}

/// RMS level in dBFS of each frame (2 hops long, centred on the frame time), floored at −120.
fn frame_levels_db(y: &[f32], hop: usize, n_frames: usize) -> Vec<f64> {
    (0..n_frames).map(|i| rms_db(y, (i * hop).saturating_sub(hop), i * hop + hop)).collect()
}

/// RMS level in dBFS of `y[start..end]` (clipped to the signal), floored at −120.
fn rms_db(y: &[f32], start: usize, end: usize) -> f64 {
    let (start, end) = (start.min(y.len()), end.min(y.len()));
    if end <= start {
        return -120.0;
    }
    let energy: f64 =
        y[start..end].iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / (end - start) as f64;
    (10.0 * energy.max(1e-12).log10()).max(-120.0)
}

/// MIDI velocity of a level: −60 dBFS → 1, 0 dBFS → 127, linear in dB, clamped.
fn velocity(db: f64) -> u8 {
    (1.0 + 126.0 * (db - VELOCITY_FLOOR_DB) / -VELOCITY_FLOOR_DB).round().clamp(1.0, 127.0) as u8
}

/// A standard MIDI file (format 0, one track) of the notes: a tempo event (120 BPM), a track
/// name, then note-on/note-off pairs on channel 1 at 480 ticks per quarter note (1/960 s per
/// tick). At equal times note-offs come first. Errors for a note with a non-finite or negative
/// time, an offset before its onset, or a note number or velocity out of MIDI's range.
pub fn midi_bytes(notes: &[Note]) -> Result<Vec<u8>> {
    let ticks_per_s = TICKS_PER_QUARTER as f64 * 1e6 / MICROS_PER_QUARTER as f64;
    let mut events: Vec<(u64, u8, u8, u8)> = Vec::with_capacity(2 * notes.len()); // (tick, order, key, velocity)
    for note in notes {
        let ok = note.onset_s.is_finite() && note.offset_s.is_finite() && note.onset_s >= 0.0;
        if !ok || note.offset_s < note.onset_s || note.midi > 127 || note.velocity == 0 || note.velocity > 127
        {
            return Err(Error::InvalidInput(format!(
                "note {} at {} s cannot be written to MIDI (times {}–{} s, velocity {})",
                note.name, note.onset_s, note.onset_s, note.offset_s, note.velocity
            )));
        }
        let on = (note.onset_s * ticks_per_s).round() as u64;
        let off = ((note.offset_s * ticks_per_s).round() as u64).max(on + 1);
        events.push((on, 1, note.midi, note.velocity));
        events.push((off, 0, note.midi, 0));
    }
    events.sort();
    let mut track = Vec::with_capacity(8 * events.len() + 32);
    // Tempo and track name at tick 0.
    track.extend_from_slice(&[0x00, 0xff, 0x51, 0x03]);
    track.extend_from_slice(&MICROS_PER_QUARTER.to_be_bytes()[1..]);
    track.extend_from_slice(&[0x00, 0xff, 0x03, 0x07]);
    track.extend_from_slice(b"technob");
    let mut now = 0;
    for (tick, order, key, vel) in events {
        push_vlq(&mut track, tick - now);
        now = tick;
        if order == 0 {
            track.extend_from_slice(&[0x80, key, 0x40]);
        } else {
            track.extend_from_slice(&[0x90, key, vel]);
        }
    }
    track.extend_from_slice(&[0x00, 0xff, 0x2f, 0x00]);
    let length = u32::try_from(track.len())
        .map_err(|_| Error::InvalidInput("too many notes for one MIDI track".into()))?;
    let mut out = Vec::with_capacity(track.len() + 22);
    out.extend_from_slice(b"MThd");
    out.extend_from_slice(&6u32.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes()); // format 0
    out.extend_from_slice(&1u16.to_be_bytes()); // one track
    out.extend_from_slice(&TICKS_PER_QUARTER.to_be_bytes());
    out.extend_from_slice(b"MTrk");
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&track);
    Ok(out)
}

/// Write the notes as a standard MIDI file ([`midi_bytes`]) atomically.
pub fn write_midi(notes: &[Note], path: impl AsRef<Path>) -> Result<()> {
    let bytes = midi_bytes(notes)?;
    crate::io::write_bytes(path, &bytes)
}

/// MIDI variable-length quantity: 7 bits per byte, most significant first.
fn push_vlq(out: &mut Vec<u8>, mut value: u64) {
    let mut bytes = [0u8; 10];
    let mut n = 0;
    loop {
        bytes[n] = (value & 0x7f) as u8;
        n += 1;
        value >>= 7;
        if value == 0 {
            break;
        }
    }
    for k in (0..n).rev() {
        out.push(bytes[k] | if k > 0 { 0x80 } else { 0 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track_from(f0: &[f64], hop: usize, sr: u32) -> PitchTrack {
        PitchTrack {
            sr,
            hop_length: hop,
            times_s: (0..f0.len()).map(|i| (i * hop) as f64 / sr as f64).collect(),
            f0_hz: f0.to_vec(),
            voiced: f0.iter().map(|&f| f > 0.0).collect(),
            voiced_prob: f0.iter().map(|&f| if f > 0.0 { 1.0 } else { 0.0 }).collect(),
            f0_candidate_hz: f0.to_vec(),
        }
    }

    #[test]
    fn names_and_midi_numbers() {
        assert_eq!(note_name(69), "A4");
        assert_eq!(note_name(60), "C4");
        assert_eq!(note_name(73), "C#5");
        assert_eq!(note_name(0), "C-1");
        assert_eq!(note_name(127), "G9");
        assert!((hz_to_midi(440.0) - 69.0).abs() < 1e-12);
        assert!((hz_to_midi(261.625_565_300_598_6) - 60.0).abs() < 1e-9);
    }

    #[test]
    fn vlq_encoding() {
        let cases: [(u64, &[u8]); 6] = [
            (0, &[0x00]),
            (0x40, &[0x40]),
            (0x7f, &[0x7f]),
            (0x80, &[0x81, 0x00]),
            (0x2000, &[0xc0, 0x00]),
            (0x0fff_ffff, &[0xff, 0xff, 0xff, 0x7f]),
        ];
        for (v, bytes) in cases {
            let mut out = Vec::new();
            push_vlq(&mut out, v);
            assert_eq!(out, bytes, "{v:#x}");
        }
    }

    #[test]
    fn velocity_maps_decibels() {
        assert_eq!(velocity(0.0), 127);
        assert_eq!(velocity(-60.0), 1);
        assert_eq!(velocity(-120.0), 1);
        assert_eq!(velocity(6.0), 127);
        assert_eq!(velocity(-30.0), 64);
    }

    #[test]
    fn steps_vibrato_gaps_and_dips() {
        let (sr, hop) = (22050, 128);
        let hop_s = hop as f64 / sr as f64;
        let frames = |s: f64| (s / hop_s).round() as usize;
        // 0.3 s of A3 with ±0.4 semitone vibrato and a 12 ms dropout of uncertain voicing inside
        // it, then 0.3 s of B3, 0.2 s unvoiced, 0.3 s of B3 again.
        let mut f0 = Vec::new();
        for i in 0..frames(0.3) {
            let t = i as f64 * hop_s;
            f0.push(220.0 * 2f64.powf(0.4 * (2.0 * std::f64::consts::PI * 5.5 * t).sin() / 12.0));
        }
        let gap = frames(0.15);
        for v in f0.iter_mut().skip(gap).take(2) {
            *v = 0.0;
        }
        f0.extend(vec![246.94; frames(0.3)]);
        f0.extend(vec![0.0; frames(0.2)]);
        f0.extend(vec![246.94; frames(0.3)]);
        let mut track = track_from(&f0, hop, sr);
        track.voiced_prob[gap] = 0.4;
        track.voiced_prob[gap + 1] = 0.4;
        let y = vec![0.1f32; f0.len() * hop];
        let notes = segment_notes(&track, &y, &NoteConfig::default()).unwrap();
        let names: Vec<&str> = notes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["A3", "B3", "B3"], "{notes:?}");
        assert!((notes[0].onset_s - 0.0).abs() < 0.01);
        assert!((notes[1].onset_s - 0.3).abs() < 0.02, "{}", notes[1].onset_s);
        assert!((notes[2].onset_s - 0.8).abs() < 0.02);
        assert!((notes[2].offset_s - 1.1).abs() < 0.02);
        // -20 dBFS RMS → velocity 85.
        assert!(notes.iter().all(|n| n.velocity == velocity(-20.0)));
        // A consonant (the voicing probability falls to 0 for the two frames) splits the A3.
        let mut consonant = track.clone();
        consonant.voiced_prob[gap] = 0.0;
        consonant.voiced_prob[gap + 1] = 0.0;
        let notes = segment_notes(&consonant, &y, &NoteConfig::default()).unwrap();
        let names: Vec<&str> = notes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["A3", "A3", "B3", "B3"], "{notes:?}");
        assert!((notes[1].onset_s - (gap + 2) as f64 * hop_s).abs() < 0.01, "{}", notes[1].onset_s);
        // A level dip of 20 dB in the middle of the second B3 splits it.
        let mut y2 = y.clone();
        let dip = frames(0.95) * hop;
        for v in &mut y2[dip - hop..dip + hop] {
            *v *= 0.05;
        }
        let notes = segment_notes(&track, &y2, &NoteConfig::default()).unwrap();
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!((notes[3].onset_s - 0.95).abs() < 0.01, "{}", notes[3].onset_s);
        // Too-short notes are dropped.
        let short = track_from(&[0.0, 440.0, 440.0, 0.0, 0.0, 0.0, 0.0], hop, sr);
        assert!(segment_notes(&short, &vec![0.1; 7 * hop], &NoteConfig::default()).unwrap().is_empty());
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut track = track_from(&[440.0; 10], 128, 22050);
        let y = vec![0.0f32; 1280];
        assert!(
            segment_notes(&track, &y, &NoteConfig { split_semitones: 0.0, ..NoteConfig::default() }).is_err()
        );
        assert!(
            segment_notes(&track, &y, &NoteConfig { min_note_s: f64::NAN, ..NoteConfig::default() }).is_err()
        );
        assert!(segment_notes(&track, &[f32::NAN], &NoteConfig::default()).is_err());
        track.voiced.pop();
        assert!(segment_notes(&track, &y, &NoteConfig::default()).is_err());
        let bad =
            Note { onset_s: 1.0, offset_s: 0.5, pitch_midi: 60.0, midi: 60, name: "C4".into(), velocity: 64 };
        assert!(midi_bytes(std::slice::from_ref(&bad)).is_err());
        assert!(midi_bytes(&[Note { offset_s: f64::INFINITY, ..bad.clone() }]).is_err());
        assert!(midi_bytes(&[Note { offset_s: 2.0, midi: 128, ..bad.clone() }]).is_err());
        assert!(midi_bytes(&[Note { offset_s: 2.0, velocity: 0, ..bad }]).is_err());
    }

    #[test]
    fn empty_note_list_is_a_valid_file() {
        let bytes = midi_bytes(&[]).unwrap();
        assert_eq!(&bytes[..4], b"MThd");
        assert_eq!(&bytes[bytes.len() - 4..], &[0x00, 0xff, 0x2f, 0x00]);
    }
}
