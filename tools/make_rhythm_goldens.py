#!/usr/bin/env python3
"""Reference tempo / beat / downbeat outputs of the peers (madmom, librosa, essentia), scored with
mir_eval against the human annotations of ../shared/data, for technob's rhythm tests.

    ~/.cache/technob-peers/bin/python tools/make_rhythm_goldens.py [--clip NAME ...] [--no-demo]

Reads the clip manifest crates/technob/src/eval/rhythm_clips.json (audio and annotation paths are
relative to ../shared/data; no audio is copied into the repository) plus the bundled demo track
(`technob demo OUT.wav --truth OUT.json`, written to a temporary directory by the release binary,
built with cargo if needed), runs every peer on every clip and writes
crates/technob/tests/golden/rhythm/peers.json. Rust tests read that file; they never run Python.

Peers (each on the file path, exactly as below):
  madmom           RNNBeatProcessor() -> DBNBeatTrackingProcessor(fps=100)        -> beats
                   RNNBeatProcessor() -> TempoEstimationProcessor(fps=100)        -> tempo (the top one)
  madmom_downbeat  RNNDownBeatProcessor() -> DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)
                                                                                  -> beats, downbeats
  librosa          y, sr = librosa.load(path, sr=None)
                   tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units='time')
                                                                   -> tempo (tempo[0]: librosa >= 0.10
                                                                      returns an array), beats
  essentia         MonoLoader(filename=path, sampleRate=44100)()
                   RhythmExtractor2013(method='multifeature')                     -> bpm, beats (ticks)

Scores (mir_eval; reference beats/downbeats parsed from the annotation, see read_reference):
  beats            only for clips whose annotation covers the whole clip (`beats_full`):
                   scores           = mir_eval.beat.evaluate(ref, est)  -- the default, which drops
                                      every beat before 5 s (MIREX convention). Clips of 5 s or
                                      less therefore score 0 here (mir_eval warns), see below.
                   scores_untrimmed = mir_eval.beat.evaluate(ref, est, min_beat_time=0.0)
  downbeats        where the reference has bar positions (position 1 = downbeat) and beats_full,
                   for peers that give downbeats (madmom_downbeat only):
                   downbeat_f           = mir_eval.beat.f_measure(ref_db, est_db)  (no trimming)
                   downbeat_f_trimmed   = the same after mir_eval.beat.trim_beats (>= 5 s)
  tempo            where the clip has tempo_bpm and the peer gives a tempo:
                   tempo_1pct   |est - ref| <= 1 % of ref
                   tempo_acc1   |est - ref| <= 4 % of ref                            (Accuracy1)
                   tempo_acc2   Accuracy1 against ref x {1, 2, 3, 1/2, 1/3}          (Accuracy2)

Output numbers: times and tempi rounded to 4 decimals, scores to 6. The peers are deterministic,
so re-running this script with the same versions reproduces the file exactly.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import warnings

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA_REL = os.path.join("..", "shared", "data")
DATA = os.path.normpath(os.path.join(ROOT, DATA_REL))
MANIFEST = os.path.join(ROOT, "crates", "technob", "src", "eval", "rhythm_clips.json")
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "rhythm", "peers.json")

PEERS = ["madmom", "madmom_downbeat", "librosa", "essentia"]

# Published madmom figures quoted in the issue, to check that we reproduce them.
ISSUE_MADMOM = {"ballroom_waltz": {"beat_f": 0.972, "downbeat_f": 0.929},
                "gtzan_country": {"beat_f": 0.958, "downbeat_f": 0.818}}

METRIC_KEYS = {  # mir_eval name -> short key in the golden file
    "F-measure": "f_measure",
    "Cemgil": "cemgil",
    "Cemgil Best Metric Level": "cemgil_bml",
    "Goto": "goto",
    "P-score": "p_score",
    "Correct Metric Level Continuous": "cmlc",
    "Correct Metric Level Total": "cmlt",
    "Any Metric Level Continuous": "amlc",
    "Any Metric Level Total": "amlt",
    "Information gain": "information_gain",
}


def r4(xs):
    return [round(float(x), 4) for x in xs]


def r6(x):
    return round(float(x), 6)


# ---------------------------------------------------------------------------------------------
# references

def read_reference(clip):
    """(beats, downbeats or None) from the clip's annotation file, both sorted float arrays.

    time_pos: 'time position' per line (whitespace separated, '#' comments); position 1 is a
    downbeat. Some files declared time_pos carry the time only (e.g. simac): then there are no
    positions and no downbeats. time: one time per line. jtd_csv: columns `beats` and `metre_auto`
    (1.0 = downbeat); rows without a beat time are skipped.
    """
    fmt, rel = clip["beats_format"], clip["beats"]
    if rel is None:
        return None, None
    path = os.path.join(DATA, rel)
    times, pos = [], []
    if fmt in ("time_pos", "time"):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if not line:
                    continue
                times.append(float(line[0]))
                pos.append(float(line[1]) if fmt == "time_pos" and len(line) > 1 else None)
    elif fmt == "jtd_csv":
        import csv
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if not row["beats"]:
                    continue
                times.append(float(row["beats"]))
                m = row.get("metre_auto", "")
                pos.append(float(m) if m else None)
    else:
        raise ValueError(f"{clip['name']}: unknown beats_format {fmt!r}")
    order = np.argsort(times, kind="stable")
    beats = np.asarray(times, dtype=float)[order]
    pos = [pos[i] for i in order]
    if all(p is not None for p in pos) and pos:
        downbeats = np.asarray([t for t, p in zip(beats, pos) if int(round(p)) == 1], dtype=float)
    else:
        downbeats = None
    return beats, downbeats


# ---------------------------------------------------------------------------------------------
# peers

def run_madmom(path):
    from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
    from madmom.features.tempo import TempoEstimationProcessor
    act = RNNBeatProcessor()(path)
    beats = DBNBeatTrackingProcessor(fps=100)(act)
    tempi = TempoEstimationProcessor(fps=100)(act)
    tempo = float(tempi[0][0]) if len(tempi) else None
    return {"tempo": tempo, "beats": np.asarray(beats, dtype=float), "downbeats": None}


def run_madmom_downbeat(path):
    from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor
    act = RNNDownBeatProcessor()(path)
    out = np.asarray(DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)(act), dtype=float)
    if out.size == 0:
        return {"tempo": None, "beats": np.zeros(0), "downbeats": np.zeros(0)}
    beats = out[:, 0]
    downbeats = out[out[:, 1] == 1, 0]
    return {"tempo": None, "beats": beats, "downbeats": downbeats}


def run_librosa(path):
    import librosa
    y, sr = librosa.load(path, sr=None)
    tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    tempo = float(np.atleast_1d(tempo)[0])
    return {"tempo": tempo, "beats": np.asarray(beats, dtype=float), "downbeats": None}


def run_essentia(path):
    import essentia.standard as es
    audio = es.MonoLoader(filename=path, sampleRate=44100)()
    bpm, ticks, _conf, _est, _intervals = es.RhythmExtractor2013(method="multifeature")(audio)
    return {"tempo": float(bpm), "beats": np.asarray(ticks, dtype=float), "downbeats": None}


RUNNERS = {"madmom": run_madmom, "madmom_downbeat": run_madmom_downbeat,
           "librosa": run_librosa, "essentia": run_essentia}


def versions():
    import essentia
    import librosa
    import madmom
    import mir_eval
    import soundfile
    ff = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"madmom": madmom.__version__, "librosa": librosa.__version__,
            "essentia": essentia.__version__, "mir_eval": mir_eval.__version__,
            "numpy": np.__version__, "libsndfile": soundfile.__libsndfile_version__,
            "ffmpeg": " ".join(ff.split()[:3]), "python": platform.python_version()}


# ---------------------------------------------------------------------------------------------
# scores

def beat_scores(ref, est, **kw):
    import mir_eval
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty lists after trimming: mir_eval warns, scores 0
        s = mir_eval.beat.evaluate(ref, est, **kw)
    return {METRIC_KEYS[k]: r6(v) for k, v in s.items()}


def tempo_scores(ref, est):
    err = lambda factor: abs(est - ref * factor) / (ref * factor)  # noqa: E731
    return {"tempo_1pct": bool(err(1) <= 0.01),
            "tempo_acc1": bool(err(1) <= 0.04),
            "tempo_acc2": bool(any(err(k) <= 0.04 for k in (1, 2, 3, 1 / 2, 1 / 3)))}


def score(clip, ref_beats, ref_db, out):
    import mir_eval
    s = {}
    est = np.asarray(out["beats"], dtype=float)
    if ref_beats is not None and clip["beats_full"]:
        s["beats"] = beat_scores(ref_beats, est)
        s["beats_untrimmed"] = beat_scores(ref_beats, est, min_beat_time=0.0)
    if ref_db is not None and clip["beats_full"] and out["downbeats"] is not None:
        est_db = np.asarray(out["downbeats"], dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s["downbeat_f"] = r6(mir_eval.beat.f_measure(ref_db, est_db))
            s["downbeat_f_trimmed"] = r6(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(ref_db),
                                                                 mir_eval.beat.trim_beats(est_db)))
    if clip.get("tempo_bpm") and out["tempo"] is not None:
        s.update(tempo_scores(float(clip["tempo_bpm"]), out["tempo"]))
    return s


# ---------------------------------------------------------------------------------------------
# the demo clip

def make_demo(tmp):
    """Write technob's demo and its truth with the release binary; return (clip, path, beats, db)."""
    wav, truth = os.path.join(tmp, "demo.wav"), os.path.join(tmp, "demo_truth.json")
    subprocess.run(["cargo", "run", "--release", "-q", "--", "demo", wav, "--truth", truth],
                   cwd=ROOT, check=True)
    with open(truth) as f:
        t = json.load(f)
    clip = {"name": "demo", "audio": "technob demo (default settings)", "beats": "--truth JSON",
            "beats_format": "demo_json", "beats_full": True, "tempo_bpm": float(t["bpm"]),
            "tempo_source": "synthesis", "meter": 4}
    return clip, wav, np.asarray(t["beats"], float), np.asarray(t["downbeats"], float)


