//! Decibel conversions (`librosa.power_to_db`, `amplitude_to_db`, `db_to_power`,
//! `db_to_amplitude`), computed in `f32` as librosa does on `float32` input.

use super::spectrogram::Spectrogram;
use crate::{Result, ensure_param};

/// librosa's default floor for powers in [`power_to_db`] (−100 dB).
pub const POWER_AMIN: f32 = 1e-10;
/// librosa's default floor for amplitudes in [`amplitude_to_db`] (−100 dB).
pub const AMPLITUDE_AMIN: f32 = 1e-5;
/// librosa's default dynamic range kept below the maximum, in dB.
pub const TOP_DB: f32 = 80.0;

/// The reference that maps to 0 dB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DbRef {
    /// A fixed reference value (its absolute value is used; librosa's default is 1.0).
    Value(f32),
    /// The largest value of the input (librosa's `ref=np.max`).
    Max,
}

impl Default for DbRef {
    fn default() -> Self {
        DbRef::Value(1.0)
    }
}

/// Power to decibels (`librosa.power_to_db`): `10·log10(max(amin, S)) − 10·log10(max(amin, ref))`,
/// then, with `top_db`, values below `max − top_db` are raised to it. Output in dB.
///
/// Errors: `amin ≤ 0` (or not finite), `top_db < 0`.
pub fn power_to_db(s: &Spectrogram, reference: DbRef, amin: f32, top_db: Option<f32>) -> Result<Spectrogram> {
    let mut out = s.clone();
    power_to_db_in_place(&mut out, reference, amin, top_db)?;
    Ok(out)
}

/// [`power_to_db`] overwriting its input.
pub fn power_to_db_in_place(
    s: &mut Spectrogram,
    reference: DbRef,
    amin: f32,
    top_db: Option<f32>,
) -> Result<()> {
    ensure_param!(amin.is_finite() && amin > 0.0, "amin must be strictly positive, got {amin}");
    if let Some(top) = top_db {
        ensure_param!(!top.is_nan() && top >= 0.0, "top_db must be non-negative, got {top}");
    }
    let ref_value = match reference {
        DbRef::Value(v) => v.abs(),
        DbRef::Max => s.max(),
    };
    let offset = 10.0 * amin.max(ref_value).log10();
    s.map_in_place(|v| 10.0 * amin.max(v).log10() - offset);
    if let Some(top) = top_db {
        let floor = s.max() - top;
        s.map_in_place(|v| v.max(floor));
    }
    Ok(())
}

/// Amplitude to decibels (`librosa.amplitude_to_db`): [`power_to_db`] of `S²` with reference
/// `ref²` and floor `amin²` (librosa's default `amin` is [`AMPLITUDE_AMIN`]). Negative inputs
/// are taken as their absolute value.
///
/// Errors: `amin ≤ 0` (or not finite), `top_db < 0`.
pub fn amplitude_to_db(
    s: &Spectrogram,
    reference: DbRef,
    amin: f32,
    top_db: Option<f32>,
) -> Result<Spectrogram> {
    ensure_param!(amin.is_finite() && amin > 0.0, "amin must be strictly positive, got {amin}");
    let mut out = s.clone();
    out.map_in_place(f32::abs);
    let ref_value = match reference {
        DbRef::Value(v) => v.abs(),
        DbRef::Max => out.max(),
    };
    out.map_in_place(|v| v * v);
    power_to_db_in_place(&mut out, DbRef::Value(ref_value * ref_value), amin * amin, top_db)?;
    Ok(out)
}

/// Decibels to power (`librosa.db_to_power`): `ref · 10^(dB / 10)`.
pub fn db_to_power(s_db: &Spectrogram, reference: f32) -> Spectrogram {
    let mut out = s_db.clone();
    out.map_in_place(|v| reference * 10f32.powf(0.1 * v));
    out
}

/// Decibels to amplitude (`librosa.db_to_amplitude`): `ref · 10^(dB / 20)`.
pub fn db_to_amplitude(s_db: &Spectrogram, reference: f32) -> Spectrogram {
    let mut out = s_db.clone();
    out.map_in_place(|v| (reference * reference * 10f32.powf(0.1 * v)).sqrt());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: &[f32]) -> Spectrogram {
        Spectrogram::new(v.len(), 1, v.to_vec()).unwrap()
    }

    #[test]
    fn power_db_values() {
        let s = spec(&[1.0, 10.0, 100.0, 0.0, 1e-12]);
        let db = power_to_db(&s, DbRef::Value(1.0), POWER_AMIN, None).unwrap();
        let want = [0.0, 10.0, 20.0, -100.0, -100.0];
        for (a, b) in db.as_slice().iter().zip(want) {
            assert!((a - b).abs() < 1e-5, "{:?}", db.as_slice());
        }
        let top = power_to_db(&s, DbRef::Max, POWER_AMIN, Some(80.0)).unwrap();
        let want = [-20.0, -10.0, 0.0, -80.0, -80.0];
        for (a, b) in top.as_slice().iter().zip(want) {
            assert!((a - b).abs() < 1e-5, "{:?}", top.as_slice());
        }
        let back = db_to_power(&db, 1.0);
        assert!((back.get(2, 0) - 100.0).abs() < 1e-3);
    }

    #[test]
    fn amplitude_db_values() {
        let s = spec(&[1.0, -10.0, 0.1]);
        let db = amplitude_to_db(&s, DbRef::Max, AMPLITUDE_AMIN, Some(TOP_DB)).unwrap();
        let want = [-20.0, 0.0, -40.0];
        for (a, b) in db.as_slice().iter().zip(want) {
            assert!((a - b).abs() < 1e-4, "{:?}", db.as_slice());
        }
        let back = db_to_amplitude(&db, 10.0);
        assert!((back.get(2, 0) - 0.1).abs() < 1e-5);
    }

    #[test]
    fn bad_parameters() {
        let s = spec(&[1.0]);
        assert!(power_to_db(&s, DbRef::Max, 0.0, None).is_err());
        assert!(power_to_db(&s, DbRef::Max, 1e-10, Some(-1.0)).is_err());
        assert!(amplitude_to_db(&s, DbRef::Max, -1.0, None).is_err());
    }
}
