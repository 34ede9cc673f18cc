//! Mends to progenitor 0.15.1's output, made on the syntax tree before it is printed.
//!
//! - httpmock: an array query parameter is matched with `value.to_string()`, which does not
//!   compile for a `Vec`; each element is matched instead (the key repeats:
//!   `?areaIds=5&areaIds=151`).
//! - CLI: its `CliConfig` asks every response type for `schemars::JsonSchema`, for
//!   implementations that print schemas. Ours prints values, and deriving `JsonSchema` on
//!   every generated type would cost each service that depends on a client the compile time:
//!   the bound goes.
//! - CLI: `--json-body-template` is declared (help text "XXX") but never read: it goes.
//! - CLI: `Error<T>` must be progenitor's generic error, which the client crate's own `Error`
//!   alias shadows in the glob import: it is imported by name.
//! - CLI: an array query parameter gets `value_parser!(Vec<T>)`, which clap cannot build (and
//!   would not compile): it becomes a repeatable `T` argument, read with `get_many`.
//! - Docs: spec text is copied into doc comments as written, so rustdoc warns on its bare URLs
//!   and reads a bracketed word (`[Deprecated]`) as a broken intra-doc link. A bare URL becomes
//!   an autolink `<https://…>` and such a bracket is escaped; code, fenced or inline, is kept
//!   as written. The docs then build with `RUSTDOCFLAGS="-D warnings"` (CI).
//! - client: a success body is decoded by `ResponseValue::from_response`, which knows neither
//!   the provider nor the operation; it goes through `Runtime::decode` instead (the same decode,
//!   plus observe mode's report of undeclared keys when a service turns it on).

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, GenericArgument, PathArguments, Type, TypeParamBound, parse_quote};

/// Makes every doc comment of a generated file valid rustdoc (see the module's list).
pub fn docs(file: &mut syn::File) {
    DocText::default().visit_file_mut(file);
}

pub fn client(file: &mut syn::File) {
    SuccessDecode.visit_file_mut(file);
}

pub fn httpmock(file: &mut syn::File) {
    ArrayQueryMatchers.visit_file_mut(file);
}

pub fn cli(crate_ident: &str, file: &mut syn::File) {
    CliMends.visit_file_mut(file);
    let glob = syn::parse_str::<syn::Item>(&format!("use {crate_ident}::*;"))
        .expect("a use item")
        .to_token_stream()
        .to_string();
    let at = file
        .items
        .iter()
        .position(|item| item.to_token_stream().to_string() == glob)
        .map_or(0, |i| i + 1);
    file.items.insert(
        at,
        parse_quote!(
            use progenitor_client::Error;
        ),
    );
}

/// Doc attributes are visited in file order, so a fence opened in one line's attribute is
/// closed in a later one of the same item.
#[derive(Default)]
struct DocText {
    in_fence: bool,
}

impl VisitMut for DocText {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        let syn::Meta::NameValue(doc) = &mut attr.meta else {
            return;
        };
        if !doc.path.is_ident("doc") {
            return;
        }
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &mut doc.value
        else {
            return;
        };
        let written = text.value();
        let mended: Vec<String> = written.split('\n').map(|line| self.line(line)).collect();
        let mended = mended.join("\n");
        if mended != written {
            *text = syn::LitStr::new(&mended, text.span());
        }
    }
}

struct SuccessDecode;

impl VisitMut for SuccessDecode {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        visit_mut::visit_arm_mut(self, arm);
        let success = match &arm.pat {
            syn::Pat::Lit(syn::PatLit {
                lit: syn::Lit::Int(code),
                ..
            }) => code.base10_parse::<u16>().is_ok_and(|c| (200..300).contains(&c)),
            _ => false,
        };
        // progenitor writes the arm's body as a block; prettyplease prints it without one.
        let body = arm.body.to_token_stream().to_string();
        let decode = quote::quote!(ResponseValue::from_response(response).await).to_string();
        if success && (body == decode || body == format!("{{ {decode} }}")) {
            *arm.body = parse_quote!(client.inner().decode(response, &info).await);
        }
    }
}

impl DocText {
    fn line(&mut self, line: &str) -> String {
        if line.trim_start().starts_with("```") {
            self.in_fence = !self.in_fence;
            return line.to_owned();
        }
        if self.in_fence {
            return line.to_owned();
        }
        // Between backticks is inline code: every other piece.
        let pieces: Vec<String> = line
            .split('`')
            .enumerate()
            .map(|(i, piece)| if i % 2 == 0 { prose(piece) } else { piece.to_owned() })
            .collect();
        pieces.join("`")
    }
}

