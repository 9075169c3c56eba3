//! Every parsing rule of GB 11643-1999 as cnid applies it. All numbers are synthetic.

use chrono::NaiveDate;
use cnid::{IdNumber, ParseError, Sex};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: fn() -> NaiveDate = || date(2026, 11, 29);

/// 17 digits plus their computed check character.
fn id(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", cnid::check_character(b).unwrap())
}

fn parse(s: &str) -> Result<IdNumber, ParseError> {
    IdNumber::parse_as_of(s, TODAY())
}

#[test]
fn eighteen_digits_parse() {
    let n = parse("110101199001011114").unwrap();
    assert_eq!(n.as_str(), "110101199001011114");
    assert_eq!(n.region_code(), 110101);
    assert_eq!(n.birth_date(), date(1990, 1, 1));
    assert_eq!(n.sequence(), 111);
    assert_eq!(n.check_char(), '4');
    assert!(!n.is_first_generation());
}

#[test]
fn standard_example_with_x() {
    // GB 11643-1999 appendix: 11010519491231002X.
    let n = parse("11010519491231002X").unwrap();
    assert_eq!(n.check_char(), 'X');
    assert_eq!(n.sex(), Sex::Female);
    assert_eq!(n.birth_date(), date(1949, 12, 31));
}

#[test]
fn lower_case_and_full_width_x_accepted() {
    for s in [
        "11010519491231002x",
        "11010519491231002Ｘ",
        "11010519491231002ｘ",
    ] {
        assert_eq!(parse(s).unwrap().as_str(), "11010519491231002X", "{s:?}");
    }
}

#[test]
fn white_space_trimmed_and_full_width_digits_accepted() {
    for s in [
        " 110101199001011114",
        "110101199001011114\t\n",
        "\u{3000}110101199001011114\u{3000}",
        "１１０１０１１９９００１０１１１１４",
        "11010119900101１１１４",
    ] {
        assert_eq!(parse(s).unwrap().as_str(), "110101199001011114", "{s:?}");
    }
}

/// Invisible marks that files and copying add around a number: a byte-order mark (first in
/// a file saved by Excel or Notepad), zero-width spaces and joiners. Inside the number they
/// are still wrong characters.
#[test]
fn byte_order_mark_and_zero_width_marks_trimmed() {
    for s in [
        "\u{feff}110101199001011114",
        "110101199001011114\u{200b}",
        "\u{200d}\u{2060} 110101900101111\u{200c}",
    ] {
        assert_eq!(parse(s).unwrap().as_str(), "110101199001011114", "{s:?}");
    }
    // Inside, the mark is named with its place, not counted into a length nobody sees.
    assert_eq!(
        parse("110101\u{200b}199001011114"),
        Err(ParseError::Character {
            position: 7,
            found: '\u{200b}'
        })
    );
    assert_eq!(
        parse("110101\u{200b}199001011114").unwrap_err().to_string(),
        "invalid character '\\u{200b}' at position 7"
    );
    let r = cnid::resolve("\u{feff}110101199001011114");
    let f = cnid::wire::Fields::new(&r, "\u{feff}110101199001011114");
    assert_eq!(f.idcard(), "110101199001011114");
}

#[test]
fn wrong_check_character() {
    assert_eq!(
        parse("110101199001011112"),
        Err(ParseError::CheckCharacter {
            expected: '4',
            found: '2'
        })
    );
    assert_eq!(
        parse("110101199001011111").unwrap_err().to_string(),
        "invalid check character: expected 4, found 1"
    );
}

#[test]
fn lengths() {
    assert_eq!(parse(""), Err(ParseError::Empty));
    assert_eq!(parse("   "), Err(ParseError::Empty));
    assert_eq!(parse("11010119900101111"), Err(ParseError::Length(17)));
    assert_eq!(parse("1101011990010111145"), Err(ParseError::Length(19)));
    assert_eq!(parse("11010190010111"), Err(ParseError::Length(14)));
    assert_eq!(
        parse("11010190010111x"),
        Err(ParseError::Character {
            position: 15,
            found: 'x'
        })
    );
    assert_eq!(
        parse("11010119900101111").unwrap_err().to_string(),
        "invalid length: expected 15 or 18 characters, found 17"
    );
}

