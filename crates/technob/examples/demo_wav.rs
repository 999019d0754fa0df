//! Render the bundled demo track to a WAV file and print its ground truth.
//!
//! `cargo run --release -p technob --example demo_wav [OUT.wav]` (default `/tmp/demo.wav`).

use std::time::Instant;

use technob::audio::{WavFormat, write_wav};
use technob::demo::{DemoConfig, render};

fn main() -> technob::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/demo.wav".to_string());
    let t = Instant::now();
    let demo = render(&DemoConfig::default())?;
    let elapsed = t.elapsed();
    let peak = demo.audio.channels().iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    write_wav(&demo.audio, &path, WavFormat::Float32)?;
    // FNV-1a over the sample bits, as in the demo's golden-hash test: equal on every machine.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for x in demo.audio.channels().iter().flatten() {
        for b in x.to_bits().to_le_bytes() {
            hash = (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    eprintln!(
        "rendered {:.2} s of audio in {:.1} ms; peak {:.2} dBFS; samples hash {hash:#018x}; wrote {path}",
        demo.audio.duration_s(),
        elapsed.as_secs_f64() * 1e3,
        20.0 * peak.log10()
    );
    let json = serde_json::to_string_pretty(&demo.truth)
        .map_err(|e| technob::Error::Output(format!("cannot serialise the truth: {e}")))?;
    println!("{json}");
    Ok(())
}
