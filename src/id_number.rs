//! A parsed, valid resident ID number.

use alloc::string::String;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

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

/// Days in `month` of `year` (0 for a month that does not exist); the slow path's, the
/// fast path computes the same without a branch.
fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    MONTH_DAYS[usize::from(month & 0x7f)] + u8::from(leap && month == 2)
}

/// Whether a province-level prefix (0–127) is in [`PROVINCES`], as a table: one load.
const PROVINCE_TABLE: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = PROVINCES & (1u128 << i) != 0;
        i += 1;
    }
    t
};

/// Days in each month 0–127 (0 for a month that does not exist), February of a common
/// year: a month written with two digits is at most 99, and the fast path masks the index
/// so that garbage from non-digits stays in range.
const MONTH_DAYS: [u8; 128] = {
    let mut t = [0u8; 128];
    let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut m = 0;
    while m < 12 {
        t[m + 1] = days[m];
        m += 1;
    }
    t
};

/// `input` without the white space and the invisible marks around it that copying and
/// exporting add: a byte-order mark (U+FEFF, first in files saved by Excel and Notepad),
/// zero-width space, non-joiner and joiner (U+200B–U+200D) and word joiner (U+2060).
pub(crate) fn trim(input: &str) -> &str {
    input.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// A byte-order mark, zero-width space, non-joiner, joiner or word joiner.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
}

/// Eight ASCII digits d0..d7 (d0 first, as loaded little-endian) to the numbers of their
/// pairs in 16-bit lanes: [d0d1, d2d3, d4d5, d6d7]. Non-digits give garbage below 256.
#[inline(always)]
fn digit_pairs(x: u64) -> u64 {
    let x = x.wrapping_sub(0x3030_3030_3030_3030);
    x.wrapping_mul(10).wrapping_add(x >> 8) & 0x00ff_00ff_00ff_00ff
}

/// The region code as (first four digits, last two) from the digit pairs of the first
/// eight digits.
#[inline(always)]
fn region_of_pairs(pairs: u64) -> (u16, u8) {
    let prefix = (pairs & 0xff) as u16 * 100 + ((pairs >> 16) & 0xff) as u16;
    (prefix, ((pairs >> 32) & 0xff) as u8)
}

/// Year, month, day and the packed `yyyymmdd` from the eight date digits (positions 7–14),
/// all at once (SWAR): pairs of digits into 16-bit lanes, then the year's two pairs into one.
#[inline]
fn date_digits(digits: &[u8; 18]) -> (u16, u8, u8, u32) {
    let pairs = digit_pairs(u64::from_le_bytes(
        digits[6..14].try_into().expect("8 bytes"),
    ));
    let century = (pairs & 0xff) as u16;
    let year = century * 100 + ((pairs >> 16) & 0xff) as u16;
    let month = ((pairs >> 32) & 0xff) as u8;
    let day = ((pairs >> 48) & 0xff) as u8;
    let packed = u32::from(year) * 10_000 + u32::from(month) * 100 + u32::from(day);
    (year, month, day, packed)
}

/// Sex, from the parity of the 17th digit (the 15th of a 15-digit number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
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
/// Equality, hashing and order are those of the 18-character form: the 15- and 18-digit
/// forms of one person's number are equal (and `parse(x.to_string()) == x`), whichever
/// form was given.
///
/// `Debug` masks the middle digits (the number is personal data); `Display` shows the
/// whole 18-digit form.
///
/// ```
/// let old = cnid::IdNumber::parse("110101900101111")?;
/// let new = cnid::IdNumber::parse("110101199001011114")?;
/// assert_eq!(old, new);
/// assert!(old.is_first_generation() && !new.is_first_generation());
/// assert_eq!(cnid::IdNumber::parse(&old.to_string())?, old);
/// # Ok::<(), cnid::ParseError>(())
/// ```
#[derive(Clone, Copy)]
pub struct IdNumber {
    digits: [u8; 18],
    first_generation: bool,
}

impl IdNumber {
    /// Parses an 18- or 15-character number, with today's date in China as the latest
    /// allowed birth date (feature `std`; without it, [`IdNumber::parse_as_of`]).
    ///
    /// Accepted: leading and trailing white space and invisible marks (a byte-order mark,
    /// zero-width spaces and joiners), full-width digits (`０`–`９`), and a lower-case or
    /// full-width `x`/`Ｘ` as the check character.
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
    #[cfg(feature = "std")]
    #[inline]
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

