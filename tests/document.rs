//! Documents beside the resident card: vectors built from each format's published
//! description, generated valid numbers, and every single-character change.
//!
//! Check digits are computed here from the descriptions themselves (a second, plain
//! implementation), never through the code under test.

use chrono::NaiveDate;
use cnid::{
    Document, DocumentError, ForeignFormat, ForeignPermanentId, HkMacaoPermit, HongKongId, Kind,
    MacaoId, Nationality, Resolver, Sex, Status, TaiwanId, TaiwanPermit,
};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()
}

/// GB 11643-1999 / ISO 7064 MOD 11-2, as the 2023 permanent residence rule prescribes.
fn mod11_2(body: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// ICAO 9303: weights 7, 3, 1; A–Z = 10–35; sum mod 10.
fn icao(body: &str) -> char {
    let v = |c: u8| {
        if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        }
    };
    let sum: u32 = body
        .bytes()
        .zip([7, 3, 1].iter().cycle())
        .map(|(c, w)| v(c) * w)
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// Hong Kong: a leading space (36) for one letter, weights 9..2, check makes sum ≡ 0 mod 11.
fn hk_check(body: &str) -> char {
    let mut vals: Vec<u32> = body
        .bytes()
        .map(|c| {
            if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c - b'A') + 10
            }
        })
        .collect();
    if vals.len() == 7 {
        vals.insert(0, 36);
    }
    let sum: u32 = vals.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
    match (11 - sum % 11) % 11 {
        10 => 'A',
        v => char::from(b'0' + v as u8),
    }
}

/// Taiwan letter codes A–Z.
const TW_CODES: [u32; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
    31, 33,
];

fn tw_sum(s: &str) -> u32 {
    let b = s.as_bytes();
    let code = TW_CODES[usize::from(b[0] - b'A')];
    let mut sum = code / 10 + code % 10 * 9;
    for (i, &d) in b[1..].iter().enumerate() {
        let w = if i < 8 { 8 - i as u32 } else { 1 };
        sum += u32::from(d - b'0') * w.max(1);
    }
    sum
}

fn tw_check(body: &str) -> char {
    char::from(b'0' + ((10 - tw_sum(body) % 10) % 10) as u8)
}

// ---- vectors from the published descriptions ------------------------------------------

/// 国家移民管理局 2023 rule: 9, province, ISO numeric nationality, YYYYMMDD, sequence
/// (odd male), MOD 11-2.
#[test]
fn foreign_2023_vectors() {
    for (body, alpha3, province, birth, sex) in [
        (
            "91184019800101111",
            "USA",
            "北京市",
            "1980-01-01",
            Sex::Male,
        ),
        (
            "94439220050615002",
            "JPN",
            "广东省",
            "2005-06-15",
            Sex::Female,
        ),
        (
            "93141019701231001",
            "KOR",
            "上海市",
            "1970-12-31",
            Sex::Male,
        ),
        (
            "95382620000229004",
            "GBR",
            "云南省",
            "2000-02-29",
            Sex::Female,
        ),
    ] {
        let s = format!("{body}{}", mod11_2(body));
        let id = ForeignPermanentId::parse_as_of(&s, today()).unwrap();
        assert_eq!(id.format(), ForeignFormat::Y2023);
        assert_eq!(id.nationality().alpha3(), alpha3, "{s}");
        assert_eq!(id.issuing_region().unwrap().name(), province);
        assert_eq!(id.birth_date().to_string(), birth);
        assert_eq!(id.sex(), sex);
        assert_eq!(id.as_str(), s);
        // Through the resolver: the web API's fields with the issuing province as region.
        let r = Resolver::new().with_today(today()).resolve(&s);
        assert_eq!(r.status(), Status::AlreadyAtt);
        assert_eq!(r.region().unwrap().name(), province);
        let f = cnid::wire::Fields::new(&r, &s);
        assert_eq!(f.par(), format!("{}0000", &s[1..3]));
        assert_eq!(f.sex(), sex.as_chinese());
        assert_eq!(f.born().as_str().len(), "1990年01月01日".len());
    }
}

