//! Fundamental frequency (f0) of a monophonic signal: YIN (de Cheveigné & Kawahara, "YIN, a
//! fundamental frequency estimator for speech and music", JASA 111(4), 2002) and probabilistic
//! YIN (Mauch & Dixon, "pYIN: A fundamental frequency estimator using probabilistic threshold
//! distributions", ICASSP 2014).
//!
//! Both start from YIN's cumulative mean normalised difference function d′(τ) per frame:
//!
//! * the difference function d(τ) = Σ_{j<W} (x_j − x_{j+τ})² over a constant integration window
//!   of W = `frame_length` − τ_max − 1 samples (YIN's eq. 6, not the shrinking-window variant),
//!   computed as e(0) + e(τ) − 2·r(τ) with the cross term r(τ) from one FFT correlation and the
//!   energies e(τ) from a running sum; d′(τ) = d(τ) · τ / Σ_{j=1..τ} d(j) (eq. 8);
//! * troughs are the local minima of d′ for periods τ ∈ [⌊sr/fmax⌋, ⌈sr/fmin⌉], refined by
//!   parabolic interpolation (step 5).
//!
//! [`PitchTracker::yin`] takes, per frame, the first trough below an absolute threshold (YIN's
//! step 4). [`PitchTracker::pyin`] instead draws the threshold from a Beta distribution
//! (100 thresholds, Beta(2, 18)), which gives every trough a probability of being the period
//! (a Boltzmann prior favours the earliest troughs below a threshold; the global minimum gets
//! `no_trough_prob` when no trough is below it); the candidates' probabilities are the
//! observations of a hidden Markov model over pitch bins (0.1 semitone) × voiced/unvoiced,
//! with a triangular pitch transition limited to `max_transition_rate` octaves per second and
//! a voicing switch probability, decoded by Viterbi. The transition is banded, so decoding
//! costs frames × bins × band, and only the few voiced states that have a candidate in a frame
//! are visited (the others have probability 0). Parameters and defaults follow librosa 0.11's
//! `pyin`; the outputs are not bit-identical to librosa (exact difference function, candidates'
//! probabilities added when two troughs fall in one bin, f0 reported at the interpolated
//! trough rather than at the bin centre).
//!
//! Frames are counted and timed like librosa's (`center=True`, zero padding): frame `i` is at
//! `i · hop_length / sr` seconds. The samples analysed for it are placed so that the span a
//! middle lag of the period range compares (window plus lag) is centred on that time; starting
//! them at the frame time − `frame_length`/2 instead, as librosa's frames do, lowers the raw
//! pitch accuracy on vocadito_1 from 0.9967 to 0.9838, as the pitch then lags the voice.
//!
//! The input is one channel: downmix first ([`crate::Audio::to_mono`]) or pick a channel.
//!
//! ```
//! use technob::tonal::pitch::{pyin, PitchConfig};
//!
//! let sr = 22050;
//! let y: Vec<f32> = (0..sr).map(|i| (2.0 * std::f32::consts::PI * 220.0 * i as f32 / sr as f32).sin()).collect();
//! let track = pyin(&y, sr as u32, &PitchConfig::default())?;
//! let mid = track.len() / 2;
//! assert!(track.voiced[mid] && (track.f0_hz[mid] - 220.0).abs() < 1.0);
//! assert!(track.to_csv().starts_with("time_s,f0_hz,voiced,voiced_prob\n"));
//! # Ok::<(), technob::Error>(())
//! ```

use std::fmt::Write as _;
use std::sync::Arc;

use rayon::prelude::*;
use realfft::num_complex::Complex64;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, ensure_param};

/// C2 in Hz (MIDI 36, A4 = 440 Hz): the default `fmin`, below a bass singer's range.
pub const C2_HZ: f64 = 65.406_391_325_149_66;
/// C7 in Hz (MIDI 96): the default `fmax`, above a soprano's range.
pub const C7_HZ: f64 = 2_093.004_522_404_789;

/// Settings of [`yin`] and [`pyin`]. The defaults are librosa 0.11's `pyin` defaults with
/// `fmin` = C2 (65.4 Hz) and `fmax` = C7 (2093 Hz), a range that covers singing voices and the
/// upper bass; lower `fmin` (e.g. E1, 41.2 Hz) for sub-bass lines, which needs a longer frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PitchConfig {
    /// Lowest f0 searched, Hz.
    pub fmin: f64,
    /// Highest f0 searched, Hz (at most sr / 2).
    pub fmax: f64,
    /// Samples analysed per frame; must hold two periods of `fmin` plus two samples.
    pub frame_length: usize,
    /// Samples between frames.
    pub hop_length: usize,
    /// YIN's absolute threshold on d′ (YIN only; librosa's `trough_threshold`).
    pub yin_threshold: f64,
    /// Number of thresholds the Beta prior is spread over (pYIN).
    pub n_thresholds: usize,
    /// Parameters (α, β) of the Beta distribution of thresholds (pYIN).
    pub beta_parameters: (f64, f64),
    /// Shape λ of the Boltzmann prior over the troughs below a threshold (pYIN).
    pub boltzmann_parameter: f64,
    /// Width of a pitch bin of the HMM, semitones (pYIN).
    pub resolution: f64,
    /// Fastest pitch change the HMM allows, octaves per second (pYIN).
    pub max_transition_rate: f64,
    /// Probability of switching between voiced and unvoiced from one frame to the next (pYIN).
    pub switch_prob: f64,
    /// Probability given to the global minimum of d′ when no trough is below a threshold (pYIN).
    pub no_trough_prob: f64,
}

