#!/usr/bin/env python3
"""Peer numbers for technob's pitch tracking and its mir_eval.melody port.

    /root/.cache/technob-peers/bin/python tools/make_pitch_goldens.py
    /root/.cache/technob-peers/bin/python tools/make_pitch_goldens.py --score-notes

`--score-notes` writes nothing: it runs technob's notes on vocadito_1 (the release build of
`examples/pitch_track.rs`, looked up in $CARGO_TARGET_DIR or target/; same pitch settings as
below, default note settings) and prints mir_eval.transcription's note precision/recall/F
(onset +-50 ms, pitch +-50 cents; without and with offsets) against both annotators, and the
annotators against each other. (Until technob has its own port of the transcription metrics.)

Writes two files under crates/technob/tests/golden/ (floats with Python's repr, so they
round-trip exactly):

* eval_melody.json -- extra cases for tests/eval_melody.rs, scored by the installed mir_eval
  (0.8.2, numpy 2.x): mir_eval's continuous-voicing cases (est_voicing, ref_reward), the
  regression pair ref00/est00 with reward00.txt and voicingest00.txt, and synthetic corners
  (inputs stored with each case, except the regression pair, which is read
  from ../shared/data; estimate shorter/longer than the reference, not starting at 0 s, on another hop, fractional
  voicing that must be linearly resampled). Each case stores its inputs and mir_eval's scores.

* tonal/pitch_peers.json -- librosa 0.11 `pyin` on the two clips with exact or human f0
  (MDB-stem-synth's resynthesised stem and vocadito_1), scored with
  `mir_eval.melody.evaluate` against the annotation's own voicing. The pitch settings are the
  ones tests/pitch_accuracy.rs uses for technob: the file's own rate (44.1 kHz), frame 2048,
  hop 256, fmin C2, fmax C7 (a generic singing range, the same for both clips). Unvoiced frames
  are passed to mir_eval as -f0 (librosa's `fill_na=None` keeps the HMM's pitch there), so raw
  pitch/chroma accuracy ignore the voicing decision as MIREX defines them; the scores with 0 Hz
  in unvoiced frames are stored too (`*_unvoiced_zero`).
"""
import json
import os
import time
import warnings

import numpy as np
import mir_eval

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GOLDEN = os.path.join(ROOT, "crates", "technob", "tests", "golden")
DATA = os.path.join(ROOT, "..", "shared", "data")
MELODY = os.path.join(DATA, "mir_eval", "tests", "data", "melody")

PITCH = dict(sr=44100, frame_length=2048, hop_length=256, fmin="C2", fmax="C7")
CLIPS = {
    "mdb_stem_synth_nightowl_08": (
        "mirdata/mdb_stem_synth/audio_stems/AClassicEducation_NightOwl_STEM_08.RESYN.wav",
        "mirdata/mdb_stem_synth/annotation_stems/AClassicEducation_NightOwl_STEM_08.RESYN.csv",
    ),
    "vocadito_1": (
        "mirdata/vocadito/Audio/vocadito_1.wav",
        "mirdata/vocadito/Annotations/F0/vocadito_1_f0.csv",
    ),
}


