//! Writing audio: WAV (hound) and FLAC (flacenc), always atomically.
//!
//! Output goes to a temporary file beside the target, is flushed to disk, then renamed over the
//! target: a reader never sees a half-written file, and a failed write leaves any existing file
//! untouched. Integer formats round to nearest and clip to full scale (no dither).

use std::io::{BufWriter, Write};
use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::Verify;

use super::Audio;
use crate::io::write_atomically;
use crate::{Error, Result};

/// Sample format of a WAV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WavFormat {
    /// 16-bit signed integer PCM.
    Int16,
    /// 24-bit signed integer PCM.
    Int24,
    /// 32-bit IEEE float (lossless for technob's `f32` samples).
    #[default]
    Float32,
}

/// Bit depth of a FLAC file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FlacDepth {
    /// 16 bits per sample.
    #[default]
    Bits16,
    /// 24 bits per sample.
    Bits24,
}

/// Write `audio` as a WAV file at `path`, atomically.
pub fn write_wav(audio: &Audio, path: impl AsRef<Path>, format: WavFormat) -> Result<()> {
    let path = path.as_ref();
    let (bits, sample_format) = match format {
        WavFormat::Int16 => (16, hound::SampleFormat::Int),
        WavFormat::Int24 => (24, hound::SampleFormat::Int),
        WavFormat::Float32 => (32, hound::SampleFormat::Float),
    };
    let n_channels = u16::try_from(audio.n_channels()).map_err(|_| {
        Error::InvalidParameter(format!("{} channels is too many for WAV", audio.n_channels()))
    })?;
    let spec = hound::WavSpec {
        channels: n_channels,
        sample_rate: audio.sample_rate(),
        bits_per_sample: bits,
        sample_format,
    };
    // WAV sizes are 32-bit: refuse what would overflow instead of writing a corrupt file.
    let data_bytes = audio.n_frames() as u64 * audio.n_channels() as u64 * (bits as u64 / 8);
    if data_bytes > u32::MAX as u64 - 1024 {
        return Err(Error::InvalidParameter(format!(
            "{} frames x {} channels does not fit in a WAV file (4 GiB limit); write FLAC instead",
            audio.n_frames(),
            audio.n_channels()
        )));
    }
    write_atomically(path, |file| {
        let mut writer = hound::WavWriter::new(BufWriter::new(file), spec).map_err(hound_error)?;
        let channels = audio.channels();
        for i in 0..audio.n_frames() {
            for ch in channels {
                let x = ch[i];
                match format {
                    WavFormat::Int16 => writer.write_sample(to_int(x, 16) as i16),
                    WavFormat::Int24 => writer.write_sample(to_int(x, 24)),
                    WavFormat::Float32 => writer.write_sample(x),
                }
                .map_err(hound_error)?;
            }
        }
        writer.finalize().map_err(hound_error)
    })
    .map_err(|e| e.in_file(path))
}

/// Write `audio` as a FLAC file at `path`, atomically.
pub fn write_flac(audio: &Audio, path: impl AsRef<Path>, depth: FlacDepth) -> Result<()> {
    let path = path.as_ref();
    let bits = match depth {
        FlacDepth::Bits16 => 16,
        FlacDepth::Bits24 => 24,
    };
    if audio.n_channels() > 8 {
        return Err(Error::InvalidParameter(format!(
            "FLAC holds at most 8 channels, not {}",
            audio.n_channels()
        ))
        .in_file(path));
    }
    let channels = audio.channels();
    let mut interleaved = Vec::with_capacity(audio.n_frames() * audio.n_channels());
    for i in 0..audio.n_frames() {
        interleaved.extend(channels.iter().map(|ch| to_int(ch[i], bits)));
    }
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|(_, e)| Error::Output(format!("FLAC encoder configuration: {e:?}")))?;
    let source = flacenc::source::MemSource::from_samples(
        &interleaved,
        audio.n_channels(),
        bits as usize,
        audio.sample_rate() as usize,
    );
    let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| Error::Output(format!("FLAC encoding failed: {e:?}")))?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).map_err(|e| Error::Output(format!("FLAC encoding failed: {e:?}")))?;
    let mut bytes = sink.as_slice().to_vec();
    conform_streaminfo_min_block(&mut bytes);
    write_atomically(path, |file| {
        let mut w = BufWriter::new(file);
        w.write_all(&bytes).and_then(|_| w.flush()).map_err(|e| Error::Output(e.to_string()))
    })
    .map_err(|e| e.in_file(path))
}

