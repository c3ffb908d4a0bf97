//! Node.js bindings for `proxmox-api-core`, built with napi-rs.
//!
//! The binding is thin: it converts JavaScript arguments into core types, calls the core client on
//! napi's tokio runtime and converts the results back. It never builds HTTP paths, retries or polls;
//! all of that lives in the core. Errors become JavaScript `Error` objects whose `code` is
//! `PROXMOX_<CORE CODE>` (see the `js_error` module).
//!
//! Nothing is re-exported: this crate is a `cdylib` whose API is the JavaScript one, registered
//! by the `#[napi]` attributes and described by the generated `index.d.ts`.

mod client;
mod domains;
mod js_error;
mod login;
mod models;
mod outcome;
mod params;
