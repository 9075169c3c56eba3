//! Rows: where each one ends and what fields it holds, as Python's `csv` module reads them
//! (RFC 4180 with its lenient reading: a quote inside an unquoted field is data, `\r`, `\n`
//! and `\r\n` each end a row, an empty line is an empty row).
//!
//! The reader thread only finds row boundaries ([`Splitter`]); the workers split rows into
//! fields ([`fields`]) in parallel. One-column input is read line by line: a stray quote in
//! a file of numbers never joins two lines.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use memchr::{memchr, memchr2, memrchr2};

/// How rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One field per line.
    Lines,
    /// CSV with this delimiter.
    Csv(u8),
}

/// Where the row at the front of a buffer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The row and its line break take this many bytes.
    Row(usize),
    /// The row goes on past the buffer.
    Partial,
}

/// A csv-core reader for `delimiter` that reads like Python's `csv`.
fn csv_reader(delimiter: u8) -> Reader {
    ReaderBuilder::new().delimiter(delimiter).build()
}

/// Finds row boundaries; one per reader thread (it keeps csv-core's state and scratch).
pub struct Splitter {
    mode: Mode,
    csv: Reader,
    scratch: Vec<u8>,
    ends: Vec<usize>,
}

impl Splitter {
    pub fn new(mode: Mode) -> Splitter {
        let delimiter = match mode {
            Mode::Csv(d) => d,
            Mode::Lines => b',',
        };
        Splitter {
            mode,
            csv: csv_reader(delimiter),
            scratch: vec![0; 64 * 1024],
            ends: vec![0; 1024],
        }
    }

