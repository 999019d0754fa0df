//! Constant-Q transform, constant-Q chroma, HPCP and tuning estimation.
//!
//! Always: 60 s of a synthesised 22.05 kHz mono signal (the bundled demo track, a techno loop
//! with bass and chords, resampled and looped). With `TECHNOB_BENCH_WAV=file.wav` also that
//! file (mono, any rate), e.g. the 6-minute concatenation of librosa's example recordings that
//! the report compares with `librosa.feature.chroma_cqt`:
//!
//!     cargo bench -p technob --bench cqt
//!     TECHNOB_BENCH_WAV=/tmp/six_min_22k.wav cargo bench -p technob --bench cqt

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime};
use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::cqt::{self, ChromaCqtConfig, Cqt, CqtConfig};
use technob::spectral::hpcp::{Hpcp, HpcpConfig};
use technob::tonal::tuning;

fn demo_minute() -> (Vec<f32>, f64) {
    let demo = technob::demo::render(&technob::demo::DemoConfig::default()).expect("demo");
    let mono = demo.audio.to_mono().resampled(22050).expect("resample");
    let n = 60 * 22050;
    (mono.channel(0).iter().copied().cycle().take(n).collect(), 22050.0)
}

fn group(g: &mut BenchmarkGroup<'_, WallTime>, y: &[f32], sr: f64) {
    let plan = Cqt::new(sr, &CqtConfig::default()).expect("cqt plan");
    g.bench_function("cqt_84_hop512", |b| b.iter(|| black_box(plan.magnitude(black_box(y)).expect("cqt"))));
    for hop in [512usize, 4096] {
        let config = ChromaCqtConfig { hop_length: hop, tuning: Some(0.0), ..ChromaCqtConfig::default() };
        g.bench_function(format!("chroma_cqt_hop{hop}"), |b| {
            b.iter(|| black_box(cqt::chroma_cqt(black_box(y), sr, &config).expect("chroma")))
        });
    }
    let config = ChromaCqtConfig { hop_length: 4096, ..ChromaCqtConfig::default() };
    g.bench_function("chroma_cqt_hop4096_tuning_estimated", |b| {
        b.iter(|| black_box(cqt::chroma_cqt(black_box(y), sr, &config).expect("chroma")))
    });
    for hop in [2048usize, 4096] {
        let h = Hpcp::new(sr, &HpcpConfig { hop_length: hop, ..HpcpConfig::default() }).expect("hpcp plan");
        g.bench_function(format!("hpcp_4096_hop{hop}"), |b| {
            b.iter(|| black_box(h.compute(black_box(y)).expect("hpcp")))
        });
    }
    g.bench_function("estimate_tuning", |b| b.iter(|| black_box(tuning::estimate_tuning(black_box(y), sr))));
}

fn bench(c: &mut Criterion) {
    let (y, sr) = demo_minute();
    let mut g = c.benchmark_group("tonal_60s_22k_mono");
    g.sample_size(10);
    group(&mut g, &y, sr);
    g.finish();

    if let Ok(path) = std::env::var("TECHNOB_BENCH_WAV") {
        let audio = decode_file(&path, &DecodeOptions::default()).expect("TECHNOB_BENCH_WAV").to_mono();
        let sr = f64::from(audio.sample_rate());
        let mut g =
            c.benchmark_group(format!("tonal_file_{:.0}s_{}hz", audio.duration_s(), audio.sample_rate()));
        g.sample_size(10);
        group(&mut g, audio.channel(0), sr);
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
