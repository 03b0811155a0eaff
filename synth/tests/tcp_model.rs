//! The TCP model and the scheduler, checked packet by packet.

mod common;

use ftpflow_synth::packet::flags;
use ftpflow_synth::prelude::*;
use ftpflow_synth::sched::Scheduler;
use ftpflow_synth::truth::{CloseKind, HandshakeKind};

fn peers(isn_o: u32, isn_r: u32) -> (Peer, Peer) {
    (
        Peer::linux("10.0.0.2:40000".parse().unwrap()).isn(isn_o),
        Peer::linux("10.0.0.1:20".parse().unwrap()).isn(isn_r),
    )
}

#[test]
fn every_close_style() {
    let cases = [
        (
            CloseStyle::FourWay,
            Side::Orig,
            CloseKind::FourWay,
            Some(Side::Orig),
            4,
        ),
        (
            CloseStyle::FourWay,
            Side::Resp,
            CloseKind::FourWay,
            Some(Side::Resp),
            4,
        ),
        (
            CloseStyle::ThreeWay,
            Side::Resp,
            CloseKind::ThreeWay,
            Some(Side::Resp),
            3,
        ),
        (
            CloseStyle::Simultaneous,
            Side::Orig,
            CloseKind::Simultaneous,
            None,
            4,
        ),
        (
            CloseStyle::Rst,
            Side::Orig,
            CloseKind::Rst,
            Some(Side::Orig),
            1,
        ),
    ];
    for (style, first, kind, who, n) in cases {
        let mut trace = Trace::new();
        let mut net = Net::new(&mut trace, 0, 1);
        let (o, r) = peers(1, 2);
        let mut c = TcpConn::new(&mut net, o, r);
        c.handshake(&mut net);
        c.send(&mut net, Side::Resp, &[7; 5000]);
        c.close(&mut net, style, first);
        let truth = net.finish();
        let ct = truth.conn(c.id);
        assert_eq!((ct.close, ct.close_first), (kind, who), "{style:?}");
        assert_eq!(ct.handshake, HandshakeKind::Complete);
        let closing = trace
            .iter()
            .rev()
            .take(n)
            .filter(|p| p.meta.payload_len == 0)
            .count();
        assert_eq!(closing, n);
        common::verify(&trace, &truth);
    }
}

#[test]
fn half_close_with_data_the_other_way() {
    let mut trace = Trace::new();
    let mut net = Net::new(&mut trace, 0, 1);
    let (o, r) = peers(10, 20);
    let mut c = TcpConn::new(&mut net, o, r);
    c.handshake(&mut net);
    c.send(&mut net, Side::Orig, b"request");
    c.fin(&mut net, Side::Orig);
    c.ack(&mut net, Side::Resp);
    c.send(&mut net, Side::Resp, &[1; 3000]);
    c.fin(&mut net, Side::Resp);
    c.ack(&mut net, Side::Orig);
    let truth = net.finish();
    let ct = truth.conn(c.id);
    assert_eq!((ct.close, ct.data_after_fin), (CloseKind::FourWay, true));
    common::verify(&trace, &truth);
}

#[test]
fn sequence_numbers_wrap_mid_transfer() {
    let mut trace = Trace::new();
    let mut net = Net::new(&mut trace, 0, 1);
    let (o, r) = peers(u32::MAX - 5000, u32::MAX - 3);
    let mut c = TcpConn::new(&mut net, o, r);
    c.handshake(&mut net);
    c.send_payload(
        &mut net,
        Side::Orig,
        &Payload::pattern(100_000, 9),
        0..100_000,
    );
    c.send(&mut net, Side::Resp, &[2; 10]);
    c.close(&mut net, CloseStyle::FourWay, Side::Orig);
    let truth = net.finish();
    assert!(
        trace
            .iter()
            .any(|p| p.meta.payload_len > 0 && p.meta.seq < 100_000),
        "wrapped"
    );
    assert_eq!(truth.conn(c.id).bytes_orig, 100_000);
    common::verify(&trace, &truth);
}

#[test]
fn syn_unanswered_and_refused() {
    let mut trace = Trace::new();
    let mut net = Net::new(&mut trace, 0, 1);
    let (o, r) = peers(1, 2);
    let mut a = TcpConn::new(&mut net, o.clone(), r.clone());
    a.syn_unanswered(&mut net, 3);
    let mut b = TcpConn::new(&mut net, o, r);
    b.syn_refused(&mut net);
    let truth = net.finish();
    assert_eq!(
        (truth.conn(a.id).handshake, truth.conn(a.id).syn_retransmits),
        (HandshakeKind::Unanswered, 2)
    );
    assert_eq!(truth.conn(b.id).handshake, HandshakeKind::Refused);
    // 1 s then 2 s between the SYNs.
    assert_eq!(trace[1].ts_ns - trace[0].ts_ns, 1_000_000_000);
    assert_eq!(trace[2].ts_ns - trace[1].ts_ns, 2_000_000_000);
    assert_eq!(trace[4].meta.flags, flags::RST | flags::ACK);
    common::verify(&trace, &truth);
}

