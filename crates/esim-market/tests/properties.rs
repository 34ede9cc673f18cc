//! Properties of the conversions every adapter and the search rely on: data volumes read
//! exactly as written, prices convert through a rate and back, and a search places every
//! offer exactly once, in order, converting only where a provider's rate allows.

use esim_market::search::convert;
use esim_market::{
    Allowance, Currency, EsimProvider, ExchangeRate, MarketError, Money, Offer, OfferKind, OfferQuery, Purchase, Rank,
    SearchOptions, Usage, search,
};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use proptest::prelude::*;
use provider_core::units::DataVolume;
use rust_decimal::Decimal;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

proptest! {
    #[test]
    fn volumes_read_exactly_as_written(mb in 0u64..10_000_000, gb in 0u64..10_000, tenth in 0u64..10) {
        prop_assert_eq!(format!("{mb}MB").parse::<DataVolume>(), Ok(DataVolume::from_megabytes(mb)));
        prop_assert_eq!(format!("{gb} gb").parse::<DataVolume>(), Ok(DataVolume::from_bytes(gb * GIB)));
        // Tenths of a GB, rounded to the nearest byte once (not GB/10 rounded, times ten).
        let tenths = u128::from(gb * 10 + tenth) * u128::from(GIB);
        prop_assert_eq!(
            format!("{gb}.{tenth}GB").parse::<DataVolume>(),
            Ok(DataVolume::from_bytes(((tenths + 5) / 10) as u64))
        );
    }

    #[test]
    fn a_volume_prints_as_it_parses(mb in 1u64..1024, gb in 1u64..100_000) {
        let small = DataVolume::from_megabytes(mb);
        prop_assert_eq!(small.to_string().parse::<DataVolume>(), Ok(small));
        let large = DataVolume::from_bytes(gb * GIB);
        prop_assert_eq!(large.to_string().parse::<DataVolume>(), Ok(large));
        prop_assert_eq!(small.megabytes(), mb);
        prop_assert_eq!(DataVolume::from_megabytes(mb).bytes(), mb * MIB);
    }

    #[test]
    fn a_price_converts_through_a_rate_and_back(cents in 1i64..100_000_000, rate_millis in 1i64..10_000_000) {
        let usd = Money { amount: Decimal::new(cents, 2), currency: Currency::USD };
        let ngn: Currency = "NGN".parse().unwrap();
        let rates = [ExchangeRate { from: Currency::USD, to: ngn, rate: Decimal::new(rate_millis, 3), source: "vellosim" }];
        let (there, by) = convert(usd, ngn, "airalo", &rates).unwrap();
        prop_assert_eq!(there.currency, ngn);
        prop_assert_eq!(there.amount, usd.amount * rates[0].rate);
        prop_assert_eq!(by.as_ref(), Some(&rates[0]));
        // Back through the same rate, read the other way.
        let (back, _) = convert(there, Currency::USD, "vellosim", &rates).unwrap();
        prop_assert_eq!(back.amount.round_dp(10), usd.amount);
        // Same currency: as is, no rate; no rate between two: no conversion at all.
        prop_assert_eq!(convert(usd, Currency::USD, "airalo", &[]), Some((usd, None)));
        prop_assert_eq!(convert(usd, "EUR".parse().unwrap(), "airalo", &rates), None);
    }

    #[test]
    fn a_search_places_every_offer_once_in_order(
        offers in prop::collection::vec((0usize..3, 1i64..100_000, prop::option::of(1u64..100_000), 1u32..60), 0..40),
        by_price in any::<bool>(),
    ) {
        let currencies = ["USD", "NGN", "EUR"];
        let offers: Vec<Offer> = offers
            .into_iter()
            .enumerate()
            .map(|(i, (currency, cents, mb, days))| offer(i, currencies[currency], cents, mb, days))
            .collect();
        // One provider gives USD → NGN; nobody converts EUR.
        let shop = Shop { offers: offers.clone() };
        let options = SearchOptions { rank: if by_price { Rank::Price } else { Rank::PricePerGb }, ..SearchOptions::default() };
        let found = futures::executor::block_on(search(&[&shop], &OfferQuery::default(), &options));

        prop_assert_eq!(found.ranked.len() + found.unconverted.len(), offers.len());
        prop_assert!(found.unconverted.iter().all(|o| o.price.currency.as_str() == "EUR"));
        prop_assert!(found.ranked.iter().all(|r| r.offer.price.currency.as_str() != "EUR"));
        for pair in found.ranked.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if by_price {
                prop_assert!(a.price.amount <= b.price.amount);
            } else {
                match (a.price_per_gb, b.price_per_gb) {
                    (Some(x), Some(y)) => prop_assert!(x.amount <= y.amount),
                    (None, Some(_)) => prop_assert!(false, "unlimited ranked before a per-GB price"),
                    (_, None) => {}
                }
            }
        }
        for ranked in &found.ranked {
            prop_assert_eq!(ranked.price.currency, Currency::USD);
            prop_assert_eq!(ranked.price_per_gb, per_gb(ranked.price, &ranked.offer.data));
        }
    }
}

fn per_gb(price: Money, data: &Allowance) -> Option<Money> {
    let offer = Offer {
        price,
        data: data.clone(),
        ..offer(0, "USD", 1, None, 1)
    };
    offer.price_per_gb()
}

fn offer(i: usize, currency: &str, cents: i64, mb: Option<u64>, days: u32) -> Offer {
    Offer {
        provider: "shop",
        id: format!("offer-{i}"),
        title: String::new(),
        coverage: Vec::new(),
        data: match mb {
            Some(mb) => Allowance::Limited(DataVolume::from_megabytes(mb)),
            None => Allowance::Unlimited { fair_usage: None },
        },
        validity_days: days,
        voice_minutes: None,
        sms: None,
        price: Money {
            amount: Decimal::new(cents, 2),
            currency: currency.parse().unwrap(),
        },
        retail_price: None,
        kind: OfferKind::Base,
        operators: Vec::new(),
    }
}

/// An in-memory provider: its offers and one rate, USD → NGN.
struct Shop {
    offers: Vec<Offer>,
}

impl EsimProvider for Shop {
    fn name(&self) -> &'static str {
        "shop"
    }

    fn offers<'a>(&'a self, _query: &'a OfferQuery) -> BoxStream<'a, Result<Offer, MarketError>> {
        Box::pin(futures::stream::iter(self.offers.clone().into_iter().map(Ok)))
    }

    fn buy<'a>(&'a self, _: &'a str, _: u32, _: &'a str) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        unsupported("buy")
    }

    fn esim<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<esim_market::Esim, MarketError>> {
        unsupported("esim")
    }

    fn usage<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Usage, MarketError>> {
        unsupported("usage")
    }

    fn topups<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Vec<Offer>, MarketError>> {
        unsupported("topups")
    }

    fn top_up<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Purchase, MarketError>> {
        unsupported("top_up")
    }

    fn exchange_rates(&self) -> BoxFuture<'_, Result<Vec<ExchangeRate>, MarketError>> {
        Box::pin(async {
            Ok(vec![ExchangeRate {
                from: Currency::USD,
                to: "NGN".parse().unwrap(),
                rate: Decimal::new(1600, 0),
                source: "shop",
            }])
        })
    }
}

fn unsupported<T: Send + 'static>(operation: &'static str) -> BoxFuture<'static, Result<T, MarketError>> {
    Box::pin(async move {
        Err(MarketError::Unsupported {
            provider: "shop",
            operation,
        })
    })
}
