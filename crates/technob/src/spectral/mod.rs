//! The spectral core: windows, STFT/ISTFT, dB scaling, mel filterbanks, MFCC and chroma.
//!
//! Conventions follow librosa 0.11 (`librosa.stft`, `librosa.filters.mel`, ...) so that a
//! librosa user guesses the API right and results agree (parity tests on real clips against
//! committed goldens: `tests/spectral_parity.rs`, goldens from `tools/make_goldens.py`):
//!
//! * spectrograms are frame-major: [`Spectrogram::frame`]`(t)` is the contiguous column of
//!   `n_bins` values of frame `t` (librosa's `S[:, t]`);
//! * frames are centred by default (`center=true`, zero padding of `n_fft / 2` on both sides),
//!   so frame `t` is centred on sample `t · hop_length`;
//! * windows are periodic (`scipy.signal.get_window(..., fftbins=True)`).
//!
//! Plans ([`Stft`]), filterbanks ([`MelFilterbank`], [`ChromaFilterbank`]) and the DCT of
//! [`Mfcc`] are built once and applied to any number of signals; frames are computed in parallel
//! in fixed-size chunks, so results are bit-for-bit identical whatever the thread count.

mod chroma;
mod convert;
mod mel;
mod mfcc;
mod stft;
mod window;

pub use chroma::{ChromaFilterbank, chroma_stft};
pub use convert::{DbRef, amplitude_to_db, db_to_amplitude, db_to_power, power_to_db};
pub use mel::{MelFilterbank, MelNorm, hz_to_mel, mel_frequencies, mel_to_hz, melspectrogram};
pub use mfcc::{Mfcc, mfcc};
pub use stft::{ComplexSpectrogram, PadMode, Spectrogram, Stft, StftConfig};
pub use window::{Window, window};

/// Centre frequency in Hz of each of the `1 + n_fft / 2` FFT bins (`librosa.fft_frequencies`).
pub fn fft_frequencies(sr: u32, n_fft: usize) -> Vec<f64> {
    let n_bins = 1 + n_fft / 2;
    (0..n_bins).map(|k| k as f64 * sr as f64 / n_fft as f64).collect()
}

/// Time in seconds of each frame index (`librosa.frames_to_time`, centred frames).
pub fn frames_to_time(n_frames: usize, sr: u32, hop_length: usize) -> Vec<f64> {
    (0..n_frames).map(|t| (t * hop_length) as f64 / sr as f64).collect()
}

/// Frame index whose centre is nearest to `time_s` (`librosa.time_to_frames`, which floors).
pub fn time_to_frame(time_s: f64, sr: u32, hop_length: usize) -> usize {
    (time_s * sr as f64 / hop_length as f64).floor().max(0.0) as usize
}

/// MIDI note number of a frequency in Hz (A4 = 440 Hz = 69), fractional.
pub fn hz_to_midi(hz: f64) -> f64 {
    12.0 * (hz / 440.0).log2() + 69.0
}

/// Frequency in Hz of a (fractional) MIDI note number.
pub fn midi_to_hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_helpers() {
        let f = fft_frequencies(22050, 2048);
        assert_eq!(f.len(), 1025);
        assert_eq!(f[1024], 11025.0);
        assert!((hz_to_midi(440.0) - 69.0).abs() < 1e-12);
        assert!((midi_to_hz(60.0) - 261.6255653005986).abs() < 1e-9);
        let t = frames_to_time(3, 22050, 512);
        assert!((t[2] - 1024.0 / 22050.0).abs() < 1e-15);
        assert_eq!(time_to_frame(t[2], 22050, 512), 2);
    }
}
