//! Network faults at the connection level: a TCP reset before or after the request is handled,
//! a stalled answer, a body sent a few bytes at a time. They sit around the request pipeline,
//! so the pipeline itself never knows about sockets.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::wire::Body;
use super::{pipeline, ServerContext};
use crate::faults::NetworkFault;

/// A TCP stream that closes with RST (`SO_LINGER` 0) instead of FIN once `reset` is set.
#[derive(Debug)]
pub struct ResettableTcp {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl ResettableTcp {
    /// Wraps `inner`; setting `reset` makes dropping the stream send a TCP RST.
    pub fn new(inner: TcpStream, reset: Arc<AtomicBool>) -> Self {
        Self { inner, reset }
    }
}

impl Drop for ResettableTcp {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // Zero linger turns the close into an RST; the socket is non-blocking, so nothing
            // waits here.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The error that makes hyper drop the connection without an answer.
#[derive(Debug)]
pub struct ConnectionReset;

impl std::fmt::Display for ConnectionReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by an injected network fault")
    }
}

impl std::error::Error for ConnectionReset {}

/// Handles one request with the network fault (if any) that matches it.
pub async fn serve(
    ctx: Arc<ServerContext>,
    req: Request<Incoming>,
    reset: Arc<AtomicBool>,
) -> Result<Response<ServedBody>, ConnectionReset> {
    let fault = matching_fault(&ctx, &req);
    let Some(fault) = fault else {
        return Ok(pipeline::handle(ctx, req).await.map(ServedBody::Whole));
    };
    match fault {
        NetworkFault::ResetBefore => {
            reset.store(true, Ordering::Relaxed);
            Err(ConnectionReset)
        }
        NetworkFault::ResetAfter => {
            let _acted = pipeline::handle(ctx, req).await;
            reset.store(true, Ordering::Relaxed);
            Err(ConnectionReset)
        }
        NetworkFault::Stall(d) => {
            let response = pipeline::handle(ctx, req).await;
            sleep(d).await;
            Ok(response.map(ServedBody::Whole))
        }
        NetworkFault::SlowBody { chunk, interval } => {
            let response = pipeline::handle(ctx, req).await;
            Ok(response.map(|body| ServedBody::Drip(Drip::new(body, chunk, interval))))
        }
    }
}

fn matching_fault(ctx: &ServerContext, req: &Request<Incoming>) -> Option<NetworkFault> {
    let path = req.uri().path().strip_prefix("/api2/json")?;
    let path = if path.is_empty() { "/" } else { path };
    let mut state = ctx.state.lock();
    if state.faults.network_rules.is_empty() {
        return None;
    }
    state.faults.take_network_fault(req.method().as_str(), path)
}

/// A response body: whole, or dripped by a slow-body fault.
#[derive(Debug)]
pub enum ServedBody {
    /// The pipeline's body, sent as one.
    Whole(Body),
    /// Sent a chunk at a time.
    Drip(Drip),
}

impl HttpBody for ServedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ServedBody::Whole(b) => Pin::new(b).poll_frame(cx),
            ServedBody::Drip(d) => Pin::new(d).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ServedBody::Whole(b) => b.is_end_stream(),
            ServedBody::Drip(d) => d.rest.is_empty() && d.source.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ServedBody::Whole(b) => b.size_hint(),
            ServedBody::Drip(d) => d.size_hint,
        }
    }
}

/// A body sent `chunk` bytes at a time with a pause between writes.
#[derive(Debug)]
pub struct Drip {
    source: Option<Body>,
    rest: Bytes,
    chunk: usize,
    interval: Duration,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    size_hint: SizeHint,
}

impl Drip {
    fn new(body: Body, chunk: usize, interval: Duration) -> Self {
        let size_hint = body.size_hint();
        Self {
            source: Some(body),
            rest: Bytes::new(),
            chunk: chunk.max(1),
            interval,
            pause: None,
            size_hint,
        }
    }
}

impl HttpBody for Drip {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(source) = this.source.as_mut() {
            match Pin::new(source).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        this.rest = data;
                    }
                }
                Poll::Ready(None) => {}
            }
            this.source = None;
        }
        if this.rest.is_empty() {
            return Poll::Ready(None);
        }
        if let Some(pause) = this.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
        }
        let n = this.chunk.min(this.rest.len());
        let piece = this.rest.split_to(n);
        if !this.rest.is_empty() {
            this.pause = Some(Box::pin(sleep_future(this.interval)));
        }
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }
}

/// Network faults happen in real time (they exist to test a client's timeouts), so the
/// injected clock does not apply.
#[allow(clippy::disallowed_methods)]
fn sleep_future(d: Duration) -> tokio::time::Sleep {
    tokio::time::sleep(d)
}

async fn sleep(d: Duration) {
    sleep_future(d).await;
}
