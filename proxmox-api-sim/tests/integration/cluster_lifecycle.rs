//! Container lifecycle, locks, vmid races, injected task failures, storage accounting, task
//! history, node load, rrd data and VNC tickets, driven by advancing a frozen clock.

use crate::cluster_support;

use cluster_support::{Sim, T0};
use http::Method;
use proxmox_api_sim::cluster::{self, ClusterConfig, ClusterState};
use proxmox_api_sim::faults::Faults;
use serde_json::Value;

const GIB: u64 = 1 << 30;

fn fail_next_task(sim: &mut Sim, kind: &str, exit: &str) {
    sim.state
        .faults
        .task_failures
        .entry(kind.into())
        .or_default()
        .push_back(exit.into());
}

#[test]
fn create_start_stop_delete_with_task_outcomes() {
    let mut sim = Sim::new();
    let avail_before = sim.avail("pve1", "local-lvm");

    let create = sim.create_ct("pve1", 100, &[]);
    // The container exists at once, locked, while its vzcreate task runs.
    let status = sim.get("/nodes/pve1/lxc/100/status/current", &[]);
    assert_eq!(status["lock"], "create");
    assert_eq!(status["status"], "stopped");
    assert_eq!(sim.get("/nodes/pve1/lxc/100/config", &[])["lock"], "create");
    assert_eq!(sim.task(&create)["status"], "running");
    assert_eq!(sim.wait_task(&create), "OK");
    let status = sim.get("/nodes/pve1/lxc/100/status/current", &[]);
    assert!(
        status.get("lock").is_none(),
        "lock gone when the task ended: {status}"
    );
    assert_eq!(status["maxmem"], 1024 * 1024 * 1024);
    assert_eq!(status["cpus"], 2);
    assert_eq!(status["name"], "web1");
    assert_eq!(sim.avail("pve1", "local-lvm"), avail_before - 8 * GIB);

    let start = sim.post("/nodes/pve1/lxc/100/status/start", &[]);
    let start = start.as_str().unwrap().to_owned();
    assert_eq!(
        sim.get("/nodes/pve1/lxc/100/status/current", &[])["status"],
        "stopped"
    );
    assert_eq!(sim.wait_task(&start), "OK");
    let status = sim.get("/nodes/pve1/lxc/100/status/current", &[]);
    assert_eq!(status["status"], "running");
    assert!(status["pid"].as_u64().unwrap() > 0);
    sim.advance(30.0);
    assert!(
        sim.get("/nodes/pve1/lxc/100/status/current", &[])["uptime"]
            .as_u64()
            .unwrap()
            >= 30
    );

    let stop = sim
        .post("/nodes/pve1/lxc/100/status/stop", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&stop), "OK");
    let status = sim.get("/nodes/pve1/lxc/100/status/current", &[]);
    assert_eq!(status["status"], "stopped");
    assert!(status.get("pid").is_none());
    assert_eq!(status["uptime"], 0);

    let destroy = sim
        .delete("/nodes/pve1/lxc/100", &[("purge", "1")])
        .as_str()
        .unwrap()
        .to_owned();
    assert!(destroy.contains(":vzdestroy:100:root@pam:"), "{destroy}");
    assert_eq!(sim.wait_task(&destroy), "OK");
    let err = sim.fail(Method::GET, "/nodes/pve1/lxc/100/status/current", &[]);
    assert_eq!(
        err.message,
        "Configuration file 'nodes/pve1/lxc/100.conf' does not exist"
    );
    assert_eq!(
        sim.avail("pve1", "local-lvm"),
        avail_before,
        "destroy gives the space back"
    );
    assert_eq!(sim.task_log(&destroy).last().unwrap(), "TASK OK");

    // The destroy shows up in the history, filterable by type and vmid.
    let log = sim.get(
        "/nodes/pve1/tasks",
        &[("typefilter", "vzdestroy"), ("vmid", "100")],
    );
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["upid"], destroy.as_str());
    assert_eq!(entries[0]["status"], "OK");
    assert!(entries[0]["endtime"].as_i64().unwrap() >= entries[0]["starttime"].as_i64().unwrap());
}

