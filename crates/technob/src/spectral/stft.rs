//! Short-time Fourier transform and its inverse (librosa 0.11's `stft` / `istft`).
//!
//! The forward transform never copies the signal: each frame gathers its samples (with virtual
//! padding at the edges), multiplies by the window and goes through a realfft plan built once.
//! Frames are processed in parallel in chunks of [`CHUNK_FRAMES`], each worker with its own
//! buffers, so nothing allocates per frame and the result does not depend on the thread count.

use std::sync::Arc;

use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::window::{Window, window};
use crate::{Result, ensure_param};

/// Frames per parallel work item (fixed, so floating-point results never depend on threads).
const CHUNK_FRAMES: usize = 64;

/// Largest FFT size accepted (2^20 samples: 24 s at 44.1 kHz).
const MAX_N_FFT: usize = 1 << 20;

/// How a centred STFT pads the signal edges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PadMode {
    /// Zeros (librosa 0.11's default, `pad_mode="constant"`).
    #[default]
    Constant,
    /// Mirror the signal without repeating the edge sample (`numpy.pad(mode="reflect")`).
    Reflect,
}

/// STFT parameters, with librosa's names and defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StftConfig {
    /// FFT size in samples (default 2048).
    pub n_fft: usize,
    /// Samples between frame starts (default 512 = `n_fft / 4`).
    pub hop_length: usize,
    /// Window length in samples (default `n_fft`); shorter windows are zero-padded centrally.
    pub win_length: Option<usize>,
    /// Window function (default Hann).
    pub window: Window,
    /// Centre frames on `t · hop_length` by padding `n_fft / 2` on both sides (default true).
    pub center: bool,
    /// Padding used when `center` is true (default zeros).
    pub pad_mode: PadMode,
}

impl Default for StftConfig {
    fn default() -> Self {
        StftConfig {
            n_fft: 2048,
            hop_length: 512,
            win_length: None,
            window: Window::Hann,
            center: true,
            pad_mode: PadMode::Constant,
        }
    }
}

/// A real-valued spectrogram (magnitude, power, mel, dB, ...), frame-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrogram {
    n_bins: usize,
    n_frames: usize,
    data: Vec<f32>,
}

impl Spectrogram {
    /// Build from frame-major data (`data[t * n_bins + k]`); `None` if the sizes disagree.
    pub fn from_frames(n_bins: usize, n_frames: usize, data: Vec<f32>) -> Option<Spectrogram> {
        (n_bins.checked_mul(n_frames) == Some(data.len())).then_some(Spectrogram { n_bins, n_frames, data })
    }

