//! Beat-grid exports: CSV, Audacity labels, rekordbox XML, Traktor NML, JAMS and JSON.
//!
//! Every writer returns the whole document as a `String` (UTF-8, `\n` line ends, a final
//! newline) and writes nothing: the caller saves it, e.g. with [`crate::io::write_bytes`]. The
//! same [`Rhythm`] always gives the same bytes (no dates, no random ids).
//!
//! The DJ formats ([`rekordbox_xml`], [`traktor_nml`]) name the audio file, so they take its
//! absolute path (`/Users/me/x.wav`, `/Volumes/USB/x.wav`, `C:\Music\x.wav`); resolving a
//! relative path is the caller's job. The path is read the same way on every OS.
//!
//! Formats followed:
//! * rekordbox: Pioneer DJ's "rekordbox XML format" element list (rekordbox for developers),
//!   as transcribed by pyrekordbox's `docs/formats/xml.md`: `DJ_PLAYLISTS` > `PRODUCT`,
//!   `COLLECTION` > `TRACK` > `TEMPO`, `PLAYLISTS` > `NODE`. One `TEMPO` per [`GridSection`].
//! * Traktor: `collection.nml` as Traktor writes it (`NML VERSION="19"`, `LOCATION` in the
//!   `/:dir/:` syntax, `TEMPO`, an `AutoGrid` `CUE_V2` of `TYPE="4"` with `START` in ms), after
//!   the fixtures of traktor-nml-utils and Mixxx's Traktor library reader.
//! * JAMS: the jams 0.3 schema (`file_metadata`, `annotations` in the `beat` and `tempo`
//!   namespaces, `sandbox`).
//!
//! [`GridSection`]: super::GridSection

use std::fmt::{self, Write as _};
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Value, json};

use super::Rhythm;
use crate::{Error, Result};

/// technob's version, written into every export that has a place for it.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The JAMS version our documents follow (checked with the `jams` 0.3.5 Python package).
pub(crate) const JAMS_VERSION: &str = "0.3.5";

/// A file format the beat grid can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The whole [`Rhythm`] plus the file name, as JSON on one line.
    Json,
    /// One row per beat: `time_s,position,is_downbeat`.
    Csv,
    /// An Audacity label track: one point label per beat, the label is its bar position.
    Labels,
    /// rekordbox collection XML: the track with one `TEMPO` per grid section.
    Rekordbox,
    /// Traktor collection NML: the track with its BPM and the `AutoGrid` marker.
    Traktor,
    /// JAMS (JSON Annotated Music Specification): `beat` and `tempo` annotations.
    Jams,
}

impl ExportFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Json,
        ExportFormat::Csv,
        ExportFormat::Labels,
        ExportFormat::Rekordbox,
        ExportFormat::Traktor,
        ExportFormat::Jams,
    ];

    /// The name used on the command line (`json`, `csv`, `labels`, `rekordbox`, `traktor`, `jams`).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Labels => "labels",
            ExportFormat::Rekordbox => "rekordbox",
            ExportFormat::Traktor => "traktor",
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
            ExportFormat::Traktor => "nml",
            ExportFormat::Jams => "jams",
        }
    }

    /// The format a file extension stands for (case-insensitive), if any.
    pub fn from_extension(ext: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.extension().eq_ignore_ascii_case(ext))
    }

    /// True for the DJ formats, which need the absolute path of the audio file.
    pub fn needs_audio_path(self) -> bool {
        matches!(self, ExportFormat::Rekordbox | ExportFormat::Traktor)
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
                "unknown export format '{s}' (expected json, csv, labels, rekordbox, traktor or jams)"
            ))
        })
    }
}

/// Export `rhythm` of the audio file `file` as `format`.
///
/// `file` is what the JSON `file` field says and where the JAMS title (its last component)
/// comes from; the DJ formats need it absolute.
pub fn export(rhythm: &Rhythm, format: ExportFormat, file: &Path) -> Result<String> {
    match format {
        ExportFormat::Json => json(rhythm, &file.display().to_string()),
        ExportFormat::Csv => csv(rhythm),
        ExportFormat::Labels => audacity_labels(rhythm),
        ExportFormat::Rekordbox => rekordbox_xml(rhythm, file),
        ExportFormat::Traktor => traktor_nml(rhythm, file),
        ExportFormat::Jams => jams(rhythm, &file_title(file)),
    }
}

