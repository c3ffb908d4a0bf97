//! The HTTP(S) server: hyper 1 (HTTP/1.1, keep-alive) over tokio-rustls.

pub mod hooks;
pub mod multipart;
pub mod netfaults;
pub mod params;
mod pipeline;
pub mod upload;
pub mod wire;

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::state::SimState;

/// What every request handler shares.
#[derive(Debug)]
pub struct ServerContext {
    /// The one lock on the simulated world.
    pub state: Arc<Mutex<SimState>>,
    /// Delay before answering a 401 (PVE: 3 s).
    pub auth_failure_delay: Duration,
    /// Nodes of the cluster (unknown ones get PVE's hostname lookup error).
    pub node_names: Vec<String>,
    /// The simulator's clock (also in the state), for the `Date` header without the lock.
    pub clock: crate::clock::SimClock,
}

/// Runs the accept loop until `shutdown` flips to `true`; then stops accepting and aborts
/// every open connection.
pub async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    ctx: Arc<ServerContext>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let reset = Arc::new(AtomicBool::new(false));
                let stream = netfaults::ResettableTcp::new(stream, reset.clone());
                let ctx = ctx.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => serve_connection(stream, ctx, peer, reset).await,
                            Err(e) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        },
                        None => serve_connection(stream, ctx, peer, reset).await,
                    }
                });
            }
        }
    }
    connections.abort_all();
}

async fn serve_connection<S>(
    stream: S,
    ctx: Arc<ServerContext>,
    peer: SocketAddr,
    reset: Arc<AtomicBool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| netfaults::serve(ctx.clone(), req, reset.clone()));
    let result = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
    if let Err(e) = result {
        tracing::debug!(%peer, "connection ended: {e}");
    }
}
