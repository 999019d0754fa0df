//! Spectral distances between a signal and a processed version of it, the quality proxies of
//! time-scale modification studies (e.g. Driedger & Müller, "A review of time-scale
//! modification of music signals", Applied Sciences 2016): stretch by r and back by 1/r, then
//! compare magnitude spectrograms with the original's.

use crate::Result;
use crate::spectral::{Stft, StftConfig};

/// Log-spectral distance and spectral convergence of an estimate against a reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpectralDistance {
    /// Mean over frames of the RMS over bins of `20·log10((|X| + 1e-6) / (|Y| + 1e-6))`, dB.
    pub lsd_db: f64,
    /// `‖|X| − |Y|‖_F / ‖|X|‖_F` over the whole spectrogram.
    pub sc: f64,
}

/// The distances of `estimate` to `reference` (one channel each, trimmed to the shorter) on the
/// STFT magnitude with librosa's defaults (n_fft 2048, hop 512, Hann, centred, zero padding).
pub fn spectral_distance(reference: &[f32], estimate: &[f32]) -> Result<SpectralDistance> {
    let stft = Stft::new(StftConfig::default())?;
    let n = reference.len().min(estimate.len());
    let (a, b) = (stft.magnitude(&reference[..n]), stft.magnitude(&estimate[..n]));
    let (mut lsd, mut frames, mut num, mut den) = (0.0f64, 0usize, 0.0f64, 0.0f64);
    for (fa, fb) in a.frames().zip(b.frames()) {
        let mut sq = 0.0f64;
        for (&p, &q) in fa.iter().zip(fb) {
            let (p, q) = (f64::from(p), f64::from(q));
            let d = 20.0 * ((p + 1e-6).log10() - (q + 1e-6).log10());
            sq += d * d;
            num += (p - q) * (p - q);
            den += p * p;
        }
        lsd += (sq / fa.len() as f64).sqrt();
        frames += 1;
    }
    Ok(SpectralDistance { lsd_db: lsd / frames.max(1) as f64, sc: (num / den.max(1e-30)).sqrt() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_signals_are_at_zero_and_a_gain_is_seen() {
        let x: Vec<f32> = (0..22_050).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let same = spectral_distance(&x, &x).unwrap();
        assert_eq!((same.lsd_db, same.sc), (0.0, 0.0));
        let half: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
        let d = spectral_distance(&x, &half).unwrap();
        assert!((d.sc - 0.5).abs() < 1e-6, "{d:?}");
        assert!(d.lsd_db > 0.0 && d.lsd_db <= 20.0 * 2f64.log10() + 1e-6, "{d:?}");
    }
}
