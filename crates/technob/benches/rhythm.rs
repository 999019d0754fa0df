//! Rhythm analysis of a 6-minute 44.1 kHz mono signal: the bundled demo looped to 6 minutes
//! (a techno track with kicks, hats, bass and breakdowns), stage by stage and whole.
//!
//!     cargo bench -p technob --bench rhythm

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use technob::Audio;
use technob::rhythm::{RhythmOptions, analyze_rhythm, onset, tempo, tracker};

fn six_minutes() -> Audio {
    let demo = technob::demo::render(&technob::demo::DemoConfig::default()).expect("demo");
    let mono = demo.audio.to_mono();
    let one = mono.channel(0);
    let n = 360 * mono.sample_rate() as usize;
    let y: Vec<f32> = one.iter().copied().cycle().take(n).collect();
    Audio::from_synth(vec![y], mono.sample_rate()).expect("audio")
}

fn bench(c: &mut Criterion) {
    let audio = six_minutes();
    let y = audio.channel(0);
    let sr = audio.sample_rate();
    let features = onset::onset_features(y, sr).expect("onsets");
    let activation: Vec<f64> = features.low.iter().map(|&v| f64::from(v).clamp(0.01, 0.99)).collect();
    let tempi = tracker::intervals(60.0 * features.fps / 154.0, 60.0 * features.fps / 107.0);

    let mut g = c.benchmark_group("rhythm_6min_44k_mono");
    g.sample_size(10);
    g.bench_function("onset_features", |b| b.iter(|| black_box(onset::onset_features(black_box(y), sr))));
    g.bench_function("tempo_salience", |b| {
        b.iter(|| black_box(tempo::tempo_salience(black_box(&features), (60.0, 200.0))))
    });
    g.bench_function("beat_viterbi", |b| {
        b.iter(|| black_box(tracker::decode_beats(black_box(&activation), &tempi)))
    });
    g.bench_function("analyze_rhythm", |b| {
        b.iter(|| black_box(analyze_rhythm(black_box(&audio), &RhythmOptions::default())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
