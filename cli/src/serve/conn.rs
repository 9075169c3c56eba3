//! One connection: requests read one after another (keep-alive, pipelining), each within
//! the limits and its deadline, each answered whole.
//!
//! Reads wait at most [`POLL`] at a time, so a connection notices its deadline and the
//! server's shutdown: a slow client is cut at the request's deadline however it trickles
//! its bytes, and an idle keep-alive connection closes within `POLL` of a shutdown while a
//! request already being read or answered finishes.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use cnid::wire::Format;

use super::log::Entry;
use super::metrics::Outcome;
use super::query::Params;
use super::request::{self, BodyKind, Framing, Head, Method, Reject};
use super::response::{self, Reply, JSON, PROMETHEUS, TEXT};
use super::Server;

/// How long a refused connection keeps reading what the client still sends.
const LINGER: Duration = Duration::from_secs(2);

/// A connection's first buffer: most requests are a few hundred bytes. It grows to the
/// head's cap (or a body's length) when a request needs it, and shrinks back after.
const INITIAL_BUF: usize = 4096;

/// The longest a read waits before the connection looks at its deadline and the shutdown.
pub const POLL: Duration = Duration::from_millis(200);

const CORS_PREFLIGHT: &str = "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: Content-Type\r\nAccess-Control-Max-Age: 86400\r\n";
const ALLOW_API: &str = "Allow: GET, HEAD, POST, OPTIONS\r\n";
const ALLOW_GET: &str = "Allow: GET, HEAD\r\n";

/// A connection's buffers, reused from request to request.
struct Conn<'s> {
    stream: TcpStream,
    peer: SocketAddr,
    server: &'s Server,
    /// Bytes read and not yet consumed: `buf[..filled]`.
    buf: Vec<u8>,
    filled: usize,
    /// A chunked body, decoded.
    chunked: Vec<u8>,
    body: String,
    out: Vec<u8>,
}

enum Filled {
    Data,
    Closed,
    Deadline,
}

/// Serves the connection until the client closes it, a limit or deadline is hit, or the
/// server shuts down.
pub fn serve(stream: TcpStream, peer: SocketAddr, server: &Server) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(server.limits.write_timeout));
    let mut conn = Conn {
        stream,
        peer,
        server,
        buf: vec![0; INITIAL_BUF],
        filled: 0,
        chunked: Vec::new(),
        body: String::with_capacity(512),
        out: Vec::with_capacity(1024),
    };
    while conn.request() {}
}

