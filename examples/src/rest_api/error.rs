//! The gateway's error answer: an HTTP status and `{"code", "message", "parameter"?}`.
//!
//! Messages may quote the caller's input; [`echo`] keeps such quotes short and printable, and the
//! whole message is capped, so an error never mirrors a large or hostile input back.

use hyper::StatusCode;
use proxmox_api_core::Error;
use serde_json::{json, Value};

/// Longest piece of caller input quoted back in a message, in characters.
pub const MAX_ECHO_CHARS: usize = 64;
/// Longest error message sent, in characters.
const MAX_MESSAGE_CHARS: usize = 512;

/// A failed request: the status to answer and what to say.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (the core's codes, plus the gateway's own).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// The request parameter at fault, when there is one.
    pub parameter: Option<String>,
}

/// `text` as it may be quoted back: control characters replaced, at most [`MAX_ECHO_CHARS`].
pub fn echo(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_ECHO_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > MAX_ECHO_CHARS {
        out.push('…');
    }
    out
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            parameter: None,
        }
    }

    /// 400: parameter `parameter` is missing or malformed.
    pub fn invalid(parameter: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "INVALID_INPUT", message);
        error.parameter = Some(parameter.to_owned());
        error
    }

    /// 400 about the request as a whole (its body, its query string).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
    }

    /// 401: no valid session (or a failed login).
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// 429 after too many failed logins.
    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_ATTEMPTS",
            format!("too many failed logins; try again in {retry_after_secs} s"),
        )
    }

    /// 405.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "method not allowed on this path",
        )
    }

    /// 413.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            format!("the body is larger than {limit} bytes"),
        )
    }

    /// 408: the body did not arrive in time.
    pub fn body_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "TIMEOUT",
            "the body did not arrive in time",
        )
    }

    /// 500: a fault of the gateway itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }

    /// The JSON body, with the message capped.
    pub fn body(&self) -> Value {
        let mut message: String = self.message.chars().take(MAX_MESSAGE_CHARS).collect();
        if self.message.chars().count() > MAX_MESSAGE_CHARS {
            message.push('…');
        }
        let mut body = json!({ "code": self.code, "message": message });
        if let Some(parameter) = &self.parameter {
            body["parameter"] = Value::String(echo(parameter));
        }
        body
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let parameter = match &error {
            Error::InvalidInput { parameter, .. } => Some(parameter.clone()),
            Error::InvalidParameters { errors, .. } => errors.keys().next().cloned(),
            _ => None,
        };
        ApiError {
            status: status_for(&error),
            code: error.code(),
            // The core's Display never contains secrets.
            message: error.to_string(),
            parameter,
        }
    }
}

/// The HTTP status the gateway answers for a core error: the caller's mistakes keep their 4xx;
/// the service account's own trouble reaching or inside Proxmox becomes 502/504.
fn status_for(error: &Error) -> StatusCode {
    match error {
        Error::InvalidInput { .. } | Error::InvalidParameters { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::Timeout { .. } | Error::TaskTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        Error::TaskFailed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        // A 403 to the service account or its failing login is the gateway's set-up, not the
        // caller's fault; an unreachable node or a broken answer is upstream trouble.
        _ => StatusCode::BAD_GATEWAY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_short_and_printable() {
        assert_eq!(echo("a\u{0}b"), "a\u{FFFD}b");
        let long = "x".repeat(60_000);
        assert_eq!(echo(&long).chars().count(), MAX_ECHO_CHARS + 1);
        let error = ApiError::bad_request(long);
        assert!(error.body().to_string().len() < 1024);
    }
}
