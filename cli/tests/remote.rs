//! `--remote`, `--remote-first`, `--remote-cache` against a fake web API on loopback.
#![cfg(feature = "remote")]

use std::io::Write;

#[path = "../../tests/support/fake_api.rs"]
mod fake_api;
use fake_api::*;

// ---------------------------------------------------------------------------------------
// The command line: `--remote`, `--remote-first`, `--remote-cache`, credentials from the
// environment only.

fn cnid_cli(fake: Option<&Fake>, args: &[&str], stdin: &str) -> (String, String, i32) {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnid"));
    cmd.args(args)
        .env_remove("NOWAPI_APPKEY")
        .env_remove("NOWAPI_SIGN")
        .env_remove("NOWAPI_URL")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(f) = fake {
        cmd.env("NOWAPI_APPKEY", APPKEY)
            .env("NOWAPI_SIGN", SIGN)
            .env("NOWAPI_URL", &f.url);
    }
    let mut child = cmd.spawn().expect("run cnid");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

#[test]
fn cli_lookup_remote_answers_unknown_prefixes_privately() {
    let fake = Fake::start(already_att);
    let number = caller(unknown());
    let (out, err, code) = cnid_cli(
        Some(&fake),
        &[
            "lookup",
            "--remote",
            "--today",
            "2026-11-29",
            &number,
            "110101199001011114",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].contains("\"status\":\"ALREADY_ATT\""),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(&format!("\"idcard\":\"{number}\"")));
    assert!(
        lines[0].contains("\"born\":\"1985年06月15日\",\"sex\":\"女\""),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("\"att\":\"北京市 东城区 \""));
    assert_eq!(fake.count(), 1, "the known prefix needs no request");
    assert_private(&fake, &number);
    assert!(!err.contains(&number), "{err}");
}

#[test]
fn cli_batch_remote_cache_file_makes_the_second_run_free() {
    let fake = Fake::start(already_att);
    let prefixes = unknown_prefixes(3);
    let input: String = prefixes
        .iter()
        .flat_map(|&p| (0..4).map(move |i| id(p, "19900101", 10 + i) + "\n"))
        .collect();
    let cache = std::env::temp_dir().join(format!("cnid-cli-cache-{}.tsv", std::process::id()));
    let _ = std::fs::remove_file(&cache);
    let args = [
        "batch",
        "--remote",
        "--remote-cache",
        cache.to_str().unwrap(),
        "--today",
        "2026-11-29",
        "--format",
        "jsonl",
    ];
    let (out, err, code) = cnid_cli(Some(&fake), &args, &input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 12);
    assert!(out.lines().all(|l| l.contains("ALREADY_ATT")), "{out}");
    assert_eq!(fake.count(), 3, "one request per unknown prefix");
    let (out2, err2, code2) = cnid_cli(Some(&fake), &args, &input);
    assert_eq!(code2, 0, "{err2}");
    assert_eq!(out2, out);
    assert_eq!(
        fake.count(),
        3,
        "the second run answers from the cache file"
    );
    let _ = std::fs::remove_file(&cache);
}

#[test]
fn cli_remote_first_falls_back_locally_when_the_key_is_refused() {
    let fake = Fake::start(|_| reply(SIGN_INVALID));
    let (out, err, code) = cnid_cli(
        Some(&fake),
        &[
            "lookup",
            "--remote-first",
            "--today",
            "2026-11-29",
            "110101199001011114",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"att\":\"北京市 东城区 \""), "{out}");
    assert!(
        err.contains("SIGN_INVALID"),
        "the failure is reported: {err}"
    );
    assert!(!err.contains(SIGN) && !err.contains(APPKEY), "{err}");
}

#[test]
fn cli_remote_without_credentials_is_a_usage_error() {
    let (_, err, code) = cnid_cli(None, &["lookup", "--remote", "110101199001011114"], "");
    assert_eq!(code, 2);
    assert!(err.contains("NOWAPI_APPKEY"), "{err}");
}

/// The open circuit is kept in the cache file: while the key is suspended, the next run
/// of the command line sends nothing (each run used to spend one request on it).
#[test]
fn cli_consecutive_runs_keep_the_circuit_open() {
    let fake = Fake::start(|_| reply(QUOTA));
    let cache = std::env::temp_dir().join(format!("cnid-cli-circuit-{}.tsv", std::process::id()));
    let _ = std::fs::remove_file(&cache);
    let number = caller(unknown());
    let args = [
        "lookup",
        "--remote",
        "--remote-cache",
        cache.to_str().unwrap(),
        "--today",
        "2026-11-29",
        number.as_str(),
    ];
    for run in 1..=3 {
        let (out, err, code) = cnid_cli(Some(&fake), &args, "");
        assert_eq!(code, 1, "1: a number was not found; {err}");
        assert!(out.contains("WAIT_PROCESS"), "run {run}: {out}");
        assert!(!err.contains(SIGN) && !err.contains(APPKEY), "{err}");
        assert_eq!(fake.count(), 1, "run {run}: one request in all");
    }
    let _ = std::fs::remove_file(&cache);
}
