#!/usr/bin/env python3
"""Time-stretch and pitch-shift: technob vs Rubber Band (R2, R3), librosa 0.11 and SoundTouch, one run.

    ~/.cache/technob-peers/bin/python bench/compare_stretch.py [--technob PATH] [--json OUT.json]
        [--no-quality] [--only METRICS] [--speed] [--speed-file /tmp/six_minutes.wav] [--runs 3]

Builds nothing: `technob` is looked up in $CARGO_TARGET_DIR/release (default target/release);
build it first with `cargo build --release -p technob-cli`. A peer that is missing is skipped
with a note.

Tools (every one gets the same temporary WAV; all clips stay in a temporary directory):
  technob  `technob stretch IN OUT --ratio R`, `technob shift IN OUT --semitones S`
  rb-R2    `rubberband -q -2 -t R` / `-p S` (R2 engine, default crispness 5)
  rb-R3    `rubberband -q -3 -t R` / `-p S` (R3 "finer" engine)
  librosa  `librosa.effects.time_stretch(y_c, rate=1/R)` per channel / `librosa.effects.pitch_shift`
           (n_steps=S, its defaults), in this process, written as a float WAV
  sstretch `soundstretch IN OUT -tempo=(1/R - 1)·100` / `-pitch=S`. SoundTouch 2.3 misreads
           32-bit float WAV (it treats the samples as integers), so it is given a 32-bit integer
           PCM copy of its input (clips decoded to float are within ±1, so nothing clips).

Clips (../shared/data, decoded with ffmpeg to float WAV at their native rate):
  techno_loop (30.7 s stereo 44.1k mp3), vibe_ace (Kevin MacLeod - Vibe Ace, hq ogg, first 30 s),
  vocadito (vocadito_1, 33 s mono 44.1k singing), choice (admiralbob77 - Choice - Drum-bass, hq ogg),
  sax (MTG tenor sax in D minor, 6.9 s mono 48k), sample (madmom's sample.wav, 2.8 s, 15 annotated
  onsets).

Metrics (one table each; --json dumps every number):
 1 length   |len(out) - round(n·R)| samples, R in 0.8, 1.25, 1.5, 1.05, every clip.
 2 pitch kept  pYIN (librosa.pyin, fmin 65, fmax 1000, frame 2048, hop 512, native rate) on
           vocadito and sax before and after ×0.8 and ×1.25. Input frame i (time t) is compared
           with the output frame nearest t·R; d = 1200·log2(f0_out / f0_in) over frames voiced in
           both: median |d| and median d (target: within 5 cents). librosa's pYIN returns f0 on
           a 10-cent grid, so both medians move in steps of 5-10 cents; the table also gives the
           mean of d over the frames with |d| < 50 cents, which averages the grid out.
 3 shift    +3, −5, +0.5 semitones on vocadito and sax: median over frames voiced in both (same
           frame index) of 1200·log2(f0_out / f0_in) minus the requested cents, the same mean
           within ±50 cents of the request, and len(out) − len(in).
 4 round trip  stretch by r then by 1/r (r = 0.8, 1.25, 1.5) on techno_loop, vibe_ace, vocadito,
           choice; len(back) − n is printed. The lag of the result against the original is found
           within ±2048 samples, the same way for every tool, by cross-correlating (over time,
           summed over bins) the log-magnitude spectrograms of the channel means (n_fft 512,
           hop 32, so a 32-sample resolution): the waveforms themselves do not work, a phase
           vocoder changes the phases and their cross-correlation peaked up to 2000 samples off
           and made the distances worse than no alignment at all. The result is shifted by the
           lag and both are trimmed to the shorter (4d: the same without the shift); then, per
           channel and averaged,
           the log-spectral distance (dB) and the spectral convergence of
           crates/technob/examples/stretch_timing.rs on |STFT| (n_fft 2048, hop 512, Hann,
           centred, zero padding): LSD = mean over frames of sqrt(mean over bins
           (20·log10((p + 1e-6) / (q + 1e-6)))²), SC = ||P − Q||_F / ||P||_F.
 5 transients  onset envelope (librosa.onset.onset_strength, defaults, sr = native rate) of
           the channel mean, before and after ×1.25 and ×0.8. At each onset t (mapped to t·R):
           peak of the envelope within ±30 ms / median within ±250 ms; the table gives the mean
           over onsets of (after / before), 1.0 = as sharp as the original. Onsets: madmom's
           annotations for sample; for choice and techno_loop (no annotations exist in
           ../shared/data) librosa.onset.onset_detect on the original (backtrack off).
 6 speed    (--speed) ×1.05 of --speed-file (6 min 44.1k stereo 16-bit): wall time of each
           tool including its file read and write (technob, Rubber Band, soundstretch: the CLI
           process; librosa: soundfile read + time_stretch per channel + soundfile write, after
           an untimed warm-up on 1 s); median of --runs runs; a tool whose first run takes over
           60 s runs once (said in the table). Ratios are tool time / technob time.
 7 formants  vocadito shifted ±5 semitones by technob with and without --formants and by
           Rubber Band R2/R3 with -F (R3 without it for reference): median over loud frames
           (RMS above its median) of the Euclidean distance between MFCC 1-12 of the original
           and of the result (librosa.feature.mfcc defaults); lower = envelope kept in place.
           `--only formants` runs this one alone (any metric names, comma-separated).
"""
import argparse
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import soundfile as sf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))

