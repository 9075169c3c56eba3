//! The HTTP side: endpoint, credentials, the request and its errors.

use std::time::Duration;

use crate::IdNumber;

use super::answer::{parse_answer, redact, Outcome, Secrets};
use super::{Method, RemoteConfig, RemoteError};

/// The largest answer body read; the web API's answers are well under 1 KiB.
const BODY_LIMIT: u64 = 64 * 1024;
/// The birth date and sequence of the synthetic number asked about in the private mode.
const SYNTHETIC_TAIL: &[u8; 11] = b"19900101001";
/// The longest timeout handed to the HTTP client: longer ones (up to `Duration::MAX`)
/// mean "no practical limit" and must not overflow a deadline.
const LONGEST_TIMEOUT: Duration = Duration::from_secs(365 * 86_400);

/// The HTTP side: endpoint, credentials, agent.
pub(super) struct Client {
    agent: ureq::Agent,
    pub(super) url: String,
    appkey: String,
    sign: String,
    pub(super) method: Method,
    pub(super) send_full_number: bool,
}

impl Client {
    /// A client for `config` (whose URL is checked already).
    pub(super) fn new(config: &RemoteConfig) -> Client {
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout.min(LONGEST_TIMEOUT)))
            .timeout_global(Some(config.timeout.min(LONGEST_TIMEOUT)))
            .max_redirects(0)
            .user_agent(concat!("cnid/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(agent_config),
            url: config.url.clone(),
            appkey: config.appkey.clone(),
            sign: config.sign.clone(),
            method: config.method,
            send_full_number: config.send_full_number,
        }
    }

    /// Asks the web API about `number` (or a synthetic number with its prefix).
    pub(super) fn request(&self, number: &IdNumber) -> Outcome {
        let idcard = if self.send_full_number {
            number.as_str().to_owned()
        } else {
            synthetic(number)
        };
        let params = [
            ("app", "idcard.get"),
            ("idcard", idcard.as_str()),
            ("appkey", self.appkey.as_str()),
            ("sign", self.sign.as_str()),
            ("format", "json"),
        ];
        let secrets = Secrets {
            numbers: [number.as_str(), idcard.as_str()],
            credentials: [&self.appkey, &self.sign],
        };
        let sent = match self.method {
            Method::Get => self.agent.get(&self.url).query_pairs(params).call(),
            Method::Post => self.agent.post(&self.url).send_form(params),
        };
        let mut response = sent.map_err(|e| transport_error(&e, &secrets))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(RemoteError::Http(status));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => {
                    RemoteError::Malformed(format!("body longer than {BODY_LIMIT} bytes"))
                }
                e => transport_error(&e, &secrets),
            })?;
        parse_answer(&body, number.region_code(), self.send_full_number, &secrets)
    }
}

/// A valid number with the same prefix as `number`: `19900101`, sequence `001`, and its
/// check character.
pub(super) fn synthetic(number: &IdNumber) -> String {
    let mut body = [0u8; 17];
    body[..6].copy_from_slice(number.region_prefix().as_bytes());
    body[6..].copy_from_slice(SYNTHETIC_TAIL);
    let check = crate::check_character(&body).unwrap_or('0');
    let mut s: String = body.iter().map(|&b| char::from(b)).collect();
    s.push(check);
    s
}

pub(super) fn check_url(url: &str) -> Result<(), RemoteError> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|_| RemoteError::InvalidUrl("not a url".to_owned()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(RemoteError::InvalidUrl(
                "the scheme must be http or https".to_owned(),
            ))
        }
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err(RemoteError::InvalidUrl("no host".to_owned())),
    }
}

fn transport_error(e: &ureq::Error, secrets: &Secrets<'_>) -> RemoteError {
    match e {
        ureq::Error::Timeout(_) => RemoteError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => RemoteError::Timeout,
        ureq::Error::StatusCode(s) => RemoteError::Http(*s),
        e => RemoteError::Transport(redact(&e.to_string(), secrets).to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_number_is_valid_with_same_prefix() {
        let n = IdNumber::parse("110101198506150027").unwrap();
        let s = synthetic(&n);
        assert_eq!(s, "110101199001010015");
        let parsed = IdNumber::parse(&s).unwrap();
        assert_eq!(parsed.region_prefix(), "110101");
    }
}
