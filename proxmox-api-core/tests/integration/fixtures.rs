//! Every response recorded from a real Proxmox VE server (`tests/fixtures/pve`) decodes into the
//! model meant for its endpoint, and carries the values the recording shows.
//!
//! The manifest says which endpoint each file answers; every endpoint must map to a model here, so
//! a new fixture without a model fails the test instead of being skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proxmox_api_core::models::*;
use proxmox_api_core::{envelope, HttpResponse, Upid};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    file: String,
    method: String,
    endpoint: String,
    http_status: u16,
    http_reason: Option<String>,
}

/// The recorded responses are committed under `tests/fixtures/pve/` (copied from the project's
/// reference folder; `PROVENANCE.md` there names each file's source), so a plain clone is enough.
fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pve");
    assert!(
        dir.join("manifest.json").is_file(),
        "{} has no manifest.json",
        dir.display()
    );
    dir
}

fn manifest(dir: &Path) -> Vec<ManifestEntry> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("manifest.json is a list of entries")
}

fn body(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
}

/// Decodes the body's `data` into `T` exactly as the client does (`envelope::decode_data`), so a
/// failure names the JSON path.
fn data<T: DeserializeOwned>(dir: &Path, file: &str) -> T {
    envelope::decode_data(body(dir, file).as_bytes()).unwrap_or_else(|e| {
        panic!(
            "{file}: does not decode into {}: {e}",
            std::any::type_name::<T>()
        )
    })
}

/// The endpoint's path without a query string (`/nodes/{node}/tasks?limit=3` -> `/nodes/{node}/tasks`).
fn path_of(endpoint: &str) -> &str {
    endpoint.split('?').next().unwrap_or(endpoint)
}

/// Decodes one success fixture into its endpoint's model and checks values from the recording.
/// Returns `false` when no model is known for the endpoint.
fn check_success(dir: &Path, entry: &ManifestEntry) -> bool {
    let file = entry.file.as_str();
    match (entry.method.as_str(), path_of(&entry.endpoint)) {
        ("GET", "/nodes") => check_nodes(data(dir, file)),
        ("GET", "/nodes/{node}/status") => check_node_status(data(dir, file)),
        ("GET", "/nodes/{node}/version") | ("GET", "/version") => check_version(data(dir, file)),
        ("GET", "/cluster/resources") => check_resources(data(dir, file)),
        ("GET", "/cluster/status") => check_cluster_status(data(dir, file)),
        ("GET", "/cluster/nextid") => {
            let id: NextId = data(dir, file);
            assert_eq!(id, NextId(100));
        }
        ("GET", "/nodes/{node}/lxc") => check_lxc_list(file, data(dir, file)),
        ("GET", "/nodes/{node}/lxc/{vmid}/status/current") => check_lxc_status(data(dir, file)),
        ("GET", "/nodes/{node}/lxc/{vmid}/config") => check_lxc_config(data(dir, file)),
        ("POST", "/access/ticket") => check_ticket(file, data(dir, file)),
        ("GET", "/access/users") => check_users(data(dir, file)),
        ("GET", "/access/users/{userid}") => check_user(data(dir, file)),
        ("GET", "/access/acl") => check_acl(data(dir, file)),
        ("POST", "/nodes/{node}/lxc/{vmid}/vncproxy") => check_vnc(data(dir, file)),
        ("POST", "/nodes/{node}/lxc/{vmid}/status/start") => {
            let upid: Upid = data(dir, file);
            assert_eq!(
                (upid.task_type.as_str(), upid.vmid()),
                ("vzstart", Some(101))
            );
            assert_eq!(
                upid.to_string(),
                "UPID:node1:00001234:00005678:5A3B7C8D:vzstart:101:root@pam:"
            );
        }
        ("GET", "/nodes/{node}/tasks/{upid}/status") => check_task_status(file, data(dir, file)),
        ("GET", "/nodes/{node}/tasks/{upid}/log") => check_task_log(data(dir, file)),
        ("GET", "/nodes/{node}/tasks") | ("GET", "/cluster/tasks") => {
            check_task_list(data(dir, file))
        }
        ("GET", "/nodes/{node}/rrddata") => check_node_rrd(data(dir, file)),
        ("GET", "/nodes/{node}/aplinfo") => check_aplinfo(data(dir, file)),
        ("GET", "/nodes/{node}/storage") => check_storages(data(dir, file)),
        ("GET", "/nodes/{node}/storage/{storage}/content") => {
            check_storage_content(data(dir, file))
        }
        _ => return false,
    }
    true
}

