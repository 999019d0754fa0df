//! The one error type of the library.
//!
//! Few variants, each meaningful to a caller (after symphonia's `Error`): the CLI maps
//! [`Error::is_input_error`] to exit code 2 ("unusable input") and everything else to 1.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in technob.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be used: missing, unreadable, empty, corrupt, truncated beyond use,
    /// no audio track, invalid samples (NaN/inf), too short to analyse.
    #[error("{0}")]
    InvalidInput(String),
    /// The input is well-formed but uses a format or codec technob cannot decode.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A parameter is out of its valid range (e.g. a zero sample rate or an FFT size of 1).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The input is usable but the analysis found nothing to report (no beat in silence, no
    /// pitch in noise, ...). `analyze` reports such fields as `null`.
    #[error("{0}")]
    NoResult(String),
    /// Writing an output failed (disk full, permission denied, ...).
    #[error("cannot write output: {0}")]
    Output(String),
    /// An I/O error while reading an input.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Any of the above, with the file it concerns.
    #[error("{}: {source}", path.display())]
    File {
        /// The file as the user named it.
        path: PathBuf,
        /// What went wrong with it.
        source: Box<Error>,
    },
}

impl Error {
    /// Attach the file this error concerns (once: an error that already names a file keeps it).
    pub fn in_file(self, path: &Path) -> Error {
        match self {
            Error::File { .. } => self,
            other => Error::File { path: path.to_path_buf(), source: Box::new(other) },
        }
    }

    /// True when the analysis simply found nothing (see [`Error::NoResult`]), wherever the
    /// error was wrapped.
    pub fn is_no_result(&self) -> bool {
        match self {
            Error::NoResult(_) => true,
            Error::File { source, .. } => source.is_no_result(),
            _ => false,
        }
    }

    /// True when the problem is with the input (file or parameters), not with technob or the
    /// machine: the CLI exits with code 2 for these.
    pub fn is_input_error(&self) -> bool {
        match self {
            Error::InvalidInput(_) | Error::Unsupported(_) | Error::InvalidParameter(_) => true,
            Error::NoResult(_) => true,
            Error::Io(_) => true,
            Error::Output(_) => false,
            Error::File { source, .. } => source.is_input_error(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Return early with [`Error::InvalidParameter`] when `cond` is false.
macro_rules! ensure_param {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::Error::InvalidParameter(format!($($fmt)+)));
        }
    };
}
pub(crate) use ensure_param;
