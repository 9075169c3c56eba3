//! Reading one HTTP/1.1 request head and body framing, within the limits: request line
//! (414), header fields (431), body (413), framing errors (400), unknown codings (501).

use std::time::Duration;

/// The caps a request must stay within, and the timeouts.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request line (method, target, version), bytes: 414 beyond.
    pub max_line: usize,
    /// Most bytes of header fields after the request line: 431 beyond.
    pub max_header_bytes: usize,
    /// Longest body, bytes: 413 beyond.
    pub max_body: usize,
    /// Time allowed for a request, from its first byte to its last (head and body): 408.
    pub read_timeout: Duration,
    /// Time a keep-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Time allowed for writing an answer to a client that does not read.
    pub write_timeout: Duration,
    /// Most connections at once (one thread each); 503 beyond.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 8 * 1024,
            max_header_bytes: 16 * 1024,
            max_body: 64 * 1024,
            read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

impl Limits {
    /// The most bytes a request head can take.
    pub fn max_head(&self) -> usize {
        self.max_line + self.max_header_bytes
    }
}

/// Most header fields: 431 beyond.
pub const MAX_HEADERS: usize = 64;

/// The request methods the server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Options,
    Other,
}

/// What a body holds, from its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/x-www-form-urlencoded`, or no or another type (read as a form, as PHP
    /// clients that forget the header expect).
    Form,
    /// `application/json` (or `…+json`).
    Json,
    /// `multipart/form-data` with this boundary (PHP's curl with an array body).
    Multipart(String),
}

/// How the body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(usize),
    Chunked,
}

/// What the request head says, without borrowing the buffer (the body is read into the
/// same buffer afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Bytes the head takes, up to and including the empty line.
    pub len: usize,
    pub method: Method,
    /// The method as sent, for the log (at most 16 bytes kept).
    pub method_text: String,
    /// Where the request target is in the buffer.
    pub target: std::ops::Range<usize>,
    pub framing: Framing,
    /// What the body holds, from `Content-Type`.
    pub body_kind: BodyKind,
    pub keep_alive: bool,
    pub expect_continue: bool,
}

/// Why a request is refused before it is handled; the HTTP code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    BadRequest,
    LineTooLong,
    HeadersTooLarge,
    BodyTooLarge,
    Timeout,
    NotImplemented,
}

impl Reject {
    /// The HTTP status code.
    pub fn code(self) -> u16 {
        match self {
            Reject::BadRequest => 400,
            Reject::LineTooLong => 414,
            Reject::HeadersTooLarge => 431,
            Reject::BodyTooLarge => 413,
            Reject::Timeout => 408,
            Reject::NotImplemented => 501,
        }
    }

    /// The envelope's message.
    pub fn message(self) -> &'static str {
        match self {
            Reject::BadRequest => "bad request",
            Reject::LineTooLong => "request line too long",
            Reject::HeadersTooLarge => "request header fields too large",
            Reject::BodyTooLarge => "request body too large",
            Reject::Timeout => "request timeout",
            Reject::NotImplemented => "transfer coding not implemented",
        }
    }
}

