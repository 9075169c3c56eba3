//! `cnid batch`: resolve every number of a file, streaming, in order, on all cores.
//!
//! The reader cuts the input into chunks that end on a row boundary (a newline outside
//! quotes), workers resolve whole chunks into output buffers, and the writer puts them back
//! in input order. A fixed number of tickets bounds the chunks in flight, so memory stays
//! flat whatever the input size. Every input row yields exactly one output row.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cnid::wire::{self, Fields};
use cnid::Status;

/// Input bytes per chunk.
const CHUNK: usize = 256 * 1024;
/// Problems reported line by line on stderr before only counting them.
const MAX_REPORTED: u64 = 100;
/// Header names taken for the ID column when none is given (compared case-insensitively).
const ID_HEADERS: [&str; 14] = [
    "idcard",
    "id_card",
    "idno",
    "id_no",
    "idnumber",
    "id_number",
    "id",
    "身份证号",
    "身份证号码",
    "身份证",
    "证件号码",
    "证件号",
    "sfzh",
    "公民身份号码",
];
/// Columns appended to each CSV row.
const ANSWER_COLUMNS: [&str; 11] = [
    "status",
    "par",
    "born",
    "sex",
    "att",
    "postno",
    "areano",
    "style_simcall",
    "style_citynm",
    "msg",
    "reason",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// The input row with the answer's columns appended.
    Csv,
    /// One web-API JSON answer per line.
    Jsonl,
}

/// Text encoding of the input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is allowed).
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, which includes GBK and GB2312: what Excel on Chinese Windows saves as CSV.
    #[value(name = "gb18030", alias = "gbk", alias = "gb2312", alias = "cp936")]
    Gb18030,
}

impl Encoding {
    /// `bytes` as text: borrowed when they are ASCII; `None` when they are not valid in
    /// this encoding.
    fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Encoding::Gb18030 => {
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file, `-` for standard input; a name ending in `.gz` is decompressed.
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    input: PathBuf,
    /// Output file, `-` for standard output.
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
    /// The first row is data, not a header. (Without this flag, CSV/TSV input has a header;
    /// one-column input has one only if its first line holds no digit.)
    #[arg(long)]
    no_header: bool,
    /// The latest allowed birth date (default: today's date in China).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    today: Option<NaiveDate>,
    #[command(flatten)]
    remote: crate::RemoteArgs,
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
}

/// How rows are laid out, decided from the first line and the flags.
#[derive(Debug, Clone)]
struct Layout {
    /// Field delimiter, `None` for one number per line.
    delimiter: Option<u8>,
    /// 0-based index of the ID column.
    column: usize,
    /// Fields in the header (or the first row).
    width: usize,
}

/// A usage problem (exit 2) or an I/O failure (exit 1).
enum Failure {
    Usage(String),
    Io(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    match run_inner(args) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Usage(msg)) => {
            eprintln!("cnid batch: {msg}");
            Ok(ExitCode::from(2))
        }
        Err(Failure::Io(msg)) => {
            eprintln!("cnid batch: {msg}");
            Ok(ExitCode::from(1))
        }
    }
}

fn is_dash(p: &std::path::Path) -> bool {
    p.as_os_str() == "-"
}

fn open_input(path: &std::path::Path) -> Result<(Box<dyn Read + Send>, Option<u64>), Failure> {
    if is_dash(path) {
        return Ok((Box::new(io::stdin()), None));
    }
    let file = File::open(path)
        .map_err(|e| Failure::Io(format!("cannot open {}: {e}", path.display())))?;
    let size = file.metadata().ok().map(|m| m.len());
    if path.extension().is_some_and(|e| e == "gz") {
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
        Ok((Box::new(gz), None))
    } else {
        Ok((Box::new(file), size))
    }
}

fn open_output(path: &std::path::Path) -> Result<Box<dyn Write + Send>, Failure> {
    if is_dash(path) {
        return Ok(Box::new(io::stdout()));
    }
    let file = File::create(path)
        .map_err(|e| Failure::Io(format!("cannot create {}: {e}", path.display())))?;
    Ok(Box::new(file))
}

