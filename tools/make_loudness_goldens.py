#!/usr/bin/env python3
"""Loudness of the real recordings of ../shared/data as measured by ffmpeg's ebur128 filter and
by pyloudnorm, for technob's loudness test (crates/technob/tests/loudness_peers.rs).

    ~/.cache/technob-peers/bin/python tools/make_loudness_goldens.py

Writes crates/technob/tests/golden/loudness/loudness_peers.json (paths relative to
../shared/data; no audio is copied into the repository). Rust tests read that file; they never
run Python.

Peers, each on every channel of the file at its own sample rate:
  ffmpeg  ffmpeg -i PATH -af ebur128=metadata=1:peak=sample+true,ametadata=print:file=LOG -f null -
          The values of the last frame's metadata (lavfi.r128.I, LRA, true_peak, sample_peak;
          three decimals, unlike the one-decimal summary) are the whole-file figures.
  pyloudnorm  Meter(rate).integrated_loudness(x) (ITU-R BS.1770-4, 400 ms blocks, 75 % overlap,
          gates −70 LUFS and −10 LU), on the samples ffmpeg decodes (f32, all channels), so both
          peers see the same samples.
Peaks are converted to dB: 20·log10(linear).
"""
import json
import math
import os
import subprocess
import tempfile

import numpy as np
import pyloudnorm

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "loudness", "loudness_peers.json")

# Every real recording of ../shared/data long enough for a loudness range (> 3 s), one per
# recording (the 44.1 kHz stereo .hq.ogg copy where librosa-data has two), several codecs.
CLIPS = [
    "essentia-audio/recorded/techno_loop.mp3",
    "essentia-audio/recorded/dubstep.flac",
    "essentia-audio/recorded/hiphop.mp3",
    "essentia-audio/recorded/flamenco.flac",
    "essentia-audio/recorded/distorted.wav",
    "essentia-audio/recorded/359628__mtg__sax-tenor-d-minor.wav",
    "librosa-data/audio/admiralbob77_-_Choice_-_Drum-bass.hq.ogg",
    "librosa-data/audio/Kevin_MacLeod_-_Vibe_Ace.hq.ogg",
    "librosa-data/audio/Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg",
    "librosa-data/audio/Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg",
    "librosa-data/audio/Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg",
    "spleeter/audio_example.mp3",
    "mirdata/ballroom/B_1.0/audio/Waltz/Media-105901.wav",
    "mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav",
    "mirdata/vocadito/Audio/vocadito_1.wav",
    "sigsep-mus-eval/derived-wav/Music Delta - 80s Rock/mixture.wav",
]


def db(linear):
    return 20.0 * math.log10(linear) if linear > 0 else None


def ffmpeg_figures(path):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "r128.txt")
        # The metadata log path goes through the filter-graph parser: escape ':' and '\'.
        esc = log.replace("\\", "\\\\").replace(":", "\\:")
        subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-i", path,
             "-af", f"ebur128=metadata=1:peak=sample+true,ametadata=print:file={esc}", "-f", "null", "-"],
            check=True)
        last = {}
        with open(log) as f:
            for line in f:
                if line.startswith("frame:"):
                    last = {}
                elif "=" in line:
                    key, value = line.strip().split("=", 1)
                    last[key] = float(value)
    return {
        "integrated_lufs": last["lavfi.r128.I"],
        "range_lu": last["lavfi.r128.LRA"],
        "true_peak_dbtp": db(last["lavfi.r128.true_peak"]),
        "sample_peak_dbfs": db(last["lavfi.r128.sample_peak"]),
    }


def decode(path):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels",
         "-of", "json", path], check=True, capture_output=True, text=True)
    stream = json.loads(probe.stdout)["streams"][0]
    sr, channels = int(stream["sample_rate"]), int(stream["channels"])
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-"],
        check=True, capture_output=True).stdout
    x = np.frombuffer(raw, dtype="<f4").reshape(-1, channels).astype(np.float64)
    return x, sr, channels


def main():
    clips = []
    for rel in CLIPS:
        path = os.path.join(DATA, rel)
        x, sr, channels = decode(path)
        lufs = pyloudnorm.Meter(sr).integrated_loudness(x)
        clip = {
            "path": rel,
            "sample_rate": sr,
            "channels": channels,
            "duration_s": round(x.shape[0] / sr, 3),
            "ffmpeg": ffmpeg_figures(path),
            "pyloudnorm": {"integrated_lufs": float(lufs)},
        }
        print(f"{rel}: ffmpeg {clip['ffmpeg']}  pyloudnorm {lufs:.3f}")
        clips.append(clip)
    versions = {
        "pyloudnorm": getattr(pyloudnorm, "__version__", "unknown"),
        "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generated_by": "tools/make_loudness_goldens.py", "versions": versions, "clips": clips}, f,
                  indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
