//! The instruments of the demo track: one-shot renderers (drums, bass notes, chord stabs) and
//! the sustained parts (pad chords, noise riser).
//!
//! Every renderer works in `f64` with the deterministic functions of [`super::dsp`] and returns
//! `f32` samples. Drums and stabs are normalised to a peak of 1 so that the mix levels in
//! [`super::mix`] read as peak levels; sustained parts keep a fixed scale so that consecutive
//! chords match in level.

use super::dsp::{Rng, Saw, Svf, SvfCoeffs, cents, decay_factor, edge_gain, exp, midi_hz, sin_turns, tanh};

/// A stereo sound: left and right samples of equal length.
#[derive(Clone, Debug, Default)]
pub(super) struct Stereo {
    /// Left channel.
    pub(super) l: Vec<f32>,
    /// Right channel.
    pub(super) r: Vec<f32>,
}

/// Samples in `s` seconds at `sr` Hz (rounded).
pub(super) fn secs(s: f64, sr: f64) -> usize {
    (s * sr).round().max(0.0) as usize
}

/// Scale `x` to a peak of 1 (silence stays silent).
fn normalise(x: &mut [f64]) {
    let peak = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if peak > 0.0 {
        let g = 1.0 / peak;
        x.iter_mut().for_each(|v| *v *= g);
    }
}

/// Scale a stereo pair to a joint peak of 1.
fn normalise_pair(l: &mut [f64], r: &mut [f64]) {
    let peak = l.iter().chain(r.iter()).fold(0.0f64, |m, v| m.max(v.abs()));
    if peak > 0.0 {
        let g = 1.0 / peak;
        l.iter_mut().chain(r.iter_mut()).for_each(|v| *v *= g);
    }
}

