//! Core errors as Python exceptions.
//!
//! The exception classes are plain Python (`proxmox_api/errors.py`), so they are documented,
//! typed and picklable like any other Python exception; this module only gathers the fields of a
//! core [`Error`] and asks `proxmox_api.errors._from_native` for the instance of the subclass that
//! matches [`Error::code`]. The message is the core's `Display`, which never contains secrets.

use proxmox_api_core::{Error, RetrySafety};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Converts a core error into the matching `proxmox_api` exception.
pub fn to_py_err(error: Error) -> PyErr {
    Python::with_gil(|py| match build(py, &error) {
        Ok(exception) => PyErr::from_value(exception),
        // Only if the Python half of the package is broken; still never lose the message.
        Err(_) => PyRuntimeError::new_err(format!("{}: {}", error.code(), error)),
    })
}

/// Shorthand for an `InvalidInputError` raised by the binding itself, before anything is sent.
pub fn invalid_input(parameter: &str, message: impl Into<String>) -> PyErr {
    to_py_err(Error::invalid_input(parameter, message))
}

pub fn build<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let retry_safety = match error.retry_safety() {
        RetrySafety::Safe => "safe",
        RetrySafety::AfterCheck => "after_check",
        RetrySafety::Never => "never",
    };
    let details = details(py, error)?;
    py.import("proxmox_api.errors")?
        .getattr("_from_native")?
        .call1((
            error.code(),
            error.to_string(),
            error.status(),
            retry_safety,
            error.was_sent(),
            details,
        ))
}

/// The kind-specific fields a caller can act on.
fn details<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyDict>> {
    let details = PyDict::new(py);
    let parameter_errors = error.parameter_errors();
    if !parameter_errors.is_empty() {
        details.set_item("errors", parameter_errors)?;
    }
    match error {
        Error::PermissionDenied {
            path, privilege, ..
        } => {
            details.set_item("path", path)?;
            details.set_item("privilege", privilege)?;
        }
        Error::TfaRequired { factors, .. } => {
            let names: Vec<String> = factors.iter().map(|f| f.name().to_owned()).collect();
            details.set_item("factors", names)?;
        }
        Error::Tls {
            expected,
            presented,
            ..
        } => {
            details.set_item("expected", expected)?;
            details.set_item("presented", presented)?;
        }
        Error::Decode { path, .. } => details.set_item("path", path)?,
        Error::Connect { host, .. } => details.set_item("host", host)?,
        Error::Timeout { elapsed_ms, .. } => details.set_item("elapsed_ms", elapsed_ms)?,
        Error::TaskFailed {
            upid,
            exit_status,
            log_tail,
            ..
        } => {
            details.set_item("upid", upid)?;
            details.set_item("exit_status", exit_status)?;
            details.set_item("log_tail", log_tail)?;
        }
        Error::TaskTimeout {
            upid, waited_ms, ..
        } => {
            details.set_item("upid", upid)?;
            details.set_item("waited_ms", waited_ms)?;
        }
        _ => {}
    }
    Ok(details)
}
