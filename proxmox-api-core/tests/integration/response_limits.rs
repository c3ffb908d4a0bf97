//! Hostile response bodies: too large, endless, dripping. The size limit is enforced while
//! reading and the request timeout bounds the whole read.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::raw_http::{serve, Behaviour};
use proxmox_api_core::{ApiRequest, Client, Clock, Error, SystemClock, TimeoutPhase};

fn client(url: &str, limit: Option<u64>, timeout: Duration) -> Client {
    let mut builder = Client::builder(url)
        .allow_insecure_http(true)
        .request_timeout(timeout)
        .retry_policy(proxmox_api_core::RetryPolicy::none());
    if let Some(limit) = limit {
        builder = builder.max_response_bytes(limit);
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_without_reading_it() {
    let url = serve(Behaviour::Declares(512 * 1024 * 1024)).await;
    let err = client(&url, Some(1024 * 1024), Duration::from_secs(20))
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == 1024 * 1024),
        "{err:?}"
    );
    assert!(err.was_sent());
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_long_before_the_timeout() {
    let url = serve(Behaviour::Endless).await;
    let clock = SystemClock::new();
    let started = clock.now();
    let err = client(&url, Some(4 * 1024 * 1024), Duration::from_secs(20))
        .get::<serde_json::Value>("/cluster/resources")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert_eq!(err.code(), "API");
    assert!(
        clock.now().duration_since(started).unwrap() < Duration::from_secs(10),
        "{:?}",
        clock.now().duration_since(started).unwrap()
    );
}

#[tokio::test]
async fn the_limit_is_configurable_per_call() {
    let body = format!("{{\"data\":\"{}\"}}", "x".repeat(10_000));
    let url = serve(Behaviour::Body(Arc::new(body.into_bytes()))).await;
    let client = client(&url, None, Duration::from_secs(20));
    let fine: String = client.get("/version").await.unwrap();
    assert_eq!(fine.len(), 10_000);
    let err = client
        .send::<String>(ApiRequest::get(["version"]).max_response_bytes(1000))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1000 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_slow_drip_is_bounded_by_the_request_timeout() {
    let url = serve(Behaviour::Drip(Duration::from_millis(50))).await;
    let clock = SystemClock::new();
    let started = clock.now();
    let err = client(&url, None, Duration::from_millis(600))
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    match err {
        Error::Timeout {
            sent: true,
            phase: TimeoutPhase::Body,
            elapsed_ms,
        } => assert!((500..5000).contains(&elapsed_ms), "{elapsed_ms}"),
        other => panic!("{other:?}"),
    }
    assert!(clock.now().duration_since(started).unwrap() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_silent_server_times_out_waiting_for_the_response() {
    let url = serve(Behaviour::Silent).await;
    let err = client(&url, None, Duration::from_millis(300))
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                sent: true,
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("waiting for the response"),
        "{err}"
    );
}
