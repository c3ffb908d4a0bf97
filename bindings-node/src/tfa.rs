//! Two-factor logins: the constructor's `otp` (one code) or `onTfa` (a JavaScript callback asked
//! for a code whenever the server wants a second factor), as a core `TfaProvider`. The login
//! itself (the two `/access/ticket` calls) is the core's; this file only converts.

use async_trait::async_trait;
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::{ThreadSafeCallContext, ThreadsafeFunction};
use napi::{Env, JsFunction};
use napi_derive::napi;
use proxmox_api_core::{Error, TfaFactor, TfaProvider, TfaResponse};

/// What `onTfa` is called with.
#[napi(object, object_from_js = false)]
pub struct TfaChallenge {
    /// The user logging in, e.g. `alice@pve`.
    pub userid: String,
    /// The second factors the server offered (`totp`, `recovery`, `yubico`, `webauthn`).
    pub factors: Vec<String>,
}

/// Calls the user's `onTfa(challenge)` as `(error, challenge)` (a threadsafe function's calling
/// convention) and always returns a Promise, so that a synchronous throw, a plain string and a
/// Promise all arrive in Rust the same way and none of them can abort the process. Anything but a
/// function is refused (`null`) when the client is created, not at the first login.
const ADAPTER: &str = "(function (onTfa) {
  if (typeof onTfa !== 'function') return null
  return function (_error, challenge) {
    return Promise.resolve().then(function () { return onTfa(challenge) })
  }
})";

/// The `onTfa` callback, called on the JavaScript thread from the login running on a tokio
/// thread; its Promise is awaited there, without blocking either thread.
pub struct Callback(ThreadsafeFunction<TfaChallenge>);

impl Callback {
    /// Wraps `on_tfa` (on the JavaScript thread, in the constructor). The function does not keep
    /// the process alive: a client nobody uses any more must not hold Node's event loop open.
    pub fn new(env: &Env, on_tfa: &JsFunction) -> napi::Result<Self> {
        let adapter: JsFunction = env.run_script(ADAPTER)?;
        let adapted: JsFunction = adapter.call(None, &[on_tfa])?.try_into()?;
        let mut function = env.create_threadsafe_function(
            &adapted,
            0,
            |ctx: ThreadSafeCallContext<TfaChallenge>| Ok(vec![ctx.value]),
        )?;
        function.unref(env)?;
        Ok(Callback(function))
    }
}

#[async_trait]
impl TfaProvider for Callback {
    async fn second_factor(
        &self,
        userid: &str,
        factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error> {
        let challenge = TfaChallenge {
            userid: userid.to_owned(),
            factors: factors.iter().map(|f| f.name().to_owned()).collect(),
        };
        // Whatever the callback threw or rejected with is dropped unread: it may quote the code.
        let answer = match self.0.call_async::<Promise<String>>(Ok(challenge)).await {
            Ok(promise) => promise.await.ok(),
            Err(_) => None,
        };
        match answer {
            Some(code) => Ok(TfaResponse::totp(code)),
            None => Err(Error::invalid_input(
                "onTfa",
                "the callback threw, rejected, or did not resolve to a string code",
            )),
        }
    }
}
