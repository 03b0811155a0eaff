//! # ftpflow
//!
//! Turns packet captures into an explanation of every FTP session in them.
//!
//! The pipeline has one module per stage and narrow hand-offs:
//!
//! ```text
//! capture ──RawFrame{number, ts, link, bytes}──▶ decode ──Segment──▶ tcp
//! tcp ──FlowEvent{handshake step, in-order bytes, gap, close step, reset}──▶ tracker
//! tracker: ftp parsers (lines, commands, replies, announced endpoints) + expectation table
//!          (register on PORT/EPRT/LPRT and 227/228/229, claim on the data connection's SYN)
//! tracker ──▶ model (serde types: Report, Session, Command, Transfer, Connection, Finding)
//! model ──▶ report: timeline | table | json | jsonl   (one model, many renderers)
//! ```
//!
//! Capture bytes never panic anything: malformed frames are counted by layer, protocol
//! oddities become [`model::Finding`]s, and every buffer and table is bounded with what a
//! bound dropped counted and reported.

pub mod capture;
pub mod decode;
pub mod endpoint;
pub mod ftp;
pub mod time;