/// Reads the head at the start of `buf`: `Ok(None)` when more bytes are needed.
///
/// # Errors
/// The [`Reject`] for a head over the limits or not HTTP/1.x.
pub fn parse_head(buf: &[u8], limits: &Limits) -> Result<Option<Head>, Reject> {
    // The request line must end within its cap, whatever else follows.
    let line_end = buf
        .iter()
        .take(limits.max_line + 1)
        .position(|&b| b == b'\n');
    if line_end.is_none() && buf.len() > limits.max_line {
        return Err(Reject::LineTooLong);
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => {
            let fields = line_end.map_or(0, |l| buf.len() - l);
            return if fields > limits.max_header_bytes {
                Err(Reject::HeadersTooLarge)
            } else {
                Ok(None)
            };
        }
        Err(httparse::Error::TooManyHeaders) => return Err(Reject::HeadersTooLarge),
        Err(_) => return Err(Reject::BadRequest),
    };
    let line_len = line_end.unwrap_or(len);
    if len - line_len > limits.max_header_bytes {
        return Err(Reject::HeadersTooLarge);
    }
    let method_text = req.method.unwrap_or("");
    let method = match method_text {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "OPTIONS" => Method::Options,
        _ => Method::Other,
    };
    let path = req.path.unwrap_or("/");
    let start = path.as_ptr() as usize - buf.as_ptr() as usize;
    let http11 = req.version == Some(1);

    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut body_kind = BodyKind::Form;
    let mut close = false;
    let mut keep_alive_token = false;
    let mut expect_continue = false;
    for h in req.headers.iter() {
        let value = std::str::from_utf8(h.value).unwrap_or("").trim();
        if h.name.eq_ignore_ascii_case("content-length") {
            // Digits only; two different lengths are a smuggling attempt.
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Reject::BadRequest);
            }
            let n = value.parse::<usize>().unwrap_or(usize::MAX);
            if length.is_some_and(|l| l != n) {
                return Err(Reject::BadRequest);
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(',').next().unwrap_or("").trim();
            if !last.eq_ignore_ascii_case("chunked") {
                return Err(Reject::NotImplemented);
            }
            chunked = true;
        } else if h.name.eq_ignore_ascii_case("content-type") {
            let mut params = value.split(';');
            let mime = params.next().unwrap_or("").trim().to_ascii_lowercase();
            body_kind = if mime == "application/json" || mime.ends_with("+json") {
                BodyKind::Json
            } else if mime == "multipart/form-data" {
                let boundary = params
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
                    .map(|(_, v)| v.trim().trim_matches('"').to_owned());
                match boundary {
                    Some(b) if !b.is_empty() && b.len() <= 200 => BodyKind::Multipart(b),
                    _ => return Err(Reject::BadRequest),
                }
            } else {
                BodyKind::Form
            };
        } else if h.name.eq_ignore_ascii_case("connection") {
            for token in value.split(',') {
                close |= token.trim().eq_ignore_ascii_case("close");
                keep_alive_token |= token.trim().eq_ignore_ascii_case("keep-alive");
            }
        } else if h.name.eq_ignore_ascii_case("expect") {
            expect_continue = value.eq_ignore_ascii_case("100-continue");
        }
    }
    let framing = match (chunked, length) {
        (true, Some(_)) => return Err(Reject::BadRequest),
        (true, None) => Framing::Chunked,
        (false, Some(n)) if n > limits.max_body => return Err(Reject::BodyTooLarge),
        (false, Some(0) | None) => Framing::None,
        (false, Some(n)) => Framing::Length(n),
    };
    Ok(Some(Head {
        len,
        method,
        method_text: method_text.chars().take(16).collect(),
        target: start..start + path.len(),
        framing,
        body_kind,
        keep_alive: !close && (http11 || keep_alive_token),
        expect_continue,
    }))
}

