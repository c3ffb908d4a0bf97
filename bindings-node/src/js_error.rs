//! Core errors as JavaScript `Error` objects.
//!
//! Every error the binding hands to JavaScript is built here, on the JavaScript thread, as a real
//! `Error` (so `instanceof Error`, stack and `message` work as usual) with these extra properties:
//!
//! - `name`: `"ProxmoxError"`
//! - `code`: `PROXMOX_<CORE CODE>`, e.g. `PROXMOX_AUTHENTICATION` (the core's stable `code()`)
//! - `status`: the HTTP status, or `null` when there was no response
//! - `retrySafe`: `true` when repeating the call unchanged is safe
//! - `retrySafety`: `"safe"`, `"after_check"` or `"never"` (the core's finer classification)
//! - `sent`: whether the request may have reached the server
//! - `errors`: for `PROXMOX_INVALID_PARAMETERS` (and `PROXMOX_INVALID_INPUT`), parameter -> reason
//! - kind-specific details: `expected`/`presented` fingerprints (TLS), `upid`, `exitStatus`,
//!   `logTail` (tasks), `factors` (TFA), `path`/`privilege` (permission denied).
//!
//! The message is the core error's `Display`, which never contains secrets.

use napi::{Env, JsObject, Status};
use proxmox_api_core::error::TfaFactor;
use proxmox_api_core::{Error as CoreError, RetrySafety};

/// The prefix of every `code` this binding sets.
const CODE_PREFIX: &str = "PROXMOX_";

/// The JavaScript `code` of a core error.
pub fn js_code(error: &CoreError) -> String {
    format!("{CODE_PREFIX}{}", error.code())
}

/// Builds the JavaScript error for `error` and wraps it so napi throws or rejects with it as is.
pub fn to_napi_error(env: &Env, error: &CoreError) -> napi::Error {
    match build_error_object(env, error) {
        Ok(object) => napi::Error::from(object.into_unknown()),
        // Only reachable when the engine cannot allocate: keep the code in the message at least.
        Err(_) => napi::Error::new(
            Status::GenericFailure,
            format!("{}: {error}", js_code(error)),
        ),
    }
}

fn build_error_object(env: &Env, error: &CoreError) -> napi::Result<JsObject> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, error.to_string()))?;
    object.set_named_property("name", "ProxmoxError")?;
    object.set_named_property("code", js_code(error))?;
    object.set_named_property("status", error.status().map(u32::from))?;
    let safety = error.retry_safety();
    object.set_named_property("retrySafe", safety == RetrySafety::Safe)?;
    object.set_named_property("retrySafety", retry_safety_name(safety))?;
    object.set_named_property("sent", error.was_sent())?;
    let parameter_errors = error.parameter_errors();
    if !parameter_errors.is_empty() {
        object.set_named_property("errors", parameter_errors)?;
    }
    set_details(&mut object, error)?;
    Ok(object)
}

fn retry_safety_name(safety: RetrySafety) -> &'static str {
    match safety {
        RetrySafety::Safe => "safe",
        RetrySafety::AfterCheck => "after_check",
        RetrySafety::Never => "never",
    }
}

/// Copies the fields a caller can act on for the kinds that have them.
fn set_details(object: &mut JsObject, error: &CoreError) -> napi::Result<()> {
    match error {
        CoreError::Tls {
            expected,
            presented,
            ..
        } => {
            object.set_named_property("expected", expected.clone())?;
            object.set_named_property("presented", presented.clone())?;
        }
        CoreError::TaskFailed {
            upid,
            exit_status,
            log_tail,
        } => {
            object.set_named_property("upid", upid.as_str())?;
            object.set_named_property("exitStatus", exit_status.as_str())?;
            object.set_named_property("logTail", log_tail.clone())?;
        }
        CoreError::TaskTimeout { upid, waited_ms } => {
            object.set_named_property("upid", upid.as_str())?;
            object.set_named_property("waitedMs", *waited_ms as f64)?;
        }
        CoreError::TfaRequired { factors } => {
            let names: Vec<String> = factors.iter().map(factor_name).collect();
            object.set_named_property("factors", names)?;
        }
        CoreError::PermissionDenied {
            path, privilege, ..
        } => {
            object.set_named_property("path", path.clone())?;
            object.set_named_property("privilege", privilege.clone())?;
        }
        CoreError::Decode { path, .. } => {
            object.set_named_property("path", path.as_str())?;
        }
        _ => {}
    }
    Ok(())
}

fn factor_name(factor: &TfaFactor) -> String {
    match factor {
        TfaFactor::Totp => "totp".to_owned(),
        TfaFactor::Recovery => "recovery".to_owned(),
        TfaFactor::Yubico => "yubico".to_owned(),
        TfaFactor::Webauthn => "webauthn".to_owned(),
        TfaFactor::Other(name) => name.clone(),
        // The enum is non-exhaustive: a factor added later still gets a readable name.
        other => format!("{other:?}").to_lowercase(),
    }
}
