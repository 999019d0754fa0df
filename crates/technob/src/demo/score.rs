//! The score of the demo track: which instrument plays what, when, on a grid of 16th-note
//! steps (step 0 = the first downbeat). Pure integer/musical data: the conversion to sample
//! positions happens in [`super::mix`], so the ground truth and the audio share one timeline.

use super::SectionBars;
use super::dsp::Rng;

/// 16th-note steps per beat.
pub(super) const STEPS_PER_BEAT: u64 = 4;
/// Beats per bar (4/4).
pub(super) const BEATS_PER_BAR: u64 = 4;
/// 16th-note steps per bar.
pub(super) const STEPS_PER_BAR: u64 = STEPS_PER_BEAT * BEATS_PER_BAR;
/// Bars per phrase: every section is a whole number of phrases, and the chord progression
/// repeats once per phrase.
pub(super) const BARS_PER_PHRASE: u32 = 4;

/// The kind of a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    Intro,
    Buildup,
    Breakdown,
    Drop,
    Outro,
}

impl Label {
    /// The section label of the JSON contract.
    pub(super) fn name(self) -> &'static str {
        match self {
            Label::Intro => "intro",
            Label::Buildup => "buildup",
            Label::Breakdown => "breakdown",
            Label::Drop => "drop",
            Label::Outro => "outro",
        }
    }

    /// Repetition group: intro and outro play the same material (kick + hats), so they share
    /// group `A`; every other section has material of its own.
    pub(super) fn group(self) -> &'static str {
        match self {
            Label::Intro | Label::Outro => "A",
            Label::Buildup => "B",
            Label::Breakdown => "C",
            Label::Drop => "D",
        }
    }
}

/// One section of the arrangement, in bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Section {
    pub(super) label: Label,
    /// First bar (0-based, from the first downbeat).
    pub(super) start_bar: u32,
    pub(super) bars: u32,
}

impl Section {
    pub(super) fn start_step(&self) -> u64 {
        self.start_bar as u64 * STEPS_PER_BAR
    }

    pub(super) fn end_step(&self) -> u64 {
        (self.start_bar + self.bars) as u64 * STEPS_PER_BAR
    }
}

/// The sections in track order.
pub(super) fn sections(bars: &SectionBars) -> Vec<Section> {
    let order = [
        (Label::Intro, bars.intro),
        (Label::Buildup, bars.buildup),
        (Label::Breakdown, bars.breakdown),
        (Label::Drop, bars.drop),
        (Label::Outro, bars.outro),
    ];
    let mut start_bar = 0;
    order
        .iter()
        .map(|&(label, n)| {
            let s = Section { label, start_bar, bars: n };
            start_bar += n;
            s
        })
        .collect()
}

/// A chord of the progression, as MIDI note numbers in F minor (transposed at render time).
#[derive(Clone, Copy, Debug)]
pub(super) struct Chord {
    /// Root of the bassline.
    pub(super) bass: i32,
    /// Voicing of the stab (close position around F3–E♭4).
    pub(super) stab: [i32; 3],
    /// Voicing of the pad (open, D♭3–B♭4).
    pub(super) pad: [i32; 4],
}

/// The chords used, in this order: i (Fm), VI (D♭), VII (E♭) of F natural minor.
pub(super) const CHORDS: [Chord; 3] = [
    Chord { bass: 41, stab: [53, 56, 60], pad: [53, 60, 65, 68] },
    Chord { bass: 37, stab: [53, 56, 61], pad: [49, 56, 65, 68] },
    Chord { bass: 39, stab: [55, 58, 63], pad: [51, 58, 67, 70] },
];

/// Chord (index into [`CHORDS`]) of each bar of a 4-bar phrase: i – i – VI – VII.
pub(super) const PROGRESSION: [usize; BARS_PER_PHRASE as usize] = [0, 0, 1, 2];

/// The tonic of the untransposed material: F (pitch class 5).
pub(super) const BASE_TONIC: u8 = 5;

/// Bassline of one bar, per 16th step: `None` = rest (the kick's step), else semitones above
/// the chord root. A rolling bass: three 16ths after each kick, root-heavy, with octave jumps
/// and one fifth.
const BASS_PATTERN: [Option<i32>; 16] = [
    None,
    Some(0),
    Some(0),
    Some(0),
    None,
    Some(0),
    Some(0),
    Some(12),
    None,
    Some(0),
    Some(0),
    Some(0),
    None,
    Some(0),
    Some(7),
    Some(12),
];

/// Steps of a bar on which the stab plays: 3 + 3 + 4 + 3 + 3 syncopation, none on a beat.
const STAB_STEPS: [u64; 4] = [3, 6, 10, 13];

/// Velocity of the closed hat on each 16th of a beat (before random variation); the "and"
/// (step 2) is left to the open hat when one plays.
const CLOSED_HAT_ACCENT: [f64; 4] = [0.55, 0.75, 0.65, 0.9];

/// A drum hit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Hit {
    pub(super) step: u64,
    /// Linear gain factor, 0–1.
    pub(super) vel: f64,
}

/// A bass note.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Note {
    pub(super) step: u64,
    /// MIDI note number (untransposed).
    pub(super) midi: i32,
    /// Linear gain factor, 0–1.
    pub(super) vel: f64,
}

/// A chord event (stab hit or held pad chord).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ChordEvent {
    pub(super) step: u64,
    /// Length in steps (pads; stabs are one-shots).
    pub(super) steps: u64,
    /// Index into [`CHORDS`].
    pub(super) chord: usize,
    pub(super) vel: f64,
}

