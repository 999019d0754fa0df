//! Time a stretch of a file, decoding excluded, and print the round-trip distances (stretch by
//! r, then by 1/r): log-spectral distance (dB) and spectral convergence against the input.
//!
//!     cargo run --release --example stretch_timing -- FILE [ratio] [default|plain|low-latency|long]
//!
//! `plain` is the default without transient locking; `long` a 4096-sample window with it.
use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::eval::spectral_distance::spectral_distance;
use technob::stretch::{StretchOptions, time_stretch};

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
        let d = spectral_distance(audio.channel(0), back.channel(0))?;
        let (lsd, sc) = (d.lsd_db, d.sc);
        println!(
            "round trip x{r} and back: {} samples, log-spectral distance {lsd:.2} dB, spectral convergence {sc:.3}",
            back.n_frames()
        );
    }
    Ok(())
}
