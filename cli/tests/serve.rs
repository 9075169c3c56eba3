//! `cnid serve` on an ephemeral loopback port, checked with a real HTTP client (ureq) and,
//! for what clients send wrongly, by hand over TCP.
#![cfg(feature = "serve")]

mod serve_support;

use std::io::Write;
use std::time::{Duration, Instant};

use serve_support::*;

fn get(server: &Serve, query: &str) -> (u16, String, String) {
    let mut resp = agent().get(server.url(query)).call().unwrap();
    let code = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (code, ct, resp.body_mut().read_to_string().unwrap())
}

const SEED_QUERY: &str =
    "/?app=idcard.get&idcard=110101199001011114&appkey=10003&sign=b59bc3ef6191eb9f747dd4e83c99f2a4&format=json";

// ---------------------------------------------------------------------------------------
// Protocol

#[test]
fn seed_get_answers_byte_for_byte_with_the_headers_clients_need() {
    let server = Serve::start(&["--quiet"]);
    let mut resp = agent().get(server.url(SEED_QUERY)).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/json; charset=utf-8");
    assert_eq!(h["access-control-allow-origin"], "*");
    let body = resp.body_mut().read_to_string().unwrap();
    assert_eq!(body, SEED_ANSWER);
    assert_eq!(h["content-length"], body.len().to_string().as_str());
    assert!(h.get("transfer-encoding").is_none());
}

#[test]
fn post_form_and_json_bodies_answer_like_get() {
    let server = Serve::start(&["--quiet"]);
    let mut resp = agent()
        .post(server.url("/"))
        .send_form([
            ("app", "idcard.get"),
            ("idcard", SEED_ID),
            ("appkey", "10003"),
            ("sign", "b59bc3ef6191eb9f747dd4e83c99f2a4"),
            ("format", "json"),
        ])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.body_mut().read_to_string().unwrap(), SEED_ANSWER);

    let mut resp = agent()
        .post(server.url("/"))
        .header("Content-Type", "application/json; charset=utf-8")
        .send(r#"{"app":"idcard.get","idcard":"110101199001011114","format":"json"}"#)
        .unwrap();
    assert_eq!(resp.body_mut().read_to_string().unwrap(), SEED_ANSWER);

    // Parameters split between the query and the body, as some clients send them.
    let mut resp = agent()
        .post(server.url("/?app=idcard.get&format=json"))
        .send_form([("idcard", SEED_ID)])
        .unwrap();
    assert_eq!(resp.body_mut().read_to_string().unwrap(), SEED_ANSWER);

    // A JSON body that is not an object is a bad request, told in the envelope.
    let mut resp = agent()
        .post(server.url("/"))
        .header("Content-Type", "application/json")
        .send("[1,")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v = assert_client_shape(&resp.body_mut().read_to_string().unwrap());
    assert_eq!(v["success"], "0");
}

/// PHP's curl with an array as `CURLOPT_POSTFIELDS` sends multipart/form-data.
#[test]
fn post_multipart_form_as_php_curl_sends_it() {
    let server = Serve::start(&["--quiet"]);
    let boundary = "------------------------a1b2c3d4e5f6";
    let mut body = String::new();
    for (k, v) in [
        ("app", "idcard.get"),
        ("idcard", SEED_ID),
        ("appkey", "10003"),
        ("sign", "b59bc3ef6191eb9f747dd4e83c99f2a4"),
        ("format", "json"),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let mut resp = agent()
        .post(server.url("/"))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .send(body.as_str())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.body_mut().read_to_string().unwrap(), SEED_ANSWER);
    // Without a boundary the body cannot be read: a bad request, not a guess.
    let r = raw(
        &server.addr,
        b"POST / HTTP/1.1\r\nContent-Type: multipart/form-data\r\nContent-Length: 2\r\n\r\nab",
    );
    assert_eq!(r[0].code, 400);
}

