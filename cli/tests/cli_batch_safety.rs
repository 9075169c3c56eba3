//! `cnid batch` attacked as a careless or hostile user would: each test is one finding of
//! issue 10 that lost or merged rows, or leaked more than it should.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cnid"))
}

mod common;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    common::cnid_with_stdin(args, stdin)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `n` synthetic valid numbers, deterministic.
fn numbers(n: usize) -> Vec<String> {
    common::numbers(&["110101", "512928", "440305", "420600"], n)
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("cnid-safety-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn csv_file(name: &str, rows: usize) -> (PathBuf, String) {
    let ids = numbers(rows);
    let mut body = String::from("name,idcard\n");
    for (i, id) in ids.iter().enumerate() {
        body.push_str(&format!("n{i},{id}\n"));
    }
    let p = dir().join(name);
    std::fs::write(&p, &body).unwrap();
    (p, body)
}

/// Finding: `-i f.csv -o f.csv` left 3,450 of 100,000 rows and the input was gone.
#[test]
fn output_that_is_the_input_is_refused_before_writing() {
    let (input, body) = csv_file("same.csv", 20_000);
    let hard = dir().join("same-hard.csv");
    let soft = dir().join("same-soft.csv");
    let _ = std::fs::remove_file(&hard);
    let _ = std::fs::remove_file(&soft);
    std::fs::hard_link(&input, &hard).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &soft).unwrap();
    for out in [&input, &hard, &soft] {
        let o = run(&["batch", "-i", s(&input), "-o", s(out)], b"");
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is the input file"),
            "{}",
            text(&o.stderr)
        );
        assert_eq!(std::fs::read_to_string(&input).unwrap(), body);
    }
    // Standard input and output redirected to the same file (`< f >> f`).
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    let o = bin()
        .args(["batch"])
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(f)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), body);
}

