//! The only source of time in the client.
//!
//! Ticket age, retry backoff and task waits all read [`Clock::now`] and wait with
//! [`Clock::sleep`], so tests drive them with a [`ManualClock`] instead of sleeping.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of wall-clock time and a way to wait.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current time. Must never go backwards for a given clock.
    fn now(&self) -> SystemTime;
    /// A future that completes once `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock: wall time that never goes backwards, and `tokio` timers.
#[derive(Debug, Clone)]
pub struct SystemClock {
    wall_at_start: SystemTime,
    started: Instant,
}

impl SystemClock {
    /// A clock anchored at the current wall time.
    #[allow(clippy::disallowed_methods)] // this is the one place that reads the real clock
    pub fn new() -> Self {
        Self {
            wall_at_start: SystemTime::now(),
            started: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        // Monotonic elapsed time on top of one wall reading: an NTP step cannot make a ticket
        // look younger than it is.
        self.wall_at_start + self.started.elapsed()
    }

    #[allow(clippy::disallowed_methods)] // the real clock may really sleep
    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when told to, for tests.
///
/// [`Clock::sleep`] advances the clock by the requested duration and completes at once, so code
/// that waits (backoff, task polling) runs instantly while still observing time passing. Every
/// sleep is recorded and can be inspected with [`ManualClock::sleeps`].
#[derive(Debug, Clone)]
pub struct ManualClock {
    inner: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    now: SystemTime,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ManualState {
                now: start,
                sleeps: Vec::new(),
            })),
        }
    }

    /// A clock standing at the given Unix time in seconds.
    pub fn at_unix(seconds: u64) -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.now += by;
    }

    /// Every duration passed to `sleep` so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A panic while holding this lock leaves plain data behind; keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        {
            let mut state = self.lock();
            state.now += duration;
            state.sleeps.push(duration);
        }
        Box::pin(tokio::task::yield_now())
    }
}

/// Seconds since the Unix epoch on `clock`.
pub fn unix_seconds(clock: &dyn Clock) -> u64 {
    clock
        .now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_sleep_advances_without_waiting() {
        let clock = ManualClock::at_unix(1_700_000_000);
        clock.sleep(Duration::from_secs(30)).await;
        clock.advance(Duration::from_secs(5));
        assert_eq!(unix_seconds(&clock), 1_700_000_035);
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(30)]);
    }

    #[test]
    fn system_clock_is_monotonic() {
        let clock = SystemClock::new();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
    }
}
