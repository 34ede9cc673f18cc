//! Bearer tokens issued by the client-credentials exchanges (Airalo, PressOne), each
//! valid for `Config::token_ttl` of simulated time.
//!
//! A token describes itself: `<provider>.<issued, unix µs>.<expiry, unix ms>.<HMAC-SHA256 of
//! the rest, keyed with a fixed sandbox key>`. The sandbox keeps no token state, so a token a
//! client cached (the official SDKs cache theirs for an hour, `esim` between runs) still works
//! after the sandbox restarts, as a real provider's would. Revoking (`/_sandbox/tokens/revoke`)
//! refuses the tokens issued until then, for the life of the process.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Signs every sandbox token. Fixed, so that tokens outlive the process; a sandbox guards
/// nothing worth a secret.
const KEY: &[u8] = b"provider-clients sandbox token key";

/// The tokens of one provider.
pub struct Tokens {
    provider: &'static str,
    /// Tokens issued at or before this wall-clock time (unix µs) are revoked.
    revoked_until: AtomicI64,
}

/// Why a presented token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Missing,
    Unknown,
    Expired,
}

impl Tokens {
    pub fn new(provider: &'static str) -> Tokens {
        Tokens {
            provider,
            revoked_until: AtomicI64::new(i64::MIN),
        }
    }

    /// A new token, valid until `expires`.
    pub fn issue(&self, expires: DateTime<Utc>) -> String {
        let issued = Utc::now().timestamp_micros();
        let claims = format!("{}.{issued}.{}", self.provider, expires.timestamp_millis());
        format!("{claims}.{}", hex::encode(mac(&claims).finalize().into_bytes()))
    }

    /// Revokes every token issued so far: they are refused as unknown from now on.
    pub fn revoke_all(&self) {
        self.revoked_until
            .fetch_max(Utc::now().timestamp_micros(), Ordering::SeqCst);
    }

    /// Checks an `Authorization` header value of the form `Bearer <token>`.
    pub fn check(&self, authorization: Option<&str>, now: DateTime<Utc>) -> Result<(), Refused> {
        let token = authorization
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Refused::Missing)?;
        let (claims, signature) = token.rsplit_once('.').ok_or(Refused::Unknown)?;
        let signature = hex::decode(signature).map_err(|_| Refused::Unknown)?;
        mac(claims).verify_slice(&signature).map_err(|_| Refused::Unknown)?;
        let (issued, expires) = claims
            .strip_prefix(self.provider)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split_once('.'))
            .ok_or(Refused::Unknown)?;
        let issued: i64 = issued.parse().map_err(|_| Refused::Unknown)?;
        let expires = expires
            .parse::<i64>()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .ok_or(Refused::Unknown)?;
        if issued <= self.revoked_until.load(Ordering::SeqCst) {
            return Err(Refused::Unknown);
        }
        if expires <= now {
            return Err(Refused::Expired);
        }
        Ok(())
    }
}

fn mac(claims: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("HMAC takes any key length");
    mac.update(claims.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_checked_by_its_signature_provider_and_expiry() {
        let now = Utc::now();
        let airalo = Tokens::new("airalo");
        let token = airalo.issue(now + chrono::Duration::hours(1));
        let bearer = format!("Bearer {token}");
        assert_eq!(airalo.check(Some(&bearer), now), Ok(()));
        // Another instance (a restarted sandbox) honours it.
        assert_eq!(Tokens::new("airalo").check(Some(&bearer), now), Ok(()));
        assert_eq!(
            airalo.check(Some(&bearer), now + chrono::Duration::hours(2)),
            Err(Refused::Expired)
        );
        assert_eq!(Tokens::new("pressone").check(Some(&bearer), now), Err(Refused::Unknown));
        // A forged expiry breaks the signature.
        let (_, signature) = token.rsplit_once('.').unwrap();
        let (claims, _) = token.rsplit_once('.').unwrap();
        let (issued, _) = claims.rsplit_once('.').unwrap();
        let forged = format!("Bearer {issued}.{}.{signature}", i64::MAX);
        assert_eq!(airalo.check(Some(&forged), now), Err(Refused::Unknown));
        // Revoked: refused from then on, while a token issued after it works.
        std::thread::sleep(std::time::Duration::from_millis(1));
        airalo.revoke_all();
        assert_eq!(airalo.check(Some(&bearer), now), Err(Refused::Unknown));
        std::thread::sleep(std::time::Duration::from_millis(1));
        let fresh = format!("Bearer {}", airalo.issue(now + chrono::Duration::hours(1)));
        assert_eq!(airalo.check(Some(&fresh), now), Ok(()));
        assert_eq!(airalo.check(Some("Bearer nonsense"), now), Err(Refused::Unknown));
        assert_eq!(airalo.check(None, now), Err(Refused::Missing));
    }
}
