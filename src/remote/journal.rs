//! The cache file: an append-only journal of the web API's answers per prefix, and of the
//! circuit's state, so that later runs neither ask again nor knock while the key is
//! suspended.
//!
//! One line per record, tab-separated, fields escaped (`\\`, `\t`, `\n`, `\r`):
//! `code status att postno areano style_simcall style_citynm` (status `ALREADY_ATT` or
//! `NOT_ATT`; a later line for a code replaces an earlier one), or `circuit until` (Unix
//! seconds until which the circuit is open; 0 when a probe closed it). A new record is one
//! appended line (one `write` to a file opened for appending, so processes that share the
//! file do not tear each other's lines); nothing is rewritten while running. On open, the
//! file is read (up to a size cap) and, if it holds replaced records or a torn last line,
//! rewritten compact, atomically (temporary file in the same folder, then a rename).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Region, RegionFields, Source};

use super::RemoteError;

/// The first line of a cache file.
const HEADER: &str = "# cnid remote cache v2: code\tstatus\tatt\tpostno\tareano\tstyle_simcall\tstyle_citynm, or circuit\tunix-seconds-until";
/// The first line of a version 1 file (same records, no circuit), still read.
const HEADER_V1: &str = "# cnid remote cache v1:";

/// A cached answer for a prefix.
#[derive(Debug, Clone)]
pub(super) enum Entry {
    /// `ALREADY_ATT`, the region marked [`Source::Cache`].
    Att(Region),
    NotAtt,
}

/// What a cache file held when it was opened.
#[derive(Debug, Default)]
pub(super) struct Loaded {
    /// The latest record of each code, in the order the codes first appeared.
    pub(super) entries: Vec<(u32, Entry)>,
    /// The last circuit record: Unix seconds until which the circuit is open.
    pub(super) circuit_until: Option<u64>,
}

/// The open journal.
#[derive(Debug)]
pub(super) struct Journal {
    path: PathBuf,
    /// Opened for appending at the first new record.
    file: Option<File>,
    /// Bytes read so far (complete lines): what other processes append after it is
    /// learned at the next append.
    read_to: u64,
    limit: u64,
}

pub(super) fn cache_error(path: &Path, reason: impl Into<String>) -> RemoteError {
    RemoteError::CacheFile {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> RemoteError {
    cache_error(path, e.to_string().to_lowercase())
}

/// Refuses anything but a regular file (a FIFO would block, `/dev/zero` never ends).
fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), RemoteError> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(cache_error(path, "not a regular file"))
    }
}

