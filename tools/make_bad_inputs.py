#!/usr/bin/env python3
"""Write the corpus of damaged and hostile inputs that technob must survive.

    /root/.cache/technob-peers/bin/python tools/make_bad_inputs.py

Writes small files into crates/technob-cli/tests/bad_inputs/ (committed; about 100 KB) and a
MANIFEST.json saying what each file is and what technob must do with it:

  expect "error"    -> exit code 2, one line on stderr naming the file, nothing on stdout
  expect "warning"  -> exit code 0, the decodable part is analysed, one 'warning:' line on stderr
  expect "ok"       -> exit code 0 (valid but unusual input)

All audio is synthesised here (never copied from ../shared/data). Needs numpy and soundfile
(libsndfile >= 1.1 for MP3), both in the peers venv made by ../shared/tools/setup-peers.sh.
Deterministic: fixed seeds, and the encoders used (libsndfile's FLAC/Vorbis/LAME) are
deterministic for the same input.
"""
import json
import os
import struct

import numpy as np
import soundfile as sf

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "technob-cli", "tests", "bad_inputs")
SR = 22050
rng = np.random.default_rng(20261122)


def music(seconds, channels=2):
    """A few seconds of something music-like: a kick-ish thump, a chord and a little noise."""
    t = np.arange(int(seconds * SR)) / SR
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-((t % 0.5) * 12))
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)) / 6
    noise = rng.standard_normal(t.size) * 0.02
    mono = (0.5 * kick + chord + noise).astype(np.float32) * 0.7
    return np.stack([mono, np.roll(mono, 7)], axis=1)[:, :channels]


def wav_header(channels, sr, bits, n_data_bytes, fmt_tag=1):
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, sr, sr * block, block, bits)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + n_data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", n_data_bytes))


def pcm16(x):
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


files = {}


def put(name, data, expect, what, duration_s=None):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    files[name] = {"expect": expect, "what": what}
    if duration_s is not None:
        files[name]["duration_s"] = duration_s


def encoded(fmt, subtype, seconds):
    path = os.path.join(OUT, "_tmp")
    sf.write(path, music(seconds), SR, format=fmt, subtype=subtype)
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    os.remove(os.path.join(OUT, old))

put("empty.wav", b"", "error", "zero-byte file")
put("random_bytes.mp3", rng.integers(0, 256, 8192, dtype=np.uint8).tobytes(), "error",
    "random bytes named .mp3")
put("random_bytes.flac", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), "error",
    "random bytes named .flac")
put("text.wav", b"This is not audio, it is a text file named .wav\n" * 20, "error",
    "a text file named .wav")
put("header_only.wav", wav_header(2, SR, 16, 0), "error", "a WAV header with no data")
put("lying_header.wav", wav_header(2, SR, 16, 10 * SR * 4) + pcm16(music(0.2).ravel()), "error",
    "WAV header declares 10 s of data, the file holds 0.2 s")
put("zero_channels.wav", wav_header(0, SR, 16, 4000) + bytes(4000), "error",
    "WAV header with 0 channels")
put("zero_rate.wav", wav_header(1, 0, 16, 4000) + bytes(4000), "error", "WAV header with a 0 Hz sample rate")
nan = music(0.5, 1).ravel().copy()
nan[1000] = np.nan
put("nan.wav", wav_header(1, SR, 32, nan.size * 4, fmt_tag=3) + nan.astype("<f4").tobytes(), "error",
    "32-bit float WAV with a NaN sample at frame 1000")
inf = music(0.5, 1).ravel().copy()
inf[10] = np.inf
put("inf.wav", wav_header(1, SR, 32, inf.size * 4, fmt_tag=3) + inf.astype("<f4").tobytes(), "error",
    "32-bit float WAV with an infinite sample at frame 10")
put("one_sample.wav", wav_header(1, SR, 16, 2) + pcm16(np.array([0.25])), "error",
    "a WAV holding a single sample (too short to analyse; `info` reports it)")
put("riff_only.wav", b"RIFF\x24\x00\x00\x00WAVE", "error", "a RIFF header and nothing else")

flac = encoded("FLAC", "PCM_16", 3.0)
cut = [0.5, 2.9]  # 3.0 s encoded, cut at 60 % of the bytes
put("truncated.flac", flac[: len(flac) * 6 // 10], "warning", "FLAC cut at 60% of its bytes", cut)
mp3 = encoded("MP3", "MPEG_LAYER_III", 3.0)
put("truncated.mp3", mp3[: len(mp3) * 6 // 10], "warning", "MP3 cut at 60% of its bytes", cut)
ogg = encoded("OGG", "VORBIS", 3.0)
put("truncated.ogg", ogg[: len(ogg) * 6 // 10], "warning", "Ogg Vorbis cut at 60% of its bytes", cut)
damaged = bytearray(mp3)
mid = len(damaged) // 2
damaged[mid:mid + 600] = rng.integers(0, 256, 600, dtype=np.uint8).tobytes()
put("damaged_middle.mp3", bytes(damaged), "warning",
    "MP3 with 600 garbage bytes in the middle: lost frames become silence, later audio keeps its time",
    [2.97, 3.03])
put("flac_header_only.flac", flac[:200], "error", "a FLAC file cut inside its first frame")

put("silence.wav", wav_header(1, SR, 16, SR * 2) + bytes(SR * 2), "ok", "one second of digital silence")
put("mislabelled_flac.mp3", encoded("FLAC", "PCM_16", 0.5), "ok",
    "a valid FLAC file named .mp3 (the content decides, not the name)")

with open(os.path.join(OUT, "MANIFEST.json"), "w") as f:
    json.dump({"made_by": "tools/make_bad_inputs.py", "files": files}, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(files)} files to {os.path.normpath(OUT)}")
