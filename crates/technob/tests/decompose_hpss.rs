//! HPSS against librosa 0.11 (`tools/make_hpss_goldens.py`): the masks of
//! `librosa.decompose.hpss(S, mask=True)` and the waveforms of `librosa.effects.hpss` on 3 s of
//! a real recording, for soft and hard masks, margins and unequal kernels.
//!
//! Masks: within 1e-4 absolute at every stored cell (hard masks: at most 0.1 % of the cells may
//! flip, for medians equal to float precision; none do today). Waveforms (every 29th sample):
//! the error's energy is at most 1e-4 of the part's, and the whole part's energy agrees within
//! 1e-3 relative.

mod common;

use technob::audio::{DecodeOptions, decode_file};
use technob::decompose::{HpssOptions, hpss, hpss_masks};
use technob::spectral::{Stft, StftConfig};

#[test]
fn masks_and_waveforms_match_librosa() {
    let golden = common::read_json(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/decompose/hpss_librosa.json"),
    );
    let audio =
        decode_file(common::data_dir().join(golden["clip"].as_str().unwrap()), &DecodeOptions { mono: true })
            .unwrap();
    let n = golden["n_samples"].as_u64().unwrap() as usize;
    let y = audio.channel(0)[..n].to_vec();
    let clip = technob::Audio::from_synth(vec![y.clone()], audio.sample_rate()).unwrap();
    let magnitude = Stft::new(StftConfig::default()).unwrap().magnitude(&y);
    let (bin_step, frame_step, sample_step) = (
        golden["bin_step"].as_u64().unwrap() as usize,
        golden["frame_step"].as_u64().unwrap() as usize,
        golden["sample_step"].as_u64().unwrap() as usize,
    );
    let mut failures = Vec::new();
    for (name, setting) in golden["settings"].as_object().unwrap() {
        let kernel: Vec<usize> =
            setting["kernel"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let margin: Vec<f32> =
            setting["margin"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let options = HpssOptions {
            kernel_harmonic: kernel[0],
            kernel_percussive: kernel[1],
            power: setting["power"].as_f64().map_or(f32::INFINITY, |p| p as f32),
            margin_harmonic: margin[0],
            margin_percussive: margin[1],
            ..HpssOptions::default()
        };
        let (mask_h, mask_p) = hpss_masks(&magnitude, &options).unwrap();
        let mut worst_mask = 0.0f64;
        let mut hard_flips = 0usize;
        let mut cells = 0usize;
        for (key, mask) in [("mask_harmonic", &mask_h), ("mask_percussive", &mask_p)] {
            for (bi, row) in setting[key].as_array().unwrap().iter().enumerate() {
                for (fi, want) in row.as_array().unwrap().iter().enumerate() {
                    let got = f64::from(mask.get(bi * bin_step, fi * frame_step));
                    let d = (got - want.as_f64().unwrap()).abs();
                    cells += 1;
                    if options.power.is_infinite() && d > 0.5 {
                        hard_flips += 1;
                    } else {
                        worst_mask = worst_mask.max(d);
                    }
                }
            }
        }
        let parts = hpss(&clip, &options).unwrap();
        let mut worst_wave = 0.0f64;
        for (key, part) in [("harmonic", &parts.harmonic), ("percussive", &parts.percussive)] {
            let want: Vec<f64> =
                setting[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            let got: Vec<f64> = part.channel(0).iter().step_by(sample_step).map(|&v| f64::from(v)).collect();
            assert_eq!(got.len(), want.len(), "{name} {key}");
            let err: f64 = got.iter().zip(&want).map(|(a, b)| (a - b).powi(2)).sum();
            let energy: f64 = want.iter().map(|b| b * b).sum();
            worst_wave = worst_wave.max(err / energy);
            let e_got: f64 = part.channel(0).iter().map(|&v| f64::from(v).powi(2)).sum();
            let e_want = setting[&format!("{key}_energy")].as_f64().unwrap();
            if (e_got - e_want).abs() > 1e-3 * e_want {
                failures.push(format!("{name} {key}: energy {e_got} vs librosa {e_want}"));
            }
        }
        println!(
            "{name:8} masks: max |diff| {worst_mask:.2e} over {cells} cells ({hard_flips} hard-mask flips); waveforms: error energy / energy ≤ {worst_wave:.2e}"
        );
        if worst_mask > 1e-4 {
            failures.push(format!("{name}: mask differs by {worst_mask:.2e}"));
        }
        if hard_flips * 1000 > cells {
            failures.push(format!("{name}: {hard_flips} of {cells} hard-mask cells differ"));
        }
        if worst_wave > 1e-4 {
            failures.push(format!("{name}: waveform error energy ratio {worst_wave:.2e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