def audio_duration(path):
    import soundfile
    try:
        return soundfile.info(path).duration
    except Exception:
        import librosa
        return librosa.get_duration(path=path)


# ---------------------------------------------------------------------------------------------

def fmt(x, w=6):
    if x is None:
        return "-".rjust(w)
    if isinstance(x, bool):
        return ("yes" if x else "no").rjust(w)
    return f"{x:{w}.3f}"


def print_table(doc):
    print("\nbeat scores: mir_eval.beat.evaluate default (beats before 5 s dropped); "
          "in brackets: untrimmed (min_beat_time=0)")
    print("downbeat F: mir_eval.beat.f_measure on downbeats, untrimmed [trimmed at 5 s]")
    print("tempo: the peer's tempo; acc1 = within 4 %, acc2 = within 4 % of x1, 2, 3, 1/2, 1/3; "
          "'1%' = within 1 %")
    head = (f"{'clip':<17}{'peer':<16}{'beat F':>15}{'CMLt':>15}{'AMLt':>15}{'downbeat F':>16}"
            f"{'tempo':>9}{'ref':>8}  acc")
    print(head)
    print("-" * len(head))
    for name, c in doc["clips"].items():
        for peer in PEERS:
            p = c["peers"].get(peer)
            if p is None:
                continue
            s = p["scores"]
            b, u = s.get("beats"), s.get("beats_untrimmed")
            pair = (lambda k: f"{fmt(b[k])} [{fmt(u[k], 5)}]" if b else "-".rjust(15))
            db = (f"{fmt(s['downbeat_f'])} [{fmt(s['downbeat_f_trimmed'], 5)}]"
                  if "downbeat_f" in s else "-".rjust(15))
            tempo = "-" if p["tempo"] is None else f"{p['tempo']:.2f}"
            ref = "-" if c["tempo_bpm"] is None else f"{c['tempo_bpm']:g}"
            acc = ""
            if "tempo_acc1" in s:
                acc = ("1%" if s["tempo_1pct"] else "acc1" if s["tempo_acc1"] else
                       "acc2" if s["tempo_acc2"] else "wrong")
            print(f"{name:<17}{peer:<16}{pair('f_measure'):>15}{pair('cmlt'):>15}{pair('amlt'):>15}"
                  f"{db:>16}{tempo:>9}{ref:>8}  {acc}")


