//! Time and pitch on one minute of the bundled demo, 44.1 kHz stereo: ×1.05 stretch (default
//! and low-latency modes), a +2 semitone shift, and the transient pass alone. The 6-minute
//! figure of issue #7 comes from `--example stretch_timing` and `bench/compare_stretch.py`.
//!
//!     cargo bench -p technob --bench stretch

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use technob::Audio;
use technob::stretch::{ShiftOptions, StretchOptions, pitch_shift, time_stretch, transients};

fn one_minute() -> Audio {
    let demo = technob::demo::render(&technob::demo::DemoConfig::default()).expect("demo");
    let n = 60 * demo.audio.sample_rate() as usize;
    let channels = demo
        .audio
        .channels()
        .iter()
        .map(|c| c.iter().copied().cycle().take(n).collect())
        .collect::<Vec<Vec<f32>>>();
    Audio::from_synth(channels, demo.audio.sample_rate()).expect("audio")
}

fn bench(c: &mut Criterion) {
    let audio = one_minute();
    let sr = audio.sample_rate();
    let mut g = c.benchmark_group("stretch_1min_44k_stereo");
    g.sample_size(10);
    g.bench_function("time_stretch_1.05", |b| {
        b.iter(|| black_box(time_stretch(black_box(&audio), 1.05, &StretchOptions::for_sample_rate(sr))))
    });
    g.bench_function("time_stretch_1.05_low_latency", |b| {
        b.iter(|| black_box(time_stretch(black_box(&audio), 1.05, &StretchOptions::low_latency(sr))))
    });
    g.bench_function("pitch_shift_+2", |b| {
        let options = ShiftOptions { stretch: StretchOptions::for_sample_rate(sr), preserve_formants: false };
        b.iter(|| black_box(pitch_shift(black_box(&audio), 2.0, &options)))
    });
    g.bench_function("detect_transients", |b| {
        b.iter(|| black_box(transients::detect_transients(black_box(&audio))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
