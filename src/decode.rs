//! Frame decoding (work in progress).
