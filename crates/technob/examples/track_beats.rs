//! Track beats of files and print one JSON line per file: `track_beats FILE...`.
use technob::audio::{DecodeOptions, decode_file};
use technob::rhythm::{RhythmOptions, analyze_rhythm};

fn main() {
    for path in std::env::args().skip(1) {
        let result = decode_file(&path, &DecodeOptions { mono: true })
            .and_then(|audio| analyze_rhythm(&audio, &RhythmOptions::default()));
        match result {
            Ok(r) => println!("{}", serde_json::json!({"file": path, "rhythm": r})),
            Err(e) => println!("{}", serde_json::json!({"file": path, "error": e.to_string()})),
        }
    }
}
