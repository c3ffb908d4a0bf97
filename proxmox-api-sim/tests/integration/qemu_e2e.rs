//! QEMU guests end to end over HTTPS (schema validation, permissions and the cluster model):
//! create, config, power actions, suspend/resume, snapshots, clone, templates, guest-agent
//! errors, vncproxy, rrddata, destroy; and VMs next to containers in resources, nextid, task
//! history and ACLs. Task waits advance the simulator's clock instead of sleeping.

use crate::infra_support;

use std::time::Duration;

use infra_support::{Reply, Session};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proxmox_api_sim::{cluster, RunningSimulator, Simulator};
use reqwest::Method;
use serde_json::Value;

const GIB: u64 = 1 << 30;

async fn sim(scale: f64) -> RunningSimulator {
    Simulator::builder()
        .task_duration_scale(scale)
        .auth_failure_delay(Duration::ZERO)
        .start()
        .await
        .expect("simulator starts")
}

/// Polls a task (advancing the simulator's clock, never sleeping) until it stops.
async fn wait_task(sim: &RunningSimulator, s: &Session, upid: &Value) -> Value {
    let upid = upid.as_str().expect("a UPID string");
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

async fn task_ok(sim: &RunningSimulator, s: &Session, reply: Reply) {
    let upid = reply.data();
    let status = wait_task(sim, s, &upid).await;
    assert_eq!(status["exitstatus"], "OK", "{upid}: {status}");
}

async fn task_error(sim: &RunningSimulator, s: &Session, reply: Reply) -> String {
    let upid = reply.data();
    let status = wait_task(sim, s, &upid).await;
    status["exitstatus"].as_str().unwrap().to_owned()
}

fn fail(reply: &Reply, status: u16) -> String {
    assert_eq!(
        reply.status,
        status,
        "{:?}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.message().trim_end().to_owned()
}

/// A VM with the options a GUI sends: 2 cores, 2 GiB, a 32 GiB SCSI disk and a 4 GiB virtio
/// disk on local-lvm, a virtio NIC on vmbr0, l26, an empty cdrom drive.
async fn create_vm(sim: &RunningSimulator, s: &Session, node: &str, vmid: &str) {
    let reply = s
        .post(
            &format!("/nodes/{node}/qemu"),
            &[
                ("vmid", vmid),
                ("name", "web1"),
                ("cores", "2"),
                ("memory", "2048"),
                ("scsihw", "virtio-scsi-single"),
                ("scsi0", "local-lvm:32,iothread=1"),
                ("virtio1", "local-lvm:4"),
                ("net0", "virtio,bridge=vmbr0,firewall=1"),
                ("ostype", "l26"),
                ("cdrom", "none"),
            ],
        )
        .await;
    task_ok(sim, s, reply).await;
}

async fn avail(s: &Session, node: &str, storage: &str) -> u64 {
    let list = s.get(&format!("/nodes/{node}/storage")).await.data();
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["storage"] == storage)
        .and_then(|x| x["avail"].as_u64())
        .unwrap()
}

#[tokio::test]
async fn create_config_and_power_lifecycle() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    let before = avail(&s, "pve1", "local-lvm").await;

    let upid = s
        .post(
            "/nodes/pve1/qemu",
            &[
                ("vmid", "100"),
                ("name", "web1"),
                ("cores", "2"),
                ("memory", "2048"),
                ("scsi0", "local-lvm:32,iothread=1"),
                ("virtio1", "local-lvm:4"),
                ("net0", "virtio,bridge=vmbr0,firewall=1"),
                ("ostype", "l26"),
                ("cdrom", "none"),
            ],
        )
        .await
        .data();
    assert!(upid.as_str().unwrap().contains(":qmcreate:100:root@pam:"));
    // The VM exists at once, locked, while the task runs.
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(config["lock"], "create");
    assert_eq!(wait_task(&sim, &s, &upid).await["exitstatus"], "OK");

    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert!(config.get("lock").is_none(), "{config}");
    assert_eq!(config["cores"], 2, "integer keys are numbers");
    assert_eq!(config["memory"], "2048", "memory is a property string");
    assert_eq!(config["name"], "web1");
    assert_eq!(config["ostype"], "l26");
    assert_eq!(
        config["scsi0"],
        "local-lvm:vm-100-disk-0,iothread=1,size=32G"
    );
    assert_eq!(config["virtio1"], "local-lvm:vm-100-disk-1,size=4G");
    assert_eq!(config["ide2"], "none,media=cdrom");
    let net0 = config["net0"].as_str().unwrap();
    assert!(net0.starts_with("virtio=BC:24:11:"), "{net0}");
    assert!(net0.ends_with(",bridge=vmbr0,firewall=1"), "{net0}");
    assert_eq!(config["boot"], "order=scsi0;ide2;net0");
    assert!(config["smbios1"].as_str().unwrap().starts_with("uuid="));
    assert_eq!(config["digest"].as_str().unwrap().len(), 40);
    assert_eq!(avail(&s, "pve1", "local-lvm").await, before - 36 * GIB);

    let current = s.get("/nodes/pve1/qemu/100/status/current").await.data();
    assert_eq!(current["status"], "stopped");
    assert_eq!(current["qmpstatus"], "stopped");
    assert_eq!(current["cpus"], 2);
    assert_eq!(current["maxmem"], 2048u64 << 20);
    assert_eq!(current["maxdisk"], 32 * GIB);
    assert!(current.get("pid").is_none());

    let start = s.post("/nodes/pve1/qemu/100/status/start", &[]).await;
    let start_upid = start.data();
    // A second action while the start task holds the config lock.
    let busy = s.post("/nodes/pve1/qemu/100/status/stop", &[]).await;
    assert_eq!(
        fail(&busy, 500),
        "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"
    );
    assert_eq!(wait_task(&sim, &s, &start_upid).await["exitstatus"], "OK");
    let current = s.get("/nodes/pve1/qemu/100/status/current").await.data();
    assert_eq!(current["status"], "running");
    assert_eq!(current["qmpstatus"], "running");
    assert!(current["pid"].as_u64().unwrap() > 0);
    assert!(current["running-qemu"].is_string());

    // Starting a running VM fails inside the task, as PVE's vm_start does.
    let again = s.post("/nodes/pve1/qemu/100/status/start", &[]).await;
    assert_eq!(task_error(&sim, &s, again).await, "VM 100 already running");

    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/suspend", &[]).await,
    )
    .await;
    let current = s.get("/nodes/pve1/qemu/100/status/current").await.data();
    assert_eq!(current["status"], "running");
    assert_eq!(current["qmpstatus"], "paused");
    let paused = s.post("/nodes/pve1/qemu/100/status/shutdown", &[]).await;
    assert_eq!(fail(&paused, 500), "VM is paused - cannot shutdown");
    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/resume", &[]).await,
    )
    .await;
    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/reboot", &[]).await,
    )
    .await;
    let running = s.delete("/nodes/pve1/qemu/100").await;
    assert_eq!(fail(&running, 500), "VM 100 is running - destroy failed");
    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/shutdown", &[]).await,
    )
    .await;
    assert_eq!(
        s.get("/nodes/pve1/qemu/100/status/current").await.data()["status"],
        "stopped"
    );
    // Stopping a stopped VM is a successful no-op task.
    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/stop", &[]).await,
    )
    .await;
    let not_running = s.post("/nodes/pve1/qemu/100/status/suspend", &[]).await;
    assert_eq!(fail(&not_running, 500), "VM 100 not running");

    task_ok(&sim, &s, s.delete("/nodes/pve1/qemu/100").await).await;
    let gone = s.get("/nodes/pve1/qemu/100/config").await;
    assert_eq!(
        fail(&gone, 500),
        "Configuration file 'nodes/pve1/qemu-server/100.conf' does not exist"
    );
    assert_eq!(avail(&s, "pve1", "local-lvm").await, before);
}

