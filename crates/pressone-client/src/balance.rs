//! PressOne documents its balance response as `text/plain` without showing it; Airalo's
//! equivalent is JSON. [`Client::balance`] accepts either and says which it got.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Client, Error};

/// The account balance, in whichever form PressOne sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum Balance {
    /// Airalo's JSON shape: `data.balances.availableBalance {amount, currency}`.
    Structured(airalo_client::types::BalanceData),
    /// JSON of another shape (including Airalo's "empty array" for no account).
    Json(serde_json::Value),
    /// Plain text, as the documentation declares it.
    Text(String),
}

impl Balance {
    /// The available amount: from the structured form, or the first number in plain text.
    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Balance::Structured(data) => data.balances.as_ref()?.available_balance.as_ref()?.amount,
            Balance::Json(_) => None,
            Balance::Text(text) => text
                .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .find_map(|t| Decimal::from_str(t).ok()),
        }
    }
}

impl Client {
    /// `GET /customer/v2/balance`, decoded whether it arrives as JSON or as plain text.
    pub async fn balance(&self) -> Result<Balance, Error> {
        match self.get_balance().send().await {
            Ok(response) => {
                let response = response.into_inner();
                Ok(match response.balances() {
                    Some(data) => Balance::Structured(data),
                    None => Balance::Json(serde_json::to_value(&response).unwrap_or_default()),
                })
            }
            Err(progenitor_client::Error::InvalidResponsePayload(bytes, err)) => {
                if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    return Ok(Balance::Json(json));
                }
                match std::str::from_utf8(&bytes).map(str::trim) {
                    Ok(text) if !text.is_empty() => Ok(Balance::Text(text.to_owned())),
                    _ => Err(Error::Undecodable {
                        body: bytes,
                        reason: err.to_string(),
                    }),
                }
            }
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Balance;

    #[test]
    fn amounts_from_text_and_structure() {
        assert_eq!(
            Balance::Text("1250.50 USD".into()).amount().unwrap().to_string(),
            "1250.50"
        );
        assert_eq!(
            Balance::Text("Balance: USD 99".into()).amount().unwrap().to_string(),
            "99"
        );
        assert_eq!(Balance::Text("no account".into()).amount(), None);
        let data = serde_json::from_value(
            serde_json::json!({"balances": {"name": "b", "availableBalance": {"amount": 7.5, "currency": "USD"}}}),
        )
        .unwrap();
        assert_eq!(Balance::Structured(data).amount().unwrap().to_string(), "7.5");
    }
}
