//! Time the stages of key estimation on a file (exploration): `key_timing FILE`.
use std::time::Instant;
use technob::audio::{DecodeOptions, decode_file, resample_channel};
use technob::tonal::key::{KeyOptions, estimate_key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: key_timing FILE")?;
    let audio = decode_file(&path, &DecodeOptions { mono: true })?;
    let y = audio.channel(0);
    let sr = audio.sample_rate();
    for _ in 0..3 {
        let t = Instant::now();
        let r = resample_channel(y, sr, 11_025)?;
        let t_rs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let k = estimate_key(y, f64::from(sr), &KeyOptions::default())?;
        println!(
            "resample {t_rs:.3}s  key total {:.3}s  {} ({} samples)",
            t.elapsed().as_secs_f64(),
            k.name,
            r.len()
        );
    }
    Ok(())
}
