//! The input: opened, recognised by its first bytes (gzip, a workbook, UTF-16 …) whatever
//! its name, and decoded; where it stopped when it could not be read to the end.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::Failure;

/// The input stream, decompressed if need be.
pub struct Input {
    reader: Box<dyn Read + Send>,
    /// Compressed bytes consumed so far (gzip only).
    compressed: Option<Arc<AtomicU64>>,
    /// Size of the file on disk, for the progress line.
    pub size: Option<u64>,
    /// The file's identity, to refuse writing over it.
    pub id: Option<FileId>,
    /// A workbook's sheet, given as UTF-8 CSV.
    pub workbook: bool,
}

/// A file's device and inode: the same file under any name or link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(u64, u64);

impl FileId {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId(meta.dev(), meta.ino()))
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<FileId> {
        None
    }
}

/// Standard input or output as a file, for its identity and for writes without a buffer
/// in between.
#[cfg(unix)]
pub fn std_file(fd: std::os::fd::BorrowedFd<'_>) -> Option<File> {
    fd.try_clone_to_owned().ok().map(File::from)
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const GZIP: &[u8] = b"\x1f\x8b";
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

/// Opens `path` (`-`: standard input) and looks at its first bytes. A workbook is read
/// whole and its sheet (`sheet`, or the first) given as CSV rows.
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Input, Failure> {
    let (mut raw, size, id, name): (Box<dyn Read + Send>, _, _, String) = if path.as_os_str() == "-"
    {
        #[cfg(unix)]
        let id = {
            use std::os::fd::AsFd;
            std_file(io::stdin().as_fd())
                .and_then(|f| f.metadata().ok())
                .filter(|m| m.is_file())
                .and_then(|m| FileId::of(&m))
        };
        #[cfg(not(unix))]
        let id = None;
        (Box::new(io::stdin()), None, id, "standard input".into())
    } else {
        let file = File::open(path)
            .map_err(|e| Failure::Io(format!("cannot open {}: {e}", path.display())))?;
        let meta = file.metadata().ok();
        if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
            return Err(Failure::Usage(format!(
                "{} is a directory, not a file",
                path.display()
            )));
        }
        let size = meta.as_ref().filter(|m| m.is_file()).map(|m| m.len());
        let id = meta.as_ref().and_then(FileId::of);
        (Box::new(file), size, id, path.display().to_string())
    };
    // The first bytes, read whole even from a pipe that delivers them one by one.
    let mut head = Vec::with_capacity(8);
    (&mut raw)
        .take(8)
        .read_to_end(&mut head)
        .map_err(|e| Failure::Io(format!("cannot read {name}: {e}")))?;
    let whole = io::Cursor::new(head.clone()).chain(raw);
    if head.starts_with(GZIP) {
        let count = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: whole,
            count: Arc::clone(&count),
        };
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, counting));
        return Ok(Input {
            reader: Box::new(gz),
            compressed: Some(count),
            size: None,
            id,
            workbook: false,
        });
    }
    if head.starts_with(ZIP) || head.starts_with(OLE) {
        let mut whole = whole;
        let mut bytes = Vec::new();
        whole
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Io(format!("cannot read {name}: {e}")))?;
        let csv = super::workbook::sheet_as_csv(&bytes, sheet)
            .map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
        return Ok(Input {
            size: Some(csv.len() as u64),
            reader: Box::new(io::Cursor::new(csv)),
            compressed: None,
            id,
            workbook: true,
        });
    }
    if let Some(what) = refused(&head) {
        return Err(Failure::Usage(format!("{name} is {what}")));
    }
    Ok(Input {
        reader: Box::new(whole),
        compressed: None,
        size,
        id,
        workbook: false,
    })
}

/// What an input that cnid cannot read as text is, and what to do about it.
fn refused(head: &[u8]) -> Option<&'static str> {
    let what = if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        "UTF-16 text (Excel's \"Unicode text\"): save it as CSV UTF-8"
    } else if head.starts_with(b"BZh") {
        "bzip2-compressed: decompress it first (bzcat FILE | cnid batch)"
    } else if head.starts_with(b"\xfd7zXZ\x00") {
        "xz-compressed: decompress it first (xzcat FILE | cnid batch)"
    } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
        "zstd-compressed: decompress it first (zstdcat FILE | cnid batch)"
    } else {
        return None;
    };
    Some(what)
}

impl Input {
    /// Where reading stopped, for the message of a read error: the decompressed offset, and
    /// for gzip the compressed one.
    pub fn position(&self, decoded: u64) -> String {
        match &self.compressed {
            Some(c) => format!(
                "at byte {decoded} of the decompressed data (byte {} of the gzip stream)",
                c.load(Ordering::Relaxed)
            ),
            None => format!("at byte {decoded}"),
        }
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}
