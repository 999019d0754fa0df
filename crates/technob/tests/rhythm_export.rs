//! Beat-grid exports and the click track, on hand-made rhythms: a steady track and one whose
//! tempo changes.
//!
//! The rekordbox XML and Traktor NML are parsed back with quick-xml and checked against the
//! documented structure ([`validate_rekordbox`], [`validate_traktor`]); JAMS against the jams
//! 0.3 layout. Set `TECHNOB_KEEP_EXPORTS=<dir>` to keep the documents for checking by hand
//! (e.g. `jams.load(path, validate=True)` with the `jams` Python package).

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use technob::rhythm::click::{ClickOptions, click_track};
use technob::rhythm::export::{self, ExportFormat};
use technob::rhythm::{Beat, GridFit, GridSection, Rhythm, TempoEstimate};
use technob::{Audio, Error};

// ---------------------------------------------------------------------------------------------
// Hand-made rhythms

/// `n` beats from `start_s` at `bpm`, bar positions counting from `first_position`.
fn beats(start_s: f64, bpm: f64, n: usize, first_position: u32, per_bar: u32) -> Vec<Beat> {
    (0..n)
        .map(|i| Beat {
            time_s: start_s + i as f64 * 60.0 / bpm,
            position: (first_position - 1 + i as u32) % per_bar + 1,
        })
        .collect()
}

/// 128 BPM, 4/4, 32 beats from 0.5 s; the first beat is beat 3 of its bar.
fn steady() -> Rhythm {
    let beats = beats(0.5, 128.0, 32, 3, 4);
    let last = beats[31].time_s;
    Rhythm {
        tempo: TempoEstimate { bpm: 128.0, confidence: 0.93 },
        grid: Some(GridFit {
            bpm: 128.0,
            first_beat_s: 0.5,
            first_downbeat_s: beats[2].time_s,
            max_drift_ms: 0.0,
        }),
        sections: vec![GridSection {
            start_s: 0.5,
            end_s: last,
            bpm: 128.0,
            first_position: 3,
            beats: 32,
            max_drift_ms: 0.0,
        }],
        beats,
        beats_per_bar: 4,
        duration_s: 16.25,
    }
}

/// 16 beats at 120 BPM from 0.25 s, then 18 beats at 126 BPM starting on beat 2 of a bar.
fn tempo_change() -> Rhythm {
    let mut all = beats(0.25, 120.0, 16, 1, 4);
    let second_start = all[15].time_s + 0.5;
    all.extend(beats(second_start, 126.0, 18, 2, 4));
    let last = all[all.len() - 1].time_s;
    Rhythm {
        tempo: TempoEstimate { bpm: 123.0, confidence: 0.61 },
        grid: Some(GridFit { bpm: 123.1, first_beat_s: 0.25, first_downbeat_s: 0.25, max_drift_ms: 140.0 }),
        sections: vec![
            GridSection {
                start_s: 0.25,
                end_s: second_start,
                bpm: 120.0,
                first_position: 1,
                beats: 16,
                max_drift_ms: 0.4,
            },
            GridSection {
                start_s: second_start,
                end_s: last,
                bpm: 126.0,
                first_position: 2,
                beats: 18,
                max_drift_ms: 0.6,
            },
        ],
        beats: all,
        beats_per_bar: 4,
        duration_s: 17.0,
    }
}

/// A path with spaces, `&`, `<`, `>` and quotes in it.
const AWKWARD: &str = "/Users/dj/My Music/Drum & Bass/<Kick> \"Tom's\" mix.wav";
const AWKWARD_URL: &str =
    "file://localhost/Users/dj/My%20Music/Drum%20%26%20Bass/%3CKick%3E%20%22Tom%27s%22%20mix.wav";

