//! The VeloConnect SMS platform end to end against the sandbox over HTTP, through the client:
//! send, delivery report to `callback_url`, status, balance debited per part, OTP verified
//! once, the client-side checks, and refusals in a 200 body surfacing as errors.

use std::time::Duration;

use rust_decimal::Decimal;
use sandbox::{EXAMPLE_START, Provider, Sandbox, credentials};
use veloconnect_sms_client::{Client, Error, InvalidSms, checked, types, webhooks};

async fn started() -> (Sandbox, Client) {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let client = Client::config(
        credentials::VELOCONNECT_SMS_API_ID,
        credentials::VELOCONNECT_SMS_API_PASSWORD,
    )
    .base_url(sandbox.base_url(Provider::VeloConnectSms))
    .build()
    .unwrap();
    (sandbox, client)
}

fn sms(numbers: &str, text: &str) -> types::builder::SendSmsRequest {
    types::SendSmsRequest::builder()
        .sms_type(types::SmsType::T)
        .encoding(types::Encoding::T)
        .sender_id("VELOSMS")
        .phonenumber(numbers)
        .textmessage(Some(text.to_owned()))
}

async fn balance(client: &Client) -> Decimal {
    client.check_balance().send().await.unwrap().balance_amount.unwrap()
}

/// A receiver for delivery reports: the raw bodies it was sent.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/dlr/{token}",
        axum::routing::post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                tx.send(body.to_vec()).unwrap();
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/dlr/secret-token", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

#[tokio::test]
async fn send_report_status_and_balance() {
    let (sandbox, client) = started().await;
    let (callback, mut reports) = receiver().await;
    let before = balance(&client).await;

    // 161 GSM-7 characters: two parts of 153.
    let text = "a".repeat(161);
    let request = checked(
        sms("919622333345", &text)
            .uid(Some("order-7".to_owned()))
            .callback_url(Some(callback)),
    )
    .unwrap();
    let sent = client.send_sms().body(request).send().await.unwrap().into_inner();
    assert_eq!(sent.status, types::Status::S);
    assert_eq!(sent.uid.as_deref(), Some("order-7"));
    let id = sent.message_id.expect("a message id");
    let cost = Decimal::new(2 * 200, 4);
    assert_eq!(balance(&client).await, before - cost, "two parts debited");

    let pending = client
        .get_delivery_status()
        .body_map(|b| b.message_id(Some(id)))
        .send()
        .await
        .unwrap();
    assert_eq!(pending.dlr_status, Some(types::DlrStatus::Pending));
    assert_eq!(pending.message_parts, Some(2));
    assert!(reports.try_recv().is_err(), "no report before the simulated delivery");

    sandbox.skip(Duration::from_secs(11));
    let body = tokio::time::timeout(Duration::from_secs(10), reports.recv())
        .await
        .unwrap()
        .unwrap();
    let report = webhooks::parse(&body).unwrap();
    assert!(report.delivered());
    assert_eq!((report.message_id, report.uid.as_deref()), (Some(id), Some("order-7")));
    assert_eq!(report.client_cost, Some(cost));

    let by_uid = client
        .get_delivery_status()
        .body_map(|b| b.uid(Some("order-7".to_owned())))
        .send()
        .await
        .unwrap();
    assert_eq!(by_uid.dlr_status, Some(types::DlrStatus::Delivered));

    // UCS-2: 71 characters are two parts of 67, to each of two numbers.
    let before = balance(&client).await;
    let unicode = checked(sms("919622333346,919622333347", &"é".repeat(71)).encoding(types::Encoding::U)).unwrap();
    let each = client.send_sms_multi().body(unicode).send().await.unwrap().into_inner();
    assert_eq!(each.len(), 2);
    assert!(each.iter().all(|s| s.status == types::Status::S));
    assert_eq!(balance(&client).await, before - Decimal::new(4 * 200, 4));
}

#[tokio::test]
async fn one_time_codes_verify_once() {
    let (sandbox, client) = started().await;
    let sent = client
        .verify()
        .body_map(|b| b.brand("Velo Shop").phonenumber("919622333345").sender_id("VELOSMS"))
        .send()
        .await
        .unwrap();
    let id = sent.verfication_id.unwrap();
    let outbox = sandbox.sms_outbox();
    let text = &outbox.last().unwrap().text;
    let code = text.rsplit(' ').next().unwrap().to_owned();
    assert!(text.contains("Velo Shop"));

    let check = |code: String| {
        client
            .verify_status()
            .body_map(move |b| b.verfication_id(id).verfication_code(code))
            .send()
    };
    let wrong = check("0000x".into()).await.unwrap();
    assert!(!wrong.verified(), "a wrong code is an answer, not an error");
    assert!(check(code.clone()).await.unwrap().verified());
    let again = check(code).await.unwrap();
    assert!(!again.verified());
    assert_eq!(again.remarks.as_deref(), Some("Code already used"));
}

#[tokio::test]
async fn refusals_in_a_200_body_are_errors_with_the_remarks() {
    let (sandbox, client) = started().await;
    sandbox.set_sms_ip_whitelisted(false);
    let err = Error::from(client.check_balance().send().await.unwrap_err());
    match &err {
        Error::Api { status, body, .. } => {
            assert_eq!(status.as_u16(), 200, "the status the platform sent");
            assert_eq!(body.status, types::Status::F);
            assert_eq!(body.reason(), "IP not Whitelisted");
        }
        other => panic!("expected the refusal, got {other:?}"),
    }
    // A list answer: the refusal is its one item.
    let multi = client
        .send_sms_multi()
        .body(checked(sms("919622333345", "hi")).unwrap())
        .send()
        .await;
    assert_eq!(
        Error::from(multi.unwrap_err()).api_body().unwrap().reason(),
        "IP not Whitelisted"
    );
    sandbox.set_sms_ip_whitelisted(true);

    let pending_sender = checked(sms("919622333345", "hi").sender_id("VELOTEST")).unwrap();
    let err = Error::from(client.send_sms().body(pending_sender).send().await.unwrap_err());
    assert_eq!(err.api_body().unwrap().reason(), "Sender ID VELOTEST is Pending");

    let stranger = Client::config("API0", "nope")
        .base_url(sandbox.base_url(Provider::VeloConnectSms))
        .build()
        .unwrap();
    let err = Error::from(stranger.get_sender_id_list().send().await.unwrap_err());
    assert_eq!(err.api_body().unwrap().reason(), "Invalid API credentials");
    let ids = client.get_sender_id_list().send().await.unwrap().into_inner();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn checks_refuse_before_sending() {
    let (sandbox, client) = started().await;
    assert_eq!(
        veloconnect_sms_client::recipients("+919622333345"),
        Err(InvalidSms::PlusSign("+919622333345".into()))
    );
    assert_eq!(veloconnect_sms_client::recipients("1, 2"), Err(InvalidSms::SpaceInList));
    // The generated builder checks the spec's pattern too: the call fails unsent.
    let err = Error::from(
        client
            .send_sms()
            .body(sms("+919622333345", "hi"))
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let no_text = types::SendSmsRequest::builder()
        .sms_type(types::SmsType::T)
        .encoding(types::Encoding::T)
        .sender_id("VELOSMS")
        .phonenumber("919622333345");
    assert_eq!(checked(no_text).unwrap_err(), InvalidSms::NoTextOrTemplate);
    assert!(sandbox.sms_outbox().is_empty());
    assert_eq!(
        sandbox.stats().count("/api/SendSMS").0,
        0,
        "nothing reached the sandbox"
    );
}