#[test]
fn bad_characters_with_positions() {
    assert_eq!(
        parse("11010a199001011114"),
        Err(ParseError::Character {
            position: 6,
            found: 'a'
        })
    );
    assert_eq!(
        parse("X10101199001011114"),
        Err(ParseError::Character {
            position: 1,
            found: 'X'
        })
    );
    assert_eq!(
        parse("11010119900101111?"),
        Err(ParseError::Character {
            position: 18,
            found: '?'
        })
    );
    assert_eq!(
        parse("1101011990010一1114"),
        Err(ParseError::Character {
            position: 14,
            found: '一'
        })
    );
    assert_eq!(
        parse("110101 99001011114"),
        Err(ParseError::Character {
            position: 7,
            found: ' '
        })
    );
}

#[test]
fn fifteen_digits_upgrade_to_eighteen() {
    let n = parse("110101900101111").unwrap();
    assert!(n.is_first_generation());
    assert_eq!(n.as_str(), "110101199001011114");
    assert_eq!(n.birth_date(), date(1990, 1, 1));
    assert_eq!(n.sex(), Sex::Male);
    assert_eq!(n.to_fifteen().as_deref(), Some("110101900101111"));
    // 15-digit numbers carry no check character, but their date and province are checked.
    assert_eq!(
        parse("110101900230111"),
        Err(ParseError::Date {
            year: 1990,
            month: 2,
            day: 30
        })
    );
    assert_eq!(parse("990101900101111"), Err(ParseError::Province(99)));
}

#[test]
fn to_fifteen_only_for_19xx() {
    let n = parse(&id("11010120000101111")).unwrap();
    assert_eq!(n.to_fifteen(), None);
}

#[test]
fn leap_years() {
    assert!(
        parse(&id("11010120000229111")).is_ok(),
        "2000 is a leap year"
    );
    assert!(
        parse(&id("11010120040229111")).is_ok(),
        "2004 is a leap year"
    );
    assert_eq!(
        parse(&id("11010119000229111")),
        Err(ParseError::Date {
            year: 1900,
            month: 2,
            day: 29
        }),
        "1900 is not"
    );
    assert_eq!(
        parse(&id("11010120230229111")),
        Err(ParseError::Date {
            year: 2023,
            month: 2,
            day: 29
        })
    );
}

#[test]
fn impossible_dates() {
    for (body, y, m, d) in [
        ("11010119901301111", 1990, 13, 1),
        ("11010119900001111", 1990, 0, 1),
        ("11010119900100111", 1990, 1, 0),
        ("11010119900431111", 1990, 4, 31),
        ("11010119901232111", 1990, 12, 32),
    ] {
        assert_eq!(
            parse(&id(body)),
            Err(ParseError::Date {
                year: y,
                month: m,
                day: d
            }),
            "{body}"
        );
    }
}

#[test]
fn date_bounds() {
    assert!(parse(&id("11010118000101111")).is_ok());
    assert_eq!(
        parse(&id("11010117991231111")),
        Err(ParseError::DateTooEarly)
    );
    // "today" is allowed, tomorrow is not.
    assert!(parse(&id("11010120261129111")).is_ok());
    assert_eq!(
        parse(&id("11010120261130111")),
        Err(ParseError::DateInFuture)
    );
    // The same number is fine once "today" is later.
    assert!(IdNumber::parse_as_of(&id("11010120261130111"), date(2026, 11, 30)).is_ok());
}

#[test]
fn system_today_rejects_the_far_future() {
    assert_eq!(
        IdNumber::parse(&id("11010130000101111")),
        Err(ParseError::DateInFuture)
    );
    assert!(IdNumber::parse("110101199001011114").is_ok());
}

#[test]
fn province_codes() {
    let allowed: Vec<u8> = [11..=15, 21..=23, 31..=37, 41..=46, 50..=54, 61..=65]
        .into_iter()
        .flatten()
        .chain([71, 81, 82, 83])
        .collect();
    for p in 0u8..=99 {
        let n = id(&format!("{p:02}0101199001011110")[..17]);
        let r = parse(&n);
        if allowed.contains(&p) {
            assert!(r.is_ok(), "{p}: {r:?}");
        } else {
            assert_eq!(r, Err(ParseError::Province(p)), "{p}");
        }
    }
}

#[test]
fn sex_from_the_17th_digit() {
    for d in 0..10u8 {
        let n = parse(&id(&format!("1101011990010111{d}"))).unwrap();
        let want = if d % 2 == 1 { Sex::Male } else { Sex::Female };
        assert_eq!(n.sex(), want, "{d}");
    }
    assert_eq!(Sex::Male.as_chinese(), "男");
    assert_eq!(Sex::Female.as_chinese(), "女");
}

