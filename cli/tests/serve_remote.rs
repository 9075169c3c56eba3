//! `cnid serve --remote`: the web API's `WAIT_PROCESS` reaches clients with all ten keys,
//! `idcard` included.
#![cfg(all(feature = "serve", feature = "remote"))]

#[path = "../../tests/support/fake_api.rs"]
mod fake_api;
mod serve_support;

use fake_api::*;
use serve_support::*;

#[test]
fn wait_process_from_the_web_api_carries_idcard_and_all_ten_keys() {
    let fake = Fake::start(|_| reply(status_only("WAIT_PROCESS", "wait process")));
    let server = Serve::start_with_env(
        &["--quiet", "--remote"],
        &[
            ("NOWAPI_APPKEY", APPKEY),
            ("NOWAPI_SIGN", SIGN),
            ("NOWAPI_URL", &fake.url),
        ],
    );
    let number = caller(unknown());
    for format in ["json", "xml"] {
        let mut resp = agent()
            .get(server.url(&format!("/?app=idcard.get&idcard={number}&format={format}")))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body = resp.body_mut().read_to_string().unwrap();
        if format == "json" {
            let v = assert_client_shape(&body);
            assert_eq!(v["result"]["status"], "WAIT_PROCESS");
            assert_eq!(v["result"]["idcard"], number.as_str());
            assert_eq!(v["result"]["msg"], "wait process");
        } else {
            assert!(
                body.contains(&format!(
                    "<status>WAIT_PROCESS</status><idcard>{number}</idcard><par></par>"
                )),
                "{body}"
            );
        }
    }
    // The built-in table still answers what it knows without asking.
    let mut resp = agent()
        .get(server.url("/?app=idcard.get&idcard=110101199001011114"))
        .call()
        .unwrap();
    assert_eq!(resp.body_mut().read_to_string().unwrap(), SEED_ANSWER);
    assert!(fake.count() >= 1);
}
