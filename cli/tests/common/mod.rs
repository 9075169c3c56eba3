//! Helpers shared by the command line's tests.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `cnid` with `args` and no input.
pub fn cnid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnid"))
        .args(args)
        .output()
        .expect("run cnid")
}

/// A run's standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A run's standard error, which must be UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs `cnid` with `args`, feeding `stdin` from another thread (so a large input cannot
/// dead-lock against a large output).
pub fn cnid_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnid"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cnid");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// A synthetic 18-character number from its first 17 digits.
pub fn with_check(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

/// `n` synthetic valid numbers, deterministic, with region codes taken in turn from `codes`.
pub fn numbers(codes: &[&str], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let code = codes[i % codes.len()];
            let year = 1930 + (i * 7) % 90;
            let month = 1 + (i * 5) % 12;
            let day = 1 + (i * 3) % 28;
            with_check(&format!("{code}{year:04}{month:02}{day:02}{:03}", i % 1000))
        })
        .collect()
}
