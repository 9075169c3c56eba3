//! Invariants and known facts of the committed dataset (`data/regions.csv`,
//! `data/fixups.csv`). These tests read the files the build script reads; they
//! never touch the network or anything outside the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cnid::Region;
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

/// Every record of a CSV file in data/, or a panic naming the file and line.
fn read<T: serde::de::DeserializeOwned>(file: &str) -> Vec<T> {
    let path = data_path(file);
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rdr.deserialize()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 2)))
        .collect()
}

fn rows() -> Vec<Row> {
    read("regions.csv")
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
            [
                "add",
                "rename",
                "years",
                "drop",
                "postal",
                "successor",
                "transfer",
                "shares-city",
                "postal-doubt"
            ]
            .contains(&f.op.as_str()),
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

fn fixups() -> Vec<Fixup> {
    read("fixups.csv")
}

fn end(r: &Row) -> u16 {
    r.last_year.unwrap_or(u16::MAX)
}

/// Province prefixes (first two digits) of each present-day province-level name.
fn province_prefixes(rows: &[Row]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut m: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.level == "province" && r.last_year.is_none())
    {
        m.entry(r.name.as_str()).or_default().insert(&r.code[..2]);
    }
    m
}

/// Whether a `transfer` fix-up covers the row: its code (a prefecture code covers the
/// block xxxx..), overlapping years, and today's province.
fn transferred(f: &Fixup, r: &Row, to: &BTreeSet<&str>) -> bool {
    f.op == "transfer"
        && to.contains(&f.value[..2])
        && (f.code == r.code || (f.code.ends_with("00") && f.code[..4] == r.code[..4]))
        && f.first_year.unwrap_or(0) <= end(r)
        && r.first_year <= f.last_year.unwrap_or(u16::MAX)
}

#[test]
fn present_province_is_own_or_a_documented_transfer() {
    let rows = rows();
    let fixups = fixups();
    let provinces = province_prefixes(&rows);
    let mut transfers = 0;
    for r in &rows {
        let to = provinces
            .get(r.province_full.as_str())
            .unwrap_or_else(|| panic!("{r:?}: province_full is not a present-day province"));
        if to.contains(&r.code[..2]) {
            continue;
        }
        transfers += 1;
        assert!(
            fixups.iter().any(|f| transferred(f, r, to)),
            "{} {} ({}-{:?}) answers {} without a transfer row in fixups.csv",
            r.code,
            r.name,
            r.first_year,
            r.last_year,
            r.province_full
        );
    }
    // 广东 -> 海南 (1988) and 四川 -> 重庆 (1997) exist, so some rows are transferred
    assert!(transfers > 100, "only {transfers} transferred rows");
}

/// The current row of each present-day city, keyed by (province prefix, full name).
fn present_cities(rows: &[Row]) -> BTreeMap<(&str, &str), &Row> {
    rows.iter()
        .filter(|r| r.last_year.is_none() && r.placeholder == 0 && !r.city_full.is_empty())
        .filter(|r| r.name == r.city_full)
        .map(|r| ((&r.code[..2], r.name.as_str()), r))
        .collect()
}

#[test]
fn present_city_is_in_present_province_and_gives_its_codes() {
    let rows = rows();
    let provinces = province_prefixes(&rows);
    let cities = present_cities(&rows);
    for r in rows.iter().filter(|r| !r.city_full.is_empty()) {
        let to = &provinces[r.province_full.as_str()];
        let city = to
            .iter()
            .find_map(|p| cities.get(&(*p, r.city_full.as_str())))
            .unwrap_or_else(|| {
                panic!(
                    "{r:?}: city {} is not a present-day city of {}",
                    r.city_full, r.province_full
                )
            });
        assert_eq!(
            (r.postno.as_str(), r.areano.as_str(), r.city_short.as_str()),
            (
                city.postno.as_str(),
                city.areano.as_str(),
                city.city_short.as_str()
            ),
            "{} {} answers {} with other codes than the city's own",
            r.code,
            r.name,
            r.city_full
        );
    }
}

