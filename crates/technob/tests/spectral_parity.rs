//! Parity of `technob::spectral` with librosa 0.11 on real recordings.
//!
//! The golden arrays come from `tools/make_goldens.py` (see its docstring and
//! `tests/golden/spectral/manifest.json` for the exact librosa calls). Each test decodes the
//! clip with technob, checks that the samples are librosa's, slices the same excerpt,
//! computes the feature and compares. Errors are printed (`cargo test -- --nocapture`).
//!
//! Error measures: `rel` = max|ours − librosa| / max|librosa| over the array; `elem` = the
//! largest elementwise relative error |ours − librosa| / |librosa| over values above a floor
//! (a fraction of the array's maximum), `abs` = max|ours − librosa| in the array's unit.
//!
//! Tolerances (from the brief): STFT magnitude rel ≤ 1e-4 (elementwise ≤ 1e-3 above 1e-3 of the
//! max); mel, MFCC, chroma rel ≤ 1e-3; log-mel abs ≤ 1e-3 × its range (80 dB), i.e. 0.08 dB.
//! Measured (librosa 0.11.0, numpy 2.4.6; max over the three clips, `rel` unless stated):
//!
//! | quantity                                   | measured             | tolerance      |
//! |--------------------------------------------|----------------------|----------------|
//! | decoded samples vs `librosa.load`          | identical            | identical      |
//! | STFT 2048/512 Hann magnitude               | 1.2e-7 (elem 2.2e-5) | 1e-4 (1e-3)    |
//! | STFT 1024/256 win 512 Hamming reflect      | 1.3e-7 (elem 5.9e-5) | 1e-4 (1e-3)    |
//! | STFT 512/128 Blackman uncentred            | 1.3e-7 (elem 2.2e-5) | 1e-4 (1e-3)    |
//! | mel spectrogram (power, 128, Slaney)       | 2.7e-7               | 1e-3           |
//! | log-mel dB (ref max, top_db 80), abs       | 4.7e-4 dB            | 0.08 dB        |
//! | MFCC 20                                    | 2.5e-7               | 1e-3           |
//! | chroma_stft (tuning 0)                     | 1.8e-6               | 1e-3           |
//! | mel filterbanks (3 configurations)         | 7.7e-8               | 1e-6           |
//! | chroma filterbanks (2 configurations)      | 0 (bit-identical)    | 1e-5           |
//! | windows (8)                                | 0 (bit-identical)    | 1e-7 abs       |

#[path = "common/npy.rs"]
mod npy;

use std::path::{Path, PathBuf};

use npy::Npy;
use serde_json::Value;
use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::{
    self, ChromaConfig, ChromaFilterbank, DbRef, MelConfig, MelFilterbank, MelNorm, Norm, PadMode,
    Spectrogram, Stft, StftConfig, Window,
};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/spectral")
}

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(
        dir.is_dir(),
        "the shared evaluation data is missing: expected {} (the spectral parity tests decode real \
         recordings from it; it is never copied into the repository)",
        dir.display()
    );
    dir
}