impl Conn<'_> {
    /// Reads more bytes into the buffer, waiting until `deadline`. `idle`: no request has
    /// begun, so a shutdown closes the connection.
    fn fill(&mut self, deadline: Instant, idle: bool) -> Filled {
        loop {
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Filled::Closed,
                Ok(n) => {
                    self.filled += n;
                    return Filled::Data;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if idle
                        && (self.server.shutdown.load(Relaxed)
                            || self.server.pressure.load(Relaxed))
                    {
                        return Filled::Closed;
                    }
                    if Instant::now() >= deadline {
                        return Filled::Deadline;
                    }
                }
                Err(_) => return Filled::Closed,
            }
        }
    }

    /// Reads, answers and consumes one request; `false` when the connection is done.
    fn request(&mut self) -> bool {
        let limits = &self.server.limits;
        let idle_deadline = Instant::now() + limits.idle_timeout;
        let mut started: Option<Instant> = None;
        // Parse again only when a line was completed (or could be too long): a client that
        // trickles a byte at a time costs a scan per line, not per byte.
        let mut fresh = 0..self.filled;
        let mut idle = Idle::mark(self.server, self.filled == 0);
        let head = loop {
            if self.filled > 0 {
                idle.clear();
                started.get_or_insert_with(Instant::now);
                if self.buf[fresh.clone()].contains(&b'\n') || self.filled > limits.max_line {
                    match request::parse_head(&self.buf[..self.filled], limits) {
                        Ok(Some(head)) => break head,
                        Ok(None) => {}
                        Err(reject) => return self.reject(reject),
                    }
                }
            }
            if self.filled == self.buf.len() {
                // Straight to the cap (parse_head refuses a head past it): one size of
                // large buffer, which the allocator reuses, not a ladder of sizes.
                self.buf.resize(limits.max_head() + 1, 0);
            }
            let deadline = started.map_or(idle_deadline, |t| t + limits.read_timeout);
            let before = self.filled;
            match self.fill(deadline, started.is_none()) {
                Filled::Data => fresh = before..self.filled,
                Filled::Closed => return false,
                Filled::Deadline if started.is_some() => {
                    self.server.metrics.timeout();
                    return self.reject(Reject::Timeout);
                }
                Filled::Deadline => return false,
            }
        };
        let deadline = started.unwrap_or_else(Instant::now) + limits.read_timeout;
        let Some((body, consumed)) = self.read_body(&head, deadline) else {
            return false;
        };
        let begun = Instant::now();
        let keep_alive = head.keep_alive && !self.server.shutdown.load(Relaxed);
        let (code, outcome, idcard_logged) = self.handle(&head, body, keep_alive);
        if self.stream.write_all(&self.out).is_err() {
            return false;
        }
        let latency = begun.elapsed();
        self.server.metrics.request(code, outcome, latency);
        if let Some(log) = &self.server.log {
            let target = &self.buf[head.target.clone()];
            let path = target.split(|&b| b == b'?').next().unwrap_or(b"");
            log.write(&Entry {
                peer: self.peer,
                method: &head.method_text,
                path: &String::from_utf8_lossy(path),
                code,
                outcome: outcome.label(),
                idcard: idcard_logged.as_deref(),
                latency,
            });
        }
        self.consume(consumed);
        keep_alive
    }

    /// Reads the body into the buffer: `(where it is, bytes the request took)`; `None`
    /// when the connection is done (refused, closed, too slow).
    fn read_body(&mut self, head: &Head, deadline: Instant) -> Option<(Body, usize)> {
        let limits = &self.server.limits;
        let have_body = self.filled > head.len;
        if head.expect_continue && !have_body && head.framing != Framing::None {
            // curl and others wait for this before sending a body.
            if self
                .stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .is_err()
            {
                return None;
            }
        }
        match head.framing {
            Framing::None => Some((Body::None, head.len)),
            Framing::Length(n) => {
                let need = head.len + n;
                if self.buf.len() < need {
                    self.buf.resize(need, 0);
                }
                while self.filled < need {
                    if !self.fill_body(deadline) {
                        return None;
                    }
                }
                Some((Body::Buf(head.len..need), need))
            }
            Framing::Chunked => loop {
                let raw = &self.buf[head.len..self.filled];
                match request::decode_chunked(raw, limits.max_body, &mut self.chunked) {
                    Ok(Some(used)) => return Some((Body::Chunked, head.len + used)),
                    Ok(None) => {}
                    Err(reject) => {
                        self.reject(reject);
                        return None;
                    }
                }
                if self.filled == self.buf.len() {
                    // Framing may take a few times the body (one-byte chunks), no more.
                    let most = limits.max_head() + 4 * limits.max_body + 1024;
                    if self.buf.len() >= most {
                        self.reject(Reject::BodyTooLarge);
                        return None;
                    }
                    self.buf.resize((self.buf.len() * 2).min(most), 0);
                }
                if !self.fill_body(deadline) {
                    return None;
                }
            },
        }
    }

    /// Reads more of a body; `false` when the connection is done (closed, or too slow:
    /// then answered 408).
    fn fill_body(&mut self, deadline: Instant) -> bool {
        match self.fill(deadline, false) {
            Filled::Data => true,
            Filled::Closed => false,
            Filled::Deadline => {
                self.server.metrics.timeout();
                self.reject(Reject::Timeout)
            }
        }
    }

    /// Drops the request's bytes, keeping any pipelined request after it; gives back a
    /// buffer a large body grew.
    fn consume(&mut self, consumed: usize) {
        self.buf.copy_within(consumed..self.filled, 0);
        self.filled -= consumed;
        if self.buf.len() > INITIAL_BUF && self.filled <= INITIAL_BUF {
            self.buf.truncate(INITIAL_BUF);
            self.buf.shrink_to_fit();
        }
        if self.chunked.capacity() > 4096 {
            self.chunked = Vec::new();
        }
    }

    /// Answers a request refused before it was handled, and closes.
    fn reject(&mut self, reject: Reject) -> bool {
        let code = reject.code();
        self.body.clear();
        let content_type = response::envelope(
            &mut self.body,
            Format::Json,
            None,
            &code.to_string(),
            reject.message(),
        );
        self.out.clear();
        response::write(
            &mut self.out,
            &Reply {
                code,
                content_type,
                body: self.body.as_bytes(),
                keep_alive: false,
                head_only: false,
                extra: "",
            },
        );
        let _ = self.stream.write_all(&self.out);
        self.linger();
        self.server
            .metrics
            .request(code, Outcome::Error, Duration::ZERO);
        if let Some(log) = &self.server.log {
            log.write(&Entry {
                peer: self.peer,
                method: "-",
                path: "-",
                code,
                outcome: Outcome::Error.label(),
                idcard: None,
                latency: Duration::ZERO,
            });
        }
        false
    }

    /// Closes after a refusal so that the answer is read: the unread rest of a request
    /// (a body still being sent) would otherwise make the kernel reset the connection, and
    /// the client see "connection reset" instead of the 413. Reads and drops what comes for
    /// at most 2 s and 1 MiB.
    fn linger(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut drained = 0;
        // Into the connection's own buffer: its contents are no longer needed.
        while drained < 1 << 20 && Instant::now() < until {
            match self.stream.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => drained += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
        }
    }

    /// Routes the request and writes the response into `self.out`: the HTTP code, what
    /// was answered, and the `idcard` for the log (masked there).
    fn handle(
        &mut self,
        head: &Head,
        body: Body,
        keep_alive: bool,
    ) -> (u16, Outcome, Option<String>) {
        let target = &self.buf[head.target.clone()];
        let target = strip_absolute_form(target);
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(i) => (&target[..i], &target[i + 1..]),
            None => (target, &target[target.len()..]),
        };
        let path = if path.is_empty() {
            b"/".as_slice()
        } else {
            path
        };
        let body_bytes: &[u8] = match &body {
            Body::None => &[],
            Body::Buf(r) => &self.buf[r.clone()],
            Body::Chunked => &self.chunked,
        };
        self.body.clear();
        let mut extra = "";
        let mut idcard = None;
        let head_only = head.method == Method::Head;
        let (code, content_type, outcome) = match (path, head.method) {
            (b"/", Method::Get | Method::Head | Method::Post) => {
                let mut params = Params::default();
                params.add_form(query);
                let bad_json = match (&head.method, &head.body_kind) {
                    (Method::Post, BodyKind::Json) => params.add_json(body_bytes).is_err(),
                    (Method::Post, BodyKind::Multipart(boundary)) => {
                        params.add_multipart(body_bytes, boundary);
                        false
                    }
                    (Method::Post, BodyKind::Form) => {
                        params.add_form(body_bytes);
                        false
                    }
                    _ => false,
                };
                if self.server.log.is_some() {
                    idcard = params.idcard.as_deref().map(str::to_owned);
                }
                if bad_json {
                    let ct = response::envelope(
                        &mut self.body,
                        Format::Json,
                        None,
                        "400",
                        "bad request: the body is not a JSON object",
                    );
                    (400, ct, Outcome::Error)
                } else {
                    let answered = self.server.api.answer(&params, &mut self.body);
                    (200, answered.content_type, answered.outcome)
                }
            }
            (b"/", Method::Options) => {
                extra = CORS_PREFLIGHT;
                (204, TEXT, Outcome::Other)
            }
            (b"/healthz", Method::Get | Method::Head) => {
                self.body.push_str("ok\n");
                (200, TEXT, Outcome::Other)
            }
            (b"/metrics", Method::Get | Method::Head) => {
                let open = self.server.open.load(Relaxed);
                self.server.metrics.render(&mut self.body, open);
                (200, PROMETHEUS, Outcome::Other)
            }
            (b"/", _) | (b"/healthz" | b"/metrics", _) => {
                extra = if path == b"/" { ALLOW_API } else { ALLOW_GET };
                let ct = response::envelope(
                    &mut self.body,
                    Format::Json,
                    None,
                    "405",
                    "method not allowed",
                );
                (405, ct, Outcome::Error)
            }
            _ => {
                let ct = response::envelope(
                    &mut self.body,
                    Format::Json,
                    None,
                    cnid::wire::MSGID_NO_SUCH_APP,
                    cnid::wire::MSG_NO_SUCH_APP,
                );
                (404, ct, Outcome::Error)
            }
        };
        debug_assert!(content_type != JSON || !self.body.is_empty() || code == 204);
        self.out.clear();
        response::write(
            &mut self.out,
            &Reply {
                code,
                content_type,
                body: self.body.as_bytes(),
                keep_alive,
                head_only,
                extra,
            },
        );
        (code, outcome, idcard)
    }
}

