#!/usr/bin/env python3
"""librosa's harmonic/percussive separation of a real clip, for technob's HPSS parity test
(crates/technob/tests/decompose_hpss.rs).

    ~/.cache/technob-peers/bin/python tools/make_hpss_goldens.py

Clip: the first 3 s of GTZAN country.00000 (22.05 kHz mono WAV, drums + guitar + voice) from
../shared/data, read with librosa.load(sr=None). For each setting below the script stores, at a
fixed grid of cells (every 11th bin of every 6th frame; the full masks would be megabytes), the
masks of librosa.decompose.hpss(|STFT|, mask=True, ...), and the waveforms of
librosa.effects.hpss at every 29th sample plus their full energies:
  default       kernel 31, power 2, margin 1
  hard          power inf
  margin        margin (2, 2) (effects: with the residual y - harmonic - percussive)
  kernel        kernel (17, 41)
STFT: librosa defaults (2048, hop 512, Hann, centred, constant padding).
"""
import json
import os

import librosa
import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
CLIP = "mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav"
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "decompose", "hpss_librosa.json")
SECONDS = 3.0
BIN_STEP, FRAME_STEP, SAMPLE_STEP = 11, 6, 29
SETTINGS = {
    "default": dict(kernel_size=31, power=2.0, margin=1.0),
    "hard": dict(kernel_size=31, power=np.inf, margin=1.0),
    "margin": dict(kernel_size=31, power=2.0, margin=(2.0, 2.0)),
    "kernel": dict(kernel_size=(17, 41), power=2.0, margin=1.0),
}


def main():
    y, sr = librosa.load(os.path.join(DATA, CLIP), sr=None, mono=True, duration=SECONDS)
    S = np.abs(librosa.stft(y))
    out = {"generated_by": "tools/make_hpss_goldens.py", "librosa": librosa.__version__, "clip": CLIP,
           "sr": int(sr), "n_samples": int(len(y)), "bin_step": BIN_STEP, "frame_step": FRAME_STEP,
           "sample_step": SAMPLE_STEP, "settings": {}}
    for name, kw in SETTINGS.items():
        mh, mp = librosa.decompose.hpss(S, mask=True, **kw)
        yh, yp = librosa.effects.hpss(y, **kw)
        entry = {
            "kernel": list(kw["kernel_size"]) if isinstance(kw["kernel_size"], tuple) else [kw["kernel_size"]] * 2,
            "power": None if np.isinf(kw["power"]) else kw["power"],
            "margin": list(kw["margin"]) if isinstance(kw["margin"], tuple) else [kw["margin"]] * 2,
            "mask_harmonic": mh[::BIN_STEP, ::FRAME_STEP].astype(float).round(6).tolist(),
            "mask_percussive": mp[::BIN_STEP, ::FRAME_STEP].astype(float).round(6).tolist(),
            "harmonic": yh[::SAMPLE_STEP].astype(float).round(8).tolist(),
            "percussive": yp[::SAMPLE_STEP].astype(float).round(8).tolist(),
            "harmonic_energy": float(np.sum(yh.astype(np.float64) ** 2)),
            "percussive_energy": float(np.sum(yp.astype(np.float64) ** 2)),
        }
        out["settings"][name] = entry
        print(name, "energies", entry["harmonic_energy"], entry["percussive_energy"])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
