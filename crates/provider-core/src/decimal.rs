//! Exact prices from JSON without a heap round trip.
//!
//! serde_json (without `arbitrary_precision`, which would change number handling for every
//! crate of a service's build) hands a JSON number to a visitor as an `f64`. rust_decimal's
//! own visitor then formats that `f64` into a new `String` and parses it back, one allocation
//! per price: most of a catalogue's decoding time went there. [`deserialize`] writes the same
//! shortest representation into a stack buffer (zmij, serde_json's own float printer) and
//! parses it from there, so a price decodes to the same `Decimal`, digits and scale, as
//! before. Numeric strings (`"22.50"`) are parsed in place.
//!
//! The generator puts `#[serde(deserialize_with = "::provider_core::decimal::deserialize")]`
//! on every generated field holding decimals; the fields keep their `rust_decimal` types.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// Decodes a generated field of decimals: a `Decimal`, an `Option<Decimal>` (pair it with
/// `#[serde(default)]`: a field with its own deserializer is otherwise required), or a
/// `Vec` or `BTreeMap<String, _>` of them.
pub fn deserialize<'de, D: Deserializer<'de>, T: Decimals>(deserializer: D) -> Result<T, D::Error> {
    T::deserialize_exact(deserializer)
}

/// The field types [`deserialize`] fills.
pub trait Decimals: Sized {
    fn deserialize_exact<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

impl Decimals for Decimal {
    fn deserialize_exact<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Exact::deserialize(deserializer).map(|exact| exact.0)
    }
}

impl Decimals for Option<Decimal> {
    fn deserialize_exact<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Exact>::deserialize(deserializer).map(|exact| exact.map(|e| e.0))
    }
}

impl Decimals for Vec<Decimal> {
    fn deserialize_exact<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items;
        impl<'de> Visitor<'de> for Items {
            type Value = Vec<Decimal>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of decimal numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(Exact(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(Items)
    }
}

impl Decimals for BTreeMap<String, Decimal> {
    fn deserialize_exact<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = BTreeMap<String, Decimal>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of decimal numbers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some((key, Exact(value))) = map.next_entry::<String, Exact>()? {
                    entries.insert(key, value);
                }
                Ok(entries)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// One decimal, decoded by [`ExactVisitor`].
struct Exact(Decimal);

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ExactVisitor).map(Exact)
    }
}

struct ExactVisitor;

impl Visitor<'_> for ExactVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number or a numeric string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        let invalid = || E::invalid_value(Unexpected::Float(value), &self);
        if !value.is_finite() {
            return Err(invalid());
        }
        let mut buffer = zmij::Buffer::new();
        // zmij writes whole numbers as `4.0` where `f64`'s `Display` (what rust_decimal's
        // visitor parses) writes `4`; dropping the `.0` keeps the scale, so the printed price,
        // the same.
        let text = buffer.format_finite(value);
        let text = text.strip_suffix(".0").unwrap_or(text);
        parse(text).ok_or_else(invalid)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        parse(value).ok_or_else(|| E::invalid_value(Unexpected::Str(value), &self))
    }
}

/// Plain (`22.50`) or, as large and tiny floats print, scientific (`1e-7`) notation.
fn parse(text: &str) -> Option<Decimal> {
    Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Priced {
        #[serde(deserialize_with = "super::deserialize")]
        price: Decimal,
        #[serde(default, deserialize_with = "super::deserialize")]
        net: Option<Decimal>,
        #[serde(default, deserialize_with = "super::deserialize")]
        by_currency: BTreeMap<String, Decimal>,
        #[serde(default, deserialize_with = "super::deserialize")]
        list: Vec<Decimal>,
    }

    /// Every float prints as rust_decimal's own visitor would have decoded it: same value,
    /// same scale (so the same text when printed).
    #[test]
    fn floats_decode_as_rust_decimal_decodes_them() {
        let floats = [
            0.0,
            4.0,
            4.5,
            22.5,
            0.1,
            0.3,
            19.99,
            1234567.89,
            -3.25,
            1e-7,
            2.5e-5,
            1e15,
            123456789012.5,
            9007199254740993.0,
            0.000123,
            79228162514264.33,
        ];
        for float in floats {
            let json = format!("{{\"price\": {}}}", serde_json::to_string(&float).unwrap());
            let ours: Priced = serde_json::from_str(&json).unwrap();
            let theirs: Decimal = serde_json::from_str(&json.replace("{\"price\": ", "").replace('}', "")).unwrap();
            assert_eq!(ours.price.to_string(), theirs.to_string(), "{json}");
        }
    }

    #[test]
    fn strings_integers_null_absent_and_containers() {
        let decoded: Priced = serde_json::from_str(
            r#"{"price": "22.50", "net": null, "by_currency": {"USD": 4.5, "JPY": 700, "EUR": "4.10"}, "list": [1, 2.25]}"#,
        )
        .unwrap();
        let d = |text| Decimal::from_str(text).unwrap();
        assert_eq!(decoded.price.to_string(), "22.50");
        assert_eq!(decoded.net, None);
        assert_eq!(decoded.by_currency["EUR"].to_string(), "4.10");
        assert_eq!(decoded.by_currency["JPY"], d("700"));
        assert_eq!(decoded.list, [d("1"), d("2.25")]);
        let minimal: Priced = serde_json::from_str(r#"{"price": 7}"#).unwrap();
        assert_eq!((minimal.net, minimal.by_currency.len()), (None, 0));
    }

    #[test]
    fn anything_else_is_an_error_not_a_panic() {
        for bad in [r#""seven""#, "true", "{}", "[]", r#""""#, "1e400"] {
            let json = format!("{{\"price\": {bad}}}");
            assert!(serde_json::from_str::<Priced>(&json).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Priced>(r#"{"price": 1, "by_currency": {"USD": "x"}}"#).is_err());
    }
}
