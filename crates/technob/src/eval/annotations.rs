//! Loaders for rhythm annotations: beat lists (`time` or `time position` per line, as in the
//! Ballroom, GTZAN-Rhythm, Hainsworth and madmom files), the Jazz Trio Database `beats.csv`,
//! `.bpm` files and MIREX tempo files (`tempo1 tempo2 weight`).
//!
//! Every loader returns [`Error::InvalidInput`] naming the file and the line for anything it
//! cannot use (a word where a number should be, NaN, a negative or decreasing time, a bar
//! position that is not a whole number ≥ 1, ...). `#` starts a comment; blank lines are skipped.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Beat times of one track, with their bar positions when the file gives them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BeatAnnotation {
    /// Beat times in seconds, non-decreasing.
    pub beats: Vec<f64>,
    /// Position of each beat in its bar (1 = downbeat), one per beat, when known.
    pub positions: Option<Vec<u32>>,
}

impl BeatAnnotation {
    /// Times of the beats at bar position 1; `None` without positions.
    pub fn downbeats(&self) -> Option<Vec<f64>> {
        let positions = self.positions.as_ref()?;
        Some(self.beats.iter().zip(positions).filter(|(_, p)| **p == 1).map(|(t, _)| *t).collect())
    }
}

/// The layout of a beat annotation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeatsFormat {
    /// One time per line.
    Time,
    /// `time position` per line (position 1 = downbeat).
    TimePos,
    /// Jazz Trio Database `beats.csv` (columns `beats` and `metre_auto`).
    JtdCsv,
}

/// Two tempi and the weight of the first: a MIREX tempo annotation (`mir_eval.tempo`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MirexTempo {
    /// The two tempi, BPM.
    pub tempi: [f64; 2],
    /// Relative strength of `tempi[0]`, in `[0, 1]` for a valid annotation.
    pub weight: f64,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(e).in_file(path))
}

/// Load a beat file with one time or `time position` per line (all lines alike).
pub fn load_beats(path: impl AsRef<Path>) -> Result<BeatAnnotation> {
    let path = path.as_ref();
    parse_beats(&read(path)?, None).map_err(|e| e.in_file(path))
}

/// Load a beat file of the given layout.
pub fn load_beats_as(path: impl AsRef<Path>, format: BeatsFormat) -> Result<BeatAnnotation> {
    let path = path.as_ref();
    let text = read(path)?;
    match format {
        BeatsFormat::Time => parse_beats(&text, Some(1)),
        BeatsFormat::TimePos => parse_beats(&text, Some(2)),
        BeatsFormat::JtdCsv => parse_jtd_beats(&text),
    }
    .map_err(|e| e.in_file(path))
}

/// Load estimated beat times: one time per line (a second column, bar positions, is allowed
/// and ignored).
pub fn load_beat_times(path: impl AsRef<Path>) -> Result<Vec<f64>> {
    load_beats(path).map(|a| a.beats)
}

/// Load a `.bpm` file: its first number, the tempo in BPM (anything after it is ignored).
pub fn load_bpm(path: impl AsRef<Path>) -> Result<f64> {
    let path = path.as_ref();
    parse_bpm(&read(path)?).map_err(|e| e.in_file(path))
}

/// Load a MIREX tempo file: one line `tempo1 tempo2 weight`.
pub fn load_mirex_tempo(path: impl AsRef<Path>) -> Result<MirexTempo> {
    let path = path.as_ref();
    parse_mirex_tempo(&read(path)?).map_err(|e| e.in_file(path))
}

/// Non-blank lines without their comments, with 1-based line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.split('#').next().unwrap_or("").trim();
        (!line.is_empty()).then_some((i + 1, line))
    })
}

fn invalid(line: usize, msg: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("line {line}: {msg}"))
}

/// A finite number, or an error naming the line and what the value is.
fn number(line: usize, field: &str, what: &str) -> Result<f64> {
    let v: f64 = field.parse().map_err(|_| invalid(line, format!("{what} '{field}' is not a number")))?;
    if !v.is_finite() {
        return Err(invalid(line, format!("{what} '{field}' is not a finite number")));
    }
    Ok(v)
}

fn time(line: usize, field: &str) -> Result<f64> {
    let t = number(line, field, "time")?;
    if t < 0.0 {
        return Err(invalid(line, format!("negative time {t} s")));
    }
    Ok(t)
}

