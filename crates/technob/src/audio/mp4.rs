//! Gapless information of MP4/M4A audio tracks, which symphonia 0.6 does not apply.
//!
//! AAC encoders prepend *priming* samples (1024 for FFmpeg, 2112 for Apple/Nero) and append
//! *padding* to fill the last frame. Two places in the container say how many:
//!
//! * the iTunes `iTunSMPB` tag (`moov/udta/meta/ilst/----`), written by Apple and most AAC tools:
//!   `" 00000000 PPPPPPPP RRRRRRRR LLLLLLLLLLLLLLLL ..."` with priming `P`, padding `R` and the
//!   original length `L` in samples (hexadecimal);
//! * the track's edit list (`trak/edts/elst`, ISO/IEC 14496-12 §8.6.6): its first non-empty edit
//!   starts at `media_time` (the priming, in media timescale) and lasts `segment_duration`
//!   (movie timescale), as written by FFmpeg.
//!
//! The tag wins when both exist (they agree in files we have seen). Empty edits (media time −1,
//! a presentation delay) are ignored: technob reports time from the first decoded sample.

use std::io::{self, Read, Seek, SeekFrom};

/// Samples to drop from the start and the number to keep, in frames at the track's rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GaplessTrim {
    /// Decoded frames to skip at the start (encoder priming).
    pub priming: u64,
    /// Frames to keep after the priming (the original length), if the container says.
    pub valid_frames: Option<u64>,
    /// Uncertainty of `valid_frames` in frames: an edit list states its duration in the movie
    /// timescale (often milliseconds), so it can be up to one tick longer than the audio.
    pub rounding: u64,
}

/// One audio track's gapless information, keyed by its `tkhd` track id.
#[derive(Clone, Debug, Default)]
struct TrakInfo {
    track_id: u32,
    is_audio: bool,
    media_timescale: u32,
    /// First non-empty edit: (segment duration in movie timescale, media time in media timescale).
    edit: Option<(u64, i64)>,
}

/// Largest atom payload we read into memory (metadata atoms are small; this bounds what a
/// corrupt size field can make us allocate).
const MAX_META_ATOM: u64 = 1 << 20;

/// Read the gapless trim of track `track_id` (its `tkhd` id) at `sample_rate`.
///
/// Returns `Ok(None)` when the file says nothing (no tag, no edit list): then nothing is trimmed.
pub(crate) fn gapless_trim<R: Read + Seek>(
    reader: &mut R,
    track_id: u32,
    sample_rate: u32,
) -> io::Result<Option<GaplessTrim>> {
    let end = reader.seek(SeekFrom::End(0))?;
    let Some((moov_start, moov_end)) = find_child(reader, 0, end, b"moov")? else {
        return Ok(None);
    };
    let mut movie_timescale = 0u32;
    let mut traks = Vec::new();
    let mut smpb = None;
    for (kind, start, stop) in children(reader, moov_start, moov_end)? {
        match &kind {
            b"mvhd" => movie_timescale = read_mvhd_timescale(reader, start)?,
            b"trak" => traks.push(read_trak(reader, start, stop)?),
            b"udta" => smpb = smpb.or(read_itunsmpb(reader, start, stop)?),
            _ => {}
        }
    }
    // Map sample counts from timescales to the decoder's rate (equal for nearly all files).
    let to_rate = |v: u64, scale: u32| -> u64 {
        if scale == 0 || scale == sample_rate {
            v
        } else {
            ((v as u128 * sample_rate as u128 + scale as u128 / 2) / scale as u128) as u64
        }
    };
    let trak = traks.iter().find(|t| t.track_id == track_id && t.is_audio);
    if let Some(tag) = smpb {
        // The tag describes the (first) audio track; use it when that is the decoded track.
        let first_audio = traks.iter().find(|t| t.is_audio).map(|t| t.track_id);
        if first_audio == Some(track_id) || trak.is_none() {
            return Ok(Some(tag));
        }
    }
    let Some(trak) = trak else { return Ok(None) };
    let Some((segment_duration, media_time)) = trak.edit else { return Ok(None) };
    if media_time < 0 {
        return Ok(None);
    }
    let priming = to_rate(media_time as u64, trak.media_timescale);
    let valid_frames = (segment_duration > 0).then(|| to_rate(segment_duration, movie_timescale));
    if priming == 0 && valid_frames.is_none() {
        return Ok(None);
    }
    let rounding =
        if movie_timescale == 0 { 0 } else { (sample_rate as u64).div_ceil(movie_timescale as u64) };
    Ok(Some(GaplessTrim { priming, valid_frames, rounding }))
}

