//! `cnid batch`: resolve every number of a file, streaming, in order, on all cores.
//!
//! The reader thread cuts the input into chunks of whole rows ([`rows`]); `--jobs` workers
//! each answer a whole chunk into an output buffer ([`answer`]) and then, unless another
//! worker is writing, write every answered chunk whose turn has come ([`output`]): the
//! output is written in input order by one thread at a time, and no thread is there only
//! to wait for the others. A fixed number of tickets bounds the chunks in flight, whatever
//! `--jobs` and the input's size, and a row longer than `--max-row-bytes` is skipped rather
//! than held, so memory stays bounded. Every input row yields exactly one output row.

mod answer;
mod input;
mod output;
mod progress;
mod rows;
mod workbook;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Instant;

use chrono::NaiveDate;

pub use answer::Encoding;
use answer::{Chunk, ChunkKind, Done, Job};
use progress::{Counts, Meter, MAX_REPORTED};
use rows::{End, Splitter};

/// Input bytes per chunk.
const CHUNK: usize = 128 * 1024;
/// Chunks in flight (read, queued, answered, waiting to be written): the memory bound.
const IN_FLIGHT: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// The input row with the answer's columns appended.
    Csv,
    /// One web-API JSON answer per line.
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file, `-` for standard input: text, CSV/TSV, gzip, or an Excel workbook
    /// (.xlsx, .xls; known by its first bytes, whatever the name).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    input: PathBuf,
    /// The workbook's sheet to read: a name or a 1-based position (default: the first).
    #[arg(long, value_name = "NAME|N")]
    sheet: Option<String>,
    /// Output file, `-` for standard output. A name ending in .xlsx gets an Excel workbook,
    /// every cell text (the ID column keeps its 18 digits).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Csv)]
    format: OutFormat,
    /// Text encoding of the input. The CSV output keeps it (the rows are echoed byte for
    /// byte and the answer columns are written in the same encoding); JSON lines are
    /// always UTF-8.
    #[arg(long, value_enum, value_name = "ENCODING", default_value_t = Encoding::Utf8)]
    encoding: Encoding,
    /// The column holding the numbers: a header name, or a 1-based position. Default: the
    /// only column, or the one named like idcard / 身份证号.
    #[arg(long, value_name = "NAME|N")]
    column: Option<String>,
    /// The first row is data, not a header. (Without this flag the first row is a header
    /// unless its ID column holds a number, in ASCII or full-width digits.)
    #[arg(long)]
    no_header: bool,
    /// The latest allowed birth date (default: today's date in China).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    today: Option<NaiveDate>,
    /// Extra region codes (a CSV in the columns of data/regions.csv), answered before the
    /// built-in table.
    #[arg(long, value_name = "FILE")]
    regions: Option<std::path::PathBuf>,
    #[command(flatten)]
    remote: crate::RemoteArgs,
    /// A row longer than this many bytes is not read: it gets one WRONG_IDCARD row that
    /// says so, and memory stays bounded whatever the input.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(64..=1 << 30))]
    max_row_bytes: u64,
    /// Threads that answer rows and write them in turn (default: the number of cores; at
    /// most 16 run, as many as chunks in flight). `--jobs 1` answers and writes on one.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
}

/// A usage problem (exit 2) or an I/O failure (exit 1).
pub enum Failure {
    Usage(String),
    Io(String),
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    let code = match run_inner(args) {
        Ok(()) => 0,
        Err(Failure::Usage(msg)) => {
            crate::say!("cnid batch: {msg}");
            2
        }
        Err(Failure::Io(msg)) => {
            crate::say!("cnid batch: {msg}");
            1
        }
    };
    Ok(ExitCode::from(code))
}

/// The start of the input, read until its first row is whole.
struct Start {
    /// The bytes read, a UTF-8 byte-order mark taken off.
    buf: Vec<u8>,
    /// There was a byte-order mark.
    bom: bool,
    /// The input ended within `buf`.
    eof: bool,
    /// How rows end and split, from the first line.
    mode: rows::Mode,
    /// Where the first row ends: `None` for an empty input, `Some(0)` for a first row too
    /// long to read.
    first_end: Option<usize>,
}

