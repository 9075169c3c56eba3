//! Documents beside the resident ID card: the foreigners' permanent residence ID, Hong
//! Kong, Macao and Taiwan identity cards, and the mainland travel permits of their
//! residents; [`Document::parse`] tells them apart.
//!
//! Written with `core` only (no allocation): every number is held in a small inline buffer.

use core::fmt;

use chrono::NaiveDate;

use crate::clock::Today;
use crate::error::ParseError;
use crate::id_number::IdNumber;

mod foreign;
mod hong_kong;
mod macao;
mod nationality;
mod permit;
mod taiwan;

pub use foreign::{ForeignFormat, ForeignPermanentId};
pub use hong_kong::HongKongId;
pub use macao::MacaoId;
pub use nationality::Nationality;
pub use permit::{HkMacaoPermit, TaiwanPermit};
pub use taiwan::TaiwanId;

/// The kind of a document number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Kind {
    /// 居民身份证 (GB 11643-1999), 15 or 18 characters.
    ResidentId,
    /// 港澳居民居住证: a GB 11643 number with the prefix 81 (Hong Kong) or 82 (Macao).
    HkMacaoResidencePermit,
    /// 台湾居民居住证: a GB 11643 number with the prefix 83.
    TaiwanResidencePermit,
    /// 外国人永久居留身份证, 15 characters (until November 2023) or 18 digits starting with 9.
    ForeignPermanentResidenceId,
    /// 香港身份证 (Hong Kong identity card): `A123456(3)`.
    HongKongId,
    /// 澳门居民身份证 (Macao resident identity card): `1234567(8)`.
    MacaoId,
    /// 台湾身份证 (國民身分證統一編號): `A123456789`.
    TaiwanId,
    /// 港澳居民来往内地通行证 (回乡证): `H12345678`, `M1234567801`.
    HkMacaoTravelPermit,
    /// 台湾居民来往大陆通行证 (台胞证): `12345678`, `1234567890`.
    TaiwanTravelPermit,
}

