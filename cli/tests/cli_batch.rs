//! `cnid batch` as a process: one output row per input row, in order, whatever the input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn cnid(args: &[&str], stdin: &[u8]) -> Output {
    common::cnid_with_stdin(args, stdin)
}

fn batch(args: &[&str], stdin: &[u8]) -> (String, String, i32) {
    let mut all = vec!["batch", "--today", "2026-11-29"];
    all.extend_from_slice(args);
    let o = cnid(&all, stdin);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// `n` synthetic valid numbers, deterministic.
fn numbers(n: usize) -> Vec<String> {
    common::numbers(
        &["110101", "512928", "440305", "119999", "420600", "110103"],
        n,
    )
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cnid-batch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn field(line: &str, i: usize) -> String {
    // Answer fields never hold quotes; split respecting the quoted style fields.
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields[i].clone()
}

#[test]
fn plain_text_keeps_order_across_chunks_and_jobs() {
    let ids = numbers(60_000); // > 1 MiB: several chunks
    let input = ids.join("\n") + "\n";
    for jobs in ["1", "3"] {
        let (out, err, code) = batch(&["--jobs", jobs], input.as_bytes());
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), ids.len());
        for (line, id) in lines.iter().zip(&ids) {
            assert_eq!(field(line, 0), *id);
        }
        assert!(lines[0].contains(",ALREADY_ATT,110101,"), "{}", lines[0]);
        assert!(lines[3].contains(",NOT_ATT,"), "{}", lines[3]);
        assert!(err.contains("60000 rows"), "{err}");
    }
}

