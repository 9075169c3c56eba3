//! cnid for JavaScript (browser and Node.js) through wasm-bindgen: every answer is computed
//! in the caller's process; nothing is sent anywhere.
//!
//! Answers cross the boundary as JSON text, parsed by the typed wrapper (`web/index.js`,
//! `web/index.d.ts`). A browser has no system clock for WebAssembly: "today" (the latest
//! birth date allowed) comes from the caller as `YYYY-MM-DD`.

// wasm-bindgen's generated glue needs no `unsafe` in this crate; the library forbids it too.
#![forbid(unsafe_code)]

use chrono::NaiveDate;
use wasm_bindgen::prelude::*;

fn resolver(today: &str) -> Result<cnid::Resolver, JsError> {
    let date = NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .map_err(|_| JsError::new("today: expected YYYY-MM-DD"))?;
    Ok(cnid::Resolver::as_of(date))
}

/// The web API's JSON answer (`{"success":"1","result":{…}}`) for one number.
///
/// # Errors
/// A `today` that is not `YYYY-MM-DD`.
#[wasm_bindgen(js_name = lookupJson)]
pub fn lookup_json(input: &str, today: &str) -> Result<String, JsError> {
    let resolution = resolver(today)?.resolve(input);
    let mut out = String::with_capacity(320);
    cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&resolution, input));
    Ok(out)
}

/// cnid's own answer for one input: the document kind, the web API's status and
/// fields, why a number is wrong, and what another document's number says.
///
/// # Errors
/// A `today` that is not `YYYY-MM-DD`.
#[wasm_bindgen(js_name = detailJson)]
pub fn detail_json(input: &str, today: &str) -> Result<String, JsError> {
    let r = resolver(today)?;
    let date = r.today().expect("set above");
    let resolution = r.resolve(input);
    let doc = cnid::Document::parse_as_of(input, date);
    let f = cnid::wire::Fields::new(&resolution, input);
    let mut m = serde_json::Map::new();
    m.insert(
        "kind".into(),
        doc.as_ref()
            .map_or(serde_json::Value::Null, |d| d.kind().as_str().into()),
    );
    m.insert(
        "kind_zh".into(),
        doc.as_ref()
            .map_or(serde_json::Value::Null, |d| d.kind().name_zh().into()),
    );
    m.insert("status".into(), resolution.status().as_str().into());
    for (k, v) in f.pairs() {
        if k != "status" {
            m.insert(k.into(), v.into());
        }
    }
    let error = resolution
        .document_error()
        .map(ToString::to_string)
        .or_else(|| resolution.error().map(ToString::to_string));
    let error = match (&doc, error) {
        // Another document's valid number: the resident-ID reason would mislead.
        (Ok(_), _) => None,
        (Err(e), None) => Some(e.to_string()),
        (Err(_), e) => e,
    };
    m.insert("error".into(), error.into());
    let age = resolution
        .number()
        .and_then(|n| n.age_on(date))
        .or_else(|| resolution.foreign_permanent().and_then(|f| f.age_on(date)));
    m.insert("age".into(), age.into());
    if let Ok(d) = &doc {
        m.insert(
            "document".into(),
            serde_json::to_value(d).unwrap_or_default(),
        );
    }
    Ok(serde_json::Value::Object(m).to_string())
}

/// Answers for many numbers at once, one per line of `text` (the first field of each CSV
/// line; a first line whose first field holds text but no digit is a header, skipped): JSON lines of
/// [`lookup_json`], in order, one per input line, blank lines kept as blank answers.
///
/// # Errors
/// A `today` that is not `YYYY-MM-DD`.
#[wasm_bindgen(js_name = lookupMany)]
pub fn lookup_many(text: &str, today: &str) -> Result<String, JsError> {
    let r = resolver(today)?;
    let mut out = String::with_capacity(text.len() * 8);
    for (i, line) in text.lines().enumerate() {
        let first = first_field(line);
        if i == 0 && !first.trim().is_empty() && !first.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        if !first.trim().is_empty() {
            let resolution = r.resolve(first);
            cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&resolution, first));
        }
        out.push('\n');
    }
    Ok(out)
}

/// The first field of a CSV line, without its quotes.
fn first_field(line: &str) -> &str {
    let line = line.strip_suffix('\r').unwrap_or(line);
    match line.strip_prefix('"') {
        Some(rest) => rest.split('"').next().unwrap_or(""),
        None => line.split([',', '\t', ';']).next().unwrap_or(""),
    }
}

/// The version of cnid and of its region data (`0.1.0 (data: …, N codes)`).
#[wasm_bindgen]
pub fn version() -> String {
    format!(
        "{} (data: {}, {} codes)",
        env!("CARGO_PKG_VERSION"),
        cnid::DATA_VERSION,
        cnid::CODE_COUNT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fields() {
        assert_eq!(first_field("110101199001011114,x"), "110101199001011114");
        assert_eq!(
            first_field("\"110101199001011114\",x"),
            "110101199001011114"
        );
        assert_eq!(first_field("a\tb"), "a");
        assert_eq!(first_field("x;y\r"), "x");
    }

    #[test]
    fn many_keeps_one_answer_per_line() {
        let out = lookup_many(
            "id,name\n110101199001011114,a\n\n110101199001011112\n",
            "2026-01-01",
        )
        .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("ALREADY_ATT"));
        assert!(lines[1].is_empty());
        assert!(lines[2].contains("WRONG_IDCARD"));
    }

    #[test]
    fn detail_names_the_kind() {
        let d = detail_json("A123456(3)", "2026-01-01").unwrap();
        assert!(d.contains(r#""kind":"hong_kong_id""#), "{d}");
        assert!(d.contains(r#""error":null"#), "{d}");
        let d = detail_json("110101199001011114", "2026-01-02").unwrap();
        assert!(d.contains(r#""age":36"#), "{d}");
    }
}
