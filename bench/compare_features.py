#!/usr/bin/env python3
"""Descriptors and loudness of a whole track: technob vs librosa, essentia and pyloudnorm, one run.

    ~/.cache/technob-peers/bin/python bench/compare_features.py [FILE]   (default /tmp/six_minutes.wav)

1. technob (release binary in $CARGO_TARGET_DIR/release, default target/; build it first with
   `cargo build --release -p technob-cli`):
     `technob features FILE --json -o /dev/null --timings` (rows per beat: decoding, descriptors
     + loudness, beat tracking, output) and the same with `--per frame` (no beat tracking);
     process wall time and technob's own split (the `timings:` line on stderr).
2. librosa 0.11 (`librosa.load(FILE, sr=None, mono=True)` untimed), the same descriptors at the
   file's rate, computed the way librosa allows with the least repeated work: one magnitude STFT
   S shared by centroid, bandwidth, roll-off, flatness, contrast; mel = melspectrogram(S=S**2),
   log-mel shared by onset_strength and mfcc; delta and delta-delta; chroma_stft(S=S**2,
   tuning=0); rms(y) and zero_crossing_rate(y) on the signal. One warm-up call on 2 s first
   (numba compilation is not counted).
3. essentia's LoudnessEBUR128 and pyloudnorm's integrated loudness on the stereo signal
   (soundfile, untimed load).
Prints each time and the ratios peer / technob (> 1: technob is faster). One run: a shared
2-core machine gives indicative figures only.
"""
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def technob_bin():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "technob")


def run_technob(path, per):
    cmd = [technob_bin(), "features", path, "--json", "-o", "/dev/null", "--timings", "--per", per]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    split = {}
    for line in out.stderr.splitlines():
        if line.startswith("timings: "):
            for part in line[len("timings: "):].split(", "):
                name, value, _ = part.rsplit(" ", 2)
                split[name] = float(value)
    return wall, split


def librosa_descriptors(y, sr):
    import librosa
    S = np.abs(librosa.stft(y))
    P = S ** 2
    librosa.feature.rms(y=y)
    librosa.feature.zero_crossing_rate(y)
    librosa.feature.spectral_centroid(S=S, sr=sr)
    librosa.feature.spectral_bandwidth(S=S, sr=sr)
    librosa.feature.spectral_rolloff(S=S, sr=sr)
    librosa.feature.spectral_flatness(S=S)
    librosa.feature.spectral_contrast(S=S, sr=sr)
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(S=P, sr=sr))
    librosa.onset.onset_strength(S=log_mel, sr=sr)
    mfcc = librosa.feature.mfcc(S=log_mel, sr=sr)
    librosa.feature.delta(mfcc)
    librosa.feature.delta(mfcc, order=2)
    librosa.feature.chroma_stft(S=P, sr=sr, tuning=0.0)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/six_minutes.wav"
    import essentia.standard as es
    import librosa
    import pyloudnorm
    import soundfile

    wall_beat, split_beat = run_technob(path, "beat")
    wall_frame, split_frame = run_technob(path, "frame")
    print(f"technob features --per beat : wall {wall_beat:.3f} s; {split_beat}")
    print(f"technob features --per frame: wall {wall_frame:.3f} s; {split_frame}")
    ours = split_frame.get("descriptors+loudness", float("nan"))

    y, sr = librosa.load(path, sr=None, mono=True)
    librosa_descriptors(y[: 2 * sr], sr)
    t0 = time.perf_counter()
    librosa_descriptors(y, sr)
    t_librosa = time.perf_counter() - t0

    stereo, sr2 = soundfile.read(path, dtype="float32", always_2d=True)
    if stereo.shape[1] == 1:
        stereo = np.repeat(stereo, 2, axis=1)
    t0 = time.perf_counter()
    es.LoudnessEBUR128(sampleRate=float(sr2))(np.ascontiguousarray(stereo[:, :2]))
    t_essentia = time.perf_counter() - t0
    t0 = time.perf_counter()
    pyloudnorm.Meter(sr2).integrated_loudness(stereo.astype(np.float64))
    t_pyln = time.perf_counter() - t0

    print(f"librosa descriptors          : {t_librosa:.3f} s")
    print(f"essentia LoudnessEBUR128     : {t_essentia:.3f} s")
    print(f"pyloudnorm integrated        : {t_pyln:.3f} s")
    print(f"technob descriptors+loudness : {ours:.3f} s (target <= 0.5 s)")
    print(f"ratio librosa descriptors / technob descriptors+loudness: {t_librosa / ours:.1f}x")
    print(f"ratio (librosa + essentia loudness) / technob: {(t_librosa + t_essentia) / ours:.1f}x")
    print(f"ratio (librosa + pyloudnorm) / technob       : {(t_librosa + t_pyln) / ours:.1f}x")


if __name__ == "__main__":
    main()
