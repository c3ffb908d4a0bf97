//! Storage content, download-url, storage index and status, pools, vzdump and backup jobs,
//! and the directory indexes, end to end over HTTPS against the in-process simulator.

use crate::infra_support;

use std::time::Duration;

use infra_support::{Reply, Session};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proxmox_api_sim::{cluster, RunningSimulator, Simulator};
use serde_json::{json, Value};

async fn sim() -> RunningSimulator {
    Simulator::builder()
        .task_duration_scale(1.0)
        .start()
        .await
        .expect("simulator starts")
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// Waits for the task a call started; its exit status and log lines.
async fn outcome(sim: &RunningSimulator, s: &Session, reply: Reply) -> (String, Vec<String>) {
    let upid = reply.data().as_str().expect("a UPID").to_owned();
    task_outcome(sim, s, &upid).await
}

/// Polls a task (advancing the simulator's clock, never sleeping) until it stops.
async fn task_outcome(sim: &RunningSimulator, s: &Session, upid: &str) -> (String, Vec<String>) {
    let node = upid.split(':').nth(1).unwrap().to_owned();
    let path = format!("/nodes/{node}/tasks/{}/status", enc(upid));
    for _ in 0..100 {
        let status = s.get(&path).await.data();
        if status["status"] == "stopped" {
            let log = s
                .send(
                    reqwest::Method::GET,
                    &format!("/nodes/{node}/tasks/{}/log", enc(upid)),
                    &[("limit", "500")],
                )
                .await
                .data();
            let lines = log
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["t"].as_str().unwrap().to_owned())
                .collect();
            return (status["exitstatus"].as_str().unwrap().to_owned(), lines);
        }
        sim.control().advance_clock(Duration::from_millis(500));
    }
    panic!("task {upid} did not finish");
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
            ],
        )
        .await;
    assert_eq!(outcome(sim, s, reply).await.0, "OK");
}

fn assert_error(reply: &Reply, status: u16, message: &str) {
    assert_eq!(
        (reply.status, reply.message().trim_end()),
        (status, message),
        "{:?}",
        String::from_utf8_lossy(&reply.body)
    );
}

fn subdirs(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn storage_config_status_index_and_volumes() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    let storages = s.get("/storage").await.data();
    assert_eq!(subdirs(&storages, "storage"), ["local", "local-lvm"]);
    assert_eq!(storages[0]["type"], "dir");
    assert_eq!(storages[0]["path"], "/var/lib/vz");
    assert_eq!(storages[1]["thinpool"], "data");
    let only_lvm = s
        .send(reqwest::Method::GET, "/storage", &[("type", "lvmthin")])
        .await
        .data();
    assert_eq!(subdirs(&only_lvm, "storage"), ["local-lvm"]);
    assert_eq!(s.get("/storage/local").await.data()["type"], "dir");

    let status = s.get("/nodes/pve1/storage/local/status").await.data();
    assert_eq!(status["type"], "dir");
    assert_eq!(status["content"], "vztmpl,backup,iso");
    let (total, used, avail) = (
        status["total"].as_u64().unwrap(),
        status["used"].as_u64().unwrap(),
        status["avail"].as_u64().unwrap(),
    );
    assert_eq!(total, used + avail);
    let missing = s.get("/nodes/pve1/storage/nope/status").await;
    assert_eq!(missing.errors()["storage"], "No such storage.");
    let index = s.get("/nodes/pve1/storage/local").await.data();
    assert!(subdirs(&index, "subdir").contains(&"download-url".to_owned()));

    // One volume: its path, size and format.
    let volid = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
    let info = s
        .get(&format!(
            "/nodes/pve1/storage/local/content/{}",
            enc(&volid)
        ))
        .await
        .data();
    assert_eq!(
        info["path"],
        format!("/var/lib/vz/template/cache/{}", cluster::DEFAULT_TEMPLATE)
    );
    assert_eq!(info["format"], "tzst");
    assert!(info["size"].as_u64().unwrap() > 0);
    let unknown = s
        .get(&format!(
            "/nodes/pve1/storage/local/content/{}",
            enc("local:iso/none.iso")
        ))
        .await;
    assert_error(
        &unknown,
        500,
        "volume_size_info on 'local:iso/none.iso' failed - no format",
    );
}

