//! Structure segmentation of a 6-minute 44.1 kHz mono signal (issue #8: "≤ 0.3 s once beats
//! exist"): `analyze_structure` with the beats tracked once, outside the timing, and the whole
//! `analyze_rhythm` + `analyze_structure`.
//!
//!     cargo bench -p technob --bench structure
//!     TECHNOB_BENCH_WAV=/tmp/six_minutes.wav cargo bench -p technob --bench structure
//!
//! The input is two renderings of the bundled demo played one after the other, 360 s with no
//! lead-in, so the bar grid runs on unbroken: a 96-bar arrangement (16 intro, 16 build-up,
//! 16 breakdown, 32 drop, 16 outro at 128 BPM = 180 s; one rendering may last at most
//! `demo::MAX_DURATION_S`), then the same arrangement with another seed and key, as a second
//! track mixed in at a downbeat. `TECHNOB_BENCH_WAV` adds the same two benchmarks on a file
//! (decoded to mono, its beats tracked once). Besides criterion's report, each benchmark prints
//! the median time of one call over the calls of its measured samples (warm-up left out).

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime};
use technob::Audio;
use technob::audio::{DecodeOptions, decode_file};
use technob::demo::{DemoConfig, SectionBars, render};
use technob::rhythm::{RhythmOptions, analyze_rhythm};
use technob::structure::{StructureOptions, analyze_structure};

/// Criterion samples per benchmark.
const SAMPLES: usize = 10;
/// Benchmark of the segmentation once the beats exist.
const SEGMENTATION: &str = "analyze_structure";
/// Benchmark of beat tracking + segmentation.
const WHOLE: &str = "analyze_rhythm+analyze_structure";

/// 360 s at 44.1 kHz, mono: two 180-s demo renderings back to back.
fn six_minutes() -> Audio {
    let bars = SectionBars { intro: 16, buildup: 16, breakdown: 16, drop: 32, outro: 16 };
    let first = DemoConfig { lead_in_s: 0.0, bars, ..DemoConfig::default() };
    let second = DemoConfig { seed: first.seed ^ 0x5EED, tonic: (first.tonic + 7) % 12, ..first.clone() };
    let mut y = Vec::new();
    let mut sr = 0;
    for config in [first, second] {
        let mono = render(&config).expect("demo").audio.to_mono();
        sr = mono.sample_rate();
        y.extend_from_slice(mono.channel(0));
    }
    Audio::from_synth(vec![y], sr).expect("audio")
}

/// The duration of every call, one list per invocation of the benchmark routine by criterion.
#[derive(Default)]
struct Calls(RefCell<Vec<Vec<Duration>>>);

impl Calls {
    /// Run `f` `iters` times, timing each call; the total is criterion's measurement.
    fn time<R>(&self, iters: u64, mut f: impl FnMut() -> R) -> Duration {
        let mut calls = Vec::with_capacity(iters as usize);
        for _ in 0..iters {
            let t = Instant::now();
            black_box(f());
            calls.push(t.elapsed());
        }
        let total = calls.iter().sum();
        self.0.borrow_mut().push(calls);
        total
    }

    /// Median call over the last `SAMPLES` invocations (criterion's measured samples; the
    /// warm-up comes before them), or `None` when the benchmark did not run (filtered out).
    fn median_s(&self) -> Option<(f64, usize)> {
        let runs = self.0.borrow();
        let skip = runs.len().saturating_sub(SAMPLES);
        let mut t: Vec<f64> = runs[skip..].iter().flatten().map(Duration::as_secs_f64).collect();
        if t.is_empty() {
            return None;
        }
        t.sort_by(f64::total_cmp);
        let n = t.len();
        let median = if n % 2 == 1 { t[n / 2] } else { 0.5 * (t[n / 2 - 1] + t[n / 2]) };
        Some((median, n))
    }
}

/// `analyze_structure` once the beats exist, and beats + structure, on `audio`.
fn group(g: &mut BenchmarkGroup<'_, WallTime>, audio: &Audio, name: &str) {
    let rhythm_options = RhythmOptions::default();
    let options = StructureOptions::default();
    let rhythm = analyze_rhythm(audio, &rhythm_options).expect("beats");
    let structure = analyze_structure(audio, &rhythm, &options).expect("structure");
    println!(
        "{name}: {:.1} s, {} beats, {} bars, {} segments",
        audio.duration_s(),
        rhythm.beat_times().len(),
        structure.bar_starts_s.len(),
        structure.segments.len()
    );

    let segmentation = Calls::default();
    g.bench_function(SEGMENTATION, |b| {
        b.iter_custom(|iters| {
            segmentation.time(iters, || analyze_structure(black_box(audio), black_box(&rhythm), &options))
        })
    });
    let whole = Calls::default();
    g.bench_function(WHOLE, |b| {
        b.iter_custom(|iters| {
            whole.time(iters, || {
                let rhythm = analyze_rhythm(black_box(audio), &rhythm_options)?;
                analyze_structure(audio, &rhythm, &options)
            })
        })
    });
    for (what, calls) in [(SEGMENTATION, &segmentation), (WHOLE, &whole)] {
        if let Some((median, n)) = calls.median_s() {
            println!("{name}/{what}: median of {n} calls {median:.4} s");
        }
    }
}

fn bench(c: &mut Criterion) {
    let audio = six_minutes();
    let mut g = c.benchmark_group("structure_6min_44k_mono");
    g.sample_size(SAMPLES);
    group(&mut g, &audio, "structure_6min_44k_mono");
    g.finish();

    if let Ok(path) = std::env::var("TECHNOB_BENCH_WAV") {
        let audio = decode_file(&path, &DecodeOptions { mono: true }).expect("TECHNOB_BENCH_WAV");
        let name = format!("structure_file_{:.0}s_{}hz", audio.duration_s(), audio.sample_rate());
        let mut g = c.benchmark_group(name.clone());
        g.sample_size(SAMPLES);
        group(&mut g, &audio, &name);
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
