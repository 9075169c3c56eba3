//! The Arrow kernel: a string array in, the web API's fields out as a struct array, with
//! `cnid::bulk` doing the resolving. No Python here (tested from Rust in
//! `tests/kernel.rs`).

use std::sync::{Arc, OnceLock};

use arrow_array::builder::StringBuilder;
use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int32Array, Int8Array, LargeStringArray, StringArray,
    StringViewArray, StructArray,
};
use arrow_buffer::{BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
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
    if options.dictionary
        && resolver.today().is_some_and(|t| {
            t > chrono::NaiveDate::from_ymd_opt(BORN_LAST.0, 12, 31).expect("a date")
        })
    {
        return Err(
            "a \"today\" after 2999-12-31 needs dictionary=False (the born dictionary ends there)"
                .to_owned(),
        );
    }
    let threads = threads.clamp(1, len.div_ceil(CHUNK).max(1));
    let rows = if threads == 1 {
        resolve_rows(0..len, &strings, nulls.as_ref(), resolver)
    } else {
        // Each thread answers a contiguous range; their buffers are joined in order, so
        // the answer is one array whatever the number of threads.
        let step = len.div_ceil(threads);
        let parts: Vec<Rows> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..len)
                .step_by(step)
                .map(|start| {
                    let (strings, nulls) = (&strings, nulls.as_ref());
                    let range = start..(start + step).min(len);
                    scope.spawn(move || resolve_rows(range, strings, nulls, resolver))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().map_err(|_| "a worker thread failed".to_owned()))
                .collect::<Result<_, _>>()
        })?;
        let mut parts = parts.into_iter();
        let mut rows = parts.next().unwrap_or_else(|| Rows::with_capacity(0));
        for part in parts {
            rows.append(part);
        }
        rows
    };
    Ok(rows.finish(&strings, nulls, options))
}

/// The rows of `range`, a chunk at a time, so that the bulk columns stay in cache and
/// are allocated once.
fn resolve_rows(
    range: std::ops::Range<usize>,
    strings: &Strings<'_>,
    nulls: Option<&NullBuffer>,
    resolver: &Resolver,
) -> Rows {
    let mut rows = Rows::with_capacity(range.len());
    let mut cols = Columns::with_capacity(CHUNK.min(range.len()));
    for start in range.clone().step_by(CHUNK) {
        let end = (start + CHUNK).min(range.end);
        cols.clear();
        bulk::resolve_into(resolver, (start..end).map(|i| strings.get(i)), &mut cols);
        rows.extend(start, &cols, strings, nulls);
    }
    rows
}

/// The most rows one call answers: the longest plain field (under 100 bytes) of every row
/// must fit 32-bit offsets. (`cnid.resolve_arrow` slices longer arrays.)
pub const MAX_ROWS: usize = 20_000_000;

/// Rows resolved by `cnid::bulk` per call of [`Rows::extend`].
const CHUNK: usize = 1 << 14;

/// The per-row buffers of the answer, filled chunk by chunk.
struct Rows {
    status_keys: Vec<i8>,
    sex_keys: Vec<i8>,
    region_keys: Vec<i32>,
    has_msg: BooleanBufferBuilder,
    /// The birth date of an ALREADY_ATT row as `yyyymmdd`, else 0.
    born: Vec<u32>,
    /// Whether no input needed trimming (then the input is the `idcard` column).
    plain_input: bool,
}

impl Rows {
    fn with_capacity(len: usize) -> Rows {
        Rows {
            status_keys: Vec::with_capacity(len),
            sex_keys: Vec::with_capacity(len),
            region_keys: Vec::with_capacity(len),
            has_msg: BooleanBufferBuilder::new(len),
            born: Vec::with_capacity(len),
            plain_input: true,
        }
    }

    /// Appends the rows of `other`, which follow these.
    fn append(&mut self, other: Rows) {
        self.status_keys.extend(other.status_keys);
        self.sex_keys.extend(other.sex_keys);
        self.region_keys.extend(other.region_keys);
        let mut msg = other.has_msg;
        self.has_msg.append_buffer(&msg.finish());
        self.born.extend(other.born);
        self.plain_input &= other.plain_input;
    }

    /// Appends the rows of `cols`, the answers for input rows `start..`.
    fn extend(
        &mut self,
        start: usize,
        cols: &Columns,
        strings: &Strings<'_>,
        nulls: Option<&NullBuffer>,
    ) {
        let empty = cnid::CODE_COUNT as i32;
        for i in 0..cols.len() {
            let row = start + i;
            let status = cols.status[i];
            let valid = nulls.is_none_or(|n| n.is_valid(row));
            self.status_keys.push(status_key(status));
            self.has_msg.append(valid & (status != Status::AlreadyAtt));
            let region = cols.region[i];
            self.region_keys.push(if region == NO_REGION {
                empty
            } else {
                region as i32
            });
            if status == Status::AlreadyAtt {
                let male = cols.sex[i] == Some(Sex::Male);
                self.sex_keys.push(if male { 0 } else { 1 });
                self.born.push(cols.born[i]);
            } else {
                self.sex_keys.push(2);
                self.born.push(0);
            }
            let s = strings.get(row);
            self.plain_input &= trimmed(s).len() == s.len();
        }
    }
}

/// The type of the struct [`resolve`] returns.
pub fn data_type(options: Options) -> DataType {
    DataType::Struct(fields(options))
}

