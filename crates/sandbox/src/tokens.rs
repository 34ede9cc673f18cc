//! Bearer tokens issued by the client-credentials exchanges (Airalo, PressOne), each
//! valid for `Config::token_ttl` of simulated time.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

#[derive(Default)]
pub struct Tokens {
    issued: Mutex<HashMap<String, DateTime<Utc>>>,
    counter: Mutex<u64>,
}

/// Why a presented token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Missing,
    Unknown,
    Expired,
}

impl Tokens {
    /// A new opaque token, valid until `expires`.
    pub fn issue(&self, prefix: &str, expires: DateTime<Utc>) -> String {
        let n = {
            let mut counter = self.counter.lock().unwrap();
            *counter += 1;
            *counter
        };
        let token = format!(
            "{prefix}.{n:08}.{:016x}",
            expires.timestamp_millis() as u64 ^ 0x5a5a_5a5a_5a5a_5a5a
        );
        self.issued.lock().unwrap().insert(token.clone(), expires);
        token
    }

    /// Forgets every token issued so far: they are refused as unknown from now on.
    pub fn revoke_all(&self) {
        self.issued.lock().unwrap().clear();
    }

    /// Checks an `Authorization` header value of the form `Bearer <token>`.
    pub fn check(&self, authorization: Option<&str>, now: DateTime<Utc>) -> Result<(), Refused> {
        let token = authorization
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Refused::Missing)?;
        match self.issued.lock().unwrap().get(token) {
            None => Err(Refused::Unknown),
            Some(expires) if *expires <= now => Err(Refused::Expired),
            Some(_) => Ok(()),
        }
    }
}
