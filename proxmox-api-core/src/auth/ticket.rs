//! PVE tickets: `PVE:<user@realm>:<8 hex digits creation time>::<signature>`.
//!
//! The client decides when to renew from the local time at which the ticket was received, not
//! from the server's creation time inside it: the two clocks may be hours apart, and comparing the
//! server's stamp with the local clock would renew on every request (client ahead) or let the
//! ticket expire on the server (client behind).

use std::fmt;
use std::time::{Duration, SystemTime};

use percent_encoding::percent_decode_str;
use secrecy::SecretString;

use crate::error::TfaFactor;

/// PVE accepts a ticket for two hours after its creation time.
pub const MAX_TICKET_AGE: Duration = Duration::from_secs(7200);

/// A logged-in session: what `POST /access/ticket` returned. Secrets are redacted in `Debug`.
#[derive(Clone)]
pub struct SessionTicket {
    /// The user the ticket is for, `user@realm`.
    pub userid: String,
    /// The ticket, sent as cookie `PVEAuthCookie`.
    pub ticket: SecretString,
    /// The CSRF prevention token, sent as header `CSRFPreventionToken` on writes.
    pub csrf: SecretString,
    /// When the ticket was received, on the client's clock (not the server's stamp inside it).
    pub issued_at: SystemTime,
}

impl fmt::Debug for SessionTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionTicket")
            .field("userid", &self.userid)
            .field("ticket", &"[REDACTED]")
            .field("csrf", &"[REDACTED]")
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

impl SessionTicket {
    /// How old the ticket is at `now` (zero if its time is in the future).
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.issued_at).unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
/// The parts of a ticket: the data field (user id, or `!tfa!<challenge>`) and the creation time.
fn split_ticket(ticket: &str) -> Option<(&str, u64)> {
    let unsigned = &ticket[..ticket.find("::")?];
    let (head, hex) = unsigned.rsplit_once(':')?;
    let (_prefix, data) = head.split_once(':')?;
    if hex.len() != 8 {
        return None;
    }
    let time = u64::from_str_radix(hex, 16).ok()?;
    Some((data, time))
}

/// The creation time embedded in a ticket (the server's clock; only informative).
#[cfg(test)]
pub(crate) fn ticket_timestamp(ticket: &str) -> Option<SystemTime> {
    split_ticket(ticket).map(|(_, t)| SystemTime::UNIX_EPOCH + Duration::from_secs(t))
}

/// Whether a login reply is the first half of a two-factor login.
pub(crate) fn is_tfa_ticket(ticket: &str) -> bool {
    ticket.contains("!tfa!")
}

/// The factors a `!tfa!` ticket offers. PVE embeds the challenge as percent-escaped JSON, e.g.
/// `PVE:!tfa!{"totp"%3Atrue,"recovery"%3A"available"}:64E10CBA::sig`. When it cannot be read,
/// TOTP and recovery keys (what nearly every account has) are assumed.
pub(crate) fn tfa_factors(ticket: &str) -> Vec<TfaFactor> {
    let fallback = || vec![TfaFactor::Totp, TfaFactor::Recovery];
    let Some(start) = ticket.find("!tfa!") else {
        return fallback();
    };
    let after = &ticket[start + 5..];
    // The challenge ends where the timestamp starts: the last ':' before "::".
    let challenge = match after.find("::") {
        Some(end) => after[..end]
            .rsplit_once(':')
            .map_or(&after[..end], |(c, _)| c),
        None => after,
    };
    let decoded = percent_decode_str(challenge).decode_utf8_lossy();
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&decoded)
    else {
        return fallback();
    };
    let offered = |v: &serde_json::Value| match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => false,
        serde_json::Value::String(s) => !s.is_empty() && s != "unavailable",
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        _ => true,
    };
    let mut factors = Vec::new();
    for (key, value) in &map {
        if !offered(value) {
            continue;
        }
        factors.push(match key.as_str() {
            "totp" => TfaFactor::Totp,
            "recovery" => TfaFactor::Recovery,
            "yubico" => TfaFactor::Yubico,
            "webauthn" => TfaFactor::Webauthn,
            other => TfaFactor::Other(other.to_owned()),
        });
    }
    if factors.is_empty() {
        fallback()
    } else {
        factors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_is_read_from_the_ticket() {
        let t = "PVE:root@pam:64E10CBA::yTMqV7Bm+/==";
        assert_eq!(
            ticket_timestamp(t),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(0x64E1_0CBA))
        );
        assert_eq!(ticket_timestamp("otp_ticket"), None);
        assert!(!is_tfa_ticket(t));
    }

    #[test]
    fn tfa_factors_from_challenge() {
        let t =
            r#"PVE:!tfa!{"totp"%3Atrue,"recovery"%3A"available","webauthn"%3Anull}:64E10CBA::sig"#;
        assert!(is_tfa_ticket(t));
        assert_eq!(tfa_factors(t), vec![TfaFactor::Recovery, TfaFactor::Totp]);
        assert_eq!(
            ticket_timestamp(t),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(0x64E1_0CBA))
        );
        let y = r#"PVE:!tfa!{"yubico"%3Atrue}:64E10CBA::sig"#;
        assert_eq!(tfa_factors(y), vec![TfaFactor::Yubico]);
        assert_eq!(
            tfa_factors("PVE:!tfa!CHALLENGE:64E10CBA::sig"),
            vec![TfaFactor::Totp, TfaFactor::Recovery]
        );
    }

    #[test]
    fn factor_names_are_the_challenge_keys() {
        let t = r#"PVE:!tfa!{"recovery"%3A[1]%2C"totp"%3Atrue%2C"u2f"%3Atrue%2C"webauthn"%3Atrue%2C"yubico"%3Atrue}:64E10CBA::sig"#;
        let names: Vec<String> = tfa_factors(t).iter().map(|f| f.name().to_owned()).collect();
        assert_eq!(names, ["recovery", "totp", "u2f", "webauthn", "yubico"]);
    }
}
