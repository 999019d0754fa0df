#!/usr/bin/env python3
"""noisereduce 3.0.3's scores on noisy versions of real recordings, for technob's denoising test
(crates/technob/tests/decompose_denoise.rs), and the shared evaluation recipe (bench/compare_denoise.py
imports this file).

    ~/.cache/technob-peers/bin/python tools/make_denoise_goldens.py

Conditions: 3 clean recordings from ../shared/data (below) x {white, pink} noise x {0, 5, 10} dB SNR.
The noise is made the same way in Rust (the test) and here, so no audio is stored:
  * SplitMix64 seeded with `seed(clip, kind, snr)`; each draw `(z >> 11) * 2^-53` is a uniform in
    [0, 1); Gaussians by Box-Muller (`sqrt(-2 ln(1 - u1)) * cos(2 pi u2)`, one per pair), channel
    after channel;
  * pink: that white noise through Julius O. Smith's 1/f approximation (3 poles, 3 zeros:
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786],
    a = [1, -2.494956002, 2.017265875, -0.522189400]), zero initial state, per channel;
  * scaled (all channels together) so that 10 log10(sum clean^2 / sum noise^2) = SNR; noisy =
    clean + noise, in float64, then float32.
Scores (all channels together):
  * SI-SDR (Le Roux et al. 2019) of the output against the clean recording, minus that of the
    noisy input: the improvement, dB;
  * gain flicker, a musical-noise proxy: STFT (n_fft 1024, hop 256, Hann, centred) of the noisy
    input X and of the output Y; in the noise-only cells (frames where the clean signal's energy
    is at least 20 dB below the added noise's, bins 1 .. n_fft/2 - 1), the effective gain
    20 log10(|Y| / |X|) clipped to [-40, 0] dB; its standard deviation over time, averaged over
    bins. 0 dB: the noise is attenuated evenly; large: bins flicker on and off (musical noise).
    None when fewer than 10 frames are noise-only.
Peers: noisereduce.reduce_noise(y, sr, stationary=True) (noise statistics from the whole noisy
signal, its default without y_noise) and stationary=False (its default), other arguments default;
stereo as (channels, samples).
"""
import json
import os
import sys

import numpy as np
import soundfile as sf

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "decompose", "denoise_noisereduce.json")

# (name, path under ../shared/data, seconds kept from the start)
CLIPS = [
    ("vocal", "mirdata/vocadito/Audio/vocadito_1.wav", 12.0),
    ("sax", "essentia-audio/recorded/359628__mtg__sax-tenor-d-minor.wav", 7.0),
    ("drums", "mirdata/jtd/processed/barronk-allgodschildren-drummondrrileyb-1990-8b77c067_drums.wav", 5.0),
]
KINDS = ["white", "pink"]
SNRS = [0, 5, 10]
PINK_B = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
PINK_A = [1.0, -2.494956002, 2.017265875, -0.522189400]
MASK = (1 << 64) - 1


def seed(clip_index, kind, snr):
    return 0x7EC4_0B00 + 1000 * clip_index + 100 * KINDS.index(kind) + snr


