//! The listings and bulk calls of Airalo-shaped APIs (Airalo, and PressOne, which mirrors it
//! with Airalo's own types), written once and instantiated per client by [`airalo_shaped!`].

use crate::paginate::Total;
use airalo_client::types;

/// Airalo pages carry `meta.last_page`.
pub fn total(meta: Option<&types::PaginationMeta>) -> Total {
    Total::reported(meta.and_then(|m| m.last_page), None)
}

/// Which packages to list; the SDKs' convenience filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageQuery {
    /// `local` (one country) or `global` (global and regional); both when `None`.
    pub kind: Option<types::OperatorType>,
    /// ISO country code (`TR`).
    pub country: Option<String>,
    /// Include top-up packages (`include=topup`).
    pub include_topups: bool,
    /// `Accept-Language` for translated texts.
    pub language: Option<String>,
}

impl PackageQuery {
    pub fn local() -> Self {
        Self {
            kind: Some(types::OperatorType::Local),
            ..Self::default()
        }
    }

    pub fn global() -> Self {
        Self {
            kind: Some(types::OperatorType::Global),
            ..Self::default()
        }
    }

    pub fn country(code: impl Into<String>) -> Self {
        Self {
            country: Some(code.into()),
            ..Self::default()
        }
    }

    pub fn with_topups(mut self) -> Self {
        self.include_topups = true;
        self
    }
}

