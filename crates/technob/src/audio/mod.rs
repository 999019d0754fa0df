//! Reading, holding, converting and writing audio.
//!
//! * [`decode_file`] / [`decode_reader`]: any supported file to an [`Audio`] (planar `f32`),
//!   exact sample counts (MP3 and AAC encoder delay and padding removed).
//! * [`AudioStream`]: the same decode, block by block, for long files (a 2-hour DJ set)
//!   where an analyser can work incrementally.
//! * [`probe_file`]: the [`SourceInfo`] of a file without keeping its samples.
//! * [`Audio::to_mono`], [`Audio::select_channel`], [`resample`]: the conversions an analyser
//!   asks for (each algorithm picks its own analysis rate).
//! * [`write_wav`] / [`write_flac`]: atomic output (temporary file + rename).

mod decode;
mod mp4;
mod resample;
mod write;

pub use decode::{
    AudioStream, DecodeOptions, decode_file, decode_file_with_progress, decode_reader, probe_file,
};
pub use resample::{resample, resample_channel};
pub use write::{FlacDepth, WavFormat, write_flac, write_wav};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Where audio came from: the container, codec and stream parameters of the source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Container format (`wav`, `flac`, `mp3`, `ogg`, `mp4`, `aiff`, ...), or `synth` for audio
    /// made by technob itself.
    pub format: String,
    /// Codec (`pcm_s16le`, `flac`, `mp3`, `vorbis`, `aac`, `alac`, ...).
    pub codec: String,
    /// Bits per sample of the source (PCM, FLAC, ALAC); `None` for lossy codecs.
    pub bit_depth: Option<u32>,
    /// Sample rate of the source in Hz.
    pub sample_rate: u32,
    /// Number of channels of the source.
    pub channels: usize,
    /// Exact number of decoded sample frames per channel (after delay/padding removal).
    pub frames: u64,
    /// Problems met while decoding that did not stop it (a truncated stream), one line each.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl SourceInfo {
    /// Duration of the source in seconds.
    pub fn duration_s(&self) -> f64 {
        if self.sample_rate == 0 { 0.0 } else { self.frames as f64 / self.sample_rate as f64 }
    }
}

/// Decoded audio: planar `f32` channels at one sample rate, with where it came from.
///
/// Samples are nominally in `[-1, 1]`; every constructor rejects NaN and infinite samples, so
/// analysers may assume finite input.
#[derive(Clone, Debug, PartialEq)]
pub struct Audio {
    channels: Vec<Vec<f32>>,
    sample_rate: u32,
    source: SourceInfo,
}

impl Audio {
    /// Build audio from planar channels. All channels must have the same length, there must be
    /// at least one, the rate must be positive and every sample finite.
    pub fn new(channels: Vec<Vec<f32>>, sample_rate: u32, source: SourceInfo) -> Result<Audio> {
        if channels.is_empty() {
            return Err(Error::InvalidInput("no audio channels".into()));
        }
        if sample_rate == 0 {
            return Err(Error::InvalidInput("sample rate is 0 Hz".into()));
        }
        let n = channels[0].len();
        if channels.iter().any(|c| c.len() != n) {
            return Err(Error::InvalidInput("channels differ in length".into()));
        }
        check_finite(&channels)?;
        Ok(Audio { channels, sample_rate, source })
    }

    /// Audio from a decoder that has already rejected non-finite samples: skips the second pass
    /// over the samples that [`Audio::new`] makes. The channel count must be at least one and
    /// the lengths equal (the decoder's invariant; checked here in debug builds).
    pub(crate) fn from_checked_parts(channels: Vec<Vec<f32>>, source: SourceInfo) -> Result<Audio> {
        if channels.is_empty() || source.sample_rate == 0 {
            return Err(Error::InvalidInput("no audio channels".into()));
        }
        debug_assert!(channels.iter().all(|c| c.len() == channels[0].len()));
        let sample_rate = source.sample_rate;
        Ok(Audio { channels, sample_rate, source })
    }

    /// Audio made by technob itself (demo, tests): the source info says `synth`, 32-bit float.
    pub fn from_synth(channels: Vec<Vec<f32>>, sample_rate: u32) -> Result<Audio> {
        let source = SourceInfo {
            format: "synth".into(),
            codec: "pcm_f32".into(),
            bit_depth: Some(32),
            sample_rate,
            channels: channels.len(),
            frames: channels.first().map_or(0, |c| c.len() as u64),
            warnings: Vec::new(),
        };
        Audio::new(channels, sample_rate, source)
    }

