//! The Arrow C data interface through PyCapsules: an array in from any object with
//! `__arrow_c_array__` (pyarrow, Polars, DuckDB, nanoarrow …), an array out as an object
//! with the same method.
//!
//! The only `unsafe` of the crate: the interface hands over raw pointers to C structs in
//! capsules, and taking them is what the interface specifies.

use std::ffi::CStr;
use std::sync::Mutex;

use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{make_array, Array, ArrayRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// The array behind `obj.__arrow_c_array__()`, without copying its buffers.
pub fn import_array(obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    if !obj.hasattr("__arrow_c_array__")? {
        return Err(PyTypeError::new_err(
            "expected an Arrow array (an object with __arrow_c_array__, such as a pyarrow.Array)",
        ));
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>()?;
    let schema = pair.get_item(0)?;
    let schema = schema.cast::<PyCapsule>()?;
    let array = pair.get_item(1)?;
    let array = array.cast::<PyCapsule>()?;
    let schema_ptr = schema.pointer_checked(Some(SCHEMA))?;
    let array_ptr = array.pointer_checked(Some(ARRAY))?;
    // SAFETY: the capsules are named as the Arrow PyCapsule interface specifies, so they
    // point to a valid ArrowSchema and ArrowArray. The array is moved out (its release
    // callback is then ours, and the capsule's destructor sees it released); the schema
    // is only borrowed for the duration of the import.
    let data = unsafe {
        let ffi_array = FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast::<FFI_ArrowArray>());
        let ffi_schema = &*schema_ptr.as_ptr().cast::<FFI_ArrowSchema>();
        from_ffi(ffi_array, ffi_schema)
    }
    .map_err(|e| PyValueError::new_err(format!("cannot import the Arrow array: {e}")))?;
    Ok(make_array(data))
}

/// An answer exported through the Arrow PyCapsule interface: `pyarrow.array(x)`,
/// `polars.Series(x)` and others take it without copying. Exported once.
#[pyclass(module = "cnid", frozen)]
pub struct Exported {
    parts: Mutex<Option<(FFI_ArrowSchema, FFI_ArrowArray)>>,
    len: usize,
}

impl Exported {
    pub fn new(array: &dyn Array) -> PyResult<Exported> {
        let (ffi_array, ffi_schema) = to_ffi(&array.to_data())
            .map_err(|e| PyValueError::new_err(format!("cannot export the answer: {e}")))?;
        Ok(Exported {
            parts: Mutex::new(Some((ffi_schema, ffi_array))),
            len: array.len(),
        })
    }
}

#[pymethods]
impl Exported {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let (schema, array) = self
            .parts
            .lock()
            .map_err(|_| PyValueError::new_err("poisoned"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("this answer was exported already"))?;
        Ok((
            PyCapsule::new_with_value(py, schema, SCHEMA)?,
            PyCapsule::new_with_value(py, array, ARRAY)?,
        ))
    }

    fn __len__(&self) -> usize {
        self.len
    }
}
