//! One module per subcommand, plus the shared way of reporting errors and warnings.

pub(crate) mod analyze;
pub(crate) mod beats;
pub(crate) mod convert;
pub(crate) mod demo;
pub(crate) mod eval;
pub(crate) mod features;
pub(crate) mod info;
pub(crate) mod key;
pub(crate) mod loudness;
pub(crate) mod pitch;
pub(crate) mod plot;
pub(crate) mod quantize;
pub(crate) mod segment;
pub(crate) mod separate;
pub(crate) mod shift;
pub(crate) mod stretch;

use std::path::Path;

use crate::exit;

/// Print `err` as one line on stderr and return the exit code it deserves.
pub(crate) fn report(err: &technob::Error) -> u8 {
    eprintln!("error: {}", one_line(&err.to_string()));
    if err.is_input_error() { exit::BAD_INPUT } else { exit::FAILURE }
}

/// The audio to analyse, mono: `file` decoded (its warnings printed under `name`), or the
/// bundled demo when no file is given.
pub(crate) fn mono_input(
    file: Option<&Path>,
    name: &str,
    progress: &crate::progress::TerminalProgress,
) -> technob::Result<technob::Audio> {
    match file {
        Some(file) => {
            let audio =
                technob::analysis::decode_for_analysis(file, progress).map_err(|e| e.in_file(file))?;
            warn_all(name, &audio.source().warnings);
            Ok(audio)
        }
        None => Ok(technob::demo::render(&technob::demo::DemoConfig::default())?.audio.to_mono()),
    }
}

/// The audio with all its channels (loudness weighs them): `file` decoded (its warnings printed
/// under `name`), or the bundled demo when no file is given.
pub(crate) fn all_channels_input(
    file: Option<&Path>,
    name: &str,
    progress: &crate::progress::TerminalProgress,
) -> technob::Result<technob::Audio> {
    match file {
        Some(file) => {
            let audio = technob::audio::decode_file_with_progress(
                file,
                &technob::audio::DecodeOptions { mono: false },
                progress,
            )
            .map_err(|e| e.in_file(file))?;
            progress.clear();
            warn_all(name, &audio.source().warnings);
            Ok(audio)
        }
        None => Ok(technob::demo::render(&technob::demo::DemoConfig::default())?.audio),
    }
}

/// Print the warnings a decode produced, one line each, naming the file.
pub(crate) fn warn_all(file: &str, warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {file}: {}", one_line(w));
    }
}

/// Error messages must stay on one line whatever a library or OS put in them.
pub(crate) fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The end of a command: an error is reported (one line, its exit code); a result is printed
/// as one JSON line with `json`, else by `human`.
pub(crate) fn finish<T: serde::Serialize>(
    result: technob::Result<T>,
    json: bool,
    human: impl FnOnce(&T),
) -> u8 {
    let doc = match result {
        Ok(doc) => doc,
        Err(e) => return report(&e),
    };
    if json {
        match to_json(&doc) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
    } else {
        human(&doc);
    }
    exit::OK
}

/// Serialise `value` as JSON on one line (`--json` output).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, u8> {
    serde_json::to_string(value).map_err(|e| {
        eprintln!("error: cannot serialise JSON: {e}");
        exit::FAILURE
    })
}

/// Human-readable duration: `m:ss.mmm` (or `h:mm:ss.mmm`).
pub(crate) fn format_duration(seconds: f64) -> String {
    let ms_total = (seconds * 1000.0).round() as u64;
    let (h, rem) = (ms_total / 3_600_000, ms_total % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{ms:03}") } else { format!("{m}:{s:02}.{ms:03}") }
}

/// The path as the user typed it, for messages and the `file` field.
pub(crate) fn display(path: &Path) -> String {
    path.display().to_string()
}
