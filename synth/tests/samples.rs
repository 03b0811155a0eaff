//! The committed samples: valid packets, consistent truth, byte-identical regeneration,
//! and the articles' facts where an article gives them exactly.

mod common;

use ftpflow_synth::packet::{Side, flags};
use ftpflow_synth::samples;
use ftpflow_synth::truth::{CloseKind, HandshakeKind, Login, Mode, Setup, Status};

fn sample(name: &str) -> samples::Sample {
    samples::all()
        .into_iter()
        .find(|s| s.name == name)
        .expect("sample exists")
}

#[test]
fn every_sample_is_valid_and_consistent() {
    for s in samples::all() {
        let (trace, truth) = s.generate();
        common::verify(&trace, &truth);
        assert!(!truth.sessions.is_empty(), "{}", s.name);
    }
}

#[test]
fn samples_are_deterministic_on_disk() {
    let a = tempdir("a");
    let b = tempdir("b");
    samples::write_all(&a).unwrap();
    samples::write_all(&b).unwrap();
    for s in samples::all() {
        for (x, y) in [
            (s.capture_path(&a), s.capture_path(&b)),
            (s.truth_path(&a), s.truth_path(&b)),
        ] {
            assert_eq!(
                std::fs::read(&x).unwrap(),
                std::fs::read(&y).unwrap(),
                "{}",
                x.display()
            );
        }
    }
}

#[test]
fn committed_samples_are_up_to_date() {
    // The files under samples/ are what `ftpflow-synth samples` writes today.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    if !dir.join("seed001-active-ls-pwd-quit.pcap").exists() {
        return;
    }
    let fresh = tempdir("fresh");
    samples::write_all(&fresh).unwrap();
    for s in samples::all() {
        for (x, y) in [
            (s.capture_path(&dir), s.capture_path(&fresh)),
            (s.truth_path(&dir), s.truth_path(&fresh)),
        ] {
            assert_eq!(
                std::fs::read(&x).ok(),
                Some(std::fs::read(&y).unwrap()),
                "{} is stale: run `cargo run -p ftpflow-synth -- samples --out samples`",
                x.display()
            );
        }
    }
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ftpflow-synth-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn seed003_data_connection_matches_the_tcpdump_excerpt() {
    let (trace, _) = sample("seed003-vsftpd-stat-pasv-port").generate();
    let data: Vec<_> = trace
        .iter()
        .map(common::parse)
        .filter(|p| p.src.ends_with(".254:20") || p.dst.ends_with(".254:20"))
        .collect();
    // (flags, seq, ack, window, checksum) as tcpdump -v printed them in the article; the
    // P segment's checksum is not printed there.
    let want: [(u8, u32, u32, u16, Option<u16>); 8] = [
        (flags::SYN, 4177100919, 0, 5792, Some(0x92d9)),
        (
            flags::SYN | flags::ACK,
            688182270,
            4177100920,
            5792,
            Some(0x4782),
        ),
        (flags::ACK, 4177100920, 688182271, 46, Some(0x8cbf)),
        (flags::PSH | flags::ACK, 4177100920, 688182271, 46, None),
        (
            flags::FIN | flags::ACK,
            4177101599,
            688182271,
            46,
            Some(0x8a17),
        ),
        (flags::ACK, 688182271, 4177101599, 56, Some(0x8a0d)),
        (
            flags::FIN | flags::ACK,
            688182271,
            4177101600,
            56,
            Some(0x8a0b),
        ),
        (flags::ACK, 4177101600, 688182272, 46, Some(0x8a14)),
    ];
    assert_eq!(data.len(), want.len());
    for (p, w) in data.iter().zip(want) {
        assert_eq!((p.flags, p.seq, p.ack, p.window), (w.0, w.1, w.2, w.3));
        if let Some(c) = w.4 {
            assert_eq!(
                p.checksum, c,
                "checksum as printed by tcpdump in the article"
            );
        }
    }
    assert_eq!(data[3].payload.len(), 679);
}

