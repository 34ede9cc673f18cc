//! Timestamps as providers send them. A timestamp that does not parse must not fail the
//! whole response, so the text is kept and parsed on demand.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};

/// A provider timestamp, kept verbatim. [`Timestamp::to_utc`] reads RFC 3339
/// (`2025-11-10T12:00:00Z`, `…+01:00`) and the zone-less `2025-11-10 12:00:00` (taken as UTC).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, or `None` when the provider's text is in no format we know.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        let text = self.0.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Some(at.with_timezone(&Utc));
        }
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
            .map(|naive| naive.and_utc())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl std::str::FromStr for Timestamp {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    fn ts(text: &str) -> Timestamp {
        serde_json::from_value(serde_json::Value::String(text.into())).unwrap()
    }

    #[test]
    fn parses_the_formats_providers_send() {
        let expected = "2025-11-10T12:00:00Z";
        for text in [
            "2025-11-10T12:00:00Z",
            "2025-11-10T13:00:00+01:00",
            "2025-11-10 12:00:00",
            "2025-11-10T12:00:00.000",
        ] {
            assert_eq!(
                ts(text)
                    .to_utc()
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn garbage_is_kept_not_fatal() {
        let garbage = ts("next tuesday");
        assert_eq!(garbage.to_utc(), None);
        assert_eq!(serde_json::to_string(&garbage).unwrap(), "\"next tuesday\"");
    }
}
