//! The TLS backend of a client's HTTP connections, chosen by cargo feature.
//!
//! `rustls` (the default) leaves it to reqwest: rustls on aws-lc-rs. `rustls-ring` builds
//! each client's rustls configuration on ring explicitly, with the platform's certificate
//! verifier, so no process-wide crypto provider has to be installed first (reqwest's
//! `rustls-no-provider` alone panics when a client is built without one).

use reqwest::ClientBuilder;

use crate::BuildError;

/// `builder` with the TLS backend the enabled features choose.
#[cfg(all(feature = "rustls-ring", not(feature = "rustls")))]
pub(crate) fn backend(builder: ClientBuilder) -> Result<ClientBuilder, BuildError> {
    use std::sync::Arc;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(tls_error)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // The clients speak HTTP/1.1 (reqwest is built without HTTP/2).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

/// `builder` with the TLS backend the enabled features choose.
#[cfg(not(all(feature = "rustls-ring", not(feature = "rustls"))))]
pub(crate) fn backend(builder: ClientBuilder) -> Result<ClientBuilder, BuildError> {
    Ok(builder)
}

#[cfg(all(feature = "rustls-ring", not(feature = "rustls")))]
fn tls_error(err: rustls::Error) -> BuildError {
    BuildError::Tls(err.to_string())
}

/// A plain client on the enabled backend, for tests that need a `reqwest::Client` of their own
/// (`reqwest::Client::new()` panics on the ring build, which installs no process-wide provider).
#[cfg(test)]
pub(crate) fn test_client() -> reqwest::Client {
    backend(reqwest::Client::builder()).unwrap().build().unwrap()
}

#[cfg(all(test, feature = "rustls-ring", not(feature = "rustls")))]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    /// Built with no process-wide crypto provider installed, the client does not panic and
    /// opens an https:// connection with a TLS handshake of its own provider's.
    #[tokio::test]
    async fn a_ring_client_needs_no_process_wide_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://127.0.0.1:{}/", listener.local_addr().unwrap().port());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut hello = [0u8; 3];
            socket.read_exact(&mut hello).await.unwrap();
            hello
        });
        let http = backend(reqwest::Client::builder()).unwrap().build().unwrap();
        let answer = http.get(&url).send().await;
        // A TLS handshake record (0x16) of TLS 1.x (0x03 ..): the client speaks TLS.
        assert_eq!(&server.await.unwrap()[..2], &[0x16, 0x03]);
        assert!(answer.is_err(), "the server closed the connection mid-handshake");
    }
}