fn check_nodes(nodes: Vec<NodeSummary>) {
    assert_eq!(nodes.len(), 4);
    let node1 = &nodes[0];
    assert_eq!(node1.node, "node1");
    assert_eq!(node1.status, NodeOnlineStatus::Online);
    assert_eq!(node1.maxcpu, Some(12));
    assert_eq!(node1.maxmem, Some(33_568_288_768));
    assert_eq!(node1.uptime, Some(2_236_708));
    assert_eq!(node1.cpu, Some(0.00348605577689243));
    assert_eq!(node1.level.as_deref(), Some(""));
    assert_eq!(node1.id.as_deref(), Some("node/node1"));
    assert!(node1
        .ssl_fingerprint
        .as_deref()
        .unwrap()
        .starts_with("80:D4:F2"));
    assert!(nodes.iter().all(NodeSummary::is_online));
}

fn check_node_status(status: NodeStatus) {
    assert_eq!(status.loadavg, vec![0.0, 0.0, 0.0]);
    assert_eq!(status.cpuinfo.mhz, Some(3400.0));
    assert_eq!(status.cpuinfo.hvm, Some(true));
    assert_eq!(status.cpuinfo.cpus, Some(8));
    assert_eq!(status.cpuinfo.cores, Some(4));
    assert_eq!(status.cpuinfo.user_hz, Some(100));
    assert_eq!(status.memory.total, 65_919_459_328);
    assert_eq!(status.memory.used, 8_095_399_936);
    assert_eq!(status.rootfs.avail, Some(937_851_224_064));
    assert_eq!(status.swap.total, 0);
    assert_eq!(status.uptime, Some(2_501_631));
    assert_eq!(
        status.pveversion.as_deref(),
        Some("pve-manager/7.4-16/0f39f621")
    );
    assert_eq!(status.ksm.map(|k| k.shared), Some(0));
    assert!(status
        .kversion
        .as_deref()
        .unwrap()
        .starts_with("Linux 5.15.108-1-pve"));
}

fn check_version(version: Version) {
    assert_eq!(version.version, "7.4-16");
    assert_eq!(version.release, "7.4");
    assert_eq!(version.repoid, "0f39f621");
    assert_eq!(version.major(), Some(7));
}

fn check_resources(resources: Vec<ClusterResource>) {
    assert_eq!(resources.len(), 20);
    let count = |kind: &str| resources.iter().filter(|r| r.kind() == kind).count();
    assert_eq!((count("node"), count("storage"), count("qemu")), (4, 12, 4));
    assert!(resources
        .iter()
        .all(|r| !matches!(r, ClusterResource::Other(_))));
    let ClusterResource::Qemu(server1) = &resources[0] else {
        panic!("first entry is a qemu guest: {:?}", resources[0]);
    };
    assert_eq!(server1.vmid, 100);
    assert_eq!(server1.name.as_deref(), Some("server1"));
    assert_eq!(server1.node, "node2");
    assert_eq!(server1.status, GuestStatus::Running);
    assert!(!server1.template);
    assert_eq!(server1.netin, Some(2_456_116_121));
    assert_eq!(server1.maxdisk, Some(34_359_738_368));
    assert_eq!(server1.hastate, None);
    let node3 = resources
        .iter()
        .find_map(|r| match r {
            ClusterResource::Node(n) if n.node == "node3" => Some(n),
            _ => None,
        })
        .expect("node3 listed");
    assert_eq!(node3.cgroup_mode, Some(2));
    assert_eq!(node3.status, NodeOnlineStatus::Online);
    let zfs = resources
        .iter()
        .find_map(|r| match r {
            ClusterResource::Storage(s) if s.id == "storage/node3/local-zfs" => Some(s),
            _ => None,
        })
        .expect("local-zfs on node3 listed");
    assert_eq!(zfs.content, vec!["images", "rootdir"]);
    assert_eq!(zfs.plugintype.as_deref(), Some("zfspool"));
    assert!(!zfs.shared);
    assert_eq!(zfs.maxdisk, Some(479_730_032_640));
}

