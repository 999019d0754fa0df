//! Meter and downbeats: a bar-pointer over the tracked beats (the beat-synchronous form of the
//! bar-pointer model, as in Krebs, Böck, Dorfer & Widmer, "Downbeat tracking using
//! beat-synchronous features and recurrent neural networks", ISMIR 2016), decoded with Viterbi.
//!
//! No trained model is available, so the observation of each bar position is a fixed template
//! over beat-synchronous cues that hold across styles: harmony changes at the bar line; the
//! kick and bass accent beat 1 (and 3 in 4/4); snares, claps and hi-hats accent the back beats
//! (2 and 4); and sections start on downbeats (long-window spectral change). The meter is the
//! one whose bar length the cues repeat at. `analyze_rhythm` uses the templates twice: here,
//! over the beats of a first pass, to choose the meter; then at every frame, in the joint
//! beat/bar decoding of [`super::tracker::decode_bars`].

/// Beat-synchronous cues, one value per beat, each standardised over the track.
#[derive(Clone, Debug, Default)]
pub struct BeatCues {
    /// Harmonic change at the beat: pitch-class profile of the previous beat vs the next.
    pub harmony: Vec<f64>,
    /// Harmonic/timbral change over two beats on each side (section and phrase starts).
    pub change: Vec<f64>,
    /// Low-band (kick, bass) onset strength at the beat.
    pub low: Vec<f64>,
    /// Mid+high-band (snare, clap, hat) onset strength at the beat, relative to the low band.
    pub back: Vec<f64>,
}

impl BeatCues {
    fn len(&self) -> usize {
        self.low.len()
    }
}

/// Standardise in place: zero mean, unit variance (all zeros when constant).
pub(crate) fn standardise(x: &mut [f64]) {
    let n = x.len().max(1) as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let sd = var.sqrt();
    for v in x.iter_mut() {
        *v = if sd > 1e-12 { (*v - mean) / sd } else { 0.0 };
    }
}

/// Template weight of each cue for bar position `k` (0-based) of a `meter`-beat bar:
/// `(harmony, change, low, back)`.
pub(crate) fn template(meter: u32, k: u32) -> [f64; 4] {
    match (meter, k) {
        (4, 0) => [1.0, 0.6, 0.5, -0.3],
        (4, 1) => [-0.3, -0.2, -0.5, 0.5],
        (4, 2) => [-0.2, -0.2, 0.5, -0.3],
        (4, 3) => [-0.5, -0.2, -0.5, 0.5],
        (3, 0) => [1.0, 0.6, 0.7, -0.3],
        (3, _) => [-0.5, -0.3, -0.35, 0.15],
        (2, 0) => [1.0, 0.6, 0.5, -0.3],
        (2, _) => [-1.0, -0.6, -0.5, 0.3],
        (_, 0) => [1.0, 0.6, 0.5, 0.0],
        _ => [-0.3, -0.2, -0.2, 0.0],
    }
}

/// Probability of keeping the bar structure from one beat to the next.
const KEEP_BAR: f64 = 0.9999;
/// Bonus (log) for the first beat being a downbeat: tracks mostly start on a bar line.
const START_ON_DOWNBEAT: f64 = 0.5;

fn observation(cues: &BeatCues, i: usize, meter: u32, k: u32) -> f64 {
    let w = template(meter, k);
    w[0] * cues.harmony[i] + w[1] * cues.change[i] + w[2] * cues.low[i] + w[3] * cues.back[i]
}

