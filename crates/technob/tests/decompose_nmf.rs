//! NMF against scikit-learn 1.x (`tools/make_nmf_goldens.py`): `NMF(init='nndsvda',
//! solver='mu')` of the magnitude spectrogram of 2 s of a real recording, for β = 2, 1, 0 and
//! 0.5, K = 6; and the separation's promises (components add up to the input, fixed templates
//! recover a kick, bad input is an error, results do not depend on the number of threads).

mod common;

use technob::Audio;
use technob::audio::{DecodeOptions, decode_file};
use technob::decompose::nmf::beta_divergence;
use technob::decompose::{
    Beta, NmfInit, NmfOptions, NmfSeparationOptions, learn_templates, nmf, nmf_init, nmf_separate,
};
use technob::spectral::{Spectrogram, Stft, StftConfig};

fn golden() -> serde_json::Value {
    common::read_json(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/decompose/nmf_sklearn.json"),
    )
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// The golden's input: |STFT| of the clip, as the script builds it.
fn golden_spectrogram(g: &serde_json::Value) -> Spectrogram {
    let audio =
        decode_file(common::data_dir().join(g["clip"].as_str().unwrap()), &DecodeOptions { mono: true })
            .unwrap();
    let n = g["n_samples"].as_u64().unwrap() as usize;
    let n_fft = g["n_fft"].as_u64().unwrap() as usize;
    let config = StftConfig {
        hop_length: g["hop_length"].as_u64().unwrap() as usize,
        ..StftConfig::with_n_fft(n_fft)
    };
    Stft::new(config).unwrap().magnitude(&audio.channel(0)[..n])
}

/// Our factor against sklearn's in C order: its `W` is `(n_bins, K)` = our templates' (bin,
/// frame); its `H` is `(K, n_frames)` = our activations' (bin, frame). The largest difference
/// relative to the largest value.
fn rel_error(ours: &Spectrogram, sklearn: &[f64]) -> f64 {
    let (rows, cols) = (ours.n_bins(), ours.n_frames());
    assert_eq!(rows * cols, sklearn.len());
    let (mut worst, mut scale) = (0.0f64, 0.0f64);
    for r in 0..rows {
        for c in 0..cols {
            let want = sklearn[r * cols + c];
            worst = worst.max((f64::from(ours.get(r, c)) - want).abs());
            scale = scale.max(want.abs());
        }
    }
    worst / scale
}

#[test]
fn matches_sklearn_multiplicative_updates() {
    let g = golden();
    let v = golden_spectrogram(&g);
    let shape: Vec<usize> =
        g["v_shape"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    assert_eq!((v.n_bins(), v.n_frames()), (shape[0], shape[1]));
    let sum: f64 = v.as_slice().iter().map(|&x| f64::from(x)).sum();
    let want_sum = g["v_sum"].as_f64().unwrap();
    assert!((sum - want_sum).abs() < 1e-5 * want_sum, "input differs: sum {sum} vs {want_sum}");
    let k = g["n_components"].as_u64().unwrap() as usize;

    let mut report = Vec::new();
    let mut failures = Vec::new();
    // The NNDSVDa start (the same for every β).
    let (w0, h0) = nmf_init(&v, &NmfOptions { n_components: k, ..NmfOptions::default() }).unwrap();
    let (ew, eh) = (rel_error(&w0, &floats(&g["init_w"])), rel_error(&h0, &floats(&g["init_h"])));
    report.push(format!("NNDSVDa start: W rel {ew:.1e}, H rel {eh:.1e}"));
    if ew > 1e-5 || eh > 1e-5 {
        failures.push(format!("NNDSVDa start off by W {ew:.1e}, H {eh:.1e}"));
    }
    for (name, entry) in g["betas"].as_object().unwrap() {
        let beta = match name.as_str() {
            "frobenius" => Beta::Euclidean,
            "kullback-leibler" => Beta::KullbackLeibler,
            "itakura-saito" => Beta::ItakuraSaito,
            _ => Beta::Other(entry["beta"].as_f64().unwrap() as f32),
        };
        let options = |max_iter: usize, tol: f64| NmfOptions {
            n_components: k,
            beta,
            max_iter,
            tol,
            init: NmfInit::Nndsvda,
            fixed_templates: None,
        };
        for (n, want) in entry["divergence"].as_object().unwrap() {
            let got = nmf(&v, &options(n.parse().unwrap(), 0.0)).unwrap();
            let want = want.as_f64().unwrap();
            let rel = (got.divergence - want).abs() / want;
            report.push(format!(
                "{name} after {n}: divergence {:.6} vs sklearn {want:.6} (rel {rel:.1e})",
                got.divergence
            ));
            if rel > 1e-5 {
                failures.push(format!("{name}: divergence after {n} iterations off by {rel:.1e}"));
            }
            if n == "200" {
                let ew = rel_error(&got.templates, &floats(&entry["w"]));
                let eh = rel_error(&got.activations, &floats(&entry["h"]));
                report.push(format!("{name} after 200: W rel {ew:.1e}, H rel {eh:.1e}"));
                if ew > 1e-4 || eh > 1e-4 {
                    failures
                        .push(format!("{name}: factors after 200 iterations off by W {ew:.1e}, H {eh:.1e}"));
                }
            }
        }
        let stopped = nmf(&v, &options(1000, 1e-4)).unwrap();
        let want_iter = entry["tol_1e-4"]["n_iter"].as_u64().unwrap() as usize;
        report.push(format!("{name} tol 1e-4: {} iterations (sklearn {want_iter})", stopped.n_iter));
        if stopped.n_iter != want_iter {
            failures
                .push(format!("{name}: stopped after {} iterations, sklearn {want_iter}", stopped.n_iter));
        }
        // The start's divergence.
        let (w0, h0) = nmf_init(&v, &options(1, 0.0)).unwrap();
        let got = beta_divergence(&v, &w0, &h0, beta).unwrap();
        let want = entry["divergence_init"].as_f64().unwrap();
        let rel = (got - want).abs() / want;
        report.push(format!("{name} at the start: divergence {got:.6} vs sklearn {want:.6} (rel {rel:.1e})"));
        if rel > 1e-5 {
            failures.push(format!("{name}: divergence of the start off by {rel:.1e}"));
        }
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A deterministic non-negative test matrix (frames of `n_bins` values).
fn synthetic(n_bins: usize, n_frames: usize) -> Spectrogram {
    let mut seed = 12_345u32;
    let data = (0..n_bins * n_frames)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let bin = i % n_bins;
            (seed >> 8) as f32 / (1 << 24) as f32 * (1.0 + (bin % 7) as f32)
        })
        .collect();
    Spectrogram::new(n_bins, n_frames, data).unwrap()
}

#[test]
fn the_same_bits_whatever_the_threads() {
    // 600 frames: three blocks of frames in every sum over time.
    let v = synthetic(40, 600);
    for (beta, init) in [
        (Beta::KullbackLeibler, NmfInit::Nndsvda),
        (Beta::Euclidean, NmfInit::Nndsvd),
        (Beta::ItakuraSaito, NmfInit::Random { seed: 7 }),
        (Beta::Other(1.5), NmfInit::Nndsvda),
    ] {
        let options =
            NmfOptions { n_components: 5, beta, max_iter: 30, tol: 0.0, init, fixed_templates: None };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| nmf(&v, &options).unwrap())
        };
        let (one, three) = (run(1), run(3));
        assert_eq!(one, three, "{beta:?} {init:?}");
        assert_eq!(one.n_iter, 30);
        // The divergence never increases under the MM exponent; it went down.
        let start = {
            let (w, h) = nmf_init(&v, &options).unwrap();
            beta_divergence(&v, &w, &h, beta).unwrap()
        };
        assert!(one.divergence < start, "{beta:?}: {} from {start}", one.divergence);
    }
}

