//! `cargo xtask new-provider NAME --auth header|bearer|body-fields`: a working provider to
//! start from. It writes the provider's own files only (a minimal spec with one operation and
//! placeholders marked `PLACEHOLDER`, its client crate, its sandbox module, its tests and its
//! coverage entry) and marks the new `x-doc-url` pending in `specs/docs.lock`; `cargo xtask
//! regen` then registers it everywhere else (`registries.rs`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::docs_check;
use crate::spec::pascal_case;

const USAGE: &str = "usage: cargo xtask new-provider NAME --auth header|bearer|body-fields";

/// How the scaffolded client authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Auth {
    /// An API key in a header (`X-API-Key`).
    Header,
    /// A client id and secret exchanged for a bearer token (`POST /token`).
    Bearer,
    /// An API id and password in every JSON body (`x-body-credential`).
    BodyFields,
}

pub fn new_provider(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let (name, auth) = match args {
        [name, "--auth", auth] | ["--auth", auth, name] => (*name, *auth),
        _ => bail!(USAGE),
    };
    let auth = match auth {
        "header" => Auth::Header,
        "bearer" => Auth::Bearer,
        "body-fields" => Auth::BodyFields,
        other => bail!("--auth {other:?}: one of header, bearer, body-fields\n{USAGE}"),
    };
    let names = Names::checked(root, name)?;
    let files = files(&names, auth);
    for (path, _) in &files {
        if root.join(path).exists() {
            bail!(
                "{}: exists already; a new provider's files must all be new",
                path.display()
            );
        }
    }
    for (path, contents) in &files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("every scaffolded file is in a directory"))?;
        std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.strip_prefix(root).unwrap_or(&path).display());
    }
    // The templates are formatted for a short name; a long one moves line breaks.
    let rust: Vec<PathBuf> = files
        .iter()
        .map(|(path, _)| root.join(path))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let formatted = std::process::Command::new("rustfmt")
        .args(["--edition", "2024"])
        .args(&rust)
        .status()
        .context("running rustfmt on the new files")?;
    if !formatted.success() {
        bail!("rustfmt failed on the new files");
    }
    let ledger = root.join("specs/coverage.toml");
    let mut text = std::fs::read_to_string(&ledger).context("reading specs/coverage.toml")?;
    text.push_str(&fill(COVERAGE, &names));
    if auth == Auth::Bearer {
        text.push_str(&fill(COVERAGE_TOKEN, &names));
    }
    std::fs::write(&ledger, text).context("writing specs/coverage.toml")?;
    println!("added [provider.{}] to specs/coverage.toml", names.name);
    let accept = docs_check::Options::parse(&["--offline", "--accept"]).map_err(anyhow::Error::msg)?;
    let verdict = docs_check::run(root, &accept, &mut std::io::sink())?;
    if verdict != docs_check::Verdict::Clean {
        bail!("`cargo xtask docs-check --offline --accept` did not settle specs/docs.lock ({verdict:?})");
    }
    println!("marked its pages pending in specs/docs.lock");
    println!(
        "\nnext: fill in specs/{name}.yaml (every PLACEHOLDER), then `cargo xtask regen`; serve the operations \
         in crates/sandbox/src/{module}.rs and test them in crates/{name}-client/tests/{module}.rs; review the new snapshots \
         with `INSTA_UPDATE=always cargo test --workspace` (CONTRIBUTING.md, \"Adding a provider\").",
        name = names.name,
        module = names.module
    );
    Ok(())
}

/// A provider's name in each of its spellings.
struct Names {
    /// `acme-mobile`: the spec, the CLI subcommand, the cargo feature.
    name: String,
    /// `acme_mobile`: the modules.
    module: String,
    /// `AcmeMobile`: the sandbox variant and any market adapter type.
    rust: String,
    /// `ACME_MOBILE`: the environment variables and the sandbox's credential constants.
    prefix: String,
}

/// Names the workspace already gives a module or subcommand of its own, beside the providers.
const TAKEN: &[&str] = &[
    // esim's own subcommands.
    "sandbox",
    "offers",
    "buy",
    "usage",
    "topups",
    "top-up",
    "help",
    // The facade's own modules and features.
    "bulk",
    "core",
    "paginate",
    "fleet",
    "market",
    "rustls",
    "rustls-ring",
    "default",
    // The sandbox's own modules.
    "admin",
    "catalogue",
    "cli",
    "clock",
    "http",
    "rate-limit",
    "stats",
    "tls",
    "tokens",
    "webhooks",
    "credentials",
    "velo-common",
    "airalo-shaped",
    "generated-providers",
    // The standard library's crates.
    "std",
    "alloc",
    "test",
];

