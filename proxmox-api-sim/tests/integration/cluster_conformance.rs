//! Conformance: each modelled cluster/node endpoint answers with the keys and JSON types of the
//! matching response recorded from a real PVE server (`tests/cluster_fixtures`).
//!
//! Documented differences: the fixtures span PVE 7.1 to 9.2 while the simulator answers as PVE
//! 9.1, so a few keys changed type (`vmid` of the container list is an integer since PVE 8.2) or
//! were added (node `boot-info`, `current-kernel`); optional keys (only set when configured, like
//! `tags`, `template`, `lock`) may be absent.

use crate::cluster_support;

use cluster_support::{assert_same_shape, fixture, kind, Rules, Sim};
use http::Method;
use proxmox_api_sim::cluster::upid::Upid;
use proxmox_api_sim::cluster::ClusterConfig;
use serde_json::Value;

/// A cluster with one running and one stopped container on pve1, and finished tasks.
fn populated() -> (Sim, String) {
    let mut sim = Sim::new();
    let create = sim.create_ct("pve1", 100, &[("tags", "web;prod")]);
    assert_eq!(sim.wait_task(&create), "OK");
    let start = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&start), "OK");
    let create2 = sim.create_ct("pve1", 101, &[]);
    assert_eq!(sim.wait_task(&create2), "OK");
    sim.advance(120.0);
    (sim, start)
}

#[test]
fn nodes_list_has_the_fixture_shape() {
    let (mut sim, _) = populated();
    let ours = sim.get("/nodes", &[]);
    assert_eq!(ours.as_array().unwrap().len(), 3);
    assert_same_shape(
        "GET /nodes",
        &fixture("nodes.json"),
        &ours,
        &Rules::default(),
    );
    for n in ours.as_array().unwrap() {
        assert_eq!(n["level"], "");
        assert_eq!(n["status"], "online");
        let fp = n["ssl_fingerprint"].as_str().unwrap();
        assert_eq!(fp.split(':').count(), 32, "{fp}");
    }
}

#[test]
fn node_status_has_the_fixture_shape_with_loose_types() {
    let (mut sim, _) = populated();
    let ours = sim.get("/nodes/pve1/status", &[]);
    let rules = Rules::default()
        .extra(&["boot-info", "current-kernel"])
        .retyped(
            "wait",
            "iowait is a float in PVE; the fixture caught it at 0",
        );
    assert_same_shape(
        "GET /nodes/{node}/status",
        &fixture("nodes__node__status.pve7.4-16.json"),
        &ours,
        &rules,
    );
    // Loosely typed as PVE sends them.
    for l in ours["loadavg"].as_array().unwrap() {
        assert!(l.is_string(), "loadavg entries are strings: {l}");
    }
    assert!(ours["cpuinfo"]["mhz"].is_string());
    assert_eq!(ours["cpuinfo"]["hvm"], "1");
    // 9.x wording of pveversion, consistent with /nodes/{node}/version.
    let version = sim.get("/nodes/pve1/version", &[]);
    assert_same_shape(
        "GET /nodes/{node}/version",
        &fixture("nodes__node__version.pve7.4-16.json"),
        &version,
        &Rules::default(),
    );
    let pveversion = ours["pveversion"].as_str().unwrap();
    assert_eq!(
        pveversion,
        format!(
            "pve-manager/{}/{}",
            version["version"].as_str().unwrap(),
            version["repoid"].as_str().unwrap()
        )
    );
    assert_eq!(version["repoid"].as_str().unwrap().len(), 16, "9.x repoid");
}

#[test]
fn cluster_status_has_the_fixture_shape_per_entry_type() {
    let (mut sim, _) = populated();
    let ours = sim.get("/cluster/status", &[]);
    let fix = fixture("cluster__status.4nodes.json");
    for t in ["cluster", "node"] {
        let pick = |v: &Value| -> Value {
            Value::Array(
                v.as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["type"] == t)
                    .cloned()
                    .collect(),
            )
        };
        assert_same_shape(
            &format!("/cluster/status {t}"),
            &pick(&fix),
            &pick(&ours),
            &Rules::default(),
        );
    }
    assert_eq!(ours[0]["quorate"], 1);
    assert_eq!(ours[0]["nodes"], 3);
}

