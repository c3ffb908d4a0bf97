//! The ONE place that turns an HTTP response into `data` or an [`Error`].
//!
//! PVE answers `{"data": ...}`. On failure the message is in the status line's reason phrase
//! (first line only), since PVE 8.3 also in the body's `message`; 400s carry `errors` per
//! parameter; 401s have an empty body. See `PVE-FACTS.md`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::Error;
use crate::transport::HttpResponse;

/// The success envelope. `data` is an `Option` so a missing or `null` `data` can still decode
/// into types that accept null (`()`, `Option`, `Value`).
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default = "none")]
    data: Option<T>,
    /// Paged listings (task history) put the number of entries in total next to `data`.
    #[serde(default, deserialize_with = "crate::loose::deserialize_opt_u64")]
    total: Option<u64>,
}

fn none<T>() -> Option<T> {
    None
}

/// The error envelope; every field optional.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<BTreeMap<String, serde_json::Value>>,
}

/// Decodes a response: `data` as `T` on 2xx, the matching [`Error`] otherwise.
pub fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, Error> {
    if !(200..300).contains(&response.status) {
        return Err(error_from_response(response));
    }
    decode_data(&response.body)
}

/// Decodes `{"data": T}` from a successful body; failures name the JSON path.
pub fn decode_data<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    decode_data_with_total(body).map(|(data, _)| data)
}

/// Like [`decode_data`], also returning the envelope's `total` (paged listings such as the task
/// history send the number of all matching entries there).
pub fn decode_data_with_total<T: DeserializeOwned>(body: &[u8]) -> Result<(T, Option<u64>), Error> {
    let trimmed = body.iter().all(u8::is_ascii_whitespace);
    let mut total = None;
    let data = if trimmed {
        None
    } else {
        // One pass straight into the model; only when that fails is the body read again with
        // path tracking, to say where (tracking every field on every call costs ~30%).
        match serde_json::from_slice::<Envelope<T>>(body) {
            Ok(envelope) => {
                total = envelope.total;
                envelope.data
            }
            Err(_) => return Err(locate_decode_error::<T>(body)),
        }
    };
    match data {
        Some(value) => Ok((value, total)),
        None => T::deserialize(serde_json::Value::Null)
            .map(|value| (value, total))
            .map_err(|e| Error::Decode {
                path: "data".to_owned(),
                message: format!("no data in the response: {e}"),
            }),
    }
}

/// Decodes `body` again under path tracking, for the error of a decode that failed.
fn locate_decode_error<T: DeserializeOwned>(body: &[u8]) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, Envelope<T>>(&mut de) {
        Err(e) => Error::Decode {
            path: display_path(&e.path().to_string()),
            message: e.inner().to_string(),
        },
        // Cannot happen (the same bytes failed a moment ago); say so rather than panic.
        Ok(_) => Error::Decode {
            path: "(root)".to_owned(),
            message: "the response did not decode".to_owned(),
        },
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        "(root)".to_owned()
    } else {
        path.to_owned()
    }
}

/// The error for a non-2xx response.
pub fn error_from_response(response: &HttpResponse) -> Error {
    let status = response.status;
    let body: ErrorBody = serde_json::from_slice(&response.body).unwrap_or_default();
    let message = best_message(status, response.reason.as_deref(), body.message.as_deref());
    classify(status, message, body.errors)
}

/// PVE's message: a non-canonical reason phrase, else the body's `message`, else whatever
/// reason there was, else the canonical text for the status.
fn best_message(status: u16, reason: Option<&str>, body_message: Option<&str>) -> String {
    let canonical = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let body_message = body_message.map(str::trim).filter(|m| !m.is_empty());
    match (reason, body_message) {
        (Some(r), _) if Some(r) != canonical => r.to_owned(),
        (_, Some(m)) => m.to_owned(),
        (Some(r), None) => r.to_owned(),
        (None, None) => canonical.unwrap_or("unknown error").to_owned(),
    }
}