impl PitchConfig {
    /// The defaults with frames of about 46 ms (a power of two: 2048 samples at 44.1 kHz,
    /// two periods of 43 Hz) and a hop of an eighth of that (5.8 ms at 44.1 kHz), the setting
    /// measured on MDB-stem-synth and vocadito (`tests/pitch_accuracy.rs`).
    pub fn for_sample_rate(sr: u32) -> PitchConfig {
        let frame_length = ((0.0464 * f64::from(sr)).round() as usize).next_power_of_two().max(64);
        PitchConfig { frame_length, hop_length: (frame_length / 8).max(1), ..PitchConfig::default() }
    }
}

impl Default for PitchConfig {
    fn default() -> Self {
        PitchConfig {
            fmin: C2_HZ,
            fmax: C7_HZ,
            frame_length: 2048,
            hop_length: 512,
            yin_threshold: 0.1,
            n_thresholds: 100,
            beta_parameters: (2.0, 18.0),
            boltzmann_parameter: 2.0,
            resolution: 0.1,
            max_transition_rate: 35.92,
            switch_prob: 0.01,
            no_trough_prob: 0.01,
        }
    }
}

/// An f0 track: one value per frame at `times_s[i] = i · hop_length / sr`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PitchTrack {
    /// Sample rate of the analysed signal, Hz.
    pub sr: u32,
    /// Samples between frames.
    pub hop_length: usize,
    /// Frame times, seconds.
    pub times_s: Vec<f64>,
    /// f0 per frame, Hz; 0 where unvoiced.
    pub f0_hz: Vec<f64>,
    /// Whether each frame is voiced (pitched).
    pub voiced: Vec<bool>,
    /// Probability that each frame is voiced, in `[0, 1]` (pYIN: the total probability of its
    /// pitch candidates; YIN: 1 − d′ at the chosen lag).
    pub voiced_prob: Vec<f64>,
    /// The pitch of every frame, voiced or not, Hz (unvoiced frames: the pitch the decoder's
    /// unvoiced state holds, or YIN's best trough). mir_eval scores pitch without voicing from
    /// it: see [`PitchTrack::mir_eval_freqs`]. 0 where no pitch at all was found.
    pub f0_candidate_hz: Vec<f64>,
}

impl PitchTrack {
    /// Number of frames.
    pub fn len(&self) -> usize {
        self.times_s.len()
    }

    /// True when there is no frame.
    pub fn is_empty(&self) -> bool {
        self.times_s.is_empty()
    }

    /// Seconds between frames.
    pub fn hop_s(&self) -> f64 {
        self.hop_length as f64 / self.sr as f64
    }

    /// Frequencies in mir_eval's convention: f0 where voiced, −candidate where unvoiced (so raw
    /// pitch accuracy ignores the voicing decision), 0 where there is no candidate.
    pub fn mir_eval_freqs(&self) -> Vec<f64> {
        self.voiced
            .iter()
            .zip(self.f0_hz.iter().zip(&self.f0_candidate_hz))
            .map(|(&v, (&f0, &c))| if v { f0 } else { -c })
            .collect()
    }

    /// CSV with the header `time_s,f0_hz,voiced,voiced_prob` and one row per frame: time with
    /// 6 decimals, f0 with 3 (0 when unvoiced), `voiced` as `true`/`false`, probability with 4.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(40 * (self.len() + 1));
        out.push_str("time_s,f0_hz,voiced,voiced_prob\n");
        for i in 0..self.len() {
            let _ = writeln!(
                out,
                "{:.6},{:.3},{},{:.4}",
                self.times_s[i], self.f0_hz[i], self.voiced[i], self.voiced_prob[i]
            );
        }
        out
    }
}

/// YIN f0 track of a mono signal; see [`PitchTracker::yin`].
pub fn yin(y: &[f32], sr: u32, config: &PitchConfig) -> Result<PitchTrack> {
    PitchTracker::new(sr, config)?.yin(y)
}

/// pYIN f0 track of a mono signal; see [`PitchTracker::pyin`].
pub fn pyin(y: &[f32], sr: u32, config: &PitchConfig) -> Result<PitchTrack> {
    PitchTracker::new(sr, config)?.pyin(y)
}

/// A pitch tracker for one sample rate and configuration: FFT plans, the threshold prior and
/// the transition kernel are made once and reused for every signal.
#[derive(Clone)]
pub struct PitchTracker {
    sr: u32,
    config: PitchConfig,
    /// Shortest and longest period searched, samples.
    min_period: usize,
    max_period: usize,
    /// Integration window W, samples.
    window: usize,
    /// Start of a frame's samples relative to its time, samples (negative: before it).
    offset: isize,
    n_fft: usize,
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    /// Probability mass of each threshold (pYIN), thresholds `k / n_thresholds`, k = 1..=n.
    beta_probs: Vec<f64>,
    n_bins: usize,
    bins_per_semitone: usize,
    /// Half-width of the pitch transition band, bins.
    half_band: usize,
}