/// The [`Rhythm`] as one JSON object on one line, with a `file` field first.
pub fn json(rhythm: &Rhythm, file: &str) -> Result<String> {
    check_rhythm(rhythm)?;
    #[derive(Serialize)]
    struct Doc<'a> {
        file: &'a str,
        #[serde(flatten)]
        rhythm: &'a Rhythm,
    }
    let mut out = serde_json::to_string(&Doc { file, rhythm })
        .map_err(|e| Error::Output(format!("cannot serialise JSON: {e}")))?;
    out.push('\n');
    Ok(out)
}

/// CSV with the header `time_s,position,is_downbeat` and one row per beat (times with 6
/// decimals, `is_downbeat` is `true` or `false`).
pub fn csv(rhythm: &Rhythm) -> Result<String> {
    check_rhythm(rhythm)?;
    let mut out = String::from("time_s,position,is_downbeat\n");
    for b in &rhythm.beats {
        let _ = writeln!(out, "{},{},{}", fixed(b.time_s, 6), b.position, b.position == 1);
    }
    Ok(out)
}

/// An Audacity label track (File > Import > Labels): per beat a point label
/// `start<TAB>end<TAB>label` with `start == end` in seconds (6 decimals) and the bar position
/// as the label, so downbeats read `1`.
pub fn audacity_labels(rhythm: &Rhythm) -> Result<String> {
    check_rhythm(rhythm)?;
    let mut out = String::new();
    for b in &rhythm.beats {
        let t = fixed(b.time_s, 6);
        let _ = writeln!(out, "{t}\t{t}\t{}", b.position);
    }
    Ok(out)
}

/// A rekordbox collection XML (File > Import > rekordbox xml) holding the one track at
/// `audio_path` (absolute), with its beat grid: one `TEMPO` per grid section, `Inizio` the
/// section start in seconds (3 decimals), `Bpm` its tempo (2 decimals), `Metro` the meter and
/// `Battito` the bar position of the beat at `Inizio`.
///
/// Fails with [`Error::InvalidInput`] when the rhythm has no grid section (fewer than two beats).
pub fn rekordbox_xml(rhythm: &Rhythm, audio_path: &Path) -> Result<String> {
    rekordbox_document(rhythm, audio_path, &[])
}

/// A rekordbox `POSITION_MARK`: a memory cue (`num` −1) or hot cue (`num` 0–7, A–H), of type
/// cue (`Type="0"`), with an optional colour (`Red`/`Green`/`Blue`, as rekordbox writes them).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PositionMark {
    pub(crate) name: String,
    pub(crate) start_s: f64,
    pub(crate) num: i32,
    pub(crate) rgb: Option<[u8; 3]>,
}

/// [`rekordbox_xml`] with `marks` written after the `TEMPO`s of the track.
pub(crate) fn rekordbox_document(
    rhythm: &Rhythm,
    audio_path: &Path,
    marks: &[PositionMark],
) -> Result<String> {
    check_rhythm(rhythm)?;
    let path = DjPath::parse(audio_path)?;
    if rhythm.sections.is_empty() {
        return Err(no_grid());
    }
    let average_bpm = rhythm.grid.as_ref().map_or(rhythm.tempo.bpm, |g| g.bpm);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<DJ_PLAYLISTS Version=\"1.0.0\">\n");
    let _ = writeln!(x, "  <PRODUCT Name=\"technob\" Version=\"{}\" Company=\"technob\"/>", escape(VERSION));
    x.push_str("  <COLLECTION Entries=\"1\">\n");
    let kind = path.kind().map(|k| format!(" Kind=\"{}\"", escape(&k))).unwrap_or_default();
    let _ = writeln!(
        x,
        "    <TRACK TrackID=\"1\" Name=\"{}\"{kind} TotalTime=\"{}\" AverageBpm=\"{}\" Location=\"{}\">",
        escape(path.stem()),
        rhythm.duration_s.round() as u64,
        fixed(average_bpm, 2),
        escape(&path.file_url()),
    );
    for s in &rhythm.sections {
        let _ = writeln!(
            x,
            "      <TEMPO Inizio=\"{}\" Bpm=\"{}\" Metro=\"{}/4\" Battito=\"{}\"/>",
            fixed(s.start_s, 3),
            fixed(s.bpm, 2),
            rhythm.beats_per_bar,
            s.first_position
        );
    }
    for m in marks {
        let colour =
            m.rgb.map(|[r, g, b]| format!(" Red=\"{r}\" Green=\"{g}\" Blue=\"{b}\"")).unwrap_or_default();
        let _ = writeln!(
            x,
            "      <POSITION_MARK Name=\"{}\" Type=\"0\" Start=\"{}\" Num=\"{}\"{colour}/>",
            escape(&m.name),
            fixed(m.start_s, 3),
            m.num
        );
    }
    x.push_str("    </TRACK>\n  </COLLECTION>\n");
    x.push_str("  <PLAYLISTS>\n    <NODE Type=\"0\" Name=\"ROOT\" Count=\"0\"/>\n  </PLAYLISTS>\n");
    x.push_str("</DJ_PLAYLISTS>\n");
    Ok(x)
}

