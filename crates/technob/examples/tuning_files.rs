//! Print the tuning of files (exploration): `tuning_files FILE...` (env MIN_HZ).
use technob::audio::{DecodeOptions, decode_file};
use technob::tonal::tuning::{TuningConfig, estimate_tuning_with};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let min_hz: f64 = std::env::var("MIN_HZ").ok().and_then(|v| v.parse().ok()).unwrap_or(50.0);
    for path in std::env::args().skip(1) {
        let audio = decode_file(&path, &DecodeOptions { mono: true })?;
        let config = TuningConfig { min_hz, ..TuningConfig::default() };
        match estimate_tuning_with(audio.channel(0), f64::from(audio.sample_rate()), &config) {
            Ok(t) => println!("{:>8.2} cents  {path}", t.cents),
            Err(e) => println!("{e}  {path}"),
        }
    }
    Ok(())
}
