#!/usr/bin/env python3
"""Key estimates of the peers (essentia, madmom) on every key-labelled clip of ../shared/data,
scored with mir_eval's MIREX weighted score, and their speed on a 6-minute track, for technob's
key evaluation (crates/technob/tests/eval_key.rs).

    ~/.cache/technob-peers/bin/python tools/make_key_goldens.py [--runs 3]

Reads the clip manifest crates/technob/src/eval/key_clips.json (paths relative to
../shared/data; no audio is copied into the repository) and writes
crates/technob/tests/golden/tonal/key_peers.json. Rust tests read that file; they never run
Python.

Peers (each on the file path, as a user would run it):
  essentia_edma, essentia_bgate, essentia_temperley, essentia_krumhansl
      audio = MonoLoader(filename=path, sampleRate=44100)()
      key, scale, strength = KeyExtractor(profileType=P)(audio)   (every other parameter at its
      default; essentia's own default profileType is printed and stored as essentia_default_profile)
  madmom_cnn
      probabilities = CNNKeyRecognitionProcessor()(path)   (Korzeniowski & Widmer, ISMIR 2018)
      key = key_prediction_to_label(probabilities)

Key names are normalised to technob's (C C# D D# E F F# G G# A A# B + major/minor): essentia
writes Bb/Eb/Ab and C#/F#, madmom Bb/Db/Eb/Ab and C#/D#/F#/G#.

Scores: mir_eval.key.weighted_score(reference, estimate) against the manifest's `key`; for
clips flagged label_corrected also against the label as named (score_vs_label). mean_score is
the mean over the clips marked `scored`; mean_score_as_named replaces, on label_corrected clips,
the reference by the named label.

Timing: a 6-minute track made by concatenating the music of ../shared/data/librosa-data (44.1 kHz
stereo .hq.ogg files, in the order of TIMING_SOURCES, cut at 360 s) is written as 16-bit WAV to a
temporary directory (deleted afterwards, never in the repository). Each peer is timed from file
path to key label (decoding included), `--runs` times; the median wall-clock seconds are stored.
The peers are deterministic, so the keys reproduce exactly; the times do not.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
import warnings

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
MANIFEST = os.path.join(ROOT, "crates", "technob", "src", "eval", "key_clips.json")
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "tonal", "key_peers.json")

PROFILES = ["edma", "bgate", "temperley", "krumhansl"]
PEERS = ["essentia_" + p for p in PROFILES] + ["madmom_cnn"]
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
PITCH_CLASS = {
    "c": 0, "c#": 1, "db": 1, "d": 2, "d#": 3, "eb": 3, "e": 4, "f": 5, "f#": 6, "gb": 6, "g": 7,
    "g#": 8, "ab": 8, "a": 9, "a#": 10, "bb": 10, "b": 11,
}
TIMING_SOURCES = [
    "Kevin_MacLeod_-_Vibe_Ace.hq.ogg",
    "Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg",
    "Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg",
    "Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg",
    "442789__lena-orsa__happy-music-pistachio-ice-cream-ragtime.hq.ogg",
]
TIMING_SECONDS = 360.0


def normalise(tonic, mode):
    """technob's name of a key written as tonic + mode by a peer."""
    mode = mode.strip().lower()
    if mode not in ("major", "minor"):
        raise ValueError("unexpected mode %r" % mode)
    return "%s %s" % (NAMES[PITCH_CLASS[tonic.strip().lower()]], mode)


class Essentia:
    def __init__(self, profile):
        import essentia.standard as es

        self.es = es
        self.extractor = es.KeyExtractor(profileType=profile)

    def __call__(self, path):
        audio = self.es.MonoLoader(filename=path, sampleRate=44100)()
        key, scale, strength = self.extractor(audio)
        return normalise(key, scale), {"strength": round(float(strength), 4)}


class Madmom:
    def __init__(self):
        from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label

        self.proc = CNNKeyRecognitionProcessor()
        self.to_label = key_prediction_to_label

    def __call__(self, path):
        prob = self.proc(path)
        tonic, mode = self.to_label(prob).split()
        return normalise(tonic, mode), {"probability": round(float(np.max(prob)), 4)}


