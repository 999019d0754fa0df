//! Bar-synchronous features for segmentation: one row per bar, averaged over the STFT frames
//! the bar spans (beat-synchronous aggregation as in Bartsch & Wakefield 2001; librosa's
//! `util.sync`), plus the descriptors the role labels need (loudness, lows, kick, percussive
//! share, brightness).
//!
//! One power STFT (≈ 46-ms window and hop) gives everything:
//! * timbre: MFCC 1–12 of 40 mel bands;
//! * chroma: 12 pitch classes from the FFT bins of 80 Hz – 5 kHz, each bin to its nearest
//!   semitone (coarse, but bars average hundreds of frames);
//! * loudness: total power and five band energies (30–150, 150–600, 600–3 k, 3–10 k, > 10 kHz),
//!   dB;
//! * percussive share: median-filter HPSS (Fitzgerald 2010) on the mel bands, the percussive
//!   part's share of the energy;
//! * kick: the percussive energy of 35–110 Hz at each beat against half a beat later (a kick
//!   on the beat gives a strong contrast; a bass line or a pad does not), median per bar;
//! * harmonic energy above 150 Hz: what plays over the drums (bass harmonics, chords, pads);
//! * brightness: spectral centroid, octaves.

use rayon::prelude::*;

use crate::Result;
use crate::rhythm::grid::median;
use crate::spectral::mel::{MelFilterbank, MelNorm};
use crate::spectral::stft::{Stft, StftConfig};

/// Mel bands for timbre and HPSS.
const N_MELS: usize = 40;
/// MFCCs kept (1..=12; c0 is loudness, measured separately).
const N_MFCC: usize = 12;
/// Band edges, Hz.
const BAND_EDGES: [f64; 6] = [30.0, 150.0, 600.0, 3000.0, 10_000.0, f64::INFINITY];
/// The kick's fundamental band, Hz.
const KICK_BAND_HZ: (f64, f64) = (35.0, 110.0);
/// Harmonic energy above this (Hz) is the music over the kick: bass harmonics, chords, pads.
const HARMONIC_MIN_HZ: f64 = 150.0;
/// Power floor (≈ −100 dB re full scale).
const FLOOR: f64 = 1e-10;

/// Feature groups of the similarity vector and their weights.
pub(super) const GROUPS: [(&str, f64); 4] =
    [("timbre", 1.0), ("chroma", 0.5), ("energy", 1.0), ("rhythm", 1.0)];

/// Per-bar features.
#[derive(Clone, Debug)]
pub(super) struct BarFeatures {
    /// Similarity features, one row per bar (`dims` values), unscaled.
    pub rows: Vec<Vec<f64>>,
    /// Group index (into [`GROUPS`]) of each dimension.
    pub dim_group: Vec<usize>,
    /// Loudness, dB (mean power).
    pub loudness_db: Vec<f64>,
    /// Energy below 150 Hz, dB.
    pub low_db: Vec<f64>,
    /// Energy above 3 kHz, dB.
    pub high_db: Vec<f64>,
    /// Kick contrast, dB (on-beat vs half a beat later, percussive lows).
    pub kick_db: Vec<f64>,
    /// Kick level on the beat, dB.
    pub kick_level_db: Vec<f64>,
    /// Harmonic energy above 150 Hz, dB: the bass harmonics, chords and pads over the drums.
    pub harmonic_db: Vec<f64>,
    /// Percussive share of the energy, 0–1.
    pub percussive: Vec<f64>,
    /// Spectral centroid, octaves above 20 Hz.
    pub centroid_oct: Vec<f64>,
}

/// Frame-level values, all per frame.
struct Frames {
    hop_s: f64,
    n: usize,
    mfcc: Vec<[f32; N_MFCC]>,
    chroma: Vec<[f32; 12]>,
    bands: Vec<[f32; 5]>,
    total: Vec<f32>,
    centroid: Vec<f32>,
    /// Percussive share (0–1), percussive power in the kick band, harmonic power above
    /// [`HARMONIC_MIN_HZ`].
    percussive: Vec<f32>,
    kick: Vec<f32>,
    harmonic: Vec<f32>,
}