impl Names {
    /// `name` if it can be a new provider: a crate-name-shaped word (lowercase ASCII letters,
    /// digits and single hyphens, starting with a letter) that no provider or workspace module
    /// has yet.
    fn checked(root: &Path, name: &str) -> anyhow::Result<Names> {
        let shaped = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.ends_with('-')
            && !name.contains("--");
        if !shaped {
            bail!(
                "{name:?} is not a valid provider name: use lowercase ASCII letters, digits and single hyphens, \
                 starting with a letter (it becomes the crate `{name}-client` and the module `{}`)",
                name.replace('-', "_")
            );
        }
        let module = name.replace('-', "_");
        if name.ends_with("-client") || TAKEN.contains(&name) || syn::parse_str::<syn::Ident>(&module).is_err() {
            bail!("{name:?} cannot be a provider name: it is taken by the workspace or by Rust");
        }
        // A module named like a crate the workspace builds would shadow that crate's paths.
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
        let shadowed = lock
            .lines()
            .filter_map(|line| line.strip_prefix("name = \""))
            .any(|krate| krate.trim_end_matches('"').replace('-', "_") == module);
        if shadowed {
            bail!("{name:?} cannot be a provider name: the module `{module}` would shadow the crate of that name");
        }
        if root.join(format!("specs/{name}.yaml")).exists() || root.join(format!("crates/{name}-client")).exists() {
            bail!("there is a provider named {name:?} already (specs/{name}.yaml or crates/{name}-client)");
        }
        Ok(Names {
            name: name.to_owned(),
            rust: pascal_case(name),
            prefix: module.to_uppercase(),
            module,
        })
    }
}

fn fill(template: &str, names: &Names) -> String {
    template
        .replace("__balance_get__\n", BALANCE_GET)
        .replace("__balance_responses__\n", BALANCE_RESPONSES)
        .replace("__name__", &names.name)
        .replace("__module__", &names.module)
        .replace("__Rust__", &names.rust)
        .replace("__PREFIX__", &names.prefix)
}

/// Every new file, relative to the workspace root.
fn files(names: &Names, auth: Auth) -> Vec<(PathBuf, String)> {
    let (spec, schemas, client, sandbox, tests) = match auth {
        Auth::Header => (SPEC_HEADER, "", CLIENT_HEADER, SANDBOX_HEADER, TESTS_HEADER),
        Auth::Bearer => (SPEC_BEARER, SCHEMAS_BEARER, CLIENT_BEARER, SANDBOX_BEARER, TESTS_BEARER),
        Auth::BodyFields => (
            SPEC_BODY_FIELDS,
            SCHEMAS_BODY_FIELDS,
            CLIENT_BODY_FIELDS,
            SANDBOX_BODY_FIELDS,
            TESTS_BODY_FIELDS,
        ),
    };
    let crate_dir = format!("crates/{}-client", names.name);
    [
        (
            format!("specs/{}.yaml", names.name),
            format!("{SPEC_HEAD}{spec}{SPEC_TAIL}{schemas}"),
        ),
        (format!("{crate_dir}/Cargo.toml"), CLIENT_MANIFEST.to_owned()),
        (format!("{crate_dir}/src/lib.rs"), format!("{CLIENT_HEAD}{client}")),
        (
            format!("crates/sandbox/src/{}.rs", names.module),
            format!("{SANDBOX_HEAD}{sandbox}{SANDBOX_TAIL}"),
        ),
        (
            format!("{crate_dir}/tests/{}.rs", names.module),
            format!("{TESTS_HEAD}{tests}"),
        ),
    ]
    .into_iter()
    .map(|(path, text)| (PathBuf::from(path), fill(&text, names)))
    .collect()
}

const SPEC_HEAD: &str = r##"# Scaffolded by `cargo xtask new-provider`. Replace every PLACEHOLDER with what the provider's
# documentation says (CONTRIBUTING.md, "Spec rules"), then `cargo xtask regen`.
openapi: 3.0.3
info:
  title: __Rust__ API
  version: "1"
  description: |
    PLACEHOLDER: hand-curated from __Rust__'s documentation; name its pages and what is left out.
  # The provider in Rust type names (sandbox::Provider::__Rust__); the default is the name in PascalCase.
  x-rust-name: __Rust__