fn check_cluster_status(entries: Vec<ClusterStatusEntry>) {
    assert_eq!(entries.len(), 5);
    let cluster = entries
        .iter()
        .find(|e| e.is_cluster())
        .expect("cluster entry");
    assert_eq!(cluster.name, "clustername");
    assert_eq!(cluster.quorate, Some(true));
    assert_eq!((cluster.nodes, cluster.version), (Some(4), Some(4)));
    let node2 = entries
        .iter()
        .find(|e| e.name == "node2")
        .expect("node2 entry");
    assert!(node2.is_node());
    assert_eq!(node2.online, Some(true));
    assert_eq!(node2.local, Some(false));
    assert_eq!(node2.nodeid, Some(2));
    assert_eq!(node2.ip.as_deref(), Some("192.168.1.2"));
    assert_eq!(entries.iter().filter(|e| e.is_node()).count(), 4);
}

fn check_lxc_list(file: &str, list: Vec<LxcSummary>) {
    let first = &list[0];
    assert_eq!(first.status, GuestStatus::Running);
    assert_eq!(first.kind.as_deref(), Some("lxc"));
    assert!(!first.template);
    if file.contains("proxmoxer") {
        assert_eq!(first.vmid, 100); // sent as the string "100"
        assert_eq!(first.name.as_deref(), Some("container-a"));
        assert_eq!(first.netin, Some(2_122_469_071_629));
        assert_eq!(first.pid, Some(1_098_784));
        assert_eq!(first.cpus, Some(4.0));
    } else {
        assert_eq!(first.vmid, 106); // sent as the string "106"
        assert_eq!(first.name.as_deref(), Some("test"));
        assert_eq!(first.pid, Some(248_173));
        assert_eq!(first.maxswap, Some(536_870_912));
        assert_eq!(first.cpu, Some(0.0));
    }
}

fn check_lxc_status(status: LxcStatus) {
    assert_eq!(status.vmid, 101);
    assert_eq!(status.status, GuestStatus::Stopped);
    assert!(!status.is_running());
    assert_eq!(status.pid, None);
    assert!(status.template);
    assert!(!status.ha_managed());
    assert_eq!(status.ha, Some(serde_json::json!({"managed": 0})));
    assert_eq!(status.tag_list(), vec!["tag1", "tag2"]);
    assert_eq!(status.maxdisk, Some(8_589_934_592));
}

fn check_lxc_config(config: LxcConfig) {
    assert_eq!(config.hostname.as_deref(), Some("test-container"));
    assert_eq!(config.cores, Some(2));
    assert_eq!(config.memory, Some(4096));
    assert_eq!(config.swap, Some(512));
    assert_eq!(config.onboot, Some(true));
    assert_eq!(config.ostype.as_deref(), Some("debian"));
    assert_eq!(config.digest.as_deref().map(str::len), Some(40));
    assert_eq!(config.lxc.len(), 5);
    assert_eq!(
        config.lxc[3],
        (
            "lxc.mount.entry".to_owned(),
            "/dev/dri dev/dri none bind,optional,create=dir".to_owned()
        )
    );
    assert_eq!(config.nets.len(), 1);
    assert!(config.nets[&0].starts_with("name=eth0,bridge=vmbr0"));
    assert_eq!(config.mount_points[&0], "/mnt/foo/bar,mp=/storage");
    assert_eq!(
        config.rootfs.as_deref(),
        Some("vmstore:subvol-101-disk-0,size=30G")
    );
    assert!(
        config.extra.is_empty(),
        "unexpected extra keys {:?}",
        config.extra
    );
}

