//! Short-time Fourier transform and its inverse (`librosa.stft` / `librosa.istft`, 0.11).
//!
//! An [`Stft`] is a plan: the window and the realfft forward/inverse plans are made once by
//! [`Stft::new`] and reused for every signal. Frames are transformed in parallel (rayon) in
//! fixed-size groups; each worker owns its buffers, nothing is allocated per frame, and each
//! frame's result depends only on its samples, so the output is bit-for-bit the same whatever
//! the number of threads.

use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::spectrogram::{ComplexSpectrogram, Spectrogram};
use super::window::Window;
use crate::{Result, ensure_param};

/// Frames per parallel task: big enough that rayon's overhead vanishes next to the FFTs,
/// small enough to balance two to a few dozen cores on a track. Fixed, so results do not
/// depend on the thread count.
const FRAMES_PER_TASK: usize = 64;

/// Largest accepted FFT size (2²⁴ samples, 6 minutes at 44.1 kHz): larger is surely a mistake.
pub const MAX_N_FFT: usize = 1 << 24;

/// How a centred STFT extends the signal beyond its ends (numpy's `np.pad` modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PadMode {
    /// Zeros (librosa ≥ 0.10 default, `pad_mode="constant"`).
    #[default]
    Constant,
    /// Mirror without repeating the edge sample: `d c b | a b c d | c b a` (`"reflect"`,
    /// librosa's default before 0.10).
    Reflect,
    /// Mirror repeating the edge sample: `b a | a b c d | d c` (`"symmetric"`).
    Symmetric,
    /// Repeat the edge sample (`"edge"`).
    Edge,
}

/// Parameters of an STFT. `Default` gives librosa 0.11's defaults: `n_fft` 2048, hop 512,
/// full-length Hann window, centred frames, zero padding.
#[derive(Clone, Debug, PartialEq)]
pub struct StftConfig {
    /// FFT size in samples (≥ 2); the STFT has `n_fft / 2 + 1` bins.
    pub n_fft: usize,
    /// Hop between frames in samples (≥ 1).
    pub hop_length: usize,
    /// Window length in samples (`None`: `n_fft`); a shorter window is centred and zero-padded
    /// to `n_fft`.
    pub win_length: Option<usize>,
    /// Window function (periodic).
    pub window: Window,
    /// Centre frame `t` on sample `t * hop_length` by padding `n_fft / 2` samples on each side
    /// (`true`), or start it there (`false`).
    pub center: bool,
    /// Padding used when `center` is true.
    pub pad_mode: PadMode,
}

impl Default for StftConfig {
    fn default() -> Self {
        StftConfig::with_n_fft(2048)
    }
}

impl StftConfig {
    /// librosa's defaults for this FFT size: hop `n_fft / 4` (at least 1), Hann, centred, zeros.
    pub fn with_n_fft(n_fft: usize) -> StftConfig {
        StftConfig {
            n_fft,
            hop_length: (n_fft / 4).max(1),
            win_length: None,
            window: Window::Hann,
            center: true,
            pad_mode: PadMode::Constant,
        }
    }

    /// Number of frames for a signal of `len` samples (librosa's count; 0 for an empty signal
    /// and for an uncentred signal shorter than `n_fft`).
    ///
    /// Centred: the signal is padded by `n_fft / 2` on each side, giving
    /// `1 + (len + 2·⌊n_fft/2⌋ − n_fft) / hop`, i.e. `1 + len / hop` for an even `n_fft`.
    pub fn n_frames(&self, len: usize) -> usize {
        if len == 0 || self.hop_length == 0 {
            return 0;
        }
        let padded = if self.center { len + 2 * (self.n_fft / 2) } else { len };
        if padded < self.n_fft { 0 } else { 1 + (padded - self.n_fft) / self.hop_length }
    }
}