fn keep(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("TECHNOB_KEEP_EXPORTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), text).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// A small XML tree and the validators

#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, key: &str) -> Result<&str, String> {
        self.attrs.get(key).map(String::as_str).ok_or_else(|| format!("<{}> lacks {key}", self.name))
    }

    fn num(&self, key: &str) -> Result<f64, String> {
        let v = self.attr(key)?;
        v.parse::<f64>().map_err(|_| format!("<{} {key}=\"{v}\"> is not a number", self.name))
    }

    fn int(&self, key: &str) -> Result<i64, String> {
        let v = self.attr(key)?;
        v.parse::<i64>().map_err(|_| format!("<{} {key}=\"{v}\"> is not an integer", self.name))
    }

    fn only_attrs(&self, allowed: &[&str]) -> Result<(), String> {
        match self.attrs.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(format!("<{}> has an attribute outside the format: {k}", self.name)),
            None => Ok(()),
        }
    }

    fn child_names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    fn child(&self, name: &str) -> Result<&Element, String> {
        self.children.iter().find(|c| c.name == name).ok_or_else(|| format!("<{}> lacks <{name}>", self.name))
    }
}

fn element(start: &BytesStart) -> Result<Element, String> {
    let name = String::from_utf8(start.name().as_ref().to_vec()).map_err(|e| e.to_string())?;
    let mut attrs = BTreeMap::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("<{name}>: {e}"))?;
        let key = String::from_utf8(attr.key.as_ref().to_vec()).map_err(|e| e.to_string())?;
        let value = attr.unescape_value().map_err(|e| format!("<{name} {key}>: {e}"))?.into_owned();
        if attrs.insert(key.clone(), value).is_some() {
            return Err(format!("<{name}> repeats {key}"));
        }
    }
    Ok(Element { name, attrs, children: Vec::new() })
}

/// Parse a whole document: well-formed, one root, a UTF-8 declaration, no text content.
fn parse_xml(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut declared = false;
    loop {
        match reader.read_event().map_err(|e| format!("not well-formed XML: {e}"))? {
            Event::Decl(d) => {
                let version = d.version().map_err(|e| e.to_string())?;
                let encoding = d.encoding().ok_or("no encoding declared")?.map_err(|e| e.to_string())?;
                if version.as_ref() != b"1.0" || !encoding.eq_ignore_ascii_case(b"UTF-8") {
                    return Err("the declaration must say XML 1.0, UTF-8".into());
                }
                declared = true;
            }
            Event::Start(s) => stack.push(element(&s)?),
            Event::Empty(s) => {
                let e = element(&s)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::End(_) => {
                let e = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::Text(t) if t.as_ref().iter().all(u8::is_ascii_whitespace) => {}
            Event::Eof => break,
            other => return Err(format!("unexpected content: {other:?}")),
        }
    }
    if !declared {
        return Err("no XML declaration".into());
    }
    root.ok_or_else(|| "no root element".into())
}

/// A `file://localhost/` URL whose path is fully percent-encoded (RFC 3986 unreserved
/// characters, `/`, and a drive colon stay as they are).
fn check_location(url: &str) -> Result<(), String> {
    let path =
        url.strip_prefix("file://localhost/").ok_or(format!("Location {url} is not file://localhost/"))?;
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(format!("truncated escape in {url}"))?;
            if !hex.iter().all(|h| h.is_ascii_hexdigit() && !h.is_ascii_lowercase()) {
                return Err(format!("bad escape in {url}"));
            }
            i += 3;
            continue;
        }
        let drive_colon = i == 1 && b == b':' && bytes[0].is_ascii_alphabetic();
        if !(b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || drive_colon) {
            return Err(format!("Location {url} holds an unencoded {:?}", b as char));
        }
        i += 1;
    }
    Ok(())
}

