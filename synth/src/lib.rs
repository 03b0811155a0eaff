//! Deterministic generator of FTP packet captures with ground truth (work in progress).
