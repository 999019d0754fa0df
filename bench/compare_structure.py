#!/usr/bin/env python3
"""Structure segmentation speed: technob vs librosa's segmenters on the same files, in one run
(issue #8: "segmentation of a 6-minute track <= 0.3 s once beats exist").

    ~/.cache/technob-peers/bin/python bench/compare_structure.py [FILE ...] [--runs 3] [--k 8]
        [--k-laplacian 5] [--technob PATH] [--timing PATH] [--check] [--json OUT.json]

FILE defaults to /tmp/six_minutes.wav (6 min, 44.1 kHz stereo) when it exists; several files are
timed one after the other. Builds nothing when the binaries exist: `technob` and the example
`structure_timing` are looked up in $CARGO_TARGET_DIR/release (default target/release); a missing
one is built with `cargo build --release -p technob-cli` / `-p technob --example structure_timing`
(outside any timing). If technob cannot be run, its rows say "n/a" and the peers still run.

Timed, median of --runs runs each:
  technob CLI        `technob segment FILE --json` as a subprocess: wall time, so process start,
                     decoding, beat tracking, segmentation and writing the JSON.
  technob library    `structure_timing FILE` (crates/technob/examples/structure_timing.rs) decodes
                     the file to mono 44.1 kHz (untimed), times `analyze_rhythm` once ("beats X s")
                     and `analyze_structure` 5 times ("segmentation median of 5 X s"); both are
                     parsed, and their medians over --runs runs of the example are quoted:
                     "once beats exist" = analyze_structure, "end to end" = beats + segmentation
                     (decoding excluded; the CLI row includes it).
  librosa            in this process, as tools/make_segment_goldens.py runs it (the recipe is
                     copied here split into stages, so the beats can be left out of the timing;
                     --check verifies it still gives that script's boundaries):
                     load   librosa.load(FILE) (mono, resampled to 22050 Hz, librosa's default)
                     beats  librosa.beat.beat_track(y=y, sr=sr, trim=False)
                     agglomerative  beat-synchronous 20 MFCCs (means) over 12 CQT chroma
                            (medians), each row standardised, librosa.segment.agglomerative, k = --k
                     laplacian  McFee & Ellis, "Analyzing song structure with spectral clustering",
                            ISMIR 2014, as librosa's gallery (plot_segmentation.py) builds it: log
                            CQT (36 bins/octave, 7 octaves) beat medians, affinity recurrence
                            (width 3) + time-lag median filter 7, MFCC path similarity, normalised
                            Laplacian, eigenvectors median filtered over 9 beats, K-means
                            (k = --k-laplacian, n_init 10, random_state 0)
                     "once beats exist" = the segmenter alone (its features from y + segmentation),
                     "end to end" = load + beats + segmenter, summed within each run.
                     An untimed warm-up on the first 10 s runs first (numba compiles librosa's
                     beat tracker on first use).
Ratios are librosa time / technob time (> 1: technob is faster): "once beats exist" against the
technob library's analyze_structure, "end to end" against the technob CLI wall time (which also
pays for process start and decoding). Peers run with their default thread settings; timings
taken on a busy machine are indicative only.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
DEFAULT_FILE = "/tmp/six_minutes.wav"
SR = 22050
WARM_UP_S = 10.0
TIMING_LINE = re.compile(r"beats ([0-9.]+) s, segmentation median of (\d+) ([0-9.]+) s")


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def first_error_line(stderr):
    lines = [x for x in stderr.strip().splitlines() if x.strip()]
    errs = [x for x in lines if x.lower().startswith("error")]
    return (errs or lines or ["no output"])[0].strip()


def ensure_built(path, cargo_args):
    """Build `path` with `cargo build --release cargo_args` if it is missing; None or an error."""
    if os.path.exists(path):
        return None
    print(f"building {os.path.relpath(path, target_dir())} ...", flush=True)
    b = subprocess.run(["cargo", "build", "--release", "-q", *cargo_args], cwd=ROOT, capture_output=True,
                       text=True)
    if b.returncode != 0 or not os.path.exists(path):
        return f"cargo build failed: {first_error_line(b.stderr)}"
    return None


# ---------------------------------------------------------------------------------------------
# technob

def time_technob_cli(exe, path, runs):
    """Median wall time of `technob segment FILE --json` and its number of segments."""
    times, n_segments = [], None
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run([exe, "segment", path, "--json"], capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode != 0:
            return None, first_error_line(p.stderr)
        n_segments = len(json.loads(p.stdout.splitlines()[0])["segments"])
    return {"end_to_end_s": statistics.median(times), "segments": n_segments}, None


def time_technob_library(exe, path, runs):
    """Medians over `runs` runs of the example: analyze_rhythm and analyze_structure times."""
    beats, seg = [], []
    for _ in range(runs):
        p = subprocess.run([exe, path], capture_output=True, text=True)
        if p.returncode != 0:
            return None, first_error_line(p.stderr)
        m = TIMING_LINE.search(p.stdout)
        if m is None:
            return None, "structure_timing printed no timing line"
        beats.append(float(m.group(1)))
        seg.append(float(m.group(3)))
    b, s = statistics.median(beats), statistics.median(seg)
    return {"beats_s": b, "once_beats_s": s, "end_to_end_s": b + s}, None


# ---------------------------------------------------------------------------------------------
# librosa: the recipes of tools/make_segment_goldens.py, with the beats as an argument

def load(path, duration=None):
    import librosa
    y, sr = librosa.load(path, sr=SR, duration=duration)
    return y, sr


def beat_track(y, sr):
    import librosa
    _, beats = librosa.beat.beat_track(y=y, sr=sr, trim=False)
    return beats


def column_starts(beats, n_frames):
    """Start frame of every beat-synchronous column librosa.util.sync makes."""
    import librosa
    starts = librosa.util.fix_frames(beats, x_min=0)
    return starts[starts < n_frames]


def standardised(x):
    mu = x.mean(axis=1, keepdims=True)
    sd = x.std(axis=1, keepdims=True)
    return (x - mu) / np.where(sd > 0, sd, 1.0)


def agglomerative(y, sr, beats, k):
    """Segment start times."""
    import librosa
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    chroma = librosa.feature.chroma_cqt(y=y, sr=sr)
    n = min(mfcc.shape[1], chroma.shape[1])
    starts = column_starts(beats, n)
    msync = librosa.util.sync(mfcc[:, :n], beats)
    csync = librosa.util.sync(chroma[:, :n], beats, aggregate=np.median)
    x = np.vstack([standardised(msync), standardised(csync)])
    bounds = librosa.segment.agglomerative(x, min(k, x.shape[1]))
    return librosa.frames_to_time(starts[bounds], sr=sr)


def laplacian(y, sr, beats, k):
    """Segment start times."""
    import librosa
    import scipy.linalg
    import scipy.ndimage
    import scipy.sparse.csgraph
    import sklearn.cluster
    bins_per_octave, n_octaves = 12 * 3, 7
    c = librosa.amplitude_to_db(
        np.abs(librosa.cqt(y=y, sr=sr, bins_per_octave=bins_per_octave, n_bins=n_octaves * bins_per_octave)),
        ref=np.max,
    )
    starts = column_starts(beats, c.shape[1])
    csync = librosa.util.sync(c, beats, aggregate=np.median)
    r = librosa.segment.recurrence_matrix(csync, width=3, mode="affinity", sym=True)
    rf = librosa.segment.timelag_filter(scipy.ndimage.median_filter)(r, size=(1, 7))
    msync = librosa.util.sync(librosa.feature.mfcc(y=y, sr=sr), beats)
    path_distance = np.sum(np.diff(msync, axis=1) ** 2, axis=0)
    path_sim = np.exp(-path_distance / np.median(path_distance))
    r_path = np.diag(path_sim, k=1) + np.diag(path_sim, k=-1)
    deg_path, deg_rec = np.sum(r_path, axis=1), np.sum(rf, axis=1)
    mu = deg_path.dot(deg_path + deg_rec) / np.sum((deg_path + deg_rec) ** 2)
    lap = scipy.sparse.csgraph.laplacian(mu * rf + (1 - mu) * r_path, normed=True)
    _, evecs = scipy.linalg.eigh(lap)
    evecs = scipy.ndimage.median_filter(evecs, size=(9, 1))
    cnorm = np.cumsum(evecs**2, axis=1) ** 0.5
    x = evecs[:, :k] / cnorm[:, k - 1 : k]
    seg_ids = sklearn.cluster.KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
    bound_beats = librosa.util.fix_frames(1 + np.flatnonzero(seg_ids[:-1] != seg_ids[1:]), x_min=0)
    return librosa.frames_to_time(starts[bound_beats], sr=sr)


def librosa_run(path, k, k_lap, duration=None):
    """One run of every stage: seconds per stage and the segment counts."""
    t = {}
    t0 = time.perf_counter()
    y, sr = load(path, duration)
    t["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    beats = beat_track(y, sr)
    t["beats"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    agg = agglomerative(y, sr, beats, k)
    t["agglomerative"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lap = laplacian(y, sr, beats, k_lap)
    t["laplacian"] = time.perf_counter() - t0
    return t, {"agglomerative": len(agg), "laplacian": len(lap), "beats": len(beats)}, (y, sr, agg, lap)


def time_librosa(path, runs, k, k_lap):
    librosa_run(path, k, k_lap, duration=WARM_UP_S)
    stages, counts, last = [], None, None
    for _ in range(runs):
        t, counts, last = librosa_run(path, k, k_lap)
        stages.append(t)
    med = {key: statistics.median(s[key] for s in stages) for key in stages[0]}
    out = {"stages_s": med, "counts": counts}
    for method in ("agglomerative", "laplacian"):
        out[method] = {
            "once_beats_s": med[method],
            "end_to_end_s": statistics.median(s["load"] + s["beats"] + s[method] for s in stages),
        }
    return out, last


def check_against_tools(path, k, k_lap, last):
    """The split recipe gives the boundaries of tools/make_segment_goldens.py's functions."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import make_segment_goldens as tools
    y, sr, agg, lap = last
    ref_agg, _ = tools.agglomerative(y, sr, k)
    ref_lap, _ = tools.laplacian(y, sr, k_lap)
    for name, ours, ref in (("agglomerative", agg, ref_agg), ("laplacian", lap, ref_lap)):
        same = len(ours) == len(ref) and np.allclose(ours, ref)
        print(f"  check {name}: {'same boundaries as' if same else 'DIFFERS from'} tools/make_segment_goldens.py")


