//! Decoder tests: exact frame counts and sample values against reference decoders on real
//! recordings of ../shared/data (goldens from `tools/make_decode_goldens.py`), and every PCM
//! layout built byte by byte.

use std::path::PathBuf;

use technob::audio::{AudioStream, DecodeOptions, decode_file, decode_reader, probe_file};

mod common;
use common::data_dir;

fn golden() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/decode.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("decode.json")).expect("valid JSON")
}

/// Largest sample difference we accept against the reference decoder. PCM and FLAC must be
/// exact (up to the goldens' 7 significant digits); the lossy decoders (symphonia vs FFmpeg's
/// float MP3, Vorbis and AAC decoders) measured at most 6e-7 on these clips.
fn tolerance(reference: &str) -> f32 {
    if reference == "soundfile" { 1e-7 } else { 1e-5 }
}

#[test]
fn real_files_match_reference_decoders() {
    let data = data_dir();
    let golden = golden();
    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let rel = case["path"].as_str().unwrap();
        let reference = case["reference"].as_str().unwrap();
        let audio = decode_file(data.join(rel), &DecodeOptions::default()).unwrap();
        assert_eq!(audio.sample_rate() as u64, case["sample_rate"].as_u64().unwrap(), "{rel}");
        assert_eq!(audio.n_channels() as u64, case["channels"].as_u64().unwrap(), "{rel}");
        assert_eq!(audio.n_frames() as u64, case["frames"].as_u64().unwrap(), "{rel}: frame count");
        assert_eq!(audio.source().frames, audio.n_frames() as u64);
        assert!(audio.source().warnings.is_empty(), "{rel}: {:?}", audio.source().warnings);
        let tol = tolerance(reference);
        let ch0 = audio.channel(0);
        for ex in case["excerpts"].as_array().unwrap() {
            let offset = ex["offset"].as_u64().unwrap() as usize;
            let want: Vec<f32> =
                ex["channel0"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
            let err_at = |lag: isize| -> f32 {
                want.iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let j = (offset + i) as isize + lag;
                        let got = if j >= 0 { ch0.get(j as usize).copied().unwrap_or(0.0) } else { 0.0 };
                        (got - w).abs()
                    })
                    .fold(0.0, f32::max)
            };
            let err = err_at(0);
            println!("{rel} @{offset}: max |ours - {reference}| = {err:.2e}");
            assert!(err <= tol, "{rel} @{offset}: max error {err} > {tol}");
            // Alignment: a one-sample shift must be worse than no shift (unless the excerpt is silent).
            let energy: f32 = want.iter().map(|w| w * w).sum();
            if energy > 1e-4 {
                assert!(err < err_at(1) && err < err_at(-1), "{rel} @{offset}: misaligned");
            }
        }
    }
}

#[test]
fn aac_priming_is_removed_and_length_is_the_sources() {
    // stereo_sample.m4a was encoded (by FFmpeg) from stereo_sample.wav: after removing the
    // priming the two must line up sample for sample, and the length must be the WAV's within
    // the edit list's millisecond rounding.
    let data = data_dir().join("madmom/tests/data/audio");
    let m4a = decode_file(data.join("stereo_sample.m4a"), &DecodeOptions { mono: true }).unwrap();
    let wav = decode_file(data.join("stereo_sample.wav"), &DecodeOptions { mono: true }).unwrap();
    let diff = m4a.n_frames() as i64 - wav.n_frames() as i64;
    assert!((0..=44).contains(&diff), "m4a {} vs wav {} frames", m4a.n_frames(), wav.n_frames());
    let (a, b) = (m4a.channel(0), wav.channel(0));
    let n = b.len() - 4096;
    let corr = |lag: usize| -> f64 {
        let (x, y) = (&a[lag..lag + n - 2048], &b[..n - 2048]);
        let dot: f64 = x.iter().zip(y).map(|(p, q)| (*p as f64) * (*q as f64)).sum();
        let nx: f64 = x.iter().map(|p| (*p as f64).powi(2)).sum();
        let ny: f64 = y.iter().map(|q| (*q as f64).powi(2)).sum();
        dot / (nx * ny).sqrt()
    };
    let at_zero = corr(0);
    assert!(at_zero > 0.999, "correlation at lag 0: {at_zero}");
    for lag in [1, 2, 1024, 2048] {
        assert!(corr(lag) < at_zero, "lag {lag} fits better than 0: priming not removed right");
    }
}