/// Autolinks bare URLs and escapes path-like bracketed words in a piece of prose.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find(['h', '[']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let linked = out.ends_with('<') || out.ends_with("](");
        if !linked && (from.starts_with("https://") || from.starts_with("http://")) {
            let end = from
                .find(|c: char| c.is_whitespace() || "<>\"')]".contains(c))
                .unwrap_or(from.len());
            let url = from[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &from[url.len()..];
        } else if let Some(word) = bracketed_path(from).filter(|_| !out.ends_with('\\')) {
            out.push_str(&format!("\\[{word}\\]"));
            rest = &from[word.len() + 2..];
        } else {
            out.push_str(&from[..1]);
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `Deprecated` of `[Deprecated] …`: a bracketed word rustdoc would resolve as a path, not a
/// Markdown link (`[text](url)`, `[text][ref]`).
fn bracketed_path(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('[')?;
    let end = inner.find(']')?;
    let word = &inner[..end];
    let path_like = !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':');
    let after = inner[end + 1..].chars().next();
    (path_like && !matches!(after, Some('(' | '['))).then_some(word)
}

struct ArrayQueryMatchers;

impl VisitMut for ArrayQueryMatchers {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        let takes_vec = f.sig.to_token_stream().to_string().contains(":: std :: vec :: Vec");
        let Some(syn::Stmt::Expr(Expr::If(branch), _)) = f.block.stmts.first_mut() else {
            return;
        };
        let Some(name) = query_param_name(&branch.then_branch) else {
            return;
        };
        if takes_vec {
            branch.then_branch = parse_quote!({
                Self(value.iter().fold(self.0, |when, v| when.query_param(#name, v.to_string())))
            });
        }
    }
}

/// `"name"` of a `Self(self.0.query_param("name", value.to_string()))` block.
fn query_param_name(block: &syn::Block) -> Option<syn::LitStr> {
    let [syn::Stmt::Expr(Expr::Call(call), _)] = &block.stmts[..] else {
        return None;
    };
    let Some(Expr::MethodCall(m)) = call.args.first() else {
        return None;
    };
    if m.method != "query_param" {
        return None;
    }
    match m.args.first() {
        Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        })) => Some(name.clone()),
        _ => None,
    }
}

struct CliMends;

impl VisitMut for CliMends {
    fn visit_where_predicate_mut(&mut self, predicate: &mut syn::WherePredicate) {
        if let syn::WherePredicate::Type(t) = predicate {
            t.bounds = std::mem::take(&mut t.bounds)
                .into_iter()
                .filter(|b| !is_json_schema(b))
                .collect();
        }
        visit_mut::visit_where_predicate_mut(self, predicate);
    }

    fn visit_type_param_mut(&mut self, param: &mut syn::TypeParam) {
        param.bounds = std::mem::take(&mut param.bounds)
            .into_iter()
            .filter(|b| !is_json_schema(b))
            .collect();
        visit_mut::visit_type_param_mut(self, param);
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let Expr::MethodCall(call) = expr else { return };
        let method = call.method.to_string();
        if method == "arg"
            && call
                .args
                .to_token_stream()
                .to_string()
                .contains("\"json-body-template\"")
        {
            *expr = (*call.receiver).clone();
        } else if method == "value_parser"
            && let Some(Expr::Macro(parser)) = call.args.first_mut()
            && let Ok(ty) = syn::parse2::<Type>(parser.mac.tokens.clone())
            && let Some(item) = vec_item(&ty)
        {
            parser.mac.tokens = item.to_token_stream();
            *expr = parse_quote!(#expr.action(::clap::ArgAction::Append));
        } else if method == "get_one"
            && let Some(turbofish) = &call.turbofish
            && let [GenericArgument::Type(ty)] = turbofish.args.iter().collect::<Vec<_>>()[..]
            && let Some(item) = vec_item(ty)
        {
            let (receiver, args) = (&call.receiver, &call.args);
            *expr = parse_quote!(
                #receiver.get_many::<#item>(#args).map(|values| values.cloned().collect::<::std::vec::Vec<_>>())
            );
        }
    }
}

fn is_json_schema(bound: &TypeParamBound) -> bool {
    matches!(bound, TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "JsonSchema"))
}

