//! Side-by-side comparison of `cnid` with the other Rust crates for Chinese
//! resident ID numbers, in one run and on the same generated numbers.
//!
//! Run from this directory: `cargo run --release` (options: `--count N`,
//! `--rounds N`, `--seed N`). Markdown goes to stdout, progress to stderr.
//!
//! All numbers are synthetic (random sequence codes on a few dozen well-known
//! region codes); none belongs to a real person.

use std::hint::black_box;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Deterministic generator (splitmix64; no `rand` dependency).
// ---------------------------------------------------------------------------

struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (Lemire's multiply-shift; bias is negligible here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// County-level codes in use today.
const CURRENT_REGIONS: &[&str] = &[
    "110101", "110102", "110105", "110108", "120101", "120104", "130102", "130104", "130181",
    "140105", "150102", "210102", "210203", "220102", "230102", "310101", "310104", "310115",
    "320102", "320583", "330106", "330203", "340104", "350203", "360102", "370102", "370212",
    "410105", "420106", "420107", "420606", "430104", "440106", "440303", "440305", "440307",
    "450103", "460106", "500101", "500103", "510104", "510107", "520102", "530102", "540102",
    "610113", "620102", "630102", "640104", "650102",
];

/// County-level codes that have been abolished but still appear on the
/// numbers of people registered there (崇文 and 宣武 2010, 卢湾 2011, 闸北 2015,
/// 胶南 2012, 武胜 (old 南充地区 code) 1993, 新浦 2014, 下城 2021).
const ABOLISHED_REGIONS: &[&str] = &[
    "110103", "110104", "310103", "310108", "370284", "512928", "320705", "330103",
];

/// Codes that never existed: unknown province, or unknown county in a known province.
const UNKNOWN_REGIONS: &[&str] = &[
    "000101", "190101", "270101", "490101", "680101", "990101", "110199", "310199", "440399",
    "330199", "510199", "420199",
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// ISO 7064 MOD 11-2 check character of a 17-digit body.
fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn random_date(rng: &mut SplitMix64, from_year: i64, to_year: i64) -> (i64, i64, i64) {
    let lo = days_from_civil(from_year, 1, 1);
    let hi = days_from_civil(to_year, 12, 31);
    civil_from_days(lo + rng.below((hi - lo + 1) as u64) as i64)
}

/// A calendar-impossible (year, month, day); the year is a plausible one.
fn impossible_date(rng: &mut SplitMix64) -> (i64, i64, i64) {
    let y = 1930 + rng.below(91) as i64;
    match rng.below(6) {
        0 => (y, 2, 30),
        1 => {
            // 29 February of a non-leap year
            let mut y = y;
            while is_leap(y) {
                y += 1;
            }
            (y, 2, 29)
        }
        2 => (y, *rng.pick(&[4, 6, 9, 11]), 31),
        3 => (
            y,
            if rng.below(2) == 0 { 0 } else { 13 },
            1 + rng.below(28) as i64,
        ),
        4 => (y, 1 + rng.below(12) as i64, 0),
        _ => (y, 1 + rng.below(12) as i64, 32),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Valid,
    ValidAbolished,
    ValidLowerX,
    Valid15,
    WrongCheck,
    BadDate,
    FutureDate,
    WrongLength,
    UnknownRegion,
}

const KINDS: [Kind; 9] = [
    Kind::Valid,
    Kind::ValidAbolished,
    Kind::ValidLowerX,
    Kind::Valid15,
    Kind::WrongCheck,
    Kind::BadDate,
    Kind::FutureDate,
    Kind::WrongLength,
    Kind::UnknownRegion,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Valid => "valid, current region",
            Kind::ValidAbolished => "valid, abolished region",
            Kind::ValidLowerX => "valid, lowercase x",
            Kind::Valid15 => "valid 15-digit",
            Kind::WrongCheck => "wrong check char",
            Kind::BadDate => "impossible date",
            Kind::FutureDate => "future date (2030+)",
            Kind::WrongLength => "wrong length (17/19)",
            Kind::UnknownRegion => "unknown region",
        }
    }
    fn should_accept(self) -> bool {
        matches!(
            self,
            Kind::Valid | Kind::ValidAbolished | Kind::ValidLowerX | Kind::Valid15
        )
    }
}

fn body17(region: &str, (y, m, d): (i64, i64, i64), seq: u64) -> String {
    let mut s = String::with_capacity(19);
    s.push_str(region);
    s.push_str(&format!("{y:04}{m:02}{d:02}{seq:03}"));
    s
}

fn with_check(mut body: String) -> String {
    let c = check_char(body.as_bytes());
    body.push(c as char);
    body
}

fn region_for_valid(rng: &mut SplitMix64) -> (&'static str, bool) {
    let n = (CURRENT_REGIONS.len() + ABOLISHED_REGIONS.len()) as u64;
    let i = rng.below(n) as usize;
    if i < CURRENT_REGIONS.len() {
        (CURRENT_REGIONS[i], false)
    } else {
        (ABOLISHED_REGIONS[i - CURRENT_REGIONS.len()], true)
    }
}

/// Mix, per 1,000 numbers: 880 valid 18-digit (regions uniform over 50 current
/// and 8 abolished codes, births 1930-2020), 5 valid with a lowercase `x`,
/// 10 valid 15-digit (births 1930-1989), and 105 invalid: 40 wrong check
/// char, 25 impossible date, 10 birth date in 2030-2099, 20 wrong length,
/// 10 never-existing region code (the last three with a correct check char).
fn generate(count: usize, seed: u64) -> (Vec<String>, Vec<Kind>) {
    let mut rng = SplitMix64(seed);
    let mut numbers = Vec::with_capacity(count);
    let mut kinds = Vec::with_capacity(count);
    for _ in 0..count {
        let r = rng.below(1000);
        let seq = rng.below(1000);
        let (kind, number) = match r {
            0..=879 => {
                let (region, abolished) = region_for_valid(&mut rng);
                let date = random_date(&mut rng, 1930, 2020);
                let kind = if abolished {
                    Kind::ValidAbolished
                } else {
                    Kind::Valid
                };
                (kind, with_check(body17(region, date, seq)))
            }
            880..=884 => {
                // Draw until the check character is X, then write it in lowercase.
                loop {
                    let (region, _) = region_for_valid(&mut rng);
                    let date = random_date(&mut rng, 1930, 2020);
                    let seq = rng.below(1000);
                    let s = with_check(body17(region, date, seq));
                    if s.ends_with('X') {
                        break (Kind::ValidLowerX, s.to_ascii_lowercase());
                    }
                }
            }
            885..=894 => {
                let (region, _) = region_for_valid(&mut rng);
                let (y, m, d) = random_date(&mut rng, 1930, 1989);
                (
                    Kind::Valid15,
                    format!("{region}{:02}{m:02}{d:02}{seq:03}", y % 100),
                )
            }
            895..=934 => {
                let (region, _) = region_for_valid(&mut rng);
                let date = random_date(&mut rng, 1930, 2020);
                let mut s = body17(region, date, seq);
                let right = check_char(s.as_bytes());
                let wrong = loop {
                    let c = *rng.pick(b"0123456789X");
                    if c != right {
                        break c;
                    }
                };
                s.push(wrong as char);
                (Kind::WrongCheck, s)
            }
            935..=959 => {
                let (region, _) = region_for_valid(&mut rng);
                let date = impossible_date(&mut rng);
                (Kind::BadDate, with_check(body17(region, date, seq)))
            }
            960..=969 => {
                let (region, _) = region_for_valid(&mut rng);
                let date = random_date(&mut rng, 2030, 2099);
                (Kind::FutureDate, with_check(body17(region, date, seq)))
            }
            970..=989 => {
                let (region, _) = region_for_valid(&mut rng);
                let date = random_date(&mut rng, 1930, 2020);
                let mut s = with_check(body17(region, date, seq));
                if rng.below(2) == 0 {
                    s.pop(); // check char forgotten
                } else {
                    s.push((b'0' + rng.below(10) as u8) as char); // one keystroke too many
                }
                (Kind::WrongLength, s)
            }
            _ => {
                let region = *rng.pick(UNKNOWN_REGIONS);
                let date = random_date(&mut rng, 1930, 2020);
                (Kind::UnknownRegion, with_check(body17(region, date, seq)))
            }
        };
        numbers.push(number);
        kinds.push(kind);
    }
    (numbers, kinds)
}

// ---------------------------------------------------------------------------
// The functions measured. Each returns ACCEPTED (| REGION when the crate
// resolved a region name); every extracted value goes through black_box.
// ---------------------------------------------------------------------------

const ACCEPTED: u8 = 1;
const REGION: u8 = 2;

mod cases {
    use super::{black_box, ACCEPTED, REGION};

    // ---- cnid ----
    /// Built once; takes "today" from the system clock (cached inside cnid).
    static RESOLVER: cnid::Resolver = cnid::Resolver::new();

    pub fn cnid_resolve(s: &str) -> u8 {
        let r = RESOLVER.resolve(s);
        let status = r.status();
        if !status.is_valid() {
            return 0; // WRONG_IDCARD (WAIT_PROCESS is never produced offline)
        }
        black_box(status);
        if let Some(n) = r.number() {
            black_box(n.birth_ymd());
            black_box(n.sex());
        }
        match r.region() {
            Some(region) => {
                black_box(region.name());
                ACCEPTED | REGION
            }
            None => ACCEPTED,
        }
    }

    /// The same with the birth date as a `chrono::NaiveDate`.
    pub fn cnid_resolve_naive_date(s: &str) -> u8 {
        let r = RESOLVER.resolve(s);
        let status = r.status();
        if !status.is_valid() {
            return 0;
        }
        black_box(status);
        if let Some(n) = r.number() {
            black_box(n.birth_date());
            black_box(n.sex());
        }
        match r.region() {
            Some(region) => {
                black_box(region.name());
                ACCEPTED | REGION
            }
            None => ACCEPTED,
        }
    }

    pub fn cnid_parse(s: &str) -> u8 {
        match cnid::IdNumber::parse(s) {
            Ok(n) => {
                black_box(n.birth_date());
                black_box(n.sex());
                ACCEPTED
            }
            Err(e) => {
                black_box(e);
                0
            }
        }
    }

    pub fn cnid_check_only(s: &str) -> u8 {
        let b = s.as_bytes();
        if b.len() != 18 {
            return 0;
        }
        let body: &[u8; 17] = b[..17].try_into().unwrap();
        match cnid::check_character(body) {
            Some(c) if c as u32 == u32::from(b[17]) => ACCEPTED,
            _ => 0,
        }
    }

    // ---- idcard 0.3 ----
    pub fn idcard_identity(s: &str) -> u8 {
        let id = idcard::Identity::new(s);
        if !id.is_valid() {
            return 0;
        }
        // year()/month()/day() rather than birth_date(), which formats a String.
        black_box((id.year(), id.month(), id.day()));
        black_box(id.gender());
        match id.region() {
            Some(name) => {
                black_box(name);
                ACCEPTED | REGION
            }
            None => ACCEPTED,
        }
    }

    pub fn idcard_validate(s: &str) -> u8 {
        idcard::validate(s) as u8
    }

    // ---- china-citizen-id 0.0.1 ----
    pub fn ccid_parse(s: &str) -> u8 {
        let parsed = match s.len() {
            18 => china_citizen_id::parse_v2(s),
            15 => china_citizen_id::parse_v1(s),
            _ => return 0,
        };
        match parsed {
            Ok(p) => {
                black_box(p.birthday_ymd());
                black_box(p.sex());
                let region = p.region();
                black_box(region);
                if region.district.is_some() {
                    ACCEPTED | REGION
                } else {
                    ACCEPTED
                }
            }
            Err(e) => {
                black_box(e);
                0
            }
        }
    }

    // ---- id-validator 0.2 ----
    pub fn idv_get_info(s: &str) -> u8 {
        match id_validator::get_info(s) {
            Some(info) => {
                black_box(&info.date);
                black_box(&info.region);
                if info.region != "未知" {
                    ACCEPTED | REGION
                } else {
                    ACCEPTED
                }
            }
            None => 0,
        }
    }

    pub fn idv_is_valid(s: &str) -> u8 {
        id_validator::is_valid(s) as u8
    }

    // ---- id-card 0.1 ----
    pub fn id_card_validate(s: &str) -> u8 {
        id_card::validate(s) as u8
    }

    // ---- cn-id-card 0.1 ----
    pub fn cn_id_card_region(s: &str) -> u8 {
        cn_id_card::validate(s, true) as u8
    }

    pub fn cn_id_card_no_region(s: &str) -> u8 {
        cn_id_card::validate(s, false) as u8
    }
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

type Timed = fn(&[String], bool) -> (usize, Duration);

struct Case {
    krate: &'static str,
    version: &'static str,
    function: &'static str,
    checks: &'static str,
    full_info: bool,
    has_region: bool,
    probe: fn(&str) -> u8,
    timed: Timed,
}

/// The timed loop, monomorphised for each function so it can be inlined.
/// `guarded` wraps every call in catch_unwind; it is only switched on for a
/// function that panicked on some of these inputs (panics are then counted
/// in its time, as a caller would pay for them).
#[inline(always)]
fn time_loop<F: Fn(&str) -> u8>(inputs: &[String], f: F, guarded: bool) -> (usize, Duration) {
    let mut accepted = 0usize;
    let start = Instant::now();
    if guarded {
        for s in inputs {
            let r = panic::catch_unwind(AssertUnwindSafe(|| f(black_box(s.as_str()))));
            accepted += usize::from(black_box(r.unwrap_or(0)) & ACCEPTED);
        }
    } else {
        for s in inputs {
            accepted += usize::from(black_box(f(black_box(s.as_str()))) & ACCEPTED);
        }
    }
    let elapsed = start.elapsed();
    (black_box(accepted), elapsed)
}

macro_rules! case {
    ($krate:expr, $version:expr, $function:expr, $checks:expr, full=$full:expr, region=$region:expr, $f:path) => {
        Case {
            krate: $krate,
            version: $version,
            function: $function,
            checks: $checks,
            full_info: $full,
            has_region: $region,
            probe: $f,
            timed: |inputs, guarded| time_loop(inputs, $f, guarded),
        }
    };
}

fn all_cases() -> Vec<Case> {
    vec![
        case!("cnid", env!("CNID_VERSION"), "`Resolver::resolve(s)` + `.status()`, `.number()` → `.birth_ymd()`, `.sex()`, `.region()` → `.name()`",
            "trims; 15 or 18 chars (x/X, full-width OK); province; date 1800-01-01..=today; check char; region looked up (GB/T 2260 1980-2026, abolished codes too; unknown → valid, `NOT_ATT`)",
            full = true, region = true, cases::cnid_resolve),
        case!("cnid", env!("CNID_VERSION"), "as above, birth date as `chrono::NaiveDate` (`.birth_date()`)",
            "as above",
            full = true, region = true, cases::cnid_resolve_naive_date),
        case!("cnid", env!("CNID_VERSION"), "`cnid::IdNumber::parse(s)` + `.birth_date()`, `.sex()`",
            "as above, no region lookup",
            full = false, region = false, cases::cnid_parse),
        case!("cnid", env!("CNID_VERSION"), "`cnid::check_character(&body17)` == 18th char",
            "check char only (length 18)",
            full = false, region = false, cases::cnid_check_only),
        case!("idcard", "0.3.0", "`idcard::Identity::new(s)` + `.is_valid()`, `.year()`/`.month()`/`.day()`, `.gender()`, `.region()`",
            "trims, uppercases; 18: chrono date + check char, **no province or region check**, no future-date check; 15: upgraded with a date check only; region name from a current-only table",
            full = true, region = true, cases::idcard_identity),
        case!("idcard", "0.3.0", "`idcard::validate(s)`",
            "as above, except that 15-digit numbers also get a province check",
            full = false, region = false, cases::idcard_validate),
        case!("china-citizen-id", "0.0.1", "`parse_v2(s)` (len 18) / `parse_v1(s)` (len 15) + `.birthday_ymd()`, `.sex()`, `.region()`",
            "18: digits, check char (`X` only), date with year 1801-2199; 15: date; **no province or region check**; region named from the table of the birth year, which exists only for 1980-2022",
            full = true, region = true, cases::ccid_parse),
        case!("id-validator", "0.2.3", "`id_validator::get_info(s)` (date + region; no sex)",
            "18 bytes: chrono date + check char (`X` only; non-digits in the body are skipped, not rejected); **no province or region check**; region name from an older table; `get_info` slices before validating",
            full = true, region = true, cases::idv_get_info),
        case!("id-validator", "0.2.3", "`id_validator::is_valid(s)`",
            "as above (no allocation, no region)",
            full = false, region = false, cases::idv_is_valid),
        case!("id-card", "0.1.4", "`id_card::validate(s)` (no info API)",
            "18 only: digits, county code in a historical list (5,893 codes), chrono date, check char (x/X); no future-date check",
            full = false, region = false, cases::id_card_validate),
        case!("cn-id-card", "0.1.8", "`cn_id_card::validate(s, true)` (no info API)",
            "**unanchored** regex (18 or more chars), region code (6,336 codes incl. historical), chrono date, check char compared with the *last* char (x/X); no future-date check",
            full = false, region = false, cases::cn_id_card_region),
        case!("cn-id-card", "0.1.8", "`cn_id_card::validate(s, false)`",
            "as above, no region check",
            full = false, region = false, cases::cn_id_card_no_region),
    ]
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string payload)".to_string()
        };
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        *LAST_PANIC.lock().unwrap() = Some(format!("{msg}{at}"));
    }));
}

