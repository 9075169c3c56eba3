#![doc = include_str!("../README.md")]
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]
#![warn(rust_2018_idioms)]

extern crate alloc;

mod age;
pub mod bulk;
mod check_digit;
mod clock;
mod document;
mod error;
mod extra;
mod id_number;
mod region;
#[cfg(feature = "remote")]
pub mod remote;
mod resolve;
pub mod wire;

pub use age::{Constellation, Zodiac};
pub use check_digit::check_character;
pub use document::{
    Document, DocumentError, ForeignFormat, ForeignPermanentId, HkMacaoPermit, HongKongId, Kind,
    MacaoId, Nationality, TaiwanId, TaiwanPermit,
};
pub use error::ParseError;
pub use extra::{ExtraRegions, ExtraRegionsError};
pub use id_number::{IdNumber, Sex};
pub use region::{Level, NameSpan, Region, RegionFields, Source, CODE_COUNT, DATA_VERSION};
#[cfg(feature = "std")]
pub use resolve::resolve;
pub use resolve::{Resolution, Resolver, Status};

use alloc::string::String;

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
    let n = s.chars().count();
    if n < 11 {
        return "*".repeat(n);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// Today's date in China (UTC+8) from the system clock: the default latest birth date
/// (feature `std`). On WebAssembly without WASI (a browser), which has no system clock,
/// this is [`chrono::NaiveDate::MAX`]: set "today" from the host there
/// ([`Resolver::with_today`]).
///
/// ```
/// let today = cnid::today();
/// assert!(cnid::IdNumber::parse_as_of("110101199001011114", today).is_ok());
/// ```
#[cfg(feature = "std")]
#[must_use]
pub fn today() -> chrono::NaiveDate {
    clock::china_today()
}
