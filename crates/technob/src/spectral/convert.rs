//! Decibel conversions (librosa's `power_to_db`, `amplitude_to_db`, `db_to_power`).

use super::stft::Spectrogram;

/// Reference of a dB conversion: 0 dB is this value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DbRef {
    /// A fixed reference (librosa's default `ref=1.0`).
    Value(f32),
    /// The spectrogram's maximum (librosa `ref=np.max`).
    Max,
}

/// `10 · log10(max(amin, S) / max(amin, ref))`, then clipped to `top_db` below the peak
/// (librosa defaults: `ref = 1.0`, `amin = 1e-10`, `top_db = Some(80)`).
pub fn power_to_db(power: &Spectrogram, reference: DbRef, amin: f32, top_db: Option<f32>) -> Spectrogram {
    let amin = amin.max(f32::MIN_POSITIVE);
    let ref_value = match reference {
        DbRef::Value(v) => v.abs(),
        DbRef::Max => power.max(),
    };
    let offset = 10.0 * ref_value.max(amin).log10();
    let mut db = power.map(|p| 10.0 * p.max(amin).log10() - offset);
    if let Some(top) = top_db {
        let floor = db.as_slice().iter().copied().fold(f32::NEG_INFINITY, f32::max) - top.abs();
        db.as_mut_slice().iter_mut().for_each(|v| *v = v.max(floor));
    }
    db
}

/// `20 · log10(max(amin, S) / max(amin, ref))` with `top_db` clipping (librosa defaults:
/// `ref = 1.0`, `amin = 1e-5`, `top_db = Some(80)`).
pub fn amplitude_to_db(
    amplitude: &Spectrogram,
    reference: DbRef,
    amin: f32,
    top_db: Option<f32>,
) -> Spectrogram {
    let ref_value = match reference {
        DbRef::Value(v) => v.abs(),
        DbRef::Max => amplitude.max(),
    };
    power_to_db(&amplitude.map(|a| a * a), DbRef::Value(ref_value * ref_value), amin * amin, top_db)
}

/// `reference · 10^(dB / 10)`.
pub fn db_to_power(db: &Spectrogram, reference: f32) -> Spectrogram {
    db.map(|d| reference * 10f32.powf(0.1 * d))
}

/// `reference · 10^(dB / 20)`.
pub fn db_to_amplitude(db: &Spectrogram, reference: f32) -> Spectrogram {
    db.map(|d| reference * 10f32.powf(0.05 * d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_round_trip_and_clipping() {
        let s = Spectrogram::from_frames(2, 2, vec![1.0, 0.1, 1e-12, 100.0]).unwrap();
        let db = power_to_db(&s, DbRef::Value(1.0), 1e-10, None);
        assert_eq!(db.as_slice(), &[0.0, -10.0, -100.0, 20.0]);
        let clipped = power_to_db(&s, DbRef::Max, 1e-10, Some(80.0));
        assert_eq!(clipped.as_slice(), &[-20.0, -30.0, -80.0, 0.0]);
        let back = db_to_power(&db, 1.0);
        assert!((back.get(1, 0) - 0.1).abs() < 1e-7);
        let a = amplitude_to_db(
            &Spectrogram::from_frames(1, 1, vec![0.1]).unwrap(),
            DbRef::Value(1.0),
            1e-5,
            None,
        );
        assert!((a.get(0, 0) + 20.0).abs() < 1e-5);
        assert!((db_to_amplitude(&a, 1.0).get(0, 0) - 0.1).abs() < 1e-7);
    }
}
