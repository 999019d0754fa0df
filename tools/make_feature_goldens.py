#!/usr/bin/env python3
"""Reference descriptors from librosa and essentia for technob's feature parity tests
(crates/technob/tests/features_parity.rs).

    /root/.cache/technob-peers/bin/python tools/make_feature_goldens.py

Writes one small JSON per clip into crates/technob/tests/golden/features/ (no audio is
copied). Each clip of ../shared/data below is loaded whole with librosa.load(path, sr=None,
mono=True) (libsndfile: WAV/FLAC decoded bit-exactly; mono = channel mean) and analysed at
its own rate, as technob does. A 2-second excerpt at a fixed sample offset gives the frame
descriptors (librosa 0.11 defaults: n_fft 2048, hop 512, Hann, centred, zero padding):

  rms                  librosa.feature.rms(y=y)
  zcr                  librosa.feature.zero_crossing_rate(y)
  spectral_centroid    librosa.feature.spectral_centroid(y=y, sr=sr)
  spectral_bandwidth   librosa.feature.spectral_bandwidth(y=y, sr=sr)            (p=2)
  spectral_rolloff     librosa.feature.spectral_rolloff(y=y, sr=sr)              (0.85)
  spectral_flatness    librosa.feature.spectral_flatness(y=y)
  spectral_contrast    librosa.feature.spectral_contrast(y=y, sr=sr)             (7 rows)
  onset_strength       librosa.onset.onset_strength(y=y, sr=sr)
  mfcc                 librosa.feature.mfcc(y=y, sr=sr)                           (20)
  mfcc_delta           librosa.feature.delta(mfcc)                                (width 9, interp)
  mfcc_delta2          librosa.feature.delta(mfcc, order=2)
  chroma               librosa.feature.chroma_stft(y=y, sr=sr, tuning=0.0)
                       (tuning given: librosa would estimate it; technob uses 0)
  rolloff_margin       per frame, how far librosa's 85 % threshold lies from the cumulative
                       magnitude sums of its two neighbouring bins, relative to the threshold
                       (float32, as librosa computes it): under 1e-6 the roll-off bin is decided
                       by float32 rounding, and the test does not compare that frame
  summary              numpy mean/std/min/max/percentile(10, 50, 90) of librosa's centroid and rms

On the whole clip (mono): essentia.standard.DynamicComplexity(frameSize=0.2, sampleRate=sr)
and essentia.standard.OnsetRate() (its own detector: HFC + complex-domain; 44.1 kHz only).

Values are rounded to 7 significant digits. The script is deterministic.
"""
import json
import os
import platform

import essentia
import essentia.standard as es
import librosa
import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "features")

# id, path under shared/data, excerpt offset (samples), excerpt length (samples)
CLIPS = [
    ("dubstep", "essentia-audio/recorded/dubstep.flac", 88200, 88200),
    ("vocal", "mirdata/vocadito/Audio/vocadito_1.wav", 220500, 88200),
    ("samba_drums", "mirdata/brid/BRID_1.0/Data/Acoustic Mixtures/4 Instruments/[0001] M4-01-SA.wav", 44100, 88200),
]


def r7(a):
    """Nested lists rounded to 7 significant digits."""
    a = np.asarray(a, dtype=np.float64)
    return [float(f"{v:.7g}") for v in a.ravel()] if a.ndim == 1 else [r7(row) for row in a]


def summary(v):
    v = np.asarray(v, dtype=np.float64)
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    return {k: float(f"{x:.10g}") for k, x in
            dict(mean=v.mean(), std=v.std(), min=v.min(), max=v.max(), p10=p10, p50=p50, p90=p90).items()}


def rolloff_margin(y):
    S = np.abs(librosa.stft(y))
    c = np.cumsum(S, axis=0)
    thr = np.float32(0.85) * c[-1]
    out = []
    for t in range(S.shape[1]):
        k = int(np.argmax(c[:, t] >= thr[t]))
        below = thr[t] - c[k - 1, t] if k > 0 else np.inf
        m = min(c[k, t] - thr[t], below)
        out.append(float(m / thr[t]) if thr[t] > 0 else 1.0)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for cid, rel, offset, length in CLIPS:
        path = os.path.join(DATA, rel)
        y_all, sr = librosa.load(path, sr=None, mono=True)
        y = y_all[offset:offset + length]
        mfcc = librosa.feature.mfcc(y=y, sr=sr)
        centroid = librosa.feature.spectral_centroid(y=y, sr=sr)[0]
        rms = librosa.feature.rms(y=y)[0]
        frames = {
            "rms": rms,
            "zcr": librosa.feature.zero_crossing_rate(y)[0],
            "spectral_centroid": centroid,
            "spectral_bandwidth": librosa.feature.spectral_bandwidth(y=y, sr=sr)[0],
            "spectral_rolloff": librosa.feature.spectral_rolloff(y=y, sr=sr)[0],
            "spectral_flatness": librosa.feature.spectral_flatness(y=y)[0],
            "spectral_contrast": librosa.feature.spectral_contrast(y=y, sr=sr),
            "onset_strength": librosa.onset.onset_strength(y=y, sr=sr),
            "mfcc": mfcc,
            "mfcc_delta": librosa.feature.delta(mfcc),
            "mfcc_delta2": librosa.feature.delta(mfcc, order=2),
            "chroma": librosa.feature.chroma_stft(y=y, sr=sr, tuning=0.0),
        }
        mono = essentia.array(y_all)
        dc, dc_loud = es.DynamicComplexity(frameSize=0.2, sampleRate=float(sr))(mono)
        _, rate = es.OnsetRate()(mono) if sr == 44100 else (None, None)
        doc = {
            "clip": rel,
            "sr": int(sr),
            "offset": offset,
            "length": length,
            "n_frames": int(mfcc.shape[1]),
            "sample_sum": float(np.sum(y, dtype=np.float64)),
            "frames": {k: r7(v) for k, v in frames.items()},
            "rolloff_margin": r7(rolloff_margin(y)),
            "summary": {"spectral_centroid": summary(centroid), "rms": summary(rms)},
            "whole_clip": {
                "n_samples": int(len(y_all)),
                "dynamic_complexity": float(dc),
                "dynamic_loudness": float(dc_loud),
                "essentia_onset_rate": None if rate is None else float(rate),
            },
            "versions": {"librosa": librosa.__version__, "numpy": np.__version__,
                         "essentia": essentia.__version__, "python": platform.python_version()},
        }
        dest = os.path.join(OUT, f"{cid}.json")
        with open(dest, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"{dest}: {os.path.getsize(dest)} bytes, {mfcc.shape[1]} frames, "
              f"dynamic complexity {dc:.4f}, essentia onset rate {rate}")


if __name__ == "__main__":
    main()
