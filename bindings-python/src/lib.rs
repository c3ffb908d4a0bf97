//! Python bindings for proxmox-api-core: the native half of the `proxmox_api` package.
//!
//! Thin by design: the operations are generated from the one table in `proxmox-api-bindings`
//! (`faces`), results are typed mirrors of the core's models (`models`), errors are mapped by
//! their stable code (`errors`), and everything else (paths, retries, authentication, TLS,
//! polling) is the core's. The pure-Python half (`python/proxmox_api`) holds the exception
//! classes, the path builder and the testing helpers.

mod args;
mod convert;
mod errors;
mod faces;
mod models;
mod options;
mod results;
mod runtime;
#[cfg(feature = "sim")]
mod sim;
mod stubs;
mod tfa;

use pyo3::prelude::*;

/// `_native.pyi`, generated from the same declarations as the classes.
#[pyfunction]
fn _stubs() -> String {
    stubs::render()
}

/// Every table operation as `(handle, name, kind)`, for the parity tests.
#[pyfunction]
fn _operations() -> Vec<(&'static str, &'static str, &'static str)> {
    proxmox_api_bindings::OPERATIONS
        .iter()
        .map(|op| {
            let kind = match op.kind {
                proxmox_api_bindings::OpKind::Io => "io",
                proxmox_api_bindings::OpKind::Local => "local",
            };
            (op.handle, op.name, kind)
        })
        .collect()
}

/// The extension module `proxmox_api._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    faces::register(m)?;
    models::register(m)?;
    results::register(m)?;
    #[cfg(feature = "sim")]
    sim::register(m)?;
    m.add_function(wrap_pyfunction!(_stubs, m)?)?;
    m.add_function(wrap_pyfunction!(_operations, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_shutdown_runtime_at_exit, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
