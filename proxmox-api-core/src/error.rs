//! The one error type of the client.
//!
//! Every variant says whether the request reached the server ([`Error::was_sent`]) and whether
//! repeating it is safe ([`Error::retry_safety`]); [`Error::code`] is a stable machine-readable name
//! the Python and Node bindings expose unchanged.
//!
//! CONTRACT (skeleton): the variants and `code()` strings below are what the bindings map. The core
//! transport work may add fields or variants (the enum is `#[non_exhaustive]`) but must not rename
//! the codes.

use std::collections::BTreeMap;
use std::fmt;

/// Whether a failed call may be repeated as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// Nothing reached the server, or the call has no side effects: repeating it is safe.
    Safe,
    /// Repeating may help after some time or after fixing state (a lock, a node coming back), but a
    /// write may already have taken effect: check before repeating a non-idempotent call.
    AfterCheck,
    /// Repeating the same call will fail the same way: change the input, credentials or permissions.
    Never,
}

/// Which second factors the server offered at login.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TfaFactor {
    /// A time-based one-time password.
    Totp,
    /// A one-time recovery key.
    Recovery,
    /// A Yubico OTP.
    Yubico,
    /// A WebAuthn / FIDO2 authenticator (not usable from this client).
    Webauthn,
    /// A factor this client does not know, by the name the server used.
    Other(String),
}

impl TfaFactor {
    /// The factor's name as Proxmox VE spells it in a ticket's `!tfa!` challenge (`totp`,
    /// `recovery`, `yubico`, `webauthn`, or the unknown name itself), the form every binding
    /// shows too.
    pub fn name(&self) -> &str {
        match self {
            TfaFactor::Totp => "totp",
            TfaFactor::Recovery => "recovery",
            TfaFactor::Yubico => "yubico",
            TfaFactor::Webauthn => "webauthn",
            TfaFactor::Other(name) => name,
        }
    }
}