#[test]
fn shutdown_and_reboot_are_tasks_with_their_own_types() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve2", 200, &[("start", "1")]);
    assert_eq!(sim.wait_task(&create), "OK");
    // start=1: the create task starts a vzstart task when it ends.
    let starts = sim.get(
        "/nodes/pve2/tasks",
        &[("typefilter", "vzstart"), ("source", "all")],
    );
    let start = starts[0]["upid"]
        .as_str()
        .expect("a vzstart task")
        .to_owned();
    assert_eq!(sim.wait_task(&start), "OK");
    let pid_before = sim.get("/nodes/pve2/lxc/200/status/current", &[])["pid"].clone();

    let reboot = sim
        .post("/nodes/pve2/lxc/200/status/reboot", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reboot.contains(":vzreboot:200:"));
    assert_eq!(sim.wait_task(&reboot), "OK");
    let status = sim.get("/nodes/pve2/lxc/200/status/current", &[]);
    assert_eq!(status["status"], "running");
    assert_ne!(status["pid"], pid_before, "a reboot gives a new init pid");

    let shutdown = sim
        .post("/nodes/pve2/lxc/200/status/shutdown", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shutdown.contains(":vzshutdown:200:"));
    assert_eq!(sim.wait_task(&shutdown), "OK");
    assert_eq!(
        sim.get("/nodes/pve2/lxc/200/status/current", &[])["status"],
        "stopped"
    );
}

#[test]
fn power_actions_in_the_wrong_state_get_pves_errors() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[]);
    sim.wait_task(&create);
    for action in ["stop", "shutdown", "reboot"] {
        let err = sim.fail(
            Method::POST,
            &format!("/nodes/pve1/lxc/100/status/{action}"),
            &[],
        );
        assert_eq!(
            (err.status, err.message.as_str()),
            (500, "CT 100 not running")
        );
    }
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    sim.wait_task(&start);
    let err = sim.fail(Method::POST, "/nodes/pve1/lxc/100/status/start", &[]);
    assert_eq!(
        (err.status, err.message.as_str()),
        (500, "CT 100 already running")
    );
    let err = sim.fail(Method::DELETE, "/nodes/pve1/lxc/100", &[]);
    assert_eq!(
        (err.status, err.message.as_str()),
        (500, "unable to destroy CT 100 - container is running")
    );
    // force: destroyed although running.
    let destroy = sim
        .delete("/nodes/pve1/lxc/100", &[("force", "1")])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&destroy), "OK");
    assert_eq!(sim.get("/nodes/pve1/lxc", &[]).as_array().unwrap().len(), 0);
    // A container on another node does not exist on this one.
    let create = sim.create_ct("pve2", 300, &[]);
    sim.wait_task(&create);
    let err = sim.fail(Method::POST, "/nodes/pve1/lxc/300/status/start", &[]);
    assert_eq!(
        err.message,
        "Configuration file 'nodes/pve1/lxc/300.conf' does not exist"
    );
}

#[test]
fn a_running_task_holds_the_config_lock() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[]);
    // While vzcreate runs: a start cannot take the flock, a destroy sees `lock: create`.
    let err = sim.fail(Method::POST, "/nodes/pve1/lxc/100/status/start", &[]);
    assert_eq!(err.status, 500);
    assert_eq!(
        err.message,
        "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout"
    );
    let err = sim.fail(Method::DELETE, "/nodes/pve1/lxc/100", &[]);
    assert_eq!(
        (err.status, err.message.as_str()),
        (500, "CT is locked (create)")
    );
    sim.wait_task(&create);

    // A start task holds the lock too: a concurrent stop is refused until it ends.
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    let err = sim.fail(Method::DELETE, "/nodes/pve1/lxc/100", &[]);
    assert_eq!(
        err.message,
        "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout"
    );
    sim.wait_task(&start);
    let stop = sim
        .post("/nodes/pve1/lxc/100/status/stop", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&stop), "OK");
}

