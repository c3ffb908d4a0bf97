//! Two-factor login: the caller supplies the second factor through an async provider.

use std::fmt;
use std::sync::{Mutex, PoisonError};

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

/// A TOTP code given up front (a script's `--otp` option): answers the first login that asks for
/// a second factor and refuses every later one, because a TOTP code cannot be replayed; a client
/// that lives past its ticket needs a provider that asks for a fresh code instead.
pub struct OneTimeCode {
    code: Mutex<Option<SecretString>>,
    later: &'static str,
}

impl OneTimeCode {
    /// `code` for the first login; `later` tells the caller, in the language of the API they
    /// use, how to answer later logins (it becomes the `otp` parameter's `InvalidInput` message).
    pub fn new(code: impl Into<String>, later: &'static str) -> Self {
        OneTimeCode {
            code: Mutex::new(Some(SecretString::from(code.into()))),
            later,
        }
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode([REDACTED])")
    }
}

#[async_trait]
impl TfaProvider for OneTimeCode {
    async fn second_factor(
        &self,
        _userid: &str,
        _factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error> {
        let code = self
            .code
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match code {
            Some(code) => Ok(TfaResponse::Totp(code)),
            None => Err(Error::invalid_input("otp", self.later)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_one_time_code_answers_once_then_says_what_to_do() {
        let provider = OneTimeCode::new("123456", "use a callback for later logins");
        assert!(!format!("{provider:?}").contains("123456"));
        let first = provider.second_factor("u@pve", &[]).await.unwrap();
        assert_eq!(first.as_password().expose_secret(), "totp:123456");
        let error = provider.second_factor("u@pve", &[]).await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("use a callback for later logins"),
            "{error}"
        );
    }
}
