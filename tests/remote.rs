//! The remote fallback against a fake `idcard.get` web API on loopback, started here.
//! No test reaches the internet.
#![cfg(feature = "remote")]

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cnid::remote::{Method, Policy, RemoteConfig, RemoteError, RemoteResolver};
use cnid::{Region, Resolution, Source, Status};

#[path = "support/fake_api.rs"]
mod fake_api;
use fake_api::*;

// ---------------------------------------------------------------------------------------
// The four statuses.

#[test]
fn already_att_combines_remote_region_with_callers_number() {
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::LocalFirst);
    let prefix = unknown();
    let number = caller(prefix);
    assert_eq!(local().resolve(&number).status(), Status::NotAtt);

    let (res, err) = r.resolve_detailed(&number);
    assert_eq!(err, None);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Remote);
    let region = res.region().unwrap();
    assert_eq!(region.source(), Source::Remote);
    assert_eq!(region.code(), prefix);
    assert_eq!(region.att(), format!("测试省 测试市 {prefix:06}区"));
    let j = json(&res, &number);
    let result = &j["result"];
    assert_eq!(result["idcard"], number.as_str());
    assert_eq!(result["par"], format!("{prefix:06}"));
    assert_eq!(result["born"], "1985年06月15日", "the caller's birth date");
    assert_eq!(result["sex"], "女", "the caller's sex");
    assert_eq!(result["postno"], "100000");
    assert_eq!(result["style_citynm"], "中华人民共和国,测试省");
    assert!(result.get("msg").is_none());
    assert_eq!(fake.count(), 1);
    assert_private(&fake, &number);
    assert_eq!(fake.requests()[0].method, "GET");
}

#[test]
fn not_att_is_passed_on_and_cached() {
    let fake = Fake::start(|_| reply(status_only("NOT_ATT", "暂无归属地信息")));
    let r = resolver(config(&fake), Policy::LocalFirst);
    let number = caller(unknown());
    let res = r.resolve(&number);
    assert_eq!(res.status(), Status::NotAtt);
    assert_eq!(res.source(), Source::Remote);
    let again = r.resolve(&id(unknown(), "20010203", 17));
    assert_eq!(again.status(), Status::NotAtt);
    assert_eq!(again.source(), Source::Cache);
    assert_eq!(fake.count(), 1, "one request per prefix");
    assert_eq!(r.stats().cache_hits, 1);
    assert_eq!(json(&again, "x")["result"]["msg"], "暂无归属地信息");
}

#[test]
fn wait_process_is_passed_on_and_held_for_a_while() {
    let fake = Fake::start(|_| reply(status_only("WAIT_PROCESS", "wait process")));
    let mut c = config(&fake);
    c.wait_retry_after = Duration::from_millis(300);
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());
    let (res, err) = r.resolve_detailed(&number);
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(res.source(), Source::Remote);
    assert_eq!(err, None);
    let j = json(&res, &number);
    // All ten keys, `idcard` too (clients read it unconditionally).
    assert_eq!(j["result"]["idcard"], number.as_str());
    assert_eq!(j["result"]["msg"], "wait process");
    assert_eq!(j["result"]["att"], "");
    // Not a failure, and "retry later": the same prefix is not asked again for a while,
    // nor written to a cache file; then it is.
    for _ in 0..100 {
        let again = r.resolve(&number);
        assert_eq!(again.status(), Status::WaitProcess);
        assert_eq!(again.source(), Source::Cache);
    }
    assert_eq!(fake.count(), 1);
    let stats = r.stats();
    assert_eq!(
        (stats.deferred, stats.cache_hits, stats.cached_prefixes),
        (100, 0, 0)
    );
    assert!(!stats.circuit_open);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(r.resolve(&number).source(), Source::Remote);
    assert_eq!(fake.count(), 2);

    // Zero: every lookup asks.
    let mut c = config(&fake);
    c.wait_retry_after = Duration::ZERO;
    let eager = resolver(c, Policy::LocalFirst);
    for _ in 0..2 {
        assert_eq!(eager.resolve(&number).source(), Source::Remote);
    }
    assert_eq!(fake.count(), 4);

    // RemoteFirst: the table answers instead.
    let known = id(110_101, "19850615", 2);
    let rf = resolver(config(&fake), Policy::RemoteFirst);
    let (res, err) = rf.resolve_detailed(&known);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Table);
    assert_eq!(err, Some(RemoteError::WaitProcess));
}

