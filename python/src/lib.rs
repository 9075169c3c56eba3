//! cnid for Python: the `cnid._cnid` extension module behind the `cnid` package.
//!
//! `unsafe` is needed in two places, both C interfaces made of raw structs: the Arrow C
//! data interface through PyCapsules (`ffi.rs`) and Polars' expression-plugin interface
//! (`plugin.rs`). The rest is safe code.

#![deny(unsafe_op_in_unsafe_fn)]

mod ffi;
pub mod kernel;
mod plugin;
mod templates;

use chrono::{Datelike, NaiveDate};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use cnid::wire::Fields;
use cnid::{IdNumber, Resolver};

/// A resolver with `today` (a `datetime.date`, an ISO `YYYY-MM-DD` string, or `None` for
/// today's date in China) as the latest allowed birth date.
fn resolver(today: Option<&Bound<'_, PyAny>>) -> PyResult<Resolver> {
    match today {
        None => Ok(Resolver::new()),
        Some(t) if t.is_none() => Ok(Resolver::new()),
        Some(t) => Ok(Resolver::new().with_today(date_of(t)?)),
    }
}

fn date_of(t: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if let Ok(s) = t.extract::<String>() {
        return NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            PyValueError::new_err(format!("today: expected YYYY-MM-DD, found {s:?}"))
        });
    }
    let part = |name: &str| -> PyResult<u32> {
        t.getattr(name)
            .and_then(|v| v.extract::<u32>())
            .map_err(|_| {
                PyTypeError::new_err("today: expected a datetime.date or a YYYY-MM-DD string")
            })
    };
    let (y, m, d) = (part("year")?, part("month")?, part("day")?);
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .ok_or_else(|| PyValueError::new_err("today: not a calendar date"))
}

fn py_date<'py>(py: Python<'py>, d: NaiveDate) -> PyResult<Bound<'py, PyAny>> {
    py.import("datetime")?
        .getattr("date")?
        .call1((d.year(), d.month(), d.day()))
}

/// The web API's answer for one number, as `json.loads` gives `cnid lookup`'s line:
/// `{"success": "1", "result": {"status": …, "idcard": …, …}}`.
///
/// The `result` dict is a copy of a template made once per region (and once per status
/// without a region) with every field that does not depend on the number filled in: a
/// call builds only `idcard`, `born` and `sex`. Twice as fast as building every field.
#[pyfunction]
#[pyo3(signature = (idcard, today=None))]
fn lookup<'py>(
    py: Python<'py>,
    idcard: &Bound<'py, PyString>,
    today: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let text = idcard.to_cow()?;
    let resolution = resolver(today)?.resolve(&text);
    let fields = Fields::new(&resolution, &text);
    let result = templates::result(py, &fields)?;
    let trimmed = fields.idcard();
    if trimmed.len() == text.len() {
        result.set_item(pyo3::intern!(py, "idcard"), idcard)?;
    } else {
        result.set_item(pyo3::intern!(py, "idcard"), trimmed)?;
    }
    if fields.status() == cnid::Status::AlreadyAtt {
        result.set_item(pyo3::intern!(py, "born"), fields.born().as_str())?;
        let sex = if fields.sex() == "男" {
            pyo3::intern!(py, "男")
        } else {
            pyo3::intern!(py, "女")
        };
        result.set_item(pyo3::intern!(py, "sex"), sex)?;
    }
    let answer = PyDict::new(py);
    answer.set_item(pyo3::intern!(py, "success"), pyo3::intern!(py, "1"))?;
    answer.set_item(pyo3::intern!(py, "result"), result)?;
    Ok(answer)
}

/// A region of the built-in table (or `None` on an ID card whose code is unknown).
#[pyclass(module = "cnid", frozen, get_all)]
#[derive(Clone)]
struct Region {
    /// The 6-digit code.
    code: String,
    /// The latest name of the code.
    name: String,
    /// `att`: province, prefecture, county of the code's era, joined by spaces.
    att: String,
    postno: String,
    areano: String,
    style_simcall: String,
    style_citynm: String,
    /// Whether the code is in use today.
    current: Option<bool>,
}

#[pymethods]
impl Region {
    fn __repr__(&self) -> String {
        format!("Region(code={:?}, att={:?})", self.code, self.att)
    }
}

