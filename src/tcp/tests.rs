//! Scripted-segment tests of the TCP state machine.

use super::*;
use crate::decode::{Segment, TcpFlags};

const SYN: u8 = TcpFlags::SYN;
const ACK: u8 = TcpFlags::ACK;
const FIN: u8 = TcpFlags::FIN;
const RST: u8 = TcpFlags::RST;
const PSH: u8 = TcpFlags::PSH;

fn ep(s: &str) -> Endpoint {
    let (ip, port) = s.rsplit_once(':').unwrap();
    Endpoint::new(ip.parse().unwrap(), port.parse().unwrap())
}

/// Records everything the table tells its handler.
#[derive(Default)]
struct Recorder {
    opened: Vec<ConnInfo>,
    content: bool,
    streams: [Vec<u8>; 2],
    /// Each delivered piece with the frame that dates it.
    dated: Vec<(u64, String)>,
    gaps: [u64; 2],
    ends: [u32; 2],
    closed: Vec<ConnRecord>,
}

impl FlowHandler for Recorder {
    fn open(&mut self, info: &ConnInfo) -> Interest {
        self.opened.push(*info);
        Interest {
            token: self.opened.len() as u32 - 1,
            content: self.content,
            sniff: false,
            tap: false,
        }
    }
    fn stream(&mut self, _token: u32, side: Side, event: StreamEvent<'_>, _stamp: Stamp) {
        let i = side.idx();
        match event {
            StreamEvent::Bytes(b) => {
                self.streams[i].extend_from_slice(b);
                self.dated
                    .push((_stamp.frame, String::from_utf8_lossy(b).into_owned()));
            }
            StreamEvent::Gap(n) => {
                self.gaps[i] += n;
                self.streams[i].extend_from_slice(format!("<{n}>").as_bytes());
                self.dated.push((_stamp.frame, format!("<{n}>")));
            }
            StreamEvent::End { .. } => self.ends[i] += 1,
        }
    }
    fn closed(&mut self, _token: u32, record: ConnRecord) {
        self.closed.push(record);
    }
}

/// A tiny script: each packet is (from client?, flags, seq, ack, payload).
struct Script {
    client: Endpoint,
    server: Endpoint,
    frame: u64,
    table: TcpTable,
    rec: Recorder,
}

impl Script {
    fn new(content: bool) -> Script {
        Script::with(content, TcpConfig::default())
    }
    fn with(content: bool, cfg: TcpConfig) -> Script {
        Script {
            client: ep("192.168.120.168:1065"),
            server: ep("192.168.120.240:21"),
            frame: 0,
            table: TcpTable::new(cfg),
            rec: Recorder {
                content,
                ..Recorder::default()
            },
        }
    }
    fn send(&mut self, from_client: bool, flags: u8, seq: u32, ack: u32, payload: &[u8]) {
        self.send_wire(from_client, flags, seq, ack, payload, payload.len() as u32);
    }
    fn send_wire(
        &mut self,
        from_client: bool,
        flags: u8,
        seq: u32,
        ack: u32,
        payload: &[u8],
        wire_len: u32,
    ) {
        self.frame += 1;
        let (src, dst) = if from_client {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        };
        // Each packet sent anew, as a host does (a capture's copy would repeat its IP id).
        let mut seg = crate::test_support::segment(
            self.frame,
            Timestamp(self.frame as i64 * 1_000_000),
            src,
            dst,
            seq,
            ack,
            flags,
            payload,
        );
        seg.wire_len = wire_len;
        seg.checksum = 0;
        self.table.process(&seg, &mut self.rec);
    }
    fn finish(mut self) -> Recorder {
        self.table.finish_all(&mut self.rec);
        self.rec
    }
}

const C: bool = true;
const S: bool = false;

/// Handshake with client ISN 1000 and server ISN 5000.
fn handshake(s: &mut Script) {
    s.send(C, SYN, 1000, 0, b"");
    s.send(S, SYN | ACK, 5000, 1001, b"");
    s.send(C, ACK, 1001, 5001, b"");
}

