//! Time loudness + every descriptor of a file (what the speed target counts), and the
//! parts: `cargo run --release --example features_timing -- FILE [RUNS]`. Prints medians.
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: features_timing FILE [RUNS]")?;
    let runs: usize = std::env::args().nth(2).map_or(Ok(5), |r| r.parse())?;
    let t = Instant::now();
    let audio = technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: false })?;
    println!(
        "decode {:.3} s ({} ch, {} Hz, {:.1} s)",
        t.elapsed().as_secs_f64(),
        audio.n_channels(),
        audio.sample_rate(),
        audio.duration_s()
    );
    let options = technob::features::FeatureOptions::default();
    let (mut all, mut mono, mut frames, mut loudness) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let set = technob::features::extract(&audio, &options)?;
        all.push(t.elapsed().as_secs_f64());
        std::hint::black_box(set);
        let t = Instant::now();
        let m = audio.to_mono();
        mono.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(technob::features::frame_features(m.channel(0), audio.sample_rate(), &options)?);
        frames.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(technob::loudness::measure_loudness(&audio)?);
        loudness.push(t.elapsed().as_secs_f64());
    }
    println!(
        "median of {runs}: loudness + all descriptors {:.3} s | alone: mono mix {:.3} s, frame descriptors {:.3} s, loudness {:.3} s",
        median(all),
        median(mono),
        median(frames),
        median(loudness)
    );
    Ok(())
}
