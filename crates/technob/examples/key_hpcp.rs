//! Key from technob's HPCP with essentia-like settings (exploration): `key_hpcp FILE...`.
use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::hpcp::{HpcpConfig, hpcp};
use technob::tonal::key::{KeyProfile, estimate_from_profile};

fn env(name: &str, d: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

fn main() {
    for path in std::env::args().skip(1) {
        let audio = decode_file(&path, &DecodeOptions { mono: true }).unwrap();
        let sr = f64::from(audio.sample_rate());
        let n_fft = ((env("N_FFT_S", 0.093) * sr) as usize).next_power_of_two();
        let config = HpcpConfig {
            n_fft,
            hop_length: n_fft / env("HOPDIV", 1.0) as usize,
            min_hz: env("FMIN", 25.0),
            max_hz: env("FMAX", 3500.0),
            n_harmonics: env("HARM", 4.0) as usize,
            max_peaks: env("PEAKS", 60.0) as usize,
            ..HpcpConfig::default()
        };
        let t = std::time::Instant::now();
        let h = hpcp(audio.channel(0), sr, &config).unwrap();
        let mut pcp = [0.0f64; 12];
        for f in h.frames() {
            for (p, v) in pcp.iter_mut().zip(f) {
                *p += f64::from(*v);
            }
        }
        let dt = t.elapsed().as_secs_f64();
        let name = path.rsplit('/').next().unwrap_or(&path).chars().take(20).collect::<String>();
        let mut line = format!("{name:<20} {dt:.3}s");
        for p in [KeyProfile::Bgate, KeyProfile::Edma, KeyProfile::Krumhansl] {
            if let Ok(k) = estimate_from_profile(&pcp, p) {
                line += &format!(" | {:>5} {:<9} {:.2}", p.name(), k.name, k.confidence);
            }
        }
        println!("{line}");
    }
}
