//! Global tempo: autocorrelation of the onset envelopes with harmonic reinforcement and a
//! log-normal prior (after Percival & Tzanetakis, "Streamlined tempo estimation based on
//! autocorrelation and cross-correlation with pulses", IEEE TASLP 2014, and librosa's
//! `tempo`).
//!
//! Metrical-level resolution uses the low band: the autocorrelation of the kick/bass flux is
//! added to the full-band one, so four-on-the-floor music locks to the kick (not to the
//! off-beat hi-hat's double, nor to the half tempo), and each candidate is reinforced by the
//! periodicity at its double period (bars and half-bars) and, less, at its half period
//! (subdivisions).

use realfft::RealFftPlanner;

use super::onset::OnsetFeatures;

/// Centre of the tempo prior in BPM (a log-normal over tempo).
pub const PRIOR_CENTRE_BPM: f64 = 110.0;
/// Width of the tempo prior in octaves (one standard deviation).
pub const PRIOR_WIDTH_OCTAVES: f64 = 0.8;
/// Candidate tempi per octave.
const CANDIDATES_PER_OCTAVE: f64 = 240.0;
/// Window of the moving average subtracted from an envelope before autocorrelation (s).
const DETREND_S: f64 = 0.4;

/// The tempo candidates of a track and the salience of each.
#[derive(Clone, Debug)]
pub struct TempoSalience {
    /// Candidate tempi in BPM, increasing.
    pub bpm: Vec<f64>,
    /// Salience of each (periodicity × prior), not normalised.
    pub salience: Vec<f64>,
    /// Normalised autocorrelation of the full-band envelope at each candidate's period.
    pub periodicity: Vec<f64>,
}

impl TempoSalience {
    /// The most salient tempo and its periodicity (`None` if there is no positive salience).
    pub fn best(&self) -> Option<(f64, f64)> {
        let mut best: Option<usize> = None;
        for (i, &s) in self.salience.iter().enumerate() {
            if s > 0.0 && best.is_none_or(|b| s > self.salience[b]) {
                best = Some(i);
            }
        }
        best.map(|i| (self.bpm[i], self.periodicity[i]))
    }
}

/// Subtract a centred moving average and keep the positive part.
pub(crate) fn detrend(x: &[f32], width: usize) -> Vec<f64> {
    let n = x.len();
    let half = width / 2;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f64);
    for &v in x {
        let last = prefix[prefix.len() - 1];
        prefix.push(last + f64::from(v));
    }
    (0..n)
        .map(|t| {
            let a = t.saturating_sub(half);
            let b = (t + half + 1).min(n);
            let mean = (prefix[b] - prefix[a]) / (b - a) as f64;
            (f64::from(x[t]) - mean).max(0.0)
        })
        .collect()
}

/// Unbiased autocorrelation of `x` minus its mean for lags `0..max_lag`, normalised so that
/// lag 0 is 1 (all zeros for a constant signal).
pub(crate) fn autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    let size = (2 * n).next_power_of_two().max(2);
    let mut planner = RealFftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(size);
    let inv = planner.plan_fft_inverse(size);
    // Mean removed: a non-negative envelope would otherwise correlate with itself at every lag.
    let mean = x.iter().sum::<f64>() / n.max(1) as f64;
    let mut buf = vec![0.0; size];
    for (b, &v) in buf.iter_mut().zip(x) {
        *b = v - mean;
    }
    let mut spec = fwd.make_output_vec();
    if fwd.process(&mut buf, &mut spec).is_err() {
        return vec![0.0; max_lag];
    }
    for c in &mut spec {
        *c = realfft::num_complex::Complex::new(c.norm_sqr(), 0.0);
    }
    let mut out = vec![0.0; size];
    if inv.process(&mut spec, &mut out).is_err() {
        return vec![0.0; max_lag];
    }
    let r0 = out[0];
    let lags = max_lag.min(n);
    // Unbiased estimate: lag τ sums only n − τ products, which matters on short clips.
    let mut r: Vec<f64> = out[..lags]
        .iter()
        .enumerate()
        .map(|(lag, &v)| if r0 > 0.0 { v / r0 * n as f64 / (n - lag) as f64 } else { 0.0 })
        .collect();
    r.resize(max_lag, 0.0);
    r
}

/// Linear interpolation of `r` at a fractional lag (0 beyond the end).
fn at(r: &[f64], lag: f64) -> f64 {
    let i = lag.floor() as usize;
    let f = lag - i as f64;
    if i + 1 >= r.len() { 0.0 } else { r[i] * (1.0 - f) + r[i + 1] * f }
}

/// Tempo salience over `range` (BPM) from the onset features.
pub fn tempo_salience(features: &OnsetFeatures, range: (f64, f64)) -> TempoSalience {
    let fps = features.fps;
    let width = ((fps * DETREND_S).round() as usize) | 1;
    let max_lag = ((60.0 * fps / range.0) * 2.0).ceil() as usize + 2;
    let r_full = autocorrelation(&detrend(&features.full, width), max_lag);
    let r_low = autocorrelation(&detrend(&features.low, width), max_lag);
    let octaves = (range.1 / range.0).log2();
    let n = ((octaves * CANDIDATES_PER_OCTAVE).ceil() as usize).max(1) + 1;
    let mut out = TempoSalience { bpm: Vec::with_capacity(n), salience: Vec::new(), periodicity: Vec::new() };
    for i in 0..n {
        let bpm = range.0 * 2f64.powf(octaves * i as f64 / (n - 1).max(1) as f64);
        let lag = 60.0 * fps / bpm;
        let mut s = 0.0;
        for (k, w) in [(1.0, 1.0), (2.0, 0.5), (0.5, 0.25)] {
            s += w * (at(&r_full, lag * k) + at(&r_low, lag * k));
        }
        let z = (bpm / PRIOR_CENTRE_BPM).log2() / PRIOR_WIDTH_OCTAVES;
        out.bpm.push(bpm);
        out.salience.push(s.max(0.0) * (-0.5 * z * z).exp());
        out.periodicity.push(0.5 * (at(&r_full, lag) + at(&r_low, lag)));
    }
    out
}
