//! Client overhead and decode speed, printed as numbers (no timing assertions):
//!
//! - sequential requests per second against one minimal loopback HTTP server, by a raw TCP
//!   client (the server's own limit), by bare reqwest (a minimal HTTP client) and by the core
//!   client (`client.version()`), with the core's ratio to the server limit;
//! - a 20,000-guest `/cluster/resources` body decoded into typed models by the core, against a
//!   bare `serde_json::from_slice::<Value>` of the same bytes, and the peak RSS;
//! - the status of 16 simulated nodes that each answer 20 ms late, through the natural call
//!   (`client.nodes().status_all()`, default settings), as a multiple of the 20 ms floor (the
//!   bindings' benchmarks print the same number for Python and Node).
//!
//! `cargo bench -p proxmox-api-core --bench throughput --profile ci` (`BENCH_SECONDS` per
//! measurement, default 2).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use proxmox_api_core::models::ClusterResource;
use proxmox_api_core::{Client, Clock, Credentials, SystemClock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = r#"{"data":{"version":"9.1.1","release":"9.1","repoid":"0f39f621"}}"#;

/// A keep-alive HTTP/1.1 server answering every request with [`BODY`]: about as little work per
/// request as a server can do.
async fn minimal_server() -> SocketAddr {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let response = Arc::new(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        )
        .into_bytes(),
    );
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let response = response.clone();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut filled = 0;
                loop {
                    // Answer every complete request head in the buffer (requests have no body).
                    while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                        if stream.write_all(&response).await.is_err() {
                            return;
                        }
                        buf.copy_within(end + 4..filled, 0);
                        filled -= end + 4;
                    }
                    match stream.read(&mut buf[filled..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => filled += n,
                    }
                }
            });
        }
    });
    addr
}

fn seconds() -> f64 {
    std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0)
}

/// Runs `one` sequentially for the measurement time; returns requests per second.
async fn rate<F, Fut>(clock: &SystemClock, mut one: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..200 {
        one().await; // warm-up: connections, allocator
    }
    let budget = Duration::from_secs_f64(seconds());
    let start = clock.now();
    let mut count = 0u64;
    loop {
        for _ in 0..100 {
            one().await;
        }
        count += 100;
        let elapsed = clock.now().duration_since(start).unwrap();
        if elapsed >= budget {
            return count as f64 / elapsed.as_secs_f64();
        }
    }
}

async fn raw_client_rate(clock: &SystemClock, addr: SocketAddr) -> f64 {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let request = format!(
        "GET /api2/json/version HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n"
    );
    let expected = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .len();
    // One connection, used by one request at a time (the lock is never contended).
    let stream = tokio::sync::Mutex::new((stream, vec![0u8; expected]));
    rate(clock, || async {
        let mut guard = stream.lock().await;
        let (s, buf) = &mut *guard;
        s.write_all(request.as_bytes()).await.unwrap();
        s.read_exact(buf).await.unwrap();
    })
    .await
}

async fn reqwest_rate(clock: &SystemClock, addr: SocketAddr) -> f64 {
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/api2/json/version");
    rate(clock, || async {
        let body = http.get(&url).send().await.unwrap().bytes().await.unwrap();
        assert!(!body.is_empty());
    })
    .await
}

async fn core_rate(clock: &SystemClock, addr: SocketAddr) -> f64 {
    let client = Client::builder(format!("http://{addr}"))
        .allow_insecure_http(true)
        .credentials(Credentials::api_token(
            "root@pam!bench",
            "00000000-0000-0000-0000-000000000000",
        ))
        .build()
        .unwrap();
    rate(clock, || async {
        let version = client.version().await.unwrap();
        assert_eq!(version.release, "9.1");
    })
    .await
}

