//! Real and complex time–frequency matrices, stored frame-major.
//!
//! Frame `t` is the contiguous slice `data[t * n_bins .. (t + 1) * n_bins]`, so an analyser
//! that walks through time reads memory in order. librosa's arrays are `(bins, frames)`;
//! [`FrameMatrix::to_bin_major`] gives that layout when it is needed (plots, exports).
//!
//! One generic type, [`FrameMatrix`], holds both: [`Spectrogram`] (`f32`: magnitudes, powers,
//! mel bands, dB, chroma, MFCCs...) and [`ComplexSpectrogram`] (`Complex<f32>`: an STFT).

use rayon::prelude::*;
use realfft::num_complex::Complex32;

use crate::{Result, ensure_param};

/// Elements per parallel task when mapping a whole matrix (large enough to amortise rayon).
const PAR_CHUNK: usize = 1 << 16;

/// A real time–frequency matrix (`f32`). "Bins" are whatever the rows are (FFT bins, mel
/// bands, pitch classes, coefficients); the unit is given by the function that made it.
pub type Spectrogram = FrameMatrix<f32>;

/// A complex STFT matrix: frame `t` holds the `n_fft / 2 + 1` non-negative frequency bins of
/// one FFT (unnormalised, as `numpy.fft.rfft`).
pub type ComplexSpectrogram = FrameMatrix<Complex32>;

/// The value types a [`FrameMatrix`] holds (`f32` and `Complex<f32>`).
pub trait Element: Copy + Default + Send + Sync + PartialEq + std::fmt::Debug + sealed::Sealed {
    /// `len` zeros, allocated so that the pages are first touched by whoever fills them.
    #[doc(hidden)]
    fn zeroed_vec(len: usize) -> Vec<Self>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for super::Complex32 {}
}

impl Element for f32 {
    fn zeroed_vec(len: usize) -> Vec<f32> {
        // Zero floats come from calloc: lazily mapped pages, first touched by the workers.
        vec![0.0; len]
    }
}

impl Element for Complex32 {
    fn zeroed_vec(len: usize) -> Vec<Complex32> {
        // `vec![zero; len]` would zero a struct type on one thread: zero it in parallel, so the
        // first touch of the pages is shared between the workers.
        let mut data = Vec::new();
        data.par_extend(rayon::iter::repeat_n(Complex32::new(0.0, 0.0), len));
        data
    }
}

/// A frame-major matrix of `n_frames` frames of `n_bins` values each.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameMatrix<T> {
    n_bins: usize,
    n_frames: usize,
    data: Vec<T>,
}

impl<T: Element> FrameMatrix<T> {
    /// Wrap frame-major data (`data[t * n_bins + k]`); `n_bins ≥ 1` and
    /// `data.len() == n_bins * n_frames` are required.
    pub fn new(n_bins: usize, n_frames: usize, data: Vec<T>) -> Result<Self> {
        check_shape(n_bins, n_frames, data.len())?;
        Ok(FrameMatrix { n_bins, n_frames, data })
    }

    /// Build from librosa's bin-major layout (`data[k * n_frames + t]`, a C-order
    /// `(bins, frames)` array).
    pub fn from_bin_major(n_bins: usize, n_frames: usize, data: &[T]) -> Result<Self> {
        check_shape(n_bins, n_frames, data.len())?;
        let mut out = vec![T::default(); data.len()];
        for (k, row) in data.chunks_exact(n_frames.max(1)).enumerate().take(n_bins) {
            for (t, &v) in row.iter().enumerate() {
                out[t * n_bins + k] = v;
            }
        }
        Ok(FrameMatrix { n_bins, n_frames, data: out })
    }

    /// All zeros (internal: `n_bins ≥ 1` is the caller's invariant).
    pub(crate) fn zeros(n_bins: usize, n_frames: usize) -> Self {
        assert!(n_bins >= 1, "internal: spectrogram without bins");
        FrameMatrix { n_bins, n_frames, data: T::zeroed_vec(n_bins * n_frames) }
    }

    /// Reshape to `n_bins × n_frames`, keeping the allocation when it is large enough (the
    /// values are left unspecified: the caller overwrites them all).
    pub(crate) fn reshape_for_overwrite(&mut self, n_bins: usize, n_frames: usize) {
        assert!(n_bins >= 1, "internal: spectrogram without bins");
        self.n_bins = n_bins;
        self.n_frames = n_frames;
        let len = n_bins * n_frames;
        if len > self.data.capacity() {
            self.data = T::zeroed_vec(len);
        } else {
            self.data.resize(len, T::default());
        }
    }

    /// Number of bins (rows) per frame.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Number of frames (columns).
    pub fn n_frames(&self) -> usize {
        self.n_frames
    }

    /// True when there are no frames.
    pub fn is_empty(&self) -> bool {
        self.n_frames == 0
    }

