//! `cnid generate` and `cnid upgrade`, run as a process.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::{Datelike, NaiveDate};
use cnid::{IdNumber, Level, Region, Resolver, Sex, Status};

mod common;
use common::{cnid, stderr, stdout};

/// Runs `cnid generate ARGS`, expects success, and returns the lines, each parsed.
fn generate(args: &[&str]) -> Vec<(String, IdNumber)> {
    let mut all = vec!["generate"];
    all.extend_from_slice(args);
    let o = cnid(&all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|line| {
            let id = IdNumber::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            (line.to_owned(), id)
        })
        .collect()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn assert_usage_error(args: &[&str]) {
    let o = cnid(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
    assert!(!o.stderr.is_empty(), "{args:?}");
}

#[test]
fn generate_prints_count_valid_numbers_of_current_counties() {
    let lines = generate(&["--count", "500", "--seed", "1"]);
    assert_eq!(lines.len(), 500);
    let resolver = Resolver::new();
    for (line, id) in &lines {
        assert_eq!(line.len(), 18, "{line}");
        assert!(!id.is_first_generation());
        assert_eq!(id.as_str(), line);
        let born = id.birth_date();
        assert!(
            born >= date("1950-01-01") && born <= cnid::today(),
            "{born}"
        );
        let r = resolver.resolve(line);
        assert_eq!(r.status(), Status::AlreadyAtt, "{line}");
        let region = Region::lookup(id.region_code()).unwrap();
        assert_eq!(region.level(), Some(Level::County), "{line}");
        assert!(!region.is_placeholder(), "{line}");
        assert_eq!(region.is_current(), Some(true), "{line}");
    }
    // Drawn, not constant.
    let mut regions: Vec<u32> = lines.iter().map(|(_, id)| id.region_code()).collect();
    regions.sort_unstable();
    regions.dedup();
    assert!(regions.len() > 100, "{}", regions.len());
    let sexes: Vec<Sex> = lines.iter().map(|(_, id)| id.sex()).collect();
    assert!(sexes.contains(&Sex::Male) && sexes.contains(&Sex::Female));
}

#[test]
fn generate_count_zero_prints_nothing() {
    let o = cnid(&["generate", "--count", "0"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert!(o.stderr.is_empty());
}

#[test]
fn generate_region_abolished_code() {
    let lines = generate(&["--count", "200", "--region", "512928"]);
    assert_eq!(lines.len(), 200);
    let resolver = Resolver::new();
    for (line, _) in &lines {
        assert!(line.starts_with("512928"), "{line}");
        let r = resolver.resolve(line);
        assert_eq!(r.status(), Status::AlreadyAtt, "{line}");
        assert_eq!(r.region().unwrap().att(), "四川省 南充地区 武胜县");
    }
}

#[test]
fn generate_birth_dates_in_range() {
    let lines = generate(&[
        "--count",
        "1000",
        "--born-from",
        "1990-01-01",
        "--born-to",
        "1990-12-31",
    ]);
    assert_eq!(lines.len(), 1000);
    let mut days: Vec<NaiveDate> = lines.iter().map(|(_, id)| id.birth_date()).collect();
    for d in &days {
        assert_eq!(d.year(), 1990, "{d}");
    }
    days.sort_unstable();
    days.dedup();
    assert!(days.len() > 200, "{}", days.len());
    // A one-day range gives that day.
    for (_, id) in generate(&[
        "--count",
        "50",
        "--born-from",
        "2000-02-29",
        "--born-to",
        "2000-02-29",
    ]) {
        assert_eq!(id.birth_date(), date("2000-02-29"));
    }
}

#[test]
fn generate_sex() {
    for (word, sex) in [
        ("female", Sex::Female),
        ("女", Sex::Female),
        ("male", Sex::Male),
        ("男", Sex::Male),
    ] {
        let lines = generate(&["--count", "300", "--sex", word]);
        assert_eq!(lines.len(), 300);
        for (line, id) in &lines {
            assert_eq!(id.sex(), sex, "{word}: {line}");
        }
    }
    assert_usage_error(&["generate", "--count", "1", "--sex", "x"]);
}

#[test]
fn generate_seed_is_deterministic() {
    let run = |seed: &str| {
        let o = cnid(&["generate", "--count", "200", "--seed", seed]);
        assert_eq!(o.status.code(), Some(0));
        stdout(&o)
    };
    let a = run("42");
    assert_eq!(a.lines().count(), 200);
    assert_eq!(a, run("42"));
    assert_ne!(a, run("43"));
    // The same seed with other options is still reproducible.
    let with = |seed: &str| {
        stdout(&cnid(&[
            "generate",
            "--count",
            "50",
            "--seed",
            seed,
            "--sex",
            "女",
            "--fifteen",
        ]))
    };
    assert_eq!(with("7"), with("7"));
    assert_ne!(with("7"), with("8"));
}

#[test]
fn generate_fifteen() {
    let lines = generate(&["--count", "300", "--fifteen", "--born-from", "1850-01-01"]);
    assert_eq!(lines.len(), 300);
    for (line, id) in &lines {
        assert_eq!(line.len(), 15, "{line}");
        assert!(line.bytes().all(|b| b.is_ascii_digit()), "{line}");
        assert!(id.is_first_generation(), "{line}");
        let year = id.birth_date().year();
        assert!((1900..=1999).contains(&year), "{line}");
        assert_eq!(id.to_fifteen().as_deref(), Some(line.as_str()));
    }
    assert_usage_error(&[
        "generate",
        "--count",
        "1",
        "--fifteen",
        "--born-from",
        "2001-01-01",
    ]);
    assert_usage_error(&[
        "generate",
        "--count",
        "1",
        "--fifteen",
        "--born-from",
        "1850-01-01",
        "--born-to",
        "1899-12-31",
    ]);
}

#[test]
fn generate_unknown_region_is_refused() {
    assert_usage_error(&["generate", "--count", "1", "--region", "999999"]);
    assert_usage_error(&["generate", "--count", "1", "--region", "119999"]);
    assert_usage_error(&["generate", "--count", "1", "--region", "12345"]);
    assert_usage_error(&["generate", "--count", "1", "--region", "1101011"]);
    // Not even with --any-region: 99 is no province.
    assert_usage_error(&[
        "generate",
        "--count",
        "1",
        "--region",
        "999999",
        "--any-region",
    ]);
    let o = cnid(&["generate", "--count", "1", "--region", "999999"]);
    assert!(stderr(&o).contains("999999"), "{}", stderr(&o));
}

#[test]
fn generate_any_region() {
    let lines = generate(&["--count", "100", "--region", "119999", "--any-region"]);
    assert_eq!(lines.len(), 100);
    let resolver = Resolver::new();
    for (line, _) in &lines {
        assert!(line.starts_with("119999"), "{line}");
        assert_eq!(resolver.resolve(line).status(), Status::NotAtt, "{line}");
    }
}

#[test]
fn generate_bad_dates_are_refused() {
    assert_usage_error(&[
        "generate",
        "--count",
        "1",
        "--born-from",
        "1991-01-01",
        "--born-to",
        "1990-01-01",
    ]);
    assert_usage_error(&["generate", "--count", "1", "--born-to", "2999-01-01"]);
    assert_usage_error(&["generate", "--count", "1", "--born-from", "1799-12-31"]);
    assert_usage_error(&["generate", "--count", "1", "--born-from", "1990-02-30"]);
}

#[test]
fn generate_survives_a_closed_pipe() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnid"))
        .args(["generate", "--count", "10000000", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cnid");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(IdNumber::parse(first.trim_end()).is_ok(), "{first}");
    drop(reader);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn upgrade_known_pair() {
    let o = cnid(&["upgrade", "110101900101111"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "110101199001011114\n");
    assert!(o.stderr.is_empty());
}

#[test]
fn upgrade_keeps_order() {
    let o = cnid(&[
        "upgrade",
        "512928900101111",
        "110101900101111",
        "110101199001011114",
        "110105491231002",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "512928199001011114\n110101199001011114\n110101199001011114\n11010519491231002X\n"
    );
}

#[test]
fn upgrade_invalid_input_gives_an_empty_line_and_a_masked_error() {
    let bad = "110101901301111"; // month 13
    let o = cnid(&["upgrade", "110101900101111", bad, "512928900101111"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "110101199001011114\n\n512928199001011114\n");
    let err = stderr(&o);
    assert!(err.contains("ERROR"), "{err}");
    assert!(err.contains(&cnid::mask(bad)), "{err}");
    assert!(!err.contains(bad), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // A wrong check character on an 18-character number: not echoed either.
    let bad18 = "110101199001011112";
    let o = cnid(&["upgrade", bad18]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "\n");
    assert!(!stderr(&o).contains(bad18), "{}", stderr(&o));
    assert!(stderr(&o).contains("110101********1112"), "{}", stderr(&o));
}

#[test]
fn upgrade_today() {
    let o = cnid(&["upgrade", "--today", "1989-12-31", "110101900101111"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "\n");
    let o = cnid(&["upgrade", "--today", "1990-01-01", "110101900101111"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "110101199001011114\n");
    assert_eq!(cnid(&["upgrade", "--bogus"]).status.code(), Some(2));
}
