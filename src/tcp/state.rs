//! What an observer can say about a TCP connection's state.
//!
//! [`TcpState`] uses RFC 793's names for each endpoint, inferred from the packets the
//! capture shows (the observer sees a SYN leave, not the endpoint's memory).
//! [`conn_state`] summarises a whole connection in Zeek's `conn_state` vocabulary and
//! [`History`] builds Zeek's `history` string, so the output can be compared with `conn.log`.
//!
//! `conn_state` mapping (orig = the endpoint that sent the first SYN):
//!
//! | state  | meaning |
//! |--------|---------|
//! | S0     | SYN seen, no reply |
//! | REJ    | SYN answered by RST |
//! | S1     | established, not closed |
//! | SF     | established, both sides sent FIN (normal close) |
//! | S2     | established, only orig sent FIN |
//! | S3     | established, only resp sent FIN |
//! | RSTO   | established, orig reset it |
//! | RSTR   | established, resp reset it |
//! | RSTOS0 | orig sent SYN then RST, no SYN-ACK seen |
//! | RSTRH  | resp sent SYN-ACK then RST, orig's SYN not seen |
//! | SH     | orig sent SYN then FIN, no SYN-ACK seen |
//! | SHR    | resp sent SYN-ACK then FIN, orig's SYN not seen |
//! | OTH    | no SYN seen (capture started mid-connection) |
//!
//! `history` letters, upper case for orig and lower case for resp, each recorded the first
//! time it happens in that direction: S SYN, H SYN-ACK, A pure ACK, D payload, F FIN, R RST,
//! T retransmitted payload or SYN, G bytes missing from the capture (gap), W zero window,
//! I a retransmission whose bytes differ from the first copy, Q SYN together with FIN or RST.

use crate::model::conn::TcpState;

impl TcpState {
    /// The endpoint sent its FIN.
    pub fn after_sending_fin(self) -> TcpState {
        match self {
            TcpState::CloseWait => TcpState::LastAck,
            TcpState::FinWait1 | TcpState::FinWait2 | TcpState::Closing | TcpState::LastAck => self,
            TcpState::TimeWait | TcpState::Closed => self,
            _ => TcpState::FinWait1,
        }
    }

    /// The endpoint's own FIN was acknowledged by the peer.
    pub fn after_fin_acked(self) -> TcpState {
        match self {
            TcpState::FinWait1 => TcpState::FinWait2,
            TcpState::Closing => TcpState::TimeWait,
            TcpState::LastAck => TcpState::Closed,
            s => s,
        }
    }

    /// The endpoint received the peer's FIN (RFC 793: ESTABLISHED -> CLOSE-WAIT; FIN-WAIT-1,
    /// its own FIN not yet acknowledged -> CLOSING; FIN-WAIT-2 -> TIME-WAIT). A FIN that
    /// also acknowledges the endpoint's FIN takes FIN-WAIT-1 to TIME-WAIT when applied after
    /// [`TcpState::after_fin_acked`].
    pub fn after_receiving_fin(self) -> TcpState {
        match self {
            TcpState::Established | TcpState::SynReceived | TcpState::SynSent => {
                TcpState::CloseWait
            }
            TcpState::FinWait1 => TcpState::Closing,
            TcpState::FinWait2 => TcpState::TimeWait,
            s => s,
        }
    }
}

/// Facts about a connection from which Zeek's `conn_state` follows.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    /// The initiator's SYN was seen.
    pub syn: bool,
    /// The responder's SYN-ACK was seen.
    pub syn_ack: bool,
    /// The initiator sent a FIN.
    pub fin_orig: bool,
    /// The responder sent a FIN.
    pub fin_resp: bool,
    /// The initiator sent a RST.
    pub rst_orig: bool,
    /// The responder sent a RST.
    pub rst_resp: bool,
    /// Which side sent the first RST (true: orig).
    pub first_rst_by_orig: Option<bool>,
}

/// Zeek's `conn_state` for a connection (see the module doc for the table).
pub fn conn_state(s: Seen) -> &'static str {
    let rst_any = s.rst_orig || s.rst_resp;
    match (s.syn, s.syn_ack) {
        (false, false) => "OTH",
        (true, false) => {
            if s.rst_resp {
                "REJ"
            } else if s.rst_orig {
                "RSTOS0"
            } else if s.fin_orig {
                "SH"
            } else {
                "S0"
            }
        }
        (false, true) => {
            if s.rst_resp {
                "RSTRH"
            } else if s.fin_resp {
                "SHR"
            } else {
                "OTH"
            }
        }
        (true, true) => {
            if rst_any {
                if s.first_rst_by_orig.unwrap_or(s.rst_orig) {
                    "RSTO"
                } else {
                    "RSTR"
                }
            } else if s.fin_orig && s.fin_resp {
                "SF"
            } else if s.fin_orig {
                "S2"
            } else if s.fin_resp {
                "S3"
            } else {
                "S1"
            }
        }
    }
}