/// Features of every bar `[bars[i], bars[i + 1])` (seconds) of mono `y`; `beats` (seconds) give
/// the kick measure.
pub(super) fn bar_features(y: &[f32], sr: f64, bars: &[f64], beats: &[f64]) -> Result<BarFeatures> {
    let frames = frame_features(y, sr)?;
    if frames.n == 0 {
        return Err(crate::Error::NoResult("no audio to find the structure in".into()));
    }
    let n_bars = bars.len().saturating_sub(1);
    let frame_of = |t: f64| ((t / frames.hop_s).round().max(0.0) as usize).min(frames.n);
    let span = |i: usize| {
        let (a, b) = (frame_of(bars[i]), frame_of(bars[i + 1]));
        (a.min(frames.n.saturating_sub(1)), b.max(a + 1).min(frames.n))
    };
    // Kick contrast per beat: percussive lows on the beat (max over −1..+2 frames) against
    // half a beat later.
    let kick_at = |t: f64| -> f64 {
        let c = (t / frames.hop_s).round() as i64;
        (c - 1..=c + 2)
            .filter(|&k| k >= 0 && (k as usize) < frames.n)
            .map(|k| f64::from(frames.kick[k as usize]))
            .fold(0.0, f64::max)
    };
    let beat_kick: Vec<(f64, f64)> = beats
        .windows(2)
        .map(|w| {
            let on = kick_at(w[0]);
            let off = kick_at(0.5 * (w[0] + w[1]));
            (db(on), db(on) - db(off))
        })
        .collect();

    let mut f = BarFeatures {
        rows: Vec::with_capacity(n_bars),
        dim_group: Vec::new(),
        loudness_db: Vec::with_capacity(n_bars),
        low_db: Vec::with_capacity(n_bars),
        high_db: Vec::with_capacity(n_bars),
        kick_db: Vec::with_capacity(n_bars),
        kick_level_db: Vec::with_capacity(n_bars),
        harmonic_db: Vec::with_capacity(n_bars),
        percussive: Vec::with_capacity(n_bars),
        centroid_oct: Vec::with_capacity(n_bars),
    };
    f.dim_group.extend(std::iter::repeat_n(0, N_MFCC));
    f.dim_group.extend(std::iter::repeat_n(1, 12));
    f.dim_group.extend(std::iter::repeat_n(2, 6));
    f.dim_group.extend(std::iter::repeat_n(3, 3));
    for i in 0..n_bars {
        let (a, b) = span(i);
        let len = (b - a) as f64;
        let mean = |v: &dyn Fn(usize) -> f64| (a..b).map(v).sum::<f64>() / len;
        let mut row = Vec::with_capacity(f.dim_group.len());
        for c in 0..N_MFCC {
            row.push(mean(&|t| f64::from(frames.mfcc[t][c])));
        }
        let mut chroma = [0.0f64; 12];
        for (c, v) in chroma.iter_mut().enumerate() {
            *v = mean(&|t| f64::from(frames.chroma[t][c]));
        }
        let peak = chroma.iter().copied().fold(FLOOR, f64::max);
        row.extend(chroma.iter().map(|v| v / peak));
        let total = mean(&|t| f64::from(frames.total[t]));
        let mut bands = [0.0f64; 5];
        for (k, v) in bands.iter_mut().enumerate() {
            *v = mean(&|t| f64::from(frames.bands[t][k]));
        }
        row.push(db(total));
        row.extend(bands.iter().map(|&v| db(v)));
        // Beats of this bar.
        let kicks: Vec<(f64, f64)> = beats
            .windows(2)
            .zip(&beat_kick)
            .filter(|(w, _)| w[0] >= bars[i] - 1e-6 && w[0] < bars[i + 1] - 1e-6)
            .map(|(_, &k)| k)
            .collect();
        let (kick_level, kick_contrast) = if kicks.is_empty() {
            (db(0.0), 0.0)
        } else {
            (median(kicks.iter().map(|k| k.0).collect()), median(kicks.iter().map(|k| k.1).collect()))
        };
        let perc = mean(&|t| f64::from(frames.percussive[t]));
        let harmonic = mean(&|t| f64::from(frames.harmonic[t]));
        let centroid =
            mean(&|t| f64::from(frames.centroid[t]) * f64::from(frames.total[t])) / total.max(FLOOR);
        let centroid_oct = (centroid.max(20.0) / 20.0).log2();
        row.push(kick_contrast.clamp(0.0, 30.0));
        row.push(perc);
        row.push(centroid_oct);
        f.rows.push(row);
        f.loudness_db.push(db(total));
        f.low_db.push(db(bands[0]));
        f.high_db.push(db(bands[3] + bands[4]));
        f.kick_db.push(kick_contrast);
        f.kick_level_db.push(kick_level);
        f.harmonic_db.push(db(harmonic));
        f.percussive.push(perc);
        f.centroid_oct.push(centroid_oct);
    }
    Ok(f)
}

