//! Gateway session tokens: `v1.<userid>.<expiry>.<key id>.<mac>` where the user id and the MAC
//! are base64url and the MAC is HMAC-SHA256 over the other fields under the gateway's key.
//!
//! The gateway keeps no session table: a token is valid while its MAC checks and its expiry (on
//! the injected clock) has not passed. Restarting with a fresh key, or rotating the key file,
//! revokes every token at once. No Proxmox VE ticket is in it or behind it.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use proxmox_api_core::Clock;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Bytes in a session key.
pub const KEY_BYTES: usize = 32;

/// The key that signs session tokens, with a short public id derived from it.
pub struct SessionKey {
    key: SecretSlice<u8>,
    id: String,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKey({}, [REDACTED])", self.id)
    }
}

impl SessionKey {
    /// A fresh random key from the operating system (`/dev/urandom`).
    pub fn generate() -> std::io::Result<Self> {
        use std::io::Read as _;
        let mut key = vec![0u8; KEY_BYTES];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
        Ok(Self::from_bytes(key))
    }

    /// A key given as hex (at least [`KEY_BYTES`] bytes), e.g. from a file or the environment.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes: Option<Vec<u8>> = text
            .as_bytes()
            .chunks(2)
            .map(|pair| {
                let pair = std::str::from_utf8(pair).ok().filter(|p| p.len() == 2)?;
                u8::from_str_radix(pair, 16).ok()
            })
            .collect();
        match bytes {
            Some(bytes) if bytes.len() >= KEY_BYTES => Ok(Self::from_bytes(bytes)),
            _ => Err(format!(
                "the session key must be at least {} hex digits (an even number)",
                KEY_BYTES * 2
            )),
        }
    }

    fn from_bytes(key: Vec<u8>) -> Self {
        // The id names the key in tokens without revealing it: a rotated key is told apart at once.
        let digest = Sha256::digest([b"gateway-session-key-id:".as_slice(), &key].concat());
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        SessionKey {
            key: SecretSlice::from(key),
            id,
        }
    }

    /// The key's public id (8 hex digits).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A token issued to a caller.
#[derive(Debug)]
pub struct IssuedToken {
    /// The bearer token. A credential: never log it.
    pub token: String,
    /// Unix seconds after which it is refused.
    pub expires: u64,
}

/// Issues and checks session tokens.
pub struct Sessions {
    key: SessionKey,
    ttl: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("key", &self.key)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Tokens signed with `key`, valid for `ttl` on `clock`.
    pub fn new(key: SessionKey, ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Sessions { key, ttl, clock }
    }

    /// How long a token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn now(&self) -> u64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.key.key.expose_secret())
            .expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }

    /// A new token for `userid`.
    pub fn issue(&self, userid: &str) -> IssuedToken {
        let expires = self.now() + self.ttl.as_secs();
        let payload = format!(
            "v1.{}.{expires}.{}",
            URL_SAFE_NO_PAD.encode(userid),
            self.key.id
        );
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        IssuedToken {
            token: format!("{payload}.{tag}"),
            expires,
        }
    }

    /// The user id a valid, unexpired token was issued to; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<String> {
        let (payload, tag) = token.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // verify_slice compares in constant time.
        self.mac(payload).verify_slice(&tag).ok()?;
        let mut fields = payload.split('.');
        let (Some("v1"), Some(user), Some(expires), Some(key_id), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        if key_id != self.key.id || expires.parse::<u64>().ok()? <= self.now() {
            return None;
        }
        String::from_utf8(URL_SAFE_NO_PAD.decode(user).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proxmox_api_core::ManualClock;

    fn sessions(clock: &ManualClock, key: &str) -> Sessions {
        Sessions::new(
            SessionKey::from_hex(key).unwrap(),
            Duration::from_secs(900),
            Arc::new(clock.clone()),
        )
    }

    #[test]
    fn tokens_verify_until_expiry_and_only_under_their_key() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let a = sessions(&clock, &"ab".repeat(32));
        let issued = a.issue("alice@pve");
        assert_eq!(issued.expires, 1_800_000_900);
        assert_eq!(a.verify(&issued.token).as_deref(), Some("alice@pve"));

        let rotated = sessions(&clock, &"cd".repeat(32));
        assert_eq!(rotated.verify(&issued.token), None);

        // Changing the user id in the token breaks the MAC.
        let mut parts: Vec<&str> = issued.token.split('.').collect();
        let bob = URL_SAFE_NO_PAD.encode("bob@pve");
        parts[1] = &bob;
        assert_eq!(a.verify(&parts.join(".")), None);
        assert_eq!(a.verify("garbage"), None);

        clock.advance(Duration::from_secs(900));
        assert_eq!(a.verify(&issued.token), None);
    }

    #[test]
    fn keys_need_enough_hex_and_never_show_in_debug() {
        assert!(SessionKey::from_hex("abcd").is_err());
        assert!(SessionKey::from_hex(&"zz".repeat(32)).is_err());
        let key = SessionKey::from_hex(&"ab".repeat(32)).unwrap();
        assert!(!format!("{key:?}").contains("abab"));
        assert_eq!(key.id().len(), 8);
        assert_ne!(SessionKey::generate().unwrap().id(), key.id());
    }
}