/// A failed run leaves the old output file, not half a file; a good one replaces it.
#[test]
fn file_output_is_replaced_only_on_success() {
    let (input, _) = csv_file("replace-in.csv", 1000);
    let out = dir().join("replace-out.csv");
    std::fs::write(&out, "old contents\n").unwrap();
    // A bad --column fails before any row: the old file stays, and no temporary is left.
    let o = run(
        &["batch", "-i", s(&input), "-o", s(&out), "--column", "nope"],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old contents\n");
    let o = run(&["batch", "-i", s(&input), "-o", s(&out)], b"");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1001);
    let leftovers: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("cnid-partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Finding: one stray `"` inside an unquoted field merged every later row into one.
#[test]
fn a_stray_quote_inside_a_field_is_data() {
    let ids = numbers(5000);
    let mut body = String::from("name,idcard\n");
    for (i, id) in ids.iter().enumerate() {
        let name = if i == 3 {
            "O\"Brien".to_owned()
        } else {
            format!("n{i}")
        };
        body.push_str(&format!("{name},{id}\n"));
    }
    let o = run(&["batch", "--today", "2026-11-29"], body.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5001);
    assert!(
        lines[4].starts_with(&format!("O\"Brien,{},ALREADY_ATT,", ids[3])),
        "{}",
        lines[4]
    );
    assert_eq!(out.matches(",ALREADY_ATT,").count(), 5000);
}

/// Finding: `2>&1 | head -1` (stderr closed) panicked, exit 101, output cut.
#[test]
fn a_closed_stderr_never_stops_the_run() {
    let ids = numbers(30_000);
    let mut body = String::new();
    for (i, id) in ids.iter().enumerate() {
        // Empty lines make problems to report on stderr.
        body.push_str(if i % 100 == 0 { "" } else { id });
        body.push('\n');
    }
    let mut child = bin()
        .args(["batch", "--today", "2026-11-29"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(body.as_bytes());
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(out.lines().count(), 30_000);
}

/// Finding: `-o link` where the link points to a file not there yet replaced the link with a
/// regular file. Now the file is made where the link points (as the shell's `>` does), and
/// the link stays.
#[cfg(unix)]
#[test]
fn a_link_to_a_file_not_there_yet_is_written_through() {
    let (input, body) = csv_file("dangling-in.csv", 100);
    let made = dir().join("dangling-target.csv");
    let link = dir().join("dangling-link.csv");
    let _ = std::fs::remove_file(&made);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("dangling-target.csv", &link).unwrap();
    let o = run(&["batch", "-i", s(&input), "-o", s(&link)], b"");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let out = std::fs::read_to_string(&made).unwrap();
    assert_eq!(out.lines().count(), body.lines().count());
}

/// Finding: on a write error the output ended mid-row and the summary counted rows never
/// written. A device that is always full: exit 1, and the summary says 0 rows.
#[test]
fn a_write_error_exits_1_and_counts_only_rows_written() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let (input, _) = csv_file("full-in.csv", 1000);
    let o = run(&["batch", "-i", s(&input), "-o", "/dev/full"], b"");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    // Rows answered before the first write failed are told apart from rows written (the
    // summary read "0 rows …: ALREADY_ATT 1000", as if they were done).
    let summary = |err: &str| {
        let line = err.lines().find(|l| l.contains(" s (")).unwrap_or_default();
        line.starts_with("cnid batch: 0 rows in ") && line.contains("ALREADY_ATT 0,")
            || line.starts_with("cnid batch: 0 of ") && line.contains(" rows written in ")
    };
    assert!(summary(&err), "{err}");
    let ids = dir().join("full-ids.txt");
    std::fs::write(&ids, numbers(1000).join("\n")).unwrap();
    let o = run(&["batch", "-i", s(&ids), "-o", "/dev/full"], b"");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(summary(&err), "{err}");
}

/// A file size limit (`ulimit -f`) on standard output: the file is cut back to its last
/// complete row, and the summary counts exactly the rows it holds.
#[test]
fn a_file_size_limit_leaves_complete_rows_only() {
    if !Path::new("/bin/sh").exists() {
        return;
    }
    let (input, _) = csv_file("limit-in.csv", 20_000);
    let out = dir().join("limit-out.csv");
    let o = Command::new("/bin/sh")
        .arg("-c")
        // SIGXFSZ ignored (as a shell's `trap` does) so the write fails with EFBIG.
        .arg("trap '' XFSZ; ulimit -f 200; exec \"$0\" batch -i \"$1\" > \"$2\"")
        .args([env!("CARGO_BIN_EXE_cnid"), s(&input), s(&out)])
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.ends_with('\n'));
    let rows = written.lines().count();
    assert!(rows > 100 && rows < 20_001, "{rows}");
    // Every row whole: the header, then rows ending with the (empty) msg and reason.
    for (i, line) in written.lines().enumerate() {
        assert!(
            if i == 0 {
                line.ends_with(",reason")
            } else {
                line.ends_with(",,")
            },
            "{line}"
        );
    }
    // The summary counts data rows (the header is not one).
    assert!(
        err.contains(&format!("cnid batch: {} of 20000 rows written", rows - 1)),
        "{rows}: {err}"
    );
}

/// Finding: a 100 MB row used 2.45 GB. A row longer than --max-row-bytes gets one
/// WRONG_IDCARD row that says so; the rows around it are answered.
#[test]
fn an_overlong_row_gets_one_row_with_a_reason() {
    let ids = numbers(3);
    for quoted in [false, true] {
        let long = if quoted {
            format!("\"{}\n{}\"", "x".repeat(300_000), "y".repeat(300_000))
        } else {
            "x".repeat(600_000)
        };
        let body = format!(
            "name,idcard\na,{}\n{long},{}\nc,{}\n",
            ids[0], ids[1], ids[2]
        );
        let o = run(
            &[
                "batch",
                "--today",
                "2026-11-29",
                "--max-row-bytes",
                "100000",
            ],
            body.as_bytes(),
        );
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let out = text(&o.stdout);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{quoted}");
        assert!(lines[1].contains("ALREADY_ATT"));
        // Padded to the header's two (empty) fields.
        assert!(lines[2].starts_with(",,WRONG_IDCARD,"), "{}", lines[2]);
        assert!(
            lines[2].contains("longer than --max-row-bytes (100000)"),
            "{}",
            lines[2]
        );
        assert!(lines[3].starts_with(&format!("c,{},ALREADY_ATT", ids[2])));
        // Its line number is where it starts; the next row's is counted past it.
        assert!(err.contains("line 3: row of "), "{err}");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Finding: gzip on stdin gave garbage rows. Gzip is known by its first bytes, whatever
/// the name, and on standard input.
#[test]
fn gzip_is_recognised_by_its_magic_bytes() {
    let ids = numbers(100);
    let body = ids.join("\n") + "\n";
    let gz = gzip(body.as_bytes());
    let o = run(&["batch", "--today", "2026-11-29"], &gz);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).matches(",ALREADY_ATT,").count(), 100);
    let named = dir().join("numbers.txt");
    std::fs::write(&named, &gz).unwrap();
    let o = run(&["batch", "--today", "2026-11-29", "-i", s(&named)], b"");
    assert_eq!(text(&o.stdout).matches(",ALREADY_ATT,").count(), 100);
}

/// Finding: a truncated .gz gave 27,594 rows where zcat recovers 37,611. Every row decoded
/// before the damage is kept, the message says where it stopped, exit 1.
#[test]
fn a_damaged_gzip_keeps_every_row_before_the_damage() {
    let ids = numbers(40_000);
    let body = ids.join("\n") + "\n";
    let gz = gzip(body.as_bytes());
    let cut = &gz[..gz.len() * 2 / 3];
    // What a decoder recovers before the damage (as zcat does).
    let mut recovered = Vec::new();
    let mut dec = flate2::read::MultiGzDecoder::new(cut);
    let _ = dec.read_to_end(&mut recovered);
    let whole = recovered.iter().filter(|&&b| b == b'\n').count();
    let partial = usize::from(!recovered.ends_with(b"\n"));
    assert!(whole > 20_000);
    let o = run(&["batch", "--today", "2026-11-29"], cut);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("decompressed data (byte"), "{err}");
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), whole + partial, "{err}");
    assert_eq!(out.matches(",ALREADY_ATT,").count(), whole);
    if partial == 1 {
        assert!(out
            .lines()
            .last()
            .unwrap()
            .contains("could not be read past this row"));
    }
}

/// Finding: a 970 KB gzip bomb of one endless line peaked at 2.9 GB. It is one row, too
/// long to hold: one WRONG_IDCARD row (memory is measured in benches/batch.sh).
#[test]
fn a_gzip_bomb_of_one_endless_line_is_one_row() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b'1'; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&block).unwrap();
    }
    let gz = enc.finish().unwrap();
    let o = run(&["batch"], &gz);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1);
    assert!(
        out.contains("row of 67108864 bytes is longer than --max-row-bytes"),
        "{out}"
    );
}

/// Finding: an .xlsx file gave garbage rows, exit 0, and advice about GB18030. A workbook
/// is read (cli_batch_excel.rs); a damaged one, UTF-16 text or another compression is named
/// in a usage error, never read as rows.
#[test]
fn a_workbook_or_utf16_file_is_named_not_read_as_garbage() {
    for (head, what) in [
        (&b"PK\x03\x04\x14\x00\x06\x00rest"[..], "not a workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "not a workbook"),
        (b"\xff\xfei\x00d\x00\n\x00", "UTF-16"),
        (b"BZh91AY&SY", "bzip2"),
    ] {
        let o = run(&["batch"], head);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(what), "{err}");
        assert!(o.stdout.is_empty());
    }
}

/// Finding: a first row in full-width digits was taken for a header and got no answer.
#[test]
fn a_first_row_in_full_width_digits_is_data() {
    let id = numbers(1)[0].clone();
    let wide: String = id
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    let body = format!("{wide}\n{id}\n");
    let o = run(&["batch", "--today", "2026-11-29"], body.as_bytes());
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with(&format!("{wide},")), "{}", lines[0]);
    assert!(!lines[0].contains(",status,"));
}

/// Finding: a ragged row was answered normally, its answer columns shifted. It gets
/// WRONG_IDCARD with the reason, and a short row is padded under the header.
#[test]
fn ragged_rows_are_wrong_with_a_reason() {
    let ids = numbers(2);
    let body = format!("name,idcard,city\na,{},x,extra\n{}\n", ids[0], ids[1]);
    let o = run(&["batch", "--column", "idcard"], body.as_bytes());
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].contains(",WRONG_IDCARD,"));
    assert!(
        lines[1].ends_with("4 field(s) where the header has 3"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("{},,,WRONG_IDCARD,", ids[1])),
        "{}",
        lines[2]
    );
}

/// CRLF rows keep their line breaks; a last row without one gets `\n`.
#[test]
fn crlf_rows_keep_their_line_breaks() {
    let ids = numbers(3);
    let body = format!("idcard\r\n{}\r\n{}\r\n{}", ids[0], ids[1], ids[2]);
    let o = run(&["batch"], body.as_bytes());
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert!(lines[0].starts_with("idcard,status"));
    assert!(lines[1].starts_with(&ids[0]));
    assert!(lines[3].starts_with(&ids[2]));
    assert!(out.ends_with('\n') && !out.ends_with("\r\n"));
}

/// The progress line goes to stderr only when stderr is a terminal and the output is not:
/// never into the terminal the rows are printed on. Needs `script` (util-linux) for a
/// terminal; says so and stops without it.
#[test]
fn the_progress_line_never_lands_in_the_outputs_terminal() {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipped: no script(1) to make a terminal");
        return;
    }
    let ids = numbers(200_000);
    let input = dir().join("progress.txt");
    std::fs::write(&input, ids.join("\n") + "\n").unwrap();
    let out = dir().join("progress.csv");
    let run_in_terminal = |cmd: String| {
        let o = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        text(&o.stdout)
    };
    let bin = env!("CARGO_BIN_EXE_cnid");
    // Rows to the terminal: no progress line among them.
    let shown = run_in_terminal(format!("{bin} batch -i {}", s(&input)));
    assert!(shown.matches(",ALREADY_ATT,").count() >= 100_000);
    assert!(
        !shown.contains(" rows/s  "),
        "a progress line in the output"
    );
    // Rows to a file, stderr a terminal: the progress line shows (the run lasts long enough
    // for one in a debug build).
    let shown = run_in_terminal(format!("{bin} batch -i {} -o {}", s(&input), s(&out)));
    if !shown.contains(" rows/s  ") {
        eprintln!("note: the run ended before the first progress line");
    }
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count(),
        200_000
    );
}

/// Line numbers on stderr count a lone `\r` (old Mac files) as a line break too.
#[test]
fn line_numbers_count_every_kind_of_line_break() {
    let id = numbers(1)[0].clone();
    let body = format!("idcard\r{id}\r\rbad\n{id}\r\n\r\n");
    let o = run(&["batch", "--today", "2026-11-29"], body.as_bytes());
    let err = text(&o.stderr);
    assert!(err.contains("line 3: empty line"), "{err}");
    assert!(err.contains("line 6: empty line"), "{err}");
    assert_eq!(text(&o.stdout).lines().count(), 6);
}