#[tokio::test]
async fn vms_and_containers_share_vmids_resources_and_task_history() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    let template = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
    let ct = s
        .post(
            "/nodes/pve1/lxc",
            &[
                ("vmid", "100"),
                ("ostemplate", template.as_str()),
                ("rootfs", "local-lvm:4"),
            ],
        )
        .await;
    task_ok(&sim, &s, ct).await;
    assert_eq!(s.get("/cluster/nextid").await.data(), "101");
    create_vm(&sim, &s, "pve2", "101").await;
    assert_eq!(s.get("/cluster/nextid").await.data(), "102");
    let taken = s.get("/cluster/nextid?vmid=101").await;
    assert_eq!(taken.status, 400);

    let on_ct = s
        .post("/nodes/pve1/qemu", &[("vmid", "100"), ("memory", "512")])
        .await;
    assert_eq!(fail(&on_ct, 500), "CT 100 already exists on node 'pve1'");
    let on_vm = s
        .post(
            "/nodes/pve1/lxc",
            &[("vmid", "101"), ("ostemplate", template.as_str())],
        )
        .await;
    assert_eq!(fail(&on_vm, 500), "VM 101 already exists on node 'pve2'");

    let resources = s.get("/cluster/resources?type=vm").await.data();
    let ids: Vec<&str> = resources
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["lxc/100", "qemu/101"]);
    let vm = &resources[1];
    assert_eq!(vm["type"], "qemu");
    assert_eq!(vm["node"], "pve2");
    assert_eq!(vm["name"], "web1");
    assert_eq!(vm["maxcpu"], 2);
    assert_eq!(vm["maxdisk"], 32 * GIB);
    assert_eq!(vm["template"], 0);
    assert_eq!(vm["status"], "stopped");

    let list = s.get("/nodes/pve2/qemu").await.data();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["vmid"], 101);
    assert_eq!(s.get("/nodes/pve1/qemu").await.data(), Value::Array(vec![]));
    // A VM is only found on its own node.
    let elsewhere = s.get("/nodes/pve1/qemu/101/status/current").await;
    assert_eq!(
        fail(&elsewhere, 500),
        "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist"
    );

    let tasks = s.get("/nodes/pve2/tasks?vmid=101").await.data();
    assert_eq!(tasks[0]["type"], "qmcreate");
    let cluster_tasks = s.get("/cluster/tasks").await.data();
    let kinds: Vec<&str> = cluster_tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"qmcreate") && kinds.contains(&"vzcreate"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn config_updates_with_delete_digest_disks_and_lock() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    create_vm(&sim, &s, "pve1", "100").await;
    let before = avail(&s, "pve1", "local-lvm").await;
    let digest = s.get("/nodes/pve1/qemu/100/config").await.data()["digest"]
        .as_str()
        .unwrap()
        .to_owned();

    let put = s
        .put(
            "/nodes/pve1/qemu/100/config",
            &[
                ("cores", "4"),
                ("delete", "ostype"),
                ("agent", "1"),
                ("digest", digest.as_str()),
                ("scsi1", "local-lvm:8"),
                ("net1", "e1000=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=20"),
            ],
        )
        .await;
    assert_eq!(put.data(), Value::Null);
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(config["cores"], 4);
    assert!(config.get("ostype").is_none());
    assert_eq!(config["agent"], "1");
    assert_eq!(config["scsi1"], "local-lvm:vm-100-disk-2,size=8G");
    // `e1000=<mac>` is PVE's key alias for `model=e1000,macaddr=<mac>`.
    assert_eq!(
        config["net1"],
        "e1000=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=20"
    );
    let twice = s
        .put(
            "/nodes/pve1/qemu/100/config",
            &[("net2", "model=e1000,virtio=BC:24:11:AA:BB:CD")],
        )
        .await;
    assert_eq!(
        twice.errors()["net2"],
        "invalid format - key alias 'model' is already defined"
    );
    assert_eq!(avail(&s, "pve1", "local-lvm").await, before - 8 * GIB);

    // The old digest no longer matches.
    let stale = s
        .put(
            "/nodes/pve1/qemu/100/config",
            &[("cores", "1"), ("digest", digest.as_str())],
        )
        .await;
    assert_eq!(
        fail(&stale, 500),
        "detected modified configuration - file changed by other user? Try again."
    );

    // Removing a disk keeps its volume as unused0; removing unused0 frees it.
    let detach = s
        .put("/nodes/pve1/qemu/100/config", &[("delete", "scsi1")])
        .await;
    assert_eq!(detach.data(), Value::Null);
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(config["unused0"], "local-lvm:vm-100-disk-2");
    assert_eq!(avail(&s, "pve1", "local-lvm").await, before - 8 * GIB);
    let purge = s
        .put("/nodes/pve1/qemu/100/config", &[("delete", "unused0")])
        .await;
    assert_eq!(purge.data(), Value::Null);
    assert_eq!(avail(&s, "pve1", "local-lvm").await, before);

    // The asynchronous variant is a qmconfig task holding the config lock.
    let post = s
        .post("/nodes/pve1/qemu/100/config", &[("description", "web")])
        .await
        .data();
    assert!(post.as_str().unwrap().contains(":qmconfig:100:"));
    let busy = s
        .put("/nodes/pve1/qemu/100/config", &[("cores", "2")])
        .await;
    assert_eq!(
        fail(&busy, 500),
        "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"
    );
    assert_eq!(wait_task(&sim, &s, &post).await["exitstatus"], "OK");
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(config["description"], "web");

    let missing_iso = s
        .put(
            "/nodes/pve1/qemu/100/config",
            &[("ide2", "local:iso/nope.iso,media=cdrom")],
        )
        .await;
    assert_eq!(
        fail(&missing_iso, 500),
        "volume 'local:iso/nope.iso' does not exist"
    );
    let bad = s
        .put("/nodes/pve1/qemu/100/config", &[("cores", "many")])
        .await;
    assert_eq!(
        bad.errors()["cores"],
        "type check ('integer') failed - got 'many'"
    );
}

