//! Decoding with symphonia: whole files, or block by block.
//!
//! Exact sample counts: MP3 encoder delay and padding are removed by symphonia from the
//! LAME/Xing tag; AAC/ALAC priming and padding in MP4 are removed here from the `iTunSMPB` tag or
//! the edit list (see `mp4.rs`); Vorbis and FLAC are exact by design.
//!
//! Damaged input policy (documented in the README and tested on `tests/bad_inputs`):
//! * a file that yields no audio at all (empty, random bytes, no audio track, 0 channels) is an
//!   [`Error::InvalidInput`];
//! * a PCM file (WAV/AIFF) whose header declares more frames than the file holds is refused: PCM
//!   carries no sync words or checksums, so a header that lies leaves nothing to trust;
//! * a compressed stream (FLAC, MP3, Vorbis, AAC) cut short keeps the frames decoded up to the
//!   damage, whose integrity the codec checks (FLAC and Ogg CRCs, MP3 frame sync), and carries a
//!   one-line warning in [`SourceInfo::warnings`](super::SourceInfo) that the CLI prints;
//! * NaN or infinite samples (float WAV) are an [`Error::InvalidInput`] naming the frame.

use std::fs::File;
use std::io::Cursor;
use std::path::Path;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use super::mp4::{GaplessTrim, gapless_trim};
use super::{Audio, SourceInfo};
use crate::progress::{NoProgress, Progress};
use crate::{Error, Result};

/// How to decode.
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// Downmix to mono while decoding (the mean of the channels), so a stereo file never exists
    /// in memory as stereo: what analysers that work on mono want.
    pub mono: bool,
}

/// A decoder positioned in a file, yielding planar blocks of `f32` frames.
///
/// Memory stays at one packet of audio (a few thousand frames) whatever the file length, so an
/// analyser that streams can process a 2-hour DJ set in constant memory.
pub struct AudioStream {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: SourceInfo,
    /// Frames the container declares (before our trim), if it does.
    declared_frames: Option<u64>,
    is_pcm: bool,
    /// Sample layout when the stream is plain PCM, converted here without symphonia's decoder.
    pcm: Option<PcmLayout>,
    mono: bool,
    trim: Option<GaplessTrim>,
    /// Decoded frames seen so far, before the MP4 trim.
    raw_frames: u64,
    /// Frames handed out so far.
    emitted: u64,
    decode_errors: u64,
    first_error: Option<String>,
    finished: bool,
    scratch: Vec<Vec<f32>>,
    /// Size of the encoded input in bytes (bounds how much a header may make us pre-allocate).
    source_bytes: u64,
}

/// Packets that may fail to decode before any audio came out, before the stream is abandoned
/// (random bytes that happen to probe as MP3 fail here).
const MAX_ERRORS_BEFORE_AUDIO: u64 = 64;

/// Most channels technob decodes (3rd-order ambisonics needs 16; anything past 64 is a corrupt
/// header far more often than real music).
const MAX_CHANNELS: usize = 64;

/// Longest undecodable packet replaced by silence (larger claims are not trusted).
const MAX_CONCEALED_FRAMES: usize = 1 << 16;

impl AudioStream {
    /// Open `path` for decoding (the extension is only a hint: the content decides).
    pub fn open(path: impl AsRef<Path>, options: &DecodeOptions) -> Result<AudioStream> {
        let path = path.as_ref();
        let inner = || -> Result<AudioStream> {
            let meta = std::fs::metadata(path).map_err(|e| Error::InvalidInput(io_problem(&e)))?;
            if meta.is_dir() {
                return Err(Error::InvalidInput("is a directory, not an audio file".into()));
            }
            if meta.len() == 0 {
                return Err(Error::InvalidInput("empty file (0 bytes)".into()));
            }
            let mut file = File::open(path).map_err(|e| Error::InvalidInput(io_problem(&e)))?;
            let mut magic = [0u8; 4];
            if std::io::Read::read_exact(&mut file, &mut magic).is_ok() {
                reject_unsupported_magic(&magic)?;
            }
            std::io::Seek::rewind(&mut file).map_err(|e| Error::InvalidInput(io_problem(&e)))?;
            let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            let mut trim_source = || File::open(path).ok();
            let mut stream =
                AudioStream::from_source(Box::new(file), ext.as_deref(), options, &mut trim_source)?;
            stream.source_bytes = meta.len();
            Ok(stream)
        };
        inner().map_err(|e| e.in_file(path))
    }