/// Whatever the number of threads, the output is the same bytes: rows of every kind
/// (the fast path of a table region and every other path), across many chunks.
#[test]
fn every_jobs_count_writes_the_same_bytes() {
    let ids = numbers(30_000);
    let mut input = String::from("name,idcard,note\n");
    for (i, id) in ids.iter().enumerate() {
        let cell = match i % 9 {
            0 => format!("{}X", &id[..17]), // a wrong check character, mostly
            1 => id.replace('1', "１"),     // full-width digits
            2 => format!("\"{id}\""),       // quoted
            3 => format!("{id}.0"),         // exported as a float
            4 => String::new(),             // empty
            _ => id.clone(),
        };
        let note = if i % 13 == 0 {
            "\"a, \"\"quoted\"\" note\""
        } else {
            "x"
        };
        input.push_str(&format!("p{i},{cell},{note}\n"));
        if i % 1000 == 0 {
            input.push_str("ragged,row\n");
        }
    }
    let (one, err, code) = batch(&["--jobs", "1"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    assert_eq!(one.lines().count(), input.lines().count());
    for jobs in ["2", "7"] {
        let (out, err, code) = batch(&["--jobs", jobs], input.as_bytes());
        assert_eq!(code, 0, "{err}");
        assert!(out == one, "--jobs {jobs} wrote other bytes than --jobs 1");
    }
    // A file output gets the same bytes as standard output.
    let (inp, outp) = (tmp("jobs-in.csv"), tmp("jobs-out.csv"));
    std::fs::write(&inp, &input).unwrap();
    let (_, err, code) = batch(
        &[
            "--jobs",
            "2",
            "-i",
            inp.to_str().unwrap(),
            "-o",
            outp.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&outp).unwrap() == one.as_bytes());
}

#[test]
fn csv_output_carries_the_answer_columns() {
    let (out, _, code) = batch(&[], b"512928199001011114\n");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "512928199001011114,ALREADY_ATT,512928,1990年01月01日,男,四川省 南充地区 武胜县,637000,0817,\
         \"中国,四川,南充\",\"中华人民共和国,四川省,南充市\",,\n"
    );
    let (out, _, _) = batch(&[], b"110101199001011112\n");
    assert_eq!(
        out,
        "110101199001011112,WRONG_IDCARD,,,,,,,,,身份证号码不正确,\"invalid check character: expected 4, found 2\"\n"
    );
}

#[test]
fn csv_with_header_by_name_and_by_position() {
    let ids = numbers(3);
    let input = format!(
        "name,身份证号,city\nA,{},x\nB,{},y\nC,{},z\n",
        ids[0], ids[1], ids[2]
    );
    for column in [None, Some("身份证号"), Some("2")] {
        let mut args = vec![];
        if let Some(c) = column {
            args.extend(["--column", c]);
        }
        let (out, err, code) = batch(&args, input.as_bytes());
        assert_eq!(code, 0, "{column:?}: {err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with("name,身份证号,city,status,par,born,sex,att,"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with(&format!("A,{},x,ALREADY_ATT,110101,", ids[0])),
            "{}",
            lines[1]
        );
        assert!(lines[3].starts_with(&format!("C,{},z,ALREADY_ATT,440305,", ids[2])));
    }
}

#[test]
fn tsv_input_gives_tsv_output() {
    let ids = numbers(2);
    let input = format!("idcard\tnote\n{}\ta\n{}\tb\n", ids[0], ids[1]);
    let (out, _, code) = batch(&[], input.as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("idcard\tnote\tstatus\tpar\t"));
    assert!(lines[1].starts_with(&format!("{}\ta\tALREADY_ATT\t110101\t", ids[0])));
    assert!(lines[1].contains("\t中国,北京\t"), "{}", lines[1]);
}

#[test]
fn no_header_takes_the_first_row_as_data() {
    let ids = numbers(2);
    let input = format!("{},a\n{},b\n", ids[0], ids[1]);
    let (out, err, code) = batch(&["--no-header", "--column", "1"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with(&format!("{},a,ALREADY_ATT", ids[0])));
    // Without the flag, a first row whose ID column holds a number is data too: never
    // swallowed as a header.
    let (out, _, _) = batch(&["--column", "1"], input.as_bytes());
    assert_eq!(out.lines().count(), 2);
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with(&format!("{},a,ALREADY_ATT", ids[0])));
    // A name in that column is a header.
    let (out, _, _) = batch(&["--column", "1"], format!("who,x\n{}", input).as_bytes());
    assert_eq!(out.lines().count(), 3);
    assert!(out.starts_with("who,x,status,par,"), "{out}");
}

#[test]
fn one_column_with_a_header_line() {
    let ids = numbers(2);
    let input = format!("身份证号\n{}\n{}\n", ids[0], ids[1]);
    let (out, _, code) = batch(&[], input.as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("身份证号,status,"));
}

#[test]
fn broken_rows_each_get_one_row_and_a_line_number() {
    let ids = numbers(4);
    let mut input = Vec::new();
    input.extend_from_slice(b"idcard,note\n");
    input.extend_from_slice(format!("{},ok\n", ids[0]).as_bytes()); // line 2
    input.extend_from_slice(b"\n"); // line 3: empty
    input.extend_from_slice(b"\xff\xfe12,bad utf8\n"); // line 4
    input.extend_from_slice(format!("{},too,many\n", ids[1]).as_bytes()); // line 5: ragged
    input.extend_from_slice(b"short\n"); // line 6: one field only, not a number
    input.extend_from_slice(format!("\"{}\",\"multi\nline\"\n", ids[2]).as_bytes()); // lines 7-8
    input.extend_from_slice(format!("{},last-no-newline", ids[3]).as_bytes()); // line 9
    let (out, err, code) = batch(&[], &input);
    assert_eq!(code, 0, "{err}");
    // 1 header + 7 data rows; the quoted row spans two lines in output too.
    let rows = out.split('\n').filter(|l| !l.is_empty()).count();
    assert_eq!(rows, 1 + 7 + 1, "{out}");
    assert!(err.contains("line 3: empty line"), "{err}");
    assert!(err.contains("line 4: invalid UTF-8"), "{err}");
    assert!(
        err.contains("line 5: 3 field(s) where the header has 2"),
        "{err}"
    );
    assert!(
        !err.contains(&ids[1]),
        "stderr must not echo numbers: {err}"
    );
    let lines: Vec<&str> = out.lines().collect();
    // An empty row is padded to the header's width: the answer stays under its header.
    assert!(lines[2].starts_with(",,WRONG_IDCARD,"), "{}", lines[2]);
    assert!(lines[2].ends_with(",empty line"), "{}", lines[2]);
    assert!(lines[3].contains("WRONG_IDCARD") && lines[3].ends_with("invalid UTF-8"));
    assert!(
        lines[4].contains(",WRONG_IDCARD,")
            && lines[4].ends_with(",3 field(s) where the header has 2"),
        "a ragged row is WRONG_IDCARD with the reason: {}",
        lines[4]
    );
    assert!(lines[5].contains("WRONG_IDCARD"));
    assert!(out.contains(&format!("\"{}\",\"multi\nline\",ALREADY_ATT", ids[2])));
    assert!(lines
        .last()
        .unwrap()
        .starts_with(&format!("{},last-no-newline,NOT_ATT", ids[3])));
    // The bad bytes are passed through untouched.
    let raw = cnid(&["batch"], &input).stdout;
    assert!(raw.windows(2).any(|w| w == b"\xff\xfe"));
}

#[test]
fn jsonl_has_one_web_api_answer_per_data_row() {
    let ids = numbers(5);
    let input = format!("idcard\n{}\n\nnot-a-number\n{}\n", ids[0], ids[1]);
    let (out, _, code) = batch(&["--format", "jsonl"], input.as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    let v: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["result"]["status"], "ALREADY_ATT");
    assert_eq!(v[0]["result"]["idcard"], ids[0].as_str());
    assert_eq!(v[1]["result"]["status"], "WRONG_IDCARD");
    assert_eq!(v[2]["result"]["idcard"], "not-a-number");
    assert_eq!(v[3]["result"]["status"], "ALREADY_ATT");
}

#[test]
fn files_and_gzip() {
    let ids = numbers(1000);
    let text = ids.join("\n") + "\n";
    let plain = tmp("in.txt");
    std::fs::write(&plain, &text).unwrap();
    let gz = tmp("in.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let out_plain = tmp("out1.csv");
    let out_gz = tmp("out2.csv");
    for (input, output) in [(&plain, &out_plain), (&gz, &out_gz)] {
        let (_, err, code) = batch(&["-i", s(input), "-o", s(output)], b"");
        assert_eq!(code, 0, "{err}");
    }
    let a = std::fs::read_to_string(&out_plain).unwrap();
    let b = std::fs::read_to_string(&out_gz).unwrap();
    assert_eq!(a.lines().count(), 1000);
    assert_eq!(a, b);
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn usage_and_io_errors() {
    let (_, err, code) = batch(&[], b"a,b\n1,2\n");
    assert_eq!(code, 2, "ambiguous column: {err}");
    assert!(err.contains("--column"));
    let (_, _, code) = batch(&["--column", "nope"], b"a,b\n1,2\n");
    assert_eq!(code, 2);
    let (_, _, code) = batch(&["--column", "3"], b"a,b\n1,2\n");
    assert_eq!(code, 2);
    let (_, err, code) = batch(&["-i", "/nonexistent/cnid-input.txt"], b"");
    assert_eq!(code, 1);
    assert!(err.contains("cannot open"), "{err}");
}

#[test]
fn empty_input_gives_empty_output() {
    let (out, err, code) = batch(&[], b"");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
}

/// A file saved with a byte-order mark (Excel, Notepad): the first number still resolves,
/// and the row is echoed byte for byte, mark included.
#[test]
fn byte_order_mark_on_the_first_number() {
    let n = numbers(2);
    let input = format!("\u{feff}{}\n{}\n", n[0], n[1]);
    let (out, err, code) = batch(&[], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with(&format!("\u{feff}{},ALREADY_ATT,", n[0])),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with(&format!("{},ALREADY_ATT,", n[1])));
    let (out, _, _) = batch(&["--format", "jsonl"], input.as_bytes());
    assert!(out
        .lines()
        .next()
        .unwrap()
        .contains(&format!("\"idcard\":\"{}\"", n[0])));
}

/// A CSV saved by Excel on Chinese Windows is GBK: with `--encoding gbk` the header is
/// found by its Chinese name, the rows are echoed byte for byte and the answer columns are
/// written in GB18030 too; without it, a hint says what to add.
#[test]
fn gbk_file_with_encoding_flag() {
    let gbk = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
    let n = numbers(1);
    let input = gbk(&format!("姓名,身份证号\r\n张三,{}\r\n", n[0]));
    let (out, err, code) = batch(&["--encoding", "gbk"], &input);
    assert_eq!(code, 0, "{err}");
    let o = cnid(
        &["batch", "--today", "2026-11-29", "--encoding", "gb18030"],
        &input,
    );
    let (text, _, had_errors) = encoding_rs::GB18030.decode(&o.stdout);
    assert!(!had_errors);
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("姓名,身份证号,status,"), "{}", rows[0]);
    assert!(
        rows[1].starts_with(&format!("张三,{},ALREADY_ATT,110101,", n[0])),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains("北京市 东城区 "), "{}", rows[1]);
    // The echoed row is the input's own bytes, CRLF kept.
    assert!(o.stdout.starts_with(&gbk("姓名,身份证号,status,")));
    assert!(o.stdout.ends_with(b",,\r\n"));
    assert!(!out.is_empty());

    // Without the flag: the header is not found, and the message says what to add.
    let (_, err, code) = batch(&[], &input);
    assert_eq!(code, 2);
    assert!(err.contains("--encoding gb18030"), "{err}");
    // With a named column it resolves, echoes the GBK bytes and hints in the summary.
    let (_, err, code) = batch(&["--column", "2"], &input);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not UTF-8 (first: line 2)"), "{err}");
    // JSON lines stay UTF-8.
    let (out, _, code) = batch(&["--encoding", "gbk", "--format", "jsonl"], &input);
    assert_eq!(code, 0);
    assert!(out.contains("\"att\":\"北京市 东城区 \""), "{out}");
}

/// A spreadsheet that took the ID column for numbers shows `1.10101E+17`: the digits are
/// gone, and the reason says so (and what to do) instead of "invalid character '.'".
#[test]
fn spreadsheet_floats_get_a_reason_that_says_so() {
    let n = numbers(1);
    let input = format!(
        "name,idcard\nA,1.10101E+17\nB,{}\nC,4.4030519491231E+14\nD,1.5E+3\n",
        n[0]
    );
    let (out, err, code) = batch(&[], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 5);
    assert!(
        rows[1].contains("WRONG_IDCARD")
            && rows[1].ends_with("format the column as text before exporting"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains("ALREADY_ATT"));
    assert!(
        rows[3].contains("a spreadsheet turned the number into a float"),
        "{}",
        rows[3]
    );
    // Not every float-looking value: 1.5E+3 is just wrong.
    assert!(rows[4].contains("invalid length"), "{}", rows[4]);
    assert!(
        err.contains("2 number(s) a spreadsheet turned into floats"),
        "{err}"
    );
}

/// Exports keep a spreadsheet from turning the ID column into floats with a text formula
/// (`="…"`) or a leading apostrophe: the number inside is read, the row echoed as it was.
#[test]
fn spreadsheet_text_marks_around_the_number() {
    let n = numbers(2);
    let input = format!("name,idcard\nA,=\"{}\"\nB,'{}\nC,=\"abc\"\n", n[0], n[1]);
    let (out, err, code) = batch(&[], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().collect();
    assert!(
        rows[1].starts_with(&format!("A,=\"{}\",ALREADY_ATT,", n[0])),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with(&format!("B,'{},ALREADY_ATT,", n[1])),
        "{}",
        rows[2]
    );
    assert!(rows[3].contains("WRONG_IDCARD"), "{}", rows[3]);
    // One number per line, JSON lines: the answer's idcard is the number itself.
    let (out, _, _) = batch(
        &["--format", "jsonl"],
        format!("=\"{}\"\n", n[0]).as_bytes(),
    );
    assert!(out.contains(&format!("\"idcard\":\"{}\"", n[0])), "{out}");
}
