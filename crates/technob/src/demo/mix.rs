//! Rendering the score: the sample timeline, the instrument levels, the stab's ping-pong delay
//! and the master bus (gain and look-ahead limiter).

use std::collections::VecDeque;

use super::dsp::{Rng, db, decay_factor, exp, pan_gains};
use super::instruments::{self, Stereo, secs};
use super::score::{CHORDS, Hit, STEPS_PER_BEAT, Score};

/// Where every 16th-note step falls, in samples: `lead_in + round(step · samples_per_step)`,
/// computed from the step number each time (no accumulated drift). Beats are the steps that are
/// multiples of 4, so the ground truth and the audio share these positions exactly.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timeline {
    /// First downbeat, in samples.
    pub(super) lead_in: usize,
    /// Samples per 16th note (`60 · sr / bpm / 4`, not an integer in general).
    pub(super) samples_per_step: f64,
    /// Sample rate, Hz.
    pub(super) sr: f64,
}

impl Timeline {
    pub(super) fn new(bpm: f64, sample_rate: u32, lead_in_s: f64) -> Timeline {
        let sr = sample_rate as f64;
        let samples_per_beat = 60.0 * sr / bpm;
        Timeline {
            lead_in: secs(lead_in_s, sr),
            samples_per_step: samples_per_beat / STEPS_PER_BEAT as f64,
            sr,
        }
    }

    /// Sample position of `step`.
    pub(super) fn sample(&self, step: u64) -> usize {
        self.lead_in + (step as f64 * self.samples_per_step).round() as usize
    }

    /// Samples per beat.
    pub(super) fn samples_per_beat(&self) -> f64 {
        self.samples_per_step * STEPS_PER_BEAT as f64
    }
}

/// Peak level of each part in the mix (linear; one-shots are normalised to a peak of 1).
mod level {
    pub(super) const KICK: f64 = 0.8;
    pub(super) const OPEN_HAT: f64 = 0.30;
    pub(super) const CLOSED_HAT: f64 = 0.13;
    pub(super) const CLAP: f64 = 0.42;
    pub(super) const SNARE: f64 = 0.32;
    pub(super) const CRASH: f64 = 0.22;
    pub(super) const BASS: f64 = 0.6;
    pub(super) const STAB: f64 = 0.32;
    pub(super) const PAD: f64 = 0.9;
    pub(super) const RISER: f64 = 0.22;
}

/// Pan positions (−1 left … 1 right).
mod pan {
    pub(super) const OPEN_HAT: f64 = 0.2;
    pub(super) const CLOSED_HAT: f64 = -0.25;
    pub(super) const SNARE: f64 = 0.05;
}

/// Master gain before the limiter, dB.
const MASTER_GAIN_DB: f64 = 4.5;
/// Limiter ceiling, dBFS.
const CEILING_DB: f64 = -1.0;

/// Random streams, one per instrument, so adding an instrument never changes another.
mod stream {
    pub(super) const KICK: u64 = 1;
    pub(super) const OPEN_HAT: u64 = 2;
    pub(super) const CLOSED_HAT: u64 = 3;
    pub(super) const CLAP: u64 = 4;
    pub(super) const SNARE: u64 = 5;
    pub(super) const CRASH: u64 = 6;
    pub(super) const STAB: u64 = 7;
    pub(super) const PAD: u64 = 8;
    pub(super) const RISER: u64 = 9;
    pub(super) const VARIANT: u64 = 10;
}

/// Round-robin variants of each hat and clap sample (like a drum machine's sample layers).
const VARIANTS: usize = 4;

/// A stereo bus being mixed into.
struct Bus {
    l: Vec<f32>,
    r: Vec<f32>,
}

impl Bus {
    fn new(n: usize) -> Bus {
        Bus { l: vec![0.0; n], r: vec![0.0; n] }
    }

    /// Add a mono sound at `start` with gains (left, right); anything past the end is cut.
    fn add_mono(&mut self, x: &[f32], start: usize, gl: f64, gr: f64) {
        let n = self.l.len().saturating_sub(start).min(x.len());
        let (gl, gr) = (gl as f32, gr as f32);
        for (i, &v) in x[..n].iter().enumerate() {
            self.l[start + i] += v * gl;
            self.r[start + i] += v * gr;
        }
    }

    /// Add a stereo sound at `start` with gain `g`.
    fn add_stereo(&mut self, x: &Stereo, start: usize, g: f64) {
        let n = self.l.len().saturating_sub(start).min(x.l.len());
        let g = g as f32;
        for i in 0..n {
            self.l[start + i] += x.l[i] * g;
            self.r[start + i] += x.r[i] * g;
        }
    }

    /// Add another bus whose first sample is this bus's sample `start`.
    fn add_bus(&mut self, other: &Bus, start: usize) {
        for (a, b) in self.l[start..].iter_mut().zip(&other.l) {
            *a += *b;
        }
        for (a, b) in self.r[start..].iter_mut().zip(&other.r) {
            *a += *b;
        }
    }
}

/// Transpose a MIDI note of the score by `transpose` semitones.
fn note(midi: i32, transpose: i32) -> f64 {
    (midi + transpose) as f64
}

