#!/usr/bin/env python3
"""scikit-learn's NMF (multiplicative updates) of a real magnitude spectrogram, for technob's NMF
parity test (crates/technob/tests/decompose_nmf.rs).

    ~/.cache/technob-peers/bin/python tools/make_nmf_goldens.py
    ~/.cache/technob-peers/bin/python tools/make_nmf_goldens.py --timing /tmp/six_minutes.wav

Clip: the first 2 s of GTZAN country.00000 (22.05 kHz mono WAV) from ../shared/data, read with
librosa.load(sr=None); V = |librosa.stft(y, n_fft=512, hop_length=128)| (257 bins x 345 frames),
given to sklearn as float64 with V as X (so sklearn's W is technob's templates, its H the
activations). For each beta (frobenius, kullback-leibler, itakura-saito and 0.5), K = 6,
init='nndsvda' (deterministic: its randomised SVD agrees with the exact SVD to 1e-12 here):
  - the divergence (sklearn's _beta_divergence) after 10, 50 and 200 iterations (tol=0);
  - W and H after 200 iterations, rounded to 6 significant digits;
  - the iteration count and divergence with the default tol=1e-4 and max_iter=1000.
The NNDSVDa initial W and H are stored once (they do not depend on beta). Also stored: a
summary of V (shape, sum, a few cells) so the test knows it rebuilt the same input.

--timing FILE: time sklearn on FILE's spectrogram as technob's nmf_timing example builds it
(every channel's |STFT| at n_fft 2048, hop 512, joined in time; K = 8, KL, 200 iterations,
tol = 0, float32 as technob), and print the time. A one-off measurement, not a test.
"""
import json
import os
import sys
import time
import warnings

import librosa
import numpy as np
import sklearn
from sklearn.decomposition import NMF
from sklearn.decomposition._nmf import _beta_divergence, _initialize_nmf

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
CLIP = "mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav"
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "decompose", "nmf_sklearn.json")
SECONDS, N_FFT, HOP, K = 2.0, 512, 128, 6
BETAS = {"frobenius": 2.0, "kullback-leibler": 1.0, "itakura-saito": 0.0, "0.5": 0.5}
CHECKPOINTS = [10, 50, 200]


def sig(a, digits=6):
    return [float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=np.float64).ravel()]


def fit(V, beta, max_iter, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NMF(K, init="nndsvda", solver="mu", beta_loss=beta, max_iter=max_iter, tol=tol, random_state=0)
        W = model.fit_transform(V)
    H = model.components_
    return W, H, model.n_iter_, float(_beta_divergence(V, W, H, beta))


def goldens():
    y, sr = librosa.load(os.path.join(DATA, CLIP), sr=None, mono=True, duration=SECONDS)
    S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP))
    V = S.astype(np.float64)
    W0, H0 = _initialize_nmf(V, K, init="nndsvda", random_state=0)
    out = {"generated_by": "tools/make_nmf_goldens.py", "sklearn": sklearn.__version__, "librosa": librosa.__version__,
           "clip": CLIP, "n_samples": int(len(y)), "n_fft": N_FFT, "hop_length": HOP, "n_components": K,
           "v_shape": list(V.shape), "v_sum": float(V.sum()), "v_cells": sig(V[::37, ::53]),
           "init_w": sig(W0), "init_h": sig(H0), "betas": {}}
    for name, beta in BETAS.items():
        beta_loss = beta if name == "0.5" else name
        entry = {"beta": beta, "divergence": {}}
        for n in CHECKPOINTS:
            W, H, n_iter, d = fit(V, beta_loss, n, 0.0)
            entry["divergence"][str(n)] = d
        entry["w"], entry["h"] = sig(W), sig(H)
        _, _, n_iter, d = fit(V, beta_loss, 1000, 1e-4)
        entry["tol_1e-4"] = {"n_iter": int(n_iter), "divergence": d}
        entry["divergence_init"] = float(_beta_divergence(V, W0, H0, beta_loss))
        out["betas"][name] = entry
        print(name, entry["divergence"], entry["tol_1e-4"])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


def timing(path):
    y, sr = librosa.load(path, sr=None, mono=False)
    y = np.atleast_2d(y)
    V = np.concatenate([np.abs(librosa.stft(c, n_fft=2048, hop_length=512)) for c in y], axis=1)
    print("V", V.shape, V.dtype)
    for _ in range(2):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = NMF(8, init="nndsvda", solver="mu", beta_loss="kullback-leibler", max_iter=200, tol=0.0,
                        random_state=0)
            model.fit_transform(V)
        print(f"sklearn NMF K=8 KL 200 iterations: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--timing":
        timing(sys.argv[2])
    else:
        goldens()