/// Counts a connection as idle (between requests, nothing read) while it is, so that the
/// accept loop knows whether asking idle connections to close can make room.
struct Idle<'s> {
    server: &'s Server,
    marked: bool,
}

impl<'s> Idle<'s> {
    fn mark(server: &'s Server, idle: bool) -> Idle<'s> {
        if idle {
            server.idle.fetch_add(1, Relaxed);
        }
        Idle {
            server,
            marked: idle,
        }
    }

    fn clear(&mut self) {
        if std::mem::take(&mut self.marked) {
            self.server.idle.fetch_sub(1, Relaxed);
        }
    }
}

impl Drop for Idle<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Where the body is.
enum Body {
    None,
    Buf(std::ops::Range<usize>),
    Chunked,
}

/// `http://host:port/path?q` (as sent to a proxy) → `/path?q`.
fn strip_absolute_form(target: &[u8]) -> &[u8] {
    for scheme in [b"http://".as_slice(), b"https://".as_slice()] {
        if target.len() >= scheme.len() && target[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &target[scheme.len()..];
            return match rest.iter().position(|&b| b == b'/' || b == b'?') {
                // `http://host?q` has an empty path, read as `/`.
                Some(i) => &rest[i..],
                None => b"/",
            };
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_form() {
        assert_eq!(strip_absolute_form(b"http://h:1/?a=1"), b"/?a=1");
        assert_eq!(strip_absolute_form(b"HTTPS://h/x"), b"/x");
        assert_eq!(strip_absolute_form(b"/?a"), b"/?a");
        assert_eq!(strip_absolute_form(b"http://h"), b"/");
        assert_eq!(strip_absolute_form(b"http://h?a"), b"?a");
    }
}
