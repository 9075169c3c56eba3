//! The web API's writers on any input: the JSON parses and gives back what went in, the
//! JSONP is a safe callback around that JSON, the XML is well-formed and gives back the
//! input (characters XML cannot carry become U+FFFD), and the error envelope round-trips.
#![no_main]

use chrono::NaiveDate;
use cnid::wire::{self, Callback, Fields, Format};
use cnid::Resolver;
use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;

/// The text of every element named `name` in `xml`, unescaped; panics if not well-formed.
fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut depth = 0usize;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                if e.name().as_ref() == name.as_bytes() {
                    inside = true;
                    out.push(String::new());
                }
            }
            Event::End(e) => {
                depth -= 1;
                if e.name().as_ref() == name.as_bytes() {
                    inside = false;
                }
            }
            Event::Text(t) if inside => {
                out.last_mut()
                    .unwrap()
                    .push_str(&t.unescape().expect("escapes"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "balanced");
    out
}

/// What XML 1.0 can carry of `s`, as the writer is meant to: the rest becomes U+FFFD.
fn xml_form(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let resolver = Resolver::as_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let r = resolver.resolve(input);
    let fields = Fields::new(&r, input);
    let idcard = fields.idcard();

    let mut json = String::new();
    wire::write_json(&mut json, &fields);
    let v: serde_json::Value = serde_json::from_str(&json).expect("the JSON parses");
    assert_eq!(v["success"], "1");
    assert_eq!(v["result"]["status"], r.status().as_str());
    assert_eq!(v["result"]["idcard"], idcard);
    for (k, value) in fields.pairs() {
        assert_eq!(v["result"][k], value, "{k}");
    }
    assert!(
        !json.contains('\u{2028}') && !json.contains('\u{2029}'),
        "JSONP-safe"
    );

    // JSONP with a callback name taken from the input: only safe names are accepted.
    let name: String = input.chars().take(70).collect();
    if let Ok(cb) = Callback::new(&name) {
        assert!(cb
            .as_str()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_$.".contains(c)));
        let mut jsonp = String::new();
        wire::write_jsonp(&mut jsonp, &cb, &fields);
        let inner = jsonp
            .strip_prefix(cb.as_str())
            .and_then(|s| s.strip_prefix('('))
            .and_then(|s| s.strip_suffix(')'))
            .expect("callback(json)");
        assert_eq!(inner, json);
        let mut error = String::new();
        wire::write_error_jsonp(&mut error, &cb, "1000555", input);
        let inner = error
            .strip_prefix(cb.as_str())
            .and_then(|s| s.strip_prefix('('))
            .and_then(|s| s.strip_suffix(')'))
            .expect("callback(json)");
        let v: serde_json::Value = serde_json::from_str(inner).expect("the JSON parses");
        assert_eq!(v["msg"], input);
    }

    let mut xml = String::new();
    wire::write_xml(&mut xml, &fields);
    assert_eq!(xml_texts(&xml, "idcard"), vec![xml_form(idcard)]);
    assert_eq!(
        xml_texts(&xml, "status"),
        vec![r.status().as_str().to_owned()]
    );

    // The error envelope, with the input as the message.
    for format in [Format::Json, Format::Xml] {
        let mut out = String::new();
        wire::write_error(&mut out, format, "1000555", input);
        match format {
            Format::Json => {
                let v: serde_json::Value = serde_json::from_str(&out).expect("the JSON parses");
                assert_eq!(v["success"], "0");
                assert_eq!(v["msg"], input);
            }
            Format::Xml => assert_eq!(xml_texts(&out, "msg"), vec![xml_form(input)]),
        }
    }
});
