//! The OAuth-style client-credentials exchange: a form POST of the client id and secret,
//! answered with a token and its `expires_in`. Where the token endpoint is and where its
//! answer holds the token come from the spec (`x-token-operation`, `x-token-pointer`),
//! through the descriptor, so every provider that issues tokens this way shares it.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::{CachedToken, CredentialKind, Descriptor, TokenProvider};

/// The client-credentials exchange of `provider` (whose spec declares one): a form POST of
/// `client_id`, `client_secret` and `grant_type=client_credentials` to its token path, the
/// token read at its token pointer and `expires_in` beside it. Tokens are kept at most
/// `max_age` even when `expires_in` promises more (a provider that promises a year but
/// advises a daily refresh).
pub fn client_credentials(
    provider: &Descriptor,
    client_id: impl Into<String>,
    client_secret: impl Into<SecretString>,
    max_age: Duration,
) -> TokenProvider {
    let CredentialKind::ClientCredentials {
        token_path: path,
        token_pointer: pointer,
    } = provider.credential
    else {
        panic!("{}'s spec declares no client-credentials exchange", provider.name);
    };
    let client_id: String = client_id.into();
    let client_secret: SecretString = client_secret.into();
    let identity = client_id.clone();
    TokenProvider::new(move |http, base_url| {
        let form = [
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose_secret().to_owned()),
            ("grant_type", "client_credentials".to_owned()),
        ];
        Box::pin(async move {
            let url = format!("{base_url}{path}");
            let response = http
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await
                .map_err(|e| format!("token request to {url} failed: {}", e.without_url()))?;
            let status = response.status();
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("token response from {url} was cut off: {e}"))?;
            parse_token(status, &body, pointer, max_age).map_err(|reason| format!("token endpoint {url}: {reason}"))
        })
    })
    .with_identity(identity)
}

fn parse_token(
    status: reqwest::StatusCode,
    body: &[u8],
    pointer: &str,
    max_age: Duration,
) -> Result<CachedToken, String> {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if !status.is_success() {
        // The provider's message only (in an envelope's `meta`, or at the top): the body of
        // a failed exchange carries no secret.
        let message = json["meta"]["message"]
            .as_str()
            .or(json["message"].as_str())
            .unwrap_or("no message");
        return Err(format!("HTTP {status}: {message}"));
    }
    let token = json
        .pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("no token at {pointer} in the answer"))?;
    let beside = pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
    let expires_in = json.pointer(&format!("{beside}/expires_in"));
    let expires_in = expires_in
        .and_then(serde_json::Value::as_u64)
        .or_else(|| expires_in?.as_str()?.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(max_age);
    Ok(CachedToken::new(token, expires_in.min(max_age)))
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use httpmock::MockServer;

    /// A provider whose token answer is `{data: {access_token, expires_in}}`.
    const PROVIDER: Descriptor = Descriptor {
        name: "demo",
        env_prefix: "DEMO",
        credential: CredentialKind::ClientCredentials {
            token_path: "/token",
            token_pointer: "/data/access_token",
        },
        production: None,
        sandbox_mount: "/demo",
        listings: &[],
        rate_limits: &[],
        decode_component: None,
    };

    #[tokio::test]
    async fn posts_the_form_and_caps_the_lifetime() {
        let server = MockServer::start_async().await;
        let mock = server.mock(|when, then| {
            when.method("POST")
                .path("/v2/token")
                .form_urlencoded_tuple("client_id", "id")
                .form_urlencoded_tuple("client_secret", "s3cret")
                .form_urlencoded_tuple("grant_type", "client_credentials");
            then.status(200).json_body(serde_json::json!({
                "data": {"token_type": "Bearer", "expires_in": 31622400, "access_token": "tok"},
                "meta": {"message": "success"}
            }));
        });
        let provider = client_credentials(&PROVIDER, "id", "s3cret".to_owned(), Duration::from_secs(86_400));
        let http = crate::tls::test_client();
        let token = provider.token(&http, &server.url("/v2")).await.unwrap();
        assert_eq!(token.expose_secret(), "tok");
        assert_eq!(provider.identity(), Some("id"));
        mock.assert();
    }

    #[test]
    fn a_year_long_token_is_kept_a_day_at_most() {
        let body = br#"{"data": {"token_type": "Bearer", "expires_in": 31622400, "access_token": "tok"}}"#;
        let token = parse_token(
            reqwest::StatusCode::OK,
            body,
            "/data/access_token",
            Duration::from_secs(86_400),
        )
        .unwrap();
        let lifetime = token.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(lifetime <= Duration::from_secs(86_400) && lifetime > Duration::from_secs(86_000));
        let short = br#"{"data": {"expires_in": "600", "access_token": "tok"}}"#;
        let token = parse_token(
            reqwest::StatusCode::OK,
            short,
            "/data/access_token",
            Duration::from_secs(86_400),
        )
        .unwrap();
        assert!(token.expires_at.duration_since(SystemTime::now()).unwrap() <= Duration::from_secs(600));
    }

    #[tokio::test]
    async fn a_refusal_says_why_without_the_secret() {
        let server = MockServer::start_async().await;
        server.mock(|when, then| {
            when.method("POST").path("/token");
            then.status(401)
                .json_body(serde_json::json!({"data": [], "meta": {"message": "Client authentication failed"}}));
        });
        let provider = client_credentials(&PROVIDER, "id", "s3cret-value".to_owned(), Duration::from_secs(60));
        let err = provider
            .token(&crate::tls::test_client(), &server.base_url())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("401") && err.contains("Client authentication failed"),
            "{err}"
        );
        assert!(!err.contains("s3cret"), "{err}");
    }
}