#[test]
fn bad_input_is_an_error() {
    let v = synthetic(16, 40);
    let ok = NmfOptions { n_components: 3, ..NmfOptions::default() };
    assert!(nmf(&v, &ok).is_ok());
    let bad_options = [
        NmfOptions { n_components: 0, ..ok.clone() },
        NmfOptions { n_components: 17, init: NmfInit::Random { seed: 1 }, ..ok.clone() },
        NmfOptions { max_iter: 0, ..ok.clone() },
        NmfOptions { tol: -1.0, ..ok.clone() },
        NmfOptions { beta: Beta::Other(f32::NAN), ..ok.clone() },
        NmfOptions { fixed_templates: Some(synthetic(15, 1)), ..ok.clone() },
        NmfOptions { fixed_templates: Some(synthetic(16, 4)), ..ok.clone() },
    ];
    for options in &bad_options {
        let err = nmf(&v, options).unwrap_err();
        assert!(err.is_input_error(), "{options:?}: {err}");
    }
    // NNDSVD needs K ≤ n_frames.
    assert!(nmf(&synthetic(16, 2), &ok).is_err());
    for bad in [f32::NAN, -1.0, f32::INFINITY] {
        let mut data = v.as_slice().to_vec();
        data[100] = bad;
        let err = nmf(&Spectrogram::new(16, 40, data).unwrap(), &ok).unwrap_err();
        assert!(err.to_string().contains("at 100"), "{err}");
    }
    assert!(nmf(&Spectrogram::new(16, 0, vec![]).unwrap(), &ok).is_err());
    // Separation: mask power, too short a signal.
    let audio = Audio::from_synth(vec![vec![0.1; 4096]], 22_050).unwrap();
    assert!(nmf_separate(&audio, &NmfSeparationOptions { mask_power: 0.0, ..Default::default() }).is_err());
    let short = Audio::from_synth(vec![vec![0.1; 10]], 22_050).unwrap();
    let uncentred = NmfSeparationOptions {
        stft: StftConfig { center: false, ..StftConfig::default() },
        ..Default::default()
    };
    assert!(nmf_separate(&short, &uncentred).is_err());
    // An all-zero input factorises into zeros, without NaN.
    let zeros = nmf(&Spectrogram::new(16, 40, vec![0.0; 640]).unwrap(), &ok).unwrap();
    assert!(zeros.templates.as_slice().iter().chain(zeros.activations.as_slice()).all(|x| x.is_finite()));
}

