//! The analysis document (being written).
