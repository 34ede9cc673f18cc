//! Rate budgets: each provider's documented limits (the spec's `x-rate-limit`, generated into
//! each client as `RATE_LIMITS`), paced on the client side so that calls stay under them. A
//! call waits for its slot within the retry policy's `max_delay`; past that it is refused
//! before sending, as [`Error::RateLimited`](crate::Error::RateLimited) with `local` set.
//!
//! The budget is a sliding window: at most `requests` sends in any `per`, with bursts allowed.
//! Providers count per fixed window ("3 per minute"); a token bucket (GCRA, as the `governor`
//! crate implements) would let almost twice the limit into one such window after a burst, so
//! it is not used. In one process the window lives here; across a fleet it lives in a
//! [`SharedState`] (e.g. Valkey/Redis), which computes the same slots atomically.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::TokenStore;
use crate::telemetry::Labels;

/// One documented limit of one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationLimit {
    /// The operation's method name (what progenitor reports as `OperationInfo::operation_id`).
    pub operation: &'static str,
    pub requests: u32,
    pub per: Duration,
    pub scope: Scope,
}

/// Whose calls a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every call made with one account (company, client id, API key).
    Account,
    /// Every call made with one access token: with one token per fleet, the account.
    Token,
    /// Every call from one IP address. Paced per account: replicas often share an egress address.
    Ip,
    /// Every call about one value of a path parameter (an ICCID, a package): the value is the
    /// URL path segment `segment_from_end` places before the last one.
    PathValue {
        kind: &'static str,
        segment_from_end: usize,
    },
}

/// A slot asked of a shared window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Reserved: send after waiting this long.
    Granted(Duration),
    /// The next free slot is this far away, beyond the caller's bound: nothing was reserved.
    Refused(Duration),
}

/// State shared by every replica of a service: tokens and rate windows. Implemented over
/// Valkey/Redis by the `provider-fleet` crate. A store that cannot answer returns `None` (or
/// its token store does, see [`TokenStore`]); the client then paces and fetches in process.
pub trait SharedState: Send + Sync {
    /// The token store for one credential at one provider (`key` names both, never a secret).
    fn token_store(&self, key: &str) -> Arc<dyn TokenStore>;

    /// Reserves the next slot of `requests` per `per` under `key` if it starts within
    /// `max_wait`; `None` when the store cannot answer.
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        requests: u32,
        per: Duration,
        max_wait: Duration,
    ) -> BoxFuture<'a, Option<Slot>>;
}

/// A call refused before sending: its slot would come later than the caller may wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetExceeded {
    pub operation: &'static str,
    pub requests: u32,
    pub per: Duration,
    pub next_slot: Duration,
}

impl fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{MARKER}{} ms; {} allows {} calls per {:?}; not sent",
            self.next_slot.as_millis(),
            self.operation,
            self.requests,
            self.per
        )
    }
}

/// How a refusal crosses progenitor's hook (which carries a `String` only) to the error type.
const MARKER: &str = "rate budget: next slot in ";

impl BudgetExceeded {
    /// The wait a refusal's message announces, if `message` is one.
    pub(crate) fn parse(message: &str) -> Option<Duration> {
        let millis = message.strip_prefix(MARKER)?.split(' ').next()?.parse().ok()?;
        Some(Duration::from_millis(millis))
    }
}

/// Sent calls land at the provider a little later than they leave: keep this much apart.
const JITTER_MARGIN: Duration = Duration::from_millis(50);

/// The budgets of one client: its operations' limits, and where their windows live.
pub(crate) struct Budget {
    limits: &'static [OperationLimit],
    /// `provider|base URL|identity`: whose windows these are.
    owner: String,
    shared: Option<Arc<dyn SharedState>>,
    local: LocalWindows,
}

impl Budget {
    pub fn new(limits: &'static [OperationLimit], owner: String, shared: Option<Arc<dyn SharedState>>) -> Self {
        Self {
            limits,
            owner,
            shared,
            local: LocalWindows::default(),
        }
    }