    #[inline(always)]
    pub(crate) fn parse_with(input: &str, today: Today) -> Result<Self, ParseError> {
        // Fast path: a valid number of 18 plain ASCII characters — the common case.
        if let Ok(raw) = <&[u8; 18]>::try_from(input.as_bytes()) {
            if let Some((id, _)) = Self::fast18(raw, today) {
                return Ok(id);
            }
        } else if let Ok(raw) = <&[u8; 15]>::try_from(input.as_bytes()) {
            if check_digit::all_digits15(raw) {
                return Self::from_fifteen(raw, today).map(|(id, _)| id);
            }
        }
        Self::parse_slow(input, today)
    }

    /// [`IdNumber::parse_with`], and the region code split as by
    /// [`IdNumber::region_parts`]: the fast path has the digit pairs at hand already.
    ///
    /// The two bodies are kept apart on purpose: sharing one fast-path function (with
    /// `from_fifteen` inlined into it) measured the parse loop of `benches/compare` at 22.0
    /// instead of 18.3 ns per number, and 15 digits at 23 instead of 12 ns without that inline.
    #[inline]
    pub(crate) fn parse_with_region(
        input: &str,
        today: Today,
    ) -> Result<(Self, (u16, u8)), ParseError> {
        if let Ok(raw) = <&[u8; 18]>::try_from(input.as_bytes()) {
            if let Some((id, pairs)) = Self::fast18(raw, today) {
                return Ok((id, region_of_pairs(pairs)));
            }
        }
        if let Ok(raw) = <&[u8; 15]>::try_from(input.as_bytes()) {
            if check_digit::all_digits15(raw) {
                return Self::from_fifteen(raw, today)
                    .map(|(id, pairs)| (id, region_of_pairs(pairs)));
            }
        }
        let id = Self::parse_slow(input, today)?;
        Ok((id, id.region_parts()))
    }

    /// All the rules for 18 ASCII bytes, computed before one test: `Some` only for a valid
    /// number; `None` says "take the slow path", which finds the reason (or, for a birth
    /// date after the cached "today", reads the clock). On a mix of valid and wrong numbers
    /// a branch per rule mispredicted; here a valid number runs straight through. Also
    /// returns the digit pairs of the first eight digits ([`digit_pairs`]).
    #[inline(always)]
    fn fast18(raw: &[u8; 18], today: Today) -> Option<(Self, u64)> {
        let lo = u64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(raw[8..16].try_into().expect("8 bytes"));
        let date = u64::from_le_bytes(raw[6..14].try_into().expect("8 bytes"));
        let last = raw[17];
        let last = if last == b'x' { b'X' } else { last };
        let pairs = Self::fast_rules(lo, hi, date, raw[16], last, today)?;
        let mut digits = *raw;
        digits[17] = last;
        Some((
            IdNumber {
                digits,
                first_generation: false,
            },
            pairs,
        ))
    }

    /// The rules of [`IdNumber::fast18`] on the number held in registers: bytes 0–7 (`lo`),
    /// 8–15 (`hi`) and 6–13 (`date`) as loaded little-endian, byte 16 and the check
    /// character (`X` upper-case). `Some(digit pairs of lo)` only for a valid number.
    #[inline(always)]
    fn fast_rules(lo: u64, hi: u64, date: u64, byte16: u8, last: u8, today: Today) -> Option<u64> {
        let digit17 = byte16.wrapping_sub(b'0');
        let digits_ok = check_digit::all_digits(lo) & check_digit::all_digits(hi) & (digit17 <= 9);
        let expected = check_digit::check_of(lo, hi, digit17);
        // Pairs of digits as numbers in 16-bit lanes: province is the first lane. With a
        // non-digit the value is garbage but below 256; the table is only read, masked.
        let pairs = digit_pairs(lo);
        let province = (pairs & 0xff) as u8;
        let province_ok = PROVINCE_TABLE[usize::from(province & 0x7f)];
        let date = digit_pairs(date);
        let (century, yy) = ((date & 0xff) as u32, ((date >> 16) & 0xff) as u32);
        let (month, day) = (((date >> 32) & 0xff) as u8, (date >> 48) as u8);
        // 100 is a multiple of 4: the year is a multiple of 4 when its last two digits
        // are, and a century year (yy = 00) when the century is.
        let leap = (yy & 3 == 0) & ((yy != 0) | (century & 3 == 0));
        let days = MONTH_DAYS[usize::from(month & 0x7f)] + u8::from(leap & (month == 2));
        let date_ok = (day != 0) & (day <= days);
        let packed = (century * 100 + yy) * 10_000 + u32::from(month) * 100 + u32::from(day);
        let range_ok = (packed >= EARLIEST) & (packed <= today.known_limit());
        if digits_ok & (expected == last) & province_ok & date_ok & range_ok {
            Some(pairs)
        } else {
            None
        }
    }

