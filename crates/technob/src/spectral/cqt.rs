//! Constant-Q transform (`librosa.cqt`, 0.11) and the chromagram built on it
//! (`librosa.feature.chroma_cqt`).
//!
//! Method: Schörkhuber & Klapuri (2010), "Constant-Q transform toolbox for music processing"
//! (7th Sound and Music Computing Conference), as librosa implements it. Bin `k` has centre
//! frequency `f_k = fmin · 2^(tuning / B) · 2^(k / B)` (`B` bins per octave) and a windowed
//! complex sinusoid of `L_k = Q_k · sr / f_k` samples as its filter, with
//! `Q_k = filter_scale / α_k` and `α_k` the bin's relative bandwidth. The bins are processed
//! one octave at a time, from the top:
//!
//! 1. the filters of the octave are built once, centred in an FFT frame of the next power of
//!    two above the longest, transformed, and *sparsified* (in each filter's spectrum the
//!    smallest values that together hold a fraction `sparsity` of its L1 mass are dropped);
//! 2. the octave's responses are inner products of these sparse spectra with the FFT of each
//!    (rectangular, centred, zero-padded) frame of the signal;
//! 3. the signal is then low-passed and decimated by 2 (and the hop halved) for the octave
//!    below, whose filters, at half the rate, have the same lengths in samples: every octave
//!    costs the same.
//!
//! When the top octave lies far below Nyquist and the hop has enough factors of two, the signal
//! is decimated before the first octave too ("early downsampling", librosa's rule). With
//! `scale` the responses are divided by `√L_k` (lengths at the rate of the first octave), which
//! makes a sinusoid's peak independent of the bin; every factor that the decimations introduce
//! is compensated in the filters, as librosa does.
//!
//! **Decimation.** librosa uses soxr's "HQ" resampler (linear phase, pass band to 91.3 % of the
//! new Nyquist, ~120 dB stop band). technob uses its own linear-phase half-band FIR (Kaiser
//! window, 120 dB), designed for the band the filters actually read: its pass band ends at the
//! highest frequency any sparsified filter of a decimated octave touches (41 % of Nyquist for
//! the defaults), and everything that would alias into that band is in the stop band. A
//! half-band filter has every other coefficient zero, so one output sample then costs 8
//! multiplications (46 for a 91.3 % pass band). Measured against librosa on real music
//! (`tests/tonal_cqt.rs`): away from the ends of the signal the decimated octaves agree to a
//! median relative error of ≤ 6e-5 (max 2.2e-3, on quiet bins next to loud ones); a 91.3 %
//! pass band, as soxr's, gives the same (median 6.2e-5, max 2.7e-3), so the band the filters do
//! not read does not matter. Near the ends the two resamplers differ more (up to 1.2e-3 of the
//! array's peak): they start and stop differently (technob takes the signal as zero beyond its
//! ends).

//! **Speed.** Filters and FFT plans are made once ([`Cqt::new`]); frames are processed in
//! parallel (rayon) in fixed groups with per-worker buffers, so nothing is allocated per frame
//! and the output does not depend on the number of threads.
//!
//! ```
//! use technob::spectral::cqt::{self, ChromaCqtConfig, Cqt, CqtConfig};
//!
//! # fn main() -> technob::Result<()> {
//! let sr = 22050.0;
//! let y: Vec<f32> = (0..sr as usize).map(|i| (std::f64::consts::TAU * 440.0 * i as f64 / sr).sin() as f32).collect();
//! let plan = Cqt::new(sr, &CqtConfig::default())?; // 84 bins from C1, hop 512
//! let c = plan.magnitude(&y)?;
//! assert_eq!((c.n_bins(), c.n_frames()), (84, 44));
//! let a4 = plan.frequencies().iter().position(|&f| (f - 440.0).abs() < 1e-6);
//! assert_eq!(a4, Some(45)); // MIDI 69 − 24
//! let chroma = cqt::chroma_cqt(&y, sr, &ChromaCqtConfig::default())?;
//! assert_eq!(chroma.frame(20)[9], 1.0); // A
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use realfft::num_complex::{Complex, Complex32};
use realfft::{RealFftPlanner, RealToComplex};

use super::chroma::{Norm, normalize_frames};
use super::convert::hz_to_midi;
use super::spectrogram::{ComplexSpectrogram, Element, FrameMatrix, Spectrogram};
use super::stft::MAX_N_FFT;
use super::window::Window;
use crate::{Error, Result, ensure_param};

/// Frequency of C1 in Hz (MIDI note 24), librosa's default `fmin` for the CQT.
pub const C1_HZ: f64 = 32.703_195_662_574_83;

/// Frames per parallel task (fixed: results do not depend on the thread count).
const FRAMES_PER_TASK: usize = 32;

/// Output samples per parallel task of the decimator.
const DECIMATE_BLOCK: usize = 1 << 14;
/// Output samples per inner pass of the decimator (fits in L1 with its inputs).
const DECIMATE_SUB_BLOCK: usize = 1024;

/// Stop-band attenuation of the half-band decimator, dB (pass-band ripple 10^(−A/20)).
const DECIMATOR_ATTENUATION_DB: f64 = 120.0;

