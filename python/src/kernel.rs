//! The Arrow kernel: a string array in, the web API's fields out as a struct array, with
//! `cnid::bulk` doing the resolving. No Python here (tested from Rust in
//! `tests/kernel.rs`).

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    make_view, ArrayBuilder, LargeStringBuilder, StringBuilder, StringViewBuilder,
};
use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int32Array, Int8Array, LargeStringArray, StringArray,
    StringViewArray, StructArray, UInt32Array, UInt8Array,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields};
use cnid::bulk::{self, Columns, NO_REGION};
use cnid::{Resolver, Sex, Status};

/// The struct's fields, in the web API's order: the ten result keys of `cnid::wire`, then
/// `msg`.
pub const FIELDS: [&str; 11] = {
    let mut fields = ["msg"; 11];
    let mut i = 0;
    while i < cnid::wire::RESULT_KEYS.len() {
        fields[i] = cnid::wire::RESULT_KEYS[i];
        i += 1;
    }
    fields
};

/// How the error for an array that does not hold strings starts.
pub const NOT_STRINGS: &str = "expected an array of strings";

/// The statuses in the order of their dictionary keys.
const STATUSES: [Status; 4] = [
    Status::AlreadyAtt,
    Status::WaitProcess,
    Status::NotAtt,
    Status::WrongIdcard,
];

/// How to build the answer.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Region, status, sex and msg columns dictionary-encoded (a region repeats across
    /// millions of rows); plain strings otherwise (for engines that want plain strings).
    pub dictionary: bool,
    /// Every column but `idcard` as plain keys into its list of [`values`] (uint8 for
    /// `status`, `sex` and `msg`, uint32, Polars' index type, for the others; null where
    /// the value is), whatever `dictionary` says. Polars looks plain keys up in
    /// Categoricals it made once, inside its own engine; from dictionaries, it would
    /// find every entry of every batch's dictionaries among its categories (six region
    /// dictionaries of 7,000 entries, and born has tens of thousands in a batch of
    /// 100,000 rows: longer than resolving the batch).
    pub keys: bool,
}

/// Input rows as strings: nulls come out as `None`.
enum Strings<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    Null(usize),
}

impl<'a> Strings<'a> {
    fn new(array: &'a dyn Array) -> Result<Strings<'a>, String> {
        let any = array.as_any();
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(any.downcast_ref().expect("utf8")),
            DataType::LargeUtf8 => Strings::LargeUtf8(any.downcast_ref().expect("large utf8")),
            DataType::Utf8View => Strings::Utf8View(any.downcast_ref().expect("utf8 view")),
            DataType::Null => Strings::Null(array.len()),
            other => {
                return Err(format!(
                    "{NOT_STRINGS} (utf8, large_utf8 or utf8_view), found {other}"
                ))
            }
        })
    }

    /// The rows that are null, if any.
    fn nulls(&self, array: &dyn Array) -> Option<NullBuffer> {
        match self {
            Strings::Null(n) => Some(NullBuffer::new_null(*n)),
            _ => array.logical_nulls().filter(|n| n.null_count() > 0),
        }
    }

    /// The row as a string, `""` for a null (its answer is replaced by a null).
    fn get(&self, i: usize) -> &'a str {
        match self {
            Strings::Utf8(a) => a.value(i),
            Strings::LargeUtf8(a) => a.value(i),
            Strings::Utf8View(a) => a.value(i),
            Strings::Null(_) => "",
        }
    }
}

