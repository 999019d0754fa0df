//! Deterministic DSP building blocks of the demo synthesiser.
//!
//! The platform maths library (`sin`, `exp`, `tanh`, `powf`) may round differently in the last
//! bit from one system to another, so nothing on the sample path calls it: the functions here
//! use only IEEE-754 basic operations (`+ - * /`, `sqrt`, `round`, comparisons), which every
//! platform rounds identically. Rust never fuses a multiply and an add behind our back, so the
//! demo renders bit for bit the same everywhere.

/// `ln 2`, split for an exact range reduction in [`exp`] (fdlibm's constants).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `1/n` for the Taylor series of [`exp`] (index `n`, 0 unused).
const INV_N: [f64; 14] = [
    0.0,
    1.0,
    1.0 / 2.0,
    1.0 / 3.0,
    1.0 / 4.0,
    1.0 / 5.0,
    1.0 / 6.0,
    1.0 / 7.0,
    1.0 / 8.0,
    1.0 / 9.0,
    1.0 / 10.0,
    1.0 / 11.0,
    1.0 / 12.0,
    1.0 / 13.0,
];

/// `1/((2n)(2n+1))` for the Taylor series of [`sin_turns`] (index `n`, 0 unused).
const INV_SIN: [f64; 11] = [
    0.0,
    1.0 / 6.0,
    1.0 / 20.0,
    1.0 / 42.0,
    1.0 / 72.0,
    1.0 / 110.0,
    1.0 / 156.0,
    1.0 / 210.0,
    1.0 / 272.0,
    1.0 / 342.0,
    1.0 / 420.0,
];

/// `e^x`, to within a few ulp, identically on every platform. 0 below −708, +inf above 709.
pub(super) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < -708.0 {
        return 0.0;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO; // |r| <= 0.347
    let mut s = 1.0;
    for inv in INV_N[1..].iter().rev() {
        s = 1.0 + r * s * inv;
    }
    // 2^k is exact: k is in [-1021, 1023] after the range checks above.
    let two_k = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    s * two_k
}

/// `sin(2πt)`: the sine of a phase in turns (cycles), identically on every platform.
///
/// Keep `t` small (wrap phase accumulators): precision is that of `t - round(t)`.
pub(super) fn sin_turns(t: f64) -> f64 {
    let mut u = t - t.round(); // [-0.5, 0.5]
    if u > 0.25 {
        u = 0.5 - u;
    } else if u < -0.25 {
        u = -0.5 - u;
    }
    let x = u * std::f64::consts::TAU; // [-π/2, π/2]
    let x2 = x * x;
    let mut s = 1.0;
    for inv in INV_SIN[1..].iter().rev() {
        s = 1.0 - x2 * s * inv;
    }
    x * s
}

/// `cos(2πt)` for a phase in turns.
pub(super) fn cos_turns(t: f64) -> f64 {
    sin_turns(t + 0.25)
}

/// `tanh(x)`, identically on every platform.
pub(super) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a > 20.0 {
        return x.signum();
    }
    let e = exp(2.0 * a);
    let y = 1.0 - 2.0 / (e + 1.0);
    if x < 0.0 { -y } else { y }
}

/// `2^x`.
pub(super) fn exp2(x: f64) -> f64 {
    exp(x * std::f64::consts::LN_2)
}

/// Gain factor of a level in decibels.
pub(super) fn db(gain_db: f64) -> f64 {
    exp(gain_db * (std::f64::consts::LN_10 / 20.0))
}

/// Frequency in Hz of a MIDI note number (69 = A4 = 440 Hz), equal temperament.
pub(super) fn midi_hz(note: f64) -> f64 {
    440.0 * exp2((note - 69.0) / 12.0)
}

/// Frequency ratio of a detune in cents.
pub(super) fn cents(c: f64) -> f64 {
    exp2(c / 1200.0)
}

/// Per-sample factor of an exponential decay with time constant `tau_s` seconds (`e^{-1/(τ·sr)}`).
pub(super) fn decay_factor(tau_s: f64, sr: f64) -> f64 {
    exp(-1.0 / (tau_s * sr))
}

/// Constant-power stereo gains (left, right) of a pan position in `[-1, 1]` (0 = centre; both
/// gains are `√½` there).
pub(super) fn pan_gains(pan: f64) -> (f64, f64) {
    let turns = (pan.clamp(-1.0, 1.0) + 1.0) / 8.0; // angle 0..π/2 in turns
    (cos_turns(turns), sin_turns(turns))
}

/// SplitMix64: a small, fast, well-mixed 64-bit PRNG (Steele, Lea & Flood 2014).
#[derive(Clone, Debug)]
pub(super) struct Rng(u64);

impl Rng {
    /// A generator for one independent stream (`stream` names the instrument) of `seed`.
    pub(super) fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64(); // decorrelate nearby seeds
        r
    }

    /// Next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[-1, 1)`: white noise.
    pub(super) fn bipolar(&mut self) -> f64 {
        2.0 * self.uniform() - 1.0
    }
}