/// Parameters of a constant-Q transform; `Default` is `librosa.cqt`'s (0.11): hop 512, 84
/// bins from C1 at 12 per octave, no tuning offset, L1-normalised Hann filters, sparsity 0.01,
/// length-scaled output. Zero padding at the edges (librosa's default `pad_mode`).
#[derive(Clone, Debug, PartialEq)]
pub struct CqtConfig {
    /// Hop between frames in samples (≥ 1). Lower octaves are computed at a lower rate with the
    /// hop halved as long as it stays an integer, so a hop divisible by `2^(n_octaves − 1)` keeps
    /// the transform fast.
    pub hop_length: usize,
    /// Centre frequency of the lowest bin in Hz, before the tuning offset (> 0).
    pub fmin: f64,
    /// Number of bins (≥ 1).
    pub n_bins: usize,
    /// Bins per octave (≥ 1).
    pub bins_per_octave: usize,
    /// Tuning offset in fractions of a bin (librosa's `tuning`): every centre frequency is
    /// multiplied by `2^(tuning / bins_per_octave)`.
    pub tuning: f64,
    /// Multiplier of the filter lengths (> 0): larger is sharper in frequency, blurrier in time.
    pub filter_scale: f64,
    /// Normalisation of each time-domain filter (`None`: none; librosa: L1).
    pub norm: Option<Norm>,
    /// Fraction of each filter's spectral L1 mass that may be dropped, in `[0, 1)`.
    pub sparsity: f64,
    /// Window of the filters (any but [`Window::Custom`], which has a fixed length).
    pub window: Window,
    /// Divide each bin by the square root of its filter length (librosa's `scale=True`).
    pub scale: bool,
}

impl Default for CqtConfig {
    fn default() -> Self {
        CqtConfig {
            hop_length: 512,
            fmin: C1_HZ,
            n_bins: 84,
            bins_per_octave: 12,
            tuning: 0.0,
            filter_scale: 1.0,
            norm: Some(Norm::L1),
            sparsity: 0.01,
            window: Window::Hann,
            scale: true,
        }
    }
}

/// Equivalent noise bandwidth of a window in bins (`librosa.filters.window_bandwidth`; the
/// named windows use librosa's tabulated values).
fn window_bandwidth(window: &Window) -> Result<f64> {
    Ok(match window {
        Window::Rectangular => 1.0,
        Window::Hann => 1.500_183_105_468_75,
        Window::Hamming => 1.362_945_532_035_034_8,
        Window::Blackman => 1.726_968_155_426_232_6,
        Window::BlackmanHarris => 2.004_597_528_358_501_4,
        Window::Kaiser { .. } => {
            let w = window.coefficients_f64(1000, true)?;
            let s: f64 = w.iter().sum();
            let s2: f64 = w.iter().map(|x| x * x).sum();
            1000.0 * s2 / (s * s + f64::MIN_POSITIVE)
        }
        Window::Custom(_) => {
            return Err(Error::InvalidParameter(
                "the CQT builds its window at every filter length; a custom window has a fixed length".into(),
            ));
        }
    })
}

/// Relative bandwidth `α` of each bin from the local spacing of the centre frequencies
/// (librosa's `_relative_bandwidth`; a single bin uses the equal-temperament spacing).
fn relative_bandwidths(freqs: &[f64], bins_per_octave: usize) -> Vec<f64> {
    let alpha_of = |bpo: f64| {
        let r = 2f64.powf(2.0 / bpo);
        (r - 1.0) / (r + 1.0)
    };
    let n = freqs.len();
    if n == 1 {
        return vec![alpha_of(bins_per_octave as f64)];
    }
    let logf: Vec<f64> = freqs.iter().map(|f| f.log2()).collect();
    (0..n)
        .map(|k| {
            let bpo = if k == 0 {
                1.0 / (logf[1] - logf[0])
            } else if k == n - 1 {
                1.0 / (logf[n - 1] - logf[n - 2])
            } else {
                2.0 / (logf[k + 1] - logf[k - 1])
            };
            alpha_of(bpo)
        })
        .collect()
}

/// `x` low-passed and decimated by 2 with a linear-phase half-band FIR whose pass band reaches
/// `pass` times the output Nyquist frequency (`y[j]` is centred on `x[2j]`, no delay).
pub(crate) fn decimate_by_2(x: &[f32], pass: f64) -> Vec<f32> {
    HalfbandDecimator::design(pass).decimate(x)
}

/// A linear-phase half-band FIR decimator by 2 (windowed sinc, Kaiser window).
///
/// `h[0] = 1/2`, `h[±m] = 0` for even `m ≠ 0`, and the odd taps are symmetric, so
/// `y[j] = x[2j]/2 + Σ_k c_k (x[2j − 2k − 1] + x[2j + 2k + 1])`. Samples beyond the ends are
/// zeros; `y` has `⌈n/2⌉` samples and `y[j]` is centred on `x[2j]` (no delay).
#[derive(Clone, Debug)]
struct HalfbandDecimator {
    /// `c_k = h[2k + 1]`, k = 0.., summing to 1/2 (unit gain at DC).
    odd_taps: Vec<f32>,
}