#[test]
fn handshake_data_and_four_way_close_as_in_the_articles() {
    let mut s = Script::new(true);
    handshake(&mut s);
    s.send(S, PSH | ACK, 5001, 1001, b"220 (vsFTPd 2.0.5)\r\n");
    s.send(C, ACK, 1001, 5021, b"");
    s.send(C, PSH | ACK, 1001, 5021, b"QUIT\r\n");
    s.send(S, PSH | ACK, 5021, 1007, b"221 Goodbye.\r\n");
    // Server closes first (steps 29-32 of seed 001).
    s.send(S, FIN | ACK, 5035, 1007, b"");
    s.send(C, ACK, 1007, 5036, b"");
    s.send(C, FIN | ACK, 1007, 5036, b"");
    s.send(S, ACK, 5036, 1008, b"");
    let rec = s.finish();
    assert_eq!(rec.streams[0], b"QUIT\r\n");
    assert_eq!(rec.streams[1], b"220 (vsFTPd 2.0.5)\r\n221 Goodbye.\r\n");
    assert_eq!(rec.ends, [1, 1]);
    let r = &rec.closed[0];
    let h = r.handshake.as_ref().unwrap();
    assert_eq!(
        (
            h.syn.as_ref().unwrap().frame,
            h.syn_ack.as_ref().unwrap().frame,
            h.ack.as_ref().unwrap().frame
        ),
        (1, 2, 3)
    );
    assert!((h.rtt.unwrap() - 0.002).abs() < 1e-9);
    assert_eq!(r.state, "SF");
    assert_eq!(r.history, "ShAdDfFa");
    let close = r.close.as_ref().unwrap();
    assert_eq!(close.initiator, Side::Resp);
    assert_eq!(close.style, "four-way");
    assert!(close.complete);
    let kinds: Vec<(Side, CloseKind)> = close.steps.iter().map(|st| (st.from, st.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Side::Resp, CloseKind::Fin),
            (Side::Orig, CloseKind::Ack),
            (Side::Orig, CloseKind::Fin),
            (Side::Resp, CloseKind::Ack)
        ]
    );
    let states: Vec<(TcpState, TcpState)> = close
        .steps
        .iter()
        .map(|st| (st.orig_state, st.resp_state))
        .collect();
    assert_eq!(
        states,
        vec![
            // RFC 793, states after each segment arrives: the FIN puts the client in
            // CLOSE-WAIT; its ACK takes the server to FIN-WAIT-2; the client's FIN takes
            // the server to TIME-WAIT; the last ACK closes the client.
            (TcpState::CloseWait, TcpState::FinWait1),
            (TcpState::CloseWait, TcpState::FinWait2),
            (TcpState::LastAck, TcpState::TimeWait),
            (TcpState::Closed, TcpState::TimeWait),
        ]
    );
    assert_eq!(r.orig_to_resp.bytes, 6);
    assert_eq!(r.resp_to_orig.bytes, 34);
}

#[test]
fn three_way_close_and_half_close_data() {
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, FIN | ACK, 1001, 5001, b"");
    // The server keeps sending after the client's FIN (half-close in use), then FIN+ACK.
    s.send(S, ACK | PSH, 5001, 1002, b"late data");
    s.send(S, FIN | ACK, 5010, 1002, b"");
    s.send(C, ACK, 1002, 5011, b"");
    let rec = s.finish();
    let close = rec.closed[0].close.as_ref().unwrap();
    assert_eq!(close.initiator, Side::Orig);
    // The server's data segment already acknowledged the client's FIN.
    assert_eq!(close.style, "four-way");
    assert_eq!(close.bytes_after_first_fin, 9);

    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, FIN | ACK, 1001, 5001, b"");
    s.send(S, FIN | ACK, 5001, 1002, b"");
    s.send(C, ACK, 1002, 5002, b"");
    let rec = s.finish();
    let close = rec.closed[0].close.as_ref().unwrap();
    assert_eq!(close.style, "three-way");
    assert_eq!(close.steps.len(), 3);
    assert_eq!(close.steps[1].kind, CloseKind::FinAck);
    let states: Vec<(TcpState, TcpState)> = close
        .steps
        .iter()
        .map(|st| (st.orig_state, st.resp_state))
        .collect();
    // The FIN+ACK acknowledges the client's FIN and carries the server's: the client goes
    // from FIN-WAIT-1 straight to TIME-WAIT, never FIN-WAIT-2.
    assert_eq!(
        states,
        vec![
            (TcpState::FinWait1, TcpState::CloseWait),
            (TcpState::TimeWait, TcpState::LastAck),
            (TcpState::TimeWait, TcpState::Closed),
        ]
    );
    assert_eq!(rec.closed[0].state, "SF");
}