    /// Decode from bytes in memory (`ext` is an optional file-extension hint such as `"mp3"`).
    pub fn from_bytes(bytes: Vec<u8>, ext: Option<&str>, options: &DecodeOptions) -> Result<AudioStream> {
        if bytes.is_empty() {
            return Err(Error::InvalidInput("empty input (0 bytes)".into()));
        }
        if let Some(magic) = bytes.get(..4) {
            reject_unsupported_magic(magic)?;
        }
        let copy = bytes.clone();
        let mut trim_source = move || Some(Cursor::new(copy.clone()));
        let source_bytes = bytes.len() as u64;
        let mut stream =
            AudioStream::from_source(Box::new(Cursor::new(bytes)), ext, options, &mut trim_source)?;
        stream.source_bytes = source_bytes;
        Ok(stream)
    }

    fn from_source<R: std::io::Read + std::io::Seek>(
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
        options: &DecodeOptions,
        reopen: &mut dyn FnMut() -> Option<R>,
    ) -> Result<AudioStream> {
        let mss = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = ext {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
            .map_err(|e| match e {
                SymError::Unsupported(_) => {
                    Error::InvalidInput("not a recognised audio format (or corrupt header)".into())
                }
                other => Error::InvalidInput(format!("cannot read the container: {}", sym_problem(&other))),
            })?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| Error::InvalidInput("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| Error::InvalidInput("no audio track".into()))?
            .clone();
        let track_id = track.id;
        let declared_frames = track.num_frames;
        let sample_rate = params
            .sample_rate
            .filter(|&r| r > 0)
            .ok_or_else(|| Error::InvalidInput("the stream declares no sample rate".into()))?;
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if channels == 0 {
            return Err(Error::InvalidInput("the stream declares 0 channels".into()));
        }
        if channels > MAX_CHANNELS {
            return Err(Error::Unsupported(format!(
                "{channels} channels (technob reads up to {MAX_CHANNELS})"
            )));
        }
        let codecs = symphonia::default::get_codecs();
        let codec = codecs
            .get_audio_decoder(params.codec)
            .map(|d| d.codec.info.short_name.to_string())
            .ok_or_else(|| Error::Unsupported(format!("codec {:?} has no decoder", params.codec)))?;
        let decoder =
            codecs.make_audio_decoder(&params, &AudioDecoderOptions::default()).map_err(|e| match e {
                SymError::Unsupported(what) => Error::Unsupported(format!("codec {codec}: {what}")),
                other => {
                    Error::InvalidInput(format!("cannot start the {codec} decoder: {}", sym_problem(&other)))
                }
            })?;
        let format_name = container_name(format.format_info().short_name);
        let is_pcm = codec.starts_with("pcm");
        let codec_name = codec.clone();
        let lossless = is_pcm || matches!(codec.as_str(), "flac" | "alac" | "wavpack");
        let bit_depth = if lossless {
            params
                .bits_per_sample
                .or_else(|| codec_bit_depth(&codec))
                .or_else(|| alac_bit_depth(params.extra_data.as_deref()))
        } else {
            None
        };
        let trim = if format_name == "mp4" {
            reopen().and_then(|mut r| gapless_trim(&mut r, track_id, sample_rate).ok().flatten())
        } else {
            None
        };
        let frames = expected_frames(trim, declared_frames).unwrap_or(0);
        let info = SourceInfo {
            format: format_name.to_string(),
            codec,
            bit_depth,
            sample_rate,
            channels,
            frames,
            warnings: Vec::new(),
        };
        Ok(AudioStream {
            format,
            decoder,
            track_id,
            info,
            declared_frames,
            is_pcm,
            pcm: PcmLayout::from_codec(&codec_name),
            mono: options.mono,
            trim,
            raw_frames: 0,
            emitted: 0,
            decode_errors: 0,
            first_error: None,
            finished: false,
            scratch: Vec::new(),
            source_bytes: 0,
        })
    }

    /// What is known about the source before decoding. `frames` is what the container declares
    /// (0 if it does not); after the stream ends, [`AudioStream::finish`] gives the exact count.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Frames worth pre-allocating per output channel to hold the whole stream: what the
    /// container declares, but never more than the input's size can plausibly hold (a corrupt
    /// header must not make us allocate gigabytes; beyond the hint, buffers simply grow).
    pub fn capacity_hint(&self) -> usize {
        // Even 8 kbit/s MP3 or highly compressed FLAC stays under ~64 frames per byte for music.
        let per_channel = self.source_bytes.saturating_mul(64) / self.info.channels.max(1) as u64;
        let plausible = per_channel.saturating_add(8192);
        self.info.frames.saturating_add(8192).min(plausible).min(1 << 31) as usize
    }

    /// Channels of the blocks this stream yields (1 when decoding to mono).
    pub fn output_channels(&self) -> usize {
        if self.mono { 1 } else { self.info.channels }
    }

    /// Decode the next block of frames into `out` (planar, resized to the output channel count).
    /// Returns the number of frames; 0 means the stream has ended.
    pub fn next_block(&mut self, out: &mut Vec<Vec<f32>>) -> Result<usize> {
        out.resize_with(self.output_channels(), Vec::new);
        out.iter_mut().for_each(Vec::clear);
        self.append_block(out)
    }

    /// Like [`AudioStream::next_block`], but appends to `out` (which must hold
    /// [`AudioStream::output_channels`] vectors), so a whole-file decode writes straight into
    /// its result.
    pub(crate) fn append_block(&mut self, out: &mut [Vec<f32>]) -> Result<usize> {
        while !self.finished {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.finished = true;
                    break;
                }
                Err(SymError::ResetRequired) => {
                    // A new stream (chained Ogg, parameter change): technob reads the first.
                    if self.first_error.is_none() {
                        self.first_error =
                            Some("the file chains several streams; only the first was decoded".into());
                    }
                    self.finished = true;
                    break;
                }
                Err(e) => {
                    // The container cannot be read further (truncated or corrupt): stop here.
                    self.note_error(&e);
                    self.finished = true;
                    break;
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            if let (Some(layout), None) = (self.pcm, self.trim) {
                // Plain PCM: straight from the packet bytes into the output (downmixed if asked).
                let n = layout.append(&packet.data, self.info.channels, self.mono, out);
                if n == 0 {
                    continue;
                }
                if layout.is_float() {
                    check_finite_tail(out, n, self.emitted)?;
                }
                self.raw_frames += n as u64;
                self.emitted += n as u64;
                return Ok(n);
            }
            let decoded = self.decoder.decode(&packet).map(|decoded| {
                let channels = decoded.spec().channels().count();
                if channels > 0 && decoded.frames() > 0 {
                    decoded.copy_to_vecs_planar::<f32>(&mut self.scratch);
                }
                (channels, decoded.frames())
            });
            let (spec_channels, block_frames) = match decoded {
                Ok((channels, frames)) => {
                    if channels == 0 || frames == 0 {
                        continue;
                    }
                    (channels, frames)
                }
                Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                    self.decode_errors += 1;
                    if self.first_error.is_none() {
                        self.first_error = Some("malformed packet".into());
                    }
                    if self.raw_frames == 0 {
                        if self.decode_errors > MAX_ERRORS_BEFORE_AUDIO {
                            self.finished = true;
                        }
                        continue;
                    }
                    // Mid-stream damage: stand in silence for the packet, so that every later
                    // sample keeps its time (beat positions must not shift by a lost frame).
                    let frames = packet.dur.get() as usize;
                    if frames == 0 || frames > MAX_CONCEALED_FRAMES {
                        continue;
                    }
                    self.scratch.resize_with(self.info.channels, Vec::new);
                    for plane in &mut self.scratch {
                        plane.clear();
                        plane.resize(frames, 0.0);
                    }
                    (self.info.channels, frames)
                }
                Err(e) => {
                    self.note_error(&e);
                    self.finished = true;
                    break;
                }
            };
            let (start, stop) = self.trim_window(block_frames as u64);
            self.raw_frames += block_frames as u64;
            if stop <= start {
                continue;
            }
            let planes = &self.scratch[..spec_channels.min(self.scratch.len())];
            check_finite_block(planes, start, stop, self.emitted)?;
            if self.mono {
                let dst = &mut out[0];
                match planes {
                    [only] => dst.extend_from_slice(&only[start..stop]),
                    // The common case, written so that it vectorises; same result as the general
                    // mean below ((0 + a + b) · 0.5).
                    [left, right] => dst.extend(
                        left[start..stop].iter().zip(&right[start..stop]).map(|(a, b)| (a + b) * 0.5),
                    ),
                    _ => {
                        let scale = 1.0 / planes.len() as f32;
                        dst.extend((start..stop).map(|i| planes.iter().map(|p| p[i]).sum::<f32>() * scale));
                    }
                }
            } else {
                for (c, dst) in out.iter_mut().enumerate() {
                    // A stream that changes its channel count mid-way repeats its last channel.
                    let src = &planes[c.min(planes.len() - 1)];
                    dst.extend_from_slice(&src[start..stop]);
                }
            }
            let n = stop - start;
            self.emitted += n as u64;
            return Ok(n);
        }
        Ok(0)
    }

    /// The part `[start, stop)` of the next decoded block of `len` frames that survives the MP4
    /// priming/length trim.
    fn trim_window(&self, len: u64) -> (usize, usize) {
        let Some(trim) = self.trim else { return (0, len as usize) };
        let block_start = self.raw_frames;
        let keep_from = trim.priming;
        let keep_to = trim.valid_frames.map_or(u64::MAX, |v| trim.priming.saturating_add(v));
        let start = keep_from.clamp(block_start, block_start + len) - block_start;
        let stop = keep_to.clamp(block_start, block_start + len) - block_start;
        (start as usize, stop.max(start) as usize)
    }

    fn note_error(&mut self, e: &SymError) {
        if self.first_error.is_none() {
            self.first_error = Some(sym_problem(e));
        }
    }

    /// After the last block: the exact [`SourceInfo`] (frames counted), or the error that makes
    /// the file unusable (no audio at all, or a PCM header that declares more than there is).
    pub fn finish(mut self) -> Result<SourceInfo> {
        // Drain what is left, so `finish` is right even when called early.
        let mut sink = Vec::new();
        while self.next_block(&mut sink)? > 0 {}
        if self.emitted == 0 {
            let why = self.first_error.as_deref().unwrap_or("the stream holds no audio frames");
            return Err(Error::InvalidInput(format!("no decodable audio ({why})")));
        }
        let expected = expected_frames(self.trim, self.declared_frames);
        let slack = self.trim.map_or(0, |t| t.rounding);
        let mut info = self.info.clone();
        info.frames = self.emitted;
        if let Some(expected) = expected.filter(|&e| self.emitted.saturating_add(slack) < e) {
            if self.is_pcm {
                return Err(Error::InvalidInput(format!(
                    "header declares {expected} frames but the file holds {} (truncated, or the header is wrong)",
                    self.emitted
                )));
            }
            info.warnings.push(format!(
                "truncated or damaged: decoded {:.2} s of the {:.2} s the header declares; using the decodable part",
                self.emitted as f64 / info.sample_rate as f64,
                expected as f64 / info.sample_rate as f64
            ));
        } else if let Some(err) = &self.first_error {
            info.warnings.push(format!("damaged stream ({err}); using the decodable part"));
        }
        Ok(info)
    }
}

/// Bit depth from an ALAC magic cookie (`ALACSpecificConfig`, optionally behind its atom
/// header): frame length (4 bytes), compatible version (1), bit depth (1), ...
fn alac_bit_depth(cookie: Option<&[u8]>) -> Option<u32> {
    let cookie = cookie?;
    let start = if cookie.get(4..8) == Some(b"alac".as_slice()) { 12 } else { 0 };
    cookie.get(start + 5).map(|&b| b as u32).filter(|&b| matches!(b, 16 | 20 | 24 | 32))
}

/// Byte order of PCM samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// Interleaved PCM sample layouts converted directly from packet bytes (WAV, AIFF, CAF), with
/// the same integer-to-float scaling as symphonia's sample conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PcmLayout {
    U8,
    S16(Endian),
    S24(Endian),
    S32(Endian),
    F32(Endian),
    F64(Endian),
}

