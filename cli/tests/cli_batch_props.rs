//! Property: whatever the CSV (quotes, line breaks inside quotes, stray quotes, a
//! byte-order mark, CRLF, ragged and empty rows), `cnid batch` writes exactly one output row
//! per row that Python's `csv` module reads, in order, each starting with that row's fields.
//! Python is the reference the issue names; without python3 the test says so and stops.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;

/// One piece of a generated row.
#[derive(Debug, Clone)]
enum Piece {
    /// Plain text from a small alphabet (a stray quote in the middle included).
    Raw(String),
    /// A quoted field whose content may hold delimiters, quotes and line breaks.
    Quoted(String),
    /// A valid synthetic number.
    Number(usize),
}

mod common;
use common::with_check;

fn number(i: usize) -> String {
    let codes = ["110101", "512928", "440305"];
    with_check(&format!(
        "{}{:04}{:02}{:02}{:03}",
        codes[i % 3],
        1950 + i % 50,
        1 + i % 12,
        1 + i % 28,
        i % 1000
    ))
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => "[a-z中 ]{0,6}".prop_map(Piece::Raw),
        2 => "[a-z]{0,3}\"[a-z]{0,3}".prop_map(Piece::Raw),
        3 => "[a-z,\"\n\r 中]{0,8}".prop_map(Piece::Quoted),
        3 => (0usize..1000).prop_map(Piece::Number),
    ]
}

/// A file: header `name,idcard,note`, then rows of 0 to 5 pieces.
fn file() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec((prop::collection::vec(piece(), 0..5), any::<bool>()), 0..25),
    )
        .prop_map(|(bom, crlf, final_break, rows)| {
            let mut out = Vec::new();
            if bom {
                out.extend_from_slice("\u{feff}".as_bytes());
            }
            let brk: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            out.extend_from_slice(b"name,idcard,note");
            for (pieces, bare_cr) in &rows {
                out.extend_from_slice(if *bare_cr && !crlf { b"\r" } else { brk });
                let fields: Vec<String> = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Raw(s) => s.clone(),
                        Piece::Quoted(s) => format!("\"{}\"", s.replace('"', "\"\"")),
                        Piece::Number(i) => number(*i),
                    })
                    .collect();
                out.extend_from_slice(fields.join(",").as_bytes());
            }
            if final_break {
                out.extend_from_slice(brk);
            }
            out
        })
}

const READER: &str = r#"
import csv, json, sys
def rows(path):
    with open(path, newline='', encoding='utf-8-sig') as f:
        return list(csv.reader(f))
print(json.dumps([rows(sys.argv[1]), rows(sys.argv[2])]))
"#;

fn python() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn check(input: &[u8]) -> Result<(), TestCaseError> {
    let dir = std::env::temp_dir().join(format!("cnid-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Tests run in parallel: each check its own files.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (inp, out) = (
        dir.join(format!("in{n}.csv")),
        dir.join(format!("out{n}.csv")),
    );
    std::fs::write(&inp, input).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_cnid"))
        .args(["batch", "--today", "2026-11-29", "-i"])
        .arg(&inp)
        .arg("-o")
        .arg(&out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    prop_assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let py = Command::new("python3")
        .args(["-c", READER])
        .arg(&inp)
        .arg(&out)
        .output()
        .unwrap();
    prop_assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let (rows_in, rows_out): (Vec<Vec<String>>, Vec<Vec<String>>) =
        serde_json::from_slice(&py.stdout).unwrap();
    let _ = std::fs::remove_file(&inp);
    let _ = std::fs::remove_file(&out);
    prop_assert_eq!(rows_in.len(), rows_out.len(), "rows in and out");
    let width = rows_in[0].len();
    for (i, (a, b)) in rows_in.iter().zip(&rows_out).enumerate() {
        // The row's own fields first, padded to the header's width, then 11 answers.
        prop_assert!(b.len() >= a.len() + 11, "row {}: {:?} -> {:?}", i, a, b);
        prop_assert_eq!(&b[..a.len()], &a[..], "row {}", i);
        prop_assert_eq!(b.len(), a.len().max(width) + 11, "row {}: {:?}", i, b);
        if i == 0 {
            prop_assert_eq!(&b[width], "status");
            continue;
        }
        let status = &b[b.len() - 11];
        if a.len() == width
            && a[1].len() == 18
            && a[1].bytes().all(|c| c.is_ascii_digit() || c == b'X')
        {
            prop_assert_eq!(status, "ALREADY_ATT", "row {}: {:?}", i, b);
        } else if a.len() != width {
            prop_assert_eq!(status, "WRONG_IDCARD", "row {}: {:?}", i, b);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn one_output_row_per_row_python_reads(input in file()) {
        if !python() {
            eprintln!("skipped: python3 is not installed");
            return Ok(());
        }
        check(&input)?;
    }
}

/// The same across chunk boundaries: thousands of rows, many quoted over several lines.
#[test]
fn rows_over_chunk_boundaries_match_python() {
    if !python() {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let mut input = b"name,idcard,note\r\n".to_vec();
    for i in 0..40_000 {
        let note = match i % 7 {
            0 => "\"two\nlines, and \"\"quotes\"\"\"".to_owned(),
            1 => "O\"Brien".to_owned(),
            2 => "\"\"".to_owned(),
            _ => format!("n{i}"),
        };
        write!(input, "x{i},{},{note}\r\n", number(i)).unwrap();
    }
    check(&input).unwrap();
}
