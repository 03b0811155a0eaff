//! Unit tests of the advice builder, on sessions made by hand.

use super::*;
use crate::model::{
    CommandRecord, DataConnection, Direction, Finding, LinkNote, Severity, Status, Transfer,
};

fn ep(s: &str) -> Endpoint {
    let a: std::net::SocketAddr = s.parse().unwrap();
    Endpoint::new(a.ip(), a.port())
}

/// A session between `client` and `server` from a real sample, emptied of its commands,
/// transfers and findings.
fn base(id: u32, client: &str, server: &str) -> Session {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/seed001-active-ls-pwd-quit.pcap"),
    )
    .unwrap();
    let mut a = crate::analyze::Analyzer::new(crate::analyze::Config::default());
    a.read_named("seed001", Box::new(&bytes[..]));
    let mut s = a.finish().unwrap().sessions.remove(0);
    s.id = id;
    s.client = ep(client);
    s.server = ep(server);
    s.commands.clear();
    s.transfers.clear();
    s.findings.clear();
    s
}

fn command(verb: &str, ep_: Option<Endpoint>, s: &Session) -> CommandRecord {
    let mut c = base_command(s);
    c.command = verb.into();
    c.data_endpoint = ep_;
    c
}

fn base_command(s: &Session) -> CommandRecord {
    CommandRecord {
        ts: s.start,
        frame: 1,
        command: String::new(),
        arg: None,
        arg_len: None,
        arg_truncated: false,
        masked: false,
        reply_code: Some(200),
        reply_text: None,
        replies: Vec::new(),
        data_endpoint: None,
        port_arithmetic: None,
        address_error: None,
        transfer: None,
        after_gap: false,
        telnet_interrupt: false,
        inferred: false,
    }
}

/// A transfer `id` in `mode`, carried from `client` to `server` data endpoints when given.
fn transfer(
    s: &Session,
    id: u32,
    mode: Mode,
    data: Option<(&str, &str)>,
    status: Status,
) -> Transfer {
    Transfer {
        id,
        command: "LIST".into(),
        arg: None,
        file_name: None,
        ts: s.start,
        frame: 1,
        command_index: 0,
        mode: Some(mode),
        setup: Some(if mode == Mode::Active { "PORT" } else { "PASV" }.into()),
        setup_command_index: None,
        data_endpoint: None,
        port_arithmetic: None,
        direction: Direction::Listing,
        data: data.map(|(c, sv)| DataConnection {
            client: ep(c),
            server: ep(sv),
            opened_by: if mode == Mode::Active {
                "server"
            } else {
                "client"
            },
            link: LinkNote {
                exact: true,
                note: None,
            },
            tcp: s.control.clone(),
        }),
        bytes: None,
        missed_bytes: None,
        duration: None,
        throughput: None,
        reply_code: Some(if status == Status::Complete { 226 } else { 425 }),
        reply_text: None,
        status,
        announced_size: None,
        rest_offset: None,
        stored_as: None,
        preview: Vec::new(),
        listing: None,
        content: None,
        inferred: false,
        encrypted: false,
    }
}

fn finding(kind: FindingKind, transfer: Option<u32>) -> Finding {
    Finding {
        severity: Severity::Error,
        kind,
        message: format!("{} happened", kind.name()),
        ts: None,
        frame: None,
        transfer,
    }
}

fn modes(a: &ServerAdvice) -> Vec<(RuleMode, &str, String)> {
    a.rules
        .iter()
        .map(|r| (r.mode, r.state, r.ports.clone()))
        .collect()
}

#[test]
fn active_only_gives_the_articles_four_active_rules() {
    let mut s = base(1, "172.16.0.5:40000", "172.16.0.1:21");
    s.commands
        .push(command("PORT", Some(ep("172.16.0.5:40001")), &s));
    s.transfers.push(transfer(
        &s,
        1,
        Mode::Active,
        Some(("172.16.0.5:40001", "172.16.0.1:20")),
        Status::Complete,
    ));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    assert_eq!(a.server, ep("172.16.0.1:21"));
    assert_eq!(
        modes(a),
        vec![
            (RuleMode::Control, "new", "client >1023 -> server 21".into()),
            (
                RuleMode::Control,
                "established",
                "server 21 -> client >1023".into()
            ),
            (RuleMode::Active, "new", "server 20 -> client >1023".into()),
            (
                RuleMode::Active,
                "established",
                "client >1023 -> server 20".into()
            ),
        ]
    );
    assert!(a.problems.is_empty());
    assert_eq!(a.passive_ports, None);
    assert_eq!(a.rules[2].seen_in, vec![1]);
}

