//! A tour of the Vellosim client with no credentials: an in-process mock server answers
//! every operation with the examples documented in specs/vellosim.yaml, and the tour prints
//! what the typed client made of them.
//!
//! Run it with `cargo xtask tour` (which regenerates the clients first).

use futures::TryStreamExt;
use httpmock::MockServer;
use integration_tests::{component_response_example, response_example, spec};
use provider_clients::vellosim::{self, Client, Error, types};
use serde_json::Value;
use vellosim_client::mock::MockServerExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = spec("vellosim");
    let doc = |op: &str, name: &str| response_example(&spec, op, name);
    let server = MockServer::start_async().await;
    serve_documented_examples(&server, &doc);
    let client = Client::config("vls_test_tour").base_url(server.base_url()).build()?;
    println!("Vellosim client against a mock server at {}\n", server.base_url());

    let regions = client.get_regions().send().await.map_err(Error::from)?;
    println!("getRegions: {} regions", regions.len());
    for r in regions.iter() {
        println!(
            "  {:<7} {:<18} {:?}",
            r.region_code,
            r.region_name,
            r.region_type.as_ref().map(|t| t.as_str())
        );
    }

    let packages = client
        .get_packages()
        .region_code("US")
        .send()
        .await
        .map_err(Error::from)?;
    println!("\ngetPackages(regionCode=US): {} packages", packages.len());
    for p in packages.iter() {
        let volume = p.data_volume().map(|v| v.to_string()).unwrap_or_default();
        println!(
            "  {:<10} {:<26} {:>6} {:>8} {}",
            p.package_code,
            p.name.as_deref().unwrap_or(""),
            volume,
            p.price.unwrap_or_default(),
            p.currency_code.as_deref().unwrap_or("")
        );
    }

    let top_ups = client
        .get_packages()
        .region_code("US")
        .type_(types::PackageType::Topup)
        .package_code("CKH384")
        .send()
        .await
        .map_err(Error::from)?;
    println!(
        "\ngetPackages(type=TOPUP): {:?}",
        top_ups.iter().map(|p| p.package_code.as_str()).collect::<Vec<_>>()
    );

    let details = client
        .get_package_details()
        .package_code("US_5GB_30D")
        .send()
        .await
        .map_err(Error::from)?;
    println!(
        "\ngetPackageDetails(US_5GB_30D): {} at {} {}, networks {:?}",
        details.name.as_deref().unwrap_or(""),
        details.price.unwrap_or_default(),
        details.currency_code.as_deref().unwrap_or(""),
        details
            .location_network_list
            .iter()
            .flat_map(|l| l.operator_list.iter().filter_map(|o| o.operator_name.as_deref()))
            .collect::<Vec<_>>()
    );

    let request = types::PurchaseRequest::builder()
        .package_code("US_5GB_30D")
        .payment_method(types::PaymentMethod::Wallet)
        .package_type(types::PackageType::Base);
    let purchase = client.purchase_esim().body(request).send().await.map_err(Error::from)?;
    println!(
        "\npurchaseEsim: transaction {} is {:?} (sent once; purchases are never retried)",
        purchase.transaction_id,
        purchase.status.as_ref().map(|s| s.as_str())
    );

    let esim = client
        .get_esim()
        .esim_id(&purchase.transaction_id)
        .send()
        .await
        .map_err(Error::from)?;
    println!(
        "\ngetEsim({}): ICCID {} status {:?}, {} of {} left, install with {}",
        purchase.transaction_id,
        esim.iccid.as_deref().unwrap_or(""),
        esim.esim_status.as_ref().map(|s| s.as_str()),
        esim.data_remaining().unwrap_or_default(),
        esim.total_volume().unwrap_or_default(),
        esim.activation_code.as_deref().unwrap_or("")
    );

    println!("\ngetMyEsims, as one stream over every page:");
    let all: Vec<types::Esim> = vellosim::my_esims(&client, 10).try_collect().await?;
    for e in &all {
        println!(
            "  {:<32} {:<10} {}",
            e.id.as_deref().unwrap_or(""),
            e.esim_status.as_ref().map(|s| s.as_str()).unwrap_or(""),
            e.package_name.as_deref().unwrap_or("")
        );
    }

    let rate = client.get_exchange_rate().send().await.map_err(Error::from)?;
    println!(
        "\ngetExchangeRate: 1 {} = {} {}",
        rate.data.base_currency.as_deref().unwrap_or("?"),
        rate.data.rate,
        rate.data.currency.as_deref().unwrap_or("?")
    );

    let balance = client.get_wallet_balance().send().await.map_err(Error::from)?;
    println!(
        "\ngetWalletBalance: {} {}",
        balance.data.balance,
        balance.data.currency.as_deref().unwrap_or("")
    );

    let err = client
        .get_esim()
        .esim_id("no-such-esim")
        .send()
        .await
        .map_err(Error::from)
        .unwrap_err();
    let body = err.api_body();
    println!(
        "\ngetEsim(no-such-esim): {err}; code {:?}, message {:?}",
        body.and_then(|b| b.code()).map(|c| c.as_str()),
        body.and_then(|b| b.message())
    );
    Ok(())
}

fn serve_documented_examples(server: &MockServer, doc: &dyn Fn(&str, &str) -> Value) {
    server.get_regions(|_, then| {
        then.into_inner().status(200).json_body(doc("getRegions", ""));
    });
    server.get_packages(|when, then| {
        when.type_(&types::PackageType::Topup);
        then.into_inner().status(200).json_body(doc("getPackages", "topUpPage"));
    });
    server.get_packages(|when, then| {
        when.type_(None);
        then.into_inner().status(200).json_body(doc("getPackages", "guide"));
    });
    server.get_package_details(|_, then| {
        then.into_inner().status(200).json_body(doc("getPackageDetails", ""));
    });
    server.purchase_esim(|_, then| {
        then.into_inner().status(200).json_body(doc("purchaseEsim", "purchase"));
    });
    server.get_my_esims(|_, then| {
        let mut only_page = doc("getMyEsims", "");
        only_page["totalPages"] = 1.into();
        then.into_inner().status(200).json_body(only_page);
    });
    server.get_esim(|when, then| {
        when.esim_id("no-such-esim");
        let mut not_found = component_response_example(&spec("vellosim"), "Error", "documented");
        not_found["error"]["code"] = "ORDER_NOT_FOUND".into();
        not_found["error"]["message"] = "Order ID doesn't exist".into();
        not_found["statusCode"] = 404.into();
        then.into_inner().status(404).json_body(not_found);
    });
    server.get_esim(|_, then| {
        then.into_inner().status(200).json_body(doc("getEsim", ""));
    });
    server.get_exchange_rate(|_, then| {
        then.into_inner().status(200).json_body(doc("getExchangeRate", ""));
    });
    server.get_wallet_balance(|_, then| {
        then.into_inner().status(200).json_body(doc("getWalletBalance", ""));
    });
}
