//! REPET-SIM variants scored with BSS Eval v4 (median SDR over 1-s frames) on the MUSDB sample
//! and on "vocal over techno" (techno_loop + the vocadito_1 a-cappella at equal RMS, 30 s), as
//! in tests/decompose_separation.rs.
//!
//!     cargo run --release --example separation_eval
use std::time::Instant;

use technob::Audio;
use technob::audio::{DecodeOptions, decode_file};
use technob::decompose::{HpssOptions, RepetOptions, SimilarityView, repet_sim};
use technob::eval::separation::{bss_eval_images, median};

fn read(data: &std::path::Path, rel: &str) -> Result<Audio, Box<dyn std::error::Error>> {
    Ok(decode_file(data.join(rel), &DecodeOptions { mono: false })?)
}

fn sum(parts: &[&Audio]) -> Vec<Vec<f32>> {
    let mut out = parts[0].channels().to_vec();
    for p in &parts[1..] {
        for (o, c) in out.iter_mut().zip(p.channels()) {
            o.iter_mut().zip(c).for_each(|(a, b)| *a += b);
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let musdb = "sigsep-mus-eval/derived-wav/Music Delta - 80s Rock";
    let mix = read(&data, &format!("{musdb}/mixture.wav"))?;
    let stems: Vec<Audio> = ["drums", "bass", "other", "vocals"]
        .iter()
        .map(|s| read(&data, &format!("{musdb}/{s}.wav")))
        .collect::<Result<_, _>>()?;
    let musdb_refs = vec![stems[3].channels().to_vec(), sum(&[&stems[0], &stems[1], &stems[2]])];
    // Vocal over techno.
    let lp = read(&data, "essentia-audio/recorded/techno_loop.mp3")?;
    let vocal = read(&data, "mirdata/vocadito/Audio/vocadito_1.wav")?;
    let n = 30 * lp.sample_rate() as usize;
    let lp: Vec<Vec<f32>> = lp.channels().iter().map(|c| c[..n].to_vec()).collect();
    let v = &vocal.channel(0)[..n];
    let power = |x: &[f32]| x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / x.len() as f64;
    let gain = ((power(&lp[0]) + power(&lp[1])) / 2.0 / power(v)).sqrt() as f32;
    let vocal_ch: Vec<Vec<f32>> = (0..2).map(|_| v.iter().map(|s| s * gain).collect()).collect();
    let vmix: Vec<Vec<f32>> =
        lp.iter().zip(&vocal_ch).map(|(l, v)| l.iter().zip(v).map(|(a, b)| a + b).collect()).collect();
    let vmix = Audio::from_synth(vmix, mix.sample_rate())?;
    let vot_refs = vec![vocal_ch, lp];

    let base = RepetOptions::default();
    let reduced = |step_s| SimilarityView::Reduced { n_mels: 128, step_s };
    let variants: Vec<(&str, RepetOptions)> = vec![
        ("default", base.clone()),
        ("librosa recipe", RepetOptions::librosa_recipe()),
        ("per-channel masks", RepetOptions { linked_channels: false, ..base.clone() }),
        ("on harmonic (HPSS first)", RepetOptions { hpss: Some(HpssOptions::default()), ..base.clone() }),
        (
            "HPSS for the similarity only",
            RepetOptions { hpss: Some(HpssOptions::default()), hpss_similarity_only: true, ..base.clone() },
        ),
        ("Wiener mask (power 2)", RepetOptions { power: 2.0, ..base.clone() }),
        ("foreground margin 3, power 2", RepetOptions { margin_foreground: 3.0, power: 2.0, ..base.clone() }),
        ("full similarity", RepetOptions { similarity: SimilarityView::Full, ..base.clone() }),
        ("similarity blocks 0.19 s", RepetOptions { similarity: reduced(0.186), ..base.clone() }),
        ("similarity blocks 0.37 s", RepetOptions { similarity: reduced(0.372), ..base.clone() }),
        ("similarity blocks 0.09 s", RepetOptions { similarity: reduced(0.093), ..base.clone() }),
        ("min distance 1 s", RepetOptions { min_distance_s: 1.0, ..base.clone() }),
        ("at most 32 neighbours", RepetOptions { max_neighbors: 32, ..base.clone() }),
        ("no high-pass", RepetOptions { high_pass_hz: 0.0, ..base.clone() }),
    ];
    println!(
        "{:<36} {:>14} {:>14} {:>14} {:>14} {:>8}",
        "variant", "musdb vocals", "musdb backing", "vot vocal", "vot loop", "time s"
    );
    for (name, options) in variants {
        let mut row = Vec::new();
        let mut seconds = 0.0;
        for (audio, refs) in [(&mix, &musdb_refs), (&vmix, &vot_refs)] {
            let t0 = Instant::now();
            let parts = repet_sim(audio, &options)?;
            seconds += t0.elapsed().as_secs_f64();
            let sr = audio.sample_rate() as usize;
            let s = bss_eval_images(
                refs,
                &[parts.foreground.channels().to_vec(), parts.background.channels().to_vec()],
                sr,
                sr,
            )?;
            for src in &s.sources {
                row.push(median(&src.sdr).unwrap_or(f64::NAN));
            }
        }
        println!(
            "{name:<36} {:>14.2} {:>14.2} {:>14.2} {:>14.2} {seconds:>8.2}",
            row[0], row[1], row[2], row[3]
        );
    }
    Ok(())
}
