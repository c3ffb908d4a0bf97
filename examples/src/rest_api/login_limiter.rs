//! Failed-login rate limit, per user name and per client address.
//!
//! Keyed by the name the caller typed, whether or not such a user exists, so the limit answers
//! the same for real and made-up accounts. Time is the injected clock's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use proxmox_api_core::Clock;

/// Entries kept before stale ones are swept (bounds memory under a spray of names).
const SWEEP_ABOVE: usize = 10_000;

/// Counts failed logins in a sliding window.
pub struct LoginLimiter {
    max_per_user: usize,
    max_per_address: usize,
    window: Duration,
    clock: Arc<dyn Clock>,
    failures: Mutex<HashMap<String, Vec<SystemTime>>>,
}

impl std::fmt::Debug for LoginLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimiter")
            .field("max_per_user", &self.max_per_user)
            .field("max_per_address", &self.max_per_address)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

fn user_key(userid: &str) -> String {
    format!("user {userid}")
}

fn address_key(address: IpAddr) -> String {
    format!("addr {address}")
}

impl LoginLimiter {
    /// At most `max_per_user` failed logins per user name and `max_per_address` per client
    /// address (several people may share one) within `window`.
    pub fn new(
        max_per_user: usize,
        max_per_address: usize,
        window: Duration,
        clock: Arc<dyn Clock>,
    ) -> Self {
        LoginLimiter {
            max_per_user,
            max_per_address,
            window,
            clock,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when either the user or the address has used up its failures.
    pub fn check(&self, userid: &str, address: IpAddr) -> Result<(), u64> {
        let now = self.clock.now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for (key, max) in [
            (user_key(userid), self.max_per_user),
            (address_key(address), self.max_per_address),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                times.retain(|t| now.duration_since(*t).unwrap_or_default() < self.window);
                if times.len() >= max {
                    let oldest = times[0];
                    let age = now.duration_since(oldest).unwrap_or_default();
                    wait = wait.max(self.window.saturating_sub(age));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs().max(1))
        }
    }

    /// Records a failed login for the user and the address.
    pub fn failed(&self, userid: &str, address: IpAddr) {
        let now = self.clock.now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t).unwrap_or_default() < self.window)
            });
        }
        for key in [user_key(userid), address_key(address)] {
            failures.entry(key).or_default().push(now);
        }
    }

    /// A successful login clears the user's count (not the address's).
    pub fn succeeded(&self, userid: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&user_key(userid));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proxmox_api_core::ManualClock;

    #[test]
    fn limits_per_user_and_per_address_and_forgets_after_the_window() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let limiter = LoginLimiter::new(3, 5, Duration::from_secs(60), Arc::new(clock.clone()));
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limiter.check("alice@pve", a).is_ok());
            limiter.failed("alice@pve", a);
        }
        assert_eq!(limiter.check("alice@pve", b), Err(60), "per user");
        assert!(
            limiter.check("nobody@pve", a).is_ok(),
            "the address has 2 left"
        );
        limiter.failed("bob@pve", a);
        limiter.failed("carol@pve", a);
        assert_eq!(limiter.check("nobody@pve", a), Err(60), "per address");
        assert!(limiter.check("nobody@pve", b).is_ok());
        clock.advance(Duration::from_secs(45));
        assert_eq!(limiter.check("alice@pve", b), Err(15));
        clock.advance(Duration::from_secs(15));
        assert!(limiter.check("alice@pve", a).is_ok());
    }
}
