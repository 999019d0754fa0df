//! Tests of the plot module: every panel renders PNG and SVG deterministically, and each
//! shows what it should where it should.

use super::colour::TARGET;
use super::*;

const SR: u32 = 22050;

fn tone(f: f64, seconds: f64, amplitude: f32) -> Vec<f32> {
    (0..(seconds * SR as f64) as usize)
        .map(|i| amplitude * (std::f64::consts::TAU * f * i as f64 / SR as f64).sin() as f32)
        .collect()
}

/// Deterministic white noise in [−1, 1) (a 64-bit LCG).
fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Hi-hat-like noise: white noise differenced twice (a steep rise towards Nyquist).
fn hiss(seconds: f64) -> Vec<f32> {
    let w = noise((seconds * SR as f64) as usize + 2, 7);
    w.windows(3).map(|v| 0.25 * (v[2] - 2.0 * v[1] + v[0])).collect()
}

fn mono(samples: Vec<f32>) -> Audio {
    Audio::from_synth(vec![samples], SR).unwrap()
}

/// A 440 Hz tone, gated on and off twice a second (the old test signal).
fn test_audio() -> Audio {
    let samples = tone(440.0, 3.0, 0.5)
        .into_iter()
        .enumerate()
        .map(|(i, x)| if (i as f32 / SR as f32 * 2.0).fract() < 0.5 { x } else { 0.1 * x })
        .collect();
    mono(samples)
}

fn options(panels: Vec<Panel>) -> PlotOptions {
    PlotOptions { width: 600, height: 300, panels, ..PlotOptions::default() }
}

/// Width of every panel's plotting area for `options`.
fn plot_width(options: &PlotOptions) -> usize {
    (options.width - MARGINS_PX.0 - MARGINS_PX.1 - Y_AXIS_PX) as usize
}

/// Sum of red + green + blue over each pixel row.
fn row_brightness(px: &[u8], w: usize, h: usize) -> Vec<u64> {
    (0..h).map(|y| px[y * w * 3..(y + 1) * w * 3].iter().map(|&v| u64::from(v)).sum()).collect()
}

fn argmax(v: &[u64]) -> usize {
    v.iter().enumerate().max_by_key(|&(i, &b)| (b, std::cmp::Reverse(i))).map(|(i, _)| i).unwrap()
}

fn a_curve() -> Curve {
    Curve {
        label: "centroid".into(),
        unit: "Hz".into(),
        times_s: (0..30).map(|i| i as f64 * 0.1).collect(),
        values: (0..30).map(|i| if i == 12 { f64::NAN } else { 1000.0 + 50.0 * i as f64 }).collect(),
    }
}

#[test]
fn every_panel_renders_png_and_svg_deterministically() {
    let audio = test_audio();
    for panel in Panel::ALL {
        let opts = PlotOptions {
            title: Some("test".into()),
            curves: vec![a_curve()],
            beats: vec![0.5, 1.0, 1.5, 2.0, 2.5],
            downbeats: vec![0.5, 2.5],
            segments: vec![PlotSegment::new(1.0, 2.0, "drop")],
            ..options(vec![panel])
        };
        let png = overview(&audio, &opts, ImageFormat::Png).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{panel}");
        assert_eq!(png, overview(&audio, &opts, ImageFormat::Png).unwrap(), "{panel}");
        let svg = overview(&audio, &opts, ImageFormat::Svg).unwrap();
        assert_eq!(svg, overview(&audio, &opts, ImageFormat::Svg).unwrap(), "{panel}");
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("time (s)") && svg.contains("drop"), "{panel}");
        let heatmap =
            matches!(panel, Panel::Waveform3 | Panel::Spectrogram | Panel::Mel | Panel::Cqt | Panel::Chroma);
        assert_eq!(svg.contains("<image"), heatmap, "{panel}: heatmaps are one embedded image");
    }
}

