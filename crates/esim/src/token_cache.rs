//! Bearer tokens kept between `esim` runs. Each run is a new process, and Airalo allows 3
//! token requests a minute: without a cache, a short session would be refused. A token is
//! a file readable by its owner only (as other CLIs keep theirs), named after the provider,
//! the host and the client id, never after the secret.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use provider_core::{CachedToken, ExposeSecret, SecretString, TokenStore};
use serde::{Deserialize, Serialize};

pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    expires_at_unix: u64,
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
        let dir = self.path.parent().expect("a file in a directory");
        std::fs::create_dir_all(dir)?;
        // Written aside and renamed, so a concurrent run never reads half a token.
        let partial = self.path.with_extension(format!("{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(&partial)?, &serde_json::to_vec(&stored)?)?;
        std::fs::rename(&partial, &self.path)
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
        std::fs::remove_dir_all(dir).unwrap();
    }
}
