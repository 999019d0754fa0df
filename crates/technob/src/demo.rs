//! The bundled demo track (being written).