#[test]
fn any_order_empty_segments_and_unknown_parameters() {
    let server = Serve::start(&["--quiet"]);
    for q in [
        "/?format=json&idcard=110101199001011114&app=idcard.get",
        "/?&&app=idcard.get&&idcard=110101199001011114&&",
        "/?app=idcard.get&idcard=110101199001011114&callback=jQuery1&_=1733000000000&foo",
        "/?app=idcard%2Eget&idcard=%31%31%30101199001011114",
    ] {
        let (code, ct, body) = get(&server, q);
        assert_eq!(
            (code, ct.as_str()),
            (200, "application/json; charset=utf-8"),
            "{q}"
        );
        assert_eq!(body, SEED_ANSWER, "{q}");
    }
}

#[test]
fn every_status_has_ten_string_keys_and_success_is_a_string() {
    let server = Serve::start(&["--quiet"]);
    // ALREADY_ATT, NOT_ATT (a valid number of an unknown code), WRONG_IDCARD, missing idcard.
    let unknown_code = format!(
        "11999919900101111{}",
        cnid::check_character(b"11999919900101111").unwrap()
    );
    let cases = [
        (SEED_ID, "ALREADY_ATT"),
        (unknown_code.as_str(), "NOT_ATT"),
        ("110101199001011112", "WRONG_IDCARD"),
        ("%3Cscript%3E", "WRONG_IDCARD"),
    ];
    for (sent, status) in cases {
        let id = sent.replace("%3C", "<").replace("%3E", ">");
        let (code, _, body) = get(&server, &format!("/?app=idcard.get&idcard={sent}"));
        assert_eq!(code, 200);
        let v = assert_client_shape(&body);
        assert_eq!(v["success"], "1");
        assert_eq!(v["result"]["status"], status, "{id}");
        assert_eq!(v["result"]["idcard"], id);
    }
    // Bytes that are not UTF-8 become U+FFFD: a wrong number, still valid JSON.
    let (code, _, body) = get(
        &server,
        "/?app=idcard.get&idcard=%FF%FE1101&jsoncallback=%E2%80%A8",
    );
    assert_eq!(code, 200);
    let v = assert_client_shape(&body);
    assert_eq!(v["result"]["status"], "WRONG_IDCARD");
    assert_eq!(v["result"]["idcard"], "\u{fffd}\u{fffd}1101");
    let (_, _, body) = get(&server, "/?app=idcard.get&format=json");
    let v = assert_client_shape(&body);
    assert_eq!(v["result"]["status"], "WRONG_IDCARD");
    assert_eq!(v["result"]["idcard"], "");
    assert_eq!(v["result"]["msg"], "身份证号码不正确");
}

#[test]
fn xml_is_declared_rooted_success_first_result_last_without_whitespace() {
    let server = Serve::start(&["--quiet"]);
    let (code, ct, body) = get(
        &server,
        "/?app=idcard.get&idcard=110101199001011114&format=xml",
    );
    assert_eq!((code, ct.as_str()), (200, "text/xml; charset=utf-8"));
    let rest = body
        .strip_prefix(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>1</success><result>",
        )
        .unwrap_or_else(|| panic!("{body}"));
    assert!(rest.ends_with("</result></root>"), "{body}");
    assert!(!body.contains("><\n") && !body.contains('\n') && !body.contains("> <"));
    assert!(rest.starts_with("<status>ALREADY_ATT</status><idcard>110101199001011114</idcard>"));
    // Every empty value as <x></x>, never <x/>.
    let (_, _, wrong) = get(&server, "/?app=idcard.get&idcard=1&format=xml");
    assert!(
        wrong.contains("<par></par>") && !wrong.contains("/>"),
        "{wrong}"
    );
    // The error envelope in XML for an XML request.
    let (code, ct, err) = get(&server, "/?app=nope&format=xml");
    assert_eq!((code, ct.as_str()), (200, "text/xml; charset=utf-8"));
    assert_eq!(
        err,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><success>0</success><msgid>1000501</msgid><msg>请求接口不存在</msg></root>"
    );
}