impl Kind {
    /// The snake-case name used in cnid's own JSON (`foreign_permanent_residence_id`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::ResidentId => "resident_id",
            Kind::HkMacaoResidencePermit => "hk_macao_residence_permit",
            Kind::TaiwanResidencePermit => "taiwan_residence_permit",
            Kind::ForeignPermanentResidenceId => "foreign_permanent_residence_id",
            Kind::HongKongId => "hong_kong_id",
            Kind::MacaoId => "macao_id",
            Kind::TaiwanId => "taiwan_id",
            Kind::HkMacaoTravelPermit => "hk_macao_travel_permit",
            Kind::TaiwanTravelPermit => "taiwan_travel_permit",
        }
    }

    /// The document's Chinese name (`外国人永久居留身份证`).
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Kind::ResidentId => "居民身份证",
            Kind::HkMacaoResidencePermit => "港澳居民居住证",
            Kind::TaiwanResidencePermit => "台湾居民居住证",
            Kind::ForeignPermanentResidenceId => "外国人永久居留身份证",
            Kind::HongKongId => "香港身份证",
            Kind::MacaoId => "澳门居民身份证",
            Kind::TaiwanId => "台湾身份证",
            Kind::HkMacaoTravelPermit => "港澳居民来往内地通行证",
            Kind::TaiwanTravelPermit => "台湾居民来往大陆通行证",
        }
    }

    /// Whether the number carries a check character that [`Document::parse`] verifies.
    /// The Macao identity card's check digit and the travel permits' numbers follow no
    /// published algorithm: only their form is checked.
    #[must_use]
    pub const fn has_check_character(self) -> bool {
        !matches!(
            self,
            Kind::MacaoId | Kind::HkMacaoTravelPermit | Kind::TaiwanTravelPermit
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not the number of a document cnid knows.
///
/// Messages are lowercase and never repeat the number (it is personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Nothing but white space.
    #[error("empty input")]
    Empty,
    /// No document's number has this form (length and where the letters are).
    #[error("not the number of any known document ({0} characters)")]
    Unrecognised(usize),
    /// It has the form of a resident ID number (or a residence permit), and this is wrong.
    #[error(transparent)]
    Resident(#[from] ParseError),
    /// A character no document uses, or in a place where it does not belong.
    #[error("{kind}: invalid character {found:?} at position {position}")]
    Character {
        /// The document whose form the number has.
        kind: Kind,
        /// 1-based position among the number's letters and digits.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// The check character does not match the rest.
    #[error("{kind}: invalid check character: expected {expected}, found {found}")]
    CheckCharacter {
        /// The document.
        kind: Kind,
        /// The check character the rest calls for.
        expected: char,
        /// The check character given.
        found: char,
    },
    /// The issuing province (2023 form) or place (2017 form) is not a region code.
    #[error("{kind}: no such issuing place code: {code:06}")]
    Place {
        /// The document.
        kind: Kind,
        /// The code as six digits (`110000`).
        code: u32,
    },
    /// The nationality is not an ISO 3166-1 code.
    #[error("foreign_permanent_residence_id: no such nationality code")]
    Nationality,
    /// The birth date is not a calendar date.
    #[error("{kind}: no such birth date: month {month:02}, day {day:02} of year {year}")]
    Date {
        /// The document.
        kind: Kind,
        /// Year (four digits; for the 15-character form as cnid reads the century).
        year: u16,
        /// Month as written.
        month: u8,
        /// Day as written.
        day: u8,
    },
    /// The birth date is after "today" or before 1800.
    #[error("{kind}: birth date out of range (after today or before 1800)")]
    DateRange {
        /// The document.
        kind: Kind,
    },
    /// The second character of a Taiwan ID is not 1, 2 (citizens) or 8, 9 (residents).
    #[error("taiwan_id: second character must be 1, 2, 8 or 9, found {0:?}")]
    TaiwanSex(char),
}

/// A parsed, valid document number of any kind cnid knows.
///
/// ```
/// use cnid::{Document, Kind};
/// let doc = Document::parse("911840198001011112")?;
/// assert_eq!(doc.kind(), Kind::ForeignPermanentResidenceId);
/// assert_eq!(Document::parse("A123456(3)")?.kind(), Kind::HongKongId);
/// assert_eq!(Document::parse("A123456789")?.kind(), Kind::TaiwanId);
/// assert_eq!(Document::parse("110101199001011114")?.kind(), Kind::ResidentId);
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Document {
    /// A resident ID number, or a residence permit's (prefix 81, 82, 83).
    Resident(IdNumber),
    /// 外国人永久居留身份证.
    ForeignPermanent(ForeignPermanentId),
    /// 香港身份证.
    HongKong(HongKongId),
    /// 澳门居民身份证.
    Macao(MacaoId),
    /// 台湾身份证.
    Taiwan(TaiwanId),
    /// 港澳居民来往内地通行证.
    HkMacaoPermit(HkMacaoPermit),
    /// 台湾居民来往大陆通行证.
    TaiwanPermit(TaiwanPermit),
}

impl Document {
    /// Recognises the kind of document from the number's form and parses it, with today's
    /// date in China as the latest birth date.
    ///
    /// The forms do not overlap, with one exception: eight plain digits are read as a
    /// Taiwan travel permit; a Macao ID is recognised by its parenthesised check digit
    /// (`1234567(8)`). Use [`Document::parse_as`] when the kind is known.
    ///
    /// Accepted as for [`IdNumber::parse`]: white space and invisible marks around the
    /// number, full-width characters, lower-case letters; parentheses around a Hong Kong or
    /// Macao check digit may be given or left out.
    ///
    /// # Errors
    /// [`DocumentError`]: for a number of resident-ID form, the resident ID's reason.
    #[cfg(feature = "std")]
    pub fn parse(input: &str) -> Result<Document, DocumentError> {
        Self::parse_with(input, Today::System)
    }

    /// Like [`Document::parse`], with `today` as the latest allowed birth date.
    ///
    /// # Errors
    /// As [`Document::parse`].
    pub fn parse_as_of(input: &str, today: NaiveDate) -> Result<Document, DocumentError> {
        Self::parse_with(input, Today::fixed(today))
    }

    pub(crate) fn parse_with(input: &str, today: Today) -> Result<Document, DocumentError> {
        let kind = guess(input)?;
        Self::parse_kind(input, kind, today)
    }

    /// Parses `input` as a number of the given kind, whatever its form suggests.
    ///
    /// ```
    /// use cnid::{Document, Kind};
    /// let doc = Document::parse_as("12345678", Kind::MacaoId)?;
    /// assert_eq!(doc.kind(), Kind::MacaoId);
    /// # Ok::<(), cnid::DocumentError>(())
    /// ```
    ///
    /// # Errors
    /// [`DocumentError`] says why it is not a valid number of that kind.
    #[cfg(feature = "std")]
    pub fn parse_as(input: &str, kind: Kind) -> Result<Document, DocumentError> {
        Self::parse_kind(input, kind, Today::System)
    }

    /// Like [`Document::parse_as`], with `today` as the latest allowed birth date.
    ///
    /// # Errors
    /// As [`Document::parse_as`].
    pub fn parse_as_of_kind(
        input: &str,
        kind: Kind,
        today: NaiveDate,
    ) -> Result<Document, DocumentError> {
        Self::parse_kind(input, kind, Today::fixed(today))
    }

    fn parse_kind(input: &str, kind: Kind, today: Today) -> Result<Document, DocumentError> {
        Ok(match kind {
            Kind::ResidentId | Kind::HkMacaoResidencePermit | Kind::TaiwanResidencePermit => {
                Document::Resident(IdNumber::parse_with(input, today)?)
            }
            Kind::ForeignPermanentResidenceId => {
                Document::ForeignPermanent(ForeignPermanentId::parse_with(input, today)?)
            }
            Kind::HongKongId => Document::HongKong(HongKongId::parse(input)?),
            Kind::MacaoId => Document::Macao(MacaoId::parse(input)?),
            Kind::TaiwanId => Document::Taiwan(TaiwanId::parse(input)?),
            Kind::HkMacaoTravelPermit => Document::HkMacaoPermit(HkMacaoPermit::parse(input)?),
            Kind::TaiwanTravelPermit => Document::TaiwanPermit(TaiwanPermit::parse(input)?),
        })
    }

    /// The kind of document.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Document::Resident(n) => match n.region_code() / 10_000 {
                81 | 82 => Kind::HkMacaoResidencePermit,
                83 => Kind::TaiwanResidencePermit,
                _ => Kind::ResidentId,
            },
            Document::ForeignPermanent(_) => Kind::ForeignPermanentResidenceId,
            Document::HongKong(_) => Kind::HongKongId,
            Document::Macao(_) => Kind::MacaoId,
            Document::Taiwan(_) => Kind::TaiwanId,
            Document::HkMacaoPermit(_) => Kind::HkMacaoTravelPermit,
            Document::TaiwanPermit(_) => Kind::TaiwanTravelPermit,
        }
    }

    /// The number in its canonical form (upper case, ASCII; a Hong Kong or Macao check
    /// digit in parentheses; a 15-digit resident number upgraded to 18).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Document::Resident(n) => n.as_str(),
            Document::ForeignPermanent(n) => n.as_str(),
            Document::HongKong(n) => n.as_str(),
            Document::Macao(n) => n.as_str(),
            Document::Taiwan(n) => n.as_str(),
            Document::HkMacaoPermit(n) => n.as_str(),
            Document::TaiwanPermit(n) => n.as_str(),
        }
    }

    /// The birth date, where the number carries one (resident and foreigners' IDs).
    #[must_use]
    pub fn birth_date(&self) -> Option<NaiveDate> {
        match self {
            Document::Resident(n) => Some(n.birth_date()),
            Document::ForeignPermanent(n) => Some(n.birth_date()),
            _ => None,
        }
    }

    /// The sex, where the number carries it (resident, foreigners' and Taiwan IDs).
    #[must_use]
    pub fn sex(&self) -> Option<crate::Sex> {
        match self {
            Document::Resident(n) => Some(n.sex()),
            Document::ForeignPermanent(n) => Some(n.sex()),
            Document::Taiwan(n) => Some(n.sex()),
            _ => None,
        }
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Document {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Resident(n) => {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct("Document", 5)?;
                st.serialize_field("kind", &self.kind())?;
                st.serialize_field("number", n)?;
                st.serialize_field("region_code", &n.region_code())?;
                st.serialize_field(
                    "birth_date",
                    &alloc::string::ToString::to_string(&n.birth_date()),
                )?;
                st.serialize_field("sex", &n.sex())?;
                st.end()
            }
            Document::ForeignPermanent(n) => n.serialize(s),
            Document::HongKong(n) => n.serialize(s),
            Document::Macao(n) => n.serialize(s),
            Document::Taiwan(n) => n.serialize(s),
            Document::HkMacaoPermit(n) => n.serialize(s),
            Document::TaiwanPermit(n) => n.serialize(s),
        }
    }
}

