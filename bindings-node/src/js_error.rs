//! Core errors as JavaScript `Error` objects.
//!
//! Every error the binding hands to JavaScript is built here, on the JavaScript thread. The
//! package's entry point registers a factory (`registerErrorFactory`) that turns the properties of
//! [`ErrorProperties`] into an instance of the `ProxmoxError` subclass for the code, so that
//! `instanceof` works both for rejections and for errors inside results (per-node failures).
//! Without a factory (the bare addon) a plain `Error` with the same properties is built.
//! The message is the core error's `Display`, which never contains secrets.

use std::collections::HashMap;

use napi::{Env, JsFunction, JsObject, JsUnknown, Status};
use napi_derive::napi;
use proxmox_api_core::{Error as CoreError, RetrySafety};

use crate::instance::Instance;

/// What every error from this package carries besides being an `Error`: `catch (e) { if
/// (e.code === 'PROXMOX_AUTHENTICATION') ... }`. Kind-specific fields are absent when they do not
/// apply.
#[napi(object, object_from_js = false, js_name = "ProxmoxErrorFields")]
pub struct ErrorProperties {
    /// The class name, e.g. `NotFoundError`.
    pub name: String,
    /// What went wrong, in words (never contains secrets).
    pub message: String,
    /// `PROXMOX_` followed by the core's stable error code.
    #[napi(
        ts_type = "'PROXMOX_INVALID_INPUT' | 'PROXMOX_AUTHENTICATION' | 'PROXMOX_TFA_REQUIRED' | 'PROXMOX_PERMISSION_DENIED' | 'PROXMOX_NOT_FOUND' | 'PROXMOX_INVALID_PARAMETERS' | 'PROXMOX_CONFLICT' | 'PROXMOX_NODE_UNREACHABLE' | 'PROXMOX_API' | 'PROXMOX_CONNECT' | 'PROXMOX_TIMEOUT' | 'PROXMOX_TLS' | 'PROXMOX_DECODE' | 'PROXMOX_TASK_FAILED' | 'PROXMOX_TASK_TIMEOUT'"
    )]
    pub code: String,
    /// The HTTP status, or `null` when no response came back.
    #[napi(ts_type = "number | null")]
    pub status: Option<u32>,
    /// `true` when repeating the same call unchanged is safe.
    pub retry_safe: bool,
    /// `safe`; `after_check` (may help later, but a write may already have happened); `never`.
    #[napi(ts_type = "'safe' | 'after_check' | 'never'")]
    pub retry_safety: String,
    /// Whether the request may have reached the server.
    pub sent: bool,
    /// Parameter name -> reason, for `PROXMOX_INVALID_PARAMETERS` (PVE's 400) and
    /// `PROXMOX_INVALID_INPUT` (refused before sending).
    pub errors: Option<HashMap<String, String>>,
    /// `PROXMOX_TLS`: the pinned fingerprints that were expected.
    pub expected: Option<Vec<String>>,
    /// `PROXMOX_TLS`: the fingerprint the server presented, when one was seen.
    pub presented: Option<String>,
    /// `PROXMOX_TASK_FAILED` / `PROXMOX_TASK_TIMEOUT`: the task's UPID.
    pub upid: Option<String>,
    /// `PROXMOX_TASK_FAILED`: PVE's exit status text.
    pub exit_status: Option<String>,
    /// `PROXMOX_TASK_FAILED`: the last lines of the task log.
    pub log_tail: Option<Vec<String>>,
    /// `PROXMOX_TASK_TIMEOUT`: how long was waited, in milliseconds.
    pub waited_ms: Option<f64>,
    /// `PROXMOX_TFA_REQUIRED`: the second factors the server offered (`totp`, `recovery`, ...).
    pub factors: Option<Vec<String>>,
    /// `PROXMOX_PERMISSION_DENIED`: the ACL path; `PROXMOX_DECODE`: the JSON path of the failure.
    pub path: Option<String>,
    /// `PROXMOX_PERMISSION_DENIED`: the missing privilege.
    pub privilege: Option<String>,
}