/// A line break in the idcard a client sent (form-encoded as %0D%0A) comes back as a
/// character reference: the XML body stays one line, as `cnid lookup` writes it.
#[test]
fn xml_escapes_line_breaks_in_the_echoed_idcard() {
    let server = Serve::start(&["--quiet"]);
    let (code, _, body) = get(
        &server,
        "/?app=idcard.get&idcard=1101%0D%0A01199001011114&format=xml",
    );
    assert_eq!(code, 200);
    assert!(!body.contains(['\n', '\r']), "{body:?}");
    assert!(
        body.contains("<idcard>1101&#13;&#10;01199001011114</idcard>"),
        "{body}"
    );
    assert!(body.contains("<status>WRONG_IDCARD</status>"), "{body}");
}

#[test]
fn jsonp_with_a_safe_name_and_never_reflecting_another() {
    let server = Serve::start(&["--quiet"]);
    let (code, ct, body) = get(
        &server,
        "/?app=idcard.get&idcard=110101199001011114&jsoncallback=jQuery.cb_1$",
    );
    assert_eq!(
        (code, ct.as_str()),
        (200, "application/javascript; charset=utf-8")
    );
    assert_eq!(body, format!("jQuery.cb_1$({SEED_ANSWER})"));
    // An error reaches the callback too.
    let (_, ct, body) = get(&server, "/?app=x&jsoncallback=cb");
    assert_eq!(ct, "application/javascript; charset=utf-8");
    assert_eq!(
        body,
        r#"cb({"success":"0","msgid":"1000501","msg":"请求接口不存在"})"#
    );
    let long = "a".repeat(65);
    for bad in ["alert(1)//", "a%3Bb", "%3Cscript%3E", "1abc", long.as_str()] {
        let (code, ct, body) = get(
            &server,
            &format!("/?app=idcard.get&idcard=110101199001011114&jsoncallback={bad}"),
        );
        assert_eq!(
            (code, ct.as_str()),
            (200, "application/json; charset=utf-8"),
            "{bad}"
        );
        assert_eq!(body, SEED_ANSWER, "{bad}");
    }
}

#[test]
fn head_options_healthz_unknown_path_and_method() {
    let server = Serve::start(&["--quiet"]);
    let (code, ct, body) = get(&server, "/healthz");
    assert_eq!(
        (code, ct.as_str(), body.as_str()),
        (200, "text/plain; charset=utf-8", "ok\n")
    );

    let mut s = connect(&server.addr);
    s.write_all(b"HEAD /?app=idcard.get&idcard=110101199001011114 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let head = String::from_utf8(read_to_close(&mut s)).unwrap();
    let length = format!("\r\nContent-Length: {}\r\n", SEED_ANSWER.len());
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\n") && head.contains(&length),
        "{head}"
    );
    assert!(head.ends_with("\r\n\r\n"), "a head and no body: {head}");
    let preflight = raw(
        &server.addr,
        b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://a.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(preflight[0].code, 204);
    assert_eq!(
        preflight[0].header("access-control-allow-origin"),
        Some("*")
    );
    assert!(preflight[0]
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));

    let (code, _, body) = get(&server, "/nothing-here?app=idcard.get");
    assert_eq!(code, 404);
    assert_eq!(assert_client_shape(&body)["msgid"], "1000501");
    let r = raw(
        &server.addr,
        b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r[0].code, 405);
    assert!(r[0].header("allow").unwrap().contains("POST"));
    assert_eq!(assert_client_shape(&r[0].body)["success"], "0");
}

// ---------------------------------------------------------------------------------------
// Errors

