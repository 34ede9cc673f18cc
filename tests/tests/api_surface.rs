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
        Item::Enum(e) => {
            out.push(format!("enum {}", e.ident));
            for v in &e.variants {
                out.push(format!(
                    "    {}",
                    tokens(v).split(" ]").last().unwrap_or_default().trim()
                ));
            }
        }
        Item::Macro(m) => {
            // open_enum! { pub enum Name { Variant = "VALUE", ... } }
            let text = m.mac.tokens.to_string();
            let name = text
                .split("enum ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or("?");
            let pieces: Vec<&str> = text.split("= \"").collect();
            let values: Vec<&str> = pieces
                .windows(2)
                .filter(|w| !w[0].trim_end().ends_with("doc"))
                .filter_map(|w| w[1].split('"').next())
                .collect();
            out.push(format!("open enum {name}: {}", values.join(" | ")));
        }
        _ => {}
    }
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