#[tokio::test]
async fn snapshots_create_list_rollback_delete_as_tasks() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create_vm(&sim, &s, "pve1", "100").await;

    let snap = s
        .post(
            "/nodes/pve1/qemu/100/snapshot",
            &[("snapname", "before"), ("description", "clean install")],
        )
        .await;
    assert!(snap.data().as_str().unwrap().contains(":qmsnapshot:100:"));
    wait_task(&sim, &s, &snap.data()).await;
    let dup = s
        .post("/nodes/pve1/qemu/100/snapshot", &[("snapname", "before")])
        .await;
    assert_eq!(
        task_error(&sim, &s, dup).await,
        "snapshot name 'before' already used"
    );
    let reserved = s
        .post("/nodes/pve1/qemu/100/snapshot", &[("snapname", "current")])
        .await;
    assert_eq!(
        fail(&reserved, 500),
        "unable to use snapshot name 'current' (reserved name)"
    );

    let list = s.get("/nodes/pve1/qemu/100/snapshot").await.data();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "before");
    assert_eq!(list[0]["description"], "clean install");
    assert!(list[0]["snaptime"].is_i64());
    assert_eq!(list[1]["name"], "current");
    assert_eq!(list[1]["parent"], "before");
    assert_eq!(list[1]["running"], 0);

    let put = s
        .put("/nodes/pve1/qemu/100/config", &[("cores", "8")])
        .await;
    assert_eq!(put.data(), Value::Null);
    let snap_config = s
        .get("/nodes/pve1/qemu/100/snapshot/before/config")
        .await
        .data();
    assert_eq!(snap_config["cores"], 2);
    assert_eq!(snap_config["description"], "clean install");
    let rollback = s
        .post("/nodes/pve1/qemu/100/snapshot/before/rollback", &[])
        .await;
    task_ok(&sim, &s, rollback).await;
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(config["cores"], 2);
    assert_eq!(config["parent"], "before");

    let missing = s
        .post("/nodes/pve1/qemu/100/snapshot/nope/rollback", &[])
        .await;
    assert_eq!(
        task_error(&sim, &s, missing).await,
        "snapshot 'nope' does not exist"
    );
    let delete = s
        .send(Method::DELETE, "/nodes/pve1/qemu/100/snapshot/before", &[])
        .await;
    task_ok(&sim, &s, delete).await;
    let list = s.get("/nodes/pve1/qemu/100/snapshot").await.data();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("parent").is_none());
    let gone = s.get("/nodes/pve1/qemu/100/snapshot/before/config").await;
    assert_eq!(fail(&gone, 500), "snapshot 'before' does not exist");
}

