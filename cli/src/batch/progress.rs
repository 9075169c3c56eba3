//! What the run tells the user on stderr: the progress line while it runs, the counts at
//! the end. A closed or broken stderr never stops the run.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Problems reported line by line on stderr before only counting them.
pub const MAX_REPORTED: u64 = 100;

/// Counts kept by workers and summed by the writer.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub rows: u64,
    pub already_att: u64,
    pub not_att: u64,
    pub wrong: u64,
    pub wait: u64,
    pub problems: u64,
    /// Numbers a spreadsheet turned into floats (`1.10101E+17`).
    pub floats: u64,
    /// Rows that are not valid UTF-8 (counted for `--encoding utf-8` only), and the first
    /// (its line within the chunk until the writer adds the chunk's first line).
    pub not_utf8: u64,
    pub first_not_utf8: Option<u64>,
}

impl Counts {
    pub fn add(&mut self, o: &Counts, line_base: u64) {
        self.rows += o.rows;
        self.already_att += o.already_att;
        self.not_att += o.not_att;
        self.wrong += o.wrong;
        self.wait += o.wait;
        self.problems += o.problems;
        self.floats += o.floats;
        self.not_utf8 += o.not_utf8;
        if self.first_not_utf8.is_none() {
            self.first_not_utf8 = o.first_not_utf8.map(|l| l + line_base);
        }
    }

    /// The closing line: counts per status, time, rate, and advice. When fewer rows were
    /// written than answered (a full disk, a reader gone), it says so: the counts per status
    /// are of the rows answered.
    pub fn summary(&self, written: u64, secs: f64) -> String {
        let rate = written as f64 / secs.max(1e-9);
        let rows = if written < self.rows {
            format!("{written} of {} rows written", self.rows)
        } else {
            format!("{written} rows")
        };
        let mut s = format!(
            "cnid batch: {rows} in {secs:.2} s ({rate:.0} rows/s): ALREADY_ATT {}, NOT_ATT {}, WRONG_IDCARD {}",
            self.already_att, self.not_att, self.wrong
        );
        if self.wait > 0 {
            s.push_str(&format!(", WAIT_PROCESS {}", self.wait));
        }
        if self.problems > 0 {
            s.push_str(&format!("; {} row(s) with problems", self.problems));
            if self.problems > MAX_REPORTED {
                s.push_str(&format!(" (first {MAX_REPORTED} listed)"));
            }
        }
        if self.floats > 0 {
            s.push_str(&format!(
                "; {} number(s) a spreadsheet turned into floats (like 1.10101E+17): their digits \
                 are lost, export the column as text",
                self.floats
            ));
        }
        if let Some(line) = self.first_not_utf8 {
            s.push_str(&format!(
                "; {} row(s) are not UTF-8 (first: line {line}): for a GBK / GB18030 file (Excel on \
                 Chinese Windows) use --encoding gb18030",
                self.not_utf8
            ));
        }
        s
    }
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

/// Shared counters the progress line reads.
#[derive(Default)]
pub struct Meter {
    pub rows: AtomicU64,
    pub bytes: AtomicU64,
    pub stop: AtomicBool,
}

/// Redraws the progress line on stderr (a terminal) five times a second until `stop`.
pub fn run(meter: &Meter, size: Option<u64>, started: Instant) {
    let mut err = io::stderr();
    while !meter.stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(200));
        let (r, b) = (
            meter.rows.load(Ordering::Relaxed),
            meter.bytes.load(Ordering::Relaxed),
        );
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
        if err
            .write_all(line.as_bytes())
            .and_then(|()| err.flush())
            .is_err()
        {
            return;
        }
    }
    let _ = err.write_all(b"\r\x1b[K");
}

#[cfg(test)]
mod tests {
    use super::Counts;

    /// Finding: with the output on a full disk the summary read "0 rows …: ALREADY_ATT 5",
    /// as if the five were done.
    #[test]
    fn summary_tells_rows_written_from_rows_answered() {
        let counts = Counts {
            rows: 5,
            already_att: 5,
            ..Counts::default()
        };
        let all = counts.summary(5, 1.0);
        assert!(
            all.starts_with("cnid batch: 5 rows in 1.00 s (5 rows/s): ALREADY_ATT 5"),
            "{all}"
        );
        let none = counts.summary(0, 1.0);
        assert!(
            none.starts_with("cnid batch: 0 of 5 rows written in 1.00 s (0 rows/s): ALREADY_ATT 5"),
            "{none}"
        );
    }
}
