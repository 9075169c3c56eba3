//! The request's parameters: `app`, `idcard`, `appkey`, `sign`, `format`, `jsoncallback`,
//! from the query string and a form-encoded or JSON body.
//!
//! As the provider (PHP) reads them: in any order, the last of a repeated name wins, the
//! body wins over the query, empty `&&` segments and unknown names are ignored.

use std::borrow::Cow;

/// The parameters `idcard.get` reads; `None` when absent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params<'a> {
    pub app: Option<Cow<'a, str>>,
    pub idcard: Option<Cow<'a, str>>,
    pub appkey: Option<Cow<'a, str>>,
    pub sign: Option<Cow<'a, str>>,
    pub format: Option<Cow<'a, str>>,
    pub jsoncallback: Option<Cow<'a, str>>,
}

/// The body could not be read as the JSON object its `Content-Type` announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadJson;

impl<'a> Params<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        Some(match name {
            "app" => &mut self.app,
            "idcard" => &mut self.idcard,
            "appkey" => &mut self.appkey,
            "sign" => &mut self.sign,
            "format" => &mut self.format,
            "jsoncallback" => &mut self.jsoncallback,
            _ => return None,
        })
    }

    /// Adds `a=1&b=2` pairs (a query string or a form-encoded body).
    pub fn add_form(&mut self, form: &'a [u8]) {
        for pair in form.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            let name = decode(name);
            if let Some(slot) = self.slot(&name) {
                *slot = Some(decode(value));
            }
        }
    }

    /// Adds the string (or number) members of a JSON object body.
    ///
    /// # Errors
    /// [`BadJson`] when the body is not a JSON object.
    pub fn add_json(&mut self, body: &[u8]) -> Result<(), BadJson> {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(body).map_err(|_| BadJson)?;
        for (name, value) in map {
            let text = match value {
                serde_json::Value::String(s) => s,
                // `"idcard": 110101199001011114` from a careless client: the digits as given.
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if let Some(slot) = self.slot(&name) {
                *slot = Some(Cow::Owned(text));
            }
        }
        Ok(())
    }

    /// Adds the fields of a `multipart/form-data` body with `boundary`; a body that ends
    /// early keeps the fields before.
    pub fn add_multipart(&mut self, body: &'a [u8], boundary: &str) {
        let delimiter = format!("--{boundary}");
        let delimiter = delimiter.as_bytes();
        for part in split_on(body, delimiter).into_iter().skip(1) {
            if part.starts_with(b"--") {
                break;
            }
            // A part: CRLF, header lines, an empty line, the value, CRLF.
            let part = part.strip_prefix(b"\r\n").unwrap_or(part);
            let Some(split) = find(part, b"\r\n\r\n") else {
                continue;
            };
            let (headers, value) = (&part[..split], &part[split + 4..]);
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            let name = headers
                .split(|&b| b == b'\n')
                .filter_map(|line| std::str::from_utf8(line).ok())
                .filter(|line| {
                    line.split(':')
                        .next()
                        .is_some_and(|h| h.trim().eq_ignore_ascii_case("content-disposition"))
                })
                .find_map(disposition_name);
            if let Some(slot) = name.and_then(|n| self.slot(n)) {
                *slot = Some(String::from_utf8_lossy(value));
            }
        }
    }

    /// The parameter as text, `""` when absent.
    pub fn get<'s>(value: &'s Option<Cow<'a, str>>) -> &'s str {
        value.as_deref().unwrap_or("")
    }
}

/// `name="…"` of a `Content-Disposition: form-data; name="idcard"` line.
fn disposition_name(line: &str) -> Option<&str> {
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("name")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The pieces of `hay` between occurrences of `needle`.
fn split_on<'h>(hay: &'h [u8], needle: &[u8]) -> Vec<&'h [u8]> {
    let mut pieces = Vec::new();
    let mut rest = hay;
    while let Some(i) = find(rest, needle) {
        pieces.push(&rest[..i]);
        rest = &rest[i + needle.len()..];
    }
    pieces.push(rest);
    pieces
}

/// Percent-decodes one name or value (`+` is a space). A malformed escape stays as it is;
/// bytes that are not UTF-8 become U+FFFD (the answer can only carry text).
pub fn decode(raw: &[u8]) -> Cow<'_, str> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return String::from_utf8_lossy(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => match (raw.get(i + 1).and_then(hex), raw.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_order_empty_segments_unknown_names_last_wins() {
        let mut p = Params::default();
        p.add_form(b"&&format=xml&_=123&idcard=1&callback=x&&app=idcard.get&idcard=2&");
        assert_eq!(Params::get(&p.app), "idcard.get");
        assert_eq!(Params::get(&p.idcard), "2");
        assert_eq!(Params::get(&p.format), "xml");
        assert_eq!(p.appkey, None);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"a+b%20c%2b"), "a b c+");
        assert_eq!(decode(b"%E5%8C%97"), "北");
        assert_eq!(decode(b"100%"), "100%");
        assert_eq!(decode(b"%zz%4"), "%zz%4");
        assert_eq!(decode(b"%ff1"), "\u{fffd}1");
        assert_eq!(decode(b"\xff"), "\u{fffd}");
        assert!(matches!(decode(b"plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn multipart_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"app\"\r\n\r\nidcard.get\r\n\
--XyZ\r\ncontent-disposition: form-data; name=\"idcard\"\r\nContent-Type: text/plain\r\n\r\n110101199001011114\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XyZ--\r\n";
        let mut p = Params::default();
        p.add_multipart(body, "XyZ");
        assert_eq!(Params::get(&p.app), "idcard.get");
        assert_eq!(Params::get(&p.idcard), "110101199001011114");
        // Cut short: the fields before stay, nothing panics.
        for cut in 0..body.len() {
            let mut q = Params::default();
            q.add_multipart(&body[..cut], "XyZ");
        }
        let mut q = Params::default();
        q.add_multipart(b"garbage", "XyZ");
        assert_eq!(q, Params::default());
    }

    #[test]
    fn json_body() {
        let mut p = Params::default();
        p.add_form(b"app=x&format=xml");
        p.add_json(br#"{"app":"idcard.get","idcard":110101199001011114,"x":[1],"sign":null}"#)
            .unwrap();
        assert_eq!(Params::get(&p.app), "idcard.get");
        assert_eq!(Params::get(&p.idcard), "110101199001011114");
        assert_eq!(Params::get(&p.format), "xml");
        assert_eq!(p.sign, None);
        assert_eq!(p.add_json(b"[1,2]"), Err(BadJson));
        assert_eq!(p.add_json(b"{"), Err(BadJson));
    }
}