/// Streams over packages, orders and eSIMs and the bulk calls, for a generated client whose
/// operations and types are Airalo's. Expands inside a module that has `Client`, `Error` and
/// `builder` of that client in scope; `$iccid` names the builder method of the usage call's
/// ICCID path parameter (`sim_iccid` at Airalo, `iccid` at PressOne).
macro_rules! airalo_shaped {
    ($iccid:ident) => {
        /// Every country (with its operators and packages) matching `query`, `per_page` countries
        /// at a time, fetched lazily until `meta.last_page`.
        pub fn countries<'a>(
            client: &'a Client,
            query: $crate::airalo_shaped::PackageQuery,
            per_page: u64,
        ) -> impl ::futures::Stream<Item = Result<::airalo_client::types::Country, Error>> + 'a {
            $crate::paginate::items($crate::paginate::PageNumber::first(per_page), move |cursor| {
                let query = query.clone();
                async move {
                    let (page, limit) = cursor.query();
                    let mut request = client.get_packages().page(page).limit(limit);
                    if let Some(kind) = query.kind {
                        request = request.filter_type(kind);
                    }
                    if let Some(country) = query.country {
                        request = request.filter_country(country);
                    }
                    if query.include_topups {
                        request = request.include("topup");
                    }
                    if let Some(language) = query.language {
                        request = request.accept_language(language);
                    }
                    let response = request.send().await?.into_inner();
                    let total = $crate::airalo_shaped::total(response.meta.as_ref());
                    Ok($crate::paginate::Page {
                        items: response.data.into_countries(),
                        total,
                    })
                }
            })
        }

        /// One row per package (with its country and operator) for everything matching `query`.
        /// `sim_only` drops top-ups, like the SDKs' `getSimPackages`.
        pub fn flat_packages<'a>(
            client: &'a Client,
            query: $crate::airalo_shaped::PackageQuery,
            per_page: u64,
            sim_only: bool,
        ) -> impl ::futures::Stream<Item = Result<::airalo_client::FlatPackage, Error>> + 'a {
            use ::futures::TryStreamExt as _;
            countries(client, query, per_page)
                .map_ok(|country| ::futures::stream::iter(country.flat().into_iter().map(Ok)))
                .try_flatten()
                .try_filter(move |row| ::futures::future::ready(!sim_only || row.package.is_sim()))
        }

        /// Every order, `per_page` at a time; `configure` adds filters and `include`.
        pub fn orders<'a, F>(
            client: &'a Client,
            per_page: u64,
            configure: F,
        ) -> impl ::futures::Stream<Item = Result<::airalo_client::types::Order, Error>> + 'a
        where
            F: Fn(builder::GetOrderList<'a>) -> builder::GetOrderList<'a> + 'a,
        {
            $crate::paginate::items($crate::paginate::PageNumber::first(per_page), move |cursor| {
                let (page, limit) = cursor.query();
                let request = configure(client.get_order_list().page(page).limit(limit));
                async move {
                    let response = request.send().await?.into_inner();
                    Ok($crate::paginate::Page {
                        total: $crate::airalo_shaped::total(response.meta.as_ref()),
                        items: response.data,
                    })
                }
            })
        }

        /// The orders placed with exactly this `description`. After an order whose outcome is
        /// unknown (`Error::is_outcome_unknown`), this says whether it was placed: give every
        /// order a unique description (a booking reference) so the answer is unambiguous.
        pub async fn orders_with_description(
            client: &Client,
            description: &str,
        ) -> Result<Vec<::airalo_client::types::Order>, Error> {
            let response = client
                .get_order_list()
                .filter_description(description)
                .include("sims")
                .limit(100)
                .send()
                .await?
                .into_inner();
            // The filter is a like-match; keep exact matches only.
            Ok(response
                .data
                .into_iter()
                .filter(|o| o.description.as_deref() == Some(description))
                .collect())
        }

        /// Every eSIM, the pages after the first fetched `concurrency` at a time (items still
        /// in page order; at most `concurrency` pages held).
        pub fn sims_concurrent<'a>(
            client: &'a Client,
            per_page: u64,
            concurrency: usize,
        ) -> impl ::futures::Stream<Item = Result<::airalo_client::types::Sim, Error>> + 'a {
            $crate::paginate::items_concurrent(
                $crate::paginate::PageNumber::first(per_page),
                concurrency,
                move |cursor| async move {
                    let (page, limit) = cursor.query();
                    let response = client
                        .get_esims_list()
                        .page(page)
                        .limit(limit)
                        .send()
                        .await?
                        .into_inner();
                    Ok($crate::paginate::Page {
                        total: $crate::airalo_shaped::total(response.meta.as_ref()),
                        items: response.data,
                    })
                },
            )
        }

        /// Every eSIM, `per_page` at a time; `configure` adds filters and `include`.
        pub fn sims<'a, F>(
            client: &'a Client,
            per_page: u64,
            configure: F,
        ) -> impl ::futures::Stream<Item = Result<::airalo_client::types::Sim, Error>> + 'a
        where
            F: Fn(builder::GetEsimsList<'a>) -> builder::GetEsimsList<'a> + 'a,
        {
            $crate::paginate::items($crate::paginate::PageNumber::first(per_page), move |cursor| {
                let (page, limit) = cursor.query();
                let request = configure(client.get_esims_list().page(page).limit(limit));
                async move {
                    let response = request.send().await?.into_inner();
                    Ok($crate::paginate::Page {
                        total: $crate::airalo_shaped::total(response.meta.as_ref()),
                        items: response.data,
                    })
                }
            })
        }

        /// Orders several packages at once: `quantities` maps a package id to how many eSIMs.
        /// At most `concurrency` orders are in flight; each package gets its own result. Every
        /// order is sent once: a failed one is reported, never retried, so nothing is bought twice.
        pub async fn order_bulk(
            client: &Client,
            quantities: &::std::collections::BTreeMap<String, u32>,
            description: Option<&str>,
            concurrency: usize,
        ) -> ::std::collections::BTreeMap<String, Result<::airalo_client::types::Order, Error>> {
            $crate::bulk::run(quantities.keys().cloned(), concurrency, |package_id| {
                let quantity = quantities[&package_id];
                let body = ::airalo_client::types::OrderRequest::builder()
                    .package_id(package_id)
                    .quantity(i64::from(quantity))
                    .description(description.map(str::to_owned));
                async move { Ok(client.submit_order().body(body).send().await?.into_inner().data) }
            })
            .await
        }

        /// Usage of several eSIMs, at most `concurrency` lookups in flight, keyed by ICCID.
        pub async fn usage_bulk<I, S>(
            client: &Client,
            iccids: I,
            concurrency: usize,
        ) -> ::std::collections::BTreeMap<String, Result<::airalo_client::types::Usage, Error>>
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            $crate::bulk::run(
                iccids.into_iter().map(Into::into),
                concurrency,
                |iccid| async move { Ok(client.get_usage().$iccid(iccid).send().await?.into_inner().data) },
            )
            .await
        }
    };
}

pub(crate) use airalo_shaped;
