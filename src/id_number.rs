//! A parsed, valid resident ID number.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::check_digit;
use crate::clock::Today;
use crate::error::ParseError;

/// Province-level prefixes (first two digits) that GB 11643 numbers use: 11–15, 21–23,
/// 31–37, 41–46, 50–54, 61–65, 71 (台湾), 81 (香港), 82 (澳门), 83 (台湾居民居住证).
const PROVINCES: u128 = {
    let codes: [u8; 34] = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
        52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ];
    let mut bits = 1u128 << 83;
    let mut i = 0;
    while i < codes.len() {
        bits |= 1 << codes[i];
        i += 1;
    }
    bits
};

/// Earliest birth date accepted, packed as `yyyymmdd`.
const EARLIEST: u32 = 18_000_101;

/// Days in `month` of `year` (0 for a month that does not exist). A table: a `match` on
/// random months compiles to a jump table that mispredicts; the leap-year arithmetic runs
/// only for February.
#[inline]
fn days_in_month(year: u16, month: u8) -> u8 {
    const DAYS: [u8; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let days = DAYS.get(usize::from(month)).copied().unwrap_or(0);
    if month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) {
        29
    } else {
        days
    }
}

/// Year, month, day and the packed `yyyymmdd` from the eight date digits (positions 7–14),
/// all at once (SWAR): pairs of digits into 16-bit lanes, then the year's two pairs into one.
#[inline]
fn date_digits(digits: &[u8; 18]) -> (u16, u8, u8, u32) {
    let x = u64::from_le_bytes(digits[6..14].try_into().expect("8 bytes"))
        .wrapping_sub(0x3030_3030_3030_3030);
    // Byte lanes d0..d7 (d0 first) -> 16-bit lanes [d0d1, d2d3, d4d5, d6d7] as numbers.
    let pairs = (x.wrapping_mul(10) + (x >> 8)) & 0x00ff_00ff_00ff_00ff;
    let century = (pairs & 0xff) as u16;
    let year = century * 100 + ((pairs >> 16) & 0xff) as u16;
    let month = ((pairs >> 32) & 0xff) as u8;
    let day = ((pairs >> 48) & 0xff) as u8;
    let packed = u32::from(year) * 10_000 + u32::from(month) * 100 + u32::from(day);
    (year, month, day, packed)
}

/// Sex, from the parity of the 17th digit (the 15th of a 15-digit number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Odd digit: 男.
    Male,
    /// Even digit: 女.
    Female,
}

impl Sex {
    /// The web API's word: `男` or `女`.
    ///
    /// ```
    /// assert_eq!(cnid::Sex::Male.as_chinese(), "男");
    /// ```
    #[must_use]
    pub const fn as_chinese(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sex::Male => "male",
            Sex::Female => "female",
        })
    }
}

/// A resident ID number whose length, characters, province, birth date and check character
/// are all valid. Holding one means it parsed; there is no unchecked constructor.
///
/// A first-generation 15-digit number is held in its 18-digit form ([`IdNumber::as_str`])
/// and remembers that it was given with 15 digits ([`IdNumber::is_first_generation`]).
///
/// `Debug` masks the middle digits (the number is personal data); `Display` shows the
/// whole 18-digit form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber {
    digits: [u8; 18],
    first_generation: bool,
}

