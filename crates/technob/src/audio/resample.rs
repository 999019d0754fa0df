//! Sample-rate conversion with rubato's synchronous FFT resampler.
//!
//! Each analyser chooses its own analysis rate (22.05 kHz for librosa-style features, 44.1 kHz
//! for loudness, ...), so resampling is an explicit step, never forced at decode time.
//! The output has `ceil(n · to / from)` frames (librosa's length convention) and no delay:
//! rubato's `process_all` trims the filter delay. Not bit-identical to librosa's soxr resampler;
//! tests compare with tolerances.

use audioadapter_buffers::direct::SequentialSliceOfVecs;
use rayon::prelude::*;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use super::Audio;
use crate::{Error, Result, ensure_param};

/// Highest rate accepted (a 768 kHz DXD file is the most anyone ships).
const MAX_RATE: u32 = 1_536_000;

/// Target FFT block length in input frames: ~1024 keeps the anti-aliasing filter steep
/// (rubato's guidance: a few hundred to a thousand frames).
const TARGET_BLOCK: usize = 1024;

/// Input frames per chunk for rubato's FFT resampler, chosen so that both FFT sizes are even.
///
/// The resampler's delay is half its FFT block; rubato trims it in whole frames, so an odd block
/// (e.g. 1029 = 7 × 147 input frames for 44.1 → 48 kHz) would leave a half-sample time shift
/// (−23 dB error on a 1 kHz tone). Even blocks keep output sample 0 at input time 0, as soxr and
/// librosa do.
fn chunk_frames(from: usize, to: usize) -> usize {
    let (mut a, mut b) = (from, to);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let (min_in, min_out) = (from / a, to / a);
    let mut blocks = TARGET_BLOCK.div_ceil(min_in).max(1);
    if blocks % 2 == 1 && (min_in % 2 == 1 || min_out % 2 == 1) {
        blocks += 1;
    }
    blocks * min_in
}

/// `audio` at `to_rate` Hz; channels are resampled in parallel.
pub fn resample(audio: &Audio, to_rate: u32) -> Result<Audio> {
    ensure_param!(
        to_rate > 0 && to_rate <= MAX_RATE,
        "target sample rate {to_rate} Hz (allowed 1..={MAX_RATE})"
    );
    let from = audio.sample_rate();
    if from == to_rate {
        return Ok(audio.clone());
    }
    let channels = audio
        .channels()
        .par_iter()
        .map(|ch| resample_channel(ch, from, to_rate))
        .collect::<Result<Vec<_>>>()?;
    Ok(audio.with_channels(channels, to_rate))
}

/// One channel of samples from `from_rate` to `to_rate` Hz.
pub fn resample_channel(samples: &[f32], from_rate: u32, to_rate: u32) -> Result<Vec<f32>> {
    ensure_param!(
        from_rate > 0 && from_rate <= MAX_RATE,
        "source sample rate {from_rate} Hz (allowed 1..={MAX_RATE})"
    );
    ensure_param!(
        to_rate > 0 && to_rate <= MAX_RATE,
        "target sample rate {to_rate} Hz (allowed 1..={MAX_RATE})"
    );
    if from_rate == to_rate || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let mut resampler = Fft::<f32>::new_custom(
        from_rate as usize,
        to_rate as usize,
        chunk_frames(from_rate as usize, to_rate as usize),
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Input,
    )
    .map_err(|e| Error::InvalidParameter(format!("resampler {from_rate} -> {to_rate} Hz: {e}")))?;
    let input = vec![samples.to_vec()];
    let adapter_in = SequentialSliceOfVecs::new(&input, 1, samples.len())
        .map_err(|e| Error::InvalidParameter(format!("resampler input: {e}")))?;
    let needed = resampler.process_all_needed_output_len(samples.len());
    let mut output = vec![vec![0.0f32; needed]];
    let mut adapter_out = SequentialSliceOfVecs::new_mut(&mut output, 1, needed)
        .map_err(|e| Error::InvalidParameter(format!("resampler output: {e}")))?;
    let (_, produced) = resampler
        .process_all_into_buffer(&adapter_in, &mut adapter_out, samples.len(), None)
        .map_err(|e| Error::InvalidParameter(format!("resampling {from_rate} -> {to_rate} Hz: {e}")))?;
    let mut out = output.pop().unwrap_or_default();
    let expected = (samples.len() as u64 * to_rate as u64).div_ceil(from_rate as u64) as usize;
    out.truncate(produced.min(expected));
    out.resize(expected, 0.0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::TAU;

    fn sine(freq: f32, sr: u32, n: usize) -> Vec<f32> {
        (0..n).map(|i| (TAU * freq * i as f32 / sr as f32).sin() * 0.5).collect()
    }

    #[test]
    fn length_follows_librosa_and_tone_survives() {
        for (from, to) in [(44100, 22050), (44100, 48000), (48000, 44100), (22050, 44100), (44100, 44101)] {
            let x = sine(1000.0, from, from as usize);
            let y = resample_channel(&x, from, to).unwrap();
            assert_eq!(y.len(), (x.len() as u64 * to as u64).div_ceil(from as u64) as usize);
            // Compare with the ideal tone at the new rate away from the edges.
            let ideal = sine(1000.0, to, y.len());
            let (a, b) = (y.len() / 10, y.len() * 9 / 10);
            let err: f32 = y[a..b].iter().zip(&ideal[a..b]).map(|(p, q)| (p - q).powi(2)).sum();
            let sig: f32 = ideal[a..b].iter().map(|q| q * q).sum();
            let snr_db = 10.0 * (sig / err).log10();
            assert!(snr_db > 60.0, "{from}->{to}: SNR {snr_db:.1} dB");
        }
    }

    #[test]
    fn removes_content_above_new_nyquist() {
        let x = sine(15000.0, 44100, 44100);
        let y = resample_channel(&x, 44100, 22050).unwrap();
        let rms = (y[2000..20000].iter().map(|v| v * v).sum::<f32>() / 18000.0).sqrt();
        assert!(rms < 1e-3, "alias rms {rms}");
    }

    #[test]
    fn absurd_rates_are_errors() {
        assert!(resample_channel(&[0.0; 10], 0, 44100).is_err());
        assert!(resample_channel(&[0.0; 10], 44100, 0).is_err());
        assert!(resample_channel(&[0.0; 10], 44100, u32::MAX).is_err());
    }
}