/// Resolves every row of `array` (a string array) into the struct of the web API's
/// fields, on up to `threads` threads. Nulls stay null (the struct row and every field).
/// `idcard` keeps the input's string layout (utf8, large_utf8 or utf8_view; utf8 for
/// an array of nulls): the input itself when no row needs trimming.
///
/// Every per-row buffer of the answer is allocated once at full length; each thread
/// fills its own contiguous rows of each (a multiple of 64 rows, so that the bits of the
/// `msg` validity are its own words too), and the arrays are then built from the buffers
/// without copying them, several at a time.
///
/// # Errors
/// An array that does not hold strings.
pub fn resolve(
    array: &dyn Array,
    resolver: &Resolver,
    options: Options,
    threads: usize,
) -> Result<StructArray, String> {
    let strings = Strings::new(array)?;
    let nulls = strings.nulls(array);
    let len = array.len();
    if len > MAX_ROWS {
        return Err(format!(
            "{len} rows in one array: at most {MAX_ROWS} at a time (the answer's strings must \
             fit 32-bit offsets); pass it in chunks"
        ));
    }
    if (options.dictionary || options.keys) && resolver.today().is_some_and(|t| t > latest_today())
    {
        return Err(
            "a \"today\" after 2999-12-31 needs dictionary=False (the born dictionary ends there)"
                .to_owned(),
        );
    }
    let threads = threads.clamp(1, len.div_ceil(CHUNK).max(1));
    // Rows per thread: a multiple of 64, so that each thread owns whole words of bits.
    let step = len.div_ceil(threads).div_ceil(64).max(1) * 64;
    let mut keys = Keys::zeroed(len);
    let filled: Vec<Filled> = {
        let nulls = nulls.as_ref();
        let run = |part: Part<'_>| match &strings {
            Strings::Utf8(a) => fill(part, |i| a.value(i), nulls, resolver, options),
            Strings::LargeUtf8(a) => fill(part, |i| a.value(i), nulls, resolver, options),
            Strings::Utf8View(a) => fill(part, |i| a.value(i), nulls, resolver, options),
            Strings::Null(_) => fill(part, |_| "", nulls, resolver, options),
        };
        on_threads(keys.parts(step), &run)?
    };
    let plain_input = filled.iter().all(|f| f.plain_input);
    let born = if options.keys {
        Born::Keys
    } else if options.dictionary {
        let used = filled.into_iter().map(|f| f.born_days).reduce(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x |= y);
            a
        });
        let compact = Compact::new(used.unwrap_or_else(|| vec![0; born_words()]));
        let remap = compact.remap();
        on_threads(
            keys.born.chunks_mut(step).collect(),
            &|born: &mut [i32]| {
                // Every key is below the bitmap's length (a multiple of 64).
                born.iter_mut().for_each(|k| *k = remap[*k as usize]);
            },
        )?;
        Born::Dictionary(Arc::new(compact.dictionary()))
    } else {
        Born::Dates
    };
    keys.finish(&strings, nulls, plain_input, born, options, threads)
}

/// How the `born` column is built from the born buffer of [`Keys`].
enum Born {
    /// Plain strings from dates `yyyymmdd`.
    Dates,
    /// Keys into this dictionary.
    Dictionary(ArrayRef),
    /// Keys into [`born_dates`], as they are.
    Keys,
}

/// Runs `each` on every item, one thread per item (the caller's thread takes the last);
/// the results in order.
fn on_threads<T: Send, R: Send>(
    mut items: Vec<T>,
    each: &(impl Fn(T) -> R + Sync),
) -> Result<Vec<R>, String> {
    let Some(last) = items.pop() else {
        return Ok(Vec::new());
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .into_iter()
            .map(|item| scope.spawn(move || each(item)))
            .collect();
        let last = each(last);
        let mut out: Vec<R> = handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a worker thread failed".to_owned()))
            .collect::<Result<_, _>>()?;
        out.push(last);
        Ok(out)
    })
}

/// The most rows one call answers: the longest plain field (under 100 bytes) of every row
/// must fit 32-bit offsets. (`cnid.resolve_arrow` slices longer arrays.)
pub const MAX_ROWS: usize = 20_000_000;

/// Rows resolved by `cnid::bulk` at a time, so that its columns stay in cache (a
/// multiple of 64).
const CHUNK: usize = 1 << 14;

