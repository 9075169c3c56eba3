//! `cnid lookup`: answers for numbers given as arguments, or read from standard input (one
//! per line) when none are given or for `-`, which keeps them out of `ps` and the shell's
//! history. One line per answer in every format. Exit status like grep's: 0 when every
//! number was found (ALREADY_ATT), 1 when some were not, 2 on a usage error.

use std::io::{self, BufRead, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use cnid::wire::{self, Callback, Fields};
use cnid::Status;

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
    /// ID numbers (18 or 15 characters). None, or `-`: read them from standard input, one
    /// per line.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
}

fn parse_callback(s: &str) -> Result<Callback, String> {
    Callback::new(s).map_err(|e| e.to_string())
}

/// Writes answers and remembers whether every number was found.
struct Answers<'a, W: Write> {
    args: &'a Args,
    engine: crate::Engine,
    out: W,
    line: String,
    all_found: bool,
}

impl<W: Write> Answers<'_, W> {
    fn answer(&mut self, id: &str) -> io::Result<()> {
        self.line.clear();
        let resolution = self.engine.resolve(id);
        self.all_found &= resolution.status() == Status::AlreadyAtt;
        let fields = Fields::new(&resolution, id);
        match (&self.args.callback, self.args.format.wire()) {
            (Some(cb), _) => wire::write_jsonp(&mut self.line, cb, &fields),
            // One line in every format: the writers escape line breaks themselves.
            (None, Some(format)) => wire::write(&mut self.line, format, &fields),
            (None, None) => self.line.push_str(
                &serde_json::to_string(&resolution).map_err(|e| io::Error::other(e.to_string()))?,
            ),
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    if args.callback.is_some() && args.format != WireFormat::Json {
        crate::say!("cnid: --callback needs --format json");
        return Ok(ExitCode::from(2));
    }
    if args.ids.is_empty() && io::stdin().is_terminal() {
        crate::say!(
            "cnid lookup: give ID numbers as arguments, or pipe them on standard input one per \
             line (cnid lookup < FILE)"
        );
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
    let interactive = stdout.is_terminal();
    let mut answers = Answers {
        args,
        engine,
        out: BufWriter::new(stdout.lock()),
        line: String::with_capacity(512),
        all_found: true,
    };
    let result = (|| -> io::Result<()> {
        each_number(&args.ids, |id, from_stdin| {
            answers.answer(id)?;
            if from_stdin && interactive {
                // Typed one at a time: answer each at once.
                answers.out.flush()?;
            }
            Ok(())
        })?;
        answers.out.flush()
    })();
    match result {
        // The reader went away (`| head`): nothing more is wanted.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    answers.engine.finish();
    Ok(ExitCode::from(if answers.all_found { 0 } else { 1 }))
}

/// The longest standard-input line read as a number, as `batch --max-row-bytes` by default:
/// far more than any ID number with spaces around it, and memory stays bounded whatever
/// the input (a 300 MB line took 2 GB and 20 s, a 3 GB one all the memory there was).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Calls `f` on each number of `ids` in order; `-`, or no ids at all, stands for the lines
/// of standard input (read once; a line that is not UTF-8 is passed on lossily, so that
/// answer N stays the answer to line N). `f` is told whether the number came from stdin.
/// A line longer than [`MAX_LINE_BYTES`] is skipped unread, said on stderr, and answered
/// as an empty input, so that answer N still answers line N.
pub fn each_number(ids: &[String], f: impl FnMut(&str, bool) -> io::Result<()>) -> io::Result<()> {
    each_number_from(ids, &mut io::stdin().lock(), MAX_LINE_BYTES, f)
}

/// A read error of standard input, saying that it is one (a directory given as `< /tmp`
/// said only "Is a directory").
fn stdin_error(e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot read standard input: {e}"))
}

/// [`each_number`] with standard input and the line cap given.
fn each_number_from(
    ids: &[String],
    input: &mut impl BufRead,
    max_line: usize,
    mut f: impl FnMut(&str, bool) -> io::Result<()>,
) -> io::Result<()> {
    let dash = ["-".to_owned()];
    let ids = if ids.is_empty() { &dash[..] } else { ids };
    let mut stdin_read = false;
    for id in ids {
        if id != "-" {
            f(id, false)?;
            continue;
        }
        if std::mem::replace(&mut stdin_read, true) {
            continue;
        }
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            let limit = u64::try_from(max_line)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let read = Read::take(&mut *input, limit).read_until(b'\n', &mut line);
            if read.map_err(stdin_error)? == 0 {
                break;
            }
            number += 1;
            if line.len() > max_line && line.last() != Some(&b'\n') {
                let rest = skip_line(input).map_err(stdin_error)?;
                crate::say!(
                    "cnid: line {number} of standard input: {} bytes, longer than {max_line}: \
                     not read, answered as empty",
                    line.len() as u64 + rest
                );
                f("", true)?;
                continue;
            }
            let id = line.strip_suffix(b"\n").unwrap_or(&line);
            let id = id.strip_suffix(b"\r").unwrap_or(id);
            f(&String::from_utf8_lossy(id), true)?;
        }
    }
    Ok(())
}

/// Reads past the next line break (or to the end) without keeping anything: the bytes read.
fn skip_line(input: &mut impl BufRead) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(skipped);
        }
        let (used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        input.consume(used);
        skipped += used as u64;
        if done {
            return Ok(skipped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::each_number_from;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut got = Vec::new();
        let mut reader = std::io::BufReader::with_capacity(8, input);
        each_number_from(&["-".to_owned()], &mut reader, max, |id, stdin| {
            assert!(stdin);
            got.push(id.to_owned());
            Ok(())
        })
        .unwrap();
        got
    }

    #[test]
    fn an_overlong_line_is_skipped_and_answered_empty_in_its_place() {
        let long = "7".repeat(100);
        let input = format!("1234\r\n{long}\n{}\nabc\n{long}", &long[..20]);
        assert_eq!(
            lines(input.as_bytes(), 20),
            ["1234", "", &long[..20], "abc", ""]
        );
        // A line of exactly the cap, with or without its line break, is read.
        assert_eq!(lines(b"12345\n12345", 5), ["12345", "12345"]);
        assert_eq!(lines(b"123456\n1\n", 5), ["", "1"]);
    }
}
