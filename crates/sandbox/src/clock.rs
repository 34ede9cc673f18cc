//! Simulated time: the wall clock plus whatever the sandbox has been told to skip.
//! Skipping ahead is how a test sees usage grow, packages expire and tokens lapse
//! without waiting.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    skipped: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock::default()
    }

    /// The simulated current time.
    pub fn now(&self) -> DateTime<Utc> {
        let skipped = *self.skipped.lock().unwrap();
        Utc::now() + chrono::Duration::from_std(skipped).unwrap_or(chrono::Duration::MAX)
    }

    /// How far the clock has been moved ahead of the wall clock.
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