/// The per-row buffers of the answer, at full length.
struct Keys {
    status: Vec<i8>,
    sex: Vec<i8>,
    region: Vec<i32>,
    /// With dictionaries, the key into the full born dictionary until [`Compact::rekey`]
    /// makes it a key into the compact one; without, the birth date as `yyyymmdd`. 0 for
    /// a row that shows no birth date.
    born: Vec<i32>,
    /// Bit `i`: row `i` has a `msg` (it is valid and not `ALREADY_ATT`).
    msg: Vec<u64>,
}

/// One thread's rows of each buffer of [`Keys`]: rows `start..`, `start` a multiple
/// of 64.
struct Part<'a> {
    start: usize,
    status: &'a mut [i8],
    sex: &'a mut [i8],
    region: &'a mut [i32],
    born: &'a mut [i32],
    msg: &'a mut [u64],
}

/// What a thread found beside its rows.
struct Filled {
    /// No row needed trimming.
    plain_input: bool,
    /// With dictionaries: bit `k` is set when some row has born key `k`.
    born_days: Vec<u64>,
}

impl Keys {
    fn zeroed(len: usize) -> Keys {
        Keys {
            status: vec![0; len],
            sex: vec![0; len],
            region: vec![0; len],
            born: vec![0; len],
            msg: vec![0; len.div_ceil(64)],
        }
    }

    /// The buffers cut into parts of `step` rows (a multiple of 64).
    fn parts(&mut self, step: usize) -> Vec<Part<'_>> {
        debug_assert_eq!(step % 64, 0);
        self.status
            .chunks_mut(step)
            .zip(self.sex.chunks_mut(step))
            .zip(self.region.chunks_mut(step))
            .zip(self.born.chunks_mut(step))
            .zip(self.msg.chunks_mut(step / 64))
            .enumerate()
            .map(|(i, ((((status, sex), region), born), msg))| Part {
                start: i * step,
                status,
                sex,
                region,
                born,
                msg,
            })
            .collect()
    }
}

/// Resolves the rows of `part` (`get(i)` is input row `i`), a chunk at a time.
fn fill<'s>(
    part: Part<'_>,
    get: impl Fn(usize) -> &'s str,
    nulls: Option<&NullBuffer>,
    resolver: &Resolver,
    options: Options,
) -> Filled {
    let len = part.status.len();
    let mut cols = Columns::with_capacity(CHUNK.min(len));
    let mut plain_input = true;
    let mut born_days = if options.dictionary && !options.keys {
        vec![0u64; born_words()]
    } else {
        Vec::new()
    };
    let empty = cnid::CODE_COUNT as i32;
    for lo in (0..len).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(len);
        cols.clear();
        let inputs = (part.start + lo..part.start + hi).map(|i| {
            let s = get(i);
            plain_input &= is_plain(s);
            s
        });
        bulk::resolve_into(resolver, inputs, &mut cols);
        for (i, row) in (lo..hi).enumerate() {
            let status = cols.status[i];
            let valid = nulls.is_none_or(|n| n.is_valid(part.start + row));
            let att = status == Status::AlreadyAtt;
            part.status[row] = status_key(status);
            part.msg[row / 64] |= u64::from(valid & !att) << (row % 64);
            let region = cols.region[i];
            part.region[row] = if region == NO_REGION {
                empty
            } else {
                region as i32
            };
            part.sex[row] = match (att, cols.sex[i]) {
                (true, Some(Sex::Male)) => 0,
                (true, _) => 1,
                (false, _) => 2,
            };
            let packed = if att && valid { cols.born[i] } else { 0 };
            part.born[row] = if options.dictionary || options.keys {
                let key = born_key(packed);
                if let Some(w) = born_days.get_mut(key as usize / 64) {
                    *w |= 1 << (key % 64);
                }
                key
            } else {
                packed as i32
            };
        }
    }
    Filled {
        plain_input,
        born_days,
    }
}

