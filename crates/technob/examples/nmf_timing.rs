//! Time NMF of a file: `cargo run --release --example nmf_timing -- FILE [K] [ITER]`.
//!
//! The spectrogram is what `nmf_separate` factorises: every channel's |STFT| (2048 / 512),
//! joined in time. Times the factorisation alone (Kullback–Leibler, NNDSVDa, `tol = 0` so that
//! every iteration runs) and then the whole separation (STFTs, NMF, masks, inverse STFTs).
use std::time::Instant;

use technob::decompose::{Beta, NmfOptions, NmfSeparationOptions, nmf, nmf_separate};
use technob::spectral::{Spectrogram, Stft, StftConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: nmf_timing FILE [K] [ITER]")?;
    let k: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let max_iter: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let audio = technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: false })?;
    let stft = Stft::new(StftConfig::default())?;
    let mut data = Vec::new();
    for channel in audio.channels() {
        data.extend_from_slice(stft.magnitude(channel).as_slice());
    }
    let n_frames = data.len() / stft.n_bins();
    let v = Spectrogram::new(stft.n_bins(), n_frames, data)?;
    let options =
        NmfOptions { n_components: k, beta: Beta::KullbackLeibler, max_iter, tol: 0.0, ..Default::default() };
    let t = Instant::now();
    let result = nmf(&v, &options)?;
    let t_nmf = t.elapsed().as_secs_f64();
    println!(
        "nmf of {} bins x {} frames ({} ch x {:.1} s at {} Hz), K = {k}, KL, {} iterations: {t_nmf:.2} s \
         ({:.1} ms per iteration), divergence {:.6e}",
        v.n_bins(),
        v.n_frames(),
        audio.n_channels(),
        audio.duration_s(),
        audio.sample_rate(),
        result.n_iter,
        1e3 * t_nmf / result.n_iter as f64,
        result.divergence
    );
    let t = Instant::now();
    let parts = nmf_separate(&audio, &NmfSeparationOptions { nmf: options, ..Default::default() })?;
    println!("nmf_separate into {} components: {:.2} s", parts.components.len(), t.elapsed().as_secs_f64());
    Ok(())
}
