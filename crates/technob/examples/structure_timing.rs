//! Segment a file (or the bundled demo) and print the segments, the per-bar descriptors and
//! the time the segmenter takes once the beats exist (decoding and beat tracking excluded).
//!
//!     cargo run --release --example structure_timing -- [FILE] [--bars]
use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::demo::{DemoConfig, render};
use technob::rhythm::{RhythmOptions, analyze_rhythm};
use technob::structure::{StructureOptions, analyze_structure};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.iter().find(|a| !a.starts_with("--"));
    let audio = match file {
        Some(path) => decode_file(path, &DecodeOptions { mono: true })?,
        None => {
            let demo = render(&DemoConfig::default())?;
            for s in &demo.truth.sections {
                println!(
                    "truth {:>8.2} {:>8.2} {:>3} {:<10} {}",
                    s.start_s, s.end_s, s.bars, s.label, s.group
                );
            }
            demo.audio.to_mono()
        }
    };
    let t0 = Instant::now();
    let rhythm = analyze_rhythm(&audio, &RhythmOptions::default())?;
    let t_beats = t0.elapsed().as_secs_f64();
    let options = StructureOptions::default();
    let mut times = Vec::new();
    let mut structure = None;
    for _ in 0..5 {
        let t = Instant::now();
        structure = Some(analyze_structure(&audio, &rhythm, &options)?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let structure = structure.ok_or("no run")?;
    println!(
        "{:.1} s, {} bars (downbeats {}), beats {:.2} s, segmentation median of 5 {:.3} s",
        audio.duration_s(),
        structure.bar_starts_s.len(),
        structure.downbeats_known,
        t_beats,
        times[2]
    );
    for s in &structure.segments {
        println!(
            "seg   {:>8.2} {:>8.2} {:>3} {:<10} {:<3} {:.2}",
            s.start_s, s.end_s, s.bars, s.label, s.group, s.confidence
        );
    }
    if args.iter().any(|a| a == "--bars") {
        for (i, (t, n)) in structure.bar_starts_s.iter().zip(&structure.novelty).enumerate() {
            println!("bar {i:>4} {t:>8.2} nov {n:.2}");
        }
    }
    Ok(())
}
