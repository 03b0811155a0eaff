//! Capture input (work in progress).
