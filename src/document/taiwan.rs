//! 台湾身份证: the Taiwan national ID number (國民身分證統一編號) and, with the same
//! check digit since 2021, the unified ID number of residents (新式外來人口統一證號).
//!
//! A letter for the place of first household registration, `1` (male) or `2` (female) —
//! `8` (male) or `9` (female) for a resident's number — seven digits and a check digit:
//! `A123456789`. The letter stands for a two-digit number (`A` = 10 … see
//! [`TaiwanId::place`]); with its tens digit weighing 1, its units 9, the next eight
//! digits 8, 7 … 1 and the check digit 1, the sum is a multiple of 10. Source: the
//! Ministry of the Interior's (內政部) rule for the 統一編號, documented publicly with the
//! sample `A123456789` (e.g. Wikipedia, "National identification card (Taiwan)").
//!
//! A sum mod 10 cannot see every change: a digit of weight 5 changed by 2, 4, 6 or 8, or
//! one of weight 2, 4, 6, 8 changed by 5, keeps the sum; tests pin exactly that.

use core::fmt;

use super::{ascii, DocumentError, Kind, Norm};
use crate::Sex;

const KIND: Kind = Kind::TaiwanId;

/// Letter → (number, place of first registration), `A` to `Z`.
const PLACES: [(u8, &str); 26] = [
    (10, "台北市"),
    (11, "台中市"),
    (12, "基隆市"),
    (13, "台南市"),
    (14, "高雄市"),
    (15, "新北市"),
    (16, "宜兰县"),
    (17, "桃园市"),
    (34, "嘉义市"),
    (18, "新竹县"),
    (19, "苗栗县"),
    (20, "台中县"),
    (21, "南投县"),
    (22, "彰化县"),
    (35, "新竹市"),
    (23, "云林县"),
    (24, "嘉义县"),
    (25, "台南县"),
    (26, "高雄县"),
    (27, "屏东县"),
    (28, "花莲县"),
    (29, "台东县"),
    (32, "金门县"),
    (30, "澎湖县"),
    (31, "阳明山管理局"),
    (33, "连江县"),
];

/// The check digit of a letter and eight digits.
pub(crate) fn check(body: &[u8; 9]) -> u8 {
    let code = u32::from(PLACES[usize::from(body[0] - b'A')].0);
    let mut sum = code / 10 + code % 10 * 9;
    for (i, &d) in body[1..].iter().enumerate() {
        sum += u32::from(d - b'0') * (8 - i as u32);
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// A valid Taiwan ID number.
///
/// ```
/// let id = cnid::TaiwanId::parse("A123456789")?;
/// assert_eq!(id.place(), "台北市");
/// assert_eq!(id.sex(), cnid::Sex::Male);
/// assert!(id.is_citizen());
/// assert!(cnid::TaiwanId::parse("A123456788").is_err());
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaiwanId {
    raw: [u8; 10],
}

impl TaiwanId {
    /// Parses `A123456789` (a lower-case letter too).
    ///
    /// # Errors
    /// [`DocumentError`]: length, a character, the second digit, the check digit.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let n = Norm::new(input, KIND)?;
        let b = n.bytes();
        if b.len() != 10 {
            return Err(DocumentError::Unrecognised(b.len()));
        }
        n.expect(KIND, |i, c| match i {
            0 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })?;
        if !matches!(b[1], b'1' | b'2' | b'8' | b'9') {
            return Err(DocumentError::TaiwanSex(char::from(b[1])));
        }
        let raw: [u8; 10] = b.try_into().expect("10 bytes");
        let expected = check(raw[..9].try_into().expect("9 bytes"));
        if expected != raw[9] {
            return Err(DocumentError::CheckCharacter {
                kind: KIND,
                expected: char::from(expected),
                found: char::from(raw[9]),
            });
        }
        Ok(TaiwanId { raw })
    }

    /// The number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.raw)
    }

    /// The place of first household registration the letter stands for (present-day
    /// names in simplified characters; 台中县, 台南县 and 高雄县 merged into their cities
    /// in 2010, 阳明山管理局 was dissolved in 1974).
    #[must_use]
    pub fn place(&self) -> &'static str {
        PLACES[usize::from(self.raw[0] - b'A')].1
    }

    /// The sex: `1`/`8` male, `2`/`9` female.
    #[must_use]
    pub fn sex(&self) -> Sex {
        if matches!(self.raw[1], b'1' | b'8') {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Whether this is a citizen's number (`1`/`2`), not a resident's (`8`/`9`).
    #[must_use]
    pub fn is_citizen(&self) -> bool {
        matches!(self.raw[1], b'1' | b'2')
    }
}

impl fmt::Debug for TaiwanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TaiwanId({}{}*******)",
            char::from(self.raw[0]),
            char::from(self.raw[1])
        )
    }
}

impl fmt::Display for TaiwanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TaiwanId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TaiwanId", 5)?;
        st.serialize_field("kind", &KIND)?;
        st.serialize_field("number", self.as_str())?;
        st.serialize_field("place", self.place())?;
        st.serialize_field("sex", &self.sex())?;
        st.serialize_field("citizen", &self.is_citizen())?;
        st.end()
    }
}
