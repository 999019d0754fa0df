//! `technob eval beats`: mir_eval's beat metrics for a reference/estimate pair, or the rhythm
//! tracker run over the evaluation set of `../shared/data` and the bundled demo.
//! `technob eval key`: the MIREX key score of a pair of keys, or the key estimator run over the
//! key-labelled clips of `../shared/data`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use technob::eval::annotations::{BeatAnnotation, load_beats};
use technob::eval::beat::{self, BeatParams, BeatScores};
use technob::eval::dataset::{self, ClipScore, DatasetSummary};
use technob::rhythm::{RhythmOptions, analyze_rhythm};

use super::{display, one_line, report, to_json};
use crate::exit;
use crate::progress::TerminalProgress;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: EvalCommand,
}

#[derive(clap::Subcommand, Debug)]
enum EvalCommand {
    /// Beat metrics (mir_eval): F-measure, Cemgil, Goto, P-score, CMLc/CMLt/AMLc/AMLt,
    /// information gain, and the downbeat F-measure when both files give bar positions.
    Beats(BeatsArgs),
    /// MIREX weighted key score (mir_eval.key): 1 same key, 0.5 a fifth up, 0.3 relative,
    /// 0.2 parallel, 0 otherwise.
    Key(KeyArgs),
}

#[derive(clap::Args, Debug)]
struct KeyArgs {
    /// Reference key ("A minor", "Db major") or a file holding one.
    #[arg(
        long = "ref",
        value_name = "KEY|FILE",
        requires = "estimated",
        required_unless_present = "dataset"
    )]
    reference: Option<String>,
    /// Estimated key or a file holding one.
    #[arg(long = "est", value_name = "KEY|FILE", requires = "reference")]
    estimated: Option<String>,
    /// Run the key estimator over the key-labelled clips of the evaluation data instead.
    #[arg(long, conflicts_with_all = ["reference", "estimated"])]
    dataset: bool,
    /// Directory of the evaluation data (default ../shared/data).
    #[arg(long, value_name = "DIR", requires = "dataset")]
    data_dir: Option<PathBuf>,
    /// Key profile of the estimator (with --dataset).
    #[arg(long, default_value = "edma", value_parser = ["edma", "bgate", "temperley", "krumhansl"])]
    profile: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Beat files: one time in seconds per line, or 'time position' (position 1 = downbeat); tabs or
spaces; '#' starts a comment. With --dataset the exit code is 1 when a clip could not be scored
(missing audio, tracker failure); the table still lists every clip.")]
struct BeatsArgs {
    /// Reference (annotated) beat file.
    #[arg(long = "ref", value_name = "FILE", requires = "estimated", required_unless_present = "dataset")]
    reference: Option<PathBuf>,
    /// Estimated beat file.
    #[arg(long = "est", value_name = "FILE", requires = "reference")]
    estimated: Option<PathBuf>,
    /// Run the rhythm tracker over the evaluation clips and the bundled demo instead.
    #[arg(long, conflicts_with_all = ["reference", "estimated", "min_beat_time"])]
    dataset: bool,
    /// Directory of the evaluation data (default ../shared/data).
    #[arg(long, value_name = "DIR", requires = "dataset")]
    data_dir: Option<PathBuf>,
    /// Ignore beats before this time, seconds (mir_eval's default 5).
    #[arg(long, value_name = "SECONDS")]
    min_beat_time: Option<f64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    match args.command {
        EvalCommand::Beats(a) if a.dataset => run_dataset(a.data_dir, a.json),
        EvalCommand::Key(a) => run_key(a),
        EvalCommand::Beats(a) => match (a.reference, a.estimated) {
            (Some(r), Some(e)) => run_pair(&r, &e, a.min_beat_time.unwrap_or(beat::MIN_BEAT_TIME), a.json),
            _ => {
                eprintln!("error: give --ref FILE and --est FILE, or --dataset");
                exit::BAD_INPUT
            }
        },
    }
}

#[derive(Serialize)]
struct PairReport<'a> {
    reference: &'a str,
    estimated: &'a str,
    min_beat_time: f64,
    reference_beats: usize,
    estimated_beats: usize,
    scores: BeatScores,
    downbeat_f_measure: Option<f64>,
}

fn load(path: &Path, min_beat_time: f64) -> Result<BeatAnnotation, technob::Error> {
    let ann = load_beats(path)?;
    // The loader checked order and finiteness; mir_eval also bounds the times.
    beat::validate_beats(&beat::trim_beats_at(&ann.beats, min_beat_time)).map_err(|e| e.in_file(path))?;
    Ok(ann)
}

