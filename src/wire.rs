//! The web API's wire shapes — JSON, XML and JSONP — shared by every front (CLI, batch,
//! remote fallback, server).
//!
//! The JSON is what `idcard.get` documents, compact and in its key order:
//! `{"success":"1","result":{"status":…,"idcard":…,"par":…,"born":…,"sex":…,"att":…,
//! "postno":…,"areano":…,"style_simcall":…,"style_citynm":…}}`, with `"msg"` last for
//! `NOT_ATT`, `WRONG_IDCARD` and `WAIT_PROCESS`. Every answer carries all ten keys, also
//! `WAIT_PROCESS`, whose example in the API's documentation lacks `idcard`: clients read
//! `result.idcard` unconditionally and crash or print `null` without it, and an extra key
//! breaks none. A system error is the envelope `{"success":"0","msgid":…,"msg":…}`
//! ([`write_error`]), in the same format as the answer would have been.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use crate::resolve::{Resolution, Status};

/// A birth date in the web API's form, `1990年01月01日`, held inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Born {
    buf: [u8; 17],
    len: u8,
}

impl Born {
    const EMPTY: Born = Born {
        buf: [0; 17],
        len: 0,
    };

    /// The web API's text for a date given as `(year, month, day)`, as
    /// [`IdNumber::birth_ymd`](crate::IdNumber::birth_ymd) gives it: what a front that
    /// writes its own columns uses without building [`Fields`].
    ///
    /// ```
    /// let n = cnid::IdNumber::parse("110101199001011114")?;
    /// let born = cnid::wire::Born::from_ymd(n.birth_ymd());
    /// assert_eq!(born.as_str(), "1990年01月01日");
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    #[must_use]
    pub fn from_ymd((y, m, d): (u16, u8, u8)) -> Born {
        let mut buf = [0u8; 17];
        let (y, m, d) = (u32::from(y.min(9999)), u32::from(m), u32::from(d));
        let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10];
        for (slot, v) in buf[..4].iter_mut().zip(digits) {
            *slot = b'0' + v as u8;
        }
        buf[4..7].copy_from_slice("年".as_bytes());
        buf[7] = b'0' + (m / 10) as u8;
        buf[8] = b'0' + (m % 10) as u8;
        buf[9..12].copy_from_slice("月".as_bytes());
        buf[12] = b'0' + (d / 10) as u8;
        buf[13] = b'0' + (d % 10) as u8;
        buf[14..17].copy_from_slice("日".as_bytes());
        Born { buf, len: 17 }
    }

    /// The text, empty when there is no birth date. Checks the UTF-8 each time (safe code
    /// has no other way to a `&str` of built bytes): in a loop, prefer
    /// [`Born::as_bytes`] or [`Born::push_to`].
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let born = cnid::wire::Fields::new(&r, "110101199001011114").born();
    /// assert_eq!(born.as_str(), "1990年01月01日");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).expect("built from UTF-8")
    }

    /// The text as UTF-8 bytes, empty when there is no birth date. Free.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let born = cnid::wire::Fields::new(&r, "110101199001011114").born();
    /// assert_eq!(born.as_bytes(), "1990年01月01日".as_bytes());
    /// ```
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// Appends the text to `out` without checking the UTF-8 again: the digits one by one,
    /// the three characters as `char`s.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let born = cnid::wire::Fields::new(&r, "110101199001011114").born();
    /// let mut out = String::from("born: ");
    /// born.push_to(&mut out);
    /// assert_eq!(out, "born: 1990年01月01日");
    /// ```
    pub fn push_to(&self, out: &mut String) {
        if self.len == 0 {
            return;
        }
        let b = &self.buf;
        for &d in &b[..4] {
            out.push(char::from(d));
        }
        out.push('年');
        out.push(char::from(b[7]));
        out.push(char::from(b[8]));
        out.push('月');
        out.push(char::from(b[12]));
        out.push(char::from(b[13]));
        out.push('日');
    }
}