impl Journal {
    /// Opens the journal at `path` (a missing file is an empty cache, created at the first
    /// record) and reads it, compacting it when it holds replaced records.
    ///
    /// # Errors
    /// A path that is not a regular file, a file larger than `limit`, a line that does not
    /// parse (with its number), or an I/O error.
    pub(super) fn open(path: &Path, limit: u64) -> Result<(Journal, Loaded), RemoteError> {
        let mut journal = Journal {
            path: path.to_owned(),
            file: None,
            read_to: 0,
            limit,
        };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((journal, Loaded::default()))
            }
            Err(e) => return Err(io_error(path, &e)),
        };
        check_regular(path, &meta)?;
        let too_big = || cache_error(path, format!("larger than the limit of {limit} bytes"));
        if meta.len() > limit {
            return Err(too_big());
        }
        let file = File::open(path).map_err(|e| io_error(path, &e))?;
        check_regular(path, &file.metadata().map_err(|e| io_error(path, &e))?)?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(path, &e))?;
        if bytes.len() as u64 > limit {
            return Err(too_big());
        }
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            cache_error(path, format!("line {line}: not utf-8"))
        })?;
        // A last line without its newline is a torn write: left out, and the file compacted.
        let (complete, torn) = match text.rfind('\n') {
            Some(end) => (&text[..=end], end + 1 < text.len()),
            None => ("", !text.is_empty()),
        };
        let mut loaded = Loaded::default();
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut records = 0usize;
        for (i, line) in complete.lines().enumerate() {
            match parse_line(line)
                .map_err(|why| cache_error(path, format!("line {}: {why}", i + 1)))?
            {
                Record::Blank => {}
                Record::Circuit(until) => {
                    records += 1;
                    loaded.circuit_until = Some(until);
                }
                Record::Entry(code, entry) => {
                    records += 1;
                    match index.get(&code) {
                        Some(&at) => loaded.entries[at].1 = entry,
                        None => {
                            index.insert(code, loaded.entries.len());
                            loaded.entries.push((code, entry));
                        }
                    }
                }
            }
        }
        journal.read_to = complete.len() as u64;
        let open_circuit = loaded
            .circuit_until
            .filter(|&until| until > unix_now())
            .is_some();
        let live = loaded.entries.len() + usize::from(open_circuit);
        let old_header = !text.starts_with(HEADER);
        if torn || records > live || (old_header && text.starts_with(HEADER_V1)) {
            journal.compact(&loaded, open_circuit)?;
        }
        Ok((journal, loaded))
    }

    /// Rewrites the file with the live records only, atomically.
    fn compact(&mut self, loaded: &Loaded, open_circuit: bool) -> Result<(), RemoteError> {
        let mut text = String::with_capacity(128 + loaded.entries.len() * 96);
        text.push_str(HEADER);
        text.push('\n');
        for (code, entry) in &loaded.entries {
            text.push_str(&entry_line(*code, entry));
        }
        if let (true, Some(until)) = (open_circuit, loaded.circuit_until) {
            text.push_str(&circuit_line(until));
        }
        write_atomically(&self.path, &text)?;
        self.read_to = text.len() as u64;
        Ok(())
    }

    /// Appends one record line, first reading what other processes appended since the
    /// last read (their entries are returned, to be learned).
    ///
    /// # Errors
    /// An I/O error, a path that is no longer a regular file, or a file at its size cap
    /// (the record then stays in memory only).
    pub(super) fn append(&mut self, line: &str) -> Result<Vec<(u32, Entry)>, RemoteError> {
        let path = self.path.clone();
        if self.file.is_none() {
            let file = OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&path)
                .map_err(|e| io_error(&path, &e))?;
            check_regular(&path, &file.metadata().map_err(|e| io_error(&path, &e))?)?;
            self.file = Some(file);
        }
        let file = self.file.as_mut().expect("opened above");
        let len = file.metadata().map_err(|e| io_error(&path, &e))?.len();
        let mut learned = Vec::new();
        if len == 0 {
            file.write_all(format!("{HEADER}\n").as_bytes())
                .map_err(|e| io_error(&path, &e))?;
            self.read_to = HEADER.len() as u64 + 1;
        } else if len > self.read_to {
            // Another process appended: learn its complete lines.
            let mut tail = Vec::new();
            file.seek(SeekFrom::Start(self.read_to))
                .map_err(|e| io_error(&path, &e))?;
            std::io::Read::by_ref(file)
                .take(self.limit.saturating_sub(self.read_to))
                .read_to_end(&mut tail)
                .map_err(|e| io_error(&path, &e))?;
            let end = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if let Ok(text) = std::str::from_utf8(&tail[..end]) {
                for line in text.lines() {
                    if let Ok(Record::Entry(code, entry)) = parse_line(line) {
                        learned.push((code, entry));
                    }
                }
            }
            self.read_to += end as u64;
        }
        if len.saturating_add(line.len() as u64) > self.limit {
            return Err(cache_error(
                &path,
                format!("full: the limit is {} bytes", self.limit),
            ));
        }
        file.write_all(line.as_bytes())
            .map_err(|e| io_error(&path, &e))?;
        Ok(learned)
    }

    /// Flushes what was appended to the disk.
    pub(super) fn sync(&mut self) -> Result<(), RemoteError> {
        match &self.file {
            Some(f) => f.sync_data().map_err(|e| io_error(&self.path, &e)),
            None => Ok(()),
        }
    }
}

