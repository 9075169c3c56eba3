//! Writing a response: status line, the headers every client of the web API gets, and the
//! body whole after a `Content-Length` (one client parses the first chunk it receives).

use std::cell::RefCell;
use std::io::Write as _;
use std::time::SystemTime;

use cnid::wire::{self, Callback, Format};

pub const JSON: &str = "application/json; charset=utf-8";
pub const XML: &str = "text/xml; charset=utf-8";
pub const JAVASCRIPT: &str = "application/javascript; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";
pub const PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One response to write.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    pub code: u16,
    pub content_type: &'static str,
    pub body: &'a [u8],
    pub keep_alive: bool,
    /// `HEAD`: the headers of the answer without its body.
    pub head_only: bool,
    /// More header lines, each ending in `\r\n`.
    pub extra: &'static str,
}

fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Appends the whole response to `out`.
pub fn write(out: &mut Vec<u8>, r: &Reply<'_>) {
    let _ = write!(out, "HTTP/1.1 {} {}\r\n", r.code, reason(r.code));
    out.extend_from_slice(b"Date: ");
    push_date(out);
    out.extend_from_slice(b"\r\nServer: cnid\r\n");
    if r.code != 204 {
        out.extend_from_slice(b"Content-Type: ");
        out.extend_from_slice(r.content_type.as_bytes());
        let _ = write!(out, "\r\nContent-Length: {}\r\n", r.body.len());
    }
    // Answers hold personal data: no shared cache keeps them.
    out.extend_from_slice(
        b"Access-Control-Allow-Origin: *\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
    );
    out.extend_from_slice(r.extra.as_bytes());
    out.extend_from_slice(if r.keep_alive {
        b"Connection: keep-alive\r\n\r\n".as_slice()
    } else {
        b"Connection: close\r\n\r\n".as_slice()
    });
    if !r.head_only && r.code != 204 {
        out.extend_from_slice(r.body);
    }
}

/// The error envelope `{"success":"0","msgid":…,"msg":…}` in the request's format (JSONP
/// when it named a safe callback).
pub fn envelope(
    body: &mut String,
    format: Format,
    callback: Option<&Callback>,
    msgid: &str,
    msg: &str,
) -> &'static str {
    match (format, callback) {
        (Format::Json, Some(cb)) => {
            wire::write_error_jsonp(body, cb, msgid, msg);
            JAVASCRIPT
        }
        (Format::Json, None) => {
            wire::write_error(body, format, msgid, msg);
            JSON
        }
        (Format::Xml, _) => {
            wire::write_error(body, format, msgid, msg);
            XML
        }
    }
}

thread_local! {
    /// The `Date` header's text for the current second.
    static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

fn push_date(out: &mut Vec<u8>) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    DATE.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != now {
            let text = i64::try_from(now)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .unwrap_or_default();
            *cached = (now, text);
        }
        out.extend_from_slice(cached.1.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_shape() {
        let mut out = Vec::new();
        write(
            &mut out,
            &Reply {
                code: 200,
                content_type: JSON,
                body: b"{}",
                keep_alive: true,
                head_only: false,
                extra: "",
            },
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{text}");
        assert!(text.contains(" GMT\r\n"));
        assert!(text.contains(
            "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n"
        ));
        assert!(text.contains("\r\nAccess-Control-Allow-Origin: *\r\n"));
        assert!(text.ends_with("\r\nConnection: keep-alive\r\n\r\n{}"));
    }

    #[test]
    fn head_keeps_the_length_and_drops_the_body() {
        let mut out = Vec::new();
        let reply = Reply {
            code: 200,
            content_type: XML,
            body: b"<x/>",
            keep_alive: false,
            head_only: true,
            extra: "",
        };
        write(&mut out, &reply);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 4\r\n"));
        assert!(text.ends_with("Connection: close\r\n\r\n"));
    }
}
