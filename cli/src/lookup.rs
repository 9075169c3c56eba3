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
    /// Extra region codes (a CSV in the columns of data/regions.csv), answered before the
    /// built-in table: codes created after this build, or corrections.
    #[arg(long, value_name = "FILE")]
    regions: Option<std::path::PathBuf>,
    #[command(flatten)]
    remote: crate::RemoteArgs,
    /// ID numbers (18 or 15 characters).
    #[arg(value_name = "ID", required = true)]
    ids: Vec<String>,
}

/// cnid's own answer (`--format detail`), led by the kind of document the input is
/// (`"kind":null` when none). For a number of another document (Hong Kong, Macao, Taiwan
/// IDs, travel permits), which the web API answers `WRONG_IDCARD`, the status stays so and
/// `"document"` holds what the number says.
fn write_detail(
    line: &mut String,
    resolution: &cnid::Resolution,
    id: &str,
    today: Option<NaiveDate>,
) -> io::Result<()> {
    let other = |e: serde_json::Error| io::Error::other(e.to_string());
    let doc = match today {
        Some(d) => cnid::Document::parse_as_of(id, d),
        None => cnid::Document::parse(id),
    };
    let body = serde_json::to_string(resolution).map_err(other)?;
    line.push_str("{\"kind\":");
    match &doc {
        Ok(d) => {
            line.push('"');
            line.push_str(d.kind().as_str());
            line.push_str("\",");
        }
        Err(_) => line.push_str("null,"),
    }
    line.push_str(&body[1..body.len() - 1]);
    if let (Ok(d), cnid::Status::WrongIdcard) = (&doc, resolution.status()) {
        line.push_str(",\"document\":");
        line.push_str(&serde_json::to_string(d).map_err(other)?);
    }
    line.push('}');
    Ok(())
}

fn parse_callback(s: &str) -> Result<Callback, String> {
    Callback::new(s).map_err(|e| e.to_string())
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    if args.callback.is_some() && args.format != WireFormat::Json {
        eprintln!("cnid: --callback needs --format json");
        return Ok(ExitCode::from(2));
    }
    let regions = match args.regions.as_deref().map(crate::load_regions).transpose() {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("cnid: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    let engine = match crate::Engine::with_regions(&args.remote, args.today, regions) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("cnid: {msg}");
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
            (None, None) => write_detail(&mut line, &resolution, id, args.today)?,
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    engine.finish();
    Ok(ExitCode::SUCCESS)
}