fn fields(options: Options) -> Fields {
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
                "idcard" => DataType::Utf8,
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

impl Rows {
    fn finish(
        self,
        strings: &Strings<'_>,
        nulls: Option<NullBuffer>,
        options: Options,
    ) -> StructArray {
        let len = self.status_keys.len();
        let Rows {
            status_keys,
            sex_keys,
            region_keys,
            mut has_msg,
            born,
            plain_input,
        } = self;
        let region_keys = ScalarBuffer::from(region_keys);
        // One buffer of status keys for `status` and `msg`.
        let status_keys = ScalarBuffer::from(status_keys);

        let small = |keys: ScalarBuffer<i8>,
                     values: &[Option<&str>],
                     key_nulls: Option<NullBuffer>|
         -> ArrayRef {
            let values: ArrayRef = Arc::new(StringArray::from(values.to_vec()));
            let keys = Int8Array::new(keys, key_nulls);
            if options.dictionary {
                Arc::new(DictionaryArray::<Int8Type>::new(keys, values))
            } else {
                plain_i8(&keys, &values)
            }
        };
        let statuses: Vec<Option<&str>> = STATUSES.iter().map(|s| Some(s.as_str())).collect();
        let messages: Vec<Option<&str>> = STATUSES.iter().map(|s| s.message()).collect();
        // `msg` is null for ALREADY_ATT, as the web API leaves it out.
        let msg = small(
            status_keys.clone(),
            &messages,
            Some(NullBuffer::new(has_msg.finish())),
        );
        let status = small(status_keys, &statuses, nulls.clone());
        let sex = small(
            sex_keys.into(),
            &[Some("男"), Some("女"), Some("")],
            nulls.clone(),
        );

        let mut regions = region_dictionaries().iter().map(|dict| -> ArrayRef {
            let keys = Int32Array::new(region_keys.clone(), nulls.clone());
            if options.dictionary {
                Arc::new(DictionaryArray::<Int32Type>::new(keys, dict.clone()))
            } else {
                plain_i32(&keys, dict)
            }
        });

        let idcard: ArrayRef = match strings {
            // Nothing to trim: the input itself is the `idcard` column (no copy).
            Strings::Utf8(a) if plain_input => Arc::new((*a).clone()),
            _ => {
                let mut b = StringBuilder::with_capacity(len, len * 18);
                for i in 0..len {
                    if nulls.as_ref().is_none_or(|n| n.is_valid(i)) {
                        b.append_value(trimmed(strings.get(i)));
                    } else {
                        b.append_null();
                    }
                }
                Arc::new(b.finish())
            }
        };
        let born: ArrayRef = if options.dictionary {
            let keys: ScalarBuffer<i32> = born.iter().map(|&b| born_key(b)).collect();
            let keys = Int32Array::new(keys, nulls.clone());
            Arc::new(DictionaryArray::<Int32Type>::new(
                keys,
                born_dictionary().clone(),
            ))
        } else {
            let mut values = Vec::with_capacity(len * 17);
            let mut offsets = Vec::with_capacity(len + 1);
            offsets.push(0i32);
            for &b in &born {
                if b != 0 {
                    push_born(&mut values, b);
                }
                offsets.push(values.len() as i32);
            }
            Arc::new(StringArray::new(
                OffsetBuffer::new(offsets.into()),
                Buffer::from_vec(values),
                nulls.clone(),
            ))
        };
        let mut arrays: Vec<ArrayRef> = vec![status, idcard];
        arrays.push(regions.next().expect("par"));
        arrays.push(born);
        arrays.push(sex);
        arrays.extend(regions);
        arrays.push(msg);
        StructArray::new(fields(options), arrays, nulls)
    }
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

/// The `born` column's dictionary: the empty string, then every date from 1800-01-01 to
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

/// The dictionary's strings for `keys`, as a plain string array: the bytes copied row by
/// row into one buffer (three times faster than collecting an iterator of strings). A
/// null key, or a key to a null entry (`msg` of ALREADY_ATT), gives a null.
fn plain<K: Copy + TryInto<usize>>(
    keys: &[K],
    nulls: Option<&NullBuffer>,
    values: &ArrayRef,
) -> ArrayRef {
    let dict = values.as_any().downcast_ref::<StringArray>().expect("utf8");
    let mut offsets = Vec::with_capacity(keys.len() + 1);
    offsets.push(0i32);
    let mut bytes = Vec::new();
    let mut valid = BooleanBufferBuilder::new(keys.len());
    for (i, &k) in keys.iter().enumerate() {
        let k = k
            .try_into()
            .ok()
            .filter(|&k| k < dict.len() && dict.is_valid(k));
        let present = nulls.is_none_or(|n| n.is_valid(i)) && k.is_some();
        if let (true, Some(k)) = (present, k) {
            bytes.extend_from_slice(dict.value(k).as_bytes());
        }
        valid.append(present);
        // At most MAX_ROWS rows of under 100 bytes: within i32.
        offsets.push(bytes.len() as i32);
    }
    let valid = NullBuffer::new(valid.finish());
    Arc::new(StringArray::new(
        OffsetBuffer::new(offsets.into()),
        Buffer::from_vec(bytes),
        (valid.null_count() > 0).then_some(valid),
    ))
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
    let strings = Strings::new(array)?;
    let len = array.len();
    if len > MAX_ROWS {
        return Err(format!(
            "{len} rows in one array: at most {MAX_ROWS} at a time"
        ));
    }
    let mut out = Vec::with_capacity(len);
    bulk::statuses_into(resolver, (0..len).map(|i| strings.get(i)), &mut out);
    let nulls = strings.nulls(array);
    let keys = Int8Array::new(out.iter().map(|&s| status_key(s)).collect(), nulls);
    let values: ArrayRef = Arc::new(StringArray::from_iter_values(
        STATUSES.iter().map(|s| s.as_str()),
    ));
    Ok(if options.dictionary {
        Arc::new(DictionaryArray::<Int8Type>::new(keys, values))
    } else {
        plain_i8(&keys, &values)
    })
}
