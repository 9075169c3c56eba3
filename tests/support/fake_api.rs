//! A fake `idcard.get` web API on loopback and the helpers the remote tests share
//! (the library's `tests/remote.rs` and the CLI's `cli/tests/remote.rs`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cnid::remote::{Policy, RemoteConfig, RemoteError, RemoteResolver};
use cnid::{Region, Resolution, Resolver};
// ---------------------------------------------------------------------------------------
// The fake web API.

/// One request as the fake server received it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Request line, headers and body, as received.
    pub raw: String,
    /// The `idcard` parameter (from the query or the form body).
    pub idcard: String,
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

pub fn reply(body: impl Into<String>) -> Reply {
    Reply {
        status: 200,
        body: body.into(),
        delay: Duration::ZERO,
    }
}

pub struct Fake {
    pub url: String,
    pub log: Arc<Mutex<Vec<Req>>>,
    pub stop: Arc<AtomicBool>,
    pub thread: Option<JoinHandle<()>>,
}

/// The longest a fake server lives, whatever happens to the test.
pub const FAKE_LIFETIME: Duration = Duration::from_secs(120);

impl Fake {
    pub fn start(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            std::thread::spawn(move || {
                let deadline = Instant::now() + FAKE_LIFETIME;
                let mut conns = Vec::new();
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (log, stop, handler) =
                                (Arc::clone(&log), Arc::clone(&stop), Arc::clone(&handler));
                            conns.push(std::thread::spawn(move || {
                                serve(stream, &log, &stop, &*handler);
                            }));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
                for c in conns {
                    let _ = c.join();
                }
            })
        };
        Fake {
            url,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves one request on one connection (`Connection: close`).
pub fn serve(
    mut stream: TcpStream,
    log: &Mutex<Vec<Req>>,
    stop: &AtomicBool,
    handler: &(dyn Fn(&Req) -> Reply + Send + Sync),
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(64 * 1024);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let raw = String::from_utf8_lossy(&buf).into_owned();
    let line = head.lines().next().unwrap_or("").to_owned();
    let method = line.split(' ').next().unwrap_or("").to_owned();
    let target = line.split(' ').nth(1).unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let body = String::from_utf8_lossy(&buf[head_end.min(buf.len())..]).into_owned();
    let idcard = query
        .split('&')
        .chain(body.split('&'))
        .find_map(|kv| kv.strip_prefix("idcard="))
        .unwrap_or("")
        .to_owned();
    let req = Req {
        raw,
        idcard,
        method,
    };
    log.lock().unwrap().push(req.clone());
    let r = handler(&req);
    let until = Instant::now() + r.delay;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let reason = if r.status == 200 { "OK" } else { "Error" };
    let response = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        r.status,
        r.body.len(),
        r.body
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// The web API's `ALREADY_ATT` for the requested number, with made-up region fields that
/// name the prefix.
pub fn already_att(req: &Req) -> Reply {
    let id = &req.idcard;
    let prefix = id.get(..6).unwrap_or("");
    let born = id
        .get(6..14)
        .map(|d| format!("{}年{}月{}日", &d[..4], &d[4..6], &d[6..]))
        .unwrap_or_default();
    reply(format!(
        r#"{{"success":"1","result":{{"status":"ALREADY_ATT","idcard":"{id}","par":"{prefix}","born":"{born}","sex":"男","att":"测试省 测试市 {prefix}区","postno":"100000","areano":"010","style_simcall":"中国,测试","style_citynm":"中华人民共和国,测试省"}}}}"#
    ))
}

pub fn status_only(status: &str, msg: &str) -> String {
    format!(
        r#"{{"success":"1","result":{{"status":"{status}","idcard":"","par":"","born":"","sex":"","att":"","postno":"","areano":"","style_simcall":"","style_citynm":"","msg":"{msg}"}}}}"#
    )
}

pub const SIGN_INVALID: &str = r#"{"success":"0","msgid":"1000555","msg":"SIGN_INVALID"}"#;
pub const QUOTA: &str = r#"{"success":"0","msgid":"1000701","msg":"超过每小时调用配额"}"#;

// ---------------------------------------------------------------------------------------
// Helpers.

pub const APPKEY: &str = "test-appkey-10003";
pub const SIGN: &str = "0123456789abcdef0123456789abcdef";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

pub fn local() -> Resolver {
    Resolver::new().with_today(today())
}

/// A valid 18-digit number: prefix, date `yyyymmdd`, 3-digit sequence, check character.
pub fn id(prefix: u32, date: &str, seq: u32) -> String {
    let body = format!("{prefix:06}{date}{seq:03}");
    let check = cnid::check_character(body.as_bytes().try_into().unwrap()).unwrap();
    format!("{body}{check}")
}

/// The first `n` region codes with a real province that the built-in table does not know.
pub fn unknown_prefixes(n: usize) -> Vec<u32> {
    let found: Vec<u32> = (110_000..830_000)
        .filter(|&c| Region::lookup(c).is_none())
        .filter(|&c| cnid::IdNumber::parse(&id(c, "19900101", 1)).is_ok())
        .take(n)
        .collect();
    assert_eq!(found.len(), n);
    found
}

pub fn unknown() -> u32 {
    unknown_prefixes(1)[0]
}

/// A caller's number with an unknown prefix: born 1985-06-15, female (sequence 002).
pub fn caller(prefix: u32) -> String {
    id(prefix, "19850615", 2)
}

pub fn config(fake: &Fake) -> RemoteConfig {
    let mut c = RemoteConfig::new(APPKEY, SIGN);
    c.url = fake.url.clone();
    c.connect_timeout = Duration::from_secs(2);
    c.timeout = Duration::from_secs(3);
    c
}

pub fn resolver(config: RemoteConfig, policy: Policy) -> RemoteResolver {
    RemoteResolver::new(config, policy, local()).expect("resolver")
}

pub fn json(r: &Resolution, input: &str) -> serde_json::Value {
    let mut out = String::new();
    cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(r, input));
    serde_json::from_str(&out).expect("valid json")
}

/// Asserts that no request carried `number` (its 18 or first 17 digits, or its birth date),
/// and that none lacks the credentials.
pub fn assert_private(fake: &Fake, number: &str) {
    let requests = fake.requests();
    assert!(!requests.is_empty(), "no request was made");
    for r in &requests {
        assert!(!r.raw.contains(&number[..17]), "number sent: {}", r.raw);
        assert!(
            !r.raw.contains(&number[6..14]),
            "birth date sent: {}",
            r.raw
        );
        assert!(r.raw.contains(APPKEY) && r.raw.contains(SIGN), "{}", r.raw);
        assert!(r.raw.contains("app=idcard.get") && r.raw.contains("format=json"));
        assert_eq!(
            r.idcard.get(6..17),
            Some("19900101001"),
            "synthetic: {}",
            r.idcard
        );
        assert!(
            cnid::IdNumber::parse(&r.idcard).is_ok(),
            "synthetic is valid"
        );
    }
    assert!(
        requests.iter().any(|r| r.idcard[..6] == number[..6]),
        "the prefix is asked about"
    );
}

pub fn assert_error_private(e: &RemoteError, number: &str) {
    let s = e.to_string();
    assert!(!s.contains(&number[..17]), "{s}");
    assert!(!s.contains(APPKEY) && !s.contains(SIGN), "{s}");
    assert!(
        s.starts_with(|c: char| c.is_lowercase()),
        "lowercase message: {s}"
    );
}
