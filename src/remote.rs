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
//! [`RemoteResolver`], and, with [`RemoteConfig::cache_file`], in a file that is loaded at
//! start and rewritten atomically (temporary file in the same folder + rename) after each
//! new entry, so repeated runs never ask twice. Each write first merges what is in the
//! file, so processes that share a cache file keep each other's entries (two writes at the
//! same instant can still lose one; it is then asked again later). Errors are not cached.
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
//! the provider's quota suspension): no request is sent until it has passed. Then one probe
//! request is let through; its success closes the circuit, its failure opens it again. An
//! optional client-side limit ([`RemoteConfig::max_calls_per_hour`]) caps the requests sent
//! in any sliding hour.
//!
//! # HTTP
//!
//! The client is [`ureq`] 3 (blocking, no async runtime, rustls with the webpki roots), with
//! a connect and a total timeout, no redirects, and the usual proxy variables (`ALL_PROXY`,
//! `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) read from the environment.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::{IdNumber, Region, RegionFields, Resolution, Resolver, Source, Status};

/// The web API's HTTPS endpoint, from its documentation.
pub const DEFAULT_URL: &str = "https://sapi.k780.com/";

/// Environment variable holding the `appkey`.
pub const ENV_APPKEY: &str = "NOWAPI_APPKEY";
/// Environment variable holding the `sign`.
pub const ENV_SIGN: &str = "NOWAPI_SIGN";
/// Environment variable holding the endpoint (optional; [`DEFAULT_URL`] otherwise).
pub const ENV_URL: &str = "NOWAPI_URL";

/// The largest answer body read; the web API's answers are well under 1 KiB.
const BODY_LIMIT: u64 = 64 * 1024;
/// The longest message kept from a `"success":"0"` answer, in characters.
const MSG_LIMIT: usize = 200;
/// The birth date and sequence of the synthetic number asked about in the private mode.
const SYNTHETIC_TAIL: &[u8; 11] = b"19900101001";
/// The first line of a cache file.
const CACHE_HEADER: &str =
    "# cnid remote cache v1: code\tstatus\tatt\tpostno\tareano\tstyle_simcall\tstyle_citynm";
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

/// A cached answer for a prefix.
#[derive(Clone)]
enum Entry {
    /// `ALREADY_ATT`, the region marked [`Source::Cache`].
    Att(Region),
    NotAtt,
}

/// What the web API said about a prefix.
#[derive(Clone)]
enum Found {
    Att(Region),
    /// `NOT_ATT`, and whether it may be cached for the prefix.
    NotAtt {
        cache: bool,
    },
    Wait,
}

type Outcome = Result<Found, RemoteError>;

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

/// The circuit breaker and the client-side limit.
struct Breaker {
    open_for: Duration,
    open_until: Option<Instant>,
    probing: bool,
    max_per_hour: Option<u32>,
    sent: VecDeque<Instant>,
}

impl Breaker {
    /// Lets a request through (`Ok(true)` for the probe that may close the circuit) or not.
    fn admit(&mut self, now: Instant) -> Result<bool, RemoteError> {
        let probe = match self.open_until {
            Some(until) if now < until || self.probing => return Err(RemoteError::CircuitOpen),
            Some(_) => true,
            None => false,
        };
        if let Some(max) = self.max_per_hour {
            while self
                .sent
                .front()
                .is_some_and(|&t| now.saturating_duration_since(t) >= HOUR)
            {
                self.sent.pop_front();
            }
            if self.sent.len() >= max as usize {
                return Err(RemoteError::RateLimited(max));
            }
            self.sent.push_back(now);
        }
        self.probing |= probe;
        Ok(probe)
    }

    /// Records a request's result: a failure (re)opens the circuit, the probe's success
    /// closes it.
    fn record(&mut self, probe: bool, ok: bool, now: Instant) {
        if probe {
            self.probing = false;
        }
        if !ok {
            self.open_until = Some(now + self.open_for);
        } else if probe {
            self.open_until = None;
        }
    }

