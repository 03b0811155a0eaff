//! Text that came from the wire: a user name, an argument, a reply line.
//!
//! The wire carries bytes, not necessarily UTF-8. JSON and library callers get text (the
//! bytes as lossy UTF-8: each invalid sequence becomes U+FFFD), but the terminal formats
//! must show what was really sent (an invalid byte as `\xff`, see
//! [`crate::report::safe`]), so a [`WireText`] keeps the original bytes too when they were
//! not valid UTF-8. Valid text (nearly all) costs nothing more than a `String`.

use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// Bytes from the capture, readable as text (lossy UTF-8) and, for the terminal, as the
/// bytes that were sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WireText {
    /// The bytes as lossy UTF-8: what JSON and `Deref` give.
    text: String,
    /// The bytes as sent, only when they are not valid UTF-8 (`text` then differs).
    // Boxed twice so that the common case (valid text) adds one pointer, not two words
    // (the type is 32 bytes, not 40: replies keep many lines).
    #[allow(clippy::box_collection)]
    raw: Option<Box<Vec<u8>>>,
}

impl WireText {
    /// Text from bytes as they came from the wire.
    pub fn from_bytes(bytes: &[u8]) -> WireText {
        match std::str::from_utf8(bytes) {
            Ok(s) => WireText {
                text: s.to_owned(),
                raw: None,
            },
            Err(_) => WireText {
                text: String::from_utf8_lossy(bytes).into_owned(),
                raw: Some(Box::new(bytes.to_vec())),
            },
        }
    }

    /// The text (invalid UTF-8 replaced by U+FFFD).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The bytes as sent on the wire.
    pub fn wire_bytes(&self) -> &[u8] {
        match &self.raw {
            Some(raw) => raw,
            None => self.text.as_bytes(),
        }
    }
}

impl Deref for WireText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl From<String> for WireText {
    fn from(text: String) -> WireText {
        WireText { text, raw: None }
    }
}

impl From<&str> for WireText {
    fn from(text: &str) -> WireText {
        WireText::from(text.to_owned())
    }
}

impl PartialEq<str> for WireText {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for WireText {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// The text, as a `String` would show it (terminal formats escape it first).
impl fmt::Display for WireText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for WireText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            None => fmt::Debug::fmt(&self.text, f),
            Some(raw) => write!(f, "{:?}", raw.escape_ascii().to_string()),
        }
    }
}

/// JSON gets the text, as it did when these fields were `String`s.
impl Serialize for WireText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_kept_once_and_invalid_bytes_are_kept_as_sent() {
        let ok = WireText::from_bytes("pub/文件".as_bytes());
        assert_eq!(ok.as_str(), "pub/文件");
        assert_eq!(ok.wire_bytes(), "pub/文件".as_bytes());
        assert!(ok.raw.is_none());

        let bad = WireText::from_bytes(b"a\xff\xfeb\xe6\x96");
        assert_eq!(bad.as_str(), "a\u{fffd}\u{fffd}b\u{fffd}");
        assert_eq!(bad.wire_bytes(), b"a\xff\xfeb\xe6\x96");
        assert_eq!(
            serde_json::to_string(&bad).unwrap(),
            "\"a\u{fffd}\u{fffd}b\u{fffd}\""
        );
        assert_eq!(std::mem::size_of::<WireText>(), 32);
    }
}
