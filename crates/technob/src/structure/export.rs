//! Structure exports: JSON, CSV, Audacity labels, rekordbox XML (cue points at segment starts)
//! and JAMS; and CSV, labels and JSON for the plain interval lists of the simple segmenters.
//!
//! Like [`crate::rhythm::export`], every writer returns the whole document as a `String`
//! (UTF-8, `\n` line ends, a final newline) and writes nothing; the same input always gives the
//! same bytes (no dates, no random ids). Times have 6 decimals in CSV and labels, 3 in rekordbox
//! XML (its resolution, as rekordbox writes it).
//!
//! Formats followed:
//! * rekordbox: the "rekordbox XML format" element list as transcribed by pyrekordbox's
//!   `docs/formats/xml.md`: the track with its beat grid (one `TEMPO` per grid section, as the
//!   beat-grid export writes it), then one `POSITION_MARK` memory cue (`Num="-1"`) at every
//!   segment start and hot cues (`Num` 0–7, pads A–H) at the first eight, each of `Type="0"`
//!   (cue), named after the segment (`Drop B`) and coloured by role with the
//!   `Red`/`Green`/`Blue` attributes rekordbox itself writes on cues (rekordbox shows the
//!   nearest colour of its palette).
//! * JAMS 0.3.5: two `segment_open` annotations, one whose values are the roles (`drop`) and
//!   one whose values are the repetition groups (`B`), with the segment confidences.

use std::fmt::{self, Write as _};
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Value, json};

use super::{Interval, Role, Segment, Structure};
use crate::rhythm::Rhythm;
use crate::rhythm::export::{JAMS_VERSION, PositionMark, VERSION, file_title, fixed, rekordbox_document};
use crate::{Error, Result};

/// Number of rekordbox hot cues (pads A–H).
pub const HOT_CUES: usize = 8;

/// A file format a [`Structure`] can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The whole [`Structure`] plus the file name, as JSON on one line.
    Json,
    /// One row per segment: `start_s,end_s,label,group,bars,confidence`.
    Csv,
    /// An Audacity label track: one region label `role group` per segment.
    Labels,
    /// rekordbox collection XML: the track's beat grid and cues at the segment starts.
    Rekordbox,
    /// JAMS: `segment_open` annotations of the roles and of the groups.
    Jams,
}

impl ExportFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Json,
        ExportFormat::Csv,
        ExportFormat::Labels,
        ExportFormat::Rekordbox,
        ExportFormat::Jams,
    ];

    /// The name used on the command line (`json`, `csv`, `labels`, `rekordbox`, `jams`).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Labels => "labels",
            ExportFormat::Rekordbox => "rekordbox",
            ExportFormat::Jams => "jams",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Labels => "txt",
            ExportFormat::Rekordbox => "xml",
            ExportFormat::Jams => "jams",
        }
    }

    /// The format a file extension stands for (case-insensitive), if any.
    pub fn from_extension(ext: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.extension().eq_ignore_ascii_case(ext))
    }

    /// True for rekordbox, which needs the absolute path of the audio file.
    pub fn needs_audio_path(self) -> bool {
        self == ExportFormat::Rekordbox
    }

    /// True for the formats the plain interval lists of [`super::split_on_silence`] and
    /// [`super::bar_chunks`] can be written in (JSON, CSV, labels).
    pub fn supports_intervals(self) -> bool {
        matches!(self, ExportFormat::Json | ExportFormat::Csv | ExportFormat::Labels)
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::InvalidParameter(format!(
                "unknown segment format '{s}' (expected json, csv, labels, rekordbox or jams)"
            ))
        })
    }
}

/// Export `structure` (of the audio file `file`, whose beat grid is `rhythm`) as `format`.
///
/// `file` is what the JSON `file` field says and where the JAMS title (its last component)
/// comes from; rekordbox needs it absolute.
pub fn export(structure: &Structure, rhythm: &Rhythm, format: ExportFormat, file: &Path) -> Result<String> {
    match format {
        ExportFormat::Json => json(structure, &file.display().to_string()),
        ExportFormat::Csv => csv(structure),
        ExportFormat::Labels => audacity_labels(structure),
        ExportFormat::Rekordbox => rekordbox_xml(structure, rhythm, file),
        ExportFormat::Jams => jams(structure, rhythm.duration_s, &file_title(file)),
    }
}