#[test]
fn errors_never_echo_the_number() {
    let inputs = [
        "110101199001011112",
        "110101199013011114",
        "990101199001011114",
        "11010119900101111",
        "11010a199001011114",
        "110101300001011110",
    ];
    for s in inputs {
        let e = parse(s).unwrap_err();
        let msg = e.to_string();
        assert!(!msg.contains(s), "{msg}");
        assert!(!msg.contains(&s[..10]), "{msg}");
        assert!(!format!("{e:?}").contains(&s[..10]));
    }
}

#[test]
fn debug_masks_display_shows() {
    let n = parse("110101199001011114").unwrap();
    assert_eq!(format!("{n:?}"), "IdNumber(\"110101********1114\")");
    assert_eq!(n.to_string(), "110101199001011114");
    assert_eq!(cnid::mask("110101199001011114"), "110101********1114");
}

#[test]
fn from_str_and_try_from_agree() {
    let a: IdNumber = "110101199001011114".parse().unwrap();
    let b = IdNumber::try_from("110101199001011114").unwrap();
    assert_eq!(a, b);
    assert!("110101199001011112".parse::<IdNumber>().is_err());
}

/// 周岁: one more on each birthday; born 29 February, one more on 1 March of a common year.
#[test]
fn age_in_full_years() {
    let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let id = |body: &str| {
        let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
        IdNumber::parse(&format!("{body}{}", cnid::check_character(b).unwrap())).unwrap()
    };
    let leap = id("11010120000229123");
    assert_eq!(leap.age_on(on(2000, 2, 28)), None);
    assert_eq!(leap.age_on(on(2000, 2, 29)), Some(0));
    assert_eq!(leap.age_on(on(2001, 2, 28)), Some(0));
    assert_eq!(leap.age_on(on(2001, 3, 1)), Some(1));
    assert_eq!(leap.age_on(on(2004, 2, 29)), Some(4));
    let new_year = id("11010119991231123");
    assert_eq!(new_year.age_on(on(2017, 12, 30)), Some(17));
    assert_eq!(new_year.age_on(on(2017, 12, 31)), Some(18));
    let today = cnid::today();
    assert_eq!(new_year.age(), new_year.age_on(today));
    assert!(new_year.age().unwrap() >= 26);
}

/// The same characters get the same reason whichever side the white space is on (an
/// 18-byte input with a space last used to be named as a bad character at position 18,
/// the same with the space first as a length of 17).
#[test]
fn reason_does_not_depend_on_the_side_of_the_white_space() {
    for (body, want) in [
        ("11010119900101111", ParseError::Length(17)),
        ("1101011990010111", ParseError::Length(16)),
        ("11010190010111", ParseError::Length(14)),
    ] {
        for pad in [" ", "\t", "\u{3000}", "\u{feff}", "\u{200b}", "  "] {
            let before = parse(&format!("{pad}{body}")).unwrap_err();
            let after = parse(&format!("{body}{pad}")).unwrap_err();
            assert_eq!(before, want, "{pad:?} before");
            assert_eq!(after, want, "{pad:?} after");
        }
    }
    // Not white space: a real character in place 18 is named, on either side of the digits.
    assert_eq!(
        parse("11010119900101111a").unwrap_err(),
        ParseError::Character {
            position: 18,
            found: 'a'
        }
    );
    assert_eq!(
        parse("a11010119900101111").unwrap_err(),
        ParseError::Character {
            position: 1,
            found: 'a'
        }
    );
}

/// A "today" in year 10000 or later allows every date a number can write, up to
/// 9999-12-31 (it used to clamp the year alone and reject births late in 9999), and the
/// resolver gives that "today" back as it was set.
#[test]
fn today_after_year_9999_is_clamped_as_a_whole_date() {
    let late = id("11010199991231123");
    for far in [date(10_000, 1, 1), date(12_000, 6, 15), NaiveDate::MAX] {
        let n = IdNumber::parse_as_of(&late, far).unwrap();
        assert_eq!(n.birth_ymd(), (9999, 12, 31));
        let resolver = cnid::Resolver::as_of(far);
        assert_eq!(resolver.today(), Some(far));
        assert!(resolver.resolve(&late).status().is_valid());
        assert_eq!(cnid::Resolver::new().with_today(far).today(), Some(far));
    }
    // Just before: 9999-12-30 still rejects 9999-12-31.
    assert_eq!(
        IdNumber::parse_as_of(&late, date(9999, 12, 30)).unwrap_err(),
        ParseError::DateInFuture
    );
}