fn run_pair(ref_path: &Path, est_path: &Path, min_beat_time: f64, json: bool) -> u8 {
    let params = BeatParams { min_beat_time, ..BeatParams::default() };
    if let Err(e) = params.validate() {
        return report(&e);
    }
    let (reference, estimated) = match (load(ref_path, min_beat_time), load(est_path, min_beat_time)) {
        (Ok(r), Ok(e)) => (r, e),
        (Err(e), _) | (_, Err(e)) => return report(&e),
    };
    let scores = match beat::evaluate_beats_with(&reference.beats, &estimated.beats, &params) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let downbeat_f_measure = match (reference.downbeats(), estimated.downbeats()) {
        (Some(r), Some(e)) => match beat::downbeat_f_measure_with(&r, &e, &params) {
            Ok(f) => Some(f),
            Err(e) => return report(&e),
        },
        _ => None,
    };
    let (ref_name, est_name) = (display(ref_path), display(est_path));
    if json {
        let doc = PairReport {
            reference: &ref_name,
            estimated: &est_name,
            min_beat_time,
            reference_beats: reference.beats.len(),
            estimated_beats: estimated.beats.len(),
            scores,
            downbeat_f_measure,
        };
        return match to_json(&doc) {
            Ok(line) => {
                outln!("{line}");
                exit::OK
            }
            Err(code) => code,
        };
    }
    outln!("reference   {ref_name} ({} beats)", reference.beats.len());
    outln!("estimate    {est_name} ({} beats)", estimated.beats.len());
    outln!("scored      beats from {min_beat_time} s on");
    for (name, value) in scores.mir_eval_named() {
        outln!("{name:<32} {value:.4}");
    }
    match (downbeat_f_measure, reference.positions.is_some()) {
        (Some(f), _) => outln!("{:<32} {f:.4}", "Downbeat F-measure"),
        (None, true) => outln!("{:<32} n/a (the estimate has no bar positions)", "Downbeat F-measure"),
        (None, false) => {}
    }
    exit::OK
}

#[derive(Serialize)]
struct DatasetReport<'a> {
    data_dir: &'a str,
    clips: &'a [ClipScore],
    mean: DatasetSummary,
}

