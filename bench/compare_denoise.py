#!/usr/bin/env python3
"""Denoising: technob vs noisereduce 3.0.3, quality and speed, one run.

    ~/.cache/technob-peers/bin/python bench/compare_denoise.py [--build] [--speed FILE]

Quality: the 18 conditions of tools/make_denoise_goldens.py (vocal, sax, drums from ../shared/data
x white/pink noise x 0/5/10 dB SNR, the same seeded noise as the Rust test). Each noisy signal is
written as a float WAV to a temporary folder and denoised by technob's `examples/denoise_timing.rs`
(release build, default options: noise profile from the quietest 10 % of the frames) and by
noisereduce with stationary=True (its statistics from the whole noisy signal), stationary=False
(its default), and stationary=True with y_noise = the added noise itself (an oracle profile no
user has: an upper reference). Prints the SI-SDR improvement (dB) and the gain flicker (dB, the
musical-noise proxy; lower is smoother) of each.

Speed (--speed, default /tmp/six_minutes.wav): technob's median over 3 runs (decoding excluded)
and noisereduce stationary=True on the same stereo signal (soundfile load excluded), one run.
The binary is looked up in $CARGO_TARGET_DIR/release/examples (default target/); --build runs
cargo first.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import soundfile as sf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import make_denoise_goldens as recipe  # noqa: E402


def binary():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "examples", "denoise_timing")


def technob_denoise(noisy, sr, tmp):
    src, dst = os.path.join(tmp, "noisy.wav"), os.path.join(tmp, "clean.wav")
    sf.write(src, noisy.T, sr, subtype="FLOAT")
    subprocess.run([binary(), src, "1", dst], check=True, capture_output=True)
    y, _ = sf.read(dst, dtype="float32", always_2d=True)
    return y.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="store_true")
    ap.add_argument("--speed", default="/tmp/six_minutes.wav")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    if args.build:
        subprocess.run(["cargo", "build", "--release", "-p", "technob", "--example", "denoise_timing"],
                       cwd=ROOT, check=True)
    import noisereduce as nr
    names = ["technob", "nr_stationary", "nr_nonstationary", "nr_oracle"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in recipe.conditions():
            outs = {"technob": technob_denoise(c["noisy"], c["sr"], tmp)}
            outs.update({"nr_" + k: v for k, v in recipe.noisereduce_outputs(c).items()})
            y = c["noisy"][0] if c["noisy"].shape[0] == 1 else c["noisy"]
            n = c["noise"][0] if c["noise"].shape[0] == 1 else c["noise"]
            outs["nr_oracle"] = nr.reduce_noise(y=y, sr=c["sr"], stationary=True, y_noise=n)
            scores = {k: recipe.score(c, v) for k, v in outs.items()}
            rows.append((c, scores))
    print("SI-SDR improvement dB (gain flicker dB)")
    print(f"{'condition':18s}" + "".join(f"{n:>22s}" for n in names))
    fmt = lambda s: f"{s['si_sdr_improvement']:7.2f} ({'  -  ' if s['flicker_db'] is None else format(s['flicker_db'], '5.2f')})"
    for c, scores in rows:
        print(f"{c['clip'] + ' ' + c['kind'] + ' ' + str(c['snr']):18s}" + "".join(f"{fmt(scores[n]):>22s}" for n in names))
    means = {n: np.mean([s[n]["si_sdr_improvement"] for _, s in rows]) for n in names}
    wins = sum(s["technob"]["si_sdr_improvement"] >= s["nr_stationary"]["si_sdr_improvement"] for _, s in rows)
    print("mean improvement: " + ", ".join(f"{n} {means[n]:.2f}" for n in names))
    print(f"technob >= noisereduce stationary on {wins}/{len(rows)} conditions")
    if args.no_speed or not os.path.exists(args.speed):
        return
    out = subprocess.run([binary(), args.speed, "3"], check=True, capture_output=True, text=True)
    print("technob:", out.stdout.strip())
    y, sr = sf.read(args.speed, dtype="float32", always_2d=True)
    t0 = time.perf_counter()
    nr.reduce_noise(y=y.T.copy(), sr=sr, stationary=True)
    print(f"noisereduce stationary of {y.shape[1]} ch x {len(y) / sr:.1f} s: {time.perf_counter() - t0:.3f} s (one run)")


if __name__ == "__main__":
    main()