/// Check a rekordbox collection XML against Pioneer's "rekordbox XML format": `DJ_PLAYLISTS
/// Version="1.0.0"` with `PRODUCT`, `COLLECTION` (Entries = number of TRACKs) and `PLAYLISTS`
/// (a ROOT folder NODE); each TRACK has a TrackID and a Location, only the documented
/// attributes, and only TEMPO / POSITION_MARK children; each TEMPO has Inizio (s), Bpm,
/// Metro (`n/d`) and Battito (1..=n), in increasing Inizio.
fn validate_rekordbox(xml: &str) -> Result<Element, String> {
    const TRACK_ATTRS: &[&str] = &[
        "TrackID",
        "Name",
        "Artist",
        "Composer",
        "Album",
        "Grouping",
        "Genre",
        "Kind",
        "Size",
        "TotalTime",
        "DiscNumber",
        "TrackNumber",
        "Year",
        "AverageBpm",
        "DateModified",
        "DateAdded",
        "BitRate",
        "SampleRate",
        "Comments",
        "PlayCount",
        "LastPlayed",
        "Rating",
        "Location",
        "Remixer",
        "Tonality",
        "Label",
        "Mix",
        "Colour",
    ];
    let root = parse_xml(xml)?;
    if root.name != "DJ_PLAYLISTS" || root.attr("Version")? != "1.0.0" {
        return Err(format!("root must be DJ_PLAYLISTS Version=\"1.0.0\", got {}", root.name));
    }
    if root.child_names() != ["PRODUCT", "COLLECTION", "PLAYLISTS"] {
        return Err(format!("DJ_PLAYLISTS children: {:?}", root.child_names()));
    }
    let product = root.child("PRODUCT")?;
    product.only_attrs(&["Name", "Version", "Company"])?;
    for key in ["Name", "Version", "Company"] {
        if product.attr(key)?.is_empty() {
            return Err(format!("PRODUCT {key} is empty"));
        }
    }
    let collection = root.child("COLLECTION")?;
    if collection.int("Entries")? != collection.children.len() as i64 {
        return Err("COLLECTION Entries differs from the number of TRACKs".into());
    }
    for track in &collection.children {
        if track.name != "TRACK" {
            return Err(format!("COLLECTION holds <{}>", track.name));
        }
        track.only_attrs(TRACK_ATTRS)?;
        track.int("TrackID")?;
        check_location(track.attr("Location")?)?;
        if track.attrs.contains_key("TotalTime") && track.int("TotalTime")? < 0 {
            return Err("negative TotalTime".into());
        }
        if track.attrs.contains_key("AverageBpm") {
            track.num("AverageBpm")?;
        }
        let mut last_start = f64::NEG_INFINITY;
        for child in &track.children {
            match child.name.as_str() {
                "TEMPO" => {
                    child.only_attrs(&["Inizio", "Bpm", "Metro", "Battito"])?;
                    let start = child.num("Inizio")?;
                    let bpm = child.num("Bpm")?;
                    let metro = child.attr("Metro")?;
                    let (n, d) = metro.split_once('/').ok_or(format!("Metro {metro}"))?;
                    let n: i64 = n.parse().map_err(|_| format!("Metro {metro}"))?;
                    d.parse::<u32>().map_err(|_| format!("Metro {metro}"))?;
                    let battito = child.int("Battito")?;
                    if !(1..=n).contains(&battito) {
                        return Err(format!("Battito {battito} outside 1..={n}"));
                    }
                    if start < 0.0 || start <= last_start || bpm <= 0.0 {
                        return Err(format!("TEMPO Inizio {start} Bpm {bpm} out of order or range"));
                    }
                    last_start = start;
                }
                "POSITION_MARK" => {
                    child.only_attrs(&["Name", "Type", "Start", "End", "Num"])?;
                    child.num("Start")?;
                }
                other => return Err(format!("TRACK holds <{other}>")),
            }
        }
    }
    let playlists = root.child("PLAYLISTS")?;
    let [node] = playlists.children.as_slice() else {
        return Err("PLAYLISTS must hold one ROOT NODE".into());
    };
    if node.name != "NODE" || node.attr("Type")? != "0" || node.attr("Name")? != "ROOT" {
        return Err("PLAYLISTS must hold NODE Type=\"0\" Name=\"ROOT\"".into());
    }
    if node.int("Count")? != node.children.len() as i64 {
        return Err("ROOT NODE Count differs from its children".into());
    }
    Ok(root)
}

