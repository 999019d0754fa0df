#!/usr/bin/env python3
"""Classical source separation: technob vs librosa 0.11 and nussl 1.1.9, speed and quality, one run.

    ~/.cache/technob-peers/bin/python bench/compare_separation.py [--runs N] [--librosa-runs N] [--quick]

Builds nothing: the release binaries `technob` and `examples/hpss_timing` are looked up in
$CARGO_TARGET_DIR/release (default target/release). Build them first with
    cargo build --release -p technob-cli -p technob --bin technob --example hpss_timing

Speed (HPSS, default kernel 31, soft masks, n_fft 2048, hop 512; signal in, signals out, i.e. the
STFT, the median filters, the masks and the inverse STFT of every channel; decoding excluded):
  technob  the median printed by `examples/hpss_timing FILE RUNS` (it decodes once, then times
           `technob::decompose::hpss` alone), --runs runs (default 5)
  librosa  `librosa.effects.hpss(y)` on y as read by soundfile (mono: shape (n,); stereo: (2, n)),
           timed around that call only, --librosa-runs runs (default 1: 30-50 s per run)
  nussl    `nussl.separation.primitive.HPSS(signal)()` (its own STFT, librosa's hpss masks per
           channel, its inverse STFT), one run; on the stereo file only if the mono run took under
           90 s, else skipped with the reason printed
  on /tmp/six_22k_mono.wav (22.05 kHz mono, the issue's reference point) and /tmp/six_minutes.wav
  (44.1 kHz stereo). --quick: the first 60 s of each.

Quality (BSS Eval v4 images, museval.evaluate with win = hop = 1 s, per source the median over
frames; the same numbers as technob::eval::separation::bss_eval_images):
  musdb  ../shared/data/sigsep-mus-eval/derived-wav/Music Delta - 80s Rock (6.8 s, true stems)
         hpss:  percussive vs drums, harmonic vs bass+other+vocals
         repet: vocals vs vocals, background vs drums+bass+other
  vot    "vocal over techno" of tools/make_separation_goldens.py (30 s: techno_loop.mp3 + the
         vocadito_1 a-cappella at the loop's RMS, written as a float WAV for the CLI)
         repet: vocals vs the a-cappella, background vs the loop
  technob: the CLI, `technob separate FILE --method hpss` / `--method repet` / `--method repet
  --on-mixture` (f32 stems); librosa: effects.hpss and the gallery vocal-separation recipe
  (make_separation_goldens.librosa_repet); nussl: HPSS and RepetSim with their defaults.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import types

import numpy as np
import soundfile as sf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import make_separation_goldens as recipe  # noqa: E402

DATA = recipe.DATA
MUSDB = os.path.join(DATA, recipe.MUSDB)


def release_dir():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release")


def import_nussl():
    """nussl 1.1.9 needs two shims with today's scipy and without soxbindings."""
    import scipy.signal
    import scipy.signal.windows as windows
    for name in ("hamming", "hann", "blackman"):
        if not hasattr(scipy.signal, name):
            setattr(scipy.signal, name, getattr(windows, name))
    sys.modules.setdefault("soxbindings", types.ModuleType("soxbindings"))
    import warnings
    warnings.filterwarnings("ignore")
    import nussl
    return nussl


def read(path, seconds=None):
    y, sr = sf.read(path, dtype="float32", always_2d=True)
    if seconds:
        y = y[: int(seconds * sr)]
    return y.T, sr


# ---------------------------------------------------------------- speed

def technob_hpss_seconds(path, runs):
    exe = os.path.join(release_dir(), "examples", "hpss_timing")
    out = subprocess.run([exe, path, str(runs)], check=True, capture_output=True, text=True).stdout
    m = re.search(r"median ([0-9.]+) s", out)
    if not m:
        raise RuntimeError(f"unexpected hpss_timing output: {out!r}")
    return float(m.group(1))


