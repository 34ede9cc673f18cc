//! The runtime every generated provider client shares.
//!
//! Generated clients carry a [`Runtime`] as progenitor's "inner" value and route every
//! request through [`Runtime::execute`] from their `ClientHooks::exec`: that is where
//! credentials are attached, progenitor's `api-version` header is dropped, idempotent
//! requests are retried and each call is traced and measured ([`telemetry`]). Everything here is provider-neutral.

pub mod auth;
mod body;
pub mod budget;
mod client_credentials;
mod config;
pub mod decimal;
mod descriptor;
mod error;
mod glue;
mod lenient;
pub mod observe;
pub mod paginate;
mod retry;
mod runtime;
pub mod telemetry;
mod timestamp;
mod tls;
pub mod units;

pub use auth::{AuthError, CachedToken, FetchGuard, FetchLock, TokenProvider, TokenStore};
pub use body::{BodyFailure, provider_status};
pub use budget::{BudgetExceeded, OperationLimit, Scope, SharedState, Slot};
pub use client_credentials::client_credentials;
pub use config::{BuildError, ClientConfig, Connect, Credential, FromParts};
pub use descriptor::{CredentialKind, DecodeComponent, Descriptor};
pub use error::{Error, RateLimit};
pub use lenient::LenientInt;
pub use observe::Observe;
pub use retry::RetryPolicy;
pub use runtime::Runtime;
pub use secrecy::{ExposeSecret, SecretString};
pub use telemetry::Route;
pub use timestamp::Timestamp;

/// What the macros this crate exports expand to, so that client crates need no `tracing`.
#[doc(hidden)]
pub mod __private {
    pub use tracing;
}