/// Check a Traktor NML as Traktor writes it: `NML VERSION="19"` with `HEAD` and `COLLECTION`
/// (ENTRIES = number of ENTRYs); each ENTRY has a LOCATION (DIR in `/:a/:b/:` syntax, FILE,
/// VOLUME), INFO, TEMPO (BPM, BPM_QUALITY) and CUE_V2 markers with every attribute Traktor
/// writes.
fn validate_traktor(xml: &str) -> Result<Element, String> {
    let root = parse_xml(xml)?;
    if root.name != "NML" || root.attr("VERSION")? != "19" {
        return Err("root must be NML VERSION=\"19\"".into());
    }
    let head = root.child("HEAD")?;
    head.attr("COMPANY")?;
    head.attr("PROGRAM")?;
    let collection = root.child("COLLECTION")?;
    if collection.int("ENTRIES")? != collection.children.len() as i64 {
        return Err("COLLECTION ENTRIES differs from the number of ENTRYs".into());
    }
    for entry in &collection.children {
        if entry.name != "ENTRY" {
            return Err(format!("COLLECTION holds <{}>", entry.name));
        }
        let location = entry.child("LOCATION")?;
        let dir = location.attr("DIR")?;
        if !dir.starts_with("/:") || !dir.ends_with("/:") || dir.contains('\\') {
            return Err(format!("DIR {dir} is not in Traktor's /:dir/: syntax"));
        }
        if location.attr("FILE")?.is_empty() {
            return Err("empty FILE".into());
        }
        location.attr("VOLUME")?;
        let info = entry.child("INFO")?;
        info.int("PLAYTIME")?;
        let tempo = entry.child("TEMPO")?;
        if tempo.num("BPM")? <= 0.0 {
            return Err("TEMPO BPM must be positive".into());
        }
        tempo.num("BPM_QUALITY")?;
        for cue in entry.children.iter().filter(|c| c.name == "CUE_V2") {
            cue.attr("NAME")?;
            for key in ["DISPL_ORDER", "TYPE", "REPEATS", "HOTCUE"] {
                cue.int(key)?;
            }
            if cue.num("START")? < 0.0 || cue.num("LEN")? < 0.0 {
                return Err("negative CUE_V2 START or LEN".into());
            }
        }
        for child in &entry.children {
            if ![
                "LOCATION",
                "ALBUM",
                "MODIFICATION_INFO",
                "INFO",
                "TEMPO",
                "LOUDNESS",
                "MUSICAL_KEY",
                "CUE_V2",
            ]
            .contains(&child.name.as_str())
            {
                return Err(format!("ENTRY holds <{}>", child.name));
            }
        }
    }
    Ok(root)
}

// ---------------------------------------------------------------------------------------------
// rekordbox

#[test]
fn rekordbox_steady_track_has_one_tempo() {
    let r = steady();
    let xml = export::rekordbox_xml(&r, Path::new("/Users/dj/Music/steady.flac")).unwrap();
    keep("steady.xml", &xml);
    let root = validate_rekordbox(&xml).unwrap();
    let product = root.child("PRODUCT").unwrap();
    assert_eq!(product.attr("Name").unwrap(), "technob");
    assert_eq!(product.attr("Version").unwrap(), env!("CARGO_PKG_VERSION"));
    let track = &root.child("COLLECTION").unwrap().children[0];
    assert_eq!(track.attr("Location").unwrap(), "file://localhost/Users/dj/Music/steady.flac");
    assert_eq!(track.attr("Name").unwrap(), "steady");
    assert_eq!(track.attr("Kind").unwrap(), "FLAC File");
    assert_eq!(track.attr("TotalTime").unwrap(), "16");
    assert_eq!(track.attr("AverageBpm").unwrap(), "128.00");
    assert_eq!(track.child_names(), ["TEMPO"]);
    let tempo = &track.children[0];
    assert_eq!(tempo.attr("Inizio").unwrap(), "0.500");
    assert_eq!(tempo.attr("Bpm").unwrap(), "128.00");
    assert_eq!(tempo.attr("Metro").unwrap(), "4/4");
    assert_eq!(tempo.attr("Battito").unwrap(), "3");
}

