//! The request log: one line per request on stderr, the number masked, never the query
//! (it holds the number, the appkey and the sign).
//!
//! Lines gather in a shared buffer that a background thread writes every 100 ms (and a
//! request thread itself when it passed 256 KiB): one write per batch, not one per request,
//! which at tens of thousands of requests a second is the difference that shows.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

const FLUSH_AT: usize = 256 * 1024;

/// The shared log buffer.
#[derive(Debug, Default)]
pub struct Log {
    buf: Mutex<Vec<u8>>,
    /// The buffer being written out; swapped with `buf`, so both keep their capacity
    /// (no large allocation freed and made again ten times a second).
    spare: Mutex<Vec<u8>>,
}

/// One request, as logged.
#[derive(Debug)]
pub struct Entry<'a> {
    pub peer: SocketAddr,
    pub method: &'a str,
    pub path: &'a str,
    pub code: u16,
    pub outcome: &'a str,
    /// The `idcard` parameter, masked when logged.
    pub idcard: Option<&'a str>,
    pub latency: Duration,
}

impl Log {
    /// Starts the thread that writes the buffer every 100 ms.
    pub fn start() -> Arc<Log> {
        let log = Arc::new(Log::default());
        let weak = Arc::downgrade(&log);
        let spawned = std::thread::Builder::new()
            .name("cnid-log".into())
            .spawn(move || {
                while let Some(log) = weak.upgrade() {
                    log.flush();
                    drop(log);
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
        if let Err(e) = spawned {
            crate::say!("cnid: request log written per request ({e})");
        }
        log
    }

    /// Adds the line for one request.
    pub fn write(&self, e: &Entry<'_>) {
        let mut line = String::with_capacity(128);
        push_time(&mut line, SystemTime::now());
        line.push(' ');
        line.push_str(&e.peer.to_string());
        line.push(' ');
        push_printable(&mut line, e.method, 16);
        line.push(' ');
        push_printable(&mut line, e.path, 64);
        line.push_str(&format!(" {} {} ", e.code, e.outcome));
        match e.idcard {
            Some(id) => push_printable(&mut line, &cnid::mask(id), 40),
            None => line.push('-'),
        }
        line.push_str(&format!(" {}us\n", e.latency.as_micros()));
        let full = {
            let mut buf = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
            buf.extend_from_slice(line.as_bytes());
            buf.len() >= FLUSH_AT
        };
        if full {
            self.flush();
        }
    }

    /// Writes what is buffered to stderr.
    pub fn flush(&self) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        {
            let mut buf = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
            if buf.is_empty() {
                return;
            }
            std::mem::swap(&mut *buf, &mut *spare);
        }
        // A closed stderr loses the log, not the service.
        let _ = std::io::stderr().lock().write_all(&spare);
        spare.clear();
        if spare.capacity() > 4 * FLUSH_AT {
            *spare = Vec::new();
        }
    }
}

/// `2026-12-01T14:30:00.123Z`.
fn push_time(out: &mut String, now: SystemTime) {
    let since = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(0);
    match chrono::DateTime::from_timestamp(secs, since.subsec_nanos()) {
        Some(t) => out.push_str(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        None => out.push('-'),
    }
}

/// Appends at most `max` characters of `s` with control characters, spaces and quotes
/// escaped, so a hostile request cannot forge or split log lines.
fn push_printable(out: &mut String, s: &str, max: usize) {
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c == ' ' {
            out.push_str("\\u{20}");
        } else if c.is_control() || c == '"' || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_on_one_line() {
        let mut s = String::new();
        push_printable(&mut s, "a b\n\"c\u{1b}", 64);
        assert_eq!(s, "a\\u{20}b\\n\\\"c\\u{1b}");
        let mut s = String::new();
        push_printable(&mut s, &"x".repeat(100), 8);
        assert_eq!(s, "xxxxxxxx…");
    }

    #[test]
    fn time_form() {
        let mut s = String::new();
        push_time(
            &mut s,
            SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_599_400_123),
        );
        assert_eq!(s, "2025-12-01T14:30:00.123Z");
    }
}
