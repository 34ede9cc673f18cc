//! Bearer tokens kept between `esim` runs. Each run is a new process, and Airalo allows 3
//! token requests a minute: without a cache, a short session would be refused. A token is
//! a file readable by its owner only (as other CLIs keep theirs), named after the provider,
//! the host and the client id, never after the secret. Runs started together take turns:
//! one holds an OS lock on `<file>.lock` while it asks for the token (the lock goes with its
//! process), the others wait for the file; a failed request is kept in `<file>.failure` for
//! the cooldown, so that the others do not repeat it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use provider_core::{CachedToken, ExposeSecret, FetchGuard, FetchLock, SecretString, TokenStore};
use serde::{Deserialize, Serialize};

pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    expires_at_unix: u64,
}

#[derive(Serialize, Deserialize)]
struct Failure {
    message: String,
    until_unix_ms: u64,
}

impl FileTokenStore {
    /// The store for `client_id` at `base_url`, under `dir`.
    pub fn new(dir: PathBuf, provider: &str, base_url: &str, client_id: &str) -> Arc<FileTokenStore> {
        // Only a file name: a different hash after a toolchain upgrade costs one token request.
        let mut hasher = DefaultHasher::new();
        (base_url, client_id).hash(&mut hasher);
        Arc::new(FileTokenStore {
            path: dir.join(format!("{provider}-{:016x}.json", hasher.finish())),
        })
    }

    fn read(&self) -> Option<CachedToken> {
        let stored: Stored = serde_json::from_slice(&std::fs::read(&self.path).ok()?).ok()?;
        Some(CachedToken {
            token: SecretString::from(stored.token),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(stored.expires_at_unix),
        })
    }

    fn write(&self, token: &CachedToken) -> std::io::Result<()> {
        let stored = Stored {
            token: token.token.expose_secret().to_owned(),
            expires_at_unix: token
                .expires_at
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
        };
        write_private(&self.path, &serde_json::to_vec(&stored)?)
    }

    fn beside(&self, suffix: &str) -> PathBuf {
        self.path.with_extension(format!("json.{suffix}"))
    }
}

/// Written aside and renamed, so a concurrent run never reads half a file.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().expect("a file in a directory"))?;
    let partial = path.with_extension(format!("{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&partial)?, bytes)?;
    std::fs::rename(&partial, path)
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

/// Held while this run asks for a token; the OS drops the lock when the file is closed or
/// the process ends.
struct LockFile(std::fs::File);

impl FetchGuard for LockFile {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move { drop(self.0) })
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> BoxFuture<'_, Option<CachedToken>> {
        Box::pin(async move { self.read() })
    }

    fn save(&self, token: CachedToken) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // A cache that cannot be written only costs the next run a token request.
            if let Err(err) = self.write(&token) {
                eprintln!(
                    "note: could not cache the access token in {}: {err}",
                    self.path.display()
                );
            }
        })
    }

    fn lock(&self, _hold: Duration) -> BoxFuture<'_, FetchLock> {
        Box::pin(async move {
            let path = self.beside("lock");
            let file = std::fs::create_dir_all(path.parent().expect("a file in a directory")).and_then(|()| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
            });
            let Ok(file) = file else {
                return FetchLock::Unavailable;
            };
            match file.try_lock() {
                Ok(()) => FetchLock::Acquired(Box::new(LockFile(file))),
                Err(std::fs::TryLockError::WouldBlock) => FetchLock::Held,
                Err(std::fs::TryLockError::Error(_)) => FetchLock::Unavailable,
            }
        })
    }

    fn forget<'a>(&'a self, token: &'a SecretString) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self
                .read()
                .is_some_and(|t| t.token.expose_secret() == token.expose_secret())
            {
                let _ = std::fs::remove_file(&self.path);
            }
        })
    }

    fn save_failure<'a>(&'a self, message: &'a str, cooldown: Duration) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let failure = Failure {
                message: message.to_owned(),
                until_unix_ms: unix_ms(SystemTime::now() + cooldown),
            };
            if let Ok(bytes) = serde_json::to_vec(&failure) {
                let _ = write_private(&self.beside("failure"), &bytes);
            }
        })
    }

    fn failure(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async move {
            let failure: Failure = serde_json::from_slice(&std::fs::read(self.beside("failure")).ok()?).ok()?;
            (unix_ms(SystemTime::now()) < failure.until_unix_ms).then_some(failure.message)
        })
    }
}

/// `ESIM_TOKEN_CACHE`, else the user's cache directory; a sandbox's tokens go to the
/// temporary directory, as they end with the sandbox (started by hand, for a session).
pub fn dir(sandbox: bool) -> PathBuf {
    if let Some(dir) = std::env::var_os("ESIM_TOKEN_CACHE") {
        return PathBuf::from(dir);
    }
    if sandbox {
        return std::env::temp_dir().join("esim-sandbox-tokens");
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("esim")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_saved_token_is_loaded_by_the_next_run_and_only_its_owner_can_read_it() {
        let dir = std::env::temp_dir().join(format!("esim-token-cache-test-{}", std::process::id()));
        let store = FileTokenStore::new(dir.clone(), "airalo", "http://host/v2", "id-1");
        assert!(store.load().await.is_none());
        store.save(CachedToken::new("tok-123", Duration::from_secs(3600))).await;

        let next_run = FileTokenStore::new(dir.clone(), "airalo", "http://host/v2", "id-1");
        let loaded = next_run.load().await.expect("cached");
        assert_eq!(loaded.token.expose_secret(), "tok-123");
        let left = loaded.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(
            left > Duration::from_secs(3590) && left <= Duration::from_secs(3600),
            "{left:?}"
        );

        let other_client = FileTokenStore::new(dir.clone(), "airalo", "http://host/v2", "id-2");
        assert!(other_client.load().await.is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&next_run.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // One run at a time holds the lock; a refused token is forgotten, a newer one kept.
        let FetchLock::Acquired(guard) = store.lock(Duration::from_secs(30)).await else {
            panic!("the first run gets the lock");
        };
        assert!(matches!(next_run.lock(Duration::from_secs(30)).await, FetchLock::Held));
        guard.release().await;
        assert!(matches!(
            next_run.lock(Duration::from_secs(30)).await,
            FetchLock::Acquired(_)
        ));
        next_run.forget(&SecretString::from("another-token")).await;
        assert!(store.load().await.is_some());
        next_run.forget(&SecretString::from("tok-123")).await;
        assert!(store.load().await.is_none());
        store.save_failure("HTTP 503", Duration::from_secs(20)).await;
        assert_eq!(next_run.failure().await.as_deref(), Some("HTTP 503"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