impl PcmLayout {
    fn from_codec(codec: &str) -> Option<PcmLayout> {
        use Endian::{Big, Little};
        Some(match codec {
            "pcm_u8" => PcmLayout::U8,
            "pcm_s16le" => PcmLayout::S16(Little),
            "pcm_s16be" => PcmLayout::S16(Big),
            "pcm_s24le" => PcmLayout::S24(Little),
            "pcm_s24be" => PcmLayout::S24(Big),
            "pcm_s32le" => PcmLayout::S32(Little),
            "pcm_s32be" => PcmLayout::S32(Big),
            "pcm_f32le" => PcmLayout::F32(Little),
            "pcm_f32be" => PcmLayout::F32(Big),
            "pcm_f64le" => PcmLayout::F64(Little),
            "pcm_f64be" => PcmLayout::F64(Big),
            _ => return None,
        })
    }

    fn bytes(self) -> usize {
        match self {
            PcmLayout::U8 => 1,
            PcmLayout::S16(_) => 2,
            PcmLayout::S24(_) => 3,
            PcmLayout::S32(_) | PcmLayout::F32(_) => 4,
            PcmLayout::F64(_) => 8,
        }
    }

    fn is_float(self) -> bool {
        matches!(self, PcmLayout::F32(_) | PcmLayout::F64(_))
    }