def scores(ref_t, ref_f, est_t, est_f, est_voicing=None, ref_reward=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = mir_eval.melody.evaluate(
            np.asarray(ref_t, float),
            np.asarray(ref_f, float),
            np.asarray(est_t, float),
            np.asarray(est_f, float),
            est_voicing=None if est_voicing is None else np.asarray(est_voicing, float),
            ref_reward=None if ref_reward is None else np.asarray(ref_reward, float),
        )
    return {k: float(v) for k, v in s.items()}


def melody_cases():
    cases = []

    def add(name, ref_t, ref_f, est_t, est_f, est_voicing=None, ref_reward=None):
        # Short decimals keep the file small; the scores are computed from the rounded inputs.
        ref_t, est_t = np.round(ref_t, 6), np.round(est_t, 6)
        ref_f, est_f = np.round(ref_f, 3), np.round(est_f, 3)
        est_voicing = None if est_voicing is None else np.round(est_voicing, 3)
        ref_reward = None if ref_reward is None else np.round(ref_reward, 3)
        case = dict(name=name, ref_time=list(map(float, ref_t)), ref_freq=list(map(float, ref_f)),
                    est_time=list(map(float, est_t)), est_freq=list(map(float, est_f)))
        if est_voicing is not None:
            case["est_voicing"] = list(map(float, est_voicing))
        if ref_reward is not None:
            case["ref_reward"] = list(map(float, ref_reward))
        case["scores"] = scores(ref_t, ref_f, est_t, est_f, est_voicing, ref_reward)
        cases.append(case)

    # mir_eval's test_continuous_voicing_metrics.
    ref_t = [0.0, 0.1, 0.2, 0.3]
    ref_f = [440.0, 0.0, 220.0, 220.0]
    est_f = [440.1, 330.0, 440.0, 330.0]
    for i, v in enumerate([[1, 0, 1, 1], [0, 1, 0, 0], [0.5] * 4, [0.8, 0.2, 0.8, 0.8], [0.2, 0.8, 0.2, 0.2]]):
        add(f"continuous_voicing_{i}", ref_t, ref_f, ref_t, est_f, est_voicing=v)
    rewards = [[0.5] * 4, [0.3] * 4, [0.0] * 4, [1, 0, 0, 0], [1, 0, 1, 0], [1, 0, 0.5, 0.5], [0.1, 0, 0.1, 0.8]]
    for i, r in enumerate(rewards):
        add(f"reward_{i}", ref_t, ref_f, ref_t, est_f, est_voicing=[1, 0, 1, 1], ref_reward=r)

    # The regression pair with mir_eval's reward and voicing files (test_to_cent_voicing).
    rt, rf = mir_eval.io.load_time_series(os.path.join(MELODY, "ref00.txt"))
    et, ef = mir_eval.io.load_time_series(os.path.join(MELODY, "est00.txt"))
    _, reward = mir_eval.io.load_time_series(os.path.join(MELODY, "reward00.txt"))
    _, voicing = mir_eval.io.load_time_series(os.path.join(MELODY, "voicingest00.txt"))
    cases.append(dict(name="ref00_reward00_voicingest00",
                      files=dict(ref="ref00.txt", est="est00.txt", ref_reward="reward00.txt",
                                 est_voicing="voicingest00.txt"),
                      scores=scores(rt, rf, et, ef, est_voicing=voicing, ref_reward=reward)))

    # Synthetic corners on a 10 ms reference.
    rng = np.random.default_rng(20260204)
    n = 200
    ref_t = np.arange(n) * 0.01
    ref_f = np.where((np.arange(n) // 50) % 3 == 0, 0.0, 220.0 * 2 ** (np.sin(np.arange(n) / 30.0) / 2))
    noisy = ref_f * 2 ** (rng.normal(0, 0.04, n))
    est_f = np.where(rng.random(n) < 0.1, -noisy, noisy)
    est_f = np.where(ref_f == 0, np.where(rng.random(n) < 0.2, 180.0, 0.0), est_f)
    add("same_hop", ref_t, ref_f, ref_t, est_f)
    add("estimate_shorter", ref_t, ref_f, ref_t[:150], est_f[:150])
    add("estimate_longer", ref_t[:150], ref_f[:150], ref_t, est_f)
    add("estimate_starts_late", ref_t, ref_f, ref_t[30:], est_f[30:])
    est_t2 = np.arange(0, 2.0, 0.0058)
    est_f2 = np.interp(est_t2, ref_t, np.abs(est_f)) * np.sign(np.interp(est_t2, ref_t, est_f))
    est_f2[np.interp(est_t2, ref_t, ref_f) == 0] = 0.0
    add("other_hop", ref_t, ref_f, est_t2, est_f2)
    conf = rng.random(len(est_t2))
    add("other_hop_fractional_voicing", ref_t, ref_f, est_t2, np.abs(est_f2), est_voicing=conf)
    add("other_hop_fractional_voicing_reward", ref_t, ref_f, est_t2, np.abs(est_f2), est_voicing=conf,
        ref_reward=rng.random(n))
    add("octave_errors", ref_t, ref_f, ref_t, np.where(np.arange(n) % 4 == 0, 2 * ref_f, ref_f))
    add("all_unvoiced_reference", ref_t, np.zeros(n), ref_t, est_f)
    return cases


def pitch_peers():
    import librosa

    fmin = librosa.note_to_hz(PITCH["fmin"])
    fmax = librosa.note_to_hz(PITCH["fmax"])
    out = dict(settings=dict(PITCH, fmin_hz=float(fmin), fmax_hz=float(fmax), librosa=librosa.__version__,
                             mir_eval=mir_eval.__version__), clips={})
    for name, (wav, ann) in CLIPS.items():
        y, sr = librosa.load(os.path.join(DATA, wav), sr=PITCH["sr"], mono=True)
        ref_t, ref_f = mir_eval.io.load_time_series(os.path.join(DATA, ann), delimiter=",")
        t0 = time.perf_counter()
        f0, voiced, _ = librosa.pyin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=PITCH["frame_length"],
                                     hop_length=PITCH["hop_length"], fill_na=None)
        elapsed = time.perf_counter() - t0
        times = librosa.times_like(f0, sr=sr, hop_length=PITCH["hop_length"])
        s = scores(ref_t, ref_f, times, np.where(voiced, f0, -f0))
        s0 = scores(ref_t, ref_f, times, np.where(voiced, f0, 0.0))
        out["clips"][name] = dict(audio=wav, annotation=ann, n_frames=int(len(f0)),
                                  librosa_pyin=s, librosa_pyin_unvoiced_zero=s0)
        print(name, {k: round(v, 4) for k, v in s.items()}, f"{elapsed:.1f} s")
    return out


def write(path, obj, compact=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if compact:  # one case per line
            f.write('{"mir_eval": %s, "cases": [\n' % json.dumps(obj["mir_eval"]))
            f.write(",\n".join(json.dumps(c) for c in obj["cases"]))
            f.write("\n]}\n")
        else:
            json.dump(obj, f, indent=1)
            f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def score_notes():
    import subprocess
    import sys
    import tempfile

    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    binary = os.path.join(target, "release", "examples", "pitch_track")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: cargo build --release -p technob --example pitch_track")
    wav = os.path.join(DATA, "mirdata/vocadito/Audio/vocadito_1.wav")

    def load_ref(annotator):
        ref = np.loadtxt(os.path.join(DATA, f"mirdata/vocadito/Annotations/Notes/vocadito_1_notes{annotator}.csv"),
                         delimiter=",", ndmin=2)
        return np.stack([ref[:, 0], ref[:, 0] + ref[:, 2]], 1), ref[:, 1]

    def prf(ref, est):
        (ri, rp), (ei, ep) = ref, est
        on = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep, offset_ratio=None)[:3]
        off = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep)[:3]
        return "onset P/R/F %.3f/%.3f/%.3f   onset+offset P/R/F %.3f/%.3f/%.3f" % (on + off)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "notes.csv")
        subprocess.run([binary, wav, "--sr", str(PITCH["sr"]), "--frame", str(PITCH["frame_length"]),
                        "--hop", str(PITCH["hop_length"]), "--notes", out], check=True, capture_output=True)
        est = np.loadtxt(out, delimiter=",", usecols=(0, 1, 2), ndmin=2)
    ours = (est[:, :2], est[:, 2])
    a1, a2 = load_ref("A1"), load_ref("A2")
    print(f"technob: {len(est)} notes; A1 {len(a1[1])}, A2 {len(a2[1])} annotated")
    print("technob vs A1:", prf(a1, ours))
    print("technob vs A2:", prf(a2, ours))
    print("A2 vs A1:     ", prf(a1, a2))


if __name__ == "__main__":
    import sys

    if "--score-notes" in sys.argv[1:]:
        score_notes()
        sys.exit(0)
    write(os.path.join(GOLDEN, "eval_melody.json"), dict(mir_eval=mir_eval.__version__, cases=melody_cases()), compact=True)
    write(os.path.join(GOLDEN, "tonal", "pitch_peers.json"), pitch_peers())
