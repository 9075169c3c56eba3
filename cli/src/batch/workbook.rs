//! Excel workbooks: a sheet of an `.xlsx`/`.xls` (or `.xlsb`, `.ods`) file read as CSV rows
//! (calamine), and an `.xlsx` output written with every cell as text (rust_xlsxwriter), so
//! the ID column keeps all its digits when the file is opened.

use std::io::{self, Cursor};

use calamine::{open_workbook_auto_from_rs, Data, Reader};

/// The rows of one sheet as UTF-8 CSV (comma, `\n`). `sheet`: a name, or a 1-based
/// position; the first sheet by default.
pub fn sheet_as_csv(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<u8>, String> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("not a workbook cnid can read ({e})"))?;
    let names = book.sheet_names();
    let index = match sheet {
        None => 0,
        Some(s) => match names.iter().position(|n| n == s) {
            Some(i) => i,
            None => match s.parse::<usize>() {
                Ok(n) if n >= 1 && n <= names.len() => n - 1,
                _ => {
                    return Err(format!(
                        "--sheet {s:?}: the workbook's sheets are {}",
                        names.join(", ")
                    ))
                }
            },
        },
    };
    let range = book
        .worksheet_range_at(index)
        .ok_or_else(|| "the workbook has no sheet".to_owned())?
        .map_err(|e| format!("cannot read sheet {}: {e}", index + 1))?;
    // The range starts at its first non-empty cell: empty columns before it are kept, so
    // that --column N is the sheet's column N.
    let skip_cols = range.start().map_or(0, |(_, c)| c as usize);
    let mut out = Vec::new();
    let mut text = String::new();
    for row in range.rows() {
        for i in 0..skip_cols {
            if i > 0 {
                out.push(b',');
            }
        }
        for (i, cell) in row.iter().enumerate() {
            if i > 0 || skip_cols > 0 {
                out.push(b',');
            }
            text.clear();
            cell_text(cell, &mut text);
            super::answer::push_csv_field(&mut out, text.as_bytes(), b',');
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// A cell as the text a CSV export shows. A number of 16 digits or more cannot be an ID
/// number any more (a spreadsheet keeps 15 significant digits): it is written as an export
/// shows it (`1.10101199001011E17`), which batch answers with the "export as text" reason.
fn cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", *f as i64);
        }
        Data::Float(f) if f.fract() == 0.0 => {
            let _ = write!(out, "{f:E}");
        }
        Data::Int(i) if i.unsigned_abs() >= 1_000_000_000_000_000 => {
            let _ = write!(out, "{:E}", *i as f64);
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Excel's limit of rows in one sheet.
pub const MAX_ROWS: u32 = 1_048_576;

/// An `.xlsx` output: rows arrive as CSV (the batch output), each field is written as a
/// text cell. Rows go to a temporary file as they come (constant memory).
pub struct XlsxSink {
    book: rust_xlsxwriter::Workbook,
    row: u32,
    fields: super::rows::Fields,
    decode: super::answer::Encoding,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

impl XlsxSink {
    pub fn new(delimiter: u8, decode: super::answer::Encoding) -> XlsxSink {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet_with_constant_memory();
        XlsxSink {
            book,
            row: 0,
            fields: super::rows::Fields::new(delimiter),
            decode,
        }
    }

    /// Writes the CSV rows of `data` (each ends at `row_ends`); returns how many were
    /// written before an error.
    pub fn write(&mut self, data: &[u8], row_ends: &[u32]) -> (usize, io::Result<()>) {
        let mut start = 0;
        for (done, &end) in row_ends.iter().enumerate() {
            let row = &data[start..end as usize];
            start = end as usize;
            if let Err(e) = self.write_row(row) {
                return (done, Err(e));
            }
        }
        // The header comes without row ends.
        if row_ends.is_empty() && !data.is_empty() {
            if let Err(e) = self.write_row(data) {
                return (0, Err(e));
            }
        }
        (row_ends.len(), Ok(()))
    }

    fn write_row(&mut self, row: &[u8]) -> io::Result<()> {
        if self.row >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "an .xlsx sheet holds at most {MAX_ROWS} rows: write CSV for this input"
            )));
        }
        let (text, _) = super::rows::strip_break(row);
        self.fields.read(text);
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for i in 0..self.fields.len() {
            let field = self.fields.get(i).unwrap_or_default();
            let value = match self.decode.decode(field) {
                Some(s) => s,
                None => String::from_utf8_lossy(field),
            };
            if value.is_empty() {
                continue;
            }
            let col = u16::try_from(i).map_err(|_| io::Error::other("more than 65,536 columns"))?;
            sheet
                .write_string(self.row, col, value.as_ref())
                .map_err(xlsx_error)?;
        }
        self.row += 1;
        Ok(())
    }

    /// The finished workbook into `file`.
    pub fn save(mut self, file: &mut std::fs::File) -> io::Result<()> {
        self.book.save_to_writer(file).map_err(xlsx_error)
    }
}
