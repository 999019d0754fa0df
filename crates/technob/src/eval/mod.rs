//! Evaluation metrics, ported from mir_eval (Raffel et al. 2014) and checked against its own
//! expected outputs.
