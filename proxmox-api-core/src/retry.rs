//! When a failed call is repeated, and how long to wait in between.
//!
//! Only what is provably safe: a GET (no side effects) after a connect error, a broken connection
//! or 502/503/504/595; any method when the request never left (connect error, connect timeout).
//! Waits grow exponentially with jitter and go through the injected clock.

use std::time::Duration;

use crate::error::Error;
use crate::request::Method;

/// How often and how patiently to retry. `RetryPolicy::default()`: 3 attempts, 250 ms doubling up
/// to 4 s, at most 30 s in total, with jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The wait before the first retry.
    pub initial_backoff: Duration,
    /// The longest single wait.
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub max_total: Duration,
    /// Randomise each wait between half and all of its nominal length, so that many clients
    /// failing together do not retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            max_total: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether `error` on a `method` call may be retried at all (ignoring the attempt budget).
    pub fn is_retryable(method: Method, error: &Error) -> bool {
        match error {
            // Nothing reached the server: safe for every method.
            Error::Connect { .. } | Error::Timeout { sent: false, .. } => true,
            // The request never left because logging in failed: repeating the whole call is
            // safe for any method whenever repeating the (idempotent) login is worthwhile.
            Error::LoginFailed { cause } => Self::is_retryable(Method::Get, cause),
            _ if method != Method::Get => false,
            Error::Api { status, .. } => matches!(status, 0 | 502 | 503 | 504),
            Error::NodeUnreachable { status, .. } => *status == 595,
            _ => false,
        }
    }

    /// The wait before retry number `retry` (1 for the first retry), without jitter.
    pub fn nominal_backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(20));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The wait before retry number `retry`, with jitter when enabled.
    pub fn backoff(&self, retry: u32) -> Duration {
        let nominal = self.nominal_backoff(retry);
        if !self.jitter || nominal.is_zero() {
            return nominal;
        }
        let half = nominal / 2;
        let spread = u64::try_from((nominal - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(fastrand::u64(0..=spread))
    }

    /// The wait before the next attempt, or `None` to give up: after `attempts_made` attempts,
    /// `elapsed` since the first, failing with `error`.
    pub fn next_wait(
        &self,
        method: Method,
        error: &Error,
        attempts_made: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempts_made >= self.max_attempts || !Self::is_retryable(method, error) {
            return None;
        }
        let wait = self.backoff(attempts_made);
        (elapsed + wait <= self.max_total).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api {
            status,
            message: String::new(),
        }
    }

    #[test]
    fn only_safe_cases_are_retried() {
        assert!(RetryPolicy::is_retryable(Method::Get, &api(503)));
        assert!(!RetryPolicy::is_retryable(Method::Post, &api(503)));
        assert!(!RetryPolicy::is_retryable(Method::Get, &api(500)));
        let connect = Error::Connect {
            host: "h".into(),
            message: "refused".into(),
        };
        assert!(RetryPolicy::is_retryable(Method::Delete, &connect));
        let sent_timeout = Error::Timeout {
            sent: true,
            elapsed_ms: 1,
            phase: crate::error::TimeoutPhase::Response,
        };
        assert!(!RetryPolicy::is_retryable(Method::Post, &sent_timeout));
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(700),
            max_total: Duration::from_secs(1),
            jitter: false,
        };
        assert_eq!(p.nominal_backoff(1), Duration::from_millis(100));
        assert_eq!(p.nominal_backoff(3), Duration::from_millis(400));
        assert_eq!(p.nominal_backoff(9), Duration::from_millis(700));
        assert_eq!(
            p.next_wait(Method::Get, &api(503), 1, Duration::ZERO),
            Some(Duration::from_millis(100))
        );
        // The total budget stops retries even with attempts left.
        assert_eq!(
            p.next_wait(Method::Get, &api(503), 4, Duration::from_millis(500)),
            None
        );
        let jittered = RetryPolicy {
            jitter: true,
            ..p.clone()
        };
        for _ in 0..100 {
            let d = jittered.backoff(3);
            assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400));
        }
    }
}
