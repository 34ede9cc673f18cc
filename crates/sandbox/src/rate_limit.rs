//! Fixed-window rate limits in simulated time, keyed by whatever the provider documents
//! (per token, per ICCID, per IP…). Skipping the clock ahead opens a new window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

/// A request over the limit: what the 429 tells the caller.
#[derive(Debug, Clone, Copy)]
pub struct Exceeded {
    pub limit: u32,
    /// Whole seconds until the window reopens (at least 1).
    pub retry_after: u64,
    /// Unix time at which the window reopens.
    pub reset: i64,
}

impl RateLimiter {
    /// Counts one request against `key`; `Err` when it is over `limit` per `window`.
    pub fn hit(&self, key: &str, limit: u32, window: Duration, now: DateTime<Utc>) -> Result<(), Exceeded> {
        let window = chrono::Duration::from_std(window).expect("window fits");
        let mut windows = self.windows.lock().unwrap();
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now >= entry.0 + window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 <= limit {
            return Ok(());
        }
        let reopens = entry.0 + window;
        let retry_after = ((reopens - now).num_milliseconds().max(1) as u64).div_ceil(1000);
        Err(Exceeded {
            limit,
            retry_after,
            reset: reopens.timestamp(),
        })
    }
}
