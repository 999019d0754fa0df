//! Audio descriptors per frame and as summaries, and their beat-synchronous aggregation (the
//! "feature extraction" of the Technob docs): RMS, zero-crossing rate, spectral centroid,
//! bandwidth, roll-off, flatness, contrast, onset strength (spectral flux), low/mid/high band
//! energy, MFCC with deltas, chroma; onset rate, dynamic complexity and EBU R128 loudness for
//! the whole track.
//!
//! # Layout
//!
//! * [`extract`] → [`FeatureSet`]: one row per STFT frame ([`FeatureTable`]), the
//!   [`Summaries`] of every descriptor, and the whole-track values.
//! * [`aggregate`]: beat, bar or fixed-length segments ([`aggregate::segmentation`]) and
//!   [`FeatureSet::aggregate`] (means per segment, RMS in dB and momentary loudness).
//! * [`delta`]: `librosa.feature.delta` (Savitzky–Golay, mode `interp`).
//! * [`dynamics`]: dynamic complexity (Streich 2007, as essentia's `DynamicComplexity`).
//! * [`onset_rate`]: onsets and onsets per second from [`crate::rhythm::onset`].
//! * [`summary`]: mean, std, min, max and numpy's linear percentiles.
//!
//! # Frames and rate
//!
//! The audio is downmixed to mono (the channel mean, as `librosa.load(mono=True)`) and
//! analysed **at the file's own sample rate** (librosa's `sr=None`): no resampling, and the hats
//! above 11 kHz that a 22.05 kHz analysis would cut stay in the centroid, roll-off, contrast and
//! high band. Frames follow librosa's defaults: `n_fft` 2048, hop 512, periodic Hann window,
//! centred frames with zero padding (RMS: zero padding; zero-crossing rate: edge padding,
//! as librosa). Frame `t` is centred at `t · hop / sr` seconds. Loudness is measured on every
//! channel of the original audio.
//!
//! Every spectral descriptor comes from one STFT magnitude pass, processed in blocks of
//! frames (a few megabytes at a time, whatever the track's length), in parallel, with the
//! same results whatever the thread count. Definitions (librosa 0.11 unless stated; `S` the
//! magnitude, `P = S²` the power, `f_k` the bin frequency):
//!
//! | column | definition |
//! |---|---|
//! | `rms` | `librosa.feature.rms(y=y)`: √(mean of x²) over the 2048 samples |
//! | `zcr` | `librosa.feature.zero_crossing_rate(y)`: sign changes / 2048 (\|x\| ≤ 1e-10 is 0) |
//! | `spectral_centroid` | `Σ f_k S_k / Σ S_k`, Hz |
//! | `spectral_bandwidth` | `(Σ S_k (f_k − centroid)² / Σ S_k)^½`, Hz (p = 2) |
//! | `spectral_rolloff` | lowest `f_k` under which 85 % of `Σ S_k` lies, Hz |
//! | `spectral_flatness` | geometric / arithmetic mean of `max(P, 1e-10)` |
//! | `spectral_contrast_1..7` | `librosa.feature.spectral_contrast`: octave bands from 200 Hz, peak − valley in dB (quantile 0.02) |
//! | `onset_strength` | `librosa.onset.onset_strength`: mean positive difference of the 128-band log-mel (dB, top 80 dB) between frames, lag 1, shifted by 3 frames |
//! | `band_low_db`, `band_mid_db`, `band_high_db` | energy below [`LOW_BAND_HZ`] (kick, bass), up to [`HIGH_BAND_HZ`] (snare, claps, vocals, chords), and above (hats, cymbals, air): the window-weighted mean square of the band (Parseval; the three add up to the frame's mean square), dB, floor −100 |
//! | `mfcc_1..20` | `librosa.feature.mfcc`: 128 Slaney mels, `power_to_db` (ref 1, top 80 dB), DCT-II ortho |
//! | `mfcc_delta_*`, `mfcc_delta2_*` | `librosa.feature.delta(mfcc, order=1|2)`, width 9 |
//! | `chroma_C..chroma_B` | `librosa.feature.chroma_stft(tuning=0.0)`, max-normalised per frame |
//!
//! Parity with librosa, essentia: `tests/features_parity.rs`.

