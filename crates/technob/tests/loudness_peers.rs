//! Loudness of the real recordings of ../shared/data against ffmpeg's `ebur128` filter and
//! pyloudnorm (golden values from `tools/make_loudness_goldens.py`).
//!
//! Integrated loudness must be within 0.05 LU of both peers, except on the clips listed in
//! [`KNOWN_PEER_DISAGREEMENTS`], where the two peers are themselves more than 0.05 LU apart; there
//! we must be within 0.05 LU of ffmpeg (the same filter design: both follow libebur128). Loudness range within 0.02 LU of ffmpeg (its histogram has 0.01-LU bins; EBU Tech 3342 allows ±1 LU); sample peak within
//! 0.05 dB; true peak within EBU Tech 3341's +0.2/−0.4 dB of ffmpeg, which oversamples to
//! 192 kHz where BS.1770-4's meter (ours, libebur128's) oversamples 4×.

mod common;

use technob::audio::{DecodeOptions, decode_file};
use technob::loudness::measure_loudness;

const TOLERANCE_LU: f64 = 0.05;

/// Clips where ffmpeg and pyloudnorm differ by more than [`TOLERANCE_LU`]. pyloudnorm designs
/// its K-weighting filter from analogue parameters at every rate, libebur128 (ffmpeg, the
/// `ebur128` crate) maps BS.1770's 48-kHz filter; at 22.05 kHz they part by 0.085 LU. (At
/// 48 kHz, after resampling this clip with soxr, we read −12.816 and pyloudnorm −12.857.)
const KNOWN_PEER_DISAGREEMENTS: &[&str] =
    &["mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav"];

/// Clips where the BS.1770-4 4× true-peak meter reads more than 0.4 dB under ffmpeg's 192-kHz
/// one, with the smallest difference measured (a floor, so a regression still fails).
const KNOWN_TRUE_PEAK_UNDER_READS: &[(&str, f64)] = &[
    // Strong content near 22 kHz: an ideal band-limited (FFT) interpolation puts the peak at
    // +1.36 dBTP at t = 3.0 s, ffmpeg +1.30; the 4× filter attenuates that band.
    ("essentia-audio/recorded/dubstep.flac", -0.6),
];

#[test]
fn integrated_loudness_range_and_peaks_match_ffmpeg_and_pyloudnorm() {
    let golden = common::read_json(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/loudness/loudness_peers.json"),
    );
    let clips = golden["clips"].as_array().unwrap();
    assert!(clips.len() >= 10, "the golden file lists {} clips", clips.len());
    let mut failures = Vec::new();
    let mut worst = [0.0f64; 4];
    for clip in clips {
        let rel = clip["path"].as_str().unwrap();
        let audio = decode_file(common::data_dir().join(rel), &DecodeOptions { mono: false }).unwrap();
        assert_eq!(audio.n_channels() as u64, clip["channels"].as_u64().unwrap(), "{rel}");
        let r = measure_loudness(&audio).unwrap();
        let ff = &clip["ffmpeg"];
        let (ff_i, ff_lra) = (ff["integrated_lufs"].as_f64().unwrap(), ff["range_lu"].as_f64().unwrap());
        let (ff_tp, ff_sp) =
            (ff["true_peak_dbtp"].as_f64().unwrap(), ff["sample_peak_dbfs"].as_f64().unwrap());
        let pyln = clip["pyloudnorm"]["integrated_lufs"].as_f64().unwrap();
        let i = r.integrated_lufs.unwrap();
        println!(
            "{:<48} I {i:8.3} (ffmpeg {ff_i:8.3}, pyloudnorm {pyln:8.3})  LRA {:5.2} ({ff_lra:5.2})  TP {:6.2} ({ff_tp:6.2})  SP {:7.3} ({ff_sp:7.3})",
            &rel[rel.len().saturating_sub(48)..],
            r.range_lu,
            r.true_peak_dbtp,
            r.sample_peak_dbfs
        );
        let d_ff = (i - ff_i).abs();
        let d_pyln = (i - pyln).abs();
        let d_pyln_counted = if KNOWN_PEER_DISAGREEMENTS.contains(&rel) { 0.0 } else { d_pyln };
        worst = [
            worst[0].max(d_ff),
            worst[1].max(d_pyln_counted),
            worst[2].max((r.range_lu - ff_lra).abs()),
            worst[3].max((r.sample_peak_dbfs - ff_sp).abs()),
        ];
        if d_ff > TOLERANCE_LU {
            failures.push(format!("{rel}: I {i:.3} vs ffmpeg {ff_i:.3}"));
        }
        let peers_agree = (ff_i - pyln).abs() <= TOLERANCE_LU;
        assert_eq!(
            peers_agree,
            !KNOWN_PEER_DISAGREEMENTS.contains(&rel),
            "{rel}: the peers' agreement changed"
        );
        if peers_agree && d_pyln > TOLERANCE_LU {
            failures.push(format!("{rel}: I {i:.3} vs pyloudnorm {pyln:.3} (ffmpeg {ff_i:.3})"));
        }
        if (r.range_lu - ff_lra).abs() > 0.02 {
            failures.push(format!("{rel}: LRA {:.2} vs ffmpeg {ff_lra:.2}", r.range_lu));
        }
        if (r.sample_peak_dbfs - ff_sp).abs() > 0.05 {
            failures.push(format!("{rel}: sample peak {:.3} vs ffmpeg {ff_sp:.3}", r.sample_peak_dbfs));
        }
        let tp_diff = r.true_peak_dbtp - ff_tp;
        let floor = KNOWN_TRUE_PEAK_UNDER_READS.iter().find(|(p, _)| *p == rel).map_or(-0.4, |&(_, f)| f);
        if !(floor..=0.2).contains(&tp_diff) {
            failures.push(format!("{rel}: true peak {:.2} vs ffmpeg {ff_tp:.2}", r.true_peak_dbtp));
        }
        assert!(r.true_peak_dbtp >= r.sample_peak_dbfs - 1e-9, "{rel}: true peak under the sample peak");
    }
    println!(
        "largest differences: I vs ffmpeg {:.3} LU, I vs pyloudnorm {:.3} LU (where the peers agree), LRA vs ffmpeg {:.3} LU, sample peak {:.3} dB",
        worst[0], worst[1], worst[2], worst[3]
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
