//! Two-factor login: the caller supplies the second factor through an async provider.

use std::fmt;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, TfaFactor};

/// A second factor supplied by the caller.
#[derive(Clone)]
#[non_exhaustive]
pub enum TfaResponse {
    /// A TOTP code from an authenticator app.
    Totp(SecretString),
    /// One of the account's recovery keys.
    Recovery(SecretString),
    /// A Yubico OTP.
    Yubico(SecretString),
}

impl TfaResponse {
    /// A TOTP code.
    pub fn totp(code: impl Into<String>) -> Self {
        TfaResponse::Totp(SecretString::from(code.into()))
    }

    /// A recovery key.
    pub fn recovery(key: impl Into<String>) -> Self {
        TfaResponse::Recovery(SecretString::from(key.into()))
    }

    /// The `password` value of the second login call, e.g. `totp:123456`. Secret.
    pub(crate) fn as_password(&self) -> SecretString {
        let (kind, value) = match self {
            TfaResponse::Totp(v) => ("totp", v),
            TfaResponse::Recovery(v) => ("recovery", v),
            TfaResponse::Yubico(v) => ("yubico", v),
        };
        SecretString::from(format!("{kind}:{}", value.expose_secret()))
    }
}

impl fmt::Debug for TfaResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            TfaResponse::Totp(_) => "Totp",
            TfaResponse::Recovery(_) => "Recovery",
            TfaResponse::Yubico(_) => "Yubico",
        };
        write!(f, "{kind}([REDACTED])")
    }
}

/// Supplies a second factor when a login asks for one.
#[async_trait]
pub trait TfaProvider: Send + Sync + 'static {
    /// Returns the second factor for `userid`, choosing among the `factors` the server offered.
    /// Returning an error aborts the login with that error.
    async fn second_factor(
        &self,
        userid: &str,
        factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error>;
}