#[test]
fn wrong_idcard_for_a_valid_number_is_not_att() {
    let fake = Fake::start(|_| reply(status_only("WRONG_IDCARD", "身份证号码不正确")));
    let r = resolver(config(&fake), Policy::LocalFirst);
    let number = caller(unknown());
    let res = r.resolve(&number);
    assert_eq!(res.status(), Status::NotAtt);
    assert_eq!(res.source(), Source::Remote);
    assert_eq!(r.resolve(&number).source(), Source::Cache);
    assert_eq!(fake.count(), 1);

    // With the full number, the answer is not cached for the prefix.
    let mut c = config(&fake);
    c.send_full_number = true;
    let full = resolver(c, Policy::LocalFirst);
    assert_eq!(full.resolve(&number).status(), Status::NotAtt);
    assert_eq!(full.resolve(&number).source(), Source::Remote);
    assert_eq!(fake.count(), 3);
}

#[test]
fn local_answers_need_no_request() {
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::LocalFirst);
    let known = id(110_101, "19900101", 111);
    let res = r.resolve(&known);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Table);
    for wrong in ["110101199001011112", "", "abc", "9901011990010111X"] {
        let res = r.resolve(wrong);
        assert_eq!(res.status(), Status::WrongIdcard, "{wrong}");
        assert_eq!(res.source(), Source::Table);
    }
    assert_eq!(fake.count(), 0);
    assert_eq!(r.stats().requests, 0);
}

#[test]
fn remote_first_asks_for_known_prefixes_too() {
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::RemoteFirst);
    assert_eq!(r.policy(), Policy::RemoteFirst);
    let known = id(110_101, "19850615", 2);
    let res = r.resolve(&known);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Remote);
    assert_eq!(res.region().unwrap().att(), "测试省 测试市 110101区");
    assert_eq!(r.resolve(&known).source(), Source::Cache);
    // Invalid numbers are decided locally.
    assert_eq!(
        r.resolve("110101199001011112").status(),
        Status::WrongIdcard
    );
    assert_eq!(fake.count(), 1);
    assert_private(&fake, &known);
}

// ---------------------------------------------------------------------------------------
// Faults.

/// Resolves an unknown-prefix number against a server that answers `body` with `status`:
/// LocalFirst gives WAIT_PROCESS, RemoteFirst the table's answer; both open the circuit.
fn assert_unavailable(status: u16, body: &str) -> RemoteError {
    let body = body.to_owned();
    let fake = Fake::start(move |_| Reply {
        status,
        body: body.clone(),
        delay: Duration::ZERO,
    });
    let number = caller(unknown());

    let r = resolver(config(&fake), Policy::LocalFirst);
    let (res, err) = r.resolve_detailed(&number);
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(res.number().unwrap().as_str(), number);
    assert_eq!(json(&res, &number)["result"]["msg"], "wait process");
    let err = err.expect("an error");
    assert_error_private(&err, &number);
    let stats = r.stats();
    assert_eq!((stats.requests, stats.failures), (1, 1));
    assert!(stats.circuit_open);
    // The circuit is open: the next lookup sends nothing.
    let (res, again) = r.resolve_detailed(&caller(unknown_prefixes(2)[1]));
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(again, Some(RemoteError::CircuitOpen));
    assert_eq!(fake.count(), 1);
    assert_eq!(r.stats().refused, 1);

    let rf = resolver(config(&fake), Policy::RemoteFirst);
    let known = id(110_101, "19850615", 2);
    let (res, err2) = rf.resolve_detailed(&known);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Table);
    assert_eq!(res.region().unwrap().att(), "北京市 东城区 ");
    assert_eq!(err2.as_ref(), Some(&err));
    let (res, _) = rf.resolve_detailed(&number);
    assert_eq!(res.status(), Status::NotAtt, "the table's answer");
    assert_eq!(fake.count(), 2);
    assert_private(&fake, &number);
    err
}

#[test]
fn sign_invalid_opens_the_circuit() {
    let e = assert_unavailable(200, SIGN_INVALID);
    assert_eq!(
        e,
        RemoteError::Api {
            msgid: "1000555".into(),
            msg: "SIGN_INVALID".into()
        }
    );
}

#[test]
fn quota_error_opens_the_circuit() {
    let e = assert_unavailable(200, QUOTA);
    assert!(matches!(e, RemoteError::Api { ref msgid, .. } if msgid == "1000701"));
}

