//! Guest operations end to end over HTTPS against the in-process simulator: config updates
//! (delete, digest, pending), resize, snapshots, clone, template, migrate, suspend/resume and
//! interfaces. Task outcomes are read the way clients read them (status and log polling), the
//! clock advanced through the control handle, never slept on.

use crate::infra_support;

use std::time::Duration;

use infra_support::{Reply, Session};
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

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn upid_of(reply: &Reply) -> String {
    reply.data().as_str().expect("a UPID").to_owned()
}

/// Polls a task until it stops (advancing the simulator's clock); its status.
async fn wait_task(sim: &RunningSimulator, s: &Session, upid: &str) -> Value {
    let node = upid.split(':').nth(1).unwrap();
    let path = format!("/nodes/{node}/tasks/{}/status", enc(upid));
    for _ in 0..100 {
        let status = s.get(&path).await.data();
        if status["status"] == "stopped" {
            return status;
        }
        sim.control().advance_clock(Duration::from_millis(500));
    }
    panic!("task {upid} did not finish");
}

/// The exit status of a task started by `reply`.
async fn outcome(sim: &RunningSimulator, s: &Session, reply: Reply) -> String {
    let upid = upid_of(&reply);
    wait_task(sim, s, &upid).await["exitstatus"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create(sim: &RunningSimulator, s: &Session, node: &str, vmid: &str) {
    let t = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
    let reply = s
        .post(
            &format!("/nodes/{node}/lxc"),
            &[
                ("vmid", vmid),
                ("ostemplate", t.as_str()),
                ("rootfs", "local-lvm:4"),
                ("hostname", "web"),
                ("memory", "512"),
                ("net0", "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1"),
            ],
        )
        .await;
    assert_eq!(outcome(sim, s, reply).await, "OK");
}

async fn start(sim: &RunningSimulator, s: &Session, node: &str, vmid: &str) {
    let reply = s
        .post(&format!("/nodes/{node}/lxc/{vmid}/status/start"), &[])
        .await;
    assert_eq!(outcome(sim, s, reply).await, "OK");
}

async fn config(s: &Session, node: &str, vmid: &str) -> Value {
    s.get(&format!("/nodes/{node}/lxc/{vmid}/config"))
        .await
        .data()
}

fn assert_error(reply: &Reply, status: u16, message: &str) {
    assert_eq!(
        (reply.status, reply.message().trim_end()),
        (status, message),
        "{:?}",
        String::from_utf8_lossy(&reply.body)
    );
}

#[tokio::test]
async fn config_update_with_delete_digest_and_pending_changes() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    let path = "/nodes/pve1/lxc/100/config";
    let before = config(&s, "pve1", "100").await;
    let digest = before["digest"].as_str().unwrap().to_owned();
    assert_eq!(digest.len(), 40);

    let r = s
        .put(
            path,
            &[
                ("memory", "1024"),
                ("description", "web server"),
                ("cpulimit", "1.5"),
                ("digest", &digest),
            ],
        )
        .await;
    assert_eq!(r.data(), Value::Null);
    let after = config(&s, "pve1", "100").await;
    assert_eq!(after["memory"], 1024);
    assert_eq!(after["description"], "web server");
    assert_eq!(
        after["cpulimit"], "1.5",
        "number options are strings, as in PVE"
    );
    assert_ne!(after["digest"], before["digest"]);

    // The old digest no longer matches.
    let stale = s
        .put(path, &[("memory", "2048"), ("digest", &digest)])
        .await;
    assert_error(
        &stale,
        500,
        "detected modified configuration - file changed by other user? Try again.",
    );
    assert_eq!(config(&s, "pve1", "100").await["memory"], 1024);

    let r = s.put(path, &[("delete", "description,cpulimit")]).await;
    assert_eq!(r.status, 200);
    let after = config(&s, "pve1", "100").await;
    assert!(after.get("description").is_none() && after.get("cpulimit").is_none());

    let both = s
        .put(path, &[("memory", "256"), ("delete", "memory")])
        .await;
    assert_eq!(
        both.errors()["delete"],
        "you can't use '-memory' and -delete memory' at the same time"
    );
    let unknown = s.put(path, &[("delete", "bogus")]).await;
    assert_eq!(unknown.errors()["delete"], "unknown option 'bogus'");
    let required = s.put(path, &[("delete", "rootfs")]).await;
    assert_error(&required, 500, "unable to delete required option 'rootfs'");

    // Running: hot-pluggable options apply, the others wait for the next start.
    start(&sim, &s, "pve1", "100").await;
    let r = s
        .put(path, &[("hostname", "renamed"), ("cores", "2")])
        .await;
    assert_eq!(r.status, 200);
    let shown = config(&s, "pve1", "100").await;
    assert_eq!(shown["hostname"], "renamed", "GET shows pending values");
    assert_eq!(shown["cores"], 2);
    let current = s
        .send(reqwest::Method::GET, path, &[("current", "1")])
        .await
        .data();
    assert_eq!(current["hostname"], "web");
    let pending = s.get("/nodes/pve1/lxc/100/pending").await.data();
    let entry = |key: &str| {
        pending
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} in {pending}"))
    };
    assert_eq!(entry("hostname")["value"], "web");
    assert_eq!(entry("hostname")["pending"], "renamed");
    assert_eq!(entry("cores")["value"], 2);
    assert!(entry("cores").get("pending").is_none());
    assert!(entry("digest")["value"].is_string());

    // A pending delete shows as `delete: 1`.
    s.put(path, &[("delete", "hostname")]).await.data();
    let pending = s.get("/nodes/pve1/lxc/100/pending").await.data();
    let hostname = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "hostname")
        .unwrap()
        .clone();
    assert_eq!(hostname["delete"], 1);
    // Revert drops it again.
    s.put(path, &[("revert", "hostname"), ("hostname", "renamed")])
        .await
        .errors();
    s.put(path, &[("revert", "hostname")]).await.data();
    s.put(path, &[("hostname", "renamed")]).await.data();

    // A restart applies what was pending.
    let stop = s.post("/nodes/pve1/lxc/100/status/stop", &[]).await;
    assert_eq!(outcome(&sim, &s, stop).await, "OK");
    start(&sim, &s, "pve1", "100").await;
    let current = s
        .send(reqwest::Method::GET, path, &[("current", "1")])
        .await
        .data();
    assert_eq!(current["hostname"], "renamed");
    let pending = s.get("/nodes/pve1/lxc/100/pending").await.data();
    assert!(pending
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e.get("pending").is_none() && e.get("delete").is_none()));

    // A running task holds the config lock.
    let stop = s.post("/nodes/pve1/lxc/100/status/stop", &[]).await;
    let busy = s.put(path, &[("memory", "768")]).await;
    assert_error(
        &busy,
        500,
        "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout",
    );
    assert_eq!(outcome(&sim, &s, stop).await, "OK");
}

