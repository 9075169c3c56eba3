//! 外国人永久居留身份证: the foreigners' permanent residence ID card, both number formats.
//!
//! **Since 1 December 2023** (国家移民管理局, 《新版外国人永久居留身份证机读信息规则》,
//! 2023-10-13, <https://www.nia.gov.cn/20231013/2.pdf>; GA 2102-2023 《外国人永久居留身份证
//! 技术规范》): 18 characters laid out like a resident ID number so that the same systems
//! take it:
//!
//! | position | meaning |
//! |---|---|
//! | 1 | `9`, the foreigner's mark (resident numbers start with 1–8) |
//! | 2–3 | the accepting province (省级行政区划代码 first two digits) |
//! | 4–6 | nationality, ISO 3166-1 numeric |
//! | 7–14 | birth date `YYYYMMDD` |
//! | 15–17 | sequence; the 17th digit odd for men, even for women |
//! | 18 | check character, ISO 7064 MOD 11-2 as in GB 11643-1999 (`0`–`9`, `X`) |
//!
//! **The 2017 card and its predecessor** (公安部, 外国人永久居留身份证 2017 版; the number
//! format of the 2004 card kept): 15 characters, "3 Latin letters + 12 digits" as the 2023
//! rule above restates it:
//!
//! | position | meaning |
//! |---|---|
//! | 1–3 | nationality, ISO 3166-1 alpha-3 |
//! | 4–7 | the accepting authority's region code (first four digits of GB/T 2260) |
//! | 8–13 | birth date `YYMMDD` |
//! | 14 | sequence; odd for men, even for women |
//! | 15 | check digit: ICAO 9303 (weights 7, 3, 1; `A`–`Z` count 10–35; sum mod 10) |
//!
//! The 15-character form writes the birth year with two digits. The card was issued until
//! November 2023, so `00`–`23` could be 2000–2023 or 1900–1923: cnid reads the later
//! century unless that date is after "today" (a holder born in 1900–1923 is rarer than a
//! child holding the card).

use core::fmt;

use chrono::NaiveDate;

use super::{ascii, char_value, check_birth, DocumentError, Kind, Nationality, Norm};
use crate::clock::Today;
use crate::region::Region;
use crate::Sex;

const KIND: Kind = Kind::ForeignPermanentResidenceId;

/// Which of the two number formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ForeignFormat {
    /// 15 characters: alpha-3 nationality, 4-digit place, `YYMMDD`, ICAO 9303 check digit
    /// (the 2017 card and the 2004 card before it).
    #[cfg_attr(feature = "serde", serde(rename = "2017"))]
    Y2017,
    /// 18 characters starting with `9`, MOD 11-2 check character (since December 2023).
    #[cfg_attr(feature = "serde", serde(rename = "2023"))]
    Y2023,
}

/// A valid foreigners' permanent residence ID number (外国人永久居留身份证号码), either
/// format. `Debug` masks the middle; `Display` shows the number.
///
/// ```
/// use cnid::{ForeignPermanentId, ForeignFormat, Sex};
/// let id = ForeignPermanentId::parse("911840198001011112")?;
/// assert_eq!(id.format(), ForeignFormat::Y2023);
/// assert_eq!(id.nationality().alpha3(), "USA");
/// assert_eq!(id.nationality().name_zh(), "美国");
/// assert_eq!(id.issuing_region().unwrap().name(), "北京市");
/// assert_eq!(id.birth_date().to_string(), "1980-01-01");
/// assert_eq!(id.sex(), Sex::Male);
///
/// let old = ForeignPermanentId::parse("USA110080010111")?;
/// assert_eq!(old.format(), ForeignFormat::Y2017);
/// assert_eq!(old.issuing_code(), 110000);
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForeignPermanentId {
    raw: [u8; 18],
    len: u8,
    nationality: Nationality,
    /// The issuing place as a 6-digit region code (province `pp0000` for the 2023 format).
    place: u32,
    par: [u8; 6],
    birth: (u16, u8, u8),
}