#[test]
fn http_500_opens_the_circuit() {
    assert_eq!(
        assert_unavailable(500, "internal error"),
        RemoteError::Http(500)
    );
    assert_eq!(
        assert_unavailable(302, ""),
        RemoteError::Http(302),
        "redirects are not followed"
    );
}

#[test]
fn malformed_json_opens_the_circuit() {
    assert!(matches!(
        assert_unavailable(200, "{\"success\":\"1\",\"result\":"),
        RemoteError::Malformed(_)
    ));
}

#[test]
fn malformed_answers_never_panic() {
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(100_000));
    let bodies: Vec<String> = [
        "",
        "null",
        "[]",
        "\"1\"",
        "{}",
        r#"{"success":"1"}"#,
        r#"{"success":"1","result":[]}"#,
        r#"{"success":"1","result":{}}"#,
        r#"{"success":"1","result":{"status":"SOMETHING"}}"#,
        r#"{"success":"1","result":{"status":"ALREADY_ATT"}}"#,
        r#"{"success":"1","result":{"status":"ALREADY_ATT","att":{"a":1}}}"#,
        r#"{"success":"2"}"#,
        r#"{"success":true}"#,
        "\u{feff}{}",
        "<html>busy</html>",
        "\u{0}\u{1}\u{2}",
        big.as_str(),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let bodies = Arc::new(bodies);
    let n = Arc::new(AtomicUsize::new(0));
    let fake = {
        let (bodies, n) = (Arc::clone(&bodies), Arc::clone(&n));
        Fake::start(move |_| reply(bodies[n.fetch_add(1, Ordering::SeqCst) % bodies.len()].clone()))
    };
    let mut c = config(&fake);
    c.circuit_open_for = Duration::ZERO;
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());
    for i in 0..bodies.len() {
        let (res, err) = r.resolve_detailed(&number);
        assert_eq!(res.status(), Status::WaitProcess, "body {i}");
        let err = err.unwrap_or_else(|| panic!("body {i}: no error"));
        assert!(matches!(err, RemoteError::Malformed(_)), "body {i}: {err}");
        assert_error_private(&err, &number);
    }
    assert_eq!(fake.count(), bodies.len());
    // Nothing was cached.
    assert_eq!(r.stats().cached_prefixes, 0);
}

#[test]
fn slow_answer_times_out() {
    let fake = Fake::start(|req| Reply {
        delay: Duration::from_secs(3),
        ..already_att(req)
    });
    let mut c = config(&fake);
    c.timeout = Duration::from_millis(300);
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());
    let start = Instant::now();
    let (res, err) = r.resolve_detailed(&number);
    let took = start.elapsed();
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(err, Some(RemoteError::Timeout));
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    assert!(r.stats().circuit_open);
}

#[test]
fn circuit_opens_and_closes() {
    let healthy = Arc::new(AtomicBool::new(false));
    let fake = {
        let healthy = Arc::clone(&healthy);
        Fake::start(move |req| {
            if healthy.load(Ordering::SeqCst) {
                already_att(req)
            } else {
                reply(QUOTA)
            }
        })
    };
    let mut c = config(&fake);
    c.circuit_open_for = Duration::from_millis(400);
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());

    let (res, err) = r.resolve_detailed(&number);
    assert_eq!(res.status(), Status::WaitProcess);
    assert!(matches!(err, Some(RemoteError::Api { .. })));
    assert!(r.stats().circuit_open);
    for _ in 0..5 {
        let (res, err) = r.resolve_detailed(&number);
        assert_eq!(res.status(), Status::WaitProcess);
        assert_eq!(err, Some(RemoteError::CircuitOpen));
    }
    assert_eq!(fake.count(), 1, "no request while open");

    // Still failing after the open time: the probe fails and reopens the circuit.
    std::thread::sleep(Duration::from_millis(450));
    assert!(!r.stats().circuit_open);
    assert!(matches!(
        r.resolve_detailed(&number).1,
        Some(RemoteError::Api { .. })
    ));
    assert_eq!(fake.count(), 2);
    assert_eq!(
        r.resolve_detailed(&number).1,
        Some(RemoteError::CircuitOpen)
    );

    // Healthy again: the probe succeeds and closes the circuit.
    healthy.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(450));
    let res = r.resolve(&number);
    assert_eq!(res.status(), Status::AlreadyAtt);
    assert_eq!(res.source(), Source::Remote);
    assert!(!r.stats().circuit_open);
    let other = caller(unknown_prefixes(2)[1]);
    assert_eq!(r.resolve(&other).status(), Status::AlreadyAtt);
    assert_eq!(fake.count(), 4);
}

