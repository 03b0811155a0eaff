//! Tracker tests of FTPS and of third-host announcements: data connections of an encrypted
//! session linked by inference (and only the right ones), PROT P data counted as
//! encrypted, FXP told apart from an FTP bounce.

use super::*;

/// A TLS record of `kind` with a body of `len` pattern bytes.
fn tls_record(kind: u8, len: usize) -> Vec<u8> {
    let mut r = vec![kind, 3, 3, (len >> 8) as u8, len as u8];
    r.extend((0..len).map(|i| (i * 7 + 1) as u8));
    r
}

/// A session from `client` to `server` that logs in nowhere readable: 220, AUTH TLS, 234,
/// then a TLS handshake on the control connection.
fn encrypted_session(n: &mut Net, client: &str, server: &str) -> Tcp {
    let mut ctl = n.connect(client, server);
    reply(n, &mut ctl, "220 (vsFTPd 3.0.5)");
    cmd(n, &mut ctl, "AUTH TLS");
    reply(n, &mut ctl, "234 Proceed with negotiation.");
    n.send(&mut ctl, true, &tls_record(22, 300));
    n.send(&mut ctl, false, &tls_record(22, 1500));
    n.send(&mut ctl, true, &tls_record(23, 60));
    ctl
}

/// Ends an encrypted session: a TLS record each way and the close.
fn end_encrypted(n: &mut Net, ctl: &mut Tcp) {
    n.send(ctl, true, &tls_record(23, 30));
    n.send(ctl, false, &tls_record(23, 30));
    n.close(ctl);
}

/// A data connection opened by `a` carrying a TLS handshake and then `bytes` of records
/// from `b` (a download) or from `a`.
fn tls_data(n: &mut Net, a: &str, b: &str, from_b: bool, bytes: usize) {
    let mut d = n.connect(a, b);
    n.send(&mut d, true, &tls_record(22, 200));
    n.send(&mut d, false, &tls_record(22, 900));
    n.send(&mut d, !from_b, &tls_record(23, bytes));
    n.close(&mut d);
}

#[test]
fn tracker_infers_the_data_connections_of_an_encrypted_session() {
    let mut n = Net::new();
    let mut ctl = encrypted_session(&mut n, CLIENT, SERVER);
    // Passive: the client connects to a high port of the server.
    tls_data(
        &mut n,
        "192.0.2.10:50101",
        "198.51.100.20:40001",
        true,
        5000,
    );
    n.send(&mut ctl, false, &tls_record(23, 40));
    // Active: the server connects from port 20 (an upload: the client sends).
    tls_data(&mut n, "198.51.100.20:20", "192.0.2.10:50333", true, 7000);
    end_encrypted(&mut n, &mut ctl);
    let (got, counts) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let s = &got.sessions[0];
    assert!(s.tls.is_some());
    let seen: Vec<_> = s
        .transfers
        .iter()
        .map(|t| {
            (
                t.inferred,
                t.encrypted,
                t.mode,
                t.direction,
                t.command.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (true, true, Some(Mode::Passive), Direction::Download, "?"),
            (true, true, Some(Mode::Active), Direction::Upload, "?"),
        ]
    );
    let d = s.transfers[1].data.as_ref().unwrap();
    assert_eq!(d.server, ep("198.51.100.20:20"));
    assert_eq!(d.opened_by, "server");
    assert!(!d.link.exact);
    assert!(d.link.note.as_deref().unwrap().contains("inferred"));
    let kinds: Vec<_> = s.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|&&k| k == FindingKind::DataLinkInferred)
            .count(),
        2
    );
    assert!(kinds.contains(&FindingKind::DataEncrypted));
    assert_eq!(counts.data_connections, 2);
    // The inferred command is marked, and the JSON says so on the transfer.
    assert!(
        s.commands
            .iter()
            .filter(|c| c.command == "?")
            .all(|c| c.inferred)
    );
    let json = serde_json::to_value(&s.transfers[0]).unwrap();
    assert_eq!(json["inferred"], true);
    assert_eq!(json["encrypted"], true);
}

