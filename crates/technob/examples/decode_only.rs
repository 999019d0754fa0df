//! Decode a file to mono and print its frame count (for profiling the decoder alone).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    match technob::audio::decode_file(&path, &technob::audio::DecodeOptions { mono: true }) {
        Ok(a) => println!("{} frames", a.n_frames()),
        Err(e) => eprintln!("error: {e}"),
    }
}