/// Atom header at `pos`: (type, payload start, atom end). `None` when it does not fit in `end`.
fn atom_header<R: Read + Seek>(
    reader: &mut R,
    pos: u64,
    end: u64,
) -> io::Result<Option<([u8; 4], u64, u64)>> {
    if pos + 8 > end {
        return Ok(None);
    }
    reader.seek(SeekFrom::Start(pos))?;
    let mut head = [0u8; 8];
    reader.read_exact(&mut head)?;
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
    let kind = [head[4], head[5], head[6], head[7]];
    let (payload, size) = match size32 {
        0 => (pos + 8, end - pos),
        1 => {
            if pos + 16 > end {
                return Ok(None);
            }
            let mut big = [0u8; 8];
            reader.read_exact(&mut big)?;
            (pos + 16, u64::from_be_bytes(big))
        }
        s => (pos + 8, s),
    };
    let stop = pos.checked_add(size).filter(|&s| s <= end && s >= payload);
    Ok(stop.map(|stop| (kind, payload, stop)))
}

/// The child atoms of the payload `[start, end)`.
fn children<R: Read + Seek>(reader: &mut R, start: u64, end: u64) -> io::Result<Vec<([u8; 4], u64, u64)>> {
    let mut out = Vec::new();
    let mut pos = start;
    while let Some((kind, payload, stop)) = atom_header(reader, pos, end)? {
        out.push((kind, payload, stop));
        pos = stop;
        if out.len() > 100_000 {
            break;
        }
    }
    Ok(out)
}

fn find_child<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    end: u64,
    want: &[u8; 4],
) -> io::Result<Option<(u64, u64)>> {
    Ok(children(reader, start, end)?.into_iter().find(|c| &c.0 == want).map(|c| (c.1, c.2)))
}

fn read_bytes<R: Read + Seek>(reader: &mut R, start: u64, end: u64) -> io::Result<Vec<u8>> {
    let len = end.saturating_sub(start).min(MAX_META_ATOM) as usize;
    reader.seek(SeekFrom::Start(start))?;
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf)?;
    Ok(buf)
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_be_bytes(a)
    })
}

/// Timescale of a `mvhd` or `mdhd` full box (both keep it after the creation/modification times).
fn read_mvhd_timescale<R: Read + Seek>(reader: &mut R, start: u64) -> io::Result<u32> {
    let b = read_bytes(reader, start, start + 32)?;
    let at = if b.first() == Some(&1) { 20 } else { 12 };
    Ok(be_u32(&b, at).unwrap_or(0))
}