/// flacenc records the (shorter) last block as the stream's minimum block size; the FLAC format
/// defines that field *excluding* the last block, and decoders (symphonia among them) read a
/// min ≠ max as a variable-block-size stream and fail. Our streams use one fixed block size, so
/// the minimum is the maximum. STREAMINFO is always the first metadata block: `fLaC`, a 4-byte
/// block header, then min (2 bytes) and max (2 bytes) block size.
fn conform_streaminfo_min_block(flac: &mut [u8]) {
    if flac.len() >= 12 && &flac[..4] == b"fLaC" && flac[4] & 0x7f == 0 {
        let (min, max) = flac[8..12].split_at_mut(2);
        min.copy_from_slice(max);
    }
}

/// Scale a float sample to a signed integer of `bits` bits, rounding and clipping.
fn to_int(x: f32, bits: u32) -> i32 {
    let full = (1i64 << (bits - 1)) as f64;
    let v = (x as f64 * full).round();
    v.clamp(-full, full - 1.0) as i32
}

fn hound_error(e: hound::Error) -> Error {
    match e {
        hound::Error::IoError(io) => Error::Output(io.to_string()),
        other => Error::Output(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{DecodeOptions, decode_file};
    use std::fs;

    fn test_audio() -> Audio {
        let left: Vec<f32> = (0..4410).map(|i| ((i as f32) * 0.05).sin() * 0.8).collect();
        let right: Vec<f32> = left.iter().map(|x| -x * 0.5).collect();
        Audio::from_synth(vec![left, right], 44100).unwrap()
    }

    #[test]
    fn wav_round_trips_in_every_format() {
        let dir = std::env::temp_dir().join(format!("technob-write-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let audio = test_audio();
        for (format, tol, bits) in [
            (WavFormat::Int16, 1.0 / 32768.0, 16),
            (WavFormat::Int24, 1.0 / 8388608.0, 24),
            (WavFormat::Float32, 0.0, 32),
        ] {
            let path = dir.join(format!("rt-{bits}.wav"));
            write_wav(&audio, &path, format).unwrap();
            let back = decode_file(&path, &DecodeOptions::default()).unwrap();
            assert_eq!(back.n_frames(), audio.n_frames());
            assert_eq!(back.n_channels(), 2);
            assert_eq!(back.source().bit_depth, Some(bits));
            for (a, b) in audio.channels().iter().zip(back.channels()) {
                let err = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
                assert!(err <= tol, "{format:?}: max error {err}");
            }
        }
        let path = dir.join("rt.flac");
        write_flac(&audio, &path, FlacDepth::Bits24).unwrap();
        let back = decode_file(&path, &DecodeOptions::default()).unwrap();
        assert_eq!(back.n_frames(), audio.n_frames());
        assert_eq!(back.source().codec, "flac");
        let err =
            audio.channel(1).iter().zip(back.channel(1)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
        assert!(err <= 1.0 / 8388608.0, "flac max error {err}");
        // Nothing but the outputs is left behind.
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn clipping_and_rounding() {
        assert_eq!(to_int(1.5, 16), 32767);
        assert_eq!(to_int(-1.5, 16), -32768);
        assert_eq!(to_int(0.5, 16), 16384);
        assert_eq!(to_int(-1.0, 24), -8388608);
    }
}