/// Runs `f` under catch_unwind: Some(code) or None if it panicked.
fn try_probe(f: fn(&str) -> u8, s: &str) -> Option<u8> {
    panic::catch_unwind(|| f(s)).ok()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("bad value for {name}"))
        })
        .unwrap_or(default)
}

/// Odd inputs, not part of the timed set: who accepts, who rejects, who panics.
fn edge_inputs() -> Vec<(&'static str, String)> {
    let valid = "11010519491231002X".to_string();
    vec![
        ("valid (GB 11643 example)", valid.clone()),
        ("lowercase x", valid.to_ascii_lowercase()),
        ("surrounding spaces", format!(" {valid} ")),
        ("trailing space", format!("{valid} ")),
        (
            "letter in the body (A for 0)",
            "11A10519491231002X".to_string(),
        ),
        ("19 chars: valid + extra X", format!("{valid}X")),
        ("36 chars: valid twice", format!("{valid}{valid}")),
        ("prefix text: `ID:` + valid", format!("ID:{valid}")),
        ("wrong check char", "110105194912310020".to_string()),
        ("15-digit, valid", "110105491231002".to_string()),
        ("15-digit, province 99", "990105491231002".to_string()),
        ("29 Feb 1949", with_check("11010519490229001".to_string())),
        (
            "born 2099-01-01",
            with_check("11010520990101001".to_string()),
        ),
        (
            "born 1800-01-01",
            with_check("11010518000101001".to_string()),
        ),
        ("province 99", with_check("99010119900101001".to_string())),
        ("region 000000", with_check("00000019900101001".to_string())),
        ("all zeros", "000000000000000000".to_string()),
        ("17 ASCII + é (18 bytes)", "1101051949123100é".to_string()),
        ("六个汉字 (18 bytes)", "一二三四五六".to_string()),
        (
            "full-width digits",
            "１１０１０５１９４９１２３１００２Ｘ".to_string(),
        ),
        ("empty", String::new()),
    ]
}

