//! The answer columns: for each row, the ID field read, resolved, and the row written back
//! with the web API's fields appended (CSV) or as one web-API answer (JSON lines).

use std::borrow::Cow;

use cnid::wire::{self, Fields};
use cnid::Status;

use super::progress::{Counts, MAX_REPORTED};
use super::rows::{self, Mode};
use super::OutFormat;

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
/// Columns appended to each CSV row: the web API's result keys but `idcard` (the row holds
/// it), then `msg` and cnid's `reason`.
fn answer_columns() -> impl Iterator<Item = &'static str> {
    wire::RESULT_KEYS
        .into_iter()
        .filter(|&k| k != "idcard")
        .chain(["msg", "reason"])
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
    pub(super) fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Encoding::Gb18030 => {
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }
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
pub(super) fn push_csv_field(out: &mut Vec<u8>, field: &[u8], delimiter: u8) {
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
/// With GB18030 output the columns are kept encoded, so that encoding, too, is done once
/// per region rather than once per row.
///
/// An open-addressing table keyed by the region code, its slots pointing into one byte
/// arena: a lookup touches one slot and the bytes it copies (a `HashMap` of `Vec`s took
/// three cache misses a row, a tenth of the whole run).
struct TailCache {
    /// `(code + 1, start, end)` in `arena`; 0 marks a free slot.
    slots: Vec<(u32, u32, u32)>,
    arena: Vec<u8>,
    used: usize,
    encoding: Encoding,
}

impl TailCache {
    /// Slots to start with: more than the table's codes at half load, so it never grows
    /// for the built-in table.
    const SLOTS: usize = 1 << 14;

    fn new(encoding: Encoding) -> TailCache {
        TailCache {
            slots: vec![(0, 0, 0); Self::SLOTS],
            arena: Vec::new(),
            used: 0,
            encoding,
        }
    }

    fn slot(slots: &[(u32, u32, u32)], code: u32) -> usize {
        let mask = slots.len() - 1;
        let mut i = (code.wrapping_mul(0x9e37_79b1) >> 7) as usize & mask;
        while slots[i].0 != 0 && slots[i].0 != code {
            i = (i + 1) & mask;
        }
        i
    }

    fn get<'f>(&mut self, code: u32, d: u8, fields: impl FnOnce() -> Fields<'f>) -> &[u8] {
        let code = code.saturating_add(1);
        let mut i = Self::slot(&self.slots, code);
        if self.slots[i].0 == 0 {
            if (self.used + 1) * 2 > self.slots.len() {
                // Keep the load at most one half: rehash into twice the slots.
                let old = std::mem::take(&mut self.slots);
                self.slots = vec![(0, 0, 0); old.len() * 2];
                for s in old.into_iter().filter(|s| s.0 != 0) {
                    let j = Self::slot(&self.slots, s.0);
                    self.slots[j] = s;
                }
                i = Self::slot(&self.slots, code);
            }
            let start = self.arena.len();
            push_region_fields(&mut self.arena, &fields(), d);
            if self.encoding == Encoding::Gb18030 {
                encode_tail(&mut self.arena, start);
            }
            self.slots[i] = (code, start as u32, self.arena.len() as u32);
            self.used += 1;
        }
        let (_, start, end) = self.slots[i];
        &self.arena[start as usize..end as usize]
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

/// How rows are laid out, decided from the first row and the flags.
#[derive(Debug, Clone)]
pub struct Layout {
    /// How rows end and split into fields.
    pub mode: Mode,
    /// 0-based index of the ID column.
    pub column: usize,
    /// Fields in the header (or the first row).
    pub width: usize,
    /// The first row is a header.
    pub header: bool,
}

impl Layout {
    /// The delimiter of CSV output.
    pub fn delimiter(&self) -> u8 {
        match self.mode {
            Mode::Csv(d) => d,
            Mode::Lines => b',',
        }
    }

    /// For a first row too long to read: no header, the column given by position (or the
    /// first), one field.
    pub fn overlong_first_row(mode: Mode, column: Option<&str>) -> Layout {
        let column = column
            .and_then(|c| c.parse::<usize>().ok())
            .map_or(0, |n| n.saturating_sub(1));
        Layout {
            mode,
            column,
            width: column + 1,
            header: false,
        }
    }

    /// The header row echoed with the answer's column names (no line break).
    pub fn header_row(&self, first: &[u8]) -> Vec<u8> {
        let mut head = first.to_vec();
        for name in answer_columns() {
            head.push(self.delimiter());
            head.extend_from_slice(name.as_bytes());
        }
        head
    }
}

/// The delimiter a first line calls for: tab, then comma; none for one number per line.
pub fn sniff_mode(first_line: &[u8]) -> Mode {
    if first_line.contains(&b'\t') {
        Mode::Csv(b'\t')
    } else if first_line.contains(&b',') {
        Mode::Csv(b',')
    } else {
        Mode::Lines
    }
}

/// Whether a field holds a number rather than a name: six digits or more, ASCII or
/// full-width (`１１０１０１…`).
fn looks_like_number(field: &str) -> bool {
    spreadsheet_text(field)
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count()
        >= 6
}

/// Picks the header and ID column from the first row (without its line break).
pub fn layout(
    first: &[u8],
    mode: Mode,
    column: Option<&str>,
    no_header: bool,
    encoding: Encoding,
) -> Result<Layout, String> {
    let raw: Vec<Vec<u8>> = split(first, mode);
    let width = raw.len();
    let names: Vec<String> = raw
        .iter()
        .map(|f| {
            let name = match encoding {
                Encoding::Utf8 => String::from_utf8_lossy(f),
                Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling(f).0,
            };
            name.trim().trim_start_matches('\u{feff}').to_owned()
        })
        .collect();
    let header_at = |i: usize| !no_header && !first.is_empty() && !looks_like_number(&names[i]);
    let (column, header) = match column {
        Some(c) => match names.iter().position(|n| n == c).filter(|_| !no_header) {
            Some(i) => (i, true),
            None => match c.parse::<usize>() {
                Ok(n) if n >= 1 && n <= width => (n - 1, header_at(n - 1)),
                Ok(n) => return Err(format!("--column {n}: the input has {width} column(s)")),
                Err(_) if !no_header => {
                    let hint = encoding_hint(first, encoding);
                    return Err(format!("--column {c:?}: no such header{hint}"));
                }
                Err(_) => {
                    return Err(format!(
                        "--column {c:?}: the input has no header; give a 1-based position"
                    ))
                }
            },
        },
        None if width == 1 => (0, header_at(0)),
        None => {
            let found = (!no_header)
                .then(|| {
                    names
                        .iter()
                        .position(|n| ID_HEADERS.iter().any(|h| n.eq_ignore_ascii_case(h)))
                })
                .flatten();
            match found {
                Some(i) => (i, true),
                None => {
                    let hint = encoding_hint(first, encoding);
                    return Err(format!(
                        "the input has {width} columns and none is named like idcard or 身份证号; \
                         choose one with --column NAME|N{hint}"
                    ));
                }
            }
        }
    };
    Ok(Layout {
        mode,
        column,
        width,
        header,
    })
}

/// The fields of a row, unquoted.
fn split(row: &[u8], mode: Mode) -> Vec<Vec<u8>> {
    match mode {
        Mode::Lines => vec![unquote_line(row).into_owned()],
        Mode::Csv(d) if row.contains(&b'"') => {
            let mut f = rows::Fields::new(d);
            f.read(row);
            (0..f.len())
                .filter_map(|i| f.get(i).map(<[u8]>::to_vec))
                .collect()
        }
        Mode::Csv(d) => row.split(|&b| b == d).map(<[u8]>::to_vec).collect(),
    }
}

/// A line of one-column input in quotes (`"110101…"`, `"a ""b"""`) without them.
fn unquote_line(line: &[u8]) -> Cow<'_, [u8]> {
    match line {
        [b'"', inner @ .., b'"'] => {
            let mut out = Vec::with_capacity(inner.len());
            let mut i = 0;
            while i < inner.len() {
                out.push(inner[i]);
                i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
                    2
                } else {
                    1
                };
            }
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(line),
    }
}

/// A chunk of input: whole rows, or in place of a row longer than `--max-row-bytes` the
/// fact of it.
pub struct Chunk {
    pub seq: u64,
    pub bytes: Vec<u8>,
    pub kind: ChunkKind,
}

pub enum ChunkKind {
    /// Whole rows. `last`: the input ends with them; `cut_off`: it ended on a read error, so
    /// the last row may be cut.
    Rows { last: bool, cut_off: bool },
    /// A row too long to hold: `bytes` long (line break included), `lines` line breaks.
    Overlong { bytes: u64, lines: u64 },
}

/// A chunk's output.
pub struct Done {
    pub seq: u64,
    pub out: Vec<u8>,
    /// Where each output row ends in `out`.
    pub row_ends: Vec<u32>,
    pub counts: Counts,
    /// Problems: the line within the chunk (0-based) and what is wrong.
    pub notes: Vec<(u64, String)>,
    /// Line breaks in the chunk's input.
    pub lines: u64,
    pub in_bytes: u64,
    /// The chunk could not be answered (a bug): the run must fail, not skip it.
    pub lost: bool,
}

impl Done {
    /// In place of a chunk whose answering panicked.
    pub fn lost(seq: u64) -> Done {
        Done {
            seq,
            out: Vec::new(),
            row_ends: Vec::new(),
            counts: Counts::default(),
            notes: Vec::new(),
            lines: 0,
            in_bytes: 0,
            lost: true,
        }
    }
}

/// What every worker shares.
pub struct Job {
    pub layout: Layout,
    pub format: OutFormat,
    pub encoding: Encoding,
    pub engine: crate::Engine,
    pub max_row: usize,
    /// Written output buffers, kept for reuse: fresh multi-megabyte buffers for every
    /// chunk cost more in page faults than the resolving itself.
    pub pool: std::sync::Mutex<Vec<(Vec<u8>, Vec<u32>)>>,
}

/// One worker's scratch space.
pub struct Worker {
    tails: TailCache,
    splitter: rows::Splitter,
    fields: rows::Fields,
    json: String,
    spans: Vec<(usize, usize)>,
}

/// What is known of one row before it is answered.
struct Row<'a> {
    /// The row as read, without its line break (nothing for an overlong row).
    text: &'a [u8],
    /// The line break was `\r\n`.
    crlf: bool,
    /// Line within the chunk.
    line: u64,
    /// Why the row cannot be answered, whatever its number says.
    problem: Option<String>,
    /// The row ends inside quotes (the input ended there).
    open_quote: bool,
}