impl fmt::Debug for Born {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Born {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ten keys of every answer's `result`, in the web API's order; `msg` follows them for
/// every status but `ALREADY_ATT`. [`Fields::pairs`] gives them with their values.
pub const RESULT_KEYS: [&str; 10] = [
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

/// The `result` fields of one answer, borrowed from a [`Resolution`]; the one place
/// where the web API's field values are decided. Read-only: built by [`Fields::new`].
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    status: Status,
    idcard: &'a str,
    par: &'a str,
    born: Born,
    sex: &'static str,
    att: &'a str,
    postno: &'a str,
    areano: &'a str,
    style_simcall: &'a str,
    style_citynm: &'a str,
    msg: Option<&'static str>,
    /// For a table region: the five region fields already written as JSON and XML.
    fragments: Option<(&'static str, &'static str)>,
}

impl<'a> Fields<'a> {
    /// The fields of `resolution`, answering for the input `idcard` as the caller gave it.
    ///
    /// ```
    /// let r = cnid::resolve("512928199001011114");
    /// let f = cnid::wire::Fields::new(&r, "512928199001011114");
    /// assert_eq!(f.par(), "512928");
    /// assert_eq!(f.born().as_str(), "1990年01月01日");
    /// ```
    #[must_use]
    pub fn new(resolution: &'a Resolution, idcard: &'a str) -> Fields<'a> {
        let status = resolution.status();
        let mut f = Fields {
            status,
            idcard: crate::id_number::trim(idcard),
            par: "",
            born: Born::EMPTY,
            sex: "",
            att: "",
            postno: "",
            areano: "",
            style_simcall: "",
            style_citynm: "",
            msg: status.message(),
            fragments: None,
        };
        if status == Status::AlreadyAtt {
            if let Some(n) = resolution.number() {
                f.par = n.region_prefix();
                f.born = Born::from_ymd(n.birth_ymd());
                f.sex = n.sex().as_chinese();
            }
            // A foreigners' permanent residence ID: the issuing province stands as region.
            if let Some(n) = resolution.foreign_permanent() {
                f.par = n.issuing_prefix();
                f.born = Born::from_ymd(n.birth_ymd());
                f.sex = n.sex().as_chinese();
            }
            if let Some(r) = resolution.region() {
                f.att = r.att();
                f.postno = r.postno();
                f.areano = r.areano();
                f.style_simcall = r.style_simcall();
                f.style_citynm = r.style_citynm();
                f.fragments = r.wire_fragments();
            }
        }
        f
    }

    /// `status`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.status(), cnid::Status::AlreadyAtt);
    /// ```
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }
    /// `idcard`: the number as the caller gave it (trimmed).
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.idcard(), "110101199001011114"); // trimmed
    /// ```
    #[must_use]
    pub fn idcard(&self) -> &'a str {
        self.idcard
    }
    /// `par`: the 6-digit prefix (empty unless `ALREADY_ATT`).
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.par(), "110101");
    /// ```
    #[must_use]
    pub fn par(&self) -> &'a str {
        self.par
    }
    /// `born`: `1990年01月01日` (empty unless `ALREADY_ATT`).
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.born().as_str(), "1990年01月01日");
    /// ```
    #[must_use]
    pub fn born(&self) -> Born {
        self.born
    }
    /// `sex`: `男` / `女` (empty unless `ALREADY_ATT`).
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.sex(), "男");
    /// ```
    #[must_use]
    pub fn sex(&self) -> &'static str {
        self.sex
    }
    /// `att`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.att(), "北京市 东城区 ");
    /// ```
    #[must_use]
    pub fn att(&self) -> &'a str {
        self.att
    }
    /// `postno`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.postno(), "100000");
    /// ```
    #[must_use]
    pub fn postno(&self) -> &'a str {
        self.postno
    }
    /// `areano`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.areano(), "010");
    /// ```
    #[must_use]
    pub fn areano(&self) -> &'a str {
        self.areano
    }
    /// `style_simcall`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.style_simcall(), "中国,北京");
    /// ```
    #[must_use]
    pub fn style_simcall(&self) -> &'a str {
        self.style_simcall
    }
    /// `style_citynm`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.style_citynm(), "中华人民共和国,北京市");
    /// ```
    #[must_use]
    pub fn style_citynm(&self) -> &'a str {
        self.style_citynm
    }
    /// `msg`, absent for `ALREADY_ATT`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// assert_eq!(f.msg(), None);
    /// let wrong = cnid::resolve("110101199001011112");
    /// assert_eq!(cnid::wire::Fields::new(&wrong, "").msg(), Some("身份证号码不正确"));
    /// ```
    #[must_use]
    pub fn msg(&self) -> Option<&'static str> {
        self.msg
    }

    /// `(key, value)` pairs in the web API's order, `msg` included when present.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// let f = cnid::wire::Fields::new(&r, " 110101199001011114 ");
    /// let keys: Vec<&str> = f.pairs().map(|(k, _)| k).collect();
    /// assert_eq!(keys[..3], ["status", "idcard", "par"]);
    /// assert_eq!(keys.len(), 10);
    /// ```
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.head()
            .chain(self.region_pairs())
            .chain(self.msg.map(|m| ("msg", m)))
    }

    /// `status`, `idcard`, `par`, `born`, `sex`.
    fn head(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let values = [
            self.status.as_str(),
            self.idcard,
            self.par,
            self.born.as_str(),
            self.sex,
        ];
        RESULT_KEYS[..5].iter().copied().zip(values)
    }

    /// `att` … `style_citynm`.
    fn region_pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let values = [
            self.att,
            self.postno,
            self.areano,
            self.style_simcall,
            self.style_citynm,
        ];
        RESULT_KEYS[5..].iter().copied().zip(values)
    }
}

