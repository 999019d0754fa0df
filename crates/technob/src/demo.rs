//! The bundled demo track (placeholder until the synthesiser lands: one bar of silence).

use crate::{Audio, Result};

/// Demo settings.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Tempo in BPM.
    pub bpm: f64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig { bpm: 128.0, sample_rate: 44100 }
    }
}

/// The rendered demo.
pub struct Demo {
    /// The audio.
    pub audio: Audio,
    /// Ground truth.
    pub truth: Vec<f64>,
}

/// Render the demo.
pub fn render(config: &DemoConfig) -> Result<Demo> {
    let audio = Audio::from_synth(vec![vec![0.0; 88200]; 2], config.sample_rate)?;
    Ok(Demo { audio, truth: vec![] })
}
