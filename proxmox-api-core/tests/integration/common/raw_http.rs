//! A bare-bones HTTP/1.1 server on loopback for behaviour mockito cannot produce: bodies that
//! never end, drip slowly or lie about their length. One behaviour per server, every connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does after reading a request head.
#[derive(Clone)]
pub enum Behaviour {
    /// A complete response with this body.
    Body(Arc<Vec<u8>>),
    /// Announces `Content-Length: declared` and sends nothing after the headers.
    Declares(u64),
    /// A chunked body that never ends (64 KiB chunks, as fast as the client reads).
    Endless,
    /// A chunked body of one byte per `every`, forever.
    Drip(Duration),
    /// Reads the request and never answers.
    Silent,
}

/// Starts the server; it lives until the runtime ends. Returns `http://127.0.0.1:PORT`.
pub async fn serve(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream, behaviour.clone()));
        }
    });
    url
}

async fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&byte[..n]),
        }
        if head.len() > 64 * 1024 {
            return false;
        }
    }
    true
}

async fn handle(mut stream: TcpStream, behaviour: Behaviour) {
    if !read_head(&mut stream).await {
        return;
    }
    const CHUNKED: &str =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    match behaviour {
        Behaviour::Body(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            // Keep answering on the same connection: the client reuses it.
            loop {
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(&body).await.is_err()
                    || !read_head(&mut stream).await
                {
                    return;
                }
            }
        }
        Behaviour::Declares(len) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = read_head(&mut stream).await;
        }
        Behaviour::Endless => {
            if stream.write_all(CHUNKED.as_bytes()).await.is_err() {
                return;
            }
            let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
            chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
            chunk.extend_from_slice(b"\r\n");
            let _ = stream.write_all(b"9\r\n{\"data\":[\r\n").await;
            while stream.write_all(&chunk).await.is_ok() {}
        }
        Behaviour::Drip(every) => {
            if stream.write_all(CHUNKED.as_bytes()).await.is_err() {
                return;
            }
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                if stream.write_all(b"1\r\n \r\n").await.is_err() {
                    return;
                }
            }
        }
        Behaviour::Silent => {
            let _ = read_head(&mut stream).await;
        }
    }
}