/// Output format of the web API (`format=json|xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// JSON (the default).
    #[default]
    Json,
    /// XML.
    Xml,
}

/// Whether any byte needs escaping in a JSON string: below 0x20, `"`, `\\`, DEL, or 0xE2
/// (the lead byte of U+2028/U+2029, escaped for JSONP). Eight bytes at a time with the
/// classic SWAR tests (`haszero`, `hasless`), since this runs over every answer field.
fn needs_json_escape(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let special = |b: u8| b < 0x20 || matches!(b, b'"' | b'\\' | 0x7f | 0xe2);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let found = (x.wrapping_sub(LO * 0x20) & !x & HI)
            | has_zero(x ^ (LO * u64::from(b'"')))
            | has_zero(x ^ (LO * u64::from(b'\\')))
            | has_zero(x ^ (LO * 0x7f))
            | has_zero(x ^ (LO * 0xe2));
        if found != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| special(b))
}

/// Appends `s` as a JSON string literal. Non-ASCII text is written as UTF-8, as the web
/// API does; U+2028/U+2029 are escaped so the output is also safe inside JSONP.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    if !needs_json_escape(bytes) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Every byte that needs escaping starts a character, so slices stay on boundaries.
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f | 0x7f => "",
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                ""
            }
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let c = s[i..].chars().next().expect("a character starts here");
            use core::fmt::Write as _;
            let _ = write!(out, "\\u{:04x}", c as u32);
            start = i + c.len_utf8();
        } else {
            out.push_str(esc);
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends `s` with XML's special characters escaped. A line break becomes a character
/// reference (`&#10;`, `&#13;`): it means the same text to a parser, which would otherwise
/// turn a raw `\r` into `\n`, and every answer stays on one line for line-based readers.
pub(crate) fn push_xml_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            // Characters XML 1.0 cannot carry at all.
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            _ => out.push(c),
        }
    }
}

/// Appends the JSON answer (one line, no newline).
///
/// ```
/// let r = cnid::Resolver::new().resolve("110101199001011112");
/// let mut out = String::new();
/// cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&r, "110101199001011112"));
/// assert!(out.ends_with(r#""msg":"身份证号码不正确"}}"#));
/// ```
pub fn write_json(out: &mut String, fields: &Fields<'_>) {
    // Keys, quotes and the values cnid generates itself (status, par, born, sex: digits
    // and fixed words) are written as they are; only the caller's `idcard` and region
    // fields that came from the web API are scanned for escapes. A table region's five
    // fields are one precomputed fragment.
    debug_assert!(!needs_json_escape(fields.par.as_bytes()));
    out.reserve(96 + fields.idcard.len() + fields.fragments.map_or(160, |(j, _)| j.len()));
    out.push_str("{\"success\":\"1\",\"result\":{\"status\":\"");
    out.push_str(fields.status.as_str());
    out.push_str("\",\"idcard\":");
    push_json_str(out, fields.idcard);
    out.push_str(",\"par\":\"");
    out.push_str(fields.par);
    out.push_str("\",\"born\":\"");
    fields.born.push_to(out);
    out.push_str("\",\"sex\":\"");
    out.push_str(fields.sex);
    out.push('"');
    match fields.fragments {
        Some((json, _)) => out.push_str(json),
        None if fields.region_pairs().all(|(_, v)| v.is_empty()) => out.push_str(
            ",\"att\":\"\",\"postno\":\"\",\"areano\":\"\",\"style_simcall\":\"\",\"style_citynm\":\"\"",
        ),
        None => {
            for (k, v) in fields.region_pairs() {
                out.push_str(",\"");
                out.push_str(k);
                out.push_str("\":");
                push_json_str(out, v);
            }
        }
    }
    if let Some(m) = fields.msg {
        // The status's own message: fixed text that needs no escape.
        debug_assert!(!needs_json_escape(m.as_bytes()));
        out.push_str(",\"msg\":\"");
        out.push_str(m);
        out.push('"');
    }
    out.push_str("}}");
}

