//! What `x-pagination` adds to a client: `.stream(page_size)` and
//! `.stream_concurrent(page_size, in_flight)` on each listing's builder, a
//! `provider_core::paginate::Paged` impl for its response, and the `LISTINGS` table. Read
//! from progenitor's syntax tree, so the types are the ones progenitor chose.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, anyhow, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{GenericArgument, Item, PathArguments, Type};

use crate::spec::{Pagination, Spec, pascal_case, snake_case};

/// The `LISTINGS` table: every paginated operation as its spec declares it.
pub fn table(spec: &Spec) -> anyhow::Result<TokenStream> {
    let mut rows = Vec::new();
    for op in spec.operations() {
        let Some(p) = op.pagination().map_err(|e| anyhow!("{}: {e}", op.label()))? else {
            continue;
        };
        let operation = snake_case(op.id());
        let style = match p.style.as_str() {
            "page" => quote!(PageNumber),
            _ => quote!(Offset),
        };
        let items = &p.items;
        let pages = option(p.total_pages.as_deref());
        let count = option(p.total_items.as_deref());
        rows.push(quote! {
            ::provider_core::paginate::Listing {
                operation: #operation,
                style: ::provider_core::paginate::Style::#style,
                items: #items,
                total_pages: #pages,
                total_items: #count,
            }
        });
    }
    Ok(quote! {
        /// The paginated operations, as the spec's `x-pagination` declares them: their builders
        /// have `.stream(page_size)`; `esim --all` walks them.
        pub const LISTINGS: &[::provider_core::paginate::Listing] = &[#(#rows),*];
    })
}

fn option(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    }
}

/// A listing whose response is borrowed from another crate (`x-rust-type`) streams through
/// that crate's `Paged` impl, so its `x-pagination` must say what the owner's says: checked
/// across all specs.
pub fn check_borrowed(specs: &[Spec]) -> anyhow::Result<()> {
    // (crate ident, schema name) → (spec, operation, pagination) of each owned listing.
    let mut owned = std::collections::BTreeMap::new();
    for spec in specs {
        for op in spec.operations() {
            if let (Ok(Some(p)), Some(schema)) = (op.pagination(), spec.success_schema(&op)) {
                owned.insert((spec.crate_ident(), schema.to_owned()), (op.label(), p));
            }
        }
    }
    for spec in specs {
        for op in spec.operations() {
            let (Ok(Some(p)), Some(schema)) = (op.pagination(), spec.success_schema(&op)) else {
                continue;
            };
            let Some((_, path)) = crate::spec::rust_type(&spec.doc["components"]["schemas"][schema]) else {
                continue;
            };
            let Some((owner, name)) = path.split_once("::types::") else {
                continue;
            };
            match owned.get(&(owner.to_owned(), name.to_owned())) {
                Some((_, theirs)) if *theirs == p => {}
                Some((label, _)) => bail!(
                    "{}: {}: `x-pagination` differs from {label}'s, whose response type it borrows",
                    spec.display_path(),
                    op.label()
                ),
                None => bail!(
                    "{}: {}: `x-pagination` on a response borrowed from {owner}, which pages no listing with it",
                    spec.display_path(),
                    op.label()
                ),
            }
        }
    }
    Ok(())
}

/// Item types of the listings rendered so far, by response type, both as absolute paths
/// (`::airalo_client::types::PackagesResponse` → `::airalo_client::types::Country`): a
/// client that borrows a response type names its items the same way.
pub type KnownItems = BTreeMap<String, TokenStream>;

