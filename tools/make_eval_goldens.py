#!/usr/bin/env python3
"""Extra reference scores for technob's mir_eval port (crates/technob/tests/eval_mir_eval.rs).

    /root/.cache/technob-peers/bin/python tools/make_eval_goldens.py

mir_eval's own regression data (../shared/data/mir_eval/tests/data/beat, .../tempo) covers ten
long real-world beat pairs and four tempo pairs. This script adds the corners those miss --
empty and one-beat sequences, exact matches (Goto's short-track branch), double/half tempo,
off-beat, duplicate reference beats, beats before the 5 s trim, sparse and jittered estimates --
scored by the installed mir_eval (0.8.2, numpy 2.x) with `mir_eval.beat.evaluate` (which trims
at 5 s) and `mir_eval.tempo.detection`. Writes crates/technob/tests/golden/eval_cases.json;
floats are written with Python's repr, so they round-trip exactly.

Note: numpy >= 1.9 sums with pairwise summation, so "Information gain" here may differ from a
sequential sum (what mir_eval's stored outputNN.json files hold) in the last bits.
"""
import json
import os
import warnings

import numpy as np
import mir_eval

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "eval_cases.json")


def grid(start, period, n):
    return [start + i * period for i in range(n)]


def beat_cases():
    rng = np.random.default_rng(20260101)
    ref = grid(5.3, 0.5, 40)
    cases = [
        ("empty_reference", [], ref),
        ("empty_estimate", ref, []),
        ("both_empty", [], []),
        ("all_before_trim", grid(0.5, 0.5, 8), grid(0.52, 0.5, 8)),
        ("one_beat_each", [6.0], [6.01]),
        ("one_reference_beat", [6.0], grid(5.5, 0.5, 6)),
        ("two_beats_each", [6.0, 6.5], [6.01, 6.52]),
        ("three_beats_each", [6.0, 6.5, 7.0], [6.0, 6.5, 7.0]),
        ("four_beats_exact", grid(6.0, 0.5, 4), grid(6.0, 0.5, 4)),
        ("exact", ref, ref),
        ("exact_offset_10ms", ref, [t + 0.01 for t in ref]),
        ("double_tempo", ref, grid(5.3, 0.25, 80)),
        ("half_tempo", ref, grid(5.3, 1.0, 20)),
        ("half_tempo_even", ref, grid(5.8, 1.0, 20)),
        ("off_beat", ref, grid(5.55, 0.5, 40)),
        ("trim_straddles", grid(3.0, 0.5, 20), grid(3.02, 0.5, 20)),
        ("duplicate_reference", [6.0, 6.5, 6.5, 7.0, 7.5, 8.0, 8.0, 8.5], grid(6.0, 0.5, 6)),
        ("duplicate_estimate", grid(6.0, 0.5, 8), [6.0, 6.5, 6.5, 7.0, 7.5, 7.5, 8.0]),
        ("same_10ms_bin_estimate", grid(6.0, 0.5, 8), [6.001, 6.002, 6.003]),
        ("window_edges", grid(6.0, 0.5, 10), [6.07, 6.43, 7.07, 7.5 - 0.07, 8.0, 8.57]),
        ("sparse_estimate", ref, ref[::5]),
        ("dense_noise_estimate", ref, sorted(rng.uniform(5.0, 25.0, 120).tolist())),
        ("tempo_drift", ref, grid(5.3, 0.505, 40)),
        ("one_gap", ref, ref[:20] + ref[22:]),
        ("one_wrong_beat", ref, ref[:20] + [ref[20] + 0.2] + ref[21:]),
    ]
    for i in range(12):
        jitter = [0.005, 0.02, 0.04, 0.08][i % 4]
        r = np.cumsum(rng.uniform(0.45, 0.55, 60)) + 4.0
        e = r + rng.normal(0.0, jitter, r.shape)
        keep = rng.uniform(size=e.shape) > [0.0, 0.05, 0.2][i % 3]
        e = np.sort(np.concatenate([e[keep], rng.uniform(r[0], r[-1], i % 5)]))
        cases.append((f"random_{i:02}", r.tolist(), e.tolist()))
    for i in range(4):
        # Overlapping hit windows: the matching behind the F-measure is not a greedy pairing.
        r = np.sort(rng.uniform(5.0, 15.0, 60 + 20 * i))
        e = np.sort(rng.uniform(5.0, 15.0, 150 - 25 * i))
        cases.append((f"dense_random_{i:02}", r.tolist(), e.tolist()))
    out = []
    for name, r, e in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = mir_eval.beat.evaluate(np.array(r, dtype=float), np.array(e, dtype=float))
        out.append({
            "name": name,
            "reference": [float(x) for x in r],
            "estimated": [float(x) for x in e],
            "scores": {k: float(v) for k, v in scores.items()},
        })
    return out


def tempo_cases():
    cases = [
        ([60.0, 120.0], 0.5, [120.0, 180.0], 0.08),
        ([60.0, 120.0], 0.3, [64.8, 129.7], 0.08),
        ([60.0, 120.0], 0.3, [64.81, 129.5], 0.08),
        ([0.0, 50.0], 0.5, [50.0, 100.0], 0.08),
        ([50.0, 0.0], 0.5, [50.0, 100.0], 0.08),
        ([50.0, 50.0], 0.5, [0.0, 0.0], 0.08),
        ([128.0, 64.0], 0.7, [129.0, 65.0], 0.01),
        ([128.0, 64.0], 1.0, [129.0, 65.0], 0.0),
    ]
    out = []
    for ref, w, est, tol in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p, one, both = mir_eval.tempo.detection(np.array(ref), w, np.array(est), tol=tol)
        out.append({"reference": ref, "weight": w, "estimated": est, "tol": tol,
                    "p_score": float(p), "one_correct": bool(one), "both_correct": bool(both)})
    return out


def main():
    doc = {
        "_comment": "Made by tools/make_eval_goldens.py with mir_eval " + mir_eval.__version__
        + " and numpy " + np.__version__ + ".",
        "beat": beat_cases(),
        "tempo": tempo_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(doc['beat'])} beat cases, {len(doc['tempo'])} tempo cases")


if __name__ == "__main__":
    main()