#[test]
fn rekordbox_tempo_change_has_a_tempo_per_section() {
    let r = tempo_change();
    let xml = export::rekordbox_xml(&r, Path::new(AWKWARD)).unwrap();
    keep("tempo_change.xml", &xml);
    let root = validate_rekordbox(&xml).unwrap();
    let track = &root.child("COLLECTION").unwrap().children[0];
    let tempos: Vec<(f64, &str, &str)> = track
        .children
        .iter()
        .map(|t| (t.num("Inizio").unwrap(), t.attr("Bpm").unwrap(), t.attr("Battito").unwrap()))
        .collect();
    assert_eq!(tempos.len(), 2);
    assert_eq!((tempos[0].1, tempos[0].2), ("120.00", "1"));
    assert_eq!((tempos[1].1, tempos[1].2), ("126.00", "2"));
    assert!((tempos[0].0 - 0.25).abs() < 1e-9);
    assert!((tempos[1].0 - r.sections[1].start_s).abs() < 5e-4);
    // Each Battito is the bar position of the tracked beat at Inizio.
    for (t, section) in tempos.iter().zip(&r.sections) {
        let beat = r.beats.iter().find(|b| (b.time_s - section.start_s).abs() < 1e-9).unwrap();
        assert_eq!(t.2, beat.position.to_string());
    }
    // Percent-encoded Location; the name with markup characters escaped and read back intact.
    assert_eq!(track.attr("Location").unwrap(), AWKWARD_URL);
    assert_eq!(track.attr("Name").unwrap(), "<Kick> \"Tom's\" mix");
    assert!(xml.contains("Name=\"&lt;Kick&gt; &quot;Tom&apos;s&quot; mix\""), "{xml}");
}

#[test]
fn rekordbox_windows_path_and_three_four() {
    let mut r = steady();
    r.beats = beats(0.5, 90.0, 12, 2, 3);
    r.beats_per_bar = 3;
    r.sections[0].first_position = 2;
    let xml = export::rekordbox_xml(&r, Path::new(r"D:\DJ\Waltz #1.mp3")).unwrap();
    let root = validate_rekordbox(&xml).unwrap();
    let track = &root.child("COLLECTION").unwrap().children[0];
    assert_eq!(track.attr("Location").unwrap(), "file://localhost/D:/DJ/Waltz%20%231.mp3");
    assert_eq!(track.children[0].attr("Metro").unwrap(), "3/4");
    assert_eq!(track.children[0].attr("Battito").unwrap(), "2");
}

#[test]
fn validator_rejects_what_rekordbox_would_not_read() {
    let good = export::rekordbox_xml(&steady(), Path::new("/a/b.wav")).unwrap();
    for (from, to) in [
        ("Version=\"1.0.0\"", "Version=\"2.0\""),
        ("Entries=\"1\"", "Entries=\"2\""),
        ("Battito=\"3\"", "Battito=\"5\""),
        ("Metro=\"4/4\"", "Metro=\"four\""),
        ("file://localhost/a/b.wav", "file://localhost/a b.wav"),
        ("<TEMPO ", "<BEAT "),
        ("</DJ_PLAYLISTS>", ""),
    ] {
        assert!(good.contains(from), "{from}");
        let bad = good.replacen(from, to, 1);
        assert!(validate_rekordbox(&bad).is_err(), "accepted {to}");
    }
}

// ---------------------------------------------------------------------------------------------
// Traktor

#[test]
fn traktor_nml_structure_and_values() {
    let r = steady();
    let nml = export::traktor_nml(&r, Path::new("/Users/dj/Music/steady.flac")).unwrap();
    keep("steady.nml", &nml);
    let root = validate_traktor(&nml).unwrap();
    let entry = &root.child("COLLECTION").unwrap().children[0];
    assert_eq!(entry.child_names(), ["LOCATION", "INFO", "TEMPO", "CUE_V2"]);
    let location = entry.child("LOCATION").unwrap();
    assert_eq!(location.attr("DIR").unwrap(), "/:Users/:dj/:Music/:");
    assert_eq!(location.attr("FILE").unwrap(), "steady.flac");
    assert_eq!(location.attr("VOLUME").unwrap(), "");
    assert_eq!(entry.child("INFO").unwrap().attr("PLAYTIME").unwrap(), "16");
    let tempo = entry.child("TEMPO").unwrap();
    assert_eq!(tempo.attr("BPM").unwrap(), "128.000000");
    assert_eq!(tempo.attr("BPM_QUALITY").unwrap(), "100.000000");
    let cue = entry.child("CUE_V2").unwrap();
    let expected: BTreeMap<&str, &str> = [
        ("NAME", "AutoGrid"),
        ("DISPL_ORDER", "0"),
        ("TYPE", "4"),
        ("START", "1437.500000"),
        ("LEN", "0.000000"),
        ("REPEATS", "-1"),
        ("HOTCUE", "0"),
    ]
    .into();
    let got: BTreeMap<&str, &str> = cue.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, expected);
}