#[test]
fn the_default_is_waveform_over_spectrogram_and_all_panels_stack() {
    assert_eq!(PlotOptions::default().panels, vec![Panel::Waveform, Panel::Spectrogram]);
    let audio = test_audio();
    let opts =
        PlotOptions { height: 900, curves: vec![a_curve(), a_curve()], ..options(Panel::ALL.to_vec()) };
    let (rgb, areas) = render_rgb(&audio, &opts).unwrap();
    assert_eq!(rgb.len(), 600 * 900 * 3);
    // 8 panels + 2 curves, top to bottom, not overlapping, the same width (one time axis).
    assert_eq!(areas.len(), 10);
    for pair in areas.windows(2) {
        assert!(pair[0].rect.3 <= pair[1].rect.1, "{pair:?}");
        assert_eq!((pair[0].rect.0, pair[0].rect.2), (pair[1].rect.0, pair[1].rect.2));
    }
    let height = |a: &PanelArea| a.rect.3 - a.rect.1;
    assert!(height(&areas[0]) < height(&areas[2]), "waveforms are thinner than spectrograms");
}

#[test]
fn the_tone_is_bright_at_its_frequency() {
    let audio = test_audio();
    let opts = options(vec![Panel::Spectrogram]);
    let ctx = Ctx::new(&audio, &opts).unwrap();
    let (w, h) = (plot_width(&opts), 200);
    let px = heatmap::spectrogram_pixels(&ctx, w, h).unwrap();
    let nyquist = SR as f64 / 2.0;
    let row_of = |f: f64| ((1.0 - (f / 20.0).ln() / (nyquist / 20.0).ln()) * h as f64) as usize;
    let rows = row_brightness(&px, w, h);
    assert!(rows[row_of(440.0)] > 3 * rows[row_of(3000.0)]);
    assert!((argmax(&rows) as i64 - row_of(440.0) as i64).abs() <= 2);
}

#[test]
fn from_and_to_select_what_is_drawn() {
    // 440 Hz for 2 s, then 3 kHz for 2 s: the second half's spectrogram is bright at 3 kHz.
    let mut samples = tone(440.0, 2.0, 0.5);
    samples.extend(tone(3000.0, 2.0, 0.5));
    let audio = mono(samples);
    let h = 200;
    let nyquist = SR as f64 / 2.0;
    let freq_of = |y: usize| 20.0 * (nyquist / 20.0).powf(1.0 - (y as f64 + 0.5) / h as f64);
    for (from, to, f) in [(0.0, 2.0, 440.0), (2.0, 4.0, 3000.0), (2.5, 3.0, 3000.0)] {
        let opts = PlotOptions { from_s: Some(from), to_s: Some(to), ..options(vec![Panel::Spectrogram]) };
        let ctx = Ctx::new(&audio, &opts).unwrap();
        let w = plot_width(&opts);
        let px = heatmap::spectrogram_pixels(&ctx, w, h).unwrap();
        let peak = freq_of(argmax(&row_brightness(&px, w, h)));
        assert!((peak / f - 1.0).abs() < 0.05, "{from}..{to}: brightest at {peak} Hz, expected {f}");
    }
}

#[test]
fn mel_and_cqt_put_a_tone_at_its_pitch() {
    let audio = mono(tone(440.0, 2.0, 0.5));
    let h = 240;
    let opts = options(vec![Panel::Mel, Panel::Cqt]);
    let ctx = Ctx::new(&audio, &opts).unwrap();
    let w = plot_width(&opts);
    // Mel: the axis is linear in mel from 0 to mel(Nyquist).
    let px = heatmap::mel_pixels(&ctx, w, h).unwrap();
    let y = argmax(&row_brightness(&px, w, h));
    let top = hz_to_mel_slaney(SR as f64 / 2.0);
    let f = crate::spectral::mel_to_hz(top * (1.0 - (y as f64 + 0.5) / h as f64), false);
    assert!((f / 440.0 - 1.0).abs() < 0.08, "mel panel brightest at {f} Hz");
    // CQT: 24 bins per octave from C1; A4 is MIDI 69.
    let px = heatmap::cqt_pixels(&ctx, w, h).unwrap();
    let y = argmax(&row_brightness(&px, w, h));
    let n_bins = 7.0 * 24.0;
    let bin = (1.0 - (y as f64 + 0.5) / h as f64) * n_bins - 0.5;
    let midi = 24.0 + bin / 2.0;
    assert!((midi - 69.0).abs() <= 0.5, "CQT panel brightest at MIDI {midi}");
}

