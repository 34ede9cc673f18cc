//! A tour of the clients with no credentials: an in-process mock server per provider
//! answers with the examples documented in its spec, and the tour prints what the typed
//! clients made of them.
//!
//! Run it with `cargo xtask tour` (which regenerates the clients first).

use futures::TryStreamExt;
use httpmock::MockServer;
use integration_tests::{component_response_example, response_example, spec};
use provider_clients::vellosim::{self, Client, Error, types};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    vellosim_tour().await?;
    println!("\n{}\n", "-".repeat(72));
    airalo_tour().await
}

async fn vellosim_tour() -> Result<(), Box<dyn std::error::Error>> {
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
    use vellosim_client::mock::MockServerExt as _;
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

async fn airalo_tour() -> Result<(), Box<dyn std::error::Error>> {
    use airalo_client::mock::MockServerExt as _;
    use provider_clients::airalo::{self as airalo, PackageQuery};

    let spec = spec("airalo");
    let doc = |op: &str, name: &str| response_example(&spec, op, name);
    let server = MockServer::start_async().await;
    server.request_access_token(|_, then| {
        then.into_inner().status(200).json_body(doc("requestAccessToken", ""));
    });
    server.get_packages(|_, then| {
        // The documented page claims more pages; this mock serves the one it has.
        let mut only_page = doc("getPackages", "listPackages");
        only_page["meta"]["last_page"] = 1.into();
        then.into_inner().status(200).json_body(only_page);
    });
    server.submit_order(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("submitOrder", "submitOrder"));
    });
    server.get_installation_instructions(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getInstallationInstructions", ""));
    });
    server.get_usage(|_, then| {
        then.into_inner().status(200).json_body(doc("getUsage", "usage"));
    });
    server.get_topup_packages(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(doc("getTopupPackages", "available"));
    });
    server.submit_topup_order(|_, then| {
        then.into_inner()
            .status(422)
            .json_body(component_response_example(&spec, "Error", "recycledSim"));
    });
    let client = airalo::Client::config("tour-client-id", "tour-client-secret")
        .base_url(server.base_url())
        .build()?;
    println!("Airalo client against a mock server at {}\n", server.base_url());

    println!("getPackages, flattened (the client fetched its bearer token first, once):");
    let packages: Vec<airalo::FlatPackage> = airalo::flat_packages(&client, PackageQuery::default(), 50, true)
        .try_collect()
        .await?;
    for p in packages.iter().take(6) {
        let volume = p
            .package
            .data_volume()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "unlimited".into());
        println!(
            "  {:<28} {:<10} {:<18} {:>9} {:>6} USD",
            p.package.id,
            p.slug,
            p.operator_title,
            volume,
            p.package.price.unwrap_or_default()
        );
    }

    let package_id = packages.first().map(|p| p.package.id.clone()).unwrap_or_default();
    let order = airalo::types::OrderRequest::builder()
        .package_id(package_id)
        .quantity(1)
        .description(Some("tour".to_owned()));
    let order = client
        .submit_order()
        .body(order)
        .send()
        .await
        .map_err(airalo::Error::from)?
        .into_inner()
        .data;
    let sim = order.sims.first();
    let iccid = sim.and_then(|s| s.iccid.clone()).unwrap_or_default();
    println!(
        "\nsubmitOrder: order {} ({}), ICCID {iccid}, QR {}",
        order.code.as_deref().unwrap_or(""),
        order.package.as_deref().unwrap_or(""),
        sim.and_then(|s| s.qrcode.as_deref()).unwrap_or("")
    );

    let instructions = client
        .get_installation_instructions()
        .sim_iccid(&iccid)
        .accept_language("en")
        .send()
        .await
        .map_err(airalo::Error::from)?;
    let ios = instructions
        .data
        .instructions
        .as_ref()
        .map(|i| i.ios.len())
        .unwrap_or_default();
    println!("getInstallationInstructions: {ios} iOS variants");

    let usage = client
        .get_usage()
        .sim_iccid(&iccid)
        .send()
        .await
        .map_err(airalo::Error::from)?
        .into_inner()
        .data;
    println!(
        "getUsage: {:?}, {} of {} MB left",
        usage.status.as_ref().map(|s| s.as_str()),
        usage.remaining.unwrap_or_default(),
        usage.total.unwrap_or_default()
    );

    let topups = client
        .get_topup_packages()
        .iccid(&iccid)
        .send()
        .await
        .map_err(airalo::Error::from)?
        .into_inner();
    println!(
        "getTopupPackages: {:?}",
        topups.data.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()
    );

    let topup = airalo::types::TopupOrderRequest::builder()
        .package_id(topups.data.first().map(|t| t.id.clone()).unwrap_or_default())
        .iccid(iccid.clone());
    let err = client
        .submit_topup_order()
        .body(topup)
        .send()
        .await
        .map_err(airalo::Error::from)
        .unwrap_err();
    let body = err.api_body();
    println!(
        "submitTopupOrder: {err}: {:?} {:?} (sent once: top-ups are never retried)",
        body.and_then(|b| b.business_code()),
        body.and_then(|b| b.message())
    );

    let webhook = br#"{"level":"90%","package_name":"change-7days-1gb","remaining_percentage":10,"iccid":"8944"}"#;
    let signature = airalo_client::signature::sign(webhook, "tour-client-secret");
    let notification = airalo_client::webhooks::receive(webhook, Some(&signature), "tour-client-secret")?;
    println!("\nwebhook with a valid airalo-signature: {notification:?}");
    let forged = airalo_client::webhooks::receive(webhook, Some(&signature), "someone-else");
    println!("the same webhook checked with another secret: {}", forged.unwrap_err());
    Ok(())
}
