//! `cnid serve`: the web API's `idcard.get` endpoint on your own host, so that an existing
//! client changes one base URL and nothing else.
//!
//! A small blocking HTTP/1.1 server on std: one thread per connection (at most
//! `--threads`), requests read with httparse, answers written by [`cnid::wire`]. Measured
//! side by side on the 2-core machine it answered 2.3 times the keep-alive requests per
//! second of hyper 1 on tokio, and every limit answers with the web API's envelope.
//!
//! Modules: [`query`] (parameters), [`request`] (head, framing, limits), [`api`] (the
//! answer), [`response`] (HTTP out), [`conn`] (one connection), [`metrics`], [`log`].

mod api;
mod conn;
mod log;
mod metrics;
mod query;
mod request;
mod response;

use std::io::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::{Api, Key};
use request::Limits;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on (`0.0.0.0:8780` for every interface; port 0 picks a
    /// free one, printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// Connections served at once, one thread each; one more is answered 503 and closed.
    #[arg(
        long,
        visible_alias = "max-connections",
        value_name = "N",
        default_value_t = 512,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    threads: u32,
    /// Answer only requests with this appkey and sign (repeatable); others get 1000555
    /// SIGN_INVALID. Shown by `ps`: on a shared host use --require-keys-file.
    #[arg(long, value_name = "APPKEY:SIGN")]
    require_key: Vec<Key>,
    /// Like --require-key, one APPKEY:SIGN per line of FILE (`#` comments, blank lines).
    #[arg(long, value_name = "FILE")]
    require_keys_file: Option<PathBuf>,
    /// Seconds a request may take to arrive, head and body (a slow client is cut then).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    read_timeout: u64,
    /// Seconds a keep-alive connection may wait for its next request.
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout: u64,
    /// No request log on stderr.
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    remote: crate::RemoteArgs,
}

/// What every connection shares.
#[derive(Debug)]
pub struct Server {
    api: Api,
    limits: Limits,
    metrics: metrics::Metrics,
    log: Option<Arc<log::Log>>,
    shutdown: AtomicBool,
    /// All connections are taken and one more waits: idle keep-alive connections close.
    pressure: AtomicBool,
    open: AtomicUsize,
    /// Connections waiting for their next request with nothing read.
    idle: AtomicUsize,
}

/// Counts a connection as open until its thread ends, however it ends.
struct OpenGuard(Arc<Server>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Relaxed);
    }
}

/// The largest keys file read: thousands of keys; a wrong path to a huge file or a device
/// (`/dev/zero`) is refused instead of read until memory runs out.
const MAX_KEYS_FILE: u64 = 1 << 20;