/// Seconds since the Unix epoch now (0 if the clock is before it).
pub(super) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One line of the journal, parsed.
enum Record {
    Blank,
    Entry(u32, Entry),
    Circuit(u64),
}

fn parse_line(line: &str) -> Result<Record, String> {
    if line.is_empty() || line.starts_with('#') {
        return Ok(Record::Blank);
    }
    let cols: Vec<&str> = line.split('\t').collect();
    if let ["circuit", until] = cols[..] {
        return until
            .parse()
            .map(Record::Circuit)
            .map_err(|_| "the circuit time is not a number".to_owned());
    }
    let [code, status, att, postno, areano, simcall, citynm] = cols[..] else {
        return Err("expected 7 tab-separated fields".to_owned());
    };
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the code is not 6 digits".to_owned());
    }
    let code: u32 = code.parse().map_err(|_| "the code is not 6 digits")?;
    let entry = match status {
        "ALREADY_ATT" => Entry::Att(Region::from_fields(
            code,
            RegionFields {
                att: unescape(att)?,
                postno: unescape(postno)?,
                areano: unescape(areano)?,
                style_simcall: unescape(simcall)?,
                style_citynm: unescape(citynm)?,
            },
            Source::Cache,
        )),
        "NOT_ATT" => Entry::NotAtt,
        _ => return Err("the status is not ALREADY_ATT or NOT_ATT".to_owned()),
    };
    Ok(Record::Entry(code, entry))
}

/// The journal line of an entry, newline included.
pub(super) fn entry_line(code: u32, entry: &Entry) -> String {
    let mut line = String::with_capacity(160);
    line.push_str(&format!("{code:06}"));
    match entry {
        Entry::Att(r) => {
            line.push_str("\tALREADY_ATT");
            for f in [
                r.att(),
                r.postno(),
                r.areano(),
                r.style_simcall(),
                r.style_citynm(),
            ] {
                line.push('\t');
                line.push_str(&escape(f));
            }
        }
        Entry::NotAtt => line.push_str("\tNOT_ATT\t\t\t\t\t"),
    }
    line.push('\n');
    line
}

/// The journal line of the circuit's state, newline included.
pub(super) fn circuit_line(until: u64) -> String {
    format!("circuit\t{until}\n")
}

/// Escapes a field for the cache file: `\` `\t` `\n` `\r`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('\\') => '\\',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('r') => '\r',
            _ => return Err("bad escape".to_owned()),
        });
    }
    Ok(out)
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
fn write_atomically(path: &Path, text: &str) -> Result<(), RemoteError> {
    let name = path
        .file_name()
        .ok_or_else(|| cache_error(path, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, &e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        for s in ["", "a b ", "t\tn\nr\r\\", "北京市 东城区 "] {
            assert_eq!(unescape(&escape(s)).unwrap(), s);
            assert!(!escape(s).contains('\t') && !escape(s).contains('\n'));
        }
        assert!(unescape("a\\").is_err());
        assert!(unescape("a\\q").is_err());
    }

    #[test]
    fn lines_round_trip() {
        let region = Region::from_fields(
            990_101,
            RegionFields {
                att: "a\tb".to_owned(),
                postno: "1".to_owned(),
                areano: "2".to_owned(),
                style_simcall: "3".to_owned(),
                style_citynm: "4".to_owned(),
            },
            Source::Cache,
        );
        let line = entry_line(990_101, &Entry::Att(region.clone()));
        match parse_line(line.trim_end_matches('\n')) {
            Ok(Record::Entry(990_101, Entry::Att(r))) => assert_eq!(r, region),
            _ => panic!("{line}"),
        }
        assert!(matches!(
            parse_line(circuit_line(u64::MAX).trim_end()),
            Ok(Record::Circuit(u64::MAX))
        ));
    }
}