#[test]
fn client_side_limit_per_hour() {
    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.max_calls_per_hour = Some(2);
    let r = resolver(c, Policy::LocalFirst);
    let prefixes = unknown_prefixes(3);
    assert_eq!(r.resolve(&caller(prefixes[0])).status(), Status::AlreadyAtt);
    assert_eq!(r.resolve(&caller(prefixes[1])).status(), Status::AlreadyAtt);
    let (res, err) = r.resolve_detailed(&caller(prefixes[2]));
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(err, Some(RemoteError::RateLimited(2)));
    // Cached prefixes still answer.
    assert_eq!(r.resolve(&caller(prefixes[0])).source(), Source::Cache);
    assert_eq!(fake.count(), 2);
    assert!(
        !r.stats().circuit_open,
        "a local limit does not open the circuit"
    );
}

#[test]
fn unreachable_server_is_a_transport_error() {
    // Bind and close a port so that nothing listens there.
    let url = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let mut c = RemoteConfig::new(APPKEY, SIGN);
    c.url = url;
    c.connect_timeout = Duration::from_millis(500);
    c.timeout = Duration::from_secs(1);
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());
    let (res, err) = r.resolve_detailed(&number);
    assert_eq!(res.status(), Status::WaitProcess);
    let err = err.unwrap();
    assert!(
        matches!(err, RemoteError::Transport(_) | RemoteError::Timeout),
        "{err:?}"
    );
    assert_error_private(&err, &number);
}

// ---------------------------------------------------------------------------------------
// Privacy.

#[test]
fn post_sends_a_form_without_the_number() {
    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.method = Method::Post;
    let r = resolver(c, Policy::LocalFirst);
    let number = caller(unknown());
    assert_eq!(r.resolve(&number).status(), Status::AlreadyAtt);
    let reqs = fake.requests();
    assert_eq!(reqs[0].method, "POST");
    assert!(reqs[0]
        .raw
        .to_ascii_lowercase()
        .contains("content-type: application/x-www-form-urlencoded"));
    assert!(
        !reqs[0].raw.lines().next().unwrap().contains(SIGN),
        "credentials in the body"
    );
    assert_private(&fake, &number);
}

#[test]
fn full_number_only_when_opted_in() {
    let fake = Fake::start(already_att);
    let number = caller(unknown());
    let fifteen = cnid::IdNumber::parse(&number)
        .unwrap()
        .to_fifteen()
        .unwrap();
    let r = resolver(config(&fake), Policy::LocalFirst);
    assert_eq!(r.resolve(&number).status(), Status::AlreadyAtt);
    assert_eq!(r.resolve(&fifteen).status(), Status::AlreadyAtt);
    assert_private(&fake, &number);

    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.send_full_number = true;
    let r = resolver(c, Policy::LocalFirst);
    let res = r.resolve(&number);
    assert_eq!(res.status(), Status::AlreadyAtt);
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].idcard, number);
}

#[test]
fn debug_output_hides_secrets() {
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::LocalFirst);
    let number = caller(unknown());
    let res = r.resolve(&number);
    let d = format!("{r:?} {res:?} {:?}", config(&fake));
    assert!(
        !d.contains(APPKEY) && !d.contains(SIGN) && !d.contains(&number[..17]),
        "{d}"
    );
}

