//! Serving: one task per connection under a connection limit, header/handshake and body read
//! timeouts, accept errors (such as running out of file descriptors) logged and survived, and a
//! graceful shutdown that stops accepting and lets in-flight requests finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::tls::GatewayTls;
use super::Gateway;

/// Pause after a failed `accept()` before trying again: the usual cause (no file descriptors
/// left) clears when connections close, and retrying at once would spin.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Serves `gateway` on `listener` (TLS when `tls` is given) until `shutdown` completes; then
/// stops accepting, asks open connections to close after their current request and waits up to
/// the configured grace for them.
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    tls: Option<GatewayTls>,
    shutdown: impl Future<Output = ()>,
) {
    let limits = gateway.config().limits.clone();
    let clock = gateway.service.clock();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("rest_api: accept failed ({e}); retrying");
                    drop(slot);
                    clock.sleep(ACCEPT_RETRY_PAUSE).await;
                    continue;
                }
            },
        };
        let gateway = gateway.clone();
        let tls = tls.clone();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let header_timeout = gateway.config().limits.header_timeout;
            match tls {
                None => connection(stream, peer, gateway, stopped).await,
                Some(tls) => {
                    let handshake =
                        tokio::time::timeout(header_timeout, tls.acceptor.accept(stream));
                    // A failed or stalled handshake is the client's business.
                    if let Ok(Ok(stream)) = handshake.await {
                        connection(stream, peer, gateway, stopped).await;
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        eprintln!("rest_api: shutdown grace over; dropping the connections still open");
    }
}

/// One HTTP/1.1 connection; on shutdown it finishes the request in progress, then closes.
async fn connection<S>(
    stream: S,
    peer: SocketAddr,
    gateway: Arc<Gateway>,
    mut stopped: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let header_timeout = gateway.config().limits.header_timeout;
    let service = service_fn(move |request| {
        let gateway = gateway.clone();
        async move { Ok::<_, Infallible>(gateway.handle(request, peer).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let stop_asked = async move {
        // The guard `wait_for` returns is not Send: drop it before the select goes on.
        let _ = stopped.wait_for(|stop| *stop).await.map(|_| ());
    };
    tokio::select! {
        // A client hanging up mid-request is its own business; nothing to report.
        _ = conn.as_mut() => {}
        () = stop_asked => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