#[test]
fn simultaneous_close() {
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, FIN | ACK, 1001, 5001, b"");
    s.send(S, FIN | ACK, 5001, 1001, b"");
    s.send(C, ACK, 1002, 5002, b"");
    s.send(S, ACK, 5002, 1002, b"");
    let rec = s.finish();
    let close = rec.closed[0].close.as_ref().unwrap();
    assert_eq!(close.style, "simultaneous");
    let states: Vec<(TcpState, TcpState)> = close
        .steps
        .iter()
        .map(|st| (st.orig_state, st.resp_state))
        .collect();
    // The server's FIN does not acknowledge the client's: the FINs crossed. The server was
    // still ESTABLISHED after the first FIN (not CLOSE-WAIT); both go through CLOSING.
    assert_eq!(
        states,
        vec![
            (TcpState::FinWait1, TcpState::Established),
            (TcpState::Closing, TcpState::Closing),
            (TcpState::Closing, TcpState::TimeWait),
            (TcpState::TimeWait, TcpState::TimeWait),
        ]
    );
}

#[test]
fn reset_closes_both_at_once_without_time_wait() {
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, RST | ACK, 1001, 5001, b"");
    let rec = s.finish();
    let close = rec.closed[0].close.as_ref().unwrap();
    assert_eq!(close.style, "reset");
    let st = &close.steps[0];
    assert_eq!(
        (st.orig_state, st.resp_state),
        (TcpState::Closed, TcpState::Closed)
    );

    // A reset in the middle of a FIN close ends it too: no TIME-WAIT follows.
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(S, FIN | ACK, 5001, 1001, b"");
    s.send(C, RST | ACK, 1001, 5002, b"");
    let rec = s.finish();
    let close = rec.closed[0].close.as_ref().unwrap();
    let last = close.steps.last().unwrap();
    assert_eq!(last.kind, CloseKind::Rst);
    assert_eq!(
        (last.orig_state, last.resp_state),
        (TcpState::Closed, TcpState::Closed)
    );
}

#[test]
fn rejected_and_unanswered_syns() {
    let mut s = Script::new(false);
    s.send(C, SYN, 1000, 0, b"");
    s.send(S, RST | ACK, 0, 1001, b"");
    let rec = s.finish();
    assert_eq!(rec.closed[0].state, "REJ");
    assert_eq!(rec.closed[0].close.as_ref().unwrap().style, "reset");

    let mut s = Script::new(false);
    s.send(C, SYN, 1000, 0, b"");
    s.send(C, SYN, 1000, 0, b"");
    s.send(C, SYN, 1000, 0, b"");
    let rec = s.finish();
    let r = &rec.closed[0];
    assert_eq!(r.state, "S0");
    assert_eq!(r.handshake.as_ref().unwrap().syn_retransmits, 2);
    assert_eq!(r.history, "ST");
    assert_eq!(r.end, EndReason::CaptureEnd);
}

#[test]
fn reset_after_establishment() {
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, PSH | ACK, 1001, 5001, b"QUIT\r\n");
    s.send(S, RST, 5001, 0, b"");
    let rec = s.finish();
    assert_eq!(rec.closed[0].state, "RSTR");
}