TOOLS = ("technob", "rb-R2", "rb-R3", "librosa", "sstretch")
LENGTH_RATIOS = (0.8, 1.25, 1.5, 1.05)
KEPT_RATIOS = (0.8, 1.25)
SHIFTS = (3.0, -5.0, 0.5)
TRIP_RATIOS = (0.8, 1.25, 1.5)
TRIP_CLIPS = ("techno_loop", "vibe_ace", "vocadito", "choice")
PITCH_CLIPS = ("vocadito", "sax")
ONSET_CLIPS = ("sample", "choice", "techno_loop")
SLOW_S = 60.0

N_FFT, HOP = 2048, 512
MAX_LAG = 2048


def vibe_ace():
    base = os.path.join(DATA, "librosa-data", "audio", "Kevin_MacLeod_-_Vibe_Ace")
    for cand in (base + ".hq.ogg", base + ".ogg"):
        if os.path.exists(cand):
            return cand
    found = sorted(glob.glob(base + ".*"))
    return next((f for f in found if not f.endswith(".txt")), base + ".hq.ogg")


def clip_sources():
    """name -> (path, seconds to keep or None)"""
    return {
        "techno_loop": (os.path.join(DATA, "essentia-audio", "recorded", "techno_loop.mp3"), None),
        "vibe_ace": (vibe_ace(), 30.0),
        "vocadito": (os.path.join(DATA, "mirdata", "vocadito", "Audio", "vocadito_1.wav"), None),
        "choice": (os.path.join(DATA, "librosa-data", "audio", "admiralbob77_-_Choice_-_Drum-bass.hq.ogg"), None),
        "sax": (os.path.join(DATA, "essentia-audio", "recorded", "359628__mtg__sax-tenor-d-minor.wav"), None),
        "sample": (os.path.join(DATA, "madmom", "tests", "data", "audio", "sample.wav"), None),
    }


SAMPLE_ONSETS = os.path.join(DATA, "madmom", "tests", "data", "annotations", "sample.onsets")


def default_technob():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "technob")


def read(path):
    """(channels, n) float64 and the rate."""
    y, sr = sf.read(path, dtype="float64", always_2d=True)
    return y.T, sr


def fmt_ratio(r):
    return f"{r:g}"


def expected_len(n, r):
    """round(n·R) with halves away from zero, as technob's `f64::round` (Python's round() would
    send 499942.5 to the even 499942)."""
    return int(math.floor(n * r + 0.5))


def signed(v, digits):
    """+x formatting without a "-0" for values that round to zero."""
    v = round(v, digits) + 0.0
    return f"{v:+.{digits}f}"


class ToolError(RuntimeError):
    pass


def run(argv, timeout=900):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ToolError(f"{argv[0]}: {type(e).__name__}: {e}") from e
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        raise ToolError(f"{os.path.basename(argv[0])} exit {p.returncode}: {msg[-1] if msg else ''}")
    return p


