//! Arbitrary bytes through the decoder (every container symphonia probes, plus our MP4 gapless
//! parser) and, when they decode, through resampling and analysis. Any panic is a bug: corrupt
//! input must come back as an `Err`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use technob::analysis::{AnalyzeOptions, analyze_audio};
use technob::audio::{DecodeOptions, decode_reader};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the extension hint, so every probe path is reached.
    let hints = [None, Some("wav"), Some("mp3"), Some("flac"), Some("ogg"), Some("m4a"), Some("aiff")];
    let Some((&pick, bytes)) = data.split_first() else { return };
    let hint = hints[pick as usize % hints.len()];
    if let Ok(audio) = decode_reader(bytes.to_vec(), hint, &DecodeOptions { mono: pick & 0x80 != 0 }) {
        let _ = analyze_audio(&audio.to_mono(), "fuzz", &AnalyzeOptions::default());
        if audio.n_frames() < 50_000 {
            let _ = audio.resampled(if pick & 1 == 0 { 22050 } else { 48000 });
        }
    }
});