    /// The end of the row at the front of `buf` (a row starts there). `eof`: nothing
    /// follows `buf`. `quote_at`: where the first quote in `buf` is, if any (the caller
    /// tracks it, so that a chunk is searched for quotes once, not once per row).
    pub fn row_end(&mut self, buf: &[u8], eof: bool, quote_at: Option<usize>) -> End {
        match buf.first() {
            None => return End::Partial,
            Some(b'\n' | b'\r') => return line_break(buf, 0, eof),
            Some(_) => {}
        }
        let at = memchr2(b'\n', b'\r', buf);
        let plain = match (self.mode, quote_at) {
            (Mode::Lines, _) | (_, None) => true,
            (Mode::Csv(_), Some(q)) => at.is_some_and(|i| i < q),
        };
        if plain {
            return match at {
                Some(i) => line_break(buf, i, eof),
                None if eof => End::Row(buf.len()),
                None => End::Partial,
            };
        }
        self.csv.reset();
        let mut pos = 0;
        loop {
            let (result, nin, _, _) =
                self.csv
                    .read_record(&buf[pos..], &mut self.scratch, &mut self.ends);
            pos += nin;
            match result {
                // csv-core stops after the `\r` of `\r\n`; the `\n` belongs to this row.
                ReadRecordResult::Record => return line_break(buf, pos - 1, eof),
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    return if eof {
                        End::Row(buf.len())
                    } else {
                        End::Partial
                    };
                }
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// Every row of `buf`, which holds whole rows only, as `(start, end)` with the line
    /// break; `f` gets each.
    pub fn each_row(&mut self, buf: &[u8], mut f: impl FnMut(usize, usize)) {
        let mut pos = 0;
        let mut quote = self.next_quote(buf, 0);
        while pos < buf.len() {
            let End::Row(n) = self.row_end(&buf[pos..], true, quote.map(|q| q - pos)) else {
                unreachable!("at the end of the input every row is whole")
            };
            f(pos, pos + n);
            pos += n;
            if quote.is_some_and(|q| q < pos) {
                quote = self.next_quote(buf, pos);
            }
        }
    }

    fn next_quote(&self, buf: &[u8], from: usize) -> Option<usize> {
        match self.mode {
            Mode::Lines => None,
            Mode::Csv(_) => memchr(b'"', &buf[from..]).map(|i| from + i),
        }
    }

    /// The end of the last whole row in `buf[from..]`, where a row starts at `from`; `from`
    /// itself when no row is whole yet. Rows without a quote are cut at the last line
    /// break, found a word at a time.
    pub fn last_cut(&mut self, buf: &[u8], from: usize, eof: bool) -> usize {
        if eof {
            return buf.len();
        }
        let rest = &buf[from..];
        let quoted = matches!(self.mode, Mode::Csv(_)) && memchr(b'"', rest).is_some();
        if !quoted {
            // A `\r` at the very end may be the first half of `\r\n`: not a cut yet.
            let usable = if rest.last() == Some(&b'\r') {
                &rest[..rest.len() - 1]
            } else {
                rest
            };
            return match memrchr2(b'\n', b'\r', usable) {
                Some(i) => match line_break(rest, i, false) {
                    End::Row(n) => from + n,
                    End::Partial => from,
                },
                None => from,
            };
        }
        let mut pos = from;
        let mut quote = self.next_quote(buf, pos);
        while let End::Row(n) = self.row_end(&buf[pos..], false, quote.map(|q| q - pos)) {
            pos += n;
            if quote.is_some_and(|q| q < pos) {
                quote = self.next_quote(buf, pos);
            }
        }
        pos
    }

    /// Reads past the rest of an overlong row, whose first `seen` bytes were `head`, from
    /// `next` (which yields the following input blocks): returns the bytes after the row
    /// (the start of the next row) once it ends, or `None` at the end of the input.
    pub fn skip_row(&mut self, head: &[u8], mut next: impl FnMut() -> Option<Vec<u8>>) -> Skip {
        let mut skipped = 0u64;
        let mut lines = 0u64;
        self.csv.reset();
        let mut block = head.to_vec();
        let mut last_was_cr = false;
        loop {
            if last_was_cr {
                // The row ended with `\r`: a `\n` right after it belongs to it.
                let rest = if block.first() == Some(&b'\n') {
                    skipped += 1;
                    lines += 1;
                    block[1..].to_vec()
                } else {
                    block
                };
                return Skip {
                    bytes: skipped,
                    lines,
                    rest: Some(rest),
                };
            }
            let end = match self.mode {
                Mode::Lines => memchr2(b'\n', b'\r', &block).map(|i| i + 1),
                Mode::Csv(_) => {
                    let mut pos = 0;
                    loop {
                        let (result, nin, _, _) =
                            self.csv
                                .read_record(&block[pos..], &mut self.scratch, &mut self.ends);
                        pos += nin;
                        match result {
                            ReadRecordResult::Record => break Some(pos),
                            ReadRecordResult::InputEmpty | ReadRecordResult::End => break None,
                            _ => {}
                        }
                    }
                }
            };
            match end {
                Some(e) => {
                    skipped += e as u64;
                    lines += memchr::memchr_iter(b'\n', &block[..e]).count() as u64;
                    let rest = block[e..].to_vec();
                    if block[e - 1] == b'\r' {
                        last_was_cr = true;
                        block = if rest.is_empty() {
                            match next() {
                                Some(b) => b,
                                None => {
                                    return Skip {
                                        bytes: skipped,
                                        lines,
                                        rest: None,
                                    }
                                }
                            }
                        } else {
                            rest
                        };
                        continue;
                    }
                    return Skip {
                        bytes: skipped,
                        lines,
                        rest: Some(rest),
                    };
                }
                None => {
                    skipped += block.len() as u64;
                    lines += memchr::memchr_iter(b'\n', &block).count() as u64;
                    match next() {
                        Some(b) => block = b,
                        None => {
                            return Skip {
                                bytes: skipped,
                                lines,
                                rest: None,
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What [`Splitter::skip_row`] read past.
pub struct Skip {
    /// Bytes of the row, its line break included.
    pub bytes: u64,
    /// Line breaks in it.
    pub lines: u64,
    /// The input that follows the row; `None` when the input ended inside it.
    pub rest: Option<Vec<u8>>,
}

/// A row ends with the line break at `i`: `\n`, `\r`, or `\r\n`.
fn line_break(buf: &[u8], i: usize, eof: bool) -> End {
    if buf[i] == b'\r' {
        match buf.get(i + 1) {
            Some(b'\n') => End::Row(i + 2),
            Some(_) => End::Row(i + 1),
            None if eof => End::Row(i + 1),
            None => End::Partial,
        }
    } else {
        End::Row(i + 1)
    }
}

/// The row's text without its line break, and whether that break was `\r\n`.
pub fn strip_break(row: &[u8]) -> (&[u8], bool) {
    match row {
        [rest @ .., b'\r', b'\n'] => (rest, true),
        [rest @ .., b'\n' | b'\r'] => (rest, false),
        _ => (row, false),
    }
}

/// The fields of one row (without its line break), unquoted.
pub struct Fields {
    csv: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    count: usize,
    /// The row ended inside quotes (only possible at the end of the input).
    pub open_quote: bool,
}

impl Fields {
    pub fn new(delimiter: u8) -> Fields {
        Fields {
            csv: csv_reader(delimiter),
            out: Vec::new(),
            ends: Vec::new(),
            count: 0,
            open_quote: false,
        }
    }

    /// Reads `row`, which holds a quote (rows without one are split directly).
    pub fn read(&mut self, row: &[u8]) {
        self.csv.reset();
        // Every field fits in the row's length; every field ends at a delimiter or the end.
        if self.out.len() < row.len() + 2 {
            self.out.resize(row.len() + 2, 0);
        }
        if self.ends.len() < row.len() + 2 {
            self.ends.resize(row.len() + 2, 0);
        }
        let (result, nin, nout, nend) = self.csv.read_record(row, &mut self.out, &mut self.ends);
        debug_assert_eq!(nin, row.len());
        debug_assert!(matches!(result, ReadRecordResult::InputEmpty));
        // A line break after the row ends it unless a quote is still open (then the end of
        // the input does).
        let (result, _, nout2, nend2) =
            self.csv
                .read_record(b"\n", &mut self.out[nout..], &mut self.ends[nend..]);
        self.open_quote = !matches!(result, ReadRecordResult::Record);
        let nend = if self.open_quote {
            let (_, _, _, nend3) = self.csv.read_record(
                &[],
                &mut self.out[nout + nout2..],
                &mut self.ends[nend + nend2..],
            );
            nend + nend2 + nend3
        } else {
            nend + nend2
        };
        self.count = nend;
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        let field = &self.out[start..end];
        // With an open quote the line break fed to end the row became data.
        if self.open_quote && i + 1 == self.count {
            return Some(field.strip_suffix(b"\n").unwrap_or(field));
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(mode: Mode, input: &[u8]) -> Vec<&[u8]> {
        let mut s = Splitter::new(mode);
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            match s.row_end(&input[pos..], true, memchr(b'"', &input[pos..])) {
                End::Row(n) => {
                    out.push(&input[pos..pos + n]);
                    pos += n;
                }
                End::Partial => unreachable!(),
            }
        }
        out
    }

    #[test]
    fn rows_end_like_python_csv() {
        let input = b"a,b\r\nc,\"d\ne\"\r\n\r\nO\"Brien,1\n\rx\ry";
        let got = rows(Mode::Csv(b','), input);
        let want: Vec<&[u8]> = vec![
            b"a,b\r\n",
            b"c,\"d\ne\"\r\n",
            b"\r\n",
            b"O\"Brien,1\n",
            b"\r",
            b"x\r",
            b"y",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_stray_quote_in_a_file_of_numbers_stays_on_its_line() {
        let got = rows(Mode::Lines, b"1\"2\n3\n\"4\n");
        assert_eq!(got, vec![&b"1\"2\n"[..], b"3\n", b"\"4\n"]);
    }

    #[test]
    fn last_cut_never_splits_a_row_or_crlf() {
        let mut s = Splitter::new(Mode::Csv(b','));
        assert_eq!(s.last_cut(b"a\r\nb\r", 0, false), 3);
        assert_eq!(s.last_cut(b"a\nb,\"c\nd", 0, false), 2);
        assert_eq!(s.last_cut(b"a\nb,\"c\nd\"\ne", 0, false), 10);
        assert_eq!(s.last_cut(b"abc", 0, false), 0);
        assert_eq!(s.last_cut(b"abc", 0, true), 3);
    }

    #[test]
    fn skip_row_reads_to_the_end_of_an_overlong_row() {
        let mut s = Splitter::new(Mode::Csv(b','));
        let mut blocks = vec![
            b"\nrest\n".to_vec(),
            b"ing\",x\r".to_vec(),
            b"\nnext".to_vec(),
        ];
        blocks.reverse();
        let skip = s.skip_row(b"a,\"x", || blocks.pop());
        assert_eq!(skip.rest.as_deref(), Some(&b"next"[..]));
        assert_eq!(skip.bytes, 4 + 6 + 7 + 1);
        assert_eq!(skip.lines, 3);
    }

    #[test]
    fn fields_unquote_and_see_an_open_quote() {
        let mut f = Fields::new(b',');
        f.read(b"\"a,b\",c\"d,\"e\"\"f\"");
        assert_eq!(f.len(), 3);
        assert_eq!(f.get(0), Some(&b"a,b"[..]));
        assert_eq!(f.get(1), Some(&b"c\"d"[..]));
        assert_eq!(f.get(2), Some(&b"e\"f"[..]));
        assert!(!f.open_quote);
        f.read(b"x,\"open\nstill");
        assert!(f.open_quote);
        assert_eq!(f.len(), 2);
        assert_eq!(f.get(1), Some(&b"open\nstill"[..]));
    }
}
