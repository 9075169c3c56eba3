//! The core without any feature (`no_std` + `alloc` in the library): "today" is given by the
//! caller, and parsing, the table, resolution and the wire shapes all work.

use chrono::NaiveDate;
use cnid::{IdNumber, Resolver, Status};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[test]
fn parse_resolve_and_write_without_a_clock() {
    let n = IdNumber::parse_as_of("110101199001011114", today()).unwrap();
    assert_eq!(n.region_code(), 110_101);
    let resolver = Resolver::as_of(today());
    assert_eq!(resolver.today(), Some(today()));
    let r = resolver.resolve("512928199001011114");
    assert_eq!(r.status(), Status::AlreadyAtt);
    assert_eq!(r.region().unwrap().att(), "四川省 南充地区 武胜县");
    assert_eq!(
        resolver.resolve("110101199001011112").status(),
        Status::WrongIdcard
    );
    let mut out = String::new();
    cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&r, "512928199001011114"));
    assert!(out.contains(r#""att":"四川省 南充地区 武胜县""#), "{out}");
    assert_eq!(cnid::Region::all().count(), cnid::CODE_COUNT);
}