#[tokio::test]
async fn resize_grows_the_root_disk_as_a_task() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    let avail = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["storage"] == "local-lvm")
            .unwrap()["avail"]
            .as_u64()
            .unwrap()
    };
    let before = avail(&s.get("/nodes/pve1/storage").await.data());
    let r = s
        .put(
            "/nodes/pve1/lxc/100/resize",
            &[("disk", "rootfs"), ("size", "+1G")],
        )
        .await;
    let upid = upid_of(&r);
    assert!(upid.contains(":resize:100:"), "{upid}");
    assert_eq!(wait_task(&sim, &s, &upid).await["exitstatus"], "OK");
    assert_eq!(
        config(&s, "pve1", "100").await["rootfs"],
        "local-lvm:vm-100-disk-0,size=5G"
    );
    let after = avail(&s.get("/nodes/pve1/storage").await.data());
    assert_eq!(before - after, 1 << 30);

    let shrink = s
        .put(
            "/nodes/pve1/lxc/100/resize",
            &[("disk", "rootfs"), ("size", "2G")],
        )
        .await;
    assert_error(&shrink, 500, "unable to shrink disk size");
    let same = s
        .put(
            "/nodes/pve1/lxc/100/resize",
            &[("disk", "rootfs"), ("size", "5G")],
        )
        .await;
    assert_error(&same, 500, "disk is already at specified size");
    let missing = s
        .put(
            "/nodes/pve1/lxc/100/resize",
            &[("disk", "mp0"), ("size", "+1G")],
        )
        .await;
    assert_error(&missing, 500, "disk 'mp0' does not exist");
}

