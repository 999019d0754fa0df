#!/usr/bin/env python3
"""pYIN over a whole track: technob vs librosa, speed and agreement, in one run.

    ~/.cache/technob-peers/bin/python bench/compare_pitch.py [--runs 3] [--build]

1. Builds six_minutes_22k_mono.wav (6 min 0 s, 22.05 kHz mono, 16-bit; the CC-licensed
   librosa-data songs of ../shared/data that bench/compare_peers.py uses, concatenated with
   ffmpeg) in a temporary directory, never inside the repository.
2. librosa: `librosa.load(path, sr=None)` (untimed), then `librosa.pyin(y, sr=22050,
   frame_length=2048, hop_length=512, fmin=C2, fmax=C7)` timed once (after an untimed warm-up
   call on one second of audio, so numba's compilation is not counted).
3. technob: `examples/pitch_track.rs` (release build; `--build` runs cargo first) as a
   subprocess with the same settings, --runs times; reports the median of its own pYIN time
   (`track_s`, the pYIN call only) and of the process wall time (start-up + decoding the WAV +
   pYIN + writing the CSV).
4. Prints both ratios librosa / technob (> 1: technob is faster; the issue's target is >= 20)
   and how far the two f0 tracks agree (frames voiced in both with |f0 difference| < 50 cents,
   and voicing agreement), as a sanity check that the same work was done.

The binary is looked up in $CARGO_TARGET_DIR/release/examples (default target/). Timings on a
shared 2-core machine are indicative: quote medians and ratios.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
from compare_peers import DATA, SONGS, sh  # noqa: E402  (same source songs as compare_peers.py)

SR, FRAME, HOP = 22050, 2048, 512


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def make_track(tmp):
    concat = os.path.join(tmp, "list.txt")
    with open(concat, "w") as f:
        for _ in range(2):
            for s in SONGS:
                f.write(f"file '{os.path.join(DATA, s)}'\n")
    out = os.path.join(tmp, "six_minutes_22k_mono.wav")
    sh("ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", concat, "-ar", str(SR), "-ac", "1",
       "-t", "360", "-c:a", "pcm_s16le", out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="technob runs (librosa runs once)")
    ap.add_argument("--build", action="store_true", help="cargo build --release --example pitch_track first")
    args = ap.parse_args()

    if args.build:
        subprocess.run(["cargo", "build", "--release", "-p", "technob", "--example", "pitch_track"], cwd=ROOT,
                       check=True)
    binary = os.path.join(target_dir(), "release", "examples", "pitch_track")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: run with --build (or cargo build --release --example pitch_track)")

    import librosa
    import numpy as np

    fmin, fmax = librosa.note_to_hz("C2"), librosa.note_to_hz("C7")
    with tempfile.TemporaryDirectory(prefix="technob-pitch-bench-") as tmp:
        path = make_track(tmp)
        y, sr = librosa.load(path, sr=None)
        assert sr == SR, sr
        print(f"track: {len(y) / sr:.1f} s at {sr} Hz mono ({len(y)} samples)")

        kw = dict(fmin=fmin, fmax=fmax, sr=sr, frame_length=FRAME, hop_length=HOP)
        librosa.pyin(y[:sr], **kw)  # warm-up: numba compilation
        t = time.perf_counter()
        f0_l, voiced_l, _ = librosa.pyin(y, **kw)
        librosa_s = time.perf_counter() - t
        print(f"librosa.pyin: {librosa_s:.2f} s ({len(f0_l)} frames)")

        csv = os.path.join(tmp, "technob.csv")
        cmd = [binary, path, "--frame", str(FRAME), "--hop", str(HOP), "--fmin", repr(float(fmin)), "--fmax", repr(float(fmax)),
               "--csv", csv]
        track_s, wall_s = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, check=True)
            wall_s.append(time.perf_counter() - t)
            info = json.loads(p.stdout.strip().splitlines()[-1])
            track_s.append(info["track_s"])
        track_med, wall_med = statistics.median(track_s), statistics.median(wall_s)
        print(f"technob pyin:  {track_med:.3f} s median of {args.runs} (pYIN call only; runs: "
              + ", ".join(f"{x:.3f}" for x in track_s) + ")")
        print(f"technob wall:  {wall_med:.3f} s median (process: start-up, decode, pYIN, CSV)")
        print(f"ratio librosa / technob: {librosa_s / track_med:.1f}x (pYIN only), "
              f"{librosa_s / wall_med:.1f}x (whole process)")

        with open(csv) as f:
            assert f.readline().strip() == "time_s,f0_hz,voiced,voiced_prob"
            rows = [line.strip().split(",") for line in f if line.strip()]
        f0_t = np.array([float(r[1]) for r in rows])
        voiced_t = np.array([r[2] == "true" for r in rows])
        n = min(len(f0_t), len(f0_l))
        if len(f0_t) != len(f0_l):
            print(f"frame counts differ: technob {len(f0_t)}, librosa {len(f0_l)}")
        vt, vl = voiced_t[:n], voiced_l[:n]
        both = vt & vl
        cents = 1200 * np.abs(np.log2(f0_t[:n][both] / f0_l[:n][both]))
        print(f"agreement: voicing {np.mean(vt == vl):.3f} of frames; voiced in both {both.mean():.3f}, "
              f"of which f0 within 50 cents {np.mean(cents < 50):.3f}")


if __name__ == "__main__":
    main()
