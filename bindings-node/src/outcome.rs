//! The bridge that lets an `async fn` reject its Promise with a rich JavaScript error.
//!
//! napi-rs turns an `Err(napi::Error)` coming out of a future into a plain `Error` with only `code`
//! and `message`, because the future runs on a tokio thread where no JavaScript value can be
//! created. [`Outcome`] instead carries the core's `Result` back to the JavaScript thread unchanged;
//! its conversion to a JavaScript value runs there, builds the error object (an instance of the
//! package's `ProxmoxError` subclass for the code) and hands it to napi as the rejection value.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, Status, ValueType};

use crate::js_error;

/// Why a call did not produce a value.
#[derive(Debug)]
pub enum Failure {
    /// The core's error, surfaced as a `ProxmoxError` subclass.
    Core(proxmox_api_core::Error),
    /// The caller's `AbortSignal` fired; the entry point has already rejected with its reason.
    Aborted,
}

impl From<proxmox_api_core::Error> for Failure {
    fn from(error: proxmox_api_core::Error) -> Self {
        Failure::Core(error)
    }
}

/// The result of a core call, converted to a resolved value or a rejected `Error` on the
/// JavaScript thread.
pub struct Outcome<T>(pub Result<T, Failure>);

impl<T, E: Into<Failure>> From<Result<T, E>> for Outcome<T> {
    fn from(result: Result<T, E>) -> Self {
        Outcome(result.map_err(Into::into))
    }
}

impl<T: TypeName> TypeName for Outcome<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }

    fn value_type() -> ValueType {
        T::value_type()
    }
}

/// The napi error that makes napi throw (or reject with) the JavaScript error for `failure`.
pub fn to_napi_error(env: &Env, failure: &Failure) -> napi::Error {
    match failure {
        Failure::Core(error) => js_error::to_napi_error(env, error),
        Failure::Aborted => napi::Error::new(Status::Cancelled, "the operation was aborted"),
    }
}

// SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the current
// call, which is exactly what `Env::from_raw` and the inner `to_napi_value` require.
#[allow(unsafe_code)]
impl<T: ToNapiValue> ToNapiValue for Outcome<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            // An `Err` here makes napi reject the Promise (or throw) with the very object we built.
            Err(failure) => Err(to_napi_error(&unsafe { Env::from_raw(env) }, &failure)),
        }
    }
}
