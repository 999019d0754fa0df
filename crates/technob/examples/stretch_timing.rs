//! Time a stretch of a file, decoding excluded, and print the round-trip distances (stretch by
//! r, then by 1/r): log-spectral distance (dB) and spectral convergence against the input.
//!
//!     cargo run --release --example stretch_timing -- FILE [ratio] [default|plain|low-latency|long]
//!
//! `plain` is the default without transient locking; `long` a 4096-sample window with it.
use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::{Stft, StftConfig};
use technob::stretch::{StretchOptions, time_stretch};

fn distances(x: &[f32], y: &[f32]) -> (f64, f64) {
    let stft = Stft::new(StftConfig::default()).expect("valid STFT");
    let n = x.len().min(y.len());
    let (a, b) = (stft.magnitude(&x[..n]), stft.magnitude(&y[..n]));
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
    (lsd / frames.max(1) as f64, (num / den.max(1e-30)).sqrt())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: stretch_timing FILE [ratio]")?;
    let ratio: f64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1.05);
    let audio = decode_file(path, &DecodeOptions { mono: false })?;
    let sr = audio.sample_rate();
    let options = match args.get(3).map(String::as_str) {
        None | Some("default") => StretchOptions::for_sample_rate(sr),
        Some("plain") => StretchOptions { transients: false, ..StretchOptions::for_sample_rate(sr) },
        Some("low-latency") => StretchOptions::low_latency(sr),
        Some("long") => StretchOptions { n_fft: 4096, hop: 1024, transients: true },
        Some(other) => return Err(format!("unknown mode {other}").into()),
    };
    let t0 = Instant::now();
    let y = time_stretch(&audio, ratio, &options)?;
    println!(
        "{path}: {:.1} s, {} ch: stretch x{ratio} in {:.2} s, {} -> {} samples",
        audio.duration_s(),
        audio.n_channels(),
        t0.elapsed().as_secs_f64(),
        audio.n_frames(),
        y.n_frames()
    );
    for r in [0.8, 1.25, 1.5] {
        let there = time_stretch(&audio, r, &options)?;
        let back = time_stretch(&there, audio.n_frames() as f64 / there.n_frames() as f64, &options)?;
        let (lsd, sc) = distances(audio.channel(0), back.channel(0));
        println!(
            "round trip x{r} and back: {} samples, log-spectral distance {lsd:.2} dB, spectral convergence {sc:.3}",
            back.n_frames()
        );
    }
    Ok(())
}