/// Zeek-style history string, built letter by letter.
#[derive(Debug, Default, Clone)]
pub struct History {
    letters: String,
    seen_orig: u32,
    seen_resp: u32,
}

impl History {
    /// Records `letter` (upper case) for the direction, the first time only.
    #[inline]
    pub fn note(&mut self, orig: bool, letter: u8) {
        let bit = 1u32 << (letter.to_ascii_uppercase().wrapping_sub(b'A') % 26);
        let seen = if orig {
            &mut self.seen_orig
        } else {
            &mut self.seen_resp
        };
        if *seen & bit != 0 {
            return;
        }
        *seen |= bit;
        let c = if orig {
            letter.to_ascii_uppercase()
        } else {
            letter.to_ascii_lowercase()
        };
        self.letters.push(c as char);
    }

    /// The history so far: upper case for the initiator's events, lower case for the
    /// responder's.
    pub fn as_str(&self) -> &str {
        &self.letters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_close_is_sf() {
        let s = Seen {
            syn: true,
            syn_ack: true,
            fin_orig: true,
            fin_resp: true,
            ..Seen::default()
        };
        assert_eq!(conn_state(s), "SF");
    }

    #[test]
    fn syn_rst_is_rej() {
        let s = Seen {
            syn: true,
            rst_resp: true,
            ..Seen::default()
        };
        assert_eq!(conn_state(s), "REJ");
    }

    #[test]
    fn unanswered_syn_is_s0_and_midstream_is_oth() {
        assert_eq!(
            conn_state(Seen {
                syn: true,
                ..Seen::default()
            }),
            "S0"
        );
        assert_eq!(conn_state(Seen::default()), "OTH");
    }

    #[test]
    fn resets_after_establishment() {
        let base = Seen {
            syn: true,
            syn_ack: true,
            ..Seen::default()
        };
        let o = Seen {
            rst_orig: true,
            first_rst_by_orig: Some(true),
            ..base
        };
        assert_eq!(conn_state(o), "RSTO");
        let r = Seen {
            rst_resp: true,
            fin_orig: true,
            first_rst_by_orig: Some(false),
            ..base
        };
        assert_eq!(conn_state(r), "RSTR");
        assert_eq!(
            conn_state(Seen {
                fin_orig: true,
                ..base
            }),
            "S2"
        );
        assert_eq!(
            conn_state(Seen {
                fin_resp: true,
                ..base
            }),
            "S3"
        );
        assert_eq!(conn_state(base), "S1");
    }

    #[test]
    fn history_records_each_letter_once_per_direction() {
        let mut h = History::default();
        for (orig, l) in [
            (true, b'S'),
            (false, b'H'),
            (true, b'A'),
            (true, b'D'),
            (false, b'D'),
            (true, b'D'),
            (true, b'F'),
            (false, b'F'),
        ] {
            h.note(orig, l);
        }
        assert_eq!(h.as_str(), "ShADdFf");
    }

    #[test]
    fn four_way_close_states() {
        // Server closes first, as in the articles.
        let server = TcpState::Established.after_sending_fin();
        assert_eq!(server, TcpState::FinWait1);
        let client = TcpState::Established.after_receiving_fin();
        assert_eq!(client, TcpState::CloseWait);
        let server = server.after_fin_acked();
        assert_eq!(server, TcpState::FinWait2);
        let client = client.after_sending_fin();
        assert_eq!(client, TcpState::LastAck);
        let server = server.after_receiving_fin();
        assert_eq!(server, TcpState::TimeWait);
        assert_eq!(client.after_fin_acked(), TcpState::Closed);
    }

    #[test]
    fn fin_ack_takes_fin_wait_1_straight_to_time_wait() {
        let client = TcpState::Established.after_sending_fin();
        // The server's FIN+ACK: first its acknowledgment, then its FIN.
        let client = client.after_fin_acked().after_receiving_fin();
        assert_eq!(client, TcpState::TimeWait);
    }

    #[test]
    fn simultaneous_close_goes_through_closing() {
        let a = TcpState::Established.after_sending_fin();
        let a = a.after_receiving_fin();
        assert_eq!(a, TcpState::Closing);
        assert_eq!(a.after_fin_acked(), TcpState::TimeWait);
    }
}
