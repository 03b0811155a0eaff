//! # ftpflow-synth
//!
//! A deterministic generator of FTP packet captures with ground truth. A script drives
//! FTP sessions ([`ftp::FtpSession`]) over a TCP model ([`tcp::TcpConn`]) in a simulated
//! world ([`net::Net`]: clock, seeded PRNG, sink, truth). Packets stream to a
//! [`sink::PacketSink`] (an in-memory [`sink::Trace`], or a pcap/pcapng writer, gzip or not)
//! while the [`truth::Truth`] is recorded in ftpflow's JSON vocabulary.
//!
//! ```text
//! script ──▶ FtpSession ──▶ TcpConn ──▶ frame (Ethernet/IP/TCP bytes) ──▶ Net ──▶ PacketSink
//!                 └───────────── truth records ───────────────────────────▶ Truth
//! several scripts ──▶ sched::Scheduler (merge by timestamp) ──▶ PacketSink
//! Trace + Truth ──▶ impair (reorder, loss, duplicates, ...) ──▶ Trace + adjusted Truth
//! ```
//!
//! Same inputs, same bytes: nothing reads the clock or the OS's randomness.
//!
//! Where to look: [`samples`] (the committed article captures), [`scenario`] (random
//! captures for property tests, bulk captures for benchmarks, and hand-built captures aimed
//! at one analyzer behaviour each: capture loss, FTP on any port, odd peers), [`impair`]
//! (loss, reorder, duplicates, retransmissions, TSO, snaplen, capture windows, clock
//! jitter), [`sched`] (interleaved sessions), [`pcap`] / [`pcapng`] / [`capfile`] (writers).
//!
//! ```
//! use ftpflow_synth::prelude::*;
//!
//! let mut trace = Trace::new();
//! let mut net = Net::new(&mut trace, 1_700_000_000_000_000_000, 42);
//! let mut s = FtpSession::connect(&mut net, FtpConfig::new(
//!     "10.0.0.2:40000".parse().unwrap(), "10.0.0.1:21".parse().unwrap()));
//! s.reply(Reply::new(220, "ready"));
//! s.login("anonymous", "guest@");
//! let chan = s.pasv(50000);
//! s.transfer(Some(&chan), Xfer::new(Cmd::new("RETR", Some("a.bin")), Payload::pattern(5000, 1)));
//! s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
//! s.close(CloseStyle::FourWay, Who::Server);
//! let truth = net.finish();
//! assert_eq!(truth.sessions[0].transfers[0].bytes, Some(5000));
//! ```

pub mod capfile;
pub mod frame;
pub mod ftp;
pub mod impair;
pub mod link;
pub mod net;
pub mod packet;
pub mod pcap;
pub mod pcapng;
pub mod rng;
pub mod samples;
pub mod scenario;
pub mod sched;
pub mod sink;
pub mod tcp;
pub mod truth;

/// The names a script needs.
pub mod prelude {
    pub use crate::ftp::{
        Abort, Cmd, CtrlAcks, DataChannel, DataFail, FinalAt, FtpConfig, FtpSession, Reply, SynAt,
        Who, Xfer,
    };
    pub use crate::net::{Net, Timing, Vantage};
    pub use crate::packet::{Packet, Payload, Side};
    pub use crate::sink::{PacketSink, Trace};
    pub use crate::tcp::{AckPolicy, CloseStyle, Peer, TcpConn, Ts};
    pub use crate::truth::Truth;
}
