//! Polars expression plugins, called by Polars' engine on its own threads with no Python
//! and no GIL: `resolve_keys`, the kernel's plain keys for a column of numbers (see
//! [`kernel::Options::keys`]; `cnid.polars.resolve` looks them up in Polars
//! expressions), and `status`, just the statuses (`cnid.polars.status`).
//!
//! Polars' plugin interface (version 0.1, as its `polars-ffi` crate defines it) is a few
//! C functions whose names start with `_polars_plugin_`, passing columns as Arrow C data
//! interface structs. It is implemented here on arrow-rs's FFI structs rather than through
//! the polars crates, which Python Polars does not share with the plugin anyway (it loads
//! the plugin as a plain shared library): so the wheel needs no second pyo3 and no polars
//! build. `unsafe` is confined to reading and writing the structs Polars hands over, as
//! in `ffi.rs`.
//!
//! Arguments (`today` and the thread count) come as Polars' pickled keyword arguments,
//! which `cnid.polars` always writes in one shape: `{"cnid": "<today>;<threads>"}`.

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CString};
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{make_array, Array, ArrayRef, NullArray};
use arrow_schema::{DataType, Field};
use chrono::NaiveDate;
use cnid::Resolver;

use crate::kernel;

/// Rows a thread gets at least: smaller batches (the streaming engine's, some 100,000
/// rows) are resolved on the calling thread, as that engine runs its batches side by
/// side itself.
const PART_ROWS: usize = 250_000;

/// The kernel's plain keys, which `resolve_keys` answers.
const KEYS: kernel::Options = kernel::Options {
    dictionary: true,
    keys: true,
};

/// A column as Polars hands it over: its field and one Arrow array per chunk.
#[repr(C)]
pub struct SeriesExport {
    field: *mut FFI_ArrowSchema,
    arrays: *mut *mut FFI_ArrowArray,
    len: usize,
    release: Option<unsafe extern "C" fn(*mut SeriesExport)>,
    private_data: *mut c_void,
}

/// What Polars tells the plugin about the call: bit 0 set means Polars already runs
/// calls side by side, and the plugin should not start threads of its own.
#[repr(C)]
pub struct CallerContext {
    bitflags: u64,
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(msg: &str) {
    let msg = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = msg);
}

/// The plugin interface's version: 0.1 (major in the high 16 bits).
#[no_mangle]
pub extern "C" fn _polars_plugin_get_version() -> u32 {
    1
}

/// The message of the last error on this thread (Polars asks after a call that left its
/// return value empty).
#[no_mangle]
pub extern "C" fn _polars_plugin_get_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// The answer's field for the input's: a struct of the kernel's plain keys, `idcard` in
/// the input's string layout.
///
/// # Safety
/// Polars' plugin interface: `fields` points to `len` valid schemas and `return_value`
/// to a schema to overwrite.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_field_resolve_keys(
    fields: *mut FFI_ArrowSchema,
    len: usize,
    return_value: *mut FFI_ArrowSchema,
    _kwargs_ptr: *const u8,
    _kwargs_len: usize,
) {
    // SAFETY: as this function's.
    unsafe { output_field(fields, len, return_value, keys_field) }
}

/// The kernel's plain keys for each number of the one input column, chunk by chunk.
///
/// # Safety
/// Polars' plugin interface: `inputs` points to `len` valid exported columns (taken over
/// and released here), `kwargs_ptr` to `kwargs_len` bytes, `return_value` to a column to
/// overwrite and `context` to the call's context.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_resolve_keys(
    inputs: *mut SeriesExport,
    len: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    return_value: *mut SeriesExport,
    context: *mut CallerContext,
) {
    let each = |part: &dyn Array, resolver: &Resolver, threads: usize| {
        let out: ArrayRef = Arc::new(kernel::resolve(part, resolver, KEYS, threads)?);
        Ok(vec![out])
    };
    // SAFETY: as this function's.
    unsafe {
        call(
            (inputs, len),
            (kwargs_ptr, kwargs_len),
            return_value,
            context,
            keys_field,
            each,
        )
    }
}