fn check_ticket(file: &str, ticket: TicketData) {
    if file.contains("needtfa") {
        assert!(ticket.need_tfa);
        assert!(ticket.needs_tfa());
        assert_eq!(ticket.ticket.expose_secret(), "otp_ticket");
    } else {
        assert!(!ticket.needs_tfa());
        assert!(ticket
            .ticket
            .expose_secret()
            .starts_with("PVE:root@pam:64E10CBA::"));
        let csrf = ticket.csrf_prevention_token.as_ref().expect("CSRF token");
        assert!(csrf.expose_secret().starts_with("64E10CBA:"));
        assert_eq!(ticket.username.as_deref(), Some("root@pam"));
        assert_eq!(ticket.clustername.as_deref(), Some("pve-cluster"));
        assert_eq!(ticket.cap.as_ref().unwrap()["vms"]["VM.Console"], 1);
        // The secrets never reach Debug.
        let debug = format!("{ticket:?}");
        assert!(
            !debug.contains("yTMqV7Bm") && !debug.contains("YDNz71IK"),
            "{debug}"
        );
    }
}

fn check_users(users: Vec<UserEntry>) {
    assert_eq!(users.len(), 4);
    let user1 = users
        .iter()
        .find(|u| u.userid == "user1@pve")
        .expect("user1");
    assert!(user1.is_enabled());
    assert_eq!(user1.expire, Some(0));
    assert_eq!(user1.realm_type.as_deref(), Some("pve"));
    assert_eq!(user1.email.as_deref(), Some("first1.last1@email.com"));
    assert_eq!(user1.realm(), Some("pve"));
    let root = users.iter().find(|u| u.userid == "root@pam").expect("root");
    assert_eq!(root.firstname, None);
}

fn check_user(user: UserDetail) {
    assert_eq!(user.groups, vec!["cloud-init", "test"]);
    assert_eq!(user.email.as_deref(), Some("root@email.com"));
    assert!(user.is_enabled());
    let tokens: BTreeMap<_, _> = user
        .tokens
        .iter()
        .map(|t| (t.tokenid.as_str(), (t.expire, t.privsep)))
        .collect();
    assert_eq!(tokens["token1"], (Some(1000), Some(false)));
    assert_eq!(tokens["token2"], (Some(2000), Some(true)));
}

fn check_acl(acl: Vec<AclEntry>) {
    assert_eq!(acl.len(), 1);
    assert_eq!(acl[0].path, "/");
    assert_eq!(acl[0].roleid, "PVEAdmin");
    assert_eq!(acl[0].kind, AclSubject::Group);
    assert_eq!(acl[0].ugid, "cloud-init");
    assert_eq!(acl[0].propagate, Some(true)); // sent as 1
    assert!(acl[0].is_group());
}

fn check_vnc(vnc: VncProxy) {
    assert_eq!(vnc.port, 5900);
    assert_eq!(vnc.user, "root@pam");
    assert!(vnc.ticket.expose_secret().starts_with("PVEVNC:"));
    assert!(vnc.cert.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(vnc.password.is_none());
    let upid: Upid = vnc.upid.parse().expect("vncproxy upid parses");
    assert_eq!(upid.task_type, "vncproxy");
    assert!(!format!("{vnc:?}").contains("vncticketblob"));
}

fn check_task_status(file: &str, status: TaskStatus) {
    let upid = status.parsed_upid().expect("task upid parses");
    assert_eq!(upid.to_string(), status.upid);
    assert_eq!(upid.pid, status.pid);
    assert_eq!(upid.pstart, status.pstart);
    assert_eq!(upid.starttime, status.starttime);
    assert_eq!(upid.node, status.node);
    if file.contains(".ok.") {
        assert_eq!(status.exit(), Some(TaskExit::Ok));
        assert_eq!(status.id, "");
        assert_eq!(status.task_type, "aptupdate");
    } else if file.contains(".failed.") {
        assert_eq!(
            status.exit(),
            Some(TaskExit::Failed("interrupted by signal".into()))
        );
        assert_eq!(status.id, "110");
    } else if file.contains(".running.") {
        assert!(status.is_running());
        assert_eq!(status.exit(), None);
        assert_eq!(status.pid, 1_044_989);
    } else {
        panic!("{file}: no expectations for this task status fixture");
    }
}

fn check_task_log(lines: Vec<TaskLogLine>) {
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0].n, 1);
    assert_eq!(lines[0].t, "starting apt-get update");
    assert_eq!(lines[7].t, "TASK OK");
    assert!(lines.windows(2).all(|w| w[1].n == w[0].n + 1));
}