/// Whether `s` needs no trimming ([`trimmed`] gives it back whole).
#[inline]
fn is_plain(s: &str) -> bool {
    s.is_empty() || trimmed(s).len() == s.len()
}

/// Words of the bitmap of born keys.
fn born_words() -> usize {
    born_dictionary().len().div_ceil(64)
}

/// The birth dates that occur, as a dictionary of just those (in date order, the empty
/// string first if it occurs): an engine that takes the dictionary in per batch (Polars
/// makes a category of every entry) handles thousands of entries, not 438,000.
struct Compact {
    /// Bit `k`: full key `k` occurs.
    used: Vec<u64>,
}

impl Compact {
    fn new(used: Vec<u64>) -> Compact {
        Compact { used }
    }

    /// The compact key of each full key that occurs.
    fn remap(&self) -> Vec<i32> {
        let mut remap = vec![0i32; self.used.len() * 64];
        let mut next = 0;
        for (w, &word) in self.used.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                remap[w * 64 + bits.trailing_zeros() as usize] = next;
                next += 1;
                bits &= bits - 1;
            }
        }
        remap
    }

    fn dictionary(&self) -> StringArray {
        let full = born_dictionary()
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("utf8");
        let count: u32 = self.used.iter().map(|w| w.count_ones()).sum();
        let mut b = StringBuilder::with_capacity(count as usize, count as usize * 17);
        for (w, &word) in self.used.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let k = w * 64 + bits.trailing_zeros() as usize;
                b.append_value(full.value(k));
                bits &= bits - 1;
            }
        }
        b.finish()
    }
}

/// The type of the struct [`resolve`] returns for an input of type `input`; `None` for a
/// type that does not hold strings (which [`resolve`] refuses).
pub fn data_type(options: Options, input: &DataType) -> Option<DataType> {
    let idcard = match input {
        DataType::LargeUtf8 | DataType::Utf8View => input.clone(),
        DataType::Utf8 | DataType::Null => DataType::Utf8,
        _ => return None,
    };
    Some(DataType::Struct(fields(options, &idcard)))
}

/// The latest "today" that dictionary-encoded answers and plain keys can hold: `born`'s
/// values end there.
pub fn latest_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(BORN_LAST.0, BORN_LAST.1 as u32, BORN_LAST.2 as u32)
        .expect("a date")
}

fn fields(options: Options, idcard: &DataType) -> Fields {
    let dict = |key: DataType| {
        if options.dictionary {
            DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
        } else {
            DataType::Utf8
        }
    };
    FIELDS
        .iter()
        .map(|&name| {
            let ty = match name {
                "idcard" => idcard.clone(),
                "status" | "sex" | "msg" if options.keys => DataType::UInt8,
                _ if options.keys => DataType::UInt32,
                "status" | "sex" | "msg" => dict(DataType::Int8),
                _ => dict(DataType::Int32),
            };
            Field::new(name, ty, true)
        })
        .collect()
}

/// The dictionaries of the six region fields: entry `i` is region `i` of the table, and
/// one more, empty, for rows without a region. Built once.
fn region_dictionaries() -> &'static [ArrayRef; 6] {
    static DICTS: OnceLock<[ArrayRef; 6]> = OnceLock::new();
    DICTS.get_or_init(|| {
        let regions: Vec<cnid::Region> = (0..cnid::CODE_COUNT as u32)
            .map(|i| bulk::region(i).expect("an index below CODE_COUNT"))
            .collect();
        let column = |f: &dyn Fn(&cnid::Region) -> String| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(
                regions.iter().map(f).chain([String::new()]),
            ))
        };
        [
            column(&|r| format!("{:06}", r.code())),
            column(&|r| r.att().to_owned()),
            column(&|r| r.postno().to_owned()),
            column(&|r| r.areano().to_owned()),
            column(&|r| r.style_simcall().to_owned()),
            column(&|r| r.style_citynm().to_owned()),
        ]
    })
}