impl HalfbandDecimator {
    /// Design for a pass band up to `pass` times the *output* Nyquist frequency: the stop band
    /// starts at `2 − pass` times it, so nothing aliases below `pass`.
    fn design(pass: f64) -> HalfbandDecimator {
        let pass = pass.clamp(0.05, 0.98);
        // Transition width in rad/sample at the input rate: from π·pass/2 to π·(1 − pass/2).
        let width = std::f64::consts::PI * (1.0 - pass);
        let order = ((DECIMATOR_ATTENUATION_DB - 7.95) / (2.285 * width)).ceil().max(2.0) as usize;
        // Half length M odd, so that the outermost taps are non-zero.
        let mut m = order.div_ceil(2);
        if m % 2 == 0 {
            m += 1;
        }
        let beta = 0.1102 * (DECIMATOR_ATTENUATION_DB - 8.7);
        // Symmetric Kaiser window of 2M + 1 samples; β is valid, so this cannot fail.
        let window = Window::Kaiser { beta }
            .coefficients_f64(2 * m + 1, false)
            .unwrap_or_else(|_| vec![1.0; 2 * m + 1]);
        let mut taps: Vec<f64> = (0..m.div_ceil(2))
            .map(|k| {
                let n = (2 * k + 1) as f64;
                let x = std::f64::consts::FRAC_PI_2 * n;
                0.5 * x.sin() / x * window[m + 2 * k + 1]
            })
            .collect();
        let sum: f64 = taps.iter().sum();
        taps.iter_mut().for_each(|t| *t *= 0.25 / sum);
        HalfbandDecimator { odd_taps: taps.into_iter().map(|t| t as f32).collect() }
    }

    /// `x` low-passed and decimated by 2: `⌈len/2⌉` samples, unit gain in the pass band.
    ///
    /// Parallel over blocks of output; each sub-block gathers the odd input samples it needs
    /// into a small per-worker buffer (in cache), so no signal-sized scratch is allocated.
    fn decimate(&self, x: &[f32]) -> Vec<f32> {
        let n_out = x.len().div_ceil(2);
        let k = self.odd_taps.len();
        let taps = &self.odd_taps;
        let mut y = vec![0.0f32; n_out];
        y.par_chunks_mut(DECIMATE_BLOCK).enumerate().for_each_init(
            || vec![0.0f32; DECIMATE_SUB_BLOCK + 2 * k],
            |odd, (b, block)| {
                for (s, out) in block.chunks_mut(DECIMATE_SUB_BLOCK).enumerate() {
                    let j0 = b * DECIMATE_BLOCK + s * DECIMATE_SUB_BLOCK;
                    let len = out.len();
                    // odd[i] = x[2(j0 − k + i) + 1] (zero beyond the ends): the left term of tap
                    // q for output j0 + i is odd[i + k − q − 1], the right term odd[i + k + q].
                    let odd = &mut odd[..len + 2 * k];
                    let first = 2 * (j0 as isize - k as isize) + 1;
                    let last = first + 2 * (odd.len() as isize - 1);
                    if first >= 0 && (last as usize) < x.len() {
                        for (v, &s) in odd.iter_mut().zip(x[first as usize..].iter().step_by(2)) {
                            *v = s;
                        }
                    } else {
                        for (i, v) in odd.iter_mut().enumerate() {
                            let idx = first + 2 * i as isize;
                            *v = if idx >= 0 && (idx as usize) < x.len() { x[idx as usize] } else { 0.0 };
                        }
                    }
                    for (o, &e) in out.iter_mut().zip(x[2 * j0..].iter().step_by(2)) {
                        *o = 0.5 * e;
                    }
                    for (q, &c) in taps.iter().enumerate() {
                        let left = &odd[k - q - 1..k - q - 1 + len];
                        let right = &odd[k + q..k + q + len];
                        for ((o, &a), &b) in out.iter_mut().zip(left).zip(right) {
                            *o += c * (a + b);
                        }
                    }
                }
            },
        );
        y
    }
}

/// The sparse FFT-domain filters of one octave, rows in ascending frequency.
struct Octave {
    /// First output bin of this octave.
    first_bin: usize,
    /// Decimation level of the signal this octave reads (halvings of the input rate).
    level: usize,
    /// Hop at that level, in samples.
    hop: usize,
    n_fft: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    /// Row `r` holds the weights of FFT bins `first[r]..` in
    /// `weights[row_start[r]..row_start[r + 1]]`: the span from the first to the last bin that
    /// the sparsification kept, with zeros for the dropped bins inside it (a contiguous span
    /// makes the inner product a plain loop; adding exact zeros changes no sum).
    row_start: Vec<usize>,
    first: Vec<u32>,
    weights: Vec<Complex32>,
}

impl Octave {
    fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }
}

/// A constant-Q transform plan for one sample rate and configuration
/// (`librosa.cqt(y, sr=sr, ...)`): filters, FFT plans and the decimator are built once by
/// [`Cqt::new`] and reused for every signal. Cheap to share between threads.
pub struct Cqt {
    sr: f64,
    config: CqtConfig,
    freqs: Vec<f64>,
    lengths: Vec<f64>,
    early_downsample: usize,
    octaves: Vec<Octave>,
    decimator: Option<HalfbandDecimator>,
    /// Pass band of the decimator, fraction of the output Nyquist.
    pass_band: f64,
}

impl fmt::Debug for Cqt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cqt")
            .field("sr", &self.sr)
            .field("config", &self.config)
            .field("early_downsample", &self.early_downsample)
            .finish_non_exhaustive()
    }
}

/// Per-worker buffers: one set per octave (FFT sizes may differ).
struct Scratch {
    input: Vec<Vec<f32>>,
    output: Vec<Vec<Complex32>>,
    scratch: Vec<Vec<Complex32>>,
}