/// Coefficients of a [`Svf`] for one cutoff and resonance.
#[derive(Clone, Copy, Debug)]
pub(super) struct SvfCoeffs {
    k: f64,
    a1: f64,
    a2: f64,
    a3: f64,
}

impl SvfCoeffs {
    /// Cutoff `fc` Hz (clamped to `[10 Hz, 0.45·sr]`), quality `q` (0.707 = Butterworth).
    pub(super) fn new(fc: f64, q: f64, sr: f64) -> SvfCoeffs {
        let fc = fc.clamp(10.0, 0.45 * sr);
        let half_turns = fc / (2.0 * sr); // π·fc/sr in turns
        let g = sin_turns(half_turns) / cos_turns(half_turns);
        let k = 1.0 / q;
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        SvfCoeffs { k, a1, a2, a3 }
    }
}

/// The outputs of one [`Svf`] step.
#[derive(Clone, Copy, Debug)]
pub(super) struct SvfOut {
    /// Low-pass output.
    pub(super) low: f64,
    /// Band-pass output (unity gain at the centre frequency).
    pub(super) band: f64,
    /// High-pass output.
    pub(super) high: f64,
}

/// Topology-preserving state-variable filter (Zavalishin; Simper's form): 12 dB/octave low-,
/// band- and high-pass at once, stable under fast cutoff modulation.
#[derive(Clone, Debug, Default)]
pub(super) struct Svf {
    ic1: f64,
    ic2: f64,
}

impl Svf {
    /// Filter one sample.
    pub(super) fn tick(&mut self, c: &SvfCoeffs, x: f64) -> SvfOut {
        let v3 = x - self.ic2;
        let v1 = c.a1 * self.ic1 + c.a2 * v3;
        let v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut { low: v2, band: v1, high: x - c.k * v1 - v2 }
    }
}

/// Band-limited sawtooth in `[-1, 1]` (PolyBLEP), phase in turns.
#[derive(Clone, Debug)]
pub(super) struct Saw {
    phase: f64,
    inc: f64,
}

impl Saw {
    /// A saw of `hz` at rate `sr`, starting at `phase` turns.
    pub(super) fn new(hz: f64, sr: f64, phase: f64) -> Saw {
        Saw { phase: phase - phase.floor(), inc: (hz / sr).min(0.5) }
    }

    /// Next sample.
    pub(super) fn tick(&mut self) -> f64 {
        let p = self.phase;
        let dt = self.inc;
        let mut y = 2.0 * p - 1.0;
        if p < dt {
            let t = p / dt;
            y -= t + t - t * t - 1.0;
        } else if p > 1.0 - dt {
            let t = (p - 1.0) / dt;
            y -= t * t + t + t + 1.0;
        }
        self.phase += dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        y
    }
}

/// A linear fade-in over `attack` samples and fade-out over the last `release` samples of a
/// `len`-sample sound: the gain at sample `i` (avoids clicks at the edges of one-shots).
pub(super) fn edge_gain(i: usize, len: usize, attack: usize, release: usize) -> f64 {
    let a = if attack > 0 && i < attack { i as f64 / attack as f64 } else { 1.0 };
    let left = len.saturating_sub(i + 1);
    let r = if release > 0 && left < release { left as f64 / release as f64 } else { 1.0 };
    a * r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maths_match_std_closely() {
        for i in -2000..=2000 {
            let x = i as f64 * 0.0173;
            let e = exp(x);
            assert!(((e - x.exp()) / x.exp()).abs() < 1e-14, "exp({x})");
            let t = x * 0.37;
            assert!((sin_turns(t) - (t * std::f64::consts::TAU).sin()).abs() < 1e-13, "sin({t})");
            assert!((tanh(x * 0.1) - (x * 0.1).tanh()).abs() < 1e-14, "tanh({x})");
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert!((midi_hz(69.0) - 440.0).abs() < 1e-12);
        assert!((midi_hz(57.0) - 220.0).abs() < 1e-12);
        let (l, r) = pan_gains(0.0);
        assert!((l - r).abs() < 1e-15 && (l * l + r * r - 1.0).abs() < 1e-14);
    }

    #[test]
    fn rng_is_uniform_and_seeded() {
        let mut a = Rng::new(1, 2);
        let mut b = Rng::new(1, 2);
        let mut c = Rng::new(1, 3);
        let xs: Vec<f64> = (0..10_000).map(|_| a.uniform()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.02);
        assert_eq!(xs[0], b.uniform());
        assert_ne!(xs[0], c.uniform());
    }

    #[test]
    fn svf_lowpass_passes_dc_and_stops_nyquist() {
        let c = SvfCoeffs::new(1000.0, 0.707, 44100.0);
        let mut f = Svf::default();
        let mut y = 0.0;
        for _ in 0..5000 {
            y = f.tick(&c, 1.0).low;
        }
        assert!((y - 1.0).abs() < 1e-6);
        let mut f = Svf::default();
        let mut peak: f64 = 0.0;
        for i in 0..5000 {
            let out = f.tick(&c, if i % 2 == 0 { 1.0 } else { -1.0 }).low;
            if i > 1000 {
                peak = peak.max(out.abs());
            }
        }
        assert!(peak < 0.01, "{peak}");
    }
}
