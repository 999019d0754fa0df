#!/usr/bin/env python3
"""Key estimates of the peers (essentia, madmom) on the bundled techno demo transposed to all 12
minor keys (key known by construction), for crates/technob/tests/tonal_key.rs.

    cargo build --release && ~/.cache/technob-peers/bin/python tools/make_key_demo_goldens.py

Renders `technob demo OUT.wav --tonic T --sample-format s16` (90 s, 44.1 kHz stereo: kick, hats,
clap, bass, stabs, pad) into a temporary directory (deleted afterwards) and runs the peers of
tools/make_key_goldens.py on each file, exactly as there. Writes
crates/technob/tests/golden/tonal/key_demo_peers.json: per tonic each peer's key and MIREX
weighted score (mir_eval), and each peer's mean.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_key_goldens as base  # noqa: E402

OUT = os.path.join(base.ROOT, "crates", "technob", "tests", "golden", "tonal", "key_demo_peers.json")
BINARY = os.path.join(base.ROOT, "target", "release", "technob")


def main():
    warnings.filterwarnings("ignore")
    import mir_eval

    peers = {f"essentia_{p}": base.Essentia(p) for p in base.PROFILES}
    peers["madmom_cnn"] = base.Madmom()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tonic in base.NAMES:
            path = os.path.join(tmp, f"demo_{tonic}.wav")
            subprocess.run([BINARY, "demo", path, "--tonic", tonic, "--sample-format", "s16"], check=True)
            reference = f"{tonic} minor"
            row = {"tonic": tonic, "reference": reference, "estimates": {}}
            for name, peer in peers.items():
                key, _ = peer(path)
                row["estimates"][name] = {"key": key, "score": mir_eval.key.weighted_score(reference, key)}
            rows.append(row)
            print(reference, {k: v["key"] for k, v in row["estimates"].items()}, flush=True)
    means = {name: sum(r["estimates"][name]["score"] for r in rows) / len(rows) for name in peers}
    doc = {
        "_comment": "Made by tools/make_key_demo_goldens.py: peers' keys on `technob demo --tonic T` "
        "(90 s techno, key known by construction), MIREX weighted scores by mir_eval.",
        "demos": rows,
        "mean_score": means,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("mean", means)


if __name__ == "__main__":
    main()