/// A Traktor collection NML (Import Collection) holding the one track at `audio_path`
/// (absolute), with the whole-track grid: `TEMPO BPM` and an `AutoGrid` marker (`CUE_V2
/// TYPE="4"`) at the first downbeat, `START` in milliseconds.
///
/// Traktor keeps one tempo per track, so a track with several tempo sections gets the
/// whole-track grid ([`Rhythm::grid`]). `LOCATION` uses Traktor's syntax: `VOLUME` is the drive
/// (`C:`) or, under `/Volumes/<name>/`, the macOS volume name; other POSIX paths get an empty
/// `VOLUME` and the full directory. Fails with [`Error::InvalidInput`] without a grid.
pub fn traktor_nml(rhythm: &Rhythm, audio_path: &Path) -> Result<String> {
    check_rhythm(rhythm)?;
    let path = DjPath::parse(audio_path)?;
    let grid = rhythm.grid.as_ref().ok_or_else(no_grid)?;
    let (volume, dir) = path.traktor_location();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n");
    x.push_str("<NML VERSION=\"19\">\n");
    // The HEAD Traktor itself writes and reads.
    x.push_str("  <HEAD COMPANY=\"www.native-instruments.com\" PROGRAM=\"Traktor\"/>\n");
    x.push_str("  <COLLECTION ENTRIES=\"1\">\n");
    let _ = writeln!(x, "    <ENTRY TITLE=\"{}\">", escape(path.stem()));
    let _ = writeln!(
        x,
        "      <LOCATION DIR=\"{}\" FILE=\"{}\" VOLUME=\"{}\"/>",
        escape(&dir),
        escape(&path.file),
        escape(&volume)
    );
    let _ = writeln!(
        x,
        "      <INFO PLAYTIME=\"{}\" PLAYTIME_FLOAT=\"{}\" COMMENT=\"beat grid: technob {}\"/>",
        rhythm.duration_s.round() as u64,
        fixed(rhythm.duration_s, 6),
        escape(VERSION)
    );
    let _ = writeln!(x, "      <TEMPO BPM=\"{}\" BPM_QUALITY=\"100.000000\"/>", fixed(grid.bpm, 6));
    let _ = writeln!(
        x,
        "      <CUE_V2 NAME=\"AutoGrid\" DISPL_ORDER=\"0\" TYPE=\"4\" START=\"{}\" LEN=\"0.000000\" \
         REPEATS=\"-1\" HOTCUE=\"0\"/>",
        fixed(grid.first_downbeat_s * 1000.0, 6)
    );
    x.push_str("    </ENTRY>\n  </COLLECTION>\n</NML>\n");
    Ok(x)
}

/// A JAMS document (jams 0.3) on one line: `file_metadata` (title, duration), a `beat`
/// annotation (one observation per beat: duration 0, value = bar position, confidence null)
/// and a `tempo` annotation (one observation over the whole track: value = BPM, confidence),
/// each naming technob and its version in `annotation_metadata`.
pub fn jams(rhythm: &Rhythm, title: &str) -> Result<String> {
    check_rhythm(rhythm)?;
    let duration = rhythm.duration_s;
    let metadata = json!({
        "curator": { "name": "", "email": "" },
        "annotator": {},
        "version": VERSION,
        "corpus": "",
        "annotation_tools": format!("technob {VERSION}"),
        "annotation_rules": "",
        "validation": "",
        "data_source": "technob (automatic)",
    });
    let beats: Vec<Value> = rhythm
        .beats
        .iter()
        .map(|b| json!({ "time": b.time_s, "duration": 0.0, "value": b.position, "confidence": null }))
        .collect();
    let tempo = json!([{
        "time": 0.0,
        "duration": duration,
        "value": rhythm.tempo.bpm,
        "confidence": rhythm.tempo.confidence.clamp(0.0, 1.0),
    }]);
    let annotation = |namespace: &str, data: Value| {
        json!({
            "annotation_metadata": metadata,
            "namespace": namespace,
            "data": data,
            "sandbox": {},
            "time": 0.0,
            "duration": duration,
        })
    };
    let doc = json!({
        "file_metadata": {
            "title": title,
            "artist": "",
            "release": "",
            "duration": duration,
            "identifiers": {},
            "jams_version": JAMS_VERSION,
        },
        "annotations": [annotation("beat", Value::Array(beats)), annotation("tempo", tempo)],
        "sandbox": {},
    });
    let mut out =
        serde_json::to_string(&doc).map_err(|e| Error::Output(format!("cannot serialise JAMS: {e}")))?;
    out.push('\n');
    Ok(out)
}

