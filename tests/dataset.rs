//! Invariants and known facts of the committed dataset (`data/regions.csv`,
//! `data/fixups.csv`). These tests read the files the build script reads; they
//! never touch the network or anything outside the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;

const HEADER: &str = "code,name,first_year,last_year,level,placeholder,province,prefecture,\
province_short,province_full,city_short,city_full,postno,areano";

#[derive(Debug, Clone, Deserialize)]
struct Row {
    code: String,
    name: String,
    first_year: u16,
    last_year: Option<u16>,
    level: String,
    placeholder: u8,
    province: String,
    prefecture: String,
    province_short: String,
    province_full: String,
    city_short: String,
    city_full: String,
    postno: String,
    areano: String,
}

#[derive(Debug, Deserialize)]
struct Fixup {
    code: String,
    op: String,
    name: String,
    first_year: Option<u16>,
    last_year: Option<u16>,
    value: String,
    reason: String,
    source: String,
}

fn data_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

fn rows() -> Vec<Row> {
    let path = data_path("regions.csv");
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rdr.deserialize()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("regions.csv:{}: {e}", i + 2)))
        .collect()
}

fn by_code(rows: &[Row]) -> BTreeMap<&str, Vec<&Row>> {
    let mut m: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        m.entry(r.code.as_str()).or_default().push(r);
    }
    m
}

fn one<'a>(rows: &'a [Row], code: &str, name: &str) -> &'a Row {
    let hits: Vec<&Row> = rows
        .iter()
        .filter(|r| r.code == code && r.name == name)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{code} {name}: expected exactly one row, got {hits:?}"
    );
    hits[0]
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn file_format() {
    let text = std::fs::read_to_string(data_path("regions.csv")).expect("read regions.csv");
    assert!(!text.contains('\r'), "regions.csv must use LF line endings");
    assert!(
        !text.starts_with('\u{feff}'),
        "regions.csv must not start with a BOM"
    );
    assert!(text.ends_with('\n'));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER));
    for (i, line) in lines.enumerate() {
        assert!(!line.contains('"'), "line {}: quote", i + 2);
        assert_eq!(
            line.split(',').count(),
            14,
            "line {}: expected 14 fields",
            i + 2
        );
    }
    let version = std::fs::read_to_string(data_path("VERSION")).expect("read VERSION");
    assert!(
        version.starts_with("gbt2260-") && version.ends_with('\n') && version.lines().count() == 1
    );
}

#[test]
fn rows_are_well_formed_and_sorted() {
    let rows = rows();
    let mut prev: Option<(&str, u16)> = None;
    for r in &rows {
        assert!(is_digits(&r.code, 6), "bad code {:?}", r.code);
        assert!(!r.name.is_empty() && !r.province.is_empty(), "{r:?}");
        assert!((1980..=2026).contains(&r.first_year), "{r:?}");
        if let Some(last) = r.last_year {
            assert!(r.first_year <= last && last < 2026, "{r:?}");
        }
        assert!(r.placeholder <= 1, "{r:?}");
        let expected_level = if r.code.ends_with("0000") {
            "province"
        } else if r.code.ends_with("00") {
            "prefecture"
        } else {
            "county"
        };
        assert_eq!(r.level, expected_level, "{r:?}");
        if r.level != "county" || ["11", "12", "31", "50"].contains(&&r.code[..2]) {
            assert!(r.prefecture.is_empty(), "prefecture must be empty: {r:?}");
        }
        assert!(r.postno.is_empty() || is_digits(&r.postno, 6), "{r:?}");
        assert!(
            r.areano.is_empty()
                || (r.areano.starts_with('0') && r.areano.bytes().all(|b| b.is_ascii_digit())),
            "{r:?}"
        );
        assert_eq!(r.city_short.is_empty(), r.city_full.is_empty(), "{r:?}");
        assert!(
            !r.province_short.is_empty() && !r.province_full.is_empty(),
            "{r:?}"
        );
        let key = (r.code.as_str(), r.first_year);
        if let Some(p) = prev {
            assert!(
                p < key,
                "rows not sorted by (code, first_year): {p:?} then {key:?}"
            );
        }
        prev = Some(key);
    }
}

