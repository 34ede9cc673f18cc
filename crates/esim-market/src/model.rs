//! The provider-neutral model: what an offer, a purchase and an eSIM's usage are, whichever
//! provider sold them. Every adapter maps into these types and nothing else.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use provider_core::units::DataVolume;
use rust_decimal::Decimal;

/// An ISO 3166-1 alpha-2 country code, upper case (`DE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for CountryCode {
    type Err = ParseCodeError;

    /// Two ASCII letters, either case.
    fn from_str(text: &str) -> Result<Self, ParseCodeError> {
        match text.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(ParseCodeError::country(text)),
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ISO 4217 currency code, upper case (`USD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Currency {
    type Err = ParseCodeError;

    /// Three ASCII letters, either case.
    fn from_str(text: &str) -> Result<Self, ParseCodeError> {
        match text.trim().as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(ParseCodeError::currency(text)),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an ISO {standard} code")]
pub struct ParseCodeError {
    text: String,
    standard: &'static str,
}

impl ParseCodeError {
    fn country(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            standard: "3166-1 alpha-2 country",
        }
    }

    fn currency(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            standard: "4217 currency",
        }
    }
}

/// An exact amount of a currency. `Display` shows two decimals, for people; `amount` keeps
/// every digit the provider sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} {}", self.amount, self.currency)
    }
}

/// How much data an offer includes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowance {
    Limited(DataVolume),
    /// No cap; `fair_usage` is the provider's note on throttling, where it gives one.
    Unlimited {
        fair_usage: Option<String>,
    },
}

impl Allowance {
    /// Whether at least `volume` is included (an unlimited allowance always is).
    pub fn covers(&self, volume: DataVolume) -> bool {
        match self {
            Allowance::Limited(included) => *included >= volume,
            Allowance::Unlimited { .. } => true,
        }
    }
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowance::Limited(volume) => volume.fmt(f),
            Allowance::Unlimited { .. } => f.write_str("unlimited"),
        }
    }
}

/// A first eSIM, or more data for an eSIM already bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OfferKind {
    Base,
    TopUp,
}

/// Something a provider sells: data (and sometimes voice and SMS) in some countries for some days.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The provider's name, as its client's descriptor spells it (`airalo`).
    pub provider: &'static str,
    /// The provider's own id of the offer: what [`buy`](crate::EsimProvider::buy) takes.
    pub id: String,
    pub title: String,
    /// Where it works, sorted and without duplicates; a regional offer lists its countries.
    pub coverage: Vec<CountryCode>,
    pub data: Allowance,
    pub validity_days: u32,
    /// Voice minutes and SMS included, where the provider says.
    pub voice_minutes: Option<u32>,
    pub sms: Option<u32>,
    /// What the buyer pays the provider.
    pub price: Money,
    /// The provider's recommended retail price, where it gives one.
    pub retail_price: Option<Money>,
    pub kind: OfferKind,
    /// The operators or networks that carry it, where the provider names them.
    pub operators: Vec<String>,
}

impl Offer {
    /// The price of one GB (2^30 bytes), for a limited allowance of some data.
    pub fn price_per_gb(&self) -> Option<Money> {
        per_gb(self.price, &self.data)
    }
}

pub(crate) fn per_gb(price: Money, data: &Allowance) -> Option<Money> {
    match data {
        Allowance::Limited(volume) if volume.bytes() > 0 => {
            let gib = Decimal::from(volume.bytes()) / Decimal::from(1u64 << 30);
            Some(Money {
                amount: price.amount.checked_div(gib)?,
                currency: price.currency,
            })
        }
        _ => None,
    }
}

/// What an eSIM is activated with, from the LPA string `LPA:1$<SM-DP+ address>$<matching id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivationCode {
    /// The whole LPA string, as a QR code carries it.
    pub lpa: String,
    pub smdp_address: String,
    pub matching_id: String,
}

impl ActivationCode {
    /// From an `LPA:1$…$…` string; `None` for anything else.
    pub fn parse(lpa: &str) -> Option<Self> {
        let lpa = lpa.trim();
        let rest = lpa.strip_prefix("LPA:1$").or_else(|| lpa.strip_prefix("lpa:1$"))?;
        let mut parts = rest.split('$');
        let smdp_address = parts.next().filter(|s| !s.is_empty())?;
        let matching_id = parts.next().filter(|s| !s.is_empty())?;
        Some(Self {
            lpa: lpa.to_owned(),
            smdp_address: smdp_address.to_owned(),
            matching_id: matching_id.to_owned(),
        })
    }

    /// From the two parts a provider gives separately.
    pub fn from_parts(smdp_address: &str, matching_id: &str) -> Self {
        Self {
            lpa: format!("LPA:1${smdp_address}${matching_id}"),
            smdp_address: smdp_address.to_owned(),
            matching_id: matching_id.to_owned(),
        }
    }
}

/// One eSIM as a purchase or a lookup returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct Esim {
    pub provider: &'static str,
    pub iccid: String,
    /// `None` when the provider has not issued it yet (an order still being fulfilled).
    pub activation: Option<ActivationCode>,
    pub qr_code_url: Option<String>,
    /// The QR code's content or image data, where the provider sends it inline.
    pub qr_code_data: Option<String>,
    pub install_guide_urls: Vec<String>,
    pub status: Option<Status>,
}

/// An order: the provider's reference for it and the eSIMs it produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Purchase {
    pub provider: &'static str,
    /// The provider's order id (or reference).
    pub order: String,
    /// The caller's reference, as it was sent: what the provider's order listing can be
    /// searched by after an outcome was unknown.
    pub reference: String,
    pub esims: Vec<Esim>,
    pub price: Option<Money>,
}

/// The state of an eSIM or of its current plan, in the terms every provider shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusKind {
    /// Bought, not yet installed or used.
    NotActive,
    Active,
    /// All data used.
    Depleted,
    /// Validity over.
    Expired,
    /// Suspended, cancelled or refunded.
    Inactive,
    /// A status this crate does not know; [`Status::original`] says what the provider sent.
    Other,
}

/// A provider's status, mapped, with the provider's own word kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub original: String,
}

/// How much of an eSIM's data is used, and until when it is valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    pub provider: &'static str,
    pub iccid: String,
    /// `None` where the provider does not say.
    pub used: Option<DataVolume>,
    pub remaining: Option<DataVolume>,
    pub total: Option<Allowance>,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: Status,
}

/// `1 from = rate to`, as a provider's own exchange-rate endpoint gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeRate {
    pub from: Currency,
    pub to: Currency,
    pub rate: Decimal,
    /// The provider whose endpoint gave it.
    pub source: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_either_case_and_refuse_anything_else() {
        assert_eq!("de".parse::<CountryCode>().unwrap().as_str(), "DE");
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert!("DEU".parse::<CountryCode>().is_err());
        assert!("U$D".parse::<Currency>().is_err());
        assert!("".parse::<Currency>().is_err());
    }

    #[test]
    fn an_lpa_string_splits_into_its_parts() {
        let code = ActivationCode::parse("LPA:1$smdp.example.com$ABC-123").unwrap();
        assert_eq!(code.smdp_address, "smdp.example.com");
        assert_eq!(code.matching_id, "ABC-123");
        assert_eq!(ActivationCode::from_parts("smdp.example.com", "ABC-123"), code);
        assert_eq!(ActivationCode::parse("LPA:1$$ABC"), None);
        assert_eq!(ActivationCode::parse("https://example.com/qr.png"), None);
    }
}
