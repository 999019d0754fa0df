//! Beat, downbeat and tempo accuracy on the annotated clips of ../shared/data and the demo,
//! against the ground truth and against madmom's scores on the same clips (committed by
//! `tools/make_rhythm_goldens.py` in `tests/golden/rhythm/peers.json`, so no Python here).
//!
//! Run with `--nocapture` for the table.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;
use technob::eval::beat::{BeatParams, downbeat_f_measure_with, evaluate_beats_with};
use technob::eval::dataset::{DATASET_PARAMS, clips, load_reference, params_for};
use technob::rhythm::{Rhythm, RhythmOptions, analyze_rhythm};

/// Clips where technob is measured below madmom; each with the floor it is held to, so a
/// regression still fails. madmom_sample is 2.8 s long: four beats; our tempo takes the 4/3
/// level (117 BPM) where madmom's network finds the double (176).
const KNOWN_SHORTFALLS: &[(&str, f64)] = &[("madmom_sample", 0.40)];

/// Half a unit of the golden file's rounding (beat scores have 6 decimals, downbeat F 3):
/// a tie with madmom is a tie.
const BEAT_ROUNDING: f64 = 5e-7;
const DOWNBEAT_ROUNDING: f64 = 5e-4;

/// Clips with a steady tempo, where the tempo must be within 1 % of the reference.
const STEADY: &[&str] =
    &["ballroom_waltz", "hainsworth_001", "simac_rallou", "brid_samba", "techno_loop", "demo"];

fn peers() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/rhythm/peers.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn track_all() -> BTreeMap<String, (Rhythm, technob::eval::dataset::ClipReference)> {
    let data = common::data_dir();
    let mut out = BTreeMap::new();
    for clip in clips().unwrap() {
        let reference = load_reference(&clip, &data).unwrap();
        let audio = technob::audio::decode_file(data.join(&clip.audio), &Default::default()).unwrap();
        match analyze_rhythm(&audio, &RhythmOptions::default()) {
            Ok(r) => {
                out.insert(clip.name.clone(), (r, reference));
            }
            Err(e) => eprintln!("{}: {e}", clip.name),
        }
    }
    let demo = technob::demo::render(&technob::demo::DemoConfig::default()).unwrap();
    let r = analyze_rhythm(&demo.audio, &RhythmOptions::default()).unwrap();
    let positions = demo
        .truth
        .beats
        .iter()
        .map(|b| if demo.truth.downbeats.iter().any(|d| (d - b).abs() < 1e-9) { 1 } else { 2 })
        .collect();
    let reference = technob::eval::dataset::ClipReference {
        beats: Some(technob::eval::annotations::BeatAnnotation {
            beats: demo.truth.beats.clone(),
            positions: Some(positions),
        }),
        tempo_bpm: Some(demo.truth.bpm),
    };
    out.insert("demo".into(), (r, reference));
    out
}

#[test]
fn beats_downbeats_and_tempo_at_least_as_good_as_madmom() {
    let peers = peers();
    let tracked = track_all();
    let mut failures = Vec::new();
    eprintln!("clip               beat F (madmom)   downbeat F (madmom)   BPM (ref)");
    for (name, (rhythm, reference)) in &tracked {
        let peer = &peers["clips"][name]["peers"];
        let mut line = format!("{name:18}");
        if let Some(ann) = &reference.beats {
            let params = params_for(&ann.beats);
            let trimmed = params.min_beat_time > 0.0;
            let ours = evaluate_beats_with(&ann.beats, &rhythm.beat_times(), &params).unwrap().f_measure;
            let key = if trimmed { "beats" } else { "beats_untrimmed" };
            let madmom = peer["madmom"]["scores"][key]["f_measure"].as_f64();
            line += &format!(" {ours:.3} ({})", madmom.map_or("-".into(), |m| format!("{m:.3}")));
            let floor = KNOWN_SHORTFALLS.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
            match (floor, madmom) {
                (Some(f), _) if ours < f => {
                    failures.push(format!("{name}: beat F {ours:.3} below its floor {f}"))
                }
                (None, Some(m)) if ours + BEAT_ROUNDING < m => {
                    failures.push(format!("{name}: beat F {ours:.3} < madmom {m:.3}"))
                }
                _ => {}
            }
            if let Some(ref_down) = ann.downbeats() {
                // madmom's downbeat figures are untrimmed: compare on the same protocol.
                let ours_down =
                    downbeat_f_measure_with(&ref_down, &rhythm.downbeat_times(), &DATASET_PARAMS).unwrap();
                let md = peer["madmom_downbeat"]["scores"]["downbeat_f"].as_f64();
                line += &format!("      {ours_down:.3} ({})", md.map_or("-".into(), |m| format!("{m:.3}")));
                let floor = KNOWN_SHORTFALLS.iter().find(|(n, _)| n == name).map(|_| 0.0);
                if let (None, Some(m)) = (floor, md)
                    && ours_down + DOWNBEAT_ROUNDING < m
                {
                    failures.push(format!("{name}: downbeat F {ours_down:.3} < madmom {m:.3}"));
                }
            }
        }
        if let Some(bpm) = reference.tempo_bpm {
            line += &format!("      {:.2} ({bpm})", rhythm.tempo.bpm);
            if STEADY.contains(&name.as_str()) && (rhythm.tempo.bpm / bpm - 1.0).abs() > 0.01 {
                failures.push(format!("{name}: tempo {:.2} not within 1 % of {bpm}", rhythm.tempo.bpm));
            }
        }
        eprintln!("{line}");
    }
    for name in ["ballroom_waltz", "gtzan_country", "demo", "techno_loop"] {
        assert!(tracked.contains_key(name), "{name} was not tracked");
    }
    let demo = &tracked["demo"];
    let ann = demo.1.beats.as_ref().unwrap();
    let f = evaluate_beats_with(&ann.beats, &demo.0.beat_times(), &BeatParams::default()).unwrap().f_measure;
    assert_eq!(f, 1.0, "demo beat F");
    assert!(failures.is_empty(), "{failures:#?}");
}