#[test]
fn seed001_follows_the_32_steps() {
    let (trace, truth) = sample("seed001-active-ls-pwd-quit").generate();
    // (connection: c = control, d = data; sender: C = client, S = server; flags; has payload)
    use flags::*;
    let steps: &[(char, char, u8, bool)] = &[
        ('c', 'C', SYN, false),       // 1
        ('c', 'S', SYN | ACK, false), // 1
        ('c', 'C', ACK, false),       // 1
        ('c', 'S', PSH | ACK, true),  // 2 220
        ('c', 'C', ACK, false),       // 3
        ('c', 'C', PSH | ACK, true),  // 4 USER
        ('c', 'S', ACK, false),       // 5
        ('c', 'S', PSH | ACK, true),  // 6 331
        ('c', 'C', ACK, false),       // 7
        ('c', 'C', PSH | ACK, true),  // 8 PASS
        ('c', 'S', ACK, false),       // 9
        ('c', 'S', PSH | ACK, true),  // 10 230
        ('c', 'C', ACK, false),       // 11
        ('c', 'C', PSH | ACK, true),  // 12 PORT
        ('c', 'S', ACK, false),       // 13
        ('c', 'S', PSH | ACK, true),  // 14 200
        ('c', 'C', PSH | ACK, true),  // 15 LIST
        ('d', 'S', SYN, false),       // 16
        ('d', 'C', SYN | ACK, false), // 16
        ('d', 'S', ACK, false),       // 16
        ('c', 'S', PSH | ACK, true),  // 17 150
        ('d', 'S', PSH | ACK, true),  // 17 listing
        ('d', 'S', FIN | ACK, false), // 18
        ('d', 'C', ACK, false),       // 19
        ('c', 'S', PSH | ACK, true),  // 20 226
        ('c', 'C', ACK, false),       // 21
        ('d', 'C', FIN | ACK, false), // 22
        ('d', 'S', ACK, false),       // 23
        ('c', 'C', PSH | ACK, true),  // 24 PWD
        ('c', 'S', PSH | ACK, true),  // 25 257
        ('c', 'C', ACK, false),       // 26
        ('c', 'C', PSH | ACK, true),  // 27 QUIT
        ('c', 'S', PSH | ACK, true),  // 28 221
        ('c', 'S', FIN | ACK, false), // 29
        ('c', 'C', ACK, false),       // 30
        ('c', 'C', FIN | ACK, false), // 31
        ('c', 'S', ACK, false),       // 32
    ];
    assert_eq!(trace.len(), steps.len());
    let ctrl = truth.sessions[0].control_conn;
    for (i, (p, &(conn, who, f, data))) in trace.iter().zip(steps).enumerate() {
        let is_ctrl = p.meta.conn == ctrl;
        assert_eq!(is_ctrl, conn == 'c', "packet {i}: connection");
        // Control: client = orig. Active data: server = orig.
        let client_sent = (p.meta.from == Side::Orig) == is_ctrl;
        assert_eq!(client_sent, who == 'C', "packet {i}: sender");
        assert_eq!(p.meta.flags, f, "packet {i}: flags");
        assert_eq!(p.meta.payload_len > 0, data, "packet {i}: payload");
    }
    let s = &truth.sessions[0];
    assert_eq!(s.client, "192.168.120.168:51299");
    assert_eq!(s.user.as_deref(), Some("test"));
    assert_eq!(s.login, Login::Success);
    let t = &s.transfers[0];
    assert_eq!(
        (t.mode, t.setup, t.status),
        (Some(Mode::Active), Some(Setup::Port), Status::Complete)
    );
    let dc = t.data_conn.as_ref().unwrap();
    assert_eq!(
        (dc.orig.as_str(), dc.resp.as_str()),
        ("192.168.120.240:20", "192.168.120.168:51300")
    );
    let d = truth.conn(dc.conn);
    assert_eq!(
        (d.handshake, d.close, d.close_first),
        (
            HandshakeKind::Complete,
            CloseKind::FourWay,
            Some(Side::Orig)
        )
    );
    let c = truth.conn(ctrl);
    assert_eq!(
        (c.close, c.close_first),
        (CloseKind::FourWay, Some(Side::Resp))
    );
}

#[test]
fn seed000_facts() {
    let (_, truth) = sample("seed000-filezilla-active-mlsd-stor").generate();
    let s = &truth.sessions[0];
    assert_eq!(
        (s.client.as_str(), s.server.as_str()),
        ("192.168.9.186:55427", "192.168.9.161:21")
    );
    let port = s.commands.iter().find(|c| c.command == "PORT").unwrap();
    assert_eq!(port.arg.as_deref(), Some("192,168,9,186,216,142"));
    assert_eq!(port.data_endpoint.as_deref(), Some("192.168.9.186:55438"));
    let mlsd = &s.transfers[0];
    assert_eq!(mlsd.command, "MLSD");
    assert_eq!(
        mlsd.bytes,
        Some("type=dir;modify=20250102011711; my2024\r\n".len() as u64)
    );
    assert_eq!(mlsd.data_conn.as_ref().unwrap().orig, "192.168.9.161:20");
    let d = truth.conn(mlsd.data_conn.as_ref().unwrap().conn);
    assert_eq!(
        (d.close, d.close_first),
        (CloseKind::FourWay, Some(Side::Orig))
    );
    let stor = &s.transfers[1];
    assert_eq!(
        (stor.command.as_str(), stor.bytes, stor.status),
        ("STOR", Some(1000), Status::Complete)
    );
}