fn read_trak<R: Read + Seek>(reader: &mut R, start: u64, end: u64) -> io::Result<TrakInfo> {
    let mut info = TrakInfo::default();
    for (kind, s, e) in children(reader, start, end)? {
        match &kind {
            b"tkhd" => {
                let b = read_bytes(reader, s, e.min(s + 32))?;
                let at = if b.first() == Some(&1) { 20 } else { 12 };
                info.track_id = be_u32(&b, at).unwrap_or(0);
            }
            b"edts" => {
                if let Some((es, ee)) = find_child(reader, s, e, b"elst")? {
                    info.edit = read_first_edit(&read_bytes(reader, es, ee)?);
                }
            }
            b"mdia" => {
                for (k, ms, me) in children(reader, s, e)? {
                    match &k {
                        b"mdhd" => info.media_timescale = read_mvhd_timescale(reader, ms)?,
                        b"hdlr" => {
                            let b = read_bytes(reader, ms, me.min(ms + 12))?;
                            info.is_audio = b.get(8..12) == Some(b"soun");
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// First edit whose media time is not −1 (an empty edit), as (segment duration, media time).
fn read_first_edit(b: &[u8]) -> Option<(u64, i64)> {
    let version = *b.first()?;
    let count = be_u32(b, 4)? as usize;
    let entry_len = if version == 1 { 20 } else { 12 };
    (0..count.min(1024)).find_map(|i| {
        let at = 8 + i * entry_len;
        let (duration, media_time) = if version == 1 {
            (be_u64(b, at)?, be_u64(b, at + 8)? as i64)
        } else {
            (be_u32(b, at)? as u64, be_u32(b, at + 4)? as i32 as i64)
        };
        (media_time != -1).then_some((duration, media_time))
    })
}

/// Find `udta/meta/ilst/----` named `iTunSMPB` and parse it.
fn read_itunsmpb<R: Read + Seek>(reader: &mut R, start: u64, end: u64) -> io::Result<Option<GaplessTrim>> {
    let Some((ms, me)) = find_child(reader, start, end, b"meta")? else { return Ok(None) };
    // `meta` is a full box in MP4 (4 bytes of version/flags) but not in QuickTime files.
    let meta_start = match atom_header(reader, ms, me)? {
        Some((kind, _, _)) if kind.iter().all(|c| c.is_ascii_alphanumeric()) => ms,
        _ => ms + 4,
    };
    let Some((is, ie)) = find_child(reader, meta_start, me, b"ilst")? else { return Ok(None) };
    for (kind, s, e) in children(reader, is, ie)? {
        if &kind != b"----" {
            continue;
        }
        let mut name = Vec::new();
        let mut data = Vec::new();
        for (k, cs, ce) in children(reader, s, e)? {
            match &k {
                b"name" => name = read_bytes(reader, cs, ce)?,
                b"data" => data = read_bytes(reader, cs, ce)?,
                _ => {}
            }
        }
        // `name` and `data` are full boxes: skip version/flags (and type/locale for data).
        if name.get(4..) == Some(b"iTunSMPB".as_slice()) {
            return Ok(data.get(8..).and_then(parse_itunsmpb));
        }
    }
    Ok(None)
}

/// Parse the text of an `iTunSMPB` tag.
fn parse_itunsmpb(text: &[u8]) -> Option<GaplessTrim> {
    let text = std::str::from_utf8(text).ok()?;
    let fields: Vec<u64> =
        text.split_whitespace().take(4).map(|f| u64::from_str_radix(f, 16)).collect::<Result<_, _>>().ok()?;
    if fields.len() < 4 {
        return None;
    }
    let priming = fields[1];
    let valid_frames = (fields[3] > 0).then_some(fields[3]);
    Some(GaplessTrim { priming, valid_frames, rounding: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn atom(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    }

    fn full(version: u8, rest: &[u8]) -> Vec<u8> {
        let mut v = vec![version, 0, 0, 0];
        v.extend_from_slice(rest);
        v
    }

    fn movie(edit: Option<(u32, i32)>, smpb: Option<&str>) -> Vec<u8> {
        let mut mvhd = vec![0u8; 8];
        mvhd.extend_from_slice(&1000u32.to_be_bytes());
        let mut tkhd = vec![0u8; 8];
        tkhd.extend_from_slice(&7u32.to_be_bytes());
        let mut mdhd = vec![0u8; 8];
        mdhd.extend_from_slice(&44100u32.to_be_bytes());
        let mut hdlr = vec![0u8; 4];
        hdlr.extend_from_slice(b"soun");
        let mut trak = atom(b"tkhd", &full(0, &tkhd));
        if let Some((dur, mt)) = edit {
            let mut elst = 1u32.to_be_bytes().to_vec();
            elst.extend_from_slice(&dur.to_be_bytes());
            elst.extend_from_slice(&mt.to_be_bytes());
            elst.extend_from_slice(&0x0001_0000u32.to_be_bytes());
            trak.extend(atom(b"edts", &atom(b"elst", &full(0, &elst))));
        }
        let mdia = [atom(b"mdhd", &full(0, &mdhd)), atom(b"hdlr", &full(0, &hdlr))].concat();
        trak.extend(atom(b"mdia", &mdia));
        let mut moov = atom(b"mvhd", &full(0, &mvhd));
        moov.extend(atom(b"trak", &trak));
        if let Some(text) = smpb {
            let mut data = vec![0, 0, 0, 1, 0, 0, 0, 0];
            data.extend_from_slice(text.as_bytes());
            let item = [atom(b"name", &full(0, b"iTunSMPB")), atom(b"data", &data)].concat();
            let ilst = atom(b"ilst", &atom(b"----", &item));
            moov.extend(atom(b"udta", &atom(b"meta", &full(0, &ilst))));
        }
        [atom(b"ftyp", b"M4A \0\0\0\0"), atom(b"moov", &moov), atom(b"mdat", &[0; 16])].concat()
    }

    #[test]
    fn edit_list_gives_priming_and_length() {
        // 3 s at movie timescale 1000, priming 1024 samples at 44.1 kHz.
        let file = movie(Some((3000, 1024)), None);
        let trim = gapless_trim(&mut Cursor::new(file), 7, 44100).unwrap();
        assert_eq!(trim, Some(GaplessTrim { priming: 1024, valid_frames: Some(132_300), rounding: 45 }));
    }

    #[test]
    fn itunsmpb_wins_over_edit_list() {
        let tag = " 00000000 00000840 000001CC 0000000000046A00 00000000";
        let file = movie(Some((3000, 1024)), Some(tag));
        let trim = gapless_trim(&mut Cursor::new(file), 7, 44100).unwrap();
        assert_eq!(trim, Some(GaplessTrim { priming: 0x840, valid_frames: Some(0x46A00), rounding: 0 }));
    }

    #[test]
    fn nothing_to_trim_without_information() {
        let file = movie(None, None);
        assert_eq!(gapless_trim(&mut Cursor::new(file), 7, 44100).unwrap(), None);
        // An empty edit (presentation delay) alone says nothing about priming.
        let file = movie(Some((500, -1)), None);
        assert_eq!(gapless_trim(&mut Cursor::new(file), 7, 44100).unwrap(), None);
    }

    #[test]
    fn corrupt_sizes_do_not_panic() {
        let mut file = movie(Some((3000, 1024)), None);
        for i in (0..file.len()).step_by(3) {
            file[i] = file[i].wrapping_mul(31).wrapping_add(7);
            let _ = gapless_trim(&mut Cursor::new(file.clone()), 7, 44100);
        }
    }
}
