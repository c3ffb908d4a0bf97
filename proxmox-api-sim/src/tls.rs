//! The simulator's TLS identity: a self-signed certificate made at start-up.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A fresh self-signed certificate and the server configuration that presents it.
pub struct TlsIdentity {
    /// rustls server configuration (HTTP/1.1 only).
    pub config: Arc<rustls::ServerConfig>,
    /// `AA:BB:...`: SHA-256 of the leaf certificate's DER, as PVE shows fingerprints.
    pub fingerprint: String,
    /// The certificate in PEM, for clients that prefer to trust it as a CA.
    pub certificate_pem: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Errors making the TLS identity.
#[derive(Debug)]
pub struct TlsError(pub String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TLS set-up failed: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

impl TlsIdentity {
    /// A certificate for `127.0.0.1`, `localhost` and any `extra_names`.
    pub fn generate(extra_names: &[String]) -> Result<Self, TlsError> {
        let mut names = vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
            "::1".to_owned(),
        ];
        names.extend(extra_names.iter().cloned());
        names.dedup();
        let certified =
            rcgen::generate_simple_self_signed(names).map_err(|e| TlsError(e.to_string()))?;
        let cert_der: CertificateDer<'static> = certified.cert.der().clone();
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let fingerprint = fingerprint(&cert_der);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![cert_der], key)
            .map_err(|e| TlsError(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            fingerprint,
            certificate_pem: certified.cert.pem(),
        })
    }
}

/// `AA:BB:..` SHA-256 of a DER certificate.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_shape() {
        let id = TlsIdentity::generate(&[]).unwrap();
        assert_eq!(id.fingerprint.len(), 32 * 3 - 1);
        assert!(id.fingerprint.split(':').all(|p| p.len() == 2
            && p.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())));
        assert!(id.certificate_pem.contains("BEGIN CERTIFICATE"));
    }
}
