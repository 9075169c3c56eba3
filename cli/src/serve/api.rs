//! `idcard.get`: from the parameters to the answer's body, as the web API answers.

use cnid::wire::{self, Callback, Fields, Format};

use super::metrics::Outcome;
use super::query::Params;
use super::response::{self, JAVASCRIPT, JSON, XML};
use crate::Engine;

/// An `appkey` and its `sign`, one pair the server accepts (`--require-key APPKEY:SIGN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    appkey: String,
    sign: String,
}

impl std::str::FromStr for Key {
    type Err = String;

    fn from_str(s: &str) -> Result<Key, String> {
        match s.split_once(':') {
            Some((appkey, sign)) if !appkey.is_empty() && !sign.is_empty() => Ok(Key {
                appkey: appkey.to_owned(),
                sign: sign.to_owned(),
            }),
            _ => Err("expected APPKEY:SIGN, both non-empty".to_owned()),
        }
    }
}

/// Compares without stopping at the first difference, so the time taken does not tell an
/// attacker how much of a sign was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What answers: the engine and the keys it requires (none: open to all).
#[derive(Debug)]
pub struct Api {
    pub engine: Engine,
    pub keys: Vec<Key>,
}

/// What [`Api::answer`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    pub content_type: &'static str,
    pub outcome: Outcome,
}

impl Api {
    /// Writes the answer for `params` into `body`. Every protocol-level outcome, errors
    /// included, is an HTTP 200 with `success` telling them apart.
    pub fn answer(&self, params: &Params<'_>, body: &mut String) -> Answered {
        let format = match Params::get(&params.format) {
            f if f.eq_ignore_ascii_case("xml") => Format::Xml,
            _ => Format::Json,
        };
        // An unsafe callback name is never reflected: the answer is then plain JSON.
        let callback = match (format, params.jsoncallback.as_deref()) {
            (Format::Json, Some(name)) if !name.is_empty() => Callback::new(name).ok(),
            _ => None,
        };
        let error = |body: &mut String, msgid: &str, msg: &str| Answered {
            content_type: response::envelope(body, format, callback.as_ref(), msgid, msg),
            outcome: Outcome::Error,
        };
        if Params::get(&params.app) != "idcard.get" {
            return error(body, wire::MSGID_NO_SUCH_APP, wire::MSG_NO_SUCH_APP);
        }
        if !self.keys.is_empty() {
            let appkey = Params::get(&params.appkey);
            let sign = Params::get(&params.sign);
            let ok = self.keys.iter().fold(false, |ok, k| {
                ok | (same(&k.appkey, appkey) & same(&k.sign, sign))
            });
            if !ok {
                return error(body, wire::MSGID_SIGN_INVALID, wire::MSG_SIGN_INVALID);
            }
        }
        // No idcard at all is a wrong number, as the web API answers it.
        let idcard = Params::get(&params.idcard);
        let resolution = self.engine.resolve(idcard);
        let fields = Fields::new(&resolution, idcard);
        let content_type = match (&callback, format) {
            (Some(cb), _) => {
                wire::write_jsonp(body, cb, &fields);
                JAVASCRIPT
            }
            (None, Format::Json) => {
                wire::write_json(body, &fields);
                JSON
            }
            (None, Format::Xml) => {
                wire::write_xml(body, &fields);
                XML
            }
        };
        Answered {
            content_type,
            outcome: Outcome::Answer(resolution.status()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn api(keys: &[&str]) -> Api {
        Api {
            engine: Engine::Local(cnid::Resolver::new()),
            keys: keys.iter().map(|k| k.parse().unwrap()).collect(),
        }
    }

    fn params(form: &str) -> Params<'_> {
        let mut p = Params::default();
        p.add_form(form.as_bytes());
        p
    }

    #[test]
    fn keys_parse() {
        assert!("a:b".parse::<Key>().is_ok());
        assert_eq!("a:b:c".parse::<Key>().map(|k| k.sign), Ok("b:c".to_owned()));
        for bad in ["ab", ":b", "a:", ""] {
            assert!(bad.parse::<Key>().is_err(), "{bad}");
        }
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn errors_and_answers() {
        let mut body = String::new();
        let a = api(&["k1:s1", "k2:s2"]);
        let got = a.answer(
            &params("app=idcard.get&appkey=k2&sign=s2&idcard=110101199001011114"),
            &mut body,
        );
        assert_eq!(got.outcome, Outcome::Answer(cnid::Status::AlreadyAtt));
        assert!(body.starts_with(r#"{"success":"1""#));
        for wrong in [
            "app=idcard.get&appkey=k1&sign=s2",
            "app=idcard.get",
            "app=idcard.get&appkey=k1",
        ] {
            body.clear();
            let got = a.answer(&params(wrong), &mut body);
            assert_eq!(got.outcome, Outcome::Error, "{wrong}");
            assert_eq!(
                body,
                r#"{"success":"0","msgid":"1000555","msg":"SIGN_INVALID"}"#
            );
        }
        body.clear();
        let mut p = params("app=idcard.get&idcard=1");
        p.app = Some(Cow::Borrowed("phone.get"));
        api(&[]).answer(&p, &mut body);
        assert_eq!(
            body,
            r#"{"success":"0","msgid":"1000501","msg":"请求接口不存在"}"#
        );
    }
}