impl Job {
    pub fn worker(&self) -> Worker {
        let d = self.layout.delimiter();
        Worker {
            tails: TailCache::new(self.encoding),
            splitter: rows::Splitter::new(self.layout.mode),
            fields: rows::Fields::new(d),
            json: String::with_capacity(512),
            spans: Vec::new(),
        }
    }

    fn buffers(&self) -> (Vec<u8>, Vec<u32>) {
        self.pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    pub fn recycle(&self, mut out: Vec<u8>, mut ends: Vec<u32>) {
        out.clear();
        ends.clear();
        if let Ok(mut p) = self.pool.lock() {
            p.push((out, ends));
        }
    }

    /// Answers one chunk.
    pub fn process(&self, chunk: &Chunk, w: &mut Worker) -> Done {
        let (mut out, mut row_ends) = self.buffers();
        let mut counts = Counts::default();
        let mut notes = Vec::new();
        let bytes = &chunk.bytes;
        let mut lines = 0u64;
        match chunk.kind {
            ChunkKind::Overlong { bytes: n, lines: l } => {
                let row = Row {
                    text: b"",
                    crlf: false,
                    line: 0,
                    problem: Some(format!(
                        "row of {n} bytes is longer than --max-row-bytes ({}): not read",
                        self.max_row
                    )),
                    open_quote: false,
                };
                self.row(w, &row, &mut out, &mut counts, &mut notes);
                row_ends.push(out.len() as u32);
                lines = l;
            }
            ChunkKind::Rows { last, cut_off } => {
                let mut spans = std::mem::take(&mut w.spans);
                spans.clear();
                w.splitter.each_row(bytes, |s, e| spans.push((s, e)));
                let n = spans.len();
                for (i, &(s, e)) in spans.iter().enumerate() {
                    let raw = &bytes[s..e];
                    let (text, crlf) = rows::strip_break(raw);
                    let mut row = Row {
                        text,
                        crlf,
                        line: lines,
                        problem: None,
                        open_quote: false,
                    };
                    if i + 1 == n && cut_off {
                        row.problem = Some(
                            "the input could not be read past this row, which may be cut".into(),
                        );
                    }
                    // Only the last row of the input can end inside quotes.
                    let check_open = last && i + 1 == n;
                    self.row_checked(
                        w,
                        &mut row,
                        raw,
                        check_open,
                        &mut out,
                        &mut counts,
                        &mut notes,
                    );
                    row_ends.push(out.len() as u32);
                    // The row's own line break (`\n`, `\r\n` or a lone `\r`: one line);
                    // line breaks inside a row are only in quoted fields.
                    lines += u64::from(matches!(raw.last(), Some(b'\n' | b'\r')));
                    if self.layout.mode != Mode::Lines && text.contains(&b'"') {
                        lines += memchr::memchr_iter(b'\n', text).count() as u64;
                    }
                }
                w.spans = spans;
            }
        }
        Done {
            seq: chunk.seq,
            out,
            row_ends,
            counts,
            notes,
            lines,
            in_bytes: bytes.len() as u64,
            lost: false,
        }
    }

    /// The last row of the input may end inside quotes: then its line break is data, as
    /// Python's `csv` reads it, and the echo closes the quote.
    #[allow(clippy::too_many_arguments)]
    fn row_checked<'a>(
        &self,
        w: &mut Worker,
        row: &mut Row<'a>,
        raw: &'a [u8],
        check_open: bool,
        out: &mut Vec<u8>,
        counts: &mut Counts,
        notes: &mut Vec<(u64, String)>,
    ) {
        if check_open && matches!(self.layout.mode, Mode::Csv(_)) && row.text.contains(&b'"') {
            w.fields.read(row.text);
            if w.fields.open_quote {
                row.open_quote = true;
                row.text = raw;
                row.crlf = false;
            }
        }
        self.row(w, row, out, counts, notes);
    }