fn read_keys(path: &PathBuf) -> Result<Vec<Key>, String> {
    use std::io::Read as _;
    let cannot = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEYS_FILE + 1).read_to_string(&mut text))
        .map_err(|e| cannot(&e))?;
    if text.len() as u64 > MAX_KEYS_FILE {
        return Err(cannot(&format_args!(
            "larger than {MAX_KEYS_FILE} bytes, not a keys file"
        )));
    }
    text.lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            l.parse::<Key>()
                .map_err(|e| format!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    let mut keys = args.require_key.clone();
    if let Some(path) = &args.require_keys_file {
        match read_keys(path) {
            Ok(more) if more.is_empty() => {
                crate::say!("cnid: {} holds no APPKEY:SIGN line", path.display());
                return Ok(ExitCode::from(2));
            }
            Ok(more) => keys.extend(more),
            Err(msg) => {
                crate::say!("cnid: {msg}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let engine = match crate::Engine::new(&args.remote, None) {
        Ok(e) => e,
        Err(msg) => {
            crate::say!("cnid: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    let listener = TcpListener::bind(args.listen)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {}: {e}", args.listen)))?;
    let local = listener.local_addr()?;
    let limits = Limits {
        read_timeout: Duration::from_secs(args.read_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        max_connections: args.threads as usize,
        ..Limits::default()
    };
    let server = Arc::new(Server {
        api: Api { engine, keys },
        limits,
        metrics: metrics::Metrics::default(),
        log: (!args.quiet).then(log::Log::start),
        shutdown: AtomicBool::new(false),
        pressure: AtomicBool::new(false),
        open: AtomicUsize::new(0),
        idle: AtomicUsize::new(0),
    });
    watch_signals(&server, local)?;
    // The address is news, not the service: when stdout is full or gone (`| true`, a dead
    // log pipe) it goes to stderr instead, and the server runs on.
    let listening = format!("cnid serve: listening on http://{local}/");
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{listening}").and_then(|()| out.flush()) {
        crate::say!("{listening} (standard output: {e})");
    }
    drop(out);
    accept(&listener, &server);
    // New connections are refused from now on, not left waiting in the backlog.
    drop(listener);

    // Shutdown: requests being read or answered finish (a request has at most its read
    // timeout to arrive), idle connections close within a poll interval.
    let grace = server.limits.read_timeout + Duration::from_secs(2);
    let since = Instant::now();
    while server.open.load(Relaxed) > 0 && since.elapsed() < grace {
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Some(log) = &server.log {
        log.flush();
    }
    server.api.engine.finish();
    let left = server.open.load(Relaxed);
    if left > 0 {
        crate::say!("cnid serve: stopped with {left} connection(s) still open");
    } else {
        crate::say!("cnid serve: stopped");
    }
    Ok(ExitCode::SUCCESS)
}

fn accept(listener: &TcpListener, server: &Arc<Server>) {
    for stream in listener.incoming() {
        if server.shutdown.load(Relaxed) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            // Out of file descriptors or a connection reset before accept: wait a little
            // and go on rather than spin.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let peer = match stream.peer_addr() {
            Ok(p) => p,
            Err(_) => continue,
        };
        server.metrics.connection();
        if server.open.load(Relaxed) >= server.limits.max_connections && !make_room(server) {
            server.metrics.rejected();
            turn_away(stream, server);
            continue;
        }
        server.open.fetch_add(1, Relaxed);
        let guard = OpenGuard(Arc::clone(server));
        let spawned = std::thread::Builder::new()
            .name("cnid-conn".into())
            .stack_size(stack_size(&server.api.engine))
            .spawn(move || {
                conn::serve(stream, peer, &guard.0);
                drop(guard);
            });
        if spawned.is_err() {
            // The guard went down with the closure: the count is right again.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A connection thread's stack: little for the built-in table (only the pages touched
/// count towards memory), more when a request may go through a TLS handshake to the web API.
fn stack_size(engine: &crate::Engine) -> usize {
    match engine {
        crate::Engine::Local(_) => 256 * 1024,
        #[cfg(feature = "remote")]
        crate::Engine::Remote(..) => 2 * 1024 * 1024,
    }
}

/// At the cap, asks idle keep-alive connections to close (they notice within a poll) and
/// waits a little for a slot: clients' idle pools must not lock out a new client.
/// `false` when every connection is busy with a request.
fn make_room(server: &Server) -> bool {
    if server.idle.load(Relaxed) == 0 {
        return false;
    }
    server.pressure.store(true, Relaxed);
    let since = Instant::now();
    while server.open.load(Relaxed) >= server.limits.max_connections
        && since.elapsed() < conn::POLL + Duration::from_millis(100)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    server.pressure.store(false, Relaxed);
    server.open.load(Relaxed) < server.limits.max_connections
}

/// 503 with the envelope for a connection over the cap.
fn turn_away(mut stream: TcpStream, server: &Server) {
    let mut body = String::new();
    let content_type = response::envelope(
        &mut body,
        cnid::wire::Format::Json,
        None,
        "503",
        "too many connections",
    );
    let mut out = Vec::new();
    response::write(
        &mut out,
        &response::Reply {
            code: 503,
            content_type,
            body: body.as_bytes(),
            keep_alive: false,
            head_only: false,
            extra: "Retry-After: 1\r\n",
        },
    );
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = stream.write_all(&out);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    server
        .metrics
        .request(503, metrics::Outcome::Error, Duration::ZERO);
}

/// SIGTERM or SIGINT: stop accepting, let requests in flight finish. A second signal ends
/// the process at once.
fn watch_signals(server: &Arc<Server>, local: SocketAddr) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    let server = Arc::clone(server);
    std::thread::Builder::new()
        .name("cnid-signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                if server.shutdown.swap(true, Relaxed) {
                    if let Some(log) = &server.log {
                        log.flush();
                    }
                    std::process::exit(130);
                }
                crate::say!("cnid serve: shutting down");
                // Wake the accept loop with a connection of our own.
                let ip = match local.ip() {
                    IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
                    ip => ip,
                };
                let _ = TcpStream::connect_timeout(
                    &SocketAddr::new(ip, local.port()),
                    Duration::from_secs(1),
                );
            }
        })?;
    Ok(())
}