#[test]
fn a_lock_held_through_faults_fails_tasks_and_destroy() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[]);
    sim.wait_task(&create);
    sim.state.faults.held_locks.insert(100, "backup".into());
    assert_eq!(
        sim.get("/nodes/pve1/lxc/100/status/current", &[])["lock"],
        "backup"
    );
    assert_eq!(sim.get("/nodes/pve1/lxc/100/config", &[])["lock"], "backup");
    // PVE checks the config lock inside the start worker: the task fails.
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&start), "CT is locked (backup)");
    assert_eq!(
        sim.task_log(&start).last().unwrap(),
        "TASK ERROR: CT is locked (backup)"
    );
    assert_eq!(
        sim.get("/nodes/pve1/lxc/100/status/current", &[])["status"],
        "stopped"
    );
    let err = sim.fail(Method::DELETE, "/nodes/pve1/lxc/100", &[]);
    assert_eq!(
        (err.status, err.message.as_str()),
        (500, "CT is locked (backup)")
    );
    // Released: everything works again.
    sim.state.faults.held_locks.remove(&100);
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&start), "OK");
}

#[test]
fn two_creates_on_one_vmid_the_second_gets_pves_error() {
    let mut sim = Sim::new();
    let first = sim.create_ct("pve1", 100, &[]);
    for node in ["pve1", "pve2"] {
        let template = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
        let err = sim.fail(
            Method::POST,
            &format!("/nodes/{node}/lxc"),
            &[
                ("vmid", "100"),
                ("ostemplate", template.as_str()),
                ("rootfs", "local-lvm:4"),
            ],
        );
        assert_eq!(err.status, 500);
        assert_eq!(err.message, "CT 100 already exists on node 'pve1'");
    }
    assert_eq!(sim.wait_task(&first), "OK");
    assert_eq!(
        sim.get("/cluster/resources", &[("type", "vm")])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn nextid_does_not_reserve_so_creates_can_race() {
    let mut sim = Sim::new();
    assert_eq!(sim.get("/cluster/nextid", &[]), "100");
    // Two clients read the same next id; the first create wins, the second gets the race error.
    let a = sim.get("/cluster/nextid", &[]);
    let b = sim.get("/cluster/nextid", &[]);
    assert_eq!(a, b);
    let vmid: u32 = a.as_str().unwrap().parse().unwrap();
    sim.create_ct("pve1", vmid, &[]);
    let template = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
    let err = sim.fail(
        Method::POST,
        "/nodes/pve2/lxc",
        &[
            ("vmid", "100"),
            ("ostemplate", template.as_str()),
            ("rootfs", "local-lvm:4"),
        ],
    );
    assert_eq!(err.message, "CT 100 already exists on node 'pve1'");
    // The id is taken as soon as the create is accepted, before its task ends.
    assert_eq!(sim.get("/cluster/nextid", &[]), "101");
    let err = sim.fail(Method::GET, "/cluster/nextid", &[("vmid", "100")]);
    assert_eq!(err.status, 400);
    // Gaps are filled lowest first.
    sim.create_ct("pve1", 102, &[]);
    assert_eq!(sim.get("/cluster/nextid", &[]), "101");
}

#[test]
fn a_failed_task_through_faults_rolls_back_and_logs_the_error() {
    let mut sim = Sim::new();
    let avail = sim.avail("pve1", "local-lvm");
    fail_next_task(
        &mut sim,
        "vzcreate",
        "unable to create CT 100 - injected failure",
    );
    let create = sim.create_ct("pve1", 100, &[]);
    assert_eq!(
        sim.wait_task(&create),
        "unable to create CT 100 - injected failure"
    );
    let log = sim.task_log(&create);
    assert_eq!(
        log.last().unwrap(),
        "TASK ERROR: unable to create CT 100 - injected failure"
    );
    assert!(log.len() > 1, "the task's own lines come first: {log:?}");
    // PVE removes what a failed create made.
    sim.fail(Method::GET, "/nodes/pve1/lxc/100/config", &[]);
    assert_eq!(sim.avail("pve1", "local-lvm"), avail);
    assert!(
        sim.state.faults.task_failures.is_empty(),
        "the failure is used up"
    );
    // The next one succeeds; errors are filterable in the history.
    let create = sim.create_ct("pve1", 100, &[]);
    assert_eq!(sim.wait_task(&create), "OK");
    let errors = sim.get("/nodes/pve1/tasks", &[("errors", "1")]);
    assert_eq!(errors.as_array().unwrap().len(), 1);
    // WARNINGS is a success with warnings: the effect applies.
    fail_next_task(&mut sim, "vzstart", "WARNINGS: 2");
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&start), "WARNINGS: 2");
    assert_eq!(sim.task_log(&start).last().unwrap(), "TASK WARNINGS: 2");
    assert_eq!(
        sim.get("/nodes/pve1/lxc/100/status/current", &[])["status"],
        "running"
    );
}

