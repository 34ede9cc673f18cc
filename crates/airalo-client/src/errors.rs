//! Airalo's error bodies. They come in several shapes (a 422 field → message map, a
//! `{code, reason}` business error, a bare `{reason}`, `{message}`, `{error}`); one
//! generated `ErrorBody` holds them all and these helpers read it.

use std::collections::BTreeMap;

use crate::types::ErrorBody;

/// Every failure of an Airalo call; `Api` carries the [`ErrorBody`].
pub type Error = provider_core::Error<ErrorBody>;

/// Airalo's business error codes (error-handling page), open: an unlisted code is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BusinessCode {
    InsufficientCredit,
    OperatorMaintenance,
    InvalidChecksum,
    TopUpDisabled,
    NotEnoughStock,
    PackageInvalidOrOutOfStock,
    BadRequest,
    UnexpectedError,
    EsimRecycled,
    IpNotAllowed,
    Unknown(i64),
}

impl From<i64> for BusinessCode {
    fn from(code: i64) -> Self {
        match code {
            11 => Self::InsufficientCredit,
            13 => Self::OperatorMaintenance,
            14 => Self::InvalidChecksum,
            23 => Self::TopUpDisabled,
            33 => Self::NotEnoughStock,
            34 => Self::PackageInvalidOrOutOfStock,
            43 => Self::BadRequest,
            53 => Self::UnexpectedError,
            73 => Self::EsimRecycled,
            89 => Self::IpNotAllowed,
            other => Self::Unknown(other),
        }
    }
}

impl ErrorBody {
    /// The business error code of a `{code, reason}` body.
    pub fn business_code(&self) -> Option<BusinessCode> {
        self.code.map(|c| BusinessCode::from(c.get()))
    }

    /// The 422 validation messages by field (`package_id`, `quantity`, `vouchers.0.package_id`
    /// …); empty when the body carries no field map (e.g. `data: []`).
    pub fn field_errors(&self) -> BTreeMap<String, String> {
        let Some(serde_json::Value::Object(fields)) = &self.data else {
            return BTreeMap::new();
        };
        fields
            .iter()
            .map(|(field, message)| {
                let text = match message {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(items) => {
                        items.iter().filter_map(|m| m.as_str()).collect::<Vec<_>>().join("; ")
                    }
                    other => other.to_string(),
                };
                (field.clone(), text)
            })
            .collect()
    }

    /// The most specific human-readable message the body carries.
    pub fn message(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .or(self.error.as_deref())
            .or(self.message.as_deref())
            .or(self.meta.as_ref().and_then(|m| m.message.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> ErrorBody {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_documented_shape_reads_sensibly() {
        let validation = body(serde_json::json!({
            "data": {"quantity": "The quantity may not be greater than 50.", "vouchers.0.package_id": ["bad", "worse"]},
            "meta": {"message": "the parameter is invalid"}
        }));
        assert_eq!(
            validation.field_errors()["quantity"],
            "The quantity may not be greater than 50."
        );
        assert_eq!(validation.field_errors()["vouchers.0.package_id"], "bad; worse");
        assert_eq!(validation.message(), Some("the parameter is invalid"));

        let business = body(serde_json::json!({"code": "73", "reason": "The eSIM has been recycled"}));
        assert_eq!(business.business_code(), Some(BusinessCode::EsimRecycled));
        assert_eq!(business.message(), Some("The eSIM has been recycled"));
        assert_eq!(
            body(serde_json::json!({"code": 99})).business_code(),
            Some(BusinessCode::Unknown(99))
        );

        let not_found = body(serde_json::json!({"data": [], "meta": {"message": "messages.resource_not_found"}}));
        assert!(not_found.field_errors().is_empty());
        assert_eq!(
            body(serde_json::json!({"message": "Too Many Attempts."})).message(),
            Some("Too Many Attempts.")
        );
        assert_eq!(
            body(serde_json::json!({"error": "User is not opted in"})).message(),
            Some("User is not opted in")
        );
    }
}
