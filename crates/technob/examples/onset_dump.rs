//! Dump the rhythm onset features of a file as JSON (for exploration): `onset_dump FILE OUT.json`.
use technob::audio::{DecodeOptions, decode_file};
use technob::rhythm::onset::onset_features;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let audio = decode_file(&args[1], &DecodeOptions { mono: true })?;
    let f = onset_features(audio.channel(0), audio.sample_rate())?;
    let chroma: Vec<Vec<f32>> = f.chroma.iter().map(|c| c.to_vec()).collect();
    let v = serde_json::json!({"fps": f.fps, "full": f.full, "low": f.low, "mid": f.mid, "high": f.high,
        "low_energy": f.low_energy, "chroma": chroma, "duration": audio.duration_s()});
    std::fs::write(&args[2], serde_json::to_string(&v)?)?;
    Ok(())
}
