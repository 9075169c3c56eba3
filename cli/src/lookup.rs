//! `cnid lookup`: answers for numbers given as arguments.

use std::io::{self, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use cnid::wire::{self, Callback, Fields};

use crate::WireFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Answer format.
    #[arg(long, value_enum, default_value_t = WireFormat::Json)]
    format: WireFormat,
    /// Wrap each JSON answer as JSONP: NAME(...). Letters, digits, _ $ . only.
    #[arg(long, value_name = "NAME", value_parser = parse_callback)]
    callback: Option<Callback>,
    /// The latest allowed birth date (default: today's date in China).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    today: Option<NaiveDate>,
    #[command(flatten)]
    remote: crate::RemoteArgs,
    /// ID numbers (18 or 15 characters).
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

fn parse_callback(s: &str) -> Result<Callback, String> {
    Callback::new(s).map_err(|e| e.to_string())
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    if args.callback.is_some() && args.format != WireFormat::Json {
        crate::say!("cnid: --callback needs --format json");
        return Ok(ExitCode::from(2));
    }
    let engine = match crate::Engine::new(&args.remote, args.today) {
        Ok(e) => e,
        Err(msg) => {
            crate::say!("cnid: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut line = String::with_capacity(512);
    for id in &args.ids {
        line.clear();
        let resolution = engine.resolve(id);
        let fields = Fields::new(&resolution, id);
        match (&args.callback, args.format.wire()) {
            (Some(cb), _) => wire::write_jsonp(&mut line, cb, &fields),
            (None, Some(format)) => wire::write(&mut line, format, &fields),
            (None, None) => line.push_str(
                &serde_json::to_string(&resolution).map_err(|e| io::Error::other(e.to_string()))?,
            ),
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    engine.finish();
    Ok(ExitCode::SUCCESS)
}