#[test]
fn passive_only_gives_the_announced_range_and_count() {
    let mut s = base(3, "10.0.0.9:50000", "10.0.0.1:2121");
    for p in [61204, 61210, 61207] {
        s.commands
            .push(command("PASV", Some(Endpoint::new(s.server.ip, p)), &s));
    }
    s.transfers.push(transfer(
        &s,
        1,
        Mode::Passive,
        Some(("10.0.0.9:50001", "10.0.0.1:61204")),
        Status::Complete,
    ));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    assert_eq!(a.passive_announcements, 3);
    assert_eq!(
        a.passive_ports,
        Some(Ports {
            min: 61204,
            max: 61210
        })
    );
    assert_eq!(
        modes(a),
        vec![
            (
                RuleMode::Control,
                "new",
                "client >1023 -> server 2121".into()
            ),
            (
                RuleMode::Control,
                "established",
                "server 2121 -> client >1023".into()
            ),
            (
                RuleMode::Passive,
                "new",
                "client >1023 -> server 61204-61210".into()
            ),
            (
                RuleMode::Passive,
                "established",
                "server 61204-61210 -> client >1023".into()
            ),
        ]
    );
}

#[test]
fn both_modes_and_failures_name_the_transfer_and_the_fix() {
    let mut s = base(2, "172.16.0.5:40000", "172.16.0.1:21");
    s.commands
        .push(command("PORT", Some(ep("172.16.0.5:40011")), &s));
    s.commands
        .push(command("PASV", Some(ep("172.16.0.1:61204")), &s));
    s.transfers.push(transfer(
        &s,
        1,
        Mode::Active,
        Some(("172.16.0.5:40011", "172.16.0.1:20")),
        Status::Failed,
    ));
    s.transfers.push(transfer(
        &s,
        2,
        Mode::Passive,
        Some(("172.16.0.5:40012", "172.16.0.1:61204")),
        Status::Failed,
    ));
    s.findings
        .push(finding(FindingKind::ActiveConnectUnanswered, Some(1)));
    s.findings
        .push(finding(FindingKind::CannotOpenDataConnection, Some(1)));
    s.findings
        .push(finding(FindingKind::PassiveConnectRefused, Some(2)));
    s.findings
        .push(finding(FindingKind::ClearTextPassword, None));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    assert_eq!(a.rules.len(), 6);
    // The 425 of transfer 1 adds nothing to its unanswered SYN; the password is not a
    // firewall matter.
    let kinds: Vec<_> = a.problems.iter().map(|p| (p.transfer, p.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Some(1), FindingKind::ActiveConnectUnanswered),
            (Some(2), FindingKind::PassiveConnectRefused)
        ]
    );
    assert!(a.problems[0].fix.contains("use passive mode"));
    assert!(a.problems[0].fix.contains("nf_conntrack_ftp"));
    assert!(a.problems[1].fix.contains("pasv_min_port"));
    assert_eq!(a.problems[0].command.as_deref(), Some("LIST"));
}

#[test]
fn a_natd_227_advises_the_public_address_or_epsv() {
    let mut s = base(1, "203.0.113.5:40000", "198.51.100.7:21");
    s.commands
        .push(command("PASV", Some(ep("192.168.1.10:50000")), &s));
    s.transfers.push(transfer(
        &s,
        1,
        Mode::Passive,
        Some(("203.0.113.5:40001", "198.51.100.7:50000")),
        Status::Complete,
    ));
    s.findings
        .push(finding(FindingKind::PasvAddressDiffers, None));
    s.findings
        .push(finding(FindingKind::DataAddressDiffers, Some(1)));
    s.findings
        .push(finding(FindingKind::PasvAddressDiffers, None));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    // The announcement's problem once, counted again; the link's follows from it.
    assert_eq!(a.problems.len(), 1);
    assert_eq!(a.problems[0].repeats, 1);
    assert!(a.problems[0].fix.contains("pasv_address"));
    assert!(a.problems[0].fix.contains("EPSV"));
    // The rule names the server's real address, not the announced private one.
    assert_eq!(a.rules[2].to.ips, Some(vec![ep("198.51.100.7:1").ip]));
}

#[test]
fn a_425_without_a_connection_finding_gets_the_fix_of_its_mode() {
    let mut s = base(1, "10.0.0.9:50000", "10.0.0.1:21");
    s.commands
        .push(command("PASV", Some(ep("10.0.0.1:30000")), &s));
    s.transfers
        .push(transfer(&s, 1, Mode::Passive, None, Status::Failed));
    s.findings
        .push(finding(FindingKind::CannotOpenDataConnection, Some(1)));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    assert_eq!(a.problems.len(), 1);
    assert!(a.problems[0].fix.contains("passive port range"));
}