impl ForeignPermanentId {
    /// Parses either format, with today's date in China as the latest birth date.
    ///
    /// # Errors
    /// [`DocumentError`]: a character, the check character, the issuing place, the
    /// nationality or the birth date.
    #[cfg(feature = "std")]
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        Self::parse_with(input, Today::System)
    }

    /// Like [`ForeignPermanentId::parse`], with `today` as the latest birth date.
    ///
    /// # Errors
    /// As [`ForeignPermanentId::parse`].
    pub fn parse_as_of(input: &str, today: NaiveDate) -> Result<Self, DocumentError> {
        Self::parse_with(input, Today::fixed(today))
    }

    pub(crate) fn parse_with(input: &str, today: Today) -> Result<Self, DocumentError> {
        let n = Norm::new(input, KIND)?;
        if n.parens {
            // Parentheses belong to Hong Kong and Macao numbers, never to this one: read
            // through, they would make the resolver and this parser disagree.
            let (i, found) = crate::id_number::trim(input)
                .chars()
                .enumerate()
                .find(|&(_, c)| {
                    matches!(
                        c,
                        '(' | ')' | '\u{3014}' | '\u{3015}' | '\u{ff08}' | '\u{ff09}'
                    )
                })
                .unwrap_or((0, '('));
            return Err(DocumentError::Character {
                kind: KIND,
                position: i + 1,
                found,
            });
        }
        let b = n.bytes();
        match b.len() {
            18 => Self::parse18(b.try_into().expect("18 bytes"), today),
            15 => Self::parse15(b.try_into().expect("15 bytes"), today),
            len => Err(DocumentError::Unrecognised(len)),
        }
    }

    fn parse18(b: &[u8; 18], today: Today) -> Result<Self, DocumentError> {
        let shape = |i: usize, c: u8| match i {
            0 => c == b'9',
            17 => c.is_ascii_digit() || c == b'X',
            _ => c.is_ascii_digit(),
        };
        if let Some((i, &c)) = b.iter().enumerate().find(|&(i, &c)| !shape(i, c)) {
            return Err(DocumentError::Character {
                kind: KIND,
                position: i + 1,
                found: char::from(c),
            });
        }
        let body: &[u8; 17] = b[..17].try_into().expect("17 bytes");
        let expected = crate::check_digit::compute(body);
        if expected != b[17] {
            return Err(DocumentError::CheckCharacter {
                kind: KIND,
                expected: char::from(expected),
                found: char::from(b[17]),
            });
        }
        let num = |r: core::ops::Range<usize>| {
            b[r].iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
        };
        let place = num(1..3) * 10_000;
        if Region::lookup(place).is_none() {
            return Err(DocumentError::Place {
                kind: KIND,
                code: place,
            });
        }
        let nationality =
            Nationality::from_numeric(num(3..6) as u16).ok_or(DocumentError::Nationality)?;
        let birth = (num(6..10) as u16, num(10..12) as u8, num(12..14) as u8);
        check_birth(KIND, birth, today)?;
        Ok(Self::build(b, nationality, place, birth))
    }

    fn parse15(b: &[u8; 15], today: Today) -> Result<Self, DocumentError> {
        let shape = |i: usize, c: u8| {
            if i < 3 {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            }
        };
        if let Some((i, &c)) = b.iter().enumerate().find(|&(i, &c)| !shape(i, c)) {
            return Err(DocumentError::Character {
                kind: KIND,
                position: i + 1,
                found: char::from(c),
            });
        }
        let expected = icao_check(&b[..14]);
        if expected != b[14] {
            return Err(DocumentError::CheckCharacter {
                kind: KIND,
                expected: char::from(expected),
                found: char::from(b[14]),
            });
        }
        let nationality =
            Nationality::from_alpha3(ascii(&b[..3])).ok_or(DocumentError::Nationality)?;
        let num = |r: core::ops::Range<usize>| {
            b[r].iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
        };
        let place = num(3..7) * 100;
        if Region::lookup(place).is_none() {
            return Err(DocumentError::Place {
                kind: KIND,
                code: place,
            });
        }
        let (yy, month, day) = (num(7..9) as u16, num(9..11) as u8, num(11..13) as u8);
        let later = check_birth(KIND, (2000 + yy, month, day), today);
        let birth = match later {
            Ok(_) if yy <= 23 => (2000 + yy, month, day),
            _ => {
                check_birth(KIND, (1900 + yy, month, day), today)?;
                (1900 + yy, month, day)
            }
        };
        let mut raw = [0u8; 18];
        raw[..15].copy_from_slice(b);
        Ok(Self::build(&raw[..15], nationality, place, birth))
    }

    fn build(b: &[u8], nationality: Nationality, place: u32, birth: (u16, u8, u8)) -> Self {
        let mut raw = [0u8; 18];
        raw[..b.len()].copy_from_slice(b);
        let mut par = [b'0'; 6];
        let mut code = place;
        for slot in par.iter_mut().rev() {
            *slot = b'0' + (code % 10) as u8;
            code /= 10;
        }
        ForeignPermanentId {
            raw,
            len: b.len() as u8,
            nationality,
            place,
            par,
            birth,
        }
    }

    /// The number (upper case).
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.raw[..usize::from(self.len)])
    }

    /// Which format: 15 characters (2017 and before) or 18 (since December 2023).
    #[must_use]
    pub fn format(&self) -> ForeignFormat {
        if self.len == 18 {
            ForeignFormat::Y2023
        } else {
            ForeignFormat::Y2017
        }
    }

    /// The nationality the number records.
    #[must_use]
    pub fn nationality(&self) -> Nationality {
        self.nationality
    }

    /// The issuing place as a 6-digit region code: the province (`110000`) in the 2023
    /// format, the place of the four digits (`110000`, `440300` …) in the 2017 format.
    #[must_use]
    pub fn issuing_code(&self) -> u32 {
        self.place
    }

    /// [`ForeignPermanentId::issuing_code`] as six digits: the web API's `par`.
    #[must_use]
    pub fn issuing_prefix(&self) -> &str {
        ascii(&self.par)
    }

    /// The issuing province or place from the built-in region table.
    #[must_use]
    pub fn issuing_region(&self) -> Option<Region> {
        Region::lookup(self.place)
    }

    /// The birth date as `(year, month, day)`.
    #[must_use]
    pub fn birth_ymd(&self) -> (u16, u8, u8) {
        self.birth
    }

    /// The birth date.
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        let (y, m, d) = self.birth;
        NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)).unwrap_or(NaiveDate::MIN)
    }

    /// The sex: the parity of the 17th (2023) or 14th (2017) character.
    #[must_use]
    pub fn sex(&self) -> Sex {
        let digit = if self.len == 18 {
            self.raw[16]
        } else {
            self.raw[13]
        };
        if (digit - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The check character.
    #[must_use]
    pub fn check_char(&self) -> char {
        char::from(self.raw[usize::from(self.len) - 1])
    }

    /// Age in full years (周岁) on `date`, by the legal rule of [`crate::IdNumber::age_on`].
    #[must_use]
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        crate::age::legal_age(self.birth, date)
    }
}

