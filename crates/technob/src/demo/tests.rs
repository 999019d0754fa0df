//! Tests of the demo track: determinism, ground truth, levels, and that the musical claims of
//! the truth (kick, off-beat hats, key) are really in the audio.

use std::sync::OnceLock;

use realfft::RealFftPlanner;

use super::score::{self, BARS_PER_PHRASE, CHORDS, Label, STEPS_PER_BAR};
use super::*;

/// The default demo, rendered once for all tests.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| render(&DemoConfig::default()).unwrap())
}

/// A short configuration (4 bars per section) for tests that render many variants.
fn short(sample_rate: u32) -> DemoConfig {
    DemoConfig {
        sample_rate,
        bars: SectionBars { intro: 4, buildup: 4, breakdown: 4, drop: 4, outro: 4 },
        ..DemoConfig::default()
    }
}

/// FNV-1a over the bits of every sample, channel by channel.
fn hash(audio: &Audio) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for ch in audio.channels() {
        for x in ch {
            for b in x.to_bits().to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    h
}

fn mono(audio: &Audio) -> Vec<f32> {
    audio.to_mono().channel(0).to_vec()
}

/// Energy of `x[start..start + len]` (Hann-windowed, zero-padded to a power of two) between
/// `lo` and `hi` Hz.
fn band_energy(x: &[f32], start: usize, len: usize, lo: f64, hi: f64, sr: f64) -> f64 {
    let n = len.next_power_of_two();
    let mut buf = vec![0.0f64; n];
    for (i, b) in buf.iter_mut().take(len).enumerate() {
        let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / len as f64).cos();
        *b = x.get(start + i).copied().unwrap_or(0.0) as f64 * w;
    }
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut spec = fft.make_output_vec();
    fft.process(&mut buf, &mut spec).unwrap();
    spec.iter()
        .enumerate()
        .filter(|(k, _)| {
            let f = *k as f64 * sr / n as f64;
            f >= lo && f < hi
        })
        .map(|(_, c)| c.norm_sqr())
        .sum()
}

/// Sample index of a time in seconds.
fn at(t: f64, sr: f64) -> usize {
    (t * sr).round() as usize
}

fn section<'a>(truth: &'a DemoTruth, label: &str) -> &'a DemoSection {
    truth.sections.iter().find(|s| s.label == label).unwrap()
}

