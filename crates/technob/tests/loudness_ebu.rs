//! EBU R128 conformance: the EBU Tech 3341 (loudness) and Tech 3342 (loudness range) test
//! signals of ../shared/data/essentia-audio/generated/ebur128, against the values and
//! tolerances those documents give (integrated ±0.1 LU, LRA ±1 LU).

mod common;

use technob::audio::{DecodeOptions, decode_file};
use technob::loudness::measure_loudness;

/// (file, expected integrated LUFS or NaN when the document gives none, expected LRA or NaN).
const CASES: &[(&str, f64, f64)] = &[
    ("1kHz_sine_-20LUFS-16bit.flac", -20.0, f64::NAN),
    ("1kHz_sine_-26LUFS-16bit.flac", -26.0, f64::NAN),
    ("1kHz_sine_-40LUFS-16bit.flac", -40.0, f64::NAN),
    ("seq-3341-1-16bit.flac", -23.0, f64::NAN),
    ("seq-3341-2-16bit.flac", -33.0, f64::NAN),
    ("seq-3341-3-16bit-v02.flac", -23.0, f64::NAN),
    ("seq-3341-4-16bit-v02.flac", -23.0, f64::NAN),
    ("seq-3341-5-16bit-v02.flac", -23.0, f64::NAN),
    ("seq-3341-7_seq-3342-5-16bit.flac", -23.0, 5.0),
    ("seq-3342-1-16bit.flac", f64::NAN, 10.0),
    ("seq-3342-2-16bit.flac", f64::NAN, 5.0),
    ("seq-3342-3-16bit.flac", f64::NAN, 20.0),
    ("seq-3342-4-16bit.flac", f64::NAN, 15.0),
];

#[test]
fn ebu_tech_3341_and_3342() {
    let dir = common::data_dir().join("essentia-audio/generated/ebur128");
    let mut failures = Vec::new();
    for &(file, integrated, range) in CASES {
        let audio = decode_file(dir.join(file), &DecodeOptions { mono: false }).expect("decodes");
        let r = measure_loudness(&audio).expect("measures");
        let i = r.integrated_lufs.unwrap_or(f64::NAN);
        println!(
            "{file:<34} {} ch  I {i:7.2} LUFS (expected {integrated:6.1})  LRA {:5.2} LU (expected {range:4.1})  TP {:6.2} dBTP",
            audio.n_channels(),
            r.range_lu,
            r.true_peak_dbtp
        );
        if !integrated.is_nan() && (i - integrated).abs() > 0.1 {
            failures.push(format!("{file}: I {i:.2} vs {integrated}"));
        }
        if !range.is_nan() && (r.range_lu - range).abs() > 1.0 {
            failures.push(format!("{file}: LRA {:.2} vs {range}", r.range_lu));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn normalize_reaches_the_target_under_the_ceiling() {
    use technob::loudness::{NormalizeOptions, normalize};
    let dir = common::data_dir().join("essentia-audio/generated/ebur128");
    let audio =
        decode_file(dir.join("seq-3341-7_seq-3342-5-16bit.flac"), &DecodeOptions { mono: false }).unwrap();
    let before = measure_loudness(&audio).unwrap();
    // -23 LUFS to -20: 3 dB fits under a -1 dBTP ceiling (true peak -8.9 dBTP).
    let options = NormalizeOptions { target_lufs: -20.0, true_peak_ceiling_dbtp: -1.0 };
    let out = normalize(&audio, &before, &options).unwrap();
    let after = measure_loudness(&out.audio).unwrap();
    assert_eq!(out.gain_db, out.requested_gain_db);
    assert!((after.integrated_lufs.unwrap() + 20.0).abs() < 0.02, "{:?}", after.integrated_lufs);
    // To -9 LUFS the ceiling binds: the true peak lands on it, the loudness stays below the target.
    let options = NormalizeOptions { target_lufs: -9.0, true_peak_ceiling_dbtp: -1.0 };
    let out = normalize(&audio, &before, &options).unwrap();
    let after = measure_loudness(&out.audio).unwrap();
    assert!(out.gain_db < out.requested_gain_db);
    assert!((after.true_peak_dbtp + 1.0).abs() < 0.02, "{}", after.true_peak_dbtp);
    assert!(after.sample_peak_dbfs <= -1.0 + 1e-6);
    assert!(after.integrated_lufs.unwrap() < -9.0);
    // Silence has nothing to normalise; absurd targets are refused.
    let silence = technob::Audio::from_synth(vec![vec![0.0; 48_000]; 2], 48_000).unwrap();
    let quiet = measure_loudness(&silence).unwrap();
    assert!(normalize(&silence, &quiet, &NormalizeOptions::default()).unwrap_err().is_no_result());
    let bad = NormalizeOptions { target_lufs: 6.0, ..NormalizeOptions::default() };
    assert!(normalize(&audio, &before, &bad).is_err());
}
