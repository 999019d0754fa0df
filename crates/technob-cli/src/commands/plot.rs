//! `technob plot FILE -o OUT.png|svg`.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output picture (.png or .svg).
    #[arg(short, long, value_name = "OUT")]
    out: PathBuf,
}

pub(crate) fn run(_args: Args) -> u8 {
    1
}