#[test]
fn servers_and_clients_are_bounded() {
    let mut adv = Advisor::new();
    let s0 = base(1, "10.0.0.9:50000", "10.0.0.1:21");
    for i in 0..(MAX_SERVERS + 3) {
        let mut s = s0.clone();
        s.server = Endpoint::new(std::net::Ipv4Addr::from(0x0a01_0000 + i as u32).into(), 21);
        adv.observe(&s);
    }
    assert_eq!(adv.advice(None).len(), MAX_SERVERS);
    assert_eq!(adv.untracked_sessions(), 3);

    let mut adv = Advisor::new();
    for i in 0..(MAX_CLIENTS + 1) {
        let mut s = s0.clone();
        s.client = Endpoint::new(
            std::net::Ipv4Addr::from(0x0a02_0000 + i as u32).into(),
            40000,
        );
        adv.observe(&s);
    }
    let a = &adv.advice(None)[0];
    assert_eq!(a.sessions as usize, MAX_CLIENTS + 1);
    assert_eq!(
        a.rules[0].from.ips, None,
        "past the bound: any client address"
    );
}

#[test]
fn a_client_on_a_low_port_widens_the_control_rule() {
    let s = base(1, "10.0.0.9:1000", "10.0.0.1:21");
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    assert_eq!(
        a.rules[0].from.ports,
        Ports {
            min: 1000,
            max: 65535
        }
    );
    assert!(a.rules[0].why.contains("port 1000"));
}

#[test]
fn commands_follow_the_rules() {
    let mut s = base(1, "172.16.0.5:40000", "172.16.0.1:21");
    s.commands
        .push(command("PASV", Some(ep("172.16.0.1:61204")), &s));
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(Some(Syntax::Iptables))[0];
    let lines = &a.commands.as_ref().unwrap().lines;
    assert_eq!(
        lines[0],
        "iptables -A INPUT -p tcp -s 172.16.0.5 --sport 1024:65535 -d 172.16.0.1 --dport 21 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"
    );
    assert!(lines[2].contains("--dport 61204") && lines[2].contains("NEW,ESTABLISHED"));
    assert!(lines[3].starts_with("iptables -A OUTPUT") && lines[3].contains("--sport 61204"));
    let a = &adv.advice(Some(Syntax::Nftables))[0];
    let lines = &a.commands.as_ref().unwrap().lines;
    assert!(lines.iter().any(|l| l
        == "nft add rule inet ftpflow input ip saddr 172.16.0.5 ip daddr 172.16.0.1 tcp sport 1024-65535 tcp dport 61204 ct state new,established accept"));
}

#[test]
fn an_encrypted_session_advises_explicit_data_ports_once_with_the_ports_seen() {
    let mut s = base(1, "10.0.0.9:50000", "10.0.0.1:21");
    for (id, port) in [(1, 30018), (2, 30080)] {
        let mut t = transfer(
            &s,
            id,
            Mode::Passive,
            Some(("10.0.0.9:50001", &format!("10.0.0.1:{port}"))),
            Status::Incomplete,
        );
        t.inferred = true;
        s.transfers.push(t);
        s.findings
            .push(finding(FindingKind::DataLinkInferred, Some(id)));
    }
    let mut adv = Advisor::new();
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    // No announcement was read: the rule's ports are those of the connections.
    assert_eq!(a.passive_announcements, 0);
    let rule = a
        .rules
        .iter()
        .find(|r| r.mode == RuleMode::Passive)
        .unwrap();
    assert_eq!(rule.ports, "client >1023 -> server 30018-30080");
    assert!(
        rule.why.contains("seen on 2 data connections"),
        "{}",
        rule.why
    );
    // One problem for the server, not for its first transfer.
    assert_eq!(a.problems.len(), 1);
    assert_eq!((a.problems[0].transfer, a.problems[0].repeats), (None, 1));
    assert!(a.problems[0].fix.contains("nf_conntrack_ftp"));
    assert!(a.problems[0].fix.contains("pasv_min_port"));
}

#[test]
fn password_guessing_is_one_problem_per_server_and_bounce_gets_rfc_2577s_fix() {
    let mut adv = Advisor::new();
    for id in 1..=3 {
        let mut s = base(id, "10.0.0.9:50000", "10.0.0.1:21");
        s.findings.push(finding(FindingKind::BruteForce, None));
        adv.observe(&s);
    }
    let mut s = base(4, "10.0.0.9:50010", "10.0.0.1:21");
    s.findings.push(finding(FindingKind::PortBounce, None));
    adv.observe(&s);
    let a = &adv.advice(None)[0];
    let kinds: Vec<_> = a.problems.iter().map(|p| (p.kind, p.repeats)).collect();
    assert_eq!(
        kinds,
        [(FindingKind::BruteForce, 2), (FindingKind::PortBounce, 0)]
    );
    assert!(a.problems[0].fix.contains("max_login_fails"));
    assert!(a.problems[1].fix.contains("RFC 2577"));
}