def versions():
    import librosa
    import scipy
    import sklearn
    return (f"librosa {librosa.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"scikit-learn {sklearn.__version__}, Python {sys.version.split()[0]}")


def fmt(v, digits=3):
    return "n/a" if v is None else f"{v:.{digits}f}"


def ratio(peer, ours):
    return "" if peer is None or not ours else f"{peer / ours:.1f}x"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help=f"audio files (default {DEFAULT_FILE} if present)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--k", type=int, default=8, help="segments for librosa.segment.agglomerative")
    ap.add_argument("--k-laplacian", type=int, default=5, help="clusters for the Laplacian segmentation "
                    "(5, as librosa's gallery)")
    ap.add_argument("--technob", default=os.path.join(target_dir(), "release", "technob"))
    ap.add_argument("--timing", default=os.path.join(target_dir(), "release", "examples", "structure_timing"),
                    help="the structure_timing example binary")
    ap.add_argument("--check", action="store_true",
                    help="also run tools/make_segment_goldens.py's functions once and compare boundaries")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()
    files = args.files or ([DEFAULT_FILE] if os.path.exists(DEFAULT_FILE) else [])
    if not files:
        ap.error(f"{DEFAULT_FILE} does not exist: give an audio FILE")
    if args.runs < 1 or args.k < 1 or args.k_laplacian < 1:
        ap.error("--runs, --k and --k-laplacian must be at least 1")

    cli_err = ensure_built(args.technob, ["-p", "technob-cli"])
    lib_err = ensure_built(args.timing, ["-p", "technob", "--example", "structure_timing"])
    print(versions())
    print(f"{os.cpu_count()} CPUs; peers with default thread settings. Timings on a shared machine are "
          f"indicative only.")
    results = {}
    for path in files:
        import soundfile
        info = soundfile.info(path)
        print(f"\n{path}: {info.duration:.1f} s, {info.samplerate} Hz, {info.channels} channel(s); "
              f"median of {args.runs} runs", flush=True)
        cli, err = (None, cli_err) if cli_err else time_technob_cli(args.technob, path, args.runs)
        if cli is None:
            print(f"technob CLI: not available ({err})")
        lib, err = (None, lib_err) if lib_err else time_technob_library(args.timing, path, args.runs)
        if lib is None:
            print(f"technob library: not available ({err})")
        peer, last = time_librosa(path, args.runs, args.k, args.k_laplacian)
        st, counts = peer["stages_s"], peer["counts"]
        print(f"  librosa stages: load {st['load']:.2f} s, beats {st['beats']:.2f} s ({counts['beats']} beats), "
              f"agglomerative {st['agglomerative']:.2f} s ({counts['agglomerative']} segments), "
              f"laplacian {st['laplacian']:.2f} s ({counts['laplacian']} segments)")
        if lib:
            print(f"  technob library: beats {lib['beats_s']:.3f} s, segmentation {lib['once_beats_s']:.3f} s"
                  + (f"; CLI: {cli['segments']} segments" if cli else ""))
        if args.check:
            check_against_tools(path, args.k, args.k_laplacian, last)

        ours_once = lib["once_beats_s"] if lib else None
        ours_e2e = cli["end_to_end_s"] if cli else None
        rows = [
            ("technob segment --json (CLI, wall)", None, ours_e2e),
            ("technob library (no decoding)", ours_once, lib["end_to_end_s"] if lib else None),
            (f"librosa agglomerative (k={args.k})", peer["agglomerative"]["once_beats_s"],
             peer["agglomerative"]["end_to_end_s"]),
            (f"librosa laplacian (k={args.k_laplacian})", peer["laplacian"]["once_beats_s"],
             peer["laplacian"]["end_to_end_s"]),
        ]
        print(f"\n{'tool':<38}{'once beats s':>13}{'ratio':>8}{'end to end s':>14}{'ratio':>8}")
        for i, (name, once, e2e) in enumerate(rows):
            peer_row = i >= 2
            print(f"{name:<38}{fmt(once) if once is not None or i != 0 else '-':>13}"
                  f"{ratio(once, ours_once) if peer_row else '':>8}"
                  f"{fmt(e2e):>14}{ratio(e2e, ours_e2e) if peer_row else '':>8}")
        results[path] = {"technob_cli": cli, "technob_library": lib, "librosa": peer,
                         "duration_s": info.duration}
    print("\nratio: librosa / technob (> 1: technob is faster). once beats exist: features + segmentation, "
          "vs technob's analyze_structure; end to end: load + beats + segmentation, vs the technob CLI's "
          "wall time (process start, decoding and JSON included).")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