class Runner:
    """Runs every tool on files in `tmp`, caching outputs by (tool, input, operation, value)."""

    def __init__(self, tmp, technob):
        self.tmp = tmp
        self.cache = {}
        self.notes = []
        self.n_out = 0
        self.avail = {}
        self.technob = technob
        self.technob_shift = False
        if os.path.isfile(technob) and os.access(technob, os.X_OK):
            self.avail["technob"] = True
            try:
                run([technob, "shift", "--help"], timeout=30)
                self.technob_shift = True
            except ToolError:
                self.notes.append("(technob shift not available): technob's pitch-shift cells are skipped")
        else:
            self.avail["technob"] = False
            self.notes.append(f"technob binary not found at {technob}: skipped "
                              "(cargo build --release -p technob-cli)")
        self.rubberband = shutil.which("rubberband")
        for t in ("rb-R2", "rb-R3"):
            self.avail[t] = self.rubberband is not None
        if self.rubberband is None:
            self.notes.append("rubberband not found: rb-R2 and rb-R3 skipped")
        self.soundstretch = shutil.which("soundstretch")
        self.avail["sstretch"] = self.soundstretch is not None
        if self.soundstretch is None:
            self.notes.append("soundstretch not found: skipped")
        try:
            import librosa  # noqa: F401
            self.avail["librosa"] = True
        except ImportError as e:
            self.avail["librosa"] = False
            self.notes.append(f"librosa does not import ({e}): skipped")
        self.int_copies = {}

    def fresh(self, stem):
        self.n_out += 1
        return os.path.join(self.tmp, f"{self.n_out:04d}_{stem}.wav")

    def int_copy(self, path):
        """A 32-bit integer PCM copy for soundstretch (it misreads float WAV)."""
        if sf.info(path).subtype not in ("FLOAT", "DOUBLE"):
            return path
        if path not in self.int_copies:
            y, sr = read(path)
            peak = float(np.max(np.abs(y))) if y.size else 0.0
            if peak > 1.0:
                self.notes.append(f"sstretch input {os.path.basename(path)} peaks at {peak:.3f}: clipped to ±1 "
                                  "in its integer copy")
            out = self.fresh("s32")
            sf.write(out, np.clip(y, -1.0, 1.0).T, sr, subtype="PCM_32")
            self.int_copies[path] = out
        return self.int_copies[path]

    def argv(self, tool, src, dst, op, value):
        if tool == "technob":
            if op == "stretch":
                return [self.technob, "stretch", src, dst, "--ratio", repr(value)]
            return [self.technob, "shift", src, dst, "--semitones", repr(value)]
        if tool in ("rb-R2", "rb-R3"):
            engine = "-2" if tool == "rb-R2" else "-3"
            flag = "-t" if op == "stretch" else "-p"
            return [self.rubberband, "-q", engine, flag, repr(value), src, dst]
        if tool == "sstretch":
            if op == "stretch":
                pct = (1.0 / value - 1.0) * 100.0
                return [self.soundstretch, self.int_copy(src), dst, f"-tempo={pct:.6f}"]
            return [self.soundstretch, self.int_copy(src), dst, f"-pitch={value:g}"]
        raise ValueError(tool)

    def librosa_op(self, src, dst, op, value):
        import librosa
        y, sr = sf.read(src, dtype="float32", always_2d=True)
        y = y.T
        if op == "stretch":
            out = [librosa.effects.time_stretch(np.ascontiguousarray(c), rate=1.0 / value) for c in y]
        else:
            out = [librosa.effects.pitch_shift(np.ascontiguousarray(c), sr=sr, n_steps=value) for c in y]
        sf.write(dst, np.stack(out).T, sr, subtype="FLOAT")

    def available(self, tool, op):
        if not self.avail.get(tool):
            return False
        return not (tool == "technob" and op == "shift" and not self.technob_shift)

    def out(self, tool, src, op, value):
        """Path of the tool's output, or None (failure noted once)."""
        key = (tool, src, op, value)
        if key in self.cache:
            return self.cache[key]
        path = None
        if self.available(tool, op):
            dst = self.fresh(f"{tool}_{op}_{value:g}")
            try:
                if tool == "librosa":
                    self.librosa_op(src, dst, op, value)
                else:
                    run(self.argv(tool, src, dst, op, value))
                if not os.path.exists(dst):
                    raise ToolError("no output file written")
                path = dst
            except (ToolError, RuntimeError, ValueError, sf.LibsndfileError) as e:
                self.notes.append(f"{tool} {op} {value:g} on {os.path.basename(src)} failed: {e}")
        self.cache[key] = path
        return path


# ---------------------------------------------------------------- signal helpers

def mono(y):
    return y.mean(axis=0)


LAG_N_FFT, LAG_HOP = 512, 32


def lag_features(m):
    """Log-magnitude STFT (n_fft 512, hop 32), each bin minus its mean over time."""
    import librosa
    s = np.abs(librosa.stft(m.astype(np.float32), n_fft=LAG_N_FFT, hop_length=LAG_HOP, center=True))
    s = np.log(s + 1e-4 * max(float(s.max()), 1e-12))
    return s - s.mean(axis=1, keepdims=True)