/// The streams on each listing's builder and the `Paged` impl of each local response type.
pub fn streams(spec: &Spec, file: &syn::File, known: &mut KnownItems) -> anyhow::Result<Vec<Item>> {
    let mut out = Vec::new();
    let mut paged = BTreeSet::new();
    let absolute = |tokens: &TokenStream| -> TokenStream {
        let text = tokens.to_string();
        match text.strip_prefix("types ::") {
            Some(_) => {
                let krate = format_ident!("{}", spec.crate_ident());
                quote!(::#krate::#tokens)
            }
            None => tokens.clone(),
        }
    };
    for op in spec.operations() {
        let Some(pagination) = op.pagination().map_err(|e| anyhow!("{}: {e}", op.label()))? else {
            continue;
        };
        let builder = format_ident!("{}", pascal_case(op.id()));
        let (response, error) =
            send_types(file, &builder.to_string()).with_context(|| format!("{}: the builder's send()", op.label()))?;
        let item = match local_struct(file, &response) {
            Some(strukt) => {
                let (item, paged_impl) = paged_impl(file, strukt, &response, &pagination)
                    .with_context(|| format!("{}: x-pagination", op.label()))?;
                if paged.insert(strukt.ident.to_string()) {
                    out.push(paged_impl);
                }
                known.insert(absolute(&quote!(#response)).to_string(), absolute(&item));
                item
            }
            // Borrowed (`x-rust-type`): the owning crate implements `Paged` from its own spec.
            None => match known.get(&quote!(#response).to_string()) {
                Some(item) => item.clone(),
                None => quote!(<#response as ::provider_core::paginate::Paged>::Item),
            },
        };
        out.push(builder_impl(&builder, &pagination, &item, &error, &op.label())?);
    }
    Ok(out)
}

fn builder_impl(
    builder: &syn::Ident,
    pagination: &Pagination,
    item: &TokenStream,
    error: &Type,
    label: &str,
) -> anyhow::Result<Item> {
    let (cursor, position) = match pagination.style.as_str() {
        "page" => (quote!(PageNumber), format_ident!("page")),
        _ => (quote!(Offset), format_ident!("offset")),
    };
    let until = match (&pagination.total_pages, &pagination.total_items) {
        (Some(pages), _) => format!("the page count at `{pages}`"),
        (None, Some(items)) => format!("the item count at `{items}`"),
        (None, None) => "a short page".to_owned(),
    };
    let doc = format!(
        " Every item of {label}, `page_size` at a time (`{position}` and `limit`) until {until},\n \
         fetched as the stream is read: at most one page is held. The other parameters set on\n \
         this builder apply to every page. A failed page is yielded as an error and ends the stream."
    );
    let concurrent_doc = " Like `stream`, but once the first page has told the total, the remaining pages are\n \
         fetched `in_flight` at a time. Items still come in page order; at most `in_flight` pages\n \
         are held.";
    let result = quote!(::std::result::Result<#item, ::provider_core::Error<#error>>);
    syn::parse2(quote! {
        impl<'a> builder::#builder<'a> {
            #[doc = #doc]
            pub fn stream(self, page_size: u64) -> impl ::provider_core::paginate::Stream<Item = #result> + 'a {
                ::provider_core::paginate::items(
                    ::provider_core::paginate::#cursor::first(page_size),
                    move |cursor| self.clone().fetch_page(cursor),
                )
            }

            #[doc = #concurrent_doc]
            pub fn stream_concurrent(
                self,
                page_size: u64,
                in_flight: usize,
            ) -> impl ::provider_core::paginate::Stream<Item = #result> + 'a {
                ::provider_core::paginate::items_concurrent(
                    ::provider_core::paginate::#cursor::first(page_size),
                    in_flight,
                    move |cursor| self.clone().fetch_page(cursor),
                )
            }

            async fn fetch_page(
                self,
                cursor: ::provider_core::paginate::#cursor,
            ) -> ::std::result::Result<::provider_core::paginate::Page<#item>, ::provider_core::Error<#error>> {
                let (position, limit) = cursor.query();
                let response = self.#position(position).limit(limit).send().await?;
                Ok(::provider_core::paginate::Paged::into_page(response.into_inner()))
            }
        }
    })
    .context("the generated stream impl parses")
}

/// `impl Paged for types::X`, and the item type it names.
fn paged_impl(
    file: &syn::File,
    strukt: &syn::ItemStruct,
    response: &Type,
    pagination: &Pagination,
) -> anyhow::Result<(TokenStream, Item)> {
    let segment = pagination.items.trim_start_matches('/');
    let (field, ty) = field(strukt, segment).ok_or_else(|| anyhow!("no field for `{}`", pagination.items))?;
    let ty = &qualify(file, ty);
    let (item, items) = match (vec_item(ty), option_inner(ty).and_then(vec_item)) {
        (Some(item), _) => (quote!(#item), quote!(self.#field)),
        (None, Some(item)) => (quote!(#item), quote!(self.#field.unwrap_or_default())),
        // A collection of another shape (Airalo's catalogue: an array, or an object keyed by
        // position): its hand-written `IntoIterator` yields the element type of every variant.
        (None, None) => {
            let item = match collection_item(file, ty) {
                Some(item) => quote!(#item),
                None => quote!(<#ty as ::std::iter::IntoIterator>::Item),
            };
            (
                item,
                quote!(::std::iter::IntoIterator::into_iter(self.#field).collect()),
            )
        }
    };
    let count = |pointer: &Option<String>| -> anyhow::Result<TokenStream> {
        match pointer {
            Some(pointer) => count_expr(file, strukt, pointer),
            None => Ok(quote!(::std::option::Option::None)),
        }
    };
    let (pages, total) = (count(&pagination.total_pages)?, count(&pagination.total_items)?);
    let imp = syn::parse2(quote! {
        impl ::provider_core::paginate::Paged for #response {
            type Item = #item;

            fn into_page(self) -> ::provider_core::paginate::Page<#item> {
                let total = ::provider_core::paginate::Total::reported(#pages, #total);
                ::provider_core::paginate::Page { items: #items, total }
            }
        }
    })
    .context("the generated Paged impl parses")?;
    Ok((item, imp))
}

/// `T` when `ty` is a local enum each of whose variants holds a `Vec<T>` or a map to `T`.
fn collection_item(file: &syn::File, ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let name = &path.path.segments.last()?.ident;
    let enumeration = module(file, "types")?.iter().find_map(|item| match item {
        Item::Enum(e) if e.ident == *name => Some(e),
        _ => None,
    })?;
    let mut items = enumeration.variants.iter().map(|v| {
        let field = v.fields.iter().next().filter(|_| v.fields.len() == 1)?;
        match type_name(&field.ty).as_deref() {
            Some("Vec") => vec_item(&field.ty).cloned(),
            Some("BTreeMap" | "HashMap") => generic_args(&field.ty).get(1).map(|t| (*t).clone()),
            _ => None,
        }
    });
    let first = items.next()??;
    let text = quote!(#first).to_string();
    items
        .all(|t| t.is_some_and(|t| quote!(#t).to_string() == text))
        .then(|| qualify(file, &first))
}

/// `Option<i64>` read along `pointer` from `self`, through optional fields.
fn count_expr(file: &syn::File, root: &syn::ItemStruct, pointer: &str) -> anyhow::Result<TokenStream> {
    let mut strukt = root;
    let mut expr: Option<TokenStream> = None;
    let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let (field, ty) = field(strukt, segment).ok_or_else(|| anyhow!("`{pointer}`: no field for `{segment}`"))?;
        let optional = option_inner(ty).is_some();
        expr = Some(match (expr, optional) {
            (None, true) => quote!(self.#field.as_ref()),
            (None, false) => quote!(::std::option::Option::Some(&self.#field)),
            (Some(e), true) => quote!(#e.and_then(|v| v.#field.as_ref())),
            (Some(e), false) => quote!(#e.map(|v| &v.#field)),
        });
        if i + 1 < segments.len() {
            let inner = option_inner(ty).unwrap_or(ty);
            strukt =
                local_struct(file, inner).ok_or_else(|| anyhow!("`{pointer}`: `{segment}` is not a local struct"))?;
        }
    }
    let expr = expr.ok_or_else(|| anyhow!("empty pointer"))?;
    Ok(quote!(#expr.map(|v| ::std::primitive::i64::from(*v))))
}

/// `(R, E)` of the builder's `send() -> Result<ResponseValue<R>, Error<E>>`.
fn send_types(file: &syn::File, builder: &str) -> anyhow::Result<(Type, Type)> {
    let module = module(file, "builder").ok_or_else(|| anyhow!("progenitor output has no `mod builder`"))?;
    let send = module
        .iter()
        .filter_map(|item| match item {
            Item::Impl(imp) if type_name(&imp.self_ty).as_deref() == Some(builder) => Some(imp),
            _ => None,
        })
        .flat_map(|imp| &imp.items)
        .find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(&f.sig.output),
            _ => None,
        })
        .ok_or_else(|| anyhow!("no builder `{builder}` with a `send`"))?;
    let syn::ReturnType::Type(_, ty) = send else {
        bail!("`send` returns nothing");
    };
    let [ok, err] = generic_args(ty)[..] else {
        bail!("`send` does not return a Result");
    };
    let response = generic_args(ok).first().copied().context("no ResponseValue<T>")?;
    let error = generic_args(err).first().copied().context("no Error<E>")?;
    Ok((response.clone(), error.clone()))
}

fn module<'f>(file: &'f syn::File, name: &str) -> Option<&'f [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| &items[..]),
        _ => None,
    })
}

/// The struct generated in `mod types` for `types::X` (or `X`); `None` for a borrowed type.
fn local_struct<'f>(file: &'f syn::File, ty: &Type) -> Option<&'f syn::ItemStruct> {
    let Type::Path(path) = ty else { return None };
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    // `types::X` from the builders, `X` inside `mod types`.
    let name = match &segments[..] {
        [types, name] if types == "types" => name,
        [name] => name,
        _ => return None,
    };
    module(file, "types")?.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

/// The field serialized as `json`: `#[serde(rename = "json")]` or the same name.
fn field<'s>(strukt: &'s syn::ItemStruct, json: &str) -> Option<(&'s syn::Ident, &'s Type)> {
    let renamed = format!("rename = \"{json}\"");
    strukt.fields.iter().find_map(|f| {
        let ident = f.ident.as_ref()?;
        let by_rename = f
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains(&renamed));
        (by_rename || ident.to_string().trim_start_matches("r#") == json).then_some((ident, &f.ty))
    })
}

/// `ty` as written inside `mod types`, made to work outside it: `Esim` → `types::Esim`.
fn qualify(file: &syn::File, ty: &Type) -> Type {
    let mut ty = ty.clone();
    if let Type::Path(p) = &mut ty {
        let local = p.qself.is_none()
            && p.path.leading_colon.is_none()
            && p.path.segments.len() == 1
            && module(file, "types").is_some_and(|items| {
                items.iter().any(|item| match item {
                    Item::Struct(s) => s.ident == p.path.segments[0].ident,
                    Item::Enum(e) => e.ident == p.path.segments[0].ident,
                    _ => false,
                })
            });
        if local {
            p.path.segments.insert(0, format_ident!("types").into());
        }
        for segment in p.path.segments.iter_mut() {
            if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
                for arg in args.args.iter_mut() {
                    if let GenericArgument::Type(inner) = arg {
                        *inner = qualify(file, inner);
                    }
                }
            }
        }
    }
    ty
}

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(p) = ty else { return Vec::new() };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn wrapped<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    (type_name(ty).as_deref() == Some(wrapper))
        .then(|| generic_args(ty).first().copied())
        .flatten()
}

fn option_inner(ty: &Type) -> Option<&Type> {
    wrapped(ty, "Option")
}

fn vec_item(ty: &Type) -> Option<&Type> {
    wrapped(ty, "Vec")
}