impl Cqt {
    /// Validate `config` for sample rate `sr` (Hz) and build the filters.
    ///
    /// Errors ([`Error::InvalidParameter`]): `sr`, `fmin` or `filter_scale` not positive and
    /// finite; `hop_length`, `n_bins` or `bins_per_octave` zero; a non-finite tuning; a sparsity
    /// outside `[0, 1)`; a custom window; filters reaching above Nyquist (the top bin too high
    /// for `sr`) or longer than 2²⁴ samples (`fmin` too low).
    pub fn new(sr: f64, config: &CqtConfig) -> Result<Cqt> {
        ensure_param!(sr.is_finite() && sr > 0.0, "the sample rate must be positive, got {sr} Hz");
        ensure_param!(config.hop_length >= 1, "hop_length must be at least 1");
        ensure_param!(
            config.fmin.is_finite() && config.fmin > 0.0,
            "fmin must be positive, got {} Hz",
            config.fmin
        );
        ensure_param!(config.n_bins >= 1, "n_bins must be at least 1");
        ensure_param!(config.n_bins <= 100_000, "n_bins {} is absurdly large", config.n_bins);
        ensure_param!(config.bins_per_octave >= 1, "bins_per_octave must be at least 1");
        ensure_param!(
            config.bins_per_octave <= 10_000,
            "bins_per_octave {} is absurdly large",
            config.bins_per_octave
        );
        ensure_param!(config.tuning.is_finite(), "the tuning must be finite");
        ensure_param!(
            config.filter_scale.is_finite() && config.filter_scale > 0.0,
            "filter_scale must be positive, got {}",
            config.filter_scale
        );
        ensure_param!(
            config.sparsity.is_finite() && (0.0..1.0).contains(&config.sparsity),
            "sparsity must be in [0, 1), got {}",
            config.sparsity
        );
        let bandwidth = window_bandwidth(&config.window)?;
        let bpo = config.bins_per_octave;
        let n_bins = config.n_bins;
        let n_octaves = n_bins.div_ceil(bpo);
        let n_filters = bpo.min(n_bins);

        let fmin = config.fmin * 2f64.powf(config.tuning / bpo as f64);
        let ratios: Vec<f64> = (0..bpo).map(|k| 2f64.powf(k as f64 / bpo as f64)).collect();
        let freqs: Vec<f64> =
            (0..n_bins).map(|k| 2f64.powi((k / bpo) as i32) * ratios[k % bpo] * fmin).collect();
        let alpha = relative_bandwidths(&freqs, bpo);
        let q: Vec<f64> = alpha.iter().map(|a| config.filter_scale / a).collect();

        let nyquist = sr / 2.0;
        let cutoff =
            freqs.iter().zip(&q).map(|(f, q)| f * (1.0 + 0.5 * bandwidth / q)).fold(0.0f64, f64::max);
        ensure_param!(
            cutoff.partial_cmp(&nyquist) != Some(std::cmp::Ordering::Greater) && cutoff.is_finite(),
            "the CQT filters reach {cutoff:.1} Hz, above the Nyquist frequency {nyquist} Hz: lower fmin or n_bins"
        );

        // Early downsampling (librosa's rule): as many halvings as keep the top octave below
        // half the new Nyquist and leave the hop divisible by 2 for every octave.
        let count_band = ((nyquist / cutoff).log2().ceil() as i64 - 2).max(0) as usize;
        let count_hop = (config.hop_length.trailing_zeros() as usize + 1).saturating_sub(n_octaves);
        let early = count_band.min(count_hop);
        let sr_early = sr / 2f64.powi(early as i32);
        let lengths: Vec<f64> = q.iter().zip(&freqs).map(|(q, f)| q * sr_early / f).collect();
        ensure_param!(
            lengths.iter().all(|&l| l <= MAX_N_FFT as f64),
            "the lowest CQT filter would be {:.0} samples long (fmin too low for this rate)",
            lengths[0]
        );

        let mut planner = RealFftPlanner::<f64>::new();
        let mut planner32 = RealFftPlanner::<f32>::new();
        let mut octaves = Vec::with_capacity(n_octaves);
        let mut hop = config.hop_length >> early;
        let mut level = early;
        let mut pass_band = 0.0f64;
        for i in 0..n_octaves {
            let end = n_bins - n_filters * i;
            let start = n_bins.saturating_sub(n_filters * (i + 1));
            let sr_oct = sr_early / 2f64.powi((level - early) as i32);
            let (n_fft, row_start, first, weights) =
                octave_filters(&freqs[start..end], &q[start..end], sr_oct, config, &mut planner)?;
            let fft = planner32.plan_fft_forward(n_fft);
            let mut octave = Octave { first_bin: start, level, hop, n_fft, fft, row_start, first, weights };
            if level >= 1 {
                let top = (0..octave.n_rows())
                    .map(|r| octave.first[r] as usize + octave.row_start[r + 1] - octave.row_start[r] - 1)
                    .max()
                    .unwrap_or(0) as f64;
                pass_band = pass_band.max(2.0 * top / octave.n_fft as f64);
            }
            // Factors of the decimation that the filters compensate (see the module docs).
            let d = (level - early) as f64;
            for r in 0..octave.n_rows() {
                let k = start + r;
                let factor = 2f64.powf(d / 2.0)
                    * 2f64.powf(level as f64 / 2.0)
                    * if config.scale { 1.0 / lengths[k].sqrt() } else { 2f64.powf(early as f64 / 2.0) };
                for w in &mut octave.weights[octave.row_start[r]..octave.row_start[r + 1]] {
                    *w = Complex32::new((w.re as f64 * factor) as f32, (w.im as f64 * factor) as f32);
                }
            }
            octaves.push(octave);
            if hop % 2 == 0 && i + 1 < n_octaves {
                hop /= 2;
                level += 1;
            }
        }
        let max_level = octaves.iter().map(|o| o.level).max().unwrap_or(0);
        let decimator = (max_level > 0).then(|| HalfbandDecimator::design(pass_band));
        Ok(Cqt {
            sr,
            config: config.clone(),
            freqs,
            lengths,
            early_downsample: early,
            octaves,
            decimator,
            pass_band,
        })
    }

