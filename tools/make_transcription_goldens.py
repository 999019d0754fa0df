#!/usr/bin/env python3
"""Reference note-transcription scores and matchings for technob's mir_eval port
(crates/technob/tests/eval_transcription.rs).

    /root/.cache/technob-peers/bin/python tools/make_transcription_goldens.py

mir_eval's own regression data (../shared/data/mir_eval/tests/data/transcription) checks the
scores; it does not show which pairs were matched when several maximum matchings exist. This
script adds:

* vocadito (CC BY 4.0): annotator A1 against A2 and A2 against A1, with mir_eval's default,
  strict and no-offset criteria; notes read as mirdata's `vocadito.load_notes` does
  (np.genfromtxt, offset = onset + duration);
* crowded random note sets (seeded), onsets on a 10 ms grid so that many notes fall within
  +-50 ms of several others and some distances sit exactly on the window edge, pitches a few
  cents apart: the maximum matching is not unique, so `match_notes`, `match_note_onsets` and
  `match_note_offsets` pin down mir_eval's choice (its Hopcroft-Karp visiting order).

Writes crates/technob/tests/golden/tonal/transcription_cases.json; floats are written with
Python's repr, so they round-trip exactly.
"""
import json
import os

import numpy as np
import mir_eval
from mir_eval import transcription as tr

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "tonal", "transcription_cases.json")
VOCADITO = os.path.join(DATA, "mirdata", "vocadito", "Annotations", "Notes")

CRITERIA = [
    {"offset_ratio": 0.2, "strict": False},
    {"offset_ratio": 0.2, "strict": True},
    {"offset_ratio": None, "strict": False},
]


def load_vocadito(path):
    notes = np.genfromtxt(path, delimiter=",")
    return np.column_stack((notes[:, 0], notes[:, 0] + notes[:, 2])), notes[:, 1]


def as_notes(intervals, pitches):
    return {"intervals": [[float(a), float(b)] for a, b in intervals], "pitches": [float(p) for p in pitches]}


def as_pairs(matching):
    return [[int(r), int(e)] for r, e in matching]


def scores(ri, rp, ei, ep, crit):
    s = tr.evaluate(ri, rp, ei, ep, offset_ratio=crit["offset_ratio"], strict=crit["strict"])
    return {k: float(v) for k, v in s.items()}


def hit_matrices(ri, rp, ei, ep, crit):
    """The onset, offset and note hit matrices as mir_eval builds them."""
    cmp = np.less if crit["strict"] else np.less_equal
    ratio = crit["offset_ratio"] if crit["offset_ratio"] is not None else 0.2
    onset = cmp(np.around(np.abs(np.subtract.outer(ri[:, 0], ei[:, 0])), 4), 0.05)
    tol = np.maximum(ratio * (ri[:, 1] - ri[:, 0]), 0.05)
    offset = cmp(np.around(np.abs(np.subtract.outer(ri[:, 1], ei[:, 1])), 4), tol.reshape(-1, 1))
    note = onset * cmp(np.abs(1200 * np.subtract.outer(np.log2(rp), np.log2(ep))), 50.0)
    if crit["offset_ratio"] is not None:
        note = note * offset
    return note, onset, offset


def greedy_size(hit):
    """Size of mir_eval's greedy start alone (to flag cases that need augmenting paths)."""
    graph = {}
    for r, e in zip(*np.where(hit)):
        graph.setdefault(e, []).append(r)
    taken = set()
    for e in graph:
        for r in graph[e]:
            if r not in taken:
                taken.add(r)
                break
    return len(taken)


def random_notes(rng, n, span):
    onsets = np.round(np.sort(rng.uniform(0.0, span, n)), 2)
    durations = np.round(rng.choice([0.05, 0.1, 0.12, 0.15, 0.2, 0.25], n), 2)
    cents = rng.choice([0.0, 0.0, 0.0, 20.0, -30.0, 49.0, -49.0, 51.0], n)
    return np.column_stack((onsets, onsets + durations)), 220.0 * 2.0 ** (cents / 1200.0)


def main():
    a1 = load_vocadito(os.path.join(VOCADITO, "vocadito_1_notesA1.csv"))
    a2 = load_vocadito(os.path.join(VOCADITO, "vocadito_1_notesA2.csv"))
    doc = {
        "_comment": "Made by tools/make_transcription_goldens.py with mir_eval %s." % mir_eval.__version__,
        "vocadito_notes": {"A1": as_notes(*a1), "A2": as_notes(*a2)},
        "vocadito": [],
        "random": [],
    }
    for name, (r, e) in [("A1", (a1, a2)), ("A2", (a2, a1))]:
        for crit in CRITERIA:
            m = tr.match_notes(r[0], r[1], e[0], e[1], offset_ratio=crit["offset_ratio"], strict=crit["strict"])
            doc["vocadito"].append(
                dict(
                    reference=name,
                    **crit,
                    scores=scores(r[0], r[1], e[0], e[1], crit),
                    match_notes=as_pairs(m),
                )
            )
            s = doc["vocadito"][-1]["scores"]
            print("vocadito ref %s %-40s F %.4f  F_no_offset %.4f  onset F %.4f"
                  % (name, crit, s.get("F-measure", float("nan")), s["F-measure_no_offset"], s["Onset_F-measure"]))
    rng = np.random.default_rng(20260404)
    for i in range(21):
        crit = CRITERIA[i % 3]
        n_ref, n_est = int(rng.integers(12, 26)), int(rng.integers(12, 26))
        ri, rp = random_notes(rng, n_ref, 0.6)
        ei, ep = random_notes(rng, n_est, 0.6)
        ratio = crit["offset_ratio"] if crit["offset_ratio"] is not None else 0.2
        m = tr.match_notes(ri, rp, ei, ep, offset_ratio=crit["offset_ratio"], strict=crit["strict"])
        mo = tr.match_note_onsets(ri, ei, strict=crit["strict"])
        mf = tr.match_note_offsets(ri, ei, offset_ratio=ratio, strict=crit["strict"])
        hits = hit_matrices(ri, rp, ei, ep, crit)
        augmented = [greedy_size(h) < len(x) for h, x in zip(hits, (m, mo, mf))]
        doc["random"].append(
            dict(
                name="random_%02d" % i,
                **crit,
                reference=as_notes(ri, rp),
                estimate=as_notes(ei, ep),
                match_notes=as_pairs(m),
                match_note_onsets=as_pairs(mo),
                match_note_offsets=as_pairs(mf),
                augmented=[bool(a) for a in augmented],
                scores=scores(ri, rp, ei, ep, crit),
            )
        )
        print("random_%02d %-40s refs %2d ests %2d notes matched %2d onsets %2d offsets %2d augmented %s"
              % (i, crit, n_ref, n_est, len(m), len(mo), len(mf), augmented))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