/// A number normalised for the parsers: ASCII upper-case letters and digits, at most
/// [`Norm::CAP`] of them, with whether parentheses were given.
#[derive(Clone, Copy)]
pub(crate) struct Norm {
    buf: [u8; Norm::CAP],
    len: usize,
    parens: bool,
}

impl Norm {
    const CAP: usize = 20;

    /// Normalises `input`: trims it, maps full-width characters to ASCII and letters to
    /// upper case, drops parentheses. Any other character is an error (as `kind`).
    pub(crate) fn new(input: &str, kind: Kind) -> Result<Norm, DocumentError> {
        let input = crate::id_number::trim(input);
        let mut n = Norm {
            buf: [0; Norm::CAP],
            len: 0,
            parens: false,
        };
        let mut count = 0usize;
        for c in input.chars() {
            let c = match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                _ => c,
            };
            match c {
                '(' | ')' | '\u{3014}' | '\u{3015}' => {
                    n.parens = true;
                    continue;
                }
                '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                    count += 1;
                    if n.len < Norm::CAP {
                        n.buf[n.len] = c.to_ascii_uppercase() as u8;
                        n.len += 1;
                    }
                }
                _ => {
                    return Err(DocumentError::Character {
                        kind,
                        position: count + 1,
                        found: c,
                    })
                }
            }
        }
        if count == 0 {
            return Err(DocumentError::Empty);
        }
        if count > Norm::CAP {
            return Err(DocumentError::Unrecognised(count));
        }
        Ok(n)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The first character that is not of the expected class, as an error.
    pub(crate) fn expect(
        &self,
        kind: Kind,
        ok: impl Fn(usize, u8) -> bool,
    ) -> Result<(), DocumentError> {
        match self.bytes().iter().enumerate().find(|&(i, &b)| !ok(i, b)) {
            Some((i, &b)) => Err(DocumentError::Character {
                kind,
                position: i + 1,
                found: char::from(b),
            }),
            None => Ok(()),
        }
    }
}

