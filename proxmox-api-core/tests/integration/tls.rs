//! TLS against a real local rustls server: pinning, default refusal of self-signed certificates,
//! an extra CA, and the dangerous accept-anything option.

use std::sync::Arc;

use proxmox_api_core::{Client, Error};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

struct Server {
    url: String,
    fingerprint: String,
    ca_pem: Option<String>,
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

async fn serve(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> String {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body =
                    r#"{"data":{"version":"9.1.1","release":"9.1","repoid":"0123456789abcdef"}}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{port}")
}

async fn self_signed() -> Server {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    Server {
        fingerprint: fingerprint(&der),
        url: serve(der, key).await,
        ca_pem: None,
    }
}

async fn ca_signed() -> Server {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let der = leaf.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    Server {
        fingerprint: fingerprint(&der),
        url: serve(der, key).await,
        ca_pem: Some(ca.pem()),
    }
}

async fn version(client: &Client) -> Result<serde_json::Value, Error> {
    client.get("/version").await
}

#[tokio::test]
async fn pinned_fingerprint_is_accepted() {
    let server = self_signed().await;
    // Pins compare the leaf only: the host name is not checked, as in Proxmox's own tools.
    let url = server.url.replace("localhost", "127.0.0.1");
    let client = Client::builder(url)
        .pin_fingerprint(&server.fingerprint.to_lowercase())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(version(&client).await.unwrap()["release"], "9.1");
}

#[tokio::test]
async fn wrong_pin_is_refused_naming_both_fingerprints() {
    let server = self_signed().await;
    let wrong = "00:".repeat(31) + "01";
    let client = Client::builder(&server.url)
        .pin_fingerprint(&wrong)
        .unwrap()
        .build()
        .unwrap();
    let err = version(&client).await.unwrap_err();
    match &err {
        Error::Tls {
            message,
            expected,
            presented,
        } => {
            assert_eq!(expected, &vec![wrong.clone()]);
            assert_eq!(presented.as_deref(), Some(server.fingerprint.as_str()));
            assert!(
                message.contains(&wrong) && message.contains(&server.fingerprint),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.was_sent());
    assert_eq!(err.code(), "TLS");
}

#[tokio::test]
async fn self_signed_is_refused_by_default() {
    let server = self_signed().await;
    let client = Client::builder(&server.url).build().unwrap();
    let err = version(&client).await.unwrap_err();
    match &err {
        Error::Tls {
            message, presented, ..
        } => {
            assert_eq!(presented.as_deref(), Some(server.fingerprint.as_str()));
            assert!(message.contains("not trusted"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn extra_ca_is_accepted() {
    let server = ca_signed().await;
    let pem = server.ca_pem.clone().unwrap();
    let client = Client::builder(&server.url)
        .add_root_certificate_pem(pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(version(&client).await.unwrap()["release"], "9.1");
    // Without the CA the same server is refused.
    let plain = Client::builder(&server.url).build().unwrap();
    assert_eq!(version(&plain).await.unwrap_err().code(), "TLS");
    assert!(!server.fingerprint.is_empty());
}

#[tokio::test]
async fn danger_accept_invalid_certs_accepts_anything() {
    let server = self_signed().await;
    let client = Client::builder(server.url.replace("localhost", "127.0.0.1"))
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert_eq!(version(&client).await.unwrap()["release"], "9.1");
}

#[test]
fn bad_fingerprints_and_pem_are_invalid_input() {
    let err = Client::builder("h").pin_fingerprint("AA:BB").unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    let err = Client::builder("h")
        .add_root_certificate_pem("not a pem")
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
}
