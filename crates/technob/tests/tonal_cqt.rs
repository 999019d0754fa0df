//! Constant-Q transform, constant-Q chroma and tuning estimation: parity with librosa 0.11 on
//! real recordings, synthetic tones, bad parameters, determinism, and tuning accuracy against
//! known truth.
//!
//! Goldens: `tests/golden/tonal/{cqt,chroma_cqt,tuning,hpcp}.json`, written by
//! `tools/make_cqt_goldens.py` (see its docstring for the exact calls). Errors are printed with
//! `cargo test --test tonal_cqt -- --nocapture`.
//!
//! Error measures, over the values `v` of librosa above a floor of 1e-3 × the array's maximum:
//! `max`/`median` of |ours − librosa| / |librosa| per octave, and `peak` = max |ours − librosa|
//! / max |librosa| over the whole array. The differences come from the decimation: librosa
//! resamples with soxr HQ, technob with its own half-band FIR (see `spectral::cqt`), so the
//! octaves computed at full rate match to f32 rounding and the decimated ones to ~1e-4–1e-3 of
//! the bin's level; quiet bins next to loud ones see the largest relative error.
//!
//! Measured (librosa 0.11.0, soxr 1.1.0; worst over the configurations and octaves; "interior"
//! excludes the frames whose longest filter reaches an end of the 3-4 s excerpt):
//!
//! | quantity                                              | measured           | tolerance |
//! |-------------------------------------------------------|--------------------|-----------|
//! | full-rate octave, elementwise relative (max)          | 4.8e-6             | 2e-5      |
//! | decimated octaves, interior, median relative          | 6.0e-5             | 1e-4      |
//! | decimated octaves, interior, max relative             | 2.2e-3             | 5e-3      |
//! | decimated octaves, interior, max error / array peak   | 9.0e-6             | 5e-5      |
//! | sparsity 0 (filters read the whole band): median, peak| 9.3e-4, 8.1e-4     | 2e-3      |
//! | edge frames, max error / array peak                   | 1.2e-3 (max 0.22)  | 5e-3      |
//! | chroma_cqt (tuning 0), max abs / median relative      | 1.4e-3 / 2.2e-5    | 5e-3/1e-4 |
//! | chroma_cqt, strongest pitch class                     | 303/303 frames     | all       |
//! | HPCP vs essentia (no harmonics), median frame cosine  | 0.9996             | 0.99      |
//! | guitars tuned to A4 = 432 Hz (−31.77 cents)           | −31.12, −30.90     | ±2 cents  |

mod common;

use std::path::PathBuf;

use serde_json::Value;
use technob::audio::{DecodeOptions, decode_file};
use technob::spectral::cqt::{self, ChromaCqtConfig, Cqt, CqtConfig};
use technob::spectral::hpcp::{self, HpcpConfig};
use technob::spectral::{Norm, Window};
use technob::tonal::tuning::{self, Tuning};

fn golden(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tonal").join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decode a clip with technob, check that the excerpt's samples are librosa's, return it.
fn load_excerpt(clip: &Value) -> (Vec<f32>, f64) {
    let rel = clip["path"].as_str().expect("path");
    let path = common::data_dir().join(rel);
    let audio = decode_file(&path, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()))
        .to_mono();
    let sr = f64::from(audio.sample_rate());
    assert_eq!(sr as u64, clip["sr"].as_u64().expect("sr"), "{rel}: sample rate");
    let offset = clip["offset"].as_u64().expect("offset") as usize;
    let length = clip["length"].as_u64().expect("length") as usize;
    let y = audio.channel(0)[offset..offset + length].to_vec();
    let sum: f64 = y.iter().map(|&v| f64::from(v)).sum();
    let sum_sq: f64 = y.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(sum, clip["sum"].as_f64().expect("sum")), "{rel}: decoded samples differ from librosa's");
    assert!(close(sum_sq, clip["sum_sq"].as_f64().expect("sum_sq")), "{rel}: decoded samples differ");
    (y, sr)
}

