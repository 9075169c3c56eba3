//! Many numbers at once, into columns: the kernel behind the Arrow, Polars, DuckDB and
//! Spark fronts, and for Rust users who hold a column of numbers.
//!
//! Numbers are taken [`BLOCK`] at a time. A block is first copied into arrays (one per
//! quantity: bytes 0–7, 8–15 and 6–13 of each number as little-endian words, byte 16 and
//! the check character), then every rule of an 18-character ASCII number — digits, check
//! character, month and day, date range — is computed across the block in one loop
//! with no table look-up and no branch, which the compiler turns into vector
//! instructions. Only then, number by number, the region code is looked up. A number
//! that fails any rule there (a wrong number, 15 digits, white space, full-width digits,
//! an unknown region) is handed to [`Resolver::resolve`], which finds the answer and
//! the reason: the answers are those of `resolve`, number for number.
//!
//! ```
//! use chrono::NaiveDate;
//! use cnid::bulk::{Columns, NO_REGION};
//! use cnid::{Resolver, Sex, Status};
//!
//! let resolver = Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
//! let mut out = Columns::default();
//! cnid::bulk::resolve_into(&resolver, ["110101199001011114", "110101199001011112"], &mut out);
//! assert_eq!(out.status, [Status::AlreadyAtt, Status::WrongIdcard]);
//! assert_eq!(out.born, [19_900_101, 0]);
//! assert_eq!(out.sex, [Some(Sex::Male), None]);
//! let region = cnid::bulk::region(out.region[0]).unwrap();
//! assert_eq!(region.att(), "北京市 东城区 ");
//! assert_eq!(out.region[1], NO_REGION);
//! ```

use alloc::vec::Vec;

use crate::clock;
use crate::id_number::{IdNumber, Sex};
use crate::region::Region;
use crate::resolve::{Resolution, Resolver, Status};

/// How many numbers are checked together. 64 measured best of 16–256 (see
/// `benches/bulk.rs`): large enough for the vector loop, small enough for its arrays to
/// stay in L1.
pub const BLOCK: usize = 64;

/// The region index of a number without a region (anything but `ALREADY_ATT`).
pub const NO_REGION: u32 = u32::MAX;

/// Earliest birth date accepted, packed as `yyyymmdd` (as in `id_number`).
const EARLIEST: u32 = 18_000_101;

/// Answers in columns, one row per number, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// The web API's status.
    pub status: Vec<Status>,
    /// The birth date packed as the number `yyyymmdd` for a valid number (`ALREADY_ATT`
    /// or `NOT_ATT`), 0 otherwise.
    pub born: Vec<u32>,
    /// The sex of a valid number.
    pub sex: Vec<Option<Sex>>,
    /// For `ALREADY_ATT`, the region's index in the built-in table ([`region`]);
    /// [`NO_REGION`] otherwise.
    pub region: Vec<u32>,
}

impl Columns {
    /// Empty columns with room for `n` rows.
    #[must_use]
    pub fn with_capacity(n: usize) -> Columns {
        Columns {
            status: Vec::with_capacity(n),
            born: Vec::with_capacity(n),
            sex: Vec::with_capacity(n),
            region: Vec::with_capacity(n),
        }
    }

    /// The number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.status.len()
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Removes every row, keeping the memory.
    pub fn clear(&mut self) {
        self.status.clear();
        self.born.clear();
        self.sex.clear();
        self.region.clear();
    }

    fn push(&mut self, status: Status, born: u32, sex: Option<Sex>, region: u32) {
        self.status.push(status);
        self.born.push(born);
        self.sex.push(sex);
        self.region.push(region);
    }