#[test]
fn traktor_paths_volumes_and_escaping() {
    let r = tempo_change();
    let nml = export::traktor_nml(&r, Path::new(AWKWARD)).unwrap();
    keep("tempo_change.nml", &nml);
    let root = validate_traktor(&nml).unwrap();
    let entry = &root.child("COLLECTION").unwrap().children[0];
    let location = entry.child("LOCATION").unwrap();
    assert_eq!(location.attr("DIR").unwrap(), "/:Users/:dj/:My Music/:Drum & Bass/:");
    assert_eq!(location.attr("FILE").unwrap(), "<Kick> \"Tom's\" mix.wav");
    assert!(nml.contains("DIR=\"/:Users/:dj/:My Music/:Drum &amp; Bass/:\""), "{nml}");
    // One tempo per track in Traktor: the whole-track grid.
    assert_eq!(entry.child("TEMPO").unwrap().attr("BPM").unwrap(), "123.100000");

    let volumes = [
        ("/Volumes/USB/Sets/a.wav", "USB", "/:Sets/:"),
        (r"C:\Users\dj\Music\a.wav", "C:", "/:Users/:dj/:Music/:"),
        ("E:/a.wav", "E:", "/:"),
    ];
    for (path, volume, dir) in volumes {
        let nml = export::traktor_nml(&steady(), Path::new(path)).unwrap();
        let root = validate_traktor(&nml).unwrap();
        let location = root.child("COLLECTION").unwrap().children[0].child("LOCATION").unwrap();
        assert_eq!(
            (location.attr("VOLUME").unwrap(), location.attr("DIR").unwrap()),
            (volume, dir),
            "{path}"
        );
        assert_eq!(location.attr("FILE").unwrap(), "a.wav");
    }
}

// ---------------------------------------------------------------------------------------------
// JAMS, JSON, CSV, labels

#[test]
fn jams_structure() {
    let r = tempo_change();
    let text = export::jams(&r, "set.flac").unwrap();
    keep("tempo_change.jams", &text);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["annotations", "file_metadata", "sandbox"]);
    assert_eq!(doc["sandbox"], serde_json::json!({}));
    let meta = &doc["file_metadata"];
    assert_eq!(meta["title"], "set.flac");
    assert_eq!(meta["duration"], 17.0);
    assert!(meta["jams_version"].as_str().unwrap().starts_with("0.3."));
    assert!(meta["identifiers"].is_object());

    let annotations = doc["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 2);
    for a in annotations {
        let m = &a["annotation_metadata"];
        assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
        assert!(m["annotation_tools"].as_str().unwrap().contains("technob"));
        assert!(m["data_source"].as_str().unwrap().contains("technob"));
        assert!(m["curator"]["name"].is_string() && m["curator"]["email"].is_string());
        assert_eq!(a["sandbox"], serde_json::json!({}));
        assert_eq!(a["time"], 0.0);
        assert_eq!(a["duration"], 17.0);
    }
    assert_eq!(annotations[0]["namespace"], "beat");
    let data = annotations[0]["data"].as_array().unwrap();
    assert_eq!(data.len(), r.beats.len());
    for (obs, beat) in data.iter().zip(&r.beats) {
        let keys: Vec<&str> = obs.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["confidence", "duration", "time", "value"]);
        assert!((obs["time"].as_f64().unwrap() - beat.time_s).abs() < 1e-12);
        assert_eq!(obs["duration"], 0.0);
        assert_eq!(obs["value"], beat.position);
        assert!(obs["confidence"].is_null());
    }
    assert_eq!(annotations[1]["namespace"], "tempo");
    let tempo = annotations[1]["data"].as_array().unwrap();
    assert_eq!(tempo.len(), 1);
    assert_eq!(tempo[0]["time"], 0.0);
    assert_eq!(tempo[0]["duration"], 17.0);
    assert_eq!(tempo[0]["value"], 123.0);
    assert_eq!(tempo[0]["confidence"], 0.61);
}

