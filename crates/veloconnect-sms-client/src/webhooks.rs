//! The delivery report the platform POSTs as JSON to a message's `callback_url`: the same
//! fields as GetDeliveryStatus (`DeliveryReport`, generated from the spec). The platform
//! documents no signature: put an unguessable token in the `callback_url` you send and
//! check it on receipt. Answer HTTP 200.

pub use crate::types::{DeliveryReport, DlrStatus};

/// Parses a delivery report. A `DLRStatus` the platform adds later parses as
/// `DlrStatus::Unknown`, so a receiver can acknowledge it instead of failing.
pub fn parse(body: &[u8]) -> Result<DeliveryReport, serde_json::Error> {
    serde_json::from_slice(body)
}

impl DeliveryReport {
    /// `true` once the handset has the message.
    pub fn delivered(&self) -> bool {
        self.dlr_status == Some(DlrStatus::Delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_parses_with_string_or_number_codes_and_unknown_states() {
        let report = parse(
            br#"{"message_id":4125,"PhoneNumber":"919622333345","DLRStatus":"Delivered","ErrorCode":"0","uid":"o-1","ClientCost":0.02}"#,
        )
        .unwrap();
        assert!(report.delivered());
        assert_eq!(report.message_id, Some(4125));
        assert_eq!(report.uid.as_deref(), Some("o-1"));
        let later = parse(br#"{"message_id":1,"DLRStatus":"Queued","ErrorCode":17,"Extra":true}"#).unwrap();
        assert_eq!(later.dlr_status, Some(DlrStatus::Unknown("Queued".into())));
        assert!(!later.delivered());
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [&b""[..], b"{", b"[]", br#"{"message_id":"x"}"#] {
            assert!(parse(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        }
    }
}
