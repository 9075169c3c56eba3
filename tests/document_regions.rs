//! Extra region codes at run time (`ExtraRegions`, `Resolver::with_extra_regions`).

use cnid::{ExtraRegions, Region, Resolver, Source, Status};

const HEADER: &str = "code,name,first_year,last_year,level,placeholder,province,prefecture,province_short,province_full,city_short,city_full,postno,areano";

fn number(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

fn leak(e: ExtraRegions) -> &'static ExtraRegions {
    Box::leak(Box::new(e))
}

#[test]
fn codes_are_added_and_overridden_and_the_table_stays() {
    let csv = format!(
        "{HEADER}\n\
         430199,旧名,2020,2025,county,0,湖南省,长沙市,湖南,湖南省,长沙,长沙市,410000,0731\n\
         430199,新区,2026,,county,0,湖南省,长沙市,湖南,湖南省,长沙,长沙市,410000,0731\n\
         110101,东城区（测试）,1980,,county,0,北京市,,北京,北京市,,,100000,010\n"
    );
    let extra = leak(ExtraRegions::parse("extra.csv", &csv).unwrap());
    assert_eq!(extra.len(), 2);
    let r = Resolver::new().with_extra_regions(extra);
    let added = r.resolve(&number("43019919900101111"));
    assert_eq!(added.status(), Status::AlreadyAtt);
    assert_eq!(added.source(), Source::Extra);
    assert_eq!(added.region().unwrap().att(), "湖南省 长沙市 新区");
    assert_eq!(added.region().unwrap().style_simcall(), "中国,湖南,长沙");
    let overridden = r.resolve(&number("11010119900101111"));
    assert_eq!(overridden.region().unwrap().att(), "北京市 东城区（测试） ");
    // The built-in table is untouched, for this resolver's other codes and for others.
    assert_eq!(Region::lookup(110101).unwrap().name(), "东城区");
    assert_eq!(
        cnid::resolve(&number("43019919900101111")).status(),
        Status::NotAtt
    );
    let other = r.resolve(&number("51292819900101111"));
    assert_eq!(other.region().unwrap().att(), "四川省 南充地区 武胜县");
    assert_eq!(other.source(), Source::Table);
    // The wire answer carries the extra fields, escaped as needed.
    let s = number("11010119900101111");
    let mut out = String::new();
    cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&overridden, &s));
    assert!(out.contains(r#""att":"北京市 东城区（测试） ""#), "{out}");
    let (ours, theirs) = extra.overrides().find(|(r, _)| r.code() == 110101).unwrap();
    assert_eq!(ours.name(), "东城区（测试）");
    assert_eq!(theirs.unwrap().name(), "东城区");
}

#[test]
fn minimal_columns_in_any_order_and_quotes() {
    let csv = "province_full,province_short,province,name,code\n\"湖南省\",湖南,湖南省,\"新,区\",430199\r\n";
    let extra = leak(ExtraRegions::parse("m.csv", csv).unwrap());
    let r = Resolver::new().with_extra_regions(extra);
    let res = r.resolve(&number("43019919900101111"));
    assert_eq!(res.region().unwrap().att(), "湖南省 新,区 ");
    assert_eq!(res.region().unwrap().postno(), "");
}

#[test]
fn bad_rows_are_refused_with_file_and_line() {
    let cases = [
        (
            format!("{HEADER}\n4301999,x,,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "not six digits",
        ),
        (
            format!("{HEADER}\n\n430199,x,,,,,湖南省,,湖南,湖南省,,,41000,"),
            3,
            "postno",
        ),
        (
            format!("{HEADER}\n430199,x,,,,,湖南省,,湖南,湖南省,,,,731"),
            2,
            "areano",
        ),
        (
            format!("{HEADER}\n430199,,,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "name is empty",
        ),
        (
            format!("{HEADER}\n430199,x,,,town,,湖南省,,湖南,湖南省,,,,"),
            2,
            "level",
        ),
        (
            format!("{HEADER}\n430199,x,2026,2020,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "before first_year",
        ),
        (
            format!("{HEADER}\n430199,x,,,,,湖南省,,湖南,湖南省,长沙,,,"),
            2,
            "city_short",
        ),
        (
            format!("{HEADER}\n430199,\"x,,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "quote",
        ),
        (
            format!("{HEADER}\n430199,x\"y,,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "quote",
        ),
        (
            format!("{HEADER}\n430199,x,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "fields",
        ),
        (
            format!("{HEADER}\n000099,x,,,,,湖南省,,湖南,湖南省,,,,"),
            2,
            "province",
        ),
        ("code,name\n430199,x\n".to_owned(), 1, "province"),
        (String::new(), 1, "empty"),
    ];
    for (csv, line, reason) in cases {
        let e = ExtraRegions::parse("bad.csv", &csv).unwrap_err();
        assert_eq!(e.line, line, "{csv}: {e}");
        assert!(
            e.to_string().starts_with(&format!("bad.csv:{line}: ")),
            "{e}"
        );
        assert!(e.reason.contains(reason), "{csv}: {e}");
    }
}

#[test]
fn a_byte_order_mark_and_an_empty_file_body_are_fine() {
    let extra = ExtraRegions::parse("b.csv", &format!("\u{feff}{HEADER}\n")).unwrap();
    assert!(extra.is_empty());
}