/// Bar position (0-based) of every beat for a given meter, and the path's score.
pub fn decode_positions(cues: &BeatCues, meter: u32) -> (Vec<u32>, f64) {
    let n = cues.len();
    let m = meter.max(1) as usize;
    if n == 0 {
        return (Vec::new(), 0.0);
    }
    let keep = KEEP_BAR.ln();
    let jump = if m > 1 { ((1.0 - KEEP_BAR) / (m - 1) as f64).ln() } else { f64::NEG_INFINITY };
    let mut delta: Vec<f64> = (0..m)
        .map(|k| observation(cues, 0, meter, k as u32) + if k == 0 { START_ON_DOWNBEAT } else { 0.0 })
        .collect();
    let mut back = vec![0u8; n * m];
    for i in 1..n {
        let mut next = vec![f64::NEG_INFINITY; m];
        for (k, nk) in next.iter_mut().enumerate() {
            let mut best = f64::NEG_INFINITY;
            let mut arg = 0;
            for (p, &dp) in delta.iter().enumerate() {
                let tr = if (p + 1) % m == k { keep } else { jump };
                if dp + tr > best {
                    best = dp + tr;
                    arg = p;
                }
            }
            *nk = best + observation(cues, i, meter, k as u32);
            back[i * m + k] = arg as u8;
        }
        delta = next;
    }
    let (mut k, score) =
        delta.iter().enumerate().fold((0, f64::NEG_INFINITY), |b, (k, &v)| if v > b.1 { (k, v) } else { b });
    let mut pos = vec![0u32; n];
    for i in (0..n).rev() {
        pos[i] = k as u32;
        if i > 0 {
            k = back[i * m + k] as usize;
        }
    }
    (pos, score)
}

/// How strongly the cues repeat with a period of `lag` beats (mean correlation over cues).
pub fn periodicity(cues: &BeatCues, lag: usize) -> f64 {
    let n = cues.len();
    if n <= lag + 2 {
        return 0.0;
    }
    let corr = |x: &[f64]| -> f64 {
        let a = &x[..n - lag];
        let b = &x[lag..];
        let ma = a.iter().sum::<f64>() / a.len() as f64;
        let mb = b.iter().sum::<f64>() / b.len() as f64;
        let mut sab = 0.0;
        let mut saa = 0.0;
        let mut sbb = 0.0;
        for (x, y) in a.iter().zip(b) {
            sab += (x - ma) * (y - mb);
            saa += (x - ma) * (x - ma);
            sbb += (y - mb) * (y - mb);
        }
        if saa > 1e-12 && sbb > 1e-12 { sab / (saa * sbb).sqrt() } else { 0.0 }
    };
    (corr(&cues.harmony) + corr(&cues.change) + corr(&cues.low) + corr(&cues.back)) / 4.0
}

/// Choose the meter among `meters` (4 unless another repeats clearly better) and decode
/// the bar positions (1-based) of every beat.
pub fn meter_and_positions(cues: &BeatCues, meters: &[u32]) -> (u32, Vec<u32>) {
    let mut best_meter = if meters.contains(&4) { 4 } else { meters.first().copied().unwrap_or(4) };
    if meters.len() > 1 {
        // Evidence for a meter: repetition at one and two bars.
        let evidence = |m: u32| -> f64 {
            let m = m as usize;
            periodicity(cues, m) + 0.5 * periodicity(cues, 2 * m)
        };
        let mut best = evidence(best_meter) + METER_MARGIN;
        for &m in meters {
            if m != best_meter && m >= 2 {
                let e = evidence(m);
                if e > best {
                    best = e;
                    best_meter = m;
                }
            }
        }
    }
    let (pos, _) = decode_positions(cues, best_meter);
    (best_meter, pos.into_iter().map(|k| k + 1).collect())
}

/// How much better another meter's repetition must be before it replaces 4/4.
const METER_MARGIN: f64 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;

    fn cues_with_period(n: usize, meter: usize, offset: usize) -> BeatCues {
        let mut c = BeatCues::default();
        for i in 0..n {
            let k = (i + meter - offset) % meter;
            c.harmony.push(if k == 0 { 1.0 } else { 0.1 });
            c.change.push(if k == 0 { 0.5 } else { 0.0 });
            c.low.push(if k == 0 || (meter == 4 && k == 2) { 1.0 } else { 0.2 });
            c.back.push(if meter == 4 && k % 2 == 1 { 1.0 } else { 0.0 });
        }
        standardise(&mut c.harmony);
        standardise(&mut c.change);
        standardise(&mut c.low);
        standardise(&mut c.back);
        c
    }

    #[test]
    fn finds_meter_and_phase() {
        for (meter, offset) in [(4, 0), (4, 1), (4, 3), (3, 0), (3, 2)] {
            let c = cues_with_period(48, meter, offset);
            let (m, pos) = meter_and_positions(&c, &[3, 4]);
            assert_eq!(m as usize, meter);
            assert_eq!(pos[offset], 1, "meter {meter} offset {offset}: {pos:?}");
        }
    }
}