fn check_task_list(tasks: Vec<TaskSummary>) {
    assert_eq!(tasks.len(), 3);
    let running = &tasks[0];
    assert!(running.is_running());
    assert_eq!(running.exit(), None);
    assert_eq!(running.saved, Some(false)); // sent as "0"
    assert_eq!(running.vmid(), Some(103));
    assert_eq!(running.task_type, "vzdump");
    let done = &tasks[1];
    assert_eq!(done.exit(), Some(TaskExit::Ok));
    assert_eq!(done.endtime, Some(1_637_122_161));
    assert_eq!(done.id, "");
    for task in &tasks {
        let upid = task.parsed_upid().expect("upid parses");
        assert_eq!(upid.to_string(), task.upid);
        assert_eq!(Some(upid.pid), task.pid);
        assert_eq!(upid.starttime, task.starttime);
    }
}

fn check_node_rrd(points: Vec<NodeRrdPoint>) {
    assert_eq!(points.len(), 3);
    assert_eq!(points[0].time, 1_704_931_200);
    assert_eq!(points[0].maxcpu, Some(12.0));
    assert_eq!(points[0].memtotal, Some(67_177_291_776.0));
    assert_eq!(points[0].loadavg, Some(0.34767240410053));
    assert_eq!(points[0].memavailable, None);
    assert!(points.iter().all(|p| p.extra.is_empty()));
    // One week per row at the "year" resolution.
    assert_eq!(points[1].time - points[0].time, 7 * 24 * 3600);
}

fn check_aplinfo(entries: Vec<AplInfoEntry>) {
    assert_eq!(entries.len(), 25);
    let alma = entries
        .iter()
        .find(|e| e.package == "almalinux-10-default")
        .expect("almalinux-10 listed");
    assert_eq!(alma.template, "almalinux-10-default_20250930_amd64.tar.xz");
    assert_eq!(alma.version.as_deref(), Some("20250930"));
    assert_eq!(alma.kind.as_deref(), Some("lxc"));
    assert_eq!(alma.section.as_deref(), Some("system"));
    assert_eq!(alma.sha512sum.as_deref().map(str::len), Some(128));
    assert!(entries.iter().all(|e| !e.template.is_empty()));
}

fn check_storages(storages: Vec<StorageSummary>) {
    assert_eq!(storages.len(), 2);
    let local = &storages[0];
    assert_eq!(
        (local.storage.as_str(), local.kind.as_str()),
        ("local", "dir")
    );
    assert_eq!(local.content, vec!["vztmpl", "backup", "iso"]);
    assert!(local.holds("vztmpl") && !local.holds("rootdir"));
    assert_eq!(
        (local.active, local.enabled, local.shared),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(local.total, Some(100_861_726_720));
    assert_eq!(local.used_fraction, Some(0.225573693132982));
    assert!(storages[1].holds("rootdir"));
}

fn check_storage_content(items: Vec<StorageContentItem>) {
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].vmid, Some(10000));
    assert_eq!(items[0].size, Some(356_455_456));
    assert_eq!(items[0].subtype.as_deref(), Some("lxc"));
    assert_eq!(items[1].size, Some(10_253_936_353));
    let template = &items[2];
    assert!(template.is_template());
    assert_eq!(template.format, "tzst");
    assert_eq!(template.storage(), "local");
    assert_eq!(
        template.file_name(),
        "ubuntu-24.04-standard_24.04-2_amd64.tar.zst"
    );
    assert_eq!(template.vmid, None);
}