#[test]
fn intervals_of_a_code_do_not_overlap() {
    let rows = rows();
    for (code, rs) in by_code(&rows) {
        for w in rs.windows(2) {
            let end = w[0].last_year.unwrap_or_else(|| {
                panic!("{code}: open interval {:?} followed by {:?}", w[0], w[1])
            });
            assert!(
                end < w[1].first_year,
                "{code}: {:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
}

#[test]
fn every_code_has_its_province() {
    let rows = rows();
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    for c in &codes {
        let prov = format!("{}0000", &c[..2]);
        assert!(
            codes.contains(prov.as_str()),
            "{c}: province {prov} missing"
        );
    }
}

#[test]
fn counts() {
    let rows = rows();
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert!(codes.len() >= 7200, "only {} distinct codes", codes.len());
    let current: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.last_year.is_none() && r.placeholder == 0)
        .map(|r| r.code.as_str())
        .collect();
    assert!(
        current.len() >= 3200,
        "only {} current non-placeholder codes",
        current.len()
    );
}

#[test]
fn current_counties_have_postal_and_area_codes() {
    let rows = rows();
    let mut n = 0;
    for r in rows
        .iter()
        .filter(|r| r.last_year.is_none() && r.level == "county" && r.placeholder == 0)
    {
        n += 1;
        assert!(is_digits(&r.postno, 6), "postno missing: {r:?}");
        assert!(
            (3..=4).contains(&r.areano.len())
                && r.areano.starts_with('0')
                && r.areano.bytes().all(|b| b.is_ascii_digit()),
            "areano missing: {r:?}"
        );
    }
    assert!(n >= 2800, "only {n} current county-level codes");
}

#[test]
fn beijing_dongcheng() {
    let rows = rows();
    let r = one(&rows, "110101", "东城区");
    assert_eq!(r.last_year, None);
    assert_eq!((r.level.as_str(), r.placeholder), ("county", 0));
    assert_eq!((r.province.as_str(), r.prefecture.as_str()), ("北京市", ""));
    assert_eq!((r.postno.as_str(), r.areano.as_str()), ("100000", "010"));
    assert_eq!(
        (r.province_short.as_str(), r.province_full.as_str()),
        ("北京", "北京市")
    );
    assert_eq!((r.city_short.as_str(), r.city_full.as_str()), ("", ""));
}

#[test]
fn wusheng_keeps_its_era_prefecture() {
    let rows = rows();
    let r = one(&rows, "512928", "武胜县");
    assert_eq!(r.last_year, Some(1992));
    assert_eq!(
        (r.province.as_str(), r.prefecture.as_str()),
        ("四川省", "南充地区")
    );
    assert_eq!((r.postno.as_str(), r.areano.as_str()), ("637000", "0817"));
    assert_eq!(
        (r.province_short.as_str(), r.province_full.as_str()),
        ("四川", "四川省")
    );
    assert_eq!(
        (r.city_short.as_str(), r.city_full.as_str()),
        ("南充", "南充市")
    );
}

#[test]
fn chongwen_and_xuanwu_end_2009() {
    // Year-end convention: abolished in July 2010, so the 2009 list is the last to carry them.
    let rows = rows();
    for (code, name) in [("110103", "崇文区"), ("110104", "宣武区")] {
        let r = one(&rows, code, name);
        assert_eq!(r.last_year, Some(2009), "{r:?}");
        assert_eq!(
            (r.province.as_str(), r.postno.as_str(), r.areano.as_str()),
            ("北京市", "100000", "010")
        );
    }
}

#[test]
fn xiangfan_renamed_xiangyang() {
    let rows = rows();
    let old = one(&rows, "420600", "襄樊市");
    let new = one(&rows, "420600", "襄阳市");
    assert_eq!(old.last_year, Some(2009));
    assert_eq!((new.first_year, new.last_year), (2010, None));
    assert_eq!(old.city_full, "襄阳市");
    assert_eq!(
        (old.level.as_str(), old.prefecture.as_str()),
        ("prefecture", "")
    );
}

#[test]
fn xuanzhou_342501() {
    let rows = rows();
    let r = one(&rows, "342501", "宣州市");
    assert_eq!((r.first_year, r.last_year), (1987, Some(1999)));
    assert_eq!(
        (r.prefecture.as_str(), r.city_full.as_str()),
        ("宣城地区", "宣城市")
    );
    assert_eq!((r.postno.as_str(), r.areano.as_str()), ("242000", "0563"));
}

#[test]
fn shenzhen_prefecture_row() {
    let rows = rows();
    let r = one(&rows, "440300", "深圳市");
    assert_eq!(
        (r.level.as_str(), r.province.as_str(), r.prefecture.as_str()),
        ("prefecture", "广东省", "")
    );
    assert_eq!(
        (r.city_short.as_str(), r.postno.as_str(), r.areano.as_str()),
        ("深圳", "518000", "0755")
    );
}

#[test]
fn placeholders_are_flagged_and_kept() {
    let rows = rows();
    let r = one(&rows, "440301", "市辖区");
    assert_eq!(r.placeholder, 1);
    assert_eq!(r.last_year, None);
    let r = one(&rows, "110101", "东城区");
    assert_eq!(r.placeholder, 0);
}

#[test]
fn special_regions_present() {
    let rows = rows();
    for (code, name) in [
        ("810000", "香港特别行政区"),
        ("820000", "澳门特别行政区"),
        ("830000", "台湾省"),
        ("710000", "台湾省"),
    ] {
        let r = one(&rows, code, name);
        assert_eq!((r.level.as_str(), r.last_year), ("province", None), "{r:?}");
    }
}

#[test]
fn fixups_parse_and_name_known_codes() {
    let rows = rows();
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let path = data_path("fixups.csv");
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        rdr.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "code",
            "op",
            "name",
            "first_year",
            "last_year",
            "value",
            "reason",
            "source"
        ]
    );
    let mut n = 0;
    for (i, f) in rdr.deserialize::<Fixup>().enumerate() {
        let f = f.unwrap_or_else(|e| panic!("fixups.csv:{}: {e}", i + 2));
        n += 1;
        assert!(is_digits(&f.code, 6), "fixups.csv:{}: bad code", i + 2);
        assert!(
            codes.contains(f.code.as_str()),
            "fixups.csv:{}: {} not in regions.csv",
            i + 2,
            f.code
        );
        assert!(
            ["add", "rename", "years", "drop", "postal", "successor"].contains(&f.op.as_str()),
            "{f:?}"
        );
        assert!(!f.reason.is_empty() && !f.source.is_empty(), "{f:?}");
        if let (Some(a), Some(b)) = (f.first_year, f.last_year) {
            assert!(a <= b, "{f:?}");
        }
        match f.op.as_str() {
            "rename" => assert!(!f.name.is_empty() && !f.value.is_empty(), "{f:?}"),
            "add" | "years" => {
                assert!(!f.name.is_empty() && f.first_year.is_some(), "{f:?}");
                // the fact the fix-up adds is in the dataset
                assert!(
                    rows.iter().any(|r| r.code == f.code && r.name == f.name),
                    "{f:?} not applied"
                );
            }
            "postal" => assert!(f.value.contains('/'), "{f:?}"),
            _ => {}
        }
    }
    assert!(n >= 50, "only {n} fix-ups");
}
