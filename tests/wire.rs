//! The web API's answers, byte for byte as `idcard.get` documents them.

use chrono::NaiveDate;
use cnid::wire::{self, Callback, Fields, Format};
use cnid::{Region, Resolver, Status};

fn resolver() -> Resolver {
    Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())
}

fn json(input: &str) -> String {
    let r = resolver().resolve(input);
    let mut out = String::new();
    wire::write_json(&mut out, &Fields::new(&r, input));
    out
}

/// Removes the seed's layout (new lines and indentation outside strings) and comments.
fn compact(pretty: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut chars = pretty.chars().peekable();
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == '/' && chars.peek() == Some(&'*') {
            for d in chars.by_ref() {
                if d == '/' {
                    break;
                }
            }
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The seed's example 1, as printed in the web API's documentation.
const SEED_ALREADY_ATT: &str = r#"{
    "success": "1",
    "result": {
        "status": "ALREADY_ATT", /*状态*/
        "idcard": "110101199001011114", /*查询的身份证号码*/
        "par": "110101", /*身份证前缀*/
        "born": "1990年01月01日", /*出生年月日*/
        "sex": "男", /*性别*/
        "att": "北京市 东城区 ", /*归属地*/
        "postno": "100000", /*邮编*/
        "areano": "010", /*区号*/
        "style_simcall": "中国,北京", /*地区1*/
        "style_citynm": "中华人民共和国,北京市" /*地区2*/
    }
}"#;

/// The seed's example 4.
const SEED_WRONG_IDCARD: &str = r#"{
    "success":"1",
    "result":{
        "status": "WRONG_IDCARD",
        "idcard": "110101199001011112",
        "par": "",
        "born": "",
        "sex": "",
        "att": "",
        "postno": "",
        "areano": "",
        "style_simcall": "",
        "style_citynm": "",
        "msg": "身份证号码不正确"
    }
}"#;

#[test]
fn seed_already_att_exactly() {
    assert_eq!(json("110101199001011114"), compact(SEED_ALREADY_ATT));
}

#[test]
fn seed_wrong_idcard_exactly() {
    assert_eq!(json("110101199001011112"), compact(SEED_WRONG_IDCARD));
}

fn with_check(body: &str) -> String {
    let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", cnid::check_character(b).unwrap())
}

#[test]
fn not_att_shape() {
    // 119999: province 11 exists, the code does not.
    assert!(Region::lookup(119_999).is_none());
    let n = with_check("11999919900101111");
    let expected = format!(
        r#"{{"success":"1","result":{{"status":"NOT_ATT","idcard":"{n}","par":"","born":"","sex":"","att":"","postno":"","areano":"","style_simcall":"","style_citynm":"","msg":"暂无归属地信息"}}}}"#
    );
    assert_eq!(json(&n), expected);
    assert_eq!(resolver().resolve(&n).status(), Status::NotAtt);
}

#[test]
fn wait_process_has_all_ten_keys_with_idcard() {
    let r = cnid::Resolution::wait_process(None);
    let mut out = String::new();
    wire::write_json(&mut out, &Fields::new(&r, "110101199001011114"));
    assert_eq!(
        out,
        r#"{"success":"1","result":{"status":"WAIT_PROCESS","idcard":"110101199001011114","par":"","born":"","sex":"","att":"","postno":"","areano":"","style_simcall":"","style_citynm":"","msg":"wait process"}}"#
    );
}

#[test]
fn abolished_code_uses_era_names_and_modern_city() {
    let out = json("512928199001011114");
    assert_eq!(
        out,
        r#"{"success":"1","result":{"status":"ALREADY_ATT","idcard":"512928199001011114","par":"512928","born":"1990年01月01日","sex":"男","att":"四川省 南充地区 武胜县","postno":"637000","areano":"0817","style_simcall":"中国,四川,南充","style_citynm":"中华人民共和国,四川省,南充市"}}"#
    );
}

#[test]
fn att_always_has_three_slots() {
    for region in Region::all() {
        let att = region.att();
        assert_eq!(att.matches(' ').count(), 2, "{:06} {att:?}", region.code());
        assert!(!att.starts_with(' '), "{:06} {att:?}", region.code());
    }
}

#[test]
fn province_and_prefecture_codes_leave_slots_empty() {
    let p = Region::lookup(130_000).expect("河北省");
    assert_eq!(p.att(), "河北省  ");
    let c = Region::lookup(440_300).expect("深圳市");
    assert_eq!(c.att(), "广东省 深圳市 ");
}

#[test]
fn fifteen_digit_answer_echoes_input_and_uses_19xx() {
    let out = json("110101900101111");
    assert!(
        out.contains(
            r#""idcard":"110101900101111","par":"110101","born":"1990年01月01日","sex":"男""#
        ),
        "{out}"
    );
}