def best_lag(fx, y):
    """Lag in samples, within ±MAX_LAG, of the signal y against the one whose lag_features are fx
    (> 0: y is late): the peak of the cross-correlation over time of the log-magnitude
    spectrograms, summed over bins, per overlapping frame. The magnitudes survive the phase
    changes of a phase vocoder; a cross-correlation of the waveforms does not (it often peaks
    hundreds of samples away from the true alignment after a round trip; see the module doc)."""
    from scipy.signal import fftconvolve
    fy = lag_features(y)
    n = min(fx.shape[1], fy.shape[1])
    a, b = fx[:, :n], fy[:, :n]
    k_max = MAX_LAG // LAG_HOP
    # c[n - 1 + k] = sum_t a[t] b[t + k], per bin, then summed over bins
    c = fftconvolve(b, a[:, ::-1], mode="full", axes=1).sum(axis=0)
    ks = np.arange(-k_max, k_max + 1)
    ks = ks[np.abs(ks) < n]
    score = c[n - 1 + ks] / (n - np.abs(ks))
    return int(ks[int(np.argmax(score))]) * LAG_HOP


def align(x, y, lag):
    """Shift y by lag and trim both to the shorter."""
    if lag > 0:
        y = y[:, lag:]
    elif lag < 0:
        x = x[:, -lag:]
    n = min(x.shape[1], y.shape[1])
    return x[:, :n], y[:, :n]


def mean_distances(x, y):
    """distances() per channel, averaged over channels."""
    per = [distances(x[c], y[c]) for c in range(x.shape[0])]
    return float(np.mean([p[0] for p in per])), float(np.mean([p[1] for p in per]))


def distances(x, y):
    """LSD (dB) and SC of y against x, as in examples/stretch_timing.rs, for one channel."""
    import librosa
    p = np.abs(librosa.stft(x, n_fft=N_FFT, hop_length=HOP, window="hann", center=True, pad_mode="constant"))
    q = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, window="hann", center=True, pad_mode="constant"))
    d = 20.0 * (np.log10(p + 1e-6) - np.log10(q + 1e-6))
    lsd = float(np.mean(np.sqrt(np.mean(d * d, axis=0))))
    sc = float(np.sqrt(np.sum((p - q) ** 2) / max(np.sum(p * p), 1e-30)))
    return lsd, sc


# ---------------------------------------------------------------- tables

def table(title, rows, tools, fmt, width=10):
    """rows: list of (label, {tool: value or None})."""
    print(title)
    label_w = max([len(r[0]) for r in rows] + [12])
    print(f"{'':<{label_w}} " + " ".join(f"{t:>{width}}" for t in tools))
    for label, cells in rows:
        out = []
        for t in tools:
            v = cells.get(t)
            out.append(f"{'-':>{width}}" if v is None else f"{fmt(v):>{width}}")
        print(f"{label:<{label_w}} " + " ".join(out))
    print()


# ---------------------------------------------------------------- metrics

def metric_length(runner, clips, results):
    rows, data = [], {}
    for name, path in clips.items():
        n = sf.info(path).frames
        for r in LENGTH_RATIOS:
            cells = {}
            for t in TOOLS:
                out = runner.out(t, path, "stretch", r)
                if out is not None:
                    cells[t] = abs(sf.info(out).frames - expected_len(n, r))
            rows.append((f"{name} ×{fmt_ratio(r)}", cells))
            data[f"{name} x{fmt_ratio(r)}"] = {"n": n, "expected": expected_len(n, r), **cells}
    table("1. Length: |len(out) − round(n·R)| in samples", rows, TOOLS, lambda v: f"{v:d}")
    results["length_error_samples"] = data


PYIN = {}


def pyin(path):
    import librosa
    if path not in PYIN:
        y, sr = read(path)
        f0, voiced, _ = librosa.pyin(mono(y), fmin=65.0, fmax=1000.0, sr=sr, frame_length=2048, hop_length=HOP)
        PYIN[path] = (np.where(voiced & np.isfinite(f0), f0, np.nan), sr)
    return PYIN[path]


def cents_stats(d, centre=0.0):
    d = d[np.isfinite(d)]
    if d.size == 0:
        return None
    near = d[np.abs(d - centre) < 50.0]
    return {
        "median": float(np.median(d)),
        "median_abs": float(np.median(np.abs(d - centre))),
        "mean_within_50": float(np.mean(near)) if near.size else None,
        "frames": int(d.size),
        "frames_within_50": int(near.size),
    }