fn status_key(s: Status) -> i8 {
    STATUSES.iter().position(|&t| t == s).unwrap_or(3) as i8
}

/// A column of the answer, to be built on some thread.
type Job<'a> = Box<dyn FnOnce() -> ArrayRef + Send + 'a>;

/// Runs `jobs` on up to `threads` threads (dealt out in turn); the results in order.
fn run_jobs(jobs: Vec<Job<'_>>, threads: usize) -> Result<Vec<ArrayRef>, String> {
    let threads = threads.clamp(1, jobs.len().max(1));
    let count = jobs.len();
    let mut groups: Vec<Vec<(usize, Job<'_>)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        groups[i % threads].push((i, job));
    }
    let done = on_threads(groups, &|group: Vec<(usize, Job<'_>)>| {
        group
            .into_iter()
            .map(|(i, job)| (i, job()))
            .collect::<Vec<_>>()
    })?;
    let mut out: Vec<Option<ArrayRef>> = vec![None; count];
    for (i, array) in done.into_iter().flatten() {
        out[i] = Some(array);
    }
    Ok(out.into_iter().flatten().collect())
}

impl Keys {
    /// The struct, from the filled buffers (moved into the arrays, not copied).
    fn finish(
        self,
        strings: &Strings<'_>,
        nulls: Option<NullBuffer>,
        plain_input: bool,
        born: Born,
        options: Options,
        threads: usize,
    ) -> Result<StructArray, String> {
        let len = self.status.len();
        let Keys {
            status,
            sex,
            region,
            born: born_keys,
            msg,
        } = self;
        // One buffer of status keys for `status` and `msg`, one of region keys for the
        // six region fields.
        let status = ScalarBuffer::<i8>::from(status);
        let sex = ScalarBuffer::<i8>::from(sex);
        let region = ScalarBuffer::<i32>::from(region);
        let born_keys = ScalarBuffer::<i32>::from(born_keys);
        // `msg` is null for ALREADY_ATT, as the web API leaves it out.
        let has_msg = NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(msg), 0, len));
        let (dictionary, plain_keys) = (options.dictionary, options.keys);
        let small = |keys: ScalarBuffer<i8>,
                     field: &'static str,
                     key_nulls: Option<NullBuffer>|
         -> Job<'static> {
            Box::new(move || {
                if plain_keys {
                    // The keys are non-negative: the same bytes as uint8.
                    let len = keys.len();
                    let keys = ScalarBuffer::<u8>::new(keys.into_inner(), 0, len);
                    return Arc::new(UInt8Array::new(keys, key_nulls));
                }
                let values: ArrayRef = Arc::new(StringArray::from(small_values(field)));
                let keys = Int8Array::new(keys, key_nulls);
                if dictionary {
                    Arc::new(DictionaryArray::<Int8Type>::new(keys, values))
                } else {
                    plain_i8(&keys, &values)
                }
            })
        };
        let regional = |dict: &'static ArrayRef| -> Job<'static> {
            let (keys, nulls) = (region.clone(), nulls.clone());
            Box::new(move || {
                if plain_keys {
                    return as_u32(keys, nulls);
                }
                let keys = Int32Array::new(keys, nulls);
                if dictionary {
                    Arc::new(DictionaryArray::<Int32Type>::new(keys, dict.clone()))
                } else {
                    plain_i32(&keys, dict)
                }
            })
        };
        let [par, att, postno, areano, style_simcall, style_citynm] =
            region_dictionaries().each_ref().map(regional);
        let born = {
            let nulls = nulls.clone();
            Box::new(move || -> ArrayRef {
                match born {
                    Born::Dictionary(dict) => Arc::new(DictionaryArray::<Int32Type>::new(
                        Int32Array::new(born_keys, nulls),
                        dict,
                    )),
                    Born::Keys => as_u32(born_keys, nulls),
                    Born::Dates => born_strings(&born_keys, nulls),
                }
            })
        };
        let idcard_nulls = nulls.clone();
        let jobs: Vec<Job<'_>> = vec![
            small(status.clone(), "status", nulls.clone()),
            Box::new(move || idcard(strings, idcard_nulls.as_ref(), plain_input)),
            par,
            born,
            small(sex, "sex", nulls.clone()),
            att,
            postno,
            areano,
            style_simcall,
            style_citynm,
            small(status, "msg", Some(has_msg)),
        ];
        let arrays = run_jobs(jobs, threads)?;
        let fields = fields(options, arrays[1].data_type());
        Ok(StructArray::new(fields, arrays, nulls))
    }
}