/// Splits one logical CSV line into fields (RFC 4180 quotes; `""` inside quotes).
fn split_fields(line: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    if !line.contains(&b'"') {
        return line
            .split(|&b| b == delimiter)
            .map(<[u8]>::to_vec)
            .collect();
    }
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if quoted {
            if b == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                field.push(b);
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == delimiter {
            fields.push(std::mem::take(&mut field));
        } else {
            field.push(b);
        }
        i += 1;
    }
    fields.push(field);
    fields
}

/// The `column`-th field of a line without building every field: the fast path for lines
/// without quotes. Returns the field and the number of fields.
fn nth_field(line: &[u8], delimiter: u8, column: usize) -> (Option<Cow<'_, [u8]>>, usize) {
    if line.contains(&b'"') {
        let fields = split_fields(line, delimiter);
        let n = fields.len();
        return (fields.into_iter().nth(column).map(Cow::Owned), n);
    }
    let mut found = None;
    let mut n = 0;
    for (i, f) in line.split(|&b| b == delimiter).enumerate() {
        if i == column {
            found = Some(Cow::Borrowed(f));
        }
        n += 1;
    }
    (found, n)
}

fn count_quotes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'"').count()
}

/// The number inside the marks that exports use to keep a spreadsheet from turning it into
/// a float: a text formula `="110101199001011114"` (its quotes are gone once the CSV field
/// is read: `=110101199001011114`) or a leading apostrophe. The row is still echoed as it
/// was; only the number is read without them.
fn spreadsheet_text(field: &str) -> &str {
    let t = field.trim();
    if let Some(formula) = t.strip_prefix('=') {
        let formula = formula.trim();
        return formula
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(formula);
    }
    t.strip_prefix('\'').unwrap_or(field)
}

/// The reason given for a number a spreadsheet turned into a float.
const SPREADSHEET_FLOAT: &str = "a spreadsheet turned the number into a float (like 1.10101E+17) \
     and its digits are lost: format the column as text before exporting";

/// Whether `s` is how a spreadsheet shows an 18- or 15-digit number it took for a float:
/// `1.10101E+17`, `1.10101199001011E+17`, `4.4030519491231E+14`.
fn is_spreadsheet_float(s: &str) -> bool {
    let s = s.trim();
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    matches!(exponent, "17" | "14")
        && mantissa
            .bytes()
            .next()
            .is_some_and(|b| (b'1'..=b'9').contains(&b))
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1
        && (1..=18).contains(&digits)
}

/// For a header that is not UTF-8 read as UTF-8: the flag that reads it.
fn encoding_hint(header: &[u8], encoding: Encoding) -> &'static str {
    if encoding == Encoding::Utf8 && std::str::from_utf8(header).is_err() {
        " (the header is not UTF-8: for a GBK / GB18030 file add --encoding gb18030)"
    } else {
        ""
    }
}

/// Picks the delimiter, header and ID column from the first line.
fn layout(first: &[u8], args: &Args) -> Result<(Layout, bool), Failure> {
    let delimiter = if first.contains(&b'\t') {
        Some(b'\t')
    } else if first.contains(&b',') {
        Some(b',')
    } else {
        None
    };
    let fields = match delimiter {
        Some(d) => split_fields(first, d),
        None => vec![first.to_vec()],
    };
    let width = fields.len();
    let has_header = !args.no_header
        && (delimiter.is_some() || !first.iter().any(u8::is_ascii_digit))
        && !first.is_empty();
    let names: Vec<String> = fields
        .iter()
        .map(|f| {
            let name = match args.encoding {
                Encoding::Utf8 => String::from_utf8_lossy(f),
                Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling(f).0,
            };
            name.trim().trim_start_matches('\u{feff}').to_owned()
        })
        .collect();
    let column = match &args.column {
        Some(c) => {
            let by_name = has_header
                .then(|| names.iter().position(|n| n == c))
                .flatten();
            match by_name {
                Some(i) => i,
                None => match c.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= width => n - 1,
                    Ok(n) => {
                        return Err(Failure::Usage(format!(
                            "--column {n}: the input has {width} column(s)"
                        )))
                    }
                    Err(_) if has_header => {
                        let hint = encoding_hint(first, args.encoding);
                        return Err(Failure::Usage(format!(
                            "--column {c:?}: no such header{hint}"
                        )));
                    }
                    Err(_) => {
                        return Err(Failure::Usage(format!(
                            "--column {c:?}: the input has no header; give a 1-based position"
                        )))
                    }
                },
            }
        }
        None if width == 1 => 0,
        None => {
            let found = has_header
                .then(|| {
                    names
                        .iter()
                        .position(|n| ID_HEADERS.iter().any(|h| n.eq_ignore_ascii_case(h)))
                })
                .flatten();
            match found {
                Some(i) => i,
                None => {
                    let hint = encoding_hint(first, args.encoding);
                    return Err(Failure::Usage(format!(
                        "the input has {width} columns and none is named like idcard or 身份证号; \
                         choose one with --column NAME|N{hint}"
                    )));
                }
            }
        }
    };
    Ok((
        Layout {
            delimiter,
            column,
            width,
        },
        has_header,
    ))
}

