#!/usr/bin/env python3
"""Golden arrays from librosa for technob's spectral parity tests (tests/spectral_parity.rs).

    /root/.cache/technob-peers/bin/python tools/make_goldens.py

Writes float32 .npy files and manifest.json into crates/technob/tests/golden/spectral/
(about 0.8 MB). Clips are lossless (WAV/FLAC) recordings from ../shared/data, loaded with
`librosa.load(path, sr=None, mono=True)`, so technob's decoder sees the same samples; a short
excerpt of each (0.5-1 s) is analysed (offsets in the manifest; the excerpt is sliced after loading the
whole file). Nothing here is random; re-running gives the same files.

Calls (librosa 0.11 defaults unless written):
  stft_2048:   abs(stft(x, n_fft=2048, hop_length=512))                       [center, zeros]
  stft_alt:    (country only) abs(stft(x, n_fft=1024, hop_length=256, win_length=512, window="hamming",
                        pad_mode="reflect"))
  mel:         melspectrogram(y=x, sr=sr, n_fft=2048, hop_length=512, n_mels=128)   [power 2, Slaney]
  logmel:      power_to_db(mel, ref=np.max)                                    [top_db 80]
  mfcc:        mfcc(y=x, sr=sr, n_mfcc=20)
  chroma:      chroma_stft(y=x, sr=sr, tuning=0.0)                             [norm=inf]
  filterbanks: filters.mel(sr=22050, n_fft=512, n_mels=40)                     [Slaney, norm slaney]
               filters.mel(sr=22050, n_fft=512, n_mels=40, fmin=30, fmax=8000, htk=True, norm=None)
               filters.chroma(sr=22050, n_fft=2048)
  windows:     scipy.signal.get_window(name, n, fftbins=True)
Arrays are stored in librosa's layout (bins x frames); the tests transpose.
"""
import json
import os

import librosa
import numpy as np
import scipy
import scipy.signal

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "spectral")

CLIPS = [  # key, path under shared/data, excerpt start (s), excerpt length (s)
    ("country", "mirdata/gtzan_genre/gtzan_genre/genres/country/country.00000.wav", 10.0, 1.0),
    ("waltz", "mirdata/ballroom/B_1.0/audio/Waltz/Media-105901.wav", 12.0, 0.5),
    ("dubstep", "essentia-audio/recorded/dubstep.flac", 2.0, 0.5),
]


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array, dtype="<f4"))
    return list(np.shape(array))


os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    os.remove(os.path.join(OUT, old))
manifest = {"made_by": "tools/make_goldens.py", "librosa": librosa.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "clips": [], "arrays": {}}
for key, rel, start_s, seconds in CLIPS:
    y, sr = librosa.load(os.path.join(DATA, rel), sr=None, mono=True)
    start = int(round(start_s * sr))
    stop = start + int(round(seconds * sr))
    x = y[start:stop]
    manifest["clips"].append({"key": key, "path": rel, "sr": int(sr), "total_frames": int(len(y)),
                              "start": start, "stop": stop})
    arrays = {
        "samples_head": x[:64],
        "stft_2048": np.abs(librosa.stft(x, n_fft=2048, hop_length=512)),
    }
    if key == "country":
        arrays["stft_alt"] = np.abs(librosa.stft(x, n_fft=1024, hop_length=256, win_length=512, window="hamming",
                                                 pad_mode="reflect"))
    mel = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=2048, hop_length=512, n_mels=128)
    arrays["mel"] = mel
    arrays["logmel"] = librosa.power_to_db(mel, ref=np.max)
    arrays["mfcc"] = librosa.feature.mfcc(y=x, sr=sr, n_mfcc=20)
    arrays["chroma"] = librosa.feature.chroma_stft(y=x, sr=sr, tuning=0.0)
    for name, a in arrays.items():
        manifest["arrays"][f"{key}_{name}"] = save(f"{key}_{name}", a)

manifest["arrays"]["fb_mel_slaney"] = save("fb_mel_slaney", librosa.filters.mel(sr=22050, n_fft=512, n_mels=40))
manifest["arrays"]["fb_mel_htk"] = save("fb_mel_htk", librosa.filters.mel(
    sr=22050, n_fft=512, n_mels=40, fmin=30.0, fmax=8000.0, htk=True, norm=None))
manifest["arrays"]["fb_chroma"] = save("fb_chroma", librosa.filters.chroma(sr=22050, n_fft=2048))
for name, n in [("hann", 2048), ("hamming", 1024), ("blackman", 512)]:
    manifest["arrays"][f"window_{name}"] = save(f"window_{name}", scipy.signal.get_window(name, n, fftbins=True))

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
    f.write("\n")
total = sum(os.path.getsize(os.path.join(OUT, p)) for p in os.listdir(OUT))
print(f"wrote {len(os.listdir(OUT))} files, {total / 1024:.0f} KB, to {os.path.normpath(OUT)}")