def metric_pitch_kept(runner, clips, results):
    rows, data = [], {}
    for name in PITCH_CLIPS:
        path = clips[name]
        f_in, sr = pyin(path)
        t_in = np.arange(len(f_in)) * HOP / sr
        for r in KEPT_RATIOS:
            cells, raw = {}, {}
            for t in TOOLS:
                out = runner.out(t, path, "stretch", r)
                if out is None:
                    continue
                f_out, _ = pyin(out)
                j = np.rint(t_in * r * sr / HOP).astype(int)
                ok = j < len(f_out)
                d = np.full(len(f_in), np.nan)
                d[ok] = 1200.0 * np.log2(f_out[j[ok]] / f_in[ok])
                s = cents_stats(d)
                raw[t] = s
                if s is not None:
                    cells[t] = s
            rows.append((f"{name} ×{fmt_ratio(r)}", cells))
            data[f"{name} x{fmt_ratio(r)}"] = raw

    def cell(s):
        mean = "nan" if s["mean_within_50"] is None else signed(s["mean_within_50"], 1)
        return f"{s['median_abs']:.0f}/{signed(s['median'], 0)}/{mean}"
    table("2. Pitch kept (pYIN, cents): median |d| / median d / mean d within ±50 c; target within 5 c",
          rows, TOOLS, cell, width=14)
    results["pitch_kept_cents"] = data


def metric_shift(runner, clips, results):
    rows, len_rows, data = [], [], {}
    for name in PITCH_CLIPS:
        path = clips[name]
        f_in, _ = pyin(path)
        n = sf.info(path).frames
        for s in SHIFTS:
            cells, lens, raw = {}, {}, {}
            want = 100.0 * s
            for t in TOOLS:
                out = runner.out(t, path, "shift", s)
                if out is None:
                    continue
                lens[t] = sf.info(out).frames - n
                f_out, _ = pyin(out)
                m = min(len(f_in), len(f_out))
                st = cents_stats(1200.0 * np.log2(f_out[:m] / f_in[:m]), centre=want)
                if st is not None:
                    st = {**st, "median_error": st["median"] - want,
                          "mean_error": None if st["mean_within_50"] is None else st["mean_within_50"] - want}
                    cells[t] = st
                raw[t] = {"stats": st, "length_error": lens[t]}
            label = f"{name} {s:+g} st"
            rows.append((label, cells))
            len_rows.append((label, lens))
            data[f"{name} {s:+g}"] = raw
    if not runner.technob_shift:
        print("(technob shift not available)")

    def cell(st):
        mean = "nan" if st["mean_error"] is None else signed(st["mean_error"], 1)
        return f"{signed(st['median_error'], 0)}/{mean}"
    table("3a. Pitch shift error (cents): median of measured − requested / mean within ±50 c − requested",
          rows, TOOLS, cell, width=12)
    table("3b. Pitch shift: len(out) − len(in) in samples", len_rows, TOOLS, lambda v: f"{v:+d}")
    results["shift"] = data


FORMANT_SHIFTS = (5.0, -5.0)


def mfcc_envelope_distance(x_path, y_path):
    """Median over loud frames (RMS above its median) of the Euclidean distance between MFCC 1-12
    (librosa defaults) of two mono signals: how far the spectral envelope moved."""
    import librosa
    x, sr = sf.read(x_path, dtype="float32", always_2d=True)
    y, _ = sf.read(y_path, dtype="float32", always_2d=True)
    x, y = x.mean(axis=1), y.mean(axis=1)
    mx = librosa.feature.mfcc(y=x, sr=sr, n_mfcc=20)[1:13]
    my = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)[1:13]
    rms = librosa.feature.rms(y=x)[0]
    n = min(mx.shape[1], my.shape[1], len(rms))
    loud = rms[:n] > np.median(rms[:n])
    d = np.sqrt(((mx[:, :n] - my[:, :n]) ** 2).sum(axis=0))[loud]
    return float(np.median(d))