#[test]
fn json_round_trips_the_rhythm() {
    let r = tempo_change();
    let text = export::json(&r, "dir/set.flac").unwrap();
    assert_eq!(text.lines().count(), 1);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["file"], "dir/set.flac");
    // Every time is written exactly (shortest round-trip form); serde_json's default parser
    // may be 1 ulp off reading it back, hence the tolerance below.
    for b in &r.beats {
        assert!(text.contains(&format!("{{\"time_s\":{:?},", b.time_s)), "{}", b.time_s);
    }
    let mut back: Rhythm = serde_json::from_value(doc).unwrap();
    for (b, orig) in back.beats.iter_mut().zip(&r.beats) {
        assert!((b.time_s - orig.time_s).abs() < 1e-12);
        b.time_s = orig.time_s;
    }
    assert_eq!(back, r);
}

#[test]
fn csv_and_labels_have_a_row_per_beat() {
    let r = steady();
    let csv = export::csv(&r).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time_s,position,is_downbeat");
    assert_eq!(lines.len(), r.beats.len() + 1);
    assert_eq!(lines[1], "0.500000,3,false");
    assert_eq!(lines[3], "1.437500,1,true");
    assert_eq!(lines.iter().filter(|l| l.ends_with(",true")).count(), r.downbeat_times().len());

    let labels = export::audacity_labels(&r).unwrap();
    keep("steady.txt", &labels);
    let rows: Vec<Vec<&str>> = labels.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), r.beats.len());
    for (row, beat) in rows.iter().zip(&r.beats) {
        assert_eq!(row.len(), 3);
        assert_eq!(row[0], row[1], "point labels");
        assert!((row[0].parse::<f64>().unwrap() - beat.time_s).abs() < 1e-6);
        assert_eq!(row[2], beat.position.to_string());
    }
    assert_eq!(rows[2], ["1.437500", "1.437500", "1"]);
}

#[test]
fn exports_are_deterministic_and_dispatch_by_format() {
    let path = Path::new("/music/set.wav");
    for r in [steady(), tempo_change()] {
        for format in ExportFormat::ALL {
            let a = export::export(&r, format, path).unwrap();
            let b = export::export(&r.clone(), format, path).unwrap();
            assert_eq!(a, b, "{format}");
            assert!(a.ends_with('\n'), "{format}");
        }
    }
    assert_eq!(export::export(&steady(), ExportFormat::Csv, path).unwrap(), export::csv(&steady()).unwrap());
    let jams: serde_json::Value =
        serde_json::from_str(&export::export(&steady(), ExportFormat::Jams, path).unwrap()).unwrap();
    assert_eq!(jams["file_metadata"]["title"], "set.wav");
}