#[tokio::test]
async fn snapshots_create_list_rollback_and_delete() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    let snap = s
        .post(
            "/nodes/pve1/lxc/100/snapshot",
            &[("snapname", "before"), ("description", "clean install")],
        )
        .await;
    let snap_upid = upid_of(&snap);
    assert!(snap_upid.contains(":pctsnapshot:100:"), "{snap_upid}");
    // While the task runs the container is locked `snapshot`.
    assert_eq!(config(&s, "pve1", "100").await["lock"], "snapshot");
    assert_eq!(wait_task(&sim, &s, &snap_upid).await["exitstatus"], "OK");
    assert!(config(&s, "pve1", "100").await.get("lock").is_none());

    s.put("/nodes/pve1/lxc/100/config", &[("memory", "2048")])
        .await
        .data();
    let list = s.get("/nodes/pve1/lxc/100/snapshot").await.data();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "before");
    assert_eq!(list[0]["description"], "clean install");
    assert!(list[0]["snaptime"].is_i64());
    assert_eq!(list[1]["name"], "current");
    assert_eq!(list[1]["parent"], "before");
    assert_eq!(list[1]["running"], 0);
    assert_eq!(list[1]["digest"], config(&s, "pve1", "100").await["digest"]);

    let reserved = s
        .post("/nodes/pve1/lxc/100/snapshot", &[("snapname", "current")])
        .await;
    assert_error(
        &reserved,
        500,
        "unable to use snapshot name 'current' (reserved name)",
    );
    let again = s
        .post("/nodes/pve1/lxc/100/snapshot", &[("snapname", "before")])
        .await;
    assert_eq!(
        outcome(&sim, &s, again).await,
        "snapshot name 'before' already used"
    );

    let snapcfg = s
        .get("/nodes/pve1/lxc/100/snapshot/before/config")
        .await
        .data();
    assert_eq!(snapcfg["memory"], 512);
    assert_eq!(snapcfg["description"], "clean install");
    let via_config = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve1/lxc/100/config",
            &[("snapshot", "before")],
        )
        .await
        .data();
    assert_eq!(via_config["memory"], 512);
    s.put(
        "/nodes/pve1/lxc/100/snapshot/before/config",
        &[("description", "renamed")],
    )
    .await
    .data();
    let index = s.get("/nodes/pve1/lxc/100/snapshot/before").await.data();
    assert_eq!(
        index,
        serde_json::json!([{"cmd": "rollback"}, {"cmd": "config"}])
    );

    // Rollback of a running container stops it; `start=1` starts it again.
    start(&sim, &s, "pve1", "100").await;
    let rollback = s
        .post(
            "/nodes/pve1/lxc/100/snapshot/before/rollback",
            &[("start", "1")],
        )
        .await;
    let rollback_upid = upid_of(&rollback);
    assert!(rollback_upid.contains(":lxcrollback:100:"));
    assert_eq!(config(&s, "pve1", "100").await["lock"], "rollback");
    assert_eq!(
        wait_task(&sim, &s, &rollback_upid).await["exitstatus"],
        "OK"
    );
    assert_eq!(config(&s, "pve1", "100").await["memory"], 512);
    let status = s.get("/nodes/pve1/lxc/100/status/current").await.data();
    assert_eq!(status["status"], "running");

    let missing = s
        .post("/nodes/pve1/lxc/100/snapshot/nope/rollback", &[])
        .await;
    assert_eq!(
        outcome(&sim, &s, missing).await,
        "snapshot 'nope' does not exist"
    );
    let missing_cfg = s.get("/nodes/pve1/lxc/100/snapshot/nope/config").await;
    assert_error(&missing_cfg, 500, "snapshot 'nope' does not exist");

    let delete = s.delete("/nodes/pve1/lxc/100/snapshot/before").await;
    let delete_upid = upid_of(&delete);
    assert!(delete_upid.contains(":lxcdelsnapshot:100:"));
    assert_eq!(wait_task(&sim, &s, &delete_upid).await["exitstatus"], "OK");
    let list = s.get("/nodes/pve1/lxc/100/snapshot").await.data();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("parent").is_none());
    assert_eq!(list[0]["running"], 1);
}

#[tokio::test]
async fn a_failed_snapshot_task_leaves_no_snapshot_and_no_lock() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    sim.control()
        .fail_next_task("pctsnapshot", "snapshot create failed: starting cleanup");
    let snap = s
        .post("/nodes/pve1/lxc/100/snapshot", &[("snapname", "s1")])
        .await;
    assert_eq!(
        outcome(&sim, &s, snap).await,
        "snapshot create failed: starting cleanup"
    );
    let list = s.get("/nodes/pve1/lxc/100/snapshot").await.data();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(config(&s, "pve1", "100").await.get("lock").is_none());
}

