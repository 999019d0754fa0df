//! Spectral core (being written).