/// The status column's field: strings (views), named like the input.
///
/// # Safety
/// As [`_polars_plugin_field_resolve_keys`].
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_field_status(
    fields: *mut FFI_ArrowSchema,
    len: usize,
    return_value: *mut FFI_ArrowSchema,
    _kwargs_ptr: *const u8,
    _kwargs_len: usize,
) {
    // SAFETY: as this function's.
    unsafe { output_field(fields, len, return_value, status_field) }
}

/// Just the status of each number of the one input column: string views holding the
/// text inline; a large chunk in one part per thread, each part a chunk of the answer.
///
/// # Safety
/// As [`_polars_plugin_resolve_keys`].
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_status(
    inputs: *mut SeriesExport,
    len: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    return_value: *mut SeriesExport,
    context: *mut CallerContext,
) {
    let each = |part: &dyn Array, resolver: &Resolver, threads: usize| {
        if threads <= 1 {
            return Ok(vec![kernel::status_views(part, resolver)?]);
        }
        let step = part.len().div_ceil(threads).max(1);
        let slices: Vec<ArrayRef> = (0..part.len().max(1))
            .step_by(step)
            .map(|start| part.slice(start, step.min(part.len() - start)))
            .collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = slices
                .iter()
                .map(|s| scope.spawn(move || kernel::status_views(s.as_ref(), resolver)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| "cnid: a worker thread failed".to_owned())?
                })
                .collect()
        })
    };
    // SAFETY: as this function's.
    unsafe {
        call(
            (inputs, len),
            (kwargs_ptr, kwargs_len),
            return_value,
            context,
            status_field,
            each,
        )
    }
}

/// Fills `return_value` with `output` of the one input field.
///
/// # Safety
/// As [`_polars_plugin_field_resolve_keys`].
unsafe fn output_field(
    fields: *mut FFI_ArrowSchema,
    len: usize,
    return_value: *mut FFI_ArrowSchema,
    output: fn(&str, &DataType) -> Result<Field, String>,
) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if fields.is_null() || len != 1 {
            return Err("cnid: takes one column".to_owned());
        }
        // SAFETY: Polars passes `len` (one) valid schemas.
        let field = Field::try_from(unsafe { &*fields })
            .map_err(|e| format!("cnid: cannot read the column's type: {e}"))?;
        let out = output(field.name(), field.data_type())?;
        FFI_ArrowSchema::try_from(&out).map_err(|e| format!("cnid: {e}"))
    }));
    match result {
        // SAFETY: `return_value` is Polars' schema to fill; it holds nothing to release.
        Ok(Ok(schema)) => unsafe { std::ptr::write(return_value, schema) },
        Ok(Err(msg)) => set_error(&msg),
        Err(_) => set_error("cnid: the plugin panicked"),
    }
}