fn main() {
    let count = arg("--count", 1_000_000) as usize;
    let rounds = arg("--rounds", 7).max(1) as usize;
    let seed = arg("--seed", 0x1164_3199);
    // `--only a,b`: keep the rows whose crate name is one of these (cnid's `resolve`
    // row always stays first: it is the base of the ratios).
    let only: Option<Vec<String>> = {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1))
            .map(|v| v.split(',').map(str::to_string).collect())
    };
    let cases: Vec<Case> = all_cases()
        .into_iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || only.as_ref().is_none_or(|o| o.iter().any(|k| k == c.krate)))
        .map(|(_, c)| c)
        .collect();
    quiet_panics();

    // First call of each function, before anything else touched the crate:
    // includes lazy initialisation of its tables (later rows of the same
    // crate may find them already built).
    let warm_input = "11010519491231002X";
    let first_call: Vec<Duration> = cases
        .iter()
        .map(|c| {
            let t = Instant::now();
            black_box(try_probe(c.probe, black_box(warm_input)));
            t.elapsed()
        })
        .collect();

    eprintln!("generating {count} numbers (seed {seed:#x}) ...");
    let t = Instant::now();
    let (numbers, kinds) = generate(count, seed);
    eprintln!("  done in {:.2?}", t.elapsed());

    // Sanity: our check characters agree with cnid's.
    for (n, k) in numbers.iter().zip(&kinds).take(10_000) {
        if matches!(k, Kind::Valid | Kind::ValidAbolished) {
            let body: &[u8; 17] = n.as_bytes()[..17].try_into().unwrap();
            assert_eq!(
                cnid::check_character(body),
                Some(n.as_bytes()[17] as char),
                "check char of {n}"
            );
        }
    }

    // Behaviour pass (untimed; also the warm-up): accepted per kind, regions, panics.
    let mut kind_totals = [0usize; KINDS.len()];
    for k in &kinds {
        kind_totals[KINDS.iter().position(|x| x == k).unwrap()] += 1;
    }
    struct Behaviour {
        per_kind: [usize; KINDS.len()],
        accepted: usize,
        region: usize,
        panics: usize,
        panic_example: Option<(String, String)>,
    }
    let mut behaviour = Vec::new();
    for c in &cases {
        eprintln!("behaviour pass: {} {}", c.krate, c.function);
        let mut b = Behaviour {
            per_kind: [0; KINDS.len()],
            accepted: 0,
            region: 0,
            panics: 0,
            panic_example: None,
        };
        for (n, k) in numbers.iter().zip(&kinds) {
            match try_probe(c.probe, n) {
                Some(code) => {
                    if code & ACCEPTED != 0 {
                        b.accepted += 1;
                        b.per_kind[KINDS.iter().position(|x| x == k).unwrap()] += 1;
                    }
                    if code & REGION != 0 {
                        b.region += 1;
                    }
                }
                None => {
                    b.panics += 1;
                    if b.panic_example.is_none() {
                        let msg = LAST_PANIC.lock().unwrap().clone().unwrap_or_default();
                        b.panic_example = Some((n.clone(), msg));
                    }
                }
            }
        }
        behaviour.push(b);
    }

    // Timed rounds, interleaved round-robin so all functions share the noise.
    let mut ns_per: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for (i, c) in cases.iter().enumerate() {
            let (accepted, elapsed) = (c.timed)(&numbers, behaviour[i].panics > 0);
            assert_eq!(
                accepted, behaviour[i].accepted,
                "{} {} is not deterministic",
                c.krate, c.function
            );
            ns_per[i].push(elapsed.as_nanos() as f64 / count as f64);
        }
    }
    let medians: Vec<f64> = ns_per.iter_mut().map(|v| median(v)).collect();
    let mins: Vec<f64> = ns_per
        .iter()
        .map(|v| v.iter().cloned().fold(f64::INFINITY, f64::min))
        .collect();
    let base = medians[0];

    // ---- Output ----
    let should = kinds.iter().filter(|k| k.should_accept()).count();
    println!(
        "{} synthetic numbers (seed {seed:#x}), {} of them valid; {rounds} interleaved rounds; \
         rustc release, fat LTO, codegen-units 1.\n",
        fmt_count(count),
        fmt_count(should)
    );
    println!("| crate | version | function(s) timed | what it checks | accepted | median ns/number | min ns/number | median × cnid `resolve` | first call |");
    println!("|---|---|---|---|---:|---:|---:|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        let panics = if behaviour[i].panics > 0 {
            format!(" ({} panics)", fmt_count(behaviour[i].panics))
        } else {
            String::new()
        };
        let kind = if c.full_info {
            ""
        } else {
            " *(validate only)*"
        };
        println!(
            "| {} | {} | {}{} | {} | {}{} | {:.1} | {:.1} | {:.2} | {:.1?} |",
            c.krate,
            c.version,
            c.function,
            kind,
            c.checks,
            fmt_count(behaviour[i].accepted),
            panics,
            medians[i],
            mins[i],
            medians[i] / base,
            first_call[i],
        );
    }

    println!("\nAccepted, by kind of input (column header: how many of the {} numbers are of that kind):\n", fmt_count(count));
    print!("| crate: function |");
    for (k, total) in KINDS.iter().zip(kind_totals) {
        print!(" {} ({}) |", k.label(), fmt_count(total));
    }
    println!(" region name found | panics |");
    print!("|---|");
    for _ in KINDS {
        print!("---:|");
    }
    println!("---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        let name = c.function.split('`').nth(1).unwrap_or(c.function);
        print!("| {}: `{}` |", c.krate, name);
        for n in behaviour[i].per_kind {
            print!(" {} |", fmt_count(n));
        }
        let region = if c.has_region {
            fmt_count(behaviour[i].region)
        } else {
            "—".to_string()
        };
        println!(" {} | {} |", region, fmt_count(behaviour[i].panics));
    }
    for (i, c) in cases.iter().enumerate() {
        if let Some((input, msg)) = &behaviour[i].panic_example {
            println!(
                "\n{} `{}` panicked {} times, e.g. on `{input}`: {msg}",
                c.krate,
                c.function.split('`').nth(1).unwrap_or(""),
                behaviour[i].panics
            );
        }
    }

    println!("\nOdd inputs (not in the timed set): ✓ accepted, · rejected, 💥 panicked\n");
    print!("| input |");
    for c in &cases {
        print!(
            " {}: `{}` |",
            c.krate,
            c.function.split('`').nth(1).unwrap_or(c.function)
        );
    }
    println!();
    print!("|---|");
    for _ in &cases {
        print!(":-:|");
    }
    println!();
    for (label, input) in edge_inputs() {
        print!("| {label}: `{}` |", input.replace('|', "\\|"));
        for c in &cases {
            let mark = match try_probe(c.probe, &input) {
                Some(code) if code & ACCEPTED != 0 => "✓",
                Some(_) => "·",
                None => "💥",
            };
            print!(" {mark} |");
        }
        println!();
    }
}
