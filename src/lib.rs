//! # ftpflow
//!
//! Turns packet captures into an explanation of every FTP session in them.
//!
//! The pipeline has one module per stage and narrow hand-offs:
//!
//! ```text
//! capture ──RawFrame{number, ts, link, bytes}──▶ decode ──Segment──▶ tcp
//! tcp ──open / in-order bytes and gaps / closed(ConnRecord)──▶ tracker
//! tracker: session (ftp parsers: lines, commands, replies, announced endpoints)
//!          + expect (register on PORT/EPRT/LPRT and 227/228/229, claim on the data SYN)
//! tracker ──▶ model (serde types: Report, Session, CommandRecord, Transfer, Finding)
//! model ──▶ report: timeline | table | json | jsonl   (one model, many renderers)
//! ```
//!
//! [`analyze::Analyzer`] drives the stages; [`cli`] turns command-line arguments into a
//! configuration and an exit code. Capture bytes never panic anything: malformed frames are
//! counted by layer, protocol oddities become [`model::Finding`]s, and every buffer and table
//! is bounded with what a bound dropped counted and reported.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod advice;
pub mod analyze;
pub mod capture;
pub mod cli;
pub mod content;
pub mod decode;
pub mod endpoint;
pub mod ftp;
pub mod lang;
pub mod link;
pub mod model;
pub mod report;
pub mod stats;
pub mod tcp;
#[cfg(test)]
mod test_support;
pub mod time;