impl std::fmt::Debug for PitchTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PitchTracker")
            .field("sr", &self.sr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PitchTracker {
    /// Check `config` against `sr` and plan the FFTs. Errors ([`Error::InvalidParameter`]) for
    /// a zero rate, `fmin` ≤ 0, `fmin` ≥ `fmax`, `fmax` above sr / 2, a frame too short for two
    /// periods of `fmin`, a zero hop, and pYIN parameters outside their ranges.
    pub fn new(sr: u32, config: &PitchConfig) -> Result<PitchTracker> {
        let c = *config;
        ensure_param!(sr > 0, "the sample rate must be positive");
        let srf = sr as f64;
        ensure_param!(c.fmin.is_finite() && c.fmin > 0.0, "fmin must be positive, got {}", c.fmin);
        ensure_param!(
            c.fmax.is_finite() && c.fmin < c.fmax,
            "fmin ({}) must be below fmax ({})",
            c.fmin,
            c.fmax
        );
        ensure_param!(
            c.fmax.is_finite() && c.fmax <= srf / 2.0,
            "fmax ({} Hz) cannot exceed the Nyquist frequency ({} Hz)",
            c.fmax,
            srf / 2.0
        );
        ensure_param!(c.hop_length > 0, "hop_length must be positive");
        let min_period = (srf / c.fmax).floor() as usize;
        let max_period = (srf / c.fmin).ceil() as usize;
        ensure_param!(
            c.frame_length >= 2 * (max_period + 1) && c.frame_length <= 1 << 20,
            "frame_length {} is too short for fmin {} Hz at {sr} Hz: it must hold two periods plus two samples \
             (at least {}); raise frame_length or fmin",
            c.frame_length,
            c.fmin,
            2 * (max_period + 1)
        );
        ensure_param!(
            c.yin_threshold.is_finite() && c.yin_threshold > 0.0,
            "yin_threshold must be positive, got {}",
            c.yin_threshold
        );
        ensure_param!((1..=10_000).contains(&c.n_thresholds), "n_thresholds must be in 1..=10000");
        let (alpha, beta) = c.beta_parameters;
        ensure_param!(
            alpha.is_finite() && beta.is_finite() && alpha > 0.0 && beta > 0.0,
            "beta parameters must be positive, got ({alpha}, {beta})"
        );
        ensure_param!(
            c.boltzmann_parameter.is_finite() && c.boltzmann_parameter > 0.0,
            "boltzmann_parameter must be positive"
        );
        ensure_param!(
            c.resolution.is_finite() && c.resolution > 0.0 && c.resolution <= 1.0,
            "resolution must be in (0, 1] semitone"
        );
        ensure_param!(
            c.max_transition_rate.is_finite() && c.max_transition_rate > 0.0,
            "max_transition_rate must be positive"
        );
        ensure_param!(c.switch_prob > 0.0 && c.switch_prob < 1.0, "switch_prob must be in (0, 1)");
        ensure_param!((0.0..=1.0).contains(&c.no_trough_prob), "no_trough_prob must be in [0, 1]");

        let window = c.frame_length - max_period - 1;
        // Centre the samples used at the middle (geometric) period of the range on the frame time.
        let middle_period = ((min_period.max(1) * max_period) as f64).sqrt();
        let offset = -(((window as f64 + middle_period) / 2.0).round() as isize);
        let n_fft = c.frame_length.next_power_of_two();
        let mut planner = RealFftPlanner::<f64>::new();
        let forward = planner.plan_fft_forward(n_fft);
        let inverse = planner.plan_fft_inverse(n_fft);

        let n = c.n_thresholds;
        let cdf: Vec<f64> = (0..=n).map(|k| beta_cdf(k as f64 / n as f64, alpha, beta)).collect();
        let beta_probs = cdf.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect();
        let bins_per_semitone = (1.0 / c.resolution).ceil() as usize;
        let n_bins = (12.0 * bins_per_semitone as f64 * (c.fmax / c.fmin).log2()).floor() as usize + 1;
        ensure_param!(
            n_bins <= 1 << 15,
            "too many pitch bins ({n_bins}): coarsen resolution or narrow the range"
        );
        let max_semitones =
            (c.max_transition_rate * 12.0 * c.hop_length as f64 / srf).round_ties_even() as usize;
        let half_band = (max_semitones * bins_per_semitone).min(2 * n_bins) / 2;
        ensure_param!(
            half_band < 1 << 14,
            "the pitch transition band is too wide; lower max_transition_rate"
        );
        Ok(PitchTracker {
            sr,
            config: c,
            min_period,
            max_period,
            window,
            offset,
            n_fft,
            forward,
            inverse,
            beta_probs,
            n_bins,
            bins_per_semitone,
            half_band,
        })
    }

    /// The configuration this tracker was made with.
    pub fn config(&self) -> &PitchConfig {
        &self.config
    }

    /// Number of pitch bins of the pYIN model (`resolution`-wide, from `fmin`).
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Centre frequency of pitch bin `bin`, Hz.
    pub fn bin_hz(&self, bin: usize) -> f64 {
        self.config.fmin * 2f64.powf(bin as f64 / (12 * self.bins_per_semitone) as f64)
    }

    /// Number of frames of a signal of `n_samples` (librosa's count with `center=True`).
    pub fn n_frames(&self, n_samples: usize) -> usize {
        let padded = n_samples + 2 * (self.config.frame_length / 2);
        if n_samples == 0 || padded < self.config.frame_length {
            0
        } else {
            1 + (padded - self.config.frame_length) / self.config.hop_length
        }
    }

    /// YIN: per frame, the first trough of d′ below `yin_threshold` (voiced), or else the
    /// deepest trough (unvoiced; its pitch is kept in `f0_candidate_hz`). `voiced_prob` is
    /// 1 − d′ at the chosen trough. Errors for an empty signal or non-finite samples.
    pub fn yin(&self, y: &[f32]) -> Result<PitchTrack> {
        check_signal(y)?;
        let threshold = self.config.yin_threshold;
        let frames: Vec<(f64, bool, f64)> = self.map_frames(y, |troughs| {
            let chosen = troughs.iter().find(|t| t.height < threshold).copied();
            let voiced = chosen.is_some();
            let best =
                chosen.or_else(|| troughs.iter().copied().min_by(|a, b| a.height.total_cmp(&b.height)));
            match best {
                Some(t) => (self.sr as f64 / t.period, voiced, (1.0 - t.height).clamp(0.0, 1.0)),
                None => (0.0, false, 0.0),
            }
        })?;
        let mut track = self.empty_track(frames.len());
        for (i, (f0, voiced, prob)) in frames.into_iter().enumerate() {
            track.f0_candidate_hz[i] = f0;
            track.f0_hz[i] = if voiced { f0 } else { 0.0 };
            track.voiced[i] = voiced;
            track.voiced_prob[i] = prob;
        }
        Ok(track)
    }

    /// pYIN: pitch candidates with probabilities per frame, decoded by the HMM (see the module
    /// docs). Errors for an empty signal or non-finite samples.
    pub fn pyin(&self, y: &[f32]) -> Result<PitchTrack> {
        check_signal(y)?;
        let observations: Vec<FrameCandidates> = self.map_frames(y, |troughs| self.candidates(troughs))?;
        let path = self.decode(&observations);
        let mut track = self.empty_track(observations.len());
        for (i, (obs, state)) in observations.iter().zip(path).enumerate() {
            let candidate = obs.bins.binary_search(&state.bin).ok().map(|k| obs.freqs[k]);
            // No trough at all (silence): no pitch, not even a guess.
            let f0 = match candidate {
                Some(f) => f,
                None if obs.bins.is_empty() => 0.0,
                None => self.bin_hz(state.bin as usize),
            };
            track.f0_candidate_hz[i] = f0;
            track.f0_hz[i] = if state.voiced { f0 } else { 0.0 };
            track.voiced[i] = state.voiced;
            track.voiced_prob[i] = obs.voiced_prob;
        }
        Ok(track)
    }

    fn empty_track(&self, n: usize) -> PitchTrack {
        let hop_s = self.config.hop_length as f64 / self.sr as f64;
        PitchTrack {
            sr: self.sr,
            hop_length: self.config.hop_length,
            times_s: (0..n).map(|i| i as f64 * hop_s).collect(),
            f0_hz: vec![0.0; n],
            voiced: vec![false; n],
            voiced_prob: vec![0.0; n],
            f0_candidate_hz: vec![0.0; n],
        }
    }

    /// Run `per_frame` on the troughs of every frame, in parallel, in frame order.
    fn map_frames<T: Send>(&self, y: &[f32], per_frame: impl Fn(&[Trough]) -> T + Sync) -> Result<Vec<T>> {
        let n_frames = self.n_frames(y.len());
        (0..n_frames)
            .into_par_iter()
            .map_init(
                || Workspace::new(self),
                |ws, i| {
                    self.cmnd(y, i, ws)?;
                    self.troughs(ws);
                    Ok(per_frame(&ws.troughs))
                },
            )
            .collect()
    }

    /// d′(τ) for τ = 0..=max_period + 1 of frame `index` into `ws.cmnd`.
    fn cmnd(&self, y: &[f32], index: usize, ws: &mut Workspace) -> Result<()> {
        let frame_length = self.config.frame_length;
        let start = (index * self.config.hop_length) as isize + self.offset;
        ws.frame.iter_mut().for_each(|v| *v = 0.0);
        for (j, v) in ws.frame[..frame_length].iter_mut().enumerate() {
            let k = start + j as isize;
            if k >= 0 && (k as usize) < y.len() {
                *v = y[k as usize] as f64;
            }
        }
        // Energies: prefix sums of x².
        ws.energy[0] = 0.0;
        for j in 0..frame_length {
            ws.energy[j + 1] = ws.energy[j] + ws.frame[j] * ws.frame[j];
        }
        // Cross term r(τ) = Σ_{j<W} x_j x_{j+τ}: IFFT(conj(FFT(x[..W])) · FFT(x)).
        ws.fft_in.copy_from_slice(&ws.frame);
        self.forward
            .process_with_scratch(&mut ws.fft_in, &mut ws.spec_x, &mut ws.scratch_fwd)
            .map_err(|e| Error::InvalidInput(format!("FFT: {e}")))?;
        ws.fft_in[..self.window].copy_from_slice(&ws.frame[..self.window]);
        ws.fft_in[self.window..].iter_mut().for_each(|v| *v = 0.0);
        self.forward
            .process_with_scratch(&mut ws.fft_in, &mut ws.spec_w, &mut ws.scratch_fwd)
            .map_err(|e| Error::InvalidInput(format!("FFT: {e}")))?;
        for (w, x) in ws.spec_w.iter_mut().zip(&ws.spec_x) {
            *w = w.conj() * x;
        }
        if let Some(first) = ws.spec_w.first_mut() {
            first.im = 0.0;
        }
        if let Some(last) = ws.spec_w.last_mut() {
            last.im = 0.0;
        }
        self.inverse
            .process_with_scratch(&mut ws.spec_w, &mut ws.corr, &mut ws.scratch_inv)
            .map_err(|e| Error::InvalidInput(format!("FFT: {e}")))?;
        let scale = 1.0 / self.n_fft as f64;
        let w = self.window;
        let e0 = ws.energy[w];
        ws.cmnd[0] = 1.0;
        let mut running = 0.0;
        for tau in 1..=self.max_period + 1 {
            let e_tau = ws.energy[tau + w] - ws.energy[tau];
            let d = (e0 + e_tau - 2.0 * ws.corr[tau] * scale).max(0.0);
            running += d;
            // Silence (or numerical zero): no periodicity evidence.
            ws.cmnd[tau] =
                if running > f64::MIN_POSITIVE * tau as f64 { d * tau as f64 / running } else { 1.0 };
        }
        Ok(())
    }

    /// The local minima of d′ in the period range, with parabolic refinement, by period.
    fn troughs(&self, ws: &mut Workspace) {
        ws.troughs.clear();
        let d = &ws.cmnd;
        for tau in self.min_period.max(1)..=self.max_period {
            let (prev, here, next) = (d[tau - 1], d[tau], d[tau + 1]);
            if !(here < prev && here <= next) {
                continue;
            }
            let a = next + prev - 2.0 * here;
            let b = (next - prev) / 2.0;
            let shift = if a > 0.0 && b.abs() < a { -b / a } else { 0.0 };
            ws.troughs.push(Trough { period: tau as f64 + shift, height: here });
        }
    }

    /// pYIN's observation for one frame: each trough's probability of being the period under the
    /// Beta prior on thresholds, gathered into pitch bins.
    fn candidates(&self, troughs: &[Trough]) -> FrameCandidates {
        let mut probs = vec![0.0; troughs.len()];
        let Some(global_min) =
            (0..troughs.len()).min_by(|&a, &b| troughs[a].height.total_cmp(&troughs[b].height))
        else {
            return FrameCandidates::default();
        };
        let lambda = self.config.boltzmann_parameter;
        let n = self.beta_probs.len();
        let mut below: Vec<usize> = Vec::with_capacity(troughs.len());
        for (k, &mass) in self.beta_probs.iter().enumerate() {
            let threshold = (k + 1) as f64 / n as f64;
            below.clear();
            below.extend((0..troughs.len()).filter(|&i| troughs[i].height < threshold));
            if below.is_empty() {
                probs[global_min] += self.config.no_trough_prob * mass;
                continue;
            }
            // Boltzmann pmf over positions 0..N: (1 − e^−λ) e^−λp / (1 − e^−λN).
            let norm = (1.0 - (-lambda).exp()) / (1.0 - (-lambda * below.len() as f64).exp());
            let mut weight = norm;
            let decay = (-lambda).exp();
            for &i in &below {
                probs[i] += mass * weight;
                weight *= decay;
            }
        }
        let top = (12 * self.bins_per_semitone) as f64;
        let mut cands: Vec<(u16, f64, f64)> = Vec::with_capacity(troughs.len());
        for (t, &p) in troughs.iter().zip(&probs) {
            if p <= 0.0 {
                continue;
            }
            let f0 = self.sr as f64 / t.period;
            let bin =
                (top * (f0 / self.config.fmin).log2()).round().clamp(0.0, (self.n_bins - 1) as f64) as u16;
            cands.push((bin, p, f0));
        }
        cands.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut out = FrameCandidates::default();
        let mut total = 0.0;
        for (bin, p, f0) in cands {
            total += p;
            if out.bins.last() == Some(&bin) {
                // Two troughs in one bin: add the probabilities, keep the likelier's frequency.
                if let Some(last) = out.probs.last_mut() {
                    *last += p;
                }
            } else {
                out.bins.push(bin);
                out.probs.push(p);
                out.freqs.push(f0);
            }
        }
        out.voiced_prob = total.clamp(0.0, 1.0);
        out
    }

    /// Viterbi decoding of the pYIN HMM: states (bin, voiced) with a banded triangular pitch
    /// transition (rows normalised) times the voicing switch matrix, uniform initial
    /// probabilities. Voiced states without a candidate have probability 0 and are skipped.
    fn decode(&self, obs: &[FrameCandidates]) -> Vec<State> {
        let n = self.n_bins;
        let h = self.half_band;
        let n_frames = obs.len();
        if n_frames == 0 {
            return Vec::new();
        }
        // log kernel over offsets −h..=h, and per-row log normalisers.
        let kernel: Vec<f64> =
            (0..=2 * h).map(|k| (((h + 1) - k.abs_diff(h)) as f64 / (h + 1) as f64).ln()).collect();
        let row_norm: Vec<f64> = (0..n)
            .map(|i| {
                let lo = i.saturating_sub(h);
                let hi = (i + h).min(n - 1);
                (lo..=hi).map(|j| ((h + 1) - i.abs_diff(j)) as f64 / (h + 1) as f64).sum::<f64>().ln()
            })
            .collect();
        let stay = (1.0 - self.config.switch_prob).ln();
        let switch = self.config.switch_prob.ln();
        let log_unvoiced_obs = |o: &FrameCandidates| ((1.0 - o.voiced_prob) / n as f64).ln();

        // Scores of the current frame: voiced (dense, −inf off-candidate) and unvoiced.
        let init = (1.0 / (2 * n) as f64).ln();
        let mut voiced = vec![f64::NEG_INFINITY; n];
        let mut unvoiced = vec![init + log_unvoiced_obs(&obs[0]); n];
        for (k, &b) in obs[0].bins.iter().enumerate() {
            voiced[b as usize] = init + obs[0].probs[k].ln();
        }
        // Back-pointers: per frame, for every unvoiced bin and for every candidate bin.
        let mut back_unvoiced: Vec<u16> = vec![0; n * n_frames];
        let mut back_voiced: Vec<Vec<u16>> = vec![Vec::new(); n_frames];
        let mut restart: Vec<Option<State>> = vec![None; n_frames];
        let mut to_unvoiced = vec![0.0; n];
        let mut to_voiced = vec![0.0; n];
        let mut from_voiced_u = vec![false; n];
        let mut from_voiced_v = vec![false; n];
        let mut next_voiced = vec![f64::NEG_INFINITY; n];
        let mut next_unvoiced = vec![f64::NEG_INFINITY; n];
        for t in 1..n_frames {
            for i in 0..n {
                let (v, u) = (voiced[i] - row_norm[i], unvoiced[i] - row_norm[i]);
                let (vu, uu) = (v + switch, u + stay);
                from_voiced_u[i] = vu > uu;
                to_unvoiced[i] = if vu > uu { vu } else { uu };
                let (vv, uv) = (v + stay, u + switch);
                from_voiced_v[i] = vv >= uv;
                to_voiced[i] = if vv >= uv { vv } else { uv };
            }
            let lu = log_unvoiced_obs(&obs[t]);
            let back_u = &mut back_unvoiced[t * n..(t + 1) * n];
            for j in 0..n {
                let (best, i) = band_max(&to_unvoiced, &kernel, j, h);
                next_unvoiced[j] = best + lu;
                back_u[j] = encode(i, j, h, from_voiced_u[i]);
            }
            next_voiced.iter_mut().for_each(|v| *v = f64::NEG_INFINITY);
            let mut back_v = Vec::with_capacity(obs[t].bins.len());
            for (k, &b) in obs[t].bins.iter().enumerate() {
                let j = b as usize;
                let (best, i) = band_max(&to_voiced, &kernel, j, h);
                next_voiced[j] = best + obs[t].probs[k].ln();
                back_v.push(encode(i, j, h, from_voiced_v[i]));
            }
            back_voiced[t] = back_v;
            if next_unvoiced.iter().chain(&next_voiced).all(|v| *v == f64::NEG_INFINITY) {
                // Nothing reachable (a certain voicing with a jump beyond the band): restart
                // from the best previous state instead of failing.
                let prev = best_state(&voiced, &unvoiced);
                let base = if prev.voiced { voiced[prev.bin as usize] } else { unvoiced[prev.bin as usize] };
                restart[t] = Some(prev);
                next_unvoiced.iter_mut().for_each(|v| *v = base + lu);
                for (k, &b) in obs[t].bins.iter().enumerate() {
                    next_voiced[b as usize] = base + obs[t].probs[k].ln();
                }
            }
            std::mem::swap(&mut voiced, &mut next_voiced);
            std::mem::swap(&mut unvoiced, &mut next_unvoiced);
        }
        // Back-tracking.
        let mut path = vec![State { bin: 0, voiced: false }; n_frames];
        let mut state = best_state(&voiced, &unvoiced);
        for t in (0..n_frames).rev() {
            path[t] = state;
            if t == 0 {
                break;
            }
            if let Some(prev) = restart[t] {
                state = prev;
                continue;
            }
            let code = if state.voiced {
                match obs[t].bins.binary_search(&state.bin) {
                    Ok(k) => back_voiced[t][k],
                    Err(_) => 0, // unreachable: a decoded voiced state always has a candidate
                }
            } else {
                back_unvoiced[t * n + state.bin as usize]
            };
            state = decode_pointer(code, state.bin as usize, h, n);
        }
        path
    }
}

/// A decoded HMM state.
#[derive(Clone, Copy, Debug, PartialEq)]
struct State {
    bin: u16,
    voiced: bool,
}

/// The best final state: the first maximum, voiced states before unvoiced ones.
fn best_state(voiced: &[f64], unvoiced: &[f64]) -> State {
    let mut best = State { bin: 0, voiced: true };
    let mut score = f64::NEG_INFINITY;
    for (is_voiced, scores) in [(true, voiced), (false, unvoiced)] {
        for (i, &s) in scores.iter().enumerate() {
            if s > score {
                score = s;
                best = State { bin: i as u16, voiced: is_voiced };
            }
        }
    }
    if score == f64::NEG_INFINITY {
        best = State { bin: 0, voiced: false };
    }
    best
}

/// Back-pointer: source offset `i − j + h` in the low 15 bits, source voicing in the top bit.
fn encode(i: usize, j: usize, h: usize, from_voiced: bool) -> u16 {
    ((i + h - j) as u16) | if from_voiced { 1 << 15 } else { 0 }
}

fn decode_pointer(code: u16, j: usize, h: usize, n: usize) -> State {
    let offset = (code & 0x7fff) as usize;
    let bin = (j + offset).saturating_sub(h).min(n - 1);
    State { bin: bin as u16, voiced: code & 0x8000 != 0 }
}

/// max over i ∈ [j − h, j + h] ∩ [0, n) of `scores[i] + kernel[i − j + h]`, and the first i
/// attaining it.
fn band_max(scores: &[f64], kernel: &[f64], j: usize, h: usize) -> (f64, usize) {
    let lo = j.saturating_sub(h);
    let hi = (j + h + 1).min(scores.len());
    let s = &scores[lo..hi];
    let k = &kernel[lo + h - j..hi + h - j];
    // Four lanes so the compiler can vectorise; the arg-max is found in a second pass.
    let mut lanes = [f64::NEG_INFINITY; 4];
    let mut chunks_s = s.chunks_exact(4);
    let mut chunks_k = k.chunks_exact(4);
    for (cs, ck) in (&mut chunks_s).zip(&mut chunks_k) {
        for l in 0..4 {
            let v = cs[l] + ck[l];
            lanes[l] = if v > lanes[l] { v } else { lanes[l] };
        }
    }
    let mut best = lanes[0].max(lanes[1]).max(lanes[2].max(lanes[3]));
    for (a, b) in chunks_s.remainder().iter().zip(chunks_k.remainder()) {
        let v = a + b;
        if v > best {
            best = v;
        }
    }
    let arg = s.iter().zip(k).position(|(a, b)| a + b == best).unwrap_or(0);
    (best, lo + arg)
}

/// One trough of d′: refined period (samples) and depth.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Trough {
    period: f64,
    height: f64,
}

