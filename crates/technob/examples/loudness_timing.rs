//! Time the loudness measurement of a file: `cargo run --release --example loudness_timing -- FILE`.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: loudness_timing FILE")?;
    let audio = technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: false })?;
    for _ in 0..3 {
        let t = Instant::now();
        let r = technob::loudness::measure_loudness(&audio)?;
        println!("{:.3} s  I {:?}", t.elapsed().as_secs_f64(), r.integrated_lufs);
    }
    Ok(())
}
