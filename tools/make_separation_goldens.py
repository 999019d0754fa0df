#!/usr/bin/env python3
"""librosa's classical separations scored with museval (BSS Eval v4), and librosa's non-local
median filter, for technob's tests (crates/technob/tests/decompose_separation.rs).

    ~/.cache/technob-peers/bin/python tools/make_separation_goldens.py

Cases (all 44.1 kHz stereo, read with soundfile / librosa.load(sr=None, mono=False)):
  musdb   ../shared/data/sigsep-mus-eval/derived-wav/Music Delta - 80s Rock (6.8 s, true stems)
          hpss:  references [drums, bass+other+vocals], estimates [percussive, harmonic]
          repet: references [vocals, drums+bass+other], estimates [foreground, background]
  vocal_over_techno  built here and, the same way, by the Rust test: the first 30 s of
          essentia-audio/recorded/techno_loop.mp3 (stereo) plus the first 30 s of vocadito_1.wav
          (mono, on both channels) scaled to the loop's RMS (0 dB vocal-to-backing ratio)
          repet: references [vocal, loop], estimates [foreground, background]
Methods (librosa 0.11):
  hpss:  librosa.effects.hpss(y) (kernel 31, power 2, margin 1)
  repet: librosa's vocal-separation recipe (gallery "plot_vocal_separation"): per channel,
         S_filter = min(S, nn_filter(S, aggregate=np.median, metric="cosine",
         width=time_to_frames(2 s))), foreground = softmask(S - S_filter, 10 S_filter, 2) * D,
         background = softmask(S_filter, 2 (S - S_filter), 2) * D.
Scores: museval.evaluate(win=hop=1 s); per source the nanmedian over frames of SDR/SIR/SAR/ISR.

Also stores, for the first 4 s of the MUSDB mixture's left channel, the neighbours of every
5th frame (k most cosine-similar frames at least 1 s apart, ties to the earlier frame, k =
2 ceil(sqrt(t - 2w + 1))), with the similarity gap between the k-th and (k+1)-th candidates, and
librosa.decompose.nn_filter(S, rec=those neighbours, aggregate=np.median) on a grid of cells.
"""
import json
import os
import time

import librosa
import museval
import numpy as np
import scipy.sparse
import soundfile as sf

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "decompose", "separation_librosa.json")
MUSDB = "sigsep-mus-eval/derived-wav/Music Delta - 80s Rock"
LOOP = "essentia-audio/recorded/techno_loop.mp3"
VOCAL = "mirdata/vocadito/Audio/vocadito_1.wav"
SECONDS = 30.0
BIN_STEP, FRAME_STEP = 7, 5


def read(rel):
    y, sr = sf.read(os.path.join(DATA, rel), dtype="float32", always_2d=True)
    return y.T, sr


def vocal_over_techno():
    loop, sr = librosa.load(os.path.join(DATA, LOOP), sr=None, mono=False)
    vocal, vsr = read(VOCAL)
    assert sr == vsr == 44100
    n = int(SECONDS * sr)
    loop = loop[:, :n]
    vocal = vocal[0, :n]
    gain = np.sqrt(np.mean(loop.astype(np.float64) ** 2) / np.mean(vocal.astype(np.float64) ** 2))
    vocal = np.stack([vocal, vocal]) * np.float32(gain)
    return loop + vocal, sr, vocal.astype(np.float32), loop


def librosa_repet(y, sr):
    fg, bg = [], []
    for ch in y:
        D = librosa.stft(ch)
        S = np.abs(D)
        S_filter = librosa.decompose.nn_filter(
            S, aggregate=np.median, metric="cosine", width=int(librosa.time_to_frames(2, sr=sr)))
        S_filter = np.minimum(S, S_filter)
        mask_i = librosa.util.softmask(S_filter, 2 * (S - S_filter), power=2)
        mask_v = librosa.util.softmask(S - S_filter, 10 * S_filter, power=2)
        fg.append(librosa.istft(mask_v * D, length=len(ch)))
        bg.append(librosa.istft(mask_i * D, length=len(ch)))
    return np.stack(fg), np.stack(bg)