def metric_formants(runner, clips, results):
    """Formant preservation on the voice: technob with and without --formants, Rubber Band R2/R3
    with -F, and without it for reference."""
    path = clips["vocadito"]
    rows, data = [], {}
    variants = (("technob", []), ("technob --formants", ["--formants"]),
                ("rb-R2 -F", ["-2", "-F"]), ("rb-R3 -F", ["-3", "-F"]), ("rb-R3", ["-3"]))
    for s in FORMANT_SHIFTS:
        cells = {}
        for label, extra in variants:
            dst = runner.fresh(f"formant_{label.replace(' ', '_')}_{s:g}")
            if label.startswith("technob"):
                if not runner.available("technob", "shift"):
                    continue
                argv = [runner.technob, "shift", path, dst, "--semitones", repr(s)] + extra
            else:
                if runner.rubberband is None:
                    continue
                argv = [runner.rubberband, "-q"] + extra + ["-p", repr(s), path, dst]
            try:
                run(argv)
            except ToolError as e:
                runner.notes.append(f"formants {label} {s:+g}: {e}")
                continue
            cells[label] = mfcc_envelope_distance(path, dst)
        rows.append((f"vocadito {s:+g} st", cells))
        data[f"vocadito {s:+g}"] = cells
    table("7. Formants: MFCC 1-12 distance to the original over loud frames (lower = envelope kept)",
          rows, [v[0] for v in variants], lambda v: f"{v:.1f}", width=19)
    results["formants"] = data


def metric_round_trip(runner, clips, results):
    rows_lsd, rows_sc, rows_lag, rows_len, rows_0, data = [], [], [], [], [], {}
    for name in TRIP_CLIPS:
        path = clips[name]
        x, _ = read(path)
        fx = lag_features(mono(x))
        for r in TRIP_RATIOS:
            c_lsd, c_sc, c_lag, c_len, c_0, raw = {}, {}, {}, {}, {}, {}
            for t in TOOLS:
                there = runner.out(t, path, "stretch", r)
                back = runner.out(t, there, "stretch", 1.0 / r) if there else None
                if back is None:
                    continue
                y, _ = read(back)
                if y.shape[0] != x.shape[0] or y.shape[1] == 0:
                    runner.notes.append(f"{t} round trip {name} ×{r:g}: {y.shape} vs {x.shape}")
                    continue
                lag = best_lag(fx, mono(y))
                lsd, sc = mean_distances(*align(x, y, lag))
                lsd0, sc0 = mean_distances(*align(x, y, 0)) if lag != 0 else (lsd, sc)
                c_lsd[t], c_sc[t], c_lag[t], c_0[t] = lsd, sc, lag, (lsd0, sc0)
                c_len[t] = y.shape[1] - x.shape[1]
                raw[t] = {"lsd_db": lsd, "sc": sc, "lag": lag, "length_error": c_len[t],
                          "lsd_db_lag0": lsd0, "sc_lag0": sc0}
            label = f"{name} ×{fmt_ratio(r)}"
            rows_lsd.append((label, c_lsd))
            rows_sc.append((label, c_sc))
            rows_lag.append((label, c_lag))
            rows_len.append((label, c_len))
            rows_0.append((label, c_0))
            data[f"{name} x{fmt_ratio(r)}"] = raw
    table("4a. Round trip ×r then ×1/r: log-spectral distance (dB, lower is better)", rows_lsd, TOOLS,
          lambda v: f"{v:.2f}")
    table("4b. Round trip: spectral convergence (lower is better)", rows_sc, TOOLS, lambda v: f"{v:.3f}")
    table("4c. Round trip: lag found (samples, > 0: result late) / len(back) − n", [
        (lab, {t: (lag[t], ln[t]) for t in lag}) for (lab, lag), (_, ln) in zip(rows_lag, rows_len)],
        TOOLS, lambda v: f"{v[0]:+d}/{v[1]:+d}")
    table("4d. Round trip without the alignment (lag 0): LSD dB / SC", rows_0, TOOLS,
          lambda v: f"{v[0]:.2f}/{v[1]:.3f}", width=11)
    results["round_trip"] = data
    return data


def onset_ratios(env, times, onsets):
    """peak within ±30 ms / median within ±250 ms at each onset (None where undefined)."""
    out = []
    for t in onsets:
        near = env[np.abs(times - t) <= 0.030]
        wide = env[np.abs(times - t) <= 0.250]
        med = float(np.median(wide)) if wide.size else 0.0
        out.append(float(np.max(near)) / med if near.size and med > 1e-9 else None)
    return out


def envelope(path):
    import librosa
    y, sr = read(path)
    env = librosa.onset.onset_strength(y=mono(y), sr=sr)
    return env, librosa.times_like(env, sr=sr)