servers:
  # PLACEHOLDER: the production host the documentation names.
  - url: https://api.__name__.example
    x-environment: production
tags:
  - name: account
    description: The account.
"##;

const SPEC_TAIL: &str = r##"  schemas:
    Balance:
      type: object
      required: [balance, currency]
      properties:
        balance:
          type: string
          description: 'PLACEHOLDER: the amount (prices are `format: decimal`, CONTRIBUTING.md).'
        currency:
          type: string
          description: ISO 4217 code.
    ErrorBody:
      type: object
      description: 'PLACEHOLDER: the provider''s documented error body.'
      properties:
        message:
          type: string
"##;

/// The scaffold's one operation, as every credential kind but body fields declares it.
const BALANCE_GET: &str = r##"  /balance:
    get:
      operationId: getBalance
      tags: [account]
      summary: The account balance.
      # PLACEHOLDER: the https:// page this operation was written from.
      x-doc-url: https://docs.__name__.example/PLACEHOLDER-get-balance
__balance_responses__
"##;

const BALANCE_RESPONSES: &str = r##"      responses:
        "200":
          description: The balance.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Balance"
              example: {balance: "100.00", currency: USD}
        "4XX":
          $ref: "#/components/responses/Error"
        "5XX":
          $ref: "#/components/responses/Error"
"##;

const SPEC_HEADER: &str = r##"security:
  - ApiKeyAuth: []
paths:
__balance_get__
components:
  securitySchemes:
    ApiKeyAuth:
      type: apiKey
      in: header
      name: X-API-Key
      description: 'PLACEHOLDER: where the key comes from.'
  responses:
    Error:
      description: The provider's error body.
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/ErrorBody"
"##;

const SPEC_BEARER: &str = r##"security:
  - BearerAuth: []
paths:
  /token:
    post:
      operationId: requestToken
      tags: [account]
      summary: A bearer token for the client id and secret.
      # PLACEHOLDER: the https:// page this operation was written from.
      x-doc-url: https://docs.__name__.example/PLACEHOLDER-request-token
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              $ref: "#/components/schemas/TokenRequest"
      responses:
        "200":
          description: The token and its lifetime in seconds.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Token"
              example: {access_token: example-token, expires_in: 3600}
        "4XX":
          $ref: "#/components/responses/Error"
        "5XX":
          $ref: "#/components/responses/Error"
__balance_get__
components:
  securitySchemes:
    BearerAuth:
      type: http
      scheme: bearer
      description: 'PLACEHOLDER: where the client id and secret come from.'
      x-token-operation: requestToken
      x-token-pointer: /access_token
  responses:
    Error:
      description: The provider's error body.
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/ErrorBody"
"##;

const SPEC_BODY_FIELDS: &str = r##"security: []
x-body-credential:
  fields: [api_id, api_password]
  note: 'PLACEHOLDER: where the API id and password come from.'
paths:
  /balance:
    post:
      operationId: getBalance
      tags: [account]
      summary: The account balance.
      # PLACEHOLDER: the https:// page this operation was written from.
      x-doc-url: https://docs.__name__.example/PLACEHOLDER-get-balance
      requestBody:
        description: Only the credentials, which the client adds to every JSON body.
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/Credentials"
            example: {api_id: example-id, api_password: example-password}
__balance_responses__
components:
  responses:
    Error:
      description: The provider's error body.
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/ErrorBody"
"##;

const SCHEMAS_BEARER: &str = r##"    TokenRequest:
      type: object
      required: [client_id, client_secret, grant_type]
      properties:
        client_id:
          type: string
        client_secret:
          type: string
        grant_type:
          type: string
          description: Always `client_credentials`.
    Token:
      type: object
      required: [access_token]
      properties:
        access_token:
          type: string
        expires_in:
          type: integer
          description: Seconds the token is valid for.
"##;

const SCHEMAS_BODY_FIELDS: &str = r##"    Credentials:
      type: object
      required: [api_id, api_password]
      properties:
        api_id:
          type: string
        api_password:
          type: string
"##;

const COVERAGE: &str = r##"
# Scaffolded by `cargo xtask new-provider`: list every operation the documentation names.
[provider.__name__]
docs = "https://docs.__name__.example"