    /// The configuration of this plan.
    pub fn config(&self) -> &CqtConfig {
        &self.config
    }

    /// Sample rate in Hz.
    pub fn sr(&self) -> f64 {
        self.sr
    }

    /// Number of bins.
    pub fn n_bins(&self) -> usize {
        self.freqs.len()
    }

    /// Centre frequency of each bin in Hz, tuning included (`librosa.cqt_frequencies`).
    pub fn frequencies(&self) -> &[f64] {
        &self.freqs
    }

    /// Length of each bin's filter in samples at the rate of the first octave (after early
    /// downsampling), as used by `scale`.
    pub fn filter_lengths(&self) -> &[f64] {
        &self.lengths
    }

    /// Number of halvings of the sample rate before the top octave (librosa's early
    /// downsampling; 0 for the defaults at 22.05 kHz).
    pub fn early_downsampling(&self) -> usize {
        self.early_downsample
    }

    /// Pass band of the decimator as a fraction of the decimated Nyquist frequency: the
    /// highest frequency any sparsified filter of a decimated octave reads (0 when no octave is
    /// decimated).
    pub fn decimator_pass_band(&self) -> f64 {
        self.pass_band
    }

    /// Number of frames for a signal of `len` samples: librosa's `1 + len / hop` at each
    /// octave's rate and hop, the smallest over the octaves.
    pub fn n_frames(&self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        self.octaves
            .iter()
            .map(|o| {
                let n = len.div_ceil(1 << o.level);
                1 + n / o.hop
            })
            .min()
            .unwrap_or(0)
    }

    /// Complex CQT of `y` (`librosa.cqt(y, ...)`): `n_bins` values per frame, frame `t` centred
    /// on sample `t · hop_length`, bin 0 the lowest.
    ///
    /// Errors: an empty signal. Non-finite samples give non-finite values.
    pub fn forward(&self, y: &[f32]) -> Result<ComplexSpectrogram> {
        self.compute(y, |c| c)
    }

    /// Magnitude CQT `|CQT(y)|` (`np.abs(librosa.cqt(y, ...))`).
    ///
    /// Errors: an empty signal.
    pub fn magnitude(&self, y: &[f32]) -> Result<Spectrogram> {
        self.compute(y, |c| (c.re * c.re + c.im * c.im).sqrt())
    }

    fn compute<T, F>(&self, y: &[f32], map: F) -> Result<FrameMatrix<T>>
    where
        T: Element,
        F: Fn(Complex32) -> T + Sync,
    {
        if y.is_empty() {
            return Err(Error::InvalidInput("the CQT of an empty signal is undefined".into()));
        }
        // Signals at every decimation level that an octave reads.
        let max_level = self.octaves.iter().map(|o| o.level).max().unwrap_or(0);
        let mut levels: Vec<Cow<'_, [f32]>> = vec![Cow::Borrowed(y)];
        if let Some(decimator) = &self.decimator {
            for _ in 0..max_level {
                let next = decimator.decimate(levels[levels.len() - 1].as_ref());
                levels.push(Cow::Owned(next));
            }
        }
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(y.len());
        let mut out = FrameMatrix::<T>::zeros(n_bins, n_frames);
        let make_scratch = || Scratch {
            input: self.octaves.iter().map(|o| o.fft.make_input_vec()).collect(),
            output: self.octaves.iter().map(|o| o.fft.make_output_vec()).collect(),
            scratch: self.octaves.iter().map(|o| o.fft.make_scratch_vec()).collect(),
        };
        out.as_mut_slice().par_chunks_mut(FRAMES_PER_TASK * n_bins).enumerate().for_each_init(
            make_scratch,
            |buf, (chunk, rows)| {
                for (i, row) in rows.chunks_exact_mut(n_bins).enumerate() {
                    let t = chunk * FRAMES_PER_TASK + i;
                    for (o, octave) in self.octaves.iter().enumerate() {
                        let signal = levels[octave.level].as_ref();
                        let input = &mut buf.input[o];
                        fill_frame(signal, t * octave.hop, input);
                        // Lengths are fixed by the plan, so the transform cannot fail.
                        let _ =
                            octave.fft.process_with_scratch(input, &mut buf.output[o], &mut buf.scratch[o]);
                        let spec = &buf.output[o];
                        let dest = &mut row[octave.first_bin..octave.first_bin + octave.n_rows()];
                        for (r, d) in dest.iter_mut().enumerate() {
                            let (a, b) = (octave.row_start[r], octave.row_start[r + 1]);
                            let m = octave.first[r] as usize;
                            *d = map(dot(&octave.weights[a..b], &spec[m..m + (b - a)]));
                        }
                    }
                }
            },
        );
        Ok(out)
    }
}

