//! The output: a file is written to a temporary file beside it and renamed over it only
//! when every row is written, so a failed or interrupted run leaves the old file; standard
//! output is written without a buffer in between, and on a write error a regular file
//! behind it is cut back to its last complete row. The output is never the input.

use std::fs::{self, File};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use super::input::FileId;
use super::Failure;

enum Sink {
    /// `-o -`; `start`: the offset in a regular file behind it, to cut back to on an error.
    Stdout {
        out: Box<dyn Write + Send>,
        file: Option<(File, u64)>,
    },
    /// `-o FILE`: written beside FILE, renamed over it at the end.
    Temp {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    /// A device or pipe given by name (`/dev/null`, a FIFO): written in place.
    Direct(File),
    /// `-o FILE.xlsx`: a workbook, saved beside FILE and renamed over it at the end.
    Xlsx {
        book: Box<super::workbook::XlsxSink>,
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

pub struct Output {
    sink: Sink,
    /// Bytes written, all complete rows.
    bytes: u64,
    /// Complete rows written (the header not counted).
    pub rows: u64,
    name: String,
}

impl Output {
    /// Opens `path` (`-`: standard output), refusing the input's own file (`input`). A name
    /// ending in `.xlsx` gets a workbook (`xlsx`: the CSV rows' delimiter and encoding).
    pub fn open(
        path: &Path,
        input: Option<FileId>,
        xlsx: Option<(u8, super::answer::Encoding)>,
    ) -> Result<Output, Failure> {
        let same =
            |meta: &fs::Metadata| meta.is_file() && input.is_some() && FileId::of(meta) == input;
        if path.as_os_str() == "-" {
            #[cfg(unix)]
            let file = {
                use std::os::fd::AsFd;
                super::input::std_file(io::stdout().as_fd())
            };
            #[cfg(not(unix))]
            let file: Option<File> = None;
            if let Some(meta) = file.as_ref().and_then(|f| f.metadata().ok()) {
                if same(&meta) {
                    return Err(Failure::Usage(
                        "standard output is the input file: it would be overwritten while read"
                            .into(),
                    ));
                }
            }
            let (out, file): (Box<dyn Write + Send>, _) = match file {
                Some(mut f) => {
                    let regular = f.metadata().is_ok_and(|m| m.is_file());
                    let start = if regular {
                        f.stream_position().ok()
                    } else {
                        None
                    };
                    let keep = match (regular, start, f.try_clone()) {
                        (true, Some(s), Ok(c)) => Some((c, s)),
                        _ => None,
                    };
                    (Box::new(f), keep)
                }
                None => (Box::new(io::stdout()), None),
            };
            return Ok(Output {
                sink: Sink::Stdout { out, file },
                bytes: 0,
                rows: 0,
                name: "standard output".into(),
            });
        }
        let name = path.display().to_string();
        // Through links: the file a symbolic link names is the one replaced.
        let target = link_target(path);
        let existing = fs::metadata(&target).ok();
        if let Some(meta) = &existing {
            if same(meta) {
                return Err(Failure::Usage(format!(
                    "{name} is the input file: give another output name"
                )));
            }
            if meta.is_dir() {
                return Err(Failure::Usage(format!("{name} is a directory")));
            }
            if !meta.is_file() {
                let f = fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(|e| Failure::Io(format!("cannot open {name}: {e}")))?;
                return Ok(Output {
                    sink: Sink::Direct(f),
                    bytes: 0,
                    rows: 0,
                    name,
                });
            }
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut builder = tempfile::Builder::new();
        let prefix = format!(".{file_name}.");
        builder.prefix(&prefix).suffix(".cnid-partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The permissions of the file replaced, or what a new file gets (less umask).
            let mode = existing
                .as_ref()
                .map_or(0o666, |m| m.permissions().mode() & 0o7777);
            builder.permissions(fs::Permissions::from_mode(mode));
        }
        let tmp = builder
            .tempfile_in(&dir)
            .map_err(|e| Failure::Io(format!("cannot create a file in {}: {e}", dir.display())))?;
        let sink = match xlsx {
            Some((d, encoding)) if is_xlsx(path) => Sink::Xlsx {
                book: Box::new(super::workbook::XlsxSink::new(d, encoding)),
                tmp,
                path: target,
            },
            _ => Sink::Temp { tmp, path: target },
        };
        Ok(Output {
            sink,
            bytes: 0,
            rows: 0,
            name,
        })
    }

    /// Writes `data`, whose rows end at `row_ends` (none for the header, which is not
    /// counted). On an error, `rows` counts the complete
    /// rows that made it.
    pub fn write(&mut self, data: &[u8], row_ends: &[u32]) -> io::Result<()> {
        let w: &mut dyn Write = match &mut self.sink {
            Sink::Stdout { out, .. } => out,
            Sink::Temp { tmp, .. } => tmp.as_file_mut(),
            Sink::Direct(f) => f,
            Sink::Xlsx { book, .. } => {
                let (done, result) = book.write(data, row_ends);
                self.rows += done as u64;
                return result;
            }
        };
        let mut done = 0;
        let result = loop {
            if done == data.len() {
                break Ok(());
            }
            match w.write(&data[done..]) {
                Ok(0) => break Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(()) => {
                self.bytes += data.len() as u64;
                self.rows += row_ends.len() as u64;
                Ok(())
            }
            Err(e) => {
                let whole = row_ends.partition_point(|&end| end as usize <= done);
                self.rows += whole as u64;
                // A header cut short is cut away whole.
                self.bytes += row_ends[..whole].last().map_or(0, |&e| u64::from(e));
                Err(e)
            }
        }
    }

    /// Everything written: flush and put the file in place.
    pub fn finish(self) -> Result<(), String> {
        match self.sink {
            Sink::Stdout { mut out, .. } => out
                .flush()
                .map_err(|e| format!("cannot write {}: {e}", self.name)),
            Sink::Direct(mut f) => f
                .flush()
                .map_err(|e| format!("cannot write {}: {e}", self.name)),
            Sink::Xlsx {
                book,
                mut tmp,
                path,
            } => {
                book.save(tmp.as_file_mut())
                    .map_err(|e| format!("cannot write {}: {e}", self.name))?;
                tmp.persist(&path)
                    .map(drop)
                    .map_err(|e| format!("cannot replace {}: {}", self.name, e.error))
            }
            // No fsync: like `cp`, the file is left to the page cache; the rename is atomic.
            Sink::Temp { tmp, path } => tmp
                .persist(&path)
                .map(drop)
                .map_err(|e| format!("cannot replace {}: {}", self.name, e.error)),
        }
    }

    /// The run failed: leave the old file (the temporary one is removed), or cut a regular
    /// file behind standard output back to its last complete row. Says what was left.
    pub fn abandon(self) -> String {
        match self.sink {
            Sink::Temp { .. } | Sink::Xlsx { .. } => format!("{} is left as it was", self.name),
            Sink::Stdout {
                file: Some((f, start)),
                ..
            } => match f.set_len(start + self.bytes) {
                Ok(()) => format!("{} holds {} complete row(s)", self.name, self.rows),
                Err(_) => format!("{} may end with a partial row", self.name),
            },
            Sink::Stdout { .. } | Sink::Direct(_) => {
                format!("{} holds {} complete row(s)", self.name, self.rows)
            }
        }
    }

    /// Whether the rows written stay only once the run succeeds.
    pub fn is_staged(&self) -> bool {
        matches!(self.sink, Sink::Temp { .. } | Sink::Xlsx { .. })
    }

    /// Whether the output is a terminal (no progress line then: it would land in it).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self.sink, Sink::Stdout { .. }) && io::stdout().is_terminal()
    }
}

/// Whether an output name asks for a workbook.
pub fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// `path` with its symbolic links followed. A link to a file that does not exist yet names
/// the file to create, as the shell's `>` takes it, instead of being replaced by a file.
fn link_target(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let mut p = path.to_path_buf();
    // The kernel's own limit on links followed (ELOOP beyond).
    for _ in 0..40 {
        match fs::read_link(&p) {
            Ok(next) => {
                p = p
                    .parent()
                    .map_or_else(|| next.clone(), |dir| dir.join(&next))
            }
            Err(_) => break,
        }
    }
    p
}
