//! The remote fallback's answer parser on any body: no panic, and an error message never
//! holds the number asked about or more than 4 characters of a credential.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NUMBER: &str = "110101199001010015";
const APPKEY: &str = "10003";
const SIGN: &str = "b59bc3ef6191eb9f747dd4e83c99f2a4";

fuzz_target!(|data: &[u8]| {
    // Half the time inside a well-formed envelope, so the parser gets past the JSON.
    let body: Vec<u8> = match data.split_first() {
        Some((&b, rest)) if b % 2 == 0 => {
            let text = String::from_utf8_lossy(rest);
            let msg = serde_json::to_string(&*text).unwrap();
            format!(r#"{{"success":"0","msgid":"1000555","msg":{msg}}}"#).into_bytes()
        }
        Some((&b, rest)) if b % 4 == 1 => {
            let text = String::from_utf8_lossy(rest);
            let att = serde_json::to_string(&*text).unwrap();
            format!(
                r#"{{"success":"1","result":{{"status":"ALREADY_ATT","att":{att},"postno":1}}}}"#
            )
            .into_bytes()
        }
        Some((_, rest)) => rest.to_vec(),
        None => Vec::new(),
    };
    match cnid::remote::fuzz_parse_answer(&body, NUMBER, [APPKEY, SIGN]) {
        Ok(()) => {}
        Err(message) => {
            assert!(!message.contains(NUMBER), "{message}");
            // No piece of the sign longer than 4 characters.
            for w in 5..=SIGN.len() {
                for piece in SIGN.as_bytes().windows(w) {
                    let piece = std::str::from_utf8(piece).unwrap();
                    assert!(!message.contains(piece), "{piece} in {message}");
                }
            }
            assert!(!message.contains(APPKEY), "{message}");
        }
    }
});