#[test]
fn midstream_pickup_guesses_the_server_by_port() {
    let mut s = Script::new(true);
    // The first packet seen is the server's reply.
    s.send(S, PSH | ACK, 9000, 300, b"230 Login successful.\r\n");
    s.send(C, PSH | ACK, 300, 9023, b"PWD\r\n");
    let rec = s.finish();
    let info = rec.opened[0];
    assert!(info.midstream);
    assert_eq!(info.orig, ep("192.168.120.168:1065"));
    assert_eq!(info.resp, ep("192.168.120.240:21"));
    assert_eq!(rec.closed[0].state, "OTH");
    assert!(rec.closed[0].handshake.is_none());
    assert_eq!(rec.streams[0], b"PWD\r\n");
}

#[test]
fn out_of_order_and_retransmitted_segments() {
    let mut s = Script::new(true);
    handshake(&mut s);
    s.send(C, ACK, 1006, 5001, b"ftp\r\n");
    s.send(C, ACK, 1001, 5001, b"USER ");
    s.send(C, ACK, 1001, 5001, b"USER ");
    let rec = s.finish();
    assert_eq!(rec.streams[0], b"USER ftp\r\n");
    let st = &rec.closed[0].orig_to_resp;
    assert_eq!(st.bytes, 10);
    assert_eq!(st.out_of_order_segments, 1);
    assert_eq!(st.retransmitted_segments, 1);
    assert_eq!(st.retransmitted_bytes, 5);
    assert!(rec.closed[0].history.contains('T'));
}

#[test]
fn a_reply_that_acknowledges_a_lost_command_comes_after_it() {
    let mut s = Script::new(true);
    handshake(&mut s);
    s.send(S, PSH | ACK, 5001, 1001, b"220 hi\r\n");
    // The client's "SIZE a\r\n" (1001..1009) is not in the capture; the server's 213
    // acknowledges it, so the hole is missing before the 213 is delivered.
    s.send(S, PSH | ACK, 5009, 1009, b"213 5\r\n");
    assert_eq!(s.rec.streams[0], b"<7>");
    assert_eq!(s.rec.dated.first().map(|d| d.0), Some(4));
    let gap_at = s.rec.dated.iter().position(|d| d.1 == "<7>").unwrap();
    let reply_at = s.rec.dated.iter().position(|d| d.1 == "213 5\r\n").unwrap();
    assert!(gap_at < reply_at, "{:?}", s.rec.dated);
    // The last acknowledged byte could have been a FIN: it is held back until the client
    // sends more (a FIN is its last byte).
    s.send(C, PSH | ACK, 1009, 5016, b"QUIT\r\n");
    assert_eq!(s.rec.streams[0], b"<7><1>QUIT\r\n");
    let quit = s.rec.dated.iter().find(|d| d.1 == "QUIT\r\n").unwrap();
    assert_eq!(quit.0, 6, "dated by its own segment");
}

#[test]
fn a_hole_acknowledged_by_a_bare_ack_survives_reordering_then_is_missing() {
    let mut s = Script::new(true);
    handshake(&mut s);
    s.send(S, PSH | ACK, 5001, 1001, b"220 hi\r\n");
    // The client acknowledges the 331 (5009..5017) before the capture shows it, and the
    // server's next segment comes first too: reordering, not loss.
    s.send(C, ACK, 1001, 5017, b"");
    s.send(S, PSH | ACK, 5017, 1001, b"230 ok\r\n");
    s.send(S, PSH | ACK, 5009, 1001, b"331 pw\r\n");
    assert_eq!(s.rec.streams[1], b"220 hi\r\n331 pw\r\n230 ok\r\n");
    // Each piece keeps the frame that carried it, however late it was released.
    let frames: Vec<u64> = s.rec.dated.iter().map(|d| d.0).collect();
    assert_eq!(frames, vec![4, 7, 6]);
    // A hole nobody fills is missing after a few more packets of its direction.
    s.send(C, ACK, 1001, 5040, b"");
    for i in 0..4u32 {
        s.send(S, PSH | ACK, 5040 + i * 5, 1001, b"211 \n");
    }
    let rec = s.finish();
    assert_eq!(
        String::from_utf8_lossy(&rec.streams[1]),
        "220 hi\r\n331 pw\r\n230 ok\r\n<15>211 \n211 \n211 \n211 \n"
    );
    assert_eq!(rec.closed[0].resp_to_orig.missed_bytes, 15);
    assert!(rec.closed[0].history.contains('g'));
}

