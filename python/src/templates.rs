//! Templates of `lookup`'s `result` dict: one per region of the table and one per status
//! without a region, made on first use and copied for each answer.

use std::collections::HashMap;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

use cnid::wire::Fields;
use cnid::Status;

static BY_CODE: PyOnceLock<Mutex<HashMap<u32, Py<PyDict>>>> = PyOnceLock::new();
static BY_STATUS: PyOnceLock<Mutex<HashMap<Status, Py<PyDict>>>> = PyOnceLock::new();

/// A fresh `result` dict for `fields`, every key in the web API's order; `idcard`, `born`
/// and `sex` hold the template's values (empty) and are the caller's to set.
pub fn result<'py>(py: Python<'py>, fields: &Fields<'_>) -> PyResult<Bound<'py, PyDict>> {
    let code = (fields.status() == Status::AlreadyAtt && !fields.att().is_empty())
        .then(|| fields.par().parse::<u32>().ok())
        .flatten();
    let template = match code {
        Some(code) => cached(py, &BY_CODE, code, fields)?,
        None => cached(py, &BY_STATUS, fields.status(), fields)?,
    };
    template.bind(py).copy()
}

fn cached<K: std::hash::Hash + Eq + Copy>(
    py: Python<'_>,
    cell: &PyOnceLock<Mutex<HashMap<K, Py<PyDict>>>>,
    key: K,
    fields: &Fields<'_>,
) -> PyResult<Py<PyDict>> {
    let map = cell.get_or_init(py, || Mutex::new(HashMap::new()));
    if let Some(t) = map
        .lock()
        .ok()
        .and_then(|m| m.get(&key).map(|t| t.clone_ref(py)))
    {
        return Ok(t);
    }
    let t = make(py, fields)?.unbind();
    if let Ok(mut m) = map.lock() {
        m.insert(key, t.clone_ref(py));
    }
    Ok(t)
}

/// The template: every field of `fields`, with `idcard`, `born` and `sex` empty.
fn make<'py>(py: Python<'py>, fields: &Fields<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in fields.pairs() {
        let v = if matches!(k, "idcard" | "born" | "sex") {
            ""
        } else {
            v
        };
        d.set_item(PyString::intern(py, k), PyString::intern(py, v))?;
    }
    Ok(d)
}
