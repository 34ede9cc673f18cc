//! One multiplexed connection to the server, made on first use and remade by redis'
//! connection manager; every command has a deadline, and a server that does not answer is
//! left alone for a few seconds while the clients work in process.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, RedisResult};

/// How long a store that failed is left alone before it is tried again, by default.
const OUTAGE_PAUSE: Duration = Duration::from_secs(3);

pub(crate) struct Connection {
    client: redis::Client,
    /// The URL without its password, for logs.
    shown: String,
    timeout: Duration,
    outage_pause: Duration,
    manager: tokio::sync::Mutex<Option<ConnectionManager>>,
    down_until: Mutex<Option<Instant>>,
    /// Set while down, so that an outage is reported once.
    warned: AtomicBool,
}

impl Connection {
    pub fn new(url: &str, timeout: Duration) -> Result<Connection, RedisError> {
        Ok(Connection {
            client: redis::Client::open(url)?,
            shown: without_password(url),
            timeout,
            outage_pause: OUTAGE_PAUSE,
            manager: tokio::sync::Mutex::new(None),
            down_until: Mutex::new(None),
            warned: AtomicBool::new(false),
        })
    }

    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    pub fn set_outage_pause(&mut self, pause: Duration) {
        self.outage_pause = pause;
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn is_up(&self) -> bool {
        !self.warned.load(Ordering::Relaxed)
    }

    /// Runs `command` on the connection: `None` when the store is down or too slow, or
    /// when the server answered with an error (a key of the wrong type, say), which the
    /// caller treats as "nothing usable stored".
    pub async fn run<T, F, Fut>(&self, command: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let manager = self.manager().await?;
        match tokio::time::timeout(self.timeout, command(manager)).await {
            Ok(Ok(value)) => {
                self.answered();
                Some(value)
            }
            Ok(Err(err)) if is_outage(&err) => {
                self.failed("connection", &err.to_string());
                None
            }
            Ok(Err(err)) => {
                self.answered();
                tracing::debug!(kind = ?err.kind(), "the shared store refused a command; ignoring what it holds");
                None
            }
            Err(_) => {
                self.failed("timeout", &format!("no answer within {:?}", self.timeout));
                None
            }
        }
    }

    async fn manager(&self) -> Option<ConnectionManager> {
        if self
            .down_until
            .lock()
            .unwrap()
            .is_some_and(|until| Instant::now() < until)
        {
            return None;
        }
        let mut manager = self.manager.lock().await;
        if let Some(manager) = manager.as_ref() {
            return Some(manager.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        let connecting = ConnectionManager::new_with_config(self.client.clone(), config);
        match tokio::time::timeout(self.timeout * 2, connecting).await {
            Ok(Ok(connected)) => {
                *manager = Some(connected.clone());
                Some(connected)
            }
            Ok(Err(err)) => {
                self.failed("connection", &err.to_string());
                None
            }
            Err(_) => {
                self.failed("timeout", "no connection within the deadline");
                None
            }
        }
    }

    fn answered(&self) {
        *self.down_until.lock().unwrap() = None;
        if self.warned.swap(false, Ordering::Relaxed) {
            tracing::info!(store = %self.shown, "the shared store answers again: tokens and rate limits are shared by the fleet");
        }
    }

    /// `outcome` is the bounded label of the outage metric; `why` the message logged.
    fn failed(&self, outcome: &'static str, why: &str) {
        provider_core::telemetry::store_outage(outcome);
        *self.down_until.lock().unwrap() = Some(Instant::now() + self.outage_pause);
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                store = %self.shown,
                reason = why,
                "the shared store does not answer: tokens and rate limits are handled in this process until it does"
            );
        }
    }
}

/// The server could not be reached or did not answer, as opposed to answering with an error.
fn is_outage(err: &RedisError) -> bool {
    err.is_io_error() || err.is_timeout() || err.is_connection_dropped() || err.is_connection_refusal()
}

/// `redis://user:secret@host:6379` → `redis://user:***@host:6379`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(unparsed URL)".to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_urls_carry_no_password() {
        assert_eq!(
            without_password("redis://:s3cret@host:6379/0"),
            "redis://:***@host:6379/0"
        );
        assert_eq!(without_password("rediss://app:s3cret@host"), "rediss://app:***@host");
        assert_eq!(without_password("redis://host:6379"), "redis://host:6379");
    }
}