/// Reads until the first row is whole.
fn first_row(input: &mut input::Input, max_row: usize) -> Result<Start, Failure> {
    let mut buf = Vec::with_capacity(CHUNK);
    let mut eof = false;
    let read_more = |buf: &mut Vec<u8>, eof: &mut bool, input: &mut input::Input| {
        let want = (buf.len() + 1).max(CHUNK) as u64;
        let n = input
            .by_ref()
            .take(want)
            .read_to_end(buf)
            .map_err(|e| Failure::Io(format!("cannot read the input: {e}")))?;
        *eof = n == 0;
        Ok::<(), Failure>(())
    };
    // The first line decides the delimiter.
    loop {
        let body = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf);
        if eof || memchr::memchr2(b'\n', b'\r', body).is_some() || buf.len() > max_row {
            break;
        }
        read_more(&mut buf, &mut eof, input)?;
    }
    let bom = buf.starts_with(b"\xef\xbb\xbf");
    if bom {
        buf.drain(..3);
    }
    let first_line = match memchr::memchr2(b'\n', b'\r', &buf) {
        Some(i) => &buf[..i],
        None => &buf[..],
    };
    let mode = answer::sniff_mode(&first_line[..first_line.len().min(max_row)]);
    let mut splitter = Splitter::new(mode);
    loop {
        if buf.is_empty() && eof {
            return Ok(Start {
                buf,
                bom,
                eof,
                mode,
                first_end: None,
            });
        }
        let quote = memchr::memchr(b'"', &buf);
        match splitter.row_end(&buf, eof, quote) {
            End::Row(n) => {
                return Ok(Start {
                    buf,
                    bom,
                    eof,
                    mode,
                    first_end: Some(n),
                })
            }
            // Too long to be a header: the reader skips it as an overlong row.
            End::Partial if buf.len() > max_row => {
                return Ok(Start {
                    buf,
                    bom,
                    eof,
                    mode,
                    first_end: Some(0),
                })
            }
            End::Partial => read_more(&mut buf, &mut eof, input)?,
        }
    }
}

