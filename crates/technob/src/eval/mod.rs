//! Evaluation metrics, ported from mir_eval (Raffel et al. 2014) and checked against its own
//! expected outputs.
//!
//! - [`beat`]: beat tracking metrics (`mir_eval.beat`) and the downbeat F-measure;
//! - [`tempo`]: tempo metrics (`mir_eval.tempo.detection`, Accuracy 1 and 2);
//! - [`key`]: the MIREX key score (`mir_eval.key`), key labels, the key evaluation set;
//! - [`transcription`]: note transcription metrics (`mir_eval.transcription`), note loaders;
//! - [`melody`]: melody (single-f0) metrics (`mir_eval.melody`) and the f0 annotation loader;
//! - [`segment`]: structural segmentation metrics (`mir_eval.segment`) and the `.lab` loader;
//! - [`separation`]: BSS Eval v4 source separation metrics (museval: SDR, ISR, SIR, SAR);
//! - [`spectral_distance`]: log-spectral distance and spectral convergence (time-stretch quality);
//! - [`annotations`]: loaders for beat, downbeat and tempo annotation files;
//! - [`dataset`]: the rhythm evaluation set of `../shared/data` and the bundled demo.
//!
//! ```
//! use technob::eval::beat::evaluate_beats;
//!
//! let reference: Vec<f64> = (0..40).map(|i| 5.0 + 0.5 * i as f64).collect();
//! let estimated: Vec<f64> = reference.iter().map(|t| t + 0.02).collect();
//! let scores = evaluate_beats(&reference, &estimated)?;
//! assert_eq!(scores.f_measure, 1.0);
//! # Ok::<(), technob::Error>(())
//! ```

pub mod annotations;
pub mod beat;
pub mod dataset;
pub mod key;
pub mod melody;
pub mod segment;
pub mod separation;
pub mod spectral_distance;
pub mod tempo;
pub mod transcription;
