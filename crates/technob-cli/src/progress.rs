//! A progress bar on stderr that appears only when stderr is a terminal and the work has
//! already taken more than a second (short jobs stay silent).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use technob::progress::Progress;

/// How long work runs before a bar is drawn.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub(crate) struct TerminalProgress {
    started: Instant,
    bar: Mutex<Option<ProgressBar>>,
    enabled: bool,
    label: String,
}

impl TerminalProgress {
    pub(crate) fn new(label: &str) -> TerminalProgress {
        TerminalProgress {
            started: Instant::now(),
            bar: Mutex::new(None),
            enabled: std::io::stderr().is_terminal(),
            label: label.to_string(),
        }
    }

    /// Remove the bar (before printing results or errors).
    pub(crate) fn clear(&self) {
        if let Ok(mut guard) = self.bar.lock() {
            if let Some(bar) = guard.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl Progress for TerminalProgress {
    fn update(&self, stage: &str, fraction: f64) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        let Ok(mut guard) = self.bar.lock() else { return };
        let bar = guard.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{prefix} {msg:8} [{bar:30}] {percent:>3}% {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(self.label.clone());
            bar
        });
        bar.set_message(stage.to_string());
        bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    }
}

impl Drop for TerminalProgress {
    fn drop(&mut self) {
        self.clear();
    }
}