#[test]
fn an_open_connection_whose_sequence_numbers_jump_stays_one_connection() {
    let mut s = Script::new(false);
    s.server = ep("10.0.0.1:20");
    s.client = ep("10.0.0.2:40000");
    // Mid-stream, one direction only, with most segments missing and the sequence
    // numbers running past 2^32.
    let mut seq = 0xfff0_0000u32;
    for _ in 0..20 {
        s.send(S, ACK, seq, 7, &[b'x'; 1000]);
        seq = seq.wrapping_add(150_000_000);
    }
    let rec = s.finish();
    assert_eq!(rec.opened.len(), 1);
    assert_eq!(rec.closed.len(), 1);
    let st = &rec.closed[0].orig_to_resp;
    assert_eq!(st.bytes, 20_000);
    assert_eq!(st.bytes + st.missed_bytes, 19 * 150_000_000 + 1000);
}

#[test]
fn bytes_after_a_fin_from_the_same_side_start_a_new_connection() {
    let mut s = Script::new(false);
    s.server = ep("10.0.0.1:20");
    s.client = ep("10.0.0.2:40001");
    s.send(S, SYN, 100, 0, b"");
    s.send(C, SYN | ACK, 900, 101, b"");
    s.send(S, ACK, 101, 901, b"");
    s.send(S, PSH | ACK, 101, 901, b"listing");
    s.send(S, FIN | ACK, 108, 901, b"");
    // The client's FIN and the next connection's handshake are not in the capture; the
    // server sends data of the next connection from a new initial sequence number.
    s.send(S, PSH | ACK, 77_000_000, 55_000_000, b"more data");
    let rec = s.finish();
    assert_eq!(rec.opened.len(), 2);
    assert!(rec.opened[1].midstream);
}

#[test]
fn packets_captured_twice_are_counted_once() {
    let mut s = Script::new(true);
    handshake(&mut s);
    // A bridge capture: every segment twice, microseconds apart, identical.
    for _ in 0..2 {
        s.frame += 1;
        let seg = Segment {
            frame: s.frame,
            ts: Timestamp(100_000_000),
            src: s.server,
            dst: s.client,
            seq: 5001,
            ack: 1001,
            flags: TcpFlags(PSH | ACK),
            window: 512,
            urgent: 0,
            payload: b"220 hi\r\n",
            wire_len: 8,
            mss: None,
            wscale: None,
            sack_permitted: false,
            ip_id: 4242,
            checksum: 0xabcd,
        };
        s.table.process(&seg, &mut s.rec);
    }
    assert_eq!(s.table.stats().duplicate_packets, 1);
    let rec = s.finish();
    let st = &rec.closed[0].resp_to_orig;
    assert_eq!((st.segments, st.retransmitted_segments), (2, 0));
}