/// A `/cluster/resources` body with `guests` containers spread over 16 nodes, shaped like
/// PVE 9's (every field PVE sends for a running container).
fn resources_body(guests: u32) -> Vec<u8> {
    let mut out = String::from("{\"data\":[");
    for i in 0..guests {
        if i > 0 {
            out.push(',');
        }
        let vmid = 100 + i;
        let node = i % 16 + 1;
        out.push_str(&format!(
            concat!(
                "{{\"id\":\"lxc/{vmid}\",\"type\":\"lxc\",\"vmid\":{vmid},\"name\":\"ct{vmid}.example.com\",",
                "\"node\":\"pve{node}\",\"status\":\"running\",\"template\":0,\"cpu\":0.0123,\"maxcpu\":2,",
                "\"mem\":{mem},\"maxmem\":1073741824,\"disk\":{disk},\"maxdisk\":8589934592,\"uptime\":{up},",
                "\"netin\":{net},\"netout\":{net},\"diskread\":{disk},\"diskwrite\":{net},",
                "\"tags\":\"web;prod\",\"lock\":\"\",\"hastate\":\"started\",\"pool\":\"customers\"}}"
            ),
            vmid = vmid,
            node = node,
            mem = 200_000_000 + u64::from(i) * 17,
            disk = 1_500_000_000 + u64::from(i) * 31,
            up = 86_400 + i,
            net = 123_456_789 + u64::from(i),
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

/// The best of `runs` timings of `f`, in milliseconds.
fn best_ms(clock: &SystemClock, runs: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = clock.now();
        f();
        let ms = clock.now().duration_since(start).unwrap().as_secs_f64() * 1000.0;
        best = best.min(ms);
    }
    best
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

const FAN_OUT_NODES: usize = 16;
const FAN_OUT_LATENCY: Duration = Duration::from_millis(20);

/// `client.nodes().status_all()` over 16 simulator nodes that each answer 20 ms late: the median
/// of 10 rounds after a warm-up (login, pooled connections), against the 20 ms floor.
fn sixteen_nodes(clock: &SystemClock) {
    // Two workers: the in-process simulator and the client share this runtime, as they would not
    // in production; one thread would serialise their TLS work and measure that instead.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = proxmox_api_sim::Simulator::builder()
            .nodes(FAN_OUT_NODES)
            .start()
            .await
            .unwrap();
        let client = Client::builder(sim.url())
            .credentials(Credentials::password(sim.user(), sim.password()))
            .pin_fingerprint(sim.fingerprint())
            .unwrap()
            .build()
            .unwrap();
        client.nodes().status_all().await.unwrap(); // log in, warm the pool
        for i in 1..=FAN_OUT_NODES {
            sim.control()
                .set_node_latency(&format!("pve{i}"), FAN_OUT_LATENCY);
        }
        let mut timings = Vec::new();
        for _ in 0..10 {
            let start = clock.now();
            let all = client.nodes().status_all().await.unwrap();
            timings.push(clock.now().duration_since(start).unwrap().as_secs_f64() * 1000.0);
            assert_eq!(all.len(), FAN_OUT_NODES);
            assert!(all.values().all(Result::is_ok));
        }
        timings.sort_by(f64::total_cmp);
        let median = timings[timings.len() / 2];
        let floor = FAN_OUT_LATENCY.as_secs_f64() * 1000.0;
        println!(
            "nodes().status_all() over {FAN_OUT_NODES} nodes at {floor:.0} ms each (default settings): median {median:.1} ms = {:.2}x the latency (target <= 1.3x)",
            median / floor
        );
    });
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = SystemClock::new();

    // Decode first, so the peak RSS reflects the listing and not the HTTP runs.
    let body = resources_body(20_000);
    let rss_before = peak_rss_mib();
    let typed_ms = best_ms(&clock, 7, || {
        let list: Vec<ClusterResource> = proxmox_api_core::envelope::decode_data(&body).unwrap();
        assert_eq!(list.len(), 20_000);
        assert!(list.iter().all(|r| r.as_lxc().is_some()));
    });
    let value_ms = best_ms(&clock, 7, || {
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["data"].as_array().unwrap().len(), 20_000);
    });
    let rss_after = peak_rss_mib();
    println!(
        "listing: 20000 guests, {:.1} MB body: typed decode {typed_ms:.1} ms, serde_json::Value {value_ms:.1} ms, ratio {:.2}x",
        body.len() as f64 / 1e6,
        typed_ms / value_ms
    );
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        println!("peak RSS: {before:.1} MiB before decoding, {after:.1} MiB after (body and both decodes held at most one at a time)");
    }

    runtime.block_on(async {
        let addr = minimal_server().await;
        let server_limit = raw_client_rate(&clock, addr).await;
        let minimal = reqwest_rate(&clock, addr).await;
        let core = core_rate(&clock, addr).await;
        println!("sequential req/s on loopback: server limit (raw TCP client) {server_limit:.0}, bare reqwest {minimal:.0}, core client {core:.0}");
        println!(
            "core / server limit = {:.2}x, core / bare reqwest = {:.2}x, core overhead ~ {:.1} us/request over the raw client",
            core / server_limit,
            core / minimal,
            (1e6 / core) - (1e6 / server_limit)
        );
    });
    sixteen_nodes(&clock);
    if let Some(peak) = peak_rss_mib() {
        println!("peak RSS at the end: {peak:.1} MiB");
    }
}
