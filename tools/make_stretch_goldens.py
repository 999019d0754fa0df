#!/usr/bin/env python3
"""Round-trip distances of the peer time-stretchers, for technob's test
crates/technob/tests/stretch_round_trip.rs.

    ~/.cache/technob-peers/bin/python tools/make_stretch_goldens.py

For each clip (techno_loop, Vibe Ace's first 30 s, vocadito_1, Choice drum-bass; decoded by
ffmpeg as in bench/compare_stretch.py) and r in 0.8, 1.25, 1.5: stretch by r, then by 1/r, with
Rubber Band R3 (`rubberband -3 -t`), Rubber Band R2 (`-2`), librosa 0.11
(`effects.time_stretch(rate=1/r)` per channel) and soundstretch (`-tempo`), align the result
with the original by the log-spectrogram cross-correlation of bench/compare_stretch.py (the
peers have latencies; technob's output needs none), trim to the shorter, and store the
log-spectral distance (dB) and spectral convergence on the STFT magnitude (n_fft 2048, hop 512,
Hann, centred), averaged over channels — the definitions of examples/stretch_timing.rs.

Output: crates/technob/tests/golden/stretch_round_trip.json
  {"clips": {name: {"source": relative path, "seconds": s or null}},
   "cases": {"<clip> x<r>": {tool: {"lsd_db", "sc", "lag"}}}}
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "bench"))

import compare_stretch as cs  # noqa: E402

PEERS = ("rb-R3", "rb-R2", "librosa", "sstretch")
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "stretch_round_trip.json")


def main():
    with tempfile.TemporaryDirectory(prefix="technob-stretch-goldens-") as tmp:
        runner = cs.Runner(tmp, "/nonexistent")  # technob itself is not needed here
        clips = cs.decode_clips(tmp, runner)
        doc = {"clips": {}, "cases": {}}
        sources = cs.clip_sources()
        for name in cs.TRIP_CLIPS:
            if name not in clips:
                sys.exit(f"clip {name} missing")
            src, seconds = sources[name]
            doc["clips"][name] = {"source": os.path.relpath(src, os.path.dirname(cs.DATA)), "seconds": seconds}
            x, _ = cs.read(clips[name])
            fx = cs.lag_features(cs.mono(x))
            for r in cs.TRIP_RATIOS:
                case = {}
                for tool in PEERS:
                    there = runner.out(tool, clips[name], "stretch", r)
                    back = runner.out(tool, there, "stretch", 1.0 / r) if there else None
                    if back is None:
                        sys.exit(f"{tool} failed on {name} x{r}: {runner.notes[-1:]}")
                    y, _ = cs.read(back)
                    lag = cs.best_lag(fx, cs.mono(y))
                    lsd, sc = cs.mean_distances(*cs.align(x, y, lag))
                    case[tool] = {"lsd_db": round(lsd, 4), "sc": round(sc, 5), "lag": lag}
                    print(f"{name} x{r}: {tool} LSD {lsd:.2f} dB, SC {sc:.3f} (lag {lag})", flush=True)
                doc["cases"][f"{name} x{cs.fmt_ratio(r)}"] = case
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
