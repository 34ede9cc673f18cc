//! The conformance suite of the one eSIM interface (`esim-market`): every provider's adapter,
//! over HTTP against the sandbox, answers the same questions the same way. Plus the
//! cross-provider search: one provider down hides nothing, prices compare in one currency.

use std::time::Duration;

use futures::TryStreamExt;
use provider_clients::market::{
    ActivationCode, Adapter, AdapterVisitor, Allowance, EsimProvider, MarketError, Offer, OfferKind, OfferQuery,
    SearchOptions, StatusKind, search,
};
use provider_clients::{DataVolume, market};
use provider_core::{Connect, FromParts};
use sandbox::{EXAMPLE_START, Provider, Sandbox};

async fn sandbox() -> Sandbox {
    Sandbox::starting_at(EXAMPLE_START).await.expect("the sandbox starts")
}

/// Every adapter esim-market registers, each with its client pointed at the sandbox.
fn adapters(sandbox: &Sandbox) -> Vec<Box<dyn EsimProvider>> {
    struct OnSandbox<'s>(&'s Sandbox, Vec<Box<dyn EsimProvider>>);
    impl AdapterVisitor for OnSandbox<'_> {
        fn visit<A: Adapter>(&mut self) {
            let name = <A::Client as FromParts>::DESCRIPTOR.name;
            let provider = Provider::named(name).expect("the sandbox simulates every provider");
            let values = provider.credential_values().iter().map(|v| (*v).to_owned()).collect();
            let client = <A::Client as Connect>::connect(&self.0.base_url(provider), values, &|tokens| tokens)
                .build()
                .unwrap();
            let settings: Vec<String> = A::SETTINGS.iter().map(|s| s.sandbox.to_owned()).collect();
            let adapter = A::adapt(client, &settings).unwrap();
            assert_eq!(adapter.name(), name, "an adapter answers for its own provider");
            self.1.push(Box::new(adapter));
        }
    }
    let mut on = OnSandbox(sandbox, Vec::new());
    market::visit_adapters(&mut on);
    on.1
}

fn country(code: &str) -> OfferQuery {
    OfferQuery {
        country: Some(code.parse().unwrap()),
        kind: Some(OfferKind::Base),
        ..OfferQuery::default()
    }
}

async fn offers(provider: &dyn EsimProvider, query: &OfferQuery) -> Vec<Offer> {
    provider
        .offers(query)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{}: offers: {e:?}", provider.name()))
}

#[tokio::test]
async fn every_adapter_conforms_on_the_sandbox() {
    let sandbox = sandbox().await;
    let adapters = adapters(&sandbox);
    assert!(!adapters.is_empty(), "esim-market registers no adapter");
    for adapter in &adapters {
        conforms(&sandbox, adapter.as_ref()).await;
    }
}