/// Appends the XML answer (no newline): `<?xml …?><root><success>1</success><result>…`.
/// Empty values are written as `<x></x>`, never `<x/>`, for clients that split strings.
///
/// ```
/// let r = cnid::resolve("110101199001011114");
/// let mut out = String::new();
/// cnid::wire::write_xml(&mut out, &cnid::wire::Fields::new(&r, "110101199001011114"));
/// assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success>"));
/// assert!(out.contains("<att>北京市 东城区 </att>"));
/// ```
pub fn write_xml(out: &mut String, fields: &Fields<'_>) {
    fn element(out: &mut String, k: &str, v: &str) {
        out.push('<');
        out.push_str(k);
        out.push('>');
        push_xml_text(out, v);
        out.push_str("</");
        out.push_str(k);
        out.push('>');
    }
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success><result>");
    // As in write_json: cnid's own values (status, par, born, sex) need no escape.
    out.push_str("<status>");
    out.push_str(fields.status.as_str());
    out.push_str("</status>");
    element(out, "idcard", fields.idcard);
    out.push_str("<par>");
    out.push_str(fields.par);
    out.push_str("</par><born>");
    fields.born.push_to(out);
    out.push_str("</born><sex>");
    out.push_str(fields.sex);
    out.push_str("</sex>");
    match fields.fragments {
        Some((_, xml)) => out.push_str(xml),
        None => fields.region_pairs().for_each(|(k, v)| element(out, k, v)),
    }
    if let Some(m) = fields.msg {
        element(out, "msg", m);
    }
    out.push_str("</result></root>");
}

/// Appends the answer in `format`.
///
/// ```
/// use cnid::wire::{self, Fields, Format};
/// let r = cnid::resolve("110101199001011114");
/// let (mut json, mut xml) = (String::new(), String::new());
/// wire::write(&mut json, Format::Json, &Fields::new(&r, "110101199001011114"));
/// wire::write(&mut xml, Format::Xml, &Fields::new(&r, "110101199001011114"));
/// assert!(json.starts_with('{') && xml.starts_with("<?xml"));
/// ```
pub fn write(out: &mut String, format: Format, fields: &Fields<'_>) {
    match format {
        Format::Json => write_json(out, fields),
        Format::Xml => write_xml(out, fields),
    }
}

/// The provider's `msgid` for an unknown `app`: `1000501` `请求接口不存在`.
pub const MSGID_NO_SUCH_APP: &str = "1000501";
/// The `msg` that goes with [`MSGID_NO_SUCH_APP`].
pub const MSG_NO_SUCH_APP: &str = "请求接口不存在";
/// The provider's `msgid` for a missing or wrong `appkey`/`sign`: `1000555` `SIGN_INVALID`.
pub const MSGID_SIGN_INVALID: &str = "1000555";
/// The `msg` that goes with [`MSGID_SIGN_INVALID`].
pub const MSG_SIGN_INVALID: &str = "SIGN_INVALID";

/// Appends a system-level error (`{"success":"0","msgid":…,"msg":…}`) in `format`.
///
/// ```
/// use cnid::wire::{write_error, Format};
/// let mut out = String::new();
/// write_error(&mut out, Format::Json, "1000555", "SIGN_INVALID");
/// assert_eq!(out, r#"{"success":"0","msgid":"1000555","msg":"SIGN_INVALID"}"#);
/// ```
pub fn write_error(out: &mut String, format: Format, msgid: &str, msg: &str) {
    match format {
        Format::Json => {
            out.push_str("{\"success\":\"0\",\"msgid\":");
            push_json_str(out, msgid);
            out.push_str(",\"msg\":");
            push_json_str(out, msg);
            out.push('}');
        }
        Format::Xml => {
            out.push_str(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>0</success><msgid>",
            );
            push_xml_text(out, msgid);
            out.push_str("</msgid><msg>");
            push_xml_text(out, msg);
            out.push_str("</msg></root>");
        }
    }
}