    /// The `n_bins` values of frame `t` (panics if `t ≥ n_frames`).
    pub fn frame(&self, t: usize) -> &[T] {
        &self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Frame `t`, mutable (panics if `t ≥ n_frames`).
    pub fn frame_mut(&mut self, t: usize) -> &mut [T] {
        &mut self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// Iterate over the frames in time order.
    pub fn frames(&self) -> std::slice::ChunksExact<'_, T> {
        self.data.chunks_exact(self.n_bins)
    }

    /// Iterate mutably over the frames in time order.
    pub fn frames_mut(&mut self) -> std::slice::ChunksExactMut<'_, T> {
        self.data.chunks_exact_mut(self.n_bins)
    }

    /// The value of bin `bin` in frame `frame` (panics when out of range).
    pub fn get(&self, bin: usize, frame: usize) -> T {
        assert!(bin < self.n_bins, "bin {bin} out of range ({} bins)", self.n_bins);
        self.data[frame * self.n_bins + bin]
    }

    /// One bin across all frames (a copy: bins are strided in memory).
    pub fn bin(&self, bin: usize) -> Vec<T> {
        assert!(bin < self.n_bins, "bin {bin} out of range ({} bins)", self.n_bins);
        self.frames().map(|f| f[bin]).collect()
    }

    /// The frame-major data.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The frame-major data, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Give up the frame-major data.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// The data in librosa's bin-major layout (`out[k * n_frames + t]`).
    pub fn to_bin_major(&self) -> Vec<T> {
        let mut out = vec![T::default(); self.data.len()];
        for (t, frame) in self.frames().enumerate() {
            for (k, &v) in frame.iter().enumerate() {
                out[k * self.n_frames + t] = v;
            }
        }
        out
    }
}

fn check_shape(n_bins: usize, n_frames: usize, len: usize) -> Result<()> {
    ensure_param!(n_bins >= 1, "a spectrogram needs at least one bin");
    ensure_param!(
        n_bins.checked_mul(n_frames) == Some(len),
        "{len} values do not make {n_bins} bins x {n_frames} frames"
    );
    Ok(())
}

impl FrameMatrix<f32> {
    /// Largest value (`−∞` when empty; NaN values are skipped).
    pub fn max(&self) -> f32 {
        self.data.iter().copied().fold(f32::NEG_INFINITY, f32::max)
    }

    /// Apply `f` to every value, in parallel for large matrices (order-independent).
    pub fn map_in_place<F: Fn(f32) -> f32 + Sync>(&mut self, f: F) {
        if self.data.len() >= 2 * PAR_CHUNK {
            self.data.par_chunks_mut(PAR_CHUNK).for_each(|c| c.iter_mut().for_each(|v| *v = f(*v)));
        } else {
            self.data.iter_mut().for_each(|v| *v = f(*v));
        }
    }
}

impl FrameMatrix<Complex32> {
    /// Magnitudes `|X|` (`np.abs(D)`), same units as the STFT.
    pub fn magnitude(&self) -> Spectrogram {
        self.map_real(|c| (c.re * c.re + c.im * c.im).sqrt())
    }

    /// Powers `|X|²` (`np.abs(D)**2`).
    pub fn power(&self) -> Spectrogram {
        self.map_real(|c| c.re * c.re + c.im * c.im)
    }

    /// Phases `arg X` in radians, in `(−π, π]` (`np.angle(D)`).
    pub fn phase(&self) -> Spectrogram {
        self.map_real(|c| c.im.atan2(c.re))
    }

    fn map_real<F: Fn(Complex32) -> f32 + Sync>(&self, f: F) -> Spectrogram {
        let mut out = vec![0.0f32; self.data.len()];
        if self.data.len() >= 2 * PAR_CHUNK {
            out.par_chunks_mut(PAR_CHUNK).zip(self.data.par_chunks(PAR_CHUNK)).for_each(|(o, i)| {
                o.iter_mut().zip(i).for_each(|(o, &c)| *o = f(c));
            });
        } else {
            out.iter_mut().zip(&self.data).for_each(|(o, &c)| *o = f(c));
        }
        FrameMatrix { n_bins: self.n_bins, n_frames: self.n_frames, data: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_access() {
        let s = Spectrogram::new(3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!(s.frame(1), &[4.0, 5.0, 6.0]);
        assert_eq!(s.get(2, 0), 3.0);
        assert_eq!(s.bin(1), vec![2.0, 5.0]);
        let bm = s.to_bin_major();
        assert_eq!(bm, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(Spectrogram::from_bin_major(3, 2, &bm).unwrap(), s);
        assert_eq!(s.max(), 6.0);
        assert!(Spectrogram::new(0, 0, vec![]).is_err());
        assert!(Spectrogram::new(2, 2, vec![0.0; 3]).is_err());
        assert!(Spectrogram::new(2, 0, vec![]).unwrap().is_empty());
    }

    #[test]
    fn complex_conversions() {
        let c =
            ComplexSpectrogram::new(2, 1, vec![Complex32::new(3.0, 4.0), Complex32::new(0.0, -1.0)]).unwrap();
        assert_eq!(c.magnitude().as_slice(), &[5.0, 1.0]);
        assert_eq!(c.power().as_slice(), &[25.0, 1.0]);
        assert!((c.phase().get(1, 0) + std::f32::consts::FRAC_PI_2).abs() < 1e-7);
    }
}