#[tokio::test]
async fn full_and_linked_clones_and_templates() {
    let sim = sim(1.0).await;
    let s = Session::root(&sim).await;
    create_vm(&sim, &s, "pve1", "100").await;
    let source_mac = s.get("/nodes/pve1/qemu/100/config").await.data()["net0"]
        .as_str()
        .unwrap()
        .to_owned();

    let linked = s
        .post(
            "/nodes/pve1/qemu/100/clone",
            &[("newid", "101"), ("full", "0")],
        )
        .await;
    assert_eq!(
        fail(&linked, 500),
        "Linked clone feature is not supported for drive 'scsi0'"
    );
    let other_node = s
        .post(
            "/nodes/pve1/qemu/100/clone",
            &[("newid", "101"), ("target", "pve2")],
        )
        .await;
    assert_eq!(
        fail(&other_node, 500),
        "can't clone VM to node 'pve2' (VM uses local storage)"
    );

    let full = s
        .post(
            "/nodes/pve1/qemu/100/clone",
            &[("newid", "101"), ("name", "web2")],
        )
        .await
        .data();
    assert!(full.as_str().unwrap().contains(":qmclone:100:"));
    let locked = s.get("/nodes/pve1/qemu/101/config").await.data();
    assert_eq!(locked["lock"], "clone");
    assert_eq!(wait_task(&sim, &s, &full).await["exitstatus"], "OK");
    let clone = s.get("/nodes/pve1/qemu/101/config").await.data();
    assert!(clone.get("lock").is_none());
    assert_eq!(clone["name"], "web2");
    assert_eq!(
        clone["scsi0"],
        "local-lvm:vm-101-disk-0,iothread=1,size=32G"
    );
    assert_ne!(
        clone["net0"],
        source_mac.as_str(),
        "a clone gets its own MAC"
    );

    task_ok(&sim, &s, s.post("/nodes/pve1/qemu/100/template", &[]).await).await;
    let template = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert_eq!(template["template"], 1);
    assert_eq!(
        template["scsi0"],
        "local-lvm:base-100-disk-0,iothread=1,size=32G"
    );
    let start = s.post("/nodes/pve1/qemu/100/status/start", &[]).await;
    assert_eq!(fail(&start, 500), "you can't start a VM if it's a template");
    let resources = s.get("/cluster/resources?type=vm").await.data();
    assert_eq!(resources[0]["template"], 1);

    // From a template, a clone is linked unless `full` is asked for.
    let linked = s
        .post("/nodes/pve1/qemu/100/clone", &[("newid", "102")])
        .await;
    task_ok(&sim, &s, linked).await;
    let config = s.get("/nodes/pve1/qemu/102/config").await.data();
    assert_eq!(
        config["scsi0"],
        "local-lvm:base-100-disk-0/vm-102-disk-0,iothread=1,size=32G"
    );
    assert_eq!(config["name"], "Copy-of-VM-web1");
    let taken = s
        .post("/nodes/pve1/qemu/100/clone", &[("newid", "101")])
        .await;
    assert_eq!(fail(&taken, 500), "VM 101 already exists on node 'pve1'");
}

