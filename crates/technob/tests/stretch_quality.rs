//! Time and pitch quality (issue #7) on real recordings, measured with technob's own analysers:
//! pitch kept by a stretch and moved exactly by a shift (YIN f0, within 5 cents), formants kept
//! by `preserve_formants`, and attacks kept sharper by transient locking.

mod common;

use technob::audio::{Audio, DecodeOptions, decode_file};
use technob::rhythm::onset::onset_features;
use technob::spectral::StftConfig;
use technob::spectral::mel::MelConfig;
use technob::spectral::mfcc::mfcc;
use technob::stretch::{ShiftOptions, StretchOptions, pitch_shift, time_stretch};
use technob::tonal::pitch::{PitchConfig, yin};

fn load(relative: &str, seconds: Option<f64>) -> Audio {
    let audio = decode_file(common::data_dir().join(relative), &DecodeOptions { mono: true }).unwrap();
    let n = seconds
        .map_or(audio.n_frames(), |s| ((s * f64::from(audio.sample_rate())) as usize).min(audio.n_frames()));
    Audio::from_synth(vec![audio.channel(0)[..n].to_vec()], audio.sample_rate()).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median of 1200·log2(f0_out(t · ratio) / f0_in(t)) over frames voiced in both, and the count.
fn pitch_change_cents(original: &Audio, processed: &Audio, time_ratio: f64) -> (f64, usize) {
    let sr = original.sample_rate();
    let config = PitchConfig { fmin: 65.0, fmax: 1000.0, ..PitchConfig::for_sample_rate(sr) };
    let a = yin(original.channel(0), sr, &config).unwrap();
    let b = yin(processed.channel(0), sr, &config).unwrap();
    let hop_s = config.hop_length as f64 / f64::from(sr);
    let mut cents = Vec::new();
    for (j, (&f, &v)) in b.f0_hz.iter().zip(&b.voiced).enumerate() {
        let i = ((j as f64 * hop_s / time_ratio) / hop_s).round() as usize;
        if v && i < a.f0_hz.len() && a.voiced[i] && a.voiced_prob[i] > 0.9 && b.voiced_prob[j] > 0.9 {
            cents.push(1200.0 * (f / a.f0_hz[i]).log2());
        }
    }
    let n = cents.len();
    (median(cents), n)
}

const VOICE: &str = "mirdata/vocadito/Audio/vocadito_1.wav";
const SAX: &str = "essentia-audio/recorded/359628__mtg__sax-tenor-d-minor.wav";

#[test]
fn stretching_keeps_the_pitch_within_5_cents() {
    for clip in [VOICE, SAX] {
        let audio = load(clip, Some(12.0));
        let options = StretchOptions::for_sample_rate(audio.sample_rate());
        for ratio in [0.8, 1.25] {
            let y = time_stretch(&audio, ratio, &options).unwrap();
            let (cents, frames) = pitch_change_cents(&audio, &y, ratio);
            println!("{clip} x{ratio}: median pitch change {cents:+.2} cents over {frames} frames");
            assert!(frames > 100, "{clip}: only {frames} voiced frames compared");
            assert!(cents.abs() <= 5.0, "{clip} x{ratio}: {cents:+.2} cents");
        }
    }
}

#[test]
fn shifting_moves_the_pitch_within_5_cents() {
    for clip in [VOICE, SAX] {
        let audio = load(clip, Some(12.0));
        let options = ShiftOptions {
            stretch: StretchOptions::for_sample_rate(audio.sample_rate()),
            ..Default::default()
        };
        for semitones in [3.0, -5.0, 0.5] {
            let y = pitch_shift(&audio, semitones, &options).unwrap();
            assert_eq!(y.n_frames(), audio.n_frames());
            let (cents, frames) = pitch_change_cents(&audio, &y, 1.0);
            let error = cents - 100.0 * semitones;
            println!(
                "{clip} {semitones:+} semitones: measured {cents:+.2} cents ({error:+.2} off) over {frames} frames"
            );
            assert!(frames > 100, "{clip}: only {frames} voiced frames compared");
            assert!(error.abs() <= 5.0, "{clip} {semitones:+}: {error:+.2} cents off");
        }
    }
}

/// Median over loud frames of the Euclidean distance between MFCC 1–12 of two signals.
fn envelope_distance(a: &Audio, b: &Audio) -> f64 {
    let sr = f64::from(a.sample_rate());
    let stft = StftConfig::default();
    let (ma, mb) = (
        mfcc(a.channel(0), sr, &stft, &MelConfig::default(), 13).unwrap(),
        mfcc(b.channel(0), sr, &stft, &MelConfig::default(), 13).unwrap(),
    );
    let frames: Vec<(&[f32], &[f32])> = ma.frames().zip(mb.frames()).collect();
    // Loud frames: MFCC 0 (log energy) above its median.
    let median_c0 = median(frames.iter().map(|(fa, _)| f64::from(fa[0])).collect());
    let d: Vec<f64> = frames
        .iter()
        .filter(|(fa, _)| f64::from(fa[0]) > median_c0)
        .map(|(fa, fb)| (1..13).map(|k| f64::from(fa[k] - fb[k]).powi(2)).sum::<f64>().sqrt())
        .collect();
    median(d)
}

#[test]
fn formants_stay_in_place_when_asked() {
    let audio = load(VOICE, Some(12.0));
    let stretch = StretchOptions::for_sample_rate(audio.sample_rate());
    for semitones in [5.0, -5.0] {
        let plain = pitch_shift(
            &audio,
            semitones,
            &ShiftOptions { stretch: stretch.clone(), preserve_formants: false },
        )
        .unwrap();
        let kept = pitch_shift(
            &audio,
            semitones,
            &ShiftOptions { stretch: stretch.clone(), preserve_formants: true },
        )
        .unwrap();
        let (d_plain, d_kept) = (envelope_distance(&audio, &plain), envelope_distance(&audio, &kept));
        println!(
            "{semitones:+} semitones: MFCC distance to the original {d_plain:.1} plain, {d_kept:.1} with formants kept"
        );
        assert!(d_kept < 0.7 * d_plain, "{semitones:+}: {d_kept:.1} vs {d_plain:.1}");
        // And the pitch still moves.
        let (cents, _) = pitch_change_cents(&audio, &kept, 1.0);
        assert!(
            (cents - 100.0 * semitones).abs() <= 5.0,
            "{semitones:+}: {cents:+.1} cents with formants kept"
        );
    }
}

/// Mean over `onsets` (seconds in the original) of the SuperFlux peak within ±30 ms of the
/// onset divided by the median within ±250 ms, in `audio` stretched by `ratio`.
fn sharpness(audio: &Audio, onsets: &[f64], ratio: f64) -> f64 {
    let features = onset_features(audio.channel(0), audio.sample_rate()).unwrap();
    let env = &features.full;
    let frame = |t: f64| (t * features.fps).round() as isize;
    let mut ratios = Vec::new();
    for &t in onsets {
        let centre = frame(t * ratio);
        let window = |half: f64| -> Vec<f64> {
            let h = (half * features.fps).round() as isize;
            ((centre - h).max(0)..=(centre + h).min(env.len() as isize - 1))
                .map(|i| f64::from(env[i as usize]))
                .collect()
        };
        let peak = window(0.03).into_iter().fold(0.0f64, f64::max);
        let around = median(window(0.25));
        if around > 0.0 {
            ratios.push(peak / around);
        }
    }
    ratios.iter().sum::<f64>() / ratios.len() as f64
}

#[test]
fn transient_locking_keeps_attacks_sharper() {
    let audio = load("madmom/tests/data/audio/sample.wav", None);
    let text =
        std::fs::read_to_string(common::data_dir().join("madmom/tests/data/annotations/sample.onsets"))
            .unwrap();
    let onsets: Vec<f64> = text.lines().filter_map(|l| l.split_whitespace().next()?.parse().ok()).collect();
    assert!(onsets.len() >= 10);
    let original = sharpness(&audio, &onsets, 1.0);
    let locked_options = StretchOptions::for_sample_rate(audio.sample_rate());
    let plain_options = StretchOptions { transients: false, ..locked_options.clone() };
    for ratio in [0.8, 1.25, 1.5] {
        let locked =
            sharpness(&time_stretch(&audio, ratio, &locked_options).unwrap(), &onsets, ratio) / original;
        let plain =
            sharpness(&time_stretch(&audio, ratio, &plain_options).unwrap(), &onsets, ratio) / original;
        println!("x{ratio}: onset peak ratio kept {locked:.3} with transient locking, {plain:.3} without");
        assert!(locked > plain, "x{ratio}: {locked:.3} locked vs {plain:.3} plain");
    }
}
