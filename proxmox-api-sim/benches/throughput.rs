//! Throughput benchmark (issue 3 item 8). Prints:
//! - sequential keep-alive HTTPS requests/s on `GET /nodes/{node}/status` over ONE connection
//!   (target >= 12,000/s on the 2-core CI machine);
//! - the time to answer `GET /cluster/resources` with 20,000 guests, a quarter of them QEMU VMs
//!   (target < 50 ms).
//!
//! Run: `cargo bench -p proxmox-api-sim --bench throughput` (or `--profile ci`).
//! Env: `SIM_BENCH_REQUESTS` (default 20000), `SIM_BENCH_GUESTS` (default 20000).
#![allow(clippy::disallowed_methods)] // a benchmark measures real time

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use proxmox_api_sim::{RunningSimulator, Simulator};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

#[derive(Debug)]
struct Pinned(String, Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        cert: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if proxmox_api_sim::tls::fingerprint(cert) == self.0 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("fingerprint mismatch".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

/// One pinned HTTPS keep-alive connection.
async fn connect(sim: &RunningSimulator) -> SendRequest<Full<Bytes>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned(sim.fingerprint().to_owned(), provider)))
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

async fn login(sender: &mut SendRequest<Full<Bytes>>, sim: &RunningSimulator) -> String {
    let body = format!(
        "username=root%40pam&password={}",
        percent_encoding::utf8_percent_encode(sim.password(), percent_encoding::NON_ALPHANUMERIC)
    );
    let req = http::Request::post("/api2/json/access/ticket")
        .header("host", "127.0.0.1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    sender.ready().await.unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v["data"]["ticket"].as_str().unwrap().to_owned()
}

async fn get(sender: &mut SendRequest<Full<Bytes>>, path: &str, cookie: &str) -> (u16, usize) {
    let req = http::Request::get(path)
        .header("host", "127.0.0.1")
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))
        .unwrap();
    sender.ready().await.unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let len = resp.into_body().collect().await.unwrap().to_bytes().len();
    (status, len)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // One thread for client and server: measures the work per request without cross-thread
    // wake-ups (which dominate on a loaded 2-core machine).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let requests = env_usize("SIM_BENCH_REQUESTS", 20_000);
        let sim = Simulator::builder().nodes(3).start().await.unwrap();
        let mut sender = connect(&sim).await;
        let cookie = format!("PVEAuthCookie={}", login(&mut sender, &sim).await);
        for _ in 0..500 {
            assert_eq!(get(&mut sender, "/api2/json/nodes/pve1/status", &cookie).await.0, 200);
        }
        let started = Instant::now();
        for _ in 0..requests {
            let (status, _) = get(&mut sender, "/api2/json/nodes/pve1/status", &cookie).await;
            assert_eq!(status, 200);
        }
        let elapsed = started.elapsed();
        println!(
            "GET /nodes/pve1/status, one keep-alive HTTPS connection: {requests} requests in {:.2} s = {:.0} req/s (target >= 12000)",
            elapsed.as_secs_f64(),
            requests as f64 / elapsed.as_secs_f64()
        );
        // The handler's share, under the lock, without HTTP and TLS.
        let call = proxmox_api_sim::call::Call {
            method: http::Method::GET,
            template: "/nodes/{node}/status".to_owned(),
            path_params: [("node".to_owned(), "pve1".to_owned())].into(),
            params: Default::default(),
            caller: Some(proxmox_api_sim::call::Caller {
                userid: "root@pam".to_owned(),
                tokenid: None,
            }),
        };
        let started = Instant::now();
        for _ in 0..requests {
            sim.control().with_state(|state| {
                let data = proxmox_api_sim::cluster::dispatch(state, &call).unwrap().unwrap();
                serde_json::to_vec(&data).unwrap()
            });
        }
        println!(
            "GET /nodes/pve1/status handler + serialisation alone: {:.1} us per request",
            started.elapsed().as_secs_f64() * 1e6 / requests as f64
        );
        drop(sim);

        let guests = env_usize("SIM_BENCH_GUESTS", 20_000);
        // A quarter of them QEMU VMs, the rest containers: both kinds are in the listing.
        let vms = guests / 4;
        let built = Instant::now();
        let sim = Simulator::builder()
            .nodes(3)
            .guests(guests - vms)
            .vms(vms)
            .start()
            .await
            .unwrap();
        let build_time = built.elapsed();
        let mut sender = connect(&sim).await;
        let cookie = format!("PVEAuthCookie={}", login(&mut sender, &sim).await);
        let (status, bytes) = get(&mut sender, "/api2/json/cluster/resources", &cookie).await;
        assert_eq!(status, 200);
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let (status, _) = get(&mut sender, "/api2/json/cluster/resources", &cookie).await;
            assert_eq!(status, 200);
            times.push(t.elapsed());
        }
        times.sort();
        // The server's share: the listing built under the lock, without TLS and the client.
        let call = proxmox_api_sim::call::Call {
            method: http::Method::GET,
            template: "/cluster/resources".to_owned(),
            path_params: Default::default(),
            params: Default::default(),
            caller: Some(proxmox_api_sim::call::Caller {
                userid: "root@pam".to_owned(),
                tokenid: None,
            }),
        };
        let mut in_process: Vec<Duration> = (0..15)
            .map(|_| {
                sim.control().with_state(|state| {
                    let t = Instant::now();
                    let raw = proxmox_api_sim::cluster::dispatch_raw(state, &call);
                    let elapsed = t.elapsed();
                    assert!(matches!(raw, Some(Ok(_))));
                    elapsed
                })
            })
            .collect();
        in_process.sort();
        println!(
            "GET /cluster/resources, building the 20k listing under the lock alone (no TLS, no client): median {:.1} ms",
            in_process[in_process.len() / 2].as_secs_f64() * 1e3
        );
        println!(
            "GET /cluster/resources with {guests} guests ({vms} QEMU VMs, {bytes} bytes): median {:.1} ms, min {:.1} ms, max {:.1} ms (target < 50 ms); cluster built in {:.0} ms",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            build_time.as_secs_f64() * 1e3
        );
    });
}