/// First two digits of the 邮编 of each province prefix (China Post's zones).
fn postal_zones(prefix: &str) -> &'static [&'static str] {
    match prefix {
        "11" => &["10"],
        "12" => &["30"],
        "13" => &["05", "06", "07"],
        "14" => &["03", "04"],
        "15" => &["01", "02", "13", "75"], // 兴安盟 1374xx, 阿拉善盟 7503xx
        "21" => &["11", "12"],
        "22" => &["13"],
        "23" => &["15", "16"],
        "31" => &["20"],
        "32" => &["21", "22"],
        "33" => &["31", "32"],
        "34" => &["23", "24"],
        "35" => &["35", "36"],
        "36" => &["33", "34"],
        "37" => &["25", "26", "27"],
        "41" => &["45", "46", "47"],
        "42" => &["43", "44"],
        "43" => &["41", "42"],
        "44" => &["51", "52"],
        "45" => &["53", "54"],
        "46" => &["57"],
        "50" => &["40"],
        "51" => &["61", "62", "63", "64"],
        "52" => &["55", "56"],
        "53" => &["65", "66", "67"],
        "54" => &["85", "86"],
        "61" => &["71", "72"],
        "62" => &["73", "74"],
        "63" => &["81"],
        "64" => &["75"],
        "65" => &["83", "84"],
        _ => &[],
    }
}

#[test]
fn postal_and_area_codes_belong_to_the_present_province() {
    let rows = rows();
    let provinces = province_prefixes(&rows);
    // area codes in use by each province's current units (东莞 and 中山 have no counties)
    let mut areas: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.last_year.is_none() && r.level != "province" && r.placeholder == 0)
    {
        areas
            .entry(r.province_full.as_str())
            .or_default()
            .insert(r.areano.as_str());
    }
    // no area code serves two provinces
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (p, set) in &areas {
        for a in set {
            if let Some(q) = owner.insert(a, p) {
                panic!("area code {a} used in {q} and {p}");
            }
        }
    }
    let mut checked = 0;
    for r in rows.iter().filter(|r| !r.postno.is_empty()) {
        let to = &provinces[r.province_full.as_str()];
        let zones: Vec<&str> = to.iter().flat_map(|p| postal_zones(p)).copied().collect();
        assert!(
            zones.contains(&&r.postno[..2]),
            "{} {}: postno {} is outside {}'s postal zones {zones:?}",
            r.code,
            r.name,
            r.postno,
            r.province_full
        );
        if let Some(set) = areas.get(r.province_full.as_str()) {
            assert!(
                set.contains(r.areano.as_str()),
                "{} {}: areano {} is not one of {}'s",
                r.code,
                r.name,
                r.areano,
                r.province_full
            );
        }
        checked += 1;
    }
    assert!(checked > 8000, "only {checked} rows with a postal code");
}

#[test]
fn coexisting_era_prefectures_share_a_present_city_only_with_a_reason() {
    let rows = rows();
    let fixups = fixups();
    let cities = present_cities(&rows);
    let mut groups: BTreeMap<(&str, &str), Vec<&Row>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.level == "prefecture" && r.placeholder == 0 && !r.city_full.is_empty())
    {
        groups
            .entry((r.province_full.as_str(), r.city_full.as_str()))
            .or_default()
            .push(r);
    }
    let reason = |r: &Row| {
        fixups
            .iter()
            .any(|f| f.op == "shares-city" && f.code == r.code && f.name == r.name)
    };
    for ((_p, city), units) in &groups {
        let own = units
            .iter()
            .find_map(|u| cities.get(&(&u.code[..2], *city)).map(|c| c.code.as_str()));
        for a in units {
            for b in units {
                let unrelated = a.code != b.code
                    && Some(a.code.as_str()) != own
                    && Some(b.code.as_str()) != own;
                if unrelated && a.first_year <= end(b) && b.first_year <= end(a) {
                    assert!(
                        reason(a) && reason(b),
                        "{} {} and {} {} coexisted and both answer {city} without a shares-city row",
                        a.code,
                        a.name,
                        b.code,
                        b.name
                    );
                }
            }
        }
    }
}

#[test]
fn hainan_codes_answer_hainan() {
    let rows = rows();
    let mut n = 0;
    for r in rows
        .iter()
        .filter(|r| r.placeholder == 0)
        .filter(|r| ["4421", "4422", "4600"].contains(&&r.code[..4]) || r.code.starts_with("4690"))
    {
        n += 1;
        assert_eq!(
            (r.province_short.as_str(), r.province_full.as_str()),
            ("海南", "海南省"),
            "{r:?}"
        );
        assert_eq!(r.areano, "0898", "{r:?}");
        assert!(r.postno.starts_with("57"), "{r:?}");
    }
    assert!(n > 60, "only {n} Hainan rows");
    // 琼海 1992-2002 answers today's 琼海市, not 青海 海南藏族自治州
    let r = one(&rows, "460002", "琼海市");
    assert_eq!(
        (r.city_full.as_str(), r.postno.as_str()),
        ("琼海市", "571400")
    );
    let r = one(&rows, "442121", "琼山县");
    assert_eq!(
        (r.city_full.as_str(), r.postno.as_str()),
        ("海口市", "570000")
    );
    let hn = Region::lookup(460_002).expect("460002");
    assert_eq!(hn.style_citynm(), "中华人民共和国,海南省,琼海市");
    assert_eq!((hn.postno(), hn.areano()), ("571400", "0898"));
}

