//! `cnid batch` and Excel workbooks: a sheet is read directly (whatever the file's name), a
//! number cell whose digits a spreadsheet lost gets the "export as text" reason, and an
//! `.xlsx` output keeps the ID column as text.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("cnid-excel-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn batch(args: &[&str]) -> (String, String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_cnid"))
        .args(["batch", "--today", "2026-11-29"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// A workbook as a spreadsheet user makes it: a first sheet of notes, then the data with
/// the ID column typed as text on one row and as numbers on others.
fn workbook(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("notes").unwrap();
    notes.write_string(0, 0, "see the next sheet").unwrap();
    let data = book.add_worksheet();
    data.set_name("名单").unwrap();
    data.write_string(0, 0, "name").unwrap();
    data.write_string(0, 1, "身份证号").unwrap();
    data.write_string(1, 0, "A").unwrap();
    data.write_string(1, 1, "110101199001011114").unwrap();
    // Typed as a number: 18 digits do not survive (15 significant digits are kept).
    data.write_string(2, 0, "B").unwrap();
    data.write_number(2, 1, 110101199001011114.0).unwrap();
    // A 15-digit first-generation number survives as a number.
    data.write_string(3, 0, "C").unwrap();
    data.write_number(3, 1, 110101900101111.0).unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_sheet_is_read_by_name_or_position_whatever_the_file_name() {
    let book = dir().join("people.xlsx");
    workbook(&book);
    let disguised = dir().join("people.csv");
    std::fs::copy(&book, &disguised).unwrap();
    for (file, sheet) in [(&book, "名单"), (&disguised, "2")] {
        let (out, err, code) = batch(&["-i", s(file), "--sheet", sheet]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 4, "{out}");
        assert!(rows[0].starts_with("name,身份证号,status,"), "{}", rows[0]);
        assert!(
            rows[1].starts_with("A,110101199001011114,ALREADY_ATT,"),
            "{}",
            rows[1]
        );
        assert!(rows[2].contains(",WRONG_IDCARD,"), "{}", rows[2]);
        assert!(
            rows[2].ends_with("format the column as text before exporting"),
            "{}",
            rows[2]
        );
        assert!(
            rows[3].starts_with("C,110101900101111,ALREADY_ATT,"),
            "{}",
            rows[3]
        );
        assert!(
            err.contains("1 number(s) a spreadsheet turned into floats"),
            "{err}"
        );
    }
    let (_, err, code) = batch(&["-i", s(&book), "--sheet", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("notes, 名单"), "{err}");
    // A sheet asked of a text file is refused as well, not silently ignored.
    let text = dir().join("people.txt");
    std::fs::write(&text, "110101199001011114\n").unwrap();
    let (out, err, code) = batch(&["-i", s(&text), "--sheet", "2"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("is not a workbook"), "{err}");
}

#[test]
fn xlsx_output_keeps_the_id_column_as_text() {
    let input = dir().join("in.csv");
    std::fs::write(&input, "name,idcard\nA,110101199001011114\nB,x\n").unwrap();
    let out = dir().join("out.xlsx");
    let (_, err, code) = batch(&["-i", s(&input), "-o", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let mut book = open_workbook_auto(&out).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][2], Data::String("status".into()));
    assert_eq!(rows[1][1], Data::String("110101199001011114".into()));
    assert_eq!(rows[1][2], Data::String("ALREADY_ATT".into()));
    assert_eq!(rows[1][6], Data::String("北京市 东城区 ".into()));
    assert_eq!(rows[2][2], Data::String("WRONG_IDCARD".into()));
    // And it reads back as input.
    let (back, err, code) = batch(&["-i", s(&out), "--column", "idcard"]);
    assert_eq!(code, 0, "{err}");
    assert!(back
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("A,110101199001011114,ALREADY_ATT"));
}