fn run_inner(args: &Args) -> Result<(), Failure> {
    let started = Instant::now();
    let regions = args.regions.as_deref().map(crate::load_regions).transpose();
    let engine =
        crate::Engine::with_regions(&args.remote, args.today, regions.map_err(Failure::Usage)?)
            .map_err(Failure::Usage)?;
    let max_row = usize::try_from(args.max_row_bytes).unwrap_or(usize::MAX);
    if args.input.as_os_str() == "-" && io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "give the rows with --input FILE, or pipe them in (cnid batch < FILE)".into(),
        ));
    }
    let mut input = input::open(&args.input, args.sheet.as_deref())?;
    if let (Some(sheet), false) = (&args.sheet, input.workbook) {
        // As for a sheet the workbook does not have: the rows asked for are not there.
        return Err(Failure::Usage(format!(
            "--sheet {sheet:?}: the input is not a workbook (.xlsx, .xls, .ods): it has no sheets"
        )));
    }
    let size = input.size;
    // A workbook's sheet comes as UTF-8 CSV.
    let encoding = if input.workbook {
        Encoding::Utf8
    } else {
        args.encoding
    };
    if output::is_xlsx(&args.output) && args.format != OutFormat::Csv {
        return Err(Failure::Usage(
            "an .xlsx output holds CSV rows: --format csv (the default)".into(),
        ));
    }
    let Start {
        mut buf,
        bom,
        eof,
        mode,
        first_end,
    } = first_row(&mut input, max_row)?;
    let decoded = buf.len() as u64 + if bom { 3 } else { 0 };
    let xlsx = Some((
        match mode {
            rows::Mode::Csv(d) => d,
            rows::Mode::Lines => b',',
        },
        encoding,
    ));
    let Some(first_end) = first_end else {
        // Empty input: empty output.
        let output = output::Output::open(&args.output, input.id, xlsx)?;
        return output.finish().map_err(Failure::Io);
    };
    let (first, _) = rows::strip_break(&buf[..first_end]);
    let layout = if first_end == 0 {
        answer::Layout::overlong_first_row(mode, args.column.as_deref())
    } else {
        answer::layout(
            first,
            mode,
            args.column.as_deref(),
            args.no_header,
            encoding,
        )
        .map_err(Failure::Usage)?
    };
    // Before anything is written: the output must not be the input.
    let output = output::Output::open(&args.output, input.id, xlsx)?;
    let csv = args.format == OutFormat::Csv;
    let mut header_lines = 0;
    let mut head = Vec::new();
    if bom && csv && !output::is_xlsx(&args.output) {
        head.extend_from_slice(b"\xef\xbb\xbf");
    }
    if layout.header {
        if csv {
            head.extend_from_slice(&layout.header_row(first));
            head.extend_from_slice(if buf[..first_end].ends_with(b"\r\n") {
                b"\r\n"
            } else {
                b"\n"
            });
        }
        header_lines = 1 + memchr::memchr_iter(b'\n', first).count() as u64;
        buf.drain(..first_end);
    }
    let jobs = args
        .jobs
        .map_or_else(
            || thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        )
        .min(IN_FLIGHT);
    let job = Job {
        layout,
        format: args.format,
        encoding,
        engine,
        max_row,
        pool: Mutex::new(Vec::new()),
    };

    // Tickets bound the chunks in flight.
    let (ticket_tx, ticket_rx) = mpsc::sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        ticket_tx.send(()).expect("fresh channel");
    }
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(IN_FLIGHT);
    let chunk_rx = Mutex::new(chunk_rx);
    let meter = Arc::new(Meter::default());

    let reader_meter = Arc::clone(&meter);
    let reader_thread = thread::spawn(move || {
        let mut reader = ChunkReader {
            input,
            splitter: Splitter::new(mode),
            mode,
            max_row,
            eof,
            decoded,
            error: None,
            seq: 0,
        };
        reader.run(buf, &ticket_rx, &chunk_tx, &reader_meter.stop)
    });

    // The progress line goes to stderr when it is a terminal, never into the output's.
    let progress = (io::stderr().is_terminal() && !output.is_terminal()).then(|| {
        let meter = Arc::clone(&meter);
        thread::spawn(move || progress::run(&meter, size, started))
    });

    let mut writer = Writer {
        output,
        error: None,
        totals: Counts::default(),
        written_rows: 0,
        line_base: 1 + header_lines,
        reported: 0,
        meter: &meter,
        job: &job,
        tickets: ticket_tx,
    };
    if !head.is_empty() {
        if let Err(e) = writer.output.write(&head, &[]) {
            writer.fail(e);
        }
    }
    // Each worker answers a chunk, then writes every answered chunk whose turn has come,
    // unless another worker is already writing: no thread only waits, and the output is
    // written in input order by one thread at a time. `--jobs 1` is one thread for all.
    let queue = Mutex::new(Queue::default());
    let writer = Mutex::new(writer);
    thread::scope(|scope| {
        for _ in 0..jobs {
            let (chunk_rx, job, queue, writer) = (&chunk_rx, &job, &queue, &writer);
            scope.spawn(move || {
                let mut worker = job.worker();
                loop {
                    let chunk = match chunk_rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok(chunk) = chunk else { return };
                    // A bug answering one chunk must fail the run, never drop its rows or
                    // leave the others waiting for it.
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        job.process(&chunk, &mut worker)
                    }))
                    .unwrap_or_else(|_| {
                        worker = job.worker();
                        Done::lost(chunk.seq)
                    });
                    hand_in(done, queue, writer);
                }
            });
        }
    });
    let mut writer = writer.into_inner().unwrap_or_else(PoisonError::into_inner);
    let queue = queue.into_inner().unwrap_or_else(PoisonError::into_inner);
    if !queue.waiting.is_empty() && writer.error.is_none() {
        writer.error = Some(io::Error::other(
            "internal error: answered rows were left unwritten (a bug: please report it)",
        ));
    }
    let Writer {
        output,
        error: mut write_error,
        totals,
        written_rows,
        ..
    } = writer;
    let read_result = reader_thread
        .join()
        .unwrap_or_else(|_| Err("the reader thread failed".into()));
    meter.stop.store(true, Ordering::Relaxed);
    if let Some(p) = progress {
        let _ = p.join();
    }
    let secs = started.elapsed().as_secs_f64();
    let staged = output.is_staged();
    let finish = match write_error.take() {
        // The reader went away (`| head`): nothing more is wanted, which is no failure.
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            let _ = output.abandon();
            Ok(())
        }
        Some(e) if e.kind() == io::ErrorKind::Other => {
            let left = output.abandon();
            Err(format!("{e}; {left}"))
        }
        Some(e) => {
            let left = output.abandon();
            Err(format!("cannot write the output: {e}; {left}"))
        }
        None if read_result.is_err() => {
            // Keep what was read: every row before the damage is there.
            output.finish()
        }
        None => output.finish(),
    };
    let shown = if finish.is_err() && staged {
        0
    } else {
        written_rows
    };
    crate::say!("{}", totals.summary(shown, secs));
    job.engine.finish();
    finish.map_err(Failure::Io)?;
    read_result.map_err(Failure::Io)
}

