//! The simulator's clock: real time plus whatever tests have advanced it by.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Shared, advanceable clock. Tickets, tasks and node uptime all read it.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
struct ClockState {
    wall_at_start: SystemTime,
    started: Instant,
    advanced: Duration,
    frozen: bool,
    frozen_at: Duration,
}

impl SimClock {
    /// A clock that follows real time.
    #[allow(clippy::disallowed_methods)] // the simulator's one reading of the real clock
    pub fn real() -> Self {
        Self {
            inner: Arc::new(Mutex::new(ClockState {
                wall_at_start: SystemTime::now(),
                started: Instant::now(),
                advanced: Duration::ZERO,
                frozen: false,
                frozen_at: Duration::ZERO,
            })),
        }
    }

    /// A clock frozen at `start` that moves only through [`SimClock::advance`].
    #[allow(clippy::disallowed_methods)]
    pub fn frozen_at(start: SystemTime) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ClockState {
                wall_at_start: start,
                started: Instant::now(),
                advanced: Duration::ZERO,
                frozen: true,
                frozen_at: Duration::ZERO,
            })),
        }
    }

    /// The simulator's current time.
    pub fn now(&self) -> SystemTime {
        let s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let running = if s.frozen {
            s.frozen_at
        } else {
            s.started.elapsed()
        };
        s.wall_at_start + running + s.advanced
    }

    /// Unix seconds now.
    pub fn unix(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    /// Unix time with sub-second precision.
    pub fn unix_f64(&self) -> f64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    /// Moves time forward (tickets age, tasks finish).
    pub fn advance(&self, by: Duration) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        s.advanced += by;
    }
}