/// Render `score` on `tl`, transposed by `transpose` semitones; `seed` drives every noise
/// source. Returns the planar stereo channels, mastered.
pub(super) fn render(score: &Score, tl: &Timeline, transpose: i32, seed: u64) -> [Vec<f32>; 2] {
    let sr = tl.sr;
    let n = tl.sample(score.total_steps);
    let mut bus = Bus::new(n);

    // Drums. Kicks are capped at 90 % of a beat so they never overlap.
    let kick = instruments::kick(sr, 0.9 * tl.samples_per_beat() / sr, &mut Rng::new(seed, stream::KICK));
    let (kl, kr) = pan_gains(0.0);
    for h in &score.kick {
        bus.add_mono(&kick, tl.sample(h.step), kl * level::KICK * h.vel, kr * level::KICK * h.vel);
    }
    let mut pick = Rng::new(seed, stream::VARIANT);
    let mut place_variants = |bus: &mut Bus, hits: &[Hit], sounds: &[Vec<f32>], lvl: f64, p: f64| {
        let (gl, gr) = pan_gains(p);
        for h in hits {
            let s = &sounds[(pick.next_u64() % sounds.len() as u64) as usize];
            bus.add_mono(s, tl.sample(h.step), gl * lvl * h.vel, gr * lvl * h.vel);
        }
    };
    let mut rng = Rng::new(seed, stream::OPEN_HAT);
    let oh: Vec<Vec<f32>> = (0..VARIANTS).map(|_| instruments::open_hat(sr, &mut rng)).collect();
    place_variants(&mut bus, &score.open_hat, &oh, level::OPEN_HAT, pan::OPEN_HAT);
    let mut rng = Rng::new(seed, stream::CLOSED_HAT);
    let ch: Vec<Vec<f32>> = (0..VARIANTS).map(|_| instruments::closed_hat(sr, &mut rng)).collect();
    place_variants(&mut bus, &score.closed_hat, &ch, level::CLOSED_HAT, pan::CLOSED_HAT);
    let mut rng = Rng::new(seed, stream::CLAP);
    let clap: Vec<Vec<f32>> = (0..VARIANTS).map(|_| instruments::clap(sr, &mut rng)).collect();
    place_variants(&mut bus, &score.clap, &clap, level::CLAP, 0.0);
    let mut rng = Rng::new(seed, stream::SNARE);
    let snare: Vec<Vec<f32>> = (0..VARIANTS).map(|_| instruments::snare(sr, &mut rng)).collect();
    place_variants(&mut bus, &score.snare, &snare, level::SNARE, pan::SNARE);
    if !score.crash.is_empty() {
        let crash = instruments::crash(sr, &mut Rng::new(seed, stream::CRASH));
        for h in &score.crash {
            bus.add_stereo(&crash, tl.sample(h.step), level::CRASH * h.vel);
        }
    }

    // Bass: one rendered note per pitch, each a 16th long.
    let note_len = tl.samples_per_step.floor() as usize;
    let mut bass_cache: Vec<(i32, Vec<f32>)> = Vec::new();
    let (bl, br) = pan_gains(0.0);
    for nt in &score.bass {
        let idx = match bass_cache.iter().position(|(m, _)| *m == nt.midi) {
            Some(i) => i,
            None => {
                bass_cache.push((nt.midi, instruments::bass_note(note(nt.midi, transpose), note_len, sr)));
                bass_cache.len() - 1
            }
        };
        let g = level::BASS * nt.vel;
        bus.add_mono(&bass_cache[idx].1, tl.sample(nt.step), bl * g, br * g);
    }

    // Stabs, on their own bus through a dotted-8th ping-pong delay.
    if !score.stab.is_empty() {
        let mut rng = Rng::new(seed, stream::STAB);
        let stabs: Vec<Stereo> = CHORDS
            .iter()
            .map(|c| {
                let notes: Vec<f64> = c.stab.iter().map(|&m| note(m, transpose)).collect();
                instruments::stab(&notes, sr, &mut rng)
            })
            .collect();
        // The stab bus starts at the first stab (the delay line is silent before).
        let first = score.stab.iter().map(|e| tl.sample(e.step)).min().unwrap_or(n).min(n);
        let mut stab_bus = Bus::new(n - first);
        for e in &score.stab {
            stab_bus.add_stereo(&stabs[e.chord], tl.sample(e.step) - first, level::STAB * e.vel);
        }
        let delay = (tl.samples_per_beat() * 0.75).round() as usize;
        ping_pong(&mut stab_bus, delay, 0.42, 0.45, 2_500.0, sr);
        bus.add_bus(&stab_bus, first);
    }

    // Pad chords, the LFO running on from the first chord.
    let mut rng = Rng::new(seed, stream::PAD);
    if let Some(first) = score.pad.first() {
        let t_first = tl.sample(first.step);
        for e in &score.pad {
            let start = tl.sample(e.step);
            let len = tl.sample(e.step + e.steps) - start;
            let notes: Vec<f64> = CHORDS[e.chord].pad.iter().map(|&m| note(m, transpose)).collect();
            let t0 = (start - t_first) as f64 / sr;
            let sound = instruments::pad(&notes, len, t0, sr, &mut rng);
            bus.add_stereo(&sound, start, level::PAD * e.vel);
        }
    }

    // Risers.
    let mut rng = Rng::new(seed, stream::RISER);
    for &(a, b) in &score.riser {
        let start = tl.sample(a);
        let sound = instruments::riser(tl.sample(b) - start, sr, &mut rng);
        bus.add_stereo(&sound, start, level::RISER);
    }

    master(bus, sr)
}

