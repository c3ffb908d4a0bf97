//! Fault injection from Rust and over `/_sim/`: offline nodes, failing requests, latency,
//! expired tickets, failed tasks, held locks, clock and task-duration control.

use crate::infra_support;

use std::time::{Duration, UNIX_EPOCH};

use infra_support::Session;
use proxmox_api_sim::{RunningSimulator, SimClock, Simulator};
use serde_json::{json, Value};

const TEMPLATE: &str = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst";

async fn frozen_sim() -> RunningSimulator {
    Simulator::builder()
        .clock(SimClock::frozen_at(
            UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        ))
        .start()
        .await
        .unwrap()
}

async fn task_status(root: &Session, upid: &str) -> Value {
    let node = upid.split(':').nth(1).unwrap();
    let path = format!(
        "/nodes/{node}/tasks/{}/status",
        percent_encoding::utf8_percent_encode(upid, percent_encoding::NON_ALPHANUMERIC)
    );
    root.get(&path).await.data()
}

#[tokio::test]
async fn offline_node_answers_595_and_shows_offline() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    assert_eq!(root.get("/nodes/pve2/status").await.status, 200);
    sim.control().set_node_online("pve2", false);
    let r = root.get("/nodes/pve2/status").await;
    assert_eq!(r.status, 595);
    assert_eq!(r.message(), "no route to host\n");
    assert_eq!(r.headers["connection"], "close");
    // Other nodes and cluster views still answer; the node is listed as offline.
    assert_eq!(root.get("/nodes/pve1/status").await.status, 200);
    let status = root.get("/cluster/status").await.data();
    let pve2 = status
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "pve2")
        .expect("pve2 listed")
        .clone();
    assert_eq!(pve2["online"], 0);
    let nodes = root.get("/nodes").await.data();
    let pve2 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve2")
        .unwrap();
    assert_eq!(pve2["status"], "offline");
    sim.control().set_node_online("pve2", true);
    assert_eq!(root.get("/nodes/pve2/status").await.status, 200);
}

#[tokio::test]
async fn unknown_node_is_hostname_lookup_failure() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let r = root.get("/nodes/pve9/status").await;
    assert_eq!(r.status, 500);
    assert!(
        r.message().starts_with("hostname lookup 'pve9' failed"),
        "{}",
        r.message()
    );
}

#[tokio::test]
async fn fail_next_n_matching_requests() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().fail_next(
        "GET",
        "/nodes/*/status",
        2,
        503,
        "service unavailable - injected",
    );
    // Non-matching requests are untouched.
    assert_eq!(root.get("/version").await.status, 200);
    for _ in 0..2 {
        let r = root.get("/nodes/pve1/status").await;
        assert_eq!(r.status, 503);
        assert_eq!(r.message(), "service unavailable - injected\n");
    }
    assert_eq!(root.get("/nodes/pve1/status").await.status, 200);
}

