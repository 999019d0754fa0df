#!/usr/bin/env python3
"""Beat / downbeat tracking: technob vs madmom, librosa and essentia, speed and memory on the same
6-minute track, in one run.

    ~/.cache/technob-peers/bin/python bench/compare_rhythm.py [--runs 3] [--formats wav mp3] [--build]

1. Builds six_minutes.{wav,mp3} (6 min 0 s, 44.1 kHz stereo; 4 CC-licensed librosa-data songs of
   ../shared/data concatenated with ffmpeg, as bench/compare_peers.py does) in a temporary
   directory, never inside the repository.
2. Times each tool on each file, median of --runs runs:
     madmom_downbeat  RNNDownBeatProcessor() + DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100),
                      from the file path (the full downbeat tracker)
     madmom_beat      RNNBeatProcessor() + DBNBeatTrackingProcessor(fps=100), from the file path
     librosa          librosa.load(path, sr=None) + librosa.beat.beat_track(y=y, sr=sr, units='time')
     essentia         MonoLoader(filename=path, sampleRate=44100)() + RhythmExtractor2013(method='multifeature')
     technob          `target/release/technob beats FILE --format json` as a subprocess (wall time,
                      so it includes process start-up, decoding and writing the JSON)
   The Python peers are timed in this process ("warm": imports done, but the processors/networks
   are constructed inside the timed region, on every run, as a command-line call would). Every tool
   is also run once as a fresh child process, which gives its peak RSS (the kernel's ru_maxrss of
   that child, as compare_peers.py measures it) and a "cold" wall time that includes the Python
   interpreter start and the imports.
3. Prints medians, the ratio peer / technob (> 1: technob is faster), and peak RSS.

If the technob `beats` command is missing or fails, prints "technob: not available (...)" and
carries on with the peers. Peers run with their default thread settings. Timings taken on a busy
machine are indicative only.
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

TECHNOB = os.path.join(ROOT, "target", "release", "technob")
PEERS = ["madmom_downbeat", "madmom_beat", "librosa", "essentia"]
LABELS = {
    "madmom_downbeat": "madmom RNNDownBeat + DBNDownBeat",
    "madmom_beat": "madmom RNNBeat + DBNBeat",
    "librosa": "librosa load + beat_track",
    "essentia": "essentia RhythmExtractor2013",
    "technob": "technob beats (CLI)",
}


def make_tracks(tmp, kinds):
    """six_minutes.wav (and .mp3) exactly as compare_peers.make_tracks writes them."""
    concat = os.path.join(tmp, "list.txt")
    with open(concat, "w") as f:
        for _ in range(2):
            for s in SONGS:
                f.write(f"file '{os.path.join(DATA, s)}'\n")
    out = {"wav": os.path.join(tmp, "six_minutes.wav")}
    sh("ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", concat, "-ar", "44100", "-ac", "2",
       "-t", "360", "-c:a", "pcm_s16le", out["wav"])
    if "mp3" in kinds:
        out["mp3"] = os.path.join(tmp, "six_minutes.mp3")
        sh("ffmpeg", "-v", "error", "-y", "-i", out["wav"], "-c:a", "libmp3lame", "-b:a", "320k", out["mp3"])
    return {k: v for k, v in out.items() if k in kinds}


# ---------------------------------------------------------------------------------------------
# the peers: one call = what a user's script would do for one file

def run_peer(name, path):
    """Run one peer on one file; returns (number of beats, number of downbeats or None)."""
    if name == "madmom_downbeat":
        from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor
        act = RNNDownBeatProcessor()(path)
        out = DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)(act)
        return len(out), int((out[:, 1] == 1).sum()) if len(out) else 0
    if name == "madmom_beat":
        from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
        act = RNNBeatProcessor()(path)
        return len(DBNBeatTrackingProcessor(fps=100)(act)), None
    if name == "librosa":
        import librosa
        y, sr = librosa.load(path, sr=None)
        _tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
        return len(beats), None
    if name == "essentia":
        import essentia.standard as es
        audio = es.MonoLoader(filename=path, sampleRate=44100)()
        _bpm, ticks, _c, _e, _i = es.RhythmExtractor2013(method="multifeature")(audio)
        return len(ticks), None
    raise ValueError(name)


def import_peer(name):
    """Import a peer's modules outside the timed region."""
    if name.startswith("madmom"):
        import madmom.features.beats  # noqa: F401
        import madmom.features.downbeats  # noqa: F401
    elif name == "librosa":
        import librosa
        import librosa.beat  # noqa: F401
        librosa.beat.beat_track  # noqa: B018  (librosa's lazy loader)
    elif name == "essentia":
        import essentia.standard  # noqa: F401


