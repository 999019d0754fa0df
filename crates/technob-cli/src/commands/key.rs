//! `technob key [FILE]`: the key (name, Camelot, Open Key, confidence), the keys to mix into,
//! and optionally the key over time.

use std::path::PathBuf;

use serde::Serialize;
use technob::tonal::key::{self, KeyEstimate, KeyProfile, KeySegment};
use technob::tonal::tuning::Tuning;

use super::analyze::DEMO_NAME;
use super::{display, format_duration, mono_input, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Audio file; without it, the bundled demo track.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Key profile: edma (learnt from electronic dance music; default), bgate (from Beatport's
    /// annotations), temperley or krumhansl.
    #[arg(long, default_value = "edma", value_parser = ["edma", "bgate", "temperley", "krumhansl"])]
    profile: String,
    /// Also report the key over time (key changes).
    #[arg(long)]
    timeline: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct KeyReport<'a> {
    file: String,
    key: &'a KeyEstimate,
    /// The tuning the pitch classes were read with (measured on the sustained peaks; 0 cents
    /// when there were none).
    tuning: Tuning,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeline: Option<&'a [KeySegment]>,
}

pub(crate) fn run(args: Args) -> u8 {
    let profile: KeyProfile = match args.profile.parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BAD_INPUT;
        }
    };
    let input = args.file.clone().unwrap_or_else(|| PathBuf::from(DEMO_NAME));
    let name = display(&input);
    let progress = TerminalProgress::new("key");
    let result = (|| -> technob::Result<(KeyEstimate, Option<Vec<KeySegment>>, f64)> {
        let mono = mono_input(args.file.as_deref(), &name, &progress)?;
        let sr = f64::from(mono.sample_rate());
        let chroma = key::key_chroma(mono.channel(0), sr, None).map_err(|e| e.in_file(&input))?;
        let mut estimate = key::estimate_from_profile(&key::sum_frames(&chroma.frames), profile)
            .map_err(|e| e.in_file(&input))?;
        estimate.tuning_cents = chroma.tuning_cents;
        let timeline = args
            .timeline
            .then(|| key::key_timeline(&chroma.frames, chroma.hop_s, mono.duration_s(), profile));
        Ok((estimate, timeline, chroma.tuning_cents))
    })();
    progress.clear();
    let (estimate, timeline, tuning_cents) = match result {
        Ok(r) => r,
        Err(e) => return report(&e),
    };
    if args.json {
        let tuning = Tuning::from_cents(tuning_cents);
        let doc = KeyReport { file: name, key: &estimate, tuning, timeline: timeline.as_deref() };
        match to_json(&doc) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
        return exit::OK;
    }
    outln!("file        {name}");
    outln!(
        "key         {} ({}, {}), confidence {:.2}, profile {}",
        estimate.name,
        estimate.camelot,
        estimate.open_key,
        estimate.confidence,
        estimate.profile.name()
    );
    let tuning = Tuning::from_cents(tuning_cents);
    outln!("tuning      A4 = {:.1} Hz ({:+.1} cents)", tuning.a4_hz, tuning.cents);
    outln!(
        "runner-up   {} (correlation {:.3} vs {:.3})",
        estimate.runner_up,
        estimate.runner_up_correlation,
        estimate.correlation
    );
    let mix: Vec<String> = estimate
        .compatible
        .iter()
        .skip(1)
        .map(|c| format!("{} {} ({})", c.camelot, c.name, relation_name(c.relation)))
        .collect();
    outln!("mix with    {}", mix.join(", "));
    if let Some(timeline) = &timeline {
        for (i, seg) in timeline.iter().enumerate() {
            outln!(
                "{:<12}{} - {}  {} ({}), confidence {:.2}",
                if i == 0 { "timeline" } else { "" },
                format_duration(seg.start_s),
                format_duration(seg.end_s),
                seg.name,
                seg.camelot,
                seg.confidence
            );
        }
    }
    exit::OK
}

fn relation_name(relation: key::Relation) -> &'static str {
    match relation {
        key::Relation::Same => "same",
        key::Relation::FifthUp => "fifth up",
        key::Relation::FifthDown => "fifth down",
        key::Relation::Relative => "relative",
    }
}
