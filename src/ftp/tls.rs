//! TLS on the control connection, followed record by record without decrypting anything.
//!
//! **Input:** the bytes of one direction after TLS started (AUTH TLS accepted with 234, or
//! implicit FTPS from the first byte). **Output:** how many of them are TLS, and where
//! plain FTP text starts again.
//!
//! **Rules** (RFC 5246 §6.2, RFC 4217 §6 "CCC"): a TLS record is a 5-byte header
//! (content type 20-24, version 3.x, 16-bit length) and its body. After CCC both sides
//! close TLS with a close_notify alert (content type 21) and go on in plain text. So in a
//! direction that has sent an alert, a byte at a record boundary that cannot start a
//! record (plain FTP text is printable ASCII, never 20-24) is where plain text resumes.
//! The alert itself is encrypted; an alert followed by more records (a warning alert)
//! changes nothing.

/// The first bytes of a TLS record: handshake (22), version 3.x.
pub fn looks_like_tls_start(bytes: &[u8]) -> bool {
    matches!(bytes, [22, 3, 0..=4, ..])
}

/// What [`TlsRecords::feed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// Every byte was TLS.
    Tls,
    /// TLS ended (after an alert): plain text starts at this index of the bytes given.
    PlainFrom(usize),
}

/// One direction's TLS record framing.
#[derive(Debug, Default)]
pub struct TlsRecords {
    header: [u8; 5],
    header_len: usize,
    body_left: u64,
    /// An alert record went by in this direction.
    alert_seen: bool,
    /// Records seen.
    pub records: u64,
}

const ALERT: u8 = 21;

impl TlsRecords {
    /// Walks `data` record by record.
    pub fn feed(&mut self, data: &[u8]) -> Fed {
        let mut i = 0;
        while i < data.len() {
            if self.body_left > 0 {
                let take = (data.len() - i).min(self.body_left.min(usize::MAX as u64) as usize);
                self.body_left -= take as u64;
                i += take;
                continue;
            }
            if self.header_len == 0 && self.alert_seen && !(20..=24).contains(&data[i]) {
                return Fed::PlainFrom(i);
            }
            self.header[self.header_len] = data[i];
            self.header_len += 1;
            i += 1;
            if self.header_len == self.header.len() {
                let [kind, _, _, hi, lo] = self.header;
                self.body_left = u64::from(u16::from_be_bytes([hi, lo]));
                self.header_len = 0;
                self.records += 1;
                if kind == ALERT {
                    self.alert_seen = true;
                }
            }
        }
        Fed::Tls
    }

    /// Bytes were lost: record framing is no longer known; treat what follows as TLS
    /// until an alert is seen again.
    pub fn lost(&mut self) {
        self.header_len = 0;
        self.body_left = 0;
        self.alert_seen = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, body: usize) -> Vec<u8> {
        let mut v = vec![kind, 3, 1, (body >> 8) as u8, body as u8];
        v.extend(std::iter::repeat_n(0xab, body));
        v
    }

    #[test]
    fn plain_text_after_an_alert_in_any_chunking() {
        let mut stream = record(22, 300);
        stream.extend(record(23, 40));
        stream.extend(record(21, 26));
        let plain_at = stream.len();
        stream.extend_from_slice(b"PASV\r\n");
        for chunk in [1, 2, 5, 7, 64, 1000] {
            let mut t = TlsRecords::default();
            let mut at = None;
            let mut offset = 0;
            for piece in stream.chunks(chunk) {
                if let Fed::PlainFrom(i) = t.feed(piece) {
                    at = Some(offset + i);
                    break;
                }
                offset += piece.len();
            }
            assert_eq!(at, Some(plain_at), "chunks of {chunk}");
            assert_eq!(t.records, 3);
        }
    }

    #[test]
    fn records_after_a_warning_alert_stay_tls() {
        let mut t = TlsRecords::default();
        let mut stream = record(21, 2);
        stream.extend(record(23, 10));
        assert_eq!(t.feed(&stream), Fed::Tls);
        assert!(looks_like_tls_start(&record(22, 10)));
        assert!(!looks_like_tls_start(b"USER x\r\n"));
    }
}
