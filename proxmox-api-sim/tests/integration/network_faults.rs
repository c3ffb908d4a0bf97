//! Network faults (issue 11, point 4): TCP resets before and after the server acted, stalled
//! answers, slow bodies; bounded by a count and recorded in the fault log, from Rust and from
//! the control endpoint.

use crate::infra_support;

use std::time::Duration;

use infra_support::{pinned_client, Session};
use proxmox_api_sim::faults::NetworkFault;
use proxmox_api_sim::Simulator;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn sim() -> proxmox_api_sim::RunningSimulator {
    Simulator::builder().start().await.unwrap()
}

#[tokio::test]
async fn reset_before_handling_changes_nothing_and_is_counted() {
    let sim = sim().await;
    let root = Session::root(&sim).await;
    sim.control()
        .network_fault("POST", "/access/users", 1, NetworkFault::ResetBefore);
    let url = format!("{}/api2/json/access/users", sim.url());
    let (ticket, csrf) = match &root.auth {
        infra_support::Auth::Ticket { ticket, csrf } => (ticket.clone(), csrf.clone()),
        _ => unreachable!(),
    };
    let sent = root
        .client
        .post(&url)
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .header("CSRFPreventionToken", &csrf)
        .form(&[("userid", "early@pve")])
        .send()
        .await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    assert_eq!(
        root.get("/access/users/early@pve").await.status,
        500,
        "not acted on"
    );
    let log = sim.control().fault_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "reset-before");
    assert_eq!(log[0].path, "/access/users");
    // Bounded: the next identical request goes through.
    let r = root.post("/access/users", &[("userid", "early@pve")]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn reset_after_acting_keeps_the_effect_but_loses_the_answer() {
    let sim = sim().await;
    let root = Session::root(&sim).await;
    sim.control()
        .network_fault("POST", "/access/users", 1, NetworkFault::ResetAfter);
    let url = format!("{}/api2/json/access/users", sim.url());
    let (ticket, csrf) = match &root.auth {
        infra_support::Auth::Ticket { ticket, csrf } => (ticket.clone(), csrf.clone()),
        _ => unreachable!(),
    };
    let sent = root
        .client
        .post(&url)
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .header("CSRFPreventionToken", &csrf)
        .form(&[("userid", "late@pve")])
        .send()
        .await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    assert_eq!(
        root.get("/access/users/late@pve").await.status,
        200,
        "acted on"
    );
    assert_eq!(sim.control().fault_log()[0].kind, "reset-after");
}

#[tokio::test]
async fn a_reset_is_a_tcp_rst() {
    let sim = Simulator::builder().plain_http(true).start().await.unwrap();
    sim.control()
        .network_fault("GET", "/version", 1, NetworkFault::ResetBefore);
    let mut tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    tcp.write_all(b"GET /api2/json/version HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let err = tcp.read_to_end(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    assert!(buf.is_empty());
}

#[tokio::test]
async fn a_stall_outlasts_a_client_timeout_then_stops() {
    let sim = sim().await;
    let root = Session::root(&sim).await;
    let control = pinned_client(sim.fingerprint());
    let r = control
        .post(format!("{}/_sim/network-fault", sim.url()))
        .json(
            &json!({"method": "GET", "path": "/version", "count": 1, "kind": "stall", "ms": 2000}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let impatient = pinned_client(sim.fingerprint());
    let err = impatient
        .get(format!("{}/api2/json/version", sim.url()))
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(root.get("/version").await.status, 200, "one request only");
    let log: serde_json::Value = control
        .get(format!("{}/_sim/fault-log", sim.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        log["data"],
        json!([{"kind": "stall", "method": "GET", "path": "/version"}])
    );
}

#[tokio::test]
async fn a_slow_body_arrives_in_pieces_and_complete() {
    let sim = sim().await;
    let root = Session::root(&sim).await;
    sim.control().network_fault(
        "GET",
        "/version",
        1,
        NetworkFault::SlowBody {
            chunk: 16,
            interval: Duration::from_millis(5),
        },
    );
    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let mut resp = root
        .client
        .get(format!("{}/api2/json/version", sim.url()))
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let declared: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut pieces = 0;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        assert!(chunk.len() <= 16);
        pieces += 1;
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body.len(), declared);
    assert!(
        pieces >= declared / 16,
        "{pieces} pieces for {declared} bytes"
    );
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(v["data"]["version"].is_string());
    assert_eq!(sim.control().fault_log()[0].kind, "slow-body");
}

#[tokio::test]
async fn unknown_kinds_are_refused_and_counts_are_bounded() {
    let sim = sim().await;
    let control = pinned_client(sim.fingerprint());
    let r = control
        .post(format!("{}/_sim/network-fault", sim.url()))
        .json(&json!({"path": "/version", "kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    sim.control()
        .network_fault("*", "/version", 1_000_000, NetworkFault::ResetBefore);
    let remaining = sim
        .control()
        .with_state(|s| s.faults.network_rules[0].remaining);
    assert_eq!(remaining, 1000);
    sim.control().clear_faults();
    assert!(sim
        .control()
        .with_state(|s| s.faults.network_rules.is_empty()));
}
