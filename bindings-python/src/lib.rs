//! Python bindings for proxmox-api-core: the native half of the `proxmox_api` package.
//!
//! Thin by design: arguments and results are converted, errors are mapped by their stable code,
//! and everything else (paths, retries, authentication, TLS) is the core's. The pure-Python half
//! (`python/proxmox_api`) holds the exception classes and the type stubs.

mod client;
mod convert;
mod errors;
mod ops;
mod options;
mod runtime;

use pyo3::prelude::*;

/// The extension module `proxmox_api._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
