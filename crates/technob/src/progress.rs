//! Progress of long work (decoding, analysers), for a caller that wants to show it.

/// Receives progress of long work; the CLI draws a bar on stderr with it.
pub trait Progress: Sync {
    /// `stage` is a short name (`decode`, ...); `fraction` goes from 0 to 1 within a stage.
    fn update(&self, stage: &str, fraction: f64);
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _stage: &str, _fraction: f64) {}
}