#[test]
fn streaming_equals_whole_file_decode() {
    let path = data_dir().join("essentia-audio/recorded/techno_loop.mp3");
    let whole = decode_file(&path, &DecodeOptions::default()).unwrap();
    let mut stream = AudioStream::open(&path, &DecodeOptions::default()).unwrap();
    assert_eq!(stream.output_channels(), 2);
    let mut left = Vec::new();
    let mut block = Vec::new();
    let mut max_block = 0;
    while stream.next_block(&mut block).unwrap() > 0 {
        max_block = max_block.max(block[0].len());
        left.extend_from_slice(&block[0]);
    }
    let info = stream.finish().unwrap();
    assert_eq!(left, whole.channel(0));
    assert_eq!(info.frames, whole.n_frames() as u64);
    assert!(max_block <= 4608, "blocks stay packet-sized: {max_block}");
    // Mono while decoding equals decode-then-downmix.
    let mono = decode_file(&path, &DecodeOptions { mono: true }).unwrap();
    let downmixed = whole.to_mono();
    let err =
        mono.channel(0).iter().zip(downmixed.channel(0)).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(err < 1e-7, "{err}");
    // probe_file counts frames without keeping samples.
    assert_eq!(probe_file(&path).unwrap().frames, whole.n_frames() as u64);
}

#[test]
fn decoding_is_deterministic() {
    let path = data_dir().join("librosa-data/audio/admiralbob77_-_Choice_-_Drum-bass.hq.ogg");
    let a = decode_file(&path, &DecodeOptions::default()).unwrap();
    let b = decode_file(&path, &DecodeOptions::default()).unwrap();
    assert!(a == b);
}

// ---- every PCM layout, built byte by byte ----

/// Test values exactly representable in every format (multiples of 2^-7).
const VALUES: [f32; 8] = [0.0, 0.5, -0.5, 0.25, -1.0, 0.9921875, -0.0078125, 0.125];

