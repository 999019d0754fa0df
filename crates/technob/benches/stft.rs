//! STFT, mel spectrogram and MFCC of a 6-minute 44.1 kHz mono signal (synthesised: a techno-ish
//! mix of a kick, a detuned saw chord and noise, so the FFT sees realistic, non-sparse data).
//!
//! Also: decode + mono + STFT of a 6-minute stereo WAV written to the temporary directory.
//!
//!     cargo bench -p technob --bench stft

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use technob::Audio;
use technob::audio::{DecodeOptions, WavFormat, decode_file, write_wav};
use technob::spectral::{self, DbRef, MelConfig, MelFilterbank, Mfcc, Stft, StftConfig};

const SR: f64 = 44100.0;

fn signal(seconds: f64) -> Vec<f32> {
    let n = (seconds * SR) as usize;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|i| {
            let t = i as f64 / SR;
            let beat = t * 125.0 / 60.0;
            let phase = beat.fract();
            let kick = (2.0 * std::f64::consts::PI * (50.0 + 100.0 * (-phase * 30.0).exp()) * phase).sin()
                * (-phase * 8.0).exp();
            let chord: f64 =
                [110.0, 130.81, 164.81, 110.7].iter().map(|f| 2.0 * (t * f).fract() - 1.0).sum::<f64>() * 0.1;
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            (0.6 * kick + chord + 0.05 * noise) as f32
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let y = signal(360.0);
    let stft = Stft::new(StftConfig::default()).expect("default STFT");
    let bank = MelFilterbank::from_config(SR, 2048, &MelConfig::default()).expect("mel");
    let mfcc = Mfcc::new(20, 128).expect("mfcc");

    let mut g = c.benchmark_group("6min_44k_mono");
    g.sample_size(10);
    g.bench_function("stft_2048_512_magnitude", |b| b.iter(|| black_box(stft.magnitude(black_box(&y)))));
    g.bench_function("stft_2048_512_complex", |b| b.iter(|| black_box(stft.forward(black_box(&y)))));
    g.bench_function("melspectrogram_128", |b| {
        b.iter(|| black_box(bank.apply(&stft.power(black_box(&y))).expect("mel")))
    });
    g.bench_function("mfcc_20", |b| {
        b.iter(|| {
            let mut mel = bank.apply(&stft.power(black_box(&y))).expect("mel");
            spectral::power_to_db_in_place(&mut mel, DbRef::Value(1.0), 1e-10, Some(80.0)).expect("db");
            black_box(mfcc.from_log_mel(&mel).expect("mfcc"))
        })
    });
    let spec = stft.forward(&y);
    g.bench_function("istft_2048_512", |b| {
        b.iter(|| black_box(stft.inverse(black_box(&spec), Some(y.len())).expect("istft")))
    });
    g.finish();

    // The product goal: decode a 6-minute 44.1 kHz stereo 16-bit WAV, downmix, STFT magnitude
    // (compare with `librosa.load(path, sr=None, mono=True)` + `np.abs(librosa.stft(y))`).
    let right: Vec<f32> = y.iter().rev().copied().collect();
    let stereo =
        Audio::from_synth(vec![y.iter().map(|v| v * 0.5).collect(), right], SR as u32).expect("audio");
    let path = std::env::temp_dir().join(format!("technob-bench-6min-stereo-{}.wav", std::process::id()));
    write_wav(&stereo, &path, WavFormat::Int16).expect("write the bench WAV");
    let mut g = c.benchmark_group("6min_44k_stereo_wav");
    g.sample_size(10);
    g.bench_function("decode_mono_stft_magnitude", |b| {
        b.iter(|| {
            let audio = decode_file(&path, &DecodeOptions::default()).expect("decode").to_mono();
            black_box(stft.magnitude(audio.channel(0)))
        })
    });
    g.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotters backend needs system fonts that CI machines may lack.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