    /// Append one packet of interleaved samples to `out`: one plane per channel, or their mean
    /// when `mono` (then `out` has one plane). Returns the number of frames.
    fn append(self, data: &[u8], channels: usize, mono: bool, out: &mut [Vec<f32>]) -> usize {
        use Endian::{Big, Little};
        let frames = data.len() / (self.bytes() * channels.max(1));
        let pcm = Pcm { data, channels: channels.max(1), mono };
        match self {
            PcmLayout::U8 => pcm.append::<1>(out, |[b]| b as f32 / 128.0 - 1.0),
            PcmLayout::S16(Little) => pcm.append::<2>(out, |b| i16::from_le_bytes(b) as f32 / 32_768.0),
            PcmLayout::S16(Big) => pcm.append::<2>(out, |b| i16::from_be_bytes(b) as f32 / 32_768.0),
            PcmLayout::S24(Little) => {
                pcm.append::<3>(out, |[a, b, c]| (i32::from_le_bytes([0, a, b, c]) >> 8) as f32 / 8_388_608.0)
            }
            PcmLayout::S24(Big) => {
                pcm.append::<3>(out, |[a, b, c]| (i32::from_be_bytes([a, b, c, 0]) >> 8) as f32 / 8_388_608.0)
            }
            PcmLayout::S32(Little) => {
                pcm.append::<4>(out, |b| (i32::from_le_bytes(b) as f64 / 2_147_483_648.0) as f32)
            }
            PcmLayout::S32(Big) => {
                pcm.append::<4>(out, |b| (i32::from_be_bytes(b) as f64 / 2_147_483_648.0) as f32)
            }
            PcmLayout::F32(Little) => pcm.append::<4>(out, f32::from_le_bytes),
            PcmLayout::F32(Big) => pcm.append::<4>(out, f32::from_be_bytes),
            PcmLayout::F64(Little) => pcm.append::<8>(out, |b| f64::from_le_bytes(b) as f32),
            PcmLayout::F64(Big) => pcm.append::<8>(out, |b| f64::from_be_bytes(b) as f32),
        }
        frames
    }
}