/// Answers the one input column chunk by chunk (each sliced to at most
/// [`kernel::MAX_ROWS`] rows) with `each`, into `return_value`; on an error, sets the
/// message Polars asks for and leaves `return_value` as it is.
///
/// # Safety
/// As [`_polars_plugin_resolve_keys`].
unsafe fn call(
    (inputs, len): (*mut SeriesExport, usize),
    (kwargs_ptr, kwargs_len): (*const u8, usize),
    return_value: *mut SeriesExport,
    context: *mut CallerContext,
    output: fn(&str, &DataType) -> Result<Field, String>,
    each: impl Fn(&dyn Array, &Resolver, usize) -> Result<Vec<ArrayRef>, String>,
) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as the interface specifies.
        let columns = unsafe { take_inputs(inputs, len) }?;
        let kwargs = if kwargs_ptr.is_null() {
            &[][..]
        } else {
            // SAFETY: Polars passes `kwargs_len` bytes at `kwargs_ptr`.
            unsafe { std::slice::from_raw_parts(kwargs_ptr, kwargs_len) }
        };
        let (resolver, threads) = arguments(kwargs)?;
        // SAFETY: a valid context, or none.
        let parallel = unsafe { context.as_ref() }.is_some_and(|c| c.bitflags & 1 == 1);
        let [(field, chunks)]: [(Field, Vec<ArrayRef>); 1] = columns
            .try_into()
            .map_err(|_| "cnid: takes one column".to_owned())?;
        let declared = output(field.name(), field.data_type())?;
        let mut out: Vec<ArrayRef> = Vec::with_capacity(chunks.len());
        for chunk in &chunks {
            for start in (0..chunk.len().max(1)).step_by(kernel::MAX_ROWS) {
                let part = chunk.slice(start, kernel::MAX_ROWS.min(chunk.len() - start));
                let threads = if parallel {
                    1
                } else {
                    threads.min(part.len() / PART_ROWS).max(1)
                };
                out.extend(each(part.as_ref(), &resolver, threads)?);
            }
        }
        // The arrays' own type goes with them (the one declared, as the tests check): a
        // schema that did not match its arrays would have Polars misread their buffers.
        let ty = out.first().map_or(declared.data_type(), |a| a.data_type());
        if out.iter().any(|a| a.data_type() != ty) {
            return Err("cnid: chunks of different types".to_owned());
        }
        export(&Field::new(declared.name(), ty.clone(), true), &out)
    }));
    match result {
        // SAFETY: `return_value` is Polars' empty column to fill.
        Ok(Ok(export)) => unsafe { std::ptr::write(return_value, export) },
        Ok(Err(msg)) => set_error(&msg),
        Err(_) => set_error("cnid: the plugin panicked"),
    }
}

/// The status column's field for an input column `name` of type `input`.
fn status_field(name: &str, input: &DataType) -> Result<Field, String> {
    keys_field(name, input).map(|_| Field::new(name, DataType::Utf8View, true))
}

/// The struct field of the kernel's keys for an input column `name` of type `input`.
fn keys_field(name: &str, input: &DataType) -> Result<Field, String> {
    let ty = kernel::data_type(KEYS, input)
        .ok_or_else(|| format!("cnid: takes a column of strings, found {input}"))?;
    Ok(Field::new(name, ty, true))
}