fn hz_to_mel_slaney(f: f64) -> f64 {
    crate::spectral::hz_to_mel(f, false)
}

#[test]
fn chroma_is_brightest_at_the_tone_pitch_class() {
    let h = 120;
    for (f, class) in [(440.0, 9usize), (261.63, 0), (392.0, 7)] {
        let audio = mono(tone(f, 2.0, 0.5));
        let opts = options(vec![Panel::Chroma]);
        let ctx = Ctx::new(&audio, &opts).unwrap();
        let w = plot_width(&opts);
        let px = heatmap::chroma_pixels(&ctx, w, h).unwrap();
        let rows = row_brightness(&px, w, h);
        // Pitch class k fills rows [(11 - k)·h/12, (12 - k)·h/12).
        let class_sum = |k: usize| -> u64 { rows[(11 - k) * h / 12..(12 - k) * h / 12].iter().sum() };
        let best = (0..12).max_by_key(|&k| class_sum(k)).unwrap();
        assert_eq!(best, class, "{f} Hz");
        assert!(class_sum(class) > 2 * (0..12).filter(|&k| k != class).map(class_sum).max().unwrap());
    }
}

#[test]
fn the_three_band_waveform_is_red_for_bass_and_blue_for_hats() {
    let opts = options(vec![Panel::Waveform3]);
    let w = plot_width(&opts);
    let bass = mono(tone(55.0, 2.0, 0.8));
    let colours = waveform::three_band_colours(&Ctx::new(&bass, &opts).unwrap(), w).unwrap();
    for c in &colours {
        assert!(c[0] > 200 && c[1] < 100 && c[2] < 100, "bass column {c:?}");
    }
    let hats = mono(hiss(2.0));
    let colours = waveform::three_band_colours(&Ctx::new(&hats, &opts).unwrap(), w).unwrap();
    for c in &colours {
        assert!(c[2] > 200 && c[0] < 150 && c[1] < 180, "hi-hat column {c:?}");
    }
    // A 700 Hz tone is mid: green.
    let mid = mono(tone(700.0, 2.0, 0.8));
    let colours = waveform::three_band_colours(&Ctx::new(&mid, &opts).unwrap(), w).unwrap();
    assert!(colours.iter().all(|c| c[1] > 200 && c[0] < 100 && c[2] < 100));
    // The bar's height is the peak: 0.8 fills 80 % of the height, silence none (a tone whose
    // period is shorter than a column, so each column sees its peak).
    let mut samples = tone(1000.0, 1.0, 0.8);
    samples.extend(vec![0.0; SR as usize]);
    let audio = mono(samples);
    let ctx = Ctx::new(&audio, &opts).unwrap();
    let h = 100;
    let px = waveform::three_band_pixels(&ctx, w, h).unwrap();
    let lit = |x: usize| {
        (0..h)
            .filter(|&y| {
                let p = &px[(y * w + x) * 3..(y * w + x) * 3 + 3];
                p != [BACKGROUND.0, BACKGROUND.1, BACKGROUND.2]
            })
            .count()
    };
    assert!((lit(w / 4) as i64 - 80).abs() <= 2, "{} rows lit", lit(w / 4));
    assert_eq!(lit(3 * w / 4), 0);
}