/// The ICAO 9303 check digit of `body`: weights 7, 3, 1 repeated; digits count their
/// value, `A`–`Z` 10–35; the sum mod 10.
pub(crate) fn icao_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(&c, &w)| char_value(c) * w)
        .sum();
    b'0' + (sum % 10) as u8
}

impl fmt::Debug for ForeignPermanentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        let n = s.len();
        f.write_str("ForeignPermanentId(\"")?;
        f.write_str(&s[..6])?;
        for _ in 6..n - 4 {
            f.write_str("*")?;
        }
        f.write_str(&s[n - 4..])?;
        f.write_str("\")")
    }
}

impl fmt::Display for ForeignPermanentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ForeignPermanentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ForeignPermanentId", 8)?;
        st.serialize_field("kind", &KIND)?;
        st.serialize_field("number", self.as_str())?;
        st.serialize_field("format", &self.format())?;
        st.serialize_field("nationality", &self.nationality)?;
        st.serialize_field("issuing_code", self.issuing_prefix())?;
        st.serialize_field(
            "issuing_place",
            &self.issuing_region().as_ref().map(Region::name),
        )?;
        st.serialize_field("birth_date", &format_args!("{}", self.birth_date()))?;
        st.serialize_field("sex", &self.sex())?;
        st.end()
    }
}
