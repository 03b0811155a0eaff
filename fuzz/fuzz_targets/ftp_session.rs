//! FTP sessions from a script of what client and server say, through the whole analysis
//! after the capture reader (decoder, TCP table, tracker, session parsing, data
//! connection matching, an output format).
//!
//! Input layout: 8 bytes of options (see `ftpflow_fuzz::options`: format, small bounds),
//! then records `[ctl][len][len bytes]`. `ctl` bit 0: the server speaks (else the client);
//! bit 1: the segment is lost from the capture; bit 2: it is captured twice; bit 3: it
//! comes after the next one; bit 4: the bytes are a data connection instead, to the port
//! in their first two bytes (bit 0 then says whether the server connects, as in active
//! mode, and who sends); bit 5: the sender closes with FIN after it; bit 6: it resets the
//! connection instead. The first option byte's bit 7: the capture starts mid-session (no
//! handshake). Real conversations seed it (`seed.py`), one record per command or reply.
//!
//! Checked: nothing panics, JSON output parses, text output is UTF-8 and ends with a line.

#![no_main]

use ftpflow::analyze::Analyzer;
use ftpflow::capture::{LinkType, RawFrame};
use ftpflow::time::Timestamp;
use ftpflow_fuzz::{TcpPacket, check_output, ipv4_tcp, options, sink};
use libfuzzer_sys::fuzz_target;

const CLIENT: [u8; 4] = [192, 0, 2, 10];
const SERVER: [u8; 4] = [198, 51, 100, 20];
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;
const FIN: u8 = 0x01;
const RST: u8 = 0x04;

/// Builds the frames, in capture order.
struct Capture {
    frames: Vec<Vec<u8>>,
    /// A frame held back to come after the next one.
    held: Option<Vec<u8>>,
    ip_id: u16,
}

impl Capture {
    fn push(&mut self, mut p: TcpPacket<'_>, lost: bool, twice: bool, late: bool) {
        self.ip_id = self.ip_id.wrapping_add(1);
        p.ip_id = self.ip_id;
        if lost {
            return;
        }
        let frame = ipv4_tcp(&p);
        if twice {
            self.frames.push(frame.clone());
        }
        if late {
            if let Some(previous) = self.held.replace(frame) {
                self.frames.push(previous);
            }
            return;
        }
        self.frames.push(frame);
        if let Some(held) = self.held.take() {
            self.frames.push(held);
        }
    }
}

/// One TCP connection's sequence numbers: `seq[0]` the initiator's, `seq[1]` the other's.
struct Conn {
    ends: [([u8; 4], u16); 2],
    seq: [u32; 2],
}

impl Conn {
    fn packet<'a>(&self, from: usize, flags: u8, payload: &'a [u8]) -> TcpPacket<'a> {
        TcpPacket {
            src: self.ends[from].0,
            dst: self.ends[1 - from].0,
            sport: self.ends[from].1,
            dport: self.ends[1 - from].1,
            seq: self.seq[from],
            ack: self.seq[1 - from],
            flags,
            ip_id: 0,
            payload,
        }
    }

    fn handshake(&mut self, cap: &mut Capture) {
        cap.push(self.packet(0, SYN, &[]), false, false, false);
        self.seq[0] = self.seq[0].wrapping_add(1);
        cap.push(self.packet(1, SYN | ACK, &[]), false, false, false);
        self.seq[1] = self.seq[1].wrapping_add(1);
        cap.push(self.packet(0, ACK, &[]), false, false, false);
    }

    fn send(
        &mut self,
        cap: &mut Capture,
        from: usize,
        flags: u8,
        payload: &[u8],
        how: (bool, bool, bool),
    ) {
        cap.push(self.packet(from, flags, payload), how.0, how.1, how.2);
        self.seq[from] = self.seq[from].wrapping_add(payload.len() as u32);
        if flags & (FIN | SYN) != 0 {
            self.seq[from] = self.seq[from].wrapping_add(1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (opts, mut rest) = options(data);
    let midstream = data.first().is_some_and(|b| b & 0x80 != 0);
    let mut cap = Capture {
        frames: Vec::new(),
        held: None,
        ip_id: 0,
    };
    let mut control = Conn {
        ends: [(CLIENT, 50_100), (SERVER, 21)],
        seq: [1_000, 0xffff_ff00],
    };
    if !midstream {
        control.handshake(&mut cap);
    }
    let mut data_conns = 0u32;
    while let [ctl, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        let server = ctl & 1 != 0;
        let how = (ctl & 2 != 0, ctl & 4 != 0, ctl & 8 != 0);
        let close = if ctl & 0x40 != 0 {
            RST
        } else if ctl & 0x20 != 0 {
            FIN
        } else {
            0
        };
        if ctl & 0x10 == 0 {
            let from = usize::from(server);
            control.send(&mut cap, from, ACK | PSH | close, bytes, how);
            if close == FIN {
                // The peer acknowledges the FIN, as a stack does.
                control.send(&mut cap, 1 - from, ACK, &[], (false, false, false));
            }
            continue;
        }
        // A data connection: active mode (the server connects from port 20) or passive.
        let [hi, lo, payload @ ..] = bytes else {
            continue;
        };
        let port = u16::from_be_bytes([*hi, *lo]);
        data_conns += 1;
        let ends = if server {
            [(SERVER, 20), (CLIENT, port)]
        } else {
            [
                (CLIENT, 50_200u16.wrapping_add(data_conns as u16)),
                (SERVER, port),
            ]
        };
        let mut conn = Conn {
            ends,
            seq: [data_conns.wrapping_mul(7_919), 3_000_000_000],
        };
        conn.handshake(&mut cap);
        // The bytes go from the server in both modes unless bit 7 sends them the other way.
        let sender = usize::from(server == (ctl & 0x80 != 0));
        for piece in payload.chunks(97) {
            conn.send(&mut cap, sender, ACK | PSH, piece, how);
        }
        if close == RST {
            conn.send(&mut cap, sender, RST, &[], (false, false, false));
        } else {
            conn.send(&mut cap, sender, FIN | ACK, &[], (false, false, false));
            conn.send(&mut cap, 1 - sender, FIN | ACK, &[], (false, false, false));
            conn.send(&mut cap, sender, ACK, &[], (false, false, false));
        }
    }
    if let Some(held) = cap.held.take() {
        cap.frames.push(held);
    }

    let (sink, out) = sink(&opts);
    let mut analyzer = Analyzer::with_sink(opts.config.clone(), sink);
    analyzer.name_input("fuzz");
    for (i, frame) in cap.frames.iter().enumerate() {
        analyzer.frame(RawFrame {
            number: i as u64 + 1,
            ts: Timestamp(1_700_000_000_000_000_000 + i as i64 * 1_000_000),
            link: LinkType::Ipv4,
            data: frame,
            orig_len: frame.len() as u32,
        });
    }
    let report = analyzer.finish().expect("writing into memory cannot fail");
    assert_eq!(report.capture.packets, cap.frames.len() as u64);
    check_output(opts.format, &out.take());
});
