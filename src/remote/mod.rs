//! The remote fallback: asks the NowAPI `idcard.get` web API about region codes the built-in
//! table does not know (feature `remote`).
//!
//! # Privacy
//!
//! The answer's region fields (`att`, `postno`, `areano`, `style_*`) depend only on the
//! 6-digit prefix of a number. So by default the web API is asked about a **synthetic**
//! number with the same prefix (prefix + `19900101` + `001` + its check character), and its
//! region fields are combined with the caller's own number, birth date and sex: the answer's
//! `idcard`, `born` and `sex` are always the caller's. The real number is sent only when
//! [`RemoteConfig::send_full_number`] is set. It never appears in an error message, and this
//! module writes no logs.
//!
//! # Policies
//!
//! * [`Policy::LocalFirst`] (the default): the built-in table answers; the web API is asked
//!   only when the table answers `NOT_ATT`. When it is needed but unavailable (circuit open,
//!   client-side limit reached, timeout, network or HTTP error, a `"success":"0"` error, a
//!   malformed answer), the answer is `WAIT_PROCESS`, so callers retry later. The web API's
//!   own `WAIT_PROCESS` is passed through.
//! * [`Policy::RemoteFirst`]: the web API answers every valid number; when it is
//!   unavailable, or answers `WAIT_PROCESS`, the built-in table answers instead.
//!
//! In both policies validity (`WRONG_IDCARD`) is decided locally, with the same rules as the
//! web API: an invalid number is never sent. When the web API answers `WRONG_IDCARD` for a
//! number cnid finds valid, cnid trusts its own check and answers `NOT_ATT` (the web API
//! knows no region for that prefix); in the private mode that answer is cached for the
//! prefix like any `NOT_ATT`, with the full number it is not cached (the web API may have
//! objected to something else than the prefix, such as the birth date).
//!
//! # Cache
//!
//! `ALREADY_ATT` and `NOT_ATT` answers are cached by prefix for the life of the
//! [`RemoteResolver`], and, with [`RemoteConfig::cache_file`], in a file so that repeated
//! runs never ask twice. The file is an append-only journal: each new entry is one line
//! appended at once (no rewrite, no fsync per entry; [`RemoteResolver::save_cache`]
//! flushes it to the disk), so 8,000 new prefixes cost 8,000 small appends. It is read when
//! the resolver is made, up to [`MAX_CACHE_FILE`] bytes, and compacted then (atomically:
//! temporary file in the same folder + rename) if it holds replaced records or a torn last
//! line. Anything but a regular file (a FIFO, a device such as `/dev/zero`) is refused.
//! Processes that share a cache file append to it side by side and learn each other's
//! entries at their next append (an entry appended while another process compacts the file
//! on start can be lost: it is then asked again later). Errors are not cached.
//!
//! The journal also keeps the circuit (below): a run that opens it writes until when, and
//! the next run with the same file starts with it open, so consecutive runs of a command
//! line do not each spend a request while the key is suspended.
//!
//! The web API's `WAIT_PROCESS` ("retry later") is held for
//! [`RemoteConfig::wait_retry_after`] (60 s by default, memory only): lookups of that prefix
//! answer `WAIT_PROCESS` from the cache until then, and the next one after it asks again.
//! Concurrent lookups of the same unknown prefix make one request: the others wait for its
//! answer.
//!
//! # Faults and quota
//!
//! Every failed request — network error, timeout, HTTP status other than 200, a malformed
//! body, and every `"success":"0"` answer (quota exceeded, `SIGN_INVALID` msgid `1000555`,
//! anything) — opens a circuit for [`RemoteConfig::circuit_open_for`] (one hour by default,
//! the provider's quota suspension; `Duration::MAX` is "until restarted" and never
//! overflows): no request is sent until it has passed. Then one probe
//! request is let through; its success closes the circuit, its failure opens it again. An
//! optional client-side limit ([`RemoteConfig::max_calls_per_hour`]) caps the requests sent
//! in any sliding hour.
//!
//! # HTTP
//!
//! The client is [`ureq`] 3 (blocking, no async runtime, rustls with the webpki roots), with
//! a connect and a total timeout, no redirects, and the usual proxy variables (`ALL_PROXY`,
//! `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) read from the environment.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::{IdNumber, Region, Resolution, Resolver, Source, Status};

