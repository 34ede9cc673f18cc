//! One credential's token on the server: `<key>` holds `"<expiry in Unix ms> <token>"` and
//! expires with the token; `<key>:lock` is the fetch lock (`SET NX PX`, released only by its
//! holder); `<key>:failure` holds a failed fetch's message for the cooldown.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use provider_core::{CachedToken, ExposeSecret, FetchGuard, FetchLock, SecretString, TokenStore};
use redis::Script;

use crate::connection::Connection;

pub(crate) struct RedisTokens {
    connection: Arc<Connection>,
    key: String,
}

impl RedisTokens {
    pub fn new(connection: Arc<Connection>, key: String) -> Self {
        Self { connection, key }
    }
}

/// Deletes `KEYS[1]` if it holds `ARGV[1]` (a lock's id, or `<expiry> <token>`'s token);
/// a value of the wrong type is garbage and goes too.
const DELETE_IF_HOLDS: &str = r"
local value = redis.pcall('GET', KEYS[1])
if type(value) == 'table' and value.err then return redis.call('DEL', KEYS[1]) end
if not value then return 0 end
if value == ARGV[1] then return redis.call('DEL', KEYS[1]) end
local space = string.find(value, ' ', 1, true)
if space and string.sub(value, space + 1) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

impl TokenStore for RedisTokens {
    fn load(&self) -> BoxFuture<'_, Option<CachedToken>> {
        Box::pin(async move {
            let stored = self
                .connection
                .run(|mut c| async move {
                    redis::cmd("GET")
                        .arg(&self.key)
                        .query_async::<Option<String>>(&mut c)
                        .await
                })
                .await??;
            let parsed = parse(&stored);
            if parsed.is_none() {
                tracing::debug!(key = %self.key, "the shared store holds no readable token under its key; fetching one");
            }
            parsed
        })
    }

    fn save(&self, token: CachedToken) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let Ok(ttl) = token.expires_at.duration_since(SystemTime::now()) else {
                return;
            };
            let value = format!("{} {}", unix_ms(token.expires_at), token.token.expose_secret());
            let ttl_ms = ttl.as_millis().max(1) as u64;
            self.connection
                .run(|mut c| async move {
                    redis::cmd("SET")
                        .arg(&self.key)
                        .arg(value)
                        .arg("PX")
                        .arg(ttl_ms)
                        .query_async::<()>(&mut c)
                        .await
                })
                .await;
        })
    }

    fn lock(&self, hold: Duration) -> BoxFuture<'_, FetchLock> {
        Box::pin(async move {
            let id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
            let lock_key = format!("{}:lock", self.key);
            let hold_ms = hold.as_millis().max(1) as u64;
            let (key, value) = (lock_key.clone(), id.clone());
            let taken: Option<Option<String>> = self
                .connection
                .run(|mut c| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("NX")
                        .arg("PX")
                        .arg(hold_ms)
                        .query_async(&mut c)
                        .await
                })
                .await;
            match taken {
                Some(Some(_)) => FetchLock::Acquired(Box::new(Guard {
                    connection: self.connection.clone(),
                    key: lock_key,
                    id,
                })),
                Some(None) => FetchLock::Held,
                None => FetchLock::Unavailable,
            }
        })
    }

    fn forget<'a>(&'a self, token: &'a SecretString) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            delete_if_holds(&self.connection, self.key.clone(), token.expose_secret().to_owned()).await;
        })
    }

    fn save_failure<'a>(&'a self, message: &'a str, cooldown: Duration) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let key = format!("{}:failure", self.key);
            let cooldown_ms = cooldown.as_millis().max(1) as u64;
            self.connection
                .run(|mut c| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(message)
                        .arg("PX")
                        .arg(cooldown_ms)
                        .query_async::<()>(&mut c)
                        .await
                })
                .await;
        })
    }

    fn failure(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async move {
            let key = format!("{}:failure", self.key);
            self.connection
                .run(|mut c| async move { redis::cmd("GET").arg(key).query_async(&mut c).await })
                .await?
        })
    }
}

struct Guard {
    connection: Arc<Connection>,
    key: String,
    id: String,
}

impl FetchGuard for Guard {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move { delete_if_holds(&self.connection, self.key, self.id).await })
    }
}

async fn delete_if_holds(connection: &Connection, key: String, value: String) {
    connection
        .run(|mut c| async move {
            Script::new(DELETE_IF_HOLDS)
                .key(key)
                .arg(value)
                .invoke_async::<i64>(&mut c)
                .await
        })
        .await;
}

/// `"<expiry in Unix ms> <token>"`; anything else (garbage, an empty token) is `None`.
fn parse(stored: &str) -> Option<CachedToken> {
    let (expiry, token) = stored.split_once(' ')?;
    let expiry: u64 = expiry.parse().ok()?;
    if token.is_empty() {
        return None;
    }
    Some(CachedToken {
        token: SecretString::from(token.to_owned()),
        expires_at: UNIX_EPOCH + Duration::from_millis(expiry),
    })
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_expiry_and_a_token_is_a_token() {
        let token = parse("1893456000000 abc.def").unwrap();
        assert_eq!(token.token.expose_secret(), "abc.def");
        assert_eq!(unix_ms(token.expires_at), 1_893_456_000_000);
        for garbage in ["", "abc", "soon abc", "1893456000000 ", "\u{0}\u{1}"] {
            assert!(parse(garbage).is_none(), "{garbage:?}");
        }
    }
}