#[tokio::test]
async fn clone_full_linked_to_another_node_and_template_conversion() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;

    let clone = s
        .post(
            "/nodes/pve1/lxc/100/clone",
            &[("newid", "101"), ("hostname", "copy")],
        )
        .await;
    let clone_upid = upid_of(&clone);
    assert!(clone_upid.contains(":vzclone:100:"), "{clone_upid}");
    assert_eq!(wait_task(&sim, &s, &clone_upid).await["exitstatus"], "OK");
    let src = config(&s, "pve1", "100").await;
    let copy = config(&s, "pve1", "101").await;
    assert_eq!(copy["hostname"], "copy");
    assert_eq!(copy["memory"], src["memory"]);
    assert_eq!(copy["rootfs"], "local-lvm:vm-101-disk-0,size=4G");
    assert_ne!(copy["net0"], src["net0"], "a clone gets a new MAC address");

    let taken = s
        .post("/nodes/pve1/lxc/100/clone", &[("newid", "101")])
        .await;
    assert_error(&taken, 500, "CT 101 already exists on node 'pve1'");
    let linked = s
        .post(
            "/nodes/pve1/lxc/100/clone",
            &[("newid", "102"), ("full", "0")],
        )
        .await;
    assert_error(
        &linked,
        500,
        "Linked clone feature for 'local-lvm:vm-100-disk-0' is not available",
    );

    // Template conversion answers null and runs a vztemplate task.
    let r = s.post("/nodes/pve1/lxc/100/template", &[]).await;
    assert_eq!(r.data(), Value::Null);
    let tasks = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve1/tasks",
            &[("typefilter", "vztemplate"), ("source", "all")],
        )
        .await
        .data();
    let template_upid = tasks[0]["upid"].as_str().unwrap().to_owned();
    assert_eq!(
        wait_task(&sim, &s, &template_upid).await["exitstatus"],
        "OK"
    );
    let tpl = config(&s, "pve1", "100").await;
    assert_eq!(tpl["template"], 1);
    assert_eq!(tpl["rootfs"], "local-lvm:base-100-disk-0,size=4G");
    let twice = s.post("/nodes/pve1/lxc/100/template", &[]).await;
    assert_error(&twice, 500, "you can't convert a template to a template");

    // From a template a clone is linked by default.
    let linked = s
        .post("/nodes/pve1/lxc/100/clone", &[("newid", "102")])
        .await;
    assert_eq!(outcome(&sim, &s, linked).await, "OK");
    assert_eq!(
        config(&s, "pve1", "102").await["rootfs"],
        "local-lvm:base-100-disk-0/vm-102-disk-0,size=4G"
    );
    // The template cannot go while a linked clone uses its base volume.
    let destroy = s.delete("/nodes/pve1/lxc/100").await;
    assert_eq!(
        outcome(&sim, &s, destroy).await,
        "base volume 'base-100-disk-0' is still in use by linked cloned"
    );
    assert_eq!(config(&s, "pve1", "100").await["template"], 1);
    // A full clone onto another node, into a pool.
    s.post("/pools", &[("poolid", "clones")]).await.data();
    let remote = s
        .post(
            "/nodes/pve1/lxc/100/clone",
            &[
                ("newid", "103"),
                ("full", "1"),
                ("target", "pve2"),
                ("pool", "clones"),
            ],
        )
        .await;
    assert_eq!(outcome(&sim, &s, remote).await, "OK");
    assert_eq!(config(&s, "pve2", "103").await["hostname"], "web");
    let pool = s.get("/pools/clones").await.data();
    assert_eq!(pool["members"][0]["id"], "lxc/103");
    let content = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve2/storage/local-lvm/content",
            &[("vmid", "103")],
        )
        .await
        .data();
    assert_eq!(content[0]["volid"], "local-lvm:vm-103-disk-0");
    let linked_remote = s
        .post(
            "/nodes/pve1/lxc/100/clone",
            &[("newid", "104"), ("full", "0"), ("target", "pve2")],
        )
        .await;
    assert_eq!(linked_remote.status, 500);
    let storage_linked = s
        .post(
            "/nodes/pve1/lxc/100/clone",
            &[("newid", "104"), ("full", "0"), ("storage", "local-lvm")],
        )
        .await;
    assert_error(
        &storage_linked,
        500,
        "parameter 'storage' not allowed for linked clones",
    );
    // A failed clone leaves nothing behind.
    sim.control()
        .fail_next_task("vzclone", "clone failed: interrupted");
    let failed = s
        .post("/nodes/pve1/lxc/100/clone", &[("newid", "105")])
        .await;
    assert_eq!(outcome(&sim, &s, failed).await, "clone failed: interrupted");
    assert_eq!(s.get("/nodes/pve1/lxc/105/config").await.status, 500);
}

