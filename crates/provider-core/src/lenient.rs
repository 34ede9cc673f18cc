//! Integers that some providers send as strings (`"quantity": "1"`, `"per_page": "25"`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An integer that decodes from a JSON number or a numeric string and encodes as a number.
/// Generated for schemas written `type: integer, format: int-or-string`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LenientInt(pub i64);

impl LenientInt {
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for LenientInt {
    fn from(value: i64) -> Self {
        Self(value)
    }
}

impl From<LenientInt> for i64 {
    fn from(value: LenientInt) -> Self {
        value.0
    }
}

impl PartialEq<i64> for LenientInt {
    fn eq(&self, other: &i64) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for LenientInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for LenientInt {
    type Err = std::num::ParseIntError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(Self)
    }
}

impl Serialize for LenientInt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire<'a> {
            Int(i64),
            // Whole floats (`7.0`) are integers; fractional ones are refused below.
            Float(f64),
            Text(std::borrow::Cow<'a, str>),
        }
        match Wire::deserialize(deserializer)? {
            Wire::Int(value) => Ok(Self(value)),
            Wire::Float(value) if value.fract() == 0.0 && value.abs() < 9.0e15 => Ok(Self(value as i64)),
            Wire::Float(value) => Err(serde::de::Error::custom(format!("expected an integer, found {value}"))),
            Wire::Text(text) => text.trim().parse().map(Self).map_err(|_| {
                serde::de::Error::custom(format!("expected an integer or a numeric string, found {text:?}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LenientInt;

    #[test]
    fn numbers_and_numeric_strings_decode_alike() {
        let values: Vec<LenientInt> = serde_json::from_str(r#"[1, "1", " 25 ", 7.0, -3]"#).unwrap();
        assert_eq!(values, [1, 1, 25, 7, -3].map(LenientInt));
        assert_eq!(serde_json::to_string(&values).unwrap(), "[1,1,25,7,-3]");
    }

    #[test]
    fn anything_else_is_an_error() {
        for bad in [r#""seven""#, "7.5", "null", "true", r#""""#, "{}"] {
            assert!(serde_json::from_str::<LenientInt>(bad).is_err(), "{bad}");
        }
    }
}