#[tokio::test]
async fn download_url_is_a_task_and_volumes_can_be_deleted() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    let params = [
        ("url", "http://127.0.0.1:9/images/tools.iso"),
        ("content", "iso"),
        ("filename", "tools.iso"),
    ];
    let r = s
        .post("/nodes/pve1/storage/local/download-url", &params)
        .await;
    let (exit, log) = outcome(&sim, &s, r).await;
    assert_eq!(exit, "OK");
    assert!(log[0].starts_with(
        "downloading http://127.0.0.1:9/images/tools.iso to /var/lib/vz/template/iso/tools.iso"
    ));
    let isos = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve1/storage/local/content",
            &[("content", "iso")],
        )
        .await
        .data();
    assert_eq!(subdirs(&isos, "volid"), ["local:iso/tools.iso"]);
    let again = s
        .post("/nodes/pve1/storage/local/download-url", &params)
        .await;
    assert_eq!(
        again.errors()["filename"],
        "refusing to override existing file '/var/lib/vz/template/iso/tools.iso'"
    );
    let wrong = s
        .post(
            "/nodes/pve1/storage/local/download-url",
            &[
                ("url", "http://127.0.0.1:9/x.zip"),
                ("content", "iso"),
                ("filename", "x.zip"),
            ],
        )
        .await;
    assert_eq!(
        wrong.errors()["filename"],
        "invalid filename or wrong extension"
    );
    let lvm = s
        .post(
            "/nodes/pve1/storage/local-lvm/download-url",
            &[
                ("url", "http://127.0.0.1:9/y.iso"),
                ("content", "iso"),
                ("filename", "y.iso"),
            ],
        )
        .await;
    assert_error(
        &lvm,
        500,
        "storage 'local-lvm' is not configured for content-type 'iso'",
    );

    // Delete (volume id with or without the storage prefix).
    let del = s
        .delete(&format!(
            "/nodes/pve1/storage/local/content/{}",
            enc("iso/tools.iso")
        ))
        .await;
    let (exit, _) = outcome(&sim, &s, del).await;
    assert_eq!(exit, "OK");
    let isos = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve1/storage/local/content",
            &[("content", "iso")],
        )
        .await
        .data();
    assert_eq!(isos, json!([]));

    // A container's disk cannot go this way.
    create(&sim, &s, "pve1", "100").await;
    let disk = s
        .delete(&format!(
            "/nodes/pve1/storage/local-lvm/content/{}",
            enc("local-lvm:vm-100-disk-0")
        ))
        .await;
    assert_error(
        &disk,
        500,
        "unable to delete volume 'local-lvm:vm-100-disk-0' - used by CT 100",
    );
}

#[tokio::test]
async fn pools_with_members() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    s.post("/pools", &[("poolid", "dev"), ("comment", "developers")])
        .await
        .data();
    let dup = s.post("/pools", &[("poolid", "dev")]).await;
    assert_error(&dup, 500, "pool 'dev' already exists");
    s.put("/pools/dev", &[("vms", "100"), ("storage", "local")])
        .await
        .data();
    let pool = s.get("/pools/dev").await.data();
    assert_eq!(pool["comment"], "developers");
    let members = pool["members"].as_array().unwrap();
    let ct = members.iter().find(|m| m["type"] == "lxc").unwrap();
    assert_eq!(
        (ct["id"].clone(), ct["vmid"].clone()),
        (json!("lxc/100"), json!(100))
    );
    assert_eq!(ct["node"], "pve1");
    let stores: Vec<&Value> = members.iter().filter(|m| m["type"] == "storage").collect();
    assert_eq!(stores.len(), 3, "local on each of the 3 nodes");
    let only_lxc = s
        .send(reqwest::Method::GET, "/pools/dev", &[("type", "lxc")])
        .await
        .data();
    assert_eq!(only_lxc["members"].as_array().unwrap().len(), 1);
    let list = s.get("/pools").await.data();
    assert_eq!(list, json!([{"poolid": "dev", "comment": "developers"}]));
    let resources = s.get("/cluster/resources?type=vm").await.data();
    assert_eq!(resources[0]["pool"], "dev");

    s.post("/pools", &[("poolid", "ops")]).await.data();
    let member_elsewhere = s.put("/pools/ops", &[("vms", "100")]).await;
    assert_error(
        &member_elsewhere,
        500,
        "VM 100 belongs already to pool 'dev' and allow-move is not set",
    );
    s.put("/pools/ops", &[("vms", "100"), ("allow-move", "1")])
        .await
        .data();
    assert_eq!(s.get("/pools/ops").await.data()["members"][0]["vmid"], 100);
    let busy = s.delete("/pools/ops").await;
    assert_error(&busy, 500, "pool 'ops' is not empty");
    let unknown_vm = s.put("/pools/ops", &[("vms", "999")]).await;
    assert_error(&unknown_vm, 500, "no such VM ID '999'");

    // A destroyed container leaves its pool.
    let destroy = s.delete("/nodes/pve1/lxc/100").await;
    assert_eq!(outcome(&sim, &s, destroy).await.0, "OK");
    s.put("/pools/dev", &[("storage", "local"), ("delete", "1")])
        .await
        .data();
    s.delete("/pools/ops").await.data();
    s.delete("/pools/dev").await.data();
    assert_eq!(s.get("/pools").await.data(), json!([]));
    assert_error(&s.get("/pools/dev").await, 500, "pool 'dev' does not exist");

    // Pools are filtered by Pool.Audit.
    s.post("/pools", &[("poolid", "secret")]).await.data();
    sim.control().add_user("alice@pve", "alice-password");
    let alice = Session::login(&sim, "alice@pve", "alice-password").await;
    assert_eq!(alice.get("/pools").await.data(), json!([]));
}

