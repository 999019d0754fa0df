//! Wall time of `plot::overview` (PNG) for each panel alone and for the full stack, separately
//! from decoding; the median of RUNS runs per line. With OUT_DIR, writes each picture there.
//!
//!     cargo run --release --example plot_timing -- FILE [RUNS] [OUT_DIR]

#[cfg(feature = "plot")]
fn main() {
    use std::time::Instant;

    use technob::audio::{DecodeOptions, decode_file};
    use technob::plot::{ImageFormat, Panel, PlotOptions, overview};

    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: plot_timing FILE [RUNS] [OUT_DIR]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let out_dir = args.next();
    let start = Instant::now();
    let audio = match decode_file(&path, &DecodeOptions::default()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "decode: {:.3} s ({} ch, {} Hz, {:.1} s)",
        start.elapsed().as_secs_f64(),
        audio.n_channels(),
        audio.sample_rate(),
        audio.duration_s()
    );
    let mut sets: Vec<Vec<Panel>> = [
        Panel::Waveform,
        Panel::Waveform3,
        Panel::Spectrogram,
        Panel::Mel,
        Panel::Cqt,
        Panel::Chroma,
        Panel::Loudness,
    ]
    .into_iter()
    .map(|p| vec![p])
    .collect();
    sets.push(vec![Panel::Waveform, Panel::Spectrogram]);
    sets.push(vec![Panel::Waveform3, Panel::Spectrogram, Panel::Mel, Panel::Chroma, Panel::Loudness]);
    for panels in sets {
        let name = panels.iter().map(|p| p.name()).collect::<Vec<_>>().join(",");
        let options = PlotOptions { panels, title: Some(name.clone()), ..PlotOptions::default() };
        let mut times = Vec::with_capacity(runs);
        let mut png = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            png = match overview(&audio, &options, ImageFormat::Png) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    std::process::exit(1);
                }
            };
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!("{name}: median {:.3} s (min {:.3} s)", times[times.len() / 2], times[0]);
        if let Some(dir) = &out_dir {
            let file = std::path::Path::new(dir).join(format!("{}.png", name.replace(',', "+")));
            if let Err(e) = std::fs::write(&file, &png) {
                eprintln!("error: {}: {e}", file.display());
            }
        }
    }
}

#[cfg(not(feature = "plot"))]
fn main() {
    eprintln!("plot_timing needs the `plot` feature");
}
