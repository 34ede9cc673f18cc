//! Mends to the generated types for decoding speed, applied to the syntax tree of progenitor's
//! `mod types` and kept apart from the rest of the generator. Measured on the 3 MB catalogue of
//! `cargo bench -p integration-tests --bench clients -- decode` (BENCHMARKS.md):
//!
//! - fields holding exact decimals decode through `provider_core::decimal::deserialize`, which
//!   reads a number's shortest digits from a stack buffer instead of a new `String` per price
//!   (rust_decimal's own visitor); the field types stay `rust_decimal::Decimal`;
//! - an untagged enum whose variants are told apart by the JSON value's kind (array, object,
//!   string) decodes by looking at that kind. serde's derive for `#[serde(untagged)]` first
//!   copies the whole value into an owned buffer, then tries each variant on it: for Airalo's
//!   `PackagesData`, the entire catalogue. Encoding is unchanged (the derive stays).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// Applies both mends to the items of the file's `mod types`.
pub fn mend(file: &mut syn::File) -> anyhow::Result<()> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .map(|(_, items)| items)
        .ok_or_else(|| anyhow::anyhow!("progenitor output has no `mod types`"))?;
    let map_structs: Vec<String> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if derives_deserialize(&s.attrs) && matches!(s.fields, syn::Fields::Named(_)) => {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let mut added = Vec::new();
    for item in types.iter_mut() {
        match item {
            syn::Item::Struct(s) if derives_deserialize(&s.attrs) => exact_decimals(s),
            syn::Item::Enum(e) if derives_deserialize(&e.attrs) && is_untagged(&e.attrs) => {
                if let Some(decoder) = decode_by_kind(e, &map_structs) {
                    drop_deserialize_derive(&mut e.attrs);
                    added.push(decoder);
                }
            }
            _ => {}
        }
    }
    types.extend(added);
    Ok(())
}

/// Adds the exact-decimal deserializer to each field whose type holds `rust_decimal::Decimal`
/// (and `default` to an `Option` one: a field with its own deserializer is otherwise required).
fn exact_decimals(item: &mut syn::ItemStruct) {
    for field in item.fields.iter_mut() {
        let ty = field.ty.to_token_stream().to_string().replace(' ', "");
        if !ty.contains("::rust_decimal::Decimal") {
            continue;
        }
        let has_default = field
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && a.meta.to_token_stream().to_string().contains("default"));
        let attr: syn::Attribute = if ty.starts_with("::std::option::Option<") && !has_default {
            syn::parse_quote!(#[serde(default, deserialize_with = "::provider_core::decimal::deserialize")])
        } else {
            syn::parse_quote!(#[serde(deserialize_with = "::provider_core::decimal::deserialize")])
        };
        field.attrs.push(attr);
    }
}

/// The JSON kinds a variant's type is decoded from.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Array,
    Object,
    String,
}

/// A `Deserialize` impl that dispatches on the value's kind, when every variant wraps one
/// type of a kind no other variant has; `None` (the derive stays) otherwise.
fn decode_by_kind(e: &syn::ItemEnum, map_structs: &[String]) -> Option<syn::Item> {
    let mut variants = Vec::new();
    for variant in &e.variants {
        let syn::Fields::Unnamed(fields) = &variant.fields else {
            return None;
        };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let syn::Type::Path(path) = &field.ty else {
            return None;
        };
        let last = path.path.segments.last()?.ident.to_string();
        let kind = match last.as_str() {
            "Vec" => Kind::Array,
            "BTreeMap" | "HashMap" => Kind::Object,
            "String" => Kind::String,
            name if map_structs.iter().any(|s| s == name) => Kind::Object,
            _ => return None,
        };
        if variants.iter().any(|(k, _)| *k == kind) {
            return None;
        }
        variants.push((kind, &variant.ident));
    }
    let name = &e.ident;
    let expecting = variants
        .iter()
        .map(|(kind, _)| match kind {
            Kind::Array => "an array",
            Kind::Object => "an object",
            Kind::String => "a string",
        })
        .collect::<Vec<_>>()
        .join(" or ");
    let visits = variants.iter().map(|(kind, variant)| match kind {
        Kind::Array => quote! {
            fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, seq: A) -> ::std::result::Result<#name, A::Error> {
                ::serde::Deserialize::deserialize(::serde::de::value::SeqAccessDeserializer::new(seq)).map(#name::#variant)
            }
        },
        Kind::Object => quote! {
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> ::std::result::Result<#name, A::Error> {
                ::serde::Deserialize::deserialize(::serde::de::value::MapAccessDeserializer::new(map)).map(#name::#variant)
            }
        },
        Kind::String => quote! {
            fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                Ok(#name::#variant(value.to_owned()))
            }
            fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                Ok(#name::#variant(value))
            }
        },
    });
    let decoder: TokenStream = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct ByKind;
                impl<'de> ::serde::de::Visitor<'de> for ByKind {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    #(#visits)*
                }
                deserializer.deserialize_any(ByKind)
            }
        }
    };
    Some(syn::parse2(decoder).expect("the decoder parses"))
}

fn derives_deserialize(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("derive") && a.meta.to_token_stream().to_string().contains("Deserialize"))
}

fn is_untagged(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && a.meta.to_token_stream().to_string().contains("untagged"))
}

/// Removes `::serde::Deserialize` from the item's derive list.
fn drop_deserialize_derive(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Deserialize"));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}