pub mod aggregate;
pub mod delta;
pub mod dynamics;
pub mod onset_rate;
pub mod summary;
mod table;

use rayon::prelude::*;
use serde::Serialize;

use crate::loudness::{LoudnessReport, measure_loudness};
use crate::spectral::db::{POWER_AMIN, TOP_DB};
use crate::spectral::{
    ChromaConfig, ChromaFilterbank, DbRef, MelConfig, MelFilterbank, Mfcc, PadMode, Spectrogram, Stft,
    StftConfig, Window, fft_frequencies, power_to_db_in_place,
};
use crate::{Audio, Error, Result, ensure_param};

pub use dynamics::DynamicComplexity;
pub use summary::Summary;
pub use table::{FeatureTable, Summaries};

/// Upper edge of the low band (kick drum and bass), Hz.
pub const LOW_BAND_HZ: f64 = 150.0;
/// Upper edge of the mid band (snare, claps, vocals, chords, leads), Hz; above it: hats,
/// cymbals, air.
pub const HIGH_BAND_HZ: f64 = 2500.0;
/// Number of spectral-contrast values per frame (librosa: `n_bands` 6, plus the top band).
pub const N_CONTRAST: usize = 7;
/// Lower edge of the first contrast octave, Hz (librosa's `fmin`).
const CONTRAST_FMIN: f64 = 200.0;
/// Quantile of the contrast peaks and valleys (librosa's `quantile`).
const CONTRAST_QUANTILE: f64 = 0.02;
/// Roll-off fraction (librosa's `roll_percent`).
const ROLL_PERCENT: f32 = 0.85;
/// Floor of the spectral flatness (librosa's `amin`).
const FLATNESS_AMIN: f32 = 1e-10;
/// Frames per STFT block (bounds memory).
const BLOCK_FRAMES: usize = 2048;
/// Frames per parallel task.
const FRAMES_PER_TASK: usize = 64;
/// Pitch-class names of the chroma columns (C first).
pub const PITCH_CLASSES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// How to extract features; `Default` is librosa's frame geometry and technob's choices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureOptions {
    /// FFT size and frame length in samples (librosa: 2048).
    pub n_fft: usize,
    /// Hop between frames in samples (librosa: 512).
    pub hop_length: usize,
    /// Number of MFCCs (librosa: 20).
    pub n_mfcc: usize,
    /// Number of mel bands under the MFCCs and the onset strength (librosa: 128).
    pub n_mels: usize,
    /// Measure EBU R128 loudness (integrated, range, peaks, momentary curve).
    pub loudness: bool,
    /// Detect onsets for the onset rate.
    pub onset_rate: bool,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            n_fft: 2048,
            hop_length: 512,
            n_mfcc: 20,
            n_mels: 128,
            loudness: true,
            onset_rate: true,
        }
    }
}

/// Whole-track loudness: the EBU R128 figures and a summary of the momentary loudness.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoudnessSummary {
    /// Integrated loudness, LUFS (`None` below the −70 LUFS gate).
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub range_lu: f64,
    /// True peak, dBTP.
    pub true_peak_dbtp: f64,
    /// Sample peak, dBFS.
    pub sample_peak_dbfs: f64,
    /// Summary of the momentary loudness (400 ms, every 100 ms), LUFS, silent blocks left out.
    pub momentary_lufs: Option<Summary>,
}

/// Everything [`extract`] computes for one track.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureSet {
    /// Analysis sample rate, Hz (the file's).
    pub sr: u32,
    /// Frame length, samples.
    pub n_fft: usize,
    /// Hop between frames, samples.
    pub hop_length: usize,
    /// Duration of the audio, seconds.
    pub duration_s: f64,
    /// Whole-track summary of every descriptor (not of `time_s`).
    pub summaries: Summaries,
    /// Onsets per second (`None` when not asked for).
    pub onset_rate: Option<f64>,
    /// Dynamic complexity and essentia's loudness estimate.
    pub dynamic_complexity: DynamicComplexity,
    /// EBU R128 loudness (`None` when not asked for).
    pub loudness: Option<LoudnessSummary>,
    /// One row per frame: `time_s` then the descriptors (see the module table).
    #[serde(skip)]
    pub frames: FeatureTable,
    /// Momentary loudness every 100 ms (LUFS; `None` for silence), for per-beat loudness.
    #[serde(skip)]
    pub momentary_lufs: Vec<Option<f64>>,
}