/// Decodes a chunked body at the start of `buf` into `out`: `Ok(Some(consumed))` when it
/// is complete (trailers skipped), `Ok(None)` when more bytes are needed.
///
/// # Errors
/// [`Reject::BodyTooLarge`] past `max_body` decoded bytes, [`Reject::BadRequest`] for
/// broken framing.
pub fn decode_chunked(
    buf: &[u8],
    max_body: usize,
    out: &mut Vec<u8>,
) -> Result<Option<usize>, Reject> {
    out.clear();
    let mut pos = 0;
    loop {
        let Some(nl) = buf[pos..].iter().position(|&b| b == b'\n') else {
            return if buf.len() - pos > 1024 {
                Err(Reject::BadRequest)
            } else {
                Ok(None)
            };
        };
        let line = &buf[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_text = line.split(|&b| b == b';').next().unwrap_or(b"");
        let size_text = std::str::from_utf8(size_text).map_err(|_| Reject::BadRequest)?;
        let size_text = size_text.trim();
        if size_text.is_empty() || size_text.len() > 8 {
            return Err(Reject::BadRequest);
        }
        let size = usize::from_str_radix(size_text, 16).map_err(|_| Reject::BadRequest)?;
        pos += nl + 1;
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                let Some(nl) = buf[pos..].iter().position(|&b| b == b'\n') else {
                    return if buf.len() - pos > 8192 {
                        Err(Reject::BadRequest)
                    } else {
                        Ok(None)
                    };
                };
                let empty = nl == 0 || (nl == 1 && buf[pos] == b'\r');
                pos += nl + 1;
                if empty {
                    return Ok(Some(pos));
                }
            }
        }
        if out.len() + size > max_body {
            return Err(Reject::BodyTooLarge);
        }
        if buf.len() < pos + size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&buf[pos..pos + size]);
        pos += size;
        match &buf[pos..pos + 2] {
            b"\r\n" => pos += 2,
            [b'\n', _] => pos += 1,
            _ => return Err(Reject::BadRequest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<Head>, Reject> {
        parse_head(text.as_bytes(), &Limits::default())
    }

    #[test]
    fn a_get_head() {
        let h = head("GET /?a=1 HTTP/1.1\r\nHost: x\r\n\r\nrest")
            .unwrap()
            .unwrap();
        assert_eq!(h.len, 31);
        assert_eq!(h.method, Method::Get);
        assert_eq!(h.target, 4..9);
        assert_eq!(h.framing, Framing::None);
        assert!(h.keep_alive);
        assert_eq!(head("GET / HTTP/1.1\r\nHost: x\r\n"), Ok(None));
    }

    #[test]
    fn keep_alive_rules() {
        let ka = |t: &str| head(t).unwrap().unwrap().keep_alive;
        assert!(!ka("GET / HTTP/1.0\r\n\r\n"));
        assert!(ka("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assert!(!ka("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    }

    #[test]
    fn limits_and_framing_errors() {
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert_eq!(head(&long), Err(Reject::LineTooLong));
        assert_eq!(head(&long[..8500]), Err(Reject::LineTooLong));
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(17000));
        assert_eq!(head(&big), Err(Reject::HeadersTooLarge));
        assert_eq!(head(&big[..17010]), Err(Reject::HeadersTooLarge));
        assert_eq!(head(&big[..16000]), Ok(None));
        let many: String = (0..70).map(|i| format!("X{i}: 1\r\n")).collect();
        assert_eq!(
            head(&format!("GET / HTTP/1.1\r\n{many}\r\n")),
            Err(Reject::HeadersTooLarge)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"),
            Err(Reject::BodyTooLarge)
        );
        for bad in [
            "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "\u{1}\u{2} / HTTP/1.1\r\n\r\n",
            "GET / HTTP/9.9\r\n\r\n",
        ] {
            assert_eq!(head(bad), Err(Reject::BadRequest), "{bad:?}");
        }
        assert_eq!(
            head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Err(Reject::NotImplemented)
        );
    }

    #[test]
    fn chunked_bodies() {
        let mut out = Vec::new();
        let body = b"4\r\nidca\r\n6;x=y\r\nrd=123\r\n0\r\nT: 1\r\n\r\nNEXT";
        assert_eq!(
            decode_chunked(body, 100, &mut out),
            Ok(Some(body.len() - 4))
        );
        assert_eq!(out, b"idcard=123");
        for cut in 0..body.len() - 4 {
            assert_eq!(
                decode_chunked(&body[..cut], 100, &mut out),
                Ok(None),
                "{cut}"
            );
        }
        assert_eq!(decode_chunked(body, 5, &mut out), Err(Reject::BodyTooLarge));
        assert_eq!(
            decode_chunked(b"zz\r\n", 5, &mut out),
            Err(Reject::BadRequest)
        );
        assert_eq!(
            decode_chunked(b"2\r\nabX\r\n", 5, &mut out),
            Err(Reject::BadRequest)
        );
    }
}