mod answer;
mod breaker;
mod client;
mod journal;

use answer::{Found, Outcome};
use breaker::{Breaker, Change};
use client::{check_url, Client};
use journal::{Entry, Journal};

/// The web API's HTTPS endpoint, from its documentation.
pub const DEFAULT_URL: &str = "https://sapi.k780.com/";

/// Environment variable holding the `appkey`.
pub const ENV_APPKEY: &str = "NOWAPI_APPKEY";
/// Environment variable holding the `sign`.
pub const ENV_SIGN: &str = "NOWAPI_SIGN";
/// Environment variable holding the endpoint (optional; [`DEFAULT_URL`] otherwise).
pub const ENV_URL: &str = "NOWAPI_URL";

/// The largest cache file read or written (32 MiB, some 300,000 prefixes): a larger file
/// is refused when opened, and new entries past it stay in memory.
pub const MAX_CACHE_FILE: u64 = 32 << 20;

const HOUR: Duration = Duration::from_secs(3600);

/// How the request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// `GET` with the parameters in the query string (the default).
    #[default]
    Get,
    /// `POST` with an `application/x-www-form-urlencoded` body: the credentials stay out
    /// of proxy and server access logs.
    Post,
}

/// Who answers first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// The built-in table; the web API only for `NOT_ATT` (`WAIT_PROCESS` when it is
    /// needed but unavailable).
    #[default]
    LocalFirst,
    /// The web API; the built-in table when the web API is unavailable.
    RemoteFirst,
}

/// Settings of the remote fallback. Start from [`RemoteConfig::new`] or
/// [`RemoteConfig::from_env`] and set fields.
///
/// `Debug` hides the `appkey` and the `sign`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteConfig {
    /// The endpoint, `http://` or `https://` (default [`DEFAULT_URL`]).
    pub url: String,
    /// The `appkey` credential.
    pub appkey: String,
    /// The `sign` credential (a fixed 32-hex string issued with the `appkey`).
    pub sign: String,
    /// `GET` (default) or `POST`.
    pub method: Method,
    /// Time allowed to connect, TLS included (default 3 s).
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, body included (default 5 s).
    pub timeout: Duration,
    /// Send the caller's real number instead of a synthetic one with the same prefix
    /// (default `false`).
    pub send_full_number: bool,
    /// How long the circuit stays open after a failure (default one hour).
    pub circuit_open_for: Duration,
    /// Most requests sent in any sliding hour (default: no limit).
    pub max_calls_per_hour: Option<u32>,
    /// A file that keeps the cache across runs (default: none, memory only).
    pub cache_file: Option<PathBuf>,
    /// After the web API answers `WAIT_PROCESS` ("retry later") for a prefix, how long
    /// lookups of that prefix answer `WAIT_PROCESS` without asking again (default 60 s;
    /// zero asks every time). A batch with many numbers of one prefix then sends one
    /// request per period, not one per number.
    pub wait_retry_after: Duration,
}

impl fmt::Debug for RemoteConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteConfig")
            .field("url", &self.url)
            .field("appkey", &"<hidden>")
            .field("sign", &"<hidden>")
            .field("method", &self.method)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("send_full_number", &self.send_full_number)
            .field("circuit_open_for", &self.circuit_open_for)
            .field("max_calls_per_hour", &self.max_calls_per_hour)
            .field("cache_file", &self.cache_file)
            .field("wait_retry_after", &self.wait_retry_after)
            .finish()
    }
}

impl RemoteConfig {
    /// Default settings with these credentials.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut config = cnid::remote::RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// config.timeout = Duration::from_secs(2);
    /// assert_eq!(config.url, cnid::remote::DEFAULT_URL);
    /// assert!(!config.send_full_number);
    /// ```
    #[must_use]
    pub fn new(appkey: impl Into<String>, sign: impl Into<String>) -> RemoteConfig {
        RemoteConfig {
            url: DEFAULT_URL.to_owned(),
            appkey: appkey.into(),
            sign: sign.into(),
            method: Method::Get,
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(5),
            send_full_number: false,
            circuit_open_for: HOUR,
            max_calls_per_hour: None,
            cache_file: None,
            wait_retry_after: Duration::from_secs(60),
        }
    }