/// Non-negative keys as a uint32 array, without a copy: Polars looks values up by
/// uint32 indices, and would otherwise convert each region field's keys on its own.
fn as_u32(keys: ScalarBuffer<i32>, nulls: Option<NullBuffer>) -> ArrayRef {
    let len = keys.len();
    Arc::new(UInt32Array::new(
        ScalarBuffer::new(keys.into_inner(), 0, len),
        nulls,
    ))
}

/// The `idcard` column: the input itself when no row needs trimming, else the trimmed
/// rows in the input's layout.
fn idcard(strings: &Strings<'_>, nulls: Option<&NullBuffer>, plain_input: bool) -> ArrayRef {
    fn trim_all<B: ArrayBuilder + for<'x> Extend<Option<&'x str>>>(
        mut b: B,
        strings: &Strings<'_>,
        nulls: Option<&NullBuffer>,
        len: usize,
    ) -> ArrayRef {
        b.extend((0..len).map(|i| {
            nulls
                .is_none_or(|n| n.is_valid(i))
                .then(|| trimmed(strings.get(i)))
        }));
        b.finish()
    }
    match strings {
        Strings::Utf8(a) if plain_input => Arc::new((*a).clone()),
        Strings::LargeUtf8(a) if plain_input => Arc::new((*a).clone()),
        Strings::Utf8View(a) if plain_input => Arc::new((*a).clone()),
        Strings::Utf8(a) => trim_all(StringBuilder::new(), strings, nulls, a.len()),
        Strings::LargeUtf8(a) => trim_all(LargeStringBuilder::new(), strings, nulls, a.len()),
        Strings::Utf8View(a) => trim_all(StringViewBuilder::new(), strings, nulls, a.len()),
        Strings::Null(n) => arrow_array::new_null_array(&DataType::Utf8, *n),
    }
}

/// The `born` column as plain strings from `yyyymmdd` dates (0: the empty string).
fn born_strings(born: &[i32], nulls: Option<NullBuffer>) -> ArrayRef {
    let mut values = Vec::with_capacity(born.len() * 17);
    let mut offsets = Vec::with_capacity(born.len() + 1);
    offsets.push(0i32);
    for &b in born {
        if b != 0 {
            push_born(&mut values, b as u32);
        }
        offsets.push(values.len() as i32);
    }
    Arc::new(StringArray::new(
        OffsetBuffer::new(offsets.into()),
        Buffer::from_vec(values),
        nulls,
    ))
}

/// The first and last birth dates of the `born` dictionary.
const BORN_FIRST: (i32, i32, i32) = (1800, 1, 1);
const BORN_LAST: (i32, i32, i32) = (2999, 12, 31);

/// Days from 0000-03-01 (proleptic Gregorian) to a date, for years from 0 on
/// (H. Hinnant's `days_from_civil`).
fn days((y, m, d): (i32, i32, i32)) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let (era, yoe) = (y / 400, y % 400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
}

/// The `born` dictionary key of a packed `yyyymmdd` (0, the empty string, for 0).
fn born_key(packed: u32) -> i32 {
    if packed == 0 {
        return 0;
    }
    let p = packed as i32;
    days((p / 10_000, p / 100 % 100, p % 100)) - days(BORN_FIRST) + 1
}

