//! Where generated packets go: an in-memory trace, a counter, or a capture-file writer.
//!
//! Scripts push packets one at a time, in timestamp order, so a writer can stream a
//! multi-GB capture straight to disk.

use crate::packet::Packet;
use std::io;

/// Receives packets in the order they are generated.
pub trait PacketSink {
    fn push(&mut self, p: Packet);
}

/// An in-memory trace (what samples, tests and impairments work on).
pub type Trace = Vec<Packet>;

impl PacketSink for Vec<Packet> {
    fn push(&mut self, p: Packet) {
        Vec::push(self, p);
    }
}

impl<S: PacketSink + ?Sized> PacketSink for &mut S {
    fn push(&mut self, p: Packet) {
        (**self).push(p);
    }
}

impl<S: PacketSink + ?Sized> PacketSink for Box<S> {
    fn push(&mut self, p: Packet) {
        (**self).push(p);
    }
}

/// Counts packets and frame bytes and drops them (sizing runs, benchmarks of the generator).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub packets: u64,
    pub bytes: u64,
}

impl PacketSink for Counter {
    fn push(&mut self, p: Packet) {
        self.packets += 1;
        self.bytes += p.data.len() as u64;
    }
}

/// A sink that ends in a file: I/O errors are kept by `push` and returned by `finish`.
pub trait CaptureWriter: PacketSink {
    /// Flushes everything (and ends the gzip stream, if any); the first I/O error, if any.
    fn finish(self: Box<Self>) -> io::Result<()>;
    /// Packets written so far.
    fn packets(&self) -> u64;
}
