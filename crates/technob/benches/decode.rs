//! Decoding speed: a 6-minute 44.1 kHz stereo track as 16-bit WAV and FLAC (synthesised and
//! written with technob's own writers into a temporary directory), and a real 30 s MP3 and Ogg
//! Vorbis file from ../shared/data. Also resampling 44.1 → 22.05 kHz.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use technob::Audio;
use technob::audio::{DecodeOptions, FlacDepth, WavFormat, decode_file, resample, write_flac, write_wav};

fn six_minutes() -> Audio {
    let sr = 44100usize;
    let n = sr * 360;
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let left: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / sr as f32;
            0.4 * (std::f32::consts::TAU * 55.0 * t).sin() * (-(t * 2.133 % 1.0) * 8.0).exp() + 0.05 * noise()
        })
        .collect();
    let right: Vec<f32> = left.iter().map(|x| x * 0.9 + 0.02 * noise()).collect();
    Audio::from_synth(vec![left, right], sr as u32).expect("valid audio")
}

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

fn bench_decode(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("technob-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let audio = six_minutes();
    let wav = dir.join("six_minutes.wav");
    let flac = dir.join("six_minutes.flac");
    write_wav(&audio, &wav, WavFormat::Int16).expect("write wav");
    write_flac(&audio, &flac, FlacDepth::Bits16).expect("write flac");

    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    group.bench_function("wav_s16_6min_stereo", |b| b.iter(|| decode_file(&wav, &DecodeOptions::default())));
    group.bench_function("wav_s16_6min_to_mono", |b| {
        b.iter(|| decode_file(&wav, &DecodeOptions { mono: true }))
    });
    group
        .bench_function("flac_s16_6min_stereo", |b| b.iter(|| decode_file(&flac, &DecodeOptions::default())));
    let mp3 = shared("essentia-audio/recorded/techno_loop.mp3");
    if mp3.exists() {
        group.bench_function("mp3_30s_stereo", |b| b.iter(|| decode_file(&mp3, &DecodeOptions::default())));
    }
    let ogg = shared("librosa-data/audio/admiralbob77_-_Choice_-_Drum-bass.hq.ogg");
    if ogg.exists() {
        group
            .bench_function("vorbis_25s_stereo", |b| b.iter(|| decode_file(&ogg, &DecodeOptions::default())));
    }
    group.finish();

    let mut group = c.benchmark_group("resample");
    group.sample_size(10);
    let mono = audio.to_mono();
    group.bench_function("6min_mono_44100_to_22050", |b| b.iter(|| resample(&mono, 22050)));
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_decode
}
criterion_main!(benches);
