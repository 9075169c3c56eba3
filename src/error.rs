//! Why a string is not a valid ID number.

/// The reason a string is not a valid resident ID number.
///
/// Messages are lowercase and never repeat the number itself (it is personal data):
/// they name a position, a character or a part of the date at most.
/// Positions are 1-based and count characters of the trimmed input.
///
/// The enum is `#[non_exhaustive]`: new, more precise reasons may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing but white space was given.
    #[error("empty input")]
    Empty,
    /// Not 15 or 18 characters long.
    #[error("invalid length: expected 15 or 18 characters, found {0}")]
    Length(usize),
    /// A character that is not a digit (or, in the last of 18 places, `X`).
    #[error("invalid character {found:?} at position {position}")]
    Character {
        /// 1-based position in the trimmed input.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// The ISO 7064 MOD 11-2 check character does not match the first 17 digits.
    #[error("invalid check character: expected {expected}, found {found}")]
    CheckCharacter {
        /// The check character the first 17 digits call for.
        expected: char,
        /// The check character given.
        found: char,
    },
    /// The first two digits are not a province-level code.
    #[error("no such province code: {0:02}")]
    Province(u8),
    /// Digits 7–14 (7–12 for 15 digits) are not a calendar date.
    #[error("no such birth date: month {month:02}, day {day:02} of year {year}")]
    Date {
        /// Year as written (19YY for 15-digit numbers).
        year: u16,
        /// Month as written.
        month: u8,
        /// Day as written.
        day: u8,
    },
    /// The birth date is before 1800-01-01.
    #[error("birth date is before 1800-01-01")]
    DateTooEarly,
    /// The birth date is after the reference date ("today").
    #[error("birth date is in the future")]
    DateInFuture,
}