def metric_transients(runner, clips, results):
    import librosa
    rows, data = [], {}
    for name in ONSET_CLIPS:
        path = clips[name]
        if name == "sample":
            onsets = np.loadtxt(SAMPLE_ONSETS, comments="#", ndmin=1)
            how = "annotated (madmom sample.onsets)"
        else:
            y, sr = read(path)
            onsets = librosa.onset.onset_detect(y=mono(y), sr=sr, backtrack=False, units="time")
            how = "librosa.onset.onset_detect on the original (backtrack off)"
        env, times = envelope(path)
        before = onset_ratios(env, times, onsets)
        for r in (1.25, 0.8):
            cells, raw = {}, {}
            for t in TOOLS:
                out = runner.out(t, path, "stretch", r)
                if out is None:
                    continue
                env_o, times_o = envelope(out)
                after = onset_ratios(env_o, times_o, onsets * r)
                q = [a / b for a, b in zip(after, before) if a is not None and b is not None]
                if q:
                    cells[t] = float(np.mean(q))
                    raw[t] = {"mean_ratio": cells[t], "onsets_used": len(q)}
            rows.append((f"{name} ×{fmt_ratio(r)} ({len(onsets)} on.)", cells))
            data[f"{name} x{fmt_ratio(r)}"] = {"onsets": how, "n_onsets": int(len(onsets)), **raw}
        print(f"onsets of {name}: {len(onsets)}, {how}")
    print()
    table("5. Transient sharpness: mean over onsets of (peak/median after) / (peak/median before); "
          "1.0 = as sharp", rows, TOOLS, lambda v: f"{v:.3f}")
    results["transients"] = data


def summary(trip):
    print("Summary, round-trip distance (4a/4b):")
    for peer in ("librosa", "rb-R3"):
        better_lsd = better_sc = total = 0
        worse = []
        for case, raw in trip.items():
            if "technob" not in raw or peer not in raw:
                continue
            total += 1
            tb, pe = raw["technob"], raw[peer]
            better_lsd += tb["lsd_db"] < pe["lsd_db"]
            better_sc += tb["sc"] < pe["sc"]
            if tb["lsd_db"] >= pe["lsd_db"] or tb["sc"] >= pe["sc"]:
                worse.append(f"{case} (LSD {tb['lsd_db']:.2f} vs {pe['lsd_db']:.2f}, SC {tb['sc']:.3f} vs "
                             f"{pe['sc']:.3f})")
        if total == 0:
            print(f"  vs {peer}: no common cases")
            continue
        mean = {t: np.mean([trip[c][t]["lsd_db"] for c in trip if "technob" in trip[c] and peer in trip[c]])
                for t in ("technob", peer)}
        print(f"  vs {peer}: technob lower LSD in {better_lsd}/{total}, lower SC in {better_sc}/{total}; "
              f"mean LSD technob {mean['technob']:.2f} dB, {peer} {mean[peer]:.2f} dB")
        for w in worse:
            print(f"    not better: {w}")
    print()


# ---------------------------------------------------------------- speed

def speed(runner, args, results):
    src = args.speed_file
    if not os.path.exists(src):
        print(f"speed: {src} missing, skipped")
        return
    info = sf.info(src)
    r = 1.05
    if runner.available("librosa", "stretch"):
        import librosa
        # untimed warm-up (imports, FFT plans)
        librosa.effects.time_stretch(np.zeros(info.samplerate, dtype=np.float32), rate=1.0 / r)
    data = {}
    for t in TOOLS:
        if not runner.available(t, "stretch"):
            continue
        # soundstretch reads the 16-bit file directly; a float file would get its integer copy (untimed)
        inp = runner.int_copy(src) if t == "sstretch" else src
        times = []
        for k in range(args.runs):
            dst = os.path.join(runner.tmp, f"speed_{t}.wav")
            t0 = time.perf_counter()
            try:
                if t == "librosa":
                    runner.librosa_op(inp, dst, "stretch", r)
                else:
                    run(runner.argv(t, inp, dst, "stretch", r), timeout=3600)
            except (ToolError, RuntimeError) as e:
                runner.notes.append(f"speed {t} failed: {e}")
                break
            times.append(time.perf_counter() - t0)
            if os.path.exists(dst):
                os.remove(dst)
            print(f"  speed {t} run {k + 1}: {times[-1]:.2f} s", flush=True)
            if k == 0 and times[0] > SLOW_S:
                break
        if times:
            data[t] = {"median_s": float(np.median(times)), "runs": len(times)}
    base = data.get("technob", {}).get("median_s")
    print(f"6. Speed: ×1.05 of {src} ({info.channels} ch, {info.frames / info.samplerate:.0f} s, "
          f"{info.samplerate} Hz, {info.subtype}); wall time incl. file I/O")
    print(f"{'tool':<10} {'median s':>9} {'runs':>5} {'tool/technob':>13}")
    for t, d in data.items():
        ratio = f"{d['median_s'] / base:12.1f}x" if base else f"{'-':>13}"
        slow = "  (first run > 60 s: run once)" if d["runs"] < args.runs else ""
        print(f"{t:<10} {d['median_s']:9.2f} {d['runs']:5d} {ratio}{slow}")
    print()
    results["speed"] = {"file": src, "ratio": r, **data}