/// An error reply's body as the envelope reads it: `data` (null), PVE >= 8.3's `message`, the
/// 400 `errors` map, and the `/api2/extjs` fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorBody {
    data: Value,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<BTreeMap<String, String>>,
    #[serde(default)]
    success: Option<Value>,
    #[serde(default)]
    status: Option<u16>,
}

fn check_error(dir: &Path, entry: &ManifestEntry) {
    let file = entry.file.as_str();
    let text = body(dir, file);
    // What the client makes of the reply: the typed error with its stable code.
    let error = envelope::error_from_response(&HttpResponse {
        status: entry.http_status,
        reason: entry.http_reason.clone(),
        headers: Vec::new(),
        body: text.clone().into(),
    });
    assert_eq!(error.status(), Some(entry.http_status), "{file}: {error:?}");
    let expected_code = match entry.http_status {
        400 => "INVALID_PARAMETERS",
        401 => "AUTHENTICATION",
        500 if file.contains("no-such-ct") => "NOT_FOUND",
        _ => "API",
    };
    assert_eq!(error.code(), expected_code, "{file}: {error:?}");
    if entry.http_status == 400 {
        assert_eq!(error.parameter_errors()["vmid"], "VM 200 already exists");
    }
    if text.trim().is_empty() {
        // Auth failures: empty body, the reason only in the status line.
        assert_eq!(entry.http_status, 401, "{file}");
        assert_eq!(entry.http_reason.as_deref(), Some("No ticket"));
        return;
    }
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: error body: {e}"));
    assert!(body.data.is_null(), "{file}: data must be null");
    match entry.http_status {
        400 => {
            let errors = body.errors.expect("400 carries an errors map");
            assert_eq!(errors["vmid"], "VM 200 already exists");
        }
        401 => {
            assert_eq!(entry.http_reason.as_deref(), Some("authentication failure"));
            assert!(body.errors.is_none());
        }
        500 if file.contains("extjs") => {
            assert_eq!(body.status, Some(500));
            assert_eq!(body.success, Some(Value::from(0)));
            assert!(body.message.unwrap().starts_with("invalid server response"));
        }
        500 => {
            let message = body.message.expect("message");
            assert!(message.contains("does not exist"), "{file}: {message}");
            // The status line carries the same text (first line only).
            let reason = entry.http_reason.as_deref().unwrap();
            assert_eq!(message.trim_end(), reason);
        }
        501 => {
            let message = body.message.expect("message");
            assert!(message.contains("not implemented"), "{file}: {message}");
        }
        other => panic!("{file}: no expectations for HTTP {other}"),
    }
}

#[test]
fn every_fixture_decodes_into_its_model() {
    let dir = fixtures_dir();
    let entries = manifest(&dir);
    assert!(
        entries.len() >= 30,
        "manifest unexpectedly short: {}",
        entries.len()
    );
    let mut unmapped = Vec::new();
    let (mut successes, mut errors) = (0, 0);
    for entry in &entries {
        if entry.http_status >= 400 || entry.file.starts_with("errors/") {
            check_error(&dir, entry);
            errors += 1;
        } else if check_success(&dir, entry) {
            successes += 1;
        } else {
            unmapped.push(format!(
                "{} {} ({})",
                entry.method, entry.endpoint, entry.file
            ));
        }
    }
    assert!(
        unmapped.is_empty(),
        "fixtures without a model: {unmapped:#?}"
    );
    println!("decoded {successes} success and {errors} error fixtures");
}

#[test]
fn every_fixture_file_is_in_the_manifest() {
    let dir = fixtures_dir();
    let listed: Vec<String> = manifest(&dir).into_iter().map(|e| e.file).collect();
    let mut on_disk = Vec::new();
    for sub in ["", "errors"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("read fixtures dir") {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".json") && name != "manifest.json" {
                on_disk.push(if sub.is_empty() {
                    name
                } else {
                    format!("{sub}/{name}")
                });
            }
        }
    }
    let missing: Vec<_> = on_disk.iter().filter(|f| !listed.contains(f)).collect();
    assert!(
        missing.is_empty(),
        "fixtures not in the manifest (so never decoded): {missing:?}"
    );
}
