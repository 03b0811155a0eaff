//! Helpers shared by the unit tests of several modules (compiled for tests only).

use std::path::PathBuf;

/// Every capture file of the project (samples/ and ../shared/corpus/, gzip included),
/// sorted; at least the committed samples must be there.
pub fn project_captures() -> Vec<PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [root.join("samples"), root.join("../shared/corpus")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        paths.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    [".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"]
                        .iter()
                        .any(|x| name.ends_with(x))
                }),
        );
    }
    paths.sort();
    assert!(paths.len() >= 10, "the samples are missing: {paths:?}");
    paths
}

/// A TCP segment as the decoder would hand it over: `flags` as the header's flag bits,
/// the payload's length on the wire, an MSS on SYNs, a window of 65535, and the frame
/// number as IP id and checksum (so that no two segments look like copies of each other).
#[allow(clippy::too_many_arguments)]
pub fn segment<'a>(
    frame: u64,
    ts: crate::time::Timestamp,
    src: crate::endpoint::Endpoint,
    dst: crate::endpoint::Endpoint,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &'a [u8],
) -> crate::decode::Segment<'a> {
    crate::decode::Segment {
        frame,
        ts,
        src,
        dst,
        seq,
        ack,
        flags: crate::decode::TcpFlags(flags),
        window: 65535,
        urgent: 0,
        payload,
        wire_len: payload.len() as u32,
        mss: (flags & 0x02 != 0).then_some(1460),
        wscale: None,
        sack_permitted: false,
        ip_id: frame as u16,
        checksum: frame as u16,
    }
}

/// A closed connection record from `orig` to `resp` between two frames, with these bytes
/// each way (everything else plain: handshake seen, four-way close).
pub fn closed_record(
    orig: crate::endpoint::Endpoint,
    resp: crate::endpoint::Endpoint,
    (first, last): (crate::time::Timestamp, crate::time::Timestamp),
    (first_frame, last_frame): (u64, u64),
    bytes: [u64; 2],
) -> crate::model::ConnRecord {
    use crate::model::{Close, ConnRecord, DirStats, EndReason, Handshake, Side, TcpState};
    let dir = |b: u64| DirStats {
        bytes: b,
        segments: 1 + u64::from(b > 0),
        data_segments: u64::from(b > 0),
        ..DirStats::default()
    };
    ConnRecord {
        id: first_frame,
        orig,
        resp,
        first_ts: first,
        last_ts: last,
        first_frame,
        last_frame,
        packets: last_frame.saturating_sub(first_frame) + 1,
        midstream: false,
        handshake: Some(Handshake::default()),
        close: Some(Close {
            initiator: Side::Orig,
            style: "four-way",
            complete: true,
            steps: Vec::new(),
            bytes_after_first_fin: 0,
        }),
        state: "SF",
        history: "ShADadFf".into(),
        orig_state: TcpState::TimeWait,
        resp_state: TcpState::Closed,
        orig_to_resp: dir(bytes[0]),
        resp_to_orig: dir(bytes[1]),
        end: EndReason::Closed,
        segments: Vec::new(),
        segments_not_noted: 0,
        preview: [Vec::new(), Vec::new()],
        content: None,
    }
}

/// A finished session from `client_ip:client_port` to `server_ip:21` whose logins are
/// `(user, second, succeeded)`: USER, 331, PASS, then 230 or 530 at that second.
pub fn session_with_logins(
    client_ip: &str,
    client_port: u16,
    server_ip: &str,
    logins: &[(&str, i64, bool)],
) -> crate::model::Session {
    use crate::endpoint::Endpoint;
    use crate::ftp::session::{SessionConfig, SessionState};
    use crate::tcp::{Side, Stamp, StreamEvent};
    use crate::time::Timestamp;
    let client = Endpoint::new(client_ip.parse().unwrap(), client_port);
    let server = Endpoint::new(server_ip.parse().unwrap(), 21);
    let id = u32::from(client_port);
    let mut s = SessionState::new(
        id,
        client,
        server,
        Side::Orig,
        false,
        SessionConfig::default(),
    );
    let base = 1_700_000_000_000_000_000i64;
    let mut frame = 3;
    let mut sent = [0u64; 2];
    let mut say = |s: &mut SessionState, side: Side, text: &str, secs: i64, ms: i64| {
        frame += 1;
        let i = if side == Side::Orig { 0 } else { 1 };
        let stamp = Stamp {
            ts: Timestamp(base + secs * 1_000_000_000 + ms * 1_000_000),
            frame,
            ack: Some(sent[1 - i]),
        };
        sent[i] += text.len() as u64;
        s.on_stream(side, StreamEvent::Bytes(text.as_bytes()), stamp);
        frame
    };
    let start = logins.first().map_or(0, |l| l.1);
    say(&mut s, Side::Resp, "220 ready\r\n", start, 0);
    for &(user, secs, ok) in logins {
        say(&mut s, Side::Orig, &format!("USER {user}\r\n"), secs, 1);
        say(&mut s, Side::Resp, "331 Password required\r\n", secs, 2);
        say(&mut s, Side::Orig, "PASS guess\r\n", secs, 3);
        let reply = if ok {
            "230 Logged in\r\n"
        } else {
            "530 Login incorrect.\r\n"
        };
        say(&mut s, Side::Resp, reply, secs, 4);
    }
    let end = logins.last().map_or(0, |l| l.1);
    let last = say(&mut s, Side::Orig, "QUIT\r\n", end, 5);
    let stamp = Stamp {
        ts: Timestamp(base + end * 1_000_000_000 + 6_000_000),
        frame: last + 1,
        ack: None,
    };
    for side in [Side::Orig, Side::Resp] {
        s.on_stream(side, StreamEvent::End { closed: true }, stamp);
    }
    let record = closed_record(
        client,
        server,
        (Timestamp(base + start * 1_000_000_000), stamp.ts),
        (1, last + 1),
        sent,
    );
    s.on_control_closed(record);
    s.finish(&mut crate::model::BoundCounters::default())
        .0
        .expect("the control connection closed")
}