    /// Appends the row of one [`Resolver::resolve`] answer.
    fn push_resolution(&mut self, r: &Resolution) {
        let status = r.status();
        let pack =
            |(y, m, d): (u16, u8, u8)| u32::from(y) * 10_000 + u32::from(m) * 100 + u32::from(d);
        // A resident number, or a foreigners' permanent residence ID (which answers with
        // its own birth date and sex, and its issuing province as the region).
        let (born, sex) = match (r.number(), r.foreign_permanent()) {
            (Some(n), _) if status.is_valid() => (pack(n.birth_ymd()), Some(n.sex())),
            (None, Some(f)) if status.is_valid() => (pack(f.birth_ymd()), Some(f.sex())),
            _ => (0, None),
        };
        let region = match (status, r.number(), r.region()) {
            (Status::AlreadyAtt, Some(n), _) => region_index(n),
            (Status::AlreadyAtt, None, Some(region)) => {
                let code = region.code();
                Region::index_of_parts((code / 100) as u16, (code % 100) as u8)
                    .map_or(NO_REGION, |i| i as u32)
            }
            _ => NO_REGION,
        };
        self.push(status, born, sex, region);
    }
}

/// The table index of a parsed number's region code, or [`NO_REGION`].
fn region_index(n: &IdNumber) -> u32 {
    let (prefix, last) = n.region_parts();
    Region::index_of_parts(prefix, last).map_or(NO_REGION, |i| i as u32)
}

/// The region at `index` of the built-in table (an index from [`Columns::region`]);
/// `None` for [`NO_REGION`] or an index past [`crate::CODE_COUNT`]. Indices follow
/// [`Region::all`]'s order.
#[must_use]
pub fn region(index: u32) -> Option<Region> {
    Region::from_index(usize::try_from(index).ok()?)
}

/// Resolves every number of `inputs` and appends one row per number to `out`, answering
/// as [`Resolver::resolve`] does.
///
/// With the system date as "today", the clock is read once per call; a birth date after
/// that day goes to `resolve`, which reads the clock again.
pub fn resolve_into<'a, I>(resolver: &Resolver, inputs: I, out: &mut Columns)
where
    I: IntoIterator<Item = &'a str>,
{
    each_block(resolver, inputs, |block| block.finish(resolver, out));
}

/// Just the statuses of `inputs`, appended to `out`: [`resolve_into`] without the other
/// columns.
pub fn statuses_into<'a, I>(resolver: &Resolver, inputs: I, out: &mut Vec<Status>)
where
    I: IntoIterator<Item = &'a str>,
{
    each_block(resolver, inputs, |block| {
        for i in 0..block.len {
            let status = match block.fast_region(i) {
                Some(_) => Status::AlreadyAtt,
                None if block.wrong[i] => Status::WrongIdcard,
                None => resolver.resolve(block.input[i]).status(),
            };
            out.push(status);
        }
    });
}

/// Loads `inputs` block by block, applies the rules, and hands each block to `each`.
#[inline(always)]
fn each_block<'a, I>(resolver: &Resolver, inputs: I, mut each: impl FnMut(&Block<'a>))
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = latest_birth(resolver);
    let mut inputs = inputs.into_iter();
    let mut block = Block::new();
    loop {
        let n = block.load(&mut inputs);
        if n == 0 {
            break;
        }
        block.rules(limit);
        each(&block);
        if n < BLOCK {
            break;
        }
    }
}

/// The latest birth date the block rules accept, packed: the resolver's "today", or the
/// system date read now. A later date goes to `resolve`, which decides.
fn latest_birth(resolver: &Resolver) -> u32 {
    match resolver.today() {
        Some(d) => clock::pack(d),
        #[cfg(feature = "std")]
        None => clock::pack(crate::today()),
        // Without `std` every resolver has a fixed "today"; 0 would only mean slower.
        #[cfg(not(feature = "std"))]
        None => 0,
    }
}

/// One block of numbers as arrays of words (structure of arrays), and the results of the
/// rules.
struct Block<'a> {
    len: usize,
    input: [&'a str; BLOCK],
    /// Bytes 0–15 of an 18-byte input as four little-endian u32 words, and bytes 6–13
    /// (the birth date) as two; 0 (not digits: fails) for any other length. Words of 32
    /// bits: four lanes to a 128-bit vector, and no 64-bit multiplication (which SSE2
    /// lacks).
    words: [[u32; BLOCK]; 6],
    /// Byte 16 and the check character (byte 17).
    b16: [u8; BLOCK],
    last: [u8; BLOCK],
    /// Results: every rule but the province and region held; the packed birth date.
    ok: [bool; BLOCK],
    /// Result: 17 ASCII digits and a check character, but a rule that does not depend on
    /// "today" failed (check character, calendar date, before 1800): `WRONG_IDCARD` for
    /// sure, as the slow path would find, without asking it for the reason.
    wrong: [bool; BLOCK],
    packed: [u32; BLOCK],
}

