//! The advice's rules as firewall commands for the server's own host (`--advice
//! iptables|nftables`): what comes from the client is INPUT, what the server sends is
//! OUTPUT; connections that open are `NEW,ESTABLISHED`, their answers `ESTABLISHED`.

use super::{Rule, ServerAdvice, Side};
use serde::Serialize;
use std::net::IpAddr;

/// The firewall syntax of `--advice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// `iptables -A INPUT ...` (`ip6tables` for IPv6 servers).
    Iptables,
    /// `nft add rule inet ftpflow input ...`, after the table and chains they need.
    Nftables,
}

/// The commands for one server.
#[derive(Debug, Clone, Serialize)]
pub struct Commands {
    /// Their syntax.
    pub syntax: Syntax,
    /// One shell command a line.
    pub lines: Vec<String>,
}

/// The commands allowing `a`'s rules in `syntax`.
pub fn render(syntax: Syntax, a: &ServerAdvice) -> Commands {
    let lines = match syntax {
        Syntax::Iptables => a.rules.iter().map(iptables).collect(),
        Syntax::Nftables => {
            let mut v = vec![
                "nft add table inet ftpflow".to_string(),
                "nft 'add chain inet ftpflow input { type filter hook input priority 0; policy accept; }'".into(),
                "nft 'add chain inet ftpflow output { type filter hook output priority 0; policy accept; }'".into(),
            ];
            v.extend(a.rules.iter().map(nft));
            v
        }
    };
    Commands { syntax, lines }
}

fn inbound(r: &Rule) -> bool {
    r.direction == "client_to_server"
}

fn addrs(side: &Side) -> Option<String> {
    side.ips.as_ref().filter(|v| !v.is_empty()).map(|v| {
        v.iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

fn is_v6(r: &Rule) -> bool {
    let server = if r.from.role == "server" {
        &r.from
    } else {
        &r.to
    };
    server
        .ips
        .as_ref()
        .and_then(|v| v.first())
        .is_some_and(IpAddr::is_ipv6)
}

fn iptables(r: &Rule) -> String {
    let mut s = String::from(if is_v6(r) { "ip6tables" } else { "iptables" });
    s.push_str(if inbound(r) {
        " -A INPUT"
    } else {
        " -A OUTPUT"
    });
    s.push_str(" -p tcp");
    let ports = |p: super::Ports| {
        if p.min == p.max {
            p.min.to_string()
        } else {
            format!("{}:{}", p.min, p.max)
        }
    };
    if let Some(a) = addrs(&r.from) {
        s.push_str(&format!(" -s {a}"));
    }
    s.push_str(&format!(" --sport {}", ports(r.from.ports)));
    if let Some(a) = addrs(&r.to) {
        s.push_str(&format!(" -d {a}"));
    }
    s.push_str(&format!(" --dport {}", ports(r.to.ports)));
    s.push_str(if r.state == "new" {
        " -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"
    } else {
        " -m conntrack --ctstate ESTABLISHED -j ACCEPT"
    });
    s
}

fn nft(r: &Rule) -> String {
    let family = if is_v6(r) { "ip6" } else { "ip" };
    let ports = |p: super::Ports| {
        if p.min == p.max {
            p.min.to_string()
        } else {
            format!("{}-{}", p.min, p.max)
        }
    };
    let set = |a: String| {
        if a.contains(',') {
            format!("{{ {} }}", a.replace(',', ", "))
        } else {
            a
        }
    };
    let mut s = format!(
        "nft add rule inet ftpflow {}",
        if inbound(r) { "input" } else { "output" }
    );
    if let Some(a) = addrs(&r.from) {
        s.push_str(&format!(" {family} saddr {}", set(a)));
    }
    if let Some(a) = addrs(&r.to) {
        s.push_str(&format!(" {family} daddr {}", set(a)));
    }
    s.push_str(&format!(
        " tcp sport {} tcp dport {}",
        ports(r.from.ports),
        ports(r.to.ports)
    ));
    s.push_str(if r.state == "new" {
        " ct state new,established accept"
    } else {
        " ct state established accept"
    });
    // A set in braces must reach nft as one word.
    if s.contains('{') {
        format!("nft '{}'", &s["nft ".len()..])
    } else {
        s
    }
}
