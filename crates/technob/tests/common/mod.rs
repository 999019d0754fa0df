//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod segset;

use std::path::{Path, PathBuf};

/// `../shared/data` beside the checkout; a clear failure if it is missing.
pub fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(dir.is_dir(), "the shared test data is missing: expected it at {}", dir.display());
    dir
}

/// The files `prefixNN.ext` of `dir`, sorted (as the Python tests' sorted globs).
pub fn numbered(dir: &Path, prefix: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with(prefix)
                && name.ends_with(ext)
                && name[prefix.len()..name.len() - ext.len()].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    files.sort();
    files
}

/// A JSON file (the tests' expected outputs), parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