/// The columns of `inputs` as (field, chunks), taking their arrays over and releasing
/// the exports.
///
/// # Safety
/// `inputs` points to `len` valid exports.
unsafe fn take_inputs(
    inputs: *mut SeriesExport,
    len: usize,
) -> Result<Vec<(Field, Vec<ArrayRef>)>, String> {
    let mut columns = Vec::with_capacity(len);
    let mut error = None;
    for i in 0..len {
        // SAFETY: `inputs` has `len` exports.
        let export = unsafe { &mut *inputs.add(i) };
        if error.is_none() {
            // SAFETY: a valid export's field and `export.len` array pointers; each array
            // is moved out (an empty one is left), so releasing the export frees only
            // its own boxes.
            match unsafe { take_column(export) } {
                Ok(column) => columns.push(column),
                Err(e) => error = Some(e),
            }
        }
        if let Some(release) = export.release {
            // SAFETY: the export's own release callback, called once.
            unsafe { release(export) };
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(columns),
    }
}

/// # Safety
/// `export` is valid and not yet released.
unsafe fn take_column(export: &SeriesExport) -> Result<(Field, Vec<ArrayRef>), String> {
    if export.field.is_null() {
        return Err("cnid: a column without a field".to_owned());
    }
    // SAFETY: a valid export has a valid field.
    let schema = unsafe { &*export.field };
    let field = Field::try_from(schema).map_err(|e| format!("cnid: {e}"))?;
    let pointers: &[*mut FFI_ArrowArray] = if export.len == 0 {
        &[]
    } else {
        // SAFETY: `export.len` array pointers.
        unsafe { std::slice::from_raw_parts(export.arrays, export.len) }
    };
    let mut chunks = Vec::with_capacity(pointers.len());
    for &ptr in pointers {
        // SAFETY: each pointer is a valid array of the field's type; `from_raw` moves it
        // out and leaves a released one behind.
        let array = unsafe { FFI_ArrowArray::from_raw(ptr) };
        if field.data_type() == &DataType::Null {
            // Polars gives a column of nulls a buffer that the C data interface does not
            // have for the null type: only its length matters.
            chunks.push(Arc::new(NullArray::new(array.len())) as ArrayRef);
            continue;
        }
        // SAFETY: as above.
        let data = unsafe { from_ffi(array, schema) }
            .map_err(|e| format!("cnid: cannot import the column: {e}"))?;
        chunks.push(make_array(data));
    }
    Ok((field, chunks))
}

/// `today` (empty: today's date in China) and the thread count from `{"cnid":
/// "<today>;<threads>"}` pickled (protocol 5) as `cnid.polars` writes it.
fn arguments(kwargs: &[u8]) -> Result<(Resolver, usize), String> {
    let bad = || "cnid: cannot read the plugin's arguments".to_owned();
    // The string follows its key: SHORT_BINUNICODE "cnid", MEMOIZE, SHORT_BINUNICODE.
    const KEY: &[u8] = b"\x8c\x04cnid\x94\x8c";
    let at = kwargs
        .windows(KEY.len())
        .position(|w| w == KEY)
        .ok_or_else(bad)?
        + KEY.len();
    let len = usize::from(*kwargs.get(at).ok_or_else(bad)?);
    let text = kwargs.get(at + 1..at + 1 + len).ok_or_else(bad)?;
    let text = std::str::from_utf8(text).map_err(|_| bad())?;
    let (today, threads) = text.split_once(';').ok_or_else(bad)?;
    let threads: usize = threads.parse().map_err(|_| bad())?;
    let resolver = if today.is_empty() {
        Resolver::new()
    } else {
        let date = NaiveDate::parse_from_str(today, "%Y-%m-%d").map_err(|_| bad())?;
        if date > kernel::latest_today() {
            // Said here in Polars' terms: the kernel's own error names resolve_arrow's
            // remedy (dictionary=False), which Polars has no use for.
            return Err(format!(
                "cnid: today must be {} or earlier",
                kernel::latest_today()
            ));
        }
        Resolver::new().with_today(date)
    };
    Ok((resolver, threads.max(1)))
}

/// What [`export`] hands over with the column, freed by [`release`].
struct Private {
    schema: Box<FFI_ArrowSchema>,
    arrays: Vec<*mut FFI_ArrowArray>,
}

/// The answer as a column for Polars: one array per chunk.
fn export(field: &Field, chunks: &[ArrayRef]) -> Result<SeriesExport, String> {
    let schema = Box::new(FFI_ArrowSchema::try_from(field).map_err(|e| format!("cnid: {e}"))?);
    let arrays: Vec<*mut FFI_ArrowArray> = chunks
        .iter()
        .map(|c| Box::into_raw(Box::new(FFI_ArrowArray::new(&c.to_data()))))
        .collect();
    let mut private = Box::new(Private { schema, arrays });
    let field_ptr = std::ptr::from_mut(private.schema.as_mut());
    let arrays_ptr = private.arrays.as_mut_ptr();
    let len = private.arrays.len();
    Ok(SeriesExport {
        field: field_ptr,
        arrays: arrays_ptr,
        len,
        release: Some(release),
        private_data: Box::into_raw(private).cast::<c_void>(),
    })
}

/// Frees what [`export`] allocated. Polars has moved the arrays out by then (a bitwise
/// copy), so their boxes are freed without dropping what they held.
unsafe extern "C" fn release(e: *mut SeriesExport) {
    // SAFETY: Polars passes the export it received from `export`, once.
    let Some(e) = (unsafe { e.as_mut() }) else {
        return;
    };
    if e.private_data.is_null() {
        return;
    }
    // SAFETY: `private_data` is the `Private` that `export` leaked.
    let private = unsafe { Box::from_raw(e.private_data.cast::<Private>()) };
    for &ptr in &private.arrays {
        // SAFETY: each pointer came from `Box::into_raw` in `export`.
        drop(unsafe { Box::from_raw(ptr.cast::<ManuallyDrop<FFI_ArrowArray>>()) });
    }
    e.private_data = std::ptr::null_mut();
    e.release = None;
}
