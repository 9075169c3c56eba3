//! Starts `cnid serve` on an ephemeral loopback port, and talks to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which of the server's output pipes has its read end closed from the start.
#[derive(Debug, Clone, Copy)]
enum Broken {
    Neither,
    Stdout,
    Stderr,
}

/// A running `cnid serve`; killed when dropped.
pub struct Serve {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Serve {
    pub fn start(args: &[&str]) -> Serve {
        Serve::start_with_env(args, &[])
    }

    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Serve {
        Serve::spawn(args, env, Broken::Neither)
    }

    /// Starts the server with the read end of its stderr closed at once, as
    /// `cnid serve 2>&1 | head -1` leaves it: every write to stderr fails (EPIPE).
    pub fn start_with_broken_stderr(args: &[&str]) -> Serve {
        Serve::spawn(args, &[], Broken::Stderr)
    }

    /// Starts the server with the read end of its stdout closed at once (`cnid serve |
    /// true`): the address is then read from stderr.
    pub fn start_with_broken_stdout(args: &[&str]) -> Serve {
        Serve::spawn(args, &[], Broken::Stdout)
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], broken: Broken) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnid"));
        cmd.arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("NOWAPI_APPKEY")
            .env_remove("NOWAPI_SIGN")
            .env_remove("NOWAPI_URL")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run cnid serve");
        let mut out = child.stdout.take().map(BufReader::new);
        let mut err = child.stderr.take().map(BufReader::new);
        match broken {
            Broken::Neither => {}
            Broken::Stdout => out = None,
            Broken::Stderr => err = None,
        }
        let mut line = String::new();
        match (&mut out, &mut err) {
            (Some(out), _) => out.read_line(&mut line),
            (None, Some(err)) => err.read_line(&mut line),
            (None, None) => unreachable!("one pipe is read"),
        }
        .unwrap();
        let addr = line
            .trim()
            .strip_prefix("cnid serve: listening on http://")
            .and_then(|a| a.split_once('/'))
            .map(|(a, _)| a.to_owned())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let reader = err.map(|mut err| {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        });
        Serve {
            child,
            addr,
            stderr,
            reader,
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM (through `kill`, as an init system would).
    pub fn signal_term(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok);
    }

    /// Waits up to `limit` for the process to end: its exit code, `None` while it runs.
    pub fn wait_for(&mut self, limit: Duration) -> Option<Option<i32>> {
        let since = std::time::Instant::now();
        while since.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Waits for the process to end: its exit code and everything it wrote on stderr.
    pub fn wait(&mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        (status.code(), self.stderr.lock().unwrap().clone())
    }

    /// Stops the server gracefully: its exit code and stderr.
    pub fn stop(&mut self) -> (Option<i32>, String) {
        self.signal_term();
        self.wait()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real HTTP client (no proxy, statuses not turned into errors).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// A response read by hand: code, header lines (lower-case names), body.
#[derive(Debug)]
pub struct Raw {
    pub code: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses one response at the start of `bytes`; returns it and the bytes it took.
pub fn parse_response(bytes: &[u8]) -> Option<(Raw, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let code = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    if bytes.len() < end + len {
        return None;
    }
    let body = String::from_utf8(bytes[end..end + len].to_vec()).ok()?;
    Some((
        Raw {
            code,
            headers,
            body,
        },
        end + len,
    ))
}

/// Connects with a read timeout.
pub fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s
}

/// Reads until the server closes the connection (or the read timeout).
pub fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `request` on a new connection and reads every response until the server closes.
pub fn raw(addr: &str, request: &[u8]) -> Vec<Raw> {
    let mut s = connect(addr);
    // The server may answer and close before reading all of a refused request.
    let _ = s.write_all(request);
    let all = read_to_close(&mut s);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((r, used)) = parse_response(&all[at..]) {
        out.push(r);
        at += used;
    }
    out
}

/// Sends one request and reads exactly one response (the connection stays open).
pub fn exchange(s: &mut TcpStream, request: &[u8]) -> Raw {
    s.write_all(request).unwrap();
    read_one(s)
}

/// Reads exactly one response.
pub fn read_one(s: &mut TcpStream) -> Raw {
    read_n(s, 1).pop().unwrap()
}

/// Reads exactly `n` responses (pipelined answers may arrive in one read).
pub fn read_n(s: &mut TcpStream, n: usize) -> Vec<Raw> {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some((r, used)) = parse_response(&all[at..]) {
            out.push(r);
            at += used;
        }
        if out.len() >= n {
            assert_eq!(at, all.len(), "more than {n} response(s)");
            return out;
        }
        let got = s.read(&mut buf).expect("a response");
        assert!(got > 0, "closed before {n} whole response(s): {all:?}");
        all.extend_from_slice(&buf[..got]);
    }
}

/// The seed's example number (synthetic) and its answer.
pub const SEED_ID: &str = "110101199001011114";
pub const SEED_ANSWER: &str = r#"{"success":"1","result":{"status":"ALREADY_ATT","idcard":"110101199001011114","par":"110101","born":"1990年01月01日","sex":"男","att":"北京市 东城区 ","postno":"100000","areano":"010","style_simcall":"中国,北京","style_citynm":"中华人民共和国,北京市"}}"#;
/// The ten keys every `result` carries.
pub const TEN_KEYS: [&str; 10] = [
    "status",
    "idcard",
    "par",
    "born",
    "sex",
    "att",
    "postno",
    "areano",
    "style_simcall",
    "style_citynm",
];

/// Checks a JSON answer the way strict clients read it: `success` a string, and for
/// `"1"` a result with all ten keys as strings.
pub fn assert_client_shape(body: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let success = v["success"].as_str().expect("success is a string");
    if success == "1" {
        let result = v["result"].as_object().expect("result");
        for k in TEN_KEYS {
            assert!(
                result.get(k).is_some_and(|x| x.is_string()),
                "{k} in {body}"
            );
        }
        assert!(result.values().all(serde_json::Value::is_string), "{body}");
    } else {
        assert_eq!(success, "0");
        assert!(v["msgid"].is_string() && v["msg"].is_string(), "{body}");
    }
    v
}