/// The values of `status`, `sex` or `msg`, in the order of their keys (`msg` of
/// ALREADY_ATT is null: the web API leaves it out).
fn small_values(field: &str) -> Vec<Option<&'static str>> {
    match field {
        "status" => STATUSES.iter().map(|s| Some(s.as_str())).collect(),
        "msg" => STATUSES.iter().map(|s| s.message()).collect(),
        _ => vec![Some("男"), Some("女"), Some("")],
    }
}

/// The region fields, in the order of [`region_dictionaries`].
const REGION_FIELDS: [&str; 6] = [
    "par",
    "att",
    "postno",
    "areano",
    "style_simcall",
    "style_citynm",
];

/// The values the keys of `field` point into, in the order of the keys (see
/// [`Options::keys`]): for `born`, every date from 1800-01-01 to 2999-12-31 after the
/// empty string. `None` for `idcard` and names that are not fields.
pub fn values(field: &str) -> Option<ArrayRef> {
    match field {
        "status" | "sex" | "msg" => Some(Arc::new(StringArray::from(small_values(field)))),
        "born" => Some(born_dictionary().clone()),
        _ => REGION_FIELDS
            .iter()
            .position(|&f| f == field)
            .map(|i| region_dictionaries()[i].clone()),
    }
}

/// The full `born` dictionary: the empty string, then every date from 1800-01-01 to
/// 2999-12-31 in the web API's form (7.5 MB, built once). Dates repeat across millions
/// of rows; a key is 4 bytes where the string is 21 with its offset.
fn born_dictionary() -> &'static ArrayRef {
    static DICT: OnceLock<ArrayRef> = OnceLock::new();
    DICT.get_or_init(|| {
        let first = chrono::NaiveDate::from_ymd_opt(BORN_FIRST.0, 1, 1).expect("a date");
        let count = (days(BORN_LAST) - days(BORN_FIRST) + 1) as usize;
        let mut b = StringBuilder::with_capacity(count + 1, (count + 1) * 17);
        b.append_value("");
        let mut bytes = Vec::with_capacity(17);
        for date in first.iter_days().take(count) {
            use chrono::Datelike;
            bytes.clear();
            push_born(
                &mut bytes,
                date.year() as u32 * 10_000 + date.month() * 100 + date.day(),
            );
            b.append_value(std::str::from_utf8(&bytes).expect("digits and CJK"));
        }
        Arc::new(b.finish())
    })
}

/// The birth date in the web API's form, `1990年01月01日`, from `yyyymmdd`.
fn push_born(out: &mut Vec<u8>, packed: u32) {
    let digit = |v: u32| b'0' + (v % 10) as u8;
    let (y, m, d) = (packed / 10_000, packed / 100 % 100, packed % 100);
    out.extend_from_slice(&[digit(y / 1000), digit(y / 100), digit(y / 10), digit(y)]);
    out.extend_from_slice("年".as_bytes());
    out.extend_from_slice(&[digit(m / 10), digit(m)]);
    out.extend_from_slice("月".as_bytes());
    out.extend_from_slice(&[digit(d / 10), digit(d)]);
    out.extend_from_slice("日".as_bytes());
}

/// The input as the web API's `idcard` shows it: without the white space and invisible
/// marks around it (the core's rule, through `wire::Fields`). Plain 18- or 15-character
/// inputs, nearly all of them, need no work.
#[inline]
fn trimmed(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        return s;
    }
    trimmed_slow(s)
}

#[inline(never)]
fn trimmed_slow(s: &str) -> &str {
    let r = cnid::Resolver::new().resolve("");
    let t = cnid::wire::Fields::new(&r, s).idcard();
    // `t` is a sub-slice of `s`: its place in `s` from the addresses.
    let start = (t.as_ptr() as usize).saturating_sub(s.as_ptr() as usize);
    s.get(start..start + t.len()).unwrap_or(s)
}

