//! Resolving against the built-in table: statuses, era names, history.

use chrono::NaiveDate;
use cnid::{Level, ParseError, Region, Resolver, Source, Status};

fn resolver() -> Resolver {
    Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())
}

fn with_check(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

#[test]
fn statuses() {
    let r = resolver();
    assert_eq!(r.resolve("110101199001011114").status(), Status::AlreadyAtt);
    assert_eq!(
        r.resolve(&with_check("11999919900101111")).status(),
        Status::NotAtt
    );
    let wrong = r.resolve("110101199001011112");
    assert_eq!(wrong.status(), Status::WrongIdcard);
    assert_eq!(
        wrong.error(),
        Some(&ParseError::CheckCharacter {
            expected: '4',
            found: '2'
        })
    );
    assert!(wrong.number().is_none() && wrong.region().is_none());
}

#[test]
fn not_att_keeps_the_number() {
    let r = resolver().resolve(&with_check("11999919900101111"));
    assert_eq!(r.number().unwrap().region_code(), 119_999);
    assert!(r.region().is_none());
    assert_eq!(r.status().message(), Some("暂无归属地信息"));
}

#[test]
fn seed_region() {
    let region = Region::lookup(110_101).unwrap();
    assert_eq!(region.name(), "东城区");
    assert_eq!(region.att(), "北京市 东城区 ");
    assert_eq!(region.postno(), "100000");
    assert_eq!(region.areano(), "010");
    assert_eq!(region.style_simcall(), "中国,北京");
    assert_eq!(region.style_citynm(), "中华人民共和国,北京市");
    assert_eq!(region.is_current(), Some(true));
    assert_eq!(region.level(), Some(Level::County));
    assert_eq!(region.source(), Source::Table);
    assert_eq!(region.province_now(), Some(("北京", "北京市")));
    assert_eq!(region.city_now(), None);
}

#[test]
fn abolished_codes_still_resolve() {
    for code in [110_103, 110_104, 512_928] {
        let region = Region::lookup(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(region.is_current(), Some(false), "{code}");
        let n = with_check(&format!("{code}19850607123"));
        assert_eq!(
            resolver().resolve(&n).status(),
            Status::AlreadyAtt,
            "{code}"
        );
    }
    let chongwen = Region::lookup(110_103).unwrap();
    assert_eq!(chongwen.name(), "崇文区");
    assert!(chongwen.latest().unwrap().last_year.unwrap() >= 2009);
}

#[test]
fn renamed_code_keeps_both_names() {
    let r = Region::lookup(420_600).unwrap();
    let names: Vec<&str> = r.names().iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"襄樊市") && names.contains(&"襄阳市"),
        "{names:?}"
    );
    assert_eq!(r.name(), "襄阳市");
    assert_eq!(r.is_current(), Some(true));
    let xiangfan = r.names().iter().find(|s| s.name == "襄樊市").unwrap();
    assert!(xiangfan.last_year.is_some());
}

#[cfg(feature = "serde")]
#[test]
fn resolution_serializes_the_typed_answer() {
    let r = resolver().resolve("512928199001011114");
    let v: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(v["status"], "ALREADY_ATT");
    assert_eq!(v["birth_date"], "1990-01-01");
    assert_eq!(v["sex"], "male");
    assert_eq!(v["region"]["code"], "512928");
    assert_eq!(v["region"]["current"], false);
    assert_eq!(v["region"]["names"][0]["prefecture"], "南充地区");
    let wrong = serde_json::to_value(resolver().resolve("11010119900101111X")).unwrap();
    assert_eq!(
        wrong["error"],
        "invalid check character: expected 4, found X"
    );
}

#[test]
fn table_is_big_and_versioned() {
    let count = cnid::Region::all().count();
    assert_eq!(count, cnid::CODE_COUNT);
    assert!(count >= 7_200, "{count}");
    assert!(!cnid::DATA_VERSION.is_empty());
}

#[test]
fn unpublished_codes_get_a_prefecture_hint_but_stay_not_att() {
    // 430419 is on real cards (耒阳) but in no published list; 119999 is in no prefecture.
    let r = resolver().resolve(&with_check("43041919900101111"));
    assert_eq!(r.status(), Status::NotAtt);
    assert!(r.region().is_none());
    let hint = r.region_hint().unwrap();
    assert_eq!(hint.code(), 430_400);
    assert_eq!(hint.level(), Some(Level::Prefecture));
    let r = resolver().resolve(&with_check("11999919900101111"));
    assert_eq!(r.region_hint().unwrap().code(), 110_000);
    assert!(resolver()
        .resolve("110101199001011114")
        .region_hint()
        .is_none());
    assert!(Region::lookup_nearest(990_101).is_none());
}
