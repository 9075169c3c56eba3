//! Parse and resolve any string with any "today", checked against a small reference model
//! of GB 11643-1999 written here from the rules (not from cnid's code): the verdict, the
//! reason, the 18-character form, the status and the value semantics must all agree.
#![no_main]

use chrono::{Datelike, NaiveDate};
use cnid::{ForeignPermanentId, IdNumber, ParseError, Region, Resolver, Status};
use libfuzzer_sys::fuzz_target;

const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of 17 digits, by the definition.
fn check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
    )
}

/// The rules, plainly: the 18-character form, or the reason.
fn model(input: &str, today: NaiveDate) -> Result<String, ParseError> {
    let s = input.trim_matches(|c: char| c.is_whitespace() || invisible(c));
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n == 0 {
        return Err(ParseError::Empty);
    }
    if n != 15 && n != 18 {
        if let Some(i) = chars.iter().position(|&c| invisible(c)) {
            return Err(ParseError::Character {
                position: i + 1,
                found: chars[i],
            });
        }
        return Err(ParseError::Length(n));
    }
    let mut ascii = Vec::with_capacity(18);
    for (i, &c) in chars.iter().enumerate() {
        let b = match c {
            '0'..='9' => c as u8,
            '０'..='９' => b'0' + (c as u32 - '０' as u32) as u8,
            'X' | 'x' | 'Ｘ' | 'ｘ' if n == 18 && i == 17 => b'X',
            _ => {
                return Err(ParseError::Character {
                    position: i + 1,
                    found: c,
                })
            }
        };
        ascii.push(b);
    }
    if n == 15 {
        let mut full = ascii[..6].to_vec();
        full.extend_from_slice(b"19");
        full.extend_from_slice(&ascii[6..]);
        let c = check(&full);
        full.push(c);
        ascii = full;
    } else {
        let expected = check(&ascii[..17]);
        if expected != ascii[17] {
            return Err(ParseError::CheckCharacter {
                expected: char::from(expected),
                found: char::from(ascii[17]),
            });
        }
    }
    let num = |r: std::ops::Range<usize>| {
        ascii[r]
            .iter()
            .fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'))
    };
    let province = num(0..2);
    if !PROVINCES.contains(&province) {
        return Err(ParseError::Province(province as u8));
    }
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    let Some(birth) = NaiveDate::from_ymd_opt(year as i32, month, day) else {
        return Err(ParseError::Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        });
    };
    if birth < NaiveDate::from_ymd_opt(1800, 1, 1).unwrap() {
        return Err(ParseError::DateTooEarly);
    }
    if birth > today {
        return Err(ParseError::DateInFuture);
    }
    Ok(String::from_utf8(ascii).unwrap())
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    // "Today": any day from 1790 to year 12000 and the extremes.
    let days = u32::from(data[0]) << 16 | u32::from(data[1]) << 8 | u32::from(data[2]);
    let today = match days {
        0 => NaiveDate::MAX,
        1 => NaiveDate::MIN,
        d => {
            NaiveDate::from_ymd_opt(1790, 1, 1).unwrap()
                + chrono::Duration::days(i64::from(d % 3_700_000))
        }
    };
    let Ok(input) = std::str::from_utf8(&data[3..]) else {
        return;
    };
    let want = model(input, today);
    let got = IdNumber::parse_as_of(input, today);
    match (&want, &got) {
        (Ok(form), Ok(id)) => assert_eq!(id.as_str(), form),
        (Err(w), Err(g)) => assert_eq!(w, g, "{input:?} as of {today}"),
        _ => panic!("{input:?} as of {today}: model {want:?}, cnid {got:?}"),
    }
    let resolver = Resolver::as_of(today);
    assert_eq!(resolver.today(), Some(today));
    let r = resolver.resolve(input);
    match got {
        Ok(id) => {
            // Value semantics: the Display form parses to the same value, and the 15-digit
            // form (when there is one) is equal too.
            let again = IdNumber::parse_as_of(&id.to_string(), today).unwrap();
            assert_eq!(again, id);
            if let Some(fifteen) = id.to_fifteen() {
                assert_eq!(IdNumber::parse_as_of(&fifteen, today).unwrap(), id);
            }
            assert_eq!(id.birth_date().year() as u16, id.birth_ymd().0);
            assert_eq!(r.number(), Some(&id));
            let known = Region::lookup(id.region_code());
            let status = if known.is_some() {
                Status::AlreadyAtt
            } else {
                Status::NotAtt
            };
            assert_eq!(r.status(), status);
            assert_eq!(r.region(), known.as_ref());
            assert!(r.error().is_none());
        }
        // Not a resident number, but a foreigners' permanent residence ID (which starts
        // with 9, no province): the resolver answers it with its issuing province.
        Err(_) if ForeignPermanentId::parse_as_of(input, today).is_ok() => {
            let f = ForeignPermanentId::parse_as_of(input, today).unwrap();
            assert_eq!(r.foreign_permanent(), Some(&f));
            assert_eq!(r.region(), f.issuing_region().as_ref());
            let status = if f.issuing_region().is_some() {
                Status::AlreadyAtt
            } else {
                Status::NotAtt
            };
            assert_eq!(r.status(), status);
            assert!(r.number().is_none());
        }
        Err(e) => {
            assert_eq!(r.status(), Status::WrongIdcard);
            assert_eq!(r.error(), Some(&e));
            assert!(r.number().is_none() && r.region().is_none());
            // The message never holds the number.
            let msg = e.to_string();
            let digits: String = input.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 8 {
                assert!(!msg.contains(&digits[..8]), "{msg}");
            }
        }
    }
});