/// One packet of interleaved PCM bytes.
struct Pcm<'a> {
    data: &'a [u8],
    channels: usize,
    mono: bool,
}

impl Pcm<'_> {
    /// Convert `W`-byte samples with `convert` (monomorphised per layout, so the loops have no
    /// branches) and append them to `out`. The mono mean is the same arithmetic as
    /// [`Audio::to_mono`]: `(0 + a + b + ...) · (1 / channels)`.
    fn append<const W: usize>(&self, out: &mut [Vec<f32>], convert: impl Fn([u8; W]) -> f32) {
        let at = |frame: &[u8], c: usize| {
            let mut sample = [0u8; W];
            sample.copy_from_slice(&frame[c * W..(c + 1) * W]);
            convert(sample)
        };
        let frames = self.data.chunks_exact(W * self.channels);
        match (self.mono, self.channels) {
            (_, 1) => out[0].extend(frames.map(|f| at(f, 0))),
            (true, 2) => out[0].extend(frames.map(|f| (at(f, 0) + at(f, 1)) * 0.5)),
            (true, n) => {
                let scale = 1.0 / n as f32;
                out[0].extend(frames.map(|f| (0..n).map(|c| at(f, c)).sum::<f32>() * scale));
            }
            (false, _) => {
                for (c, plane) in out.iter_mut().enumerate() {
                    plane.extend(self.data.chunks_exact(W * self.channels).map(|f| at(f, c)));
                }
            }
        }
    }
}

/// Frames the container promises after gapless trimming, if it says.
fn expected_frames(trim: Option<GaplessTrim>, declared: Option<u64>) -> Option<u64> {
    match (trim, declared) {
        (Some(t), Some(n)) => {
            let available = n.saturating_sub(t.priming);
            Some(t.valid_frames.map_or(available, |v| v.min(available)))
        }
        (Some(t), None) => t.valid_frames,
        (None, n) => n,
    }
}

/// The last `n` frames appended to `out` are finite (float PCM can hold NaN and infinities).
fn check_finite_tail(out: &[Vec<f32>], n: usize, offset: u64) -> Result<()> {
    for (c, plane) in out.iter().enumerate() {
        let tail = &plane[plane.len() - n..];
        if let Some(i) = tail.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "non-finite sample ({}) at frame {} of channel {c}",
                tail[i],
                offset + i as u64
            )));
        }
    }
    Ok(())
}

