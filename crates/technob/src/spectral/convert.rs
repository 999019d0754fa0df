//! Unit conversions: frequencies (Hz, mel, MIDI, octaves), frames, samples and seconds,
//! as librosa's `core.convert` functions. All in `f64`.

/// Centre frequency in Hz of each of the `n_fft / 2 + 1` FFT bins:
/// `k · sr / n_fft` (`librosa.fft_frequencies`).
pub fn fft_frequencies(sr: f64, n_fft: usize) -> Vec<f64> {
    let step = sr / n_fft as f64;
    (0..n_fft / 2 + 1).map(|k| k as f64 * step).collect()
}

/// Slaney mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hz to mels (`librosa.hz_to_mel`): the Slaney (Auditory Toolbox) scale by default, linear
/// below 1 kHz and logarithmic above; with `htk`, `2595 · log10(1 + f / 700)`.
pub fn hz_to_mel(hz: f64, htk: bool) -> f64 {
    if htk {
        return 2595.0 * (1.0 + hz / 700.0).log10();
    }
    if hz >= MIN_LOG_HZ { MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step() } else { hz / F_SP }
}

/// Mels to Hz (`librosa.mel_to_hz`), the inverse of [`hz_to_mel`].
pub fn mel_to_hz(mel: f64, htk: bool) -> f64 {
    if htk {
        return 700.0 * (10f64.powf(mel / 2595.0) - 1.0);
    }
    if mel >= MIN_LOG_MEL { MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp() } else { F_SP * mel }
}

/// `n` frequencies in Hz equally spaced on the mel scale from `fmin` to `fmax` Hz, both
/// included (`librosa.mel_frequencies`).
pub fn mel_frequencies(n: usize, fmin: f64, fmax: f64, htk: bool) -> Vec<f64> {
    let lo = hz_to_mel(fmin, htk);
    let hi = hz_to_mel(fmax, htk);
    linspace(lo, hi, n).into_iter().map(|m| mel_to_hz(m, htk)).collect()
}

/// `n` values from `start` to `stop` inclusive (`numpy.linspace`: `start + k·step`, with the
/// last value set to `stop`).
pub(crate) fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![start],
        _ => {
            let step = (stop - start) / (n - 1) as f64;
            let mut v: Vec<f64> = (0..n).map(|k| start + k as f64 * step).collect();
            v[n - 1] = stop;
            v
        }
    }
}

/// Hz to (fractional) MIDI note number: `12 · log2(f / 440) + 69` (`librosa.hz_to_midi`).
pub fn hz_to_midi(hz: f64) -> f64 {
    12.0 * (hz / 440.0).log2() + 69.0
}

/// MIDI note number to Hz: `440 · 2^((m − 69) / 12)` (`librosa.midi_to_hz`).
pub fn midi_to_hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// Hz to octave number counted from A0, where A4 = 440·2^(tuning/bins_per_octave) Hz is
/// octave 4 (`librosa.hz_to_octs`): `log2(f / (A4 / 16))`.
///
/// `tuning` is in fractions of a bin (`bins_per_octave` bins per octave, 12 for semitones).
pub fn hz_to_octs(hz: f64, tuning: f64, bins_per_octave: usize) -> f64 {
    let a440 = 440.0 * 2f64.powf(tuning / bins_per_octave as f64);
    (hz / (a440 / 16.0)).log2()
}

/// Octave number to Hz, the inverse of [`hz_to_octs`] (`librosa.octs_to_hz`).
pub fn octs_to_hz(octs: f64, tuning: f64, bins_per_octave: usize) -> f64 {
    let a440 = 440.0 * 2f64.powf(tuning / bins_per_octave as f64);
    (a440 / 16.0) * 2f64.powf(octs)
}

/// Sample index of frame `frame` (`librosa.frames_to_samples`): `frame · hop`. With a centred
/// STFT this is the frame's centre; pass `n_fft` to get the centre of uncentred frames
/// (`+ n_fft / 2`).
pub fn frames_to_samples(frame: usize, hop_length: usize, n_fft: Option<usize>) -> usize {
    frame * hop_length + n_fft.map_or(0, |n| n / 2)
}

/// Time in seconds of frame `frame` (`librosa.frames_to_time`): `frame · hop / sr`.
pub fn frames_to_time(frame: usize, sr: f64, hop_length: usize) -> f64 {
    (frame * hop_length) as f64 / sr
}

/// Frame index containing sample `sample` (`librosa.samples_to_frames`): `⌊sample / hop⌋`.
pub fn samples_to_frames(sample: usize, hop_length: usize) -> usize {
    sample / hop_length.max(1)
}

/// Frame index of time `seconds` (`librosa.time_to_frames`): `⌊⌊t·sr⌋ / hop⌋`; negative
/// times give negative frames.
pub fn time_to_frames(seconds: f64, sr: f64, hop_length: usize) -> i64 {
    ((seconds * sr).floor() / hop_length.max(1) as f64).floor() as i64
}

/// Time in seconds of sample `sample` (`librosa.samples_to_time`).
pub fn samples_to_time(sample: usize, sr: f64) -> f64 {
    sample as f64 / sr
}

/// Sample index of time `seconds`, rounded down (`librosa.time_to_samples`).
pub fn time_to_samples(seconds: f64, sr: f64) -> i64 {
    (seconds * sr).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_round_trips() {
        for htk in [false, true] {
            for &f in &[0.0, 1.0, 100.0, 440.0, 999.9, 1000.0, 1000.1, 4000.0, 11025.0, 22050.0] {
                let back = mel_to_hz(hz_to_mel(f, htk), htk);
                assert!((back - f).abs() <= 1e-9 * f.max(1.0), "htk={htk} {f} -> {back}");
            }
        }
        // librosa.hz_to_mel(440) = 6.6, hz_to_mel(440, htk=True) = 549.6386753811499
        assert!((hz_to_mel(440.0, false) - 6.6).abs() < 1e-12);
        assert!((hz_to_mel(440.0, true) - 549.6386753811499).abs() < 1e-9);
        assert!((hz_to_mel(1000.0, false) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn mel_frequencies_span() {
        let f = mel_frequencies(10, 20.0, 8000.0, false);
        assert_eq!(f.len(), 10);
        assert!((f[0] - 20.0).abs() < 1e-9 && (f[9] - 8000.0).abs() < 1e-9);
        assert!(f.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn pitch_and_time() {
        assert!((hz_to_midi(440.0) - 69.0).abs() < 1e-12);
        assert!((midi_to_hz(60.0) - 261.6255653005986).abs() < 1e-9);
        assert!((hz_to_octs(440.0, 0.0, 12) - 4.0).abs() < 1e-12);
        assert!((octs_to_hz(hz_to_octs(123.0, 0.3, 12), 0.3, 12) - 123.0).abs() < 1e-9);
        assert_eq!(fft_frequencies(22050.0, 4), vec![0.0, 5512.5, 11025.0]);
        assert!((frames_to_time(10, 22050.0, 512) - 5120.0 / 22050.0).abs() < 1e-15);
        assert_eq!(frames_to_samples(3, 512, Some(2048)), 2560);
        assert_eq!(time_to_frames(1.0, 22050.0, 512), 43);
        assert_eq!(samples_to_frames(1023, 512), 1);
        assert_eq!(time_to_samples(0.5, 44100.0), 22050);
    }
}
