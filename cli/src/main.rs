//! `cnid`: resolve Chinese resident ID numbers offline, answering like the web API.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

/// `eprintln!` that never panics: a closed or broken stderr (`2>&1 | head -1`) must not
/// stop a run.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod batch;
mod generate;
mod lookup;
mod privacy;
#[cfg(feature = "serve")]
mod serve;
mod upgrade;

/// Resolve Chinese resident ID numbers (GB 11643-1999) offline: check character, birth
/// date, sex and the GB/T 2260 region since 1980, answered with the same statuses and JSON
/// fields as the NowAPI idcard.get web API.
#[derive(Debug, Parser)]
#[command(name = "cnid", version = version(), about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Resolve numbers given as arguments (or on stdin, one per line); one answer per line,
    /// in input order. Exit 0 when all were found, 1 when some were not.
    Lookup(lookup::Args),
    /// Resolve every number of a file (text or CSV), streaming, in order, on all cores.
    Batch(batch::Args),
    /// Print valid synthetic numbers for tests and demos.
    Generate(generate::Args),
    /// Print the 18-digit form of first-generation 15-digit numbers.
    Upgrade(upgrade::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `cnid man > cnid.1`.
    Man,
    /// Answer the web API's idcard.get over HTTP on your own host: clients change the base URL.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
}

/// Output format of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WireFormat {
    /// The web API's JSON, one line per answer.
    Json,
    /// The web API's XML, one document per line.
    Xml,
    /// cnid's own answer, one JSON line each: why a number is wrong, the region's
    /// level, whether it is current, and every name it had with its years.
    Detail,
}

impl WireFormat {
    /// The web API's format, `None` for cnid's own.
    pub fn wire(self) -> Option<cnid::wire::Format> {
        match self {
            WireFormat::Json => Some(cnid::wire::Format::Json),
            WireFormat::Xml => Some(cnid::wire::Format::Xml),
            WireFormat::Detail => None,
        }
    }
}

/// `cnid --version`: the program's version and the data it carries, for reproducible runs.
fn version() -> &'static str {
    let text = format!(
        "{} (data: {}, {} codes)",
        env!("CARGO_PKG_VERSION"),
        cnid::DATA_VERSION,
        cnid::CODE_COUNT
    );
    // Built once, at start-up, for the rest of the run.
    Box::leak(text.into_boxed_str())
}

/// Parses `YYYY-MM-DD` for `--today`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("expected YYYY-MM-DD, found {s:?}"))
}

/// A resolver with the `--today` date, if given.
pub fn resolver(today: Option<NaiveDate>) -> cnid::Resolver {
    match today {
        Some(d) => cnid::Resolver::new().with_today(d),
        None => cnid::Resolver::new(),
    }
}

/// `--remote`, `--remote-first`, `--remote-cache`: the web API as a fallback. Credentials
/// come from the environment only (`NOWAPI_APPKEY`, `NOWAPI_SIGN`, optional `NOWAPI_URL`),
/// never from flags that would show in `ps`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RemoteArgs {
    /// Ask the web API for region codes the built-in data does not know (local first).
    /// Only a synthetic number with the same 6-digit prefix is sent.
    #[cfg(feature = "remote")]
    #[arg(long, conflicts_with = "remote_first")]
    remote: bool,
    /// Ask the web API first and answer locally when it fails (quota, network, errors).
    #[cfg(feature = "remote")]
    #[arg(long)]
    remote_first: bool,
    /// Keep the web API's answers in FILE, so later runs never ask twice.
    #[cfg(feature = "remote")]
    #[arg(long, value_name = "FILE")]
    remote_cache: Option<std::path::PathBuf>,
}

/// What answers: the built-in table alone, or with the web API as a fallback.
#[derive(Debug)]
pub enum Engine {
    /// Offline.
    Local(cnid::Resolver),
    /// With the remote fallback.
    #[cfg(feature = "remote")]
    Remote(
        Box<cnid::remote::RemoteResolver>,
        std::sync::Mutex<Vec<String>>,
    ),
}

impl Engine {
    /// Builds the engine from the flags; a usage problem (missing credentials, bad cache
    /// file) is an `Err` with the message.
    #[cfg_attr(not(feature = "remote"), allow(unused_variables))]
    pub fn new(remote: &RemoteArgs, today: Option<NaiveDate>) -> Result<Engine, String> {
        let local = resolver(today);
        #[cfg(feature = "remote")]
        if remote.remote || remote.remote_first || remote.remote_cache.is_some() {
            use cnid::remote::{Policy, RemoteConfig, RemoteResolver};
            let mut config = RemoteConfig::from_env().map_err(|e| e.to_string())?;
            config.cache_file.clone_from(&remote.remote_cache);
            let policy = if remote.remote_first {
                Policy::RemoteFirst
            } else {
                Policy::LocalFirst
            };
            let r = RemoteResolver::new(config, policy, local).map_err(|e| e.to_string())?;
            return Ok(Engine::Remote(
                Box::new(r),
                std::sync::Mutex::new(Vec::new()),
            ));
        }
        Ok(Engine::Local(local))
    }

    /// One answer. With the remote, the first failure of each kind is reported on stderr
    /// (the message never holds the number).
    pub fn resolve(&self, input: &str) -> cnid::Resolution {
        match self {
            Engine::Local(r) => r.resolve(input),
            #[cfg(feature = "remote")]
            Engine::Remote(r, warned) => {
                let (resolution, error) = r.resolve_detailed(input);
                if let Some(e) = error {
                    let kind = format!("{:?}", std::mem::discriminant(&e));
                    if let Ok(mut seen) = warned.lock() {
                        if !seen.contains(&kind) {
                            say!("cnid: web api: {e}");
                            seen.push(kind);
                        }
                    }
                }
                resolution
            }
        }
    }

    /// Saves the remote cache and prints what the remote did; nothing offline.
    pub fn finish(&self) {
        #[cfg(feature = "remote")]
        if let Engine::Remote(r, _) = self {
            if let Err(e) = r.save_cache() {
                say!("cnid: {e}");
            }
            let s = r.stats();
            let held = if s.deferred > 0 {
                format!(", {} held after wait process", s.deferred)
            } else {
                String::new()
            };
            say!(
                "cnid: web api: {} request(s), {} failure(s), {} cache hit(s){held}",
                s.requests,
                s.failures,
                s.cache_hits
            );
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout as clap writes them (a closed pipe is no failure,
        // as for every answer); an error names what the user typed, which may be an ID
        // number: masked.
        Err(e) if !e.use_stderr() => {
            return match e.print() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
                _ => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            say!(
                "{}",
                privacy::mask_numbers(e.render().to_string().trim_end())
            );
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Lookup(args) => lookup::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Upgrade(args) => upgrade::run(&args),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a write error (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cnid", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script).map(|()| ExitCode::SUCCESS)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map(|()| ExitCode::SUCCESS),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): nothing more is wanted, which is no failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say!("cnid: {e}");
            ExitCode::from(1)
        }
    }
}