/// The colour of a role, RGB: the band colour of `technob plot` and the cue colour of the
/// rekordbox export. Intro blue, build-up orange, drop red, breakdown green, outro violet.
pub fn role_colour(role: Role) -> [u8; 3] {
    match role {
        Role::Intro => [60, 130, 255],
        Role::Buildup => [255, 160, 30],
        Role::Drop => [235, 50, 50],
        Role::Breakdown => [40, 200, 130],
        Role::Outro => [170, 110, 255],
    }
}

/// The role as a cue or title word: `Intro`, `Build-up`, `Drop`, `Breakdown`, `Outro`.
pub fn role_title(role: Role) -> &'static str {
    match role {
        Role::Intro => "Intro",
        Role::Buildup => "Build-up",
        Role::Drop => "Drop",
        Role::Breakdown => "Breakdown",
        Role::Outro => "Outro",
    }
}

/// The cue name of a segment: its role and group, `Drop B`.
pub fn cue_name(segment: &Segment) -> String {
    let group = one_line(&segment.group);
    if group.is_empty() {
        role_title(segment.label).to_string()
    } else {
        format!("{} {group}", role_title(segment.label))
    }
}

/// The [`Structure`] as one JSON object on one line, with a `file` field first.
pub fn json(structure: &Structure, file: &str) -> Result<String> {
    check_structure(structure)?;
    #[derive(Serialize)]
    struct Doc<'a> {
        file: &'a str,
        #[serde(flatten)]
        structure: &'a Structure,
    }
    to_json_line(&Doc { file, structure })
}

/// CSV with the header `start_s,end_s,label,group,bars,confidence` and one row per segment
/// (times with 6 decimals, confidence with 3; a group holding a comma or quote is quoted).
pub fn csv(structure: &Structure) -> Result<String> {
    check_structure(structure)?;
    let mut out = String::from("start_s,end_s,label,group,bars,confidence\n");
    for s in &structure.segments {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            fixed(s.start_s, 6),
            fixed(s.end_s, 6),
            s.label,
            csv_field(&s.group),
            s.bars,
            fixed(s.confidence, 3)
        );
    }
    Ok(out)
}

/// An Audacity label track (File > Import > Labels): per segment a region label
/// `start<TAB>end<TAB>role group` in seconds (6 decimals), e.g. `drop B`.
pub fn audacity_labels(structure: &Structure) -> Result<String> {
    check_structure(structure)?;
    let mut out = String::new();
    for s in &structure.segments {
        let group = one_line(&s.group);
        let label = if group.is_empty() { s.label.to_string() } else { format!("{} {group}", s.label) };
        let _ = writeln!(out, "{}\t{}\t{label}", fixed(s.start_s, 6), fixed(s.end_s, 6));
    }
    Ok(out)
}

/// A rekordbox collection XML (File > Import > rekordbox xml) holding the one track at
/// `audio_path` (absolute): its beat grid from `rhythm` (one `TEMPO` per grid section, as
/// [`crate::rhythm::export::rekordbox_xml`] writes it), a memory cue at every segment start and
/// hot cues A–H at the first [`HOT_CUES`] segment starts, named by [`cue_name`] and coloured by
/// [`role_colour`].
///
/// Errors: a structure or rhythm with non-finite or unordered times, a relative path, a rhythm
/// without a grid section (fewer than two beats).
pub fn rekordbox_xml(structure: &Structure, rhythm: &Rhythm, audio_path: &Path) -> Result<String> {
    check_structure(structure)?;
    let mark = |s: &Segment, num: i32| PositionMark {
        name: cue_name(s),
        start_s: s.start_s,
        num,
        rgb: Some(role_colour(s.label)),
    };
    let memory = structure.segments.iter().map(|s| mark(s, -1));
    let hot = structure.segments.iter().take(HOT_CUES).zip(0..).map(|(s, num)| mark(s, num));
    let marks: Vec<PositionMark> = memory.chain(hot).collect();
    rekordbox_document(rhythm, audio_path, &marks)
}

