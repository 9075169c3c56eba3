//! `cnid lookup`: answers for numbers given as arguments, or read from standard input (one
//! per line) when none are given or for `-`, which keeps them out of `ps` and the shell's
//! history. One line per answer in every format. Exit status like grep's: 0 when every
//! number was found (ALREADY_ATT), 1 when some were not, 2 on a usage error.

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
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
            (None, Some(format)) => {
                wire::write(&mut self.line, format, &fields);
                // XML text may hold a line break (from the input echoed as idcard): as a
                // character reference it means the same and the answer stays one line.
                if self.line.contains(['\n', '\r']) {
                    self.line = self.line.replace('\n', "&#10;").replace('\r', "&#13;");
                }
            }
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

/// Calls `f` on each number of `ids` in order; `-`, or no ids at all, stands for the lines
/// of standard input (read once; a line that is not UTF-8 is passed on lossily, so that
/// answer N stays the answer to line N). `f` is told whether the number came from stdin.
pub fn each_number(
    ids: &[String],
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
        let mut input = io::stdin().lock();
        while {
            line.clear();
            input.read_until(b'\n', &mut line)? > 0
        } {
            let id = line.strip_suffix(b"\n").unwrap_or(&line);
            let id = id.strip_suffix(b"\r").unwrap_or(id);
            f(&String::from_utf8_lossy(id), true)?;
        }
    }
    Ok(())
}
