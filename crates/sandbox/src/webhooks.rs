//! Webhook delivery: each event is POSTed (once, no retries) to the provider's configured
//! URL with the provider's headers and signature, and recorded either way so tests and
//! `GET /_sandbox/webhooks` can see it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::Provider;

/// One webhook the sandbox emitted.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub provider: &'static str,
    /// Where it was sent; `None` when no URL is configured (recorded only).
    pub url: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The exact bytes sent (signatures are computed over them).
    pub body: String,
    /// The receiver's HTTP status, or why the delivery failed.
    pub outcome: Result<u16, String>,
}

pub struct Webhooks {
    /// The sandbox's runtime: deliveries start from wherever an event happens, including
    /// `Sandbox::skip` called outside any runtime.
    runtime: tokio::runtime::Handle,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    changed: Arc<tokio::sync::Notify>,
    client: reqwest::Client,
}

impl Webhooks {
    /// Must be called on the runtime that serves the sandbox.
    pub fn new() -> Webhooks {
        Webhooks {
            runtime: tokio::runtime::Handle::current(),
            deliveries: Arc::default(),
            changed: Arc::default(),
            client: reqwest::Client::default(),
        }
    }

    /// Sends `body` to `url` in the background and records the outcome.
    pub fn deliver(&self, provider: Provider, url: Option<String>, headers: Vec<(String, String)>, body: String) {
        let deliveries = self.deliveries.clone();
        let changed = self.changed.clone();
        let client = self.client.clone();
        self.runtime.spawn(async move {
            let outcome = match &url {
                None => Err("no webhook URL configured".to_owned()),
                Some(url) => {
                    let mut request = client
                        .post(url)
                        .timeout(Duration::from_secs(10))
                        .header("content-type", "application/json")
                        .body(body.clone());
                    for (name, value) in &headers {
                        request = request.header(name, value);
                    }
                    match request.send().await {
                        Ok(response) => Ok(response.status().as_u16()),
                        Err(err) => Err(err.to_string()),
                    }
                }
            };
            let delivery = Delivery {
                provider: provider.name(),
                url,
                headers,
                body,
                outcome,
            };
            deliveries.lock().unwrap().push(delivery);
            changed.notify_waiters();
        });
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            let seen = self.deliveries();
            if seen.len() >= n {
                return seen;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.deliveries();
            }
        }
    }
}