#[test]
fn create_validates_template_storage_and_space() {
    let mut sim = Sim::new();
    // alpine is only pre-downloaded on odd nodes.
    let alpine = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";
    let err = sim.fail(
        Method::POST,
        "/nodes/pve2/lxc",
        &[
            ("vmid", "100"),
            ("ostemplate", alpine),
            ("rootfs", "local-lvm:4"),
        ],
    );
    assert_eq!(
        (err.status, err.message.as_str()),
        (500, format!("can't find file '{alpine}'").as_str())
    );
    let ok = sim.post(
        "/nodes/pve3/lxc",
        &[
            ("vmid", "100"),
            ("ostemplate", alpine),
            ("rootfs", "local-lvm:4"),
        ],
    );
    assert!(ok.as_str().unwrap().starts_with("UPID:pve3:"));
    assert_eq!(
        sim.get("/nodes/pve3/lxc/100/config", &[])["ostype"],
        "alpine"
    );
    let template = format!("local:vztmpl/{}", cluster::DEFAULT_TEMPLATE);
    let err = sim.fail(
        Method::POST,
        "/nodes/pve1/lxc",
        &[
            ("vmid", "101"),
            ("ostemplate", template.as_str()),
            ("rootfs", "nosuch:4"),
        ],
    );
    assert_eq!(err.message, "storage 'nosuch' does not exist");
    let err = sim.fail(
        Method::POST,
        "/nodes/pve1/lxc",
        &[
            ("vmid", "101"),
            ("ostemplate", template.as_str()),
            ("rootfs", "local:4"),
        ],
    );
    assert_eq!(
        err.message,
        "storage 'local' does not allow content type 'rootdir' (Container)"
    );
    // Too big for the thin pool: the task fails and nothing stays allocated.
    let avail = sim.avail("pve1", "local-lvm");
    let huge = sim.post(
        "/nodes/pve1/lxc",
        &[
            ("vmid", "101"),
            ("ostemplate", template.as_str()),
            ("rootfs", "local-lvm:100000"),
        ],
    );
    let exit = sim.wait_task(huge.as_str().unwrap());
    assert!(
        exit.starts_with("unable to create CT 101 - lvcreate"),
        "{exit}"
    );
    assert_eq!(sim.avail("pve1", "local-lvm"), avail);
}