fn plain_i8(keys: &Int8Array, values: &ArrayRef) -> ArrayRef {
    plain(keys.values(), keys.nulls(), values)
}

fn plain_i32(keys: &Int32Array, values: &ArrayRef) -> ArrayRef {
    plain(keys.values(), keys.nulls(), values)
}

/// The dictionary's strings for `keys`, as a plain string array, appended row by row to
/// a builder sized up front (three times faster than collecting an iterator of strings, and
/// the bytes, copied from strings, are not checked for UTF-8 a second time). A null key,
/// or a key to a null entry (`msg` of ALREADY_ATT), gives a null.
fn plain<K: Copy + TryInto<usize>>(
    keys: &[K],
    nulls: Option<&NullBuffer>,
    values: &ArrayRef,
) -> ArrayRef {
    let dict = values.as_any().downcast_ref::<StringArray>().expect("utf8");
    // Bytes for an average entry a row: known from the dictionary's buffer, not a pass
    // over its entries for every call (DuckDB calls for every 2,048 rows).
    let average = dict.value_data().len().div_ceil(dict.len().max(1));
    let mut out = StringBuilder::with_capacity(keys.len(), keys.len() * average);
    for (i, &k) in keys.iter().enumerate() {
        let k = k
            .try_into()
            .ok()
            .filter(|&k| k < dict.len() && dict.is_valid(k));
        match k {
            Some(k) if nulls.is_none_or(|n| n.is_valid(i)) => out.append_value(dict.value(k)),
            _ => out.append_null(),
        }
    }
    Arc::new(out.finish())
}

/// Just the status of every row of `array`: a string array (dictionary-encoded when
/// `options.dictionary`), null where the input is null.
///
/// # Errors
/// An array that does not hold strings.
pub fn statuses(
    array: &dyn Array,
    resolver: &Resolver,
    options: Options,
) -> Result<ArrayRef, String> {
    let (keys, nulls) = status_keys(array, resolver)?;
    let keys = Int8Array::new(keys.into(), nulls);
    let values: ArrayRef = Arc::new(StringArray::from_iter_values(
        STATUSES.iter().map(|s| s.as_str()),
    ));
    Ok(if options.dictionary {
        Arc::new(DictionaryArray::<Int8Type>::new(keys, values))
    } else {
        plain_i8(&keys, &values)
    })
}

/// Just the status of every row of `array`, as Arrow string views that hold the text
/// inline (every status fits a view's 12 bytes): 16 bytes a row and no data buffer, the
/// form Polars keeps strings in. Null where the input is null.
///
/// # Errors
/// An array that does not hold strings.
pub fn status_views(array: &dyn Array, resolver: &Resolver) -> Result<ArrayRef, String> {
    let (keys, nulls) = status_keys(array, resolver)?;
    let inline = STATUSES.map(|s| make_view(s.as_str().as_bytes(), 0, 0));
    let views: ScalarBuffer<u128> = keys.iter().map(|&k| inline[k as usize]).collect();
    let views = StringViewArray::try_new(views, Vec::new(), nulls).map_err(|e| e.to_string())?;
    Ok(Arc::new(views))
}

/// The status key of every row of `array` (see [`STATUSES`]), and the input's nulls.
fn status_keys(
    array: &dyn Array,
    resolver: &Resolver,
) -> Result<(Vec<i8>, Option<NullBuffer>), String> {
    let strings = Strings::new(array)?;
    let len = array.len();
    if len > MAX_ROWS {
        return Err(format!(
            "{len} rows in one array: at most {MAX_ROWS} at a time"
        ));
    }
    let mut out = Vec::with_capacity(len);
    bulk::statuses_into(resolver, (0..len).map(|i| strings.get(i)), &mut out);
    let keys = out.iter().map(|&s| status_key(s)).collect();
    Ok((keys, strings.nulls(array)))
}