    /// Default settings with the credentials from `NOWAPI_APPKEY` and `NOWAPI_SIGN`, and
    /// the endpoint from `NOWAPI_URL` if set.
    ///
    /// # Errors
    /// [`RemoteError::MissingEnv`] when a credential is unset or empty,
    /// [`RemoteError::InvalidUrl`] when `NOWAPI_URL` is not an `http://` or `https://` URL.
    ///
    /// ```no_run
    /// let config = cnid::remote::RemoteConfig::from_env()?;
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    pub fn from_env() -> Result<RemoteConfig, RemoteError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<RemoteConfig, RemoteError> {
        let get = |name: &'static str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let appkey = get(ENV_APPKEY).ok_or(RemoteError::MissingEnv(ENV_APPKEY))?;
        let sign = get(ENV_SIGN).ok_or(RemoteError::MissingEnv(ENV_SIGN))?;
        let mut config = RemoteConfig::new(appkey, sign);
        if let Some(url) = get(ENV_URL) {
            check_url(&url)?;
            config.url = url;
        }
        Ok(config)
    }
}

/// Why the web API gave no answer, or the cache file could not be used.
///
/// Messages are lowercase and never contain the ID number, the `appkey` or the `sign`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// A credential is not set in the environment.
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// The endpoint is not an `http://` or `https://` URL with a host.
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    /// The request took longer than the connect or total timeout.
    #[error("request timed out")]
    Timeout,
    /// The connection failed (DNS, refused, TLS, reset …).
    #[error("request failed: {0}")]
    Transport(String),
    /// An HTTP status other than 200.
    #[error("http status {0}")]
    Http(u16),
    /// A `"success":"0"` answer: quota exceeded, `SIGN_INVALID` (`1000555`), ….
    #[error("web api error {msgid}: {msg}")]
    Api {
        /// The web API's `msgid`.
        msgid: String,
        /// The web API's `msg` (shortened, any ID number hidden).
        msg: String,
    },
    /// The body is not the web API's JSON.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// The web API answered `WAIT_PROCESS` (in [`Policy::RemoteFirst`], where the table
    /// answers instead).
    #[error("the web api answered wait process")]
    WaitProcess,
    /// No request was sent: the circuit is open after a failure.
    #[error("remote unavailable: circuit open after a failure")]
    CircuitOpen,
    /// No request was sent: the client-side limit of calls per hour is reached.
    #[error("remote unavailable: limit of {0} calls per hour reached")]
    RateLimited(u32),
    /// The cache file could not be read, parsed or written.
    #[error("cache file {}: {reason}", path.display())]
    CacheFile {
        /// The file.
        path: PathBuf,
        /// What went wrong (with a line number when parsing).
        reason: String,
    },
}

/// Counters of a [`RemoteResolver`], for progress and closing reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteStats {
    /// HTTP requests sent.
    pub requests: u64,
    /// Requests that failed (any [`RemoteError`] but a refusal).
    pub failures: u64,
    /// Lookups answered from the cache.
    pub cache_hits: u64,
    /// Lookups that waited for another thread's request for the same prefix.
    pub coalesced: u64,
    /// Lookups refused without a request: circuit open or limit reached.
    pub refused: u64,
    /// Lookups answered `WAIT_PROCESS` without a request, within
    /// [`RemoteConfig::wait_retry_after`] of the web API's `WAIT_PROCESS` for the prefix.
    pub deferred: u64,
    /// Failed writes of the cache file (see [`RemoteResolver::save_cache`]).
    pub cache_write_errors: u64,
    /// Prefixes in the cache.
    pub cached_prefixes: usize,
    /// Whether the circuit is open now.
    pub circuit_open: bool,
}

/// One request in flight, which other lookups of the same prefix wait for.
struct Flight {
    outcome: Mutex<Option<Outcome>>,
    ready: Condvar,
}

