#!/usr/bin/env python3
"""Reference decodes for technob's decoder tests (crates/technob/tests/decode.rs).

    /root/.cache/technob-peers/bin/python tools/make_decode_goldens.py

For each clip of ../shared/data listed below, records the exact frame count and three short
excerpts (channel 0, 256 frames each) as decoded by a reference decoder, into
crates/technob/tests/golden/decode.json (small; no audio is copied, only 768 samples per clip).

Reference decoders:
  * WAV, FLAC, AIFF: libsndfile (soundfile) -- bit-exact PCM.
  * MP3, Ogg Vorbis: FFmpeg (`ffmpeg -f f32le`), which removes the MP3 encoder delay and padding
    from the LAME/Xing tag, like technob.
  * AAC in MP4: FFmpeg for the excerpts (FFmpeg skips the edit list's priming at the start, as
    technob does, but keeps the padding at the end); the frame count comes from the container's
    edit list (FFmpeg-written files give it in milliseconds), and for stereo_sample.m4a also
    from the WAV it was encoded from.
Needs ffmpeg on PATH and the peers venv (numpy, soundfile) from ../shared/tools/setup-peers.sh.
"""
import json
import os
import subprocess

import numpy as np
import soundfile as sf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "decode.json")
EXCERPT = 256

CLIPS = [
    # path under shared/data, reference decoder, note
    ("madmom/tests/data/audio/stereo_sample.wav", "soundfile", "16-bit PCM WAV"),
    ("madmom/tests/data/audio/stereo_sample.flac", "soundfile", "FLAC of the same recording"),
    ("essentia-audio/recorded/dubstep.flac", "soundfile", "FLAC"),
    ("mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav", "soundfile", "22.05 kHz mono WAV"),
    ("essentia-audio/recorded/techno_loop.mp3", "ffmpeg", "MP3 with LAME gapless tag"),
    ("spleeter/audio_example.mp3", "ffmpeg", "MP3"),
    ("essentia-audio/recorded/hiphop.mp3", "ffmpeg", "MP3"),
    ("librosa-data/audio/admiralbob77_-_Choice_-_Drum-bass.hq.ogg", "ffmpeg", "Ogg Vorbis"),
    ("essentia-audio/recorded/Guitar-A4-432-1.ogg", "ffmpeg", "Ogg Vorbis"),
    ("madmom/tests/data/audio/stereo_sample.m4a", "ffmpeg-aac", "AAC-LC in M4A, edit list: priming 1024"),
    ("sigsep-mus-eval/tests/data/MUSDB18-7-SAMPLE/train/Music Delta - 80s Rock.stem.mp4", "ffmpeg-aac",
     "5-track stem MP4 (first track, the mixture), edit list: priming 2048"),
]


def ffmpeg_decode(path):
    info = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels,sample_rate",
         "-of", "json", path], check=True, capture_output=True, text=True)
    stream = json.loads(info.stdout)["streams"][0]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-f", "f32le", "-acodec", "pcm_f32le", "-"],
                         check=True, capture_output=True).stdout
    ch = int(stream["channels"])
    return np.frombuffer(raw, dtype="<f4").reshape(-1, ch), int(stream["sample_rate"])


def elst_frames(path, sr):
    """Duration of the first audio track's first edit, in frames at sr (from the raw atoms)."""
    import struct
    data = open(path, "rb").read()
    mvhd = data.find(b"mvhd")
    version = data[mvhd + 4]
    scale = struct.unpack(">I", data[mvhd + (24 if version else 16): mvhd + (28 if version else 20)])[0]
    elst = data.find(b"elst")
    dur = struct.unpack(">I", data[elst + 12: elst + 16])[0]
    return int(round(dur * sr / scale))


cases = []
for rel, ref, note in CLIPS:
    path = os.path.join(DATA, rel)
    if ref == "soundfile":
        x, sr = sf.read(path, dtype="float32", always_2d=True)
        frames = x.shape[0]
    else:
        x, sr = ffmpeg_decode(path)
        frames = x.shape[0]
        if ref == "ffmpeg-aac":
            frames = elst_frames(path, sr)
    offsets = [0, frames // 2, max(frames - EXCERPT - 1, 0)]
    if ref == "ffmpeg-aac":
        # FFmpeg keeps the end padding: take the last excerpt well inside the real audio.
        offsets[2] = max(frames - 4 * EXCERPT, 0)
    case = {
        "path": rel,
        "reference": ref,
        "note": note,
        "sample_rate": sr,
        "channels": int(x.shape[1]),
        "frames": int(frames),
        "excerpts": [{"offset": int(o), "channel0": [float(f"{v:.7g}") for v in x[o:o + EXCERPT, 0]]}
                     for o in offsets],
    }
    if rel.endswith("stereo_sample.m4a"):
        case["source_wav_frames"] = sf.info(os.path.join(DATA, "madmom/tests/data/audio/stereo_sample.wav")).frames
    cases.append(case)
    print(f"{rel}: {frames} frames at {sr} Hz ({ref})")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"made_by": "tools/make_decode_goldens.py",
               "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0],
               "soundfile": sf.__version__, "libsndfile": sf.__libsndfile_version__, "cases": cases}, f)
    f.write("\n")
print(f"wrote {OUT} ({os.path.getsize(OUT) // 1024} KB)")
