//! Spectral core speed on a 6-minute 44.1 kHz mono signal: STFT (2048/512) magnitude and complex,
//! ISTFT, mel spectrogram and MFCC (from a precomputed power spectrogram, as analysers share it).

use criterion::{Criterion, criterion_group, criterion_main};
use technob::spectral::{DbRef, MelFilterbank, MelNorm, Mfcc, Stft, StftConfig, power_to_db};

fn signal(n: usize) -> Vec<f32> {
    let mut state = 0x9E3779B97F4A7C15u64;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let t = i as f32 / 44100.0;
            0.3 * (std::f32::consts::TAU * 110.0 * t).sin()
                + 0.1 * ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5)
        })
        .collect()
}

fn bench_spectral(c: &mut Criterion) {
    let y = signal(44100 * 360);
    let stft = Stft::new(StftConfig::default()).expect("valid config");
    let mut group = c.benchmark_group("spectral_6min_mono_44k");
    group.sample_size(10);
    group.bench_function("stft_magnitude_2048_512", |b| b.iter(|| stft.magnitude(&y)));
    group.bench_function("stft_complex_2048_512", |b| b.iter(|| stft.forward(&y)));
    let spec = stft.forward(&y);
    group.bench_function("istft_2048_512", |b| b.iter(|| stft.inverse(&spec, Some(y.len()))));
    let power = stft.power(&y);
    let mel = MelFilterbank::new(44100, 2048, 128, 0.0, None, false, MelNorm::Slaney).expect("valid mel");
    group.bench_function("mel_128_from_power", |b| b.iter(|| mel.apply(&power)));
    let mel_power = mel.apply(&power).expect("mel");
    let mfcc = Mfcc::new(20, 128).expect("valid mfcc");
    group.bench_function("mfcc_20_from_mel", |b| {
        b.iter(|| mfcc.apply(&power_to_db(&mel_power, DbRef::Value(1.0), 1e-10, Some(80.0))))
    });
    group.finish();
}

criterion_group!(benches, bench_spectral);
criterion_main!(benches);
