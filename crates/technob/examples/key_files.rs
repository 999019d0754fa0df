//! Print the key of files under every profile (for exploration): `key_files FILE...`.
use technob::audio::{DecodeOptions, decode_file};
use technob::tonal::key::{KeyProfile, estimate_from_profile, pitch_class_profile};

fn main() {
    for path in std::env::args().skip(1) {
        let audio = match decode_file(&path, &DecodeOptions { mono: true }) {
            Ok(a) => a,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let t = std::time::Instant::now();
        let pcp = match pitch_class_profile(audio.channel(0), f64::from(audio.sample_rate()), None) {
            Ok(p) => p,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let dt = t.elapsed().as_secs_f64();
        if std::env::var("PCP").is_ok() {
            let m = pcp.iter().fold(0.0f64, |a, &b| a.max(b));
            println!("{:?}", pcp.iter().map(|v| (v / m * 100.0).round()).collect::<Vec<_>>());
        }
        let name = path.rsplit('/').next().unwrap_or(&path).chars().take(28).collect::<String>();
        let mut line = format!("{name:<28} {dt:.3}s");
        for p in KeyProfile::ALL {
            match estimate_from_profile(&pcp, p) {
                Ok(k) => line += &format!(" | {:>4} {:<9} {:.2}", p.name(), k.name, k.confidence),
                Err(e) => line += &format!(" | {e}"),
            }
        }
        println!("{line}");
    }
}