fn cqt_config(kw: &Value) -> CqtConfig {
    let d = CqtConfig::default();
    let f = |k: &str| kw.get(k).and_then(Value::as_f64);
    let u = |k: &str| kw.get(k).and_then(Value::as_u64).map(|v| v as usize);
    CqtConfig {
        hop_length: u("hop_length").unwrap_or(d.hop_length),
        fmin: f("fmin").unwrap_or(d.fmin),
        n_bins: u("n_bins").unwrap_or(d.n_bins),
        bins_per_octave: u("bins_per_octave").unwrap_or(d.bins_per_octave),
        tuning: f("tuning").unwrap_or(d.tuning),
        filter_scale: f("filter_scale").unwrap_or(d.filter_scale),
        norm: match kw.get("norm").and_then(Value::as_u64) {
            None => d.norm,
            Some(1) => Some(Norm::L1),
            Some(2) => Some(Norm::L2),
            Some(other) => panic!("norm {other} not mapped"),
        },
        sparsity: f("sparsity").unwrap_or(d.sparsity),
        window: match kw.get("window").and_then(Value::as_str) {
            None | Some("hann") => Window::Hann,
            Some("hamming") => Window::Hamming,
            Some(other) => panic!("window {other} not mapped"),
        },
        scale: kw.get("scale").and_then(Value::as_bool).unwrap_or(d.scale),
    }
}

/// Relative errors of `ours` against `want` (pairs of values), over `want ≥ floor`.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    max: f64,
    median: f64,
    /// max |diff| / peak of the whole array
    peak: f64,
}

fn stats(pairs: &[(f64, f64)], array_peak: f64, floor: f64) -> Stats {
    let mut rel: Vec<f64> = pairs
        .iter()
        .filter(|(_, b)| *b >= floor * array_peak && *b > 0.0)
        .map(|(a, b)| (a - b).abs() / b)
        .collect();
    rel.sort_by(f64::total_cmp);
    let peak = pairs.iter().map(|(a, b)| (a - b).abs()).fold(0.0f64, f64::max) / array_peak;
    Stats {
        max: rel.last().copied().unwrap_or(0.0),
        median: if rel.is_empty() { 0.0 } else { rel[rel.len() / 2] },
        peak,
    }
}

const FLOOR: f64 = 1e-3;

/// Per-octave statistics of one golden configuration.
struct OctaveRow {
    config: String,
    octave: usize,
    decimated: bool,
    sparse: bool,
    interior: Stats,
    edge: Stats,
}

