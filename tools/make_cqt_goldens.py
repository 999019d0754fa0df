#!/usr/bin/env python3
"""Reference CQT, constant-Q chroma and tuning estimates from librosa (and essentia) for technob's
tests in crates/technob/tests/tonal_cqt.rs.

    ~/.cache/technob-peers/bin/python tools/make_cqt_goldens.py

Writes three small JSON files into crates/technob/tests/golden/tonal/. No audio is copied: each
clip of ../shared/data below is loaded whole with librosa.load(path, sr=None, mono=True)
(libsndfile decodes WAV/FLAC bit-exactly; the mono downmix is the channel mean), an excerpt is
sliced at a fixed sample offset, and only features of that excerpt are stored, with float64 sums
so that the test can check that technob decoded the same samples.

cqt.json          np.abs(librosa.cqt(y, sr=sr, **config)) for each CQT_CONFIGS entry, on every
                  `frame_stride`-th frame (to keep the file small); layout [frame][bin], bin 0
                  the lowest, values rounded to 6 significant digits.
chroma_cqt.json   librosa.feature.chroma_cqt(y=y, sr=sr, tuning=0.0)  (all frames, [frame][class])
                  and, for information, librosa's own tuning estimate in chroma_cqt
                  (librosa.estimate_tuning(y=y, sr=sr, bins_per_octave=36)).
tuning.json       per clip (whole file, mono, native rate):
                    librosa   100 * librosa.estimate_tuning(y=y, sr=sr)            (cents)
                    essentia  TuningFrequencyExtractor()(MonoLoader(filename=path,
                              sampleRate=44100)()) -> the last value (its running global estimate),
                              in Hz and in cents from 440
                  plus the truth where one is known (the guitars tuned to A4 = 432 Hz).
hpcp.json         essentia's HPCP of the country excerpt, per frame ([frame][class], class 0 = A as
                  essentia orders it), from essentia's own peak picking:
                    FrameGenerator(y, frameSize=4096, hopSize=2048, startFromZero=False)
                    -> Windowing(type="blackmanharris92", size=4096) -> Spectrum(size=4096)
                    -> SpectralPeaks(sampleRate=sr, minFrequency=40, maxFrequency=5000,
                                     maxPeaks=100, magnitudeThreshold=0, orderBy="magnitude")
                    -> HPCP(sampleRate=sr, size=12, harmonics=0, bandPreset=False,
                            referenceFrequency=440, normalized="unitMax",
                            weightType="squaredCosine", windowSize=1, minFrequency=40,
                            maxFrequency=5000)

The script is deterministic (no randomness).
"""
import json
import math
import os
import platform

import essentia
import essentia.standard as es
import librosa
import numpy as np
import scipy
import soundfile
import soxr

essentia.log.infoActive = False

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "tonal")

# id, path under shared/data, excerpt offset (samples), excerpt length (samples)
CLIPS = {
    "country": ("mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav", 110250, 66150),
    "waltz": ("mirdata/ballroom/B_1.0/audio/Waltz/Media-105901.wav", 220500, 88200),
}

# name, clip, librosa.cqt keyword arguments, frame stride
CQT_CONFIGS = [
    ("default", "country", {}, 2),
    ("default_44k", "waltz", {}, 4),
    ("chroma_bins", "country", dict(n_bins=252, bins_per_octave=36), 6),
    ("odd_hop", "country", dict(hop_length=300, fmin=65.40639132514966, n_bins=48, tuning=0.2,
                                filter_scale=2.0), 4),
    ("no_scale_l2", "country", dict(n_bins=60, fmin=130.8127826502993, norm=2, scale=False,
                                    window="hamming", sparsity=0.0), 4),
]

CHROMA_CLIPS = ["country", "waltz"]
HPCP_CLIP = "country"

# id, path under shared/data, A4 in Hz when known
TUNING_CLIPS = [
    ("guitar_432_1", "essentia-audio/recorded/Guitar-A4-432-1.ogg", 432.0),
    ("guitar_432_2", "essentia-audio/recorded/Guitar-A4-432-2.ogg", 432.0),
    ("techno_loop", "essentia-audio/recorded/techno_loop.mp3", None),
    ("vocadito_1", "mirdata/vocadito/Audio/vocadito_1.wav", None),
    ("sax_d_minor", "essentia-audio/recorded/359628__mtg__sax-tenor-d-minor.wav", None),
    ("sax_e_major", "essentia-audio/recorded/359500__mtg__sax-tenor-e-major.wav", None),
]


def sig(x, digits=6):
    return [float(f"{v:.{digits}g}") for v in x]


def load_excerpt(cid):
    rel, offset, length = CLIPS[cid]
    full, sr = librosa.load(os.path.join(DATA, rel), sr=None, mono=True)
    y = np.ascontiguousarray(full[offset:offset + length])
    assert len(y) == length, (cid, len(y))
    y64 = y.astype(np.float64)
    info = {"path": rel, "sr": int(sr), "offset": offset, "length": length,
            "load": "librosa.load(path, sr=None, mono=True)",
            "sum": float(y64.sum()), "sum_sq": float((y64 * y64).sum())}
    return y, sr, info


