//! Notifications Airalo POSTs to the partner: async and future order results, low data, and
//! credit limit. The receiving endpoint must answer both `HEAD` (Airalo checks the URL with
//! it when opting in) and `POST` with HTTP 200; anything else counts as a failed delivery
//! and is retried (up to 20 times, every 15 minutes).
//!
//! ```no_run
//! # fn handle(body: &[u8], signature: Option<&str>, secret: &str) {
//! match airalo_client::webhooks::receive(body, signature, secret) {
//!     Ok(airalo_client::webhooks::Notification::LowData(n)) => println!("{:?} at {:?}", n.iccid, n.level),
//!     Ok(other) => println!("{other:?}"),
//!     Err(refused) => eprintln!("not from Airalo: {refused}"), // answer 401, not 200
//! }
//! # }
//! ```

pub use crate::signature::SignatureError;
pub use crate::types::{AsyncOrderWebhook, CreditLimitWebhook, LowDataLevel, LowDataWebhook};

/// One notification, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Notification {
    /// The result of `submitOrderAsync` or a future order: the order, or a failure `reason`.
    AsyncOrder(Box<AsyncOrderWebhook>),
    /// 75 % / 90 % of the data used, or 3 days / 1 day before expiry.
    LowData(LowDataWebhook),
    /// The account passed a credit-limit threshold.
    CreditLimit(CreditLimitWebhook),
}

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("missing airalo-signature header")]
    Unsigned,
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("the body is not a notification Airalo documents: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// Verifies the `airalo-signature` header against the raw body with the client secret, then
/// parses the notification. Pass the body bytes exactly as received.
pub fn receive(
    raw_body: &[u8],
    signature_header: Option<&str>,
    client_secret: &str,
) -> Result<Notification, WebhookError> {
    let checked = match signature_header {
        None => Err(WebhookError::Unsigned),
        Some(signature) => crate::signature::verify(raw_body, signature, client_secret).map_err(Into::into),
    };
    if let Err(refused) = &checked {
        let reason = match refused {
            WebhookError::Signature(SignatureError::Malformed) => "malformed",
            WebhookError::Signature(SignatureError::Mismatch) => "mismatch",
            _ => "unsigned",
        };
        provider_core::telemetry::webhook_signature_failure(crate::PROVIDER.name, reason);
    }
    checked?;
    Ok(parse(raw_body)?)
}

/// Parses a notification without checking its signature (for tests and replays).
pub fn parse(raw_body: &[u8]) -> Result<Notification, serde_json::Error> {
    let json: serde_json::Value = serde_json::from_slice(raw_body)?;
    if !json.is_object() {
        return Err(serde::de::Error::custom("a notification is a JSON object"));
    }
    let has = |key: &str| json.get(key).is_some();
    // The three payloads share no field, so their keys tell them apart.
    if has("level") || has("remaining_percentage") {
        serde_json::from_value(json).map(Notification::LowData)
    } else if has("remaining") && !has("data") {
        serde_json::from_value(json).map(Notification::CreditLimit)
    } else {
        serde_json::from_value(json).map(|order| Notification::AsyncOrder(Box::new(order)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::sign;

    #[test]
    fn each_kind_is_recognised() {
        let low = br#"{"level":"90%","package_name":"change-7days-1gb","remaining_percentage":10,"iccid":"8944"}"#;
        assert!(matches!(parse(low).unwrap(), Notification::LowData(n) if n.level == Some(LowDataLevel::from("90%"))));
        let credit = br#"{"message":"Surpassed 80% of the credit limit balance","remaining":2000.5}"#;
        assert!(
            matches!(parse(credit).unwrap(), Notification::CreditLimit(n) if n.remaining.unwrap().to_string() == "2000.5")
        );
        let order = br#"{"request_id":"ABCDEFGHIJKLMNOPQRSTUVWXY","data":{"id":1,"code":"20230227-009666","sims":[]}}"#;
        assert!(
            matches!(parse(order).unwrap(), Notification::AsyncOrder(n) if n.request_id.as_deref() == Some("ABCDEFGHIJKLMNOPQRSTUVWXY"))
        );
    }

    #[test]
    fn receive_refuses_unsigned_tampered_and_malformed_bodies() {
        let body = br#"{"message":"Surpassed 80% of the credit limit balance","remaining":2000}"#;
        let good = sign(body, "secret");
        assert!(matches!(
            receive(body, Some(&good), "secret"),
            Ok(Notification::CreditLimit(_))
        ));
        assert!(matches!(receive(body, None, "secret"), Err(WebhookError::Unsigned)));
        let tampered = br#"{"message":"Surpassed 80% of the credit limit balance","remaining":9999}"#;
        assert!(matches!(
            receive(tampered, Some(&good), "secret"),
            Err(WebhookError::Signature(SignatureError::Mismatch))
        ));
        let junk = b"[1,2]";
        assert!(matches!(
            receive(junk, Some(&sign(junk, "secret")), "secret"),
            Err(WebhookError::Malformed(_))
        ));
    }
}