    fn is_open(&self, now: Instant) -> bool {
        self.probing || self.open_until.is_some_and(|until| now < until)
    }
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

/// The HTTP side: endpoint, credentials, agent.
struct Client {
    agent: ureq::Agent,
    url: String,
    appkey: String,
    sign: String,
    method: Method,
    send_full_number: bool,
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
    file_lock: Mutex<()>,
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
    /// "today"). Loads the cache file if one is set and exists. Sends nothing.
    ///
    /// # Errors
    /// [`RemoteError::InvalidUrl`] for an endpoint that is not `http://` or `https://`;
    /// [`RemoteError::CacheFile`] when the cache file exists but cannot be read or parsed.
    pub fn new(
        config: RemoteConfig,
        policy: Policy,
        local: Resolver,
    ) -> Result<RemoteResolver, RemoteError> {
        check_url(&config.url)?;
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .max_redirects(0)
            .user_agent(concat!("cnid/", env!("CARGO_PKG_VERSION")))
            .build();
        let mut cache = HashMap::new();
        if let Some(path) = &config.cache_file {
            for (code, entry) in load_cache(path)? {
                cache.insert(code, Slot::Ready(entry));
            }
        }
        Ok(RemoteResolver {
            policy,
            local,
            client: Client {
                agent: ureq::Agent::new_with_config(agent_config),
                url: config.url,
                appkey: config.appkey,
                sign: config.sign,
                method: config.method,
                send_full_number: config.send_full_number,
            },
            cache: RwLock::new(cache),
            breaker: Mutex::new(Breaker {
                open_for: config.circuit_open_for,
                open_until: None,
                probing: false,
                max_per_hour: config.max_calls_per_hour,
                sent: VecDeque::new(),
            }),
            cache_file: config.cache_file,
            file_lock: Mutex::new(()),
            counters: Counters::default(),
            flight_wait: config.connect_timeout + config.timeout + Duration::from_secs(1),
            wait_retry_after: config.wait_retry_after,
        })
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Resolves one input like the web API; never panics. Blocks while a request is sent
    /// (at most the configured timeouts).
    pub fn resolve(&self, input: &str) -> Resolution {
        self.resolve_detailed(input).0
    }

    /// Like [`RemoteResolver::resolve`], and why the web API did not answer when it was
    /// asked and failed (for a warning; the error never contains the number).
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

    /// Writes the cache file now (it is also written after each new entry, and a failure
    /// there only counts in [`RemoteStats::cache_write_errors`]). Does nothing without a
    /// cache file.
    ///
    /// # Errors
    /// [`RemoteError::CacheFile`] when the file cannot be written.
    pub fn save_cache(&self) -> Result<(), RemoteError> {
        let Some(path) = &self.cache_file else {
            return Ok(());
        };
        let _guard = lock(&self.file_lock);
        // Entries another process wrote since we loaded the file are kept (and learned):
        // without this merge the last writer's cache would win. A file that no longer
        // parses is replaced by ours.
        let on_disk = load_cache(path).unwrap_or_default();
        let mut entries: BTreeMap<u32, Entry> = BTreeMap::new();
        {
            let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
            for (code, entry) in on_disk {
                match cache.get(&code) {
                    None | Some(Slot::Waiting(_)) => {
                        cache.insert(code, Slot::Ready(entry.clone()));
                    }
                    Some(_) => {}
                }
                entries.insert(code, entry);
            }
            for (&code, slot) in cache.iter() {
                if let Slot::Ready(e) = slot {
                    entries.insert(code, e.clone());
                }
            }
        }
        write_cache(path, &entries)
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
        let deadline = Instant::now() + self.flight_wait;
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
            breaker: &self.breaker,
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

/// Records a request's result in the breaker, also when the request panicked.
struct ProbeGuard<'a> {
    breaker: &'a Mutex<Breaker>,
    probe: bool,
    ok: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        lock(self.breaker).record(self.probe, self.ok, Instant::now());
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
        let saved = self.new_entry.is_some();
        {
            let mut cache = r.cache.write().unwrap_or_else(PoisonError::into_inner);
            let wait =
                matches!(self.outcome, Some(Ok(Found::Wait))) && !r.wait_retry_after.is_zero();
            match self.new_entry.take() {
                Some(entry) => cache.insert(self.code, Slot::Ready(entry)),
                None if wait => cache.insert(
                    self.code,
                    Slot::Waiting(Instant::now() + r.wait_retry_after),
                ),
                None => cache.remove(&self.code),
            };
        }
        *lock(&self.flight.outcome) = self.outcome.take();
        self.flight.ready.notify_all();
        if saved && r.save_cache().is_err() {
            bump(&r.counters.cache_write_errors);
        }
    }
}

impl Client {
    fn request(&self, number: &IdNumber) -> Outcome {
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
        let secrets = [number.as_str(), idcard.as_str(), &self.appkey, &self.sign];
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
fn synthetic(number: &IdNumber) -> String {
    let mut body = [0u8; 17];
    body[..6].copy_from_slice(number.region_prefix().as_bytes());
    body[6..].copy_from_slice(SYNTHETIC_TAIL);
    let check = crate::check_character(&body).unwrap_or('0');
    let mut s: String = body.iter().map(|&b| char::from(b)).collect();
    s.push(check);
    s
}

fn check_url(url: &str) -> Result<(), RemoteError> {
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

/// Replaces every secret (number, credentials) in `text`, and masks anything that looks
/// like an ID number.
fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, &crate::mask(s));
    }
    // Runs of 15 or more digits (with a trailing X) are masked too.
    let mut result = String::with_capacity(out.len());
    let chars: Vec<char> = out.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || (i > start && chars[i] == 'X')) {
            i += 1;
        }
        if i > start {
            let run: String = chars[start..i].iter().collect();
            if run.len() >= 15 {
                result.push_str(&crate::mask(&run));
            } else {
                result.push_str(&run);
            }
        } else {
            result.push(chars[i]);
            i += 1;
        }
    }
    result
}