def cents_from_hz(hz):
    return 1200.0 * math.log2(hz / 440.0)


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"librosa": librosa.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                "soxr": soxr.__version__, "soundfile": soundfile.__version__,
                "essentia": essentia.__version__, "python": platform.python_version()}
    clips = {cid: load_excerpt(cid) for cid in CLIPS}

    cqt = {"generator": "tools/make_cqt_goldens.py", "versions": versions,
           "clips": {cid: c[2] for cid, c in clips.items()}, "layout": "[frame][bin], bin 0 lowest",
           "configs": []}
    for name, cid, kw, stride in CQT_CONFIGS:
        y, sr, _ = clips[cid]
        c = np.abs(librosa.cqt(y, sr=sr, **kw))
        frames = list(range(0, c.shape[1], stride))
        args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
        cqt["configs"].append({
            "name": name, "clip": cid, "config": kw,
            "call": f"np.abs(librosa.cqt(y, sr=sr{', ' if args else ''}{args}))",
            "n_bins": int(c.shape[0]), "n_frames": int(c.shape[1]), "frames": frames,
            "freqs": sig(librosa.cqt_frequencies(
                n_bins=kw.get("n_bins", 84), fmin=kw.get("fmin", librosa.note_to_hz("C1")) *
                2.0 ** (kw.get("tuning", 0.0) / kw.get("bins_per_octave", 12)),
                bins_per_octave=kw.get("bins_per_octave", 12)), 12),
            "values": [sig(c[:, t]) for t in frames],
        })

    chroma = {"generator": "tools/make_cqt_goldens.py", "versions": versions,
              "clips": {cid: clips[cid][2] for cid in CHROMA_CLIPS}, "layout": "[frame][class], class 0 = C",
              "entries": []}
    for cid in CHROMA_CLIPS:
        y, sr, _ = clips[cid]
        ch = librosa.feature.chroma_cqt(y=y, sr=sr, tuning=0.0)
        est = float(librosa.estimate_tuning(y=y, sr=sr, bins_per_octave=36))
        chroma["entries"].append({
            "clip": cid, "call": "librosa.feature.chroma_cqt(y=y, sr=sr, tuning=0.0)",
            "librosa_tuning_bins36": est,
            "values": [sig(ch[:, t]) for t in range(ch.shape[1])],
        })

    tuning = {"generator": "tools/make_cqt_goldens.py", "versions": versions,
              "note": "cents = deviation of A4 from 440 Hz; peers are not ground truth, truth_a4_hz is",
              "clips": []}
    for tid, rel, truth in TUNING_CLIPS:
        path = os.path.join(DATA, rel)
        y, sr = librosa.load(path, sr=None, mono=True)
        lib = 100.0 * float(librosa.estimate_tuning(y=y, sr=sr))
        y44 = es.MonoLoader(filename=path, sampleRate=44100)()
        ess_hz = float(es.TuningFrequencyExtractor()(y44)[-1])
        entry = {"id": tid, "path": rel, "sr": int(sr), "duration_s": round(len(y) / sr, 3),
                 "librosa_cents": round(lib, 3),
                 "librosa_call": "100 * librosa.estimate_tuning(y=y, sr=sr)",
                 "essentia_hz": round(ess_hz, 4), "essentia_cents": round(cents_from_hz(ess_hz), 3),
                 "essentia_call": "TuningFrequencyExtractor()(MonoLoader(filename=path, sampleRate=44100)())[-1]"}
        if truth is not None:
            entry["truth_a4_hz"] = truth
            entry["truth_cents"] = round(cents_from_hz(truth), 4)
        tuning["clips"].append(entry)
        print(tid, entry)

    y, sr, _ = clips[HPCP_CLIP]
    window = es.Windowing(type="blackmanharris92", size=4096)
    spectrum = es.Spectrum(size=4096)
    peaks = es.SpectralPeaks(sampleRate=sr, minFrequency=40, maxFrequency=5000, maxPeaks=100,
                             magnitudeThreshold=0, orderBy="magnitude")
    hpcp_alg = es.HPCP(sampleRate=sr, size=12, harmonics=0, bandPreset=False, referenceFrequency=440,
                       normalized="unitMax", weightType="squaredCosine", windowSize=1, minFrequency=40,
                       maxFrequency=5000)
    frames = []
    for fr in es.FrameGenerator(y.astype(np.float32), frameSize=4096, hopSize=2048, startFromZero=False):
        f, m = peaks(spectrum(window(fr)))
        frames.append(sig(hpcp_alg(f, m)))
    hpcp = {"generator": "tools/make_cqt_goldens.py", "versions": versions,
            "clips": {HPCP_CLIP: clips[HPCP_CLIP][2]}, "clip": HPCP_CLIP,
            "layout": "[frame][class], class 0 = A (essentia's order); frame t centred on sample t * 2048",
            "frame_size": 4096, "hop_size": 2048, "values": frames}

    for name, doc in [("cqt.json", cqt), ("chroma_cqt.json", chroma), ("tuning.json", tuning),
                      ("hpcp.json", hpcp)]:
        path = os.path.join(OUT, name)
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"), sort_keys=True)
            f.write("\n")
        print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