#[tokio::test]
async fn guest_agent_calls_answer_as_pve_without_an_agent() {
    let sim = sim(0.0).await;
    let s = Session::root(&sim).await;
    create_vm(&sim, &s, "pve1", "100").await;
    let none = s
        .get("/nodes/pve1/qemu/100/agent/network-get-interfaces")
        .await;
    assert_eq!(fail(&none, 500), "No QEMU guest agent configured");
    let put = s
        .put("/nodes/pve1/qemu/100/config", &[("agent", "enabled=1")])
        .await;
    assert_eq!(put.data(), Value::Null);
    let stopped = s
        .post("/nodes/pve1/qemu/100/agent", &[("command", "ping")])
        .await;
    assert_eq!(fail(&stopped, 500), "VM 100 is not running");
    task_ok(
        &sim,
        &s,
        s.post("/nodes/pve1/qemu/100/status/start", &[]).await,
    )
    .await;
    assert_eq!(
        s.get("/nodes/pve1/qemu/100/status/current").await.data()["agent"],
        1
    );
    for reply in [
        s.get("/nodes/pve1/qemu/100/agent/get-osinfo").await,
        s.post("/nodes/pve1/qemu/100/agent/ping", &[]).await,
        s.post("/nodes/pve1/qemu/100/agent/exec", &[("command", "uname")])
            .await,
    ] {
        assert_eq!(fail(&reply, 500), "QEMU guest agent is not running");
    }
    let missing = s.get("/nodes/pve1/qemu/999/agent/info").await;
    assert_eq!(
        fail(&missing, 500),
        "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist"
    );
}