fn transport_error(e: &ureq::Error, secrets: &[&str]) -> RemoteError {
    match e {
        ureq::Error::Timeout(_) => RemoteError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => RemoteError::Timeout,
        ureq::Error::StatusCode(s) => RemoteError::Http(*s),
        e => RemoteError::Transport(redact(&e.to_string(), secrets).to_lowercase()),
    }
}

/// A JSON value as text: strings as they are, numbers printed, anything else empty.
fn text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn parse_answer(body: &[u8], code: u32, full_number: bool, secrets: &[&str]) -> Outcome {
    let malformed = |why: &str| RemoteError::Malformed(why.to_owned());
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        RemoteError::Malformed(format!(
            "not json (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let obj = value
        .as_object()
        .ok_or_else(|| malformed("not a json object"))?;
    match text(obj.get("success")).as_str() {
        "1" => {}
        "0" => {
            let msg: String = text(obj.get("msg")).chars().take(MSG_LIMIT).collect();
            let msgid: String = text(obj.get("msgid")).chars().take(32).collect();
            return Err(RemoteError::Api {
                msgid: redact(&msgid, secrets),
                msg: redact(&msg, secrets),
            });
        }
        _ => return Err(malformed("no \"success\" of \"1\" or \"0\"")),
    }
    let result = obj
        .get("result")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| malformed("no \"result\" object"))?;
    let status = Status::from_wire(&text(result.get("status")))
        .ok_or_else(|| malformed("unknown or missing \"status\""))?;
    Ok(match status {
        Status::AlreadyAtt => {
            let field = |k: &str| text(result.get(k));
            let fields = RegionFields {
                att: field("att"),
                postno: field("postno"),
                areano: field("areano"),
                style_simcall: field("style_simcall"),
                style_citynm: field("style_citynm"),
            };
            if fields.att.trim().is_empty() {
                return Err(malformed("ALREADY_ATT without \"att\""));
            }
            Found::Att(Region::from_fields(code, fields, Source::Remote))
        }
        Status::NotAtt => Found::NotAtt { cache: true },
        // cnid checked the number (or built it): the web API knows no region for it. With
        // the full number, the objection may be to something else than the prefix.
        Status::WrongIdcard => Found::NotAtt {
            cache: !full_number,
        },
        Status::WaitProcess => Found::Wait,
    })
}

/// Escapes a field for the cache file: `\` `\t` `\n` `\r`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('\\') => '\\',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('r') => '\r',
            _ => return Err("bad escape".to_owned()),
        });
    }
    Ok(out)
}