#[test]
fn storage_accounting_follows_allocations() {
    let mut sim = Sim::new();
    let before = sim.avail("pve2", "local-lvm");
    let mut upids = Vec::new();
    for (vmid, gib) in [(100, "4"), (101, "10"), (102, "2.5")] {
        let rootfs = format!("local-lvm:{gib}");
        upids.push(sim.create_ct("pve2", vmid, &[("rootfs", rootfs.as_str())]));
    }
    let expected = 4 * GIB + 10 * GIB + 5 * GIB / 2;
    assert_eq!(sim.avail("pve2", "local-lvm"), before - expected);
    assert_eq!(
        sim.avail("pve1", "local-lvm"),
        sim.avail("pve1", "local-lvm")
    );
    for u in &upids {
        sim.wait_task(u);
    }
    let content = sim.get("/nodes/pve2/storage/local-lvm/content", &[("vmid", "101")]);
    assert_eq!(content.as_array().unwrap().len(), 1);
    assert_eq!(content[0]["size"], 10 * GIB);
    let d = sim
        .delete("/nodes/pve2/lxc/101", &[])
        .as_str()
        .unwrap()
        .to_owned();
    sim.wait_task(&d);
    assert_eq!(
        sim.avail("pve2", "local-lvm"),
        before - 4 * GIB - 5 * GIB / 2
    );
    // used + avail = total throughout.
    let list = sim.get("/nodes/pve2/storage", &[("content", "rootdir")]);
    let lvm = &list.as_array().unwrap()[0];
    assert_eq!(list.as_array().unwrap().len(), 1, "content filter");
    assert_eq!(
        lvm["used"].as_u64().unwrap() + lvm["avail"].as_u64().unwrap(),
        lvm["total"].as_u64().unwrap()
    );
}

#[test]
fn template_download_is_a_task_that_adds_the_volume() {
    let mut sim = Sim::new();
    let template = "debian-13-standard_13.6-1_amd64.tar.zst";
    let volid = format!("local:vztmpl/{template}");
    let has = |sim: &mut Sim| {
        sim.get(
            "/nodes/pve2/storage/local/content",
            &[("content", "vztmpl")],
        )
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["volid"] == volid.as_str())
    };
    assert!(!has(&mut sim));
    let upid = sim.post(
        "/nodes/pve2/aplinfo",
        &[("storage", "local"), ("template", template)],
    );
    let upid = upid.as_str().unwrap().to_owned();
    assert!(
        upid.contains(&format!(":download:{template}:root@pam:")),
        "{upid}"
    );
    assert!(!has(&mut sim), "not there before the task ends");
    assert_eq!(sim.wait_task(&upid), "OK");
    assert!(has(&mut sim));
    let err = sim.fail(
        Method::POST,
        "/nodes/pve2/aplinfo",
        &[("storage", "local"), ("template", "nope.tar.zst")],
    );
    assert_eq!(err.errors.unwrap()["template"], "no such template");
    let err = sim.fail(
        Method::POST,
        "/nodes/pve2/aplinfo",
        &[("storage", "local-lvm"), ("template", template)],
    );
    assert_eq!(
        err.message,
        "storage 'local-lvm' does not support templates"
    );
}

#[test]
fn task_durations_scale_and_history_is_newest_first() {
    let mut sim = Sim::new();
    sim.state.faults.task_duration_scale = 0.0;
    let create = sim.create_ct("pve1", 100, &[]);
    // Instant: finished at the next call, without advancing the clock.
    assert_eq!(sim.task(&create)["exitstatus"], "OK");
    sim.state.faults.task_duration_scale = 10.0;
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    sim.advance(9.0);
    assert_eq!(sim.task(&start)["status"], "running");
    // Running tasks only show with source=active|all.
    let archive = sim.get("/nodes/pve1/tasks", &[]);
    assert!(archive
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["upid"] != start.as_str()));
    let active = sim.get("/nodes/pve1/tasks", &[("source", "active")]);
    assert_eq!(active[0]["upid"], start.as_str());
    assert_eq!(active[0]["status"], "RUNNING");
    sim.advance(1.5);
    assert_eq!(sim.task(&start)["exitstatus"], "OK");
    let all = sim.get("/nodes/pve1/tasks", &[("source", "all")]);
    let upids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["upid"].as_str().unwrap())
        .collect();
    assert_eq!(upids, [start.as_str(), create.as_str()], "newest first");
    assert_eq!(
        sim.get("/nodes/pve1/tasks", &[("limit", "1")])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sim.get("/nodes/pve1/tasks", &[("userfilter", "nobody")])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        sim.get("/nodes/pve2/tasks", &[]).as_array().unwrap().len(),
        0
    );
    assert_eq!(sim.get("/cluster/tasks", &[]).as_array().unwrap().len(), 2);
}

