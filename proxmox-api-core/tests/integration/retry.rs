//! Retries: a GET retried after a 503 (mockito), a POST not retried, connect errors retried for
//! every method, bounded attempts, backoff through the injected clock.

use crate::common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use common::*;
use proxmox_api_core::{
    ApiRequest, Client, Credentials, HttpRequest, HttpResponse, ManualClock, RetryPolicy,
    Transport, TransportError,
};

fn no_jitter() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        max_total: Duration::from_secs(10),
        jitter: false,
    }
}

#[tokio::test]
async fn get_is_retried_after_503_and_post_is_not() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let unavailable = server
        .mock("GET", "/api2/json/cluster/resources")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api2/json/cluster/resources")
        .with_body(r#"{"data":[{"id":"node/pve1"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let post = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .retry_policy(no_jitter())
        .build()
        .unwrap();
    let list: Vec<serde_json::Value> = client.get("/cluster/resources").await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(100)]);
    let err = client
        .send::<String>(ApiRequest::post(["nodes", "pve1", "lxc"]).param("vmid", 100))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.was_sent());
    unavailable.assert_async().await;
    ok.assert_async().await;
    post.assert_async().await;
    assert_eq!(clock.sleeps().len(), 1, "the POST did not wait for a retry");
}

/// Answers from a script and records what it was asked.
#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<HttpResponse, TransportError>>>,
    seen: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(answers: Vec<Result<HttpResponse, TransportError>>) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers.into()),
            seen: Mutex::default(),
        })
    }
    fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

fn status(code: u16) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status: code,
        reason: None,
        headers: Vec::new(),
        body: Bytes::from_static(b"{\"data\":null}"),
    })
}

fn refused() -> Result<HttpResponse, TransportError> {
    Err(TransportError::Connect {
        message: "connection refused".into(),
    })
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.seen
            .lock()
            .unwrap()
            .push(format!("{} {}", request.method, request.url.path()));
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("script ran out")
    }
}

fn client(transport: Arc<Scripted>, clock: &ManualClock, policy: RetryPolicy) -> Client {
    Client::builder("pve.test")
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .transport(transport)
        .clock(Arc::new(clock.clone()))
        .retry_policy(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn connect_errors_are_retried_for_writes_too() {
    let clock = ManualClock::at_unix(T0);
    let t = Scripted::new(vec![refused(), refused(), status(200)]);
    let c = client(t.clone(), &clock, no_jitter());
    c.send::<()>(ApiRequest::post([
        "nodes", "pve1", "lxc", "100", "status", "start",
    ]))
    .await
    .unwrap();
    assert_eq!(t.calls(), 3);
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_returned() {
    let clock = ManualClock::at_unix(T0);
    let t = Scripted::new(vec![status(502), status(504), status(595), status(503)]);
    let c = client(t.clone(), &clock, no_jitter());
    let err = c.get::<serde_json::Value>("/nodes").await.unwrap_err();
    assert_eq!(t.calls(), 4);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), "API");
    assert_eq!(clock.sleeps().len(), 3);
}

#[tokio::test]
async fn total_time_bounds_retries() {
    let clock = ManualClock::at_unix(T0);
    let t = Scripted::new(vec![status(503), status(503), status(503)]);
    let policy = RetryPolicy {
        max_attempts: 10,
        initial_backoff: Duration::from_secs(4),
        max_backoff: Duration::from_secs(8),
        max_total: Duration::from_secs(10),
        jitter: false,
    };
    let c = client(t.clone(), &clock, policy);
    c.get::<serde_json::Value>("/nodes").await.unwrap_err();
    // 4 s, then 8 s would pass the 10 s budget: two attempts only.
    assert_eq!(t.calls(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(4)]);
}

#[tokio::test]
async fn errors_that_are_not_transient_are_not_retried() {
    let clock = ManualClock::at_unix(T0);
    let t = Scripted::new(vec![status(500), status(596)]);
    let c = client(t.clone(), &clock, no_jitter());
    assert_eq!(
        c.get::<serde_json::Value>("/nodes")
            .await
            .unwrap_err()
            .code(),
        "API"
    );
    assert_eq!(
        c.get::<serde_json::Value>("/nodes")
            .await
            .unwrap_err()
            .code(),
        "NODE_UNREACHABLE"
    );
    assert_eq!(t.calls(), 2);
    assert!(clock.sleeps().is_empty());
}