#[test]
fn cqt_matches_librosa() {
    let g = golden("cqt.json");
    let mut rows = Vec::new();
    for entry in g["configs"].as_array().expect("configs") {
        let name = entry["name"].as_str().expect("name");
        let clip = &g["clips"][entry["clip"].as_str().expect("clip")];
        let (y, sr) = load_excerpt(clip);
        let config = cqt_config(&entry["config"]);
        let plan = Cqt::new(sr, &config).expect("valid config");
        for (ours, want) in plan.frequencies().iter().zip(entry["freqs"].as_array().expect("freqs")) {
            let want = want.as_f64().expect("freq");
            assert!((ours - want).abs() <= 1e-9 * want, "{name}: frequency {ours} vs {want}");
        }
        let c = plan.magnitude(&y).expect("cqt");
        assert_eq!(c.n_bins() as u64, entry["n_bins"].as_u64().expect("n_bins"), "{name}: bins");
        assert_eq!(c.n_frames() as u64, entry["n_frames"].as_u64().expect("n_frames"), "{name}: frames");
        let frames: Vec<usize> = entry["frames"]
            .as_array()
            .expect("frames")
            .iter()
            .map(|v| v.as_u64().expect("frame") as usize)
            .collect();
        let values = entry["values"].as_array().expect("values");
        let want = |i: usize, k: usize| values[i][k].as_f64().expect("value");
        let array_peak = (0..frames.len())
            .flat_map(|i| (0..c.n_bins()).map(move |k| (i, k)))
            .map(|(i, k)| want(i, k))
            .fold(0.0, f64::max);
        let bpo = config.bins_per_octave;
        println!(
            "{name} ({sr} Hz, early downsampling {}, decimator pass band {:.3} of Nyquist):",
            plan.early_downsampling(),
            plan.decimator_pass_band()
        );
        for o in 0..c.n_bins().div_ceil(bpo) {
            // Octave o counted from the top, as the CQT computes them.
            let hi = c.n_bins() - o * bpo;
            let lo = c.n_bins().saturating_sub((o + 1) * bpo);
            // Frames whose filters reach the ends of the excerpt (within one filter length, in
            // input samples): there the two resamplers' different edge handling shows.
            let reach = plan.filter_lengths()[lo] * (1u64 << plan.early_downsampling()) as f64;
            let is_edge = |t: usize| {
                let centre = (t * config.hop_length) as f64;
                centre < reach || centre + reach > y.len() as f64
            };
            let pairs = |edge: bool| -> Vec<(f64, f64)> {
                frames
                    .iter()
                    .enumerate()
                    .filter(|&(_, &t)| is_edge(t) == edge)
                    .flat_map(|(i, &t)| (lo..hi).map(move |k| (i, t, k)))
                    .map(|(i, t, k)| (f64::from(c.get(k, t)), want(i, k)))
                    .collect()
            };
            let row = OctaveRow {
                config: name.to_string(),
                octave: o,
                decimated: o > 0 || plan.early_downsampling() > 0,
                sparse: config.sparsity > 0.0,
                interior: stats(&pairs(false), array_peak, FLOOR),
                edge: stats(&pairs(true), array_peak, FLOOR),
            };
            println!(
                "  octave {o} ({:>4.0}-{:>4.0} Hz, {}): interior max {:.1e} median {:.1e} peak {:.1e} | \
                 edge frames max {:.1e} peak {:.1e}",
                plan.frequencies()[lo],
                plan.frequencies()[hi - 1],
                if row.decimated { "decimated" } else { "full rate" },
                row.interior.max,
                row.interior.median,
                row.interior.peak,
                row.edge.max,
                row.edge.peak,
            );
            rows.push(row);
        }
    }
    for r in &rows {
        let what = format!("{} octave {}", r.config, r.octave);
        if !r.decimated {
            // Same filters, same FFTs: f32 rounding only.
            assert!(r.interior.max <= 2e-5 && r.edge.max <= 2e-5, "{what}: {:?} {:?}", r.interior, r.edge);
        } else if r.sparse {
            assert!(r.interior.median <= 1e-4, "{what}: interior {:?}", r.interior);
            assert!(r.interior.max <= 5e-3, "{what}: interior {:?}", r.interior);
            assert!(r.interior.peak <= 5e-5, "{what}: interior {:?}", r.interior);
        } else {
            // Sparsity 0: the filters read the whole band, the resamplers' transition bands too.
            assert!(r.interior.median <= 2e-3, "{what}: interior {:?}", r.interior);
            assert!(r.interior.peak <= 2e-3, "{what}: interior {:?}", r.interior);
        }
        assert!(r.edge.peak <= 5e-3, "{what}: edge {:?}", r.edge);
    }
}