fn manifest() -> Value {
    let path = golden_dir().join("manifest.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn golden(name: &str) -> Npy {
    Npy::read(&golden_dir().join(format!("{name}.npy")))
}

/// Error statistics of `ours` against `want` (same layout).
#[derive(Debug, Clone, Copy)]
struct Errors {
    /// max|a − b| / max|b|
    rel: f64,
    /// max|a − b|
    abs: f64,
    /// max elementwise |a − b| / |b| over |b| ≥ floor · max|b|
    elem: f64,
}

fn errors(ours: &[f64], want: &[f64], floor: f64) -> Errors {
    assert_eq!(ours.len(), want.len(), "array sizes differ");
    let peak = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut abs = 0.0f64;
    let mut elem = 0.0f64;
    for (&a, &b) in ours.iter().zip(want) {
        let d = (a - b).abs();
        assert!(d.is_finite(), "non-finite value: ours {a}, librosa {b}");
        abs = abs.max(d);
        if b.abs() >= floor * peak && b != 0.0 {
            elem = elem.max(d / b.abs());
        }
    }
    Errors { rel: if peak > 0.0 { abs / peak } else { abs }, abs, elem }
}

fn report(what: &str, e: Errors) {
    println!("{what:<34} rel {:.3e}  abs {:.3e}  elem {:.3e}", e.rel, e.abs, e.elem);
}

/// Our spectrogram in librosa's (bins, frames) layout, as f64.
fn bin_major(s: &Spectrogram) -> Vec<f64> {
    s.to_bin_major().into_iter().map(f64::from).collect()
}

fn check_shape(name: &str, g: &Npy, rows: usize, cols: usize) {
    assert_eq!(g.dims2(), (rows, cols), "{name}: shape differs from librosa's");
}

fn stft_config(kw: &Value) -> StftConfig {
    let n_fft = kw["n_fft"].as_u64().expect("n_fft") as usize;
    let window = match kw.get("window").and_then(Value::as_str).unwrap_or("hann") {
        "hann" => Window::Hann,
        "hamming" => Window::Hamming,
        "blackman" => Window::Blackman,
        other => panic!("window {other} not mapped"),
    };
    let pad_mode = match kw.get("pad_mode").and_then(Value::as_str).unwrap_or("constant") {
        "constant" => PadMode::Constant,
        "reflect" => PadMode::Reflect,
        other => panic!("pad mode {other} not mapped"),
    };
    StftConfig {
        n_fft,
        hop_length: kw["hop_length"].as_u64().expect("hop") as usize,
        win_length: kw.get("win_length").and_then(Value::as_u64).map(|w| w as usize),
        window,
        center: kw.get("center").and_then(Value::as_bool).unwrap_or(true),
        pad_mode,
    }
}

/// Decode a clip with technob, check its samples against librosa's and return the excerpt.
fn load_excerpt(clip: &Value) -> (Vec<f32>, f64) {
    let rel = clip["path"].as_str().expect("path");
    let path = data_dir().join(rel);
    let audio = decode_file(&path, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()));
    let audio = audio.to_mono();
    let sr = f64::from(audio.sample_rate());
    assert_eq!(sr as u64, clip["sr"].as_u64().expect("sr"), "{rel}: sample rate");
    let samples = audio.channel(0);
    assert_eq!(samples.len() as u64, clip["total_samples"].as_u64().expect("total"), "{rel}: length");
    let offset = clip["offset"].as_u64().expect("offset") as usize;
    let length = clip["length"].as_u64().expect("length") as usize;
    let y = samples[offset..offset + length].to_vec();

    let id = clip["id"].as_str().expect("id");
    let head = golden(&format!("{id}_head"));
    let head_err = y.iter().zip(&head.data).map(|(&a, &b)| (f64::from(a) - b).abs()).fold(0.0, f64::max);
    let y64: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    let sum: f64 = y64.iter().sum();
    let sum_sq: f64 = y64.iter().map(|v| v * v).sum();
    let sum_w: f64 = y64.iter().enumerate().map(|(i, v)| v * i as f64).sum();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    println!("{id}: head max |diff| {head_err:.3e}, sum {sum} (librosa {})", clip["sum"]);
    assert_eq!(head_err, 0.0, "{id}: decoded samples differ from librosa.load");
    assert!(close(sum, clip["sum"].as_f64().expect("sum")), "{id}: sample sum differs");
    assert!(close(sum_sq, clip["sum_sq"].as_f64().expect("sum_sq")), "{id}: sum of squares differs");
    assert!(close(sum_w, clip["sum_weighted"].as_f64().expect("sum_w")), "{id}: weighted sum differs");
    (y, sr)
}