/// Everything the track plays.
#[derive(Clone, Debug, Default)]
pub(super) struct Score {
    pub(super) kick: Vec<Hit>,
    pub(super) open_hat: Vec<Hit>,
    pub(super) closed_hat: Vec<Hit>,
    pub(super) clap: Vec<Hit>,
    pub(super) snare: Vec<Hit>,
    pub(super) crash: Vec<Hit>,
    /// Rolling bass, one 16th each.
    pub(super) bass: Vec<Note>,
    pub(super) stab: Vec<ChordEvent>,
    pub(super) pad: Vec<ChordEvent>,
    /// Noise risers: (first step, end step).
    pub(super) riser: Vec<(u64, u64)>,
    /// Length of the track in steps.
    pub(super) total_steps: u64,
}

/// Which parts play in a section.
#[derive(Clone, Copy, Debug, Default)]
struct Parts {
    kick: bool,
    open_hat: bool,
    /// Closed hats from this bar of the section on (`None`: none).
    closed_hat_from_bar: Option<u32>,
    clap: bool,
    /// Bass velocity, if the bass plays.
    bass: Option<f64>,
    /// Stab velocity, if the stab plays.
    stab: Option<f64>,
    pad: bool,
    riser: bool,
    /// Snare roll over the last phrase.
    snare_roll: bool,
    /// Crash on the first downbeat.
    crash: bool,
}

fn parts(label: Label) -> Parts {
    let groove = Parts { kick: true, open_hat: true, closed_hat_from_bar: Some(0), ..Parts::default() };
    match label {
        Label::Intro | Label::Outro => groove,
        Label::Buildup => Parts { clap: true, bass: Some(0.7), riser: true, snare_roll: true, ..groove },
        Label::Breakdown => Parts {
            closed_hat_from_bar: Some(BARS_PER_PHRASE),
            stab: Some(0.7),
            pad: true,
            crash: true,
            ..Parts::default()
        },
        Label::Drop => Parts { clap: true, bass: Some(1.0), stab: Some(1.0), crash: true, ..groove },
    }
}

/// Random stream of the closed-hat velocities.
const STREAM_HAT_VEL: u64 = 101;

/// Write the score of `sections` (hat velocities vary with `seed`).
pub(super) fn build(sections: &[Section], seed: u64) -> Score {
    let mut rng = Rng::new(seed, STREAM_HAT_VEL);
    let mut s = Score::default();
    for sec in sections {
        let p = parts(sec.label);
        let (start, end) = (sec.start_step(), sec.end_step());
        if p.crash {
            s.crash.push(Hit { step: start, vel: 1.0 });
        }
        if p.riser {
            s.riser.push((start, end));
        }
        if p.pad {
            for bar in sec.start_bar..sec.start_bar + sec.bars {
                let chord = PROGRESSION[(bar % BARS_PER_PHRASE) as usize];
                let step = bar as u64 * STEPS_PER_BAR;
                match s.pad.last_mut() {
                    Some(last) if last.chord == chord && last.step + last.steps == step => {
                        last.steps += STEPS_PER_BAR;
                    }
                    _ => s.pad.push(ChordEvent { step, steps: STEPS_PER_BAR, chord, vel: 1.0 }),
                }
            }
        }
        let roll_start = end.saturating_sub(BARS_PER_PHRASE as u64 * STEPS_PER_BAR).max(start);
        for step in start..end {
            let bar_in_section = ((step - start) / STEPS_PER_BAR) as u32;
            let in_bar = step % STEPS_PER_BAR;
            let in_beat = step % STEPS_PER_BEAT;
            let chord = PROGRESSION[((step / STEPS_PER_BAR) % BARS_PER_PHRASE as u64) as usize];
            if p.kick && in_beat == 0 {
                s.kick.push(Hit { step, vel: 1.0 });
            }
            if p.open_hat && in_beat == 2 {
                s.open_hat.push(Hit { step, vel: 1.0 });
            }
            if let Some(from) = p.closed_hat_from_bar {
                // Always draw, so the velocities do not depend on which steps are skipped.
                let jitter = 0.85 + 0.3 * rng.uniform();
                if bar_in_section >= from && !(p.open_hat && in_beat == 2) {
                    s.closed_hat.push(Hit { step, vel: CLOSED_HAT_ACCENT[in_beat as usize] * jitter });
                }
            }
            if p.clap && (in_bar == 4 || in_bar == 12) {
                s.clap.push(Hit { step, vel: 1.0 });
            }
            if let (Some(vel), Some(interval)) = (p.bass, BASS_PATTERN[in_bar as usize]) {
                s.bass.push(Note { step, midi: CHORDS[chord].bass + interval, vel });
            }
            if let Some(vel) = p.stab {
                if STAB_STEPS.contains(&in_bar) {
                    s.stab.push(ChordEvent { step, steps: 1, chord, vel });
                }
            }
            if p.snare_roll && step >= roll_start {
                // Quarter notes for two bars, eighths for one, sixteenths for the last;
                // velocity rising from 0.3 to 1.
                let bar = (step - roll_start) / STEPS_PER_BAR;
                let every = match bar {
                    0 | 1 => 4,
                    2 => 2,
                    _ => 1,
                };
                if step % every == 0 {
                    let x = (step - roll_start) as f64 / (end - roll_start) as f64;
                    s.snare.push(Hit { step, vel: 0.3 + 0.7 * x * x });
                }
            }
        }
        s.total_steps = end;
    }
    s
}