[[provider.__name__.operation]]
name = "PLACEHOLDER: Get Balance, as the documentation names it"
operation_id = "getBalance"
"##;

const COVERAGE_TOKEN: &str = r##"
[[provider.__name__.operation]]
name = "PLACEHOLDER: Request Token, as the documentation names it"
operation_id = "requestToken"
"##;

const CLIENT_MANIFEST: &str = r##"[package]
name = "__name__-client"
version = "0.1.0"
description = "Typed client for the __Rust__ API, generated from specs/__name__.yaml."
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[features]
default = ["rustls"]
rustls = ["provider-core/rustls"]
# rustls on ring instead of aws-lc-rs: a lighter cold build (README, "TLS").
rustls-ring = ["provider-core/rustls-ring"]
# httpmock helpers generated from the same spec, for tests of services that use this client.
httpmock = ["dep:httpmock", "dep:regex"]
# `decode_component` (`PROVIDER.decode_component`): a decoder for every schema, for tools that
# check recorded payloads against the types. Off, a service does not compile it (most of
# this crate's own build).
decode-components = []

[dependencies]
provider-core.workspace = true
progenitor-client.workspace = true
reqwest.workspace = true
serde.workspace = true
serde_json.workspace = true
rust_decimal.workspace = true
httpmock = { workspace = true, optional = true }
regex = { workspace = true, optional = true }

[dev-dependencies]
# Its tests: the generated mocks and the sandbox's simulation (which depends on no client).
httpmock.workspace = true
sandbox.workspace = true
tokio = { workspace = true, features = ["rt-multi-thread"] }

[[test]]
name = "__module__"
required-features = ["httpmock"]
"##;

const CLIENT_HEAD: &str = r##"//! Typed client for the __Rust__ API.
//!
//! The operations, types and httpmock helpers are generated from `specs/__name__.yaml` by
//! `cargo xtask regen`; this file holds the hand-written rest.

extern crate self as __module___client;

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

use provider_core::TokenProvider;
pub use provider_core::{BuildError, ClientConfig, RetryPolicy};

/// Every failure of a call, with the provider's error body.
pub type Error = provider_core::Error<types::ErrorBody>;

"##;

const CLIENT_HEADER: &str = r##"impl Client {
    /// A client on the production host, authenticated by `X-API-Key`. Change anything else
    /// (base URL, timeouts, retries) on the returned config, then `build()`.
    pub fn config(api_key: impl Into<String>) -> ClientConfig<Client> {
        ClientConfig::new(servers::PRODUCTION).credential(provider_core::Credential::header("x-api-key", api_key))
    }
}

/// The key alone: `__PREFIX___API_KEY`.
impl provider_core::Connect for Client {
    fn connect(
        base_url: &str,
        values: Vec<String>,
        _keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Client> {
        let [key]: [String; 1] = values.try_into().expect("one credential value: the API key");
        Client::config(key).base_url(base_url)
    }
}

provider_core::connect_client!(Client);
"##;

const CLIENT_BEARER: &str = r##"/// The longest a token is kept, whatever its `expires_in` promises. PLACEHOLDER: what the
/// documentation advises.
pub const TOKEN_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

impl Client {
    /// A client on the production host that exchanges `client_id` and `client_secret` for a
    /// bearer token (`POST /token`) when first needed, and refreshes it before it expires or
    /// once when it is refused.
    pub fn config(client_id: impl Into<String>, client_secret: impl Into<String>) -> ClientConfig<Client> {
        Self::config_with_tokens(Self::token_provider(client_id, client_secret))
    }

    /// The token exchange on its own, to share tokens between processes with
    /// [`TokenProvider::with_store`] before handing it to [`Client::config_with_tokens`].
    pub fn token_provider(client_id: impl Into<String>, client_secret: impl Into<String>) -> TokenProvider {
        provider_core::client_credentials(&PROVIDER, client_id, client_secret.into(), TOKEN_MAX_AGE)
    }

