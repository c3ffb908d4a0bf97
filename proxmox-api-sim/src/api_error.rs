//! An error answer, as PVE puts it on the wire.

use std::collections::BTreeMap;

/// An error response: status, the reason phrase PVE puts in the status line (and in `message`),
/// and for 400s the per-parameter `errors` map.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The message; its first line becomes the status line's reason phrase.
    pub message: String,
    /// Per-parameter reasons (400 only).
    pub errors: Option<BTreeMap<String, String>>,
}

impl ApiError {
    /// Any status with a message.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: None,
        }
    }

    /// PVE's 400 "Parameter verification failed." with reasons per parameter.
    pub fn params(errors: BTreeMap<String, String>) -> Self {
        Self {
            status: 400,
            message: "Parameter verification failed.".to_owned(),
            errors: Some(errors),
        }
    }

    /// A 400 for a single parameter.
    pub fn param(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::params(BTreeMap::from([(name.into(), reason.into())]))
    }

    /// A 500 (PVE's answer for most failures, including "does not exist").
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }

    /// A 403 `Permission check failed (<path>, <priv>)`.
    pub fn permission(path: &str, privilege: &str) -> Self {
        Self::new(
            403,
            format!("Permission check failed ({path}, {privilege})"),
        )
    }
}

/// What a handler returns: the `data` of the envelope, or an error.
pub type Reply = Result<serde_json::Value, ApiError>;