# ---------------------------------------------------------------- main

def decode_clips(tmp, runner):
    clips = {}
    for name, (src, seconds) in clip_sources().items():
        if not os.path.exists(src):
            runner.notes.append(f"clip {name} missing ({src}): skipped")
            continue
        dst = os.path.join(tmp, f"clip_{name}.wav")
        argv = ["ffmpeg", "-v", "error", "-y", "-i", src]
        if seconds:
            argv += ["-t", str(seconds)]
        argv += ["-map_metadata", "-1", "-c:a", "pcm_f32le", dst]
        try:
            run(argv)
        except ToolError as e:
            runner.notes.append(f"clip {name}: decode failed ({e}): skipped")
            continue
        clips[name] = dst
        i = sf.info(dst)
        print(f"clip {name}: {os.path.relpath(src, ROOT)}{f' (first {seconds:g} s)' if seconds else ''}, "
              f"{i.frames} samples, {i.channels} ch, {i.samplerate} Hz")
    print()
    return clips


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--technob", default=default_technob(), help="technob binary (default: %(default)s)")
    ap.add_argument("--json", metavar="PATH", help="write every number as JSON")
    ap.add_argument("--no-quality", action="store_true", help="skip metrics 1-5 and 7")
    ap.add_argument("--only", metavar="LIST", help="quality metrics to run, comma-separated: "
                    "length, pitch kept, shift, round trip, transients, formants")
    ap.add_argument("--speed", action="store_true", help="run the speed measurement (6)")
    ap.add_argument("--speed-file", default="/tmp/six_minutes.wav")
    ap.add_argument("--runs", type=int, default=3, help="speed runs per tool (median)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    results = {}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="technob_stretch_") as tmp:
        runner = Runner(tmp, args.technob)
        results["tools"] = {t: runner.available(t, "stretch") for t in TOOLS}
        results["technob_shift"] = runner.technob_shift
        for note in runner.notes:
            print(note)
        if not args.no_quality:
            clips = decode_clips(tmp, runner)
            steps = (
                ("length", lambda: metric_length(runner, clips, results), ()),
                ("pitch kept", lambda: metric_pitch_kept(runner, clips, results), PITCH_CLIPS),
                ("shift", lambda: metric_shift(runner, clips, results), PITCH_CLIPS),
                ("round trip", lambda: summary(metric_round_trip(runner, clips, results)), TRIP_CLIPS),
                ("transients", lambda: metric_transients(runner, clips, results), ONSET_CLIPS),
                ("formants", lambda: metric_formants(runner, clips, results), ("vocadito",)),
            )
            wanted = None if not args.only else {w.strip() for w in args.only.split(",")}
            for name, step, needs in steps:
                if wanted is not None and name not in wanted:
                    continue
                missing = [c for c in needs if c not in clips]
                if missing:
                    print(f"{name}: skipped, clips missing: {', '.join(missing)}\n")
                    continue
                t0 = time.perf_counter()
                try:
                    step()
                except (ToolError, RuntimeError, ValueError, OSError) as e:
                    runner.notes.append(f"{name}: stopped by {type(e).__name__}: {e}")
                    print(f"{name}: failed ({type(e).__name__}: {e})\n")
                    continue
                print(f"({name}: {time.perf_counter() - t0:.0f} s)\n", flush=True)
        if args.speed:
            speed(runner, args, results)
        if runner.notes:
            print("Notes:")
            for note in runner.notes:
                print(f"  {note}")
        results["notes"] = list(runner.notes)
    results["wall_s"] = time.perf_counter() - t_start
    print(f"total {results['wall_s']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True, default=float)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