/// `Σ w·x` with four interleaved accumulators (vectorisable; a fixed order, so deterministic).
fn dot(w: &[Complex32], x: &[Complex32]) -> Complex32 {
    let mut acc = [Complex32::new(0.0, 0.0); 4];
    let (wc, wr) = w.split_at(w.len() - w.len() % 4);
    let (xc, xr) = x.split_at(wc.len());
    for (w4, x4) in wc.chunks_exact(4).zip(xc.chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += w4[l] * x4[l];
        }
    }
    for (l, (&w, &x)) in wr.iter().zip(xr).enumerate() {
        acc[l] += w * x;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// Frame of `n = input.len()` samples of `signal` centred on sample `centre` (zeros beyond
/// the ends), rectangular window.
fn fill_frame(signal: &[f32], centre: usize, input: &mut [f32]) {
    let n = input.len();
    let start = centre as isize - (n / 2) as isize;
    let lo = start.max(0) as usize;
    let hi = ((start + n as isize).max(0) as usize).min(signal.len());
    if lo >= hi {
        input.fill(0.0);
        return;
    }
    let off = (lo as isize - start) as usize;
    input[..off].fill(0.0);
    input[off..off + (hi - lo)].copy_from_slice(&signal[lo..hi]);
    input[off + (hi - lo)..].fill(0.0);
}

/// Filters of one octave: FFT size, row starts, first FFT bin of each row, weights.
type OctaveFilters = (usize, Vec<usize>, Vec<u32>, Vec<Complex32>);

/// The FFT-domain filters of one octave at rate `sr_oct` (librosa's `__vqt_filter_fft`):
/// unscaled, sparsified, rows in ascending frequency; `q` are the bins' quality factors.
fn octave_filters(
    freqs: &[f64],
    q: &[f64],
    sr_oct: f64,
    config: &CqtConfig,
    planner: &mut RealFftPlanner<f64>,
) -> Result<OctaveFilters> {
    let lengths: Vec<f64> = q.iter().zip(freqs).map(|(q, f)| q * sr_oct / f).collect();
    let max_len = lengths.iter().copied().fold(0.0f64, f64::max);
    let n_fft = (max_len.log2().ceil().exp2() as usize).max(2);
    ensure_param!(n_fft <= MAX_N_FFT, "a CQT filter of {max_len:.0} samples is too long");
    let fft = planner.plan_fft_forward(n_fft);
    let mut re_in = fft.make_input_vec();
    let mut im_in = fft.make_input_vec();
    let mut re_out = fft.make_output_vec();
    let mut im_out = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let n_out = n_fft / 2 + 1;

    let mut row_start = vec![0usize];
    let mut first_bins = Vec::new();
    let mut weights = Vec::new();
    let mut spectrum = vec![Complex::<f64>::new(0.0, 0.0); n_out];
    let mut mags = vec![0.0f64; n_out];
    let mut sorted = vec![0.0f64; n_out];
    for (&f, &len) in freqs.iter().zip(&lengths) {
        // librosa: np.arange(-len // 2, len // 2) with a fractional len.
        let first = (-len / 2.0).floor();
        let count = ((len / 2.0).floor() - first) as usize;
        let count = count.clamp(1, n_fft);
        let window = config.window.coefficients_f64(count, true)?;
        let omega = 2.0 * std::f64::consts::PI * f / sr_oct;
        let mut filt: Vec<Complex<f64>> = window
            .iter()
            .enumerate()
            .map(|(j, &w)| Complex::from_polar(w, omega * (first + j as f64)))
            .collect();
        if let Some(norm) = config.norm {
            let n = match norm {
                Norm::L1 => filt.iter().map(|z| z.norm()).sum::<f64>(),
                Norm::L2 => filt.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt(),
                Norm::Inf => filt.iter().fold(0.0f64, |m, z| m.max(z.norm())),
            };
            if n >= f64::MIN_POSITIVE {
                filt.iter_mut().for_each(|z| *z /= n);
            }
        }
        let gain = len / n_fft as f64;
        let left = (n_fft - count) / 2;
        re_in.fill(0.0);
        im_in.fill(0.0);
        for (j, z) in filt.iter().enumerate() {
            re_in[left + j] = z.re * gain;
            im_in[left + j] = z.im * gain;
        }
        // FFT of a complex sequence from two real FFTs: Z = A + iB.
        fft.process_with_scratch(&mut re_in, &mut re_out, &mut scratch)
            .map_err(|e| Error::InvalidParameter(format!("CQT filter FFT: {e}")))?;
        fft.process_with_scratch(&mut im_in, &mut im_out, &mut scratch)
            .map_err(|e| Error::InvalidParameter(format!("CQT filter FFT: {e}")))?;
        for ((s, a), b) in spectrum.iter_mut().zip(&re_out).zip(&im_out) {
            *s = Complex::new(a.re - b.im, a.im + b.re);
        }
        // Sparsify (librosa.util.sparsify_rows): drop the smallest values that together hold
        // less than `sparsity` of the row's L1 mass.
        for (m, s) in mags.iter_mut().zip(&spectrum) {
            *m = s.norm();
        }
        sorted.copy_from_slice(&mags);
        sorted.sort_by(f64::total_cmp);
        let total: f64 = mags.iter().sum();
        let mut cum = 0.0;
        let mut threshold = sorted[0];
        for &v in &sorted {
            cum += v / total;
            if cum >= config.sparsity {
                threshold = v;
                break;
            }
        }
        let lo = mags.iter().position(|&m| m >= threshold).unwrap_or(0);
        let hi = mags.iter().rposition(|&m| m >= threshold).unwrap_or(0);
        first_bins.push(lo as u32);
        for (&mag, s) in mags[lo..=hi].iter().zip(&spectrum[lo..=hi]) {
            let w = if mag >= threshold {
                Complex32::new(s.re as f32, s.im as f32)
            } else {
                Complex32::new(0.0, 0.0)
            };
            weights.push(w);
        }
        row_start.push(weights.len());
    }
    Ok((n_fft, row_start, first_bins, weights))
}

/// Constant-Q transform magnitudes of `y` at `sr` Hz (`np.abs(librosa.cqt(y, sr=sr, ...))`):
/// `config.n_bins` values per frame, bin 0 the lowest. Builds a [`Cqt`] plan; keep one to
/// transform many signals.
///
/// Errors: see [`Cqt::new`]; an empty signal.
pub fn cqt(y: &[f32], sr: f64, config: &CqtConfig) -> Result<Spectrogram> {
    Cqt::new(sr, config)?.magnitude(y)
}

/// Parameters of [`chroma_cqt`]; `Default` is `librosa.feature.chroma_cqt`'s: hop 512, 7
/// octaves of 36 bins from C1, 12 pitch classes, tuning estimated, max-normalised frames,
/// no threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct ChromaCqtConfig {
    /// Hop between frames in samples (see [`CqtConfig::hop_length`]).
    pub hop_length: usize,
    /// Centre of the lowest CQT bin in Hz, before tuning; also fixes which CQT bins belong to
    /// which pitch class.
    pub fmin: f64,
    /// Number of pitch classes (≥ 1); `bins_per_octave` must be a multiple of it.
    pub n_chroma: usize,
    /// Octaves of the CQT (≥ 1).
    pub n_octaves: usize,
    /// CQT bins per octave.
    pub bins_per_octave: usize,
    /// Tuning offset in fractions of a CQT bin; `None` estimates it with
    /// [`crate::tonal::tuning::estimate_tuning`] (0 when it finds no tonal peak), as librosa
    /// estimates it when not given.
    pub tuning: Option<f64>,
    /// Normalisation of each frame (`None`: none; librosa: ∞, max = 1).
    pub norm: Option<Norm>,
    /// Values below this are set to 0 before normalising.
    pub threshold: f32,
}

