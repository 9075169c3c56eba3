//! The server's request parameter parser (cli/src/serve/query.rs, compiled into the target
//! as it is) on any query string, form, JSON or multipart body: no panic; percent-encoded
//! text decodes back to itself, and the last of a repeated name wins.
#![no_main]

#[allow(dead_code)]
#[path = "../../cli/src/serve/query.rs"]
mod query;

use libfuzzer_sys::fuzz_target;
use query::{decode, Params};

/// Every byte as `%XX`.
fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut params = Params::default();
    match mode % 4 {
        0 => params.add_form(rest),
        1 => {
            let _ = params.add_json(rest);
        }
        2 => {
            let n = rest.first().map_or(0, |&b| usize::from(b % 24));
            let body = rest.get(1..).unwrap_or_default();
            let (boundary, body) = body.split_at(n.min(body.len()));
            params.add_multipart(body, &String::from_utf8_lossy(boundary));
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let encoded = encode(&text);
            assert_eq!(decode(encoded.as_bytes()), text);
            let (first, second) = text.split_at(
                text.char_indices()
                    .nth(text.chars().count() / 2)
                    .map_or(0, |(i, _)| i),
            );
            let form = format!("idcard={}&&sign=x&idcard={}", encode(first), encode(second));
            params.add_form(form.as_bytes());
            assert_eq!(Params::get(&params.idcard), second);
            assert_eq!(Params::get(&params.sign), "x");
            return;
        }
    }
    for value in [
        &params.app,
        &params.idcard,
        &params.appkey,
        &params.sign,
        &params.format,
        &params.jsoncallback,
    ] {
        let _ = Params::get(value).len();
    }
});