fn position(line: usize, field: &str) -> Result<u32> {
    let bad = || invalid(line, format!("bar position '{field}' is not a whole number from 1 up"));
    let p = match field.parse::<u32>() {
        Ok(p) => p,
        // "3.0" (as pandas writes integers with gaps) is 3.
        Err(_) => {
            let v: f64 = field.parse().map_err(|_| bad())?;
            if !(v.fract() == 0.0 && (1.0..=u32::MAX as f64).contains(&v)) {
                return Err(bad());
            }
            v as u32
        }
    };
    if p == 0 {
        return Err(bad());
    }
    Ok(p)
}

fn check_order(line: usize, beats: &[f64], t: f64) -> Result<()> {
    match beats.last() {
        Some(&prev) if t < prev => Err(invalid(
            line,
            format!("time {t} s is before the previous beat at {prev} s (times must not decrease)"),
        )),
        _ => Ok(()),
    }
}

/// Parse a beat list; `columns` forces 1 (`time`) or 2 (`time position`), `None` accepts
/// either as long as every line has the same number.
pub fn parse_beats(text: &str, columns: Option<usize>) -> Result<BeatAnnotation> {
    let mut beats = Vec::new();
    let mut positions = Vec::new();
    let mut width = columns;
    for (line, content) in data_lines(text) {
        let fields: Vec<&str> = content.split_whitespace().collect();
        match width {
            None if fields.len() == 1 || fields.len() == 2 => width = Some(fields.len()),
            None => {
                return Err(invalid(
                    line,
                    format!("expected 'time' or 'time position', found {} columns", fields.len()),
                ));
            }
            Some(w) if w != fields.len() => {
                let expected = if w == 1 { "'time'" } else { "'time position'" };
                return Err(invalid(line, format!("expected {expected}, found {} columns", fields.len())));
            }
            Some(_) => {}
        }
        let t = time(line, fields[0])?;
        check_order(line, &beats, t)?;
        beats.push(t);
        if let Some(p) = fields.get(1) {
            positions.push(position(line, p)?);
        }
    }
    let positions = (width == Some(2)).then_some(positions);
    Ok(BeatAnnotation { beats, positions })
}

/// Parse a Jazz Trio Database `beats.csv`: beat times from the `beats` column, bar positions
/// from `metre_auto` (downbeats where it is 1).
pub fn parse_jtd_beats(text: &str) -> Result<BeatAnnotation> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Error::InvalidInput(
            "empty file: expected a CSV header with 'beats' and 'metre_auto'".into(),
        ));
    };
    let names: Vec<&str> = header.split(',').map(|s| s.trim().trim_matches('"')).collect();
    let column = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            Error::InvalidInput(format!(
                "line 1: no '{name}' column in the CSV header (columns: {})",
                names.join(", ")
            ))
        })
    };
    let (beat_col, metre_col) = (column("beats")?, column("metre_auto")?);
    let mut beats = Vec::new();
    let mut positions = Vec::new();
    for (i, row) in lines {
        let line = i + 1;
        let fields: Vec<&str> = row.split(',').map(str::trim).collect();
        let cell = |col: usize, name: &str| match fields.get(col) {
            Some(v) if !v.is_empty() => Ok(*v),
            _ => Err(invalid(line, format!("no '{name}' value"))),
        };
        let t = time(line, cell(beat_col, "beats")?)?;
        check_order(line, &beats, t)?;
        beats.push(t);
        positions.push(position(line, cell(metre_col, "metre_auto")?)?);
    }
    Ok(BeatAnnotation { beats, positions: Some(positions) })
}

/// Parse a `.bpm` file: the first number, which must be a positive tempo.
pub fn parse_bpm(text: &str) -> Result<f64> {
    let Some((line, content)) = data_lines(text).next() else {
        return Err(Error::InvalidInput("no tempo: the file is empty".into()));
    };
    let field = content.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or("");
    let bpm = number(line, field, "tempo")?;
    if bpm <= 0.0 {
        return Err(invalid(line, format!("tempo {bpm} BPM is not positive")));
    }
    Ok(bpm)
}