    pub fn config_with_tokens(tokens: TokenProvider) -> ClientConfig<Client> {
        ClientConfig::new(servers::PRODUCTION).credential(provider_core::Credential::Bearer(tokens))
    }
}

/// The client id and secret, in that order; the token provider goes through `keep_tokens`.
impl provider_core::Connect for Client {
    fn connect(
        base_url: &str,
        values: Vec<String>,
        keep_tokens: &dyn Fn(TokenProvider) -> TokenProvider,
    ) -> ClientConfig<Client> {
        let [id, secret]: [String; 2] = values.try_into().expect("two credential values: client id and secret");
        Client::config_with_tokens(keep_tokens(Client::token_provider(id, secret))).base_url(base_url)
    }
}

provider_core::connect_client!(Client);
"##;

const CLIENT_BODY_FIELDS: &str = r##"impl Client {
    /// A client on the production host with the API id and password, which travel as
    /// `api_id` / `api_password` in each JSON body, never in a URL, `Debug` or errors.
    pub fn config(api_id: impl Into<String>, api_password: impl Into<String>) -> ClientConfig<Client> {
        let credential =
            provider_core::Credential::body_fields([("api_id", api_id.into()), ("api_password", api_password.into())]);
        ClientConfig::new(servers::PRODUCTION).credential(credential)
    }
}

/// `__PREFIX___API_ID` and `__PREFIX___API_PASSWORD`, in that order.
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
"##;

const SANDBOX_HEAD: &str = r##"//! __Rust__, simulated. PLACEHOLDER: what the simulation keeps (state, limits, webhooks) and
//! what it chose where the documentation is silent; `cargo xtask conformance` checks every
//! answer against specs/__name__.yaml.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::{Shared, http};
"##;

/// What every credential kind's balance answers.
const SANDBOX_TAIL: &str = r##"
fn opening_balance(shared: &Shared) -> serde_json::Value {
    json!({"balance": format!("{:.2}", shared.config.opening_balance), "currency": "USD"})
}
"##;

const SANDBOX_HEADER: &str = r##"use credentials::__PREFIX___API_KEY;

pub mod credentials {
    /// __Rust__ `X-API-Key`.
    pub const __PREFIX___API_KEY: &str = "sandbox-__name__-key";
}

/// `__PREFIX___API_KEY`.
pub(crate) const CREDENTIAL: &[&str] = &[__PREFIX___API_KEY];

pub(crate) fn announced_credential() -> String {
    format!("X-API-Key: {__PREFIX___API_KEY}")
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/balance", axum::routing::get(balance))
        .with_state(shared)
}

async fn balance(State(shared): State<Arc<Shared>>, headers: axum::http::HeaderMap) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(__PREFIX___API_KEY) {
        return http::json(StatusCode::UNAUTHORIZED, json!({"message": "invalid API key"}));
    }
    http::json(StatusCode::OK, opening_balance(&shared))
}
"##;

const SANDBOX_BEARER: &str = r##"use credentials::{__PREFIX___CLIENT_ID, __PREFIX___CLIENT_SECRET};

pub mod credentials {
    /// __Rust__ `client_id`.
    pub const __PREFIX___CLIENT_ID: &str = "sandbox-__name__-id";
    /// __Rust__ `client_secret`.
    pub const __PREFIX___CLIENT_SECRET: &str = "sandbox-__name__-secret";
}

/// `__PREFIX___CLIENT_ID`, `__PREFIX___CLIENT_SECRET`.
pub(crate) const CREDENTIAL: &[&str] = &[__PREFIX___CLIENT_ID, __PREFIX___CLIENT_SECRET];

/// The one token issued. PLACEHOLDER: tokens that expire in simulated time are `tokens.rs`'s.
const TOKEN: &str = "sandbox-__name__-token";

pub(crate) fn announced_credential() -> String {
    format!("client_id={__PREFIX___CLIENT_ID} client_secret={__PREFIX___CLIENT_SECRET}")
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/token", axum::routing::post(token))
        .route("/balance", axum::routing::get(balance))
        .with_state(shared)
}

async fn token(axum::Form(form): axum::Form<std::collections::HashMap<String, String>>) -> Response {
    let given = |field: &str| form.get(field).map(String::as_str);
    if given("client_id") != Some(__PREFIX___CLIENT_ID) || given("client_secret") != Some(__PREFIX___CLIENT_SECRET) {
        return http::json(StatusCode::UNAUTHORIZED, json!({"message": "invalid client credentials"}));
    }
    http::json(StatusCode::OK, json!({"access_token": TOKEN, "expires_in": 86_400}))
}

async fn balance(State(shared): State<Arc<Shared>>, headers: axum::http::HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    if bearer.and_then(|v| v.strip_prefix("Bearer ")) != Some(TOKEN) {
        return http::json(StatusCode::UNAUTHORIZED, json!({"message": "invalid token"}));
    }
    http::json(StatusCode::OK, opening_balance(&shared))
}
"##;