/// Everything that can go wrong talking to Proxmox VE.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before anything was sent. Fix `parameter`; never retry unchanged.
    #[error("invalid {parameter}: {message}")]
    InvalidInput {
        /// The argument or field at fault.
        parameter: String,
        /// What is wrong with it and what would be accepted.
        message: String,
    },
    /// Login failed or the session was refused (HTTP 401). The reason is PVE's status line.
    #[error("authentication failed: {reason}")]
    Authentication {
        /// PVE's reason phrase, e.g. `authentication failure` or `No ticket`.
        reason: String,
    },
    /// The account has a second factor and no provider was configured to supply it.
    #[error("two-factor authentication required ({})", factor_names(.factors))]
    TfaRequired {
        /// The factors the server would accept.
        factors: Vec<TfaFactor>,
    },
    /// HTTP 403: the user lacks a privilege on a path.
    #[error("permission denied: {message}")]
    PermissionDenied {
        /// PVE's message, e.g. `Permission check failed (/vms/100, VM.Audit)`.
        message: String,
        /// The ACL path named in the message, when present.
        path: Option<String>,
        /// The privilege named in the message, when present.
        privilege: Option<String>,
    },
    /// The object does not exist (PVE answers 500 "... does not exist", or 404).
    #[error("not found: {message}")]
    NotFound {
        /// HTTP status as sent (usually 500).
        status: u16,
        /// PVE's message.
        message: String,
    },
    /// HTTP 400 "Parameter verification failed." with PVE's reason per parameter.
    #[error("invalid parameters: {}", format_param_errors(.errors))]
    InvalidParameters {
        /// PVE's overall message.
        message: String,
        /// Parameter name to PVE's reason.
        errors: BTreeMap<String, String>,
    },
    /// The object already exists or is locked by another operation.
    #[error("conflict: {message}")]
    Conflict {
        /// HTTP status as sent.
        status: u16,
        /// PVE's message, e.g. `VM 100 already exists` or `can't lock file ... got timeout`.
        message: String,
    },
    /// HTTP 595/596: the node the request was proxied to could not be reached.
    #[error("node unreachable ({status}): {message}")]
    NodeUnreachable {
        /// 595 or 596.
        status: u16,
        /// PVE's message.
        message: String,
    },
    /// Any other error status from the API.
    #[error("API error {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// PVE's message (status line reason, or body `message`).
        message: String,
    },
    /// The connection could not be made; the request was never sent.
    #[error("cannot connect to {host}: {message}")]
    Connect {
        /// host:port that was dialled.
        host: String,
        /// What the network stack said.
        message: String,
    },
    /// No answer in time. `sent` says whether the request may have reached the server.
    #[error("timed out {phase} after {elapsed_ms} ms")]
    Timeout {
        /// Whether the request may have been received.
        sent: bool,
        /// How long the call really waited, retries included (not the configured limit).
        elapsed_ms: u64,
        /// What was being waited for when time ran out.
        phase: TimeoutPhase,
    },
    /// The TLS handshake failed: untrusted certificate, pin mismatch, protocol error.
    #[error("TLS error: {message}")]
    Tls {
        /// What failed, naming expected and presented fingerprints on a pin mismatch.
        message: String,
        /// The pinned fingerprints that were expected, if pinning was configured.
        expected: Vec<String>,
        /// The SHA-256 fingerprint the server presented, if one was seen.
        presented: Option<String>,
    },
    /// The response could not be decoded into the expected type.
    #[error("cannot decode response at {path}: {message}")]
    Decode {
        /// JSON path of the failure, e.g. `data[3].maxmem`.
        path: String,
        /// What was expected.
        message: String,
    },
    /// Logging in (or renewing the ticket) failed, so the request itself was never sent.
    /// [`Error::code`] and [`Error::status`] are those of `cause`; a bad password or a missing
    /// second factor is reported as [`Error::Authentication`] / [`Error::TfaRequired`] directly.
    #[error("login failed, the request was not sent: {cause}")]
    LoginFailed {
        /// Why the login failed (a timeout, a 5xx, a broken connection, ...).
        cause: Box<Error>,
    },
    /// A container creation was sent but its answer was lost (broken connection, timeout,
    /// gateway error), and looking for the container afterwards did not find it carrying this
    /// call's marker. Nothing was repeated. `vmid` and `node` say where to look or clean up.
    /// [`Error::code`] and [`Error::status`] are those of `cause`.
    #[error("creation of container {vmid} on {node} is unconfirmed ({}): {cause}", exists_text(*.exists))]
    CreateUnconfirmed {
        /// The vmid the creation used.
        vmid: u32,
        /// The node it was sent to.
        node: String,
        /// Whether a guest with that vmid exists now (without this call's marker, so it may be
        /// another creation's); `None` when the lookup failed too.
        exists: Option<bool>,
        /// What went wrong with the creation call.
        cause: Box<Error>,
    },
    /// The response body was larger than the allowed size; it was not read further.
    #[error("response larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes (client default or per-call).
        limit: u64,
    },
    /// A Proxmox task ended in failure.
    #[error("task {upid} failed: {exit_status}")]
    TaskFailed {
        /// The task's UPID.
        upid: String,
        /// PVE's exit status text.
        exit_status: String,
        /// The last lines of the task log.
        log_tail: Vec<String>,
    },
    /// Waiting for a task exceeded the caller's maximum; the task may still be running.
    #[error("task {upid} still running after {waited_ms} ms")]
    TaskTimeout {
        /// The task's UPID.
        upid: String,
        /// How long was waited.
        waited_ms: u64,
    },
}

/// What a timed-out call was waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the connection (TCP or TLS): nothing was sent.
    Connect,
    /// The response status and headers, after the request was sent.
    Response,
    /// The rest of the response body, after the status arrived.
    Body,
    /// Not known (e.g. a custom transport, or an overall deadline such as a fan-out's).
    Unknown,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Response => "waiting for the response",
            TimeoutPhase::Body => "reading the response body",
            TimeoutPhase::Unknown => "waiting",
        })
    }
}

fn exists_text(exists: Option<bool>) -> &'static str {
    match exists {
        Some(true) => "the vmid exists, without this call's marker",
        Some(false) => "no guest with that vmid exists now",
        None => "whether it exists is unknown",
    }
}

fn factor_names(factors: &[TfaFactor]) -> String {
    let names: Vec<&str> = factors.iter().map(TfaFactor::name).collect();
    names.join(", ")
}

fn format_param_errors(errors: &BTreeMap<String, String>) -> String {
    errors
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Display never contains secrets; Debug shows the same text with the code.
        write!(f, "Error({}: {})", self.code(), self)
    }
}