// ---------------------------------------------------------------------------------------
// Cache.

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p =
            std::env::temp_dir().join(format!("cnid-remote-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn file_cache_survives_a_restart() {
    let dir = TempDir::new("restart");
    let file = dir.0.join("cache.tsv");
    let not_att_prefix = unknown_prefixes(3)[2];
    let fake = Fake::start(move |req| {
        if req.idcard.starts_with(&format!("{not_att_prefix:06}")) {
            reply(status_only("NOT_ATT", "暂无归属地信息"))
        } else {
            already_att(req)
        }
    });
    let prefixes = unknown_prefixes(3);
    let numbers: Vec<String> = prefixes.iter().map(|&p| caller(p)).collect();
    let mut c = config(&fake);
    c.cache_file = Some(file.clone());

    let first = resolver(c.clone(), Policy::LocalFirst);
    let answers: Vec<Resolution> = numbers.iter().map(|n| first.resolve(n)).collect();
    assert_eq!(answers[0].status(), Status::AlreadyAtt);
    assert_eq!(answers[2].status(), Status::NotAtt);
    assert!(answers.iter().all(|a| a.source() == Source::Remote));
    assert_eq!(fake.count(), 3);
    first.save_cache().unwrap();
    drop(first);

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        format!(
            "{:06}\tALREADY_ATT\t测试省 测试市 {:06}区\t100000\t010\t中国,测试\t中华人民共和国,测试省",
            prefixes[0], prefixes[0]
        )
    );
    assert_eq!(lines[2], format!("{not_att_prefix:06}\tNOT_ATT\t\t\t\t\t"));
    assert!(
        !text.contains(&numbers[0][..17]),
        "no number in the cache file"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");

    // A "restart": a new resolver with the same file asks nothing.
    let second = resolver(c, Policy::LocalFirst);
    assert_eq!(second.stats().cached_prefixes, 3);
    for (n, before) in numbers.iter().zip(&answers) {
        let res = second.resolve(n);
        assert_eq!(res.status(), before.status());
        assert_eq!(res.source(), Source::Cache);
        assert_eq!(
            res.region().map(|r| r.to_fields()),
            before.region().map(|r| r.to_fields())
        );
        assert_eq!(json(&res, n), json(before, n), "same wire answer");
    }
    assert_eq!(fake.count(), 3);
    assert_eq!(second.stats().requests, 0);
}

#[test]
fn file_cache_is_written_after_each_new_entry() {
    let dir = TempDir::new("each");
    let file = dir.0.join("sub-cache");
    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.cache_file = Some(file.clone());
    let r = resolver(c, Policy::LocalFirst);
    assert!(!file.exists(), "nothing written before an entry");
    assert_eq!(r.resolve(&caller(unknown())).status(), Status::AlreadyAtt);
    // No save_cache() call: the file is already there.
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 1);
    assert_eq!(r.stats().cache_write_errors, 0);
}

/// Two resolvers (as two processes would) share one cache file: each appends its entries
/// and learns the other's at its next append, and a third run asks nothing.
#[test]
fn processes_sharing_a_cache_file_keep_each_others_entries() {
    let dir = TempDir::new("shared");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(already_att);
    let with_file = || {
        let mut c = config(&fake);
        c.cache_file = Some(file.clone());
        resolver(c, Policy::LocalFirst)
    };
    let (a, b) = (with_file(), with_file());
    let prefixes = unknown_prefixes(6);
    for pair in prefixes.chunks(2) {
        assert_eq!(a.resolve(&caller(pair[0])).status(), Status::AlreadyAtt);
        assert_eq!(b.resolve(&caller(pair[1])).status(), Status::AlreadyAtt);
    }
    assert_eq!(fake.count(), 6);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 6);
    let third = with_file();
    for &p in &prefixes {
        assert_eq!(third.resolve(&caller(p)).source(), Source::Cache);
    }
    assert_eq!(third.stats().requests, 0);
    // b learned a's entries when it appended its own.
    assert_eq!(b.resolve(&caller(prefixes[0])).source(), Source::Cache);
    assert_eq!(fake.count(), 6);
}

#[test]
fn bad_cache_file_is_an_error_with_its_line() {
    let dir = TempDir::new("bad");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.cache_file = Some(file.clone());
    for (text, line) in [
        ("# header\n110199\tALREADY_ATT\ta\tb\n", 2),
        ("11019\tNOT_ATT\t\t\t\t\t\n", 1),
        ("110199\tMAYBE\t\t\t\t\t\n", 1),
        (
            "110199\tNOT_ATT\t\t\t\t\t\n\n1101xx\tNOT_ATT\t\t\t\t\t\n",
            3,
        ),
        ("110199\tALREADY_ATT\ta\\q\t\t\t\t\n", 1),
    ] {
        std::fs::write(&file, text).unwrap();
        let err = RemoteResolver::new(c.clone(), Policy::LocalFirst, local()).unwrap_err();
        assert!(
            matches!(&err, RemoteError::CacheFile { reason, .. } if reason.starts_with(&format!("line {line}:"))),
            "{text:?}: {err}"
        );
    }
    // Escaped fields round-trip.
    std::fs::write(&file, "110199\tALREADY_ATT\ta\\tb\\\\c \t1\t2\t3\t4\n").unwrap();
    let r = RemoteResolver::new(c, Policy::LocalFirst, local()).unwrap();
    let res = r.resolve(&caller(110_199));
    if Region::lookup(110_199).is_none() {
        assert_eq!(res.region().unwrap().att(), "a\tb\\c ");
        assert_eq!(res.source(), Source::Cache);
    }
    assert_eq!(fake.count(), 0);
}

