//! Decode a file, downmix to mono and take its STFT (2048/512, Hann, centred): the work
//! `librosa.load(path, sr=None)` + `librosa.stft(y)` does. Prints one JSON line with the median
//! wall time of each stage over the runs (and of a magnitude
//! spectrogram, `np.abs(librosa.stft(y))`, which is what analysers use), for `bench/compare_peers.py`.
//!
//!     cargo run --release --example decode_stft -- FILE [RUNS]

use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::{Stft, StftConfig};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: decode_stft FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let stft = match Stft::new(StftConfig { n_fft: 2048, hop_length: 512, ..StftConfig::default() }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let (mut decode, mut spectrum, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut magnitude = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..runs {
        let t0 = Instant::now();
        let audio = match decode_file(&path, &DecodeOptions { mono: true }) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        };
        let t1 = Instant::now();
        let spec = stft.forward(audio.channel(0));
        let t2 = Instant::now();
        shape = (spec.n_bins(), spec.n_frames());
        drop(spec);
        let t3 = Instant::now();
        let mag = stft.magnitude(audio.channel(0));
        magnitude.push(t3.elapsed().as_secs_f64());
        drop(mag);
        decode.push((t1 - t0).as_secs_f64());
        spectrum.push((t2 - t1).as_secs_f64());
        total.push((t2 - t0).as_secs_f64());
    }
    println!(
        "{{\"decode_s\": {:.6}, \"stft_s\": {:.6}, \"magnitude_s\": {:.6}, \"total_s\": {:.6}, \"bins\": {}, \"frames\": {}, \"runs\": {runs}}}",
        median(decode),
        median(spectrum),
        median(magnitude),
        median(total),
        shape.0,
        shape.1
    );
}