    fn row(
        &self,
        w: &mut Worker,
        row: &Row<'_>,
        out: &mut Vec<u8>,
        counts: &mut Counts,
        notes: &mut Vec<(u64, String)>,
    ) {
        counts.rows += 1;
        let line = row.text;
        let mut problem = row.problem.clone();
        // The ID field and the number of fields.
        let (field, width): (Option<Cow<'_, [u8]>>, usize) = match self.layout.mode {
            Mode::Lines => (Some(unquote_line(line)), 1),
            Mode::Csv(_) if line.contains(&b'"') => {
                w.fields.read(line);
                (
                    w.fields
                        .get(self.layout.column)
                        .map(|f| Cow::Owned(f.to_vec())),
                    w.fields.len(),
                )
            }
            Mode::Csv(d) => {
                let mut found = None;
                let mut n = 0;
                for (i, f) in line.split(|&b| b == d).enumerate() {
                    if i == self.layout.column {
                        found = Some(Cow::Borrowed(f));
                    }
                    n += 1;
                }
                (found, n)
            }
        };
        if problem.is_none() {
            if line.is_empty() {
                problem = Some("empty line".to_owned());
            } else if width != self.layout.width {
                problem = Some(format!(
                    "{width} field(s) where the header has {}",
                    self.layout.width
                ));
            }
        }
        let text = match &field {
            None => {
                if problem.is_none() {
                    problem = Some(format!(
                        "no column {} (row has {width} field(s))",
                        self.layout.column + 1
                    ));
                }
                None
            }
            Some(f) => match self.encoding.decode(f) {
                Some(s) => Some(s),
                None => {
                    problem.get_or_insert_with(|| match self.encoding {
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
            counts.first_not_utf8.get_or_insert(row.line);
        }
        let text = text.as_deref().map(spreadsheet_text);
        if problem.is_none() && text.is_some_and(|t| t.trim().is_empty()) {
            problem = Some("empty number".to_owned());
        }
        // A row with a problem is WRONG_IDCARD whatever its number says: its fields cannot
        // be trusted to be where the header says.
        let resolution = match (text, &problem) {
            (Some(t), None) => self.engine.resolve(t),
            _ => cnid::Resolution::wrong_idcard(cnid::ParseError::Empty),
        };
        match resolution.status() {
            Status::AlreadyAtt => counts.already_att += 1,
            Status::NotAtt => counts.not_att += 1,
            Status::WrongIdcard => counts.wrong += 1,
            Status::WaitProcess => counts.wait += 1,
        }
        // The input ended inside quotes: the fields are read as Python's csv reads them
        // (the rest of the input is the last field), and the user is told.
        if row.open_quote {
            counts.problems += 1;
            if counts.problems <= MAX_REPORTED {
                notes.push((
                    row.line,
                    "a quote opened in this row is never closed: the input ends inside it".into(),
                ));
            }
        }
        if let Some(p) = &problem {
            counts.problems += 1;
            if counts.problems <= MAX_REPORTED {
                notes.push((row.line, p.clone()));
            }
        }
        let reason = match (&problem, resolution.error()) {
            (Some(p), _) => p.clone(),
            (_, Some(_)) if text.is_some_and(is_spreadsheet_float) => {
                counts.floats += 1;
                SPREADSHEET_FLOAT.to_owned()
            }
            // A foreigners' permanent residence ID's own reason first.
            (_, Some(e)) => resolution
                .document_error()
                .map_or_else(|| e.to_string(), ToString::to_string),
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
        match self.format {
            OutFormat::Jsonl => {
                let fields = Fields::new(&resolution, echo);
                w.json.clear();
                wire::write_json(&mut w.json, &fields);
                out.extend_from_slice(w.json.as_bytes());
            }
            OutFormat::Csv => {
                let d = self.layout.delimiter();
                match self.layout.mode {
                    Mode::Csv(_) => {
                        out.extend_from_slice(line);
                        if row.open_quote {
                            out.push(b'"');
                        }
                        // A short row is padded, so the answer stays under its header.
                        for _ in width.max(1)..self.layout.width {
                            out.push(d);
                        }
                    }
                    Mode::Lines => push_csv_field(out, line, d),
                }
                // The common row, a number of a table region: its columns straight from the
                // parsed number and the cached region columns, without building the fields.
                if let (Some(n), Some(region), None, Encoding::Utf8) = (
                    resolution.number(),
                    resolution.region(),
                    resolution.foreign_permanent(),
                    self.encoding,
                ) {
                    if resolution.status() == Status::AlreadyAtt
                        && region.source() == cnid::Source::Table
                        && reason.is_empty()
                    {
                        out.push(d);
                        out.extend_from_slice(Status::AlreadyAtt.as_str().as_bytes());
                        out.push(d);
                        out.extend_from_slice(n.region_prefix().as_bytes());
                        out.push(d);
                        out.extend_from_slice(wire::Born::from_ymd(n.birth_ymd()).as_bytes());
                        out.push(d);
                        out.extend_from_slice(n.sex().as_chinese().as_bytes());
                        out.extend_from_slice(
                            w.tails
                                .get(region.code(), d, || Fields::new(&resolution, echo)),
                        );
                        // `msg` and the reason are empty.
                        out.push(d);
                        out.push(d);
                        if row.crlf {
                            out.push(b'\r');
                        }
                        out.push(b'\n');
                        return;
                    }
                }
                let fields = Fields::new(&resolution, echo);
                // Columns are written as UTF-8; with GB18030 output each run of them is
                // re-encoded (the cached region columns come encoded).
                let gb18030 = self.encoding == Encoding::Gb18030;
                let mut start = out.len();
                // Status, code prefix, date and sex come from the parsed number (digits,
                // 年月日, 男/女): never a delimiter, quote or line break to quote.
                for value in [
                    fields.status().as_str().as_bytes(),
                    fields.par().as_bytes(),
                    fields.born().as_bytes(),
                    fields.sex().as_bytes(),
                ] {
                    debug_assert!(!needs_quotes(value, d));
                    out.push(d);
                    out.extend_from_slice(value);
                }
                match resolution
                    .region()
                    .filter(|r| r.source() == cnid::Source::Table)
                {
                    Some(region) => {
                        if gb18030 {
                            encode_tail(out, start);
                        }
                        out.extend_from_slice(w.tails.get(region.code(), d, || fields));
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
        if row.crlf {
            out.push(b'\r');
        }
        out.push(b'\n');
    }
}
