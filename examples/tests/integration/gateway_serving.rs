//! Robust serving: half-open connections, an exhausted file-descriptor limit (the binary in a
//! child process), graceful shutdown with a request in flight, body and input limits, TLS.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use proxmox_api_core::{Clock, SystemClock};
use proxmox_api_examples::rest_api::ServeLimits;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Waits (polling every 20 ms, at most `limit`) until `check` holds.
async fn wait_until<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let clock = SystemClock::new();
    let deadline = clock.now() + limit;
    while !check().await {
        assert!(clock.now() < deadline, "gave up waiting for {what}");
        clock.sleep(Duration::from_millis(20)).await;
    }
}

/// Everything the server sends until it closes, even when it closes with a reset.
async fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return raw,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_half_open_connections_do_not_stop_the_service() {
    let limits = ServeLimits {
        header_timeout: Duration::from_secs(2),
        ..ServeLimits::default()
    };
    let env = start(Options {
        limits,
        ..Options::default()
    })
    .await;
    let mut half_open = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(env.addr).await.expect("connect");
        stream
            .write_all(b"GET /user HTTP/1.1\r\nhost: x\r\n")
            .await
            .expect("write");
        half_open.push(stream);
    }
    // The service answers others meanwhile.
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let (status, answer) = call(env.addr, "GET", "/user", Some(&alice), None).await;
    assert_eq!(status, 200, "{answer}");
    // And the stalled ones are closed once their header time is up.
    let clock = SystemClock::new();
    let started = clock.now();
    let mut first = half_open.pop().expect("a connection");
    let _ = tokio::time::timeout(Duration::from_secs(30), read_all(&mut first))
        .await
        .expect("the server closes a stalled connection");
    let waited = clock.now().duration_since(started).unwrap_or_default();
    println!("a stalled connection was closed after {waited:?} (header timeout 2 s)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_limited_and_input_is_checked_before_pve() {
    let env = start(Options::default()).await;
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;

    // Too large a body.
    let big = json!({ "username": "x".repeat(70 * 1024) });
    let mut stream = TcpStream::connect(env.addr).await.unwrap();
    stream
        .write_all(&request_bytes(
            env.addr,
            "GET",
            "/user",
            Some(&alice),
            Some(&big),
        ))
        .await
        .unwrap();
    let (status, answer) = parse_answer(&read_all(&mut stream).await);
    assert_eq!(status, 413, "{answer}");

    // A NUL byte in a user name, named and refused.
    let (status, answer) = call(
        env.addr,
        "POST",
        "/login",
        None,
        Some(json!({ "username": "ali\u{0}ce", "password": ALICE_PASSWORD })),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "username");
    let (status, answer) = call(
        env.addr,
        "GET",
        "/container",
        Some(&alice),
        Some(json!({ "id": "100; rm" })),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "id");

    // A 60 KB input is not echoed back.
    let long = "a".repeat(60 * 1024);
    let (status, answer) = call(
        env.addr,
        "GET",
        "/user",
        Some(&alice),
        Some(json!({ "username": long })),
    )
    .await;
    assert_eq!(status, 400, "{}", answer.to_string().len());
    assert!(
        answer.to_string().len() < 1024,
        "answer of {} bytes",
        answer.to_string().len()
    );

    // Credentials in the query string are refused (they end up in logs).
    let (status, answer) = call(
        env.addr,
        "POST",
        "/login?username=alice&password=alice-pass-1",
        None,
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "password");
    assert!(!answer.to_string().contains(ALICE_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish_and_stops_accepting() {
    let mut env = start(Options::default()).await;
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let vmid = create_container(env.addr, &alice, "slow").await;
    // Destruction now takes about 3 s in the simulator.
    env.sim.control().set_task_duration_scale(3.0);
    let addr = env.addr;
    let token = alice.clone();
    let in_flight = tokio::spawn(async move {
        call(
            addr,
            "DELETE",
            "/container",
            Some(&token),
            Some(json!({ "id": vmid })),
        )
        .await
    });
    let root = env.root.clone();
    wait_until(Duration::from_secs(20), "the destroy task to start", || {
        let root = root.clone();
        async move {
            root.cluster()
                .destroy_log()
                .await
                .is_ok_and(|log| log.iter().any(|r| u64::from(r.vmid) == vmid))
        }
    })
    .await;
    env.shut_down();
    wait_until(
        Duration::from_secs(10),
        "the listener to close",
        || async move { TcpStream::connect(addr).await.is_err() },
    )
    .await;
    let (status, answer) = in_flight.await.unwrap();
    assert_eq!(status, 200, "the request in flight finished: {answer}");
    tokio::time::timeout(Duration::from_secs(10), &mut env.served)
        .await
        .expect("serve returns once drained")
        .unwrap();
}

mod tls_client {
    //! A client that accepts any certificate but remembers its fingerprint, to compare with the
    //! one the gateway printed (as a user pinning it would).
    use std::sync::{Arc, Mutex};

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use sha2::{Digest, Sha256};

    #[derive(Debug, Default)]
    pub struct Remember(pub Mutex<Option<String>>);

    impl ServerCertVerifier for Remember {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            let hex: Vec<String> = Sha256::digest(end_entity)
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            *self.0.lock().unwrap() = Some(hex.join(":"));
            Ok(ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            rustls::crypto::ring::default_provider()
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    pub fn config(verifier: Arc<Remember>) -> rustls::ClientConfig {
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_speaks_tls_with_the_printed_certificate() {
    let env = start(Options {
        tls: true,
        ..Options::default()
    })
    .await;
    let remember = Arc::new(tls_client::Remember::default());
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(tls_client::config(remember.clone())));
    let tcp = TcpStream::connect(env.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    tls.write_all(&request_bytes(env.addr, "GET", "/user", None, None))
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw).await;
    let (status, _) = parse_answer(&raw);
    assert_eq!(status, 401);
    assert_eq!(remember.0.lock().unwrap().clone(), env.tls_fingerprint);

    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(env.addr).await.unwrap();
    plain
        .write_all(&request_bytes(env.addr, "GET", "/user", None, None))
        .await
        .unwrap();
    let raw = read_all(&mut plain).await;
    assert!(
        !String::from_utf8_lossy(&raw).starts_with("HTTP/1.1"),
        "{raw:?}"
    );
}

/// The binary under `ulimit -n 48`: once connections use up its descriptors, `accept()` fails;
/// it must log that, keep going, and answer again when they close; SIGTERM stops it cleanly.
#[test]
fn the_binary_survives_an_exhausted_descriptor_limit_and_stops_on_sigterm() {
    let binary = env!("CARGO_BIN_EXE_rest_api");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 48 && exec "$0" --listen 127.0.0.1:0 --plain-http"#)
        .arg(binary)
        .env_remove("PVE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let stderr_lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let collected = stderr_lines.clone();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            collected.lock().unwrap().push(line);
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the listening line");
    let addr: std::net::SocketAddr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| {
            panic!(
                "unexpected first line {first:?}; stderr: {:?}",
                stderr_lines.lock().unwrap()
            )
        })
        .parse()
        .unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Hold many connections open: more than the child has descriptors.
        let mut held = Vec::new();
        for _ in 0..120 {
            match TcpStream::connect(addr).await {
                Ok(stream) => held.push(stream),
                Err(_) => break,
            }
        }
        let lines = stderr_lines.clone();
        wait_until(
            Duration::from_secs(20),
            "an accept error to be logged",
            || {
                let lines = lines.clone();
                async move {
                    lines
                        .lock()
                        .unwrap()
                        .iter()
                        .any(|l| l.contains("accept failed"))
                }
            },
        )
        .await;
        drop(held);
        let (status, answer) = call(addr, "GET", "/user", None, None).await;
        assert_eq!(status, 401, "still serving: {answer}");
    });

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let lines = stderr_lines.lock().unwrap();
    assert!(lines.iter().any(|l| l.contains("stopped")), "{lines:?}");
}
