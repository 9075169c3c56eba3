//! The web API's answer: from the body to what it says about a prefix, and error messages
//! with every secret removed.

use crate::{Region, RegionFields, Source, Status};

use super::RemoteError;

/// The longest message kept from a `"success":"0"` answer, in characters (after the
/// secrets are removed).
const MSG_LIMIT: usize = 200;
/// The longest `msgid` kept, in characters.
const MSGID_LIMIT: usize = 32;
/// Any piece of a credential this long is hidden too (the web API may echo a cut or
/// changed credential): at most 4 characters of one ever show.
const CREDENTIAL_PIECE: usize = 5;

/// What the web API said about a prefix.
#[derive(Debug, Clone)]
pub(super) enum Found {
    Att(Region),
    /// `NOT_ATT`, and whether it may be cached for the prefix.
    NotAtt {
        cache: bool,
    },
    Wait,
}

pub(super) type Outcome = Result<Found, RemoteError>;

/// What must never reach an error message: the ID numbers (the caller's and the one sent)
/// and the credentials.
#[derive(Debug, Clone, Copy)]
pub(super) struct Secrets<'a> {
    pub(super) numbers: [&'a str; 2],
    pub(super) credentials: [&'a str; 2],
}

/// A credential as an error may show it: at most 4 characters (a quarter of a short
/// one), then `…`.
fn hide(credential: &str) -> String {
    let keep = (credential.chars().count() / 4).min(4);
    let mut out: String = credential.chars().take(keep).collect();
    out.push('…');
    out
}

/// `text` with every secret removed: a number is masked (`110101********1114`), a
/// credential shows 4 characters at most (`b59b…`), any piece of 5 or more characters of a
/// credential is hidden (`***`), and anything that looks like an ID number is masked too.
pub(super) fn redact(text: &str, secrets: &Secrets<'_>) -> String {
    let mut out = text.to_owned();
    for s in secrets.numbers.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, &crate::mask(s));
    }
    for s in secrets.credentials.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, &hide(s));
    }
    let out = hide_pieces(&out, &secrets.credentials);
    // Runs of 15 or more digits (with a trailing X) are masked as numbers.
    let mut result = String::with_capacity(out.len());
    let chars: Vec<char> = out.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || (i > start && chars[i] == 'X')) {
            i += 1;
        }
        if i > start {
            let run: String = chars[start..i].iter().collect();
            if run.len() >= 15 {
                result.push_str(&crate::mask(&run));
            } else {
                result.push_str(&run);
            }
        } else {
            result.push(chars[i]);
            i += 1;
        }
    }
    result
}

/// `text` with every piece of [`CREDENTIAL_PIECE`] or more bytes of a credential replaced
/// by `***`.
fn hide_pieces(text: &str, credentials: &[&str]) -> String {
    let bytes = text.as_bytes();
    let mut hidden = vec![false; bytes.len()];
    for c in credentials.iter().filter(|c| c.len() >= CREDENTIAL_PIECE) {
        for piece in c.as_bytes().windows(CREDENTIAL_PIECE) {
            for at in 0..bytes.len().saturating_sub(CREDENTIAL_PIECE - 1) {
                if &bytes[at..at + CREDENTIAL_PIECE] == piece {
                    hidden[at..at + CREDENTIAL_PIECE].fill(true);
                }
            }
        }
    }
    if !hidden.contains(&true) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_hidden = false;
    for (at, c) in text.char_indices() {
        if hidden[at..at + c.len_utf8()].contains(&true) {
            if !in_hidden {
                out.push_str("***");
            }
            in_hidden = true;
        } else {
            out.push(c);
            in_hidden = false;
        }
    }
    out
}

/// `text` with the secrets removed, then cut to `limit` characters: cutting first could
/// leave the start of a secret that no longer matches.
fn redact_and_cut(text: &str, secrets: &Secrets<'_>, limit: usize) -> String {
    redact(text, secrets).chars().take(limit).collect()
}