def librosa_hpss_seconds(y, runs):
    import librosa
    y = y[0] if y.shape[0] == 1 else y
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        librosa.effects.hpss(y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def nussl_hpss_seconds(nussl, y, sr):
    t0 = time.perf_counter()
    signal = nussl.AudioSignal(audio_data_array=y, sample_rate=sr)
    nussl.separation.primitive.HPSS(signal)()
    return time.perf_counter() - t0


def speed(args):
    rows = []
    try:
        nussl = import_nussl()
    except Exception as e:  # noqa: BLE001
        print(f"nussl does not import ({type(e).__name__}: {e}); speed without it")
        nussl = None
    nussl_ok = nussl is not None
    with tempfile.TemporaryDirectory() as tmp:
        for path in (args.mono, args.stereo):
            if not os.path.exists(path):
                print(f"{path} missing, skipped")
                continue
            y, sr = read(path, 60.0 if args.quick else None)
            src = path
            if args.quick:
                src = os.path.join(tmp, os.path.basename(path))
                sf.write(src, y.T, sr, subtype="FLOAT")
            label = f"{os.path.basename(path)} ({y.shape[0]} ch, {y.shape[1] / sr:.0f} s, {sr} Hz)"
            tb = technob_hpss_seconds(src, args.runs)
            print(f"  {label}: technob {tb:.3f} s", flush=True)
            lr = librosa_hpss_seconds(y, args.librosa_runs)
            print(f"  {label}: librosa {lr:.1f} s", flush=True)
            nu = None
            if nussl_ok:
                try:
                    nu = nussl_hpss_seconds(nussl, y, sr)
                    print(f"  {label}: nussl {nu:.1f} s", flush=True)
                    if nu > 90.0 and path != args.stereo:
                        print("  nussl took over 90 s: not run on the next file")
                        nussl_ok = False
                except Exception as e:  # noqa: BLE001
                    print(f"  nussl HPSS failed ({type(e).__name__}: {e})")
                    nussl_ok = False
            rows.append((label, tb, lr, nu))
    print()
    print(f"HPSS speed (median of {args.runs} technob runs, {args.librosa_runs} librosa run(s), 1 nussl run; "
          "decode excluded)")
    print(f"{'input':<44} {'technob s':>10} {'librosa s':>10} {'nussl s':>9} {'librosa/technob':>16} "
          f"{'nussl/technob':>14}")
    for label, tb, lr, nu in rows:
        nus = f"{nu:9.1f}" if nu is not None else f"{'-':>9}"
        nur = f"{nu / tb:13.0f}x" if nu is not None else f"{'-':>14}"
        print(f"{label:<44} {tb:10.3f} {lr:10.1f} {nus} {lr / tb:15.0f}x {nur}")
    print()


# ---------------------------------------------------------------- quality

def scores(references, estimates, sr):
    n = min(r.shape[1] for r in references)
    fitted = []
    for e in estimates:
        e = e[:, :n]
        if e.shape[1] < n:
            e = np.pad(e, ((0, 0), (0, n - e.shape[1])))
        fitted.append(e)
    return recipe.scores([r[:, :n] for r in references], fitted, sr)


def technob_separate(path, method, extra, tmp):
    out = os.path.join(tmp, method + "".join(extra).replace("-", ""))
    exe = os.path.join(release_dir(), "technob")
    subprocess.run([exe, "separate", path, "--method", method, "--out", out, *extra], check=True,
                   capture_output=True)
    names = ("harmonic", "percussive") if method == "hpss" else ("vocals", "background")
    return [read(os.path.join(out, n + ".wav"))[0] for n in names]


def nussl_separate(nussl, y, sr, kind):
    signal = nussl.AudioSignal(audio_data_array=y, sample_rate=sr)
    if kind == "hpss":
        harmonic, percussive = nussl.separation.primitive.HPSS(signal)()
        return [harmonic.audio_data, percussive.audio_data]
    background, foreground = nussl.separation.primitive.RepetSim(signal)()
    return [foreground.audio_data, background.audio_data]


def quality(args):
    import librosa
    try:
        nussl = import_nussl()
    except Exception as e:  # noqa: BLE001
        print(f"nussl does not import ({type(e).__name__}: {e}); quality without it")
        nussl = None
    rows = []

    def add(case, names, refs, tool, ests, sr):
        for name, s in zip(names, scores(refs, ests, sr)):
            rows.append((case, name, tool, s))

    def add_nussl(case, names, refs, y, sr, kind):
        if nussl is None:
            return
        try:
            add(case, names, refs, "nussl", nussl_separate(nussl, y, sr, kind), sr)
        except Exception as e:  # noqa: BLE001
            print(f"nussl {kind} on {case} failed ({type(e).__name__}: {e})")

    with tempfile.TemporaryDirectory() as tmp:
        mix_path = os.path.join(MUSDB, "mixture.wav")
        mix, sr = read(mix_path)
        stems = {s: read(os.path.join(MUSDB, s + ".wav"))[0] for s in ("drums", "bass", "other", "vocals")}
        # HPSS: estimates ordered [percussive, harmonic] against [drums, rest].
        refs = [stems["drums"], stems["bass"] + stems["other"] + stems["vocals"]]
        names = ["percussive vs drums", "harmonic vs bass+other+vocals"]
        h, p = technob_separate(mix_path, "hpss", [], tmp)
        add("musdb hpss", names, refs, "technob", [p, h], sr)
        yh, yp = librosa.effects.hpss(mix)
        add("musdb hpss", names, refs, "librosa", [yp, yh], sr)
        if nussl is not None:
            try:
                nh, np_ = nussl_separate(nussl, mix, sr, "hpss")
                add("musdb hpss", names, refs, "nussl", [np_, nh], sr)
            except Exception as e:  # noqa: BLE001
                print(f"nussl hpss on musdb failed ({type(e).__name__}: {e})")
        # REPET: estimates [vocals, background].
        cases = [("musdb repet", mix_path, mix, sr,
                  [stems["vocals"], stems["drums"] + stems["bass"] + stems["other"]],
                  ["vocals vs vocals", "background vs drums+bass+other"])]
        vmix, vsr, vocal, loop = recipe.vocal_over_techno()
        vpath = os.path.join(tmp, "vocal_over_techno.wav")
        sf.write(vpath, vmix.T, vsr, subtype="FLOAT")
        cases.append(("vot repet", vpath, vmix, vsr, [vocal, loop], ["vocals vs a-cappella", "background vs loop"]))
        for case, path, y, rate, refs, names in cases:
            add(case, names, refs, "technob", technob_separate(path, "repet", [], tmp), rate)
            add(case, names, refs, "technob --on-mixture",
                technob_separate(path, "repet", ["--on-mixture"], tmp), rate)
            add(case, names, refs, "librosa recipe", list(recipe.librosa_repet(y, rate)), rate)
            add_nussl(case, names, refs, y, rate, "repet")

    print("Separation quality: BSS Eval v4 (museval, 1-s windows), median over frames, dB")
    print(f"{'case':<12} {'estimate vs reference':<31} {'tool':<22} {'SDR':>6} {'SIR':>6} {'SAR':>6} {'ISR':>6}")
    for case, name, tool, s in rows:
        print(f"{case:<12} {name:<31} {tool:<22} {s['sdr']:6.2f} {s['sir']:6.2f} {s['sar']:6.2f} {s['isr']:6.2f}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="technob timing runs (median)")
    ap.add_argument("--librosa-runs", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="speed on the first 60 s only")
    ap.add_argument("--mono", default="/tmp/six_22k_mono.wav")
    ap.add_argument("--stereo", default="/tmp/six_minutes.wav")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    args = ap.parse_args()
    for exe in ("technob", os.path.join("examples", "hpss_timing")):
        if not os.path.exists(os.path.join(release_dir(), exe)):
            sys.exit(f"{os.path.join(release_dir(), exe)} missing: build it first (see the top of this file)")
    if not args.no_quality:
        quality(args)
    if not args.no_speed:
        speed(args)


if __name__ == "__main__":
    main()