#[test]
fn cluster_resources_have_the_fixture_shape_per_type() {
    let (mut sim, _) = populated();
    let ours = sim.get("/cluster/resources", &[]);
    let fix = fixture("cluster__resources.4nodes.json");
    let pick = |v: &Value, t: &str| -> Value {
        Value::Array(
            v.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["type"] == t)
                .cloned()
                .collect(),
        )
    };
    // The fixture's guests are qemu VMs; container entries carry the same keys.
    let guest_rules = Rules::default().extra(&["lock"]);
    assert_same_shape(
        "resources lxc",
        &pick(&fix, "qemu"),
        &pick(&ours, "lxc"),
        &guest_rules,
    );
    assert_same_shape(
        "resources node",
        &pick(&fix, "node"),
        &pick(&ours, "node"),
        &Rules::default(),
    );
    assert_same_shape(
        "resources storage",
        &pick(&fix, "storage"),
        &pick(&ours, "storage"),
        &Rules::default(),
    );
    let lxc = pick(&ours, "lxc");
    let ct = lxc
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["vmid"] == 100)
        .unwrap();
    assert_eq!(ct["id"], "lxc/100");
    assert_eq!(ct["tags"], "web;prod");
    assert_eq!(ct["template"], 0);
    // Type filters.
    for (filter, types) in [
        ("vm", vec!["lxc"]),
        ("node", vec!["node"]),
        ("storage", vec!["storage"]),
        ("sdn", vec!["sdn"]),
    ] {
        let got = sim.get("/cluster/resources", &[("type", filter)]);
        assert!(!got.as_array().unwrap().is_empty());
        for e in got.as_array().unwrap() {
            assert!(
                types.contains(&e["type"].as_str().unwrap()),
                "{filter}: {e}"
            );
        }
    }
}

#[test]
fn the_raw_resources_fast_path_gives_the_same_answer() {
    let (mut sim, _) = populated();
    sim.state.faults.held_locks.insert(101, "backup".into());
    for filter in [None, Some("vm"), Some("node"), Some("storage")] {
        let params: Vec<(&str, &str)> = filter.map(|f| ("type", f)).into_iter().collect();
        let raw = sim
            .get_raw("/cluster/resources", &params)
            .expect("resources have a fast path");
        let value = sim.get("/cluster/resources", &params);
        // Compared as text: parsing floats back is not exact without serde_json's float_roundtrip.
        assert_eq!(raw, serde_json::to_string(&value).unwrap(), "{filter:?}");
    }
    assert!(sim.get_raw("/cluster/status", &[]).is_none());
}

#[test]
fn a_large_listing_written_in_parts_is_the_same_answer() {
    // The raw path's text at the size where every client reads it in parts, with both kinds
    // of guest merged by vmid and the other kinds after them.
    let mut sim = Sim::with(ClusterConfig {
        nodes: 3,
        guests: 9_000,
        vms: 500,
        seed: 7,
    });
    let raw = sim
        .get_raw("/cluster/resources", &[])
        .expect("resources have a fast path");
    let value = sim.get("/cluster/resources", &[]);
    assert_eq!(value.as_array().map(Vec::len), Some(9_500 + 3 + 3 * 2 + 3));
    assert_eq!(raw, serde_json::to_string(&value).unwrap());
}

#[test]
fn the_raw_node_status_fast_path_gives_the_same_answer() {
    let (mut sim, _) = populated();
    for node in ["pve1", "pve2"] {
        let path = format!("/nodes/{node}/status");
        let raw = sim
            .get_raw(&path, &[])
            .expect("node status has a fast path");
        let value = sim.get(&path, &[]);
        assert!(value["cpuinfo"]["cpus"].as_u64().unwrap() > 0, "{value}");
        assert_eq!(raw, serde_json::to_string(&value).unwrap(), "{node}");
    }
}

#[test]
fn nextid_is_a_string_and_a_taken_vmid_is_pves_400() {
    let (mut sim, _) = populated();
    let ours = sim.get("/cluster/nextid", &[]);
    assert_eq!(kind(&ours), kind(&fixture("cluster__nextid.json")));
    assert_eq!(ours, "102");
    let err = sim.fail(Method::GET, "/cluster/nextid", &[("vmid", "100")]);
    let fix = fixture("errors/param.400.modern.json");
    assert_eq!(err.status, 400);
    assert_eq!(err.message, "Parameter verification failed.");
    let errors = err.errors.expect("per-parameter errors");
    assert_eq!(errors.keys().collect::<Vec<_>>(), vec!["vmid"]);
    assert_eq!(errors["vmid"], "VM 100 already exists");
    assert!(fix["errors"]["vmid"].as_str().unwrap().starts_with("VM "));
    assert_eq!(sim.get("/cluster/nextid", &[("vmid", "555")]), "555");
}

#[test]
fn container_list_has_the_fixture_shape() {
    let (mut sim, _) = populated();
    let ours = sim.get("/nodes/pve1/lxc", &[]);
    assert_eq!(ours.as_array().unwrap().len(), 2);
    let rules = Rules::default()
        .retyped("vmid", "a string before PVE 8.2, an integer since")
        .numbers(&["cpu"])
        .optional(&["pid"]) // only while running
        .extra(&["lock", "tags"]);
    for name in [
        "nodes__node__lxc.pve7.4.json",
        "nodes__node__lxc.pve7.proxmoxer-docs.json",
    ] {
        assert_same_shape(name, &fixture(name), &ours, &rules);
    }
    for ct in ours.as_array().unwrap() {
        assert!(ct["vmid"].is_u64(), "PVE >= 8.2 sends vmid as an integer");
        assert_eq!(
            ct.get("pid").is_some(),
            ct["status"] == "running",
            "pid only when running: {ct}"
        );
        assert!(ct.get("template").is_none(), "template only when 1");
    }
}

