//! Round-trip quality of the time-stretch against the peers (issue #7): stretch by r, then by
//! 1/r, and measure the log-spectral distance and spectral convergence to the original on real
//! clips. The peers' figures (Rubber Band R3/R2, librosa, soundstretch) come from
//! `tools/make_stretch_goldens.py`; technob's are computed here with the same definitions
//! (`eval::spectral_distance`: STFT magnitude 2048/512, Hann, centred; averaged over channels). technob's output needs no
//! alignment (exact length, no latency); the peers' were aligned in their favour.
//!
//! Targets: better than librosa on every case, and no worse than Rubber Band R3 on the
//! round-trip distance.

mod common;

use technob::audio::{Audio, DecodeOptions, decode_file};
use technob::eval::spectral_distance::spectral_distance;
use technob::stretch::{StretchOptions, time_stretch};

fn clip(source: &str, seconds: Option<f64>) -> Audio {
    let audio = decode_file(common::data_dir().join(source), &DecodeOptions { mono: false }).unwrap();
    let Some(seconds) = seconds else { return audio };
    let n = ((seconds * f64::from(audio.sample_rate())) as usize).min(audio.n_frames());
    Audio::from_synth(audio.channels().iter().map(|c| c[..n].to_vec()).collect(), audio.sample_rate())
        .unwrap()
}

#[test]
fn round_trip_beats_librosa_and_matches_rubber_band_r3() {
    let golden = common::read_json(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stretch_round_trip.json"),
    );
    let (mut ours_total, mut r3_total, mut cases) = (0.0f64, 0.0f64, 0usize);
    for (name, info) in golden["clips"].as_object().unwrap() {
        let source = info["source"].as_str().unwrap().trim_start_matches("data/");
        let audio = clip(source, info["seconds"].as_f64());
        let options = StretchOptions::for_sample_rate(audio.sample_rate());
        for r in [0.8, 1.25, 1.5] {
            let there = time_stretch(&audio, r, &options).unwrap();
            let back =
                time_stretch(&there, audio.n_frames() as f64 / there.n_frames() as f64, &options).unwrap();
            assert_eq!(back.n_frames(), audio.n_frames());
            let per: Vec<(f64, f64)> = (0..audio.n_channels())
                .map(|c| {
                    spectral_distance(audio.channel(c), back.channel(c)).map(|d| (d.lsd_db, d.sc)).unwrap()
                })
                .collect();
            let lsd = per.iter().map(|p| p.0).sum::<f64>() / per.len() as f64;
            let sc = per.iter().map(|p| p.1).sum::<f64>() / per.len() as f64;
            let case = &golden["cases"][format!("{name} x{r}")];
            let peer = |tool: &str, key: &str| case[tool][key].as_f64().unwrap();
            println!(
                "{name} x{r}: technob LSD {lsd:.2} dB SC {sc:.3} | R3 {:.2} {:.3} | R2 {:.2} {:.3} | librosa {:.2} {:.3} | soundstretch {:.2} {:.3}",
                peer("rb-R3", "lsd_db"),
                peer("rb-R3", "sc"),
                peer("rb-R2", "lsd_db"),
                peer("rb-R2", "sc"),
                peer("librosa", "lsd_db"),
                peer("librosa", "sc"),
                peer("sstretch", "lsd_db"),
                peer("sstretch", "sc"),
            );
            assert!(lsd < peer("librosa", "lsd_db"), "{name} x{r}: LSD {lsd:.2} vs librosa");
            assert!(sc < peer("librosa", "sc"), "{name} x{r}: SC {sc:.3} vs librosa");
            assert!(lsd <= peer("rb-R3", "lsd_db"), "{name} x{r}: LSD {lsd:.2} vs Rubber Band R3");
            ours_total += lsd;
            r3_total += peer("rb-R3", "lsd_db");
            cases += 1;
        }
    }
    assert_eq!(cases, 12);
    let (ours, r3) = (ours_total / cases as f64, r3_total / cases as f64);
    println!("mean LSD over {cases} cases: technob {ours:.2} dB, Rubber Band R3 {r3:.2} dB");
    assert!(ours <= r3, "mean round-trip LSD {ours:.2} dB, R3 {r3:.2} dB");
}
