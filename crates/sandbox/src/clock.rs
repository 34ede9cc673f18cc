//! Simulated time: a start instant, plus the real time elapsed since (read from the
//! monotonic clock), plus whatever the sandbox has been told to skip. Skipping ahead is how a
//! test sees usage grow, packages expire and tokens lapse without waiting; a fixed start
//! ([`Config::start`](crate::Config::start)) is how its answers stay the same on any day.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// A fixed instant, 2026-01-15 10:00:00 UTC, for reproducible runs: tests, snapshots and
/// demos whose answers must not depend on the day they run
/// (`Sandbox::starting_at(sandbox::EXAMPLE_START)`, `--start 2026-01-15T10:00:00Z`).
pub const EXAMPLE_START: DateTime<Utc> = match NaiveDate::from_ymd_opt(2026, 1, 15) {
    Some(day) => match day.and_hms_opt(10, 0, 0) {
        Some(at) => at.and_utc(),
        None => unreachable!(),
    },
    None => unreachable!(),
};

#[derive(Debug)]
pub struct Clock {
    start: DateTime<Utc>,
    started: Instant,
    skipped: Mutex<Duration>,
}

impl Clock {
    /// Starts at `start`, or at the wall clock's time when `None`.
    pub(crate) fn new(start: Option<DateTime<Utc>>) -> Clock {
        Clock {
            start: start.unwrap_or_else(Utc::now),
            started: Instant::now(),
            skipped: Mutex::new(Duration::ZERO),
        }
    }

    /// The simulated current time.
    pub fn now(&self) -> DateTime<Utc> {
        let ahead = self.started.elapsed() + *self.skipped.lock().unwrap();
        self.start + chrono::Duration::from_std(ahead).unwrap_or(chrono::Duration::MAX)
    }

    /// Where simulated time started.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// How far the clock has been moved ahead.
    pub fn skipped(&self) -> Duration {
        *self.skipped.lock().unwrap()
    }

    pub(crate) fn skip(&self, by: Duration) {
        *self.skipped.lock().unwrap() += by;
    }
}

/// `2026-11-23 12:00:00`: how Airalo (and PressOne) write most timestamps; the spec marks
/// those fields `format: provider-date-time`.
pub fn airalo_format(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2026-11-23 12:00`: Airalo's future-order dates (UTC, to the minute).
pub fn airalo_minutes(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-11-23T12:00:00+00:00`: the ISO 8601 Airalo uses in package history.
pub fn iso_offset(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// RFC 3339 with milliseconds and `Z`, as Vellosim and VeloConnect send.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_start_moves_only_by_elapsed_and_skipped_time() {
        let clock = Clock::new(Some(EXAMPLE_START));
        assert_eq!(rfc3339(EXAMPLE_START), "2026-01-15T10:00:00.000Z");
        let before = clock.now();
        assert!(before >= EXAMPLE_START && before - EXAMPLE_START < chrono::Duration::minutes(1));
        clock.skip(Duration::from_secs(86_400));
        let after = clock.now();
        assert!(after - before >= chrono::Duration::days(1));
        assert!(after - EXAMPLE_START < chrono::Duration::days(1) + chrono::Duration::minutes(1));
        assert_eq!(clock.start(), EXAMPLE_START);
    }
}