#[test]
fn the_loudness_panel_draws_the_target_at_its_level() {
    let mut samples = tone(1000.0, 3.0, 0.1);
    samples.extend(tone(1000.0, 3.0, 0.4));
    let audio = Audio::from_synth(vec![samples.clone(), samples], SR).unwrap();
    for target in [-14.0, -23.0, -30.0] {
        let opts = PlotOptions { height: 400, target_lufs: target, ..options(vec![Panel::Loudness]) };
        let (rgb, areas) = render_rgb(&audio, &opts).unwrap();
        let area = &areas[0];
        let (top, bottom) = area.y_range.unwrap();
        let (x0, y0, x1, y1) = area.rect;
        assert!(top > target && bottom < target);
        // Rows where the left third of the plot is the target colour.
        let width = opts.width as usize;
        let target_rows: Vec<i32> = (y0..y1)
            .filter(|&y| {
                let hits = (x0 + 5..x0 + (x1 - x0) / 3)
                    .filter(|&x| {
                        let i = (y as usize * width + x as usize) * 3;
                        rgb[i..i + 3] == [TARGET.0, TARGET.1, TARGET.2]
                    })
                    .count() as i32;
                hits > (x1 - x0) / 4
            })
            .collect();
        assert!(!target_rows.is_empty() && target_rows.len() <= 3, "{target}: rows {target_rows:?}");
        let drawn = target_rows.iter().sum::<i32>() as f64 / target_rows.len() as f64;
        let expected = y0 as f64 + (top - target) / (top - bottom) * (y1 - y0) as f64;
        assert!((drawn - expected).abs() <= 2.0, "{target} LUFS drawn at row {drawn}, expected {expected}");
    }
}

#[test]
fn a_segment_band_covers_its_time_span() {
    let audio = test_audio();
    let plain = options(vec![Panel::Waveform3, Panel::Spectrogram]);
    let with = PlotOptions { segments: vec![PlotSegment::new(1.0, 2.0, "A")], ..plain.clone() };
    let (a, areas) = render_rgb(&audio, &plain).unwrap();
    let (b, _) = render_rgb(&audio, &with).unwrap();
    let width = plain.width as usize;
    for area in &areas {
        let (x0, y0, x1, y1) = area.rect;
        let changed: Vec<i32> = (x0..x1)
            .filter(|&x| {
                (y0..y1).any(|y| {
                    let i = (y as usize * width + x as usize) * 3;
                    a[i..i + 3] != b[i..i + 3]
                })
            })
            .collect();
        let expect = |t: f64| x0 as f64 + t / 3.0 * (x1 - x0) as f64;
        let (first, last) = (*changed.first().unwrap(), *changed.last().unwrap());
        assert!(
            (first as f64 - expect(1.0)).abs() <= 1.5,
            "band starts at {first}, expected {}",
            expect(1.0)
        );
        assert!((last as f64 - expect(2.0)).abs() <= 1.5, "band ends at {last}, expected {}", expect(2.0));
        assert!(changed.len() as f64 >= 0.95 * (expect(2.0) - expect(1.0)), "the band is solid");
    }
}

#[test]
fn segments_parse_from_audacity_labels_and_csv() {
    let labels = "0.000000\t32.5\tintro\n32.5\t64.0\tbuild up\n\\\t200.0\t4000.0\n64\t64\t\n";
    let s = parse_segments(labels).unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s[1], PlotSegment::new(32.5, 64.0, "build up"));
    assert_eq!(s[2].label, "");
    let csv = "start_s,end_s,label\n0,16,intro\n16,48,\"drop, main\"\n";
    let s = parse_segments(csv).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[1], PlotSegment::new(16.0, 48.0, "drop, main"));
    for bad in
        ["0,16,intro\nstart,end,label\n", "0\t-1\tx\n", "5,4,x\n", "-1,4,x\n", "nan,4,x\n1,2,x\n", "1\n"]
    {
        assert!(parse_segments(bad).is_err(), "{bad:?}");
    }
    assert!(read_segments("/nonexistent/segments.txt").is_err());
}

