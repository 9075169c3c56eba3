//! `cnid`: resolve Chinese resident ID numbers offline, answering like the web API.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

mod batch;
mod generate;
mod lookup;
mod upgrade;

/// Resolve Chinese resident ID numbers (GB 11643-1999) offline: check character, birth
/// date, sex and the GB/T 2260 region since 1980, answered with the same statuses and JSON
/// fields as the NowAPI idcard.get web API.
#[derive(Debug, Parser)]
#[command(name = "cnid", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Resolve numbers given as arguments; prints one answer per line, in input order.
    Lookup(lookup::Args),
    /// Resolve every number of a file (text or CSV), streaming, in order, on all cores.
    Batch(batch::Args),
    /// Print valid synthetic numbers for tests and demos.
    Generate(generate::Args),
    /// Print the 18-digit form of first-generation 15-digit numbers.
    Upgrade(upgrade::Args),
}

/// Output format of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WireFormat {
    /// The web API's JSON, one line per answer.
    Json,
    /// The web API's XML, one document per line.
    Xml,
}

impl From<WireFormat> for cnid::wire::Format {
    fn from(f: WireFormat) -> Self {
        match f {
            WireFormat::Json => cnid::wire::Format::Json,
            WireFormat::Xml => cnid::wire::Format::Xml,
        }
    }
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lookup(args) => lookup::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Upgrade(args) => upgrade::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cnid: {e}");
            ExitCode::from(1)
        }
    }
}