#[test]
fn unknown_and_malformed_upids_get_pves_400() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[]);
    let err = sim.fail(Method::GET, "/nodes/pve1/tasks/UPID:garbage/status", &[]);
    assert_eq!(err.errors.unwrap()["upid"], "unable to parse worker upid");
    let other = create.replace("vzcreate", "vzdump");
    let err = sim.fail(
        Method::GET,
        &format!("/nodes/pve1/tasks/{other}/status"),
        &[],
    );
    assert_eq!(err.errors.unwrap()["upid"], "no such task");
    // The right UPID on the wrong node is not there either.
    let err = sim.fail(
        Method::GET,
        &format!("/nodes/pve2/tasks/{create}/status"),
        &[],
    );
    assert_eq!(err.errors.unwrap()["upid"], "no such task");
}

#[test]
fn task_history_is_capped() {
    let mut sim = Sim::new();
    sim.state.faults.task_duration_scale = 0.0;
    let create = sim.create_ct("pve1", 100, &[]);
    sim.wait_task(&create);
    let n = cluster::TASK_HISTORY_CAP + 50;
    for i in 0..n {
        let action = if i % 2 == 0 { "start" } else { "stop" };
        sim.post(&format!("/nodes/pve1/lxc/100/status/{action}"), &[]);
        sim.advance(0.001);
    }
    sim.get("/cluster/nextid", &[]); // one more tick
    assert_eq!(sim.state.cluster.task_count(), cluster::TASK_HISTORY_CAP);
    let err = sim.fail(
        Method::GET,
        &format!("/nodes/pve1/tasks/{create}/status"),
        &[],
    );
    assert_eq!(
        err.errors.unwrap()["upid"],
        "no such task",
        "the oldest task was forgotten"
    );
}

#[test]
fn node_status_follows_running_containers() {
    let mut sim = Sim::new();
    let idle = sim.get("/nodes/pve1/status", &[]);
    for vmid in 100..104 {
        let c = sim.create_ct("pve1", vmid, &[("memory", "4096"), ("start", "1")]);
        sim.wait_task(&c);
    }
    sim.advance(5.0);
    let busy = sim.get("/nodes/pve1/status", &[]);
    let used = |v: &Value| v["memory"]["used"].as_u64().unwrap();
    assert!(
        used(&busy) > used(&idle),
        "memory grows with running containers"
    );
    let load = |v: &Value| v["loadavg"][0].as_str().unwrap().parse::<f64>().unwrap();
    assert!(load(&busy) > load(&idle));
    assert_eq!(
        busy["memory"]["used"].as_u64().unwrap() + busy["memory"]["free"].as_u64().unwrap(),
        busy["memory"]["total"].as_u64().unwrap()
    );
    let up = busy["uptime"].as_u64().unwrap();
    sim.advance(100.0);
    assert_eq!(
        sim.get("/nodes/pve1/status", &[])["uptime"]
            .as_u64()
            .unwrap(),
        up + 100
    );
    // Other nodes are unaffected.
    let pve2 = sim.get("/nodes/pve2/status", &[]);
    let nodes = sim.get("/nodes", &[]);
    let entry = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve2")
        .unwrap();
    assert_eq!(entry["mem"], pve2["memory"]["used"]);
}