const SANDBOX_BODY_FIELDS: &str = r##"use credentials::{__PREFIX___API_ID, __PREFIX___API_PASSWORD};

pub mod credentials {
    /// __Rust__ `api_id`.
    pub const __PREFIX___API_ID: &str = "sandbox-__name__-id";
    /// __Rust__ `api_password`.
    pub const __PREFIX___API_PASSWORD: &str = "sandbox-__name__-password";
}

/// `__PREFIX___API_ID`, `__PREFIX___API_PASSWORD`.
pub(crate) const CREDENTIAL: &[&str] = &[__PREFIX___API_ID, __PREFIX___API_PASSWORD];

pub(crate) fn announced_credential() -> String {
    format!("api_id={__PREFIX___API_ID} api_password={__PREFIX___API_PASSWORD}")
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/balance", axum::routing::post(balance))
        .with_state(shared)
}

async fn balance(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if body["api_id"] != __PREFIX___API_ID || body["api_password"] != __PREFIX___API_PASSWORD {
        return http::json(StatusCode::UNAUTHORIZED, json!({"message": "invalid API id or password"}));
    }
    http::json(StatusCode::OK, opening_balance(&shared))
}
"##;

const TESTS_HEAD: &str = r##"//! __Rust__'s client against a mock server (the generated `mock` helpers: the request as the
//! spec says, a typed answer) and against the sandbox's simulation. `cargo test --workspace`
//! runs them with the `httpmock` feature on (or `cargo test -p __name__-client --features httpmock`).

use __module___client::mock::MockServerExt;
use __module___client::{Client, Error, types};
use httpmock::MockServer;
use sandbox::{EXAMPLE_START, Provider, Sandbox, credentials};

fn balance() -> types::Balance {
    types::Balance {
        balance: "100.00".to_owned(),
        currency: "USD".to_owned(),
    }
}

"##;

const TESTS_HEADER: &str = r##"fn refused(err: Error) -> u16 {
    match err {
        Error::Api { status, .. } => status.as_u16(),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn get_balance_sends_the_key_and_decodes_the_answer() {
    let server = MockServer::start_async().await;
    let mock = server.get_balance(|when, then| {
        when.into_inner().header("x-api-key", "test-key");
        then.ok(&balance());
    });
    let client = Client::config("test-key").base_url(server.base_url()).build().unwrap();
    let answer = client.get_balance().send().await.unwrap();
    mock.assert();
    assert_eq!(answer.into_inner(), balance());
}

#[tokio::test]
async fn the_sandbox_answers_its_key_and_refuses_another() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let base_url = sandbox.base_url(Provider::__Rust__);
    let client = Client::config(credentials::__PREFIX___API_KEY).base_url(&base_url).build().unwrap();
    assert_eq!(client.get_balance().send().await.unwrap().currency, "USD");
    let stranger = Client::config("another-key").base_url(&base_url).build().unwrap();
    assert_eq!(refused(Error::from(stranger.get_balance().send().await.unwrap_err())), 401);
}
"##;

const TESTS_BEARER: &str = r##"#[tokio::test]
async fn get_balance_exchanges_the_credentials_for_a_token_and_sends_it() {
    let server = MockServer::start_async().await;
    let token = server.request_token(|when, then| {
        when.into_inner()
            .form_urlencoded_tuple("client_id", "id")
            .form_urlencoded_tuple("client_secret", "secret");
        then.ok(&types::Token {
            access_token: "example-token".to_owned(),
            expires_in: Some(3600),
        });
    });
    let mock = server.get_balance(|when, then| {
        when.into_inner().header("authorization", "Bearer example-token");
        then.ok(&balance());
    });
    let client = Client::config("id", "secret").base_url(server.base_url()).build().unwrap();
    let answer = client.get_balance().send().await.unwrap();
    token.assert();
    mock.assert();
    assert_eq!(answer.into_inner(), balance());
}