impl From<&cnid::Region> for Region {
    fn from(r: &cnid::Region) -> Region {
        Region {
            code: format!("{:06}", r.code()),
            name: r.name().to_owned(),
            att: r.att().to_owned(),
            postno: r.postno().to_owned(),
            areano: r.areano().to_owned(),
            style_simcall: r.style_simcall().to_owned(),
            style_citynm: r.style_citynm().to_owned(),
            current: r.is_current(),
        }
    }
}

/// A valid resident ID number, parsed. `repr` shows it masked.
#[pyclass(module = "cnid", frozen)]
struct IdCard {
    number: IdNumber,
    region: Option<Region>,
    /// The status the web API would answer: `ALREADY_ATT` or `NOT_ATT`.
    #[pyo3(get)]
    status: &'static str,
}

#[pymethods]
impl IdCard {
    /// The 18-character form (a 15-digit number comes upgraded).
    #[getter]
    fn number(&self) -> &str {
        self.number.as_str()
    }
    /// The birth date, a `datetime.date`.
    #[getter]
    fn birth_date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.number.birth_date())
    }
    /// `"male"` or `"female"`.
    #[getter]
    fn sex(&self) -> String {
        self.number.sex().to_string()
    }
    /// `"男"` or `"女"`, as the web API writes it.
    #[getter]
    fn sex_chinese(&self) -> &'static str {
        self.number.sex().as_chinese()
    }
    /// The 6-digit region code (`par`).
    #[getter]
    fn region_code(&self) -> &str {
        self.number.region_prefix()
    }
    /// The region, or `None` when the table does not know the code (`NOT_ATT`).
    #[getter]
    fn region(&self) -> Option<Region> {
        self.region.clone()
    }
    /// The number with its middle digits hidden: `110101********1114`.
    #[getter]
    fn masked(&self) -> String {
        self.number.masked()
    }
    /// Age in full years (周岁) today (date in China), or on `on` (a `datetime.date`), by the
    /// legal rule the library's `age_on` follows: a year is full the day after the birthday.
    #[pyo3(signature = (on=None))]
    fn age(&self, on: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u32>> {
        match on {
            Some(d) if !d.is_none() => Ok(self.number.age_on(date_of(d)?)),
            _ => Ok(self.number.age()),
        }
    }
    /// Whether it was given in the 15-digit first-generation form.
    #[getter]
    fn first_generation(&self) -> bool {
        self.number.is_first_generation()
    }
    fn __str__(&self) -> String {
        self.number.masked()
    }
    fn __repr__(&self) -> String {
        format!("IdCard({:?})", self.number.masked())
    }
}

/// Parses one number; `ValueError` with the reason if it is not valid.
#[pyfunction]
#[pyo3(signature = (idcard, today=None))]
fn parse(idcard: &str, today: Option<&Bound<'_, PyAny>>) -> PyResult<IdCard> {
    let resolution = resolver(today)?.resolve(idcard);
    match (resolution.number(), resolution.error()) {
        (Some(n), _) => Ok(IdCard {
            number: *n,
            region: resolution.region().map(Region::from),
            status: resolution.status().as_str(),
        }),
        (None, Some(e)) => Err(PyValueError::new_err(e.to_string())),
        (None, None) => Err(PyValueError::new_err("not a valid number")),
    }
}

/// Hides the middle of an ID-like string: `110101********1114`.
#[pyfunction]
fn mask(s: &str) -> String {
    cnid::mask(s)
}