/// Answered chunks waiting for their turn to be written.
#[derive(Default)]
struct Queue {
    /// The sequence number of the next chunk to write.
    next: u64,
    waiting: BTreeMap<u64, Done>,
    /// A worker is writing (it writes every chunk whose turn comes meanwhile).
    writing: bool,
}

/// Queues an answered chunk; then, unless another worker is writing, writes every chunk
/// whose turn has come.
fn hand_in(done: Done, queue: &Mutex<Queue>, writer: &Mutex<Writer<'_>>) {
    let mut q = queue.lock().unwrap_or_else(PoisonError::into_inner);
    q.waiting.insert(done.seq, done);
    if q.writing {
        return;
    }
    q.writing = true;
    loop {
        let next = q.next;
        let Some(d) = q.waiting.remove(&next) else {
            q.writing = false;
            return;
        };
        q.next += 1;
        drop(q);
        {
            let mut w = writer.lock().unwrap_or_else(PoisonError::into_inner);
            let put = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.put(d)));
            if put.is_err() {
                w.fail(io::Error::other(
                    "internal error writing the output (a bug: please report it)",
                ));
            }
        }
        q = queue.lock().unwrap_or_else(PoisonError::into_inner);
    }
}

/// The output and the tallies of what was written, held by the writing worker.
struct Writer<'a> {
    output: output::Output,
    /// The first write error (or internal error): nothing more is written after it.
    error: Option<io::Error>,
    totals: Counts,
    written_rows: u64,
    /// The input line of the next chunk's first row.
    line_base: u64,
    /// Notes printed so far.
    reported: u64,
    meter: &'a Meter,
    job: &'a Job,
    /// A ticket back for each chunk written: the reader may read one more.
    tickets: SyncSender<()>,
}

impl Writer<'_> {
    fn fail(&mut self, e: io::Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
        self.meter.stop.store(true, Ordering::Relaxed);
    }

    /// Puts an answered chunk, the next in input order, into the output.
    fn put(&mut self, d: Done) {
        if d.lost {
            let line = self.line_base;
            self.fail(io::Error::other(format!(
                "internal error answering the rows from line {line} (a bug: please report it)"
            )));
        }
        if self.error.is_none() {
            let before = self.output.rows;
            if let Err(e) = self.output.write(&d.out, &d.row_ends) {
                self.fail(e);
            }
            self.written_rows += self.output.rows - before;
        }
        for (line, note) in &d.notes {
            if self.reported < MAX_REPORTED {
                crate::say!("cnid batch: line {}: {note}", self.line_base + line);
                self.reported += 1;
            }
        }
        self.totals.add(&d.counts, self.line_base);
        self.line_base += d.lines;
        self.meter.rows.fetch_add(d.counts.rows, Ordering::Relaxed);
        self.meter.bytes.fetch_add(d.in_bytes, Ordering::Relaxed);
        self.job.recycle(d.out, d.row_ends);
        let _ = self.tickets.send(());
    }
}

