//! Client overhead and decode speed, printed as numbers (no timing assertions):
//!
//! - sequential requests per second against two servers, each by a minimal client (the server's
//!   own limit), by bare reqwest and by the core client (`client.version()`), with the core's
//!   ratio to each: (a) a minimal loopback HTTP server that does almost nothing per request, so
//!   the client's overhead shows; (b) the simulator over HTTPS with a ticket cookie, PVE's wire
//!   format (the minimal client is a raw TLS connection with pre-formatted requests). Both lines
//!   are always printed;
//! - a 20,000-guest `/cluster/resources` body decoded into typed models by the core, against a
//!   bare `serde_json::from_slice::<Value>` of the same bytes, and the peak RSS;
//! - the status of 16 simulated nodes that each answer 20 ms late, through the natural call
//!   (`client.nodes().status_all()`, default settings), as a multiple of the 20 ms floor (the
//!   bindings' benchmarks print the same number for Python and Node).
//!
//! `cargo bench -p proxmox-api-core --bench throughput` (`BENCH_SECONDS` per measurement,
//! default 1; `BENCH_ROUNDS` interleaved rounds, best kept, default 3; `BENCH_RUNTIME=current`
//! for a single-threaded client runtime).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use proxmox_api_core::models::ClusterResource;
use proxmox_api_core::tls::TlsOptions;
use proxmox_api_core::{Client, Clock, Credentials, SystemClock};
use secrecy::ExposeSecret;
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
        .unwrap_or(1.0)
}

/// How many interleaved rounds each client gets (the best round counts: on a shared machine the
/// slowest rounds measure the neighbours, not the client).
fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1)
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

/// The three clients' best rates over interleaved rounds against one server.
struct Rates {
    limit: f64,
    reqwest: f64,
    core: f64,
}

impl Rates {
    fn print(&self, server: &str, limit_client: &str) {
        println!(
            "{server}: sequential req/s, best of {} rounds: server limit ({limit_client}) {:.0}, bare reqwest {:.0}, core client {:.0}",
            rounds(),
            self.limit,
            self.reqwest,
            self.core
        );
        println!(
            "{server}: core / server limit = {:.2}x, core / bare reqwest = {:.2}x, reqwest / server limit = {:.2}x, core overhead ~ {:.1} us/request over the minimal client",
            self.core / self.limit,
            self.core / self.reqwest,
            self.reqwest / self.limit,
            (1e6 / self.core) - (1e6 / self.limit)
        );
    }
}

/// Measures `limit`, `reqwest` and `core` in turn, `rounds()` times, keeping each one's best.
async fn interleaved<L, LF, R, RF, C, CF>(mut limit: L, mut reqwest: R, mut core: C) -> Rates
where
    L: FnMut() -> LF,
    LF: std::future::Future<Output = f64>,
    R: FnMut() -> RF,
    RF: std::future::Future<Output = f64>,
    C: FnMut() -> CF,
    CF: std::future::Future<Output = f64>,
{
    let mut best = Rates {
        limit: 0.0,
        reqwest: 0.0,
        core: 0.0,
    };
    for _ in 0..rounds() {
        best.limit = best.limit.max(limit().await);
        best.reqwest = best.reqwest.max(reqwest().await);
        best.core = best.core.max(core().await);
    }
    best
}

/// A raw HTTP/1.1 connection (plain TCP or TLS) sending one pre-formatted request at a time and
/// reading exactly one `Content-Length` response: the least a client can do per request.
struct RawConnection<S> {
    stream: S,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> RawConnection<S> {
    fn new(stream: S, request: String) -> Self {
        Self {
            stream,
            request: request.into_bytes(),
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    async fn round_trip(&mut self) {
        self.stream.write_all(&self.request).await.unwrap();
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(head_end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..head_end]).unwrap();
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().unwrap())
                    })
                    .expect("a Content-Length response");
                if self.buf.len() >= head_end + 4 + length {
                    assert_eq!(
                        self.buf.len(),
                        head_end + 4 + length,
                        "one response at a time"
                    );
                    return;
                }
            }
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

async fn raw_client_rate(clock: &SystemClock, addr: SocketAddr) -> f64 {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let request = format!(
        "GET /api2/json/version HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n"
    );
    // One connection, used by one request at a time (the lock is never contended).
    let connection = tokio::sync::Mutex::new(RawConnection::new(stream, request));
    rate(clock, || async {
        connection.lock().await.round_trip().await
    })
    .await
}

/// The reqwest client a user would build by hand (defaults: pooled keep-alive connections).
fn bare_reqwest(tls: Option<rustls::ClientConfig>) -> reqwest::Client {
    match tls {
        Some(config) => reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .build()
            .unwrap(),
        None => reqwest::Client::new(),
    }
}

