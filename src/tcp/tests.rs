//! Scripted-segment tests of the TCP state machine.

use super::*;
use crate::decode::TcpFlags;

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
        }
    }
    fn stream(
        &mut self,
        _token: u32,
        side: Side,
        event: StreamEvent<'_>,
        _ts: Timestamp,
        _frame: u64,
    ) {
        let i = side.idx();
        match event {
            StreamEvent::Bytes(b) => self.streams[i].extend_from_slice(b),
            StreamEvent::Gap(n) => {
                self.gaps[i] += n;
                self.streams[i].extend_from_slice(format!("<{n}>").as_bytes());
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
        let seg = Segment {
            frame: self.frame,
            ts: Timestamp(self.frame as i64 * 1_000_000),
            src,
            dst,
            seq,
            ack,
            flags: TcpFlags(flags),
            window: 65535,
            urgent: 0,
            payload,
            wire_len,
            mss: if flags & SYN != 0 { Some(1460) } else { None },
            wscale: None,
            sack_permitted: false,
        };
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
            (TcpState::Established, TcpState::FinWait1),
            (TcpState::CloseWait, TcpState::FinWait2),
            (TcpState::LastAck, TcpState::FinWait2),
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
    assert_eq!(close.steps[1].resp_state, TcpState::LastAck);
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
    assert_eq!(close.steps.last().unwrap().orig_state, TcpState::TimeWait);
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
fn acknowledged_hole_becomes_a_gap_after_the_tolerance() {
    let cfg = TcpConfig {
        reorder_tolerance: 2,
        ..TcpConfig::default()
    };
    let mut s = Script::with(true, cfg);
    handshake(&mut s);
    s.send(S, ACK, 5001, 1001, b"220 hi\r\n");
    // 10 bytes at 5009..5019 never captured; the client acknowledges them.
    s.send(S, ACK, 5019, 1001, b"331 ok\r\n");
    s.send(C, ACK, 1001, 5027, b"");
    s.send(C, ACK, 1001, 5027, b"");
    s.send(C, ACK, 1001, 5027, b"");
    s.send(C, ACK, 1001, 5027, b"");
    assert_eq!(s.rec.streams[1], b"220 hi\r\n<10>331 ok\r\n");
    let rec = s.finish();
    let st = &rec.closed[0].resp_to_orig;
    assert_eq!(st.missed_bytes, 10);
    assert_eq!(st.bytes, 16);
    assert!(rec.closed[0].history.contains('g'));
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

#[test]
fn table_bound_evicts_least_recently_active() {
    let cfg = TcpConfig {
        max_connections: 16,
        ..TcpConfig::default()
    };
    let mut table = TcpTable::new(cfg);
    let mut rec = Recorder::default();
    for i in 0..40u16 {
        let seg = Segment {
            frame: i as u64 + 1,
            ts: Timestamp(i as i64),
            src: ep(&format!("10.0.0.1:{}", 10000 + i)),
            dst: ep("10.0.0.2:80"),
            seq: 1,
            ack: 0,
            flags: TcpFlags(SYN),
            window: 1,
            urgent: 0,
            payload: b"",
            wire_len: 0,
            mss: None,
            wscale: None,
            sack_permitted: false,
        };
        table.process(&seg, &mut rec);
        assert!(table.open_connections() <= 16);
    }
    assert!(table.stats().evicted_by_bound > 0);
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