#[test]
fn unusable_rhythms_and_paths_are_refused() {
    let r = steady();
    for format in [ExportFormat::Rekordbox, ExportFormat::Traktor] {
        let err = export::export(&r, format, Path::new("relative/set.wav")).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter(_)), "{err}");
        assert!(err.to_string().contains("absolute"), "{err}");
    }
    let mut no_grid = steady();
    no_grid.grid = None;
    no_grid.sections.clear();
    for format in [ExportFormat::Rekordbox, ExportFormat::Traktor] {
        let err = export::export(&no_grid, format, Path::new("/set.wav")).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    assert_eq!(export::csv(&no_grid).unwrap().lines().count(), 33);
    let mut bad = steady();
    bad.beats[4].position = 5;
    let mut nan = steady();
    nan.beats[0].time_s = f64::NAN;
    let mut bad_section = steady();
    bad_section.sections[0].first_position = 0;
    for r in [bad, nan, bad_section] {
        for format in ExportFormat::ALL {
            let err = export::export(&r, format, Path::new("/set.wav")).unwrap_err();
            assert!(matches!(err, Error::InvalidParameter(_)), "{format}: {err}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Click track

/// Deterministic white noise at peak `level` (a different sequence on every channel): music
/// whose energy is the same everywhere, so a click shows up as extra energy.
fn noise(channels: usize, rate: u32, seconds: f64, level: f32) -> Audio {
    let n = (seconds * rate as f64) as usize;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let data = (0..channels).map(|_| (0..n).map(|_| level * next()).collect()).collect();
    Audio::from_synth(data, rate).unwrap()
}

/// A full-scale square wave: the loudest music there is.
fn square(channels: usize, rate: u32, seconds: f64) -> Audio {
    let n = (seconds * rate as f64) as usize;
    let ch: Vec<f32> = (0..n).map(|i| if (i / 100) % 2 == 0 { 1.0 } else { -1.0 }).collect();
    Audio::from_synth(vec![ch; channels], rate).unwrap()
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len() as f64
}

fn peak(audio: &Audio) -> f32 {
    audio.channels().iter().flatten().fold(0.0f32, |m, v| m.max(v.abs()))
}

#[test]
fn click_track_keeps_shape_never_clips_and_marks_beats() {
    let r = steady();
    for (channels, rate) in [(2, 44_100), (1, 22_050), (6, 48_000)] {
        let audio = noise(channels, rate, r.duration_s, 0.5);
        let clicked = click_track(&audio, &r, &ClickOptions::default()).unwrap();
        assert_eq!(clicked.n_channels(), channels);
        assert_eq!(clicked.n_frames(), audio.n_frames());
        assert_eq!(clicked.sample_rate(), rate);
        assert!(peak(&clicked) <= 1.0, "peak {}", peak(&clicked));

        // Every beat: the 15 ms from the beat hold clearly more energy than 15 ms between beats.
        let at = |t: f64| (t * rate as f64).round() as usize;
        for c in 0..channels {
            let ch = clicked.channel(c);
            for b in &r.beats[..r.beats.len() - 1] {
                let near = energy(&ch[at(b.time_s)..at(b.time_s + 0.015)]);
                let between = energy(&ch[at(b.time_s + 0.2)..at(b.time_s + 0.215)]);
                assert!(
                    near > 1.4 * between,
                    "{channels} ch at {rate} Hz, beat at {}: {near} vs {between}",
                    b.time_s
                );
            }
        }

        let again = click_track(&audio, &r, &ClickOptions::default()).unwrap();
        assert_eq!(again, clicked, "deterministic");
    }
}

#[test]
fn click_track_never_clips_loud_music() {
    let r = tempo_change();
    for audio in [square(2, 44_100, r.duration_s), noise(1, 8_000, r.duration_s, 1.0)] {
        let clicked = click_track(&audio, &r, &ClickOptions::default()).unwrap();
        let p = peak(&clicked);
        assert!(p <= 1.0 && p > 0.99, "peak {p}: normalised to 1.0 when the mix would clip");
        assert_eq!(clicked.n_frames(), audio.n_frames());
    }
    // Quiet music stays as it is: only the documented music gain.
    let quiet = noise(1, 8_000, 1.0, 0.1);
    let mut no_beats = steady();
    no_beats.beats.clear();
    let out = click_track(&quiet, &no_beats, &ClickOptions::default()).unwrap();
    for (o, x) in out.channel(0).iter().zip(quiet.channel(0)) {
        assert_eq!(*o, x * 0.5);
    }
}

#[test]
fn click_track_accents_downbeats_over_silence() {
    let r = steady();
    let silence = Audio::from_synth(vec![vec![0.0; 44_100 * 17]; 2], 44_100).unwrap();
    let clicked = click_track(&silence, &r, &ClickOptions::default()).unwrap();
    let ch = clicked.channel(1);
    let peak_at = |t: f64| {
        let i = (t * 44_100.0).round() as usize;
        ch[i..i + 882].iter().fold(0.0f32, |m, v| m.max(v.abs()))
    };
    for b in &r.beats {
        let p = peak_at(b.time_s);
        if b.position == 1 {
            assert!(p > 0.7, "downbeat at {}: {p}", b.time_s);
        } else {
            assert!(p > 0.4 && p < 0.5, "beat at {}: {p}", b.time_s);
        }
    }
    // Nothing but clicks: silent 40 ms after each one.
    let i = ((r.beats[0].time_s + 0.03) * 44_100.0) as usize;
    assert!(ch[i..i + 1764].iter().all(|&v| v == 0.0));
}
