//! Removes the secrets a caller submitted from the server's messages before they reach an
//! [`Error`]: PVE's 400 for a bad password (or a decode error quoting a value) can echo it back.

use secrecy::ExposeSecret;

use crate::error::Error;
use crate::request::{ParamValue, Params};

/// What a submitted secret is replaced with.
const REDACTED: &str = "[REDACTED]";

/// `error` with every secret parameter value of `params` replaced in its texts.
pub(crate) fn scrub_submitted_secrets(error: Error, params: &Params) -> Error {
    let secrets: Vec<&str> = params
        .iter()
        .filter_map(|(_, value)| match value {
            ParamValue::Secret(secret) => Some(secret.expose_secret()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return error;
    }
    let clean = |text: &mut String| {
        for secret in &secrets {
            if text.contains(secret) {
                *text = text.replace(secret, REDACTED);
            }
        }
    };
    let mut error = error;
    match &mut error {
        Error::Authentication { reason: message }
        | Error::PermissionDenied { message, .. }
        | Error::NotFound { message, .. }
        | Error::Conflict { message, .. }
        | Error::NodeUnreachable { message, .. }
        | Error::Api { message, .. }
        | Error::Decode { message, .. } => clean(message),
        Error::InvalidParameters { message, errors } => {
            clean(message);
            for text in errors.values_mut() {
                clean(text);
            }
        }
        _ => {}
    }
    error
}