/// A JSON value as text: strings as they are, numbers printed, anything else empty.
fn text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What an answer body says about the prefix of `code`. `full_number`: the caller's own
/// number was sent (a `WRONG_IDCARD` may then be about more than the prefix).
pub(super) fn parse_answer(
    body: &[u8],
    code: u32,
    full_number: bool,
    secrets: &Secrets<'_>,
) -> Outcome {
    let malformed = |why: &str| RemoteError::Malformed(why.to_owned());
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        RemoteError::Malformed(format!(
            "not json (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let obj = value
        .as_object()
        .ok_or_else(|| malformed("not a json object"))?;
    match text(obj.get("success")).as_str() {
        "1" => {}
        "0" => {
            return Err(RemoteError::Api {
                msgid: redact_and_cut(&text(obj.get("msgid")), secrets, MSGID_LIMIT),
                msg: redact_and_cut(&text(obj.get("msg")), secrets, MSG_LIMIT),
            });
        }
        _ => return Err(malformed("no \"success\" of \"1\" or \"0\"")),
    }
    let result = obj
        .get("result")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| malformed("no \"result\" object"))?;
    let status = Status::from_wire(&text(result.get("status")))
        .ok_or_else(|| malformed("unknown or missing \"status\""))?;
    Ok(match status {
        Status::AlreadyAtt => {
            let field = |k: &str| text(result.get(k));
            let fields = RegionFields {
                att: field("att"),
                postno: field("postno"),
                areano: field("areano"),
                style_simcall: field("style_simcall"),
                style_citynm: field("style_citynm"),
            };
            if fields.att.trim().is_empty() {
                return Err(malformed("ALREADY_ATT without \"att\""));
            }
            Found::Att(Region::from_fields(code, fields, Source::Remote))
        }
        Status::NotAtt => Found::NotAtt { cache: true },
        // cnid checked the number (or built it): the web API knows no region for it. With
        // the full number, the objection may be to something else than the prefix.
        Status::WrongIdcard => Found::NotAtt {
            cache: !full_number,
        },
        Status::WaitProcess => Found::Wait,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGN: &str = "b59bc3ef6191eb9f747dd4e83c99f2a4";

    fn secrets() -> Secrets<'static> {
        Secrets {
            numbers: ["110101198506150026", "110101199001010015"],
            credentials: ["10003", SIGN],
        }
    }

    #[test]
    fn redaction() {
        let s = Secrets {
            numbers: ["", ""],
            credentials: ["KEY", "SIG"],
        };
        let r = redact(
            "GET http://h/?idcard=110101198506150026&appkey=KEY&sign=SIG failed 12345",
            &s,
        );
        assert!(!r.contains("110101198506150026") && !r.contains("KEY") && !r.contains("SIG"));
        assert!(
            r.contains("110101********0026") && r.ends_with("12345"),
            "{r}"
        );
        assert_eq!(
            redact("x 11010119850615002X y", &s),
            "x 110101********002X y"
        );
    }

    /// No more than 4 characters of a credential, however the message holds it: whole,
    /// cut by the web API, or cut by our own limit (which used to apply first and left
    /// 15 of the 32 characters of `sign`, and masking showed 10).
    #[test]
    fn credentials_show_four_characters_at_most() {
        let longest_piece = |text: &str| {
            (0..SIGN.len())
                .flat_map(|i| (i + 1..=SIGN.len()).map(move |j| &SIGN[i..j]))
                .filter(|p| text.contains(p))
                .map(str::len)
                .max()
                .unwrap_or(0)
        };
        for pad in [0, 1, 150, 180, 185, 190, 199, 230] {
            let filler = "签".repeat(pad);
            for body in [
                format!("{filler}sign={SIGN}"),
                format!("{filler}sign={}", &SIGN[..20]),
                format!("{filler}sign={} appkey=10003", &SIGN[5..]),
            ] {
                let msg = redact_and_cut(&body, &secrets(), MSG_LIMIT);
                assert!(msg.chars().count() <= MSG_LIMIT);
                assert!(longest_piece(&msg) <= 4, "{pad}: {msg}");
                assert!(!msg.contains("10003"), "{msg}");
            }
        }
        let answer = format!(
            r#"{{"success":"0","msgid":"1000555","msg":"{}SIGN_INVALID sign={SIGN}"}}"#,
            "x".repeat(190)
        );
        let err = parse_answer(answer.as_bytes(), 110_101, false, &secrets()).unwrap_err();
        assert!(longest_piece(&err.to_string()) <= 4, "{err}");
    }
}