fn to_f32(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

/// Kick drum: a sine swept from 210 Hz down to 48 Hz (exponential, τ = 30 ms) with an
/// exponential amplitude decay (τ = 170 ms), driven into a `tanh` saturator for a firm body,
/// plus a 2 kHz high-passed noise click (τ = 0.8 ms). Most energy lies in 45–120 Hz.
/// `max_len_s` caps the length (0.42 s) so kicks never overlap at fast tempi.
pub(super) fn kick(sr: f64, max_len_s: f64, rng: &mut Rng) -> Vec<f32> {
    const F_END: f64 = 48.0;
    const F_START: f64 = 210.0;
    const TAU_PITCH: f64 = 0.030;
    const TAU_AMP: f64 = 0.140;
    const DRIVE: f64 = 2.0;
    let len = secs(0.42f64.min(max_len_s), sr).max(16);
    let click_len = secs(0.006, sr);
    let (dp, da, dc) = (decay_factor(TAU_PITCH, sr), decay_factor(TAU_AMP, sr), decay_factor(0.0008, sr));
    let click_c = SvfCoeffs::new(2000.0, 0.7, sr);
    let mut click_f = Svf::default();
    let norm = 1.0 / tanh(DRIVE);
    let (mut ep, mut ea, mut ec) = (1.0, 1.0, 1.0);
    let (attack, release) = (secs(0.0004, sr), secs(0.012, sr));
    let mut out = vec![0.0f64; len];
    for (i, o) in out.iter_mut().enumerate() {
        let t = i as f64 / sr;
        // Phase in turns: the integral of F_END + (F_START − F_END)·e^{−t/τ}.
        let phase = F_END * t + (F_START - F_END) * TAU_PITCH * (1.0 - ep);
        let body = tanh(DRIVE * sin_turns(phase) * ea) * norm;
        let click = if i < click_len { click_f.tick(&click_c, rng.bipolar()).high * ec * 0.6 } else { 0.0 };
        *o = (body + click) * edge_gain(i, len, attack, release);
        ep *= dp;
        ea *= da;
        ec *= dc;
    }
    normalise(&mut out);
    to_f32(&out)
}

/// Frequencies of the six square oscillators of the TR-808 cymbal/hat circuit, Hz.
const METAL_HZ: [f64; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];

/// Parameters of [`metallic`].
#[derive(Clone, Copy, Debug)]
struct Metal {
    /// Length, s.
    len_s: f64,
    /// Decay time constant, s.
    tau_s: f64,
    /// Centre of the band-pass, Hz.
    tone_hz: f64,
    /// Cutoff of the high-passes, Hz.
    hp_hz: f64,
    /// Factor on [`METAL_HZ`].
    metal_scale: f64,
    /// Share of the square-wave metal in the source (the rest is white noise), 0–1.
    metal_mix: f64,
}

/// A hi-hat or cymbal: the 808's six detuned square waves (scaled by `metal_scale`) mixed
/// with white noise (`metal_mix` of metal), band-passed around `tone_hz`, high-passed twice at
/// `hp_hz` and shaped by an exponential decay of time constant `tau_s`, the last quarter of
/// `len_s` fading out linearly.
fn metallic(p: &Metal, sr: f64, rng: &mut Rng) -> Vec<f64> {
    let Metal { len_s, tau_s, tone_hz, hp_hz, metal_scale, metal_mix } = *p;
    let len = secs(len_s, sr).max(16);
    let mut phases: Vec<f64> = METAL_HZ.iter().map(|_| rng.uniform()).collect();
    let incs: Vec<f64> = METAL_HZ.iter().map(|f| (f * metal_scale / sr).min(0.5)).collect();
    let (bp_c, hp_c) = (SvfCoeffs::new(tone_hz, 0.9, sr), SvfCoeffs::new(hp_hz, 0.707, sr));
    let (mut bp, mut hp1, mut hp2) = (Svf::default(), Svf::default(), Svf::default());
    let de = decay_factor(tau_s, sr);
    let mut e = 1.0;
    // The last quarter fades out, so a long cymbal does not stop with an audible edge.
    let (attack, release) = (secs(0.0003, sr), len / 4);
    let mut out = vec![0.0f64; len];
    for (i, o) in out.iter_mut().enumerate() {
        let mut metal = 0.0;
        for (p, inc) in phases.iter_mut().zip(&incs) {
            metal += if *p < 0.5 { 1.0 } else { -1.0 };
            *p += inc;
            if *p >= 1.0 {
                *p -= 1.0;
            }
        }
        let x = metal_mix * metal / 6.0 + (1.0 - metal_mix) * rng.bipolar();
        let b = bp.tick(&bp_c, x);
        let y = hp1.tick(&hp_c, b.band + 0.5 * b.high).high;
        let y = hp2.tick(&hp_c, y).high;
        *o = y * e * edge_gain(i, len, attack, release);
        e *= de;
    }
    normalise(&mut out);
    out
}

const OPEN_HAT: Metal =
    Metal { len_s: 0.30, tau_s: 0.075, tone_hz: 10_000.0, hp_hz: 7_000.0, metal_scale: 1.0, metal_mix: 0.55 };
const CLOSED_HAT: Metal =
    Metal { len_s: 0.07, tau_s: 0.014, tone_hz: 11_000.0, hp_hz: 7_500.0, metal_scale: 1.0, metal_mix: 0.45 };
const CRASH: Metal =
    Metal { len_s: 3.2, tau_s: 0.7, tone_hz: 8_000.0, hp_hz: 4_500.0, metal_scale: 2.1, metal_mix: 0.4 };

/// Open hi-hat: 808-style metal + noise above 7 kHz, decay τ = 75 ms, 0.3 s long.
pub(super) fn open_hat(sr: f64, rng: &mut Rng) -> Vec<f32> {
    to_f32(&metallic(&OPEN_HAT, sr, rng))
}

/// Closed hi-hat: like [`open_hat`] but tighter (τ = 14 ms, 70 ms long) and a little brighter.
pub(super) fn closed_hat(sr: f64, rng: &mut Rng) -> Vec<f32> {
    to_f32(&metallic(&CLOSED_HAT, sr, rng))
}

/// Crash cymbal, stereo (independent noise and oscillator phases per side): metal scaled ×2.1
/// plus noise above 4.5 kHz, decay τ = 0.7 s, 3.2 s long.
pub(super) fn crash(sr: f64, rng: &mut Rng) -> Stereo {
    let mut l = metallic(&CRASH, sr, rng);
    let mut r = metallic(&CRASH, sr, rng);
    normalise_pair(&mut l, &mut r);
    Stereo { l: to_f32(&l), r: to_f32(&r) }
}

/// Hand clap: four bursts of band-passed noise (1.2 kHz) 9–10 ms apart, each decaying with
/// τ = 3.5 ms, then a reverberant tail (τ = 75 ms), over a small 210 Hz body (τ = 30 ms).
pub(super) fn clap(sr: f64, rng: &mut Rng) -> Vec<f32> {
    const BURSTS_S: [f64; 4] = [0.0, 0.010, 0.019, 0.029];
    let len = secs(0.32, sr).max(16);
    let bursts: Vec<usize> = BURSTS_S.iter().map(|&t| secs(t, sr)).collect();
    let tail_start = bursts[3];
    let (bp_c, hp_c) = (SvfCoeffs::new(1_200.0, 1.3, sr), SvfCoeffs::new(500.0, 0.707, sr));
    let (mut bp, mut hp) = (Svf::default(), Svf::default());
    let (db, dt, dbody) = (decay_factor(0.0035, sr), decay_factor(0.075, sr), decay_factor(0.03, sr));
    let (mut eb, mut et, mut ebody) = (0.0f64, 0.7f64, 1.0f64);
    let release = secs(0.02, sr);
    let mut out = vec![0.0f64; len];
    for (i, o) in out.iter_mut().enumerate() {
        if bursts.contains(&i) {
            eb = 1.0;
        }
        let env = if i >= tail_start { eb.max(et) } else { eb };
        let n = bp.tick(&bp_c, rng.bipolar()).band;
        let n = hp.tick(&hp_c, n).high;
        let body = sin_turns(210.0 * i as f64 / sr) * ebody * 0.25;
        *o = (n * env * 2.0 + body) * edge_gain(i, len, 0, release);
        eb *= db;
        if i >= tail_start {
            et *= dt;
        }
        ebody *= dbody;
    }
    normalise(&mut out);
    to_f32(&out)
}

/// Snare drum (for rolls): a body swept from 240 Hz to 180 Hz (τ = 10 ms, decay τ = 55 ms)
/// with a 330 Hz overtone, and noise high-passed at 1.8 kHz (decay τ = 80 ms); 0.25 s long.
pub(super) fn snare(sr: f64, rng: &mut Rng) -> Vec<f32> {
    let len = secs(0.25, sr).max(16);
    let hp_c = SvfCoeffs::new(1_800.0, 0.707, sr);
    let mut hp = Svf::default();
    let (dp, db, dn) = (decay_factor(0.010, sr), decay_factor(0.055, sr), decay_factor(0.08, sr));
    let (mut ep, mut eb, mut en) = (1.0, 1.0, 1.0);
    let (attack, release) = (secs(0.0003, sr), secs(0.015, sr));
    let mut out = vec![0.0f64; len];
    for (i, o) in out.iter_mut().enumerate() {
        let t = i as f64 / sr;
        let phase = 180.0 * t + 60.0 * 0.010 * (1.0 - ep);
        let body = (sin_turns(phase) + 0.5 * sin_turns(330.0 * t)) * eb;
        let noise = hp.tick(&hp_c, rng.bipolar()).high * en;
        *o = (0.55 * body + 0.7 * noise) * edge_gain(i, len, attack, release);
        ep *= dp;
        eb *= db;
        en *= dn;
    }
    normalise(&mut out);
    to_f32(&out)
}

/// One bass note of `len` samples at MIDI `note`: a PolyBLEP saw plus a sine at the
/// fundamental, through a resonant low-pass (Q 1.8) whose cutoff falls from 2.6 kHz to 160 Hz
/// (τ = 45 ms), amplitude decaying to a 35 % sustain (τ = 90 ms), soft-clipped. Not normalised:
/// every note has the same loudness.
pub(super) fn bass_note(note: f64, len: usize, sr: f64) -> Vec<f32> {
    let hz = midi_hz(note);
    let mut saw = Saw::new(hz, sr, 0.0);
    let mut f = Svf::default();
    let (dc, da) = (decay_factor(0.045, sr), decay_factor(0.09, sr));
    let (mut ec, mut ea) = (1.0, 1.0);
    let (attack, release) = (secs(0.0015, sr), secs(0.006, sr));
    let mut out = vec![0.0f32; len];
    for (i, o) in out.iter_mut().enumerate() {
        let c = SvfCoeffs::new(160.0 + 2_440.0 * ec, 1.8, sr);
        let lp = f.tick(&c, saw.tick()).low;
        let sub = sin_turns(hz * i as f64 / sr);
        let amp = (0.35 + 0.65 * ea) * edge_gain(i, len, attack, release);
        *o = (tanh(1.4 * (0.7 * lp + 0.6 * sub)) * amp) as f32;
        ec *= dc;
        ea *= da;
    }
    out
}

/// Chord stab, stereo: per note three saws (−9, 0, +9 cents; the detuned ones to either side)
/// through a resonant low-pass (Q 2.2) falling from 4.1 kHz to 350 Hz (τ = 70 ms), amplitude
/// decay τ = 130 ms, 0.5 s long.
pub(super) fn stab(notes: &[f64], sr: f64, rng: &mut Rng) -> Stereo {
    let len = secs(0.5, sr).max(16);
    let mut voices: Vec<[Saw; 3]> = notes
        .iter()
        .map(|&n| {
            let hz = midi_hz(n);
            [
                Saw::new(hz * cents(-9.0), sr, rng.uniform()),
                Saw::new(hz, sr, rng.uniform()),
                Saw::new(hz * cents(9.0), sr, rng.uniform()),
            ]
        })
        .collect();
    let (mut fl, mut fr) = (Svf::default(), Svf::default());
    let (dc, da) = (decay_factor(0.07, sr), decay_factor(0.13, sr));
    let (mut ec, mut ea) = (1.0, 1.0);
    let (attack, release) = (secs(0.001, sr), secs(0.02, sr));
    let (mut l, mut r) = (vec![0.0f64; len], vec![0.0f64; len]);
    for i in 0..len {
        let (mut xl, mut xr) = (0.0, 0.0);
        for [a, b, c] in voices.iter_mut() {
            let (va, vb, vc) = (a.tick(), b.tick(), c.tick());
            xl += va + 0.6 * vb;
            xr += vc + 0.6 * vb;
        }
        let coeffs = SvfCoeffs::new(350.0 + 3_750.0 * ec, 2.2, sr);
        let g = ea * edge_gain(i, len, attack, release);
        l[i] = fl.tick(&coeffs, xl).low * g;
        r[i] = fr.tick(&coeffs, xr).low * g;
        ec *= dc;
        ea *= da;
    }
    normalise_pair(&mut l, &mut r);
    Stereo { l: to_f32(&l), r: to_f32(&r) }
}

/// Sustained pad chord, stereo: per note three saws (−12, 0, +12 cents) spread across the
/// field, through a gentle low-pass (Q 0.8) at 1.1 kHz ± 500 Hz swept by a 0.08 Hz LFO whose
/// phase runs on from `t0_s` (seconds since the pad began), so consecutive chords sweep
/// seamlessly. 0.5 s attack, held for `len` samples, then a 0.6 s release (included in the
/// output, which is longer than `len`). Fixed scale: about 0.5 peak for four notes.
pub(super) fn pad(notes: &[f64], len: usize, t0_s: f64, sr: f64, rng: &mut Rng) -> Stereo {
    const BLOCK: usize = 32;
    let attack = secs(0.5, sr);
    let release = secs(0.6, sr);
    let total = len + release;
    let mut voices: Vec<[Saw; 3]> = notes
        .iter()
        .map(|&n| {
            let hz = midi_hz(n);
            [
                Saw::new(hz * cents(-12.0), sr, rng.uniform()),
                Saw::new(hz, sr, rng.uniform()),
                Saw::new(hz * cents(12.0), sr, rng.uniform()),
            ]
        })
        .collect();
    let scale = 0.5 / (notes.len().max(1) as f64 * 1.5);
    let (mut fl, mut fr) = (Svf::default(), Svf::default());
    let mut coeffs = SvfCoeffs::new(1_100.0, 0.8, sr);
    let mut out = Stereo { l: vec![0.0; total], r: vec![0.0; total] };
    for i in 0..total {
        if i % BLOCK == 0 {
            let t = t0_s + i as f64 / sr;
            coeffs = SvfCoeffs::new(1_100.0 + 500.0 * sin_turns(0.08 * t), 0.8, sr);
        }
        let (mut xl, mut xr) = (0.0, 0.0);
        for [a, b, c] in voices.iter_mut() {
            let (va, vb, vc) = (a.tick(), b.tick(), c.tick());
            xl += va + 0.7 * vb + 0.3 * vc;
            xr += vc + 0.7 * vb + 0.3 * va;
        }
        let env = if i < attack {
            let x = i as f64 / attack as f64;
            x * x * (3.0 - 2.0 * x)
        } else if i >= len {
            let x = (total - i) as f64 / release as f64;
            x * x
        } else {
            1.0
        };
        let g = env * scale;
        out.l[i] = (fl.tick(&coeffs, xl).low * g) as f32;
        out.r[i] = (fr.tick(&coeffs, xr).low * g) as f32;
    }
    out
}

/// Noise riser, stereo (independent noise per side): white noise through a resonant band-pass
/// (Q 2.5) swept exponentially from 250 Hz to 9 kHz over `len` samples, rising in level
/// (quadratically), peak-normalised to 1 at its end.
pub(super) fn riser(len: usize, sr: f64, rng: &mut Rng) -> Stereo {
    const BLOCK: usize = 16;
    const LN_RATIO: f64 = 3.583_518_938_456_11; // ln(9000 / 250)
    let (mut fl, mut fr) = (Svf::default(), Svf::default());
    let mut coeffs = SvfCoeffs::new(250.0, 2.5, sr);
    let release = secs(0.005, sr);
    let (mut l, mut r) = (vec![0.0f64; len], vec![0.0f64; len]);
    for i in 0..len {
        let x = i as f64 / len.max(1) as f64;
        if i % BLOCK == 0 {
            coeffs = SvfCoeffs::new(250.0 * exp(LN_RATIO * x), 2.5, sr);
        }
        let g = x * x * edge_gain(i, len, 0, release);
        l[i] = fl.tick(&coeffs, rng.bipolar()).band * g;
        r[i] = fr.tick(&coeffs, rng.bipolar()).band * g;
    }
    normalise_pair(&mut l, &mut r);
    Stereo { l: to_f32(&l), r: to_f32(&r) }
}
