//! Re-reads data/regions.csv on its own and checks the compiled table row by row.

use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
struct Row {
    code: u32,
    name: String,
    first_year: u16,
    last_year: Option<u16>,
    placeholder: u8,
    province: String,
    prefecture: String,
    postno: String,
    areano: String,
}

fn rows() -> BTreeMap<u32, Vec<Row>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/regions.csv");
    let mut by_code: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
    for row in csv::Reader::from_path(path).unwrap().deserialize::<Row>() {
        let row = row.unwrap();
        by_code.entry(row.code).or_default().push(row);
    }
    by_code
}

#[test]
fn every_csv_code_is_in_the_table_with_its_history() {
    let by_code = rows();
    assert_eq!(by_code.len(), cnid::CODE_COUNT);
    for (code, rows) in &by_code {
        let region = cnid::Region::lookup(*code).unwrap_or_else(|| panic!("{code:06} missing"));
        assert_eq!(region.code(), *code);
        let names = region.names();
        assert_eq!(names.len(), rows.len(), "{code:06}");
        for (span, row) in names.iter().zip(rows) {
            assert_eq!(span.name, row.name, "{code:06}");
            assert_eq!(span.first_year, row.first_year, "{code:06}");
            assert_eq!(span.last_year, row.last_year, "{code:06}");
            assert_eq!(span.province, row.province, "{code:06}");
            assert_eq!(span.prefecture, row.prefecture, "{code:06}");
        }
        let latest = rows.last().unwrap();
        assert_eq!(region.name(), latest.name);
        assert_eq!(region.postno(), latest.postno, "{code:06}");
        assert_eq!(region.areano(), latest.areano, "{code:06}");
        assert_eq!(
            region.is_placeholder(),
            latest.placeholder == 1,
            "{code:06}"
        );
        assert_eq!(
            region.is_current(),
            Some(latest.last_year.is_none()),
            "{code:06}"
        );
        assert!(
            region.att().trim_end().ends_with(&latest.name),
            "{code:06}: {}",
            region.att()
        );
    }
}

#[test]
fn codes_not_in_the_csv_are_not_in_the_table() {
    let by_code = rows();
    let mut missing = 0;
    for code in (110_000..=119_999).chain(440_000..=449_999) {
        if !by_code.contains_key(&code) {
            assert!(cnid::Region::lookup(code).is_none(), "{code:06}");
            missing += 1;
        }
    }
    assert!(missing > 0);
    for code in [0, 999_999, 1_000_000, 110_199, u32::MAX] {
        assert!(cnid::Region::lookup(code).is_none(), "{code}");
    }
}

#[test]
fn all_iterates_every_code_in_order() {
    let by_code = rows();
    let codes: Vec<u32> = cnid::Region::all().map(|r| r.code()).collect();
    let want: Vec<u32> = by_code.keys().copied().collect();
    assert_eq!(codes, want);
}