#[test]
fn chroma_cqt_matches_librosa() {
    let g = golden("chroma_cqt.json");
    for entry in g["entries"].as_array().expect("entries") {
        let id = entry["clip"].as_str().expect("clip");
        let (y, sr) = load_excerpt(&g["clips"][id]);
        let config = ChromaCqtConfig { tuning: Some(0.0), ..ChromaCqtConfig::default() };
        let ch = cqt::chroma_cqt(&y, sr, &config).expect("chroma");
        let values = entry["values"].as_array().expect("values");
        assert_eq!(ch.n_frames(), values.len(), "{id}: frames");
        assert_eq!(ch.n_bins(), 12);
        let mut pairs = Vec::new();
        let mut argmax_agree = 0;
        for (t, row) in values.iter().enumerate() {
            let want: Vec<f64> =
                row.as_array().expect("row").iter().map(|v| v.as_f64().expect("value")).collect();
            let ours = ch.frame(t);
            for (a, b) in ours.iter().zip(&want) {
                pairs.push((f64::from(*a), *b));
            }
            let am = |v: &[f64]| (0..12).fold(0, |m, i| if v[i] > v[m] { i } else { m });
            let ours64: Vec<f64> = ours.iter().map(|&v| f64::from(v)).collect();
            argmax_agree += usize::from(am(&ours64) == am(&want));
        }
        let s = stats(&pairs, 1.0, 1e-2);
        let abs = pairs.iter().map(|(a, b)| (a - b).abs()).fold(0.0f64, f64::max);
        println!(
            "chroma_cqt {id}: max |diff| {abs:.2e}, relative (values >= 0.01) max {:.2e} median {:.2e}; \
             argmax agrees on {argmax_agree}/{} frames",
            s.max,
            s.median,
            values.len()
        );
        assert!(abs <= 5e-3, "{id}: chroma differs from librosa by {abs}");
        assert!(s.median <= 1e-4, "{id}: {s:?}");
        assert_eq!(argmax_agree, values.len(), "{id}: the strongest pitch class differs");
        // librosa estimates the tuning when not given (in thirds of a semitone): show ours.
        let ours = tuning::estimate_tuning(&y, sr).map(|t| t.bins(36)).unwrap_or(f64::NAN);
        println!(
            "  tuning in 1/36-octave bins: librosa {:.3}, technob {ours:.3}",
            entry["librosa_tuning_bins36"].as_f64().unwrap_or(f64::NAN)
        );
    }
}

/// Decode a whole clip to mono at its own rate.
fn load_whole(rel: &str) -> (Vec<f32>, f64) {
    let path = common::data_dir().join(rel);
    let audio = decode_file(&path, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()))
        .to_mono();
    let sr = f64::from(audio.sample_rate());
    (audio.channel(0).to_vec(), sr)
}

#[test]
fn tuning_of_real_recordings() {
    let g = golden("tuning.json");
    println!("{:<14} {:>9} {:>9} {:>9} {:>9}", "clip", "technob", "librosa", "essentia", "truth");
    for clip in g["clips"].as_array().expect("clips") {
        let id = clip["id"].as_str().expect("id");
        let (y, sr) = load_whole(clip["path"].as_str().expect("path"));
        let t = tuning::estimate_tuning(&y, sr).expect("tonal clip");
        let truth = clip.get("truth_cents").and_then(Value::as_f64);
        println!(
            "{id:<14} {:>9.2} {:>9.2} {:>9.2} {:>9}",
            t.cents,
            clip["librosa_cents"].as_f64().unwrap_or(f64::NAN),
            clip["essentia_cents"].as_f64().unwrap_or(f64::NAN),
            truth.map_or("-".to_string(), |c| format!("{c:.2}"))
        );
        if let Some(truth) = truth {
            // The guitars are tuned to A4 = 432 Hz: within 2 cents (0.5 Hz).
            assert!((t.cents - truth).abs() <= 2.0, "{id}: {t:?}, truth {truth} cents");
            assert!((t.a4_hz - clip["truth_a4_hz"].as_f64().expect("a4")).abs() <= 0.5, "{id}: {t:?}");
        }
    }
}

fn sine(hz: f64, sr: f64, seconds: f64) -> Vec<f32> {
    (0..(sr * seconds) as usize)
        .map(|i| (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / sr).sin()) as f32)
        .collect()
}

fn argmax(v: &[f32]) -> usize {
    (0..v.len()).fold(0, |m, i| if v[i] > v[m] { i } else { m })
}

