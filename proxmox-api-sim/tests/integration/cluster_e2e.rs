//! The cluster model end to end over HTTPS: the in-process simulator, a client pinned to its
//! fingerprint, real tickets and CSRF tokens, ACLs and faults through the control handle.

use crate::infra_support;

use std::time::Duration;

use infra_support::Session;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proxmox_api_sim::{cluster, RunningSimulator, Simulator};
use serde_json::Value;

async fn sim(scale: f64) -> RunningSimulator {
    Simulator::builder()
        .task_duration_scale(scale)
        .start()
        .await
        .expect("simulator starts")
}

fn template() -> String {
    format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE)
}

/// Polls a task (advancing the simulator's clock, never sleeping) until it stops.
async fn wait_task(sim: &RunningSimulator, s: &Session, upid: &str) -> Value {
    let node = upid.split(':').nth(1).unwrap();
    let path = format!(
        "/nodes/{node}/tasks/{}/status",
        utf8_percent_encode(upid, NON_ALPHANUMERIC)
    );
    for _ in 0..100 {
        let status = s.get(&path).await.data();
        if status["status"] == "stopped" {
            return status;
        }
        sim.control().advance_clock(Duration::from_millis(500));
    }
    panic!("task {upid} did not finish");
}

async fn create(sim: &RunningSimulator, s: &Session, node: &str, vmid: &str) -> String {
    let t = template();
    let upid = s
        .post(
            &format!("/nodes/{node}/lxc"),
            &[
                ("vmid", vmid),
                ("ostemplate", t.as_str()),
                ("rootfs", "local-lvm:4"),
                ("hostname", "e2e"),
                ("net0", "name=eth0,bridge=vmbr0,ip=dhcp"),
            ],
        )
        .await
        .data();
    let upid = upid.as_str().expect("a UPID").to_owned();
    assert_eq!(wait_task(sim, s, &upid).await["exitstatus"], "OK");
    upid
}

#[tokio::test]
async fn lifecycle_over_https() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    let vmid = s.get("/cluster/nextid").await.data();
    assert_eq!(vmid, "100", "a string, as PVE sends it");
    create(&sim, &s, "pve1", "100").await;

    let start = s.post("/nodes/pve1/lxc/100/status/start", &[]).await.data();
    assert_eq!(
        wait_task(&sim, &s, start.as_str().unwrap()).await["exitstatus"],
        "OK"
    );
    let current = s.get("/nodes/pve1/lxc/100/status/current").await.data();
    assert_eq!(current["status"], "running");
    assert!(current["pid"].is_u64());

    // A second state change while a task holds the lock.
    let stop = s.post("/nodes/pve1/lxc/100/status/stop", &[]).await.data();
    let again = s.post("/nodes/pve1/lxc/100/status/shutdown", &[]).await;
    assert_eq!(again.status, 500);
    assert_eq!(
        again.message().trim_end(),
        "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout"
    );
    assert_eq!(
        wait_task(&sim, &s, stop.as_str().unwrap()).await["exitstatus"],
        "OK"
    );

    let destroy = s.delete("/nodes/pve1/lxc/100").await.data();
    assert_eq!(
        wait_task(&sim, &s, destroy.as_str().unwrap()).await["exitstatus"],
        "OK"
    );
    let gone = s.get("/nodes/pve1/lxc/100/config").await;
    assert_eq!(gone.status, 500);
    assert_eq!(
        gone.message().trim_end(),
        "Configuration file 'nodes/pve1/lxc/100.conf' does not exist"
    );
}

#[tokio::test]
async fn a_pve_user_sees_and_controls_only_its_containers() {
    let sim = sim(0.0).await;
    let root = Session::root(&sim).await;
    create(&sim, &root, "pve1", "100").await;
    create(&sim, &root, "pve2", "101").await;
    sim.control().add_user("alice@pve", "alice-password");
    sim.control().grant("/vms/100", "alice@pve", "PVEVMUser");
    let alice = Session::login(&sim, "alice@pve", "alice-password").await;

    let vms = alice.get("/cluster/resources?type=vm").await.data();
    let ids: Vec<&Value> = vms.as_array().unwrap().iter().map(|v| &v["vmid"]).collect();
    assert_eq!(ids, [&Value::from(100)]);
    assert_eq!(
        alice.get("/nodes/pve2/lxc").await.data(),
        Value::Array(vec![])
    );
    assert_eq!(
        alice
            .get("/nodes/pve1/lxc")
            .await
            .data()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let own = alice
        .post("/nodes/pve1/lxc/100/vncproxy", &[("websocket", "1")])
        .await;
    let own = own.data();
    assert_eq!(own["user"], "alice@pve");
    assert!(own["password"].is_string());
    let other = alice.post("/nodes/pve2/lxc/101/vncproxy", &[]).await;
    assert_eq!(other.status, 403);
    let start = alice
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .await
        .data();
    assert!(start.as_str().unwrap().ends_with(":vzstart:100:alice@pve:"));
    assert_eq!(
        alice
            .post("/nodes/pve2/lxc/101/status/start", &[])
            .await
            .status,
        403
    );
    // Alice sees her own task, not root's.
    let start = start.as_str().unwrap();
    assert_eq!(wait_task(&sim, &alice, start).await["exitstatus"], "OK");
    let tasks = alice.get("/cluster/tasks").await.data();
    assert!(tasks
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["user"] == "alice@pve"));
    assert!(!tasks.as_array().unwrap().is_empty());

    // Destroying with purge removes the ACL entries on /vms/100.
    let stop = root
        .post("/nodes/pve1/lxc/100/status/stop", &[])
        .await
        .data();
    wait_task(&sim, &root, stop.as_str().unwrap()).await;
    let purge = root
        .send(
            reqwest::Method::DELETE,
            "/nodes/pve1/lxc/100",
            &[("purge", "1")],
        )
        .await
        .data();
    wait_task(&sim, &root, purge.as_str().unwrap()).await;
    let acl = root.get("/access/acl").await.data();
    assert!(
        acl.as_array()
            .unwrap()
            .iter()
            .all(|e| e["path"] != "/vms/100"),
        "{acl}"
    );
}

