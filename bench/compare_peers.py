#!/usr/bin/env python3
"""technob vs librosa, side by side on the same files, in one run.

    bash ../shared/tools/setup-peers.sh            # once: the peers venv, ffmpeg
    ~/.cache/technob-peers/bin/python bench/compare_peers.py [--runs 5]

1. Builds test tracks in a temporary directory from real recordings of ../shared/data (CC-licensed
   librosa-data songs, 44.1 kHz stereo), never inside the repository:
     six_minutes.{wav,flac,mp3}: 6 min 0 s, 44.1 kHz stereo (4 songs concatenated)
     ten_minutes.mp3:            10 min, 44.1 kHz stereo (the same songs, repeated)
2. Decode + mono STFT (n_fft 2048, hop 512): technob (`examples/decode_stft.rs`, release build)
   vs `librosa.load(path, sr=None)` + `librosa.stft(y)`, each timed in-process; prints the median
   of the runs and the ratio.
3. Peak RSS of `technob analyze` (release binary) on the 10-minute track, read from the kernel's
   accounting of the child process (ru_maxrss).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "librosa-data", "audio"))
SONGS = [
    "Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg",
    "Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg",
    "Kevin_MacLeod_-_Vibe_Ace.hq.ogg",
    "Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg",
]


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def make_tracks(tmp):
    concat = os.path.join(tmp, "list.txt")
    with open(concat, "w") as f:
        for _ in range(2):
            for s in SONGS:
                f.write(f"file '{os.path.join(DATA, s)}'\n")
    base = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", concat, "-ar", "44100", "-ac", "2"]
    out = {}
    out["wav"] = os.path.join(tmp, "six_minutes.wav")
    sh(*base, "-t", "360", "-c:a", "pcm_s16le", out["wav"])
    out["flac"] = os.path.join(tmp, "six_minutes.flac")
    sh("ffmpeg", "-v", "error", "-y", "-i", out["wav"], out["flac"])
    out["mp3"] = os.path.join(tmp, "six_minutes.mp3")
    sh("ffmpeg", "-v", "error", "-y", "-i", out["wav"], "-c:a", "libmp3lame", "-b:a", "320k", out["mp3"])
    out["ten"] = os.path.join(tmp, "ten_minutes.mp3")
    sh(*base, "-t", "600", "-c:a", "libmp3lame", "-b:a", "320k", out["ten"])
    return out


def time_librosa(path, runs):
    import librosa
    import numpy as np
    load, stft, total, mag = [], [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        y, sr = librosa.load(path, sr=None)
        t1 = time.perf_counter()
        S = librosa.stft(y, n_fft=2048, hop_length=512)
        t2 = time.perf_counter()
        M = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
        t3 = time.perf_counter()
        load.append(t1 - t0), stft.append(t2 - t1), total.append(t2 - t0), mag.append(t3 - t2)
    assert S.dtype == np.complex64
    return {"decode_s": statistics.median(load), "stft_s": statistics.median(stft),
            "total_s": statistics.median(total), "magnitude_s": statistics.median(mag),
            "bins": S.shape[0], "frames": S.shape[1]}


def time_technob(path, runs):
    exe = os.path.join(ROOT, "target", "release", "examples", "decode_stft")
    return json.loads(sh(exe, path, str(runs)).stdout)


RSS_PROBE = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_rss_mb(cmd):
    """Peak RSS of `cmd` alone: measured from a fresh Python process whose only child it is."""
    probe = json.loads(sh(sys.executable, "-c", RSS_PROBE, *cmd).stdout)
    if probe["code"] != 0:
        sys.exit(f"{cmd} failed: {probe['stderr']}")
    return probe["maxrss_kb"] / 1024.0, probe["stdout"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print("building release binaries ...", flush=True)
    sh("cargo", "build", "--release", "-q", "-p", "technob-cli", cwd=ROOT)
    sh("cargo", "build", "--release", "-q", "-p", "technob", "--example", "decode_stft", cwd=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tracks = make_tracks(tmp)
        rss, out = peak_rss_mb([os.path.join(ROOT, "target", "release", "technob"), "analyze", "--json", tracks["ten"]])
        doc = json.loads(out)
        print(f"\npeak RSS of `technob analyze` on a {doc['audio']['duration_s']:.0f} s 44.1 kHz stereo MP3: "
              f"{rss:.1f} MB (target <= 200 MB)")
        import librosa
        print(f"\ndecode + mono STFT (2048/512), median of {args.runs} runs; librosa {librosa.__version__}")
        print(f"{'file':<22}{'technob s':>10}{'librosa s':>11}{'ratio':>8}   (decode / stft: technob | librosa)")
        rows = []
        for kind in ["wav", "flac", "mp3"]:
            path = tracks[kind]
            ours = time_technob(path, args.runs)
            theirs = time_librosa(path, args.runs)
            assert (ours["bins"], ours["frames"]) == (theirs["bins"], theirs["frames"]), (ours, theirs)
            ratio = theirs["total_s"] / ours["total_s"]
            print(f"{os.path.basename(path):<22}{ours['total_s']:>10.3f}{theirs['total_s']:>11.3f}{ratio:>7.1f}x   "
                  f"({ours['decode_s']:.3f} / {ours['stft_s']:.3f} | {theirs['decode_s']:.3f} / {theirs['stft_s']:.3f})")
            rows.append((path, ours, theirs))
        print(f"\ndecode + magnitude spectrogram (np.abs(librosa.stft(y))), median of {args.runs} runs")
        for path, ours, theirs in rows:
            a = ours["decode_s"] + ours["magnitude_s"]
            b = theirs["decode_s"] + theirs["magnitude_s"]
            print(f"{os.path.basename(path):<22}{a:>10.3f}{b:>11.3f}{b / a:>7.1f}x")


if __name__ == "__main__":
    main()
