//! `--tls`: HTTPS with a self-signed certificate made at start (for `127.0.0.1` and
//! `localhost`), for clients that only speak HTTPS, such as Airalo's Node SDK. The client
//! trusts the certificate through its environment (`NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`,
//! a reqwest root certificate...): nothing about the simulation changes.

use std::io;
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A fresh certificate and the TLS configuration serving it.
pub struct Tls {
    /// The certificate, PEM: what a client must trust.
    pub certificate_pem: String,
    acceptor: TlsAcceptor,
}

impl Tls {
    pub fn new() -> io::Result<Tls> {
        let key = rcgen::KeyPair::generate().map_err(io::Error::other)?;
        let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let certificate = rcgen::CertificateParams::new(names)
            .and_then(|params| params.self_signed(&key))
            .map_err(io::Error::other)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|builder| {
                builder
                    .with_no_client_auth()
                    .with_single_cert(vec![certificate.der().clone()], key)
            })
            .map_err(io::Error::other)?;
        Ok(Tls {
            certificate_pem: certificate.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// Serves `app` over TLS (HTTP/1.1) until `shutdown` fires. A failed handshake or
    /// connection ends that connection only.
    pub async fn serve(self, listener: TcpListener, app: Router, shutdown: tokio::sync::oneshot::Receiver<()>) {
        tokio::pin!(shutdown);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        tracing::warn!(%err, "accepting a connection failed");
                        continue;
                    }
                },
                _ = &mut shutdown => return,
            };
            let (acceptor, service) = (self.acceptor.clone(), TowerToHyperService::new(app.clone()));
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let connection =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                if let Err(err) = connection.await {
                    tracing::debug!(%err, "a TLS connection ended with an error");
                }
            });
        }
    }
}