#[test]
fn inference_keeps_concurrent_sessions_of_different_hosts_apart_and_skips_other_services() {
    let mut n = Net::new();
    let mut a = encrypted_session(&mut n, CLIENT, SERVER);
    let mut b = encrypted_session(&mut n, "192.0.2.77:50500", "198.51.100.99:21");
    tls_data(
        &mut n,
        "192.0.2.77:50501",
        "198.51.100.99:40100",
        true,
        3000,
    );
    tls_data(
        &mut n,
        "192.0.2.10:50101",
        "198.51.100.20:40001",
        true,
        4000,
    );
    // Not FTP data: SSH and HTTPS between the same hosts while the session is open.
    tls_data(&mut n, "192.0.2.10:50102", "198.51.100.20:22", false, 100);
    tls_data(&mut n, "192.0.2.10:50103", "198.51.100.20:443", true, 100);
    // A second control connection between the same hosts is a session of its own.
    let mut c = n.connect("192.0.2.10:50104", SERVER);
    reply(&mut n, &mut c, "220 (vsFTPd 3.0.5)");
    quit(&mut n, &mut c);
    end_encrypted(&mut n, &mut a);
    end_encrypted(&mut n, &mut b);
    let (got, _) = n.finish();
    let mut sessions: Vec<_> = got.sessions.iter().collect();
    sessions.sort_by_key(|s| s.id);
    assert_eq!(sessions.len(), 3);
    let linked = |s: &Session| -> Vec<(u16, u16)> {
        s.transfers
            .iter()
            .filter_map(|t| t.data.as_ref().map(|d| (d.client.port, d.server.port)))
            .collect()
    };
    assert_eq!(linked(sessions[0]), [(50101, 40001)]);
    assert_eq!(linked(sessions[1]), [(50501, 40100)]);
    assert!(sessions[2].transfers.is_empty());
}

#[test]
fn no_inference_without_tls() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    tls_data(
        &mut n,
        "192.0.2.10:50101",
        "198.51.100.20:40001",
        true,
        3000,
    );
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    assert!(got.sessions[0].transfers.is_empty());
    assert_eq!(got.unlinked.len(), 1);
}

#[test]
fn auth_refused_stays_in_clear_text() {
    let mut n = Net::new();
    let mut ctl = n.connect(CLIENT, SERVER);
    reply(&mut n, &mut ctl, "220 (vsFTPd 3.0.5)");
    cmd(&mut n, &mut ctl, "AUTH TLS");
    reply(&mut n, &mut ctl, "530 Please login with USER and PASS.");
    cmd(&mut n, &mut ctl, "USER alice");
    reply(&mut n, &mut ctl, "331 Please specify the password.");
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    let s = &got.sessions[0];
    assert!(s.tls.is_none());
    let f = s
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::AuthRefused)
        .expect("auth_refused");
    assert!(f.message.contains("clear text"), "{}", f.message);
    assert_eq!(s.commands.last().unwrap().command, "QUIT");
}

/// FXP: the client has server A listen (PASV) and tells server B to connect there (PORT).
/// A PORT to a third host without such an announcement is a bounce.
#[test]
fn fxp_is_told_apart_from_a_bounce() {
    let mut n = Net::new();
    let mut a = logged_in(&mut n);
    let mut b = n.connect("192.0.2.10:50300", "203.0.113.50:21");
    reply(&mut n, &mut b, "220 B");
    cmd(&mut n, &mut b, "USER bob");
    reply(&mut n, &mut b, "230 Login successful.");
    cmd(&mut n, &mut a, "PASV");
    reply(
        &mut n,
        &mut a,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    cmd(&mut n, &mut b, "PORT 198,51,100,20,195,80");
    reply(&mut n, &mut b, "200 PORT command successful.");
    // A bounce: a third host that announced nothing, then a privileged port.
    cmd(&mut n, &mut b, "PORT 203,0,113,77,195,90");
    reply(&mut n, &mut b, "200 PORT command successful.");
    cmd(&mut n, &mut b, "PORT 203,0,113,78,0,25");
    reply(&mut n, &mut b, "200 PORT command successful.");
    quit(&mut n, &mut b);
    quit(&mut n, &mut a);
    let (got, _) = n.finish();
    let b = got
        .sessions
        .iter()
        .find(|s| s.server.port == 21 && s.id == 2)
        .unwrap();
    let kinds: Vec<_> = b.findings.iter().map(|f| (f.kind, f.severity)).collect();
    assert_eq!(
        kinds,
        [
            (FindingKind::Fxp, crate::model::Severity::Info),
            (FindingKind::PortBounce, crate::model::Severity::Error),
            (FindingKind::PortBounce, crate::model::Severity::Error),
        ]
    );
    assert!(b.findings[0].message.contains("session 1"));
    assert!(b.findings[2].message.contains("privileged"));
}

#[test]
fn port_naming_a_private_address_says_the_client_is_behind_nat() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PORT 192,168,1,33,207,6");
    reply(&mut n, &mut ctl, "200 PORT command successful.");
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    let f = got.sessions[0]
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::PortAddressDiffers)
        .expect("port_address_differs");
    assert!(
        f.message.contains("client side must change"),
        "{}",
        f.message
    );
}