#[test]
fn a_connection_replayed_after_it_ended_is_not_a_new_one() {
    let mut s = Script::new(true);
    let session = |s: &mut Script, t0: i64| {
        for (from, flags, seq, ack, data) in [
            (C, SYN, 1000u32, 0u32, &b""[..]),
            (S, SYN | ACK, 5000, 1001, b""),
            (C, ACK, 1001, 5001, b""),
            (S, PSH | ACK, 5001, 1001, b"220 hi\r\n"),
            (C, RST | ACK, 1001, 5009, b""),
        ] {
            s.frame += 1;
            let (src, dst) = if from {
                (s.client, s.server)
            } else {
                (s.server, s.client)
            };
            let seg = Segment {
                frame: s.frame,
                ts: Timestamp(t0 + s.frame as i64 % 5 * 1_000_000),
                src,
                dst,
                seq,
                ack,
                flags: TcpFlags(flags),
                window: 512,
                urgent: 0,
                payload: data,
                wire_len: data.len() as u32,
                mss: None,
                wscale: None,
                sack_permitted: false,
                ip_id: s.frame as u16 % 5,
                checksum: 0,
            };
            s.table.process(&seg, &mut s.rec);
        }
    };
    session(&mut s, 0);
    // Ten seconds of other traffic end the first copy's linger; then the file repeats.
    s.send(C, ACK, 1, 1, b"");
    let far = Segment {
        frame: 99,
        ts: Timestamp(10_000_000_000),
        src: ep("10.9.9.9:1"),
        dst: ep("10.9.9.8:2"),
        seq: 1,
        ack: 1,
        flags: TcpFlags(ACK),
        window: 1,
        urgent: 0,
        payload: b"",
        wire_len: 0,
        mss: None,
        wscale: None,
        sack_permitted: false,
        ip_id: 1,
        checksum: 0,
    };
    s.table.process(&far, &mut s.rec);
    let before = s.rec.opened.len();
    session(&mut s, 0);
    assert_eq!(s.rec.opened.len(), before, "the replay opened connections");
    assert_eq!(s.table.stats().duplicate_packets, 5);
}

#[test]
fn sequence_numbers_wrap() {
    let mut s = Script::new(false);
    let isn = u32::MAX - 100;
    s.send(C, SYN, 1000, 0, b"");
    s.send(S, SYN | ACK, isn, 1001, b"");
    s.send(C, ACK, 1001, isn.wrapping_add(1), b"");
    let chunk = [b'x'; 60];
    let mut seq = isn.wrapping_add(1);
    for _ in 0..10 {
        s.send(S, ACK, seq, 1001, &chunk);
        seq = seq.wrapping_add(60);
    }
    let rec = s.finish();
    assert_eq!(rec.closed[0].resp_to_orig.bytes, 600);
    assert_eq!(rec.closed[0].resp_to_orig.missed_bytes, 0);
}

#[test]
fn snaplen_cut_counts_bytes_and_gaps_content() {
    let mut s = Script::new(true);
    handshake(&mut s);
    s.send_wire(C, ACK, 1001, 5001, b"RETR ", 20);
    s.send(C, ACK, 1021, 5001, b"NOOP\r\n");
    let rec = s.finish();
    assert_eq!(rec.streams[0], b"RETR <15>NOOP\r\n");
    let st = &rec.closed[0].orig_to_resp;
    assert_eq!(
        (st.bytes, st.snaplen_cut_bytes, st.missed_bytes),
        (26, 15, 0)
    );
}

#[test]
fn new_syn_after_close_is_a_new_connection() {
    let mut s = Script::new(false);
    handshake(&mut s);
    s.send(C, RST, 1001, 0, b"");
    s.send(C, SYN, 777, 0, b"");
    s.send(S, SYN | ACK, 888, 778, b"");
    let rec = s.finish();
    assert_eq!(rec.opened.len(), 2);
    assert_eq!(rec.closed.len(), 2);
    assert_eq!(rec.closed[0].state, "RSTO");
    assert_eq!(rec.closed[1].state, "S1");
}

