//! The Vellosim and VeloConnect adapters against the in-process sandbox: offers for a
//! covered country and for one nobody covers, a purchase with its activation code, usage
//! growing as simulated time passes, and top-ups.

use std::time::Duration;

use esim_market::{
    ActivationCode, Allowance, Currency, EsimProvider, Money, OfferKind, OfferQuery, SearchOptions, StatusKind,
    Vellosim, VeloConnect, search,
};
use futures::TryStreamExt;
use provider_core::Descriptor;
use provider_core::units::DataVolume;
use rust_decimal::Decimal;
use sandbox::{EXAMPLE_START, Sandbox, credentials};

/// Ten simulated hours: 400 MiB at the sandbox's 40 MiB an hour.
const TEN_HOURS: Duration = Duration::from_secs(10 * 3600);

fn base_url(sandbox: &Sandbox, provider: &Descriptor) -> String {
    format!("{}{}", sandbox.origin(), provider.sandbox_mount)
}

fn vellosim(sandbox: &Sandbox) -> Vellosim {
    let client = vellosim_client::Client::config(credentials::VELLOSIM_API_KEY)
        .base_url(base_url(sandbox, &vellosim_client::PROVIDER))
        .build()
        .unwrap();
    Vellosim::new(client)
}

/// The sandbox prices VeloConnect's plans in USD.
fn veloconnect(sandbox: &Sandbox) -> VeloConnect {
    let client = veloconnect_client::Client::config(credentials::VELOCONNECT_API_KEY)
        .base_url(base_url(sandbox, &veloconnect_client::PROVIDER))
        .build()
        .unwrap();
    VeloConnect::new(client, Currency::USD)
}

fn usd(cents: i64) -> Money {
    Money {
        amount: Decimal::new(cents, 2),
        currency: Currency::USD,
    }
}

fn in_country(code: &str) -> OfferQuery {
    OfferQuery {
        country: code.parse().ok(),
        ..OfferQuery::default()
    }
}

fn used(usage: &esim_market::Usage) -> DataVolume {
    usage.used.expect("the sandbox reports used data")
}

fn total(usage: &esim_market::Usage) -> DataVolume {
    match &usage.total {
        Some(Allowance::Limited(volume)) => *volume,
        other => panic!("the sandbox's allowances are limited: {other:?}"),
    }
}

