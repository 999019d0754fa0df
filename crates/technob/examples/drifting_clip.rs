//! Make a drifting clip to test quantizing on: the input warped by a known smooth tempo curve,
//! its local stretch `1 + depth · sin(2π t / period_s)` at input time `t` (with the defaults
//! 0.04 and 16 s, a 125 BPM loop swings between 120 and 130 BPM), written as 32-bit float WAV.
//! Prints the stretch and tempo range the curve covers over the clip.
//!
//!     cargo run --release --example drifting_clip -- IN OUT.wav [depth] [period_s]
//!
//! The warp is one phase-vocoder pass along a time map with an anchor every 50 ms
//! (`technob::stretch::stretch_with_map`), the same as in `tests/stretch_quantize.rs`.
use std::time::Instant;

use technob::audio::{DecodeOptions, WavFormat, decode_file, write_wav};
use technob::rhythm::{RhythmOptions, analyze_rhythm};
use technob::stretch::{StretchOptions, TimeMap, stretch_with_map};

/// Anchor spacing of the time map, seconds.
const STEP_S: f64 = 0.05;

/// The time map of the warp for `n` samples at `sr` Hz, and the smallest and largest local
/// stretch it applies.
fn warp_map(n: usize, sr: u32, depth: f64, period_s: f64) -> technob::Result<(TimeMap, f64, f64)> {
    let sr = f64::from(sr);
    let n = n as f64;
    let step = STEP_S * sr;
    let mut anchors = vec![(0.0, 0.0)];
    let (mut input, mut output) = (0.0f64, 0.0f64);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    while input < n {
        let next = (input + step).min(n);
        let mid_s = 0.5 * (input + next) / sr;
        let stretch = 1.0 + depth * (std::f64::consts::TAU * mid_s / period_s).sin();
        (lo, hi) = (lo.min(stretch), hi.max(stretch));
        output += (next - input) * stretch;
        input = next;
        anchors.push((input, output));
    }
    Ok((TimeMap::from_anchors(&anchors)?, lo, hi))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: drifting_clip IN OUT.wav [depth 0.04] [period_s 16]";
    let (input, out) = match (args.get(1), args.get(2)) {
        (Some(i), Some(o)) => (i, o),
        _ => return Err(usage.into()),
    };
    let depth: f64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(0.04);
    let period_s: f64 = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(16.0);
    if !(depth.is_finite() && (0.0..=0.5).contains(&depth)) {
        return Err(format!("depth {depth}: must be 0 to 0.5 ({usage})").into());
    }
    if !(period_s.is_finite() && period_s > 0.0) {
        return Err(format!("period {period_s} s: must be > 0 ({usage})").into());
    }
    let audio = decode_file(input, &DecodeOptions { mono: false })?;
    let sr = audio.sample_rate();
    let (map, lo, hi) = warp_map(audio.n_frames(), sr, depth, period_s)?;
    let t0 = Instant::now();
    let warped = stretch_with_map(&audio, &map, &StretchOptions::for_sample_rate(sr))?;
    let elapsed = t0.elapsed().as_secs_f64();
    write_wav(&warped, out, WavFormat::Float32)?;
    println!(
        "{input}: {:.2} s, {} ch -> {out}: {:.2} s (warped in {elapsed:.2} s)",
        audio.duration_s(),
        audio.n_channels(),
        warped.duration_s()
    );
    println!("local stretch {lo:.3} to {hi:.3} (depth {depth}, period {period_s} s of input)");
    // Tempo is the input's divided by the local stretch.
    match analyze_rhythm(&audio, &RhythmOptions::default()) {
        Ok(rhythm) => {
            let bpm = rhythm.grid.as_ref().map_or(rhythm.tempo.bpm, |g| g.bpm);
            println!("tempo {:.2} to {:.2} BPM (input grid {bpm:.2} BPM)", bpm / hi, bpm / lo);
        }
        Err(e) if e.is_no_result() => println!("tempo: the input has no beat to track ({e})"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