/// Column indices of the frame table.
#[derive(Clone, Copy, Debug)]
struct Layout {
    n_mfcc: usize,
}

impl Layout {
    const TIME: usize = 0;
    const RMS: usize = 1;
    const ZCR: usize = 2;
    const CENTROID: usize = 3;
    const BANDWIDTH: usize = 4;
    const ROLLOFF: usize = 5;
    const FLATNESS: usize = 6;
    const CONTRAST: usize = 7;
    const ONSET: usize = Self::CONTRAST + N_CONTRAST;
    const BANDS: usize = Self::ONSET + 1;
    const MFCC: usize = Self::BANDS + 3;

    fn delta(self) -> usize {
        Self::MFCC + self.n_mfcc
    }
    fn delta2(self) -> usize {
        Self::MFCC + 2 * self.n_mfcc
    }
    fn chroma(self) -> usize {
        Self::MFCC + 3 * self.n_mfcc
    }
    fn n_cols(self) -> usize {
        self.chroma() + 12
    }

    fn names(self) -> Vec<String> {
        let mut names: Vec<String> = [
            "time_s",
            "rms",
            "zcr",
            "spectral_centroid",
            "spectral_bandwidth",
            "spectral_rolloff",
            "spectral_flatness",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.extend((1..=N_CONTRAST).map(|k| format!("spectral_contrast_{k}")));
        names.push("onset_strength".into());
        names.extend(["band_low_db", "band_mid_db", "band_high_db"].map(String::from));
        for prefix in ["mfcc", "mfcc_delta", "mfcc_delta2"] {
            names.extend((1..=self.n_mfcc).map(|k| format!("{prefix}_{k}")));
        }
        names.extend(PITCH_CLASSES.iter().map(|p| format!("chroma_{p}")));
        names
    }
}

/// The spectral-contrast bands of librosa over the FFT bins: `(first, last_exclusive, count)`,
/// where `count` (the band's size before librosa drops its top bin) sets the quantile.
fn contrast_bands(sr: f64, n_fft: usize) -> Result<Vec<(usize, usize, usize)>> {
    let freqs = fft_frequencies(sr, n_fft);
    let n_bins = freqs.len();
    let mut edges = vec![0.0f64];
    edges.extend((0..N_CONTRAST).map(|k| CONTRAST_FMIN * 2f64.powi(k as i32)));
    ensure_param!(
        edges[..N_CONTRAST].iter().all(|&e| e < 0.5 * sr),
        "spectral contrast needs a sample rate above {} Hz, got {sr} Hz",
        2.0 * edges[N_CONTRAST - 1]
    );
    let mut bands = Vec::with_capacity(N_CONTRAST);
    for k in 0..N_CONTRAST {
        let (lo, hi) = (edges[k], edges[k + 1]);
        let first = freqs.iter().position(|&f| f >= lo && f <= hi);
        let last = freqs.iter().rposition(|&f| f >= lo && f <= hi);
        let (Some(mut first), Some(mut last)) = (first, last) else {
            return Err(Error::InvalidParameter(format!(
                "spectral contrast band {lo}-{hi} Hz holds no FFT bin (n_fft {n_fft} at {sr} Hz)"
            )));
        };
        if k > 0 {
            first = first.saturating_sub(1);
        }
        if k == N_CONTRAST - 1 {
            last = n_bins - 1;
        }
        let count = last + 1 - first;
        let end = if k < N_CONTRAST - 1 { last } else { last + 1 };
        ensure_param!(end > first, "spectral contrast band {lo}-{hi} Hz is too narrow for n_fft {n_fft}");
        bands.push((first, end, count));
    }
    Ok(bands)
}

/// Everything built once per sample rate and frame geometry.
struct Plan {
    stft: Stft,
    mel: MelFilterbank,
    chroma: ChromaFilterbank,
    freqs: Vec<f64>,
    contrast: Vec<(usize, usize, usize)>,
    /// First bins of the mid and high bands.
    band_edges: (usize, usize),
    /// Parseval factor `2 / (n_fft Σw²)`.
    parseval: f64,
    /// 0.5 when the last bin is the Nyquist frequency (even `n_fft`), else 0.
    nyquist_half: f64,
}

impl Plan {
    fn new(sr: f64, options: &FeatureOptions) -> Result<Plan> {
        let n_fft = options.n_fft;
        let stft = Stft::new(StftConfig {
            n_fft,
            hop_length: options.hop_length,
            win_length: None,
            window: Window::Hann,
            center: false,
            pad_mode: PadMode::Constant,
        })?;
        let mel = MelFilterbank::from_config(
            sr,
            n_fft,
            &MelConfig { n_mels: options.n_mels, ..MelConfig::default() },
        )?;
        let chroma = ChromaFilterbank::new(sr, n_fft, &ChromaConfig::default())?;
        let freqs = fft_frequencies(sr, n_fft);
        let contrast = contrast_bands(sr, n_fft)?;
        let k1 = freqs.partition_point(|&f| f < LOW_BAND_HZ).max(1);
        let k2 = freqs.partition_point(|&f| f < HIGH_BAND_HZ).clamp(k1, freqs.len() - 1);
        let wss: f64 = stft.window().iter().map(|&w| f64::from(w) * f64::from(w)).sum();
        let parseval = 2.0 / (n_fft as f64 * wss);
        let nyquist_half = if n_fft % 2 == 0 { 0.5 } else { 0.0 };
        Ok(Plan { stft, mel, chroma, freqs, contrast, band_edges: (k1, k2), parseval, nyquist_half })
    }