/// The last component of `file` (the whole of it when it has none).
pub(crate) fn file_title(file: &Path) -> String {
    file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn no_grid() -> Error {
    Error::InvalidInput("no beat grid to export: fewer than two beats were tracked".into())
}

/// Reject a rhythm no export can write faithfully (non-finite numbers, negative times, bar
/// positions outside the meter).
fn check_rhythm(r: &Rhythm) -> Result<()> {
    let bad = |what: String| Err(Error::InvalidParameter(format!("rhythm: {what}")));
    if r.beats_per_bar == 0 {
        return bad("beats_per_bar is 0".into());
    }
    if !(r.duration_s.is_finite() && r.duration_s >= 0.0) {
        return bad(format!("duration {} s", r.duration_s));
    }
    if !(r.tempo.bpm.is_finite() && r.tempo.bpm >= 0.0 && r.tempo.confidence.is_finite()) {
        return bad(format!("tempo {} BPM, confidence {}", r.tempo.bpm, r.tempo.confidence));
    }
    let position_ok = |p: u32| (1..=r.beats_per_bar).contains(&p);
    for (i, b) in r.beats.iter().enumerate() {
        if !(b.time_s.is_finite() && b.time_s >= 0.0 && position_ok(b.position)) {
            return bad(format!("beat {i} at {} s, bar position {}", b.time_s, b.position));
        }
    }
    if let Some(g) = &r.grid {
        let finite =
            [g.bpm, g.first_beat_s, g.first_downbeat_s, g.max_drift_ms].iter().all(|x| x.is_finite());
        if !finite || g.bpm <= 0.0 || g.first_downbeat_s < 0.0 {
            return bad(format!("grid {} BPM, first downbeat {} s", g.bpm, g.first_downbeat_s));
        }
    }
    for (i, s) in r.sections.iter().enumerate() {
        let finite = [s.start_s, s.end_s, s.bpm, s.max_drift_ms].iter().all(|x| x.is_finite());
        if !finite || s.bpm <= 0.0 || s.start_s < 0.0 || !position_ok(s.first_position) {
            return bad(format!(
                "section {i} from {} s at {} BPM, bar position {}",
                s.start_s, s.bpm, s.first_position
            ));
        }
    }
    Ok(())
}

/// `x` with `decimals` decimals; never `-0.000`.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x);
    if s.starts_with('-') && s[1..].bytes().all(|c| c == b'0' || c == b'.') { s[1..].to_string() } else { s }
}

/// Escape text for an XML attribute value (`&`, `<`, `>`, quotes, and the whitespace that
/// attribute normalisation would otherwise turn into spaces).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a path component for a `file://` URL: every byte of its UTF-8 other than
/// `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An absolute audio file path split the way DJ software stores it.
#[derive(Debug, PartialEq)]
struct DjPath {
    /// Windows drive (`C:`), if any.
    drive: Option<String>,
    /// Directories from the root down.
    dirs: Vec<String>,
    /// File name.
    file: String,
}

