//! TLS settings: which server certificates the client trusts.
//!
//! By default the system's roots (or, when the system has none, the bundled Mozilla roots) plus
//! any extra CA given as PEM. Fresh Proxmox VE clusters use self-signed certificates; the safe
//! answer is pinning the leaf's SHA-256 fingerprint (shown in the web UI under
//! Certificates), which is what Proxmox's own tools do: with pins, only the leaf is compared and
//! chain and host name are not checked. Accepting anything takes the explicitly dangerous option.

use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Which server certificates to trust.
#[derive(Clone, Default)]
pub struct TlsOptions {
    extra_roots: Vec<CertificateDer<'static>>,
    pins: Vec<Fingerprint>,
    accept_invalid: bool,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("extra_roots", &self.extra_roots.len())
            .field("pins", &self.pins)
            .field("danger_accept_invalid_certs", &self.accept_invalid)
            .finish()
    }
}

impl TlsOptions {
    /// Trusts the CA certificates in `pem` in addition to the default roots.
    pub fn add_root_certificate_pem(&mut self, pem: &[u8]) -> Result<(), Error> {
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| {
                Error::invalid_input("root certificate", format!("cannot read PEM: {e}"))
            })?;
            self.extra_roots.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(Error::invalid_input(
                "root certificate",
                "no 'BEGIN CERTIFICATE' block found in the PEM data",
            ));
        }
        Ok(())
    }

    /// Accepts a server whose leaf certificate has this SHA-256 fingerprint (`AA:BB:..`).
    pub fn pin_fingerprint(&mut self, fingerprint: &str) -> Result<(), Error> {
        self.pins.push(Fingerprint::parse(fingerprint)?);
        Ok(())
    }

    /// Accepts every certificate. Only for throw-away test setups.
    pub fn danger_accept_invalid_certs(&mut self, accept: bool) {
        self.accept_invalid = accept;
    }

    /// The pinned fingerprints.
    pub fn pins(&self) -> &[Fingerprint] {
        &self.pins
    }

    /// Builds the rustls configuration (ring provider, TLS 1.2 and 1.3).
    pub fn client_config(&self) -> Result<rustls::ClientConfig, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = if self.accept_invalid {
            Arc::new(AcceptAnything {
                provider: provider.clone(),
            })
        } else if !self.pins.is_empty() {
            Arc::new(PinnedLeaf {
                pins: self.pins.clone(),
                provider: provider.clone(),
            })
        } else {
            let mut roots = default_roots().clone();
            for cert in &self.extra_roots {
                roots.add(cert.clone()).map_err(|e| {
                    Error::invalid_input("root certificate", format!("not a usable CA: {e}"))
                })?;
            }
            let inner =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| tls_setup_error(e.to_string()))?;
            Arc::new(NamedFingerprintOnFailure { inner })
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_setup_error(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(config)
    }
}

fn tls_setup_error(message: String) -> Error {
    Error::Tls {
        message: format!("cannot set up TLS: {message}"),
        expected: Vec::new(),
        presented: None,
    }
}

/// System roots, or the bundled Mozilla roots when the system has none. Loaded once.
fn default_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(native.certs);
        if added == 0 {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        roots
    })
}

/// A SHA-256 certificate fingerprint, shown as `AA:BB:...` (32 bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// Parses `AA:BB:..` (colons optional, case-insensitive).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let hex: String = text
            .trim()
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        let bad = || {
            Error::invalid_input(
                "fingerprint",
                format!(
                    "'{text}' is not a SHA-256 fingerprint (32 hex bytes like AA:BB:..., as PVE shows it)"
                ),
            )
        };
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Fingerprint(out))
    }

    /// The fingerprint of a DER certificate.
    pub fn of_der(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a certificate was refused, carried through rustls, hyper and reqwest to the transport,
/// which turns it back into [`Error::Tls`] with both fingerprints.
#[derive(Debug, Clone)]
pub(crate) struct CertificateRefused {
    pub(crate) message: String,
    pub(crate) expected: Vec<String>,
    pub(crate) presented: String,
}

impl fmt::Display for CertificateRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CertificateRefused {}

impl CertificateRefused {
    fn into_rustls(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(rustls::OtherError(
            Arc::new(self),
        )))
    }
}

fn supported_schemes(provider: &CryptoProvider) -> Vec<SignatureScheme> {
    provider
        .signature_verification_algorithms
        .supported_schemes()
}

/// Compares only the leaf's fingerprint; the handshake signature is still verified.
#[derive(Debug)]
struct PinnedLeaf {
    pins: Vec<Fingerprint>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedLeaf {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of_der(end_entity);
        if self.pins.contains(&presented) {
            return Ok(ServerCertVerified::assertion());
        }
        let expected: Vec<String> = self.pins.iter().map(ToString::to_string).collect();
        Err(CertificateRefused {
            message: format!(
                "certificate fingerprint mismatch: expected {}, server presented {presented}",
                expected.join(" or ")
            ),
            expected,
            presented: presented.to_string(),
        }
        .into_rustls())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        supported_schemes(&self.provider)
    }
}

/// The standard WebPKI check; on failure it names the presented fingerprint so the user can
/// decide to pin it.
#[derive(Debug)]
struct NamedFingerprintOnFailure {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for NamedFingerprintOnFailure {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|err| {
                let presented = Fingerprint::of_der(end_entity).to_string();
                CertificateRefused {
                    message: format!(
                        "server certificate not trusted ({err}); its SHA-256 fingerprint is \
                         {presented}: pin it with pin_fingerprint if you trust it, or add its CA"
                    ),
                    expected: Vec::new(),
                    presented,
                }
                .into_rustls()
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `danger_accept_invalid_certs`: any certificate; signatures still checked so the session is at
/// least bound to the presented key.
#[derive(Debug)]
struct AcceptAnything {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        supported_schemes(&self.provider)
    }
}

/// Finds why a certificate was refused anywhere in an error's source chain (reqwest wraps hyper,
/// which wraps `io::Error`, which wraps the rustls error; `io::Error::source` skips its payload,
/// so the payload is looked at explicitly).
pub(crate) fn find_tls_error(
    err: &(dyn std::error::Error + 'static),
) -> Option<(String, Vec<String>, Option<String>)> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = as_tls_error(e) {
            return Some(found);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = as_tls_error(inner) {
                    return Some(found);
                }
                if let Some(found) = find_tls_error(inner) {
                    return Some(found);
                }
            }
        }
        current = e.source();
    }
    None
}

fn as_tls_error(
    e: &(dyn std::error::Error + 'static),
) -> Option<(String, Vec<String>, Option<String>)> {
    if let Some(refused) = e.downcast_ref::<CertificateRefused>() {
        return Some((
            refused.message.clone(),
            refused.expected.clone(),
            Some(refused.presented.clone()),
        ));
    }
    let rustls_err = e.downcast_ref::<rustls::Error>()?;
    if let rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) = rustls_err {
        if let Some(refused) = other.0.downcast_ref::<CertificateRefused>() {
            return Some((
                refused.message.clone(),
                refused.expected.clone(),
                Some(refused.presented.clone()),
            ));
        }
    }
    Some((rustls_err.to_string(), Vec::new(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_round_trip() {
        let text = "AB:".repeat(31) + "CD";
        let fp = Fingerprint::parse(&text.to_lowercase()).unwrap();
        assert_eq!(fp.to_string(), text);
        assert!(Fingerprint::parse("AB:CD").is_err());
        assert!(Fingerprint::parse(&"ZZ:".repeat(32)).is_err());
    }
}