/// Parse a MIREX tempo annotation: exactly one line of three numbers.
pub fn parse_mirex_tempo(text: &str) -> Result<MirexTempo> {
    let lines: Vec<(usize, &str)> = data_lines(text).collect();
    let [(line, content)] = lines.as_slice() else {
        return Err(Error::InvalidInput(format!(
            "expected one line 'tempo1 tempo2 weight', found {} lines",
            lines.len()
        )));
    };
    let fields: Vec<&str> = content.split_whitespace().collect();
    let [a, b, w] = fields.as_slice() else {
        return Err(invalid(
            *line,
            format!("expected 'tempo1 tempo2 weight', found {} columns", fields.len()),
        ));
    };
    Ok(MirexTempo {
        tempi: [number(*line, a, "tempo")?, number(*line, b, "tempo")?],
        weight: number(*line, w, "weight")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beat_lists() {
        let a = parse_beats("# comment\n0.5\t1\n1.0 2\n\n1.5   3 # inline\n2.0\t1\n", None).unwrap();
        assert_eq!(a.beats, [0.5, 1.0, 1.5, 2.0]);
        assert_eq!(a.positions.as_deref(), Some(&[1, 2, 3, 1][..]));
        assert_eq!(a.downbeats(), Some(vec![0.5, 2.0]));
        let b = parse_beats("5.980385487528344646e-01\n1.06e+00\n1.06e+00\n", None).unwrap();
        assert_eq!(b.beats, ["5.980385487528344646e-01".parse::<f64>().unwrap(), 1.06, 1.06]);
        assert_eq!((b.positions.clone(), b.downbeats()), (None, None));
        assert_eq!(parse_beats("", None).unwrap(), BeatAnnotation { beats: vec![], positions: None });
    }

    #[test]
    fn bad_beat_lists_are_errors_naming_the_line() {
        for (text, needle) in [
            ("0.5\nabc\n", "line 2: time 'abc' is not a number"),
            ("0.5\nnan\n", "line 2: time 'nan' is not a finite number"),
            ("0.5\ninf\n", "not a finite number"),
            ("1.0\n0.5\n", "line 2: time 0.5 s is before the previous beat"),
            ("-0.5\n", "line 1: negative time"),
            ("0.5 1\n1.0\n", "line 2: expected 'time position', found 1 columns"),
            ("0.5 1 2\n", "found 3 columns"),
            ("0.5 0\n", "bar position '0'"),
            ("0.5 x\n", "bar position 'x'"),
            ("0.5 1.5\n", "bar position '1.5'"),
            ("0.5 -1\n", "bar position '-1'"),
        ] {
            let err = parse_beats(text, None).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(!err.contains('\n'));
        }
        assert!(parse_beats("0.5 1\n", Some(1)).is_err());
        assert!(parse_beats("0.5\n", Some(2)).is_err());
    }

    #[test]
    fn jtd_csv() {
        let text = ",beats,piano,bass,drums,metre_auto\n0,0.08,0.08,0.09,0.06,3.0\n1,0.28,,0.29,0.28,4.0\n\
                    2,0.5,0.51,0.5,0.49,1.0\n";
        let a = parse_jtd_beats(text).unwrap();
        assert_eq!(a.beats, [0.08, 0.28, 0.5]);
        assert_eq!(a.downbeats(), Some(vec![0.5]));
        for (text, needle) in [
            ("", "empty file"),
            ("a,b\n1,2\n", "no 'beats' column"),
            (",beats,metre_auto\n0,,1.0\n", "line 2: no 'beats' value"),
            (",beats,metre_auto\n0,0.5\n", "line 2: no 'metre_auto' value"),
            (",beats,metre_auto\n0,x,1.0\n", "line 2: time 'x'"),
            (",beats,metre_auto\n0,0.5,1.0\n1,0.4,2.0\n", "line 3: time 0.4 s is before"),
            (",beats,metre_auto\n0,0.5,0.0\n", "bar position '0.0'"),
        ] {
            let err = parse_jtd_beats(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
    }

    #[test]
    fn bpm_and_mirex_tempo() {
        assert_eq!(parse_bpm("84\n").unwrap(), 84.0);
        assert_eq!(parse_bpm("8.553000000000000114e+01\n").unwrap(), 85.53);
        assert_eq!(parse_bpm("100.16\tnan\t1.00\n").unwrap(), 100.16);
        assert!(parse_bpm("").is_err());
        assert!(parse_bpm("fast\n").unwrap_err().to_string().contains("line 1: tempo 'fast'"));
        assert!(parse_bpm("0\n").is_err());
        assert!(parse_bpm("nan\n").is_err());
        let t = parse_mirex_tempo("# A comment\n120.0\t180.0\t0.25\n").unwrap();
        assert_eq!(t, MirexTempo { tempi: [120.0, 180.0], weight: 0.25 });
        assert!(parse_mirex_tempo("60 120 0.25\n60 120 0.25\n").is_err());
        assert!(parse_mirex_tempo("60 120\n").is_err());
        assert!(parse_mirex_tempo("60 x 0.5\n").is_err());
    }

    #[test]
    fn missing_file_names_the_file() {
        let path = std::env::temp_dir().join("technob-no-such-dir/beats.txt");
        for err in [
            load_beats(&path).unwrap_err(),
            load_bpm(&path).unwrap_err(),
            load_beats_as(&path, BeatsFormat::JtdCsv).unwrap_err(),
        ] {
            assert!(err.to_string().contains("beats.txt"), "{err}");
            assert!(err.is_input_error());
        }
    }
}