/// All the per-clip comparisons; returns (quantity, errors) for the summary.
fn check_clip(id: &str) -> Vec<(String, Errors)> {
    let m = manifest();
    let clip = m["clips"]
        .as_array()
        .expect("clips")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("clip {id} not in the manifest"));
    let (y, sr) = load_excerpt(clip);
    let mut out = Vec::new();

    // STFT magnitudes, on the stored subset of frames.
    for key in ["stft_a", "stft_b", "stft_c"] {
        let name = format!("{id}_{key}");
        let entry = &m["arrays"][&name];
        let cfg = stft_config(&entry["config"]);
        let stft = Stft::new(cfg.clone()).expect("valid config");
        let mag = stft.magnitude(&y);
        assert_eq!(
            mag.n_frames() as u64,
            entry["n_frames"].as_u64().expect("n_frames"),
            "{name}: frame count"
        );
        let frames: Vec<usize> = entry["frames"]
            .as_array()
            .expect("frames")
            .iter()
            .map(|f| f.as_u64().expect("frame") as usize)
            .collect();
        let g = golden(&name);
        check_shape(&name, &g, stft.n_bins(), frames.len());
        let mut ours = Vec::with_capacity(g.data.len());
        for k in 0..stft.n_bins() {
            for &t in &frames {
                ours.push(f64::from(mag.get(k, t)));
            }
        }
        let e = errors(&ours, &g.data, 1e-3);
        report(&name, e);
        assert!(e.rel <= 1e-4, "{name}: STFT magnitude relative error {:.3e} > 1e-4", e.rel);
        assert!(e.elem <= 1e-3, "{name}: elementwise error {:.3e} above the floor", e.elem);
        out.push((key.to_string(), e));
    }

    // Mel spectrogram (power) and log-mel (ref = max, top_db 80).
    let stft = Stft::new(StftConfig::default()).expect("default config");
    let bank = MelFilterbank::from_config(sr, 2048, &MelConfig::default()).expect("mel");
    let mel = bank.apply(&stft.power(&y)).expect("apply");
    let g = golden(&format!("{id}_mel"));
    check_shape("mel", &g, 128, mel.n_frames());
    let e = errors(&bin_major(&mel), &g.data, 1e-6);
    report(&format!("{id}_mel"), e);
    assert!(e.rel <= 1e-3, "{id}: mel relative error {:.3e}", e.rel);
    out.push(("mel".into(), e));
    let helper =
        spectral::melspectrogram(&y, sr, &StftConfig::default(), &MelConfig::default(), 2.0).expect("mel");
    assert_eq!(helper, mel, "melspectrogram helper differs from the plan-based path");

    let log_mel = spectral::power_to_db(&mel, DbRef::Max, 1e-10, Some(80.0)).expect("db");
    let g = golden(&format!("{id}_logmel"));
    let e = errors(&bin_major(&log_mel), &g.data, 0.0);
    report(&format!("{id}_logmel (dB)"), e);
    assert!(e.abs <= 0.08, "{id}: log-mel error {:.3e} dB > 1e-3 x 80 dB", e.abs);
    assert!(e.rel <= 1e-3, "{id}: log-mel relative error {:.3e}", e.rel);
    out.push(("logmel_db".into(), e));

    // MFCC (librosa defaults: 20 coefficients).
    let mfcc = spectral::mfcc(&y, sr, &StftConfig::default(), &MelConfig::default(), 20).expect("mfcc");
    let g = golden(&format!("{id}_mfcc"));
    check_shape("mfcc", &g, 20, mfcc.n_frames());
    let e = errors(&bin_major(&mfcc), &g.data, 0.0);
    report(&format!("{id}_mfcc"), e);
    assert!(e.rel <= 1e-3, "{id}: MFCC relative error {:.3e}", e.rel);
    out.push(("mfcc".into(), e));

    // Chroma (tuning 0).
    let chroma =
        spectral::chroma_stft(&y, sr, &StftConfig::default(), &ChromaConfig::default()).expect("chroma");
    let g = golden(&format!("{id}_chroma"));
    check_shape("chroma", &g, 12, chroma.n_frames());
    let e = errors(&bin_major(&chroma), &g.data, 1e-3);
    report(&format!("{id}_chroma"), e);
    assert!(e.rel <= 1e-3, "{id}: chroma relative error {:.3e}", e.rel);
    out.push(("chroma".into(), e));
    out
}