impl<'a> Block<'a> {
    fn new() -> Block<'a> {
        Block {
            len: 0,
            input: [""; BLOCK],
            words: [[0; BLOCK]; 6],
            b16: [0; BLOCK],
            last: [0; BLOCK],
            ok: [false; BLOCK],
            wrong: [false; BLOCK],
            packed: [0; BLOCK],
        }
    }

    /// Takes up to [`BLOCK`] numbers from `inputs`; returns how many.
    #[inline]
    fn load(&mut self, inputs: &mut impl Iterator<Item = &'a str>) -> usize {
        let mut n = 0;
        for s in inputs.by_ref().take(BLOCK) {
            self.input[n] = s;
            match <&[u8; 18]>::try_from(s.as_bytes()) {
                Ok(raw) => {
                    for (w, at) in self.words.iter_mut().zip([0, 4, 8, 12, 6, 10]) {
                        w[n] = u32::from_le_bytes(raw[at..at + 4].try_into().expect("4 bytes"));
                    }
                    self.b16[n] = raw[16];
                    self.last[n] = raw[17];
                }
                Err(_) => {
                    for w in &mut self.words {
                        w[n] = 0;
                    }
                    self.b16[n] = 0;
                    self.last[n] = 0;
                }
            }
            n += 1;
        }
        self.len = n;
        n
    }

    /// Every rule but the province and region, across the whole block: straight-line
    /// arithmetic over the arrays (no table, no branch, no 64-bit multiplication, which
    /// SSE2 lacks), so that the loop vectorizes. Rows past `len` hold stale words; their
    /// results are never read.
    #[inline(never)]
    fn rules(&mut self, limit: u32) {
        for i in 0..BLOCK {
            let w = &self.words;
            let (a, b, c, d, e, f) = (w[0][i], w[1][i], w[2][i], w[3][i], w[4][i], w[5][i]);
            let digit17 = u32::from(self.b16[i].wrapping_sub(b'0'));
            let last = u32::from(self.last[i]);
            let last = if last == u32::from(b'x') {
                u32::from(b'X')
            } else {
                last
            };
            let digits_ok = all_digits(a) & all_digits(b) & all_digits(c) & all_digits(d);
            let digits_ok = digits_ok & (digit17 <= 9);
            let sum = (binary4(a) << 14)
                + (binary4(b) << 10)
                + (binary4(c) << 6)
                + (binary4(d) << 2)
                + (digit17 << 1);
            let expected = check_char(sum);
            let (century, yy) = (pairs4(e) & 0xff, pairs4(e) >> 16);
            let (month, day) = (pairs4(f) & 0xff, pairs4(f) >> 16);
            let leap = (yy & 3 == 0) & ((yy != 0) | (century & 3 == 0));
            // 31 days in months 1, 3, 5, 7, 8, 10, 12: the low bit of m ^ (m >> 3).
            let long = (month ^ (month >> 3)) & 1;
            let days = if month == 2 {
                28 + u32::from(leap)
            } else {
                30 + long
            };
            let date_ok = (month.wrapping_sub(1) < 12) & (day.wrapping_sub(1) < days);
            let packed = (century * 100 + yy) * 10_000 + month * 100 + day;
            let fixed_rules = (expected == last) & date_ok & (packed >= EARLIEST);
            self.ok[i] = digits_ok & fixed_rules & (packed <= limit);
            let last_ok = (last.wrapping_sub(u32::from(b'0')) <= 9) | (last == u32::from(b'X'));
            self.wrong[i] = digits_ok & last_ok & !fixed_rules;
            self.packed[i] = packed;
        }
    }

    /// For a number that passed [`Block::rules`], its region's table index, if the table
    /// has the code; `None` sends the number to [`Resolver::resolve`]. Every code in the
    /// table has a valid province (tested), so a known code needs no province check.
    #[inline]
    fn fast_region(&self, i: usize) -> Option<usize> {
        if !self.ok[i] {
            return None;
        }
        let (ab, cd) = (pairs4(self.words[0][i]), pairs4(self.words[1][i]));
        let prefix = (ab & 0xff) as u16 * 100 + (ab >> 16) as u16;
        Region::index_of_parts(prefix, (cd & 0xff) as u8)
    }

    /// Appends the block's rows to `out`.
    #[inline]
    fn finish(&self, resolver: &Resolver, out: &mut Columns) {
        for i in 0..self.len {
            match self.fast_region(i) {
                Some(index) => {
                    let sex = if self.b16[i] & 1 == 1 {
                        Sex::Male
                    } else {
                        Sex::Female
                    };
                    out.push(Status::AlreadyAtt, self.packed[i], Some(sex), index as u32);
                }
                None if self.wrong[i] => out.push(Status::WrongIdcard, 0, None, NO_REGION),
                None => out.push_resolution(&resolver.resolve(self.input[i])),
            }
        }
    }
}