const SR: u32 = 22_050;

/// A synthetic kick: a sine swept from 150 Hz down to 50 Hz with an exponential decay.
fn kick(len: usize) -> Vec<f32> {
    let mut phase = 0.0f64;
    (0..len)
        .map(|i| {
            let t = i as f64 / f64::from(SR);
            let f = 50.0 + 100.0 * (-t / 0.03).exp();
            phase += std::f64::consts::TAU * f / f64::from(SR);
            (0.9 * (-t / 0.12).exp() * phase.sin()) as f32
        })
        .collect()
}

/// 2 s of a kick every half second over a sustained A minor chord. Returns (kick track, mix).
fn kick_and_chord() -> (Vec<f32>, Vec<f32>) {
    let n = 2 * SR as usize;
    let hit = kick(SR as usize / 2);
    let mut kicks = vec![0.0f32; n];
    for start in (0..n).step_by(SR as usize / 2) {
        for (o, &x) in kicks[start..].iter_mut().zip(&hit) {
            *o += x;
        }
    }
    let mix = (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(SR);
            let chord: f64 =
                [220.0, 261.63, 329.63].iter().map(|f| (std::f64::consts::TAU * f * t).sin()).sum();
            kicks[i] + (0.08 * chord) as f32
        })
        .collect();
    (kicks, mix)
}

fn sdr(reference: &[f32], estimate: &[f32]) -> f64 {
    let signal: f64 = reference.iter().map(|&x| f64::from(x).powi(2)).sum();
    let error: f64 =
        reference.iter().zip(estimate).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum();
    10.0 * (signal / error).log10()
}

