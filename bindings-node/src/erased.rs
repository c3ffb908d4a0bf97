//! One spawned future type for every generated asynchronous method.
//!
//! napi-rs's `async fn` hands each method's future to tokio as its own type, and tokio
//! instantiates its whole task harness per type (for both schedulers): about a third of this
//! crate's machine code. The generated methods instead box their work into [`ErasedWork`], whose
//! result is converted on the JavaScript thread through [`Deferred`], so the spawn is compiled
//! once. The JavaScript side is unchanged: the method returns a Promise that resolves with the
//! value or rejects with the `ProxmoxError` built by [`Outcome`](crate::outcome::Outcome).

use std::future::Future;
use std::pin::Pin;

use napi::bindgen_prelude::ToNapiValue;
use napi::{sys, Env, JsObject};

/// A finished call's result, turned into a JavaScript value (or the rejection) once back on the
/// JavaScript thread.
pub struct Deferred(Box<dyn FnOnce(sys::napi_env) -> napi::Result<sys::napi_value> + Send>);

impl Deferred {
    /// Defers the conversion of `value`.
    pub fn new<T: ToNapiValue + Send + 'static>(value: T) -> Self {
        // SAFETY: the closure runs inside `to_napi_value` below, with the env napi passes there.
        #[allow(unsafe_code)]
        Deferred(Box::new(move |env| unsafe { T::to_napi_value(env, value) }))
    }
}

// SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the Promise's
// resolution, which is what the deferred conversion requires.
#[allow(unsafe_code)]
impl ToNapiValue for Deferred {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        (val.0)(env)
    }
}

/// Every generated method's work, behind one type.
pub type ErasedWork = Pin<Box<dyn Future<Output = Deferred> + Send>>;

/// Runs `work` on the shared tokio runtime and returns its Promise.
pub fn promise(env: &Env, work: ErasedWork) -> napi::Result<JsObject> {
    env.execute_tokio_future(async move { Ok(work.await) }, |_, deferred| Ok(deferred))
}