async fn conforms(sandbox: &Sandbox, provider: &dyn EsimProvider) {
    let name = provider.name();
    let germany = country("DE");

    // Offers for a covered country, each as the query asked; none for an uncovered one.
    let found = offers(provider, &germany).await;
    assert!(!found.is_empty(), "{name}: no offers for DE");
    for offer in &found {
        assert_eq!(offer.provider, name);
        assert!(offer.coverage.contains(&"DE".parse().unwrap()), "{name}: {offer:?}");
        assert_eq!(offer.kind, OfferKind::Base, "{name}: {offer:?}");
        assert!(offer.validity_days > 0, "{name}: {offer:?}");
        assert!(
            offer.price.amount.is_sign_positive() && !offer.price.amount.is_zero(),
            "{name}: {offer:?}"
        );
    }
    assert!(
        offers(provider, &country("AQ")).await.is_empty(),
        "{name}: offers for AQ"
    );
    let five_gb = OfferQuery {
        min_data: Some(DataVolume::from_megabytes(5 * 1024)),
        ..germany.clone()
    };
    for offer in offers(provider, &five_gb).await {
        assert!(
            offer.data.covers(DataVolume::from_megabytes(5 * 1024)),
            "{name}: {offer:?}"
        );
    }

    // A purchase yields a usable activation code and the reference it was sent with.
    let cheapest = found
        .iter()
        .filter(|o| matches!(o.data, Allowance::Limited(_)))
        .min_by_key(|o| o.price.amount)
        .unwrap_or_else(|| panic!("{name}: no limited offer"));
    let reference = format!("conformance-{name}");
    let purchase = provider
        .buy(&cheapest.id, 1, &reference)
        .await
        .unwrap_or_else(|e| panic!("{name}: buy {}: {e:?}", cheapest.id));
    assert_eq!(purchase.provider, name);
    assert_eq!(purchase.reference, reference);
    assert!(!purchase.order.is_empty(), "{name}: {purchase:?}");
    assert_eq!(purchase.esims.len(), 1, "{name}: {purchase:?}");
    let bought = &purchase.esims[0];
    let activation = bought
        .activation
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: no activation code: {purchase:?}"));
    assert_eq!(
        ActivationCode::parse(&activation.lpa).as_ref(),
        Some(activation),
        "{name}"
    );
    let iccid = bought.iccid.clone();

    // After an unknown outcome the reference tells whether it was bought, where the provider
    // keeps it.
    match provider.purchases(&reference).await {
        Ok(found) => {
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            assert_eq!(found[0].order, purchase.order, "{name}");
            assert!(found[0].esims.iter().any(|e| e.iccid == iccid), "{name}: {found:?}");
            let none = provider.purchases("never-used").await.unwrap();
            assert!(none.is_empty(), "{name}: {none:?}");
        }
        Err(MarketError::Unsupported {
            operation: "purchases", ..
        }) => {}
        Err(e) => panic!("{name}: purchases: {e:?}"),
    }

    let esim = provider
        .esim(&iccid)
        .await
        .unwrap_or_else(|e| panic!("{name}: esim: {e:?}"));
    assert_eq!(esim.iccid, iccid, "{name}");

    // Usage grows as (simulated) time passes.
    let before = provider
        .usage(&iccid)
        .await
        .unwrap_or_else(|e| panic!("{name}: usage: {e:?}"));
    assert_eq!(before.iccid, iccid);
    sandbox.skip(Duration::from_secs(6 * 3600));
    let after = provider
        .usage(&iccid)
        .await
        .unwrap_or_else(|e| panic!("{name}: usage: {e:?}"));
    let (Some(used_before), Some(used_after)) = (before.used, after.used) else {
        panic!("{name}: usage without used data: {before:?} {after:?}");
    };
    assert!(used_after > used_before, "{name}: {before:?} → {after:?}");
    assert!(
        matches!(after.status.kind, StatusKind::Active | StatusKind::NotActive),
        "{name}: {after:?}"
    );

    // A top-up, where the provider sells them, shows up in the eSIM's allowance.
    match provider.topups(&iccid).await {
        Ok(topups) => {
            let topup = topups.first().unwrap_or_else(|| panic!("{name}: no top-ups"));
            assert!(topups.iter().all(|t| t.kind == OfferKind::TopUp), "{name}: {topups:?}");
            let receipt = provider
                .top_up(&iccid, &topup.id, &format!("{reference}-topup"))
                .await
                .unwrap_or_else(|e| panic!("{name}: top_up: {e:?}"));
            assert!(receipt.esims.iter().any(|e| e.iccid == iccid), "{name}: {receipt:?}");
            let topped = provider
                .usage(&iccid)
                .await
                .unwrap_or_else(|e| panic!("{name}: usage: {e:?}"));
            assert!(
                topped.remaining > after.remaining,
                "{name}: top-up not visible: {after:?} → {topped:?}"
            );
        }
        Err(MarketError::Unsupported {
            provider: said,
            operation,
        }) => {
            assert_eq!((said, operation), (name, "topups"));
            let refused = provider.top_up(&iccid, &cheapest.id, &reference).await;
            assert!(
                matches!(
                    refused,
                    Err(MarketError::Unsupported {
                        operation: "top_up",
                        ..
                    })
                ),
                "{name}: topups unsupported but top_up not: {refused:?}"
            );
        }
        Err(e) => panic!("{name}: topups: {e:?}"),
    }
}

#[tokio::test]
async fn a_search_ranks_every_provider_together_and_a_failed_one_hides_nothing() {
    let sandbox = sandbox().await;
    let adapters = adapters(&sandbox);
    // A fifth provider that cannot be reached: its failure is reported beside the results.
    let down = market::Airalo::new(
        airalo_client::Client::config("id", "secret")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap(),
    );
    let mut providers: Vec<&dyn EsimProvider> = adapters.iter().map(AsRef::as_ref).collect();
    providers.push(&down);
    let query = OfferQuery {
        min_data: Some(DataVolume::from_megabytes(5 * 1024)),
        ..country("DE")
    };
    let found = search(&providers, &query, &SearchOptions::default()).await;

    assert_eq!(found.failures.len(), 1, "{:?}", found.failures);
    assert_eq!(found.failures[0].provider_name(), "airalo");
    let mut seen: Vec<&str> = found.ranked.iter().map(|r| r.offer.provider).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, ["airalo", "pressone", "vellosim", "veloconnect"], "{found:?}");
    assert!(found.unconverted.is_empty(), "{:?}", found.unconverted);
    // Best first: price per GB never falls down the list.
    for pair in found.ranked.windows(2) {
        let (a, b) = (pair[0].price_per_gb.unwrap(), pair[1].price_per_gb.unwrap());
        assert!(a.amount <= b.amount, "{pair:?}");
    }
    for ranked in &found.ranked {
        assert_eq!(ranked.price.currency, SearchOptions::default().currency);
        match &ranked.converted_by {
            None => assert_eq!(ranked.offer.price, ranked.price),
            Some(rate) => assert!(found.rates.contains(rate)),
        }
    }
}