/// The cache file is a journal: new entries are appended to the same file (no rewrite
/// through a temporary file and a rename per entry).
#[cfg(unix)]
#[test]
fn file_cache_appends_to_the_same_file() {
    use std::os::unix::fs::MetadataExt;
    let dir = TempDir::new("append");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(already_att);
    let mut c = config(&fake);
    c.cache_file = Some(file.clone());
    let r = resolver(c, Policy::LocalFirst);
    let prefixes = unknown_prefixes(5);
    let _ = r.resolve(&caller(prefixes[0]));
    let (inode, mut len) = {
        let m = std::fs::metadata(&file).unwrap();
        (m.ino(), m.len())
    };
    for &p in &prefixes[1..] {
        let _ = r.resolve(&caller(p));
        let m = std::fs::metadata(&file).unwrap();
        assert_eq!(m.ino(), inode, "the same file, appended to");
        assert!(m.len() > len);
        len = m.len();
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 5);
    assert_eq!(r.stats().cache_write_errors, 0);
}

/// On open, replaced records, a closed circuit and a torn last line (a write cut short) are
/// compacted away; the latest record of a code wins.
#[test]
fn file_cache_is_compacted_on_open() {
    let dir = TempDir::new("compact");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(already_att);
    let [a, b] = unknown_prefixes(2)[..] else {
        unreachable!()
    };
    std::fs::write(
        &file,
        format!(
            "# cnid remote cache v1: code\tstatus\tatt\tpostno\tareano\tstyle_simcall\tstyle_citynm\n\
             {a:06}\tNOT_ATT\t\t\t\t\t\n\
             {b:06}\tALREADY_ATT\told\t1\t2\t3\t4\n\
             circuit\t1\n\
             {a:06}\tALREADY_ATT\tnew a\t1\t2\t3\t4\n\
             circuit\t0\n\
             {b:06}\tALREADY_ATT\tnew b\t1\t2\t3\t4\n\
             {b:06}\tNOT_A"
        ),
    )
    .unwrap();
    let mut c = config(&fake);
    c.cache_file = Some(file.clone());
    let r = resolver(c, Policy::LocalFirst);
    assert!(!r.stats().circuit_open);
    let text = std::fs::read_to_string(&file).unwrap();
    let records: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        records,
        [
            format!("{a:06}\tALREADY_ATT\tnew a\t1\t2\t3\t4"),
            format!("{b:06}\tALREADY_ATT\tnew b\t1\t2\t3\t4"),
        ]
    );
    assert_eq!(r.resolve(&caller(a)).region().unwrap().att(), "new a");
    assert_eq!(r.resolve(&caller(b)).region().unwrap().att(), "new b");
    assert_eq!(fake.count(), 0);
    // A compact file is left as it is.
    let before = std::fs::read_to_string(&file).unwrap();
    drop(resolver(config_with_file(&fake, &file), Policy::LocalFirst));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

fn config_with_file(fake: &Fake, file: &std::path::Path) -> RemoteConfig {
    let mut c = config(fake);
    c.cache_file = Some(file.to_owned());
    c
}

/// A FIFO would block the open, `/dev/zero` never ends, a folder is no file: all refused
/// at once, with the reason.
#[cfg(unix)]
#[test]
fn cache_file_must_be_a_regular_file() {
    let dir = TempDir::new("special");
    let fake = Fake::start(already_att);
    let fifo = dir.0.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut paths = vec![PathBuf::from("/dev/zero"), dir.0.clone()];
    if made {
        paths.push(fifo);
    }
    for path in paths {
        let err = RemoteResolver::new(config_with_file(&fake, &path), Policy::LocalFirst, local())
            .unwrap_err();
        assert!(
            matches!(&err, RemoteError::CacheFile { reason, .. } if reason == "not a regular file"),
            "{}: {err}",
            path.display()
        );
    }
}

/// A file larger than the cap is refused without being read (a 200 MB file used to take
/// 440 MB of memory).
#[test]
fn cache_file_over_the_cap_is_refused() {
    let dir = TempDir::new("cap");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(already_att);
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(cnid::remote::MAX_CACHE_FILE + 1).unwrap(); // sparse: no disk used
    drop(f);
    let err = RemoteResolver::new(config_with_file(&fake, &file), Policy::LocalFirst, local())
        .unwrap_err();
    assert!(
        matches!(&err, RemoteError::CacheFile { reason, .. } if reason.starts_with("larger than the limit")),
        "{err}"
    );
}

