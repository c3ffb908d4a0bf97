//! Errors say what really happened: a login that failed stopped the write from being sent; a call
//! spanning two ticket invalidations logs in again; timeouts name their phase and the time really
//! waited.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use proxmox_api_core::{
    ApiRequest, Client, Credentials, Error, HttpRequest, HttpResponse, ManualClock, RetryPolicy,
    RetrySafety, TimeoutPhase, Transport, TransportError,
};

#[tokio::test]
async fn a_login_failing_before_a_write_reports_the_write_as_not_sent() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let write = server
        .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/start")
        .expect(0)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .send::<String>(ApiRequest::post([
            "nodes", "pve1", "lxc", "100", "status", "start",
        ]))
        .await
        .unwrap_err();
    assert!(!err.was_sent(), "{err:?}");
    assert_eq!(err.retry_safety(), RetrySafety::Safe, "{err:?}");
    assert_eq!(err.code(), "API");
    assert_eq!(err.status(), Some(503));
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    login.assert_async().await;
    write.assert_async().await;
}

#[tokio::test]
async fn a_call_spanning_two_ticket_invalidations_logs_in_again() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let tickets = [
        ticket("root@pam", T0, "one"),
        ticket("root@pam", T0 + 1, "two"),
        ticket("root@pam", T0 + 2, "three"),
    ];
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .with_body_from_request({
            let tickets = tickets.clone();
            let n = AtomicUsize::new(0);
            move |_| {
                let i = n.fetch_add(1, Ordering::SeqCst).min(2);
                login_reply("root@pam", &tickets[i], "C").into()
            }
        })
        .expect(3)
        .create_async()
        .await;
    // Both the first ticket and the one from the re-login are invalidated (two key rotations).
    let mut refused = Vec::new();
    for t in &tickets[..2] {
        refused.push(
            server
                .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/start")
                .match_header("cookie", format!("PVEAuthCookie={t}").as_str())
                .with_status(401)
                .expect(1)
                .create_async()
                .await,
        );
    }
    let accepted = server
        .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/start")
        .match_header("cookie", format!("PVEAuthCookie={}", tickets[2]).as_str())
        .with_body(r#"{"data":"UPID:pve1:00001234:00005678:6955A000:vzstart:100:root@pam:"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    let upid: String = client
        .send(ApiRequest::post([
            "nodes", "pve1", "lxc", "100", "status", "start",
        ]))
        .await
        .unwrap();
    assert!(upid.starts_with("UPID:pve1:"));
    login.assert_async().await;
    for mock in refused {
        mock.assert_async().await;
    }
    accepted.assert_async().await;
}

/// Every attempt takes 10 s on the manual clock and ends in a connect timeout, reported (as
/// reqwest does) with the request timeout as its duration.
#[derive(Debug)]
struct SlowConnect {
    clock: ManualClock,
    attempts: AtomicUsize,
}

#[async_trait]
impl Transport for SlowConnect {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        self.clock.advance(Duration::from_secs(10));
        Err(TransportError::Timeout {
            sent: false,
            after: request.timeout,
            phase: TimeoutPhase::Connect,
        })
    }
}

#[tokio::test]
async fn a_timeout_reports_its_phase_and_the_time_really_waited() {
    let clock = ManualClock::at_unix(T0);
    let transport = Arc::new(SlowConnect {
        clock: clock.clone(),
        attempts: AtomicUsize::new(0),
    });
    let client = Client::builder("pve.example.com")
        .clock(Arc::new(clock.clone()))
        .transport(transport.clone())
        .request_timeout(Duration::from_secs(60))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(4),
            max_total: Duration::from_secs(300),
            jitter: false,
        })
        .build()
        .unwrap();
    let err = client
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert_eq!(transport.attempts.load(Ordering::SeqCst), 3);
    // Three 10 s connects plus the 1 s and 2 s backoffs: 33 s, not the 60 s request timeout.
    match &err {
        Error::Timeout {
            sent,
            elapsed_ms,
            phase,
        } => {
            assert!(!sent);
            assert_eq!(*elapsed_ms, 33_000);
            assert_eq!(*phase, TimeoutPhase::Connect);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.to_string(), "timed out connecting after 33000 ms");
}
