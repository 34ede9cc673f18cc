//! The public surface each spec generates: every operation, type, field and enum value. A
//! spec change shows up here as a reviewed snapshot diff before it reaches a service.

use integration_tests::{specs, workspace_root};
use syn::__private::ToTokens;
use syn::{ImplItem, Item, Visibility};

#[test]
fn generated_api_surface() {
    for (provider, _) in specs() {
        let path = workspace_root().join(format!("crates/{provider}-client/src/generated.rs"));
        let code = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = syn::parse_file(&code).unwrap();
        let mut surface = Vec::new();
        for item in &file.items {
            match item {
                Item::Impl(imp) if imp.trait_.is_none() && tokens(&imp.self_ty) == "Client" => {
                    for f in &imp.items {
                        if let ImplItem::Fn(f) = f
                            && matches!(f.vis, Visibility::Public(_))
                        {
                            surface.push(format!("Client::{}", tokens(&f.sig).trim_start_matches("fn ")));
                        }
                    }
                }
                // The streams `x-pagination` adds to a listing's builder.
                Item::Impl(imp) if imp.trait_.is_none() && tokens(&imp.self_ty).starts_with("builder::") => {
                    for f in &imp.items {
                        if let ImplItem::Fn(f) = f
                            && matches!(f.vis, Visibility::Public(_))
                        {
                            let name = tokens(&imp.self_ty).replace("<'a>", "");
                            surface.push(stream_signature(&name, &f.sig));
                        }
                    }
                }
                Item::Mod(m) if m.ident == "types" => {
                    for item in &m.content.as_ref().unwrap().1 {
                        describe_type(item, &mut surface);
                    }
                }
                _ => {}
            }
        }
        insta::assert_snapshot!(provider, surface.join("\n"));
    }
}

fn describe_type(item: &Item, out: &mut Vec<String>) {
    match item {
        Item::Struct(s) => {
            out.push(format!("struct {}", s.ident));
            for field in &s.fields {
                if let Some(name) = &field.ident {
                    out.push(format!("    {name}: {}", tokens(&field.ty)));
                }
            }
        }
        Item::Enum(e) if e.variants.iter().any(|v| v.ident == "Unknown") => {
            // An open enum: each known variant's doc is its value (`ACTIVE`).
            let values: Vec<String> = e
                .variants
                .iter()
                .filter(|v| v.ident != "Unknown")
                .map(|v| doc(&v.attrs).trim_matches('`').to_owned())
                .collect();
            out.push(format!("open enum {}: {}", e.ident, values.join(" | ")));
        }
        Item::Enum(e) => {
            out.push(format!("enum {}", e.ident));
            for v in &e.variants {
                out.push(format!(
                    "    {}",
                    tokens(v).split(" ]").last().unwrap_or_default().trim()
                ));
            }
        }
        _ => {}
    }
}

/// `builder::GetMyEsims::stream(page_size: u64) -> Stream<Item = Result<types::Esim, Error<…>>>`.
fn stream_signature(builder: &str, sig: &syn::Signature) -> String {
    let params: Vec<String> = sig
        .inputs
        .iter()
        .skip(1)
        .map(|p| tokens(p).replace(" :", ":"))
        .collect();
    let item = match &sig.output {
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::ImplTrait(t) => t.bounds.iter().find_map(|b| match b {
                syn::TypeParamBound::Trait(t) => t.path.segments.last().and_then(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                        syn::GenericArgument::AssocType(item) => Some(tokens(&item.ty)),
                        _ => None,
                    }),
                    _ => None,
                }),
                _ => None,
            }),
            _ => None,
        },
        syn::ReturnType::Default => None,
    };
    let item = item
        .unwrap_or_default()
        .replace("::std::result::", "")
        .replace(",>", ">");
    format!(
        "{builder}::{}({}) -> Stream<Item = {item}>",
        sig.ident,
        params.join(", ")
    )
}

/// The text of `#[doc = "…"]` attributes.
fn doc(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tokens as compact text: `Option<Decimal>` rather than `:: std :: option :: Option < … >`.
fn tokens(t: &impl ToTokens) -> String {
    let text = t.to_token_stream().to_string();
    let text = text
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace("& ", "&")
        .replace(" ,", ",");
    [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::vellosim_client::types::",
        "::provider_core::",
        "::rust_decimal::",
        "::serde_json::",
    ]
    .iter()
    .fold(text, |acc, prefix| acc.replace(prefix, ""))
}
