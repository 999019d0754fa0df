//! Beat-grid exports: CSV, Audacity labels, rekordbox XML, Traktor NML, JAMS.