/// The reader thread: cuts the input into chunks of whole rows and sends them in order, one
/// ticket each (the writer gives tickets back once a chunk is written).
struct ChunkReader {
    input: input::Input,
    splitter: Splitter,
    mode: rows::Mode,
    max_row: usize,
    eof: bool,
    /// Input bytes read so far (decompressed).
    decoded: u64,
    error: Option<io::Error>,
    seq: u64,
}

impl ChunkReader {
    /// Reads up to `want` more bytes onto `buf`; a read error ends the input (and is kept).
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) {
        if self.eof {
            return;
        }
        let before = buf.len();
        let result = self.input.by_ref().take(want as u64).read_to_end(buf);
        self.decoded += (buf.len() - before) as u64;
        match result {
            Ok(0) => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                self.error = Some(e);
                self.eof = true;
            }
        }
    }

    fn send(&mut self, chunks: &SyncSender<Chunk>, bytes: Vec<u8>, kind: ChunkKind) -> bool {
        let chunk = Chunk {
            seq: self.seq,
            bytes,
            kind,
        };
        self.seq += 1;
        chunks.send(chunk).is_ok()
    }

    fn run(
        &mut self,
        mut buf: Vec<u8>,
        tickets: &Receiver<()>,
        chunks: &SyncSender<Chunk>,
        stop: &AtomicBool,
    ) -> Result<(), String> {
        loop {
            if buf.is_empty() && self.eof {
                break;
            }
            if stop.load(Ordering::Relaxed) || tickets.recv().is_err() {
                return Ok(());
            }
            // Whole rows of about a chunk, the end of the input, or an overlong row.
            let mut cut = 0;
            let overlong = loop {
                if buf.len() < CHUNK {
                    let want = CHUNK - buf.len();
                    self.fill(&mut buf, want);
                }
                cut = self.splitter.last_cut(&buf, cut, false);
                if buf.len() - cut > self.max_row {
                    break cut == 0;
                }
                if self.eof {
                    cut = buf.len();
                    break false;
                }
                if cut >= CHUNK / 2 {
                    break false;
                }
                self.fill(&mut buf, CHUNK);
            };
            if !overlong {
                if cut == 0 {
                    break;
                }
                let rest = buf.split_off(cut);
                let last = self.eof && rest.is_empty();
                let cut_off = last && self.error.is_some();
                let bytes = std::mem::replace(&mut buf, rest);
                if !self.send(chunks, bytes, ChunkKind::Rows { last, cut_off }) {
                    return Ok(());
                }
                continue;
            }
            // No whole row in more than --max-row-bytes: read past it, one block at a time.
            let head = std::mem::take(&mut buf);
            let mut splitter = Splitter::new(self.mode);
            let skip = splitter.skip_row(&head, || {
                let mut block = Vec::with_capacity(CHUNK);
                self.fill(&mut block, CHUNK);
                (!block.is_empty()).then_some(block)
            });
            let kind = ChunkKind::Overlong {
                bytes: skip.bytes,
                lines: skip.lines,
            };
            if !self.send(chunks, Vec::new(), kind) {
                return Ok(());
            }
            buf = skip.rest.unwrap_or_default();
        }
        match self.error.take() {
            Some(e) => Err(format!(
                "cannot read the input {}: {e}; every row before that point was answered",
                self.input.position(self.decoded)
            )),
            None => Ok(()),
        }
    }
}