/// Found by fuzzing (tcp_reassembly): with a total reassembly bound smaller than one
/// out-of-order segment, the shared budget grew past the bound once the segment was
/// released, and the table's count of held bytes (bound minus budget) overflowed.
#[test]
fn a_total_reassembly_bound_smaller_than_a_segment_stays_a_bound() {
    let cfg = TcpConfig {
        max_held_bytes_total: 8,
        ..TcpConfig::default()
    };
    let mut s = Script::with(true, cfg);
    handshake(&mut s);
    s.send(C, ACK, 1011, 5001, &[b'x'; 100]);
    s.send(C, ACK, 1111, 5001, b"\r\n");
    s.send(C, ACK, 1113, 5001, &[b'y'; 30]);
    assert!(s.table.stats().peak_held_bytes <= 8);
    let rec = s.finish();
    let want = format!("<10>{}\r\n{}", "x".repeat(100), "y".repeat(30));
    assert_eq!(rec.streams[0], want.as_bytes());
}

#[test]
fn table_bound_evicts_least_recently_active() {
    let cfg = TcpConfig {
        max_connections: 16,
        ..TcpConfig::default()
    };
    let mut table = TcpTable::new(cfg);
    let mut rec = Recorder::default();
    for i in 0..40u16 {
        let seg = crate::test_support::segment(
            i as u64 + 1,
            Timestamp(i as i64),
            ep(&format!("10.0.0.1:{}", 10000 + i)),
            ep("10.0.0.2:80"),
            1,
            0,
            SYN,
            b"",
        );
        table.process(&seg, &mut rec);
        assert!(table.open_connections() <= 16);
    }
    assert!(table.bounds().connections_evicted > 0);
    table.finish_all(&mut rec);
    assert_eq!(rec.closed.len(), 40);
    assert!(rec.closed.iter().any(|r| r.end == EndReason::Evicted));
}

#[test]
fn flipping_a_record_swaps_every_side() {
    let mut s = Script::new(false);
    s.send(S, ACK | PSH, 9000, 300, b"data from the guessed responder");
    s.send(C, ACK, 300, 9031, b"");
    s.send(C, FIN | ACK, 300, 9031, b"");
    let mut rec = s.finish();
    let r = rec.closed.pop().unwrap();
    let mut f = r.clone();
    f.flip();
    assert_eq!(f.orig, r.resp);
    assert_eq!(f.resp_to_orig.bytes, r.orig_to_resp.bytes);
    assert_eq!(f.orig_to_resp.bytes, r.resp_to_orig.bytes);
    assert_eq!(
        f.close.as_ref().unwrap().initiator,
        r.close.as_ref().unwrap().initiator.other()
    );
    assert_eq!(
        f.history.to_ascii_lowercase(),
        r.history.to_ascii_lowercase()
    );
    assert_ne!(f.history, r.history);
    f.flip();
    assert_eq!(
        serde_json::to_string(&f).unwrap(),
        serde_json::to_string(&r).unwrap()
    );
}

/// A segment of the half-open test: `i`-th client host to port 21.
fn flood_segment(i: u16, flags: u8, from_server: bool) -> Segment<'static> {
    let client = ep(&format!("10.9.{}.{}:40000", i / 250, i % 250 + 1));
    let server = ep("10.0.0.21:21");
    let (src, dst) = if from_server {
        (server, client)
    } else {
        (client, server)
    };
    let (seq, ack) = if from_server { (5000, 101) } else { (100, 0) };
    let frame = 2 * u64::from(i) + 1 + u64::from(from_server);
    crate::test_support::segment(
        frame,
        Timestamp(i64::from(i) * 1000),
        src,
        dst,
        seq,
        ack,
        flags,
        b"",
    )
}