    /// Everything but the fast paths: white space, full-width characters, and the precise
    /// reason a number is wrong.
    #[inline(never)]
    fn parse_slow(input: &str, today: Today) -> Result<Self, ParseError> {
        let bytes = input.as_bytes();
        if let Ok(raw) = <&[u8; 18]>::try_from(bytes) {
            // 17 ASCII digits and a check character: the reason is in the rules. Anything
            // else last (white space, a mark) goes through the trim below like the same
            // character first would, so the reason never depends on the side it is on.
            let body: &[u8; 17] = raw[..17].try_into().expect("17 bytes");
            if let (Some(expected), b'0'..=b'9' | b'X' | b'x') =
                (check_digit::compute_checked(body), raw[17])
            {
                return Self::from_eighteen(*raw, expected, today);
            }
        }
        let input = trim(input);
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
            n => {
                // An invisible mark inside the number makes it look right and count wrong:
                // name the mark and where it is rather than a length the eye cannot see.
                if let Some((i, c)) = input.chars().enumerate().find(|&(_, c)| is_invisible(c)) {
                    return Err(ParseError::Character {
                        position: i + 1,
                        found: c,
                    });
                }
                return Err(ParseError::Length(n));
            }
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
        Self::from_fifteen(fifteen, today).map(|(id, _)| id)
    }

    /// Upgrades 15 ASCII digits — region(6) + YYMMDD + sequence(3), century 19 — to the
    /// 18-character form and checks it. The 18 digits are put together in registers: built
    /// in memory byte by byte and read back as u64 words, they stalled store forwarding.
    /// Also returns the digit pairs of the first eight digits ([`digit_pairs`]).
    #[inline]
    fn from_fifteen(fifteen: &[u8; 15], today: Today) -> Result<(Self, u64), ParseError> {
        // 18-character form: fifteen[0..6] "19" fifteen[6..15] check.
        const NINETEEN: u64 = u64::from_le_bytes([0, 0, 0, 0, 0, 0, b'1', b'9']);
        let head = u64::from_le_bytes(fifteen[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(fifteen[6..14].try_into().expect("8 bytes"));
        let lo = (head & 0xffff_ffff_ffff) | NINETEEN;
        let date = (hi << 16) | (NINETEEN >> 48);
        let byte16 = fifteen[14];
        let check = check_digit::check_of(lo, hi, byte16.wrapping_sub(b'0'));
        let mut digits = [0u8; 18];
        digits[..8].copy_from_slice(&lo.to_le_bytes());
        digits[8..16].copy_from_slice(&hi.to_le_bytes());
        digits[16] = byte16;
        digits[17] = check;
        let mut id = match Self::fast_rules(lo, hi, date, byte16, check, today) {
            Some(_) => IdNumber {
                digits,
                first_generation: false,
            },
            None => Self::from_eighteen(digits, check, today)?,
        };
        id.first_generation = true;
        Ok((id, digit_pairs(lo)))
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
        if !PROVINCE_TABLE[usize::from(province & 0x7f)] {
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
        core::str::from_utf8(&self.digits).expect("ASCII digits")
    }

    /// Whether the number was given in the 15-digit first-generation form.
    ///
    /// ```
    /// let old = cnid::IdNumber::parse("110101900101111")?;
    /// assert!(old.is_first_generation());
    /// assert!(!cnid::IdNumber::parse("110101199001011114")?.is_first_generation());
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
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
        region_of_pairs(digit_pairs(u64::from_le_bytes(
            self.digits[..8].try_into().expect("8 bytes"),
        )))
    }

    /// The first six characters as a string.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.region_prefix(), "110101");
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn region_prefix(&self) -> &str {
        core::str::from_utf8(&self.digits[..6]).unwrap_or_default()
    }

    /// The birth date.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.birth_date(), chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap());
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
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
        let (year, month, day, _) = date_digits(&self.digits);
        (year, month, day)
    }

    /// Age in full years (周岁) on `date` by the legal rule: a year is complete from the
    /// day *after* the birthday, so on the sixth birthday a child is still 5. 0 on the
    /// birth date, `None` before it.
    ///
    /// Source: 最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》
    /// (法释〔2006〕1号) 第二条: "周岁"按照公历的年、月、日计算，从周岁生日的第二天起算.
    /// For the anniversary count (6 on the sixth birthday), which `age_on` gave before, use
    /// [`IdNumber::calendar_age_on`].
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// assert_eq!(id.age_on(on(2026, 1, 1)), Some(35));
    /// assert_eq!(id.age_on(on(2026, 1, 2)), Some(36));
    /// assert_eq!(id.calendar_age_on(on(2026, 1, 1)), Some(36));
    /// assert_eq!(id.age_on(on(1989, 12, 31)), None);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        crate::age::legal_age(self.birth_ymd(), date)
    }