/// A JSONP callback name that is safe to reflect: 1–64 characters of ASCII letters,
/// digits, `_`, `$` and `.`, not starting with a digit or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Callback(String);

/// The error for a callback name that is not safe to reflect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid callback name: use 1-64 ASCII letters, digits, '_', '$' or '.', not starting with a digit or '.'")]
pub struct InvalidCallback;

impl Callback {
    /// Checks a callback name.
    ///
    /// # Errors
    /// [`InvalidCallback`] for anything but a plain JavaScript name path.
    ///
    /// ```
    /// assert!(cnid::wire::Callback::new("jQuery123_cb").is_ok());
    /// assert!(cnid::wire::Callback::new("alert(1)//").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Callback, InvalidCallback> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.');
        let first_ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
        if first_ok && name.len() <= 64 && name.chars().all(ok_char) {
            Ok(Callback(name.to_owned()))
        } else {
            Err(InvalidCallback)
        }
    }

    /// The name.
    ///
    /// ```
    /// let cb = cnid::wire::Callback::new("jQuery123_cb")?;
    /// assert_eq!(cb.as_str(), "jQuery123_cb");
    /// # Ok::<(), cnid::wire::InvalidCallback>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Appends a system-level error as JSONP: `callback({"success":"0",…})`, so a browser
/// client's callback runs and sees the error.
///
/// ```
/// use cnid::wire::{write_error_jsonp, Callback};
/// let mut out = String::new();
/// write_error_jsonp(&mut out, &Callback::new("cb")?, "1000701", "quota");
/// assert_eq!(out, r#"cb({"success":"0","msgid":"1000701","msg":"quota"})"#);
/// # Ok::<(), cnid::wire::InvalidCallback>(())
/// ```
pub fn write_error_jsonp(out: &mut String, callback: &Callback, msgid: &str, msg: &str) {
    out.push_str(&callback.0);
    out.push('(');
    write_error(out, Format::Json, msgid, msg);
    out.push(')');
}