#[test]
fn seed002_facts() {
    let (_, truth) = sample("seed002-servu-passive-active-upload").generate();
    assert_eq!(truth.sessions.len(), 3);
    let up: Vec<_> = truth
        .sessions
        .iter()
        .flat_map(|s| &s.transfers)
        .filter(|t| t.command == "STOR")
        .collect();
    assert_eq!(up.len(), 2);
    for t in &up {
        assert_eq!(t.bytes, Some(2052));
    }
    assert_eq!(up[0].data_endpoint.as_deref(), Some("172.16.101.104:2134"));
    assert_eq!(up[1].data_endpoint.as_deref(), Some("172.16.101.104:2124"));
    assert_eq!(up[1].data_conn.as_ref().unwrap().orig, "172.16.101.104:20");
}

#[test]
fn seed003_facts() {
    let (_, truth) = sample("seed003-vsftpd-stat-pasv-port").generate();
    let stat = truth.sessions[0]
        .commands
        .iter()
        .find(|c| c.command == "STAT")
        .unwrap();
    assert_eq!(
        (stat.reply_code, stat.reply_text.as_deref()),
        (Some(211), Some("End of status"))
    );
    let pasv = truth.sessions[1]
        .commands
        .iter()
        .find(|c| c.command == "PASV")
        .unwrap();
    assert_eq!(pasv.data_endpoint.as_deref(), Some("192.168.0.129:43738"));
    let active = &truth.sessions[2].transfers[0];
    assert_eq!(active.data_endpoint.as_deref(), Some("192.168.0.27:11111"));
    assert_eq!(active.bytes, Some(679));
    let d = truth.conn(active.data_conn.as_ref().unwrap().conn);
    // The client's FIN also acknowledged the server's FIN: FIN, FIN+ACK, ACK.
    assert_eq!(d.close, CloseKind::ThreeWay);
}

#[test]
fn odd_samples_facts() {
    let (_, t) = sample("abort-rest-stou").generate();
    let x = &t.sessions[0].transfers;
    assert_eq!(
        (x[0].rest_offset, x[0].announced_size, x[0].bytes),
        (Some(524_288), Some(1_048_576), Some(524_288))
    );
    assert_eq!(x[1].stored_as.as_deref(), Some("ftp.upload.5Fq2x1"));
    assert_eq!(
        (x[2].status, x[2].reply_code, x[2].bytes),
        (Status::Aborted, Some(426), Some(262_144))
    );
    let abor = t.sessions[0]
        .commands
        .iter()
        .find(|c| c.command == "ABOR")
        .unwrap();
    assert_eq!(abor.reply_codes, vec![Some(226)]);

    let (_, t) = sample("failed-data-connection").generate();
    assert_eq!(t.sessions[0].login, Login::Failed);
    assert_eq!(t.non_ftp_tcp_connections, 1);
    let x = &t.sessions[1].transfers;
    assert_eq!((x[0].status, x[0].reply_code), (Status::Failed, Some(425)));
    assert_eq!(
        t.conn(x[0].data_conn.as_ref().unwrap().conn).handshake,
        HandshakeKind::Unanswered
    );
    assert_eq!(
        t.conn(x[0].data_conn.as_ref().unwrap().conn)
            .syn_retransmits,
        2
    );
    assert_eq!(
        t.conn(x[1].data_conn.as_ref().unwrap().conn).handshake,
        HandshakeKind::Refused
    );

    let (_, t) = sample("nat-pasv-rewritten").generate();
    let x = &t.sessions[0].transfers[0];
    assert_eq!(x.data_endpoint.as_deref(), Some("10.0.5.20:50210"));
    assert_eq!(x.data_conn.as_ref().unwrap().resp, "203.0.113.10:50210");

    let (_, t) = sample("pipelined-multiline-odd-replies").generate();
    let s = &t.sessions[0];
    let quit = s.commands.last().unwrap();
    assert_eq!(
        (quit.reply_code, quit.reply_text.as_deref()),
        (Some(221), Some(""))
    );
    let port = s.commands.iter().find(|c| c.command == "PORT").unwrap();
    assert_eq!(port.data_endpoint.as_deref(), Some("192.0.2.20:51210"));
    assert!(s.transfers.iter().all(|x| x.status == Status::Complete));

    let (_, t) = sample("auth-tls-opaque").generate();
    assert!(t.sessions[0].tls);
}