impl Default for ChromaCqtConfig {
    fn default() -> Self {
        ChromaCqtConfig {
            hop_length: 512,
            fmin: C1_HZ,
            n_chroma: 12,
            n_octaves: 7,
            bins_per_octave: 36,
            tuning: None,
            norm: Some(Norm::Inf),
            threshold: 0.0,
        }
    }
}

/// Constant-Q chromagram (`librosa.feature.chroma_cqt(y=y, sr=sr, ...)`): the magnitude CQT
/// folded onto `n_chroma` pitch classes by [`cqt_to_chroma`], thresholded and normalised per
/// frame. Row 0 is C.
///
/// Errors: see [`Cqt::new`]; `bins_per_octave` not a multiple of `n_chroma`; an empty signal.
pub fn chroma_cqt(y: &[f32], sr: f64, config: &ChromaCqtConfig) -> Result<Spectrogram> {
    ensure_param!(config.n_chroma >= 1, "n_chroma must be at least 1");
    ensure_param!(config.n_octaves >= 1, "n_octaves must be at least 1");
    ensure_param!(
        config.bins_per_octave >= 1 && config.bins_per_octave % config.n_chroma == 0,
        "bins_per_octave {} must be a multiple of n_chroma {}",
        config.bins_per_octave,
        config.n_chroma
    );
    ensure_param!(config.threshold.is_finite(), "the threshold must be finite");
    if y.is_empty() {
        return Err(Error::InvalidInput("the chroma of an empty signal is undefined".into()));
    }
    let tuning = match config.tuning {
        Some(t) => t,
        None => match crate::tonal::tuning::estimate_tuning(y, sr) {
            Ok(t) => t.bins(config.bins_per_octave),
            Err(e) if e.is_no_result() => 0.0,
            Err(e) => return Err(e),
        },
    };
    let cqt_config = CqtConfig {
        hop_length: config.hop_length,
        fmin: config.fmin,
        n_bins: config.n_octaves.saturating_mul(config.bins_per_octave),
        bins_per_octave: config.bins_per_octave,
        tuning,
        ..CqtConfig::default()
    };
    let c = Cqt::new(sr, &cqt_config)?.magnitude(y)?;
    let mut chroma = cqt_to_chroma(&c, config.bins_per_octave, config.n_chroma, config.fmin)?;
    if config.threshold > 0.0 {
        chroma.map_in_place(|v| if v < config.threshold { 0.0 } else { v });
    }
    if let Some(norm) = config.norm {
        normalize_frames(&mut chroma, norm);
    }
    Ok(chroma)
}