    /// Age in full years on `date` counting the birthday itself (6 on the sixth
    /// birthday; born 29 February: a year older on 1 March of a common year). `None`
    /// before the birth date.
    #[must_use]
    pub fn calendar_age_on(&self, date: NaiveDate) -> Option<u32> {
        crate::age::calendar_age(self.birth_ymd(), date)
    }

    /// 生肖 of the birth year (by the Gregorian year; see [`crate::Zodiac`]).
    #[must_use]
    pub fn zodiac(&self) -> crate::Zodiac {
        crate::Zodiac::of_year(i32::from(self.birth_ymd().0))
    }

    /// 星座 of the birth date.
    #[must_use]
    pub fn constellation(&self) -> crate::Constellation {
        let (_, m, d) = self.birth_ymd();
        crate::Constellation::of(m, d)
    }

    /// Age in full years today (the date in China, UTC+8); see [`IdNumber::age_on`].
    /// `None` for a number parsed against a "today" later than the real one
    /// ([`IdNumber::parse_as_of`]) and born after the real today, and on a target without
    /// a system clock (WebAssembly in a browser: use `age_on` with the page's date).
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert!(id.age().unwrap() >= 36);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[cfg(feature = "std")]
    #[must_use]
    pub fn age(&self) -> Option<u32> {
        let today = crate::today();
        if today == NaiveDate::MAX {
            return None;
        }
        self.age_on(today)
    }

    /// The sex, from the parity of the sequence number's last digit.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011122")?;
    /// assert_eq!(id.sex(), cnid::Sex::Female);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
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
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("110101199001011114")?;
    /// assert_eq!(id.sequence(), 111);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn sequence(&self) -> u16 {
        self.digits[14..17]
            .iter()
            .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0'))
    }

    /// The check character, `'0'`–`'9'` or `'X'`.
    ///
    /// ```
    /// let id = cnid::IdNumber::parse("11010519491231002x")?;
    /// assert_eq!(id.check_char(), 'X');
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
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
        let mut out = String::with_capacity(15);
        out.push_str(&s[..6]);
        out.push_str(&s[8..17]);
        Some(out)
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

/// By the 18-character form: the 15-digit form of a number equals its 18-digit form.
impl PartialEq for IdNumber {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for IdNumber {}

/// By the 18-character form, as [`PartialEq`].
impl Hash for IdNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

/// By the 18-character form: region code, then birth date, then sequence.
impl PartialOrd for IdNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.digits.cmp(&other.digits)
    }
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