fn db(power: f64) -> f64 {
    10.0 * power.max(FLOOR).log10()
}

/// The frame-level features of `y`.
fn frame_features(y: &[f32], sr: f64) -> Result<Frames> {
    // ≈ 46-ms window (2048 at 44.1 kHz), no overlap: bars average hundreds of frames, and a
    // kick (≥ 100 ms) always reaches one of them.
    let n_fft = ((0.046 * sr) as usize).next_power_of_two().max(256);
    let hop = n_fft;
    let stft = Stft::new(StftConfig { hop_length: hop, ..StftConfig::with_n_fft(n_fft) })?;
    let power = stft.power(y);
    let n_bins = n_fft / 2 + 1;
    let n = power.n_frames();
    let mel =
        MelFilterbank::new(sr, n_fft, N_MELS, 20.0, Some((sr / 2.0).min(16_000.0)), false, MelNorm::Slaney)?;
    let bin_hz = sr / n_fft as f64;
    // Band, pitch class and centroid lookups per bin.
    let band_of: Vec<Option<usize>> = (0..n_bins)
        .map(|k| {
            let f = k as f64 * bin_hz;
            BAND_EDGES.windows(2).position(|w| f >= w[0] && f < w[1])
        })
        .collect();
    let class_of: Vec<Option<usize>> = (0..n_bins)
        .map(|k| {
            let f = k as f64 * bin_hz;
            (80.0..5000.0).contains(&f).then(|| {
                let midi = 69.0 + 12.0 * (f / 440.0).log2();
                (midi.round() as i64).rem_euclid(12) as usize
            })
        })
        .collect();
    let in_kick_band: Vec<bool> =
        (0..n_bins).map(|k| (KICK_BAND_HZ.0..KICK_BAND_HZ.1).contains(&(k as f64 * bin_hz))).collect();
    let hz: Vec<f32> = (0..n_bins).map(|k| (k as f64 * bin_hz) as f32).collect();
    // DCT-II basis (orthonormal) for MFCC 1..=12.
    let dct: Vec<[f32; N_MELS]> = (1..=N_MFCC)
        .map(|c| {
            let mut row = [0.0f32; N_MELS];
            for (m, v) in row.iter_mut().enumerate() {
                *v = ((2.0 / N_MELS as f64).sqrt()
                    * (std::f64::consts::PI * c as f64 * (m as f64 + 0.5) / N_MELS as f64).cos())
                    as f32;
            }
            row
        })
        .collect();

    struct PerFrame {
        mel: [f32; N_MELS],
        mfcc: [f32; N_MFCC],
        chroma: [f32; 12],
        bands: [f32; 5],
        kick_band: f32,
        total: f32,
        centroid: f32,
    }
    let per_frame: Vec<PerFrame> = (0..n)
        .into_par_iter()
        .map(|t| {
            let p = power.frame(t);
            let mut mel_out = [0.0f32; N_MELS];
            mel.apply_frame(p, &mut mel_out);
            let mut chroma = [0.0f32; 12];
            let mut bands = [0.0f32; 5];
            let (mut total, mut weighted, mut kick_band) = (0.0f32, 0.0f32, 0.0f32);
            for (k, &v) in p.iter().enumerate() {
                total += v;
                weighted += v * hz[k];
                if let Some(b) = band_of[k] {
                    bands[b] += v;
                }
                if let Some(c) = class_of[k] {
                    chroma[c] += v;
                }
                if in_kick_band[k] {
                    kick_band += v;
                }
            }
            let log_mel: Vec<f32> = mel_out.iter().map(|&v| 10.0 * (v.max(1e-10)).log10()).collect();
            let mut mfcc = [0.0f32; N_MFCC];
            for (c, row) in dct.iter().enumerate() {
                mfcc[c] = row.iter().zip(&log_mel).map(|(a, b)| a * b).sum();
            }
            // Powers per sample of the window (scale-free across FFT sizes).
            let scale = 1.0 / (n_fft as f32 * n_fft as f32);
            PerFrame {
                mel: mel_out,
                mfcc,
                chroma,
                bands: bands.map(|b| b * scale),
                kick_band: kick_band * scale,
                total: total * scale,
                centroid: if total > 0.0 { weighted / total } else { 0.0 },
            }
        })
        .collect();

    // HPSS on the mel bands: harmonic = median over ±4 frames (≈ 0.4 s) in time, percussive =
    // median over ±3 bands; Wiener masks (power 2).
    // Mel bands of the kick (centre below the harmonic range) and above it.
    let low_band: Vec<bool> = mel.center_frequencies().iter().map(|&f| f < HARMONIC_MIN_HZ).collect();
    let (half_t, half_f) = (4usize, 3usize);
    let shares: Vec<(f32, f32, f32)> = (0..n)
        .into_par_iter()
        .map(|t| {
            let (t0, t1) = (t.saturating_sub(half_t), (t + half_t + 1).min(n));
            let mut buf: Vec<f32> = Vec::with_capacity(2 * half_t + 1);
            let mut harm = [0.0f32; N_MELS];
            for (m, h) in harm.iter_mut().enumerate() {
                buf.clear();
                buf.extend((t0..t1).map(|s| per_frame[s].mel[m]));
                *h = median_f32(&mut buf);
            }
            let frame = &per_frame[t].mel;
            let (mut p_sum, mut all_sum, mut low_mask, mut n_low, mut harmonic) =
                (0.0f32, 0.0f32, 0.0f32, 0, 0.0f32);
            for m in 0..N_MELS {
                let (m0, m1) = (m.saturating_sub(half_f), (m + half_f + 1).min(N_MELS));
                buf.clear();
                buf.extend_from_slice(&frame[m0..m1]);
                let perc = median_f32(&mut buf);
                let (h2, p2) = (harm[m] * harm[m], perc * perc);
                let mask = if h2 + p2 > 0.0 { p2 / (h2 + p2) } else { 0.0 };
                p_sum += mask * frame[m];
                all_sum += frame[m];
                if low_band[m] {
                    low_mask += mask;
                    n_low += 1;
                } else {
                    harmonic += (1.0 - mask) * frame[m];
                }
            }
            let scale = 1.0 / (n_fft as f32 * n_fft as f32);
            let kick_mask = if n_low > 0 { low_mask / n_low as f32 } else { 0.0 };
            (
                if all_sum > 0.0 { p_sum / all_sum } else { 0.0 },
                kick_mask * per_frame[t].kick_band,
                harmonic * scale,
            )
        })
        .collect();

    Ok(Frames {
        hop_s: hop as f64 / sr,
        n,
        mfcc: per_frame.iter().map(|f| f.mfcc).collect(),
        chroma: per_frame.iter().map(|f| f.chroma).collect(),
        bands: per_frame.iter().map(|f| f.bands).collect(),
        total: per_frame.iter().map(|f| f.total).collect(),
        centroid: per_frame.iter().map(|f| f.centroid).collect(),
        percussive: shares.iter().map(|s| s.0).collect(),
        kick: shares.iter().map(|s| s.1).collect(),
        harmonic: shares.iter().map(|s| s.2).collect(),
    })
}

fn median_f32(v: &mut [f32]) -> f32 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}
