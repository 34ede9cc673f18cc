//! One bearer token and one rate budget for every replica of a service, kept on the
//! Valkey/Redis server the service already runs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = std::sync::Arc::new(provider_fleet::RedisStore::open("redis://:password@valkey:6379/0")?);
//! let client = airalo_client::Client::config("client-id", "client-secret")
//!     .shared_state(store)
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! With the store configured, every client of one credential, in any process on any host:
//! - shares one token: one replica asks the token endpoint (holding a lock that expires by
//!   itself) while the others wait for its result; a token the provider refuses is replaced
//!   once for the whole fleet, and a failing token endpoint is asked once per cooldown;
//! - paces its calls in the provider's documented windows (the spec's `x-rate-limit`), kept
//!   as sliding windows on the server by one atomic script.
//!
//! A store that is down, slow (each command has a deadline, 250 ms by default) or holds
//! garbage never fails a call: the client falls back to its in-process lock and windows,
//! says so once at WARN, and tries the store again a few seconds later.

mod connection;
mod tokens;
mod windows;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use provider_core::{SharedState, Slot, TokenStore};

use connection::Connection;

pub use redis::RedisError;

/// Valkey/Redis as the shared state of a fleet (see the crate documentation).
pub struct RedisStore {
    connection: Arc<Connection>,
    prefix: String,
}

impl RedisStore {
    /// A store at `url` (`redis://[user][:password@]host[:port][/db]`, or `rediss://` for
    /// TLS). Only the URL is checked here: the connection is made on first use, and a server
    /// that is not there yet costs nothing but the fallback.
    pub fn open(url: &str) -> Result<RedisStore, RedisError> {
        Ok(RedisStore {
            connection: Arc::new(Connection::new(url, Duration::from_millis(250))?),
            prefix: "provider-clients".to_owned(),
        })
    }

    /// The prefix of every key this store writes (default `provider-clients`).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The most one command may take before the store is taken as down (default 250 ms).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        let connection = Arc::get_mut(&mut self.connection).expect("configured before use");
        connection.set_timeout(timeout);
        self
    }

    /// How long a store that stopped answering is left alone (the clients working in
    /// process meanwhile) before it is tried again; 3 s by default. Shorter finds a
    /// returning server sooner, at the cost of more failed attempts during an outage.
    pub fn with_outage_pause(mut self, pause: Duration) -> Self {
        let connection = Arc::get_mut(&mut self.connection).expect("configured before use");
        connection.set_outage_pause(pause);
        self
    }

    /// Whether the last command was answered (false while falling back to the process).
    pub fn is_available(&self) -> bool {
        self.connection.is_up()
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.connection.shown())
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl SharedState for RedisStore {
    fn token_store(&self, key: &str) -> Arc<dyn TokenStore> {
        Arc::new(tokens::RedisTokens::new(
            self.connection.clone(),
            format!("{}:token:{key}", self.prefix),
        ))
    }

    fn reserve<'a>(
        &'a self,
        key: &'a str,
        requests: u32,
        per: Duration,
        max_wait: Duration,
    ) -> BoxFuture<'a, Option<Slot>> {
        Box::pin(windows::reserve(
            &self.connection,
            format!("{}:window:{key}", self.prefix),
            requests,
            per,
            max_wait,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_auth_and_tls_are_accepted_and_shown_without_the_password() {
        for url in [
            "redis://:pw@127.0.0.1:6379/0",
            "redis://app:pw@host",
            "rediss://:pw@valkey.internal:6380",
        ] {
            let store = RedisStore::open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!format!("{store:?}").contains("pw"), "{store:?}");
        }
        assert!(RedisStore::open("http://not-redis").is_err());
    }
}
