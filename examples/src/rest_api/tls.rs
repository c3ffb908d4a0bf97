//! TLS for the gateway's own listener: a certificate and key given as PEM files, or a
//! self-signed certificate made at start whose SHA-256 fingerprint is printed for clients to pin.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;

/// The listener's TLS set-up.
#[derive(Clone)]
pub struct GatewayTls {
    /// Accepts TLS connections.
    pub acceptor: TlsAcceptor,
    /// `AA:BB:...`: SHA-256 of the leaf certificate's DER.
    pub fingerprint: String,
}

impl std::fmt::Debug for GatewayTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayTls")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl GatewayTls {
    /// A fresh self-signed certificate for `localhost`, `127.0.0.1`, `::1` and `names`.
    pub fn self_signed(names: &[String]) -> Result<Self, String> {
        let mut all = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        all.extend(names.iter().cloned());
        let certified = rcgen::generate_simple_self_signed(all).map_err(|e| e.to_string())?;
        let cert = certified.cert.der().clone();
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        Self::from_parts(vec![cert], key)
    }

    /// The certificate chain and private key in the PEM files at `cert_path` and `key_path`.
    pub fn from_pem_files(cert_path: &str, key_path: &str) -> Result<Self, String> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
            .and_then(|certs| certs.collect())
            .map_err(|e| format!("{cert_path}: {e}"))?;
        if chain.is_empty() {
            return Err(format!("{cert_path}: no certificate"));
        }
        let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| format!("{key_path}: {e}"))?;
        Self::from_parts(chain, key)
    }

    fn from_parts(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, String> {
        let fingerprint = fingerprint(&chain[0]);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(GatewayTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint,
        })
    }
}

/// `AA:BB:..` SHA-256 of a DER certificate.
fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