/// A reusable STFT plan (`librosa.stft` / `librosa.istft`), cheap to clone and share
/// between threads.
#[derive(Clone)]
pub struct Stft {
    config: StftConfig,
    /// Periodic window padded to `n_fft`.
    window: Vec<f32>,
    /// Squared window (for the inverse's normalisation).
    window_sq: Vec<f32>,
    /// Non-zero span of the padded window: `[win_start, win_end)`.
    win_start: usize,
    win_end: usize,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
}

impl fmt::Debug for Stft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stft").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Per-worker buffers for the forward transform.
struct ForwardScratch {
    input: Vec<f32>,
    output: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Stft {
    /// Validate `config` and build the window and FFT plans.
    ///
    /// Errors ([`crate::Error::InvalidParameter`]): `n_fft < 2` or above [`MAX_N_FFT`],
    /// `hop_length == 0`, a window length of 0 or above `n_fft`, a bad window (see
    /// [`Window::periodic`]).
    pub fn new(config: StftConfig) -> Result<Stft> {
        let n_fft = config.n_fft;
        ensure_param!(n_fft >= 2, "n_fft must be at least 2, got {n_fft}");
        ensure_param!(n_fft <= MAX_N_FFT, "n_fft {n_fft} is larger than the maximum {MAX_N_FFT}");
        ensure_param!(config.hop_length >= 1, "hop_length must be at least 1");
        let win_length = config.win_length.unwrap_or(n_fft);
        ensure_param!(win_length >= 1, "win_length must be at least 1");
        ensure_param!(win_length <= n_fft, "win_length {win_length} is larger than n_fft {n_fft}");
        let window = config.window.padded(win_length, n_fft)?;
        let window_sq = window.iter().map(|w| w * w).collect();
        let win_start = (n_fft - win_length) / 2;
        let win_end = win_start + win_length;
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(n_fft);
        let inverse = planner.plan_fft_inverse(n_fft);
        Ok(Stft { config, window, window_sq, win_start, win_end, forward, inverse })
    }

    /// The configuration of this plan.
    pub fn config(&self) -> &StftConfig {
        &self.config
    }

    /// FFT size in samples.
    pub fn n_fft(&self) -> usize {
        self.config.n_fft
    }

    /// Hop in samples.
    pub fn hop_length(&self) -> usize {
        self.config.hop_length
    }

    /// Number of frequency bins, `n_fft / 2 + 1`.
    pub fn n_bins(&self) -> usize {
        self.config.n_fft / 2 + 1
    }

    /// Number of frames for a signal of `len` samples (see [`StftConfig::n_frames`]).
    pub fn n_frames(&self, len: usize) -> usize {
        self.config.n_frames(len)
    }

    /// The analysis window, padded to `n_fft` (dimensionless).
    pub fn window(&self) -> &[f32] {
        &self.window
    }

    /// Complex STFT of `y` (`librosa.stft`): `n_fft / 2 + 1` bins × [`Stft::n_frames`] frames,
    /// unnormalised (a full-scale sine of amplitude A peaks near `A · Σw / 2`).
    ///
    /// An empty signal, or an uncentred one shorter than `n_fft`, gives 0 frames (librosa
    /// returns one frame of zeros, resp. raises). Non-finite samples give non-finite bins.
    pub fn forward(&self, y: &[f32]) -> ComplexSpectrogram {
        let mut out = ComplexSpectrogram::zeros(self.n_bins(), 0);
        self.forward_into(y, &mut out);
        out
    }

    /// [`Stft::forward`] into an existing spectrogram, reusing its memory (worth it when many
    /// signals are analysed in turn: first-touching a fresh 100 MB buffer costs about as much
    /// as the FFTs).
    pub fn forward_into(&self, y: &[f32], out: &mut ComplexSpectrogram) {
        let n_bins = self.n_bins();
        out.reshape_for_overwrite(n_bins, self.n_frames(y.len()));
        self.for_each_frame(y, out.as_mut_slice(), n_bins, |spec, row| row.copy_from_slice(spec));
    }

    /// Magnitude spectrogram `|STFT(y)|` (`np.abs(librosa.stft(y))`).
    pub fn magnitude(&self, y: &[f32]) -> Spectrogram {
        let mut out = Spectrogram::zeros(self.n_bins(), 0);
        self.magnitude_into(y, &mut out);
        out
    }

    /// [`Stft::magnitude`] into an existing spectrogram, reusing its memory.
    pub fn magnitude_into(&self, y: &[f32], out: &mut Spectrogram) {
        self.real_spectrogram_into(y, out, |c| (c.re * c.re + c.im * c.im).sqrt());
    }

    /// Power spectrogram `|STFT(y)|²` (`np.abs(librosa.stft(y))**2`).
    pub fn power(&self, y: &[f32]) -> Spectrogram {
        let mut out = Spectrogram::zeros(self.n_bins(), 0);
        self.power_into(y, &mut out);
        out
    }

    /// [`Stft::power`] into an existing spectrogram, reusing its memory.
    pub fn power_into(&self, y: &[f32], out: &mut Spectrogram) {
        self.real_spectrogram_into(y, out, |c| c.re * c.re + c.im * c.im);
    }

    /// `|STFT(y)|^p` for an exponent `p > 0` (librosa's `power` argument of
    /// `melspectrogram`); 1 and 2 take the fast paths of [`Stft::magnitude`] and
    /// [`Stft::power`].
    pub fn magnitude_pow(&self, y: &[f32], p: f32) -> Result<Spectrogram> {
        ensure_param!(p.is_finite() && p > 0.0, "the spectrogram exponent must be positive, got {p}");
        Ok(if p == 1.0 {
            self.magnitude(y)
        } else if p == 2.0 {
            self.power(y)
        } else {
            let half = p / 2.0;
            let mut out = Spectrogram::zeros(self.n_bins(), 0);
            self.real_spectrogram_into(y, &mut out, move |c| (c.re * c.re + c.im * c.im).powf(half));
            out
        })
    }

    fn real_spectrogram_into<F: Fn(Complex32) -> f32 + Sync>(&self, y: &[f32], out: &mut Spectrogram, f: F) {
        let n_bins = self.n_bins();
        out.reshape_for_overwrite(n_bins, self.n_frames(y.len()));
        self.for_each_frame(y, out.as_mut_slice(), n_bins, |spec, row| {
            row.iter_mut().zip(spec).for_each(|(o, &c)| *o = f(c));
        });
    }

    /// Transform every frame of `y` and let `write` turn its spectrum into row `t` of `out`
    /// (`width` values per row). Parallel over groups of [`FRAMES_PER_TASK`] frames.
    fn for_each_frame<T, W>(&self, y: &[f32], out: &mut [T], width: usize, write: W)
    where
        T: Send,
        W: Fn(&[Complex32], &mut [T]) + Sync,
    {
        if out.is_empty() {
            return;
        }
        let make_scratch = || ForwardScratch {
            input: self.forward.make_input_vec(),
            output: self.forward.make_output_vec(),
            scratch: self.forward.make_scratch_vec(),
        };
        let task = |buf: &mut ForwardScratch, (chunk_index, rows): (usize, &mut [T])| {
            let first = chunk_index * FRAMES_PER_TASK;
            for (i, row) in rows.chunks_exact_mut(width).enumerate() {
                self.frame_spectrum(y, first + i, buf);
                write(&buf.output, row);
            }
        };
        let chunk = FRAMES_PER_TASK * width;
        if out.len() <= chunk {
            let mut buf = make_scratch();
            task(&mut buf, (0, out));
        } else {
            out.par_chunks_mut(chunk).enumerate().for_each_init(make_scratch, task);
        }
    }

    /// Window frame `t` of `y` (padded as configured) into `buf.input` and transform it into
    /// `buf.output`.
    fn frame_spectrum(&self, y: &[f32], t: usize, buf: &mut ForwardScratch) {
        let n_fft = self.config.n_fft;
        let pad = if self.config.center { (n_fft / 2) as isize } else { 0 };
        let start = (t * self.config.hop_length) as isize - pad;
        let (ws, we) = (self.win_start, self.win_end);
        let input = &mut buf.input;
        input[..ws].fill(0.0);
        input[we..].fill(0.0);
        let lo = start + ws as isize;
        let hi = start + we as isize;
        if lo >= 0 && hi as usize <= y.len() {
            let seg = &y[lo as usize..hi as usize];
            for ((x, &s), &w) in input[ws..we].iter_mut().zip(seg).zip(&self.window[ws..we]) {
                *x = s * w;
            }
        } else {
            for (i, (x, &w)) in input[ws..we].iter_mut().zip(&self.window[ws..we]).enumerate() {
                *x = padded_sample(y, start + (ws + i) as isize, self.config.pad_mode) * w;
            }
        }
        // Lengths are fixed by the plan, so the transform cannot fail.
        self.forward
            .process_with_scratch(input, &mut buf.output, &mut buf.scratch)
            .expect("internal: FFT buffer sizes match the plan");
    }

    /// Inverse STFT (`librosa.istft`): inverse FFT of each frame, window, overlap-add and divide
    /// by the window's sum-square envelope where it exceeds the smallest normal `f32`.
    ///
    /// With `center`, the first `n_fft / 2` samples (the padding) are dropped. `length` fixes
    /// the output length (zero-filled beyond the last frame, truncated otherwise); without it the
    /// output has `n_fft + hop·(n_frames − 1)` samples, minus `2·⌊n_fft/2⌋` when centred.
    /// An STFT of the same plan is inverted exactly (to `f32` rounding) wherever the window
    /// envelope is not ~0. The imaginary parts of the DC and Nyquist bins are ignored.
    ///
    /// Errors: `spec` does not have `n_fft / 2 + 1` bins; `length` exceeds
    /// `n_fft + hop · n_frames` (only zeros could lie beyond; librosa would zero-fill).
    pub fn inverse(&self, spec: &ComplexSpectrogram, length: Option<usize>) -> Result<Vec<f32>> {
        let n_fft = self.config.n_fft;
        let hop = self.config.hop_length;
        ensure_param!(
            spec.n_bins() == self.n_bins(),
            "the spectrogram has {} bins but an FFT of size {n_fft} has {}",
            spec.n_bins(),
            self.n_bins()
        );
        let pad = if self.config.center { n_fft / 2 } else { 0 };
        if let Some(len) = length {
            // Beyond the last frame's reach the output could only be zeros: refuse absurd
            // lengths rather than attempt a huge allocation.
            let reach = spec.n_frames().saturating_mul(hop).saturating_add(n_fft);
            ensure_param!(
                len <= reach,
                "length {len} is beyond the {reach} samples that {} frames can cover",
                spec.n_frames()
            );
        }
        // Frames that can reach the requested output (librosa trims them the same way).
        let n_frames = match length {
            Some(len) => spec.n_frames().min((len + 2 * pad).div_ceil(hop)),
            None => spec.n_frames(),
        };
        if n_frames == 0 {
            return Ok(vec![0.0; length.unwrap_or(0)]);
        }
        let total = n_fft + hop * (n_frames - 1);
        let out_len = length.unwrap_or(total - 2 * pad);

        // Overlap-add in parallel over blocks of output samples. Each block sums, in frame order
        // from zero, the frames that overlap it (a frame straddling two blocks is transformed
        // for each), so every sample is the same sum whatever the blocks and the thread count.
        let avail = total.saturating_sub(pad).min(out_len);
        let block = FRAMES_PER_TASK * hop;
        let mut y = vec![0.0f32; out_len];
        y[..avail].par_chunks_mut(block).enumerate().for_each_init(
            || {
                (
                    self.inverse.make_input_vec(),
                    self.inverse.make_output_vec(),
                    self.inverse.make_scratch_vec(),
                )
            },
            |(input, output, scratch), (b, chunk)| {
                // Padded-signal coordinates of this block: [s0, s1).
                let s0 = pad + b * block;
                let s1 = s0 + chunk.len();
                let t_lo = if s0 + 1 > n_fft { (s0 + 1 - n_fft).div_ceil(hop) } else { 0 };
                let t_hi = ((s1 - 1) / hop).min(n_frames - 1);
                for t in t_lo..=t_hi {
                    self.frame_inverse(spec.frame(t), input, output, scratch);
                    // Overlap of frame t, [t·hop, t·hop + n_fft), with the block.
                    let f0 = t * hop;
                    let lo = f0.max(s0);
                    let hi = (f0 + n_fft).min(s1);
                    for ((a, &x), &w) in chunk[lo - s0..hi - s0]
                        .iter_mut()
                        .zip(&output[lo - f0..hi - f0])
                        .zip(&self.window[lo - f0..hi - f0])
                    {
                        *a += x * w;
                    }
                }
                // Normalise by the window's sum-square envelope.
                for (i, v) in chunk.iter_mut().enumerate() {
                    let wss = self.window_sumsquare_at(s0 + i, n_frames);
                    if wss > f32::MIN_POSITIVE {
                        *v /= wss;
                    }
                }
            },
        );
        Ok(y)
    }

    /// Sum of the squared window over the frames covering padded sample `s`
    /// (`librosa.filters.window_sumsquare`, accumulated in frame order).
    fn window_sumsquare_at(&self, s: usize, n_frames: usize) -> f32 {
        let n_fft = self.config.n_fft;
        let hop = self.config.hop_length;
        // Frames t with t·hop ≤ s < t·hop + n_fft.
        let t_hi = (s / hop).min(n_frames - 1);
        let t_lo = if s + 1 > n_fft { (s + 1 - n_fft).div_ceil(hop) } else { 0 };
        let mut acc = 0.0f32;
        for t in t_lo..=t_hi {
            acc += self.window_sq[s - t * hop];
        }
        acc
    }

    /// Real inverse FFT of one frame into `output`, scaled by `1 / n_fft` (as `numpy.fft.irfft`).
    fn frame_inverse(
        &self,
        frame: &[Complex32],
        input: &mut [Complex32],
        output: &mut [f32],
        scratch: &mut [Complex32],
    ) {
        let n_fft = self.config.n_fft;
        input.copy_from_slice(frame);
        // irfft ignores the imaginary parts of DC and (even sizes) Nyquist.
        input[0].im = 0.0;
        if n_fft % 2 == 0 {
            input[n_fft / 2].im = 0.0;
        }
        self.inverse
            .process_with_scratch(input, output, scratch)
            .expect("internal: inverse FFT buffer sizes match the plan");
        let scale = 1.0 / n_fft as f32;
        output.iter_mut().for_each(|x| *x *= scale);
    }
}

/// Sample `i` of `y` extended beyond its ends by `mode` (numpy `np.pad` semantics, including
/// pads longer than the signal). `y` is not empty.
fn padded_sample(y: &[f32], i: isize, mode: PadMode) -> f32 {
    let n = y.len() as isize;
    if (0..n).contains(&i) {
        return y[i as usize];
    }
    match mode {
        PadMode::Constant => 0.0,
        PadMode::Edge => y[i.clamp(0, n - 1) as usize],
        PadMode::Reflect => {
            if n == 1 {
                return y[0];
            }
            let period = 2 * (n - 1);
            let m = i.rem_euclid(period);
            y[(if m >= n { period - m } else { m }) as usize]
        }
        PadMode::Symmetric => {
            let period = 2 * n;
            let m = i.rem_euclid(period);
            y[(if m >= n { period - 1 - m } else { m }) as usize]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random samples in [-1, 1) (xorshift).
    pub(crate) fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// The padded signal, built explicitly (reference for `padded_sample`).
    fn pad_explicit(y: &[f32], pad: usize, mode: PadMode) -> Vec<f32> {
        (0..y.len() + 2 * pad).map(|j| padded_sample(y, j as isize - pad as isize, mode)).collect()
    }

    #[test]
    fn pad_modes_match_numpy() {
        let y = [1.0, 2.0, 3.0];
        // np.pad([1, 2, 3], 7, mode=...)
        let reflect = [2., 3., 2., 1., 2., 3., 2., 1., 2., 3., 2., 1., 2., 3., 2., 1., 2.];
        let symmetric = [1., 1., 2., 3., 3., 2., 1., 1., 2., 3., 3., 2., 1., 1., 2., 3., 3.];
        let edge = [1., 1., 1., 1., 1., 1., 1., 1., 2., 3., 3., 3., 3., 3., 3., 3., 3.];
        assert_eq!(pad_explicit(&y, 7, PadMode::Reflect), reflect);
        assert_eq!(pad_explicit(&y, 7, PadMode::Symmetric), symmetric);
        assert_eq!(pad_explicit(&y, 7, PadMode::Edge), edge);
        assert_eq!(pad_explicit(&[5.0], 2, PadMode::Reflect), [5.0; 5]);
        assert_eq!(pad_explicit(&[5.0], 1, PadMode::Constant), [0.0, 5.0, 0.0]);
    }

    #[test]
    fn frame_counts_match_librosa() {
        let c = |n_fft, hop, center| StftConfig { n_fft, hop_length: hop, center, ..Default::default() };
        // librosa.stft(np.zeros(n), n_fft=16, hop_length=4).shape[1] is 1 + n // 4.
        assert_eq!(c(16, 4, true).n_frames(1), 1);
        assert_eq!(c(16, 4, true).n_frames(5), 2);
        // Odd n_fft: 1 + (n - 1) // hop (librosa: n_fft=15, n=33 -> 9 frames; n=5 -> 2).
        assert_eq!(c(15, 4, true).n_frames(33), 9);
        assert_eq!(c(15, 4, true).n_frames(5), 2);
        assert_eq!(c(16, 4, true).n_frames(33), 9);
        assert_eq!(c(16, 4, false).n_frames(15), 0);
        assert_eq!(c(16, 4, false).n_frames(16), 1);
        assert_eq!(c(16, 4, false).n_frames(35), 5);
        assert_eq!(c(16, 4, true).n_frames(0), 0);
        assert_eq!(StftConfig::default().n_frames(22050), 1 + 22050 / 512);
    }

    /// Naive DFT of the windowed, padded frames (f64).
    fn naive_stft(y: &[f32], cfg: &StftConfig) -> Vec<Vec<(f64, f64)>> {
        let n_fft = cfg.n_fft;
        let win = cfg.window.padded(cfg.win_length.unwrap_or(n_fft), n_fft).unwrap();
        let pad = if cfg.center { n_fft / 2 } else { 0 };
        let padded = pad_explicit(y, pad, cfg.pad_mode);
        (0..cfg.n_frames(y.len()))
            .map(|t| {
                let frame: Vec<f64> = (0..n_fft)
                    .map(|i| f64::from(padded[t * cfg.hop_length + i]) * f64::from(win[i]))
                    .collect();
                (0..n_fft / 2 + 1)
                    .map(|k| {
                        let (mut re, mut im) = (0.0, 0.0);
                        for (i, &x) in frame.iter().enumerate() {
                            let ph = -2.0 * std::f64::consts::PI * (k * i % n_fft) as f64 / n_fft as f64;
                            re += x * ph.cos();
                            im += x * ph.sin();
                        }
                        (re, im)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn forward_matches_naive_dft() {
        let cases = [
            (StftConfig { n_fft: 64, hop_length: 16, ..Default::default() }, 300),
            (
                StftConfig {
                    n_fft: 63,
                    hop_length: 10,
                    win_length: Some(40),
                    window: Window::Hamming,
                    pad_mode: PadMode::Reflect,
                    ..Default::default()
                },
                257,
            ),
            (
                StftConfig {
                    n_fft: 32,
                    hop_length: 7,
                    center: false,
                    window: Window::Blackman,
                    ..Default::default()
                },
                100,
            ),
            (StftConfig { n_fft: 128, hop_length: 32, pad_mode: PadMode::Edge, ..Default::default() }, 50),
            (StftConfig { n_fft: 16, hop_length: 3, pad_mode: PadMode::Symmetric, ..Default::default() }, 5),
        ];
        for (cfg, len) in cases {
            let y = noise(len, 7);
            let stft = Stft::new(cfg.clone()).unwrap();
            let got = stft.forward(&y);
            let want = naive_stft(&y, &cfg);
            assert_eq!(got.n_frames(), want.len(), "{cfg:?}");
            assert!(got.n_frames() > 0);
            for (t, frame) in want.iter().enumerate() {
                for (k, &(re, im)) in frame.iter().enumerate() {
                    let c = got.get(k, t);
                    let err = ((f64::from(c.re) - re).powi(2) + (f64::from(c.im) - im).powi(2)).sqrt();
                    assert!(err < 1e-4, "{cfg:?} frame {t} bin {k}: {c} vs ({re}, {im})");
                }
            }
            let mag = stft.magnitude(&y);
            let pow = stft.power(&y);
            assert_eq!(mag.as_slice(), got.magnitude().as_slice());
            assert_eq!(pow.as_slice(), got.power().as_slice());
        }
    }

    #[test]
    fn into_variants_reuse_and_match() {
        let stft = Stft::new(StftConfig::with_n_fft(256)).unwrap();
        let long = noise(5000, 1);
        let short = noise(700, 2);
        let mut mag = stft.magnitude(&long);
        stft.magnitude_into(&short, &mut mag);
        assert_eq!(mag, stft.magnitude(&short));
        let mut pow = stft.power(&short);
        stft.power_into(&long, &mut pow);
        assert_eq!(pow, stft.power(&long));
        let mut c = stft.forward(&long);
        stft.forward_into(&short, &mut c);
        assert_eq!(c, stft.forward(&short));
    }

    #[test]
    fn short_and_empty_signals() {
        let stft = Stft::new(StftConfig::default()).unwrap();
        assert_eq!(stft.forward(&[]).n_frames(), 0);
        let s = stft.magnitude(&[0.5; 100]);
        assert_eq!((s.n_bins(), s.n_frames()), (1025, 1));
        assert!(s.get(0, 0) > 0.0);
        let refl = Stft::new(StftConfig { pad_mode: PadMode::Reflect, ..Default::default() }).unwrap();
        assert_eq!(refl.magnitude(&[0.5]).n_frames(), 1);
        let unc = Stft::new(StftConfig { center: false, ..Default::default() }).unwrap();
        assert_eq!(unc.forward(&[0.5; 100]).n_frames(), 0);
        assert_eq!(stft.inverse(&stft.forward(&[]), None).unwrap(), Vec::<f32>::new());
        assert_eq!(stft.inverse(&stft.forward(&[]), Some(3)).unwrap(), vec![0.0; 3]);
        assert!(stft.inverse(&stft.forward(&[]), Some(5000)).is_err());
        assert!(stft.inverse(&stft.forward(&[0.5; 100]), Some(usize::MAX)).is_err());
        assert_eq!(stft.inverse(&stft.forward(&[0.5; 100]), Some(2048)).unwrap().len(), 2048);
    }

    #[test]
    fn absurd_parameters_are_errors() {
        let bad = [
            StftConfig { n_fft: 0, ..Default::default() },
            StftConfig { n_fft: 1, ..Default::default() },
            StftConfig { n_fft: MAX_N_FFT + 1, ..Default::default() },
            StftConfig { hop_length: 0, ..Default::default() },
            StftConfig { win_length: Some(4096), ..Default::default() },
            StftConfig { win_length: Some(0), ..Default::default() },
            StftConfig { window: Window::Custom(vec![1.0; 3]), ..Default::default() },
            StftConfig { window: Window::Kaiser { beta: f64::INFINITY }, ..Default::default() },
        ];
        for cfg in bad {
            assert!(matches!(Stft::new(cfg.clone()), Err(crate::Error::InvalidParameter(_))), "{cfg:?}");
        }
        let stft = Stft::new(StftConfig::with_n_fft(64)).unwrap();
        let other = Stft::new(StftConfig::with_n_fft(32)).unwrap();
        assert!(stft.inverse(&other.forward(&noise(100, 1)), None).is_err());
        assert!(stft.magnitude_pow(&[0.0; 10], 0.0).is_err());
        assert!(stft.magnitude_pow(&[0.0; 10], f32::NAN).is_err());
    }

    #[test]
    fn istft_perfect_reconstruction() {
        let cases = [
            (StftConfig::with_n_fft(2048), 44100 + 123),
            (StftConfig::with_n_fft(512), 5001),
            (
                StftConfig { n_fft: 1024, hop_length: 256, window: Window::Hamming, ..Default::default() },
                9999,
            ),
            (
                StftConfig { n_fft: 1024, hop_length: 128, window: Window::Blackman, ..Default::default() },
                7777,
            ),
            (StftConfig { n_fft: 1024, hop_length: 256, win_length: Some(512), ..Default::default() }, 8191),
            (StftConfig { n_fft: 255, hop_length: 64, ..Default::default() }, 3001),
            (
                StftConfig { n_fft: 512, hop_length: 128, pad_mode: PadMode::Reflect, ..Default::default() },
                3333,
            ),
            (StftConfig { n_fft: 512, hop_length: 128, center: false, ..Default::default() }, 4097),
            (
                StftConfig { n_fft: 256, hop_length: 128, window: Window::Rectangular, ..Default::default() },
                1001,
            ),
        ];
        for (cfg, len) in cases {
            let y = noise(len, len as u64);
            let stft = Stft::new(cfg.clone()).unwrap();
            let spec = stft.forward(&y);
            let back = stft.inverse(&spec, Some(len)).unwrap();
            assert_eq!(back.len(), len);
            // Compare where the window envelope is not near zero: uncentred frames leave the
            // ends under-covered, and a window shorter than n_fft may not reach the last samples.
            let n_frames = stft.n_frames(len);
            let pad = if cfg.center { cfg.n_fft / 2 } else { 0 };
            let wss: Vec<f32> = (0..len).map(|j| stft.window_sumsquare_at(j + pad, n_frames)).collect();
            let peak = wss.iter().copied().fold(0.0, f32::max);
            let mut err = 0.0f32;
            let mut compared = 0;
            for j in 0..len {
                if wss[j] >= 0.1 * peak {
                    err = err.max((y[j] - back[j]).abs());
                    compared += 1;
                }
            }
            assert!(compared * 10 >= len * 9, "{cfg:?}: only {compared} of {len} samples covered");
            println!(
                "ISTFT round trip n_fft {} hop {} {:?} center {}: max error {err:.2e}",
                cfg.n_fft, cfg.hop_length, cfg.window, cfg.center
            );
            assert!(err < 1e-6, "{cfg:?}: max error {err}");
            let covered = (n_frames - 1) * cfg.hop_length + cfg.n_fft;
            // Without length: librosa's default output length.
            let free = stft.inverse(&spec, None).unwrap();
            assert_eq!(free.len(), covered - 2 * pad, "{cfg:?}");
        }
    }

    #[test]
    fn deterministic_across_thread_counts() {
        let y = noise(200_000, 3);
        let stft = Stft::new(StftConfig::with_n_fft(1024)).unwrap();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let spec = stft.forward(&y);
                let mag = stft.magnitude(&y);
                let back = stft.inverse(&spec, Some(y.len())).unwrap();
                (spec, mag, back)
            })
        };
        let one = run(1);
        for n in [2, 3, 5] {
            let other = run(n);
            assert!(one.0.as_slice() == other.0.as_slice(), "forward differs with {n} threads");
            assert!(one.1.as_slice() == other.1.as_slice(), "magnitude differs with {n} threads");
            assert!(one.2 == other.2, "inverse differs with {n} threads");
        }
    }
}
