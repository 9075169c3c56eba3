//! `cnid::bulk` answers exactly what `Resolver::resolve` answers, number for number.

use chrono::NaiveDate;
use cnid::bulk::{self, Columns, NO_REGION};
use cnid::{Region, Resolution, Resolver, Status};
use proptest::prelude::*;

fn resolver() -> Resolver {
    Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())
}

fn complete(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

/// The row `resolve` gives, in the columns' terms.
fn expected_row(r: &Resolution) -> (Status, u32, Option<cnid::Sex>, Option<u32>) {
    let pack = |(y, m, d): (u16, u8, u8)| u32::from(y) * 10_000 + u32::from(m) * 100 + u32::from(d);
    let valid = r.status().is_valid();
    // A resident number, or a foreigners' permanent residence ID: both answer with a
    // birth date and sex.
    let (born, sex) = match (r.number(), r.foreign_permanent()) {
        (Some(n), _) if valid => (pack(n.birth_ymd()), Some(n.sex())),
        (None, Some(f)) if valid => (pack(f.birth_ymd()), Some(f.sex())),
        _ => (0, None),
    };
    (r.status(), born, sex, r.region().map(Region::code))
}

/// Resolves `inputs` in bulk and one by one, and compares every row.
fn agree(resolver: &Resolver, inputs: &[String]) {
    let mut out = Columns::default();
    bulk::resolve_into(resolver, inputs.iter().map(String::as_str), &mut out);
    assert_eq!(out.len(), inputs.len());
    let mut statuses = Vec::new();
    bulk::statuses_into(resolver, inputs.iter().map(String::as_str), &mut statuses);
    assert_eq!(statuses, out.status);
    for (i, input) in inputs.iter().enumerate() {
        let r = resolver.resolve(input);
        let region = (out.region[i] != NO_REGION).then(|| {
            bulk::region(out.region[i])
                .expect("an index in the table")
                .code()
        });
        assert_eq!(
            (out.status[i], out.born[i], out.sex[i], region),
            expected_row(&r),
            "row {i}: {}",
            cnid::mask(input)
        );
    }
}

/// Every code of the table, in a valid number, resolves in bulk to that code: so a known
/// code never needs the province check that the bulk fast path leaves out.
#[test]
fn every_table_code_agrees() {
    let inputs: Vec<String> = Region::all()
        .map(|r| complete(&format!("{:06}19900101123", r.code())))
        .collect();
    agree(&resolver(), &inputs);
    let mut out = Columns::default();
    bulk::resolve_into(&resolver(), inputs.iter().map(String::as_str), &mut out);
    for (i, r) in Region::all().enumerate() {
        assert_eq!(out.region[i], i as u32, "{}", r.code());
        assert_eq!(bulk::region(i as u32), Some(r));
    }
    assert!(bulk::region(cnid::CODE_COUNT as u32).is_none());
    assert!(bulk::region(NO_REGION).is_none());
}

/// The cases each front is tested on, with every length of input around a block.
#[test]
fn mixed_set_agrees_across_block_edges() {
    let valid = complete("11010119900101111");
    let mut wrong_check = valid.clone();
    wrong_check.replace_range(17.., if valid.ends_with('2') { "3" } else { "2" });
    let cases = [
        valid.clone(),
        wrong_check,
        complete("11010119900230111"), // 30 February
        complete("99010119900101111"), // no such province
        complete("43041919900101111"), // unknown region: NOT_ATT
        "110101900101111".to_owned(),  // 15 digits
        "１１０１０１１９９００１０１１１１４".to_owned(),
        format!(" {valid}\t"),
        String::new(),
        complete("11010120991231111"), // after "today"
        complete("11010117991231111"), // before 1800
        "11010519491231002x".to_owned(),
        "11010519491231002X".to_owned(),
        "1101011990010111a4".to_owned(),
        "💥".repeat(5),
    ];
    for n in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
        let inputs: Vec<String> = cases.iter().cycle().take(n).cloned().collect();
        agree(&resolver(), &inputs);
    }
}

/// With the system date, a birth date tomorrow is in the future and today's is not.
#[test]
fn system_today_agrees() {
    use chrono::Datelike;
    let today = cnid::today();
    let next = today.succ_opt().unwrap();
    let inputs: Vec<String> = [today, next]
        .iter()
        .map(|d| {
            complete(&format!(
                "110101{:04}{:02}{:02}111",
                d.year(),
                d.month(),
                d.day()
            ))
        })
        .collect();
    agree(&Resolver::new(), &inputs);
    let mut out = Columns::default();
    bulk::resolve_into(
        &Resolver::new(),
        inputs.iter().map(String::as_str),
        &mut out,
    );
    assert_eq!(out.status, [Status::AlreadyAtt, Status::WrongIdcard]);
}

/// A number from parts that are mostly right: any province, region, date and sequence,
/// then now and then a byte changed, a character made full-width or lower-case, or
/// white space around it.
fn mixed() -> impl Strategy<Value = String> {
    (
        10u32..99,
        0u32..10_000,
        1790u32..2040,
        0u32..14,
        0u32..33,
        0u32..1000,
        0u8..8,
        any::<u64>(),
    )
        .prop_map(|(p, rest, y, m, d, seq, kind, r)| {
            let body = format!("{p:02}{rest:04}{y:04}{m:02}{d:02}{seq:03}");
            let mut s = complete(&body);
            let pos = (r % 18) as usize;
            match kind {
                0 => {
                    let alphabet = b"0123456789Xx/: ";
                    let mut b = s.into_bytes();
                    b[pos] = alphabet[(r >> 8) as usize % alphabet.len()];
                    s = String::from_utf8(b).unwrap();
                }
                1 => s = format!("{}{}", &s[..6], &s[8..17]),
                2 => s = format!(" {s}\u{feff}"),
                3 => s = s.replace('X', "x"),
                4 => s.truncate(pos),
                _ => {}
            }
            s
        })
}

/// Well-known Region codes from the table, so that many numbers are `ALREADY_ATT`.
fn known() -> impl Strategy<Value = String> {
    let codes: Vec<u32> = Region::all().map(|r| r.code()).collect();
    (
        0..codes.len(),
        1950u32..2020,
        1u32..13,
        1u32..29,
        0u32..1000,
    )
        .prop_map(move |(i, y, m, d, seq)| {
            complete(&format!("{:06}{y}{m:02}{d:02}{seq:03}", codes[i]))
        })
}

proptest! {
    #[test]
    fn bulk_agrees_with_resolve(
        inputs in prop::collection::vec(prop_oneof![mixed(), known(), any::<String>()], 0..200)
    ) {
        agree(&resolver(), &inputs);
    }
}

/// A foreigners' permanent residence ID (2023 form) answers in bulk as `resolve` does: its
/// birth date and sex, and its issuing province as the region.
#[test]
fn foreigners_permanent_residence_ids_agree() {
    let r = resolver();
    let inputs: Vec<String> = [
        "93184019900101011",
        "91184019851231022",
        "93178019900101011",
    ]
    .iter()
    .map(|b| complete(b))
    .collect();
    let first = r.resolve(&inputs[0]);
    assert_eq!(
        first.status(),
        Status::AlreadyAtt,
        "a valid 2023-form number"
    );
    assert!(first.foreign_permanent().is_some());
    assert_eq!(first.region().map(Region::code), Some(310_000));
    agree(&r, &inputs);
}