impl IdNumber {
    /// Parses an 18- or 15-character number, with today's date in China as the latest
    /// allowed birth date.
    ///
    /// Accepted: leading and trailing white space, full-width digits (`０`–`９`), and a
    /// lower-case or full-width `x`/`Ｘ` as the check character.
    ///
    /// # Errors
    /// [`ParseError`] says what is wrong: length, a character and its position, the check
    /// character, the province, or the birth date.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.birth_date().to_string(), "1990-01-01");
    /// assert_eq!(id.sex(), cnid::Sex::Male);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::parse_with(input, Today::System)
    }

    /// Like [`IdNumber::parse`], but with `today` as the latest allowed birth date, so that
    /// results are reproducible.
    ///
    /// # Errors
    /// As [`IdNumber::parse`]; [`ParseError::DateInFuture`] is judged against `today`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let today = NaiveDate::from_ymd_opt(1989, 12, 31).unwrap();
    /// let err = cnid::IdNumber::parse_as_of("110101199001011114", today).unwrap_err();
    /// assert_eq!(err, cnid::ParseError::DateInFuture);
    /// ```
    pub fn parse_as_of(input: &str, today: NaiveDate) -> Result<Self, ParseError> {
        Self::parse_with(input, Today::fixed(today))
    }

    pub(crate) fn parse_with(input: &str, today: Today) -> Result<Self, ParseError> {
        let bytes = input.as_bytes();
        // Fast path: 18 plain ASCII characters, no white space — the common case — skip the
        // Unicode-aware trim and the character loop.
        if let Ok(raw) = <&[u8; 18]>::try_from(bytes) {
            let body: &[u8; 17] = raw[..17].try_into().expect("17 bytes");
            if let Some(expected) = check_digit::compute_checked(body) {
                return Self::from_eighteen(*raw, expected, today);
            }
        }
        if let Ok(raw) = <&[u8; 15]>::try_from(bytes) {
            if check_digit::all_digits15(raw) {
                return Self::from_fifteen(raw, today);
            }
        }
        let input = input.trim();
        let mut buf = [0u8; 18];
        let mut len = 0usize;
        for (i, c) in input.chars().enumerate() {
            let ascii = match c {
                '0'..='9' => c as u8,
                '０'..='９' => b'0' + (c as u32 - '０' as u32) as u8,
                'X' | 'x' | 'Ｘ' | 'ｘ' => b'X',
                _ => 0,
            };
            if i < 18 {
                buf[i] = ascii;
            }
            len = i + 1;
        }
        match len {
            0 => return Err(ParseError::Empty),
            15 | 18 => {}
            n => return Err(ParseError::Length(n)),
        }
        for (i, (&b, c)) in buf[..len].iter().zip(input.chars()).enumerate() {
            let ok = b.is_ascii_digit() || (b == b'X' && len == 18 && i == 17);
            if !ok {
                return Err(ParseError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        if len == 18 {
            let body: &[u8; 17] = buf[..17].try_into().expect("17 bytes");
            return Self::from_eighteen(buf, check_digit::compute(body), today);
        }
        let fifteen: &[u8; 15] = buf[..15].try_into().expect("15 bytes");
        Self::from_fifteen(fifteen, today)
    }

    /// Upgrades 15 ASCII digits — region(6) + YYMMDD + sequence(3), century 19 — to the
    /// 18-character form and checks it.
    #[inline]
    fn from_fifteen(fifteen: &[u8; 15], today: Today) -> Result<Self, ParseError> {
        let mut digits = [0u8; 18];
        digits[..6].copy_from_slice(&fifteen[..6]);
        digits[6] = b'1';
        digits[7] = b'9';
        digits[8..17].copy_from_slice(&fifteen[6..15]);
        let body: &[u8; 17] = digits[..17].try_into().expect("17 bytes");
        let check = check_digit::compute(body);
        digits[17] = check;
        let mut id = Self::from_eighteen(digits, check, today)?;
        id.first_generation = true;
        Ok(id)
    }

    /// Checks 18 bytes whose first 17 are ASCII digits and call for the check character
    /// `expected`.
    #[inline(always)]
    fn from_eighteen(mut digits: [u8; 18], expected: u8, today: Today) -> Result<Self, ParseError> {
        let last = digits[17];
        let last = match last {
            b'0'..=b'9' | b'X' => last,
            b'x' => b'X',
            _ => {
                return Err(ParseError::Character {
                    position: 18,
                    found: char::from(last),
                })
            }
        };
        digits[17] = last;
        if expected != last {
            return Err(ParseError::CheckCharacter {
                expected: char::from(expected),
                found: char::from(last),
            });
        }
        let province = two(digits[0], digits[1]);
        if PROVINCES & (1u128 << province) == 0 {
            return Err(ParseError::Province(province));
        }
        let (year, month, day, packed) = date_digits(&digits);
        if day == 0 || day > days_in_month(year, month) {
            return Err(ParseError::Date { year, month, day });
        }
        if packed < EARLIEST {
            return Err(ParseError::DateTooEarly);
        }
        if !today.allows(packed) {
            return Err(ParseError::DateInFuture);
        }
        Ok(IdNumber {
            digits,
            first_generation: false,
        })
    }

    /// The 18-character form (a 15-digit number comes upgraded, with `19` and its check
    /// character). Free: no allocation.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101900101111")?;
    /// assert_eq!(id.as_str(), "110101199001011114");
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("ASCII digits")
    }

    /// Whether the number was given in the 15-digit first-generation form.
    #[must_use]
    #[inline]
    pub fn is_first_generation(&self) -> bool {
        self.first_generation
    }

    /// The 6-digit region code (the web API's `par`).
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.region_code(), 110101);
    /// assert_eq!(id.region_prefix(), "110101");
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn region_code(&self) -> u32 {
        let (prefix, last) = self.region_parts();
        u32::from(prefix) * 100 + u32::from(last)
    }

    /// The region code split as (first four digits, last two), computed in parallel
    /// rather than as one serial multiply-add chain: the radix index takes them as they are.
    #[inline]
    pub(crate) fn region_parts(&self) -> (u16, u8) {
        let d = &self.digits;
        let prefix = u16::from(two(d[0], d[1])) * 100 + u16::from(two(d[2], d[3]));
        (prefix, two(d[4], d[5]))
    }

    /// The first six characters as a string.
    #[must_use]
    #[inline]
    pub fn region_prefix(&self) -> &str {
        std::str::from_utf8(&self.digits[..6]).unwrap_or_default()
    }

    /// The birth date.
    #[must_use]
    #[inline]
    pub fn birth_date(&self) -> NaiveDate {
        let (year, month, day) = self.birth_ymd();
        // Checked when parsed: a real date between 1800-01-01 and today.
        NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The birth date as `(year, month, day)`, straight from the digits: cheaper than
    /// [`IdNumber::birth_date`] when no `NaiveDate` is needed.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001311117")?;
    /// assert_eq!(id.birth_ymd(), (1990, 1, 31));
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn birth_ymd(&self) -> (u16, u8, u8) {
        let d = &self.digits;
        let year = u16::from(two(d[6], d[7])) * 100 + u16::from(two(d[8], d[9]));
        (year, two(d[10], d[11]), two(d[12], d[13]))
    }

    /// The sex, from the parity of the sequence number's last digit.
    #[must_use]
    #[inline]
    pub fn sex(&self) -> Sex {
        if (self.digits[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 3-digit sequence number (positions 15–17).
    #[must_use]
    #[inline]
    pub fn sequence(&self) -> u16 {
        self.digits[14..17]
            .iter()
            .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0'))
    }

    /// The check character, `'0'`–`'9'` or `'X'`.
    #[must_use]
    #[inline]
    pub fn check_char(&self) -> char {
        char::from(self.digits[17])
    }

    /// The 15-digit first-generation form, if the number has one (born 1900–1999).
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.to_fifteen().as_deref(), Some("110101900101111"));
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    pub fn to_fifteen(&self) -> Option<String> {
        if &self.digits[6..8] != b"19" {
            return None;
        }
        let s = self.as_str();
        Some(format!("{}{}", &s[..6], &s[8..17]))
    }

    /// The number with its middle digits hidden, for logs: `110101********1114`.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.masked(), "110101********1114");
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    pub fn masked(&self) -> String {
        crate::mask(self.as_str())
    }
}

#[inline]
fn two(a: u8, b: u8) -> u8 {
    (a - b'0') * 10 + (b - b'0')
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IdNumber {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for IdNumber {
    type Error = ParseError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl serde::Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