async fn reqwest_rate(
    clock: &SystemClock,
    http: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
) -> f64 {
    rate(clock, || async {
        let mut request = http.get(url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success());
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty());
    })
    .await
}

async fn core_rate(clock: &SystemClock, client: &Client) -> f64 {
    rate(clock, || async {
        let version = client.version().await.unwrap();
        assert!(!version.release.is_empty());
    })
    .await
}

/// (a) The minimal server: the client's overhead with almost nothing on the server side.
async fn minimal_server_rates(clock: &SystemClock, addr: SocketAddr) -> Rates {
    let http = bare_reqwest(None);
    let url = format!("http://{addr}/api2/json/version");
    let client = Client::builder(format!("http://{addr}"))
        .allow_insecure_http(true)
        .credentials(Credentials::api_token(
            "root@pam!bench",
            "00000000-0000-0000-0000-000000000000",
        ))
        .build()
        .unwrap();
    interleaved(
        || raw_client_rate(clock, addr),
        || reqwest_rate(clock, &http, &url, None),
        || core_rate(clock, &client),
    )
    .await
}

/// What the benchmark needs to reach the simulator running on the server thread.
struct SimulatorAccess {
    addr: SocketAddr,
    url: String,
    fingerprint: String,
    user: String,
    password: String,
}

/// (b) The simulator over HTTPS (PVE's real wire format, ticket checks, TLS): one login, then the
/// same three clients on a ticket cookie.
async fn simulator_rates(clock: &SystemClock, sim: &SimulatorAccess) -> Rates {
    let mut tls = TlsOptions::default();
    tls.pin_fingerprint(&sim.fingerprint).unwrap();
    let client = Client::builder(sim.url.clone())
        .pin_fingerprint(&sim.fingerprint)
        .unwrap()
        .credentials(Credentials::password(
            sim.user.clone(),
            sim.password.clone(),
        ))
        .build()
        .unwrap();
    // Logs the core in, and gives the other two clients a ticket of their own.
    let ticket = client
        .login_as(&sim.user, sim.password.clone())
        .await
        .unwrap();
    let cookie = format!("PVEAuthCookie={}", ticket.ticket.expose_secret());
    client.version().await.unwrap();

    let http = bare_reqwest(Some(tls.client_config().unwrap()));
    let url = format!("{}/api2/json/version", sim.url);
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls.client_config().unwrap()));
    let raw_request = format!(
        "GET /api2/json/version HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nCookie: {cookie}\r\n\r\n",
        sim.addr
    );
    let raw_rate = || async {
        let tcp = TcpStream::connect(sim.addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        let server_name = rustls::pki_types::ServerName::from(sim.addr.ip());
        let stream = connector.connect(server_name, tcp).await.unwrap();
        let connection = tokio::sync::Mutex::new(RawConnection::new(stream, raw_request.clone()));
        rate(clock, || async {
            connection.lock().await.round_trip().await
        })
        .await
    };
    interleaved(
        raw_rate,
        || reqwest_rate(clock, &http, &url, Some(&cookie)),
        || core_rate(clock, &client),
    )
    .await
}

/// Runs both servers on a thread and runtime of their own (as a separate process would), so the
/// client side of every measurement has its runtime to itself.
fn start_servers() -> (SocketAddr, SimulatorAccess) {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let minimal = minimal_server().await;
            let sim = proxmox_api_sim::Simulator::builder()
                .nodes(1)
                .start()
                .await
                .unwrap();
            let access = SimulatorAccess {
                addr: sim.addr(),
                url: sim.url().to_owned(),
                fingerprint: sim.fingerprint().to_owned(),
                user: sim.user().to_owned(),
                password: sim.password().to_owned(),
            };
            sender.send((minimal, access)).unwrap();
            // Serve until the process exits.
            std::future::pending::<()>().await;
            drop(sim);
        });
    });
    receiver.recv().unwrap()
}

/// The client runtime: `BENCH_RUNTIME=current` for a single-threaded one, otherwise the
/// multi-threaded runtime `#[tokio::main]` gives an application.
fn client_runtime() -> (tokio::runtime::Runtime, &'static str) {
    if std::env::var("BENCH_RUNTIME").is_ok_and(|v| v == "current") {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        (rt, "current_thread")
    } else {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        (rt, "multi_thread")
    }
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
    drop(body);

    let (minimal_addr, sim) = start_servers();
    let (runtime, flavour) = client_runtime();
    println!("clients on a {flavour} tokio runtime, servers on a thread of their own");
    runtime.block_on(async {
        minimal_server_rates(&clock, minimal_addr)
            .await
            .print("minimal HTTP server", "raw TCP client");
        simulator_rates(&clock, &sim)
            .await
            .print("simulator over HTTPS", "raw TLS client");
    });
    sixteen_nodes(&clock);
    if let Some(peak) = peak_rss_mib() {
        println!("peak RSS at the end: {peak:.1} MiB");
    }
}