#[tokio::test]
async fn latency_per_node_delays_only_that_node() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control()
        .set_node_latency("pve3", Duration::from_millis(200));
    #[allow(clippy::disallowed_methods)] // measuring real latency added by the server
    let t = std::time::Instant::now();
    assert_eq!(root.get("/nodes/pve3/status").await.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
    sim.control().set_node_latency("pve3", Duration::ZERO);
    sim.control().set_latency(Duration::from_millis(100));
    #[allow(clippy::disallowed_methods)]
    let t = std::time::Instant::now();
    assert_eq!(root.get("/version").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn next_task_fails_with_the_chosen_exit_status() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().fail_next_task(
        "vzcreate",
        "unable to create CT 200 - no space left on device",
    );
    let upid = root
        .post(
            "/nodes/pve1/lxc",
            &[
                ("vmid", "200"),
                ("ostemplate", TEMPLATE),
                ("rootfs", "local-lvm:4"),
            ],
        )
        .await
        .data();
    let upid = upid.as_str().expect("a UPID").to_owned();
    assert!(upid.starts_with("UPID:pve1:"), "{upid}");
    assert!(upid.contains(":vzcreate:200:root@pam:"), "{upid}");
    sim.control().advance_clock(Duration::from_secs(60));
    let status = task_status(&root, &upid).await;
    assert_eq!(status["status"], "stopped");
    assert_eq!(
        status["exitstatus"],
        "unable to create CT 200 - no space left on device"
    );
    // Only the next one: the following create succeeds.
    let upid = root
        .post(
            "/nodes/pve1/lxc",
            &[
                ("vmid", "201"),
                ("ostemplate", TEMPLATE),
                ("rootfs", "local-lvm:4"),
            ],
        )
        .await
        .data();
    sim.control().advance_clock(Duration::from_secs(60));
    let status = task_status(&root, upid.as_str().unwrap()).await;
    assert_eq!(status["exitstatus"], "OK");
}

#[tokio::test]
async fn held_lock_blocks_changes_until_released() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().set_task_duration_scale(0.0);
    root.post(
        "/nodes/pve1/lxc",
        &[
            ("vmid", "300"),
            ("ostemplate", TEMPLATE),
            ("rootfs", "local-lvm:4"),
        ],
    )
    .await
    .data();
    sim.control().advance_clock(Duration::from_secs(1));
    sim.control().hold_lock(300, "backup");
    let config = root.get("/nodes/pve1/lxc/300/config").await.data();
    assert_eq!(config["lock"], "backup");
    let r = root.post("/nodes/pve1/lxc/300/status/start", &[]).await;
    let refused = if r.status == 200 {
        sim.control().advance_clock(Duration::from_secs(5));
        let s = task_status(&root, r.data().as_str().unwrap()).await;
        s["exitstatus"].as_str().unwrap_or("").to_owned()
    } else {
        r.message()
    };
    assert!(refused.contains("locked (backup)"), "{refused}");
    sim.control().release_lock(300);
    let upid = root
        .post("/nodes/pve1/lxc/300/status/start", &[])
        .await
        .data();
    sim.control().advance_clock(Duration::from_secs(5));
    assert_eq!(
        task_status(&root, upid.as_str().unwrap()).await["exitstatus"],
        "OK"
    );
}

#[tokio::test]
async fn control_over_http() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let control = infra_support::pinned_client(sim.fingerprint());
    let post = |action: &str, body: Value| {
        control
            .post(format!("{}/{action}", sim.control_url()))
            .json(&body)
            .send()
    };
    assert_eq!(
        post("node-online", json!({"node": "pve1", "online": false}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(root.get("/nodes/pve1/status").await.status, 595);
    assert_eq!(post("clear-faults", json!({})).await.unwrap().status(), 200);
    assert_eq!(root.get("/nodes/pve1/status").await.status, 200);

    let r = post(
        "fail-next",
        json!({"method": "GET", "path": "/version", "status": 502, "message": "bad gateway"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(root.get("/version").await.status, 502);
    assert_eq!(root.get("/version").await.status, 200);

    assert_eq!(
        post("advance-clock", json!({"seconds": 7201}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        root.get("/version").await.status,
        401,
        "ticket aged past 2 h"
    );
    let root = Session::root(&sim).await;
    assert_eq!(
        post("expire-tickets", json!({})).await.unwrap().status(),
        200
    );
    assert_eq!(root.get("/version").await.status, 401);

    let state: Value = control
        .get(format!("{}/state", sim.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["data"]["now"], 1_750_000_000 + 7201);

    let r = post("no-such-action", json!({})).await.unwrap();
    assert_eq!(r.status(), 501);
    let r = post("latency", json!({"ms": "soon"})).await.unwrap();
    assert_eq!(r.status(), 400);

    // TOTP set-up for other languages' tests.
    assert_eq!(
        post(
            "add-user",
            json!({"userid": "otp@pve", "password": "otp-password"})
        )
        .await
        .unwrap()
        .status(),
        200
    );
    let r: Value = post("enable-totp", json!({"userid": "otp@pve"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["data"]["secret"].as_str().unwrap().len() >= 16);
    let r: Value = post("totp-code", json!({"userid": "otp@pve"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["code"].as_str().unwrap().len(), 6);
}