#[test]
fn chongqing_codes_of_sichuan_answer_chongqing() {
    let rows = rows();
    for code in ["510202", "512221", "512301", "513521"] {
        // from 1981 (the MCA 1980 list used these codes for other units, e.g. 512221 江油县)
        for r in rows
            .iter()
            .filter(|r| r.code == code && r.first_year >= 1981)
        {
            assert_eq!(r.province, "四川省", "{r:?}");
            assert_eq!(r.province_full, "重庆市", "{r:?}");
            assert_eq!((r.postno.as_str(), r.areano.as_str()), ("400000", "023"));
        }
    }
}

#[test]
fn every_city_with_districts_has_its_shixiaqu() {
    let rows = rows();
    let codes = by_code(&rows);
    let covers = |code: &str, y: u16| {
        codes
            .get(code)
            .is_some_and(|rs| rs.iter().any(|r| r.first_year <= y && y <= end(r)))
    };
    let mut checked = 0;
    for p in rows.iter().filter(|r| {
        r.level == "prefecture"
            && r.name.ends_with('市')
            && !["11", "12", "31", "50"].contains(&&r.code[..2])
    }) {
        for y in p.first_year..=p.last_year.unwrap_or(2026) {
            let districts = (2..=20).any(|i| {
                let c = format!("{}{i:02}", &p.code[..4]);
                codes.get(c.as_str()).is_some_and(|rs| {
                    rs.iter()
                        .any(|r| r.placeholder == 0 && r.first_year <= y && y <= end(r))
                })
            });
            if districts {
                let ph = format!("{}01", &p.code[..4]);
                assert!(
                    covers(&ph, y),
                    "{ph}: no row in {y} although {} {} had districts",
                    p.code,
                    p.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} city-years checked");
    for (code, att) in [
        (220_301, "吉林省 四平市 市辖区"),
        (370_901, "山东省 泰安市 市辖区"),
        (421_001, "湖北省 荆州市 市辖区"),
    ] {
        let r = Region::lookup(code).expect("known code");
        assert_eq!(r.att(), att);
        assert!(r.is_placeholder());
    }
    // the 1980s county that held 370901 keeps its years
    let r = one(&rows, "370901", "威海市");
    assert_eq!((r.first_year, r.last_year), (1983, Some(1984)));
}

#[test]
fn reused_and_short_lived_codes() {
    let rows = rows();
    let old = one(&rows, "232701", "加格达奇区");
    let new = one(&rows, "232701", "漠河市");
    assert_eq!((old.last_year, new.first_year), (Some(2017), 2018));
    for (code, name, year) in [("430727", "慈利县", 1988), ("352105", "建阳市", 1994)] {
        let r = one(&rows, code, name);
        assert_eq!((r.first_year, r.last_year), (year, Some(year)), "{r:?}");
        assert!(!r.city_full.is_empty() && !r.postno.is_empty(), "{r:?}");
        assert!(Region::lookup(code.parse().unwrap()).is_some());
    }
}

#[test]
fn county_cities_recoded_1989_to_1994_carry_their_years() {
    let rows = rows();
    // 武安 became a city in 1988 (139001) and was recoded 130481 in 1990 (a fix-up row:
    // loc.dat says 1989, the registry lists 1995)
    assert_eq!(one(&rows, "139001", "武安市").last_year, Some(1989));
    assert_eq!(one(&rows, "130481", "武安市").first_year, 1990);
    // every recoded xx90xx city hands over to its xxxx8x code without a gap or an overlap
    let recoded: Vec<_> = rows
        .iter()
        .filter(|r| &r.code[2..4] == "90" && r.last_year == Some(1989))
        .collect();
    assert!(
        recoded.len() >= 60,
        "{} xx90xx codes end in 1989",
        recoded.len()
    );
    for old in recoded {
        let new: Vec<_> = rows
            .iter()
            .filter(|r| r.name == old.name && r.code[..2] == old.code[..2] && r.first_year == 1990)
            .collect();
        assert!(!new.is_empty(), "{old:?} has no successor from 1990");
    }
    // 辛集 became a city in 1993 (the lists carry it from 1995 only)
    assert_eq!(one(&rows, "130181", "辛集市").first_year, 1993);
}

#[test]
fn bozhou_and_huangshan_postal_codes() {
    let rows = rows();
    assert_eq!(one(&rows, "341600", "亳州市").postno, "236800");
    assert_eq!(one(&rows, "341621", "涡阳县").postno, "236800");
    assert_eq!(one(&rows, "341000", "黄山市").postno, "245000");
}
