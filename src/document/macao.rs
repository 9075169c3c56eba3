//! 澳门居民身份证: the Macao resident identity card number.
//!
//! Seven digits and a digit in parentheses: `1234567(8)`. The first digit is `1` or `5`
//! for a permanent resident card (永久性居民身份证) and `7` for a non-permanent one (非永久性
//! 居民身份证), as the Identification Services Bureau (身份证明局, DSI) describes its cards.
//! The digit in parentheses is a check digit whose algorithm the DSI has not published:
//! cnid checks the form only ([`crate::Kind::has_check_character`] is `false`).

use core::fmt;

use super::{ascii, DocumentError, Kind, Norm};

const KIND: Kind = Kind::MacaoId;

/// A Macao resident ID number of valid form, held as `1234567(8)`.
///
/// ```
/// let id = cnid::MacaoId::parse("5215299(8)")?;
/// assert!(id.is_permanent());
/// assert_eq!(id.as_str(), "5215299(8)");
/// assert!(cnid::MacaoId::parse("3215299(8)").is_err());
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacaoId {
    text: [u8; 10],
}

impl MacaoId {
    /// Parses `1234567(8)` or `12345678`.
    ///
    /// # Errors
    /// [`DocumentError`]: length, a character, or a first digit other than 1, 5, 7.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let n = Norm::new(input, KIND)?;
        let b = n.bytes();
        if b.len() != 8 {
            return Err(DocumentError::Unrecognised(b.len()));
        }
        n.expect(KIND, |i, c| match i {
            0 => matches!(c, b'1' | b'5' | b'7'),
            _ => c.is_ascii_digit(),
        })?;
        let mut text = [0u8; 10];
        text[..7].copy_from_slice(&b[..7]);
        text[7] = b'(';
        text[8] = b[7];
        text[9] = b')';
        Ok(MacaoId { text })
    }

    /// The number as printed: `1234567(8)`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.text)
    }

    /// Whether the card is a permanent resident's (first digit 1 or 5).
    #[must_use]
    pub fn is_permanent(&self) -> bool {
        self.text[0] != b'7'
    }
}

impl fmt::Debug for MacaoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacaoId({}******(*))", char::from(self.text[0]))
    }
}

impl fmt::Display for MacaoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MacaoId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("MacaoId", 3)?;
        st.serialize_field("kind", &KIND)?;
        st.serialize_field("number", self.as_str())?;
        st.serialize_field("permanent", &self.is_permanent())?;
        st.end()
    }
}
