//! Properties of parsing and resolving over generated numbers and arbitrary strings.

use chrono::{Datelike, NaiveDate};
use cnid::{IdNumber, ParseError, Resolver, Status};
use proptest::prelude::*;

const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

/// 17 digits with a real province and a birth date between 1800-01-01 and today.
fn body() -> impl Strategy<Value = String> {
    let start = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    let days = (today() - start).num_days();
    (0..PROVINCES.len(), 0u32..10_000, 0..=days, 0u32..1000).prop_map(move |(p, rest, d, seq)| {
        let date = start + chrono::Duration::days(d);
        format!(
            "{:02}{rest:04}{:04}{:02}{:02}{seq:03}",
            PROVINCES[p],
            date.year(),
            date.month(),
            date.day()
        )
    })
}

fn complete(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

proptest! {
    // Two properties skip some cases (adjacent equal digits; birth years outside 19xx):
    // allow that to add up when PROPTEST_CASES asks for many more cases than the default.
    #![proptest_config(ProptestConfig {
        max_global_rejects: u32::MAX,
        ..ProptestConfig::default()
    })]

    /// Age in full years agrees with chrono's `years_since`, on any date from 1800 to 2300.
    #[test]
    fn age_on_agrees_with_chrono(body in body(), on in 0i64..182_000) {
        let n = IdNumber::parse_as_of(&complete(&body), today()).unwrap();
        let date = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap() + chrono::Duration::days(on);
        prop_assert_eq!(n.age_on(date), date.years_since(n.birth_date()));
        prop_assert_eq!(n.age_on(n.birth_date()), Some(0));
    }

    #[test]
    fn valid_bodies_with_their_check_character_parse(body in body()) {
        let s = complete(&body);
        let n = IdNumber::parse_as_of(&s, today()).unwrap();
        prop_assert_eq!(n.as_str(), s.as_str());
        let r = Resolver::new().with_today(today()).resolve(&s);
        prop_assert!(r.status() == Status::AlreadyAtt || r.status() == Status::NotAtt);
    }

    #[test]
    fn any_17_digits_get_a_check_character_that_passes(body in "[0-9]{17}") {
        let s = complete(&body);
        let r = IdNumber::parse_as_of(&s, today());
        prop_assert!(!matches!(r, Err(ParseError::CheckCharacter { .. })), "{:?}", r);
    }

    #[test]
    fn changing_any_one_character_fails(body in body(), pos in 0usize..18, delta in 1u8..10) {
        let s = complete(&body);
        let mut bytes = s.into_bytes();
        let c = bytes[pos];
        let value = if c == b'X' { 10 } else { c - b'0' };
        // Replace by another digit (or X in the last place).
        let new = (value + delta) % if pos == 17 { 11 } else { 10 };
        bytes[pos] = if new == 10 { b'X' } else { b'0' + new };
        prop_assume!(bytes[pos] != c);
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(IdNumber::parse_as_of(&changed, today()).is_err());
    }

    #[test]
    fn swapping_adjacent_different_characters_fails(body in body(), pos in 0usize..17) {
        let s = complete(&body);
        let mut bytes = s.into_bytes();
        prop_assume!(bytes[pos] != bytes[pos + 1]);
        bytes.swap(pos, pos + 1);
        let swapped = String::from_utf8(bytes).unwrap();
        prop_assert!(IdNumber::parse_as_of(&swapped, today()).is_err());
    }

    #[test]
    fn fifteen_digit_numbers_round_trip(body in body()) {
        prop_assume!(&body[6..8] == "19");
        let fifteen = format!("{}{}", &body[..6], &body[8..17]);
        let n = IdNumber::parse_as_of(&fifteen, today()).unwrap();
        prop_assert!(n.is_first_generation());
        prop_assert_eq!(n.as_str(), complete(&body));
        prop_assert_eq!(n.to_fifteen(), Some(fifteen));
    }

    /// Value semantics: a number is equal to (and hashes like) itself parsed back from its
    /// `Display`, whichever form it was given in; the 15- and 18-digit forms are one value.
    #[test]
    fn parse_of_to_string_is_the_same_value(body in body()) {
        use std::hash::{BuildHasher, RandomState};
        let hasher = RandomState::new();
        let s = complete(&body);
        let n = IdNumber::parse_as_of(&s, today()).unwrap();
        let again = IdNumber::parse_as_of(&n.to_string(), today()).unwrap();
        prop_assert_eq!(again, n);
        prop_assert_eq!(hasher.hash_one(again), hasher.hash_one(n));
        if let Some(fifteen) = n.to_fifteen() {
            let old = IdNumber::parse_as_of(&fifteen, today()).unwrap();
            prop_assert!(old.is_first_generation());
            prop_assert_eq!(old, n);
            prop_assert_eq!(hasher.hash_one(old), hasher.hash_one(n));
            prop_assert_eq!(old.cmp(&n), std::cmp::Ordering::Equal);
            prop_assert_eq!(IdNumber::parse_as_of(&old.to_string(), today()).unwrap(), old);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC*") {
        let r = Resolver::new().resolve(&s);
        let mut out = String::new();
        cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&r, &s));
        cnid::wire::write_xml(&mut out, &cnid::wire::Fields::new(&r, &s));
        if let Some(e) = r.error() {
            let _ = e.to_string();
        }
    }

    /// Exactly 15 or 18 bytes (the lengths of the fast paths), mostly digits with any ASCII
    /// byte mixed in: no panic (no overflow in a debug build either), and a number that
    /// parses is the same number again when given in its 18-character form.
    #[test]
    fn fast_path_lengths_never_panic(
        bytes in prop::collection::vec(prop_oneof![3 => b'0'..=b'9', 1 => 0u8..=0x7f], 18),
    ) {
        let s = String::from_utf8(bytes).unwrap();
        for s in [&s[..15], &s[..]] {
            if let Ok(n) = IdNumber::parse(s) {
                let again = IdNumber::parse(n.as_str()).map(|m| m.as_str().to_string());
                prop_assert_eq!(again.as_deref(), Ok(n.as_str()));
            }
        }
    }

    #[test]
    fn arbitrary_id_shaped_strings_never_panic(s in "[0-9０-９xXＸ ]{0,20}") {
        let r = cnid::resolve(&s);
        prop_assert!(r.status() != Status::WaitProcess);
        #[cfg(feature = "serde")]
        {
            let serde = serde_json::to_string(&r).unwrap();
            prop_assert!(serde.starts_with('{'), "{}", serde);
        }
    }
}