#[test]
fn offline_nodes_show_in_cluster_status_and_resources() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve2", 100, &[]);
    sim.wait_task(&create);
    sim.state.faults.offline_nodes.insert("pve2".into());
    let status = sim.get("/cluster/status", &[]);
    let pve2 = status
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "pve2")
        .unwrap();
    assert_eq!(pve2["online"], 0);
    assert_eq!(status[0]["quorate"], 1, "2 of 3 keep quorum");
    sim.state.faults.offline_nodes.insert("pve3".into());
    assert_eq!(
        sim.get("/cluster/status", &[])[0]["quorate"],
        0,
        "1 of 3 loses it"
    );
    let nodes = sim.get("/nodes", &[]);
    let pve2 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "pve2")
        .unwrap();
    assert_eq!(pve2["status"], "offline");
    assert!(pve2.get("mem").is_none(), "no stats for an offline node");
    let res = sim.get("/cluster/resources", &[("type", "vm")]);
    assert_eq!(res[0]["status"], "unknown");
}

#[test]
fn rrddata_layouts_and_missing_samples() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[("start", "1")]);
    sim.wait_task(&create);
    sim.advance(600.0);
    for (timeframe, step) in [
        ("hour", 60),
        ("day", 1800),
        ("week", 10800),
        ("month", 43200),
        ("year", 604800),
    ] {
        for cf in ["AVERAGE", "MAX"] {
            let rows = sim.get(
                "/nodes/pve1/rrddata",
                &[("timeframe", timeframe), ("cf", cf)],
            );
            let rows = rows.as_array().unwrap();
            assert_eq!(rows.len(), 70, "{timeframe}");
            for w in rows.windows(2) {
                assert_eq!(
                    w[1]["time"].as_i64().unwrap() - w[0]["time"].as_i64().unwrap(),
                    step
                );
            }
            let last = rows.last().unwrap()["time"].as_i64().unwrap();
            let now = sim.state.clock.unix();
            assert!(
                last <= now && last > now - step,
                "{timeframe}: {last} vs {now}"
            );
            let ct = sim.get(
                "/nodes/pve1/lxc/100/rrddata",
                &[("timeframe", timeframe), ("cf", cf)],
            );
            assert_eq!(ct.as_array().unwrap().len(), 70);
        }
    }
    // A day of node samples has some missing (only `time`) and none with null values.
    let day = sim.get("/nodes/pve1/rrddata", &[("timeframe", "year")]);
    let missing = day
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.as_object().unwrap().len() == 1)
        .count();
    let week = sim.get("/nodes/pve2/rrddata", &[("timeframe", "hour")]);
    let missing2 = week
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.as_object().unwrap().len() == 1)
        .count();
    assert!(missing + missing2 > 0, "some samples are missing");
    for r in day.as_array().unwrap() {
        assert!(r.as_object().unwrap().values().all(|v| !v.is_null()));
    }
    // The container is 10 minutes old: older hour rows have only `time`.
    let hour = sim.get("/nodes/pve1/lxc/100/rrddata", &[("timeframe", "hour")]);
    let rows = hour.as_array().unwrap();
    assert_eq!(rows[0].as_object().unwrap().len(), 1, "{}", rows[0]);
    let recent = rows.last().unwrap();
    assert!(recent["cpu"].as_f64().unwrap() > 0.0, "running: {recent}");
    assert!(recent["maxmem"].is_u64());
    // MAX is never below AVERAGE for the same sample.
    let avg = sim.get(
        "/nodes/pve1/lxc/100/rrddata",
        &[("timeframe", "hour"), ("cf", "AVERAGE")],
    );
    let max = sim.get(
        "/nodes/pve1/lxc/100/rrddata",
        &[("timeframe", "hour"), ("cf", "MAX")],
    );
    let (a, m) = (
        avg.as_array().unwrap().last().unwrap(),
        max.as_array().unwrap().last().unwrap(),
    );
    assert!(m["cpu"].as_f64().unwrap() >= a["cpu"].as_f64().unwrap());
}

