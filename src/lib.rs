#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]
#![warn(rust_2018_idioms)]

extern crate alloc;

pub mod bulk;
mod check_digit;
mod clock;
mod error;
mod id_number;
mod region;
#[cfg(feature = "remote")]
pub mod remote;
mod resolve;
pub mod wire;

pub use check_digit::check_character;
pub use error::ParseError;
pub use id_number::{IdNumber, Sex};
pub use region::{Level, NameSpan, Region, RegionFields, Source, CODE_COUNT, DATA_VERSION};
pub use resolve::{resolve, Resolution, Resolver, Status};

/// Hides the middle of an ID-like string for logs and error messages: the first six and
/// the last four characters stay (`110101********1114`); anything shorter than 11
/// characters is hidden whole.
///
/// ```
/// assert_eq!(cnid::mask("110101199001011114"), "110101********1114");
/// assert_eq!(cnid::mask("12345"), "*****");
/// ```
#[must_use]
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 11 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// Today's date in China (UTC+8) from the system clock: the default latest birth date.
/// On WebAssembly without WASI (a browser), which has no system clock, this is
/// [`chrono::NaiveDate::MAX`]: set "today" from the host there ([`Resolver::with_today`]).
#[must_use]
pub fn today() -> chrono::NaiveDate {
    clock::china_today()
}
