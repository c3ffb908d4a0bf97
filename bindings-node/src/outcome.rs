//! The bridge that lets an `async fn` reject its Promise with a rich JavaScript error.
//!
//! napi-rs turns an `Err(napi::Error)` coming out of a future into a plain `Error` with only `code`
//! and `message`, because the future runs on a tokio thread where no JavaScript value can be
//! created. [`Outcome`] instead carries the core's `Result` back to the JavaScript thread unchanged;
//! its conversion to a JavaScript value runs there, builds the full error object (`code`, `status`,
//! `retrySafe`, `sent`, `errors`, ...) and hands it to napi as the rejection value.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, ValueType};

use crate::js_error;

/// The result of a core call, converted to a resolved value or a rejected `Error` on the
/// JavaScript thread.
pub struct Outcome<T>(pub Result<T, proxmox_api_core::Error>);

impl<T> From<Result<T, proxmox_api_core::Error>> for Outcome<T> {
    fn from(result: Result<T, proxmox_api_core::Error>) -> Self {
        Outcome(result)
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

// SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the current
// call, which is exactly what `Env::from_raw` and the inner `to_napi_value` require.
#[allow(unsafe_code)]
impl<T: ToNapiValue> ToNapiValue for Outcome<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            // An `Err` here makes napi reject the Promise (or throw) with the very object we built.
            Err(error) => Err(js_error::to_napi_error(
                &unsafe { Env::from_raw(env) },
                &error,
            )),
        }
    }
}