/// Offers for Germany and none for Antarctica, checked the same way for every provider.
async fn offers_for_germany_only(provider: &dyn EsimProvider) -> Vec<esim_market::Offer> {
    let germany = "DE".parse().unwrap();
    let offers: Vec<_> = provider.offers(&in_country("DE")).try_collect().await.unwrap();
    assert!(!offers.is_empty(), "{}: no offer for DE", provider.name());
    for offer in &offers {
        assert!(offer.coverage.contains(&germany), "{offer:?}");
        assert_eq!((offer.provider, offer.kind), (provider.name(), OfferKind::Base));
    }
    let antarctica: Vec<_> = provider.offers(&in_country("AQ")).try_collect().await.unwrap();
    assert!(antarctica.is_empty(), "{}: {antarctica:?}", provider.name());
    offers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vellosim_from_offers_to_top_up() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let vellosim = vellosim(&sandbox);

    let offers = offers_for_germany_only(&vellosim).await;
    // Germany's own packages and the European region's.
    let local = offers.iter().find(|o| o.id == "DE_1GB_7D").expect("a local package");
    assert_eq!(local.data, Allowance::Limited(DataVolume::from_megabytes(1024)));
    assert_eq!(local.validity_days, 7);
    assert_eq!(local.price, usd(450));
    assert!(offers.iter().any(|o| o.id.starts_with("EU_") && o.coverage.len() > 1));

    let bought = vellosim.buy("DE_1GB_7D", 1, "trip-1").await.unwrap();
    assert!(bought.order.starts_with("esim_"), "{bought:?}");
    assert_eq!(bought.price, Some(usd(450)));
    let [esim] = bought.esims.as_slice() else {
        panic!("one eSIM: {bought:?}")
    };
    let code = esim.activation.as_ref().expect("an activation code");
    assert_eq!(ActivationCode::parse(&code.lpa).as_ref(), Some(code));

    let found = vellosim.esim(&esim.iccid).await.unwrap();
    assert_eq!(found.activation, esim.activation);
    assert_eq!(found.status.unwrap().kind, StatusKind::Active);

    let before = vellosim.usage(&esim.iccid).await.unwrap();
    sandbox.skip(TEN_HOURS);
    let after = vellosim.usage(&esim.iccid).await.unwrap();
    assert!(used(&after) > used(&before), "{before:?} → {after:?}");
    assert!(after.remaining < before.remaining);
    assert_eq!(after.status.kind, StatusKind::Active);

    let topups = vellosim.topups(&esim.iccid).await.unwrap();
    assert!(topups.iter().all(|o| o.kind == OfferKind::TopUp), "{topups:?}");
    let topup = topups
        .iter()
        .find(|o| o.id == "TOPUP_DE_1GB_7D")
        .expect("a 1 GB top-up");
    let receipt = vellosim.top_up(&esim.iccid, &topup.id, "trip-1-more").await.unwrap();
    assert_eq!(receipt.esims[0].iccid, esim.iccid);
    let topped_up = vellosim.usage(&esim.iccid).await.unwrap();
    assert_eq!(total(&topped_up).bytes(), total(&after).bytes() * 2);

    let rates = vellosim.exchange_rates().await.unwrap();
    let [rate] = rates.as_slice() else { panic!("{rates:?}") };
    assert_eq!((rate.from.as_str(), rate.to.as_str()), ("USD", "NGN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veloconnect_from_offers_to_top_up() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let veloconnect = veloconnect(&sandbox);

    let offers = offers_for_germany_only(&veloconnect).await;
    // Germany's plans (area 1) and the Europe+ bundle's (area 151).
    let local = offers.iter().find(|o| o.id == "101").expect("Germany's 1 GB plan");
    assert_eq!(local.data, Allowance::Limited(DataVolume::from_bytes(1_000_000_000)));
    assert_eq!(local.validity_days, 7);
    assert!(offers.iter().any(|o| o.id.starts_with("151") && o.coverage.len() > 1));

    let bought = veloconnect.buy("101", 1, "trip-2").await.unwrap();
    let [esim] = bought.esims.as_slice() else {
        panic!("one eSIM: {bought:?}")
    };
    assert_eq!(bought.order, esim.iccid);
    let code = esim.activation.as_ref().expect("an activation code");
    assert_eq!(ActivationCode::parse(&code.lpa).as_ref(), Some(code));

    let before = veloconnect.usage(&esim.iccid).await.unwrap();
    sandbox.skip(TEN_HOURS);
    let after = veloconnect.usage(&esim.iccid).await.unwrap();
    assert!(used(&after) > used(&before), "{before:?} → {after:?}");
    assert_eq!(after.status.kind, StatusKind::Active);

    let topups = veloconnect.topups(&esim.iccid).await.unwrap();
    assert!(!topups.is_empty());
    assert!(topups.iter().all(|o| o.kind == OfferKind::TopUp), "{topups:?}");
    let receipt = veloconnect
        .top_up(&esim.iccid, &topups[0].id, "trip-2-more")
        .await
        .unwrap();
    assert_ne!(receipt.order, esim.iccid, "a top-up is named by its assigned plan");
    let topped_up = veloconnect.usage(&esim.iccid).await.unwrap();
    let Allowance::Limited(added) = topups[0].data else {
        panic!("{:?}", topups[0])
    };
    assert_eq!(total(&topped_up).bytes(), total(&after).bytes() + added.bytes());
    assert!(topped_up.remaining > after.remaining);

    let unsupported = veloconnect.exchange_rates().await.unwrap_err();
    assert!(matches!(unsupported, esim_market::MarketError::Unsupported { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_ranked_together_in_usd() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let (vellosim, veloconnect) = (vellosim(&sandbox), veloconnect(&sandbox));
    let providers: [&dyn EsimProvider; 2] = [&vellosim, &veloconnect];
    let found = search(&providers, &in_country("JP"), &SearchOptions::default()).await;
    assert!(found.failures.is_empty(), "{:?}", found.failures);
    assert!(found.unconverted.is_empty());
    let names: std::collections::BTreeSet<_> = found.ranked.iter().map(|r| r.offer.provider).collect();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["vellosim", "veloconnect"]);
    assert!(found.rates.iter().any(|r| r.source == "vellosim"));
}
