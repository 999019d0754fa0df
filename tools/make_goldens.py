#!/usr/bin/env python3
"""Reference arrays from librosa for technob's spectral parity tests (tests/spectral_parity.rs).

    /root/.cache/technob-peers/bin/python tools/make_goldens.py

Writes small .npy files (little-endian float32, C order) and manifest.json into
crates/technob/tests/golden/spectral/. No audio is copied: for each clip of ../shared/data
below, the file is loaded whole with librosa.load(path, sr=None, mono=True) (libsndfile
decodes WAV/FLAC bit-exactly; the mono downmix is the channel mean), an excerpt is sliced
at a fixed sample offset, and only features of that excerpt are stored, plus its first 512
samples and float64 sums to check that technob decodes the same samples.

Per clip (excerpt `y`, native rate `sr`):
  stft_a    np.abs(librosa.stft(y))                         n_fft 2048, hop 512, Hann, centred, zeros
  stft_b    np.abs(librosa.stft(y, n_fft=1024, hop_length=256, win_length=512,
                               window="hamming", pad_mode="reflect"))
  stft_c    np.abs(librosa.stft(y, n_fft=512, hop_length=128, window="blackman", center=False))
            (the STFTs are stored for a subset of frames only, listed in the manifest, to keep
            the goldens small: the first and last 4 frames and every k-th in between)
  mel       librosa.feature.melspectrogram(y=y, sr=sr)      power 2, 128 mels, Slaney scale+norm
  logmel    librosa.power_to_db(mel, ref=np.max)            amin 1e-10, top_db 80
  mfcc      librosa.feature.mfcc(y=y, sr=sr)                20 coefficients
  chroma    librosa.feature.chroma_stft(y=y, sr=sr, tuning=0.0)
            (tuning given: librosa would otherwise estimate it; technob does not)
Filterbanks and windows (no audio): see FILTERBANKS and WINDOWS below.

The script is deterministic (no randomness; np.save output depends only on the arrays).
"""
import json
import os
import platform

import librosa
import numpy as np
import scipy
import scipy.signal
import soundfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "spectral")
HEAD = 512
STFT_FRAMES = 16

# id, path under shared/data, excerpt offset (samples), excerpt length (samples)
CLIPS = [
    ("country", "mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav", 220500, 44100),
    ("waltz", "mirdata/ballroom/B_1.0/audio/Waltz/Media-105901.wav", 220500, 66150),
    ("dubstep", "essentia-audio/recorded/dubstep.flac", 88200, 66150),
]

STFT_CONFIGS = {
    "stft_a": dict(n_fft=2048, hop_length=512),
    "stft_b": dict(n_fft=1024, hop_length=256, win_length=512, window="hamming", pad_mode="reflect"),
    "stft_c": dict(n_fft=512, hop_length=128, window="blackman", center=False),
}

FILTERBANKS = {
    "melfb_slaney": ("librosa.filters.mel(sr=22050, n_fft=512, n_mels=40)",
                     lambda: librosa.filters.mel(sr=22050, n_fft=512, n_mels=40)),
    "melfb_htk_nonorm": ("librosa.filters.mel(sr=22050, n_fft=512, n_mels=40, htk=True, norm=None)",
                         lambda: librosa.filters.mel(sr=22050, n_fft=512, n_mels=40, htk=True, norm=None)),
    "melfb_band": ("librosa.filters.mel(sr=44100, n_fft=512, n_mels=40, fmin=30.0, fmax=16000.0)",
                   lambda: librosa.filters.mel(sr=44100, n_fft=512, n_mels=40, fmin=30.0, fmax=16000.0)),
    "chromafb": ("librosa.filters.chroma(sr=22050, n_fft=2048)",
                 lambda: librosa.filters.chroma(sr=22050, n_fft=2048)),
    "chromafb_24": ("librosa.filters.chroma(sr=44100, n_fft=512, n_chroma=24, tuning=0.2, octwidth=None, "
                    "base_c=False)",
                    lambda: librosa.filters.chroma(sr=44100, n_fft=512, n_chroma=24, tuning=0.2,
                                                   octwidth=None, base_c=False)),
}

