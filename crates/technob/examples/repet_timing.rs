//! Time REPET-SIM on a file (median of `runs`), decoding excluded.
//!
//!     cargo run --release --example repet_timing -- FILE [runs] [hpss]
use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::decompose::{HpssOptions, RepetOptions, repet_sim};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: repet_timing FILE [runs] [hpss]")?;
    let runs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let options = if args.get(3).is_some_and(|s| s == "hpss") {
        RepetOptions { hpss: Some(HpssOptions::default()), ..RepetOptions::default() }
    } else {
        RepetOptions::default()
    };
    let audio = decode_file(path, &DecodeOptions { mono: false })?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let parts = repet_sim(&audio, &options)?;
        times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(parts);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{path}: {:.1} s, {} ch, {} Hz: REPET-SIM median {:.2} s of {runs} (min {:.2})",
        audio.duration_s(),
        audio.n_channels(),
        audio.sample_rate(),
        times[runs / 2],
        times[0]
    );
    Ok(())
}