    /// Descriptors of one magnitude frame: the spectral columns of `row`, its mel bands, and
    /// the contrast peaks and valleys (linear, turned into dB once all frames are known).
    /// Sums run over several independent partial sums so that they vectorise.
    fn frame(
        &self,
        mag: &[f32],
        scratch: &mut Scratch,
        row: &mut [f32],
        mel: &mut [f32],
        pv: &mut [f32],
        lay: Layout,
    ) {
        let n_bins = mag.len();
        let power = &mut scratch.power;
        for (p, &m) in power.iter_mut().zip(mag) {
            *p = m * m;
        }
        self.mel.apply_frame(power, mel);

        // Chroma (librosa: filterbank @ power, then max-normalised).
        let chroma = &mut row[lay.chroma()..lay.chroma() + 12];
        for (c, w) in chroma.iter_mut().zip(self.chroma.weights().chunks_exact(n_bins)) {
            *c = dot(w, power);
        }
        let peak = chroma.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        if peak >= f32::MIN_POSITIVE {
            chroma.iter_mut().for_each(|v| *v /= peak);
        }

        // Centroid and bandwidth on the L1-normalised magnitude, in f64.
        let (l1, first_moment) = moments(mag, &self.freqs);
        let norm = if l1 >= f64::from(f32::MIN_POSITIVE) { l1 } else { 1.0 };
        let centroid = first_moment / norm;
        let spread = moments_centred(mag, &self.freqs, centroid) / norm;
        row[Layout::CENTROID] = centroid as f32;
        row[Layout::BANDWIDTH] = spread.sqrt() as f32;

        // Roll-off: cumulative sum in f32, in order, as numpy's cumsum; first bin reaching 85 %.
        let cumsum = &mut scratch.cumsum;
        let mut acc = 0.0f32;
        for (c, &m) in cumsum.iter_mut().zip(mag) {
            acc += m;
            *c = acc;
        }
        let threshold = ROLL_PERCENT * acc;
        let k = cumsum.partition_point(|&c| c < threshold).min(n_bins - 1);
        row[Layout::ROLLOFF] = self.freqs[k] as f32;

        // Flatness: logs of products of 16 values (f64 cannot overflow there: 1e-10..1e9 each).
        let mut log_sum = 0.0f64;
        let mut lanes = [0.0f64; 16];
        for chunk in power.chunks(16) {
            let mut prod = 1.0f64;
            for (l, &p) in lanes.iter_mut().zip(chunk) {
                let p = f64::from(p.max(FLATNESS_AMIN));
                prod *= p;
                *l += p;
            }
            log_sum += prod.ln();
        }
        let n = n_bins as f64;
        let mean = lanes.iter().sum::<f64>() / n;
        row[Layout::FLATNESS] = ((log_sum / n).exp() / mean) as f32;

        // Band energies (Parseval-scaled power; DC and Nyquist count half).
        let (k1, k2) = self.band_edges;
        let low = f64::from(sum(&power[..k1])) - 0.5 * f64::from(power[0]);
        let mid = f64::from(sum(&power[k1..k2]));
        let high = f64::from(sum(&power[k2..])) - self.nyquist_half * f64::from(power[n_bins - 1]);
        for (i, e) in [low, mid, high].iter().enumerate() {
            row[Layout::BANDS + i] = (10.0 * (e * self.parseval).max(1e-10).log10()) as f32;
        }

        // Contrast: mean of the `q` smallest and largest magnitudes of each octave band.
        for (k, &(first, end, count)) in self.contrast.iter().enumerate() {
            let q = ((CONTRAST_QUANTILE * count as f64).round_ties_even() as usize).clamp(1, end - first);
            let (valley, peak) = extreme_means(&mag[first..end], q, &mut scratch.band);
            pv[k] = peak;
            pv[N_CONTRAST + k] = valley;
        }
    }
}

/// `Σ a·b` over 8 partial sums.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// `Σ a` over 8 partial sums.
fn sum(a: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let ca = a.chunks_exact(8);
    let tail: f32 = ca.remainder().iter().sum();
    for x in ca {
        for i in 0..8 {
            acc[i] += x[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// `(Σ m, Σ f·m)` in f64 over 4 partial sums.
fn moments(mag: &[f32], freqs: &[f64]) -> (f64, f64) {
    let (mut s0, mut s1) = ([0.0f64; 4], [0.0f64; 4]);
    let (cm, cf) = (mag.chunks_exact(4), freqs.chunks_exact(4));
    let (mut t0, mut t1) = (0.0, 0.0);
    for (&m, f) in cm.remainder().iter().zip(cf.remainder()) {
        t0 += f64::from(m);
        t1 += f * f64::from(m);
    }
    for (m, f) in cm.zip(cf) {
        for i in 0..4 {
            let m = f64::from(m[i]);
            s0[i] += m;
            s1[i] += f[i] * m;
        }
    }
    (s0.iter().sum::<f64>() + t0, s1.iter().sum::<f64>() + t1)
}

/// `Σ m·(f − c)²` in f64 over 4 partial sums.
fn moments_centred(mag: &[f32], freqs: &[f64], c: f64) -> f64 {
    let mut s = [0.0f64; 4];
    let (cm, cf) = (mag.chunks_exact(4), freqs.chunks_exact(4));
    let tail: f64 =
        cm.remainder().iter().zip(cf.remainder()).map(|(&m, f)| f64::from(m) * (f - c) * (f - c)).sum();
    for (m, f) in cm.zip(cf) {
        for i in 0..4 {
            let d = f[i] - c;
            s[i] += f64::from(m[i]) * d * d;
        }
    }
    s.iter().sum::<f64>() + tail
}

/// Means of the `q` smallest and the `q` largest values of `v` (`1 ≤ q ≤ v.len()`, values
/// ≥ 0: spectral magnitudes): one pass for `q = 1`, else two selections on a copy in `buf`
/// (linear time; spectra are sorted enough to make a running top-q buffer quadratic). The
/// selections compare the values' bit patterns, which order non-negative floats as their
/// values do, with plain integer comparisons.
fn extreme_means(v: &[f32], q: usize, buf: &mut Vec<u32>) -> (f32, f32) {
    if q == 1 {
        return v.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    }
    buf.clear();
    // −0.0 (and anything not above 0) counts as 0.
    buf.extend(v.iter().map(|&x| if x > 0.0 { x.to_bits() } else { 0 }));
    let mean =
        |bits: &[u32]| (bits.iter().map(|&b| f64::from(f32::from_bits(b))).sum::<f64>() / q as f64) as f32;
    let len = buf.len();
    buf.select_nth_unstable(q - 1);
    let valley = mean(&buf[..q]);
    let rest = &mut buf[q..];
    let n_rest = rest.len();
    let peak = if n_rest >= q {
        rest.select_nth_unstable(n_rest - q);
        mean(&rest[n_rest - q..])
    } else {
        // Fewer than 2q values: the largest q overlap the smallest.
        buf.sort_unstable();
        mean(&buf[len - q..])
    };
    (valley, peak)
}

/// Per-task buffers.
struct Scratch {
    power: Vec<f32>,
    cumsum: Vec<f32>,
    band: Vec<u32>,
}

/// RMS (zero padding) and zero-crossing rate (edge padding) of centred frame `t`.
///
/// A crossing is a change of sign between neighbours, values within ±1e-10 counting as
/// positive zeros (librosa's `zero_crossings` with `zero_pos=True`).
fn temporal(y: &[f32], t: usize, hop: usize, n_fft: usize) -> (f32, f32) {
    let start = (t * hop) as isize - (n_fft / 2) as isize;
    let n = y.len() as isize;
    let crossings = |frame: &[f32]| frame.windows(2).filter(|w| (w[0] < -1e-10) != (w[1] < -1e-10)).count();
    let (sq, count) = if start >= 0 && start + n_fft as isize <= n {
        let frame = &y[start as usize..start as usize + n_fft];
        (dot(frame, frame), crossings(frame))
    } else {
        let zero_padded: Vec<f32> = (start..start + n_fft as isize)
            .map(|s| if (0..n).contains(&s) { y[s as usize] } else { 0.0 })
            .collect();
        let edge_padded: Vec<f32> =
            (start..start + n_fft as isize).map(|s| y[s.clamp(0, n - 1) as usize]).collect();
        (dot(&zero_padded, &zero_padded), crossings(&edge_padded))
    };
    ((f64::from(sq) / n_fft as f64).sqrt() as f32, count as f32 / n_fft as f32)
}

/// Frame-wise descriptors of a mono signal at `sr` Hz (the whole of [`extract`] but the
/// loudness, the onset rate and the dynamic complexity): the frame table.
///
/// Errors: invalid options, a sample rate too low for the contrast bands (≤ 12.8 kHz), a signal
/// shorter than `n_fft`, non-finite samples.
pub fn frame_features(y: &[f32], sr: u32, options: &FeatureOptions) -> Result<FeatureTable> {
    ensure_param!(options.hop_length >= 1, "the hop must be at least 1 sample");
    ensure_param!(options.n_fft >= 16, "n_fft must be at least 16, got {}", options.n_fft);
    if y.len() < options.n_fft {
        return Err(Error::InvalidInput(format!(
            "too short for features: {} samples, at least {} needed",
            y.len(),
            options.n_fft
        )));
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidInput("the audio contains NaN or infinite samples".into()));
    }
    let srf = f64::from(sr);
    let plan = Plan::new(srf, options)?;
    let transform = Mfcc::new(options.n_mfcc, options.n_mels)?;
    let lay = Layout { n_mfcc: options.n_mfcc };
    let (n_fft, hop, n_mels) = (options.n_fft, options.hop_length, options.n_mels);
    let n_bins = n_fft / 2 + 1;
    let n_cols = lay.n_cols();
    let n_frames = StftConfig { n_fft, hop_length: hop, ..StftConfig::default() }.n_frames(y.len());
    let mut data = vec![0.0f32; n_frames * n_cols];
    let mut mel = vec![0.0f32; n_frames * n_mels];
    // Contrast peaks (first N_CONTRAST) and valleys per frame.
    let mut pv = vec![0.0f32; n_frames * 2 * N_CONTRAST];
    let max_band = plan.contrast.iter().map(|&(a, b, _)| b - a).max().unwrap_or(0);

    let mut mag = Spectrogram::zeros(n_bins, 0);
    let mut segment: Vec<f32> = Vec::new();
    let half = (n_fft / 2) as isize;
    let mut f0 = 0;
    while f0 < n_frames {
        let f1 = (f0 + BLOCK_FRAMES).min(n_frames);
        let start = (f0 * hop) as isize - half;
        let len = (f1 - f0 - 1) * hop + n_fft;
        segment.clear();
        segment.extend(
            (start..start + len as isize)
                .map(|s| if s >= 0 && (s as usize) < y.len() { y[s as usize] } else { 0.0 }),
        );
        plan.stft.magnitude_into(&segment, &mut mag);
        data[f0 * n_cols..f1 * n_cols]
            .par_chunks_mut(n_cols * FRAMES_PER_TASK)
            .zip(mel[f0 * n_mels..f1 * n_mels].par_chunks_mut(n_mels * FRAMES_PER_TASK))
            .zip(
                pv[f0 * 2 * N_CONTRAST..f1 * 2 * N_CONTRAST].par_chunks_mut(2 * N_CONTRAST * FRAMES_PER_TASK),
            )
            .zip(mag.as_slice().par_chunks(n_bins * FRAMES_PER_TASK))
            .for_each(|(((rows, mels), pvs), mags)| {
                let mut scratch = Scratch {
                    power: vec![0.0; n_bins],
                    cumsum: vec![0.0; n_bins],
                    band: Vec::with_capacity(max_band),
                };
                for (((row, m), p), s) in rows
                    .chunks_exact_mut(n_cols)
                    .zip(mels.chunks_exact_mut(n_mels))
                    .zip(pvs.chunks_exact_mut(2 * N_CONTRAST))
                    .zip(s_frames(mags, n_bins))
                {
                    plan.frame(s, &mut scratch, row, m, p, lay);
                }
            });
        f0 = f1;
    }

    data.par_chunks_mut(n_cols).enumerate().for_each(|(t, row)| {
        let (rms, zcr) = temporal(y, t, hop, n_fft);
        row[Layout::TIME] = (t as f64 * hop as f64 / srf) as f32;
        row[Layout::RMS] = rms;
        row[Layout::ZCR] = zcr;
    });

    // Log-mel as librosa's MFCC and onset strength use it (ref 1, top 80 dB of the track).
    let mut log_mel = Spectrogram::new(n_mels, n_frames, mel)?;
    power_to_db_in_place(&mut log_mel, DbRef::Value(1.0), POWER_AMIN, Some(TOP_DB))?;
    let mfcc = transform.from_log_mel(&log_mel)?;
    // Onset strength: frame t holds the flux between log-mel frames t − pad − 1 and t − pad.
    let pad = 1 + n_fft / (2 * hop);
    data.par_chunks_mut(n_cols).enumerate().for_each(|(t, row)| {
        row[Layout::MFCC..Layout::MFCC + lay.n_mfcc].copy_from_slice(mfcc.frame(t));
        row[Layout::ONSET] = if t >= pad {
            let (a, b) = (log_mel.frame(t - pad), log_mel.frame(t - pad + 1));
            (a.iter().zip(b).map(|(&p, &q)| f64::from((q - p).max(0.0))).sum::<f64>() / n_mels as f64) as f32
        } else {
            0.0
        };
    });

    // Contrast in dB: librosa applies power_to_db (top 80 dB) to all peaks, then all valleys.
    let mut peaks = Spectrogram::zeros(N_CONTRAST, n_frames);
    let mut valleys = Spectrogram::zeros(N_CONTRAST, n_frames);
    for (t, p) in pv.chunks_exact(2 * N_CONTRAST).enumerate() {
        peaks.frame_mut(t).copy_from_slice(&p[..N_CONTRAST]);
        valleys.frame_mut(t).copy_from_slice(&p[N_CONTRAST..]);
    }
    power_to_db_in_place(&mut peaks, DbRef::Value(1.0), POWER_AMIN, Some(TOP_DB))?;
    power_to_db_in_place(&mut valleys, DbRef::Value(1.0), POWER_AMIN, Some(TOP_DB))?;
    for (t, row) in data.chunks_exact_mut(n_cols).enumerate() {
        for k in 0..N_CONTRAST {
            row[Layout::CONTRAST + k] = peaks.get(k, t) - valleys.get(k, t);
        }
    }

    delta::delta_columns(&mut data, n_cols, Layout::MFCC, lay.n_mfcc, lay.delta(), delta::DELTA_WIDTH, 1)?;
    delta::delta_columns(&mut data, n_cols, Layout::MFCC, lay.n_mfcc, lay.delta2(), delta::DELTA_WIDTH, 2)?;
    Ok(FeatureTable::new(lay.names(), data))
}

fn s_frames(mags: &[f32], n_bins: usize) -> std::slice::ChunksExact<'_, f32> {
    mags.chunks_exact(n_bins)
}

/// Extract every descriptor of `audio` (see the module documentation): frames of the mono
/// downmix at the file's rate, summaries, onset rate, dynamic complexity and (on all channels)
/// loudness. The loudness meter runs beside the spectral pass.
///
/// Errors: as [`frame_features`], and the loudness meter's.
pub fn extract(audio: &Audio, options: &FeatureOptions) -> Result<FeatureSet> {
    let mono_audio = if audio.n_channels() == 1 { None } else { Some(audio.to_mono()) };
    let y = mono_audio.as_ref().unwrap_or(audio).channel(0);
    let sr = audio.sample_rate();
    // The loudness meter is sequential: it runs on one thread beside everything else.
    let ((frames, dynamic, onsets), loudness) = rayon::join(
        || {
            let frames = frame_features(y, sr, options);
            let dynamic = dynamics::dynamic_complexity(y, f64::from(sr));
            let onsets = match &frames {
                Ok(table) if options.onset_rate => {
                    Some(onset_rate::onset_rate_of_table(table, sr, options.hop_length, y.len()))
                }
                _ => None,
            };
            (frames, dynamic, onsets)
        },
        || options.loudness.then(|| measure_loudness(audio)).transpose(),
    );
    let frames = frames?;
    let loudness: Option<LoudnessReport> = loudness?;
    let summaries = frames.summaries(&["time_s"]);
    let (loudness, momentary) = match loudness {
        Some(r) => (
            Some(LoudnessSummary {
                integrated_lufs: r.integrated_lufs,
                range_lu: r.range_lu,
                true_peak_dbtp: r.true_peak_dbtp,
                sample_peak_dbfs: r.sample_peak_dbfs,
                momentary_lufs: Summary::of(r.momentary_lufs.iter().flatten().copied()),
            }),
            r.momentary_lufs,
        ),
        None => (None, Vec::new()),
    };
    Ok(FeatureSet {
        sr,
        n_fft: options.n_fft,
        hop_length: options.hop_length,
        duration_s: audio.duration_s(),
        summaries,
        onset_rate: onsets,
        dynamic_complexity: dynamic,
        loudness,
        frames,
        momentary_lufs: momentary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(sr: u32, hz: f32, seconds: f32, amp: f32) -> Vec<f32> {
        (0..(sr as f32 * seconds) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * hz * i as f32 / sr as f32).sin())
            .collect()
    }

    #[test]
    fn a_sine_lands_where_it_should() {
        let sr = 44100;
        let y = sine(sr, 1000.0, 1.0, 0.5);
        let t = frame_features(&y, sr, &FeatureOptions::default()).unwrap();
        assert_eq!(t.n_rows(), 1 + y.len() / 512);
        assert_eq!(t.n_cols(), t.names().len());
        let mid = t.row(t.n_rows() / 2);
        let col = |n: &str| mid[t.index_of(n).unwrap()];
        assert!((col("spectral_centroid") - 1000.0).abs() < 30.0, "{}", col("spectral_centroid"));
        assert!((col("rms") - 0.5 / 2f32.sqrt()).abs() < 1e-3);
        // 1 kHz: 2000 sign changes per second.
        assert!((col("zcr") - 2000.0 / 44100.0).abs() < 2e-3, "{}", col("zcr"));
        // The mid band holds the sine: its energy is the mean square (−9 dB for amplitude 0.5).
        let ms_db = 10.0 * (0.125f32).log10();
        assert!((col("band_mid_db") - ms_db).abs() < 0.1, "{}", col("band_mid_db"));
        assert!(col("band_low_db") < ms_db - 30.0 && col("band_high_db") < ms_db - 30.0);
        assert!(col("spectral_flatness") < 1e-3);
        assert_eq!(col("chroma_B"), 1.0, "1 kHz is nearest to B5");
    }

    #[test]
    fn bad_input_is_an_error() {
        let o = FeatureOptions::default();
        assert!(frame_features(&[0.0; 100], 44100, &o).is_err());
        assert!(frame_features(&[f32::NAN; 4096], 44100, &o).is_err());
        assert!(frame_features(&[0.0; 4096], 8000, &o).is_err());
        assert!(frame_features(&[0.0; 4096], 44100, &FeatureOptions { hop_length: 0, ..o }).is_err());
        // Silence: finite everywhere.
        let t = frame_features(&[0.0; 8192], 22050, &FeatureOptions::default()).unwrap();
        assert!(t.as_slice().iter().all(|v| v.is_finite()));
    }
}