#[test]
fn synthetic_tones_land_in_their_bins() {
    for sr in [22050.0, 44100.0] {
        let plan = Cqt::new(sr, &CqtConfig::default()).expect("defaults");
        for k in [3usize, 17, 40, 57, 69, 83] {
            let f = plan.frequencies()[k];
            let c = plan.magnitude(&sine(f, sr, 1.5)).expect("cqt");
            let mid = c.frame(c.n_frames() / 2);
            assert_eq!(argmax(mid), k, "{sr} Hz, {f:.1} Hz tone");
            // Length scaling makes a sinusoid's peak independent of the bin: A/2 · √L.
            // (filter_lengths are at the rate after early downsampling)
            let want = 0.25 * (plan.filter_lengths()[k] * (1u64 << plan.early_downsampling()) as f64).sqrt();
            let got = f64::from(mid[k]);
            assert!((got / want - 1.0).abs() < 0.05, "{sr} Hz bin {k}: {got} vs {want}");
        }
    }
    // A tone a quarter-bin sharp lands in the same bin once the tuning says so.
    let sr = 22050.0;
    let f = CqtConfig::default().fmin * 2f64.powf((30.0 + 0.4) / 12.0);
    let tuned = Cqt::new(sr, &CqtConfig { tuning: 0.4, ..CqtConfig::default() }).expect("tuned");
    assert!((tuned.frequencies()[30] - f).abs() < 1e-9 * f);
    // chroma_cqt: each pitch class from a tone in three different octaves; tuning estimated.
    for (class, midi) in [(0usize, 48.0), (9, 69.0), (4, 88.0), (7, 31.0)] {
        let hz = 440.0 * 2f64.powf((midi - 69.0) / 12.0) * 2f64.powf(20.0 / 1200.0);
        let ch = cqt::chroma_cqt(&sine(hz, sr, 2.0), sr, &ChromaCqtConfig::default()).expect("chroma");
        let mid = ch.frame(ch.n_frames() / 2);
        assert_eq!(argmax(mid), class, "MIDI {midi} + 20 cents: {mid:?}");
        assert!((mid[class] - 1.0).abs() < 1e-6);
    }
}

