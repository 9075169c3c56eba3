//! 香港身份证: the Hong Kong identity card number.
//!
//! One or two letters, six digits and a check character in parentheses: `A123456(3)`,
//! `AB987654(3)`. The check character makes the weighted sum a multiple of 11: with a
//! single letter a space (value 36) stands in front; letters count 10–35 (`A`–`Z`), the
//! eight positions weigh 9 down to 2, and the check character 1 (`A` for 10). The
//! Immigration Department (入境事务处) prints the check digit but publishes no algorithm in
//! an ordinance; the scheme here is the one documented publicly with the department's own
//! sample number `A123456(3)` (e.g. Wikipedia, "Hong Kong identity card", section "Check
//! digit"). The number says neither sex nor birth date.
//!
//! Like every MOD 11 scheme over letters it cannot see one letter swapped for another
//! whose value differs by 11 or 22 (`A` and `L`, `B` and `M` …); every change of a digit
//! or of the check character is caught.

use core::fmt;

use super::{ascii, char_value, DocumentError, Kind, Norm};

const KIND: Kind = Kind::HongKongId;

/// A valid Hong Kong identity card number, held as `A123456(3)`.
///
/// ```
/// let id = cnid::HongKongId::parse("a1234563")?;
/// assert_eq!(id.as_str(), "A123456(3)");
/// assert_eq!(id.prefix(), "A");
/// assert!(cnid::HongKongId::parse("A123456(4)").is_err());
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HongKongId {
    /// `A123456(3)` or `AB123456(3)`.
    text: [u8; 11],
    len: u8,
}

/// Whether `b` (normalised, no parentheses) has the card's form: one or two letters, six
/// digits, a digit or `A`.
pub(crate) fn has_form(b: &[u8]) -> bool {
    if !(8..=9).contains(&b.len()) {
        return false;
    }
    let letters = b.len() - 7;
    b[..letters].iter().all(u8::is_ascii_uppercase)
        && b[letters..b.len() - 1].iter().all(u8::is_ascii_digit)
        && (b[b.len() - 1].is_ascii_digit() || b[b.len() - 1] == b'A')
}

/// The check character for the letters and six digits before it.
pub(crate) fn check(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut weight = 9u32;
    if body.len() == 7 {
        sum += 36 * weight;
        weight -= 1;
    }
    for &c in body {
        sum += char_value(c) * weight;
        weight -= 1;
    }
    match (11 - sum % 11) % 11 {
        10 => b'A',
        v => b'0' + v as u8,
    }
}

impl HongKongId {
    /// Parses `A123456(3)`, `A1234563`, `ab987654(3)` ….
    ///
    /// # Errors
    /// [`DocumentError`]: form or check character.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let n = Norm::new(input, KIND)?;
        let b = n.bytes();
        if !(8..=9).contains(&b.len()) {
            return Err(DocumentError::Unrecognised(b.len()));
        }
        let letters = b.len() - 7;
        n.expect(KIND, |i, c| {
            if i < letters {
                c.is_ascii_uppercase()
            } else if i + 1 < b.len() {
                c.is_ascii_digit()
            } else {
                c.is_ascii_digit() || c == b'A'
            }
        })?;
        let (body, last) = b.split_at(b.len() - 1);
        let expected = check(body);
        if expected != last[0] {
            return Err(DocumentError::CheckCharacter {
                kind: KIND,
                expected: char::from(expected),
                found: char::from(last[0]),
            });
        }
        let mut text = [0u8; 11];
        text[..body.len()].copy_from_slice(body);
        text[body.len()] = b'(';
        text[body.len() + 1] = last[0];
        text[body.len() + 2] = b')';
        Ok(HongKongId {
            text,
            len: (body.len() + 3) as u8,
        })
    }

    /// The number as printed: `A123456(3)`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.text[..usize::from(self.len)])
    }

    /// The one or two letters in front.
    #[must_use]
    pub fn prefix(&self) -> &str {
        ascii(&self.text[..usize::from(self.len) - 9])
    }

    /// The check character (`0`–`9` or `A`).
    #[must_use]
    pub fn check_char(&self) -> char {
        char::from(self.text[usize::from(self.len) - 2])
    }
}

impl fmt::Debug for HongKongId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HongKongId({}******(*))", self.prefix())
    }
}

impl fmt::Display for HongKongId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for HongKongId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("HongKongId", 3)?;
        st.serialize_field("kind", &KIND)?;
        st.serialize_field("number", self.as_str())?;
        st.serialize_field("prefix", self.prefix())?;
        st.end()
    }
}