#[tokio::test]
async fn migrate_in_restart_mode_between_nodes() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    start(&sim, &s, "pve1", "100").await;

    let pre = s.get("/nodes/pve1/lxc/100/migrate").await.data();
    assert_eq!(pre["running"], 1);
    assert_eq!(pre["allowed-nodes"], serde_json::json!(["pve2", "pve3"]));

    let local = s
        .post("/nodes/pve1/lxc/100/migrate", &[("target", "pve1")])
        .await;
    assert_eq!(local.errors()["target"], "target is local node.");
    let running = s
        .post("/nodes/pve1/lxc/100/migrate", &[("target", "pve2")])
        .await;
    assert_error(
        &running,
        500,
        "can't migrate running container without --online or --restart",
    );
    let migrate = s
        .post(
            "/nodes/pve1/lxc/100/migrate",
            &[("target", "pve2"), ("restart", "1")],
        )
        .await;
    let upid = upid_of(&migrate);
    assert!(upid.contains(":vzmigrate:100:"), "{upid}");
    assert_eq!(config(&s, "pve1", "100").await["lock"], "migrate");
    assert_eq!(wait_task(&sim, &s, &upid).await["exitstatus"], "OK");

    let gone = s.get("/nodes/pve1/lxc/100/config").await;
    assert_error(
        &gone,
        500,
        "Configuration file 'nodes/pve1/lxc/100.conf' does not exist",
    );
    let status = s.get("/nodes/pve2/lxc/100/status/current").await.data();
    assert_eq!(status["status"], "running");
    let vols = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve2/storage/local-lvm/content",
            &[("vmid", "100")],
        )
        .await
        .data();
    assert_eq!(vols.as_array().unwrap().len(), 1);
    let resources = s.get("/cluster/resources?type=vm").await.data();
    assert_eq!(resources[0]["node"], "pve2");

    // Stopped containers migrate offline; an unreachable target fails the task.
    let stop = s.post("/nodes/pve2/lxc/100/status/stop", &[]).await;
    assert_eq!(outcome(&sim, &s, stop).await, "OK");
    sim.control().set_node_online("pve3", false);
    let offline = s
        .post("/nodes/pve2/lxc/100/migrate", &[("target", "pve3")])
        .await;
    let exit = outcome(&sim, &s, offline).await;
    assert!(exit.starts_with("migration aborted"), "{exit}");
    assert!(config(&s, "pve2", "100").await.get("lock").is_none());
}

#[tokio::test]
async fn suspend_resume_and_interfaces() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    let stopped = s.post("/nodes/pve1/lxc/100/status/suspend", &[]).await;
    assert_error(&stopped, 500, "CT 100 not running");
    let not_running = s.get("/nodes/pve1/lxc/100/interfaces").await;
    assert_error(&not_running, 500, "CT 100 not running");
    start(&sim, &s, "pve1", "100").await;

    let ifaces = s.get("/nodes/pve1/lxc/100/interfaces").await.data();
    assert_eq!(ifaces[0]["name"], "lo");
    assert_eq!(ifaces[1]["name"], "eth0");
    assert_eq!(ifaces[1]["inet"], "10.0.0.5/24");
    let net0 = config(&s, "pve1", "100").await["net0"]
        .as_str()
        .unwrap()
        .to_owned();
    let mac = ifaces[1]["hwaddr"].as_str().unwrap().to_uppercase();
    assert!(net0.contains(&format!("hwaddr={mac}")), "{net0} / {mac}");

    let suspend = s.post("/nodes/pve1/lxc/100/status/suspend", &[]).await;
    let upid = upid_of(&suspend);
    assert!(upid.contains(":vzsuspend:100:"));
    assert_eq!(wait_task(&sim, &s, &upid).await["exitstatus"], "OK");
    let status = s.get("/nodes/pve1/lxc/100/status/current").await.data();
    assert_eq!(status["status"], "stopped");
    let resume = s.post("/nodes/pve1/lxc/100/status/resume", &[]).await;
    let upid = upid_of(&resume);
    assert!(upid.contains(":vzresume:100:"));
    assert_eq!(wait_task(&sim, &s, &upid).await["exitstatus"], "OK");
    let status = s.get("/nodes/pve1/lxc/100/status/current").await.data();
    assert_eq!(status["status"], "running");
    let again = s.post("/nodes/pve1/lxc/100/status/resume", &[]).await;
    assert_error(&again, 500, "CT 100 already running");
}