    /// Waits for a slot in every window `operation` counts against, or refuses when one is
    /// further away than `max_wait`. A refusal can leave a slot reserved in an earlier window:
    /// that errs on the side of fewer calls.
    pub async fn admit(&self, labels: Labels, path: &str, max_wait: Duration) -> Result<(), BudgetExceeded> {
        let operation = labels.operation;
        let mut wait = Duration::ZERO;
        for limit in self.limits.iter().filter(|l| l.operation == operation) {
            let key = self.key(limit, path);
            let per = limit.per + JITTER_MARGIN;
            let slot = match &self.shared {
                Some(shared) => shared.reserve(&key, limit.requests, per, max_wait).await,
                None => None,
            };
            let slot = slot.unwrap_or_else(|| {
                if self.shared.is_some() {
                    labels.store_fallback("rate_window");
                }
                self.local.reserve(&key, limit.requests, per, max_wait)
            });
            match slot {
                Slot::Granted(w) => wait = wait.max(w),
                Slot::Refused(next_slot) => {
                    return Err(BudgetExceeded {
                        operation,
                        requests: limit.requests,
                        per: limit.per,
                        next_slot,
                    });
                }
            }
        }
        if !wait.is_zero() {
            labels.rate_limit_wait(wait);
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    fn key(&self, limit: &OperationLimit, path: &str) -> String {
        let mut key = format!("{}|{}", self.owner, limit.operation);
        if let Scope::PathValue { kind, segment_from_end } = limit.scope {
            let value = path
                .trim_end_matches('/')
                .rsplit('/')
                .nth(segment_from_end)
                .unwrap_or_default();
            key.push_str(&format!("|{kind}={value}"));
        }
        key
    }
}

/// Sliding windows kept in this process: each key's reserved send times, oldest first.
#[derive(Default)]
pub(crate) struct LocalWindows {
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LocalWindows {
    pub fn reserve(&self, key: &str, requests: u32, per: Duration, max_wait: Duration) -> Slot {
        self.reserve_at(Instant::now(), key, requests, per, max_wait)
    }

    fn reserve_at(&self, now: Instant, key: &str, requests: u32, per: Duration, max_wait: Duration) -> Slot {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 4096 {
            windows.retain(|_, sent| sent.back().is_some_and(|last| *last + per > now));
        }
        let sent = windows.entry(key.to_owned()).or_default();
        while sent.front().is_some_and(|first| *first + per <= now) {
            sent.pop_front();
        }
        let requests = requests.max(1) as usize;
        let mut at = now;
        if sent.len() >= requests {
            at = at.max(sent[sent.len() - requests] + per);
        }
        if let Some(last) = sent.back() {
            at = at.max(*last);
        }
        let wait = at - now;
        if wait > max_wait {
            return Slot::Refused(wait);
        }
        sent.push_back(at);
        Slot::Granted(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_a_burst_then_spaces_calls_a_window_apart() {
        let windows = LocalWindows::default();
        let per = Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(
                windows.reserve("k", 3, per, Duration::ZERO),
                Slot::Granted(Duration::ZERO)
            );
        }
        // The fourth call's slot is a whole window after the first: refused within 10 s.
        let Slot::Refused(next) = windows.reserve("k", 3, per, Duration::from_secs(10)) else {
            panic!("a fourth call in the window was admitted");
        };
        assert!(next > Duration::from_secs(59) && next <= per, "{next:?}");
        // Another key has its own window.
        assert_eq!(
            windows.reserve("other", 3, per, Duration::ZERO),
            Slot::Granted(Duration::ZERO)
        );
        // Willing to wait, the fourth call gets that slot, and the fifth queues behind it.
        let Slot::Granted(fourth) = windows.reserve("k", 3, per, per) else {
            panic!()
        };
        let Slot::Granted(fifth) = windows.reserve("k", 3, per, Duration::from_secs(120)) else {
            panic!()
        };
        assert!(
            fourth > Duration::from_secs(59) && fifth >= fourth,
            "{fourth:?} {fifth:?}"
        );
    }

    #[test]
    fn no_window_of_the_period_holds_more_than_the_limit() {
        let windows = LocalWindows::default();
        let per = Duration::from_millis(100);
        let start = Instant::now();
        let mut at: Vec<Duration> = (0..25u32)
            .map(|i| {
                // Calls arrive every 7 ms, faster than the limit allows.
                let now = start + Duration::from_millis(7) * i;
                match windows.reserve_at(now, "k", 5, per, Duration::from_secs(5)) {
                    Slot::Granted(wait) => (now + wait) - start,
                    Slot::Refused(_) => panic!("refused within the bound"),
                }
            })
            .collect();
        at.sort();
        for (i, first) in at.iter().enumerate() {
            let inside = at[i..].iter().filter(|t| **t < *first + per).count();
            assert!(inside <= 5, "{inside} calls within {per:?} from {first:?}");
        }
    }

    #[test]
    fn path_values_key_their_own_window() {
        const LIMITS: &[OperationLimit] = &[OperationLimit {
            operation: "get_usage",
            requests: 1,
            per: Duration::from_secs(60),
            scope: Scope::PathValue {
                kind: "iccid",
                segment_from_end: 1,
            },
        }];
        let budget = Budget::new(LIMITS, "demo|http://x/v2|id".into(), None);
        assert_eq!(
            budget.key(&LIMITS[0], "/v2/sims/8944001/usage"),
            "demo|http://x/v2|id|get_usage|iccid=8944001"
        );
    }

    #[test]
    fn a_refusal_survives_the_trip_through_a_string() {
        let refusal = BudgetExceeded {
            operation: "get_usage",
            requests: 10,
            per: Duration::from_secs(60),
            next_slot: Duration::from_millis(5250),
        };
        assert_eq!(
            BudgetExceeded::parse(&refusal.to_string()),
            Some(Duration::from_millis(5250))
        );
        assert_eq!(BudgetExceeded::parse("could not obtain an access token"), None);
    }
}
