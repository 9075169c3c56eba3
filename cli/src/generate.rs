//! `cnid generate`: valid synthetic numbers for tests and demos.
//!
//! Streams: each number is formatted into a fixed buffer and written to a locked, buffered
//! stdout, so `--count 10000000` needs no more memory than `--count 1`. A closed pipe
//! (`cnid generate --count 1000000 | head`) ends the run quietly with exit 0.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Datelike, NaiveDate};
use cnid::{IdNumber, Level, Region, Sex};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many numbers to print, one per line.
    #[arg(long, value_name = "N")]
    count: u64,
    /// 6-digit region code to use; any code of the data set, abolished or placeholder
    /// included [default: a random county-level code in use today].
    #[arg(long, value_name = "CODE", value_parser = parse_code)]
    region: Option<u32>,
    /// With --region: accept any 6 digits whose first two are a province code, even if
    /// the data set does not know the code.
    #[arg(long, requires = "region")]
    any_region: bool,
    /// Earliest birth date [default: 1950-01-01].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    born_from: Option<NaiveDate>,
    /// Latest birth date, not after today [default: today's date in China].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::parse_date)]
    born_to: Option<NaiveDate>,
    /// Only numbers of this sex: 男, 女, male or female [default: either].
    #[arg(long, value_name = "SEX", value_parser = parse_sex)]
    sex: Option<Sex>,
    /// Seed of the random numbers: the same seed and options print the same numbers
    /// [default: from the clock].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Print the 15-digit first-generation form (birth dates limited to 1900–1999).
    #[arg(long)]
    fifteen: bool,
}

/// A 6-digit region code.
fn parse_code(s: &str) -> Result<u32, String> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse()
            .map_err(|_| format!("expected 6 digits, found {s:?}"))
    } else {
        Err(format!("expected 6 digits, found {s:?}"))
    }
}

fn parse_sex(s: &str) -> Result<Sex, String> {
    match s.trim() {
        "男" => Ok(Sex::Male),
        "女" => Ok(Sex::Female),
        w if w.eq_ignore_ascii_case("male") => Ok(Sex::Male),
        w if w.eq_ignore_ascii_case("female") => Ok(Sex::Female),
        _ => Err(format!("expected 男, 女, male or female, found {s:?}")),
    }
}

/// A usage error: message on stderr, exit 2 (like clap's own).
fn usage(msg: &str) -> io::Result<ExitCode> {
    crate::say!("cnid: {msg}");
    Ok(ExitCode::from(2))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// Six ASCII digits of a code.
fn code_digits(code: u32) -> [u8; 6] {
    let mut out = [0u8; 6];
    let mut c = code;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (c % 10) as u8;
        c /= 10;
    }
    out
}

/// Whether a number with this region code can be valid at all: the library decides (its
/// province list), by parsing a probe number with a known-good date and sequence.
fn province_ok(code: &[u8; 6]) -> bool {
    let mut body = [0u8; 17];
    body[..6].copy_from_slice(code);
    body[6..].copy_from_slice(b"19900101001");
    let Some(check) = cnid::check_character(&body) else {
        return false;
    };
    let mut probe = String::with_capacity(18);
    probe.extend(body.iter().map(|&b| char::from(b)));
    probe.push(check);
    IdNumber::parse_as_of(&probe, ymd(2000, 1, 1)).is_ok()
}

/// The codes to draw from.
fn region_pool(args: &Args) -> Result<Vec<[u8; 6]>, String> {
    match args.region {
        Some(code) => {
            let digits = code_digits(code);
            if !args.any_region && Region::lookup(code).is_none() {
                return Err(format!(
                    "--region {code:06}: no such code in the data set \
                     (add --any-region to use it anyway)"
                ));
            }
            if !province_ok(&digits) {
                return Err(format!(
                    "--region {code:06}: {:02} is not a province code",
                    code / 10_000
                ));
            }
            Ok(vec![digits])
        }
        None => {
            let pool: Vec<[u8; 6]> = Region::all()
                .filter(|r| {
                    r.level() == Some(Level::County)
                        && !r.is_placeholder()
                        && r.is_current() == Some(true)
                })
                .map(|r| code_digits(r.code()))
                .filter(province_ok)
                .collect();
            if pool.is_empty() {
                return Err("the data set has no current county-level code".to_owned());
            }
            Ok(pool)
        }
    }
}