#[tokio::test]
async fn the_sandbox_issues_a_token_for_its_credentials_only() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let base_url = sandbox.base_url(Provider::__Rust__);
    let client = Client::config(credentials::__PREFIX___CLIENT_ID, credentials::__PREFIX___CLIENT_SECRET)
        .base_url(&base_url)
        .build()
        .unwrap();
    assert_eq!(client.get_balance().send().await.unwrap().currency, "USD");
    let stranger = Client::config(credentials::__PREFIX___CLIENT_ID, "another-secret")
        .base_url(&base_url)
        .build()
        .unwrap();
    let err = Error::from(stranger.get_balance().send().await.unwrap_err());
    let Error::Auth(reason) = &err else {
        panic!("not a token refusal: {err:?}")
    };
    assert!(reason.contains("401"), "{reason}");
}
"##;

const TESTS_BODY_FIELDS: &str = r##"fn refused(err: Error) -> u16 {
    match err {
        Error::Api { status, .. } => status.as_u16(),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn get_balance_sends_the_credential_in_the_body_and_decodes_the_answer() {
    let server = MockServer::start_async().await;
    let mock = server.get_balance(|when, then| {
        when.into_inner()
            .json_body(serde_json::json!({"api_id": "id", "api_password": "password"}));
        then.ok(&balance());
    });
    let client = Client::config("id", "password").base_url(server.base_url()).build().unwrap();
    let answer = client.get_balance().send().await.unwrap();
    mock.assert();
    assert_eq!(answer.into_inner(), balance());
}

#[tokio::test]
async fn the_sandbox_answers_its_credential_and_refuses_another() {
    let sandbox = Sandbox::starting_at(EXAMPLE_START).await.unwrap();
    let base_url = sandbox.base_url(Provider::__Rust__);
    let client = Client::config(credentials::__PREFIX___API_ID, credentials::__PREFIX___API_PASSWORD)
        .base_url(&base_url)
        .build()
        .unwrap();
    assert_eq!(client.get_balance().send().await.unwrap().currency, "USD");
    let stranger = Client::config(credentials::__PREFIX___API_ID, "another-password")
        .base_url(&base_url)
        .build()
        .unwrap();
    assert_eq!(refused(Error::from(stranger.get_balance().send().await.unwrap_err())), 401);
}
"##;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Auth, Names, files};
    use crate::spec::{Credential, Spec};

    /// The scaffolded spec of every credential kind passes the spec rules and declares that
    /// kind, and its placeholders are marked.
    #[test]
    fn every_auth_kind_scaffolds_a_spec_the_lint_accepts() {
        let names = Names {
            name: "acme-mobile".into(),
            module: "acme_mobile".into(),
            rust: "AcmeMobile".into(),
            prefix: "ACME_MOBILE".into(),
        };
        for auth in [Auth::Header, Auth::Bearer, Auth::BodyFields] {
            let written = files(&names, auth);
            let (path, text) = written.iter().find(|(p, _)| p.starts_with("specs")).unwrap();
            let root = Path::new("/ws");
            let spec = Spec::parse(root, root.join(path), text).unwrap();
            spec.lint().unwrap_or_else(|e| panic!("{auth:?}: {e:#}"));
            let kind = match spec.credential().unwrap() {
                Credential::ApiKey { .. } => Auth::Header,
                Credential::ClientCredentials { .. } => Auth::Bearer,
                Credential::BodyFields { .. } => Auth::BodyFields,
            };
            assert_eq!(kind, auth);
            assert_eq!(spec.rust_name(), "AcmeMobile");
            assert!(
                text.contains("x-doc-url: https://docs.acme-mobile.example/PLACEHOLDER"),
                "{text}"
            );
            for (path, text) in &written {
                assert!(
                    !text.contains("__"),
                    "{}: a template name is left: {text}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn a_name_must_be_crate_shaped_and_new() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let names = Names::checked(root, "acme-mobile").unwrap();
        assert_eq!(
            (names.module.as_str(), names.rust.as_str(), names.prefix.as_str()),
            ("acme_mobile", "AcmeMobile", "ACME_MOBILE")
        );
        for bad in [
            "Acme",
            "acme_mobile",
            "-acme",
            "acme-",
            "acme--x",
            "9acme",
            "",
            "acme.io",
        ] {
            let err = Names::checked(root, bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("not a valid provider name"), "{bad:?}: {err}");
        }
        for taken in ["vellosim", "sandbox", "offers", "type", "acme-client", "tokio", "std"] {
            assert!(Names::checked(root, taken).is_err(), "{taken:?}");
        }
        let existing = Names::checked(root, "airalo").err().unwrap().to_string();
        assert!(existing.contains("already"), "{existing}");
    }
}