#[test]
fn components_add_up_to_the_input_in_every_channel() {
    let (kicks, mix) = kick_and_chord();
    // Stereo, unequal balance: the kick left, the rest more to the right.
    let left: Vec<f32> = kicks.iter().zip(&mix).map(|(&k, &m)| 0.8 * k + 0.4 * (m - k)).collect();
    let right: Vec<f32> = kicks.iter().zip(&mix).map(|(&k, &m)| 0.2 * k + 0.9 * (m - k)).collect();
    let audio = Audio::from_synth(vec![left, right], SR).unwrap();
    let options = NmfSeparationOptions {
        nmf: NmfOptions { n_components: 4, max_iter: 50, ..NmfOptions::default() },
        stft: StftConfig::with_n_fft(1024),
        mask_power: 2.0,
    };
    let parts = nmf_separate(&audio, &options).unwrap();
    assert_eq!(parts.components.len(), 4);
    let mut worst = 0.0f32;
    for c in 0..2 {
        for i in 0..audio.n_frames() {
            let sum: f32 = parts.components.iter().map(|p| p.channel(c)[i]).sum();
            worst = worst.max((sum - audio.channel(c)[i]).abs());
        }
        assert_eq!(parts.channel_activations(c).unwrap().n_frames(), parts.n_frames);
    }
    println!("largest |Σ components − input| = {worst:.2e}");
    assert!(worst < 1e-4, "the components do not add up to the input: {worst}");
    assert!(parts.channel_activations(2).is_none());
    // Sorted by template centroid, lowest first.
    let centroids = parts.factorisation.template_centroids();
    assert!(centroids.windows(2).all(|w| w[0] <= w[1]), "{centroids:?}");
    assert!(parts.components.iter().all(|p| p.n_channels() == 2 && p.n_frames() == audio.n_frames()));
}

#[test]
fn learnt_kick_templates_recover_the_kick() {
    let (kicks, mix) = kick_and_chord();
    let audio = Audio::from_synth(vec![mix], SR).unwrap();
    let base = NmfSeparationOptions {
        nmf: NmfOptions { n_components: 5, max_iter: 200, ..NmfOptions::default() },
        stft: StftConfig::with_n_fft(1024),
        mask_power: 2.0,
    };
    // Semi-supervised: three templates learnt from an isolated kick (a sweep needs more than
    // one spectrum), held fixed; two more learnt. The kick is the sum of the fixed components.
    let example = Audio::from_synth(vec![kick(SR as usize / 2)], SR).unwrap();
    let templates = learn_templates(&example, 3, &base).unwrap();
    assert_eq!((templates.n_bins(), templates.n_frames()), (513, 3));
    for w in templates.frames() {
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }
    let options = NmfSeparationOptions {
        nmf: NmfOptions { fixed_templates: Some(templates), ..base.nmf.clone() },
        ..base.clone()
    };
    let fixed = nmf_separate(&audio, &options).unwrap();
    assert_eq!((0..5).filter(|&i| fixed.is_fixed(i)).count(), 3);
    let subset_sum = |parts: &[Audio], mask: usize| -> Vec<f32> {
        let mut sum = vec![0.0f32; audio.n_frames()];
        for (_, p) in parts.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1) {
            sum.iter_mut().zip(p.channel(0)).for_each(|(o, x)| *o += x);
        }
        sum
    };
    let fixed_mask = (0..5).filter(|&i| fixed.is_fixed(i)).fold(0, |m, i| m | 1 << i);
    let fixed_sdr = sdr(&kicks, &subset_sum(&fixed.components, fixed_mask));
    // Unsupervised, five components: the best of every subset of them (an oracle choice, in its
    // favour).
    let free = nmf_separate(&audio, &base).unwrap();
    let free_sdr =
        (1..31).map(|m| sdr(&kicks, &subset_sum(&free.components, m))).fold(f64::NEG_INFINITY, f64::max);
    println!("kick SDR: fixed templates {fixed_sdr:.2} dB, unsupervised (best subset) {free_sdr:.2} dB");
    assert!(fixed_sdr > free_sdr + 6.0, "fixed {fixed_sdr:.2} dB vs unsupervised {free_sdr:.2} dB");
    assert!(fixed_sdr > 15.0, "fixed {fixed_sdr:.2} dB");
}
