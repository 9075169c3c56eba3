//! The `cnid` command line, run as a process.

use std::process::{Command, Output};

use common::{cnid, stdout};

#[test]
fn lookup_prints_one_line_per_number_in_order() {
    let o = cnid(&[
        "lookup",
        "--today",
        "2026-11-29",
        "110101199001011114",
        "110101199001011112",
        "512928199001011114",
    ]);
    // One number is wrong: exit 1, like grep with a line not found.
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(r#""status":"ALREADY_ATT","idcard":"110101199001011114""#));
    assert!(lines[1].contains(r#""status":"WRONG_IDCARD","idcard":"110101199001011112""#));
    assert!(lines[2].contains(r#""att":"四川省 南充地区 武胜县""#));
}

#[test]
fn lookup_today_changes_the_verdict() {
    let o = cnid(&["lookup", "--today", "1989-12-31", "110101199001011114"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("WRONG_IDCARD"));
}

#[test]
fn lookup_xml_and_jsonp() {
    let o = cnid(&["lookup", "--format", "xml", "110101199001011114"]);
    assert!(stdout(&o)
        .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success>"));
    let o = cnid(&["lookup", "--callback", "cb", "110101199001011114"]);
    assert!(stdout(&o).starts_with("cb({\"success\":\"1\""));
    assert!(stdout(&o).ends_with("})\n"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["lookup", "--bogus"][..],
        &["lookup", "--today", "2026-13-01", "110101199001011114"],
        &["lookup", "--callback", "a(b)", "110101199001011114"],
        &["lookup", "--format", "yaml", "110101199001011114"],
        &["nonsense"],
    ] {
        let o = cnid(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn help_explains() {
    let o = cnid(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("lookup"), "{out}");
}

/// Printing into a closed pipe (`| head`) is no failure: exit 0, nothing on stderr, for
/// answers and for help alike (`cnid --help | head -c1` exited 1: clap's print error was
/// taken for a failure).
#[test]
fn printing_into_a_closed_pipe_is_quiet_for_every_subcommand() {
    use std::process::Stdio;
    let mut lookup = vec!["lookup"];
    lookup.extend(std::iter::repeat_n("110101199001011114", 20_000));
    for args in [
        &lookup[..],
        &["--help"],
        &["--version"],
        &["batch", "--help"],
        &["man"],
        &["completions", "bash"],
        &["generate", "--count", "20000", "--seed", "1"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cnid"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // close the reading end at once
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{:?}: {stderr}",
            &args[..args.len().min(2)]
        );
        assert!(
            o.stderr.is_empty(),
            "{:?}: {stderr}",
            &args[..args.len().min(2)]
        );
    }
}

/// A standard-input line longer than 1 MiB is skipped unread (memory stays bounded: a
/// 300 MB line took 2 GB), said on stderr, and answered as an empty input in its place.
#[test]
fn an_overlong_stdin_line_is_not_read_and_keeps_its_place() {
    let stdin = format!(
        "110101199001011114\n{}\n110101900101111\n",
        "1".repeat(3 << 20)
    );
    let o = common::cnid_with_stdin(&["lookup", "--today", "2026-11-29"], stdin.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let answers: Vec<&str> = out.lines().collect();
    assert_eq!(answers.len(), 3, "{out:.500}");
    assert!(answers[0].contains("ALREADY_ATT") && answers[2].contains("ALREADY_ATT"));
    assert!(answers[1].contains(r#""idcard":"","#), "{}", answers[1]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 2 of standard input: 3145729 bytes, longer than 1048576: not read"),
        "{err:.500}"
    );
    let o = common::cnid_with_stdin(&["upgrade", "--today", "2026-11-29"], stdin.as_bytes());
    assert_eq!(stdout(&o), "110101199001011114\n\n110101199001011114\n");
}

/// Standard input that cannot be read (a directory: `cnid lookup < /tmp`) is named in the
/// error, which said only "Is a directory".
#[cfg(unix)]
#[test]
fn unreadable_stdin_is_named_in_the_error() {
    for sub in ["lookup", "upgrade"] {
        let o = Command::new(env!("CARGO_BIN_EXE_cnid"))
            .arg(sub)
            .stdin(std::fs::File::open(env!("CARGO_MANIFEST_DIR")).unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.starts_with("cnid: cannot read standard input: "),
            "{sub}: {err}"
        );
    }
}

/// `--format detail`: cnid's own answer, with the reason a number is wrong, the region's
/// history and, for an unknown county code, the prefecture it falls in.
#[test]
fn lookup_detail_says_why_and_gives_history() {
    let unknown = {
        let b: &[u8; 17] = b"43041919900101111";
        format!("43041919900101111{}", cnid::check_character(b).unwrap())
    };
    let o = cnid(&[
        "lookup",
        "--format",
        "detail",
        "--today",
        "2026-11-29",
        "110101199001011112",
        "512928199001011114",
        &unknown,
    ]);
    // Some numbers were not found: exit 1, like grep.
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["status"], "WRONG_IDCARD");
    assert_eq!(
        lines[0]["error"],
        "invalid check character: expected 4, found 2"
    );
    assert!(!out.lines().next().unwrap().contains("110101199001011112"));
    assert_eq!(lines[1]["region"]["current"], false);
    let names = lines[1]["region"]["names"].as_array().unwrap();
    assert_eq!(names.last().unwrap()["name"], "武胜县");
    assert_eq!(names.last().unwrap()["last_year"], 1992);
    assert_eq!(lines[2]["status"], "NOT_ATT");
    assert_eq!(lines[2]["region"], serde_json::Value::Null);
    assert_eq!(lines[2]["region_hint"]["name"], "衡阳市");
    assert_eq!(lines[1]["region_hint"], serde_json::Value::Null);
}

/// `--version` names the data a build carries, so a run can be reproduced.
#[test]
fn version_names_the_data() {
    let out = stdout(&cnid(&["--version"]));
    assert!(
        out.starts_with(&format!("cnid {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains(cnid::DATA_VERSION), "{out}");
    assert!(
        out.contains(&format!("{} codes", cnid::CODE_COUNT)),
        "{out}"
    );
}

mod common;

fn cnid_stdin(args: &[&str], stdin: &str) -> Output {
    common::cnid_with_stdin(args, stdin.as_bytes())
}

/// Numbers on standard input (out of `ps` and shell history): when none are given, or
/// for `-` among them, one per line, CRLF too; answers in order.
#[test]
fn lookup_reads_numbers_from_stdin() {
    let o = cnid_stdin(
        &["lookup", "--today", "2026-11-29"],
        "110101199001011114\r\n512928199001011114\n",
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].contains(r#""idcard":"110101199001011114""#),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(r#""idcard":"512928199001011114""#));
    let o = cnid_stdin(
        &["lookup", "--today", "2026-11-29", "440305199001011110", "-"],
        "110101199001011114\n",
    );
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("110101199001011114"));
    // A line that is not UTF-8 still gets its answer, in its place.
    let o = common::cnid_with_stdin(
        &["lookup", "--today", "2026-11-29"],
        b"\xff\xfe\n110101199001011114\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("WRONG_IDCARD"));
    assert!(lines[1].contains("ALREADY_ATT"));
}

/// Exit status like grep: 0 when every number was found, 1 when some were not (wrong or
/// unknown region), 2 on a usage error; the same rule in `upgrade`.
#[test]
fn lookup_and_upgrade_exit_like_grep() {
    let code = |args: &[&str]| cnid(args).status.code();
    assert_eq!(
        code(&["lookup", "--today", "2026-11-29", "110101199001011114"]),
        Some(0)
    );
    assert_eq!(
        code(&[
            "lookup",
            "--today",
            "2026-11-29",
            "110101199001011114",
            "110101199001011112"
        ]),
        Some(1)
    );
    assert_eq!(
        code(&["lookup", "--format", "yaml", "110101199001011114"]),
        Some(2)
    );
    assert_eq!(code(&["upgrade", "110101900101111"]), Some(0));
    assert_eq!(
        code(&["upgrade", "110101900101111", "110101901301111"]),
        Some(1)
    );
    assert_eq!(code(&["upgrade", "--bogus"]), Some(2));
    // upgrade reads standard input like lookup: line N answers line N.
    let o = common::cnid_with_stdin(&["upgrade"], b"110101900101111\r\n110101901301111\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "110101199001011114\n\n");
    assert!(String::from_utf8_lossy(&o.stderr).contains("ERROR number 2: 110101*****1111"));
}

/// Finding: `lookup --format xml` of an input with a line break printed a document over
/// two lines. Every format gives one line per answer.
#[test]
fn every_format_gives_one_line_per_answer() {
    for format in ["json", "xml", "detail"] {
        let o = cnid(&[
            "lookup",
            "--format",
            format,
            "1101011990\n01011114",
            "a\r\nb",
        ]);
        let out = stdout(&o);
        assert_eq!(out.lines().count(), 2, "{format}: {out}");
    }
    let o = cnid(&["lookup", "--format", "xml", "1101011990\n01011114"]);
    assert!(stdout(&o).contains("<idcard>1101011990&#10;01011114</idcard>"));
}

/// `cnid completions SHELL` and `cnid man` come from the same definition as the parser.
#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let o = cnid(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("lookup"), "{shell}");
        assert!(stdout(&o).contains("max-row-bytes"), "{shell}");
    }
    let o = cnid(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH cnid 1"),
        "{page}"
    );
    assert!(page.contains("batch"));
}