CHILD = (
    "import sys; sys.path.insert(0, {bench!r}); import compare_rhythm as c; "
    "print(c.run_peer(sys.argv[1], sys.argv[2]))"
)

RSS_PROBE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
t = time.perf_counter() - t
print(json.dumps({"code": p.returncode, "stdout": p.stdout[-2000:], "stderr": p.stderr, "wall_s": t,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def probe(cmd):
    """Run `cmd` as the only child of a fresh Python process: exit code, output, wall time, peak RSS."""
    return json.loads(sh(sys.executable, "-c", RSS_PROBE, *cmd).stdout)


def peer_cmd(name, path):
    return [sys.executable, "-c", CHILD.format(bench=BENCH), name, path]


def technob_cmd(path):
    return [TECHNOB, "beats", path, "--format", "json"]


def first_error_line(stderr):
    lines = [x for x in stderr.strip().splitlines() if x.strip()]
    errs = [x for x in lines if x.lower().startswith("error")]
    return (errs or lines or ["no output"])[0].strip()


def time_technob(path, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(technob_cmd(path), capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode != 0:
            return None, first_error_line(p.stderr)
    return statistics.median(times), None


def time_peer(name, path, runs):
    import_peer(name)
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = run_peer(name, path)
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def versions():
    import essentia
    import librosa
    import madmom
    import numpy
    return (f"madmom {madmom.__version__}, librosa {librosa.__version__}, essentia {essentia.__version__}, "
            f"numpy {numpy.__version__}, Python {sys.version.split()[0]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--formats", nargs="+", default=["wav", "mp3"], choices=["wav", "mp3"])
    ap.add_argument("--peers", nargs="+", default=PEERS, choices=PEERS)
    ap.add_argument("--build", action="store_true", help="run `cargo build --release` even if the binary exists")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()

    if args.build or not os.path.exists(TECHNOB):
        print("building the release binary ...", flush=True)
        b = subprocess.run(["cargo", "build", "--release", "-q", "-p", "technob-cli"], cwd=ROOT,
                           capture_output=True, text=True)
        if b.returncode != 0:
            print(f"cargo build failed: {first_error_line(b.stderr)}")

    print(versions())
    print(f"{os.cpu_count()} CPUs; peers with default thread settings. Timings on a shared machine are "
          f"indicative only.")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tracks = make_tracks(tmp, args.formats)
        for kind, path in tracks.items():
            print(f"\n{os.path.basename(path)}: 360 s, 44.1 kHz stereo; median of {args.runs} runs", flush=True)
            rows = {}
            # technob first: its time is the denominator of the ratios
            if os.path.exists(TECHNOB):
                t, err = time_technob(path, args.runs)
            else:
                t, err = None, f"{os.path.relpath(TECHNOB, ROOT)} missing"
            if t is None:
                print(f"technob: not available ({err})", flush=True)
            else:
                pr = probe(technob_cmd(path))
                rows["technob"] = {"median_s": t, "cold_s": pr["wall_s"], "peak_rss_mb": pr["maxrss_kb"] / 1024,
                                   "result": None}
            for name in args.peers:
                t, result = time_peer(name, path, args.runs)
                pr = probe(peer_cmd(name, path))
                if pr["code"] != 0:
                    print(f"{name}: child process failed: {first_error_line(pr['stderr'])}")
                rows[name] = {"median_s": t, "cold_s": pr["wall_s"], "peak_rss_mb": pr["maxrss_kb"] / 1024,
                              "result": result}
                print(f"  {name}: {t:.2f} s ({result[0]} beats"
                      + (f", {result[1]} downbeats)" if result[1] is not None else ")"), flush=True)
            ours = rows.get("technob", {}).get("median_s")
            print(f"\n{'tool':<36}{'median s':>10}{'cold s':>9}{'peak RSS MB':>13}{'peer/technob':>14}")
            for name in ["technob"] + args.peers:
                r = rows.get(name)
                if r is None:
                    print(f"{LABELS[name]:<36}{'n/a':>10}")
                    continue
                ratio = "" if name == "technob" or ours is None else f"{r['median_s'] / ours:.1f}x"
                print(f"{LABELS[name]:<36}{r['median_s']:>10.2f}{r['cold_s']:>9.2f}{r['peak_rss_mb']:>13.0f}"
                      f"{ratio:>14}")
            results[kind] = rows
    print("\nmedian s: warm (imports done; processors built inside the timed call); cold s: one run as a "
          "fresh process, interpreter start and imports included; peak RSS: that fresh process.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