/// Whether `input` may be a foreigners' permanent residence ID number, from one byte: such
/// a number starts with `9` (`９` is `EF BC 99` in UTF-8; a byte-order mark or a zero-width
/// space starts with `EF` or `E2`) or with a letter, after white space. A wrong resident
/// number (the common wrong input) mostly does not, and then costs no more than before.
#[inline]
pub(crate) fn may_be_foreign(input: &str) -> bool {
    let first = input.trim_start().as_bytes().first().copied().unwrap_or(0);
    first == b'9' || first == 0xef || first == 0xe2 || first.is_ascii_alphabetic()
}

/// Whether `input` has the form of a foreigners' permanent residence ID number.
pub(crate) fn looks_foreign(input: &str) -> bool {
    may_be_foreign(input) && matches!(guess(input), Ok(Kind::ForeignPermanentResidenceId))
}

/// The kind a number's form suggests (see [`Document::parse`]).
fn guess(input: &str) -> Result<Kind, DocumentError> {
    let n = match Norm::new(input, Kind::ResidentId) {
        Ok(n) => n,
        // A character no document uses: the resident ID's parser names it best.
        Err(DocumentError::Character { .. }) => return Ok(Kind::ResidentId),
        Err(e) => return Err(e),
    };
    let b = n.bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let letters = |s: &[u8]| s.iter().all(u8::is_ascii_uppercase);
    let check_ok = |c: u8| c.is_ascii_digit() || c == b'X';
    Ok(match b.len() {
        18 if b[0] == b'9' && digits(&b[..17]) && check_ok(b[17]) => {
            Kind::ForeignPermanentResidenceId
        }
        15 if letters(&b[..3]) && digits(&b[3..]) => Kind::ForeignPermanentResidenceId,
        15 | 18 => Kind::ResidentId,
        10 if b[0].is_ascii_uppercase() && digits(&b[1..]) => Kind::TaiwanId,
        10 if digits(b) => Kind::TaiwanTravelPermit,
        11 if digits(&b[..10]) && b[10].is_ascii_uppercase() && n.parens => {
            Kind::TaiwanTravelPermit
        }
        9 | 11 if matches!(b[0], b'H' | b'M') && digits(&b[1..]) => Kind::HkMacaoTravelPermit,
        8 | 9 if hong_kong::has_form(b) => Kind::HongKongId,
        8 if digits(b) && n.parens => Kind::MacaoId,
        8 if digits(b) => Kind::TaiwanTravelPermit,
        len if digits(b) && len < 15 => Kind::ResidentId,
        len => return Err(DocumentError::Unrecognised(len)),
    })
}

/// Checks a birth date (year, month, day) against 1800-01-01 and `today`.
pub(crate) fn check_birth(
    kind: Kind,
    (year, month, day): (u16, u8, u8),
    today: Today,
) -> Result<NaiveDate, DocumentError> {
    let date = NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day)).ok_or(
        DocumentError::Date {
            kind,
            year,
            month,
            day,
        },
    )?;
    let packed = u32::from(year) * 10_000 + u32::from(month) * 100 + u32::from(day);
    if packed < 18_000_101 || !today.allows(packed) {
        return Err(DocumentError::DateRange { kind });
    }
    Ok(date)
}

/// The value of a digit or letter in the check sums of ICAO 9303 and the Hong Kong card:
/// `0`–`9` are 0–9, `A`–`Z` are 10–35.
pub(crate) fn char_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A'..=b'Z' => u32::from(b - b'A') + 10,
        _ => 0,
    }
}

/// Writes a number held in an inline buffer as `&str` (the buffers hold ASCII only).
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}