#[test]
fn idcard_echo_is_escaped() {
    let out = json("\"<&>\\");
    assert!(out.contains(r#""idcard":"\"<&>\\""#), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"]["idcard"], "\"<&>\\");
}

#[test]
fn xml_answer() {
    let r = resolver().resolve("110101199001011114");
    let mut out = String::new();
    wire::write(
        &mut out,
        Format::Xml,
        &Fields::new(&r, "110101199001011114"),
    );
    assert_eq!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success><result>\
         <status>ALREADY_ATT</status><idcard>110101199001011114</idcard><par>110101</par>\
         <born>1990年01月01日</born><sex>男</sex><att>北京市 东城区 </att><postno>100000</postno>\
         <areano>010</areano><style_simcall>中国,北京</style_simcall>\
         <style_citynm>中华人民共和国,北京市</style_citynm></result></root>"
    );
    let r = resolver().resolve("<bad>");
    out.clear();
    wire::write_xml(&mut out, &Fields::new(&r, "<bad>"));
    assert!(
        out.contains("<idcard>&lt;bad&gt;</idcard><par></par>"),
        "{out}"
    );
    assert!(out.ends_with("<msg>身份证号码不正确</msg></result></root>"));
}

#[test]
fn jsonp_answer() {
    let r = resolver().resolve("110101199001011114");
    let cb = Callback::new("jQuery_1.cb").unwrap();
    let mut out = String::new();
    wire::write_jsonp(&mut out, &cb, &Fields::new(&r, "110101199001011114"));
    assert_eq!(out, format!("jQuery_1.cb({})", json("110101199001011114")));
    assert!(Callback::new("x);alert(1").is_err());
}

#[test]
fn system_error_envelope() {
    let mut out = String::new();
    wire::write_error(&mut out, Format::Json, "1000555", "SIGN_INVALID");
    assert_eq!(
        out,
        r#"{"success":"0","msgid":"1000555","msg":"SIGN_INVALID"}"#
    );
    out.clear();
    wire::write_error(&mut out, Format::Xml, "1000555", "SIGN_INVALID");
    assert_eq!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>0</success><msgid>1000555</msgid><msg>SIGN_INVALID</msg></root>"
    );
}

#[test]
fn every_answer_is_valid_json_with_the_seed_keys() {
    for input in [
        "110101199001011114",
        "110101199001011112",
        "",
        "x",
        "11999919900101111X",
    ] {
        let v: serde_json::Value = serde_json::from_str(&json(input)).unwrap();
        assert_eq!(v["success"], "1");
        let result = v["result"].as_object().unwrap();
        let keys: Vec<&str> = result.keys().map(String::as_str).collect();
        for k in [
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
        ] {
            assert!(keys.contains(&k), "{k} missing for {input:?}");
        }
    }
}
#[test]
fn system_error_as_jsonp_with_the_providers_msgids() {
    let cb = Callback::new("cb").unwrap();
    let mut out = String::new();
    wire::write_error_jsonp(
        &mut out,
        &cb,
        wire::MSGID_NO_SUCH_APP,
        wire::MSG_NO_SUCH_APP,
    );
    assert_eq!(
        out,
        r#"cb({"success":"0","msgid":"1000501","msg":"请求接口不存在"})"#
    );
    assert_eq!(
        (wire::MSGID_SIGN_INVALID, wire::MSG_SIGN_INVALID),
        ("1000555", "SIGN_INVALID")
    );
}

/// The elements of an XML document with their text, as a conforming parser reads them
/// (quick-xml: line ends normalised, character and entity references resolved).
fn parse_xml(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}: {xml}")) {
            Event::Start(_) => text.clear(),
            Event::Text(t) => text.push_str(&t.xml_content().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => text.push_str(match &*r.decode().unwrap() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("undeclared entity {other} in {xml}"),
                }),
            },
            Event::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                elements.push((name, std::mem::take(&mut text)));
            }
            Event::Eof => return elements,
            _ => {}
        }
    }
}

/// An input holding line breaks (a pasted cell, a CRLF file read raw) is echoed in
/// `idcard`: the XML answer stays one line and a parser reads back the very same text.
/// (A region from the web API, written field by field, is checked in src/wire.rs.)
#[test]
fn xml_with_line_breaks_is_one_line_and_reads_back_the_same_text() {
    let answers = [
        "1101\n0119900101\r1114",
        "a\r\nb<&>\r",
        "\n110101199001011114\r\n",
    ]
    .map(|input| (resolver().resolve(input), input));
    for (r, input) in &answers {
        let fields = Fields::new(r, input);
        let mut xml = String::new();
        wire::write_xml(&mut xml, &fields);
        assert!(!xml.contains(['\n', '\r']), "{xml:?}");
        let parsed = parse_xml(&xml);
        let result: Vec<(&str, &str)> = parsed
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "success" | "result" | "root"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(result, fields.pairs().collect::<Vec<_>>(), "{xml}");
        // The same answer in JSON escapes them too and reads back the same.
        let mut json = String::new();
        wire::write_json(&mut json, &fields);
        assert!(!json.contains(['\n', '\r']), "{json:?}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for (k, value) in fields.pairs() {
            assert_eq!(v["result"][k], value, "{json}");
        }
    }
    // The error envelope too.
    let mut xml = String::new();
    wire::write_error(&mut xml, Format::Xml, "1\n2", "a\rb");
    assert!(!xml.contains(['\n', '\r']), "{xml:?}");
    let parsed = parse_xml(&xml);
    assert!(parsed.contains(&("msgid".into(), "1\n2".into())), "{xml}");
    assert!(parsed.contains(&("msg".into(), "a\rb".into())), "{xml}");
}

/// JSON has no raw control character at all: each is escaped and reads back the same.
#[test]
fn json_escapes_every_control_character() {
    let input: String = (0u8..0x20)
        .chain([0x7f])
        .map(char::from)
        .chain(['\u{2028}', '\u{2029}', '"', '\\'])
        .collect();
    let input = format!("x{input}x");
    let r = resolver().resolve(&input);
    let mut json = String::new();
    wire::write_json(&mut json, &Fields::new(&r, &input));
    assert!(!json.chars().any(|c| c.is_control()), "{json:?}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["result"]["idcard"], input);
}