/// `count` valid synthetic numbers (random region in use today unless `region` is a
/// 6-digit code of the table; birth dates 1950-01-01 to today); the same `seed` gives the
/// same numbers.
#[pyfunction]
#[pyo3(signature = (count, seed=None, region=None))]
fn generate(count: usize, seed: Option<u64>, region: Option<&str>) -> PyResult<Vec<String>> {
    let codes: Vec<u32> = match region {
        Some(r) => {
            let code = r
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|_| r.trim().len() == 6)
                .ok_or_else(|| {
                    PyValueError::new_err(format!("region: expected 6 digits, found {r:?}"))
                })?;
            if cnid::Region::lookup(code).is_none() {
                return Err(PyValueError::new_err(format!(
                    "region: no such code in the table: {code:06}"
                )));
            }
            vec![code]
        }
        None => cnid::Region::all()
            .filter(|r| {
                r.level() == Some(cnid::Level::County)
                    && r.is_current() == Some(true)
                    && !r.is_placeholder()
            })
            .map(|r| r.code())
            .collect(),
    };
    let mut x = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    }) | 1;
    let mut next = move |n: u64| {
        // xorshift64*: fast, and plenty for synthetic test data.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) % n
    };
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date");
    let days = (cnid::today() - start).num_days().max(1) as u64;
    Ok((0..count)
        .map(|_| {
            let code = codes[next(codes.len() as u64) as usize];
            let born = start + chrono::Duration::days(next(days) as i64);
            let body = format!("{code:06}{}{:03}", born.format("%Y%m%d"), next(1000));
            let check = cnid::check_character(body.as_bytes().try_into().expect("17 digits"))
                .expect("digits");
            format!("{body}{check}")
        })
        .collect())
}

/// Resolves a string array given through the Arrow PyCapsule interface
/// (`__arrow_c_array__`) without copying it, with the GIL released, on up to `threads`
/// threads; returns the answer as an object with `__arrow_c_array__` (the `cnid` package
/// makes it a `pyarrow.StructArray`).
#[pyfunction]
#[pyo3(signature = (array, today=None, dictionary=true, threads=1))]
fn resolve_arrow<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    today: Option<&Bound<'py, PyAny>>,
    dictionary: bool,
    threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let resolver = resolver(today)?;
    let input = ffi::import_array(array)?;
    let options = kernel::Options {
        dictionary,
        keys: false,
    };
    let out = py
        .detach(|| kernel::resolve(input.as_ref(), &resolver, options, threads))
        .map_err(kernel_error)?;
    Ok(Bound::new(py, ffi::Exported::new(&out)?)?.into_any())
}

/// For each field but `idcard`, the values its keys point into in the Polars plugin's
/// answer of plain keys (`resolve_keys`, see `kernel::Options::keys`), exported as an
/// Arrow string array.
#[pyfunction]
fn key_values() -> PyResult<Vec<(&'static str, ffi::Exported)>> {
    kernel::FIELDS
        .iter()
        .filter_map(|&f| kernel::values(f).map(|v| (f, v)))
        .map(|(f, v)| Ok((f, ffi::Exported::new(v.as_ref())?)))
        .collect()
}

/// Just the statuses of a string array given through the Arrow PyCapsule interface, as
/// an exported string array (see [`resolve_arrow`]).
#[pyfunction]
#[pyo3(signature = (array, today=None, dictionary=true))]
fn status_arrow(
    py: Python<'_>,
    array: &Bound<'_, PyAny>,
    today: Option<&Bound<'_, PyAny>>,
    dictionary: bool,
) -> PyResult<ffi::Exported> {
    let resolver = resolver(today)?;
    let input = ffi::import_array(array)?;
    let options = kernel::Options {
        dictionary,
        keys: false,
    };
    let out = py
        .detach(|| kernel::statuses(input.as_ref(), &resolver, options))
        .map_err(kernel_error)?;
    ffi::Exported::new(out.as_ref())
}

/// A kernel error as Python's: `TypeError` for an array that does not hold strings,
/// `ValueError` otherwise.
fn kernel_error(msg: String) -> PyErr {
    if msg.starts_with(kernel::NOT_STRINGS) {
        PyTypeError::new_err(msg)
    } else {
        PyValueError::new_err(msg)
    }
}

#[pymodule]
fn _cnid(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("DATA_VERSION", cnid::DATA_VERSION)?;
    m.add("CODE_COUNT", cnid::CODE_COUNT)?;
    m.add("FIELDS", kernel::FIELDS.to_vec())?;
    m.add("MAX_ROWS", kernel::MAX_ROWS)?;
    m.add_function(wrap_pyfunction!(lookup, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(mask, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(key_values, m)?)?;
    m.add_function(wrap_pyfunction!(status_arrow, m)?)?;
    m.add_class::<IdCard>()?;
    m.add_class::<Region>()?;
    m.add_class::<ffi::Exported>()?;
    Ok(())
}
