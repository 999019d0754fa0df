#!/usr/bin/env python3
"""librosa's structural segmenters on technob's structure test set, scored by mir_eval, for the
test crates/technob/tests/structure_eval.rs (issue #8).

    ~/.cache/technob-peers/bin/python tools/make_segment_goldens.py [--keep DIR]

1. Builds the set with `cargo run --release -p technob --example segment_testset -- DIR`
   (items described in crates/technob/tests/common/segset.rs): <name>.wav (float),
   <name>.lab (truth: start end group) and <name>.roles.lab.
2. Runs two segmenters of librosa 0.11 on each item, loaded as librosa does by default
   (mono, 22050 Hz), beats from `librosa.beat.beat_track(trim=False)`:
   - "agglomerative": `librosa.segment.agglomerative` on beat-synchronous stacked features,
     20 MFCCs (beat means) over 12 CQT chroma (beat medians), each row standardised over time
     so both blocks count, with k = the TRUE number of segments (an oracle: generous to
     librosa). It gives boundaries only, so every segment gets its own label.
   - "laplacian": the Laplacian segmentation of McFee & Ellis, "Analyzing song structure with
     spectral clustering", ISMIR 2014, exactly as librosa's gallery example
     (docs/examples/plot_segmentation.py) builds it (beat-synchronous log CQT, 3 bins per
     semitone, 7 octaves, recurrence width 3 in affinity mode, time-lag median filter 7,
     MFCC path similarity, balanced combination, normalised Laplacian, eigenvectors median
     filtered over 9 beats), with k = the TRUE number of distinct groups (oracle again) and
     K-means seeded (random_state=0, n_init=10) for repeatable goldens. One correction in
     librosa's favour: the gallery maps a boundary at beat-synchronous column i to
     `beats[i]`, one beat late (column 0 is the stretch before the first beat); here column i
     starts at `fix_frames(beats, x_min=0)[i]`, as the gallery's own plots use.
3. Both estimates are cut to the truth's span [first truth start, last truth end]: estimated
   boundaries strictly inside it are kept, each interval takes the label of the estimated
   segment it starts in (the test does the same to technob's estimate). mir_eval 0.8's
   `segment.evaluate` scores them against the truth's groups.

Output: crates/technob/tests/golden/segment_librosa.json
  {"versions": {...}, "items": {name: {"n_frames", "sample_rate", "duration_s", "rms",
   "truth": {"intervals", "labels", "roles"}, "methods": {"agglomerative"|"laplacian":
   {"k", "intervals", "labels", "scores": mir_eval's dict}}}}}
"n_frames" and "rms" (of every sample of every channel of the float WAV) identify the audio, so
the test notices when the set no longer is what these numbers were computed on.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import librosa
import mir_eval
import numpy as np
import scipy
import scipy.ndimage
import scipy.sparse.csgraph
import sklearn
import sklearn.cluster
import soundfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "crates", "technob", "tests", "golden", "segment_librosa.json")
SR = 22050


def build_set(directory):
    subprocess.run(
        ["cargo", "run", "--release", "-p", "technob", "--example", "segment_testset", "--", directory],
        cwd=ROOT,
        check=True,
    )
    names = sorted(f[: -len(".wav")] for f in os.listdir(directory) if f.endswith(".wav"))
    if not names:
        sys.exit(f"no items written to {directory}")
    return names


def beat_columns(y, sr, n_frames):
    """Beat frames and the start frame of every beat-synchronous column util.sync makes."""
    _, beats = librosa.beat.beat_track(y=y, sr=sr, trim=False)
    starts = librosa.util.fix_frames(beats, x_min=0)
    starts = starts[starts < n_frames]
    return beats, starts


def standardised(x):
    mu = x.mean(axis=1, keepdims=True)
    sd = x.std(axis=1, keepdims=True)
    return (x - mu) / np.where(sd > 0, sd, 1.0)


def agglomerative(y, sr, k):
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    chroma = librosa.feature.chroma_cqt(y=y, sr=sr)
    n = min(mfcc.shape[1], chroma.shape[1])
    beats, starts = beat_columns(y, sr, n)
    msync = librosa.util.sync(mfcc[:, :n], beats)
    csync = librosa.util.sync(chroma[:, :n], beats, aggregate=np.median)
    x = np.vstack([standardised(msync), standardised(csync)])
    k = min(k, x.shape[1])
    bounds = librosa.segment.agglomerative(x, k)
    times = librosa.frames_to_time(starts[bounds], sr=sr)
    return list(times), [f"seg{i}" for i in range(len(times))]


def laplacian(y, sr, k):
    bins_per_octave = 12 * 3
    n_octaves = 7
    c = librosa.amplitude_to_db(
        np.abs(librosa.cqt(y=y, sr=sr, bins_per_octave=bins_per_octave, n_bins=n_octaves * bins_per_octave)),
        ref=np.max,
    )
    beats, starts = beat_columns(y, sr, c.shape[1])
    csync = librosa.util.sync(c, beats, aggregate=np.median)
    r = librosa.segment.recurrence_matrix(csync, width=3, mode="affinity", sym=True)
    df = librosa.segment.timelag_filter(scipy.ndimage.median_filter)
    rf = df(r, size=(1, 7))
    mfcc = librosa.feature.mfcc(y=y, sr=sr)
    msync = librosa.util.sync(mfcc, beats)
    path_distance = np.sum(np.diff(msync, axis=1) ** 2, axis=0)
    sigma = np.median(path_distance)
    path_sim = np.exp(-path_distance / sigma)
    r_path = np.diag(path_sim, k=1) + np.diag(path_sim, k=-1)
    deg_path = np.sum(r_path, axis=1)
    deg_rec = np.sum(rf, axis=1)
    mu = deg_path.dot(deg_path + deg_rec) / np.sum((deg_path + deg_rec) ** 2)
    a = mu * rf + (1 - mu) * r_path
    lap = scipy.sparse.csgraph.laplacian(a, normed=True)
    _, evecs = scipy.linalg.eigh(lap)
    evecs = scipy.ndimage.median_filter(evecs, size=(9, 1))
    cnorm = np.cumsum(evecs**2, axis=1) ** 0.5
    x = evecs[:, :k] / cnorm[:, k - 1 : k]
    seg_ids = sklearn.cluster.KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
    bound_beats = 1 + np.flatnonzero(seg_ids[:-1] != seg_ids[1:])
    bound_beats = librosa.util.fix_frames(bound_beats, x_min=0)
    times = librosa.frames_to_time(starts[bound_beats], sr=sr)
    return list(times), [f"c{seg_ids[i]}" for i in bound_beats]


def to_span(starts, labels, t0, t1):
    """Segments starting at `starts` (the first at 0) cut to [t0, t1]."""
    # The first segment opens the span whatever its start: only later starts are boundaries.
    inside = [t for t in starts[1:] if t0 < t < t1]
    edges = [t0] + inside + [t1]
    intervals, out_labels = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        j = max(i for i, s in enumerate(starts) if s <= a or i == 0)
        intervals.append([float(a), float(b)])
        out_labels.append(labels[j])
    return intervals, out_labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write the test set here (and keep it) instead of a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="technob-segset-") as tmp:
        directory = args.keep or tmp
        os.makedirs(directory, exist_ok=True)
        names = build_set(directory)
        doc = {
            "versions": {
                "librosa": librosa.__version__,
                "mir_eval": mir_eval.__version__,
                "scikit-learn": sklearn.__version__,
                "scipy": scipy.__version__,
                "numpy": np.__version__,
            },
            "items": {},
        }
        means = {}
        for name in names:
            wav = os.path.join(directory, name + ".wav")
            data, rate = soundfile.read(wav, dtype="float32", always_2d=True)
            rms = float(np.sqrt(np.mean(data.astype(np.float64) ** 2)))
            ref_int, ref_lab = mir_eval.io.load_labeled_intervals(os.path.join(directory, name + ".lab"))
            roles_path = os.path.join(directory, name + ".roles.lab")
            roles = None
            if os.path.exists(roles_path):
                _, roles = mir_eval.io.load_labeled_intervals(roles_path)
            t0, t1 = float(ref_int[0, 0]), float(ref_int[-1, 1])
            y, sr = librosa.load(wav, sr=SR)
            item = {
                "n_frames": int(data.shape[0]),
                "sample_rate": int(rate),
                "duration_s": data.shape[0] / rate,
                "rms": rms,
                "truth": {"intervals": ref_int.tolist(), "labels": list(ref_lab), "roles": roles},
                "methods": {},
            }
            k_segments, k_groups = len(ref_lab), len(set(ref_lab))
            for method, k in (("agglomerative", k_segments), ("laplacian", k_groups)):
                starts, labels = (agglomerative if method == "agglomerative" else laplacian)(y, sr, k)
                est_int, est_lab = to_span(starts, labels, t0, t1)
                scores = mir_eval.segment.evaluate(ref_int, ref_lab, np.array(est_int), est_lab)
                item["methods"][method] = {
                    "k": k,
                    "intervals": est_int,
                    "labels": est_lab,
                    "scores": {key: float(v) for key, v in scores.items()},
                }
                for key in ("F-measure@0.5", "F-measure@3.0", "Pairwise F-measure", "NCE F-measure"):
                    means.setdefault(method, {}).setdefault(key, []).append(float(scores[key]))
                print(
                    f"{name:<14} {method:<13} k={k:<2} F@0.5 {scores['F-measure@0.5']:.3f}  "
                    f"F@3 {scores['F-measure@3.0']:.3f}  pairwise F {scores['Pairwise F-measure']:.3f}  "
                    f"NCE F {scores['NCE F-measure']:.3f}",
                    flush=True,
                )
            doc["items"][name] = item
        for method, per in means.items():
            print(f"mean {method:<13} " + "  ".join(f"{k} {np.mean(v):.3f}" for k, v in per.items()))
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