#[tokio::test]
async fn faults_reach_the_cluster_model() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;

    sim.control()
        .fail_next_task("vzstart", "startup for container '100' failed");
    let start = s.post("/nodes/pve1/lxc/100/status/start", &[]).await.data();
    let status = wait_task(&sim, &s, start.as_str().unwrap()).await;
    assert_eq!(status["exitstatus"], "startup for container '100' failed");
    assert_eq!(
        s.get("/nodes/pve1/lxc/100/status/current").await.data()["status"],
        "stopped"
    );

    sim.control().hold_lock(100, "backup");
    let destroy = s.delete("/nodes/pve1/lxc/100").await;
    assert_eq!(
        (destroy.status, destroy.message().trim_end()),
        (500, "CT is locked (backup)")
    );
    sim.control().release_lock(100);

    sim.control().set_node_online("pve2", false);
    let status = s.get("/cluster/status").await.data();
    let pve2 = status
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "pve2")
        .unwrap();
    assert_eq!(pve2["online"], 0);
    assert_eq!(s.get("/nodes/pve2/status").await.status, 595);
    let nodes = s.get("/nodes").await.data();
    let pve2 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve2")
        .unwrap();
    assert_eq!(pve2["status"], "offline");
}

#[tokio::test]
async fn a_large_cluster_lists_over_https() {
    let sim = Simulator::builder()
        .guests(2_000)
        .start()
        .await
        .expect("simulator starts");
    let s = Session::root(&sim).await;
    let all = s.get("/cluster/resources").await.data();
    let lxc = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "lxc")
        .count();
    assert_eq!(lxc, 2_000);
    assert_eq!(s.get("/cluster/nextid").await.data(), "2100");
}

/// PVE's `GET /nodes/{node}/tasks` envelope is `{"data":[page],"total":N}`, N counting every
/// task that matches the filters and that the caller may see, not the page.
#[tokio::test]
async fn the_node_task_list_sends_the_total_of_all_matches_beside_the_page() {
    let sim = sim(0.0).await;
    let root = Session::root(&sim).await;
    for vmid in ["100", "101", "102"] {
        create(&sim, &root, "pve1", vmid).await;
    }
    create(&sim, &root, "pve2", "103").await;
    let everything = root.get("/nodes/pve1/tasks").await.json();
    let all = everything["data"].as_array().unwrap().clone();
    assert_eq!(all.len(), 3, "{everything}");
    assert_eq!(everything["total"], 3);

    let page = root.get("/nodes/pve1/tasks?start=1&limit=1").await.json();
    assert_eq!(page["data"].as_array().unwrap(), &all[1..2]);
    assert_eq!(page["total"], 3, "the count of all matches, not the page's");
    let past_the_end = root.get("/nodes/pve1/tasks?start=10&limit=1").await.json();
    assert_eq!(past_the_end["data"], Value::Array(vec![]));
    assert_eq!(past_the_end["total"], 3);

    let one_guest = root.get("/nodes/pve1/tasks?vmid=101&limit=1").await.json();
    assert_eq!(one_guest["data"][0]["id"], "101");
    assert_eq!(one_guest["total"], 1);
    let no_match = root
        .get("/nodes/pve1/tasks?typefilter=vzstart")
        .await
        .json();
    assert_eq!(no_match["total"], 0);

    sim.control().add_user("alice@pve", "alice-password");
    sim.control().grant("/vms/100", "alice@pve", "PVEVMUser");
    let alice = Session::login(&sim, "alice@pve", "alice-password").await;
    let hidden = alice.get("/nodes/pve1/tasks").await.json();
    assert_eq!(hidden, serde_json::json!({"data": [], "total": 0}));
}