/// The case: a 9-prefixed number is no longer "no such province code: 91".
#[test]
fn a_nine_prefixed_number_is_a_foreigners_id_not_a_province() {
    let s = format!("91184019800101111{}", mod11_2("91184019800101111"));
    let r = cnid::resolve(&s);
    assert_eq!(r.status(), Status::AlreadyAtt);
    assert_eq!(
        r.foreign_permanent().unwrap().nationality().name_zh(),
        "美国"
    );
    // A wrong one says what is wrong with it as a foreigner's number.
    let wrong = format!("{}{}", &s[..17], if s.ends_with('0') { '1' } else { '0' });
    let r = cnid::resolve(&wrong);
    assert_eq!(r.status(), Status::WrongIdcard);
    let e = r.document_error().unwrap().to_string();
    assert!(e.contains("check character"), "{e}");
    assert!(!e.contains("province code: 91"), "{e}");
    // Unknown nationality 999, province 99: named.
    let body = "99984019800101111";
    let e = ForeignPermanentId::parse(&format!("{body}{}", mod11_2(body))).unwrap_err();
    assert_eq!(
        e,
        DocumentError::Place {
            kind: Kind::ForeignPermanentResidenceId,
            code: 990000
        }
    );
    let body = "91199919800101111";
    let e = ForeignPermanentId::parse(&format!("{body}{}", mod11_2(body))).unwrap_err();
    assert_eq!(e, DocumentError::Nationality);
}

/// As people paste it: marks and white space around, full-width digits, lower-case x.
#[test]
fn a_foreigners_id_as_pasted_resolves() {
    let s = format!("91184019800101111{}", mod11_2("91184019800101111"));
    let full: String = s
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xfee0).unwrap())
        .collect();
    for input in [
        format!("\u{feff}{s}"),
        format!("\u{200b}{s} "),
        format!("  {s}\t"),
        full,
    ] {
        let r = cnid::resolve(&input);
        assert_eq!(r.status(), Status::AlreadyAtt, "{input:?}");
        assert_eq!(r.foreign_permanent().unwrap().as_str(), s);
    }
    let x = (0..1000)
        .map(|n| format!("91184019800101{n:03}"))
        .find(|b| mod11_2(b) == 'X')
        .unwrap();
    assert_eq!(cnid::resolve(&format!("{x}x")).status(), Status::AlreadyAtt);
}