/// The open circuit is kept in the cache file: the next run (a new resolver with the same
/// file, as the next command line would be) sends nothing while the key is suspended, and
/// a run with a shorter `circuit_open_for` waits no longer than that.
#[test]
fn open_circuit_persists_across_runs() {
    let dir = TempDir::new("circuit");
    let file = dir.0.join("cache.tsv");
    let fake = Fake::start(|_| reply(QUOTA));
    let first = resolver(config_with_file(&fake, &file), Policy::LocalFirst);
    let (res, err) = first.resolve_detailed(&caller(unknown()));
    assert_eq!(res.status(), Status::WaitProcess);
    assert!(matches!(err, Some(RemoteError::Api { .. })), "{err:?}");
    assert!(first.stats().circuit_open);
    drop(first);
    assert_eq!(fake.count(), 1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().any(|l| l.starts_with("circuit\t")), "{text}");

    let second = resolver(config_with_file(&fake, &file), Policy::LocalFirst);
    assert!(second.stats().circuit_open);
    let (res, err) = second.resolve_detailed(&caller(unknown_prefixes(2)[1]));
    assert_eq!(res.status(), Status::WaitProcess);
    assert_eq!(err, Some(RemoteError::CircuitOpen));
    assert_eq!(fake.count(), 1, "no request while the circuit is open");
    drop(second);

    let mut short = config_with_file(&fake, &file);
    short.circuit_open_for = Duration::ZERO;
    let third = resolver(short, Policy::LocalFirst);
    assert!(!third.stats().circuit_open);
    let _ = third.resolve(&caller(unknown()));
    assert_eq!(fake.count(), 2, "the probe is sent");
}

/// `Duration::MAX` in every setting never panics, whatever happens.
#[test]
fn duration_max_in_the_config_never_panics() {
    let dir = TempDir::new("max");
    let fake = Fake::start(|_| reply(QUOTA));
    let mut c = config_with_file(&fake, &dir.0.join("cache.tsv"));
    c.connect_timeout = Duration::MAX;
    c.timeout = Duration::MAX;
    c.circuit_open_for = Duration::MAX;
    c.wait_retry_after = Duration::MAX;
    let r = resolver(c.clone(), Policy::LocalFirst);
    assert_eq!(r.resolve(&caller(unknown())).status(), Status::WaitProcess);
    assert!(r.stats().circuit_open);
    assert_eq!(r.resolve(&caller(unknown())).status(), Status::WaitProcess);
    drop(r);
    let again = resolver(c, Policy::LocalFirst);
    assert!(again.stats().circuit_open);
    let waiting = Fake::start(|_| reply(status_only("WAIT_PROCESS", "wait process")));
    let mut w = config(&waiting);
    w.wait_retry_after = Duration::MAX;
    w.timeout = Duration::MAX;
    let r = resolver(w, Policy::LocalFirst);
    assert_eq!(r.resolve(&caller(unknown())).status(), Status::WaitProcess);
    assert_eq!(r.resolve(&caller(unknown())).status(), Status::WaitProcess);
    assert_eq!(waiting.count(), 1);
}

#[test]
fn invalid_url_is_refused() {
    let mut c = RemoteConfig::new(APPKEY, SIGN);
    c.url = "ftp://example.invalid/".into();
    assert!(matches!(
        RemoteResolver::new(c, Policy::LocalFirst, local()),
        Err(RemoteError::InvalidUrl(_))
    ));
}

// ---------------------------------------------------------------------------------------
// Concurrency and volume.

#[test]
fn resolver_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<RemoteResolver>();
    assert_send_sync::<RemoteError>();
    assert_send_sync::<RemoteConfig>();
}

#[test]
fn concurrent_lookups_of_one_prefix_make_one_request() {
    let fake = Fake::start(|req| Reply {
        delay: Duration::from_millis(200),
        ..already_att(req)
    });
    let r = resolver(config(&fake), Policy::LocalFirst);
    let prefix = unknown();
    let answers: Vec<Resolution> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let r = &r;
                s.spawn(move || r.resolve(&id(prefix, "19850615", i)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| a.status() == Status::AlreadyAtt));
    assert_eq!(fake.count(), 1);
    let stats = r.stats();
    assert_eq!(stats.requests, 1);
    assert_eq!(stats.coalesced + stats.cache_hits, 7);
}

