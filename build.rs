//! Compiles `data/regions.csv` into a perfect-hash map (`$OUT_DIR/regions.rs`).
//!
//! Every row is validated; a bad row stops the build with `data/regions.csv:LINE: reason`.
//! The output is deterministic: rows are read in file order (which must be sorted) and
//! phf_codegen uses a fixed seed, so the same data gives byte-identical code.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const REGIONS: &str = "data/regions.csv";
const VERSION: &str = "data/VERSION";
const HEADER: [&str; 14] = [
    "code",
    "name",
    "first_year",
    "last_year",
    "level",
    "placeholder",
    "province",
    "prefecture",
    "province_short",
    "province_full",
    "city_short",
    "city_full",
    "postno",
    "areano",
];

#[derive(serde::Deserialize)]
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

fn fail(line: u64, reason: impl std::fmt::Display) -> ! {
    panic!("{REGIONS}:{line}: {reason}");
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_row(line: u64, row: &Row) {
    if row.code.len() != 6 || !is_digits(&row.code) {
        fail(
            line,
            format_args!("code {:?} is not 6 ASCII digits", row.code),
        );
    }
    if row.name.trim().is_empty() {
        fail(line, "empty name");
    }
    if row.province.trim().is_empty() {
        fail(line, "empty province");
    }
    if !(1949..=2100).contains(&row.first_year) {
        fail(
            line,
            format_args!("first_year {} out of range", row.first_year),
        );
    }
    if let Some(last) = row.last_year {
        if last < row.first_year {
            fail(
                line,
                format_args!("last_year {last} before first_year {}", row.first_year),
            );
        }
    }
    if !matches!(row.level.as_str(), "province" | "prefecture" | "county") {
        fail(line, format_args!("unknown level {:?}", row.level));
    }
    if row.placeholder > 1 {
        fail(line, "placeholder must be 0 or 1");
    }
    if !row.postno.is_empty() && (row.postno.len() != 6 || !is_digits(&row.postno)) {
        fail(
            line,
            format_args!("postno {:?} is not 6 digits", row.postno),
        );
    }
    if !row.areano.is_empty() && (!is_digits(&row.areano) || !row.areano.starts_with('0')) {
        fail(
            line,
            format_args!("areano {:?} is not a 0-prefixed number", row.areano),
        );
    }
    if row.city_short.is_empty() != row.city_full.is_empty() {
        fail(
            line,
            "city_short and city_full must be both set or both empty",
        );
    }
    if row.province_short.is_empty() || row.province_full.is_empty() {
        fail(line, "province_short and province_full are required");
    }
}

/// The web API's `att`: province, prefecture, unit — era names, empty slots dropped,
/// padded back to three slots joined by single spaces (`北京市 东城区 `).
fn att(row: &Row) -> String {
    let mut slots: Vec<&str> = Vec::with_capacity(3);
    for part in [&row.province, &row.prefecture, &row.name] {
        if !part.is_empty() && slots.last() != Some(&part.as_str()) {
            slots.push(part);
        }
    }
    while slots.len() < 3 {
        slots.push("");
    }
    slots.join(" ")
}

/// Region text goes into the precomputed JSON and XML fragments as it is, so it must need
/// no escaping in either.
fn check_wire_safe(line: u64, row: &Row) {
    for (name, v) in [
        ("name", &row.name),
        ("province", &row.province),
        ("prefecture", &row.prefecture),
        ("province_short", &row.province_short),
        ("province_full", &row.province_full),
        ("city_short", &row.city_short),
        ("city_full", &row.city_full),
    ] {
        if let Some(c) = v.chars().find(|&c| {
            c < ' '
                || matches!(
                    c,
                    '"' | '\\' | '<' | '>' | '&' | '\'' | '\u{7f}' | '\u{2028}' | '\u{2029}'
                )
        }) {
            fail(
                line,
                format_args!("{name} holds {c:?}, which JSON or XML would escape"),
            );
        }
    }
}

/// The five region fields as the web API writes them: `,"att":"…",…` and `<att>…</att>…`;
/// empty without the `wire-fragments` feature (the writers then build them per answer).
fn fragments(with_fragments: bool, fields: [(&str, &str); 5]) -> (String, String) {
    let mut json = String::new();
    let mut xml = String::new();
    if !with_fragments {
        return (json, xml);
    }
    for (k, v) in fields {
        write!(json, ",\"{k}\":\"{v}\"").unwrap();
        write!(xml, "<{k}>{v}</{k}>").unwrap();
    }
    (json, xml)
}

fn style(prefix: &str, province: &str, city: &str) -> String {
    if city.is_empty() {
        format!("{prefix},{province}")
    } else {
        format!("{prefix},{province},{city}")
    }
}

fn level(s: &str) -> &'static str {
    match s {
        "province" => "Level::Province",
        "prefecture" => "Level::Prefecture",
        _ => "Level::County",
    }
}

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo::rerun-if-changed={REGIONS}");
    println!("cargo::rerun-if-changed={VERSION}");

    let version = fs::read_to_string(root.join(VERSION))
        .unwrap_or_else(|e| panic!("{VERSION}: cannot read: {e}"));
    let version = version.trim();
    if version.is_empty() || version.contains('\n') {
        panic!("{VERSION}:1: must be one non-empty line");
    }

    let path = root.join(REGIONS);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{REGIONS}: cannot read: {e}"));
    let headers = reader.headers().unwrap_or_else(|e| fail(1, e)).clone();
    if headers.iter().ne(HEADER.iter().copied()) {
        fail(1, format_args!("header must be {}", HEADER.join(",")));
    }

    // code -> rows (in file order, which must be chronological)
    let mut codes: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
    let mut previous: Option<(u32, u16, Option<u16>)> = None;
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| {
            let line = e.position().map_or(0, |p| p.line());
            fail(line, e)
        });
        let line = record.position().map_or(0, |p| p.line());
        let row: Row = record
            .deserialize(Some(&headers))
            .unwrap_or_else(|e| fail(line, e));
        check_row(line, &row);
        check_wire_safe(line, &row);
        let code: u32 = row.code.parse().expect("checked digits");
        if let Some((prev_code, prev_first, prev_last)) = previous {
            if code < prev_code {
                fail(line, "rows are not sorted by code");
            }
            if code == prev_code {
                if row.first_year < prev_first {
                    fail(line, "rows of one code are not sorted by first_year");
                }
                match prev_last {
                    None => fail(line, "an earlier interval of this code is still open"),
                    Some(last) if last >= row.first_year => {
                        fail(line, "interval overlaps the previous one of this code")
                    }
                    Some(_) => {}
                }
            }
        }
        previous = Some((code, row.first_year, row.last_year));
        codes.entry(code).or_default().push(row);
    }
    if codes.is_empty() {
        fail(2, "no rows");
    }

    let with_fragments = env::var_os("CARGO_FEATURE_WIRE_FRAGMENTS").is_some();
    let mut map = phf_codegen::OrderedMap::new();
    map.phf_path("phf");
    let mut values = Vec::with_capacity(codes.len());
    for (code, rows) in &codes {
        let latest = rows.last().expect("non-empty");
        let mut names = String::from("&[");
        for row in rows {
            let last = row
                .last_year
                .map_or("None".to_string(), |y| format!("Some({y})"));
            write!(
                names,
                "NameSpan {{ name: {:?}, first_year: {}, last_year: {last}, province: {:?}, prefecture: {:?} }},",
                row.name, row.first_year, row.province, row.prefecture
            )
            .unwrap();
        }
        names.push(']');
        let att = att(latest);
        let simcall = style("中国", &latest.province_short, &latest.city_short);
        let citynm = style("中华人民共和国", &latest.province_full, &latest.city_full);
        let (json, xml) = fragments(
            with_fragments,
            [
                ("att", &att),
                ("postno", &latest.postno),
                ("areano", &latest.areano),
                ("style_simcall", &simcall),
                ("style_citynm", &citynm),
            ],
        );
        // Without wire-fragments (the web package) `att` is put together at lookup.
        let att = if with_fragments { att } else { String::new() };
        let value = format!(
            "Record {{ code: {code}, level: {}, placeholder: {}, name: {:?}, att: {att:?}, postno: {:?}, areano: {:?}, \
             style_simcall: {simcall:?}, style_citynm: {citynm:?}, province_short: {:?}, province_full: {:?}, \
             city_short: {:?}, city_full: {:?}, json: {json:?}, xml: {xml:?}, names: {names} }}",
            level(&latest.level),
            latest.placeholder == 1,
            latest.name,
            latest.postno,
            latest.areano,
            latest.province_short,
            latest.province_full,
            latest.city_short,
            latest.city_full,
        );
        values.push((*code, value));
    }
    for (code, value) in &values {
        map.entry(*code, value.as_str());
    }

    // A two-level radix index in front of the map: the first four digits pick a block of
    // 100 slots, the last two a slot, which holds the entry's position in the map + 1
    // (0 = no such code). Collision-free by construction and two loads deep, it spares the
    // hot path phf's SipHash (about 19 ns of a 30 ns budget, measured in benches/resolve.rs).
    let mut blocks: Vec<u16> = vec![0; 10_000];
    let mut slots: Vec<u16> = Vec::new();
    for (ordinal, code) in codes.keys().enumerate() {
        let prefix = (code / 100) as usize;
        if blocks[prefix] == 0 {
            slots.extend([0u16; 100]);
            blocks[prefix] = u16::try_from(slots.len() / 100).expect("fewer than 65536 blocks");
        }
        let slot = (usize::from(blocks[prefix]) - 1) * 100 + (code % 100) as usize;
        slots[slot] = u16::try_from(ordinal + 1).expect("fewer than 65535 codes");
    }

    let mut out = String::new();
    writeln!(out, "/// The data version, from `data/VERSION`.").unwrap();
    writeln!(out, "pub const DATA_VERSION: &str = {version:?};").unwrap();
    writeln!(out, "/// Number of distinct codes in the table.").unwrap();
    writeln!(out, "pub const CODE_COUNT: usize = {};", codes.len()).unwrap();
    writeln!(
        out,
        "pub(crate) static TABLE: phf::OrderedMap<u32, Record> = {};",
        map.build()
    )
    .unwrap();
    writeln!(out, "pub(crate) static BLOCKS: [u16; 10000] = {blocks:?};").unwrap();
    writeln!(
        out,
        "pub(crate) static SLOTS: [u16; {}] = {slots:?};",
        slots.len()
    )
    .unwrap();
    let dest = Path::new(&env::var_os("OUT_DIR").expect("OUT_DIR")).join("regions.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}