/// Ping-pong feedback delay (in place): the mono sum feeds the left line, which feeds the right,
/// which feeds back into the left through a one-pole low-pass at `damp_hz`. `wet` is the level
/// of the echoes added to the dry signal.
fn ping_pong(bus: &mut Bus, delay: usize, feedback: f64, wet: f64, damp_hz: f64, sr: f64) {
    if delay == 0 {
        return;
    }
    let a = 1.0 - exp(-std::f64::consts::TAU * damp_hz / sr);
    let (mut line_l, mut line_r) = (vec![0.0f64; delay], vec![0.0f64; delay]);
    let mut lp = 0.0;
    let mut k = 0; // i % delay
    for i in 0..bus.l.len() {
        let (out_l, out_r) = (line_l[k], line_r[k]);
        lp += a * (out_r - lp);
        let dry = 0.5 * (bus.l[i] as f64 + bus.r[i] as f64);
        line_l[k] = dry + feedback * lp;
        line_r[k] = out_l;
        bus.l[i] = (bus.l[i] as f64 + wet * out_l) as f32;
        bus.r[i] = (bus.r[i] as f64 + wet * out_r) as f32;
        k += 1;
        if k == delay {
            k = 0;
        }
    }
}

/// Master bus: gain, a look-ahead peak limiter (stereo-linked) to [`CEILING_DB`], and a 10 ms
/// fade-out at the very end.
///
/// The limiter never overshoots by construction: the gain wanted at sample `m` is
/// `req[m] = min(1, ceiling / peak[m])`; `r[m]` is the minimum of `req` over the look-ahead
/// window `[m, m + L)`, smoothed by an exponential release (which only lowers it), and the
/// gain applied is the mean of `r` over `[n − L + 1, n]`. Every term of that mean is ≤
/// `req[n]`, so `|out[n]| ≤ ceiling`. The attack is thus a linear ramp over `L` samples.
fn master(bus: Bus, sr: f64) -> [Vec<f32>; 2] {
    let gain = db(MASTER_GAIN_DB);
    let ceiling = db(CEILING_DB);
    let n = bus.l.len();
    let look = secs(0.0015, sr).max(1);
    let (mut out_l, mut out_r) = (bus.l, bus.r);
    let req = |l: &[f32], r: &[f32], j: usize| -> f64 {
        let peak = (l[j].abs().max(r[j].abs()) as f64) * gain;
        if peak > ceiling { ceiling / peak } else { 1.0 }
    };
    // Sliding minimum of req over [i, i + look): a monotonic deque of the (rare) samples that
    // need limiting, (index, req) with increasing req; empty means 1.
    let mut window: VecDeque<(usize, f64)> = VecDeque::new();
    let push = |window: &mut VecDeque<(usize, f64)>, j: usize, v: f64| {
        if v < 1.0 {
            while window.back().is_some_and(|&(_, w)| w >= v) {
                window.pop_back();
            }
            window.push_back((j, v));
        }
    };
    for j in 0..(look - 1).min(n) {
        push(&mut window, j, req(&out_l, &out_r, j));
    }
    // The last `look` values of r, circular; before the start, min(req[0..look)), which keeps
    // the bound for the first samples.
    let r0 = (0..look.min(n)).map(|j| req(&out_l, &out_r, j)).fold(1.0f64, f64::min);
    let mut hist = vec![r0; look];
    let mut sum = r0 * look as f64;
    let release = decay_factor(0.08, sr);
    let mut r_prev = 1.0f64;
    let fade = secs(0.01, sr).min(n);
    let mut k = 0; // i % look
    for i in 0..n {
        let j = i + look - 1;
        if j < n {
            push(&mut window, j, req(&out_l, &out_r, j));
        }
        while window.front().is_some_and(|&(j, _)| j < i) {
            window.pop_front();
        }
        let ahead = window.front().map_or(1.0, |&(_, v)| v);
        let r = ahead.min(1.0 - (1.0 - r_prev) * release);
        r_prev = r;
        sum += r - hist[k];
        hist[k] = r;
        k += 1;
        if k == look {
            k = 0;
            // Recompute the mean exactly now and then so rounding never accumulates.
            sum = hist.iter().sum();
        }
        let mut g = (sum / look as f64).min(1.0) * gain;
        let left = n - i;
        if left <= fade {
            g *= left as f64 / (fade + 1) as f64;
        }
        out_l[i] = (out_l[i] as f64 * g) as f32;
        out_r[i] = (out_r[i] as f64 * g) as f32;
    }
    [out_l, out_r]
}