def make_timing_track(directory):
    import soundfile as sf

    parts, total, used = [], 0, []
    need = int(TIMING_SECONDS * 44100)
    for name in TIMING_SOURCES:
        y, sr = sf.read(os.path.join(DATA, "librosa-data", "audio", name), dtype="float32", always_2d=True)
        if sr != 44100 or y.shape[1] != 2:
            raise SystemExit("%s: expected 44.1 kHz stereo, found %d Hz, %d channels" % (name, sr, y.shape[1]))
        take = min(len(y), need - total)
        parts.append(y[:take])
        total += take
        used.append(name)
        if total >= need:
            break
    if total < need:
        raise SystemExit("the timing sources hold only %.1f s" % (total / 44100))
    path = os.path.join(directory, "timing_6min.wav")
    sf.write(path, np.concatenate(parts), 44100, subtype="PCM_16")
    return path, used


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timing runs per peer (median kept)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import essentia
    import essentia.standard as es
    import madmom
    import mir_eval

    essentia.log.infoActive = False
    default_profile = es.KeyExtractor().paramValue("profileType")
    peers = {"essentia_" + p: Essentia(p) for p in PROFILES}
    peers["madmom_cnn"] = Madmom()

    with open(MANIFEST) as f:
        clips = json.load(f)["clips"]
    out_clips = []
    for clip in clips:
        path = os.path.join(DATA, clip["audio"])
        ref = clip["key"]
        corrected = clip.get("flag") == "label_corrected"
        estimates = {}
        for name in PEERS:
            key, extra = peers[name](path)
            entry = {"key": key, "score": mir_eval.key.weighted_score(ref, key)}
            if corrected:
                entry["score_vs_label"] = mir_eval.key.weighted_score(clip["label"], key)
            entry.update(extra)
            estimates[name] = entry
        out_clips.append({
            "name": clip["name"],
            "reference": ref,
            "label": clip["label"],
            "source": clip["source"],
            "flag": clip.get("flag"),
            "scored": clip["scored"],
            "estimates": estimates,
        })

    scored = [c for c in out_clips if c["scored"]]
    mean = {p: sum(c["estimates"][p]["score"] for c in scored) / len(scored) for p in PEERS}
    mean_named = {
        p: sum(c["estimates"][p].get("score_vs_label", c["estimates"][p]["score"]) for c in scored) / len(scored)
        for p in PEERS
    }

    tmp = tempfile.mkdtemp(prefix="technob-key-timing-")
    try:
        track, used = make_timing_track(tmp)
        seconds = {}
        for name in PEERS:
            runs = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                peers[name](track)
                runs.append(time.perf_counter() - t0)
            seconds[name] = round(statistics.median(runs), 3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    doc = {
        "_comment": "Made by tools/make_key_goldens.py: peers' keys on the clips of "
        "crates/technob/src/eval/key_clips.json, MIREX weighted scores by mir_eval, timing on a "
        "6-minute track. Keys in technob's names.",
        "versions": {
            "essentia": essentia.__version__,
            "madmom": madmom.__version__,
            "mir_eval": mir_eval.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "essentia_default_profile": default_profile,
        "peers": PEERS,
        "n_scored": len(scored),
        "mean_score": mean,
        "mean_score_as_named": mean_named,
        "clips": out_clips,
        "timing": {
            "audio_s": TIMING_SECONDS,
            "sources": ["librosa-data/audio/" + u for u in used],
            "runs": args.runs,
            "what": "median wall-clock seconds from file path to key (decoding included), 16-bit "
            "44.1 kHz stereo WAV, on %s with %d CPUs" % (platform.machine(), os.cpu_count()),
            "seconds": seconds,
        },
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    width = max(len(c["name"]) for c in out_clips + [{"name": "mean, labels as named"}])
    cell = max(len(p) for p in PEERS)
    header = "%-*s %-9s " % (width, "clip", "reference") + " ".join("%-*s" % (cell, p) for p in PEERS)
    print(header)
    print("-" * len(header))
    for c in out_clips:
        cells = " ".join(
            "%-*s" % (cell, "%-9s %3.1f" % (c["estimates"][p]["key"], c["estimates"][p]["score"])) for p in PEERS
        )
        mark = "" if c["scored"] else "  (not scored)"
        flag = "  [%s, named %s]" % (c["flag"], c["label"]) if c["flag"] else ""
        print("%-*s %-9s %s%s%s" % (width, c["name"], c["reference"], cells, mark, flag))
    print("-" * len(header))
    print("%-*s %-9s " % (width, "mean (%d scored)" % len(scored), "") + " ".join("%-*.3f" % (cell, mean[p]) for p in PEERS))
    print("%-*s %-9s " % (width, "mean, labels as named", "") + " ".join("%-*.3f" % (cell, mean_named[p]) for p in PEERS))
    print("%-*s %-9s " % (width, "seconds on 6 min", "") + " ".join("%-*.2f" % (cell, seconds[p]) for p in PEERS))
    print("essentia's default profileType: %s" % default_profile)
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