/// Whether all four bytes are ASCII digits: high nibble 3, and low nibble at most 9.
#[inline(always)]
fn all_digits(x: u32) -> bool {
    const HIGH: u32 = 0xf0f0_f0f0;
    const THREE: u32 = 0x3030_3030;
    (x & HIGH == THREE) & (x.wrapping_add(0x0606_0606) & HIGH == THREE)
}

/// Four ASCII digits a, b, c, d (a first) to the pairs ab in bits 0–7 and cd in bits
/// 16–23. Non-digits give garbage below 256 in each.
#[inline(always)]
fn pairs4(x: u32) -> u32 {
    let d = x.wrapping_sub(0x3030_3030);
    (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff
}

/// Four ASCII digits a, b, c, d to 8a + 4b + 2c + d (at most 135) with shifts and adds:
/// 2a + b and 2c + d in bytes 0 and 2, then the two pairs.
///
/// Since the ISO 7064 weights are 2^(18 − position) mod 11, the sum of these over the
/// four words, shifted to their positions, is the weighted sum modulo 11 — and takes no
/// multiplication, so it vectorizes on any x86-64.
#[inline(always)]
fn binary4(x: u32) -> u32 {
    let d = x.wrapping_sub(0x3030_3030);
    let q = ((d << 1).wrapping_add(d >> 8)) & 0x00ff_00ff;
    ((q << 2).wrapping_add(q >> 16)) & 0xffff
}

/// The check character of a sum congruent to the weighted sum, by arithmetic rather than a table (a
/// table look-up would stop the loop from vectorizing): the value is (12 − sum mod 11)
/// mod 11, and 10 is written `X`.
#[inline(always)]
fn check_char(sum: u32) -> u32 {
    let v = (12 - sum % 11) % 11;
    if v == 10 {
        u32::from(b'X')
    } else {
        u32::from(b'0') + v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_digit;

    #[test]
    fn check_char_matches_the_table() {
        for body in [
            *b"11010519491231002",
            *b"11010119900101111",
            *b"44030519900307123",
        ] {
            let word = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap());
            let sum = (binary4(word(0)) << 14)
                + (binary4(word(4)) << 10)
                + (binary4(word(8)) << 6)
                + (binary4(word(12)) << 2)
                + (u32::from(body[16] - b'0') << 1);
            let exact: u32 = body
                .iter()
                .enumerate()
                .map(|(i, d)| u32::from(d - b'0') << (17 - i))
                .sum();
            assert_eq!(sum, exact);
            assert_eq!(check_char(sum), u32::from(check_digit::compute(&body)));
        }
        for sum in 0..200 {
            let v = b"10X98765432"[(sum % 11) as usize];
            assert_eq!(check_char(sum), u32::from(v), "{sum}");
        }
    }
}
