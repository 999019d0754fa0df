//! File-system helpers shared by every writer: atomic output.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Write through `body` into a temporary file beside `path`, sync it, and rename it over `path`.
/// On any failure the temporary file is removed and `path` is left as it was.
///
/// A `path` that exists and is not a regular file (`/dev/null`, a named pipe, a terminal) is
/// written directly: renaming over it would replace the device with a file.
pub fn write_atomically(
    path: &Path,
    body: impl FnOnce(File) -> std::result::Result<(), Error>,
) -> Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::Output(e.to_string()))?;
        return body(file);
    }
    let tmp = temp_path(path);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| Error::Output(e.to_string()))?;
        body(file.try_clone().map_err(|e| Error::Output(e.to_string()))?)?;
        file.sync_all().map_err(|e| Error::Output(e.to_string()))?;
        fs::rename(&tmp, path).map_err(|e| Error::Output(e.to_string()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp_name = format!(".{name}.tmp-{}", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp_name),
        _ => PathBuf::from(tmp_name),
    }
}

/// Write `bytes` to `path` atomically (temporary file + rename); errors name the file.
pub fn write_bytes(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    write_atomically(path, |mut file| file.write_all(bytes).map_err(|e| Error::Output(e.to_string())))
        .map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = std::env::temp_dir().join(format!("technob-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keep.wav");
        fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, |_| Err(Error::Output("simulated failure".into()))).unwrap_err();
        assert!(err.to_string().contains("simulated"));
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        write_bytes(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_not_replaced() {
        write_bytes("/dev/null", b"nothing").unwrap();
        let meta = fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null became a regular file");
    }

    #[test]
    fn unwritable_target_is_an_output_error_naming_the_file() {
        let err = write_bytes("/nonexistent-dir/x.json", b"{}").unwrap_err();
        assert!(!err.is_input_error());
        assert!(err.to_string().starts_with("/nonexistent-dir/x.json: "), "{err}");
    }
}