#[tokio::test]
async fn vzdump_writes_a_backup_volume_and_jobs_are_listed() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    create(&sim, &s, "pve1", "100").await;
    create(&sim, &s, "pve2", "101").await;
    let r = s
        .post(
            "/nodes/pve1/vzdump",
            &[
                ("vmid", "100,101"),
                ("storage", "local"),
                ("compress", "zstd"),
            ],
        )
        .await;
    let upid = r.data().as_str().unwrap().to_owned();
    assert!(upid.contains(":vzdump::root@pam:"), "{upid}");
    assert_eq!(
        s.get("/nodes/pve1/lxc/100/config").await.data()["lock"],
        "backup"
    );
    let (exit, log) = task_outcome(&sim, &s, &upid).await;
    assert_eq!(exit, "OK");
    assert!(
        log.iter().any(|l| l == "INFO: skip external VMs: 101"),
        "{log:?}"
    );
    assert!(s
        .get("/nodes/pve1/lxc/100/config")
        .await
        .data()
        .get("lock")
        .is_none());
    let backups = s
        .send(
            reqwest::Method::GET,
            "/nodes/pve1/storage/local/content",
            &[("content", "backup")],
        )
        .await
        .data();
    let backups = backups.as_array().unwrap();
    assert_eq!(backups.len(), 1);
    let volid = backups[0]["volid"].as_str().unwrap();
    assert!(
        volid.starts_with("local:backup/vzdump-lxc-100-") && volid.ends_with(".tar.zst"),
        "{volid}"
    );
    assert_eq!(backups[0]["format"], "tar.zst");
    assert_eq!(backups[0]["vmid"], 100);

    let single = s.post("/nodes/pve1/vzdump", &[("vmid", "100")]).await;
    let single_upid = single.data().as_str().unwrap().to_owned();
    assert!(single_upid.contains(":vzdump:100:"), "{single_upid}");
    let no_backups = s
        .post(
            "/nodes/pve1/vzdump",
            &[("vmid", "100"), ("storage", "local-lvm")],
        )
        .await;
    assert_error(
        &no_backups,
        500,
        "storage 'local-lvm' does not support backups",
    );
    let unknown = s.post("/nodes/pve1/vzdump", &[("vmid", "555")]).await;
    assert_error(&unknown, 500, "Unable to find VMID '555'");

    // Scheduled jobs.
    assert_eq!(s.get("/cluster/backup").await.data(), json!([]));
    s.post(
        "/cluster/backup",
        &[
            ("id", "nightly"),
            ("vmid", "100"),
            ("storage", "local"),
            ("schedule", "02:00"),
            ("mode", "snapshot"),
        ],
    )
    .await
    .data();
    let jobs = s.get("/cluster/backup").await.data();
    assert_eq!(jobs[0]["id"], "nightly");
    assert_eq!(jobs[0]["type"], "vzdump");
    assert_eq!(jobs[0]["schedule"], "02:00");
    assert_eq!(jobs[0]["enabled"], 1);
    assert_eq!(s.get("/cluster/backup/nightly").await.data()["vmid"], "100");
    s.delete("/cluster/backup/nightly").await.data();
    assert_eq!(s.get("/cluster/backup").await.data(), json!([]));
}

#[tokio::test]
async fn directory_indexes_as_pve_returns_them() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    assert_eq!(
        subdirs(&s.get("/").await.data(), "subdir"),
        ["version", "cluster", "nodes", "storage", "access", "pools"]
    );
    let cluster = subdirs(&s.get("/cluster").await.data(), "name");
    for child in ["resources", "status", "tasks", "nextid", "backup"] {
        assert!(cluster.contains(&child.to_owned()), "{child}");
    }
    let access = subdirs(&s.get("/access").await.data(), "subdir");
    assert_eq!(access.first().map(String::as_str), Some("users"));
    assert!(access.contains(&"ticket".to_owned()));
    let node = subdirs(&s.get("/nodes/pve1").await.data(), "name");
    for child in ["lxc", "qemu", "status", "storage", "tasks", "vzdump"] {
        assert!(node.contains(&child.to_owned()), "{child}");
    }
    let mut sorted = node.clone();
    sorted.sort();
    assert_eq!(node, sorted, "PVE lists node children alphabetically");
    assert_eq!(s.get("/nodes/nope").await.status, 500);

    create(&sim, &s, "pve1", "100").await;
    let ct = subdirs(&s.get("/nodes/pve1/lxc/100").await.data(), "subdir");
    for child in [
        "config", "pending", "status", "snapshot", "clone", "migrate", "resize",
    ] {
        assert!(ct.contains(&child.to_owned()), "{child}");
    }
    assert_eq!(
        subdirs(&s.get("/nodes/pve1/lxc/100/status").await.data(), "subdir"),
        ["current", "start", "stop", "shutdown", "reboot", "migrate"]
    );
    assert_error(
        &s.get("/nodes/pve1/lxc/999").await,
        500,
        "Configuration file 'nodes/pve1/lxc/999.conf' does not exist",
    );
    assert_error(
        &s.get("/nodes/pve1/lxc/999/status").await,
        500,
        "Configuration file 'nodes/pve1/lxc/999.conf' does not exist",
    );
    // The root index needs a login like every other call.
    let anonymous = Session::anonymous(&sim).get("/").await;
    assert_eq!(anonymous.status, 401);
}