/// Appends a JSONP answer: `callback(<json>)`.
///
/// ```
/// use cnid::wire::{write_jsonp, Callback, Fields};
/// let r = cnid::resolve("110101199001011114");
/// let mut out = String::new();
/// write_jsonp(&mut out, &Callback::new("cb")?, &Fields::new(&r, "110101199001011114"));
/// assert!(out.starts_with("cb({\"success\":\"1\"") && out.ends_with("})"));
/// # Ok::<(), cnid::wire::InvalidCallback>(())
/// ```
pub fn write_jsonp(out: &mut String, callback: &Callback, fields: &Fields<'_>) {
    out.push_str(&callback.0);
    out.push('(');
    write_json(out, fields);
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IdNumber, Region, Resolver, Source};
    use chrono::NaiveDate;

    fn number() -> IdNumber {
        IdNumber::parse_as_of("110101199001011114", NaiveDate::MAX).unwrap()
    }

    /// Table regions are written from fragments precomputed by build.rs; a region carried as
    /// plain fields (as the remote fallback does) is written field by field. Both must give
    /// the same bytes, in JSON and XML, for every code of the table.
    #[test]
    fn precomputed_fragments_match_field_by_field_writing() {
        let number = number();
        let mut a = String::new();
        let mut b = String::new();
        for region in Region::all() {
            let copy = Region::from_fields(region.code(), region.to_fields(), Source::Remote);
            let table = Resolution::already_att(number, region);
            let plain = Resolution::already_att(number, copy);
            for format in [Format::Json, Format::Xml] {
                a.clear();
                b.clear();
                write(&mut a, format, &Fields::new(&table, "x"));
                write(&mut b, format, &Fields::new(&plain, "x"));
                assert_eq!(a, b);
            }
        }
        assert!(a.contains("<att>"));
    }

    /// The hand-written JSON and XML writers put exactly `Fields::pairs()` in its order, for
    /// every status (WAIT_PROCESS with `idcard` too) and for input that needs escaping.
    #[test]
    fn writers_follow_the_pairs() {
        let resolver = Resolver::as_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let answers = [
            (resolver.resolve("110101199001011114"), "110101199001011114"),
            (resolver.resolve("119999199001011111"), "119999199001011111"),
            (resolver.resolve("<\"bad\">\\"), "<\"bad\">\\"),
            (
                Resolution::wait_process(Some(number())),
                "110101199001011114",
            ),
        ];
        for (r, input) in &answers {
            let fields = Fields::new(r, input);
            let mut json = String::from("{\"success\":\"1\",\"result\":{");
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success><result>",
            );
            for (i, (k, v)) in fields.pairs().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(&format!("\"{k}\":"));
                push_json_str(&mut json, v);
                xml.push_str(&format!("<{k}>"));
                push_xml_text(&mut xml, v);
                xml.push_str(&format!("</{k}>"));
            }
            json.push_str("}}");
            xml.push_str("</result></root>");
            let (mut j, mut x) = (String::new(), String::new());
            write_json(&mut j, &fields);
            write_xml(&mut x, &fields);
            assert_eq!(j, json, "{input}");
            assert_eq!(x, xml, "{input}");
        }
    }

    /// A region from the web API is written field by field: a line break in it is escaped
    /// in XML and JSON as in the caller's input, and every answer stays one line.
    #[test]
    fn line_breaks_in_a_remote_region_stay_escaped() {
        let fields = crate::RegionFields {
            att: "北京市\r\n东城区".into(),
            postno: "100000".into(),
            areano: "010\n".into(),
            style_simcall: "中国,北京\r".into(),
            style_citynm: "中华人民共和国,\n北京市".into(),
        };
        let region = Region::from_fields(110101, fields, Source::Remote);
        let r = Resolution::already_att(number(), region);
        for format in [Format::Json, Format::Xml] {
            let mut out = String::new();
            write(&mut out, format, &Fields::new(&r, "110101199001011114"));
            assert!(!out.contains(['\n', '\r']), "{out:?}");
        }
        let mut xml = String::new();
        write_xml(&mut xml, &Fields::new(&r, "x"));
        assert!(xml.contains("<att>北京市&#13;&#10;东城区</att>"), "{xml}");
    }

    #[test]
    fn born_push_to_writes_as_str() {
        for ymd in [(1990, 1, 1), (1800, 12, 31), (2026, 2, 28), (9999, 9, 9)] {
            let born = Born::from_ymd(ymd);
            let mut out = String::from("x");
            born.push_to(&mut out);
            assert_eq!(&out[1..], born.as_str());
            assert_eq!(born.as_bytes(), born.as_str().as_bytes());
        }
        assert_eq!(Born::from_ymd((1990, 1, 31)).as_str(), "1990年01月31日");
        let mut out = String::new();
        Born::EMPTY.push_to(&mut out);
        assert_eq!(out, "");
    }

    #[test]
    fn escape_scan_agrees_with_the_byte_rule() {
        let special = |b: u8| b < 0x20 || matches!(b, b'"' | b'\\' | 0x7f | 0xe2);
        for b in 0..=255u8 {
            for len in [1, 7, 8, 9, 16, 17] {
                for pos in 0..len {
                    let mut v = vec![b'a'; len];
                    v[pos] = b;
                    assert_eq!(
                        needs_json_escape(&v),
                        special(b),
                        "byte {b:#x} at {pos} of {len}"
                    );
                }
            }
        }
        assert!(!needs_json_escape("四川省 南充地区 武胜县".as_bytes()));
        assert!(needs_json_escape("\u{2028}".as_bytes()));
    }

    #[test]
    fn json_escapes() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\nd\u{1}e\u{2028}中");
        assert_eq!(s, r#""a\"b\\c\nd\u0001e\u2028中""#);
    }

    #[test]
    fn xml_escapes() {
        let mut s = String::new();
        push_xml_text(&mut s, "<a&'\"\u{1}>\r\n\t");
        assert_eq!(s, "&lt;a&amp;&apos;&quot;\u{fffd}&gt;&#13;&#10;\t");
    }

    #[test]
    fn born_form() {
        assert_eq!(Born::from_ymd((1987, 11, 3)).as_str(), "1987年11月03日");
    }

    #[test]
    fn callback_rules() {
        for ok in ["cb", "_x", "$", "a.b.c", "jQuery1_2"] {
            assert!(Callback::new(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(65);
        for bad in [
            "",
            "1a",
            ".a",
            "a b",
            "a(b)",
            "a;b",
            "a<",
            long.as_str(),
            "é",
        ] {
            assert!(Callback::new(bad).is_err(), "{bad}");
        }
    }
}