/// A SYN flood keeps at most `max_half_open` unanswered connections, finishing the oldest
/// as not established; a connection the server answered is never finished by that bound.
#[test]
fn unanswered_syns_are_bounded_and_answered_ones_stay() {
    let cfg = TcpConfig {
        max_half_open: 32,
        ..TcpConfig::default()
    };
    let mut table = TcpTable::new(cfg);
    let mut rec = Recorder::default();
    // Connection 0 is answered at once; the 999 others never are.
    table.process(&flood_segment(0, SYN, false), &mut rec);
    table.process(&flood_segment(0, SYN | ACK, true), &mut rec);
    for i in 1..1000u16 {
        table.process(&flood_segment(i, SYN, false), &mut rec);
        assert!(
            table.open_connections() <= 33,
            "{} open after {i} SYNs",
            table.open_connections()
        );
    }
    let evicted = table.bounds().half_open_evicted;
    assert!(evicted >= 1000 - 1 - 32, "{evicted}");
    assert_eq!(rec.closed.len() as u64, evicted);
    assert!(rec.closed.iter().all(|r| r.end == EndReason::Evicted));
    // The oldest went first, and the answered connection was not among them.
    assert_eq!(rec.closed[0].orig, flood_segment(1, SYN, false).src);
    assert!(
        rec.closed
            .iter()
            .all(|r| r.orig != flood_segment(0, SYN, false).src)
    );
    table.finish_all(&mut rec);
    assert_eq!(rec.closed.len(), 1000);
    assert_eq!(table.bounds().connections_evicted, 0);
}

/// Two control connections each hold bytes behind a hole under a small total: the shared
/// allowance is debited and credited by the same amounts, so the peak never exceeds the
/// total and filling the holes gives every byte back (the table's count once went below
/// zero here: "attempt to subtract with overflow" in a debug build).
#[test]
fn held_bytes_are_accounted_exactly_across_connections() {
    let cfg = TcpConfig {
        max_held_bytes_total: 500,
        ..TcpConfig::default()
    };
    let mut table = TcpTable::new(cfg);
    let mut rec = Recorder {
        content: true,
        ..Recorder::default()
    };
    let server = ep("10.0.0.21:21");
    let clients = [ep("10.0.0.1:40001"), ep("10.0.0.2:40002")];
    let mut frame = 0u64;
    let mut send =
        |table: &mut TcpTable, rec: &mut Recorder, src, dst, flags, seq, ack, p: &[u8]| {
            frame += 1;
            let seg = crate::test_support::segment(
                frame,
                Timestamp(frame as i64 * 1_000),
                src,
                dst,
                seq,
                ack,
                flags,
                p,
            );
            table.process(&seg, rec);
        };
    for &c in &clients {
        send(&mut table, &mut rec, c, server, SYN, 1000, 0, b"");
        send(&mut table, &mut rec, server, c, SYN | ACK, 5000, 1001, b"");
        send(&mut table, &mut rec, c, server, ACK, 1001, 5001, b"");
    }
    let hole = [b'h'; 100];
    let behind = [b'x'; 400];
    // Each client's first 100 bytes are late: 400 bytes wait behind them, 800 in all,
    // more than the 500 allowed.
    for &c in &clients {
        send(
            &mut table,
            &mut rec,
            c,
            server,
            ACK | PSH,
            1101,
            5001,
            &behind,
        );
        assert!(table.stats().peak_held_bytes <= 500);
    }
    // The late bytes arrive: whatever was still held is delivered and given back.
    for &c in &clients {
        send(
            &mut table,
            &mut rec,
            c,
            server,
            ACK | PSH,
            1001,
            5001,
            &hole,
        );
        assert!(table.stats().peak_held_bytes <= 500);
    }
    assert_eq!(table.held_bytes(), 0);
    table.finish_all(&mut rec);
    // One connection's bytes were forced out past its hole (a gap of 100), the other's
    // waited and were delivered whole; nothing was lost or delivered twice.
    assert_eq!(table.bounds().forced_hole_skips, 1);
    let delivered: usize = rec.streams[0].iter().filter(|&&b| b == b'x').count();
    assert_eq!(delivered, 800);
    assert_eq!(table.held_bytes(), 0);
}
/// What every tracked connection costs before it holds any bytes: regressions show here.
/// Most of it is the two directions' counters and reassembly state and the handshake.
#[test]
fn a_flow_stays_small() {
    let flow = std::mem::size_of::<super::flow::Flow>();
    assert!(flow <= 1216, "Flow is {flow} bytes");
}
