//! Authentication of one request: ticket cookie (+ CSRF token on writes) or API token header.

use super::AccessState;
use crate::api_error::ApiError;
use crate::call::Caller;

/// The credentials a request carried.
#[derive(Debug, Default, Clone, Copy)]
pub struct AuthInput<'a> {
    /// The `PVEAuthCookie` value, decoded.
    pub ticket: Option<&'a str>,
    /// The `CSRFPreventionToken` header.
    pub csrf: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
}

impl<'a> std::fmt::Display for AuthInput<'a> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never prints a credential, only which kinds were present.
        write!(
            f,
            "ticket={} csrf={} authorization={}",
            self.ticket.is_some(),
            self.csrf.is_some(),
            self.authorization.is_some()
        )
    }
}

/// The 401 answers; their body is always empty on the wire.
fn unauthorized(reason: impl Into<String>) -> ApiError {
    ApiError::new(401, reason)
}

/// PVE's `verify_ticket` failure (bad signature, expired, a half-done `!tfa!` ticket).
pub const INVALID_TICKET: &str = "permission denied - invalid PVE ticket";

impl AccessState {
    /// Who is calling, or the 401 PVE would send (`PVE::HTTPServer::auth_handler`): a
    /// `PVEAuthCookie` ticket wins over an API token; `write` is true for POST/PUT/DELETE;
    /// `upload` skips the CSRF check as PVE does for the storage upload call.
    pub fn authenticate(
        &self,
        input: &AuthInput<'_>,
        write: bool,
        upload: bool,
        now: i64,
    ) -> Result<Caller, ApiError> {
        // Fallback of pve-http-server: a ticket in the Authorization header.
        let header_ticket = input
            .authorization
            .and_then(|h| h.trim().strip_prefix("PVEAuthCookie="));
        let ticket = input.ticket.or(header_ticket);
        if ticket.is_none() {
            if let Some(header) = input.authorization {
                let header = header.trim();
                if let Some(value) = header
                    .strip_prefix("PVEAPIToken=")
                    .or_else(|| header.strip_prefix("PVEAPIToken:"))
                    .or_else(|| header.strip_prefix("PVEAPIToken "))
                {
                    return self.authenticate_token(value.trim(), now);
                }
            }
        }
        let Some(ticket) = ticket else {
            return Err(unauthorized("No ticket"));
        };
        let userid = self
            .keys
            .verify(ticket, now)
            .ok_or_else(|| unauthorized(INVALID_TICKET))?;
        self.check_user_enabled(&userid, now)?;
        if write && !upload {
            let ok = input
                .csrf
                .is_some_and(|token| self.keys.verify_csrf(token, &userid, now));
            if !ok {
                return Err(unauthorized("Permission denied - invalid csrf token"));
            }
        }
        Ok(Caller {
            userid,
            tokenid: None,
        })
    }

    /// PVE's `check_user_enabled`, with its wording.
    fn check_user_enabled(&self, userid: &str, now: i64) -> Result<(), ApiError> {
        let user = self
            .users
            .get(userid)
            .ok_or_else(|| unauthorized(format!("no such user ('{userid}')")))?;
        if !user.enable {
            return Err(unauthorized(format!("user '{userid}' is disabled")));
        }
        if user.expire != 0 && user.expire < now {
            return Err(unauthorized("account expired"));
        }
        Ok(())
    }

    /// PVE's `verify_token`: each failure has its own reason.
    fn authenticate_token(&self, value: &str, now: i64) -> Result<Caller, ApiError> {
        // `^(.*)=(.*)$`: the LAST `=` separates the token id from the secret.
        let (full, secret) = value
            .rsplit_once('=')
            .ok_or_else(|| unauthorized("no tokenid specified"))?;
        let (userid, name) = full
            .split_once('!')
            .filter(|(u, n)| u.contains('@') && !n.is_empty())
            .ok_or_else(|| {
                unauthorized(format!(
                    "'{full}' is not a valid token ID - not able to split into user and token parts"
                ))
            })?;
        self.check_user_enabled(userid, now)?;
        let token = self
            .users
            .get(userid)
            .and_then(|u| u.tokens.get(name))
            .ok_or_else(|| unauthorized(format!("no such token '{name}' for user '{userid}'")))?;
        if token.expire != 0 && token.expire < now {
            return Err(unauthorized("token expired"));
        }
        if !token.secret.verify(secret) {
            return Err(unauthorized("invalid token value!"));
        }
        Ok(Caller {
            userid: userid.to_owned(),
            tokenid: Some(name.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::ROOT;

    #[test]
    fn reasons() {
        let mut a = AccessState::new("pw");
        let now = 1_700_000_000;
        let none = AuthInput::default();
        assert_eq!(
            a.authenticate(&none, false, false, now)
                .unwrap_err()
                .message,
            "No ticket"
        );
        let t = a.keys.issue(ROOT, now);
        let c = a.keys.csrf(ROOT, now);
        let with_ticket = AuthInput {
            ticket: Some(&t),
            ..AuthInput::default()
        };
        assert_eq!(
            a.authenticate(&with_ticket, false, false, now)
                .unwrap()
                .userid,
            ROOT
        );
        assert_eq!(
            a.authenticate(&with_ticket, true, false, now)
                .unwrap_err()
                .message,
            "Permission denied - invalid csrf token"
        );
        let full = AuthInput {
            ticket: Some(&t),
            csrf: Some(&c),
            ..AuthInput::default()
        };
        assert!(a.authenticate(&full, true, false, now).is_ok());
        a.expire_all_tickets();
        assert_eq!(
            a.authenticate(&full, false, false, now)
                .unwrap_err()
                .message,
            INVALID_TICKET
        );
    }
}