#[test]
fn country_22k_matches_librosa() {
    check_clip("country");
}

#[test]
fn waltz_44k_matches_librosa() {
    check_clip("waltz");
}

#[test]
fn dubstep_44k_stereo_matches_librosa() {
    check_clip("dubstep");
}

#[test]
fn windows_match_scipy() {
    let cases: [(&str, Window, usize, bool); 8] = [
        ("win_hann_64", Window::Hann, 64, true),
        ("win_hann_65", Window::Hann, 65, true),
        ("win_hamming_64", Window::Hamming, 64, true),
        ("win_blackman_65", Window::Blackman, 65, true),
        ("win_blackmanharris_64", Window::BlackmanHarris, 64, true),
        ("win_kaiser12_64", Window::Kaiser { beta: 12.0 }, 64, true),
        ("win_boxcar_16", Window::Rectangular, 16, true),
        ("win_hann_sym_65", Window::Hann, 65, false),
    ];
    for (name, w, n, periodic) in cases {
        let ours = if periodic { w.periodic(n) } else { w.symmetric(n) }.expect("window");
        let ours: Vec<f64> = ours.into_iter().map(f64::from).collect();
        let e = errors(&ours, &golden(name).data, 0.0);
        report(name, e);
        assert!(e.abs <= 1e-7, "{name}: max error {:.3e}", e.abs);
    }
}

#[test]
fn mel_filterbanks_match_librosa() {
    let cases = [
        ("melfb_slaney", MelFilterbank::new(22050.0, 512, 40, 0.0, None, false, MelNorm::Slaney)),
        ("melfb_htk_nonorm", MelFilterbank::new(22050.0, 512, 40, 0.0, None, true, MelNorm::None)),
        ("melfb_band", MelFilterbank::new(44100.0, 512, 40, 30.0, Some(16000.0), false, MelNorm::Slaney)),
    ];
    for (name, bank) in cases {
        let bank = bank.expect("valid");
        let g = golden(name);
        check_shape(name, &g, bank.n_mels(), bank.n_bins());
        let ours: Vec<f64> = bank.to_dense().into_iter().map(f64::from).collect();
        let e = errors(&ours, &g.data, 1e-3);
        report(name, e);
        assert!(e.rel <= 1e-6, "{name}: relative error {:.3e}", e.rel);
        // Same sparsity pattern: our zero weights are librosa's zeros.
        for (a, b) in ours.iter().zip(&g.data) {
            assert_eq!(*a == 0.0, *b == 0.0, "{name}: non-zero pattern differs ({a} vs {b})");
        }
    }
}

#[test]
fn chroma_filterbanks_match_librosa() {
    let default = ChromaFilterbank::new(22050.0, 2048, &ChromaConfig::default()).expect("chroma");
    let custom = ChromaFilterbank::new(
        44100.0,
        512,
        &ChromaConfig { n_chroma: 24, tuning: 0.2, octwidth: None, base_c: false, ..ChromaConfig::default() },
    )
    .expect("chroma");
    for (name, bank) in [("chromafb", default), ("chromafb_24", custom)] {
        let g = golden(name);
        check_shape(name, &g, bank.n_chroma(), bank.n_bins());
        let ours: Vec<f64> = bank.weights().iter().map(|&v| f64::from(v)).collect();
        let e = errors(&ours, &g.data, 1e-3);
        report(name, e);
        assert!(e.rel <= 1e-5, "{name}: relative error {:.3e}", e.rel);
        assert!(e.elem <= 1e-4, "{name}: elementwise error {:.3e}", e.elem);
    }
    // The frame normalisation used by chroma_stft.
    let mut s = Spectrogram::new(2, 1, vec![1.0, 3.0]).expect("spec");
    spectral::normalize_frames(&mut s, Norm::L1);
    assert_eq!(s.as_slice(), &[0.25, 0.75]);
}