#[test]
fn segments_parse_from_technob_segment_exports_with_roles() {
    use crate::structure::{Interval, Role, Segment, Structure, export};
    let seg = |start_s: f64, end_s: f64, label: Role, group: &str| Segment {
        start_s,
        end_s,
        label,
        group: group.into(),
        bars: 8,
        first_bar: 0,
        confidence: 0.5,
    };
    let structure = Structure {
        segments: vec![
            seg(0.5, 15.5, Role::Intro, "A"),
            seg(15.5, 30.5, Role::Buildup, "B, \"x\""),
            seg(30.5, 60.5, Role::Drop, "C"),
        ],
        bar_starts_s: vec![],
        novelty: vec![],
        downbeats_known: true,
    };
    let expected = PlotSegment::from_structure(&structure);
    assert_eq!(expected[1].label, "buildup B, \"x\"");
    assert_eq!(expected[2].role, Some(Role::Drop));
    for text in [
        export::json(&structure, "x.wav").unwrap(),
        export::csv(&structure).unwrap(),
        export::audacity_labels(&structure).unwrap(),
    ] {
        let got = parse_segments(&text).unwrap();
        assert_eq!(got.len(), 3, "{text}");
        for (g, e) in got.iter().zip(&expected) {
            assert!((g.start_s - e.start_s).abs() < 1e-6 && (g.end_s - e.end_s).abs() < 1e-6, "{text}");
            assert_eq!((&g.label, g.role), (&e.label, e.role), "{text}");
        }
    }
    // Intervals: numbered, no role.
    let iv = [Interval { start_s: 0.0, end_s: 1.0 }, Interval { start_s: 2.0, end_s: 3.0 }];
    for text in [export::intervals_csv(&iv).unwrap(), export::intervals_json(&iv, "y").unwrap()] {
        let got = parse_segments(&text).unwrap();
        assert_eq!(got, PlotSegment::from_intervals(&iv), "{text}");
    }
    // Roles from free labels: the first word, any case, build-up spelt either way.
    assert_eq!(PlotSegment::new(0.0, 1.0, "Breakdown 2").role, Some(Role::Breakdown));
    assert_eq!(PlotSegment::new(0.0, 1.0, "build-up").role, Some(Role::Buildup));
    assert_eq!(PlotSegment::new(0.0, 1.0, "verse").role, None);
    assert_eq!(PlotSegment::new(0.0, 1.0, "dropout").role, None);
    for bad in
        ["{\"segments\": 3}", "[{\"start_s\": 1}]", "{\"segments\": [{\"start_s\": 2, \"end_s\": 1}]}", "{"]
    {
        assert!(parse_segments(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_segment_with_a_role_takes_the_role_colour() {
    use crate::structure::{Role, export::role_colour};
    let segments = vec![
        PlotSegment::new(0.0, 1.0, "drop A"),
        PlotSegment::new(1.0, 2.0, "verse"),
        PlotSegment::new(2.0, 3.0, "breakdown B"),
        PlotSegment::new(3.0, 4.0, "drop C"),
    ];
    let colours = segments::validate_and_colour(&segments).unwrap();
    let rgb = |r: Role| {
        let [a, b, c] = role_colour(r);
        RGBColor(a, b, c)
    };
    assert_eq!(colours[0], rgb(Role::Drop));
    assert_eq!(colours[3], rgb(Role::Drop));
    assert_eq!(colours[2], rgb(Role::Breakdown));
    assert_ne!(colours[0], colours[2]);
    assert!(Role::ALL.iter().all(|&r| colours[1] != rgb(r)) || colours[1] == colour::palette(0));
    // In the picture: the band over a silent waveform panel is tinted with the role's colour.
    let audio = mono(vec![0.0; 3 * SR as usize]);
    let opts = PlotOptions {
        segments: vec![PlotSegment::new(1.0, 2.0, "drop A")],
        ..options(vec![Panel::Waveform])
    };
    let (plain, areas) = render_rgb(&audio, &options(vec![Panel::Waveform])).unwrap();
    let (banded, _) = render_rgb(&audio, &opts).unwrap();
    let (x0, y0, x1, y1) = areas[0].rect;
    let (x, y) = ((x0 + (x1 - x0) / 2) as usize, (y0 + (y1 - y0) / 4) as usize);
    let i = (y * opts.width as usize + x) * 3;
    let (before, after) = (&plain[i..i + 3], &banded[i..i + 3]);
    let [r, g, b] = role_colour(Role::Drop);
    // Alpha blending moves each channel towards the role colour.
    for (k, target) in [r, g, b].into_iter().enumerate() {
        let (p, q) = (i32::from(before[k]), i32::from(after[k]));
        assert!((i32::from(target) - q).abs() <= (i32::from(target) - p).abs(), "{before:?} -> {after:?}");
    }
    assert!(after[0] > before[0] + 20, "the drop band is red: {before:?} -> {after:?}");
}

#[test]
fn panel_names_parse_and_unknown_names_list_the_valid_ones() {
    assert_eq!(
        Panel::parse_list("waveform3, mel,CHROMA,loudness").unwrap(),
        vec![Panel::Waveform3, Panel::Mel, Panel::Chroma, Panel::Loudness]
    );
    for p in Panel::ALL {
        assert_eq!(p.name().parse::<Panel>().unwrap(), p);
    }
    let e = Panel::parse_list("waveform,sonogram").unwrap_err().to_string();
    assert!(e.contains("sonogram") && e.contains("waveform3") && e.contains("chroma"), "{e}");
    assert!(Panel::parse_list(" , ").is_err());
}

#[test]
fn bad_options_are_errors() {
    let audio = test_audio();
    let bad_curve = Curve { times_s: vec![0.0, 1.0], values: vec![1.0], ..Curve::default() };
    let backwards = Curve { times_s: vec![1.0, 0.0], values: vec![1.0, 2.0], ..Curve::default() };
    let bad = [
        PlotOptions { width: 10, ..Default::default() },
        PlotOptions { from_s: Some(2.0), to_s: Some(1.0), ..Default::default() },
        PlotOptions { from_s: Some(5.0), ..Default::default() },
        PlotOptions { from_s: Some(f64::NAN), ..Default::default() },
        PlotOptions { fmin_hz: 0.0, ..Default::default() },
        PlotOptions { fmax_hz: Some(f64::NAN), ..Default::default() },
        PlotOptions { top_db: -1.0, ..Default::default() },
        PlotOptions { target_lufs: f64::INFINITY, ..Default::default() },
        PlotOptions { panels: vec![], ..Default::default() },
        PlotOptions { panels: vec![Panel::Curves], ..Default::default() },
        PlotOptions { panels: vec![Panel::Curves], curves: vec![bad_curve], ..Default::default() },
        PlotOptions { panels: vec![Panel::Curves], curves: vec![backwards], ..Default::default() },
        PlotOptions { height: 150, panels: vec![Panel::Waveform; 5], ..Default::default() },
        PlotOptions { segments: vec![PlotSegment::new(2.0, 1.0, "x")], ..Default::default() },
        PlotOptions { segments: vec![PlotSegment::new(f64::NAN, 1.0, "x")], ..Default::default() },
    ];
    for opts in bad {
        assert!(overview(&audio, &opts, ImageFormat::Png).is_err(), "{opts:?}");
        assert!(overview(&audio, &opts, ImageFormat::Svg).is_err(), "{opts:?}");
    }
    assert!(ImageFormat::from_path(Path::new("x.jpg")).is_err());
    // Silence and a single sample still draw.
    let silence = mono(vec![0.0; SR as usize]);
    let one = mono(vec![0.5]);
    for audio in [silence, one] {
        let opts = PlotOptions { height: 700, ..options(Panel::ALL[..7].to_vec()) };
        overview(&audio, &opts, ImageFormat::Png).unwrap();
    }
}