/// [`IdNumber::parse`] (feature `std`).
#[cfg(feature = "std")]
impl core::str::FromStr for IdNumber {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// [`IdNumber::parse`] (feature `std`).
#[cfg(feature = "std")]
impl TryFrom<&str> for IdNumber {
    type Error = ParseError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

/// The 18-character form, as a string (feature `serde`).
#[cfg(feature = "serde")]
impl serde::Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Deserializes from a string by [`IdNumber::parse`] (today's date in China as the latest
/// birth date): a struct with an `IdNumber` field only deserializes with a valid number.
/// The error says why, without the number. Features `serde` and `std` (the clock).
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Person {
///     id: cnid::IdNumber,
/// }
/// let p: Person = serde_json::from_str(r#"{"id":"110101199001011114"}"#).unwrap();
/// assert_eq!(p.id.region_code(), 110101);
/// let err = serde_json::from_str::<Person>(r#"{"id":"110101199001011112"}"#).unwrap_err();
/// assert!(err.to_string().contains("invalid check character"));
/// ```
#[cfg(all(feature = "serde", feature = "std"))]
impl<'de> serde::Deserialize<'de> for IdNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IdNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a resident ID number (18 characters or 15 digits) as a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdNumber, E> {
                IdNumber::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path may only answer what the slow path answers: `Some` exactly when the
    /// slow path accepts, with the same number.
    fn agree(raw: &[u8; 18], today: Today) {
        let fast = IdNumber::fast18(raw, today).map(|(id, _)| id);
        let slow = std::str::from_utf8(raw)
            .ok()
            .and_then(|s| IdNumber::parse_slow(s, today).ok());
        assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(raw));
        if let Some((id, pairs)) = IdNumber::fast18(raw, today) {
            assert_eq!(region_of_pairs(pairs), id.region_parts());
        }
    }

    fn with_check(body: &[u8; 17]) -> [u8; 18] {
        let mut raw = [0u8; 18];
        raw[..17].copy_from_slice(body);
        raw[17] = check_digit::compute(body);
        raw
    }

    #[test]
    fn fast_path_agrees_on_every_date() {
        let today = Today::Fixed(20_260_131);
        let late = Today::Fixed(99_991_231);
        for year in (1700..2500).chain([1000, 9999]) {
            for month in 0..=19u32 {
                for day in 0..=33u32 {
                    let body = format!("110101{year:04}{month:02}{day:02}123");
                    let body: &[u8; 17] = body.as_bytes().try_into().unwrap();
                    let raw = with_check(body);
                    agree(&raw, today);
                    agree(&raw, late);
                }
            }
        }
    }

    /// The 15-digit path (put together in registers) agrees with upgrading the number by
    /// hand and taking the 18-character slow path.
    #[test]
    fn fifteen_digits_agree_with_the_upgraded_form() {
        for today in [Today::Fixed(19_950_615), Today::Fixed(20_260_131)] {
            for (i, region) in ["110101", "990101", "830000", "000000"].iter().enumerate() {
                for yy in 0..100u32 {
                    for month in 0..=19u32 {
                        for day in 0..=33u32 {
                            let seq = (yy * 7 + month * 13 + day + i as u32) % 1000;
                            let fifteen = format!("{region}{yy:02}{month:02}{day:02}{seq:03}");
                            let fifteen: &[u8; 15] = fifteen.as_bytes().try_into().unwrap();
                            let body = format!("{region}19{yy:02}{month:02}{day:02}{seq:03}");
                            let body: &[u8; 17] = body.as_bytes().try_into().unwrap();
                            let upgraded = with_check(body);
                            let expected = IdNumber::parse_slow(
                                std::str::from_utf8(&upgraded).unwrap(),
                                today,
                            )
                            .map(|mut id| {
                                id.first_generation = true;
                                (id, id.region_parts())
                            });
                            let got = IdNumber::from_fifteen(fifteen, today)
                                .map(|(id, pairs)| (id, region_of_pairs(pairs)));
                            assert_eq!(got, expected, "{region}{yy:02}{month:02}{day:02}");
                            // Equality ignores the form given: check it apart.
                            if let Ok((id, _)) = got {
                                assert!(id.is_first_generation());
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fast_path_agrees_on_mutated_numbers() {
        let today = Today::Fixed(20_260_131);
        // Before its first clock read the system "today" sends every number to the slow path.
        #[cfg(feature = "std")]
        assert!(Today::System.allows(crate::clock::pack(crate::clock::china_today())));
        let alphabet = b"0123456789Xx/:\x00 \xff";
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..300_000 {
            let r = next();
            let body = format!(
                "{:02}{:04}{:04}{:02}{:02}{:03}",
                r % 100,
                (r >> 8) % 10_000,
                1790 + (r >> 24) % 260,
                (r >> 36) % 14,
                (r >> 40) % 33,
                (r >> 48) % 1000
            );
            let body: &[u8; 17] = body.as_bytes().try_into().unwrap();
            let mut raw = with_check(body);
            // Now and then a wrong byte anywhere, or a wrong or lower-case check character.
            match i % 4 {
                0 => {
                    let pos = (next() % 18) as usize;
                    raw[pos] = alphabet[(next() % alphabet.len() as u64) as usize];
                }
                1 if raw[17] == b'X' => raw[17] = b'x',
                _ => {}
            }
            agree(&raw, today);
            #[cfg(feature = "std")]
            agree(&raw, Today::System);
        }
    }
}