/// Resolves `total` numbers over 50 unknown prefixes on 4 threads; returns the requests.
fn volume(total: usize) -> (usize, cnid::remote::RemoteStats, Duration) {
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::LocalFirst);
    let prefixes = unknown_prefixes(50);
    let threads = 4;
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (r, prefixes) = (&r, &prefixes);
            s.spawn(move || {
                for i in (t..total).step_by(threads) {
                    let number = id(prefixes[i % 50], "19850615", (i / 50 % 1000) as u32);
                    let res = r.resolve(&number);
                    assert_eq!(res.status(), Status::AlreadyAtt);
                }
            });
        }
    });
    let took = start.elapsed();
    (fake.count(), r.stats(), took)
}

#[test]
fn hundred_thousand_numbers_over_fifty_prefixes_make_fifty_requests() {
    let (requests, stats, _) = volume(100_000);
    assert_eq!(requests, 50);
    assert_eq!(stats.requests, 50);
    assert_eq!(stats.cache_hits + stats.coalesced, 100_000 - 50);
}

/// `cargo test --release --all-features --test remote -- --ignored --nocapture`
#[test]
#[ignore = "volume and timing figures; run in release"]
fn million_numbers_over_fifty_prefixes_make_fifty_requests() {
    let (requests, stats, took) = volume(1_000_000);
    println!("1,000,000 numbers, 50 unknown prefixes: {requests} requests in {took:?}; {stats:?}");
    assert_eq!(requests, 50);
}

/// `cargo test --release --all-features --test remote -- --ignored --nocapture`
#[test]
#[ignore = "volume and timing figures; run in release"]
fn timing_cache_hit_vs_local() {
    use std::hint::black_box;
    let fake = Fake::start(already_att);
    let r = resolver(config(&fake), Policy::LocalFirst);
    let prefix = unknown();
    let n = 1000;
    let unknown_numbers: Vec<String> = (0..n).map(|i| id(prefix, "19850615", i)).collect();
    let known_numbers: Vec<String> = (0..n).map(|i| id(110_101, "19850615", i)).collect();
    assert_eq!(r.resolve(&unknown_numbers[0]).source(), Source::Remote);
    let rounds = 2000;
    let time = |f: &dyn Fn(&str) -> Resolution, numbers: &[String]| {
        let start = Instant::now();
        for _ in 0..rounds {
            for x in numbers {
                let _ = black_box(f(black_box(x)));
            }
        }
        start.elapsed().as_nanos() as f64 / (rounds * numbers.len()) as f64
    };
    let plain = local();
    let local_hit = time(&|x| plain.resolve(x), &known_numbers);
    let local_miss = time(&|x| plain.resolve(x), &unknown_numbers);
    let remote_known = time(&|x| r.resolve(x), &known_numbers);
    let cache_hit = time(&|x| r.resolve(x), &unknown_numbers);
    println!(
        "ns/lookup: local table hit {local_hit:.1}, local NOT_ATT {local_miss:.1}, \
         remote resolver on a table hit {remote_known:.1}, remote resolver cache hit {cache_hit:.1}"
    );
    assert_eq!(fake.count(), 1);
}

/// 8,000 new prefixes, each asked once, with the cache file and without it, side by side.
/// `cargo test --release --all-features --test remote -- --ignored --nocapture eight_thousand`
#[test]
#[ignore = "volume and timing figures; run in release"]
fn timing_eight_thousand_new_prefixes_with_and_without_the_cache_file() {
    let dir = TempDir::new("timing8000");
    let prefixes = unknown_prefixes(8_000);
    let run = |file: Option<PathBuf>| {
        // A fake server each (one lives 120 s at most).
        let fake = Fake::start(already_att);
        let mut c = config(&fake);
        c.cache_file = file;
        let r = resolver(c, Policy::LocalFirst);
        let start = Instant::now();
        for &p in &prefixes {
            assert_eq!(r.resolve(&caller(p)).status(), Status::AlreadyAtt);
        }
        r.save_cache().unwrap();
        start.elapsed()
    };
    let memory = run(None);
    let file = run(Some(dir.0.join("cache.tsv")));
    let size = std::fs::metadata(dir.0.join("cache.tsv")).unwrap().len();
    println!(
        "8,000 new prefixes: memory only {memory:.2?}, with the cache file {file:.2?} \
         (ratio {:.2}, file {size} bytes)",
        file.as_secs_f64() / memory.as_secs_f64()
    );
}