#[test]
fn bad_parameters_are_errors() {
    let d = CqtConfig::default();
    let sr = 22050.0;
    assert!(Cqt::new(sr, &CqtConfig { fmin: 0.0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { fmin: -1.0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { fmin: f64::NAN, ..d.clone() }).is_err());
    // 96 bins from C1 reach C9 (8.4 kHz), above the 5.5 kHz Nyquist of 11.025 kHz.
    assert!(Cqt::new(11025.0, &CqtConfig { n_bins: 96, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { n_bins: 120, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { hop_length: 0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { n_bins: 0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { bins_per_octave: 0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { filter_scale: 0.0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { sparsity: 1.0, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { tuning: f64::INFINITY, ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { window: Window::Custom(vec![1.0; 4]), ..d.clone() }).is_err());
    assert!(Cqt::new(sr, &CqtConfig { fmin: 1e-6, ..d.clone() }).is_err());
    assert!(Cqt::new(0.0, &d).is_err());
    assert!(cqt::cqt(&[], sr, &d).is_err());
    let plan = Cqt::new(sr, &d).expect("defaults");
    assert!(plan.magnitude(&[]).is_err());
    // A single sample is a valid (tiny) signal.
    assert_eq!(plan.magnitude(&[1.0]).expect("one sample").n_frames(), 1);
    let c = ChromaCqtConfig::default();
    assert!(cqt::chroma_cqt(&[], sr, &c).is_err());
    assert!(cqt::chroma_cqt(&[0.0; 100], sr, &ChromaCqtConfig { bins_per_octave: 13, ..c.clone() }).is_err());
    assert!(cqt::chroma_cqt(&[0.0; 100], sr, &ChromaCqtConfig { n_chroma: 0, ..c.clone() }).is_err());
    assert!(cqt::chroma_cqt(&[0.0; 100], sr, &ChromaCqtConfig { n_octaves: 0, ..c }).is_err());
    // Silence: zeros, not NaN (frames with no energy are left unnormalised).
    let silent = cqt::chroma_cqt(&[0.0; 4096], sr, &ChromaCqtConfig::default()).expect("silence");
    assert!(silent.as_slice().iter().all(|&v| v == 0.0));
}

#[test]
fn deterministic_whatever_the_threads() {
    let sr = 22050.0;
    let y: Vec<f32> = (0..sr as usize * 3)
        .map(|i| {
            let t = i as f64 / sr;
            // A2 and a sawtooth on D#4, both on the A440 grid.
            ((2.0 * std::f64::consts::PI * 110.0 * t).sin() * 0.3 + (t * 311.126_983_722_08).fract() * 0.1
                - 0.05) as f32
        })
        .collect();
    let plan =
        Cqt::new(sr, &CqtConfig { n_bins: 252, bins_per_octave: 36, ..CqtConfig::default() }).expect("plan");
    let a = plan.forward(&y).expect("cqt");
    let b = plan.forward(&y).expect("cqt");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let c = pool.install(|| plan.forward(&y)).expect("cqt");
    assert_eq!(a, b);
    assert_eq!(a, c);
    let t1 = tuning::estimate_tuning(&y, sr).expect("tonal");
    let t2 = pool.install(|| tuning::estimate_tuning(&y, sr)).expect("tonal");
    assert_eq!(t1, t2);
    assert!(t1.cents.abs() < 0.1, "{t1:?}");
    assert_eq!(Tuning::from_cents(t1.cents), t1);
}

/// Cosine similarity of two profiles.
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na > 0.0 && nb > 0.0 { dot / (na * nb) } else { 0.0 }
}

#[test]
fn hpcp_agrees_with_essentia() {
    let g = golden("hpcp.json");
    let id = g["clip"].as_str().expect("clip");
    let (y, sr) = load_excerpt(&g["clips"][id]);
    // essentia's settings: no harmonics, all peaks (threshold 0), 100 peaks, 4-term
    // Blackman-Harris. Peak picking differs (essentia interpolates the linear magnitude,
    // technob the log magnitude).
    let config = HpcpConfig {
        n_fft: g["frame_size"].as_u64().expect("frame size") as usize,
        hop_length: g["hop_size"].as_u64().expect("hop") as usize,
        n_harmonics: 1,
        min_peak_db: f64::INFINITY,
        ..HpcpConfig::default()
    };
    let ours = hpcp::hpcp(&y, sr, &config).expect("hpcp");
    let values = g["values"].as_array().expect("values");
    let n = ours.n_frames().min(values.len());
    let mut sims = Vec::new();
    let mut argmax_agree = 0;
    let (mut mean_ours, mut mean_ess) = (vec![0.0f64; 12], vec![0.0f64; 12]);
    for (t, row) in values.iter().enumerate().take(n) {
        // essentia's class 0 is A; ours is C: A = our class 9.
        let ess: Vec<f64> = row.as_array().expect("row").iter().map(|v| v.as_f64().expect("value")).collect();
        let ess_c: Vec<f64> = (0..12).map(|c| ess[(c + 3) % 12]).collect();
        let o: Vec<f64> = ours.frame(t).iter().map(|&v| f64::from(v)).collect();
        sims.push(cosine(&o, &ess_c));
        let am = |v: &[f64]| (0..12).fold(0, |m, i| if v[i] > v[m] { i } else { m });
        argmax_agree += usize::from(am(&o) == am(&ess_c));
        for c in 0..12 {
            mean_ours[c] += o[c];
            mean_ess[c] += ess_c[c];
        }
    }
    sims.sort_by(f64::total_cmp);
    let mean_sim = cosine(&mean_ours, &mean_ess);
    println!(
        "HPCP vs essentia ({id}, {n} frames): per-frame cosine min {:.4} median {:.4}; strongest class agrees \
         on {argmax_agree}/{n}; mean profile cosine {mean_sim:.5}",
        sims[0],
        sims[n / 2]
    );
    assert!(sims[n / 2] >= 0.99, "median per-frame similarity {}", sims[n / 2]);
    assert!(mean_sim >= 0.995, "mean profile similarity {mean_sim}");
    assert!(argmax_agree * 10 >= n * 9, "strongest class agrees on only {argmax_agree}/{n} frames");
}