fn wav(fmt_tag: u16, bits: u16, channels: u16, extensible: bool, samples: &[u8]) -> Vec<u8> {
    let sr = 8000u32;
    let block = channels * bits / 8;
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&(if extensible { 0xFFFEu16 } else { fmt_tag }).to_le_bytes());
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&sr.to_le_bytes());
    fmt.extend_from_slice(&(sr * block as u32).to_le_bytes());
    fmt.extend_from_slice(&block.to_le_bytes());
    fmt.extend_from_slice(&bits.to_le_bytes());
    if extensible {
        fmt.extend_from_slice(&22u16.to_le_bytes());
        fmt.extend_from_slice(&bits.to_le_bytes());
        fmt.extend_from_slice(&(if channels == 2 { 3u32 } else { 4u32 }).to_le_bytes());
        fmt.extend_from_slice(&(fmt_tag as u32).to_le_bytes());
        fmt.extend_from_slice(&[0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + 8 + fmt.len() + 8 + samples.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(&fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(samples);
    out
}

fn int_bytes(bits: u32, big_endian: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for v in VALUES {
        let i = (v as f64 * (1i64 << (bits - 1)) as f64) as i64;
        let bytes = (i as i32).to_le_bytes();
        let mut b: Vec<u8> =
            if bits == 8 { vec![(i + 128) as u8] } else { bytes[..(bits / 8) as usize].to_vec() };
        if big_endian {
            b.reverse();
        }
        out.extend(b);
    }
    out
}

fn check(name: &str, bytes: Vec<u8>, ext: &str, bit_depth: u32) {
    let audio =
        decode_reader(bytes, Some(ext), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(audio.n_frames(), VALUES.len(), "{name}");
    assert_eq!(audio.source().bit_depth, Some(bit_depth), "{name}");
    for (got, want) in audio.channel(0).iter().zip(VALUES) {
        assert!((got - want).abs() < 1e-6, "{name}: {got} vs {want}");
    }
}

#[test]
fn every_wav_sample_format() {
    check("u8", wav(1, 8, 1, false, &int_bytes(8, false)), "wav", 8);
    check("s16", wav(1, 16, 1, false, &int_bytes(16, false)), "wav", 16);
    check("s24", wav(1, 24, 1, false, &int_bytes(24, false)), "wav", 24);
    check("s32", wav(1, 32, 1, false, &int_bytes(32, false)), "wav", 32);
    check("s24 extensible", wav(1, 24, 1, true, &int_bytes(24, false)), "wav", 24);
    let f32s: Vec<u8> = VALUES.iter().flat_map(|v| v.to_le_bytes()).collect();
    check("f32", wav(3, 32, 1, false, &f32s), "wav", 32);
    let f64s: Vec<u8> = VALUES.iter().flat_map(|v| (*v as f64).to_le_bytes()).collect();
    check("f64", wav(3, 64, 1, false, &f64s), "wav", 64);
    check("f64 extensible", wav(3, 64, 1, true, &f64s), "wav", 64);
}

/// An AIFF file: FORM/AIFF with COMM (80-bit extended sample rate) and SSND chunks.
fn aiff(bits: u16, samples: &[u8]) -> Vec<u8> {
    let frames = (samples.len() / (bits as usize / 8)) as u32;
    let mut comm = Vec::new();
    comm.extend_from_slice(&1u16.to_be_bytes());
    comm.extend_from_slice(&frames.to_be_bytes());
    comm.extend_from_slice(&bits.to_be_bytes());
    // 8000 Hz as an 80-bit IEEE extended float: exponent 16383+12, mantissa 8000 << 51.
    comm.extend_from_slice(&(16383u16 + 12).to_be_bytes());
    comm.extend_from_slice(&(8000u64 << 51).to_be_bytes());
    let mut ssnd = vec![0u8; 8];
    ssnd.extend_from_slice(samples);
    let mut body = b"AIFF".to_vec();
    for (id, chunk) in [(b"COMM", comm), (b"SSND", ssnd)] {
        body.extend_from_slice(id);
        body.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
        body.extend_from_slice(&chunk);
    }
    let mut out = b"FORM".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend(body);
    out
}

#[test]
fn aiff_sample_formats() {
    check("aiff s16", aiff(16, &int_bytes(16, true)), "aiff", 16);
    check("aiff s24", aiff(24, &int_bytes(24, true)), "aif", 24);
    let audio = decode_reader(aiff(16, &int_bytes(16, true)), None, &DecodeOptions::default()).unwrap();
    assert_eq!(audio.sample_rate(), 8000);
    assert_eq!(audio.source().format, "aiff");
}

#[test]
fn stereo_interleaving_and_channel_tools() {
    // Left = VALUES, right = -VALUES, interleaved 16-bit.
    let mut bytes = Vec::new();
    for v in VALUES {
        bytes.extend_from_slice(&((v * 32768.0) as i16).to_le_bytes());
        bytes.extend_from_slice(&((-v * 32767.0) as i16).to_le_bytes());
    }
    let audio = decode_reader(wav(1, 16, 2, false, &bytes), Some("wav"), &DecodeOptions::default()).unwrap();
    assert_eq!(audio.n_channels(), 2);
    assert!((audio.channel(1)[1] + 0.5).abs() < 1e-4);
    let right = audio.select_channel(1).unwrap();
    assert_eq!(right.channel(0), audio.channel(1));
    let mono = audio.to_mono();
    assert!(mono.channel(0).iter().all(|x| x.abs() < 1e-4));
    let resampled = audio.resampled(16000).unwrap();
    assert_eq!(resampled.n_frames(), 16);
    assert_eq!(resampled.sample_rate(), 16000);
    assert_eq!(resampled.source().sample_rate, 8000, "source info keeps the original rate");
}
