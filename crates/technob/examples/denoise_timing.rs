//! Time denoising of a file (every channel, default options: the quietest 10 % of the frames as
//! the noise profile): `cargo run --release --example denoise_timing -- FILE [RUNS] [OUT.wav]`.
//! With OUT.wav, the cleaned signal of the last run is written there as 32-bit float WAV
//! (bench/compare_denoise.py scores it).
use std::time::Instant;

use technob::decompose::{DenoiseOptions, denoise};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: denoise_timing FILE [RUNS] [OUT.wav]")?;
    let runs: usize = std::env::args().nth(2).map_or(Ok(3), |r| r.parse())?;
    let out = std::env::args().nth(3);
    let audio = technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: false })?;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let parts = std::hint::black_box(denoise(&audio, &DenoiseOptions::default())?);
        times.push(t.elapsed().as_secs_f64());
        last = Some(parts);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "denoise of {} ch x {:.1} s at {} Hz: median {:.3} s over {} runs",
        audio.n_channels(),
        audio.duration_s(),
        audio.sample_rate(),
        times[times.len() / 2],
        times.len()
    );
    if let (Some(out), Some(parts)) = (out, last) {
        technob::audio::write_wav(&parts.clean, out, technob::audio::WavFormat::Float32)?;
    }
    Ok(())
}
