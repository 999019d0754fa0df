//! pYIN (or YIN) f0 track of a file, with timings:
//! `pitch_track FILE [--sr HZ] [--frame N] [--hop N] [--fmin HZ] [--fmax HZ] [--yin] [--csv OUT]`.
//!
//! Decodes FILE (downmixed to mono; resampled when `--sr` is given), runs the tracker and prints
//! one JSON line: frame count, voiced frames, and the seconds spent decoding and tracking.
//! `--csv OUT` also writes the `time_s,f0_hz,voiced,voiced_prob` CSV; `--candidates OUT` writes
//! `time_s,freq` in mir_eval's convention (negative candidate where unvoiced); `--notes OUT`
//! writes the notes as `onset_s,offset_s,pitch_hz,name,velocity` and `--midi OUT` as a MIDI file.
use std::time::Instant;

use technob::audio::{DecodeOptions, decode_file};
use technob::tonal::notes::{NoteConfig, segment_notes, write_midi};
use technob::tonal::pitch::{PitchConfig, PitchTracker};

fn main() {
    if let Err(e) = run() {
        eprintln!("pitch_track: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut config = PitchConfig::default();
    let mut note_config = NoteConfig::default();
    let (mut sr, mut use_yin, mut csv, mut candidates) = (None, false, None, None);
    let (mut notes_out, mut midi_out) = (None, None);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--sr" => sr = Some(value("--sr")?.parse::<u32>().map_err(|e| e.to_string())?),
            "--frame" => {
                config.frame_length = value("--frame")?.parse().map_err(|e| format!("--frame: {e}"))?
            }
            "--hop" => config.hop_length = value("--hop")?.parse().map_err(|e| format!("--hop: {e}"))?,
            "--fmin" => config.fmin = value("--fmin")?.parse().map_err(|e| format!("--fmin: {e}"))?,
            "--fmax" => config.fmax = value("--fmax")?.parse().map_err(|e| format!("--fmax: {e}"))?,
            "--yin" => use_yin = true,
            "--csv" => csv = Some(value("--csv")?),
            "--candidates" => candidates = Some(value("--candidates")?),
            "--notes" => notes_out = Some(value("--notes")?),
            "--min-note" => {
                note_config.min_note_s =
                    value("--min-note")?.parse().map_err(|e| format!("--min-note: {e}"))?
            }
            "--split" => {
                note_config.split_semitones =
                    value("--split")?.parse().map_err(|e| format!("--split: {e}"))?
            }
            "--dip" => note_config.dip_db = value("--dip")?.parse().map_err(|e| format!("--dip: {e}"))?,
            "--vdip" => {
                note_config.voicing_dip = value("--vdip")?.parse().map_err(|e| format!("--vdip: {e}"))?
            }
            "--gap" => note_config.max_gap_s = value("--gap")?.parse().map_err(|e| format!("--gap: {e}"))?,
            "--smooth" => {
                note_config.smooth_s = value("--smooth")?.parse().map_err(|e| format!("--smooth: {e}"))?
            }
            "--midi" => midi_out = Some(value("--midi")?),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let file = file.ok_or("usage: pitch_track FILE [--sr HZ] [--frame N] [--hop N] [--fmin HZ] [--fmax HZ] [--yin] [--csv OUT] [--candidates OUT] [--notes OUT] [--midi OUT] [--min-note S] [--split ST] [--dip DB] [--gap S] [--smooth S]")?;
    let t0 = Instant::now();
    let mut audio = decode_file(&file, &DecodeOptions { mono: true }).map_err(|e| e.to_string())?;
    if let Some(rate) = sr
        && rate != audio.sample_rate()
    {
        audio = audio.resampled(rate).map_err(|e| e.to_string())?;
    }
    let decode_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let tracker = PitchTracker::new(audio.sample_rate(), &config).map_err(|e| e.to_string())?;
    let track = if use_yin { tracker.yin(audio.channel(0)) } else { tracker.pyin(audio.channel(0)) }
        .map_err(|e| e.to_string())?;
    let track_s = t1.elapsed().as_secs_f64();
    if let Some(out) = csv {
        technob::io::write_bytes(&out, track.to_csv().as_bytes()).map_err(|e| e.to_string())?;
    }
    if let Some(out) = candidates {
        let mut text = String::new();
        for (t, f) in track.times_s.iter().zip(track.mir_eval_freqs()) {
            text.push_str(&format!("{t:.9},{f:.6}\n"));
        }
        technob::io::write_bytes(&out, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let mut n_notes = None;
    if notes_out.is_some() || midi_out.is_some() {
        let notes = segment_notes(&track, audio.channel(0), &note_config).map_err(|e| e.to_string())?;
        n_notes = Some(notes.len());
        if let Some(out) = notes_out {
            let mut text = String::new();
            for n in &notes {
                text.push_str(&format!(
                    "{:.6},{:.6},{:.4},{},{}\n",
                    n.onset_s,
                    n.offset_s,
                    n.pitch_hz(),
                    n.name,
                    n.velocity
                ));
            }
            technob::io::write_bytes(&out, text.as_bytes()).map_err(|e| e.to_string())?;
        }
        if let Some(out) = midi_out {
            write_midi(&notes, &out).map_err(|e| e.to_string())?;
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "file": file,
            "method": if use_yin { "yin" } else { "pyin" },
            "sr": track.sr,
            "frames": track.len(),
            "voiced": track.voiced.iter().filter(|&&v| v).count(),
            "decode_s": decode_s,
            "track_s": track_s,
            "notes": n_notes,
        })
    );
    Ok(())
}