/// The inclusive birth-date range, checked and (for `--fifteen`) clamped to 1900–1999.
fn date_range(args: &Args, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), String> {
    let earliest = ymd(1800, 1, 1);
    let from = args.born_from.unwrap_or(ymd(1950, 1, 1));
    let to = args.born_to.unwrap_or(today);
    if from < earliest {
        return Err(format!(
            "--born-from {from}: the earliest birth date is {earliest}"
        ));
    }
    if to > today {
        return Err(format!("--born-to {to}: after today ({today})"));
    }
    if from > to {
        return Err(format!("--born-from {from} is after --born-to {to}"));
    }
    if args.fifteen {
        let (lo, hi) = (ymd(1900, 1, 1), ymd(1999, 12, 31));
        let (from, to) = (from.max(lo), to.min(hi));
        if from > to {
            return Err(format!(
                "--fifteen needs birth dates in 1900–1999, but the range is {} to {}",
                args.born_from.unwrap_or(ymd(1950, 1, 1)),
                args.born_to.unwrap_or(today)
            ));
        }
        return Ok((from, to));
    }
    Ok((from, to))
}

/// SplitMix64: tiny, fast, good enough for synthetic data, and fully determined by its seed.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), without modulo bias (Lemire's method).
    fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

fn clock_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// Writes `n` as `out.len()` ASCII digits.
fn put_digits(out: &mut [u8], mut n: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

pub fn run(args: &Args) -> io::Result<ExitCode> {
    let today = cnid::today();
    let (from, to) = match date_range(args, today) {
        Ok(range) => range,
        Err(msg) => return usage(&msg),
    };
    let pool = match region_pool(args) {
        Ok(pool) => pool,
        Err(msg) => return usage(&msg),
    };
    let mut rng = SplitMix64(args.seed.unwrap_or_else(clock_seed));
    let first_day = from.num_days_from_ce();
    let days = u64::from((to.num_days_from_ce() - first_day) as u32) + 1;

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = (|| -> io::Result<()> {
        // 18 characters + newline; the 15-digit form uses the first 16 bytes of `line`.
        let mut body = [0u8; 17];
        let mut line = [0u8; 19];
        for _ in 0..args.count {
            let code = if pool.len() == 1 {
                &pool[0]
            } else {
                &pool[rng.below(pool.len() as u64) as usize]
            };
            let offset = rng.below(days) as i32;
            let born = NaiveDate::from_num_days_from_ce_opt(first_day + offset)
                .expect("inside the checked range");
            let sequence = match args.sex {
                None => rng.below(1000) as u32,
                Some(Sex::Male) => rng.below(500) as u32 * 2 + 1,
                Some(Sex::Female) => rng.below(500) as u32 * 2,
            };
            body[..6].copy_from_slice(code);
            put_digits(&mut body[6..10], born.year() as u32);
            put_digits(&mut body[10..12], born.month());
            put_digits(&mut body[12..14], born.day());
            put_digits(&mut body[14..17], sequence);
            let len = if args.fifteen {
                line[..6].copy_from_slice(&body[..6]);
                line[6..15].copy_from_slice(&body[8..17]);
                line[15] = b'\n';
                16
            } else {
                line[..17].copy_from_slice(&body);
                line[17] = cnid::check_character(&body).expect("ASCII digits") as u8;
                line[18] = b'\n';
                19
            };
            out.write_all(&line[..len])?;
        }
        out.flush()
    })();
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The reader went away (`| head`): everything it wanted was printed.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e),
    }
}