#[tokio::test]
async fn acls_vncproxy_and_rrddata_for_vms() {
    let sim = sim(0.0).await;
    let root = Session::root(&sim).await;
    create_vm(&sim, &root, "pve1", "100").await;
    create_vm(&sim, &root, "pve1", "101").await;
    sim.control().add_user("alice@pve", "alice-password");
    sim.control().grant("/vms/101", "alice@pve", "PVEVMUser");
    let alice = Session::login(&sim, "alice@pve", "alice-password").await;

    let vms = alice.get("/cluster/resources?type=vm").await.data();
    let ids: Vec<&Value> = vms.as_array().unwrap().iter().map(|v| &v["id"]).collect();
    assert_eq!(ids, [&Value::from("qemu/101")]);
    let listed = alice.get("/nodes/pve1/qemu").await.data();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    task_ok(
        &sim,
        &alice,
        alice.post("/nodes/pve1/qemu/101/status/start", &[]).await,
    )
    .await;
    let denied = alice.post("/nodes/pve1/qemu/100/status/start", &[]).await;
    assert_eq!(
        fail(&denied, 403),
        "Permission check failed (/vms/100, VM.PowerMgmt)"
    );
    let tasks = alice.get("/nodes/pve1/tasks?vmid=101").await.data();
    assert_eq!(tasks[0]["type"], "qmstart");
    assert_eq!(tasks[0]["user"], "alice@pve");

    let vnc = alice
        .post("/nodes/pve1/qemu/101/vncproxy", &[("websocket", "1")])
        .await
        .data();
    assert_eq!(vnc["user"], "alice@pve");
    assert!(vnc["port"].as_str().unwrap().parse::<u16>().unwrap() >= 5900);
    assert!(vnc["ticket"].as_str().unwrap().starts_with("PVEVNC:"));
    assert!(vnc["upid"]
        .as_str()
        .unwrap()
        .contains(":vncproxy:101:alice@pve:"));
    let other = alice.post("/nodes/pve1/qemu/100/vncproxy", &[]).await;
    assert_eq!(other.status, 403);

    sim.control().advance_clock(Duration::from_secs(600));
    let rrd = alice
        .get("/nodes/pve1/qemu/101/rrddata?timeframe=hour")
        .await
        .data();
    let rows = rrd.as_array().unwrap();
    assert_eq!(rows.len(), 70);
    let last = rows.last().unwrap();
    assert_eq!(last["maxmem"], 2048u64 << 20);
    assert!(last["cpu"].as_f64().unwrap() > 0.0, "running: {last}");

    // A purging destroy drops the VM's ACL entries.
    task_ok(
        &sim,
        &alice,
        alice.post("/nodes/pve1/qemu/101/status/stop", &[]).await,
    )
    .await;
    let destroy = root
        .send(Method::DELETE, "/nodes/pve1/qemu/101", &[("purge", "1")])
        .await;
    task_ok(&sim, &root, destroy).await;
    let acl = root.get("/access/acl").await.data();
    assert!(
        !acl.as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "/vms/101"),
        "{acl}"
    );
}

#[tokio::test]
async fn prepopulated_vms_list_with_containers() {
    let sim = Simulator::builder()
        .guests(30)
        .vms(10)
        .start()
        .await
        .expect("simulator starts");
    let s = Session::root(&sim).await;
    let vms = s.get("/cluster/resources?type=vm").await.data();
    let vms = vms.as_array().unwrap();
    assert_eq!(vms.len(), 40);
    let qemu = vms.iter().filter(|v| v["type"] == "qemu").count();
    assert_eq!(qemu, 10);
    assert_eq!(vms[30]["id"], "qemu/130");
    assert_eq!(vms[30]["status"], "running", "every tenth one runs");
    assert_eq!(s.get("/cluster/nextid").await.data(), "140");
}
