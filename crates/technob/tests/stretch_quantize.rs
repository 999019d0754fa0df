//! Quantizing a drifting track (issue #7): techno_loop warped by a known smooth tempo curve
//! (±4 % around 125 BPM, so 120–130 BPM), beats tracked, quantized to 128 BPM, re-tracked:
//! the re-tracked beats must sit on the target grid (median ≤ 5 ms) at exactly 128.00 BPM,
//! and stems stretched with the mix's plan must stay aligned with it.

mod common;

use technob::audio::{Audio, DecodeOptions, decode_file};
use technob::decompose::hpss::{HpssOptions, hpss};
use technob::rhythm::{Beat, RhythmOptions, analyze_rhythm};
use technob::stretch::{
    GridTarget, QuantizeOptions, StretchOptions, TimeMap, quantize, stretch_stems, stretch_with_map,
};

/// The first `seconds` of techno_loop, mono.
fn techno_loop(seconds: f64) -> Audio {
    let path = common::data_dir().join("essentia-audio/recorded/techno_loop.mp3");
    let audio = decode_file(&path, &DecodeOptions { mono: true }).unwrap();
    let n = (seconds * f64::from(audio.sample_rate())) as usize;
    Audio::from_synth(vec![audio.channel(0)[..n].to_vec()], audio.sample_rate()).unwrap()
}

/// Warp `audio` so its local stretch is `1 + depth · sin(2π t / period)` (input time t).
fn warped(audio: &Audio, depth: f64, period_s: f64) -> Audio {
    let sr = f64::from(audio.sample_rate());
    let n = audio.n_frames() as f64;
    let step = 0.05 * sr;
    let mut anchors = vec![(0.0, 0.0)];
    let (mut input, mut output) = (0.0f64, 0.0f64);
    while input < n {
        let next = (input + step).min(n);
        let mid = 0.5 * (input + next) / sr;
        output += (next - input) * (1.0 + depth * (std::f64::consts::TAU * mid / period_s).sin());
        input = next;
        anchors.push((input, output));
    }
    let map = TimeMap::from_anchors(&anchors).unwrap();
    stretch_with_map(audio, &map, &StretchOptions::for_sample_rate(audio.sample_rate())).unwrap()
}

/// Distance (s) of each beat to the nearest line of the grid `first + k · period`.
fn grid_errors(beats: &[Beat], first: f64, period: f64) -> Vec<f64> {
    beats
        .iter()
        .map(|b| {
            let k = ((b.time_s - first) / period).round();
            (b.time_s - first - k * period).abs()
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn a_drifting_clip_lands_on_the_grid() {
    let clip = warped(&techno_loop(24.0), 0.04, 16.0);
    let rhythm = analyze_rhythm(&clip, &RhythmOptions::default()).unwrap();
    // Before: the beats drift away from their best constant grid by far more than 5 ms.
    let fit = rhythm.grid.clone().unwrap();
    let before = grid_errors(&rhythm.beats, fit.first_beat_s, 60.0 / fit.bpm);
    let worst_before = before.iter().copied().fold(0.0f64, f64::max);
    println!(
        "warped: grid {:.2} BPM, beats off their constant grid by up to {:.1} ms",
        fit.bpm,
        worst_before * 1e3
    );
    assert!(worst_before > 0.03, "the warp should drift: {worst_before}");

    let options = QuantizeOptions {
        target: GridTarget::Bpm(128.0),
        stretch: StretchOptions::for_sample_rate(clip.sample_rate()),
    };
    let result = quantize(&clip, &rhythm.beats, &options).unwrap();
    let again = analyze_rhythm(&result.audio, &RhythmOptions::default()).unwrap();
    let grid = again.grid.clone().unwrap();
    let errors = grid_errors(&again.beats, result.first_beat_s, 60.0 / 128.0);
    let (med, worst) = (median(errors.clone()), errors.iter().copied().fold(0.0f64, f64::max));
    println!(
        "quantized: {} beats re-tracked, grid {:.2} BPM; distance to the target grid median {:.2} ms, max {:.2} ms",
        again.beats.len(),
        grid.bpm,
        med * 1e3,
        worst * 1e3
    );
    assert_eq!(grid.bpm, 128.0, "re-tracked grid {} BPM", grid.bpm);
    assert!(med <= 0.005, "median distance to the grid {:.2} ms", med * 1e3);
    assert!(
        again.beats.len() + 2 >= rhythm.beats.len(),
        "{} beats before, {} after",
        rhythm.beats.len(),
        again.beats.len()
    );
}

#[test]
fn stems_follow_the_mix_plan() {
    let mix = warped(&techno_loop(8.0), 0.04, 8.0);
    let parts = hpss(&mix, &HpssOptions::default()).unwrap();
    let rhythm = analyze_rhythm(&mix, &RhythmOptions::default()).unwrap();
    let options = QuantizeOptions {
        target: GridTarget::Bpm(128.0),
        stretch: StretchOptions::for_sample_rate(mix.sample_rate()),
    };
    let result = quantize(&mix, &rhythm.beats, &options).unwrap();
    let (mix_again, stems) = stretch_stems(
        &mix,
        &[parts.harmonic.clone(), parts.percussive.clone()],
        &result.plan,
        &options.stretch,
    )
    .unwrap();
    assert_eq!(mix_again.channel(0), result.audio.channel(0), "the mix is stretched as by quantize");
    let (harmonic, percussive) = (&stems[0], &stems[1]);
    assert_eq!(harmonic.n_frames(), result.audio.n_frames());
    assert_eq!(percussive.n_frames(), result.audio.n_frames());
    // The stems take the mix's phase rotations, so the stretch is linear: they still add up to
    // the mix, to float rounding.
    let (mut err, mut sig) = (0.0f64, 0.0f64);
    for ((m, h), p) in result.audio.channel(0).iter().zip(harmonic.channel(0)).zip(percussive.channel(0)) {
        err += f64::from(m - h - p).powi(2);
        sig += f64::from(*m).powi(2);
    }
    let snr = 10.0 * (sig / err).log10();
    println!("stems vs mix after quantizing: {snr:.1} dB");
    assert!(snr > 80.0, "stems drifted from the mix: {snr:.1} dB");
}