/// Whether a field holds the delimiter, a quote or a line break: eight bytes at a time
/// (SWAR `haszero` on each byte compared), since every answer field goes through here.
fn needs_quotes(field: &[u8], delimiter: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, b: u8| {
        let v = x ^ (LO * u64::from(b));
        v.wrapping_sub(LO) & !v & HI
    };
    let mut chunks = field.chunks_exact(8);
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        if has(x, delimiter) | has(x, b'"') | has(x, b'\n') | has(x, b'\r') != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
}

/// Appends `field` to a CSV row, quoting it when it holds the delimiter, a quote or a line
/// break.
fn push_csv_field(out: &mut Vec<u8>, field: &[u8], delimiter: u8) {
    if !needs_quotes(field, delimiter) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    // Copy the runs between quotes whole; double each quote.
    let mut rest = field;
    while let Some(i) = rest.iter().position(|&b| b == b'"') {
        out.extend_from_slice(&rest[..=i]);
        out.push(b'"');
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The five region columns (`att` … `style_citynm`), each after a delimiter.
fn push_region_fields(out: &mut Vec<u8>, fields: &Fields<'_>, d: u8) {
    for value in [
        fields.att(),
        fields.postno(),
        fields.areano(),
        fields.style_simcall(),
        fields.style_citynm(),
    ] {
        out.push(d);
        push_csv_field(out, value.as_bytes(), d);
    }
}

/// Each worker's cache of the region columns of table regions, already quoted: a region
/// recurs on many rows, and quoting its five fields was a quarter of the CSV time.
/// Direct-mapped by code; a collision just rebuilds the slot.
/// With GB18030 output the columns are kept encoded, so that encoding, too, is done once
/// per region rather than once per row.
struct TailCache {
    slots: Vec<(u32, Vec<u8>)>,
    encoding: Encoding,
}

impl TailCache {
    fn new(encoding: Encoding) -> TailCache {
        TailCache {
            slots: vec![(u32::MAX, Vec::new()); 4096],
            encoding,
        }
    }

    fn get(&mut self, code: u32, fields: &Fields<'_>, d: u8) -> &[u8] {
        let slot = &mut self.slots[(code as usize) % 4096];
        if slot.0 != code {
            slot.0 = code;
            slot.1.clear();
            push_region_fields(&mut slot.1, fields, d);
            if self.encoding == Encoding::Gb18030 {
                encode_tail(&mut slot.1, 0);
            }
        }
        &slot.1
    }
}

/// Counts kept by workers and summed by the writer.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    rows: u64,
    already_att: u64,
    not_att: u64,
    wrong: u64,
    wait: u64,
    problems: u64,
    /// Numbers a spreadsheet turned into floats (`1.10101E+17`).
    floats: u64,
    /// Rows that are not valid UTF-8 (counted for `--encoding utf-8` only), and the first.
    not_utf8: u64,
    first_not_utf8: Option<u64>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.rows += o.rows;
        self.already_att += o.already_att;
        self.not_att += o.not_att;
        self.wrong += o.wrong;
        self.wait += o.wait;
        self.problems += o.problems;
        self.floats += o.floats;
        self.not_utf8 += o.not_utf8;
        self.first_not_utf8 = match (self.first_not_utf8, o.first_not_utf8) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// A chunk of input rows: whole lines, the number of the first one.
struct Chunk {
    seq: u64,
    first_line: u64,
    bytes: Vec<u8>,
}

/// A chunk's output.
struct Done {
    seq: u64,
    out: Vec<u8>,
    counts: Counts,
    notes: Vec<String>,
    in_bytes: u64,
}

/// What every worker needs.
struct Job {
    layout: Layout,
    format: OutFormat,
    encoding: Encoding,
    engine: crate::Engine,
    out_delimiter: u8,
    reported: AtomicU64,
    /// Written output buffers, kept for reuse: fresh multi-megabyte buffers for every
    /// chunk cost more in page faults than the resolving itself.
    pool: Mutex<Vec<Vec<u8>>>,
}

impl Job {
    fn buffer(&self) -> Vec<u8> {
        self.pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    fn recycle(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut p) = self.pool.lock() {
            p.push(buf);
        }
    }

    /// Resolves one chunk into output bytes.
    fn process(&self, chunk: &Chunk, tails: &mut TailCache) -> Done {
        let mut out = self.buffer();
        let mut counts = Counts::default();
        let mut notes = Vec::new();
        let mut json = String::with_capacity(512);
        let bytes = &chunk.bytes;
        let mut line_no = chunk.first_line;
        let mut start = 0;
        while start < bytes.len() {
            // One logical row: up to a newline outside quotes.
            let mut end = start;
            let mut quotes = 0usize;
            loop {
                match bytes[end..].iter().position(|&b| b == b'\n') {
                    Some(p) => {
                        if self.layout.delimiter.is_some() {
                            quotes += count_quotes(&bytes[end..end + p]);
                        }
                        end += p;
                        if quotes.is_multiple_of(2) || end + 1 >= bytes.len() {
                            break;
                        }
                        end += 1;
                    }
                    None => {
                        end = bytes.len();
                        break;
                    }
                }
            }
            let mut line = &bytes[start..end];
            let lines_in_row = 1 + line.iter().filter(|&&b| b == b'\n').count() as u64;
            let crlf = line.last() == Some(&b'\r');
            if crlf {
                line = &line[..line.len() - 1];
            }
            self.row(
                tails,
                line,
                line_no,
                crlf,
                &mut out,
                &mut json,
                &mut counts,
                &mut notes,
            );
            line_no += lines_in_row;
            start = end + 1;
        }
        Done {
            seq: chunk.seq,
            out,
            counts,
            notes,
            in_bytes: bytes.len() as u64,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        tails: &mut TailCache,
        line: &[u8],
        line_no: u64,
        crlf: bool,
        out: &mut Vec<u8>,
        json: &mut String,
        counts: &mut Counts,
        notes: &mut Vec<String>,
    ) {
        counts.rows += 1;
        let (field, width) = match self.layout.delimiter {
            Some(d) => nth_field(line, d, self.layout.column),
            None => (Some(Cow::Borrowed(line)), 1),
        };
        let mut problem: Option<String> = None;
        if line.is_empty() {
            problem = Some("empty line".to_owned());
        } else if width != self.layout.width {
            problem = Some(format!(
                "{width} field(s) where the header has {}",
                self.layout.width
            ));
        }
        let text = match &field {
            None => {
                problem = Some(format!(
                    "no column {} (row has {width} field(s))",
                    self.layout.column + 1
                ));
                None
            }
            Some(f) => match self.encoding.decode(f) {
                Some(s) => Some(s),
                None => {
                    problem = Some(match self.encoding {
                        Encoding::Utf8 => "invalid UTF-8".to_owned(),
                        Encoding::Gb18030 => "invalid GB18030".to_owned(),
                    });
                    None
                }
            },
        };
        if self.encoding == Encoding::Utf8 && !line.is_ascii() && std::str::from_utf8(line).is_err()
        {
            counts.not_utf8 += 1;
            counts.first_not_utf8.get_or_insert(line_no);
        }
        let text = text.as_deref().map(spreadsheet_text);
        if text.is_some_and(|t| t.trim().is_empty()) && problem.is_none() {
            problem = Some("empty number".to_owned());
        }
        let resolution = match text {
            Some(t) => self.engine.resolve(t),
            None => cnid::Resolution::wrong_idcard(cnid::ParseError::Empty),
        };
        match resolution.status() {
            Status::AlreadyAtt => counts.already_att += 1,
            Status::NotAtt => counts.not_att += 1,
            Status::WrongIdcard => counts.wrong += 1,
            Status::WaitProcess => counts.wait += 1,
        }
        if let Some(p) = &problem {
            counts.problems += 1;
            if self.reported.fetch_add(1, Ordering::Relaxed) < MAX_REPORTED {
                notes.push(format!("line {line_no}: {p}"));
            }
        }
        let reason = match (&problem, resolution.error()) {
            (Some(p), _) if resolution.status() == Status::WrongIdcard => p.clone(),
            (_, Some(_)) if text.is_some_and(is_spreadsheet_float) => {
                counts.floats += 1;
                SPREADSHEET_FLOAT.to_owned()
            }
            (_, Some(e)) => e.to_string(),
            _ => String::new(),
        };
        let lossy;
        let echo: &str = match text {
            Some(t) => t,
            None => {
                lossy = String::from_utf8_lossy(field.as_deref().unwrap_or_default()).into_owned();
                &lossy
            }
        };
        let fields = Fields::new(&resolution, echo);
        match self.format {
            OutFormat::Jsonl => {
                json.clear();
                wire::write_json(json, &fields);
                out.extend_from_slice(json.as_bytes());
            }
            OutFormat::Csv => {
                let d = self.out_delimiter;
                if self.layout.delimiter.is_some() {
                    out.extend_from_slice(line);
                } else {
                    push_csv_field(out, line, d);
                }
                // Columns are written as UTF-8; with GB18030 output each run of them is
                // re-encoded (the cached region columns come encoded).
                let gb18030 = self.encoding == Encoding::Gb18030;
                let mut start = out.len();
                for value in [
                    fields.status().as_str().as_bytes(),
                    fields.par().as_bytes(),
                    fields.born().as_bytes(),
                    fields.sex().as_bytes(),
                ] {
                    out.push(d);
                    push_csv_field(out, value, d);
                }
                match resolution
                    .region()
                    .filter(|r| r.source() == cnid::Source::Table)
                {
                    Some(region) => {
                        if gb18030 {
                            encode_tail(out, start);
                        }
                        out.extend_from_slice(tails.get(region.code(), &fields, d));
                        start = out.len();
                    }
                    None => push_region_fields(out, &fields, d),
                }
                for value in [fields.msg().unwrap_or(""), &reason] {
                    out.push(d);
                    push_csv_field(out, value.as_bytes(), d);
                }
                if gb18030 {
                    encode_tail(out, start);
                }
            }
        }
        if crlf {
            out.push(b'\r');
        }
        out.push(b'\n');
    }
}

/// Re-encodes `out[start..]`, answer columns written as UTF-8, in GB18030 (which maps every
/// character, so nothing is lost). ASCII, the common case for a wrong number, is left as it
/// is: it is the same bytes in both.
fn encode_tail(out: &mut Vec<u8>, start: usize) {
    let tail = &out[start..];
    if tail.is_ascii() {
        return;
    }
    // Always UTF-8 (cnid wrote it); the check costs less than a lossy copy.
    let Ok(text) = std::str::from_utf8(tail) else {
        return;
    };
    let encoded = encoding_rs::GB18030.encode(text).0.into_owned();
    out.truncate(start);
    out.extend_from_slice(&encoded);
}

/// Reads the first logical line (through quoted line breaks) from `reader`.
fn read_first_line(reader: &mut BufReader<Box<dyn Read + Send>>) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 || count_quotes(&line).is_multiple_of(2) {
            return Ok(line);
        }
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn run_inner(args: &Args) -> Result<(), Failure> {
    let started = Instant::now();
    let engine = crate::Engine::new(&args.remote, args.today).map_err(Failure::Usage)?;
    let (input, size) = open_input(&args.input)?;
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let first = read_first_line(&mut reader)?;
    let mut first_trimmed = first.as_slice();
    while let Some((b'\n' | b'\r', rest)) = first_trimmed.split_last() {
        first_trimmed = rest;
    }
    let (layout, has_header) = layout(first_trimmed, args)?;
    let out_delimiter = layout.delimiter.unwrap_or(b',');
    let mut output = open_output(&args.output)?;
    let jobs = args.jobs.map_or_else(
        || thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let job = Arc::new(Job {
        layout,
        format: args.format,
        encoding: args.encoding,
        engine,
        out_delimiter,
        reported: AtomicU64::new(0),
        pool: Mutex::new(Vec::new()),
    });

    // The header row, echoed with the answer's column names.
    let mut pending: Vec<u8> = Vec::new();
    let mut first_line = 1u64;
    if has_header {
        if args.format == OutFormat::Csv {
            let mut head = first_trimmed.to_vec();
            for name in ANSWER_COLUMNS {
                head.push(out_delimiter);
                head.extend_from_slice(name.as_bytes());
            }
            if first.ends_with(b"\r\n") {
                head.push(b'\r');
            }
            head.push(b'\n');
            output.write_all(&head)?;
        }
        first_line += 1 + first_trimmed.iter().filter(|&&b| b == b'\n').count() as u64;
    } else {
        pending = first;
    }

    // Tickets bound the chunks in flight (read, queued, resolved, waiting to be written).
    let in_flight = jobs * 4;
    let (ticket_tx, ticket_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        ticket_tx.send(()).expect("fresh channel");
    }
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(in_flight);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let stop = Arc::new(AtomicBool::new(false));

    let quoted = job.layout.delimiter.is_some();
    let reader_stop = Arc::clone(&stop);
    let reader_thread = thread::spawn(move || {
        read_chunks(
            reader,
            pending,
            first_line,
            quoted,
            &ticket_rx,
            &chunk_tx,
            &reader_stop,
        )
    });
    let mut workers = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let rx = Arc::clone(&chunk_rx);
        let tx = done_tx.clone();
        let job = Arc::clone(&job);
        workers.push(thread::spawn(move || {
            let mut tails = TailCache::new(job.encoding);
            loop {
                let chunk = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => return,
                };
                let Ok(chunk) = chunk else { return };
                if tx.send(job.process(&chunk, &mut tails)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(done_tx);

    let rows_done = Arc::new(AtomicU64::new(0));
    let bytes_done = Arc::new(AtomicU64::new(0));
    let progress = io::stderr().is_terminal().then(|| {
        let (rows, bytes, stop) = (
            Arc::clone(&rows_done),
            Arc::clone(&bytes_done),
            Arc::clone(&stop),
        );
        thread::spawn(move || progress_bar(&rows, &bytes, size, started, &stop))
    });

    let mut totals = Counts::default();
    let mut next = 0u64;
    let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
    let mut write_error: Option<io::Error> = None;
    for done in done_rx {
        waiting.insert(done.seq, done);
        while let Some(d) = waiting.remove(&next) {
            if write_error.is_none() {
                if let Err(e) = output.write_all(&d.out) {
                    write_error = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
            }
            for n in &d.notes {
                eprintln!("cnid batch: {n}");
            }
            totals.add(&d.counts);
            rows_done.fetch_add(d.counts.rows, Ordering::Relaxed);
            bytes_done.fetch_add(d.in_bytes, Ordering::Relaxed);
            next += 1;
            job.recycle(d.out);
            let _ = ticket_tx.send(());
        }
    }
    let read_result = reader_thread
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("reader thread failed")));
    for w in workers {
        let _ = w.join();
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(p) = progress {
        let _ = p.join();
    }
    if write_error.is_none() {
        if let Err(e) = output.flush() {
            write_error = Some(e);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = totals.rows as f64 / secs.max(1e-9);
    let mut summary = format!(
        "cnid batch: {} rows in {secs:.2} s ({rate:.0} rows/s): ALREADY_ATT {}, NOT_ATT {}, WRONG_IDCARD {}",
        totals.rows, totals.already_att, totals.not_att, totals.wrong
    );
    if totals.wait > 0 {
        summary.push_str(&format!(", WAIT_PROCESS {}", totals.wait));
    }
    if totals.problems > 0 {
        summary.push_str(&format!("; {} row(s) with problems", totals.problems));
        if totals.problems > MAX_REPORTED {
            summary.push_str(&format!(" (first {MAX_REPORTED} listed)"));
        }
    }
    if totals.floats > 0 {
        summary.push_str(&format!(
            "; {} number(s) a spreadsheet turned into floats (like 1.10101E+17): their digits \
             are lost, export the column as text",
            totals.floats
        ));
    }
    if let Some(line) = totals.first_not_utf8 {
        summary.push_str(&format!(
            "; {} row(s) are not UTF-8 (first: line {line}): for a GBK / GB18030 file (Excel on \
             Chinese Windows) use --encoding gb18030",
            totals.not_utf8
        ));
    }
    eprintln!("{summary}");
    job.engine.finish();
    if let Some(e) = write_error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(());
        }
        return Err(Failure::Io(format!("cannot write output: {e}")));
    }
    if let Err(e) = read_result {
        return Err(Failure::Io(format!(
            "cannot read input after {} rows: {e}; the output holds those rows",
            totals.rows
        )));
    }
    Ok(())
}

/// Reads the input into chunks that end on a row boundary and sends them in order. Each
/// chunk takes a ticket, which the writer gives back once the chunk is written.
fn read_chunks(
    mut reader: BufReader<Box<dyn Read + Send>>,
    mut carry: Vec<u8>,
    mut line: u64,
    quoted: bool,
    tickets: &Receiver<()>,
    chunks: &SyncSender<Chunk>,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut seq = 0u64;
    let mut eof = false;
    loop {
        if stop.load(Ordering::Relaxed) || tickets.recv().is_err() {
            return Ok(());
        }
        let mut buf = std::mem::take(&mut carry);
        let mut scanned = 0;
        let mut inside = false;
        let mut cut = None;
        // Read until the buffer holds a whole row past CHUNK bytes, or the input ends.
        loop {
            let target = buf.len().max(CHUNK) + if buf.len() >= CHUNK { CHUNK } else { 0 };
            while !eof && buf.len() < target {
                let before = buf.len();
                let n = (&mut reader)
                    .take((target - before) as u64)
                    .read_to_end(&mut buf)?;
                eof = n == 0;
            }
            // The last newline outside quotes.
            for (i, &b) in buf.iter().enumerate().skip(scanned) {
                if quoted && b == b'"' {
                    inside = !inside;
                } else if b == b'\n' && !inside {
                    cut = Some(i + 1);
                }
            }
            scanned = buf.len();
            if eof {
                cut = Some(buf.len());
            }
            if cut.is_some() {
                break;
            }
        }
        let cut = cut.unwrap_or(buf.len());
        carry = buf.split_off(cut);
        if buf.is_empty() {
            return Ok(());
        }
        let lines =
            buf.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!buf.ends_with(b"\n"));
        let chunk = Chunk {
            seq,
            first_line: line,
            bytes: buf,
        };
        line += lines;
        seq += 1;
        if chunks.send(chunk).is_err() {
            return Ok(());
        }
    }
}

fn progress_bar(
    rows: &AtomicU64,
    bytes: &AtomicU64,
    size: Option<u64>,
    started: Instant,
    stop: &AtomicBool,
) {
    let mut err = io::stderr();
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(200));
        let (r, b) = (rows.load(Ordering::Relaxed), bytes.load(Ordering::Relaxed));
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let mut line = format!(
            "\r{r} rows  {:.0} rows/s  {}",
            r as f64 / secs,
            human_bytes(b)
        );
        if let Some(total) = size.filter(|&t| t > 0) {
            let frac = (b as f64 / total as f64).min(1.0);
            let eta = if frac > 0.0 {
                secs * (1.0 - frac) / frac
            } else {
                0.0
            };
            line.push_str(&format!(
                " / {} ({:.0}%)  ETA {eta:.0} s",
                human_bytes(total),
                frac * 100.0
            ));
        }
        line.push_str("   ");
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }
    let _ = err.write_all(b"\r\x1b[K");
}