fn cache_error(path: &Path, reason: impl Into<String>) -> RemoteError {
    RemoteError::CacheFile {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Reads a cache file; a missing file is an empty cache.
fn load_cache(path: &Path) -> Result<Vec<(u32, Entry)>, RemoteError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(cache_error(path, e.to_string().to_lowercase())),
    };
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| cache_error(path, format!("line {}: {why}", i + 1));
        let cols: Vec<&str> = line.split('\t').collect();
        let [code, status, att, postno, areano, simcall, citynm] = cols[..] else {
            return Err(bad("expected 7 tab-separated fields"));
        };
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the code is not 6 digits"));
        }
        let code: u32 = code.parse().map_err(|_| bad("the code is not 6 digits"))?;
        let field = |s: &str| unescape(s).map_err(|e| bad(&e));
        let entry = match status {
            "ALREADY_ATT" => Entry::Att(Region::from_fields(
                code,
                RegionFields {
                    att: field(att)?,
                    postno: field(postno)?,
                    areano: field(areano)?,
                    style_simcall: field(simcall)?,
                    style_citynm: field(citynm)?,
                },
                Source::Cache,
            )),
            "NOT_ATT" => Entry::NotAtt,
            _ => return Err(bad("the status is not ALREADY_ATT or NOT_ATT")),
        };
        entries.push((code, entry));
    }
    Ok(entries)
}

/// Writes a cache file atomically: a temporary file in the same folder, then a rename.
fn write_cache(path: &Path, entries: &BTreeMap<u32, Entry>) -> Result<(), RemoteError> {
    let mut text = String::with_capacity(64 + entries.len() * 96);
    text.push_str(CACHE_HEADER);
    text.push('\n');
    for (code, entry) in entries {
        let (status, fields) = match entry {
            Entry::Att(r) => ("ALREADY_ATT", r.to_fields()),
            Entry::NotAtt => (
                "NOT_ATT",
                RegionFields {
                    att: String::new(),
                    postno: String::new(),
                    areano: String::new(),
                    style_simcall: String::new(),
                    style_citynm: String::new(),
                },
            ),
        };
        text.push_str(&format!("{code:06}\t{status}"));
        for f in [
            &fields.att,
            &fields.postno,
            &fields.areano,
            &fields.style_simcall,
            &fields.style_citynm,
        ] {
            text.push('\t');
            text.push_str(&escape(f));
        }
        text.push('\n');
    }
    let name = path
        .file_name()
        .ok_or_else(|| cache_error(path, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cache_error(path, e.to_string().to_lowercase())
    })
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

    #[test]
    fn synthetic_number_is_valid_with_same_prefix() {
        let n = IdNumber::parse("110101198506150027").unwrap();
        let s = synthetic(&n);
        assert_eq!(s, "110101199001010015");
        let parsed = IdNumber::parse(&s).unwrap();
        assert_eq!(parsed.region_prefix(), "110101");
    }

    #[test]
    fn redaction() {
        let r = redact(
            "GET http://h/?idcard=110101198506150026&appkey=KEY&sign=SIG failed 12345",
            &["KEY", "SIG"],
        );
        assert!(!r.contains("110101198506150026") && !r.contains("KEY") && !r.contains("SIG"));
        assert!(
            r.contains("110101********0026") && r.ends_with("12345"),
            "{r}"
        );
        assert_eq!(
            redact("x 11010119850615002X y", &[]),
            "x 110101********002X y"
        );
    }

    #[test]
    fn escapes_round_trip() {
        for s in ["", "a b ", "t\tn\nr\r\\", "北京市 东城区 "] {
            assert_eq!(unescape(&escape(s)).unwrap(), s);
            assert!(!escape(s).contains('\t') && !escape(s).contains('\n'));
        }
        assert!(unescape("a\\").is_err());
        assert!(unescape("a\\q").is_err());
    }

    #[test]
    fn breaker_opens_probes_and_closes() {
        let t0 = Instant::now();
        let mut b = Breaker {
            open_for: Duration::from_secs(10),
            open_until: None,
            probing: false,
            max_per_hour: Some(3),
            sent: VecDeque::new(),
        };
        assert_eq!(b.admit(t0), Ok(false));
        b.record(false, false, t0);
        assert_eq!(
            b.admit(t0 + Duration::from_secs(5)),
            Err(RemoteError::CircuitOpen)
        );
        let t1 = t0 + Duration::from_secs(11);
        assert_eq!(b.admit(t1), Ok(true));
        // Only one probe at a time.
        assert_eq!(b.admit(t1), Err(RemoteError::CircuitOpen));
        b.record(true, true, t1);
        assert!(!b.is_open(t1));
        assert_eq!(b.admit(t1), Ok(false));
        assert_eq!(b.admit(t1), Err(RemoteError::RateLimited(3)));
        assert_eq!(b.admit(t0 + HOUR), Ok(false));
    }
}