#[test]
fn container_status_and_config_have_the_fixture_shape() {
    let (mut sim, _) = populated();
    let stopped = sim.get("/nodes/pve1/lxc/101/status/current", &[]);
    let rules = Rules::default()
        .optional(&["template", "tags"])
        .numbers(&["cpu"])
        .extra(&["lock", "pid"]);
    let fix = fixture("nodes__node__lxc__vmid__status__current.pve7.template.json");
    assert_same_shape("status/current stopped", &fix, &stopped, &rules);
    assert_eq!(stopped["ha"]["managed"], 0);
    assert!(stopped.get("pid").is_none());
    assert_eq!(stopped["cpu"], 0, "an idle cpu is the integer 0");
    let running = sim.get("/nodes/pve1/lxc/100/status/current", &[]);
    assert_same_shape("status/current running", &fix, &running, &rules);
    assert!(running["pid"].is_u64());
    assert!(running["uptime"].as_u64().unwrap() >= 120);

    let config = sim.get("/nodes/pve1/lxc/100/config", &[]);
    let rules = Rules::default()
        .optional(&["features", "lxc", "mp0", "onboot", "tags"])
        .extra(&[
            "unprivileged",
            "lock",
            "description",
            "nameserver",
            "searchdomain",
        ]);
    assert_same_shape(
        "config",
        &fixture("nodes__node__lxc__vmid__config.pve7.json"),
        &config,
        &rules,
    );
    assert_eq!(config["digest"].as_str().unwrap().len(), 40);
    assert_eq!(config["rootfs"], "local-lvm:vm-100-disk-0,size=8G");
    let net0 = config["net0"].as_str().unwrap();
    assert!(
        net0.starts_with("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:"),
        "{net0}"
    );
    assert!(net0.ends_with(",ip=dhcp,type=veth"), "{net0}");
    assert_eq!(config["unprivileged"], 1);
    assert!(
        config.get("password").is_none(),
        "passwords never come back"
    );
}

#[test]
fn unknown_container_is_pves_500_does_not_exist() {
    let mut sim = Sim::new();
    let fix = fixture("errors/lxc.config.500.no-such-ct.json");
    let fix_message = fix["message"].as_str().unwrap().trim_end();
    for path in [
        "/nodes/pve1/lxc/999/config",
        "/nodes/pve1/lxc/999/status/current",
    ] {
        let err = sim.fail(Method::GET, path, &[]);
        assert_eq!(err.status, 500);
        assert_eq!(
            err.message,
            "Configuration file 'nodes/pve1/lxc/999.conf' does not exist"
        );
        assert_eq!(
            err.message.replace("pve1", "pve"),
            fix_message,
            "same wording as the fixture"
        );
    }
    let err = sim.fail(Method::DELETE, "/nodes/pve1/lxc/999", &[]);
    assert_eq!(err.status, 500);
    let err = sim.fail(Method::GET, "/nodes/nosuch/status", &[]);
    assert_eq!(err.status, 500);
    assert!(
        err.message.starts_with("hostname lookup 'nosuch' failed"),
        "{}",
        err.message
    );
}

#[test]
fn tasks_have_the_fixture_shapes_and_real_upids() {
    let (mut sim, start) = populated();
    let upid = sim
        .post("/nodes/pve1/lxc/100/status/stop", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_same_shape(
        "start answer",
        &fixture("nodes__node__lxc__vmid__status__start.synthetic.json"),
        &Value::from(upid.clone()),
        &Rules::default(),
    );
    let parsed = Upid::parse(&upid).expect("a real-format UPID");
    assert_eq!(parsed.node, "pve1");
    assert_eq!(parsed.kind, "vzstop");
    assert_eq!(parsed.id, "100");
    assert_eq!(parsed.user, "root@pam");
    assert_eq!(parsed.to_string(), upid);

    let running = sim.task(&upid);
    assert_same_shape(
        "status running",
        &fixture("nodes__node__tasks__upid__status.running.json"),
        &running,
        &Rules::default(),
    );
    let ok = sim.task(&start);
    assert_same_shape(
        "status ok",
        &fixture("nodes__node__tasks__upid__status.ok.json"),
        &ok,
        &Rules::default(),
    );
    assert_eq!(ok["exitstatus"], "OK");
    sim.state
        .faults
        .task_failures
        .entry("vzstart".into())
        .or_default()
        .push_back("interrupted by signal".into());
    sim.wait_task(&upid);
    let failing = sim
        .post("/nodes/pve1/lxc/100/status/start", &[])
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.wait_task(&failing), "interrupted by signal");
    assert_same_shape(
        "status failed",
        &fixture("nodes__node__tasks__upid__status.failed.json"),
        &sim.task(&failing),
        &Rules::default(),
    );

    let log = sim.get(&format!("/nodes/pve1/tasks/{start}/log"), &[]);
    assert_same_shape(
        "log",
        &fixture("nodes__node__tasks__upid__log.json"),
        &log,
        &Rules::default(),
    );
    assert_eq!(log.as_array().unwrap().last().unwrap()["t"], "TASK OK");
    assert_eq!(log[0]["n"], 1);

    let list = sim.get("/nodes/pve1/tasks", &[("source", "all")]);
    assert_same_shape(
        "tasks list",
        &fixture("nodes__node__tasks.pve7.1.json"),
        &list,
        &Rules::default(),
    );
    let cluster = sim.get("/cluster/tasks", &[]);
    assert_same_shape(
        "cluster tasks",
        &fixture("nodes__node__tasks.pve7.1.json"),
        &cluster,
        &Rules::default(),
    );
}

