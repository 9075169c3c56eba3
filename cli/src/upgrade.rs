//! `cnid upgrade`: the 18-digit form of first-generation 15-digit numbers.
//!
//! Line N of stdout answers number N (an argument, or a line of standard input when none
//! is given or for `-`): the 18-digit form, or an empty line when it is not a valid number
//! (the reason goes to stderr, with the number masked and without any of its hidden
//! digits). Exit status like grep's: 0 when every number was upgraded, 1 when some were
//! not, 2 on a usage error.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use cnid::{IdNumber, ParseError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The latest allowed birth date (default: today's date in China).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    today: Option<NaiveDate>,
    /// 15-digit numbers; none, or `-`: read them from standard input, one per line. A
    /// valid 18-character number is printed as it is (normalised: upper-case X, ASCII
    /// digits). An invalid one prints an empty line and an ERROR line on stderr; the exit
    /// status is then 1.
    #[arg(value_name = "ID15")]
    ids: Vec<String>,
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    if args.ids.is_empty() && io::stdin().is_terminal() {
        crate::say!(
            "cnid upgrade: give 15-digit numbers as arguments, or pipe them on standard input \
             one per line"
        );
        return Ok(ExitCode::from(2));
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut n = 0usize;
    let mut upgrade = |input: &str, out: &mut BufWriter<io::StdoutLock<'_>>| -> io::Result<()> {
        n += 1;
        let parsed = match args.today {
            Some(today) => IdNumber::parse_as_of(input, today),
            None => IdNumber::parse(input),
        };
        match parsed {
            Ok(id) => out.write_all(id.as_str().as_bytes())?,
            Err(e) => {
                failed = true;
                // Never the whole number: it is personal data; nor the raw line.
                let masked = crate::privacy::echo(input.trim());
                crate::say!("ERROR number {n}: {masked}: {}", private_reason(&e));
            }
        }
        out.write_all(b"\n")
    };
    let result = (|| -> io::Result<()> {
        crate::lookup::each_number(&args.ids, |id, _| upgrade(id, &mut out))?;
        out.flush()
    })();
    match result {
        // The reader went away (`| head`): stop quietly.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
        _ => {}
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Why a number is invalid, saying nothing the mask hides: no birth date, no expected check
/// character, no character from the middle of the number.
fn private_reason(e: &ParseError) -> String {
    match e {
        ParseError::Character { position, .. } => {
            format!("invalid character at position {position}")
        }
        ParseError::CheckCharacter { .. } => "invalid check character".to_owned(),
        ParseError::Date { .. } => "no such birth date".to_owned(),
        // The length, the province (the first two digits, shown by the mask), a date out
        // of range: nothing hidden.
        other => other.to_string(),
    }
}