/// `T` of `::std::vec::Vec<T>`.
fn vec_item(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == "Vec")?;
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn cli_mends_drop_the_template_and_json_schema_and_repeat_array_arguments() {
        let mut file: syn::File = parse_quote! {
            use demo_client::*;
            pub trait CliConfig {
                fn success_item<T>(&self, value: &T) where T: schemars::JsonSchema + serde::Serialize;
            }
            fn cli() -> ::clap::Command {
                ::clap::Command::new("")
                    .arg(::clap::Arg::new("area-ids").value_parser(::clap::value_parser!(::std::vec::Vec<i64>)))
                    .arg(::clap::Arg::new("json-body-template").help("XXX"))
            }
            fn read(matches: &::clap::ArgMatches) {
                let _ = matches.get_one::<::std::vec::Vec<i64>>("area-ids");
            }
        };
        cli("demo_client", &mut file);
        let text = file.to_token_stream().to_string();
        assert!(
            text.contains("use demo_client :: * ; use progenitor_client :: Error ;"),
            "{text}"
        );
        assert!(
            !text.contains("JsonSchema") && !text.contains("json-body-template"),
            "{text}"
        );
        assert!(
            text.contains("value_parser (:: clap :: value_parser ! (i64)) . action (:: clap :: ArgAction :: Append)"),
            "{text}"
        );
        assert!(text.contains("get_many :: < i64 > (\"area-ids\")"), "{text}");
    }

    #[test]
    fn success_bodies_decode_through_the_runtime_and_error_bodies_do_not() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match response.status().as_u16() {
                    200u16 => { ResponseValue::from_response(response).await }
                    201u16 => ResponseValue::from_response(response).await,
                    204u16 => Ok(ResponseValue::empty(response)),
                    400u16..=499u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        client(&mut file);
        let text = quote!(#file).to_string();
        for code in ["200u16", "201u16"] {
            assert!(
                text.contains(&format!(
                    "{code} => client . inner () . decode (response , & info) . await"
                )),
                "{text}"
            );
        }
        assert!(text.contains("ResponseValue :: empty (response)"), "{text}");
        assert!(
            text.contains("Error :: ErrorResponse (ResponseValue :: from_response (response) . await ?)"),
            "{text}"
        );
    }

    #[test]
    fn array_query_matchers_match_each_element() {
        let mut file: syn::File = parse_quote! {
            impl When {
                pub fn area_ids<'a, T>(self, value: T) -> Self where T: Into<Option<&'a ::std::vec::Vec<i64>>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("areaIds", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("areaIds"))
                    }
                }
                pub fn limit<T>(self, value: T) -> Self where T: Into<Option<i64>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("limit", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("limit"))
                    }
                }
            }
        };
        httpmock(&mut file);
        let text = quote!(#file).to_string();
        assert!(
            text.contains("value . iter () . fold (self . 0 , | when , v | when . query_param (\"areaIds\""),
            "{text}"
        );
        assert!(
            text.contains("Self (self . 0 . query_param (\"limit\" , value . to_string ()))"),
            "{text}"
        );
    }

    #[test]
    fn doc_text_links_bare_urls_and_escapes_path_like_brackets_outside_code() {
        let mut docs = DocText::default();
        assert_eq!(
            docs.line("Curated from https://docs.vellosim.com (see <https://a.example>), and https://b.example."),
            "Curated from <https://docs.vellosim.com> (see <https://a.example>), and <https://b.example>."
        );
        assert_eq!(
            docs.line("(https://developers.example.co, an apidog site)"),
            "(<https://developers.example.co>, an apidog site)"
        );
        assert_eq!(docs.line("[Deprecated] devices"), "\\[Deprecated\\] devices");
        // Links, intra-doc links of progenitor's own and inline code are left alone.
        let kept = "Builder for [`Client::get_balance`], [the page](https://x.example), `https://y.example`, `[]`";
        assert_eq!(docs.line(kept), kept);
        assert_eq!(docs.line("```json"), "```json");
        assert_eq!(
            docs.line("  \"url\": \"https://z.example\" [x]"),
            "  \"url\": \"https://z.example\" [x]"
        );
        assert_eq!(docs.line("```"), "```");
        assert_eq!(docs.line("see https://z.example"), "see <https://z.example>");
    }
}
