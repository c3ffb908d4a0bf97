//! A loopback TCP proxy in front of a plain-HTTP simulator that loses responses on purpose:
//! it forwards a request to the server, lets the server execute it, and then either resets the
//! client's connection (`Reset`) or never forwards the answer (`Stall`). Faults are armed for the
//! next request whose request line starts with a given prefix (e.g. `POST /api2/json/nodes/`).
//! Loopback only; every connection ends when either side closes.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What happens to the answer of a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The client's connection is reset once the server has answered.
    Reset,
    /// The answer is never forwarded; the client's connection stays open and silent.
    Stall,
}

#[derive(Default)]
struct Armed {
    /// (request-line prefix, fault, how many more requests it applies to)
    rules: Vec<(String, Fault, u32)>,
    /// How many requests lost their answer, per fault.
    resets: u64,
    stalls: u64,
    /// The request line of every request seen (method and path; the query is cut off).
    requests: Vec<String>,
}

/// A running proxy; dropping it does not stop existing connections (the runtime does).
#[derive(Clone)]
pub struct FaultProxy {
    url: String,
    armed: Arc<Mutex<Armed>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream is http://127.0.0.1:PORT");
        assert!(upstream.ip().is_loopback(), "loopback only");
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let armed = Arc::new(Mutex::new(Armed::default()));
        let shared = armed.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                tokio::spawn(pump(client, server, shared.clone()));
            }
        });
        FaultProxy { url, armed }
    }

    /// The proxy's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies `fault` to the next `count` requests whose request line starts with `prefix`.
    pub fn arm(&self, prefix: &str, fault: Fault, count: u32) {
        self.armed
            .lock()
            .unwrap()
            .rules
            .push((prefix.to_owned(), fault, count));
    }

    /// (resets, stalls) done so far.
    pub fn counts(&self) -> (u64, u64) {
        let armed = self.armed.lock().unwrap();
        (armed.resets, armed.stalls)
    }

    /// How many requests so far had a request line starting with `prefix`.
    pub fn seen(&self, prefix: &str) -> usize {
        let armed = self.armed.lock().unwrap();
        armed
            .requests
            .iter()
            .filter(|r| r.starts_with(prefix))
            .count()
    }

    /// The fault for a request starting with `head`, consuming one use of its rule.
    fn take(armed: &Mutex<Armed>, head: &[u8]) -> Option<Fault> {
        let mut armed = armed.lock().unwrap();
        const METHODS: [&[u8]; 4] = [b"GET ", b"POST ", b"PUT ", b"DELETE "];
        if METHODS.iter().any(|m| head.starts_with(m)) {
            let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
            let line = String::from_utf8_lossy(line);
            let line = line.split('?').next().unwrap_or_default().to_owned();
            armed.requests.push(line);
        }
        let position = armed
            .rules
            .iter()
            .position(|(prefix, _, left)| *left > 0 && head.starts_with(prefix.as_bytes()))?;
        let rule = &mut armed.rules[position];
        rule.2 -= 1;
        let fault = rule.1;
        match fault {
            Fault::Reset => armed.resets += 1,
            Fault::Stall => armed.stalls += 1,
        }
        Some(fault)
    }
}

/// Copies both ways; when a client write starts a request that matches an armed rule, the
/// server's next answer is swallowed and the fault applied.
async fn pump(client: TcpStream, server: TcpStream, armed: Arc<Mutex<Armed>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let pending: Arc<Mutex<Option<Fault>>> = Arc::new(Mutex::new(None));
    let to_server = {
        let pending = pending.clone();
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if let Some(fault) = FaultProxy::take(&armed, &buf[..n]) {
                    *pending.lock().unwrap() = Some(fault);
                }
                if server_write.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    };
    let to_client = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => n,
            };
            let fault = *pending.lock().unwrap();
            if let Some(fault) = fault {
                return Some((fault, client_write));
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                return None;
            }
        }
    };
    tokio::pin!(to_server);
    let outcome = tokio::select! {
        _ = &mut to_server => None,
        outcome = to_client => outcome,
    };
    match outcome {
        Some((Fault::Reset, client_write)) => {
            // Dropping both halves closes the connection right after the server executed the
            // request: the client sees the connection end without an answer.
            drop(client_write);
        }
        Some((Fault::Stall, client_write)) => {
            // Keep the client's side open and silent until the client gives up.
            let _keep = client_write;
            to_server.await;
        }
        None => {}
    }
}