/// pYIN's observation of one frame: candidate bins (ascending), their probabilities and
/// frequencies, and the voicing probability (their sum).
#[derive(Clone, Debug, Default)]
struct FrameCandidates {
    bins: Vec<u16>,
    probs: Vec<f64>,
    freqs: Vec<f64>,
    voiced_prob: f64,
}

/// Per-thread buffers.
struct Workspace {
    frame: Vec<f64>,
    energy: Vec<f64>,
    fft_in: Vec<f64>,
    spec_x: Vec<Complex64>,
    spec_w: Vec<Complex64>,
    corr: Vec<f64>,
    scratch_fwd: Vec<Complex64>,
    scratch_inv: Vec<Complex64>,
    cmnd: Vec<f64>,
    troughs: Vec<Trough>,
}

impl Workspace {
    fn new(p: &PitchTracker) -> Workspace {
        Workspace {
            frame: vec![0.0; p.n_fft],
            energy: vec![0.0; p.config.frame_length + 1],
            fft_in: p.forward.make_input_vec(),
            spec_x: p.forward.make_output_vec(),
            spec_w: p.forward.make_output_vec(),
            corr: p.inverse.make_output_vec(),
            scratch_fwd: p.forward.make_scratch_vec(),
            scratch_inv: p.inverse.make_scratch_vec(),
            cmnd: vec![1.0; p.max_period + 2],
            troughs: Vec::new(),
        }
    }
}

