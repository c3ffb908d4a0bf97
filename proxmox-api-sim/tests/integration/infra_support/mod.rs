//! Shared helpers of the simulator's server-side tests: a reqwest client pinned to the
//! simulator's certificate fingerprint, a logged-in session, and raw HTTP/1.1 over TLS for
//! checking the exact bytes on the wire.
#![allow(dead_code)]

use std::sync::Arc;

use proxmox_api_sim::{RunningSimulator, Simulator};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts exactly the leaf whose SHA-256 fingerprint is `expected`, as PVE's own clients do.
#[derive(Debug)]
pub struct PinVerifier {
    expected: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if proxmox_api_sim::tls::fingerprint(end_entity) == self.expected {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("fingerprint mismatch".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A rustls client config pinned to `fingerprint`.
pub fn pinned_tls(fingerprint: &str) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinVerifier {
            expected: fingerprint.to_owned(),
            provider,
        }))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// A reqwest client that trusts only the certificate with `fingerprint`.
pub fn pinned_client(fingerprint: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(pinned_tls(fingerprint))
        .build()
        .unwrap()
}

/// A simulator with 3 nodes and default options.
pub async fn start() -> RunningSimulator {
    Simulator::builder()
        .start()
        .await
        .expect("simulator starts")
}

/// A response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn data(&self) -> Value {
        assert_eq!(
            self.status,
            200,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()["data"].clone()
    }

    pub fn errors(&self) -> Value {
        assert_eq!(
            self.status,
            400,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()["errors"].clone()
    }

    pub fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or("").to_owned()
    }
}

/// How a session authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Ticket { ticket: String, csrf: String },
    Token(String),
}

/// A client bound to one simulator with one identity.
#[derive(Debug, Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub auth: Auth,
}

impl Session {
    pub fn anonymous(sim: &RunningSimulator) -> Self {
        Self {
            client: pinned_client(sim.fingerprint()),
            base: format!("{}/api2/json", sim.url()),
            auth: Auth::None,
        }
    }

    /// Logs in with a password; panics unless it works.
    pub async fn login(sim: &RunningSimulator, user: &str, password: &str) -> Self {
        let mut s = Self::anonymous(sim);
        let r = s
            .send(
                reqwest::Method::POST,
                "/access/ticket",
                &[("username", user), ("password", password)],
            )
            .await;
        let data = r.data();
        s.auth = Auth::Ticket {
            ticket: data["ticket"].as_str().unwrap().to_owned(),
            csrf: data["CSRFPreventionToken"].as_str().unwrap().to_owned(),
        };
        s
    }

    pub async fn root(sim: &RunningSimulator) -> Self {
        Self::login(sim, sim.user(), sim.password()).await
    }

    pub fn with_token(sim: &RunningSimulator, tokenid: &str, secret: &str) -> Self {
        let mut s = Self::anonymous(sim);
        s.auth = Auth::Token(format!("PVEAPIToken={tokenid}={secret}"));
        s
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        params: &[(&str, &str)],
    ) -> Reply {
        let url = format!("{}{}", self.base, path);
        let is_read = method == reqwest::Method::GET || method == reqwest::Method::DELETE;
        let mut req = self.client.request(method.clone(), &url);
        req = if is_read {
            req.query(params)
        } else {
            req.form(params)
        };
        match &self.auth {
            Auth::None => {}
            Auth::Ticket { ticket, csrf } => {
                req = req.header("Cookie", format!("PVEAuthCookie={ticket}"));
                if method != reqwest::Method::GET {
                    req = req.header("CSRFPreventionToken", csrf);
                }
            }
            Auth::Token(h) => req = req.header("Authorization", h),
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.expect("body").to_vec();
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, &[]).await
    }

    pub async fn post(&self, path: &str, params: &[(&str, &str)]) -> Reply {
        self.send(reqwest::Method::POST, path, params).await
    }

    pub async fn put(&self, path: &str, params: &[(&str, &str)]) -> Reply {
        self.send(reqwest::Method::PUT, path, params).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, &[]).await
    }
}

/// A raw HTTP/1.1 exchange over TLS: writes `request` verbatim and reads until the server
/// closes the connection. Returns (status line, headers, body).
pub async fn raw(sim: &RunningSimulator, request: &str) -> (String, String, Vec<u8>) {
    let tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(pinned_tls(sim.fingerprint())));
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let body = out[split + 4..].to_vec();
    let (status, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    (status.to_owned(), headers.to_ascii_lowercase(), body)
}