impl DjPath {
    /// Parse `/a/b/c.wav` (POSIX) or `C:\a\b\c.wav` / `C:/a/b/c.wav` (Windows) on any OS.
    fn parse(path: &Path) -> Result<DjPath> {
        let shown = path.display();
        let s = path
            .to_str()
            .ok_or_else(|| Error::InvalidParameter(format!("{shown}: the path is not valid UTF-8")))?;
        if s.chars().any(char::is_control) {
            return Err(Error::InvalidParameter(format!(
                "{shown}: the path holds a control character, which XML cannot store"
            )));
        }
        let b = s.as_bytes();
        let (drive, rest, separators): (_, _, &[char]) =
            if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/') {
                (Some(s[..2].to_ascii_uppercase()), &s[2..], &['\\', '/'])
            } else if s.starts_with('/') {
                (None, s, &['/'])
            } else {
                return Err(Error::InvalidParameter(format!(
                    "{shown}: DJ software needs the absolute path of the audio file"
                )));
            };
        let mut parts: Vec<String> = Vec::new();
        for part in rest.split(separators) {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p.to_string()),
            }
        }
        let file = match (parts.pop(), rest.ends_with(separators)) {
            (Some(file), false) => file,
            _ => return Err(Error::InvalidParameter(format!("{shown}: not a file path"))),
        };
        Ok(DjPath { drive, dirs: parts, file })
    }

    /// The file name without its extension.
    fn stem(&self) -> &str {
        match self.file.rfind('.') {
            Some(i) if i > 0 => &self.file[..i],
            _ => &self.file,
        }
    }

    /// rekordbox's `Kind`: `WAV File`, `MP3 File`, ... from the extension.
    fn kind(&self) -> Option<String> {
        let i = self.file.rfind('.').filter(|&i| i > 0 && i + 1 < self.file.len())?;
        Some(format!("{} File", self.file[i + 1..].to_ascii_uppercase()))
    }

    /// `file://localhost/` + the percent-encoded path (`C:/...` keeps its drive colon).
    fn file_url(&self) -> String {
        let mut url = String::from("file://localhost/");
        if let Some(drive) = &self.drive {
            url.push_str(drive);
            url.push('/');
        }
        for d in &self.dirs {
            url.push_str(&percent_encode(d));
            url.push('/');
        }
        url.push_str(&percent_encode(&self.file));
        url
    }

    /// Traktor's `VOLUME` and `DIR` (`/:dir/:sub/:`).
    fn traktor_location(&self) -> (String, String) {
        let (volume, dirs) = match (&self.drive, self.dirs.as_slice()) {
            (Some(drive), dirs) => (drive.clone(), dirs),
            (None, [top, name, rest @ ..]) if top == "Volumes" => (name.clone(), rest),
            (None, dirs) => (String::new(), dirs),
        };
        let mut dir = String::from("/:");
        for d in dirs {
            dir.push_str(d);
            dir.push_str("/:");
        }
        (volume, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> DjPath {
        DjPath::parse(Path::new(s)).unwrap()
    }

    #[test]
    fn paths_split_the_same_way_on_every_os() {
        let p = parse("/Users/me/My Music/a&b.wav");
        assert_eq!(p.drive, None);
        assert_eq!(p.dirs, ["Users", "me", "My Music"]);
        assert_eq!(p.file_url(), "file://localhost/Users/me/My%20Music/a%26b.wav");
        assert_eq!(p.traktor_location(), (String::new(), "/:Users/:me/:My Music/:".to_string()));
        let p = parse(r"c:\Music\Deep\track.mp3");
        assert_eq!(p.file_url(), "file://localhost/C:/Music/Deep/track.mp3");
        assert_eq!(p.traktor_location(), ("C:".to_string(), "/:Music/:Deep/:".to_string()));
        assert_eq!(p.kind().as_deref(), Some("MP3 File"));
        let p = parse("/Volumes/USB Stick/./Sets/../Tracks/ü.flac");
        assert_eq!(p.traktor_location(), ("USB Stick".to_string(), "/:Tracks/:".to_string()));
        assert_eq!(p.file_url(), "file://localhost/Volumes/USB%20Stick/Tracks/%C3%BC.flac");
        assert_eq!(parse("/x.wav").traktor_location(), (String::new(), "/:".to_string()));
        assert_eq!(parse("/noext").kind(), None);
        for bad in ["track.wav", "Music/track.wav", "/", "/dir/", "C:track.wav", "/a\nb.wav"] {
            let err = DjPath::parse(Path::new(bad)).unwrap_err();
            assert!(matches!(err, Error::InvalidParameter(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn escaping_and_number_formatting() {
        assert_eq!(escape(r#"a&b<c>"d"'e'"#), "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;");
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-0.0, 6), "0.000000");
        assert_eq!(fixed(1.23456, 2), "1.23");
        assert_eq!(fixed(-1.5, 1), "-1.5");
    }

    #[test]
    fn format_names_round_trip() {
        for f in ExportFormat::ALL {
            assert_eq!(f.name().parse::<ExportFormat>().unwrap(), f);
            assert_eq!(ExportFormat::from_extension(f.extension()), Some(f));
            assert_eq!(f.to_string(), f.name());
        }
        assert_eq!("JAMS".parse::<ExportFormat>().unwrap(), ExportFormat::Jams);
        let err = "mp3".parse::<ExportFormat>().unwrap_err();
        assert!(err.is_input_error() && err.to_string().contains("rekordbox"), "{err}");
    }
}
