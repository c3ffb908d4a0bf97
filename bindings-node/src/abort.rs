//! Cancellation from JavaScript's `AbortSignal`.
//!
//! The package's entry point turns the caller's `AbortSignal` into an [`AbortToken`] (one
//! `addEventListener('abort', ...)` that it removes again when the call settles) and passes the
//! token where the native signature says `signal`. Aborting drops the core's future, which closes
//! the HTTP request; the entry point has already rejected with `signal.reason`, as `fetch` does.

use std::future::Future;

use napi::bindgen_prelude::{FromNapiRef, FromNapiValue, TypeName, ValidateNapiValue};
use napi::{sys, ValueType};
use napi_derive::napi;
use tokio::sync::watch;

use crate::outcome::Failure;

/// The native side of an `AbortSignal`; made by the package's entry point, not by users.
#[napi]
pub struct AbortToken {
    aborted: watch::Sender<bool>,
}

#[napi]
impl AbortToken {
    /// A token that is not aborted yet.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        AbortToken {
            aborted: watch::Sender::new(false),
        }
    }

    /// Cancels every call this token was given to.
    #[napi]
    pub fn abort(&self) {
        self.aborted.send_replace(true);
    }
}

/// A method's optional cancellation argument: an [`AbortToken`] passed by the entry point.
/// Declared as `AbortSignal` in the typings because that is what callers pass.
pub struct AbortSignal(watch::Receiver<bool>);

impl AbortSignal {
    async fn aborted(mut self) {
        // An `Err` means the token was garbage-collected without aborting: never resolve.
        if self.0.wait_for(|aborted| *aborted).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl TypeName for AbortSignal {
    fn type_name() -> &'static str {
        "AbortSignal"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for AbortSignal {}

// SAFETY: napi calls `from_napi_value` on the JavaScript thread with the current call's `env`,
// which is what `from_napi_ref` requires; the reference is only read here, not kept.
#[allow(unsafe_code)]
impl FromNapiValue for AbortSignal {
    unsafe fn from_napi_value(env: sys::napi_env, napi_val: sys::napi_value) -> napi::Result<Self> {
        let token = unsafe { AbortToken::from_napi_ref(env, napi_val) }.map_err(|_| {
            napi::Error::from_reason(
                "signal: pass an AbortSignal (the native AbortToken is made by the package's entry point)",
            )
        })?;
        Ok(AbortSignal(token.aborted.subscribe()))
    }
}

/// Runs `work`, giving up (and dropping it) as soon as `signal` aborts.
pub async fn abortable<T, E: Into<Failure>>(
    signal: Option<AbortSignal>,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match signal {
        None => work.await.map_err(Into::into),
        Some(signal) => {
            tokio::select! {
                biased;
                () = signal.aborted() => Err(Failure::Aborted),
                result = work => result.map_err(Into::into),
            }
        }
    }
}