def splitmix(state):
    """Uniforms in [0, 1) from SplitMix64 (Steele, Lea & Flood 2014)."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        yield (z >> 11) * (1.0 / (1 << 53))


def gaussian(rng, n):
    u = np.fromiter(rng, dtype=np.float64, count=2 * n).reshape(n, 2)
    return np.sqrt(-2.0 * np.log(1.0 - u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])


def make_noise(n_channels, n, kind, s):
    from scipy.signal import lfilter
    rng = splitmix(s)
    out = np.empty((n_channels, n))
    for c in range(n_channels):
        w = gaussian(rng, n)
        out[c] = lfilter(PINK_B, PINK_A, w) if kind == "pink" else w
    return out


def load_clip(path, seconds):
    y, sr = sf.read(os.path.join(DATA, path), dtype="float32", always_2d=True)
    return y[: int(round(seconds * sr))].T.copy(), sr


def mix(clean, kind, snr, s):
    """noisy (float32) and the added noise (float64) for one condition."""
    noise = make_noise(clean.shape[0], clean.shape[1], kind, s)
    c = clean.astype(np.float64)
    noise *= np.sqrt(np.sum(c ** 2) / np.sum(noise ** 2) / 10.0 ** (snr / 10.0))
    return (c + noise).astype(np.float32), noise


def si_sdr(est, ref):
    est = np.asarray(est, dtype=np.float64).ravel()
    ref = np.asarray(ref, dtype=np.float64).ravel()
    alpha = np.dot(est, ref) / np.dot(ref, ref)
    target = alpha * ref
    return 10.0 * np.log10(np.sum(target ** 2) / np.sum((est - target) ** 2))


def _stft_power(x):
    import librosa
    return np.abs(librosa.stft(np.asarray(x, dtype=np.float64), n_fft=1024, hop_length=256)) ** 2


def gain_flicker(noisy, out, clean, noise):
    """Musical-noise proxy (see the module doc): dB, or None without enough noise-only frames."""
    pc = sum(_stft_power(ch).sum(axis=0) for ch in clean)
    pn = sum(_stft_power(ch).sum(axis=0) for ch in noise)
    frames = pc * 100.0 <= pn
    if frames.sum() < 10:
        return None
    px = sum(_stft_power(ch) for ch in noisy)[1:-1, frames]
    py = sum(_stft_power(ch) for ch in out)[1:-1, frames]
    g = 10.0 * np.log10(np.maximum(py, 1e-30) / np.maximum(px, 1e-30))
    g = np.clip(g, -40.0, 0.0)
    return float(np.mean(np.std(g, axis=1)))


def conditions():
    for ci, (name, path, seconds) in enumerate(CLIPS):
        clean, sr = load_clip(path, seconds)
        for kind in KINDS:
            for snr in SNRS:
                s = seed(ci, kind, snr)
                noisy, noise = mix(clean, kind, snr, s)
                yield dict(clip=name, path=path, seconds=seconds, kind=kind, snr=snr, seed=s, sr=sr,
                           clean=clean, noisy=noisy, noise=noise)


def score(cond, out):
    out = np.asarray(out, dtype=np.float64).reshape(cond["clean"].shape)
    return {
        "si_sdr_improvement": float(si_sdr(out, cond["clean"]) - si_sdr(cond["noisy"], cond["clean"])),
        "flicker_db": gain_flicker(cond["noisy"], out, cond["clean"], cond["noise"]),
    }


def noisereduce_outputs(cond):
    import noisereduce as nr
    y = cond["noisy"][0] if cond["noisy"].shape[0] == 1 else cond["noisy"]
    return {
        "stationary": nr.reduce_noise(y=y, sr=cond["sr"], stationary=True),
        "nonstationary": nr.reduce_noise(y=y, sr=cond["sr"], stationary=False),
    }


def main():
    from importlib.metadata import version
    out = {"generated_by": "tools/make_denoise_goldens.py", "noisereduce": version("noisereduce"),
           "clips": [{"name": n, "path": p, "seconds": s} for n, p, s in CLIPS], "conditions": []}
    for cond in conditions():
        entry = {k: cond[k] for k in ("clip", "kind", "snr", "seed")}
        entry["noise_head"] = [float(v) for v in cond["noise"][0, :4]]
        entry["noisy_si_sdr"] = float(si_sdr(cond["noisy"], cond["clean"]))
        for name, y in noisereduce_outputs(cond).items():
            entry[name] = {k: (None if v is None else round(v, 4)) for k, v in score(cond, y).items()}
        print(entry["clip"], entry["kind"], entry["snr"], entry["stationary"], entry["nonstationary"],
              file=sys.stderr)
        out["conditions"].append(entry)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