#[test]
fn ack_policies_and_mss() {
    for (policy, acks) in [
        (AckPolicy::EverySegment, 10),
        (AckPolicy::Delayed2, 5),
        (AckPolicy::Manual, 0),
    ] {
        let mut trace = Trace::new();
        let mut net = Net::new(&mut trace, 0, 1);
        let (o, r) = peers(1, 2);
        let mut c = TcpConn::new(&mut net, o, r);
        c.acks = policy;
        c.handshake(&mut net);
        let start = trace_len(&net);
        // Linux with timestamps: 1448 payload bytes per segment.
        c.send(&mut net, Side::Orig, &vec![0; 1448 * 10]);
        let truth = net.finish();
        let sent = &trace[start as usize..];
        assert_eq!(
            sent.iter().filter(|p| p.meta.payload_len == 1448).count(),
            10
        );
        assert_eq!(
            sent.iter().filter(|p| p.meta.payload_len == 0).count(),
            acks,
            "{policy:?}"
        );
        assert_eq!(
            sent.iter()
                .filter(|p| p.meta.flags & flags::PSH != 0)
                .count(),
            1
        );
        common::verify(&trace, &truth);
    }
}

fn trace_len(net: &Net) -> u64 {
    net.truth().packets
}

#[test]
fn urgent_data_before_abor() {
    let mut trace = Trace::new();
    let mut net = Net::new(&mut trace, 0, 1);
    let mut s = FtpSession::connect(
        &mut net,
        FtpConfig::new(
            "10.0.0.2:40000".parse().unwrap(),
            "10.0.0.1:21".parse().unwrap(),
        ),
    );
    s.reply(Reply::new(220, "hi"));
    s.telnet_interrupt();
    s.exchange(
        Cmd::new("ABOR", None),
        Reply::new(225, "No transfer to ABOR."),
    );
    let truth = net.finish();
    let urg = trace
        .iter()
        .find(|p| p.meta.flags & flags::URG != 0)
        .unwrap();
    let x = common::parse(urg);
    assert_eq!(x.payload, vec![0xf2]);
    let t = etherparse::SlicedPacket::from_ethernet(&urg.data).unwrap();
    let Some(etherparse::TransportSlice::Tcp(tcp)) = t.transport else {
        panic!()
    };
    assert_eq!(tcp.urgent_pointer(), 1);
    assert_eq!(truth.sessions[0].commands[0].command, "ABOR");
    common::verify(&trace, &truth);
}

#[test]
fn scheduler_merges_interleaved_sessions_reusing_ports() {
    let run = || {
        let mut sched = Scheduler::new();
        for i in 0..6u64 {
            // The same client host and data port in every session: 4-tuples repeat.
            sched.add(1_000_000_000 + i as i64 * 700_000, i, move |net| {
                let client = format!("10.9.0.2:{}", 50000 + i).parse().unwrap();
                let mut s = FtpSession::connect(
                    net,
                    FtpConfig::new(client, "10.9.0.1:21".parse().unwrap()),
                );
                s.reply(Reply::new(220, "ready"));
                s.login("u", "p");
                let chan = s.port("10.9.0.2:60000".parse().unwrap());
                s.transfer(
                    Some(&chan),
                    Xfer::new(
                        Cmd::new("RETR", Some("f")),
                        Payload::pattern(20_000 + i * 1000, i),
                    ),
                );
                s.exchange(Cmd::new("QUIT", None), Reply::new(221, "bye"));
                s.close(CloseStyle::FourWay, Who::Client);
            });
        }
        let mut trace = Trace::new();
        let truth = sched.run(&mut trace);
        (trace, truth)
    };
    let (trace, truth) = run();
    assert_eq!(truth.sessions.len(), 6);
    assert!(trace.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
    // Sessions overlap in time.
    let first_end = truth.conn(truth.sessions[0].control_conn).last_ts_ns;
    let second_start = truth.conn(truth.sessions[1].control_conn).first_ts_ns;
    assert!(second_start < first_end);
    // Connection ids follow the first packet.
    let mut seen = 0;
    for p in &trace {
        assert!(p.meta.conn <= seen + 1);
        seen = seen.max(p.meta.conn);
    }
    for (i, s) in truth.sessions.iter().enumerate() {
        assert_eq!(s.transfers[0].bytes, Some(20_000 + i as u64 * 1000));
    }
    common::verify(&trace, &truth);
    let (trace2, truth2) = run();
    assert_eq!(trace, trace2);
    assert_eq!(truth.to_json(), truth2.to_json());
}

#[test]
#[should_panic(expected = "TCP checksum")]
fn verify_catches_a_corrupted_payload() {
    let mut trace = Trace::new();
    let mut net = Net::new(&mut trace, 0, 1);
    let (o, r) = peers(1, 2);
    let mut c = TcpConn::new(&mut net, o, r);
    c.handshake(&mut net);
    c.send(&mut net, Side::Orig, b"hello");
    let truth = net.finish();
    let last = trace[3].data.len() - 1;
    trace[3].data[last] ^= 1;
    common::verify(&trace, &truth);
}

/// `cargo test --release -p ftpflow-synth --test tcp_model -- --ignored bulk` writes a
/// 1 GiB capture and reports the generator's speed.
#[test]
#[ignore]
fn bulk_gigabyte_streams_to_disk() {
    use ftpflow_synth::capfile::{self, Format};
    let path = std::env::temp_dir().join("ftpflow-synth-bulk.pcap");
    let mut w = capfile::create(&path, &Format::Pcap(Default::default())).unwrap();
    let t = std::time::Instant::now();
    let truth = ftpflow_synth::scenario::bulk_into(&mut w, 1 << 30, 8, 1);
    let n = w.packets();
    w.finish().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!("{n} packets, {size} bytes in {:?}", t.elapsed());
    assert!(size > 1 << 30);
    assert_eq!(
        truth
            .sessions
            .iter()
            .map(|s| s.transfers[0].bytes.unwrap())
            .sum::<u64>(),
        1 << 30
    );
    std::fs::remove_file(&path).unwrap();
}