fn check_signal(y: &[f32]) -> Result<()> {
    if y.is_empty() {
        return Err(Error::InvalidInput("the signal is empty".into()));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput(format!("sample {i} is not a finite number")));
    }
    Ok(())
}

/// Regularised incomplete beta function I_x(a, b): the Beta(a, b) CDF at x (continued fraction,
/// modified Lentz; Press et al., Numerical Recipes, §6.4).
fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..=300 {
        let m = m as f64;
        // Even step.
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + num / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        f *= d * c;
        // Odd step.
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + num / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        f *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    f
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine coefficients; reflection below 0.5).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (i, &c) in COEF.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(f0: f64, sr: u32, seconds: f64) -> Vec<f32> {
        let n = (seconds * sr as f64) as usize;
        (0..n)
            .map(|i| (0.5 * (2.0 * std::f64::consts::PI * f0 * i as f64 / sr as f64).sin()) as f32)
            .collect()
    }

    /// A sawtooth-like tone with decaying harmonics (a voice-like spectrum).
    fn harmonic(f0: &dyn Fn(f64) -> f64, sr: u32, seconds: f64) -> Vec<f32> {
        let n = (seconds * sr as f64) as usize;
        let mut phase = 0.0;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let t = i as f64 / sr as f64;
            phase += 2.0 * std::f64::consts::PI * f0(t) / sr as f64;
            let v: f64 = (1..=8).map(|k| (k as f64 * phase).sin() / k as f64).sum();
            out.push((0.3 * v) as f32);
        }
        out
    }

    #[test]
    fn beta_cdf_matches_the_binomial_form_for_integer_parameters() {
        // I_x(2, 18) = 1 − Σ_{j<2} C(19, j) x^j (1 − x)^(19 − j).
        for &x in &[0.01f64, 0.05, 0.1, 0.2, 0.5, 0.9] {
            let closed = 1.0 - (1.0 - x).powi(19) - 19.0 * x * (1.0 - x).powi(18);
            assert!((beta_cdf(x, 2.0, 18.0) - closed).abs() < 1e-13, "x={x}");
        }
        // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a), and the uniform case.
        assert!((beta_cdf(0.3, 2.5, 7.0) - (1.0 - beta_cdf(0.7, 7.0, 2.5))).abs() < 1e-13);
        assert!((beta_cdf(0.37, 1.0, 1.0) - 0.37).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let ok = PitchConfig::default();
        assert!(PitchTracker::new(22050, &ok).is_ok());
        let bad = [
            PitchConfig { fmin: 0.0, ..ok },
            PitchConfig { fmin: 500.0, fmax: 400.0, ..ok },
            PitchConfig { fmin: 500.0, fmax: 500.0, ..ok },
            PitchConfig { fmax: 12000.0, ..ok },
            PitchConfig { fmin: 20.0, ..ok },
            PitchConfig { frame_length: 512, ..ok },
            PitchConfig { hop_length: 0, ..ok },
            PitchConfig { resolution: 0.0, ..ok },
            PitchConfig { switch_prob: 1.0, ..ok },
            PitchConfig { beta_parameters: (0.0, 18.0), ..ok },
            PitchConfig { fmin: f64::NAN, ..ok },
        ];
        for c in bad {
            let err = PitchTracker::new(22050, &c).unwrap_err();
            assert!(matches!(err, Error::InvalidParameter(_)), "{c:?}: {err}");
        }
        assert!(PitchTracker::new(0, &ok).is_err());
        let message = PitchTracker::new(22050, &PitchConfig { fmin: 20.0, ..ok }).unwrap_err().to_string();
        assert!(message.contains("frame_length"), "{message}");
        // Bad signals.
        assert!(pyin(&[], 22050, &ok).is_err());
        assert!(yin(&[0.0, f32::NAN], 22050, &ok).is_err());
    }

    #[test]
    fn frame_count_and_times_follow_librosa() {
        let p = PitchTracker::new(22050, &PitchConfig::default()).unwrap();
        // librosa: 1 + len // hop frames for an even frame length.
        assert_eq!(p.n_frames(22050), 1 + 22050 / 512);
        assert_eq!(p.n_frames(1), 1);
        let track = p.yin(&[0.1; 1000]).unwrap();
        assert_eq!(track.len(), 2);
        assert_eq!(track.times_s, vec![0.0, 512.0 / 22050.0]);
    }

    #[test]
    fn sines_are_found_by_yin_and_pyin() {
        for &(f0, sr) in &[(66.0, 22050), (110.0, 22050), (261.63, 44100), (440.0, 22050), (1975.5, 44100)] {
            let y = sine(f0, sr, 1.0);
            for (name, track) in [
                ("yin", yin(&y, sr, &PitchConfig::default()).unwrap()),
                ("pyin", pyin(&y, sr, &PitchConfig::default()).unwrap()),
            ] {
                let inner = &track.f0_hz[4..track.len() - 4];
                let voiced = &track.voiced[4..track.len() - 4];
                assert!(voiced.iter().all(|&v| v), "{name} {f0}: unvoiced frames");
                for &f in inner {
                    let cents = 1200.0 * (f / f0).log2();
                    assert!(cents.abs() < 5.0, "{name} {f0} Hz at {sr}: {f} Hz ({cents:.1} cents)");
                }
            }
        }
    }

    #[test]
    fn silence_and_noise_are_unvoiced() {
        let sr = 22050;
        let silence = vec![0.0f32; sr as usize];
        let track = pyin(&silence, sr, &PitchConfig::default()).unwrap();
        assert!(track.voiced.iter().all(|&v| !v));
        assert!(track.f0_hz.iter().all(|&f| f == 0.0));
        assert!(track.voiced_prob.iter().all(|&p| p == 0.0));
        assert!(track.f0_candidate_hz.iter().all(|&f| f == 0.0));
        // Deterministic white noise (xorshift).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<f32> = (0..sr)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let track = pyin(&noise, sr, &PitchConfig::default()).unwrap();
        let voiced = track.voiced.iter().filter(|&&v| v).count();
        assert!(voiced * 10 < track.len(), "noise voiced in {voiced} of {} frames", track.len());
        let yin_track = yin(&noise, sr, &PitchConfig::default()).unwrap();
        let voiced = yin_track.voiced.iter().filter(|&&v| v).count();
        assert!(voiced * 10 < yin_track.len(), "YIN: noise voiced in {voiced} frames");
    }

    #[test]
    fn pyin_follows_a_glide_and_finds_the_silence_between_notes() {
        let sr = 22050;
        // 0.5 s at 220 Hz, 0.3 s silence, a 0.7 s glide 220 → 330 Hz.
        let mut y = harmonic(&|_| 220.0, sr, 0.5);
        y.extend(vec![0.0; (0.3 * sr as f64) as usize]);
        y.extend(harmonic(&|t| 220.0 * (1.5f64).powf(t / 0.7), sr, 0.7));
        let config = PitchConfig { hop_length: 256, ..PitchConfig::default() };
        let track = pyin(&y, sr, &config).unwrap();
        let at = |t: f64| (t / track.hop_s()).round() as usize;
        for i in at(0.1)..at(0.45) {
            assert!(track.voiced[i] && (1200.0 * (track.f0_hz[i] / 220.0).log2()).abs() < 10.0, "frame {i}");
        }
        for i in at(0.58)..at(0.72) {
            assert!(!track.voiced[i], "frame {i} in the silence is voiced");
        }
        for i in at(0.9)..at(1.45) {
            let expected = 220.0 * 1.5f64.powf((track.times_s[i] - 0.8) / 0.7);
            let cents = 1200.0 * (track.f0_hz[i] / expected).log2();
            assert!(track.voiced[i] && cents.abs() < 25.0, "frame {i}: {} vs {expected}", track.f0_hz[i]);
        }
        // mir_eval convention: negative candidates where unvoiced.
        let freqs = track.mir_eval_freqs();
        assert!(freqs.iter().zip(&track.voiced).all(|(&f, &v)| (f > 0.0) == v || f == 0.0));
    }

    #[test]
    fn pyin_survives_a_jump_wider_than_the_transition_band() {
        // Two clean sines two octaves apart: both voicing states can be (nearly) impossible
        // across the jump, which must not break the decoding.
        let sr = 22050;
        let mut y = sine(110.0, sr, 0.5);
        y.extend(sine(440.0, sr, 0.5));
        let track = pyin(&y, sr, &PitchConfig::default()).unwrap();
        let half = track.len() / 2;
        for (i, &f) in track.f0_hz.iter().enumerate() {
            if i < 3 || (half - 3..half + 3).contains(&i) || i + 3 > track.len() {
                continue;
            }
            let expected = if i < half { 110.0 } else { 440.0 };
            assert!(track.voiced[i] && (1200.0 * (f / expected).log2()).abs() < 10.0, "frame {i}: {f} Hz");
        }
    }

    #[test]
    fn decoding_restarts_when_nothing_is_reachable() {
        // Certain voicing (no unvoiced probability) and a jump of 300 bins, far beyond the band.
        let p = PitchTracker::new(22050, &PitchConfig::default()).unwrap();
        let frame = |bin: u16| FrameCandidates {
            bins: vec![bin],
            probs: vec![1.0],
            freqs: vec![p.bin_hz(bin as usize)],
            voiced_prob: 1.0,
        };
        let obs = vec![frame(100), frame(100), frame(101), frame(400), frame(400), frame(399)];
        let path = p.decode(&obs);
        let bins: Vec<u16> = path.iter().map(|s| s.bin).collect();
        assert_eq!(bins, [100, 100, 101, 400, 400, 399]);
        assert!(path.iter().all(|s| s.voiced));
        assert!(p.decode(&[]).is_empty());
        assert_eq!(p.decode(&[FrameCandidates::default()]), [State { bin: 0, voiced: false }]);
    }

    #[test]
    fn csv_has_the_documented_layout() {
        let track = PitchTrack {
            sr: 100,
            hop_length: 1,
            times_s: vec![0.0, 0.01],
            f0_hz: vec![220.123_456, 0.0],
            voiced: vec![true, false],
            voiced_prob: vec![0.98765, 0.1],
            f0_candidate_hz: vec![220.123_456, 219.0],
        };
        assert_eq!(
            track.to_csv(),
            "time_s,f0_hz,voiced,voiced_prob\n0.000000,220.123,true,0.9877\n0.010000,0.000,false,0.1000\n"
        );
        assert_eq!(track.mir_eval_freqs(), vec![220.123_456, -219.0]);
    }

    #[test]
    fn band_max_finds_the_first_maximum_within_the_band() {
        let scores = [0.0, 5.0, 1.0, 5.0, 2.0, 9.0, 0.0];
        let h = 2;
        let kernel = vec![0.0; 2 * h + 1];
        assert_eq!(band_max(&scores, &kernel, 2, h), (5.0, 1));
        assert_eq!(band_max(&scores, &kernel, 0, h), (5.0, 1));
        assert_eq!(band_max(&scores, &kernel, 6, h), (9.0, 5));
        let kernel = vec![-3.0, -1.0, 0.0, -1.0, -3.0];
        assert_eq!(band_max(&scores, &kernel, 3, h), (6.0, 5));
        assert_eq!(band_max(&scores, &kernel, 2, h), (4.0, 1));
    }
}