impl ErrorProperties {
    /// Everything JavaScript gets to know about `error`.
    pub fn of(error: &CoreError) -> Self {
        let safety = error.retry_safety();
        let parameter_errors = error.parameter_errors();
        let mut properties = ErrorProperties {
            name: class_name(error.code()),
            message: error.to_string(),
            code: js_code(error),
            status: error.status().map(u32::from),
            retry_safe: safety == RetrySafety::Safe,
            retry_safety: retry_safety_name(safety).to_owned(),
            sent: error.was_sent(),
            errors: (!parameter_errors.is_empty()).then(|| parameter_errors.into_iter().collect()),
            expected: None,
            presented: None,
            upid: None,
            exit_status: None,
            log_tail: None,
            waited_ms: None,
            factors: None,
            path: None,
            privilege: None,
        };
        properties.add_details(error);
        properties
    }

    /// Copies the fields a caller can act on, for the kinds that have them.
    fn add_details(&mut self, error: &CoreError) {
        match error {
            CoreError::Tls {
                expected,
                presented,
                ..
            } => {
                self.expected = Some(expected.clone());
                self.presented = presented.clone();
            }
            CoreError::TaskFailed {
                upid,
                exit_status,
                log_tail,
            } => {
                self.upid = Some(upid.clone());
                self.exit_status = Some(exit_status.clone());
                self.log_tail = Some(log_tail.clone());
            }
            CoreError::TaskTimeout { upid, waited_ms } => {
                self.upid = Some(upid.clone());
                self.waited_ms = Some(*waited_ms as f64);
            }
            CoreError::TfaRequired { factors } => {
                self.factors = Some(factors.iter().map(|f| f.name().to_owned()).collect());
            }
            CoreError::PermissionDenied {
                path, privilege, ..
            } => {
                self.path = path.clone();
                self.privilege = privilege.clone();
            }
            CoreError::Decode { path, .. } => self.path = Some(path.clone()),
            _ => {}
        }
    }

    /// Sets these properties on a JavaScript object (the `Error` built for them).
    fn apply_to(self, object: &mut JsObject) -> napi::Result<()> {
        object.set_named_property("name", self.name)?;
        object.set_named_property("code", self.code)?;
        // `null` rather than absent: "no HTTP status" is an answer, not a missing field.
        object.set_named_property("status", self.status)?;
        object.set_named_property("retrySafe", self.retry_safe)?;
        object.set_named_property("retrySafety", self.retry_safety)?;
        object.set_named_property("sent", self.sent)?;
        set_if_some(object, "errors", self.errors)?;
        set_if_some(object, "expected", self.expected)?;
        set_if_some(object, "presented", self.presented)?;
        set_if_some(object, "upid", self.upid)?;
        set_if_some(object, "exitStatus", self.exit_status)?;
        set_if_some(object, "logTail", self.log_tail)?;
        set_if_some(object, "waitedMs", self.waited_ms)?;
        set_if_some(object, "factors", self.factors)?;
        set_if_some(object, "path", self.path)?;
        set_if_some(object, "privilege", self.privilege)?;
        Ok(())
    }
}

fn set_if_some<T: napi::bindgen_prelude::ToNapiValue>(
    object: &mut JsObject,
    name: &str,
    value: Option<T>,
) -> napi::Result<()> {
    match value {
        Some(value) => object.set_named_property(name, value),
        None => Ok(()),
    }
}

/// The JavaScript `code` of a core error: `PROXMOX_` + the core's stable code.
pub fn js_code(error: &CoreError) -> String {
    format!("PROXMOX_{}", error.code())
}

/// The JavaScript class name for a core code: `NOT_FOUND` -> `NotFoundError`,
/// `TIMEOUT` -> `TimeoutError`.
pub fn class_name(code: &str) -> String {
    let mut name = String::with_capacity(code.len() + 5);
    for word in code.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    name.push_str("Error");
    name
}

/// Registers `factory(properties) -> Error`, called for every error the addon hands to
/// JavaScript. The package's entry point calls this once at load time.
#[napi]
pub fn register_error_factory(env: Env, factory: JsFunction) -> napi::Result<()> {
    let reference = env.create_reference(factory)?;
    let instance = Instance::of(&env)?;
    Instance::replace(&env, &mut instance.error_factory, reference);
    Ok(())
}

