//! One error type for every client, generic over the provider's documented error body.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::body::{REFUSED_IN_BODY, provider_status};
use crate::budget::BudgetExceeded;
use crate::retry::retry_after;

/// What went wrong with a call. `E` is the provider's documented error body.
///
/// Built from progenitor's error with `?` (`From<progenitor_client::Error<E>>`). Nothing
/// here holds a credential: request headers are never kept, and `reqwest::Error` shows the
/// URL only, which carries no secret in any of our providers.
#[derive(Debug)]
pub enum Error<E> {
    /// The request never reached the provider, or its answer was lost or cut off.
    Transport(reqwest::Error),
    /// The provider answered with its documented error body. For operations whose spec
    /// declares refusals inside a successful answer (`x-body-failure`), such an answer lands
    /// here too, with the status the provider sent (e.g. 200) and the refusal as `body`.
    Api {
        status: StatusCode,
        headers: HeaderMap,
        body: E,
    },
    /// HTTP 429 after the retry policy gave up (or would have waited too long), or a call
    /// this client did not send because the provider's documented limit was used up
    /// (`local`).
    RateLimited(RateLimit<E>),
    /// The body did not decode as the documented type; the raw bytes are kept.
    Undecodable { body: Bytes, reason: String },
    /// A status the spec does not declare (e.g. a 3xx that was not followed).
    UnexpectedStatus { status: StatusCode, headers: HeaderMap },
    /// The request could not be built (a missing required parameter, an invalid header value).
    InvalidRequest(String),
    /// No credential could be had (e.g. the token endpoint refused or failed); nothing was sent.
    Auth(String),
}

// Written out rather than derived with thiserror: its proc macro would be the one in a
// service's cold build that only this crate asks for.
impl<E> std::fmt::Display for Error<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Transport(e) => {
                let note = if outcome_unknown(e) { OUTCOME_UNKNOWN } else { "" };
                write!(f, "transport failure: {e}{note}")
            }
            Error::Api { status, .. } => write!(f, "the provider answered HTTP {status} with an error body"),
            Error::RateLimited(limit) => {
                f.write_str(if limit.local {
                    "not sent: the provider's documented rate limit is used up"
                } else {
                    "rate limited by the provider (HTTP 429)"
                })?;
                match limit.retry_after {
                    Some(wait) => write!(f, "; retry after {wait:?}"),
                    None => Ok(()),
                }
            }
            Error::Undecodable { reason, .. } => write!(f, "undecodable response body ({reason})"),
            Error::UnexpectedStatus { status, .. } => write!(f, "unexpected HTTP status {status}"),
            Error::InvalidRequest(reason) => write!(f, "invalid request: {reason}"),
            Error::Auth(reason) => f.write_str(reason),
        }
    }
}

impl<E: std::fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// A 429: how long the provider asked us to wait, and its rate-limit headers.
#[derive(Debug)]
pub struct RateLimit<E> {
    pub retry_after: Option<Duration>,
    pub headers: HeaderMap,
    /// The documented error body, when the provider sent one.
    pub body: Option<E>,
    /// True when this client refused the call before sending it, to stay under the
    /// provider's documented limit (see `provider_core::budget`): nothing reached the provider.
    pub local: bool,
}

const OUTCOME_UNKNOWN: &str = "; the request may have reached the provider: for an order or top-up, \
     look it up (e.g. by its unique description) before sending it again";

/// A transport error after the connection was made: the provider may have acted on it.
fn outcome_unknown(err: &reqwest::Error) -> bool {
    !(err.is_connect() || err.is_builder())
}

impl<E> RateLimit<E> {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub fn limit(&self) -> Option<u64> {
        self.header_number("x-ratelimit-limit")
    }

    /// `X-RateLimit-Remaining`: requests left in the window.
    pub fn remaining(&self) -> Option<u64> {
        self.header_number("x-ratelimit-remaining")
    }

    /// `X-RateLimit-Reset`, as the provider sent it (a Unix time or seconds, by provider).
    pub fn reset(&self) -> Option<u64> {
        self.header_number("x-ratelimit-reset")
    }

    fn header_number(&self, name: &str) -> Option<u64> {
        self.headers.get(name)?.to_str().ok()?.trim().parse().ok()
    }
}

impl<E> Error<E> {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedStatus { status, .. } => Some(*status),
            Error::RateLimited(_) => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Transport(err) => err.status(),
            _ => None,
        }
    }

    /// The documented error body, if the provider sent one.
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            Error::RateLimited(limit) => limit.body.as_ref(),
            _ => None,
        }
    }

    /// The request may have been processed although no answer arrived (a reset or timeout
    /// after sending). For purchases, reconcile before retrying: they are never resent.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::Transport(err) if outcome_unknown(err))
    }

    /// Raw bytes of a body that did not decode.
    pub fn raw_body(&self) -> Option<&Bytes> {
        match self {
            Error::Undecodable { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl<E> From<progenitor_client::Error<E>> for Error<E> {
    fn from(err: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match err {
            P::InvalidRequest(msg) => Error::InvalidRequest(msg),
            P::CommunicationError(e) | P::ResponseBodyError(e) => Error::Transport(e),
            P::InvalidUpgrade(e) => Error::Transport(e),
            P::ErrorResponse(value) => {
                let mut headers = value.headers().clone();
                let status = provider_status(value.status(), &headers);
                headers.remove(REFUSED_IN_BODY);
                let body = value.into_inner();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    Error::RateLimited(RateLimit {
                        retry_after: retry_after(&headers),
                        headers,
                        body: Some(body),
                        local: false,
                    })
                } else {
                    Error::Api { status, headers, body }
                }
            }
            P::InvalidResponsePayload(body, err) => Error::Undecodable {
                body,
                reason: err.to_string(),
            },
            P::UnexpectedResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    Error::RateLimited(RateLimit {
                        retry_after: retry_after(&headers),
                        headers,
                        body: None,
                        local: false,
                    })
                } else {
                    Error::UnexpectedStatus { status, headers }
                }
            }
            // Our hooks fail only when pacing (`Runtime::admit`) or authorizing
            // (`Runtime::authorize`); nothing was sent in either case.
            P::Custom(msg) => match BudgetExceeded::parse(&msg) {
                Some(wait) => Error::RateLimited(RateLimit {
                    retry_after: Some(wait),
                    headers: HeaderMap::new(),
                    body: None,
                    local: true,
                }),
                None => Error::Auth(msg),
            },
        }
    }
}
