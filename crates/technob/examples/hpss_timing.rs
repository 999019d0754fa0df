//! Time HPSS of a file (every channel): `cargo run --release --example hpss_timing -- FILE [RUNS]`.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: hpss_timing FILE [RUNS]")?;
    let runs: usize = std::env::args().nth(2).map_or(Ok(3), |r| r.parse())?;
    let audio = technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: false })?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(technob::decompose::hpss(&audio, &technob::decompose::HpssOptions::default())?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "hpss of {} ch x {:.1} s at {} Hz: median {:.3} s over {runs} runs",
        audio.n_channels(),
        audio.duration_s(),
        audio.sample_rate(),
        times[runs / 2]
    );
    Ok(())
}