def print_issue_check(doc):
    print("\nissue's madmom figures vs this run (beat F from the beat tracker / from the downbeat "
          "tracker; downbeat F untrimmed / trimmed):")
    for name, want in ISSUE_MADMOM.items():
        c = doc["clips"].get(name)
        if c is None:
            continue
        m = c["peers"]["madmom"]["scores"]
        d = c["peers"]["madmom_downbeat"]["scores"]
        got = [m["beats"]["f_measure"], m["beats_untrimmed"]["f_measure"],
               d["beats"]["f_measure"], d["beats_untrimmed"]["f_measure"]]
        ok_b = any(abs(g - want["beat_f"]) < 5e-4 for g in got)
        ok_d = any(abs(g - want["downbeat_f"]) < 5e-4 for g in (d["downbeat_f"], d["downbeat_f_trimmed"]))
        print(f"  {name}: beat F issue {want['beat_f']:.3f}; got DBN beats {got[0]:.3f} (untrimmed {got[1]:.3f}),"
              f" downbeat-tracker beats {got[2]:.3f} (untrimmed {got[3]:.3f}) -> "
              f"{'reproduced' if ok_b else 'NOT reproduced'}")
        print(f"  {name}: downbeat F issue {want['downbeat_f']:.3f}; got {d['downbeat_f']:.3f}"
              f" (trimmed {d['downbeat_f_trimmed']:.3f}) -> {'reproduced' if ok_d else 'NOT reproduced'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", action="append", help="only these clips (and do not write the golden file)")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo clip (and do not write the file)")
    args = ap.parse_args()

    with open(MANIFEST) as f:
        clips = json.load(f)["clips"]
    doc = {
        "_comment": "Peer outputs (madmom, librosa, essentia) and their mir_eval scores per clip. "
                    "Written by tools/make_rhythm_goldens.py (see its docstring for the exact calls "
                    "and metrics); do not edit by hand. Audio paths are relative to ../shared/data. "
                    "scores.beats = mir_eval.beat.evaluate defaults (beats before 5 s dropped); "
                    "scores.beats_untrimmed = min_beat_time=0. downbeat_f = mir_eval.beat.f_measure "
                    "on untrimmed downbeats. Times and tempi rounded to 4 decimals.",
        "versions": versions(),
        "peers": {
            "madmom": "RNNBeatProcessor + DBNBeatTrackingProcessor(fps=100); tempo: "
                      "TempoEstimationProcessor(fps=100) on the same activations, top tempo",
            "madmom_downbeat": "RNNDownBeatProcessor + DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)",
            "librosa": "librosa.load(path, sr=None); librosa.beat.beat_track(y=y, sr=sr, units='time')",
            "essentia": "MonoLoader(sampleRate=44100) + RhythmExtractor2013(method='multifeature')",
        },
        "clips": {},
    }

    with tempfile.TemporaryDirectory() as tmp:
        todo = []
        for clip in clips:
            if args.clip and clip["name"] not in args.clip:
                continue
            ref_b, ref_db = read_reference(clip)
            todo.append((clip, os.path.join(DATA, clip["audio"]), ref_b, ref_db))
        if not args.no_demo and (not args.clip or "demo" in args.clip):
            todo.append(make_demo(tmp))
        for clip, path, ref_b, ref_db in todo:
            print(f"{clip['name']} ...", file=sys.stderr, flush=True)
            entry = {
                "audio": clip["audio"],
                "duration_s": round(audio_duration(path), 4),
                "tempo_bpm": clip["tempo_bpm"],
                "tempo_source": clip.get("tempo_source"),
                "beats_full": clip["beats_full"],
                "ref_beats": None if ref_b is None else len(ref_b),
                "ref_downbeats": None if ref_db is None else len(ref_db),
                "peers": {},
            }
            for peer in PEERS:
                out = RUNNERS[peer](path)
                # Score the rounded outputs, so that the file is self-consistent: re-scoring the
                # stored beats gives the stored scores.
                out["beats"] = np.round(np.asarray(out["beats"], float), 4)
                if out["downbeats"] is not None:
                    out["downbeats"] = np.round(np.asarray(out["downbeats"], float), 4)
                if out["tempo"] is not None:
                    out["tempo"] = round(float(out["tempo"]), 4)
                entry["peers"][peer] = {
                    "tempo": None if out["tempo"] is None else round(out["tempo"], 4),
                    "beats": r4(out["beats"]),
                    "downbeats": None if out["downbeats"] is None else r4(out["downbeats"]),
                    "scores": score(clip, ref_b, ref_db, out),
                }
            doc["clips"][clip["name"]] = entry

    print_table(doc)
    print_issue_check(doc)
    if args.clip or args.no_demo:
        print("\n(partial run: golden file not written)")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(doc, indent=1)
    # lists of numbers on one line each: the file stays short and diffs stay readable
    text = re.sub(r"\[\s*([-0-9.eE,\s]+?)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    with open(OUT, "w") as f:
        f.write(text + "\n")
    json.loads(open(OUT).read())  # still valid
    print(f"\nwrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