#[test]
fn vnc_tickets_are_bound_to_container_port_and_time() {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[("start", "1")]);
    sim.wait_task(&create);
    let a = sim.post("/nodes/pve1/lxc/100/vncproxy", &[]);
    let b = sim.post("/nodes/pve1/lxc/100/vncproxy", &[("websocket", "1")]);
    let port_a: u16 = a["port"].as_str().unwrap().parse().unwrap();
    let port_b: u16 = b["port"].as_str().unwrap().parse().unwrap();
    assert!((5900..=5999).contains(&port_a));
    assert_ne!(port_a, port_b, "two open consoles get two ports");
    assert!(
        a.get("password").is_none(),
        "password only with websocket=1"
    );
    assert!(b.get("password").is_some());
    let ticket = b["ticket"].as_str().unwrap();
    let now = sim.state.clock.unix();
    let cl: &ClusterState = &sim.state.cluster;
    assert!(cl.vnc_ticket_valid("pve1", 100, port_b, ticket, now));
    assert!(
        !cl.vnc_ticket_valid("pve1", 100, port_a, ticket, now),
        "other port"
    );
    assert!(
        !cl.vnc_ticket_valid("pve1", 101, port_b, ticket, now),
        "other container"
    );
    assert!(
        !cl.vnc_ticket_valid("pve2", 100, port_b, ticket, now),
        "other node"
    );
    assert!(!cl.vnc_ticket_valid("pve1", 100, port_b, "PVEVNC:00000000::forged", now));
    assert!(cl.vnc_ticket_valid("pve1", 100, port_b, ticket, now + 40));
    assert!(
        !cl.vnc_ticket_valid("pve1", 100, port_b, ticket, now + 41),
        "expired"
    );
    let upid = b["upid"].as_str().unwrap().to_owned();
    assert!(upid.contains(":vncproxy:100:root@pam:"));
    assert_eq!(b["user"], "root@pam");
    let err = sim.fail(Method::POST, "/nodes/pve1/lxc/555/vncproxy", &[]);
    assert_eq!(err.status, 500);
}

#[test]
fn prepopulated_guests_for_benchmarks() {
    let mut sim = Sim::with(ClusterConfig {
        nodes: 4,
        guests: 2_000,
        vms: 0,
        seed: 7,
    });
    assert_eq!(
        sim.state.cluster.node_names(),
        ["pve1", "pve2", "pve3", "pve4"]
    );
    let vms = sim.get("/cluster/resources", &[("type", "vm")]);
    let vms = vms.as_array().unwrap();
    assert_eq!(vms.len(), 2_000);
    let running = vms.iter().filter(|v| v["status"] == "running").count();
    assert!(running > 0 && running < 500, "mostly stopped: {running}");
    let per_node = sim.get("/nodes/pve3/lxc", &[]).as_array().unwrap().len();
    assert_eq!(per_node, 500, "spread over the nodes");
    assert_eq!(sim.get("/cluster/nextid", &[]), "2100");
    // A running pre-populated guest has an uptime from the clock.
    let v = vms.iter().find(|v| v["status"] == "running").unwrap();
    assert!(v["uptime"].as_u64().unwrap() > 0);
    // Deterministic: the same seed gives the same cluster.
    let mut again = Sim::with(ClusterConfig {
        nodes: 4,
        guests: 2_000,
        vms: 0,
        seed: 7,
    });
    assert_eq!(
        again
            .get("/cluster/resources", &[("type", "vm")])
            .as_array()
            .unwrap(),
        vms
    );
}

#[test]
fn tick_is_idempotent() {
    let mut cluster = ClusterState::default();
    let faults = Faults::default();
    cluster.tick(T0 as f64, &faults);
    cluster.tick(T0 as f64, &faults);
    cluster.tick(T0 as f64 - 5.0, &faults); // time never goes back
    assert_eq!(cluster.node_names().len(), 3);
    assert_eq!(cluster.task_count(), 0);
}