# name, scipy window spec, length, fftbins (periodic)
WINDOWS = [
    ("win_hann_64", "hann", 64, True),
    ("win_hann_65", "hann", 65, True),
    ("win_hamming_64", "hamming", 64, True),
    ("win_blackman_65", "blackman", 65, True),
    ("win_blackmanharris_64", "blackmanharris", 64, True),
    ("win_kaiser12_64", ("kaiser", 12.0), 64, True),
    ("win_boxcar_16", "boxcar", 16, True),
    ("win_hann_sym_65", "hann", 65, False),
]


def save(name, arr, manifest, call, extra=None):
    arr = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
    path = os.path.join(OUT, name + ".npy")
    np.save(path, arr, allow_pickle=False)
    entry = {"file": name + ".npy", "shape": list(arr.shape), "dtype": "<f4", "call": call}
    if extra:
        entry.update(extra)
    manifest["arrays"][name] = entry


def frame_subset(n):
    step = max(1, (n - 8) // (STFT_FRAMES - 8))
    keep = set(range(min(4, n))) | set(range(max(0, n - 4), n)) | set(range(0, n, step))
    return sorted(keep)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    manifest = {
        "generator": "tools/make_goldens.py",
        "versions": {
            "librosa": librosa.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "soundfile": soundfile.__version__,
            "python": platform.python_version(),
        },
        "layout": "librosa's (bins, frames), C order, little-endian float32",
        "clips": [],
        "arrays": {},
    }
    for cid, rel, offset, length in CLIPS:
        path = os.path.join(DATA, rel)
        full, sr = librosa.load(path, sr=None, mono=True)
        y = np.ascontiguousarray(full[offset:offset + length])
        assert len(y) == length, (cid, len(y))
        y64 = y.astype(np.float64)
        manifest["clips"].append({
            "id": cid, "path": rel, "sr": int(sr), "total_samples": int(len(full)),
            "offset": offset, "length": length,
            "load": "librosa.load(path, sr=None, mono=True)",
            "sum": float(y64.sum()), "sum_sq": float((y64 * y64).sum()),
            "sum_weighted": float((y64 * np.arange(length, dtype=np.float64)).sum()),
        })
        save(f"{cid}_head", y[:HEAD], manifest, f"y[:{HEAD}]")
        for key, kw in STFT_CONFIGS.items():
            mag = np.abs(librosa.stft(y, **kw))
            frames = frame_subset(mag.shape[1])
            args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
            save(f"{cid}_{key}", mag[:, frames], manifest, f"np.abs(librosa.stft(y, {args}))[:, frames]",
                 {"config": kw, "n_frames": int(mag.shape[1]), "frames": frames})
        mel = librosa.feature.melspectrogram(y=y, sr=sr)
        save(f"{cid}_mel", mel, manifest, "librosa.feature.melspectrogram(y=y, sr=sr)")
        save(f"{cid}_logmel", librosa.power_to_db(mel, ref=np.max), manifest,
             "librosa.power_to_db(mel, ref=np.max)")
        save(f"{cid}_mfcc", librosa.feature.mfcc(y=y, sr=sr), manifest, "librosa.feature.mfcc(y=y, sr=sr)")
        save(f"{cid}_chroma", librosa.feature.chroma_stft(y=y, sr=sr, tuning=0.0), manifest,
             "librosa.feature.chroma_stft(y=y, sr=sr, tuning=0.0)")
    for name, (call, make) in FILTERBANKS.items():
        save(name, make(), manifest, call)
    for name, spec, n, fftbins in WINDOWS:
        save(name, scipy.signal.get_window(spec, n, fftbins=fftbins), manifest,
             f"scipy.signal.get_window({spec!r}, {n}, fftbins={fftbins})")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(manifest['arrays'])} arrays + manifest.json to {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
