//! Vellosim's webhooks: the eight `esim.*` events POSTed to the URL registered with the
//! API key. The payload types are generated from the spec (`WebhookEvent`); this module
//! parses a request body into them. Vellosim documents no signature, so authenticity rests
//! on the receiving URL being secret and the sender IP (Vellosim documents none either).

use provider_core::units::DataVolume;

pub use crate::types::{WebhookEsim, WebhookEvent, WebhookEventType, WebhookFieldChange};

/// Parses a webhook request body. An event type Vellosim adds later parses as
/// `WebhookEventType::Unknown`, so a receiver can acknowledge it instead of failing.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, serde_json::Error> {
    serde_json::from_slice(body)
}

impl WebhookEsim {
    /// The eSIM's total data (webhooks count MB, REST responses bytes).
    pub fn total_volume(&self) -> Option<DataVolume> {
        self.total_volume.map(DataVolume::from_megabytes_f64)
    }

    pub fn data_used(&self) -> Option<DataVolume> {
        self.data_usage.map(DataVolume::from_megabytes_f64)
    }

    pub fn data_remaining(&self) -> Option<DataVolume> {
        self.data_usage_remain.map(DataVolume::from_megabytes_f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_event_type_parses_and_unknown_ones_survive() {
        for name in WebhookEventType::KNOWN.iter().copied().chain(["esim.deleted"]) {
            let body =
                format!(r#"{{"event":"{name}","id":"e1","timestamp":"2024-11-10T10:30:00Z","data":{{"iccid":"89"}}}}"#);
            let event = parse(body.as_bytes()).unwrap();
            assert_eq!(event.event.as_str(), name);
            assert_eq!(event.event.is_known(), name != "esim.deleted");
        }
    }

    #[test]
    fn volumes_are_megabytes() {
        let event = parse(br#"{"event":"esim.data_updated","data":{"totalVolume":1024,"dataUsage":512.5}}"#).unwrap();
        assert_eq!(event.data.total_volume(), Some(DataVolume::from_megabytes(1024)));
        assert_eq!(event.data.data_used().unwrap().to_string(), "512.5MB");
        assert_eq!(event.data.data_remaining(), None);
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [
            &b""[..],
            b"{",
            b"[]",
            br#"{"event":"esim.created"}"#,
            br#"{"event":42,"data":{}}"#,
        ] {
            assert!(parse(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }
}
