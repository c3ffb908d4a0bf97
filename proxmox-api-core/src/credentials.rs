//! Login credentials: a password for ticket authentication, or an API token.
//!
//! Both secrets are [`secrecy::SecretString`]s and the hand-written `Debug` never shows them.
//! [`Credentials::validate`] checks the shape of the user or token id before anything is sent, so
//! a missing realm is a clear [`Error::InvalidInput`] instead of a 3-second-delayed 401.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// Login credentials.
#[derive(Clone)]
pub enum Credentials {
    /// `user@realm` and password: ticket authentication.
    Password {
        /// `user@realm`.
        userid: String,
        /// The password.
        password: SecretString,
    },
    /// API token `user@realm!tokenid` and its secret.
    ApiToken {
        /// `user@realm!tokenid`.
        tokenid: String,
        /// The token's secret.
        secret: SecretString,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { userid, .. } => write!(f, "Password({userid}, [REDACTED])"),
            Credentials::ApiToken { tokenid, .. } => write!(f, "ApiToken({tokenid}, [REDACTED])"),
        }
    }
}

impl Credentials {
    /// Ticket authentication with a password.
    pub fn password(userid: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials::Password {
            userid: userid.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// API token authentication; `tokenid` is `user@realm!name`.
    pub fn api_token(tokenid: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials::ApiToken {
            tokenid: tokenid.into(),
            secret: SecretString::from(secret.into()),
        }
    }

    /// The user (`user@realm`) these credentials act as.
    pub fn userid(&self) -> &str {
        match self {
            Credentials::Password { userid, .. } => userid,
            Credentials::ApiToken { tokenid, .. } => {
                tokenid.split_once('!').map_or(tokenid, |(user, _)| user)
            }
        }
    }

    /// Checks the user or token id and that the secret is not empty.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Credentials::Password { userid, password } => {
                validate_userid(userid, "userid")?;
                if password.expose_secret().is_empty() {
                    return Err(Error::invalid_input("password", "must not be empty"));
                }
                Ok(())
            }
            Credentials::ApiToken { tokenid, secret } => {
                validate_tokenid(tokenid)?;
                let secret = secret.expose_secret();
                if secret.is_empty() {
                    return Err(Error::invalid_input("token secret", "must not be empty"));
                }
                // It goes into a header: control characters would make the request unsendable
                // (or split it). The message never shows the secret.
                if secret.chars().any(|c| c.is_control() || c == ' ') {
                    return Err(Error::invalid_input(
                        "token secret",
                        "contains spaces or control characters; copy it again from PVE",
                    ));
                }
                Ok(())
            }
        }
    }

    /// The `Authorization` header value for a token: `PVEAPIToken=USER@REALM!NAME=SECRET`.
    /// `None` for password credentials. It contains the secret: never log it.
    pub(crate) fn token_header(&self) -> Option<SecretString> {
        match self {
            Credentials::ApiToken { tokenid, secret } => Some(SecretString::from(format!(
                "PVEAPIToken={tokenid}={}",
                secret.expose_secret()
            ))),
            Credentials::Password { .. } => None,
        }
    }
}

/// Checks `user@realm`; a bare name gets a hint naming the likely realm.
pub fn validate_userid(userid: &str, parameter: &str) -> Result<(), Error> {
    if userid.is_empty() {
        return Err(Error::invalid_input(parameter, "must not be empty"));
    }
    if userid.contains('!') {
        return Err(Error::invalid_input(
            parameter,
            format!("'{userid}' looks like an API token id; use Credentials::api_token for tokens"),
        ));
    }
    match userid.rsplit_once('@') {
        None => {
            let hint = if userid == "root" {
                "root@pam".to_owned()
            } else {
                format!("{userid}@pve or {userid}@pam")
            };
            Err(Error::invalid_input(
                parameter,
                format!("'{userid}' has no realm; did you mean {hint}?"),
            ))
        }
        Some((name, realm)) => {
            if name.is_empty() || realm.is_empty() {
                return Err(Error::invalid_input(
                    parameter,
                    format!("'{userid}' must be user@realm"),
                ));
            }
            if userid
                .chars()
                .any(|c| c.is_control() || c == ':' || c == '/' || c.is_whitespace())
            {
                return Err(Error::invalid_input(
                    parameter,
                    format!("'{userid}' contains characters PVE does not allow in a user id"),
                ));
            }
            Ok(())
        }
    }
}

/// Checks `user@realm!name`.
pub fn validate_tokenid(tokenid: &str) -> Result<(), Error> {
    let Some((user, name)) = tokenid.split_once('!') else {
        return Err(Error::invalid_input(
            "tokenid",
            format!("'{tokenid}' must be user@realm!tokenname"),
        ));
    };
    validate_userid(user, "tokenid")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::invalid_input(
            "tokenid",
            format!("token name '{name}' must be letters, digits, '-', '_' or '.'"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userid_without_realm_gets_a_hint() {
        let err = Credentials::password("root", "pw").validate().unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("did you mean root@pam?"), "{err}");
    }

    #[test]
    fn token_id_needs_user_realm_and_name() {
        assert!(Credentials::api_token("root@pam!ci", "s")
            .validate()
            .is_ok());
        let err = Credentials::api_token("root@pam!ci", "canary\nx")
            .validate()
            .unwrap_err();
        assert!(!err.to_string().contains("canary"));
        for bad in ["root@pam", "root!ci", "root@pam!", "@pam!x", "root@pam!a b"] {
            let err = Credentials::api_token(bad, "s").validate().unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "{bad}");
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::password("root@pam", "canary-pw");
        let t = Credentials::api_token("root@pam!ci", "canary-token");
        assert!(!format!("{c:?}{t:?}").contains("canary"));
        assert_eq!(c.userid(), "root@pam");
        assert_eq!(t.userid(), "root@pam");
    }
}