enum Slot {
    Ready(Entry),
    Pending(Arc<Flight>),
    /// The web API answered `WAIT_PROCESS`; ask again from this instant on.
    Waiting(Instant),
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    failures: AtomicU64,
    cache_hits: AtomicU64,
    coalesced: AtomicU64,
    refused: AtomicU64,
    deferred: AtomicU64,
    cache_write_errors: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The answer parser on any body, for the fuzz target (`cfg(fuzzing)` only: not part of
/// the API): `Err` holds the error's message, with `number` and the `credentials` as the
/// secrets to keep out of it.
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_parse_answer(body: &[u8], number: &str, credentials: [&str; 2]) -> Result<(), String> {
    let secrets = answer::Secrets {
        numbers: [number, number],
        credentials,
    };
    match answer::parse_answer(body, 110_101, false, &secrets) {
        Ok(Found::Att(region)) => {
            assert!(!region.att().trim().is_empty(), "ALREADY_ATT without att");
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// `now + d`, or the latest instant within reach when that overflows (`Duration::MAX`
/// means "never" and must not panic).
fn later(now: Instant, d: Duration) -> Instant {
    if let Some(t) = now.checked_add(d) {
        return t;
    }
    let mut step = d;
    let mut t = now;
    while !step.is_zero() {
        if let Some(next) = t.checked_add(step) {
            t = next;
        } else {
            step /= 2;
        }
    }
    t
}

/// Resolves numbers with the built-in table and the web API, as its [`Policy`] says.
///
/// `Send + Sync`: share one (in an `Arc` or by reference) between threads, so that they
/// share the cache, the circuit and the limit.
///
/// ```no_run
/// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
/// let resolver = RemoteResolver::new(RemoteConfig::from_env()?, Policy::LocalFirst, cnid::Resolver::new())?;
/// let r = resolver.resolve("110101199001011114");
/// println!("{} from {:?}", r.status(), r.source());
/// # Ok::<(), cnid::remote::RemoteError>(())
/// ```
pub struct RemoteResolver {
    policy: Policy,
    local: Resolver,
    client: Client,
    cache: RwLock<HashMap<u32, Slot>>,
    breaker: Mutex<Breaker>,
    cache_file: Option<PathBuf>,
    journal: Option<Mutex<Journal>>,
    counters: Counters,
    /// The longest a lookup waits for another thread's request.
    flight_wait: Duration,
    /// See [`RemoteConfig::wait_retry_after`].
    wait_retry_after: Duration,
}

impl fmt::Debug for RemoteResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteResolver")
            .field("policy", &self.policy)
            .field("url", &self.client.url)
            .field("method", &self.client.method)
            .field("send_full_number", &self.client.send_full_number)
            .field("cache_file", &self.cache_file)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl RemoteResolver {
    /// A resolver with these settings, answering locally with `local` (which sets
    /// "today"). Loads the cache file if one is set and exists (compacting it when it
    /// holds replaced records), and a circuit an earlier run left open. Sends nothing.
    ///
    /// # Errors
    /// [`RemoteError::InvalidUrl`] for an endpoint that is not `http://` or `https://`;
    /// [`RemoteError::CacheFile`] when the cache file exists but is not a regular file, is
    /// larger than [`MAX_CACHE_FILE`], or cannot be read or parsed.
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let resolver = RemoteResolver::new(config, Policy::LocalFirst, cnid::Resolver::new())?;
    /// // A known region needs no request.
    /// assert_eq!(resolver.resolve("110101199001011114").source(), cnid::Source::Table);
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    pub fn new(
        config: RemoteConfig,
        policy: Policy,
        local: Resolver,
    ) -> Result<RemoteResolver, RemoteError> {
        check_url(&config.url)?;
        let mut cache = HashMap::new();
        let mut breaker = Breaker::new(config.circuit_open_for, config.max_calls_per_hour);
        let journal = match &config.cache_file {
            Some(path) => {
                let (journal, loaded) = Journal::open(path, MAX_CACHE_FILE)?;
                for (code, entry) in loaded.entries {
                    cache.insert(code, Slot::Ready(entry));
                }
                let now = journal::unix_now();
                if let Some(until) = loaded.circuit_until.filter(|&u| u > now) {
                    breaker.resume_open(Instant::now(), Duration::from_secs(until - now));
                }
                Some(Mutex::new(journal))
            }
            None => None,
        };
        Ok(RemoteResolver {
            policy,
            local,
            client: Client::new(&config),
            cache: RwLock::new(cache),
            breaker: Mutex::new(breaker),
            cache_file: config.cache_file,
            journal,
            counters: Counters::default(),
            flight_wait: config
                .connect_timeout
                .saturating_add(config.timeout)
                .saturating_add(Duration::from_secs(1)),
            wait_retry_after: config.wait_retry_after,
        })
    }

    /// The policy.
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let r = RemoteResolver::new(config, Policy::RemoteFirst, cnid::Resolver::new())?;
    /// assert_eq!(r.policy(), Policy::RemoteFirst);
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    #[must_use]
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Resolves one input like the web API; never panics. Blocks while a request is sent
    /// (at most the configured timeouts).
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let r = RemoteResolver::new(config, Policy::LocalFirst, cnid::Resolver::new())?;
    /// // Known locally: answered by the table, nothing sent.
    /// assert_eq!(r.resolve("110101199001011114").status(), cnid::Status::AlreadyAtt);
    /// // Wrong numbers are never sent either.
    /// assert_eq!(r.resolve("110101199001011112").status(), cnid::Status::WrongIdcard);
    /// assert_eq!(r.stats().requests, 0);
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    pub fn resolve(&self, input: &str) -> Resolution {
        self.resolve_detailed(input).0
    }

    /// Like [`RemoteResolver::resolve`], and why the web API did not answer when it was
    /// asked and failed (for a warning; the error never contains the number).
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let r = RemoteResolver::new(config, Policy::LocalFirst, cnid::Resolver::new())?;
    /// let (answer, why) = r.resolve_detailed("110101199001011114");
    /// assert_eq!((answer.status(), why), (cnid::Status::AlreadyAtt, None));
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    pub fn resolve_detailed(&self, input: &str) -> (Resolution, Option<RemoteError>) {
        let local = self.local.resolve(input);
        let number = match local.number() {
            Some(n) if local.status().is_valid() => *n,
            _ => return (local, None),
        };
        if self.policy == Policy::LocalFirst && local.status() == Status::AlreadyAtt {
            return (local, None);
        }
        let wait = |source| Resolution::wait_process(Some(number)).with_source(source);
        match (self.lookup(&number), self.policy) {
            (Ok((Found::Att(region), source)), _) => (
                Resolution::already_att(number, region).with_source(source),
                None,
            ),
            (Ok((Found::NotAtt { .. }, source)), _) => {
                (Resolution::not_att(number).with_source(source), None)
            }
            (Ok((Found::Wait, source)), Policy::LocalFirst) => (wait(source), None),
            (Ok((Found::Wait, _)), Policy::RemoteFirst) => (local, Some(RemoteError::WaitProcess)),
            (Err(e), Policy::LocalFirst) => (wait(Source::Table), Some(e)),
            (Err(e), Policy::RemoteFirst) => (local, Some(e)),
        }
    }

    /// The counters so far.
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let r = RemoteResolver::new(config, Policy::LocalFirst, cnid::Resolver::new())?;
    /// let _ = r.resolve("110101199001011114");
    /// let s = r.stats();
    /// assert_eq!((s.requests, s.cache_hits, s.circuit_open), (0, 0, false));
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    #[must_use]
    pub fn stats(&self) -> RemoteStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        RemoteStats {
            requests: get(&c.requests),
            failures: get(&c.failures),
            cache_hits: get(&c.cache_hits),
            coalesced: get(&c.coalesced),
            refused: get(&c.refused),
            deferred: get(&c.deferred),
            cache_write_errors: get(&c.cache_write_errors),
            cached_prefixes: self
                .cache
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .values()
                .filter(|s| matches!(s, Slot::Ready(_)))
                .count(),
            circuit_open: lock(&self.breaker).is_open(Instant::now()),
        }
    }

    /// Flushes the cache file to the disk (each new entry is appended to it at once; a
    /// failure there only counts in [`RemoteStats::cache_write_errors`]). Does nothing
    /// without a cache file.
    ///
    /// # Errors
    /// [`RemoteError::CacheFile`] when the file cannot be written.
    ///
    /// ```
    /// use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
    /// let config = RemoteConfig::new("10003", "b59bc3ef6191eb9f747dd4e83c99f2a4");
    /// let resolver = RemoteResolver::new(config, Policy::LocalFirst, cnid::Resolver::new())?;
    /// resolver.save_cache()?; // no cache file: nothing to do
    /// # Ok::<(), cnid::remote::RemoteError>(())
    /// ```
    pub fn save_cache(&self) -> Result<(), RemoteError> {
        match &self.journal {
            Some(j) => lock(j).sync(),
            None => Ok(()),
        }
    }

    /// Appends a record to the cache file, and learns the entries other processes appended
    /// since. A failure counts in [`RemoteStats::cache_write_errors`].
    fn journal(&self, line: &str) {
        let Some(journal) = &self.journal else {
            return;
        };
        let appended = lock(journal).append(line);
        match appended {
            Ok(learned) if !learned.is_empty() => {
                let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
                for (code, entry) in learned {
                    match cache.get(&code) {
                        None | Some(Slot::Waiting(_)) => {
                            cache.insert(code, Slot::Ready(entry));
                        }
                        Some(_) => {}
                    }
                }
            }
            Ok(_) => {}
            Err(_) => bump(&self.counters.cache_write_errors),
        }
    }

    /// The web API's answer for the number's prefix: from the cache, from another thread's
    /// request for the same prefix, or from a new request.
    fn lookup(&self, number: &IdNumber) -> Result<(Found, Source), RemoteError> {
        let code = number.region_code();
        let now = Instant::now();
        // Ok: an answer without a request; Err(Some): a request in flight; Err(None): ask.
        let read = |slot: &Slot| match slot {
            Slot::Ready(Entry::Att(r)) => Ok(Found::Att(r.clone())),
            Slot::Ready(Entry::NotAtt) => Ok(Found::NotAtt { cache: true }),
            Slot::Waiting(until) if now < *until => Ok(Found::Wait),
            Slot::Waiting(_) => Err(None),
            Slot::Pending(f) => Err(Some(Arc::clone(f))),
        };
        let answered = |found: Found| {
            if matches!(found, Found::Wait) {
                bump(&self.counters.deferred);
            } else {
                bump(&self.counters.cache_hits);
            }
            Ok((found, Source::Cache))
        };
        let flight = {
            let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            match cache.get(&code).map(read) {
                Some(Ok(found)) => return answered(found),
                Some(Err(flight)) => flight,
                None => None,
            }
        };
        let flight = match flight {
            Some(f) => f,
            None => {
                let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
                match cache.get(&code).map(read) {
                    Some(Ok(found)) => return answered(found),
                    Some(Err(Some(flight))) => flight,
                    Some(Err(None)) | None => {
                        let flight = Arc::new(Flight {
                            outcome: Mutex::new(None),
                            ready: Condvar::new(),
                        });
                        cache.insert(code, Slot::Pending(Arc::clone(&flight)));
                        drop(cache);
                        return self.lead(number, flight).map(|f| (f, Source::Remote));
                    }
                }
            }
        };
        bump(&self.counters.coalesced);
        self.follow(&flight).map(|f| (f, Source::Remote))
    }

    /// Waits for another thread's request.
    fn follow(&self, flight: &Flight) -> Outcome {
        let deadline = later(Instant::now(), self.flight_wait);
        let mut outcome = lock(&flight.outcome);
        loop {
            if let Some(o) = outcome.as_ref() {
                return o.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(RemoteError::Timeout);
            }
            outcome = flight
                .ready
                .wait_timeout(outcome, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Sends the request for a prefix that has none in flight, and publishes the result.
    fn lead(&self, number: &IdNumber, flight: Arc<Flight>) -> Outcome {
        let code = number.region_code();
        // Publishes even if the request panics, so that followers never wait forever.
        let mut landing = Landing {
            resolver: self,
            code,
            flight,
            outcome: Some(Err(RemoteError::Transport("internal error".to_owned()))),
            new_entry: None,
        };
        let result = self.fetch(number);
        if let Ok(found) = &result {
            landing.new_entry = match found {
                Found::Att(region) => Some(Entry::Att(Region::from_fields(
                    code,
                    region.to_fields(),
                    Source::Cache,
                ))),
                Found::NotAtt { cache: true } => Some(Entry::NotAtt),
                Found::NotAtt { cache: false } | Found::Wait => None,
            };
        }
        landing.outcome = Some(result.clone());
        drop(landing);
        result
    }

    /// One request, through the circuit breaker and the limit.
    fn fetch(&self, number: &IdNumber) -> Outcome {
        let probe = lock(&self.breaker)
            .admit(Instant::now())
            .inspect_err(|_| bump(&self.counters.refused))?;
        bump(&self.counters.requests);
        let mut guard = ProbeGuard {
            resolver: self,
            probe,
            ok: false,
        };
        let result = self.client.request(number);
        guard.ok = result.is_ok();
        drop(guard);
        if result.is_err() {
            bump(&self.counters.failures);
        }
        result
    }
}

/// Records a request's result in the breaker, also when the request panicked, and a
/// change of the circuit in the cache file, so that the next run knows it.
struct ProbeGuard<'a> {
    resolver: &'a RemoteResolver,
    probe: bool,
    ok: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        let r = self.resolver;
        let change = lock(&r.breaker).record(self.probe, self.ok, Instant::now());
        let until = match change {
            Some(Change::Opened(d)) => journal::unix_now().saturating_add(d.as_secs()),
            Some(Change::Closed) => 0,
            None => return,
        };
        r.journal(&journal::circuit_line(until));
    }
}

/// Publishes a request's outcome to the cache and to the waiting threads.
struct Landing<'a> {
    resolver: &'a RemoteResolver,
    code: u32,
    flight: Arc<Flight>,
    outcome: Option<Outcome>,
    new_entry: Option<Entry>,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let r = self.resolver;
        let line = self
            .new_entry
            .as_ref()
            .map(|e| journal::entry_line(self.code, e));
        {
            let mut cache = r.cache.write().unwrap_or_else(PoisonError::into_inner);
            let wait =
                matches!(self.outcome, Some(Ok(Found::Wait))) && !r.wait_retry_after.is_zero();
            match self.new_entry.take() {
                Some(entry) => cache.insert(self.code, Slot::Ready(entry)),
                None if wait => cache.insert(
                    self.code,
                    Slot::Waiting(later(Instant::now(), r.wait_retry_after)),
                ),
                None => cache.remove(&self.code),
            };
        }
        *lock(&self.flight.outcome) = self.outcome.take();
        self.flight.ready.notify_all();
        if let Some(line) = line {
            r.journal(&line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn config_from_env_vars() {
        let c = RemoteConfig::from_vars(vars(&[(ENV_APPKEY, "k"), (ENV_SIGN, " s ")])).unwrap();
        assert_eq!((c.appkey.as_str(), c.sign.as_str()), ("k", "s"));
        assert_eq!(c.url, DEFAULT_URL);
        let c = RemoteConfig::from_vars(vars(&[
            (ENV_APPKEY, "k"),
            (ENV_SIGN, "s"),
            (ENV_URL, "http://127.0.0.1:8080/"),
        ]))
        .unwrap();
        assert_eq!(c.url, "http://127.0.0.1:8080/");
        assert_eq!(
            RemoteConfig::from_vars(vars(&[(ENV_SIGN, "s")])),
            Err(RemoteError::MissingEnv(ENV_APPKEY))
        );
        assert_eq!(
            RemoteConfig::from_vars(vars(&[(ENV_APPKEY, "k"), (ENV_SIGN, "")])),
            Err(RemoteError::MissingEnv(ENV_SIGN))
        );
        for bad in ["ftp://x/", "sapi.k780.com", "http://", "not a url"] {
            let r = RemoteConfig::from_vars(vars(&[
                (ENV_APPKEY, "k"),
                (ENV_SIGN, "s"),
                (ENV_URL, bad),
            ]));
            assert!(matches!(r, Err(RemoteError::InvalidUrl(_))), "{bad}: {r:?}");
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let c = RemoteConfig::new("appkey-123", "sign-456");
        let d = format!("{c:?}");
        assert!(!d.contains("appkey-123") && !d.contains("sign-456"), "{d}");
    }

    /// `Duration::MAX` anywhere in the settings never panics (it overflowed `Instant +
    /// Duration` in the circuit, the wait for another request, and the client).
    #[test]
    fn duration_max_settings_never_panic() {
        let mut c = RemoteConfig::new("k", "s");
        c.url = "http://127.0.0.1:9/".to_owned();
        c.connect_timeout = Duration::MAX;
        c.timeout = Duration::MAX;
        c.circuit_open_for = Duration::MAX;
        c.wait_retry_after = Duration::MAX;
        let r = RemoteResolver::new(c, Policy::LocalFirst, Resolver::new()).unwrap();
        let now = Instant::now();
        assert!(later(now, r.flight_wait) > now);
        assert!(later(now, Duration::MAX) > now + Duration::from_secs(86_400 * 365 * 100));
    }
}