/// Fold a CQT magnitude spectrogram (bin 0 at `fmin` Hz, `bins_per_octave` bins per octave)
/// onto `n_chroma` pitch classes, row 0 = C (`librosa.filters.cq_to_chroma` applied as in
/// `chroma_cqt`): each pitch class sums the `bins_per_octave / n_chroma` CQT bins centred on
/// it in every octave. Not normalised.
///
/// Errors: `bins_per_octave` not a positive multiple of `n_chroma`, `fmin` not positive.
pub fn cqt_to_chroma(
    cqt: &Spectrogram,
    bins_per_octave: usize,
    n_chroma: usize,
    fmin: f64,
) -> Result<Spectrogram> {
    ensure_param!(n_chroma >= 1, "n_chroma must be at least 1");
    ensure_param!(
        bins_per_octave >= 1 && bins_per_octave % n_chroma == 0,
        "bins_per_octave {bins_per_octave} must be a multiple of n_chroma {n_chroma}"
    );
    ensure_param!(fmin.is_finite() && fmin > 0.0, "fmin must be positive, got {fmin} Hz");
    let merge = bins_per_octave / n_chroma;
    // Pitch class of fmin, counted from C, in chroma bins.
    let roll = (hz_to_midi(fmin).rem_euclid(12.0) * n_chroma as f64 / 12.0).round_ties_even() as i64;
    let class: Vec<usize> = (0..cqt.n_bins())
        .map(|j| {
            let within = (j % bins_per_octave + merge / 2) % bins_per_octave;
            ((within / merge) as i64 + roll).rem_euclid(n_chroma as i64) as usize
        })
        .collect();
    let mut out = Spectrogram::zeros(n_chroma, cqt.n_frames());
    for (o, frame) in out.frames_mut().zip(cqt.frames()) {
        for (&c, &v) in class.iter().zip(frame) {
            o[c] += v;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfband_response() {
        for pass in [0.4, 0.6, 0.9] {
            let d = HalfbandDecimator::design(pass);
            // Full impulse response h[n], n = −M..M, from the odd taps.
            let k = d.odd_taps.len();
            let m = 2 * k - 1;
            let mut h = vec![0.0f64; 2 * m + 1];
            h[m] = 0.5;
            for (q, &c) in d.odd_taps.iter().enumerate() {
                h[m + 2 * q + 1] = c as f64;
                h[m - 2 * q - 1] = c as f64;
            }
            let gain = |w: f64| -> f64 {
                h.iter().enumerate().map(|(n, &c)| c * (w * (n as f64 - m as f64)).cos()).sum::<f64>().abs()
            };
            // Pass band up to π·pass/2, stop band from π(1 − pass/2) (input rate).
            for i in 0..=100 {
                let w = std::f64::consts::PI * pass / 2.0 * i as f64 / 100.0;
                assert!((gain(w) - 1.0).abs() < 2e-6, "pass {pass}: {} at {w}", gain(w));
                let w = std::f64::consts::PI * (1.0 - pass / 2.0 + pass / 2.0 * i as f64 / 100.0);
                assert!(gain(w) < 2e-6, "stop {pass}: {} at {w}", gain(w));
            }
        }
    }

    #[test]
    fn decimation_keeps_a_tone_in_place() {
        let d = HalfbandDecimator::design(0.5);
        let x: Vec<f32> = (0..4001).map(|i| (0.1 * i as f32).sin()).collect();
        let y = d.decimate(&x);
        assert_eq!(y.len(), 2001);
        for (j, v) in y.iter().enumerate().take(1900).skip(100) {
            assert!((v - (0.2 * j as f32).sin()).abs() < 1e-5, "{j}");
        }
    }

    #[test]
    fn fill_frame_edges() {
        let s = [1.0, 2.0, 3.0];
        let mut f = [9.0f32; 4];
        fill_frame(&s, 0, &mut f);
        assert_eq!(f, [0.0, 0.0, 1.0, 2.0]);
        fill_frame(&s, 2, &mut f);
        assert_eq!(f, [1.0, 2.0, 3.0, 0.0]);
        fill_frame(&s, 9, &mut f);
        assert_eq!(f, [0.0; 4]);
    }

    #[test]
    fn relative_bandwidth_of_semitones() {
        let freqs: Vec<f64> = (0..4).map(|k| 100.0 * 2f64.powf(k as f64 / 12.0)).collect();
        let a = relative_bandwidths(&freqs, 12);
        let r = 2f64.powf(2.0 / 12.0);
        for v in a {
            assert!((v - (r - 1.0) / (r + 1.0)).abs() < 1e-12);
        }
    }

    #[test]
    fn chroma_map_classes() {
        // 36 bins per octave from C1: bins 35, 0, 1 are C; 2, 3, 4 are C#.
        let c = Spectrogram::new(72, 1, (0..72).map(|j| j as f32).collect()).unwrap();
        let ch = cqt_to_chroma(&c, 36, 12, C1_HZ).unwrap();
        assert_eq!(ch.get(0, 0), (35 + 1 + 71 + 36 + 37) as f32);
        assert_eq!(ch.get(1, 0), (2 + 3 + 4 + 38 + 39 + 40) as f32);
        // From A1 instead: bin 0 is A.
        let a1 = 55.0;
        let ch = cqt_to_chroma(&c, 36, 12, a1).unwrap();
        assert_eq!(ch.get(9, 0), (35 + 1 + 71 + 36 + 37) as f32);
    }
}