def scores(references, estimates, sr):
    refs = np.stack([r.T for r in references])
    ests = np.stack([e.T for e in estimates])
    sdr, isr, sir, sar = museval.evaluate(refs, ests, win=sr, hop=sr)
    out = []
    for j in range(len(references)):
        out.append({k: float(np.nanmedian(v[j])) for k, v in
                    (("sdr", sdr), ("sir", sir), ("sar", sar), ("isr", isr))})
    return out


def nn_parity():
    y, sr = read(os.path.join(MUSDB, "mixture.wav"))
    y = y[0, : 4 * sr]
    S = np.abs(librosa.stft(y))
    t = S.shape[1]
    width = int(librosa.time_to_frames(1.0, sr=sr))
    k = int(2 * np.ceil(np.sqrt(t - 2 * width + 1)))
    X = S.T.astype(np.float64)
    norms = np.linalg.norm(X, axis=1)
    X = X / np.where(norms > 0, norms, 1)[:, None]
    sims = X @ X.T
    neighbors, gaps = [], []
    rows, cols = [], []
    for i in range(t):
        cand = [j for j in range(t) if abs(i - j) >= width]
        cand.sort(key=lambda j: (-sims[i, j], j))
        neighbors.append(cand[:k])
        gaps.append(float(sims[i, cand[k - 1]] - sims[i, cand[k]]) if len(cand) > k else 1.0)
        rows += [i] * len(cand[:k])
        cols += cand[:k]
    rec = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(t, t))
    filtered = librosa.decompose.nn_filter(S, rec=rec, aggregate=np.median)
    return {
        "clip": MUSDB + "/mixture.wav", "channel": 0, "seconds": 4, "width": width, "k": k,
        "n_frames": t, "bin_step": BIN_STEP, "frame_step": FRAME_STEP,
        "neighbors": neighbors[::FRAME_STEP], "gaps": gaps[::FRAME_STEP],
        "filtered_grid": [[float(v) for v in filtered[::BIN_STEP, f]] for f in range(0, t, FRAME_STEP)],
    }


def main():
    out = {"generated_by": "tools/make_separation_goldens.py", "librosa": librosa.__version__,
           "museval": getattr(museval, "__version__", "unknown"), "cases": {}}
    mix, sr = read(os.path.join(MUSDB, "mixture.wav"))
    stems = {s: read(os.path.join(MUSDB, s + ".wav"))[0] for s in ("drums", "bass", "other", "vocals")}
    t0 = time.perf_counter()
    yh, yp = librosa.effects.hpss(mix)
    hpss_s = time.perf_counter() - t0
    rest = stems["bass"] + stems["other"] + stems["vocals"]
    t0 = time.perf_counter()
    fg, bg = librosa_repet(mix, sr)
    repet_s = time.perf_counter() - t0
    out["cases"]["musdb_hpss"] = {
        "sources": ["drums", "bass+other+vocals"], "estimates": ["percussive", "harmonic"],
        "librosa": scores([stems["drums"], rest], [yp, yh], sr), "librosa_seconds": hpss_s}
    out["cases"]["musdb_repet"] = {
        "sources": ["vocals", "drums+bass+other"], "estimates": ["foreground", "background"],
        "librosa": scores([stems["vocals"], stems["drums"] + stems["bass"] + stems["other"]], [fg, bg], sr),
        "librosa_seconds": repet_s}
    vmix, sr, vocal, loop = vocal_over_techno()
    t0 = time.perf_counter()
    fg, bg = librosa_repet(vmix, sr)
    repet_s = time.perf_counter() - t0
    out["cases"]["vocal_over_techno_repet"] = {
        "sources": ["vocal", "loop"], "estimates": ["foreground", "background"],
        "librosa": scores([vocal, loop], [fg, bg], sr), "librosa_seconds": repet_s}
    out["nn_filter"] = nn_parity()
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(json.dumps(out["cases"], indent=1))
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