#[test]
fn unknown_or_missing_app_is_1000501_with_http_200() {
    let server = Serve::start(&["--quiet"]);
    for q in [
        "/?app=phone.get&idcard=1",
        "/?idcard=110101199001011114",
        "/",
    ] {
        let (code, ct, body) = get(&server, q);
        assert_eq!(
            (code, ct.as_str()),
            (200, "application/json; charset=utf-8")
        );
        assert_eq!(
            body,
            r#"{"success":"0","msgid":"1000501","msg":"请求接口不存在"}"#
        );
    }
}

#[test]
fn required_keys_answer_1000555_when_missing_or_wrong() {
    let dir = std::env::temp_dir().join(format!("cnid-serve-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("keys");
    std::fs::write(&file, "# staff\nk2:s2\n\n").unwrap();
    let server = Serve::start(&[
        "--quiet",
        "--require-key",
        "k1:s1",
        "--require-keys-file",
        file.to_str().unwrap(),
    ]);
    let sign_invalid = r#"{"success":"0","msgid":"1000555","msg":"SIGN_INVALID"}"#;
    for q in [
        "/?app=idcard.get&idcard=110101199001011114",
        "/?app=idcard.get&idcard=110101199001011114&appkey=k1",
        "/?app=idcard.get&idcard=110101199001011114&appkey=k1&sign=s2",
        "/?app=idcard.get&idcard=110101199001011114&appkey=k1&sign=s1x",
        "/?app=idcard.get&idcard=110101199001011114&appkey=&sign=",
    ] {
        let (code, _, body) = get(&server, q);
        assert_eq!((code, body.as_str()), (200, sign_invalid), "{q}");
    }
    for q in [
        "/?app=idcard.get&idcard=110101199001011114&appkey=k1&sign=s1",
        "/?app=idcard.get&idcard=110101199001011114&sign=s2&appkey=k2",
    ] {
        assert_eq!(get(&server, q).2, SEED_ANSWER, "{q}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// HTTP details real clients bring

#[test]
fn keep_alive_pipelining_chunked_and_expect_continue() {
    let server = Serve::start(&["--quiet"]);
    let mut s = connect(&server.addr);
    let req = format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n");
    for _ in 0..3 {
        let r = exchange(&mut s, req.as_bytes());
        assert_eq!(r.body, SEED_ANSWER);
        assert_eq!(r.header("connection"), Some("keep-alive"));
    }
    // Two requests in one write: two answers, in order.
    let two =
        format!("GET /?app=idcard.get&idcard=110101199001011112 HTTP/1.1\r\nHost: x\r\n\r\n{req}");
    s.write_all(two.as_bytes()).unwrap();
    let both = read_n(&mut s, 2);
    assert!(both[0].body.contains("WRONG_IDCARD"));
    assert_eq!(both[1].body, SEED_ANSWER);

    // A chunked form body (Node's http.request without a length sends these).
    let chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n\
        e\r\napp=idcard.get\r\n16\r\n&idcard=11010119900101\r\n4;ext=1\r\n1114\r\n0\r\n\r\n";
    assert_eq!(exchange(&mut s, chunked.as_bytes()).body, SEED_ANSWER);

    // Expect: 100-continue is answered before the body is sent.
    let body = format!("app=idcard.get&idcard={SEED_ID}");
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let mut buf = [0u8; 25];
    std::io::Read::read_exact(&mut s, &mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    assert_eq!(exchange(&mut s, body.as_bytes()).body, SEED_ANSWER);

    // HTTP/1.0 without keep-alive: answered and closed.
    let r = raw(
        &server.addr,
        format!("GET {SEED_QUERY} HTTP/1.0\r\n\r\n").as_bytes(),
    );
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].header("connection"), Some("close"));
}

// ---------------------------------------------------------------------------------------
// Limits

#[test]
fn oversized_line_headers_and_body_get_414_431_413_with_the_envelope() {
    let server = Serve::start(&["--quiet"]);
    let line = format!(
        "GET /?app=idcard.get&x={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(9000)
    );
    let headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(17_000)
    );
    let body = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\napp=idcard.get&idcard={}",
        "1".repeat(100)
    );
    let many: String = (0..100).map(|i| format!("X-{i}: 1\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
    let chunked =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20000\r\nabc".to_owned();
    for (request, code) in [
        (line, 414),
        (headers, 431),
        (body, 413),
        (chunked, 413),
        (many, 431),
    ] {
        let r = raw(&server.addr, request.as_bytes());
        assert_eq!(r.len(), 1, "{code}");
        assert_eq!(r[0].code, code);
        assert_eq!(
            r[0].header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(r[0].header("connection"), Some("close"));
        let v = assert_client_shape(&r[0].body);
        assert_eq!(v["success"], "0");
        assert_eq!(v["msgid"], code.to_string());
    }
    // Garbage is a 400, and the server goes on answering.
    let r = raw(&server.addr, b"\x00\x01\x02 garbage\r\n\r\n");
    assert_eq!(r[0].code, 400);
    assert_eq!(get(&server, SEED_QUERY).2, SEED_ANSWER);
}

#[test]
fn a_slow_client_is_cut_at_its_deadline_and_holds_no_one_else() {
    let server = Serve::start(&["--quiet", "--read-timeout", "1", "--idle-timeout", "1"]);
    // Three clients trickling a head byte by byte.
    let mut slow: Vec<_> = (0..3).map(|_| connect(&server.addr)).collect();
    let start = Instant::now();
    for s in &mut slow {
        s.write_all(b"GET /?app=idcard.get").unwrap();
    }
    // Meanwhile everyone else is answered at once.
    let t = Instant::now();
    assert_eq!(get(&server, SEED_QUERY).2, SEED_ANSWER);
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    for s in &mut slow {
        let _ = s.write_all(b"&");
    }
    for s in &mut slow {
        let all = read_to_close(s);
        let (r, _) = parse_response(&all).expect("a 408 answer");
        assert_eq!(r.code, 408);
        assert_eq!(assert_client_shape(&r.body)["msgid"], "408");
    }
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // An idle keep-alive connection is closed after the idle timeout, without an answer.
    let mut idle = connect(&server.addr);
    let r = exchange(
        &mut idle,
        format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    assert_eq!(r.code, 200);
    let t = Instant::now();
    assert!(read_to_close(&mut idle).is_empty());
    assert!(t.elapsed() < Duration::from_secs(5));
    let metrics = get(&server, "/metrics").2;
    assert!(metrics.contains("cnid_timeouts_total 3\n"), "{metrics}");
}

#[test]
fn connections_over_the_cap_get_503_with_the_envelope() {
    let server = Serve::start(&["--quiet", "--threads", "2"]);
    // Two connections in the middle of a request: busy, not idle.
    let mut held: Vec<_> = (0..2).map(|_| connect(&server.addr)).collect();
    for s in &mut held {
        s.write_all(b"GET /?app=idcard.get").unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    let r = raw(
        &server.addr,
        format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code, 503);
    assert_eq!(r[0].header("retry-after"), Some("1"));
    assert_eq!(assert_client_shape(&r[0].body)["msgid"], "503");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    drop(held);
    // Once they are gone, new connections are served again.
    let t = Instant::now();
    loop {
        let r = raw(
            &server.addr,
            format!("GET {SEED_QUERY} HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        if r[0].code == 200 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Idle keep-alive connections (a client's pool) do not lock out a new client at the cap:
/// they are closed to make room.
#[test]
fn idle_keep_alive_connections_make_room_at_the_cap() {
    let server = Serve::start(&["--quiet", "--threads", "2", "--idle-timeout", "60"]);
    let request = format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut pool: Vec<_> = (0..2).map(|_| connect(&server.addr)).collect();
    for s in &mut pool {
        assert_eq!(exchange(s, request.as_bytes()).code, 200);
    }
    let t = Instant::now();
    let r = raw(
        &server.addr,
        format!("GET {SEED_QUERY} HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!((r[0].code, r[0].body.as_str()), (200, SEED_ANSWER));
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The pooled connections were closed without an answer (clients retry on a new one).
    for s in &mut pool {
        assert!(read_to_close(s).is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Operations

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    let mut server = Serve::start(&[]);
    let body = format!("app=idcard.get&idcard={SEED_ID}");
    let mut s = connect(&server.addr);
    // The head is in, the body not yet, when the signal comes.
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // An idle keep-alive connection is closed, not waited for.
    let mut idle = connect(&server.addr);
    exchange(
        &mut idle,
        format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    server.signal_term();
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is taken (nor left waiting in the backlog) ...
    assert!(std::net::TcpStream::connect(&server.addr).is_err());
    // ... while the request in flight is finished.
    s.write_all(body.as_bytes()).unwrap();
    let r = read_one(&mut s);
    assert_eq!(r.body, SEED_ANSWER);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(read_to_close(&mut idle).is_empty());
    let (code, stderr) = server.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("cnid serve: stopped\n"), "{stderr}");
    assert!(std::net::TcpStream::connect(&server.addr).is_err());
}

/// `cnid serve 2>&1 | head -1`: once stderr is a broken pipe, the request log and the
/// shutdown messages are lost, but the server keeps answering and SIGTERM still stops it
/// with exit 0 (a panicking `eprintln!` killed the signal thread, so it never stopped).
#[test]
fn a_broken_stderr_loses_the_log_not_the_service() {
    let mut server = Serve::start_with_broken_stderr(&[]);
    for _ in 0..3 {
        let (code, _, body) = get(&server, SEED_QUERY);
        assert_eq!((code, body.as_str()), (200, SEED_ANSWER));
        // Past the log's 100 ms flush: its write to stderr has failed by the next request.
        std::thread::sleep(Duration::from_millis(250));
    }
    let mut s = connect(&server.addr);
    let r = exchange(&mut s, b"GARBAGE\r\n\r\n");
    assert_eq!(r.code, 400);
    server.signal_term();
    assert_eq!(
        server.wait_for(Duration::from_secs(10)),
        Some(Some(0)),
        "cnid serve did not stop cleanly on SIGTERM with a broken stderr"
    );
}

/// `cnid serve | true`: the address line cannot be written to stdout; the server says it
/// on stderr and serves, instead of exiting 0 at once without a word.
#[test]
fn a_broken_stdout_moves_the_address_to_stderr_and_serves() {
    let mut server = Serve::start_with_broken_stdout(&["--quiet"]);
    let (code, _, body) = get(&server, SEED_QUERY);
    assert_eq!((code, body.as_str()), (200, SEED_ANSWER));
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn one_log_line_per_request_with_the_number_masked() {
    let mut server = Serve::start(&["--require-key", "k:secret-sign-123"]);
    get(
        &server,
        "/?app=idcard.get&idcard=110101199001011114&appkey=k&sign=secret-sign-123",
    );
    get(
        &server,
        "/?app=idcard.get&idcard=110101199001011112&appkey=k&sign=wrong",
    );
    get(&server, "/healthz");
    raw(&server.addr, b"GET /\nx\r\nbad header\r\n\r\n");
    let (_, stderr) = server.stop();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("cnid serve:"))
        .collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines[0].contains(" GET / 200 ALREADY_ATT 110101********1114 "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(" GET / 200 error 110101********1112 "),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(" GET /healthz 200 other - "),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains(" 400 error "), "{}", lines[3]);
    for secret in ["199001011114", "199001011112", "secret-sign", "appkey"] {
        assert!(!stderr.contains(secret), "{secret} in {stderr}");
    }
}

#[test]
fn metrics_count_requests_by_status_with_a_latency_histogram() {
    let server = Serve::start(&["--quiet"]);
    for _ in 0..3 {
        get(&server, SEED_QUERY);
    }
    get(&server, "/?app=idcard.get&idcard=110101199001011112");
    get(&server, "/?app=x");
    raw(
        &server.addr,
        format!("GET /?{} HTTP/1.1\r\n\r\n", "a".repeat(9000)).as_bytes(),
    );
    let (code, ct, m) = get(&server, "/metrics");
    assert_eq!(
        (code, ct.as_str()),
        (200, "text/plain; version=0.0.4; charset=utf-8")
    );
    for line in [
        "cnid_requests_total{code=\"200\",status=\"ALREADY_ATT\"} 3\n",
        "cnid_requests_total{code=\"200\",status=\"WRONG_IDCARD\"} 1\n",
        "cnid_requests_total{code=\"200\",status=\"error\"} 1\n",
        "cnid_requests_total{code=\"414\",status=\"error\"} 1\n",
        "# TYPE cnid_request_duration_seconds histogram\n",
        "cnid_request_duration_seconds_bucket{le=\"+Inf\"} 6\n",
        "cnid_request_duration_seconds_count 6\n",
    ] {
        assert!(m.contains(line), "{line} in\n{m}");
    }
    let mut last = 0u64;
    for l in m
        .lines()
        .filter(|l| l.starts_with("cnid_request_duration_seconds_bucket"))
    {
        let n: u64 = l.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(n >= last, "cumulative: {l}");
        last = n;
    }
}

#[test]
fn requests_near_the_caps_are_answered_on_a_kept_connection() {
    let server = Serve::start(&["--quiet"]);
    let mut s = connect(&server.addr);
    let long_line = format!(
        "GET {SEED_QUERY}&pad={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "p".repeat(7000)
    );
    let big_headers = format!(
        "GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n",
        "c".repeat(15_000)
    );
    let form = format!("app=idcard.get&idcard={SEED_ID}&pad={}", "f".repeat(60_000));
    let big_body = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let small = format!("GET {SEED_QUERY} HTTP/1.1\r\nHost: x\r\n\r\n");
    for request in [&long_line, &small, &big_headers, &small, &big_body, &small] {
        let r = exchange(&mut s, request.as_bytes());
        assert_eq!(
            (r.code, r.body.as_str()),
            (200, SEED_ANSWER),
            "{}",
            &request[..40]
        );
    }
}

#[test]
fn bad_flags_are_refused_with_a_clear_message() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cnid"))
            .arg("serve")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--require-key", "no-colon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("expected APPKEY:SIGN"), "{err}");
    let (code, err) = run(&["--require-keys-file", "/nonexistent/cnid-keys"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read /nonexistent/cnid-keys"), "{err}");
    // A device that never ends is refused, not read until memory runs out.
    if std::path::Path::new("/dev/zero").exists() {
        let (code, err) = run(&["--require-keys-file", "/dev/zero"]);
        assert_eq!(code, Some(2));
        assert!(err.contains("cannot read /dev/zero: larger than"), "{err}");
    }
    let (code, _) = run(&["--threads", "0"]);
    assert_eq!(code, Some(2));
    // A port already taken is named in the error.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = run(&["--listen", &addr, "--quiet"]);
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

/// A client still sending a refused body reads the 413, and the server keeps draining for
/// a moment instead of resetting the connection under it (on a slow network a reset can
/// destroy the answer before it is read).
#[test]
fn a_refused_upload_reads_its_413_and_is_not_reset() {
    let server = Serve::start(&["--quiet"]);
    let mut s = connect(&server.addr);
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n")
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    s.write_all(&chunk).unwrap();
    // The answer, then the server's end of writing.
    let all = read_to_close(&mut s);
    let (r, _) = parse_response(&all).expect("the 413 answer");
    assert_eq!(r.code, 413);
    assert_eq!(assert_client_shape(&r.body)["msgid"], "413");
    // The client goes on sending its body for a while: no reset.
    for i in 0..10 {
        std::thread::sleep(Duration::from_millis(20));
        s.write_all(&chunk)
            .unwrap_or_else(|e| panic!("write {i} after the 413: {e}"));
    }
}