fn run_dataset(data_dir: Option<PathBuf>, json: bool) -> u8 {
    let dir = data_dir.unwrap_or_else(dataset::default_data_dir);
    let progress = TerminalProgress::new("eval");
    let options = RhythmOptions { progress: &progress, ..RhythmOptions::default() };
    let result = dataset::evaluate_rhythm_dataset(&dir, |audio| analyze_rhythm(audio, &options));
    progress.clear();
    let clips = match result {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    let mean = dataset::summarize(&clips);
    let failed = mean.errors;
    if json {
        let dir_name = display(&dir);
        match to_json(&DatasetReport { data_dir: &dir_name, clips: &clips, mean }) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
    } else {
        print_table(&clips, &mean);
    }
    if failed > 0 {
        eprintln!("error: {failed} of {} clips could not be scored", clips.len());
        return exit::FAILURE;
    }
    exit::OK
}

/// `0.123`, or `-` for a missing value.
fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"))
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

/// One table row: the clip name, 8 scores, 2 tempi, 3 tempo checks.
fn row(cells: &[String; 14]) -> String {
    let mut line = format!("{:<18}", cells[0]);
    for (i, c) in cells.iter().enumerate().skip(1) {
        let width = match i {
            9 | 10 => 8,
            11.. => 5,
            _ => 6,
        };
        line.push_str(&format!(" {c:>width$}"));
    }
    line
}

fn beat_cells(b: Option<&BeatScores>, downbeat: Option<f64>) -> [String; 8] {
    [
        cell(b.map(|s| s.f_measure)),
        cell(b.map(|s| s.cml_t)),
        cell(b.map(|s| s.aml_t)),
        cell(b.map(|s| s.cemgil)),
        cell(b.map(|s| s.p_score)),
        cell(b.map(|s| s.information_gain)),
        cell(b.map(|s| s.goto)),
        cell(downbeat),
    ]
}

fn print_table(clips: &[ClipScore], mean: &DatasetSummary) {
    let header = [
        "clip", "F", "CMLt", "AMLt", "Cemgil", "P", "InfoG", "Goto", "DbF", "ref BPM", "est BPM", "1%",
        "Acc1", "Acc2",
    ];
    outln!("{}", row(&header.map(str::to_string)));
    let bpm = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"));
    for c in clips {
        if let Some(err) = &c.error {
            outln!("{:<18} error: {}", c.name, one_line(err));
            continue;
        }
        let [f, cmlt, amlt, cemgil, p, ig, goto, dbf] = beat_cells(c.beats.as_ref(), c.downbeat_f_measure);
        let t = c.tempo.as_ref();
        outln!(
            "{}",
            row(&[
                c.name.clone(),
                f,
                cmlt,
                amlt,
                cemgil,
                p,
                ig,
                goto,
                dbf,
                bpm(c.reference_bpm),
                bpm(c.estimated_bpm),
                yes_no(t.map(|t| t.within_1_percent)).to_string(),
                yes_no(t.map(|t| t.accuracy1)).to_string(),
                yes_no(t.map(|t| t.accuracy2)).to_string(),
            ])
        );
    }
    let [f, cmlt, amlt, cemgil, p, ig, goto, dbf] = beat_cells(mean.beats.as_ref(), mean.downbeat_f_measure);
    outln!(
        "{}",
        row(&[
            "mean".to_string(),
            f,
            cmlt,
            amlt,
            cemgil,
            p,
            ig,
            goto,
            dbf,
            String::new(),
            String::new(),
            cell(mean.within_1_percent),
            cell(mean.accuracy1),
            cell(mean.accuracy2),
        ])
    );
    outln!(
        "mean over {} clips with beats, {} with downbeats, {} with a tempo; {} of {} clips failed",
        mean.beat_clips,
        mean.downbeat_clips,
        mean.tempo_clips,
        mean.errors,
        mean.clips
    );
}

/// A key given on the command line, or the content of the file it names.
fn key_argument(arg: &str) -> Result<String, technob::Error> {
    let path = Path::new(arg);
    if path.is_file() {
        return technob::eval::key::load_key(path).map(|k| k.to_string());
    }
    technob::eval::key::parse_key_annotation(arg)
        .map(|k| k.to_string())
        .map_err(|e| technob::Error::InvalidParameter(format!("'{arg}' is not a key ({e})")))
}

fn run_key(args: KeyArgs) -> u8 {
    use technob::eval::key::{KeyLabel, Mode as EvalMode, evaluate_key_dataset, mean_score, weighted_score};
    use technob::tonal::key::{KeyOptions, KeyProfile, Mode, estimate_key};
    if !args.dataset {
        let (Some(r), Some(e)) = (&args.reference, &args.estimated) else {
            eprintln!("error: give --ref KEY and --est KEY, or --dataset");
            return exit::BAD_INPUT;
        };
        let scored = key_argument(r).and_then(|r| {
            let e = key_argument(e)?;
            Ok((weighted_score(&r, &e)?, r, e))
        });
        return match scored {
            Ok((score, r, e)) => {
                if args.json {
                    outln!("{}", serde_json::json!({"reference": r, "estimate": e, "weighted_score": score}));
                } else {
                    outln!("reference   {r}\nestimate    {e}\nscore       {score}");
                }
                exit::OK
            }
            Err(err) => report(&err),
        };
    }
    let profile: KeyProfile = match args.profile.parse() {
        Ok(p) => p,
        Err(e) => return report(&e),
    };
    let dir = args.data_dir.unwrap_or_else(dataset::default_data_dir);
    let estimator = |audio: &technob::Audio| -> technob::Result<KeyLabel> {
        let options = KeyOptions { profile, ..KeyOptions::default() };
        let key = estimate_key(audio.channel(0), f64::from(audio.sample_rate()), &options)?.key()?;
        KeyLabel::new(key.tonic, if key.mode == Mode::Major { EvalMode::Major } else { EvalMode::Minor })
    };
    let scores = match evaluate_key_dataset(&dir, estimator) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let mean = mean_score(&scores);
    let failed = scores.iter().filter(|s| s.error.is_some()).count();
    if args.json {
        match to_json(&serde_json::json!({"profile": profile.name(), "clips": scores, "mean_score": mean})) {
            Ok(line) => outln!("{line}"),
            Err(code) => return code,
        }
    } else {
        outln!("{:<20} {:<10} {:<10} {:>5}", "clip", "reference", "technob", "score");
        for s in &scores {
            match (&s.estimate, &s.error) {
                (Some(k), _) => outln!(
                    "{:<20} {:<10} {:<10} {:>5.2}{}",
                    s.name,
                    s.reference.to_string(),
                    k.to_string(),
                    s.score.unwrap_or(0.0),
                    if s.scored { "" } else { "  (not in the mean)" }
                ),
                (None, err) => outln!("{:<20} error: {}", s.name, one_line(err.as_deref().unwrap_or("?"))),
            }
        }
        outln!(
            "mean score ({}, {} scored clips): {}",
            profile.name(),
            scores.iter().filter(|s| s.scored).count(),
            mean.map_or("-".to_string(), |m| format!("{m:.3}"))
        );
    }
    if failed > 0 {
        eprintln!("error: {failed} of {} clips could not be scored", scores.len());
        return exit::FAILURE;
    }
    exit::OK
}