#[test]
fn storage_answers_have_the_fixture_shape() {
    let (mut sim, _) = populated();
    let list = sim.get("/nodes/pve1/storage", &[]);
    assert_same_shape(
        "storage list",
        &fixture("nodes__node__storage.pve9.0.6.json"),
        &list,
        &Rules::default(),
    );
    let content = sim.get("/nodes/pve1/storage/local/content", &[]);
    let rules = Rules::default().optional(&["vmid", "notes", "subtype"]);
    let fix = fixture("nodes__node__storage__storage__content.pve9.0.6.json");
    assert_same_shape("local content", &fix, &content, &rules);
    let disks = sim.get("/nodes/pve1/storage/local-lvm/content", &[]);
    assert_same_shape("local-lvm content", &fix, &disks, &rules);
    let volids: Vec<&str> = disks
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["volid"].as_str().unwrap())
        .collect();
    assert_eq!(
        volids,
        ["local-lvm:vm-100-disk-0", "local-lvm:vm-101-disk-0"]
    );
}

#[test]
fn rrddata_has_the_fixture_shape_and_layout() {
    let (mut sim, _) = populated();
    let ours = sim.get("/nodes/pve1/rrddata", &[("timeframe", "year")]);
    let rows = ours.as_array().unwrap();
    assert_eq!(rows.len(), 70);
    let full: Vec<Value> = rows
        .iter()
        .filter(|r| r.as_object().unwrap().len() > 1)
        .cloned()
        .collect();
    assert_same_shape(
        "node rrddata",
        &fixture("nodes__node__rrddata.year.pve8.1.json"),
        &Value::Array(full),
        &Rules::default(),
    );
    // The fixture's step is the year step.
    let fix = fixture("nodes__node__rrddata.year.pve8.1.json");
    let fix_step = fix[1]["time"].as_i64().unwrap() - fix[0]["time"].as_i64().unwrap();
    assert_eq!(
        rows[1]["time"].as_i64().unwrap() - rows[0]["time"].as_i64().unwrap(),
        fix_step
    );
}

#[test]
fn vncproxy_has_the_fixture_shape() {
    let (mut sim, _) = populated();
    let ours = sim.post("/nodes/pve1/lxc/100/vncproxy", &[]);
    assert_same_shape(
        "vncproxy",
        &fixture("nodes__node__lxc__vmid__vncproxy.synthetic.json"),
        &ours,
        &Rules::default(),
    );
    assert!(
        ours["port"].as_str().unwrap().parse::<u16>().is_ok(),
        "port is a numeric string"
    );
    assert!(ours["ticket"].as_str().unwrap().starts_with("PVEVNC:"));
    assert!(ours["cert"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let ws = sim.post("/nodes/pve1/lxc/100/vncproxy", &[("websocket", "1")]);
    let rules = Rules::default().extra(&["password"]);
    assert_same_shape(
        "vncproxy websocket",
        &fixture("nodes__node__lxc__vmid__vncproxy.synthetic.json"),
        &ws,
        &rules,
    );
    let pw = ws["password"].as_str().unwrap();
    assert!(pw.bytes().all(|b| (b'!'..=b'~').contains(&b)), "{pw}");
}

#[test]
fn aplinfo_is_the_pve_catalogue() {
    let mut sim = Sim::new();
    let ours = sim.get("/nodes/pve1/aplinfo", &[]);
    let fix = serde_json::from_str::<Value>(include_str!("../../data/aplinfo.json")).unwrap();
    let mut a: Vec<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    let mut b: Vec<String> = fix["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(a.len(), 25);
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same 25 entries, unchanged");
}
