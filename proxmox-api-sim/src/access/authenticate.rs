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
fn unauthorized(reason: &str) -> ApiError {
    ApiError::new(401, reason)
}

impl AccessState {
    /// Who is calling, or the 401 PVE would send. `write` is true for POST/PUT/DELETE.
    pub fn authenticate(
        &self,
        input: &AuthInput<'_>,
        write: bool,
        now: i64,
    ) -> Result<Caller, ApiError> {
        if let Some(header) = input.authorization {
            if let Some(value) = header
                .strip_prefix("PVEAPIToken=")
                .or_else(|| header.strip_prefix("PVEAPIToken "))
            {
                return self.authenticate_token(value.trim(), now);
            }
        }
        let Some(ticket) = input.ticket else {
            return Err(unauthorized("No ticket"));
        };
        let userid = self
            .keys
            .verify(ticket, now)
            .ok_or_else(|| unauthorized("authentication failure"))?;
        if !self.users.get(&userid).is_some_and(|u| u.active(now)) {
            return Err(unauthorized("authentication failure"));
        }
        if write {
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

    fn authenticate_token(&self, value: &str, now: i64) -> Result<Caller, ApiError> {
        let fail = || unauthorized("authentication failure");
        let (full, secret) = value.split_once('=').ok_or_else(fail)?;
        let (userid, name) = full.split_once('!').ok_or_else(fail)?;
        let user = self.users.get(userid).ok_or_else(fail)?;
        let token = user.tokens.get(name).ok_or_else(fail)?;
        if !user.active(now) || (token.expire != 0 && token.expire <= now) {
            return Err(fail());
        }
        if !token.secret.verify(secret) {
            return Err(fail());
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
            a.authenticate(&none, false, now).unwrap_err().message,
            "No ticket"
        );
        let t = a.keys.issue(ROOT, now);
        let c = a.keys.csrf(ROOT, now);
        let with_ticket = AuthInput {
            ticket: Some(&t),
            ..AuthInput::default()
        };
        assert_eq!(
            a.authenticate(&with_ticket, false, now).unwrap().userid,
            ROOT
        );
        assert_eq!(
            a.authenticate(&with_ticket, true, now).unwrap_err().message,
            "Permission denied - invalid csrf token"
        );
        let full = AuthInput {
            ticket: Some(&t),
            csrf: Some(&c),
            ..AuthInput::default()
        };
        assert!(a.authenticate(&full, true, now).is_ok());
        a.expire_all_tickets();
        assert_eq!(
            a.authenticate(&full, false, now).unwrap_err().message,
            "authentication failure"
        );
    }
}