impl Error {
    /// A stable, machine-readable name for the kind of error, shared with the bindings.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::Authentication { .. } => "AUTHENTICATION",
            Error::TfaRequired { .. } => "TFA_REQUIRED",
            Error::PermissionDenied { .. } => "PERMISSION_DENIED",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::InvalidParameters { .. } => "INVALID_PARAMETERS",
            Error::Conflict { .. } => "CONFLICT",
            Error::NodeUnreachable { .. } => "NODE_UNREACHABLE",
            Error::Api { .. } => "API",
            Error::Connect { .. } => "CONNECT",
            Error::Timeout { .. } => "TIMEOUT",
            Error::Tls { .. } => "TLS",
            Error::Decode { .. } => "DECODE",
            Error::LoginFailed { cause } | Error::CreateUnconfirmed { cause, .. } => cause.code(),
            // Kept on an existing code so the bindings map it without changes.
            Error::ResponseTooLarge { .. } => "API",
            Error::TaskFailed { .. } => "TASK_FAILED",
            Error::TaskTimeout { .. } => "TASK_TIMEOUT",
        }
    }

    /// Whether the request may have reached the server.
    pub fn was_sent(&self) -> bool {
        match self {
            Error::InvalidInput { .. }
            | Error::Connect { .. }
            | Error::Tls { .. }
            | Error::LoginFailed { .. } => false,
            Error::Timeout { sent, .. } => *sent,
            _ => true,
        }
    }

    /// Whether and how the failed call may be repeated.
    pub fn retry_safety(&self) -> RetrySafety {
        match self {
            Error::Connect { .. } => RetrySafety::Safe,
            // The request never left; whether trying again helps depends on why the login
            // failed.
            Error::LoginFailed { cause } => match cause.retry_safety() {
                RetrySafety::Never => RetrySafety::Never,
                _ => RetrySafety::Safe,
            },
            Error::Timeout { sent: false, .. } => RetrySafety::Safe,
            Error::Timeout { sent: true, .. }
            | Error::CreateUnconfirmed { .. }
            | Error::NodeUnreachable { .. }
            | Error::Conflict { .. }
            | Error::TaskTimeout { .. } => RetrySafety::AfterCheck,
            // Status 0: the connection broke after sending; the outcome is unknown.
            Error::Api {
                status: 0 | 502..=504,
                ..
            } => RetrySafety::AfterCheck,
            _ => RetrySafety::Never,
        }
    }

    /// The HTTP status, for errors that came with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Authentication { .. } => Some(401),
            Error::PermissionDenied { .. } => Some(403),
            Error::InvalidParameters { .. } => Some(400),
            Error::NotFound { status, .. }
            | Error::Conflict { status, .. }
            | Error::NodeUnreachable { status, .. }
            | Error::Api { status, .. } => Some(*status),
            Error::LoginFailed { cause } | Error::CreateUnconfirmed { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// PVE's per-parameter reasons, for [`Error::InvalidParameters`]; also the one parameter of
    /// [`Error::InvalidInput`].
    pub fn parameter_errors(&self) -> BTreeMap<String, String> {
        match self {
            Error::InvalidParameters { errors, .. } => errors.clone(),
            Error::InvalidInput { parameter, message } => {
                BTreeMap::from([(parameter.clone(), message.clone())])
            }
            _ => BTreeMap::new(),
        }
    }

    /// Marks an error from logging in (or renewing) as one that stopped the request before it
    /// was sent. Credential problems stay as they are: they are what callers match on.
    pub(crate) fn before_sending(self) -> Self {
        match self {
            Error::Authentication { .. }
            | Error::TfaRequired { .. }
            | Error::InvalidInput { .. }
            | Error::LoginFailed { .. } => self,
            cause if !cause.was_sent() => cause,
            cause => Error::LoginFailed {
                cause: Box::new(cause),
            },
        }
    }

    /// Sets the real elapsed time of a [`Error::Timeout`]; other errors are unchanged.
    pub(crate) fn with_elapsed(mut self, elapsed: std::time::Duration) -> Self {
        if let Error::Timeout { elapsed_ms, .. } = &mut self {
            *elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        }
        self
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid_input(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}
