/// Declares a string enum that stays open: a value the provider adds later decodes as
/// `Unknown(String)` and re-encodes unchanged, instead of failing the whole response.
///
/// `cargo xtask regen` emits one invocation per string enum in a spec.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this client did not know when it was generated, kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value the spec lists.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value as the provider spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// `false` for a value outside the spec's list.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// Test enum.
        pub enum Status { Active = "ACTIVE", Expired = "EXPIRED" }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let decoded: Vec<Status> = serde_json::from_str(r#"["ACTIVE","SUSPENDED_BY_CARRIER"]"#).unwrap();
        assert_eq!(
            decoded,
            vec![Status::Active, Status::Unknown("SUSPENDED_BY_CARRIER".into())]
        );
        assert!(decoded[0].is_known() && !decoded[1].is_known());
        assert_eq!(
            serde_json::to_string(&decoded).unwrap(),
            r#"["ACTIVE","SUSPENDED_BY_CARRIER"]"#
        );
        assert_eq!("EXPIRED".parse::<Status>().unwrap(), Status::Expired);
        assert_eq!(Status::Expired.to_string(), "EXPIRED");
        assert_eq!(Status::KNOWN, &["ACTIVE", "EXPIRED"]);
    }

    #[test]
    fn non_strings_are_an_error_not_a_panic() {
        assert!(serde_json::from_str::<Status>("42").is_err());
    }
}
