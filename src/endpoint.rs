//! Transport endpoints (`ip:port`).
//!
//! Printed the way users type them: `192.168.9.186:55427`, `[2001:db8::1]:21`.
//! Serialized in JSON as `{"ip": "...", "port": N}`.

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// One side of a TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    /// The IPv4 or IPv6 address.
    pub ip: IpAddr,
    /// The TCP port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint from an address and a port.
    pub fn new(ip: IpAddr, port: u16) -> Endpoint {
        Endpoint { ip, port }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{ip}:{}", self.port),
            IpAddr::V6(ip) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_v4_and_v6() {
        let v4 = Endpoint::new("192.168.9.186".parse().unwrap(), 55427);
        assert_eq!(v4.to_string(), "192.168.9.186:55427");
        let v6 = Endpoint::new("2001:db8::1".parse().unwrap(), 21);
        assert_eq!(v6.to_string(), "[2001:db8::1]:21");
    }
}
