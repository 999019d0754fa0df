//! A click track over the audio so the grid can be heard (downbeats accented).
//!
//! Each beat gets a short decaying sine (1 kHz by default), each downbeat a higher and louder
//! one (1.6 kHz). The music is scaled by [`ClickOptions::music_gain`] (−6 dB by default) so the
//! clicks stand out, the clicks are added to every channel, and if the sum still peaks above
//! 1.0 the whole mix is scaled down so its peak is 1.0: the result never clips. Same input,
//! same samples, bit for bit.

use std::f64::consts::PI;

use super::Rhythm;
use crate::{Audio, Error, Result, ensure_param};

/// How the clicks sound and how they are mixed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClickOptions {
    /// Pitch of an ordinary beat's click in Hz (default 1000).
    pub beat_hz: f64,
    /// Pitch of a downbeat's click in Hz (default 1600).
    pub downbeat_hz: f64,
    /// Length of a click in seconds (default 0.02).
    pub length_s: f64,
    /// Peak amplitude of an ordinary click, 0–1 (default 0.5).
    pub beat_gain: f32,
    /// Peak amplitude of a downbeat click, 0–1 (default 0.8).
    pub downbeat_gain: f32,
    /// Gain on the music before the clicks are added, 0–1 (default 0.5, −6 dB).
    pub music_gain: f32,
}

impl Default for ClickOptions {
    fn default() -> Self {
        ClickOptions {
            beat_hz: 1000.0,
            downbeat_hz: 1600.0,
            length_s: 0.02,
            beat_gain: 0.5,
            downbeat_gain: 0.8,
            music_gain: 0.5,
        }
    }
}

/// `audio` (any channels, its own rate) with a click on every beat of `rhythm`, downbeats
/// (bar position 1) accented; same length and channels as `audio`, peak at most 1.0.
///
/// Beats past the end of the audio are ignored; a click that runs past the end is cut.
pub fn click_track(audio: &Audio, rhythm: &Rhythm, options: &ClickOptions) -> Result<Audio> {
    let rate = audio.sample_rate() as f64;
    let nyquist = rate / 2.0;
    for (name, hz) in [("beat_hz", options.beat_hz), ("downbeat_hz", options.downbeat_hz)] {
        ensure_param!(
            hz.is_finite() && hz > 0.0 && hz < nyquist,
            "click {name} must be between 0 and {nyquist} Hz (half the sample rate), got {hz}"
        );
    }
    ensure_param!(
        options.length_s.is_finite() && options.length_s > 0.0 && options.length_s <= 1.0,
        "click length must be above 0 and at most 1 s, got {} s",
        options.length_s
    );
    for (name, gain) in [
        ("beat_gain", options.beat_gain),
        ("downbeat_gain", options.downbeat_gain),
        ("music_gain", options.music_gain),
    ] {
        ensure_param!((0.0..=1.0).contains(&gain), "click {name} must be within 0-1, got {gain}");
    }
    if let Some(b) = rhythm.beats.iter().find(|b| !b.time_s.is_finite()) {
        return Err(Error::InvalidParameter(format!("beat time {} s is not a number", b.time_s)));
    }

    let beat = click(options.beat_hz, options.beat_gain, options.length_s, rate);
    let downbeat = click(options.downbeat_hz, options.downbeat_gain, options.length_s, rate);
    let n = audio.n_frames();
    let mut clicks = vec![0.0f32; n];
    for b in &rhythm.beats {
        let shape = if b.position == 1 { &downbeat } else { &beat };
        let start = (b.time_s * rate).round();
        if start >= n as f64 {
            continue;
        }
        // A beat slightly before 0 keeps the tail of its click.
        let skip = if start < 0.0 { (-start) as usize } else { 0 };
        let start = start.max(0.0) as usize;
        for (c, &s) in clicks[start..].iter_mut().zip(shape.iter().skip(skip)) {
            *c += s;
        }
    }

    let mut channels: Vec<Vec<f32>> = audio
        .channels()
        .iter()
        .map(|ch| ch.iter().zip(&clicks).map(|(&x, &c)| x * options.music_gain + c).collect())
        .collect();
    let peak = channels.iter().flatten().fold(0.0f32, |m, &x| m.max(x.abs()));
    if peak > 1.0 {
        let scale = 1.0 / peak as f64;
        for x in channels.iter_mut().flatten() {
            *x = ((*x as f64 * scale) as f32).clamp(-1.0, 1.0);
        }
    }
    Ok(audio.with_channels(channels, audio.sample_rate()))
}

/// One click: a sine at `hz` under an envelope that decays exponentially and reaches exactly
/// zero at `length_s` (so the click ends without a step).
fn click(hz: f64, gain: f32, length_s: f64, rate: f64) -> Vec<f32> {
    let n = ((length_s * rate).round() as usize).max(1);
    (0..n)
        .map(|i| {
            let u = i as f64 / n as f64;
            let envelope = (1.0 - u) * (-3.0 * u).exp();
            (gain as f64 * envelope * (2.0 * PI * hz * i as f64 / rate).sin()) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rhythm::{Beat, TempoEstimate};

    fn rhythm(times: &[(f64, u32)]) -> Rhythm {
        Rhythm {
            tempo: TempoEstimate { bpm: 120.0, confidence: 1.0 },
            beats: times.iter().map(|&(time_s, position)| Beat { time_s, position }).collect(),
            beats_per_bar: 4,
            grid: None,
            sections: Vec::new(),
            duration_s: 1.0,
        }
    }

    #[test]
    fn clicks_land_on_the_beats_and_edges_are_safe() {
        let audio = Audio::from_synth(vec![vec![0.0; 8000]], 8000).unwrap();
        let r = rhythm(&[(-0.01, 4), (0.5, 1), (0.999, 2), (5.0, 3)]);
        let out = click_track(&audio, &r, &ClickOptions::default()).unwrap();
        assert_eq!(out.n_frames(), 8000);
        let x = out.channel(0);
        let peak_near = |from: usize, to: usize| x[from..to].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak_near(4000, 4160) > 0.4, "accented downbeat");
        assert!(peak_near(4200, 7990) == 0.0, "silence between beats");
        assert!(peak_near(0, 80) > 0.0, "the tail of a click just before 0");
        assert!(peak_near(7992, 8000) > 0.0, "a click cut at the end");
    }

    #[test]
    fn bad_options_are_parameter_errors() {
        let audio = Audio::from_synth(vec![vec![0.0; 100]], 8000).unwrap();
        let r = rhythm(&[(0.0, 1)]);
        for opts in [
            ClickOptions { beat_hz: 4000.0, ..ClickOptions::default() },
            ClickOptions { downbeat_hz: f64::NAN, ..ClickOptions::default() },
            ClickOptions { length_s: 0.0, ..ClickOptions::default() },
            ClickOptions { music_gain: 1.5, ..ClickOptions::default() },
        ] {
            let err = click_track(&audio, &r, &opts).unwrap_err();
            assert!(matches!(err, crate::Error::InvalidParameter(_)), "{err}");
        }
        let err = click_track(&audio, &rhythm(&[(f64::INFINITY, 1)]), &ClickOptions::default()).unwrap_err();
        assert!(err.is_input_error());
    }
}
