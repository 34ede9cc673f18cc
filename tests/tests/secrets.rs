//! Credentials never reach logs, `Debug` output or error messages, even at TRACE level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use vellosim_client::mock::MockServerExt;

const VELLOSIM_KEY: &str = "vls_live_7f3a9c1e5b2d8f4a";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn vellosim_key_stays_out_of_traces_debug_and_errors() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    server.get_wallet_balance(|_, then| {
        then.into_inner().status(401).json_body(serde_json::json!({
            "success": false, "error": {"code": "UNAUTHORIZED", "message": "Invalid or missing API key"}, "statusCode": 401
        }));
    });
    server.get_regions(|_, then| {
        then.into_inner().status(200).body("not json");
    });
    let config = vellosim_client::Client::config(VELLOSIM_KEY).base_url(server.base_url());
    let client = config.clone().build().unwrap();
    let mut shown = vec![format!("{config:?}"), format!("{client:?}"), format!("{config:#?}")];
    for err in [
        client.get_wallet_balance().send().await.map(drop).unwrap_err(),
        client.get_regions().send().await.map(drop).unwrap_err(),
    ] {
        let err = vellosim_client::Error::from(err);
        shown.push(format!("{err}"));
        shown.push(format!("{err:?}"));
    }
    // A transport failure (nothing listens on port 9) carries the URL, never the key.
    let unreachable = vellosim_client::Client::config(VELLOSIM_KEY)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = vellosim_client::Error::from(unreachable.get_regions().send().await.unwrap_err());
    shown.push(format!("{err} {err:?}"));

    let traces = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(traces.contains("provider_call"), "TRACE output was captured: {traces}");
    shown.push(traces);
    for text in shown {
        assert!(
            !text.contains(VELLOSIM_KEY) && !text.contains("7f3a9c1e5b2d8f4a"),
            "secret leaked in:\n{text}"
        );
    }
}
