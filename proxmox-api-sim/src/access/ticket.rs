//! PVE authentication tickets and CSRF prevention tokens.
//!
//! Ticket: `PVE:<user@realm>:<8 hex: creation time>::<base64 signature>`, valid 2 h against the
//! simulator's clock with 300 s tolerated skew. TFA challenge tickets carry `!tfa!<challenge>`
//! instead of the user, and the user is bound in through the signature only (as PVE does).
//! CSRF token: `<8 hex>:<unpadded base64 HMAC over "<hex>:<user>">`. Rotating the key
//! invalidates every ticket and token at once ("expire all tickets now").

use super::crypto::{b64, b64_decode, b64_unpadded, hmac_sha256, hmac_sha256_verify, random_bytes};

/// How long a ticket is valid.
pub const TICKET_LIFETIME_SECS: i64 = 7200;
/// Clock skew PVE tolerates for tickets created "in the future".
pub const MAX_SKEW_SECS: i64 = 300;
/// How long a TFA challenge ticket may be answered.
pub const TFA_CHALLENGE_SECS: i64 = 120;

/// The cluster-wide signing key.
pub struct TicketKeys {
    key: [u8; 32],
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketKeys(<redacted>)")
    }
}

impl Default for TicketKeys {
    fn default() -> Self {
        Self::new()
    }
}

impl TicketKeys {
    /// A fresh random key.
    pub fn new() -> Self {
        Self {
            key: random_bytes::<32>(),
        }
    }

    /// Replaces the key: every ticket and CSRF token issued so far stops working.
    pub fn rotate(&mut self) {
        self.key = random_bytes::<32>();
    }

    fn sign(&self, plain: &str, bound: &str) -> String {
        let mut msg = Vec::with_capacity(plain.len() + bound.len() + 1);
        msg.extend_from_slice(plain.as_bytes());
        msg.push(b':');
        msg.extend_from_slice(bound.as_bytes());
        b64(hmac_sha256(&self.key, &msg).as_ref())
    }

    fn check(&self, plain: &str, bound: &str, sig: &str) -> bool {
        let Some(sig) = b64_decode(sig) else {
            return false;
        };
        let mut msg = Vec::with_capacity(plain.len() + bound.len() + 1);
        msg.extend_from_slice(plain.as_bytes());
        msg.push(b':');
        msg.extend_from_slice(bound.as_bytes());
        hmac_sha256_verify(&self.key, &msg, &sig)
    }

    /// A ticket for `userid` created at `now` (unix seconds).
    pub fn issue(&self, userid: &str, now: i64) -> String {
        let plain = format!("PVE:{userid}:{:08X}", now.max(0));
        let sig = self.sign(&plain, "");
        format!("{plain}::{sig}")
    }

    /// The user a valid ticket belongs to, `None` when forged, expired or of the wrong kind.
    pub fn verify(&self, ticket: &str, now: i64) -> Option<String> {
        let (plain, sig) = ticket.split_once("::")?;
        let rest = plain.strip_prefix("PVE:")?;
        let (userid, stamp) = rest.rsplit_once(':')?;
        if userid.starts_with("!tfa!") || !userid.contains('@') {
            return None;
        }
        let created = parse_stamp(stamp)?;
        if !fresh(created, now, TICKET_LIFETIME_SECS) || !self.check(plain, "", sig) {
            return None;
        }
        Some(userid.to_owned())
    }

    /// A TFA challenge ticket for `userid` (`PVE:!tfa!<challenge>:<hex>::<sig>`).
    pub fn issue_tfa(&self, userid: &str, challenge: &str, now: i64) -> String {
        let encoded: String =
            percent_encoding::utf8_percent_encode(challenge, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let plain = format!("PVE:!tfa!{encoded}:{:08X}", now.max(0));
        let sig = self.sign(&plain, userid);
        format!("{plain}::{sig}")
    }

    /// Whether `ticket` is a fresh TFA challenge issued to `userid`.
    pub fn verify_tfa(&self, ticket: &str, userid: &str, now: i64) -> bool {
        let Some((plain, sig)) = ticket.split_once("::") else {
            return false;
        };
        let Some(rest) = plain.strip_prefix("PVE:!tfa!") else {
            return false;
        };
        let Some(created) = rest.rsplit_once(':').and_then(|(_, s)| parse_stamp(s)) else {
            return false;
        };
        fresh(created, now, TFA_CHALLENGE_SECS) && self.check(plain, userid, sig)
    }

    /// A CSRF prevention token for `userid` at `now`.
    pub fn csrf(&self, userid: &str, now: i64) -> String {
        let stamp = format!("{:08X}", now.max(0));
        let mac = hmac_sha256(&self.key, format!("{stamp}:{userid}").as_bytes());
        format!("{stamp}:{}", b64_unpadded(mac.as_ref()))
    }

    /// Whether `token` is a valid CSRF token for `userid`.
    pub fn verify_csrf(&self, token: &str, userid: &str, now: i64) -> bool {
        let Some((stamp, sig)) = token.split_once(':') else {
            return false;
        };
        let Some(created) = parse_stamp(stamp) else {
            return false;
        };
        let Some(sig) = b64_decode(sig) else {
            return false;
        };
        fresh(created, now, TICKET_LIFETIME_SECS)
            && hmac_sha256_verify(&self.key, format!("{stamp}:{userid}").as_bytes(), &sig)
    }
}

fn parse_stamp(stamp: &str) -> Option<i64> {
    if stamp.len() != 8 {
        return None;
    }
    i64::from_str_radix(stamp, 16).ok()
}

fn fresh(created: i64, now: i64, lifetime: i64) -> bool {
    let age = now - created;
    (-MAX_SKEW_SECS..=lifetime).contains(&age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_format_and_lifetime() {
        let keys = TicketKeys::new();
        let t = keys.issue("root@pam", 0x64E1_0CBA);
        assert!(t.starts_with("PVE:root@pam:64E10CBA::"), "{t}");
        assert_eq!(keys.verify(&t, 0x64E1_0CBA).as_deref(), Some("root@pam"));
        assert!(keys.verify(&t, 0x64E1_0CBA + 7200).is_some());
        assert!(keys.verify(&t, 0x64E1_0CBA + 7201).is_none());
        assert!(keys.verify(&t, 0x64E1_0CBA - 300).is_some());
        assert!(keys.verify(&t, 0x64E1_0CBA - 301).is_none());
        let forged = t.replace("root@pam", "evil@pam");
        assert!(keys.verify(&forged, 0x64E1_0CBA).is_none());
        let mut other = TicketKeys::new();
        assert!(other.verify(&t, 0x64E1_0CBA).is_none());
        other.rotate();
    }

    #[test]
    fn csrf_and_tfa_tickets() {
        let keys = TicketKeys::new();
        let c = keys.csrf("alice@pve", 1000);
        assert!(c.starts_with("000003E8:"));
        assert!(keys.verify_csrf(&c, "alice@pve", 1000));
        assert!(!keys.verify_csrf(&c, "bob@pve", 1000));
        let tfa = keys.issue_tfa("alice@pve", "{\"totp\":true}", 1000);
        assert!(tfa.contains("!tfa!"));
        assert!(keys.verify_tfa(&tfa, "alice@pve", 1010));
        assert!(!keys.verify_tfa(&tfa, "bob@pve", 1010));
        assert!(
            keys.verify(&tfa, 1010).is_none(),
            "a challenge is no ticket"
        );
    }
}