/// A JAMS document (jams 0.3.5) on one line: `file_metadata` (title, `duration_s`) and two
/// `segment_open` annotations, one observation per segment (time = start, duration = length,
/// confidence = the segment's): the first with the roles as values (`annotation_metadata`
/// `annotation_rules` says `role`), the second with the repetition groups (`group`).
pub fn jams(structure: &Structure, duration_s: f64, title: &str) -> Result<String> {
    check_structure(structure)?;
    if !(duration_s.is_finite() && duration_s >= 0.0) {
        return Err(Error::InvalidParameter(format!("track duration {duration_s} s")));
    }
    let metadata = |rules: &str| {
        json!({
            "curator": { "name": "", "email": "" },
            "annotator": {},
            "version": VERSION,
            "corpus": "",
            "annotation_tools": format!("technob {VERSION}"),
            "annotation_rules": rules,
            "validation": "",
            "data_source": "technob (automatic)",
        })
    };
    let observations = |value: &dyn Fn(&Segment) -> String| -> Value {
        structure
            .segments
            .iter()
            .map(|s| {
                json!({
                    "time": s.start_s,
                    "duration": s.end_s - s.start_s,
                    "value": value(s),
                    "confidence": s.confidence.clamp(0.0, 1.0),
                })
            })
            .collect()
    };
    let annotation = |rules: &str, data: Value| {
        json!({
            "annotation_metadata": metadata(rules),
            "namespace": "segment_open",
            "data": data,
            "sandbox": {},
            "time": 0.0,
            "duration": duration_s,
        })
    };
    let roles = observations(&|s| s.label.as_str().to_string());
    let groups = observations(&|s| s.group.clone());
    let doc = json!({
        "file_metadata": {
            "title": title,
            "artist": "",
            "release": "",
            "duration": duration_s,
            "identifiers": {},
            "jams_version": JAMS_VERSION,
        },
        "annotations": [annotation("role", roles), annotation("group", groups)],
        "sandbox": {},
    });
    to_json_line(&doc)
}

/// Intervals (from [`super::split_on_silence`] or [`super::bar_chunks`]) as one JSON object on
/// one line: `{"file": ..., "segments": [{"start_s": ..., "end_s": ...}, ...]}`.
pub fn intervals_json(intervals: &[Interval], file: &str) -> Result<String> {
    check_intervals(intervals)?;
    to_json_line(&json!({ "file": file, "segments": intervals }))
}

/// Intervals as CSV with the header `start_s,end_s,label`, the label numbering them from 1.
pub fn intervals_csv(intervals: &[Interval]) -> Result<String> {
    check_intervals(intervals)?;
    let mut out = String::from("start_s,end_s,label\n");
    for (i, s) in intervals.iter().enumerate() {
        let _ = writeln!(out, "{},{},{}", fixed(s.start_s, 6), fixed(s.end_s, 6), i + 1);
    }
    Ok(out)
}

/// Intervals as an Audacity label track: region labels numbered from 1.
pub fn intervals_labels(intervals: &[Interval]) -> Result<String> {
    check_intervals(intervals)?;
    let mut out = String::new();
    for (i, s) in intervals.iter().enumerate() {
        let _ = writeln!(out, "{}\t{}\t{}", fixed(s.start_s, 6), fixed(s.end_s, 6), i + 1);
    }
    Ok(out)
}

/// Export intervals as `format` ([`ExportFormat::supports_intervals`]: JSON, CSV or labels).
pub fn export_intervals(intervals: &[Interval], format: ExportFormat, file: &Path) -> Result<String> {
    match format {
        ExportFormat::Json => intervals_json(intervals, &file.display().to_string()),
        ExportFormat::Csv => intervals_csv(intervals),
        ExportFormat::Labels => intervals_labels(intervals),
        ExportFormat::Rekordbox | ExportFormat::Jams => Err(Error::InvalidParameter(format!(
            "--format {format} needs labelled segments (the techno method); plain segments export as json, \
             csv or labels"
        ))),
    }
}

fn to_json_line<T: Serialize>(doc: &T) -> Result<String> {
    let mut out =
        serde_json::to_string(doc).map_err(|e| Error::Output(format!("cannot serialise JSON: {e}")))?;
    out.push('\n');
    Ok(out)
}

/// `s` on one line: control characters (tabs, line ends) become spaces, ends trimmed.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line end.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Times must be finite, 0 ≤ start ≤ end, and the spans in order without overlapping.
fn check_spans(spans: impl Iterator<Item = (f64, f64)>, what: &str) -> Result<()> {
    let mut last_end = 0.0f64;
    for (i, (start, end)) in spans.enumerate() {
        if !(start.is_finite() && end.is_finite() && start >= 0.0 && end >= start) {
            return Err(Error::InvalidParameter(format!("{what} {i} spans {start}..{end} s")));
        }
        // A microsecond of slack: boundaries computed twice may differ in the last bits.
        if start < last_end - 1e-6 {
            return Err(Error::InvalidParameter(format!(
                "{what} {i} starts at {start} s, before the previous one ends ({last_end} s)"
            )));
        }
        last_end = end;
    }
    Ok(())
}