/// Beat times inside a section.
fn beats_in(truth: &DemoTruth, s: &DemoSection) -> Vec<f64> {
    truth.beats.iter().copied().filter(|&b| b >= s.start_s - 1e-9 && b < s.end_s - 1e-9).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Integrated loudness after ITU-R BS.1770-4 (K-weighting, 400 ms blocks with 75 % overlap,
/// absolute and relative gates), LUFS.
fn integrated_lufs(audio: &Audio) -> f64 {
    let sr = audio.sample_rate() as f64;
    // K-weighting biquads at any rate (the formulas of pyloudnorm / libebur128).
    let biquad = |b: [f64; 3], a: [f64; 3], x: &[f32]| -> Vec<f64> {
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        x.iter()
            .map(|&v| {
                let v = v as f64;
                let y = b[0] * v + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2;
                (x2, x1, y2, y1) = (x1, v, y1, y);
                y
            })
            .collect()
    };
    let shelf = {
        let (g, q, fc) = (3.999_843_853_973_347, 0.707_175_236_955_419_3, 1_681.974_450_955_532);
        let k = (std::f64::consts::PI * fc / sr).tan();
        let vh = 10f64.powf(g / 20.0);
        let vb = vh.powf(0.499_666_774_154_541_6);
        let a0 = 1.0 + k / q + k * k;
        (
            [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0],
            [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
        )
    };
    let highpass = {
        let (q, fc) = (0.500_327_037_323_877_3, 38.135_470_876_139_82);
        let k = (std::f64::consts::PI * fc / sr).tan();
        let a0 = 1.0 + k / q + k * k;
        ([1.0, -2.0, 1.0], [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
    };
    let weighted: Vec<Vec<f64>> = audio
        .channels()
        .iter()
        .map(|ch| {
            let s = biquad(shelf.0, shelf.1, ch);
            let s32: Vec<f32> = s.iter().map(|&v| v as f32).collect();
            biquad(highpass.0, highpass.1, &s32)
        })
        .collect();
    let block = at(0.4, sr);
    let hop = block / 4;
    let n = audio.n_frames();
    let mut blocks = Vec::new();
    let mut start = 0;
    while start + block <= n {
        let z: f64 = weighted
            .iter()
            .map(|ch| ch[start..start + block].iter().map(|v| v * v).sum::<f64>() / block as f64)
            .sum();
        blocks.push(z);
        start += hop;
    }
    let lufs = |z: f64| -0.691 + 10.0 * z.log10();
    let gated: Vec<f64> = blocks.iter().copied().filter(|&z| lufs(z) > -70.0).collect();
    let mean = gated.iter().sum::<f64>() / gated.len() as f64;
    let rel: Vec<f64> = gated.iter().copied().filter(|&z| lufs(z) > lufs(mean) - 10.0).collect();
    lufs(rel.iter().sum::<f64>() / rel.len() as f64)
}

#[test]
#[ignore = "diagnostics: prints levels per section"]
fn print_diagnostics() {
    let d = demo();
    let sr = d.audio.sample_rate() as f64;
    let x = mono(&d.audio);
    let spb = 60.0 / d.truth.bpm;
    for s in &d.truth.sections {
        let beats = beats_in(&d.truth, s);
        let low: Vec<f64> =
            beats.iter().map(|&b| band_energy(&x, at(b, sr), at(0.1, sr), 40.0, 120.0, sr)).collect();
        let hf_on: Vec<f64> =
            beats.iter().map(|&b| band_energy(&x, at(b, sr), at(0.06, sr), 6000.0, 20000.0, sr)).collect();
        let hf_off: Vec<f64> = beats
            .iter()
            .map(|&b| band_energy(&x, at(b + spb / 2.0, sr), at(0.06, sr), 6000.0, 20000.0, sr))
            .collect();
        let seg = &d.audio.channels()[0][at(s.start_s, sr)..at(s.end_s, sr)];
        let rms = (seg.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / seg.len() as f64).sqrt();
        let sub = Audio::from_synth(
            d.audio.channels().iter().map(|c| c[at(s.start_s, sr)..at(s.end_s, sr)].to_vec()).collect(),
            d.audio.sample_rate(),
        )
        .unwrap();
        println!(
            "{:10} rms {:6.1} dB  lufs {:6.1}  low@beat {:8.3}  hf on {:8.4} off {:8.4}",
            s.label,
            20.0 * rms.log10(),
            integrated_lufs(&sub),
            median(low),
            median(hf_on),
            median(hf_off)
        );
    }
    println!("integrated {:.2} LUFS", integrated_lufs(&d.audio));
}

#[test]
fn render_is_deterministic() {
    let a = demo();
    let b = render(&DemoConfig::default()).unwrap();
    assert_eq!(hash(&a.audio), hash(&b.audio));
    assert!(a.audio == b.audio, "two renders differ");
    assert_eq!(a.truth, b.truth);
    // Another seed changes the noise, not the truth.
    let c = render(&DemoConfig { seed: 1, ..short(22_050) }).unwrap();
    let d = render(&short(22_050)).unwrap();
    assert_ne!(hash(&c.audio), hash(&d.audio));
    assert_eq!(c.truth, d.truth);
}

/// The exact bits of the default demo. The renderer uses no platform maths library, no
/// threads and no hash-map order, so this holds on every machine; it changes only when the
/// sound is changed on purpose (then update it, and say so in the commit).
#[test]
fn render_matches_golden_hash() {
    assert_eq!(
        hash(&demo().audio),
        GOLDEN_HASH,
        "the default demo's samples changed: {:#018x}",
        hash(&demo().audio)
    );
}

const GOLDEN_HASH: u64 = 0x5ea2_1738_86b6_b57a;

#[test]
fn truth_is_consistent() {
    let d = demo();
    let t = &d.truth;
    let sr = d.audio.sample_rate() as f64;
    assert_eq!(t.bpm, 128.0);
    assert_eq!(t.beats_per_bar, 4);
    assert_eq!((t.key.as_str(), t.camelot.as_str()), ("F minor", "4A"));
    assert!((60.0..=100.0).contains(&t.duration_s), "{}", t.duration_s);
    assert_eq!(t.duration_s, d.audio.n_frames() as f64 / sr);
    assert_eq!(t.beats.len(), 48 * 4);
    let period = 60.0 / t.bpm;
    for w in t.beats.windows(2) {
        assert!((w[1] - w[0] - period).abs() <= 1.0 / sr + 1e-12, "{w:?}");
    }
    // No drift: beat k lies within half a sample of the ideal grid.
    for (k, &b) in t.beats.iter().enumerate() {
        assert!((b - (t.beats[0] + k as f64 * period)).abs() <= 0.5 / sr + 1e-12);
        assert_eq!((b * sr).round() / sr, b, "beat {k} is not on a sample");
    }
    assert_eq!(t.beats[0], 0.25);
    assert_eq!(t.downbeats.len(), 48);
    for (i, &db) in t.downbeats.iter().enumerate() {
        assert_eq!(db, t.beats[4 * i]);
    }
    let labels: Vec<&str> = t.sections.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["intro", "buildup", "breakdown", "drop", "outro"]);
    let groups: Vec<&str> = t.sections.iter().map(|s| s.group.as_str()).collect();
    assert_eq!(groups, ["A", "B", "C", "D", "A"]);
    assert_eq!(t.sections[0].start_s, t.beats[0]);
    assert_eq!(t.sections.last().unwrap().end_s, t.duration_s);
    for w in t.sections.windows(2) {
        assert_eq!(w[0].end_s, w[1].start_s);
    }
    for s in &t.sections {
        assert!(s.bars > 0 && s.bars % 4 == 0);
        assert!(t.downbeats.contains(&s.start_s));
        assert!((s.end_s - s.start_s - s.bars as f64 * 4.0 * period).abs() <= 1.0 / sr);
    }
    let json = serde_json::to_string(t).unwrap();
    assert!(json.contains("\"label\":\"breakdown\""), "{json}");
    // serde_json's float parsing may be off by an ulp; the values themselves round-trip.
    let back: DemoTruth = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (&back.key, &back.sections.len(), back.beats.len()),
        (&t.key, &t.sections.len(), t.beats.len())
    );
    assert!(back.beats.iter().zip(&t.beats).all(|(a, b)| (a - b).abs() < 1e-12));
}

#[test]
fn samples_are_finite_and_do_not_clip() {
    let d = demo();
    assert_eq!(d.audio.n_channels(), 2);
    assert_eq!(d.audio.sample_rate(), 44_100);
    let peak = d.audio.channels().iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(d.audio.channels().iter().flatten().all(|x| x.is_finite()));
    // The limiter's ceiling is −1 dBFS; the track uses it.
    assert!(peak <= 0.892 && peak > 0.7, "peak {peak}");
    // The lead-in is silent, and the channels differ (stereo, not dual mono).
    assert!(d.audio.channel(0)[..at(0.249, 44_100.0)].iter().all(|&x| x == 0.0));
    assert_ne!(d.audio.channel(0), d.audio.channel(1));
}

#[test]
fn kick_is_absent_in_the_breakdown_and_present_in_the_drop() {
    let d = demo();
    let sr = d.audio.sample_rate() as f64;
    let x = mono(&d.audio);
    let low = |label: &str| -> Vec<f64> {
        beats_in(&d.truth, section(&d.truth, label))
            .iter()
            .map(|&b| band_energy(&x, at(b, sr), at(0.1, sr), 40.0, 120.0, sr))
            .collect()
    };
    let (breakdown, drop, intro) = (low("breakdown"), low("drop"), low("intro"));
    let weakest_drop = drop.iter().copied().fold(f64::INFINITY, f64::min);
    let loudest_breakdown = breakdown.iter().copied().fold(0.0, f64::max);
    // Every beat of the drop has a kick, at least 30 dB above any beat of the breakdown.
    assert!(weakest_drop > 1000.0 * loudest_breakdown, "{weakest_drop} vs {loudest_breakdown}");
    assert!(intro.iter().all(|&e| e > 0.5 * median(drop.clone())));
    // And the low band at the kick is the kick's (the bass rests on the beat): compare with
    // the score.
    let s = score::build(&score::sections(&SectionBars::default()), 0);
    let bd = section(&d.truth, "breakdown");
    let tl = mix::Timeline::new(128.0, 44_100, 0.25);
    assert!(s.kick.iter().all(|h| {
        let t = tl.sample(h.step) as f64 / sr;
        t < bd.start_s || t >= bd.end_s
    }));
    assert!(s.bass.iter().all(|n| n.step % 4 != 0));
}

#[test]
fn off_beat_hats_dominate_the_high_band_in_the_intro() {
    let d = demo();
    let sr = d.audio.sample_rate() as f64;
    let x = mono(&d.audio);
    let half = 30.0 / d.truth.bpm;
    let beats = beats_in(&d.truth, section(&d.truth, "intro"));
    let hf = |t: f64| band_energy(&x, at(t, sr), at(0.05, sr), 6_000.0, 18_000.0, sr);
    let on = median(beats.iter().map(|&b| hf(b)).collect());
    let off = median(beats.iter().map(|&b| hf(b + half)).collect());
    assert!(off > 10.0 * on, "off-beat {off} vs on-beat {on}");
    // Every single off-beat has its hat.
    assert!(beats.iter().all(|&b| hf(b + half) > 3.0 * on));
}

#[test]
fn notes_are_in_the_key() {
    const F_MINOR: [i32; 7] = [5, 7, 8, 10, 0, 1, 3]; // F G Ab Bb C Db Eb
    let s = score::build(&score::sections(&SectionBars::default()), 0);
    let in_key = |m: i32| F_MINOR.contains(&m.rem_euclid(12));
    assert!(s.bass.iter().all(|n| in_key(n.midi)));
    for c in &CHORDS {
        assert!(c.stab.iter().chain(&c.pad).chain([&c.bass]).all(|&m| in_key(m)));
    }
    // Minor chords' thirds: the tonic chord is F–Ab–C.
    assert_eq!(CHORDS[score::PROGRESSION[0]].stab.map(|m| m.rem_euclid(12)), [5, 8, 0]);
    // The bass is tonic-heavy: F is its most frequent pitch class, at least 40 % of notes.
    let mut hist = [0usize; 12];
    s.bass.iter().for_each(|n| hist[n.midi.rem_euclid(12) as usize] += 1);
    let top = (0..12).max_by_key(|&i| hist[i]).unwrap();
    assert_eq!(top, 5);
    assert!(hist[5] * 10 >= s.bass.len() * 4, "{hist:?}");
    // Chords follow the phrase.
    assert!(s.stab.iter().all(|e| e.chord == score::PROGRESSION[((e.step / STEPS_PER_BAR) % 4) as usize]));
    let bd = score::sections(&SectionBars::default())[2];
    assert_eq!(bd.label, Label::Breakdown);
    assert_eq!(s.pad.iter().map(|e| e.steps).sum::<u64>(), bd.bars as u64 * STEPS_PER_BAR);
    assert_eq!(s.pad.len() as u32, bd.bars / BARS_PER_PHRASE * 3);
}

/// A pitch-class profile of the first phrase of the breakdown (pad and stabs only): the key
/// is audible, not just written in the score.
#[test]
fn key_is_audible_in_the_breakdown() {
    let d = demo();
    let sr = d.audio.sample_rate() as f64;
    let x = mono(&d.audio);
    let bd = section(&d.truth, "breakdown");
    let bar = 4.0 * 60.0 / d.truth.bpm;
    let (from, to) = (at(bd.start_s + 0.5 * bar, sr), at(bd.start_s + 4.0 * bar, sr));
    let n = 8192;
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut spec = fft.make_output_vec();
    let mut chroma = [0.0f64; 12];
    let mut start = from;
    while start + n <= to {
        let mut buf: Vec<f64> = (0..n)
            .map(|i| x[start + i] as f64 * (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos()))
            .collect();
        fft.process(&mut buf, &mut spec).unwrap();
        for (k, c) in spec.iter().enumerate() {
            let f = k as f64 * sr / n as f64;
            if (100.0..1_000.0).contains(&f) {
                let pc = (12.0 * (f / 440.0).log2() + 69.0).round() as i64;
                chroma[pc.rem_euclid(12) as usize] += c.norm();
            }
        }
        start += n / 2;
    }
    let mut order: Vec<usize> = (0..12).collect();
    order.sort_by(|&a, &b| chroma[b].total_cmp(&chroma[a]));
    let (f, ab, a) = (chroma[5], chroma[8], chroma[9]);
    assert!(order[..3].contains(&5) && order[..3].contains(&8), "top {:?} of {chroma:?}", &order[..3]);
    // Minor, not major: the minor third (Ab) far above the major third (A).
    assert!(ab > 3.0 * a && f > 3.0 * a, "{chroma:?}");
    // Every strong pitch class is in F minor.
    assert!(order[..7].iter().all(|pc| [5, 7, 8, 10, 0, 1, 3].contains(pc)), "{order:?}");
}

#[test]
fn sections_differ_in_level_like_a_techno_track() {
    let d = demo();
    let sr = d.audio.sample_rate() as f64;
    let lufs = |label: &str| {
        let s = section(&d.truth, label);
        let part =
            d.audio.channels().iter().map(|c| c[at(s.start_s, sr)..at(s.end_s, sr)].to_vec()).collect();
        integrated_lufs(&Audio::from_synth(part, 44_100).unwrap())
    };
    let (intro, buildup, breakdown, drop, outro) =
        (lufs("intro"), lufs("buildup"), lufs("breakdown"), lufs("drop"), lufs("outro"));
    assert!(
        drop > buildup && buildup > intro && intro > breakdown + 2.0,
        "{intro} {buildup} {breakdown} {drop}"
    );
    assert!((intro - outro).abs() < 0.5);
    let total = integrated_lufs(&d.audio);
    assert!((-11.0..=-8.0).contains(&total), "integrated {total} LUFS");
}

#[test]
fn other_keys_tempi_and_rates() {
    for (tonic, key, camelot) in [(9u8, "A minor", "8A"), (0, "C minor", "5A"), (11, "B minor", "10A")] {
        let d = render(&DemoConfig { tonic, ..short(16_000) }).unwrap();
        assert_eq!((d.truth.key.as_str(), d.truth.camelot.as_str()), (key, camelot));
    }
    let d = render(&DemoConfig { bpm: 140.0, lead_in_s: 0.0, ..short(22_050) }).unwrap();
    assert_eq!(d.truth.beats[0], 0.0);
    assert_eq!(d.truth.beats.len(), 20 * 4);
    assert!((d.truth.duration_s - 20.0 * 4.0 * 60.0 / 140.0).abs() < 1.0 / 22_050.0);
    assert_eq!(d.audio.n_frames() as f64 / 22_050.0, d.truth.duration_s);
    let peak = d.audio.channels().iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak < 0.9);
    // Extreme rates and tempi render cleanly (all samples finite, no clipping).
    for (sample_rate, bpm) in [(8_000, 200.0), (192_000, 200.0), (8_000, 60.0)] {
        let d = render(&DemoConfig { sample_rate, bpm, ..short(sample_rate) }).unwrap();
        let peak = d.audio.channels().iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(peak < 0.9 && peak > 0.5, "{sample_rate} Hz, {bpm} BPM: peak {peak}");
    }
    // Transposing moves the audible tonic: A minor's pad/stab breakdown is up 4 semitones.
    let a = render(&DemoConfig { tonic: 9, ..short(16_000) }).unwrap();
    assert_ne!(hash(&a.audio), hash(&render(&short(16_000)).unwrap().audio));
}

#[test]
fn invalid_configs_are_rejected() {
    let bad = [
        DemoConfig { bpm: 59.0, ..DemoConfig::default() },
        DemoConfig { bpm: f64::NAN, ..DemoConfig::default() },
        DemoConfig { bpm: 201.0, ..DemoConfig::default() },
        DemoConfig { sample_rate: 7_999, ..DemoConfig::default() },
        DemoConfig { sample_rate: 192_001, ..DemoConfig::default() },
        DemoConfig { tonic: 12, ..DemoConfig::default() },
        DemoConfig { lead_in_s: -0.1, ..DemoConfig::default() },
        DemoConfig { lead_in_s: f64::INFINITY, ..DemoConfig::default() },
        DemoConfig { bars: SectionBars { drop: 6, ..SectionBars::default() }, ..DemoConfig::default() },
        DemoConfig { bars: SectionBars { intro: 0, ..SectionBars::default() }, ..DemoConfig::default() },
        DemoConfig { bars: SectionBars { outro: 68, ..SectionBars::default() }, ..DemoConfig::default() },
        DemoConfig {
            bpm: 60.0,
            bars: SectionBars { intro: 64, buildup: 64, breakdown: 64, drop: 64, outro: 64 },
            ..DemoConfig::default()
        },
    ];
    for c in bad {
        match render(&c) {
            Err(crate::Error::InvalidParameter(msg)) => assert!(msg.starts_with("demo "), "{msg}"),
            other => panic!("{c:?} gave {:?}", other.map(|d| d.truth.duration_s)),
        }
    }
}
