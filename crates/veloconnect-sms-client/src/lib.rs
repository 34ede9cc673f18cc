//! Typed client for the VeloConnect SMS platform: SMS and their delivery status, sender ids,
//! contact lists, Verify (one-time codes) and the account balance.
//!
//! The operations, types and httpmock helpers are generated from `specs/veloconnect-sms.yaml`
//! by `cargo xtask regen`; this file and its siblings hold the hand-written rest. The spec
//! says, per operation, how strong the public evidence for it is (`x-source-note`).
//!
//! The platform answers refusals with HTTP 200 and `status: F`; the client returns those as
//! [`Error::Api`](provider_core::Error::Api) carrying the platform's `remarks`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use veloconnect_sms_client::{Client, types};
//! let client = Client::config("API43404236", "password@123").build()?;
//! let sms = types::SendSmsRequest::builder()
//!     .sms_type(types::SmsType::T)
//!     .encoding(types::Encoding::T)
//!     .sender_id("VELOSMS")
//!     .phonenumber("919622333345")
//!     .textmessage("Your order has shipped.".to_owned());
//! let sent = client.send_sms().body(veloconnect_sms_client::checked(sms)?).send().await?;
//! println!("message {:?}", sent.message_id);
//! # Ok(()) }
//! ```

extern crate self as veloconnect_sms_client;

// Generated from the spec; rustfmt leaves them as `cargo xtask regen` wrote them.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
mod generated;
pub use generated::*;

/// Matchers and responders for every operation, generated from the spec.
#[cfg(feature = "httpmock")]
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_imports)]
#[path = "generated_httpmock.rs"]
pub mod mock;

mod checks;
pub mod webhooks;

pub use checks::{InvalidSms, checked, recipients};
use provider_core::TokenProvider;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy};

/// Every failure of a call; a refusal (`status: F`, HTTP 200 or not) is `Error::Api` with
/// the platform's `Failure` body.
pub type Error = provider_core::Error<types::Failure>;

impl Client {
    /// A client on Fortis' host (`servers::PRODUCTION`, api.fortis-te.com) with the API ID
    /// and password from the sign-up e-mail. They travel as `api_id` / `api_password` in
    /// each JSON body, never in a URL, and never appear in `Debug` or errors.
    /// `servers::VELOCONNECT` or any other base URL: `.base_url(..)` on the returned config.
    pub fn config(api_id: impl Into<String>, api_password: impl Into<String>) -> ClientConfig<Client> {
        let credential =
            provider_core::Credential::body_fields([("api_id", api_id.into()), ("api_password", api_password.into())]);
        ClientConfig::new(servers::PRODUCTION).credential(credential)
    }
}

/// `VELOCONNECT_SMS_API_ID` and `VELOCONNECT_SMS_API_PASSWORD`, in that order.
impl provider_core::Connect for Client {
    fn connect(
        base_url: &str,
        values: Vec<String>,
        _keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Client> {
        let [id, password]: [String; 2] = values.try_into().expect("two credential values: API id and password");
        Client::config(id, password).base_url(base_url)
    }
}

provider_core::connect_client!(Client);

impl types::Failure {
    /// The platform's reason: `remarks`, or `message` where an answer sends that instead.
    pub fn reason(&self) -> &str {
        self.remarks.as_deref().or(self.message.as_deref()).unwrap_or_default()
    }
}

impl types::Outcome {
    /// VerifyStatus: `true` when the code was right (`status` V).
    pub fn verified(&self) -> bool {
        self.status == types::Status::V
    }
}