    /// Number of frequency bins (rows in librosa's layout).
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Number of frames (columns in librosa's layout).
    pub fn n_frames(&self) -> usize {
        self.n_frames
    }

    /// The `n_bins` values of frame `t`.
    pub fn frame(&self, t: usize) -> &[f32] {
        &self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Mutable access to frame `t`.
    pub fn frame_mut(&mut self, t: usize) -> &mut [f32] {
        &mut self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Value of bin `k` in frame `t`.
    pub fn get(&self, k: usize, t: usize) -> f32 {
        self.data[t * self.n_bins + k]
    }

    /// All values, frame-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// All values, frame-major, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Iterate over frames.
    pub fn frames(&self) -> impl ExactSizeIterator<Item = &[f32]> {
        self.data.chunks_exact(self.n_bins.max(1)).take(self.n_frames)
    }

    /// Apply `f` to every value.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Spectrogram {
        Spectrogram {
            n_bins: self.n_bins,
            n_frames: self.n_frames,
            data: self.data.iter().map(|&x| f(x)).collect(),
        }
    }

    /// Largest value (0 for an empty spectrogram).
    pub fn max(&self) -> f32 {
        self.data.iter().copied().fold(0.0, f32::max)
    }
}

/// A complex STFT, frame-major (`n_bins = 1 + n_fft / 2` values per frame).
#[derive(Clone, Debug, PartialEq)]
pub struct ComplexSpectrogram {
    n_bins: usize,
    n_frames: usize,
    data: Vec<Complex<f32>>,
}

impl ComplexSpectrogram {
    /// Build from frame-major data; `None` if the sizes disagree.
    pub fn from_frames(
        n_bins: usize,
        n_frames: usize,
        data: Vec<Complex<f32>>,
    ) -> Option<ComplexSpectrogram> {
        (n_bins.checked_mul(n_frames) == Some(data.len())).then_some(ComplexSpectrogram {
            n_bins,
            n_frames,
            data,
        })
    }

    /// Number of frequency bins.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Number of frames.
    pub fn n_frames(&self) -> usize {
        self.n_frames
    }

    /// The bins of frame `t`.
    pub fn frame(&self, t: usize) -> &[Complex<f32>] {
        &self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Mutable bins of frame `t` (for masking and filtering before [`Stft::inverse`]).
    pub fn frame_mut(&mut self, t: usize) -> &mut [Complex<f32>] {
        &mut self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Value of bin `k` in frame `t`.
    pub fn get(&self, k: usize, t: usize) -> Complex<f32> {
        self.data[t * self.n_bins + k]
    }

    /// All values, frame-major.
    pub fn as_slice(&self) -> &[Complex<f32>] {
        &self.data
    }

    /// `|X|`.
    pub fn magnitude(&self) -> Spectrogram {
        self.to_real(|c| c.norm_sqr().sqrt())
    }

    /// `|X|²`.
    pub fn power(&self) -> Spectrogram {
        self.to_real(|c| c.norm_sqr())
    }

    fn to_real(&self, f: impl Fn(Complex<f32>) -> f32) -> Spectrogram {
        Spectrogram {
            n_bins: self.n_bins,
            n_frames: self.n_frames,
            data: self.data.iter().map(|&c| f(c)).collect(),
        }
    }
}

/// A reusable STFT plan: FFT plans, window and normalisation built once.
#[derive(Clone)]
pub struct Stft {
    config: StftConfig,
    window: Arc<Vec<f32>>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stft").field("config", &self.config).finish()
    }
}

impl Stft {
    /// Validate `config` and build the plans.
    pub fn new(config: StftConfig) -> Result<Stft> {
        ensure_param!(
            (2..=MAX_N_FFT).contains(&config.n_fft),
            "n_fft {} (allowed 2..={MAX_N_FFT})",
            config.n_fft
        );
        ensure_param!(config.hop_length >= 1, "hop_length 0");
        let win_length = config.win_length.unwrap_or(config.n_fft);
        ensure_param!(
            (1..=config.n_fft).contains(&win_length),
            "win_length {win_length} (allowed 1..=n_fft = {})",
            config.n_fft
        );
        let window = window(config.window, win_length, config.n_fft)?;
        let mut planner = RealFftPlanner::<f32>::new();
        Ok(Stft {
            forward: planner.plan_fft_forward(config.n_fft),
            inverse: planner.plan_fft_inverse(config.n_fft),
            window: Arc::new(window),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &StftConfig {
        &self.config
    }

    /// Number of frequency bins, `1 + n_fft / 2`.
    pub fn n_bins(&self) -> usize {
        self.config.n_fft / 2 + 1
    }

    /// The (padded) window.
    pub fn window(&self) -> &[f32] {
        &self.window
    }

    /// Number of frames for a signal of `len` samples: `1 + len / hop` when centred (librosa);
    /// `1 + (len − n_fft) / hop` otherwise, and 0 for a signal shorter than `n_fft`.
    pub fn n_frames(&self, len: usize) -> usize {
        let StftConfig { n_fft, hop_length, center, .. } = self.config;
        let padded = if center { len + 2 * (n_fft / 2) } else { len };
        if len == 0 || padded < n_fft { 0 } else { 1 + (padded - n_fft) / hop_length }
    }

    /// Complex STFT of `y` (librosa `stft(y, ...)`).
    pub fn forward(&self, y: &[f32]) -> ComplexSpectrogram {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(y.len());
        let data =
            self.frames_map(y, n_frames, Complex::new(0.0, 0.0), |spec, out| out.copy_from_slice(spec));
        ComplexSpectrogram { n_bins, n_frames, data }
    }

    /// Magnitude spectrogram `|stft(y)|`, without materialising the complex STFT.
    pub fn magnitude(&self, y: &[f32]) -> Spectrogram {
        let n_frames = self.n_frames(y.len());
        let data = self.frames_map(y, n_frames, 0.0, |spec, out| {
            // sqrt(re² + im²), not `norm()`: hypot's overflow care costs ~4x here, and STFT
            // values are far from overflow.
            out.iter_mut().zip(spec).for_each(|(o, c)| *o = c.norm_sqr().sqrt());
        });
        Spectrogram { n_bins: self.n_bins(), n_frames, data }
    }

    /// Power spectrogram `|stft(y)|²`.
    pub fn power(&self, y: &[f32]) -> Spectrogram {
        let n_frames = self.n_frames(y.len());
        let data = self.frames_map(y, n_frames, 0.0, |spec, out| {
            out.iter_mut().zip(spec).for_each(|(o, c)| *o = c.norm_sqr());
        });
        Spectrogram { n_bins: self.n_bins(), n_frames, data }
    }

    /// Run the windowed FFT of every frame and let `emit` write its `n_bins` outputs.
    fn frames_map<T: Send + Copy>(
        &self,
        y: &[f32],
        n_frames: usize,
        zero: T,
        emit: impl Fn(&[Complex<f32>], &mut [T]) + Sync,
    ) -> Vec<T> {
        let n_bins = self.n_bins();
        let mut out = vec![zero; n_frames * n_bins];
        if n_frames == 0 {
            return out;
        }
        out.par_chunks_mut(CHUNK_FRAMES * n_bins).enumerate().for_each(|(chunk, block)| {
            let mut frame = self.forward.make_input_vec();
            let mut spectrum = self.forward.make_output_vec();
            let mut scratch = self.forward.make_scratch_vec();
            for (i, dst) in block.chunks_exact_mut(n_bins).enumerate() {
                let t = chunk * CHUNK_FRAMES + i;
                self.windowed_frame(y, t, &mut frame);
                // Sizes come from the plan itself, so the FFT cannot fail.
                let _ = self.forward.process_with_scratch(&mut frame, &mut spectrum, &mut scratch);
                emit(&spectrum, dst);
            }
        });
        out
    }

    /// Samples of frame `t` times the window, with the edge padding applied virtually.
    fn windowed_frame(&self, y: &[f32], t: usize, frame: &mut [f32]) {
        let StftConfig { n_fft, hop_length, center, pad_mode, .. } = self.config;
        let pad = if center { (n_fft / 2) as isize } else { 0 };
        let start = (t * hop_length) as isize - pad;
        let len = y.len() as isize;
        if start >= 0 && start + n_fft as isize <= len {
            let src = &y[start as usize..start as usize + n_fft];
            for ((f, &x), &w) in frame.iter_mut().zip(src).zip(self.window.iter()) {
                *f = x * w;
            }
            return;
        }
        for (i, (f, &w)) in frame.iter_mut().zip(self.window.iter()).enumerate() {
            let idx = start + i as isize;
            let x = if (0..len).contains(&idx) {
                y[idx as usize]
            } else {
                match pad_mode {
                    PadMode::Constant => 0.0,
                    PadMode::Reflect => y[reflect_index(idx, len)],
                }
            };
            *f = x * w;
        }
    }

    /// Inverse STFT (librosa `istft`): overlap-add of windowed inverse FFTs, divided by the
    /// window's sum-square envelope where it is not ~0, centre padding removed. `length` fixes
    /// the output length (zero-padded or cut), as librosa's `length=` does.
    ///
    /// With a window that satisfies the constant-overlap-add condition for its sum-square (Hann at
    /// hop ≤ n_fft/4, ...) `inverse(forward(y))` reconstructs `y` to float precision.
    pub fn inverse(&self, spec: &ComplexSpectrogram, length: Option<usize>) -> Result<Vec<f32>> {
        let StftConfig { n_fft, hop_length, center, .. } = self.config;
        ensure_param!(
            spec.n_bins() == self.n_bins(),
            "spectrogram has {} bins, this STFT ({} FFT) needs {}",
            spec.n_bins(),
            n_fft,
            self.n_bins()
        );
        let n_frames = spec.n_frames();
        let full_len = if n_frames == 0 { 0 } else { n_fft + hop_length * (n_frames - 1) };
        let mut signal = vec![0f32; full_len];
        let mut envelope = vec![0f32; full_len];
        // Chunks are inverted in parallel; each returns its own overlap-added segment, and the
        // segments are then summed in order (deterministic).
        let segments: Vec<(usize, Vec<f32>)> = (0..n_frames.div_ceil(CHUNK_FRAMES))
            .into_par_iter()
            .map(|chunk| {
                let first = chunk * CHUNK_FRAMES;
                let last = (first + CHUNK_FRAMES).min(n_frames);
                let seg_len = n_fft + hop_length * (last - first - 1);
                let mut seg = vec![0f32; seg_len];
                let mut bins = self.inverse.make_input_vec();
                let mut frame = self.inverse.make_output_vec();
                let mut scratch = self.inverse.make_scratch_vec();
                let scale = 1.0 / n_fft as f32;
                for t in first..last {
                    bins.copy_from_slice(spec.frame(t));
                    // A real signal's DC (and Nyquist, for even n_fft) bins are real.
                    bins[0].im = 0.0;
                    if n_fft % 2 == 0 {
                        if let Some(last_bin) = bins.last_mut() {
                            last_bin.im = 0.0;
                        }
                    }
                    let _ = self.inverse.process_with_scratch(&mut bins, &mut frame, &mut scratch);
                    let offset = (t - first) * hop_length;
                    for ((s, &x), &w) in
                        seg[offset..offset + n_fft].iter_mut().zip(&frame).zip(self.window.iter())
                    {
                        *s += x * scale * w;
                    }
                }
                (first * hop_length, seg)
            })
            .collect();
        for (offset, seg) in segments {
            for (s, x) in signal[offset..offset + seg.len()].iter_mut().zip(seg) {
                *s += x;
            }
        }
        let w2: Vec<f32> = self.window.iter().map(|w| w * w).collect();
        for t in 0..n_frames {
            let offset = t * hop_length;
            for (e, &w) in envelope[offset..offset + n_fft].iter_mut().zip(&w2) {
                *e += w;
            }
        }
        for (s, &e) in signal.iter_mut().zip(&envelope) {
            if e > f32::MIN_POSITIVE {
                *s /= e;
            }
        }
        let start = if center { n_fft / 2 } else { 0 };
        let natural_end = if center { full_len.saturating_sub(n_fft / 2) } else { full_len };
        let mut out: Vec<f32> =
            signal.get(start..natural_end.max(start)).map(<[f32]>::to_vec).unwrap_or_default();
        if let Some(len) = length {
            let available = full_len.saturating_sub(start);
            out = signal.get(start..start + len.min(available)).map(<[f32]>::to_vec).unwrap_or_default();
            out.resize(len, 0.0);
        }
        Ok(out)
    }
}

/// Index of `numpy.pad(mode="reflect")` for a position outside `[0, len)`.
fn reflect_index(idx: isize, len: isize) -> usize {
    if len == 1 {
        return 0;
    }
    let period = 2 * (len - 1);
    let m = idx.rem_euclid(period);
    (if m < len { m } else { period - m }) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect()
    }

    #[test]
    fn matches_a_naive_dft() {
        let y = noise(3000, 1);
        for (n_fft, hop, win, center, pad_mode) in [
            (256, 64, None, true, PadMode::Constant),
            (255, 100, Some(200), true, PadMode::Reflect),
            (64, 16, None, false, PadMode::Constant),
        ] {
            let cfg = StftConfig {
                n_fft,
                hop_length: hop,
                win_length: win,
                window: Window::Hann,
                center,
                pad_mode,
            };
            let stft = Stft::new(cfg).unwrap();
            let spec = stft.forward(&y);
            assert_eq!(spec.n_frames(), stft.n_frames(y.len()));
            let w = stft.window();
            let pad = if center { (n_fft / 2) as isize } else { 0 };
            for t in [0, 1, spec.n_frames() / 2, spec.n_frames() - 1] {
                for k in [0, 1, 7, n_fft / 2] {
                    let mut acc = (0f64, 0f64);
                    for (i, &wi) in w.iter().enumerate() {
                        let idx = (t * hop) as isize - pad + i as isize;
                        let x = if (0..y.len() as isize).contains(&idx) {
                            y[idx as usize]
                        } else if pad_mode == PadMode::Reflect {
                            y[reflect_index(idx, y.len() as isize)]
                        } else {
                            0.0
                        } as f64
                            * wi as f64;
                        let ang = -std::f64::consts::TAU * (k * i) as f64 / n_fft as f64;
                        acc.0 += x * ang.cos();
                        acc.1 += x * ang.sin();
                    }
                    let c = spec.get(k, t);
                    assert!(
                        (c.re as f64 - acc.0).abs() < 1e-4 && (c.im as f64 - acc.1).abs() < 1e-4,
                        "{n_fft} t{t} k{k}"
                    );
                }
            }
        }
    }

    #[test]
    fn frame_counts_follow_librosa() {
        let stft = Stft::new(StftConfig::default()).unwrap();
        assert_eq!(stft.n_frames(22050), 1 + 22050 / 512);
        assert_eq!(stft.n_frames(1), 1);
        assert_eq!(stft.n_frames(0), 0);
        assert_eq!(stft.forward(&[0.5]).n_frames(), 1);
        let raw = Stft::new(StftConfig { center: false, ..Default::default() }).unwrap();
        assert_eq!(raw.n_frames(2047), 0);
        assert_eq!(raw.n_frames(2048 + 512), 2);
        assert_eq!(raw.magnitude(&[0.0; 100]).n_frames(), 0);
    }

    #[test]
    fn istft_reconstructs() {
        for (n, n_fft, hop, window, win) in [
            (10_000, 2048, 512, Window::Hann, None),
            (9_999, 1024, 256, Window::Hann, Some(512)),
            (5_001, 512, 128, Window::Hamming, None),
            (4_097, 256, 64, Window::Blackman, None),
        ] {
            let y = noise(n, n as u64);
            let stft = Stft::new(StftConfig {
                n_fft,
                hop_length: hop,
                window,
                win_length: win,
                ..Default::default()
            })
            .unwrap();
            let back = stft.inverse(&stft.forward(&y), Some(n)).unwrap();
            assert_eq!(back.len(), n);
            let err = y.iter().zip(&back).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(err < 2e-6, "{n_fft}/{hop} {window:?}: max error {err}");
            let natural = stft.inverse(&stft.forward(&y), None).unwrap();
            assert_eq!(natural.len(), (stft.n_frames(n) - 1) * hop);
        }
    }

    #[test]
    fn independent_of_thread_count() {
        let y = noise(200_000, 9);
        let stft = Stft::new(StftConfig::default()).unwrap();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| stft.forward(&y));
        let b = four.install(|| stft.forward(&y));
        assert!(a == b);
        let ya = one.install(|| stft.inverse(&a, None).unwrap());
        let yb = four.install(|| stft.inverse(&b, None).unwrap());
        assert!(ya == yb);
        assert_eq!(stft.magnitude(&y), a.magnitude());
    }

    #[test]
    fn absurd_parameters_are_errors() {
        for cfg in [
            StftConfig { n_fft: 0, ..Default::default() },
            StftConfig { n_fft: 1, ..Default::default() },
            StftConfig { hop_length: 0, ..Default::default() },
            StftConfig { win_length: Some(4096), ..Default::default() },
            StftConfig { win_length: Some(0), ..Default::default() },
            StftConfig { n_fft: usize::MAX, ..Default::default() },
        ] {
            assert!(Stft::new(cfg).is_err(), "{cfg:?}");
        }
        let stft = Stft::new(StftConfig::default()).unwrap();
        let other = Stft::new(StftConfig { n_fft: 512, ..Default::default() }).unwrap();
        assert!(stft.inverse(&other.forward(&[0.0; 1000]), None).is_err());
    }

    #[test]
    fn reflect_padding_indices() {
        // numpy.pad([0,1,2,3], 5, mode="reflect") -> [1,2,3,2,1, 0,1,2,3, 2,1,0,1,2]
        let left: Vec<usize> = (-5..0).map(|i| reflect_index(i, 4)).collect();
        assert_eq!(left, vec![1, 2, 3, 2, 1]);
        let right: Vec<usize> = (4..9).map(|i| reflect_index(i, 4)).collect();
        assert_eq!(right, vec![2, 1, 0, 1, 2]);
    }
}