fn check_structure(structure: &Structure) -> Result<()> {
    check_spans(structure.segments.iter().map(|s| (s.start_s, s.end_s)), "segment")?;
    if let Some((i, s)) = structure.segments.iter().enumerate().find(|(_, s)| !s.confidence.is_finite()) {
        return Err(Error::InvalidParameter(format!("segment {i} has confidence {}", s.confidence)));
    }
    Ok(())
}

fn check_intervals(intervals: &[Interval]) -> Result<()> {
    check_spans(intervals.iter().map(|s| (s.start_s, s.end_s)), "interval")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;
    use crate::rhythm::{Beat, GridFit, GridSection, TempoEstimate};

    /// 10 segments over 128-BPM bars (1.875 s) from 0.5 s: intro A, buildup B, drop C, ...
    fn structure() -> Structure {
        let bar = 60.0 / 128.0 * 4.0;
        let plan: [(Role, &str, u32); 10] = [
            (Role::Intro, "A", 16),
            (Role::Buildup, "B", 8),
            (Role::Drop, "C", 32),
            (Role::Breakdown, "D", 16),
            (Role::Buildup, "B", 8),
            (Role::Drop, "C", 32),
            (Role::Breakdown, "D", 8),
            (Role::Drop, "C", 16),
            (Role::Drop, "E, \"x\"", 8),
            (Role::Outro, "A", 16),
        ];
        let mut first_bar = 0usize;
        let segments = plan
            .iter()
            .enumerate()
            .map(|(i, &(label, group, bars))| {
                let s = Segment {
                    start_s: 0.5 + first_bar as f64 * bar,
                    end_s: 0.5 + (first_bar + bars as usize) as f64 * bar,
                    label,
                    group: group.to_string(),
                    bars,
                    first_bar,
                    confidence: 0.5 + 0.05 * i as f64,
                };
                first_bar += bars as usize;
                s
            })
            .collect();
        Structure {
            segments,
            bar_starts_s: (0..=first_bar).map(|b| 0.5 + b as f64 * bar).collect(),
            novelty: vec![0.0; first_bar + 1],
            downbeats_known: true,
        }
    }

    fn rhythm(structure: &Structure) -> Rhythm {
        let end = structure.segments.last().map_or(1.0, |s| s.end_s);
        let n = ((end - 0.5) / (60.0 / 128.0)).round() as usize + 1;
        let beats: Vec<Beat> = (0..n)
            .map(|i| Beat { time_s: 0.5 + i as f64 * 60.0 / 128.0, position: (i % 4) as u32 + 1 })
            .collect();
        Rhythm {
            tempo: TempoEstimate { bpm: 128.0, confidence: 0.9 },
            grid: Some(GridFit { bpm: 128.0, first_beat_s: 0.5, first_downbeat_s: 0.5, max_drift_ms: 0.0 }),
            sections: vec![GridSection {
                start_s: 0.5,
                end_s: end,
                bpm: 128.0,
                first_position: 1,
                beats: n,
                max_drift_ms: 0.0,
            }],
            beats,
            beats_per_bar: 4,
            duration_s: end + 2.0,
        }
    }

    /// Every element of `xml` named `name`, as its attribute map.
    fn elements(xml: &str, name: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                    out.push(
                        e.attributes()
                            .map(|a| {
                                let a = a.unwrap();
                                let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                                (key, a.unescape_value().unwrap().into_owned())
                            })
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn rekordbox_has_a_memory_cue_per_segment_and_eight_hot_cues() {
        let st = structure();
        let xml = rekordbox_xml(&st, &rhythm(&st), Path::new("/Music/My Track.wav")).unwrap();
        assert_eq!(elements(&xml, "TEMPO").len(), 1);
        let marks = elements(&xml, "POSITION_MARK");
        let memory: Vec<_> = marks.iter().filter(|m| m["Num"] == "-1").collect();
        let hot: Vec<_> = marks.iter().filter(|m| m["Num"] != "-1").collect();
        assert_eq!(memory.len(), st.segments.len());
        assert_eq!(hot.len(), HOT_CUES);
        for (m, s) in memory.iter().zip(&st.segments) {
            let start: f64 = m["Start"].parse().unwrap();
            assert!((start - s.start_s).abs() <= 0.0005, "{m:?} vs {}", s.start_s);
            assert_eq!(m["Type"], "0");
            assert_eq!(m["Name"], cue_name(s));
            let rgb = role_colour(s.label);
            assert_eq!([&m["Red"], &m["Green"], &m["Blue"]], rgb.map(|c| c.to_string()).each_ref());
        }
        for (k, (m, s)) in hot.iter().zip(&st.segments).enumerate() {
            assert_eq!(m["Num"], k.to_string());
            assert_eq!(m["Start"], fixed(s.start_s, 3));
        }
        assert_eq!(hot[2]["Name"], "Drop C");
        assert_eq!(hot[1]["Name"], "Build-up B");
        // The group with a comma and quotes survives XML escaping.
        assert_eq!(memory[8]["Name"], "Drop E, \"x\"");
        // A short structure: as many hot cues as segments.
        let mut short = st.clone();
        short.segments.truncate(3);
        let xml = rekordbox_xml(&short, &rhythm(&st), Path::new("/a.wav")).unwrap();
        assert_eq!(elements(&xml, "POSITION_MARK").len(), 6);
        // Relative paths and rhythms without a grid are refused.
        assert!(rekordbox_xml(&st, &rhythm(&st), Path::new("a.wav")).is_err());
        let mut no_grid = rhythm(&st);
        no_grid.sections.clear();
        assert!(rekordbox_xml(&st, &no_grid, Path::new("/a.wav")).is_err());
    }

    #[test]
    fn the_beat_grid_export_is_unchanged_by_the_cues() {
        // With no marks, the rhythm's own rekordbox export: no POSITION_MARK.
        let st = structure();
        let r = rhythm(&st);
        let plain = crate::rhythm::export::rekordbox_xml(&r, Path::new("/a.wav")).unwrap();
        let with = rekordbox_xml(&st, &r, Path::new("/a.wav")).unwrap();
        assert!(!plain.contains("POSITION_MARK"));
        let strip: String =
            with.lines().filter(|l| !l.contains("POSITION_MARK")).map(|l| format!("{l}\n")).collect();
        assert_eq!(strip, plain);
    }

    #[test]
    fn csv_and_labels_round_trip() {
        let st = structure();
        let text = csv(&st).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("start_s,end_s,label,group,bars,confidence"));
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), st.segments.len());
        for (row, s) in rows.iter().zip(&st.segments) {
            let fields: Vec<&str> = row.splitn(4, ',').collect();
            assert!((fields[0].parse::<f64>().unwrap() - s.start_s).abs() < 1e-6);
            assert!((fields[1].parse::<f64>().unwrap() - s.end_s).abs() < 1e-6);
            assert_eq!(fields[2], s.label.as_str());
            let tail = fields[3];
            let (bars, confidence) = {
                let mut r = tail.rsplitn(3, ',');
                let c: f64 = r.next().unwrap().parse().unwrap();
                let b: u32 = r.next().unwrap().parse().unwrap();
                (b, c)
            };
            assert_eq!(bars, s.bars);
            assert!((confidence - s.confidence).abs() <= 0.0005);
        }
        assert!(rows[8].contains(",\"E, \"\"x\"\"\","), "{}", rows[8]);
        let labels = audacity_labels(&st).unwrap();
        let lines: Vec<Vec<&str>> = labels.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(lines.len(), st.segments.len());
        assert!(lines.iter().all(|l| l.len() == 3));
        assert_eq!(lines[2][2], "drop C");
        assert_eq!(lines[1][2], "buildup B");
        assert_eq!(lines[9][0], fixed(st.segments[9].start_s, 6));
    }

    #[test]
    fn json_and_jams_parse_back() {
        let st = structure();
        let doc: Value = serde_json::from_str(&json(&st, "x.wav").unwrap()).unwrap();
        assert_eq!(doc["file"], "x.wav");
        let segs = doc["segments"].as_array().unwrap();
        assert_eq!(segs.len(), st.segments.len());
        assert_eq!(segs[3]["label"], "breakdown");
        assert_eq!(segs[3]["group"], "D");
        assert_eq!(segs[3]["bars"], 16);
        assert_eq!(doc["downbeats_known"], true);

        let text = jams(&st, 200.0, "x.wav").unwrap();
        assert!(text.ends_with("}\n") && text.lines().count() == 1);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["file_metadata"]["jams_version"], JAMS_VERSION);
        assert_eq!(doc["file_metadata"]["duration"], 200.0);
        let annotations = doc["annotations"].as_array().unwrap();
        assert_eq!(annotations.len(), 2);
        for (a, rules) in annotations.iter().zip(["role", "group"]) {
            assert_eq!(a["namespace"], "segment_open");
            assert_eq!(a["annotation_metadata"]["annotation_rules"], rules);
            let data = a["data"].as_array().unwrap();
            assert_eq!(data.len(), st.segments.len());
            for (o, s) in data.iter().zip(&st.segments) {
                assert_eq!(o["time"].as_f64().unwrap(), s.start_s);
                assert!((o["duration"].as_f64().unwrap() - (s.end_s - s.start_s)).abs() < 1e-12);
                assert_eq!(o["confidence"].as_f64().unwrap(), s.confidence);
            }
        }
        assert_eq!(annotations[0]["data"][7]["value"], "drop");
        assert_eq!(annotations[1]["data"][7]["value"], "C");
        assert!(jams(&st, f64::NAN, "x").is_err());
    }

    #[test]
    fn output_is_deterministic_and_bad_structures_are_refused() {
        let st = structure();
        let r = rhythm(&st);
        for f in ExportFormat::ALL {
            let a = export(&st, &r, f, Path::new("/m/x.wav")).unwrap();
            assert_eq!(a, export(&st, &r, f, Path::new("/m/x.wav")).unwrap(), "{f}");
            assert!(a.ends_with('\n'), "{f}");
        }
        let mut bad = st.clone();
        bad.segments[2].end_s = f64::NAN;
        let mut overlap = st.clone();
        overlap.segments[3].start_s -= 1.0;
        let mut backwards = st.clone();
        backwards.segments[0].end_s = backwards.segments[0].start_s - 1.0;
        let mut confidence = st.clone();
        confidence.segments[0].confidence = f64::INFINITY;
        for b in [bad, overlap, backwards, confidence] {
            for f in ExportFormat::ALL {
                let err = export(&b, &r, f, Path::new("/m/x.wav")).unwrap_err();
                assert!(err.is_input_error(), "{f}: {err}");
            }
        }
        // An empty structure exports as empty documents.
        let empty = Structure { segments: vec![], ..st };
        assert_eq!(csv(&empty).unwrap(), "start_s,end_s,label,group,bars,confidence\n");
        assert_eq!(audacity_labels(&empty).unwrap(), "");
    }

    #[test]
    fn intervals_export_in_json_csv_and_labels() {
        let iv = [Interval { start_s: 0.25, end_s: 3.5 }, Interval { start_s: 4.0, end_s: 9.125 }];
        assert_eq!(
            intervals_csv(&iv).unwrap(),
            "start_s,end_s,label\n0.250000,3.500000,1\n4.000000,9.125000,2\n"
        );
        assert_eq!(intervals_labels(&iv).unwrap(), "0.250000\t3.500000\t1\n4.000000\t9.125000\t2\n");
        let doc: Value = serde_json::from_str(&intervals_json(&iv, "y.wav").unwrap()).unwrap();
        assert_eq!(doc["file"], "y.wav");
        assert_eq!(doc["segments"][1]["end_s"], 9.125);
        for f in ExportFormat::ALL {
            assert_eq!(export_intervals(&iv, f, Path::new("/y.wav")).is_ok(), f.supports_intervals(), "{f}");
        }
        let bad = [Interval { start_s: 2.0, end_s: 1.0 }];
        assert!(intervals_csv(&bad).is_err());
        let overlapping = [Interval { start_s: 0.0, end_s: 2.0 }, Interval { start_s: 1.0, end_s: 3.0 }];
        assert!(intervals_labels(&overlapping).is_err());
    }

    #[test]
    fn format_names_round_trip() {
        for f in ExportFormat::ALL {
            assert_eq!(f.name().parse::<ExportFormat>().unwrap(), f);
            assert_eq!(ExportFormat::from_extension(f.extension()), Some(f));
            assert_eq!(f.to_string(), f.name());
        }
        assert!("traktor".parse::<ExportFormat>().unwrap_err().is_input_error());
        assert!(ExportFormat::Rekordbox.needs_audio_path() && !ExportFormat::Jams.needs_audio_path());
    }
}
