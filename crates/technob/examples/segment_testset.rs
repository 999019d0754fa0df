//! Write the structure test set (`tests/common/segset.rs`, issue #8) to a directory: for every
//! item `<name>.wav` (32-bit float), `<name>.lab` (`start end group` per line, mir_eval's
//! format) and, when the construction gives roles, `<name>.roles.lab` (`start end role`).
//! Prints each item's duration, frame count and RMS, and how long building took.
//!
//!     cargo run --release -p technob --example segment_testset -- DIR
//!
//! `tools/make_segment_goldens.py` runs it and gives the files to librosa's segmenters.

use std::path::PathBuf;
use std::time::Instant;

use technob::audio::{WavFormat, write_wav};

#[allow(dead_code)] // the tests use more of it
#[path = "../tests/common/segset.rs"]
mod segset;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        return Err("usage: segment_testset DIR".into());
    };
    std::fs::create_dir_all(&dir)?;
    let t = Instant::now();
    let items = segset::build()?;
    let built = t.elapsed().as_secs_f64();
    let mut total_s = 0.0;
    for item in &items {
        write_wav(&item.audio, dir.join(format!("{}.wav", item.name)), WavFormat::Float32)?;
        std::fs::write(dir.join(format!("{}.lab", item.name)), item.lab())?;
        if let Some(roles) = item.roles_lab() {
            std::fs::write(dir.join(format!("{}.roles.lab", item.name)), roles)?;
        }
        total_s += item.audio.duration_s();
        println!(
            "{:<14} {:7.2} s {:9} frames  RMS {:.6}  {} segments{}",
            item.name,
            item.audio.duration_s(),
            item.audio.n_frames(),
            segset::rms(&item.audio),
            item.truth.len(),
            if item.has_roles() { ", roles" } else { "" }
        );
    }
    eprintln!(
        "{} items, {:.1} s of audio, built in {built:.2} s; wrote {}",
        items.len(),
        total_s,
        dir.display()
    );
    Ok(())
}