/// Builds the JavaScript error object for `error` (a `ProxmoxError` subclass instance when the
/// entry point registered its factory).
pub fn to_js_error(env: &Env, error: &CoreError) -> napi::Result<JsUnknown> {
    let properties = ErrorProperties::of(error);
    let factory = Instance::of(env)?
        .error_factory
        .as_ref()
        .map(|factory| env.get_reference_value::<JsFunction>(factory))
        .transpose()?;
    match factory {
        Some(factory) => {
            let mut fields = env.create_object()?;
            fields.set_named_property("message", properties.message.clone())?;
            properties.apply_to(&mut fields)?;
            factory.call(None, &[fields])
        }
        None => {
            let mut object = env.create_error(napi::Error::new(
                Status::GenericFailure,
                properties.message.clone(),
            ))?;
            properties.apply_to(&mut object)?;
            Ok(object.into_unknown())
        }
    }
}

/// Builds the JavaScript error for `error` and wraps it so that napi throws, or rejects the
/// Promise, with that very object.
pub fn to_napi_error(env: &Env, error: &CoreError) -> napi::Error {
    match to_js_error(env, error) {
        Ok(object) => napi::Error::from(object),
        // Only reachable when the engine cannot allocate: keep the code in the message at least.
        Err(_) => napi::Error::new(
            Status::GenericFailure,
            format!("{}: {error}", js_code(error)),
        ),
    }
}

fn retry_safety_name(safety: RetrySafety) -> &'static str {
    match safety {
        RetrySafety::Safe => "safe",
        RetrySafety::AfterCheck => "after_check",
        RetrySafety::Never => "never",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proxmox_api_core::TfaFactor;

    use super::*;

    #[test]
    fn invalid_parameters_carry_the_map_and_the_400() {
        let error = CoreError::InvalidParameters {
            message: "Parameter verification failed.".to_owned(),
            errors: BTreeMap::from([(
                "vmid".to_owned(),
                "value must have a minimum value of 100".to_owned(),
            )]),
        };
        let properties = ErrorProperties::of(&error);
        assert_eq!(properties.code, "PROXMOX_INVALID_PARAMETERS");
        assert_eq!(properties.name, "InvalidParametersError");
        assert_eq!(properties.status, Some(400));
        assert!(properties.sent);
        assert!(!properties.retry_safe);
        assert_eq!(properties.retry_safety, "never");
        assert_eq!(
            properties.errors.unwrap()["vmid"],
            "value must have a minimum value of 100"
        );
        assert!(properties.message.contains("vmid"));
    }

    #[test]
    fn connect_errors_are_unsent_and_safe_to_retry() {
        let error = CoreError::Connect {
            host: "127.0.0.1:1".to_owned(),
            message: "connection refused".to_owned(),
        };
        let properties = ErrorProperties::of(&error);
        assert_eq!(properties.code, "PROXMOX_CONNECT");
        assert_eq!(properties.status, None);
        assert!(!properties.sent);
        assert!(properties.retry_safe);
        assert!(properties.errors.is_none());
    }

    #[test]
    fn tls_errors_name_both_fingerprints() {
        let error = CoreError::Tls {
            message: "pin mismatch".to_owned(),
            expected: vec!["AA:BB".to_owned()],
            presented: Some("CC:DD".to_owned()),
        };
        let properties = ErrorProperties::of(&error);
        assert_eq!(properties.code, "PROXMOX_TLS");
        assert_eq!(properties.expected.unwrap(), ["AA:BB"]);
        assert_eq!(properties.presented.as_deref(), Some("CC:DD"));
    }

    #[test]
    fn task_failures_keep_exit_status_and_log() {
        let error = CoreError::TaskFailed {
            upid: "UPID:pve1:00000001:00000002:00000003:vzstart:100:root@pam:".to_owned(),
            exit_status: "startup for container '100' failed".to_owned(),
            log_tail: vec!["TASK ERROR: startup for container '100' failed".to_owned()],
        };
        let properties = ErrorProperties::of(&error);
        assert_eq!(properties.code, "PROXMOX_TASK_FAILED");
        assert!(properties.upid.unwrap().starts_with("UPID:pve1"));
        assert_eq!(properties.log_tail.unwrap().len(), 1);
        assert!(properties.exit_status.unwrap().contains("startup"));
    }

    #[test]
    fn tfa_lists_the_factors() {
        let error = CoreError::TfaRequired {
            factors: vec![TfaFactor::Totp, TfaFactor::Recovery],
        };
        let properties = ErrorProperties::of(&error);
        assert_eq!(properties.code, "PROXMOX_TFA_REQUIRED");
        assert_eq!(properties.factors.unwrap(), ["totp", "recovery"]);
    }
}