fn classify(
    status: u16,
    message: String,
    errors: Option<BTreeMap<String, serde_json::Value>>,
) -> Error {
    if status == 401 {
        return Error::Authentication { reason: message };
    }
    if status == 403 {
        let (path, privilege) = parse_permission_message(&message);
        return Error::PermissionDenied {
            message,
            path,
            privilege,
        };
    }
    if status == 400 {
        if let Some(errors) = errors.filter(|e| !e.is_empty()) {
            let errors = errors
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, text.trim_end().to_owned())
                })
                .collect();
            return Error::InvalidParameters { message, errors };
        }
    }
    if status == 595 || status == 596 {
        return Error::NodeUnreachable { status, message };
    }
    let lower = message.to_ascii_lowercase();
    if status == 404 || (status == 500 && lower.contains("does not exist")) {
        return Error::NotFound { status, message };
    }
    if lower.contains("already exists")
        || lower.contains("can't lock file")
        || lower.contains("is locked")
    {
        return Error::Conflict { status, message };
    }
    Error::Api { status, message }
}

/// `Permission check failed (/vms/100, VM.Audit)` -> (`/vms/100`, `VM.Audit`).
fn parse_permission_message(message: &str) -> (Option<String>, Option<String>) {
    let inner = message.rfind('(').and_then(|start| {
        message[start + 1..]
            .find(')')
            .map(|end| &message[start + 1..start + 1 + end])
    });
    let Some(inner) = inner else {
        return (None, None);
    };
    match inner.split_once(',') {
        Some((path, privilege)) if path.trim().starts_with('/') => (
            Some(path.trim().to_owned()),
            Some(privilege.trim().to_owned()).filter(|p| !p.is_empty()),
        ),
        _ if inner.trim().starts_with('/') => (Some(inner.trim().to_owned()), None),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, reason: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            reason: reason.map(ToOwned::to_owned),
            headers: Vec::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn data_is_decoded_and_errors_name_the_path() {
        let ok: Vec<u32> = decode(&resp(200, Some("OK"), r#"{"data":[1,2]}"#)).unwrap();
        assert_eq!(ok, vec![1, 2]);
        let unit: () = decode(&resp(200, Some("OK"), r#"{"data":null}"#)).unwrap();
        assert_eq!(unit, ());
        let err = decode::<Vec<u32>>(&resp(200, Some("OK"), r#"{"data":[1,"x"]}"#)).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "data[1]"),
            other => panic!("{other:?}"),
        }
        let missing = decode::<Vec<u32>>(&resp(200, Some("OK"), "{}")).unwrap_err();
        assert_eq!(missing.code(), "DECODE");
    }

    #[test]
    fn error_kinds() {
        let e = error_from_response(&resp(401, Some("No ticket"), ""));
        assert!(matches!(&e, Error::Authentication { reason } if reason == "No ticket"));

        let e = error_from_response(&resp(
            403,
            Some("Permission check failed (/vms/100, VM.Audit)"),
            r#"{"data":null}"#,
        ));
        match e {
            Error::PermissionDenied {
                path, privilege, ..
            } => {
                assert_eq!(path.as_deref(), Some("/vms/100"));
                assert_eq!(privilege.as_deref(), Some("VM.Audit"));
            }
            other => panic!("{other:?}"),
        }

        let e = error_from_response(&resp(
            400,
            Some("Parameter verification failed."),
            r#"{"data":null,"errors":{"vmid":"VM 200 already exists","memory":"type check ('integer') failed - got 'x'\n"}}"#,
        ));
        let errors = e.parameter_errors();
        assert_eq!(e.code(), "INVALID_PARAMETERS");
        assert_eq!(errors["vmid"], "VM 200 already exists");
        assert_eq!(errors["memory"], "type check ('integer') failed - got 'x'");

        // Canonical reason (as mockito sends): the body's message wins.
        let e = error_from_response(&resp(
            500,
            Some("Internal Server Error"),
            r#"{"data":null,"message":"Configuration file 'nodes/pve/lxc/999.conf' does not exist\n"}"#,
        ));
        assert!(
            matches!(&e, Error::NotFound { status: 500, message } if message.ends_with("does not exist"))
        );

        let e = error_from_response(&resp(500, Some("VM 100 already exists"), "{\"data\":null}"));
        assert_eq!(e.code(), "CONFLICT");
        let e = error_from_response(&resp(
            500,
            Some("can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout"),
            "",
        ));
        assert_eq!(e.code(), "CONFLICT");
        let e = error_from_response(&resp(595, Some("Connection refused"), ""));
        assert_eq!(e.code(), "NODE_UNREACHABLE");
        let e = error_from_response(&resp(501, None, ""));
        assert!(matches!(&e, Error::Api { status: 501, message } if message == "Not Implemented"));
    }
}