    /// Sample rate in Hz (the rate of the samples held, which differs from the source's after
    /// [`resample`]).
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Number of channels held.
    pub fn n_channels(&self) -> usize {
        self.channels.len()
    }

    /// Number of sample frames per channel.
    pub fn n_frames(&self) -> usize {
        self.channels[0].len()
    }

    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.n_frames() as f64 / self.sample_rate as f64
    }

    /// The samples of channel `index` (panics if out of range: use [`Audio::select_channel`] for
    /// an index that comes from a user).
    pub fn channel(&self, index: usize) -> &[f32] {
        &self.channels[index]
    }

    /// All channels, planar.
    pub fn channels(&self) -> &[Vec<f32>] {
        &self.channels
    }

    /// Give up the planar channels.
    pub fn into_channels(self) -> Vec<Vec<f32>> {
        self.channels
    }

    /// Where the audio came from.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }

    /// Mono downmix: the mean of the channels (librosa's `to_mono`). Mono audio is returned as
    /// is (cloned).
    pub fn to_mono(&self) -> Audio {
        let mono = if self.channels.len() == 1 { self.channels[0].clone() } else { downmix(&self.channels) };
        Audio { channels: vec![mono], sample_rate: self.sample_rate, source: self.source.clone() }
    }

    /// One channel as mono audio; an error names the valid range when `index` is out of it.
    pub fn select_channel(&self, index: usize) -> Result<Audio> {
        let ch = self.channels.get(index).ok_or_else(|| {
            Error::InvalidParameter(format!(
                "channel {index} does not exist (the audio has {} channel{})",
                self.channels.len(),
                if self.channels.len() == 1 { "" } else { "s" }
            ))
        })?;
        Ok(Audio { channels: vec![ch.clone()], sample_rate: self.sample_rate, source: self.source.clone() })
    }

    /// This audio at another sample rate (see [`resample`]).
    pub fn resampled(&self, to_rate: u32) -> Result<Audio> {
        resample(self, to_rate)
    }

    /// Replace the samples while keeping the source info (for resamplers and effects).
    pub(crate) fn with_channels(&self, channels: Vec<Vec<f32>>, sample_rate: u32) -> Audio {
        Audio { channels, sample_rate, source: self.source.clone() }
    }
}

/// Mean of planar channels, frame by frame.
pub(crate) fn downmix(channels: &[Vec<f32>]) -> Vec<f32> {
    let n = channels.first().map_or(0, |c| c.len());
    let scale = 1.0 / channels.len() as f32;
    let mut out = vec![0.0f32; n];
    for ch in channels {
        for (o, &x) in out.iter_mut().zip(ch) {
            *o += x;
        }
    }
    out.iter_mut().for_each(|o| *o *= scale);
    out
}

/// Reject NaN and infinite samples with the position of the first one.
pub(crate) fn check_finite(channels: &[Vec<f32>]) -> Result<()> {
    for (c, ch) in channels.iter().enumerate() {
        if let Some(i) = ch.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "non-finite sample ({}) at frame {i} of channel {c}",
                ch[i]
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_is_mean_of_channels() {
        let a = Audio::from_synth(vec![vec![1.0, 0.5, -1.0], vec![0.0, 0.5, 1.0]], 8000).unwrap();
        assert_eq!(a.to_mono().channel(0), &[0.5, 0.5, 0.0]);
        assert_eq!(a.select_channel(1).unwrap().channel(0), &[0.0, 0.5, 1.0]);
        assert!(a.select_channel(2).is_err());
    }

    #[test]
    fn rejects_bad_construction() {
        assert!(Audio::from_synth(vec![], 8000).is_err());
        assert!(Audio::from_synth(vec![vec![0.0]], 0).is_err());
        assert!(Audio::from_synth(vec![vec![0.0, 1.0], vec![0.0]], 8000).is_err());
        let err = Audio::from_synth(vec![vec![0.0, f32::NAN]], 8000).unwrap_err();
        assert!(err.to_string().contains("frame 1"), "{err}");
        assert!(Audio::from_synth(vec![vec![f32::INFINITY]], 8000).is_err());
    }
}