fn check_finite_block(planes: &[Vec<f32>], start: usize, stop: usize, offset: u64) -> Result<()> {
    for (c, p) in planes.iter().enumerate() {
        if let Some(i) = p[start..stop].iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "non-finite sample ({}) at frame {} of channel {c}",
                p[start + i],
                offset + i as u64
            )));
        }
    }
    Ok(())
}

/// Decode a whole file.
pub fn decode_file(path: impl AsRef<Path>, options: &DecodeOptions) -> Result<Audio> {
    decode_file_with_progress(path, options, &NoProgress)
}

/// Decode a whole file, reporting the fraction decoded (stage `decode`) to `progress`.
pub fn decode_file_with_progress(
    path: impl AsRef<Path>,
    options: &DecodeOptions,
    progress: &dyn Progress,
) -> Result<Audio> {
    let path = path.as_ref();
    let stream = AudioStream::open(path, options)?;
    collect(stream, progress).map_err(|e| e.in_file(path))
}

/// Decode a whole file held in memory (`ext`: optional extension hint, e.g. `"flac"`).
pub fn decode_reader(bytes: Vec<u8>, ext: Option<&str>, options: &DecodeOptions) -> Result<Audio> {
    collect(AudioStream::from_bytes(bytes, ext, options)?, &NoProgress)
}

fn collect(mut stream: AudioStream, progress: &dyn Progress) -> Result<Audio> {
    let n_out = stream.output_channels();
    // Reserve what the stream holds, so a long file is not reallocated (and briefly held twice).
    let reserve = stream.capacity_hint();
    let mut channels: Vec<Vec<f32>> = (0..n_out).map(|_| Vec::with_capacity(reserve)).collect();
    let declared = stream.info().frames;
    let mut next_report = 0usize;
    while stream.append_block(&mut channels)? > 0 {
        let done = channels[0].len();
        if declared > 0 && done >= next_report {
            progress.update("decode", (done as f64 / declared as f64).min(1.0));
            next_report = done + (1 << 18);
        }
    }
    let info = stream.finish()?;
    channels.iter_mut().for_each(|c| c.shrink_to_fit());
    // Every block was checked for NaN/inf as it was decoded.
    Audio::from_checked_parts(channels, info)
}

/// The [`SourceInfo`] of a file with its exact frame count, decoding it without keeping samples.
pub fn probe_file(path: impl AsRef<Path>) -> Result<SourceInfo> {
    let path = path.as_ref();
    let stream = AudioStream::open(path, &DecodeOptions { mono: true })?;
    stream.finish().map_err(|e| e.in_file(path))
}

/// Formats symphonia's probe would only call "unrecognised": say what they are.
fn reject_unsupported_magic(magic: &[u8]) -> Result<()> {
    match magic {
        b"RF64" | b"BW64" => Err(Error::Unsupported(
            "RF64/BW64 WAV (the 64-bit WAV variant) cannot be decoded; convert it to FLAC or WAV".into(),
        )),
        _ => Ok(()),
    }
}

/// Bit depth implied by a PCM codec name (`pcm_f32le` → 32) when the stream does not state it.
fn codec_bit_depth(codec: &str) -> Option<u32> {
    let digits: String = codec.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&b| matches!(b, 8 | 16 | 20 | 24 | 32 | 64))
}

fn container_name(symphonia_name: &str) -> &'static str {
    match symphonia_name {
        "wave" | "wav" => "wav",
        "aiff" => "aiff",
        "flac" => "flac",
        "mp3" | "mpa" => "mp3",
        "ogg" => "ogg",
        "isomp4" => "mp4",
        "mkv" => "mkv",
        "caf" => "caf",
        "adts" | "aac" => "aac",
        _ => "other",
    }
}

fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot open: {e}"),
    }
}

fn sym_problem(e: &SymError) -> String {
    match e {
        SymError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "unexpected end of file".into()
        }
        SymError::IoError(io) => format!("read error: {io}"),
        SymError::DecodeError(what) => format!("malformed stream: {what}"),
        SymError::Unsupported(what) => format!("unsupported feature: {what}"),
        SymError::LimitError(what) => format!("limit reached: {what}"),
        SymError::SeekError(_) => "seek error".into(),
        SymError::ResetRequired => "stream parameters changed".into(),
        other => other.to_string(),
    }
}