/// Parentheses belong to Hong Kong and Macao numbers: a foreigners' ID with one is refused
/// by its own parser, as the resolver refuses it (found by fuzzing: they disagreed).
#[test]
fn a_foreigners_id_with_a_parenthesis_is_refused_by_both() {
    let s = format!("91184019800101111{}", mod11_2("91184019800101111"));
    for input in [
        format!("){s}"),
        format!("{s}("),
        format!("9118401980(0101111{})", &s[17..]),
    ] {
        let e = cnid::ForeignPermanentId::parse(&input).unwrap_err();
        assert!(
            matches!(
                e,
                cnid::DocumentError::Character {
                    found: '(' | ')',
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(cnid::resolve(&input).status(), Status::WrongIdcard);
    }
}

/// 公安部 2017 card (2004 number format): alpha-3, 4-digit place, YYMMDD, sequence, ICAO.
#[test]
fn foreign_2017_vectors() {
    for (body, name, place, birth, sex) in [
        ("USA11008001011", "美国", "北京市", "1980-01-01", Sex::Male),
        ("JPN44030510061", "日本", "深圳市", "2005-10-06", Sex::Male),
        (
            "CAN31005112312",
            "加拿大",
            "上海市",
            "1951-12-31",
            Sex::Female,
        ),
        (
            "DEU51010112250",
            "德国",
            "成都市",
            "2001-12-25",
            Sex::Female,
        ),
    ] {
        let s = format!("{body}{}", icao(body));
        let id = ForeignPermanentId::parse_as_of(&s, today()).unwrap();
        assert_eq!(id.format(), ForeignFormat::Y2017);
        assert_eq!(id.nationality().name_zh(), name);
        assert_eq!(id.issuing_region().unwrap().name(), place);
        assert_eq!(id.birth_date().to_string(), birth);
        assert_eq!(id.sex(), sex);
        assert_eq!(
            Document::parse_as_of(&s, today()).unwrap().kind(),
            Kind::ForeignPermanentResidenceId
        );
    }
    // Month 13 is no date.
    let body = "USA11008013011";
    let e = ForeignPermanentId::parse_as_of(&format!("{body}{}", icao(body)), today()).unwrap_err();
    assert!(matches!(e, DocumentError::Date { month: 13, .. }), "{e}");
    // 00–23 is read as 2000–2023 unless that is after today; 24–99 as 19xx.
    let id = ForeignPermanentId::parse_as_of(
        &format!("USA11002306011{}", icao("USA11002306011")),
        today(),
    )
    .unwrap();
    assert_eq!(id.birth_date().to_string(), "2023-06-01");
    let early = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let id = ForeignPermanentId::parse_as_of(
        &format!("USA11002306011{}", icao("USA11002306011")),
        early,
    )
    .unwrap();
    assert_eq!(id.birth_date().to_string(), "1923-06-01");
    let id = ForeignPermanentId::parse_as_of(
        &format!("USA11002406011{}", icao("USA11002406011")),
        today(),
    )
    .unwrap();
    assert_eq!(id.birth_date().to_string(), "1924-06-01");
    // Lower case and white space, as people type it.
    assert!(ForeignPermanentId::parse_as_of(
        &format!(" usa11008001011{} ", icao("USA11008001011")),
        today()
    )
    .is_ok());
}

/// The Hong Kong sample A123456(3) and two-letter numbers; check `A` for 10.
#[test]
fn hong_kong_vectors() {
    let id = HongKongId::parse("A123456(3)").unwrap();
    assert_eq!(id.as_str(), "A123456(3)");
    for s in [
        "A1234563",
        "a123456(3)",
        "Ａ１２３４５６（３）",
        " A123456(3) ",
    ] {
        assert_eq!(HongKongId::parse(s).unwrap(), id, "{s}");
    }
    assert_eq!(hk_check("A123456"), '3');
    for body in ["AB987654", "XA000000", "Z683365", "C668668", "WX123456"] {
        let c = hk_check(body);
        let id = HongKongId::parse(&format!("{body}({c})")).unwrap();
        assert_eq!(id.prefix(), &body[..body.len() - 6]);
        assert_eq!(id.check_char(), c);
        assert_eq!(
            Document::parse(&format!("{body}({c})")).unwrap().kind(),
            Kind::HongKongId
        );
    }
    // A body whose check is 10 takes `A`.
    let body = (0..1_000_000)
        .map(|n| format!("G{n:06}"))
        .find(|b| hk_check(b) == 'A')
        .unwrap();
    assert!(HongKongId::parse(&format!("{body}(A)")).is_ok());
    assert!(HongKongId::parse(&format!("{body}(0)")).is_err());
}

/// The Taiwan sample A123456789; sex from the second digit; 8/9 for residents.
#[test]
fn taiwan_vectors() {
    let id = TaiwanId::parse("A123456789").unwrap();
    assert_eq!(
        (id.place(), id.sex(), id.is_citizen()),
        ("台北市", Sex::Male, true)
    );
    for (body, place, sex, citizen) in [
        ("F22222222", "新北市", Sex::Female, true),
        ("Z10000000", "连江县", Sex::Male, true),
        ("I29999999", "嘉义市", Sex::Female, true),
        ("O81234567", "新竹市", Sex::Male, false),
        ("K90000001", "苗栗县", Sex::Female, false),
    ] {
        let s = format!("{body}{}", tw_check(body));
        let id = TaiwanId::parse(&s).unwrap();
        assert_eq!(
            (id.place(), id.sex(), id.is_citizen()),
            (place, sex, citizen),
            "{s}"
        );
        assert_eq!(tw_sum(&s) % 10, 0);
        assert_eq!(Document::parse(&s).unwrap().kind(), Kind::TaiwanId);
    }
    assert_eq!(
        TaiwanId::parse("A323456789").unwrap_err(),
        DocumentError::TaiwanSex('3')
    );
}

/// Forms without a published check digit: Macao ID, both travel permits.
#[test]
fn form_only_documents() {
    let m = MacaoId::parse("1234567(8)").unwrap();
    assert!(m.is_permanent());
    assert!(!MacaoId::parse("7234567(8)").unwrap().is_permanent());
    assert!(MacaoId::parse("2234567(8)").is_err());
    assert_eq!(Document::parse("5234567(8)").unwrap().kind(), Kind::MacaoId);
    assert_eq!(
        Document::parse("52345678").unwrap().kind(),
        Kind::TaiwanTravelPermit
    );
    assert_eq!(
        Document::parse_as("52345678", Kind::MacaoId)
            .unwrap()
            .kind(),
        Kind::MacaoId
    );

    assert!(HkMacaoPermit::parse("H12345678").unwrap().is_hong_kong());
    assert!(!HkMacaoPermit::parse("m1234567801").unwrap().is_hong_kong());
    assert!(HkMacaoPermit::parse("H1234567").is_err());
    assert_eq!(
        Document::parse("M12345678").unwrap().kind(),
        Kind::HkMacaoTravelPermit
    );

    assert_eq!(
        TaiwanPermit::parse("1234567890(B)").unwrap().as_str(),
        "1234567890(B)"
    );
    assert!(TaiwanPermit::parse("123456789").is_err());
    assert_eq!(
        Document::parse("1234567890").unwrap().kind(),
        Kind::TaiwanTravelPermit
    );
    for kind in [
        Kind::MacaoId,
        Kind::HkMacaoTravelPermit,
        Kind::TaiwanTravelPermit,
    ] {
        assert!(!kind.has_check_character());
    }
}

/// Residence permits keep resolving as resident numbers, and say which they are.
#[test]
fn residence_permits_keep_their_kind() {
    for (body, kind) in [
        ("81000019900101111", Kind::HkMacaoResidencePermit),
        ("82000019900101111", Kind::HkMacaoResidencePermit),
        ("83000019900101111", Kind::TaiwanResidencePermit),
        ("11010119900101111", Kind::ResidentId),
    ] {
        let s = format!("{body}{}", mod11_2(body));
        assert_eq!(Document::parse(&s).unwrap().kind(), kind);
        assert_eq!(cnid::resolve(&s).status(), Status::AlreadyAtt, "{s}");
    }
}

#[test]
fn errors_never_echo_the_number() {
    for s in [
        "911840198001011113",
        "USA110080010110",
        "A123456(4)",
        "A123456788",
        "Q99999999999999999999",
        "ZZZ999999999999",
    ] {
        if let Err(e) = Document::parse(s) {
            let msg = e.to_string();
            assert!(!msg.contains(&s[1..8]), "{msg}");
        }
    }
}

#[test]
fn nationality_table() {
    assert_eq!(Nationality::all().count(), 250);
    for n in Nationality::all() {
        assert_eq!(Nationality::from_numeric(n.numeric()), Some(n));
        assert_eq!(Nationality::from_alpha3(n.alpha3()), Some(n));
        assert!(!n.name_zh().is_empty());
    }
    assert_eq!(Nationality::from_numeric(392).unwrap().name_zh(), "日本");
}

// ---- generated numbers and single-character changes ------------------------------------

fn provinces() -> Vec<u32> {
    cnid::Region::all()
        .filter(|r| r.code() % 10_000 == 0 && r.is_current() == Some(true))
        .map(|r| r.code() / 10_000)
        .collect()
}

fn date() -> impl Strategy<Value = (u32, u32, u32)> {
    (1900u32..2025, 1u32..=12, 1u32..=28)
}

proptest! {
    #[test]
    fn foreign_2023_generated(p in 0usize..34, n in 0usize..250, (y, m, d) in date(), seq in 0u32..1000,
                              pos in 0usize..18, to in 0u8..11) {
        let province = provinces()[p % provinces().len()];
        let nat = Nationality::all().nth(n).unwrap();
        let body = format!("9{province:02}{:03}{y:04}{m:02}{d:02}{seq:03}", nat.numeric());
        let s = format!("{body}{}", mod11_2(&body));
        let id = ForeignPermanentId::parse_as_of(&s, today()).unwrap();
        prop_assert_eq!(id.nationality(), nat);
        prop_assert_eq!(id.issuing_code(), province * 10_000);
        prop_assert_eq!(id.birth_ymd(), (y as u16, m as u8, d as u8));
        prop_assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);
        prop_assert_eq!(Document::parse_as_of(&s, today()).unwrap().kind(), Kind::ForeignPermanentResidenceId);
        // MOD 11-2 catches every single substitution.
        let mut b = s.clone().into_bytes();
        let c = b"0123456789X"[usize::from(to)];
        prop_assume!(b[pos] != c);
        b[pos] = c;
        let mutated = String::from_utf8(b).unwrap();
        prop_assert!(ForeignPermanentId::parse_as_of(&mutated, today()).is_err(), "{}", mutated);
        let r = cnid::resolve(&mutated);
        prop_assert_ne!(r.foreign_permanent(), Some(&id));
    }

    #[test]
    fn foreign_2017_generated(p in 0usize..34, n in 0usize..250, (y, m, d) in (1960u32..2000, 1u32..=12, 1u32..=28),
                              seq in 0u32..10, pos in 0usize..15, to in 0u8..36) {
        let province = provinces()[p % provinces().len()];
        let nat = Nationality::all().nth(n).unwrap();
        let body = format!("{}{province:02}00{:02}{m:02}{d:02}{seq}", nat.alpha3(), y % 100);
        let s = format!("{body}{}", icao(&body));
        let id = ForeignPermanentId::parse_as_of(&s, today()).unwrap();
        prop_assert_eq!(id.nationality(), nat);
        prop_assert_eq!(id.birth_ymd(), (y as u16, m as u8, d as u8));
        prop_assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);
        let mut b = s.clone().into_bytes();
        let c = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[usize::from(to)];
        prop_assume!(b[pos] != c);
        let old = b[pos];
        b[pos] = c;
        let mutated = String::from_utf8(b).unwrap();
        match ForeignPermanentId::parse_as_of(&mutated, today()) {
            Err(_) => {}
            // Only a letter of the nationality swapped for one 10 or 20 places away keeps
            // the ICAO sum: then it names another country.
            Ok(other) => {
                prop_assert!(pos < 3 && (i32::from(old) - i32::from(c)).abs() % 10 == 0, "{}", mutated);
                prop_assert_ne!(other.nationality(), nat);
            }
        }
    }

    #[test]
    fn hong_kong_generated(two in any::<bool>(), l1 in 0u8..26, l2 in 0u8..26, digits in 0u32..1_000_000,
                           pos in 0usize..9, to in 0u8..36) {
        let letters = if two { format!("{}{}", char::from(b'A' + l1), char::from(b'A' + l2)) } else { char::from(b'A' + l1).to_string() };
        let body = format!("{letters}{digits:06}");
        let s = format!("{body}{}", hk_check(&body));
        let id = HongKongId::parse(&s).unwrap();
        prop_assert_eq!(id.prefix(), letters.as_str());
        prop_assert_eq!(Document::parse(&s).unwrap().kind(), Kind::HongKongId);
        let mut b = s.clone().into_bytes();
        prop_assume!(pos < b.len());
        let c = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[usize::from(to)];
        prop_assume!(b[pos] != c);
        let old = b[pos];
        b[pos] = c;
        let mutated = String::from_utf8(b).unwrap();
        let value = |x: u8| if x.is_ascii_digit() { i32::from(x - b'0') } else { i32::from(x - b'A') + 10 };
        let letter_swap = old.is_ascii_uppercase() && c.is_ascii_uppercase() && pos < letters.len();
        if letter_swap && (value(old) - value(c)) % 11 == 0 {
            // MOD 11 over letters 10–35 cannot see a swap by 11 or 22 places.
            prop_assert!(HongKongId::parse(&mutated).is_ok());
        } else {
            prop_assert!(HongKongId::parse(&mutated).is_err(), "{}", mutated);
        }
    }

    #[test]
    fn taiwan_generated(l in 0u8..26, sex in prop::sample::select(vec![b'1', b'2', b'8', b'9']), digits in 0u32..10_000_000,
                        pos in 1usize..10, to in 0u8..10) {
        let body = format!("{}{}{digits:07}", char::from(b'A' + l), char::from(sex));
        let s = format!("{body}{}", tw_check(&body));
        let id = TaiwanId::parse(&s).unwrap();
        prop_assert_eq!(id.sex() == Sex::Male, sex == b'1' || sex == b'8');
        let mut b = s.clone().into_bytes();
        let c = b'0' + to;
        prop_assume!(b[pos] != c);
        let delta = i32::from(c) - i32::from(b[pos]);
        b[pos] = c;
        let mutated = String::from_utf8(b).unwrap();
        let weight = if pos == 9 { 1 } else { 9 - pos as i32 };
        let kept = (delta * weight) % 10 == 0;
        let sex_ok = pos != 1 || matches!(c, b'1' | b'2' | b'8' | b'9');
        // A sum mod 10 misses a change whose weighted delta is a multiple of 10.
        prop_assert_eq!(TaiwanId::parse(&mutated).is_ok(), kept && sex_ok, "{}", mutated);
    }

    /// Forms without a check digit: every generated number parses as its kind, and a
    /// letter where a digit belongs (or a wrong leading character) is refused.
    #[test]
    fn form_only_kinds_generated(lead in prop::sample::select(vec!['1', '5', '7']), digits in 0u32..10_000_000,
                                 hm in prop::sample::select(vec!['H', 'M']), renewals in 0u32..100,
                                 pos in 1usize..8, bad in 0u8..26) {
        let macao = format!("{lead}{:06}({})", digits / 10, digits % 10);
        prop_assert_eq!(Document::parse(&macao).unwrap().kind(), Kind::MacaoId);
        prop_assert_eq!(MacaoId::parse(&macao).unwrap().is_permanent(), lead != '7');
        let permit = format!("{hm}{:08}", digits);
        prop_assert_eq!(Document::parse(&permit).unwrap().kind(), Kind::HkMacaoTravelPermit);
        let old_permit = format!("{permit}{renewals:02}");
        prop_assert_eq!(HkMacaoPermit::parse(&old_permit).unwrap().is_hong_kong(), hm == 'H');
        let tw = format!("{:08}", digits);
        prop_assert_eq!(Document::parse(&tw).unwrap().kind(), Kind::TaiwanTravelPermit);
        let letter = char::from(b'A' + bad);
        let mut m: Vec<char> = macao.chars().collect();
        m[pos] = letter;
        prop_assert!(MacaoId::parse(&m.iter().collect::<String>()).is_err());
        let mut p: Vec<char> = permit.chars().collect();
        p[pos] = letter;
        prop_assert!(HkMacaoPermit::parse(&p.iter().collect::<String>()).is_err());
        let mut t: Vec<char> = tw.chars().collect();
        t[pos] = letter;
        prop_assert!(TaiwanPermit::parse(&t.iter().collect::<String>()).is_err());
    }

    #[test]
    fn any_string_never_panics(s in "\\PC{0,30}") {
        let _ = Document::parse(&s);
        let _ = cnid::resolve(&s);
    }

    #[test]
    fn document_shaped_strings_never_panic(s in "[0-9A-Za-z()（）９Ｘ ]{0,24}") {
        if let Ok(d) = Document::parse(&s) {
            prop_assert!(!d.as_str().is_empty());
            prop_assert!(Document::parse_as(d.as_str(), d.kind()).is_ok() || d.kind() == Kind::ResidentId || d.birth_date().is_some());
        }
    }
}
