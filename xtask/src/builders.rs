//! Type builders only where requests are built.
//!
//! With progenitor's builder interface, typify emits a builder for every generated type
//! (`types::X::builder()` and `types::builder::X` with a setter per field and conversions):
//! in airalo-client they were 9,900 of 15,700 lines and most of its own compile time. A service
//! builds request bodies; it reads responses. So builders are kept for the types an
//! operation's body builder uses (`types::builder::X` outside `mod types`) and every type those
//! reach through their fields (to build nested parts the same way), and dropped for the rest,
//! which are response-only.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;

/// Removes the builders of the types no request body reaches.
pub fn keep_request_builders(file: &mut syn::File) -> anyhow::Result<()> {
    let roots = builder_roots(file);
    let types = types_items(file)?;
    let references = type_references(types);
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = roots.into_iter().collect();
    while let Some(name) = pending.pop() {
        if kept.insert(name.clone()) {
            pending.extend(references.get(&name).into_iter().flatten().cloned());
        }
    }
    types.retain(|item| !is_builder_fn_of(item, |name| !kept.contains(name)));
    if let Some(builder) = types.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) {
        builder.retain(|item| subject(item).is_none_or(|name| kept.contains(&name)));
    }
    Ok(())
}

/// `types::builder::X` named anywhere outside `mod types`: the operations' body builders.
fn builder_roots(file: &syn::File) -> BTreeSet<String> {
    let mut roots = BTreeSet::new();
    for item in &file.items {
        if matches!(item, syn::Item::Mod(m) if m.ident == "types") {
            continue;
        }
        // The identifiers in order (`::` is punctuation): `types`, `builder`, then the type.
        let words = idents(item.to_token_stream());
        roots.extend(
            words
                .windows(3)
                .filter(|w| w[0] == "types" && w[1] == "builder")
                .map(|w| w[2].clone()),
        );
    }
    roots
}

/// Every identifier of `tokens`, groups included, in order.
fn idents(tokens: proc_macro2::TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
            proc_macro2::TokenTree::Group(group) => out.extend(idents(group.stream())),
            _ => {}
        }
    }
    out
}

/// For each struct or enum of `mod types`, the other types of the module its fields name.
fn type_references(types: &[syn::Item]) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = types.iter().filter_map(type_name).collect();
    types
        .iter()
        .filter_map(|item| {
            let name = type_name(item)?;
            // A variant's name is no reference (`PackageType::Sim` is not the type `Sim`): only
            // what its fields name.
            let fields = match item {
                syn::Item::Struct(s) => s.fields.to_token_stream(),
                syn::Item::Enum(e) => e.variants.iter().map(|v| v.fields.to_token_stream()).collect(),
                _ => return None,
            };
            let named = idents(fields)
                .into_iter()
                .filter(|w| *w != name && names.contains(w))
                .collect();
            Some((name, named))
        })
        .collect()
}

fn type_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        _ => None,
    }
}

/// `impl X { pub fn builder() -> builder::X { .. } }`, for an `X` that `drop` selects.
fn is_builder_fn_of(item: &syn::Item, drop: impl Fn(&str) -> bool) -> bool {
    let syn::Item::Impl(block) = item else {
        return false;
    };
    let only_builder = block.trait_.is_none()
        && !block.items.is_empty()
        && block
            .items
            .iter()
            .all(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
    only_builder && self_type(block).is_some_and(|name| drop(&name))
}

/// The type an item of `mod builder` belongs to: a struct's name, an impl's self type (for
/// `impl TryFrom<X> for super::X`, `X` too).
fn subject(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Impl(block) => self_type(block),
        _ => None,
    }
}

fn self_type(block: &syn::ItemImpl) -> Option<String> {
    match &*block.self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn types_items(file: &mut syn::File) -> anyhow::Result<&mut Vec<syn::Item>> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .map(|(_, items)| items)
        .ok_or_else(|| anyhow::anyhow!("progenitor output has no `mod types`"))
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    /// The shape typify emits: a request type reaching a nested type, and a response type.
    #[test]
    fn builders_stay_for_request_types_and_what_they_reach() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct OrderRequest { pub item: Item, pub kind: Kind }
                pub struct Item { pub id: String }
                pub struct OrderResponse { pub item: Item }
                pub enum Kind { OrderResponse, Other(Item) }
                impl OrderRequest { pub fn builder() -> builder::OrderRequest { Default::default() } }
                impl Item { pub fn builder() -> builder::Item { Default::default() } }
                impl OrderResponse { pub fn builder() -> builder::OrderResponse { Default::default() } }
                pub mod builder {
                    pub struct OrderRequest { item: Result<super::Item, String> }
                    impl TryFrom<OrderRequest> for super::OrderRequest { type Error = String; }
                    pub struct Item { id: Result<String, String> }
                    impl From<super::Item> for Item {}
                    pub struct OrderResponse { item: Result<super::Item, String> }
                    impl Default for OrderResponse {}
                    impl TryFrom<OrderResponse> for super::OrderResponse { type Error = String; }
                }
            }
            pub mod builder {
                pub struct SubmitOrder { body: Result<types::builder::OrderRequest, String> }
            }
        };
        super::keep_request_builders(&mut file).unwrap();
        let text = file.to_token_stream().to_string();
        assert!(text.contains("impl OrderRequest { pub fn builder"), "{text}");
        assert!(text.contains("impl Item { pub fn builder"), "{text}");
        assert!(text.contains("pub struct Item { id"), "{text}");
        assert!(!text.contains("impl OrderResponse"), "{text}");
        assert!(!text.contains("for super :: OrderResponse"), "{text}");
        assert!(!text.contains("pub struct OrderResponse { item : Result"), "{text}");
        assert!(
            text.contains("pub struct OrderResponse { pub item"),
            "the type itself stays: {text}"
        );
    }
}
