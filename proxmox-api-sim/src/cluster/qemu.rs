//! QEMU virtual machines: the model (a config kept as PVE's config file lines), create, config
//! get/update, status, power actions and destroy.
//!
//! PVE's QEMU API differs from the LXC one in ways clients notice, and the simulator keeps them:
//! the guest type in lock errors is `VM`, the config lives under `qemu-server/`, task types start
//! with `qm`, starting a running VM fails inside the task (not before it), stopping a stopped VM
//! is a successful no-op task, and a paused VM reports `status: running` with `qmpstatus: paused`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::containers::planned_failure;
use super::deterministic::{hash, unit, uuid_text};
use super::errors;

use super::guest::{
    prepopulated_disk, proxmox_mac, vm_acl_path, vmid_param, GuestKind, PowerAction,
};
use super::guest_status::{unmanaged_ha, GuestVitals};
use super::guest_task::GuestTaskStart;
use super::snapshots::SnapshotTree;
use super::storage::{split_volid, Volume};
use super::tasks::{TaskEffect, TaskSpec};
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::faults::Faults;
use crate::state::SimState;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// The QEMU version the simulated nodes run (`running-qemu`, `meta: creation-qemu=`).
pub(crate) const QEMU_VERSION: &str = "9.2.0";
const MACHINE: &str = "pc-i440fx-9.2+pve1";

/// Base task durations in seconds, before `faults.task_duration_scale`.
pub(crate) mod durations {
    pub const CREATE: f64 = 1.5;
    pub const START: f64 = 1.5;
    pub const STOP: f64 = 1.0;
    pub const SHUTDOWN: f64 = 2.0;
    pub const REBOOT: f64 = 2.5;
    pub const SUSPEND: f64 = 0.5;
    pub const RESUME: f64 = 0.5;
    pub const DESTROY: f64 = 1.0;
    pub const CONFIG: f64 = 0.2;
    pub const CLONE: f64 = 3.0;
    pub const TEMPLATE: f64 = 1.0;
    pub const SNAPSHOT: f64 = 1.5;
    pub const ROLLBACK: f64 = 1.5;
    pub const DELSNAPSHOT: f64 = 1.0;
}

/// Config keys PVE types as integers (its `check_type` turns them into JSON numbers).
const INTEGER_KEYS: [&str; 6] = ["cores", "sockets", "vcpus", "balloon", "cpuunits", "shares"];
/// Config keys PVE types as booleans (`0`/`1`).
const BOOLEAN_KEYS: [&str; 10] = [
    "onboot",
    "acpi",
    "kvm",
    "numa",
    "tablet",
    "protection",
    "template",
    "localtime",
    "reboot",
    "freeze",
];
/// Create parameters that are not config keys.
const NOT_CONFIG: [&str; 11] = [
    "node",
    "vmid",
    "start",
    "storage",
    "pool",
    "force",
    "unique",
    "bwlimit",
    "cdrom",
    "live-restore",
    "ha-managed",
];
/// Bus prefixes of drive keys (`scsi0`, `virtio1`, `ide2`, `sata0`, `efidisk0`, `tpmstate0`).
const DRIVE_BUSES: [&str; 6] = ["ide", "sata", "scsi", "virtio", "efidisk", "tpmstate"];

/// Whether `key` is a drive (`scsi0`, `ide2`, ...).
pub(crate) fn is_drive_key(key: &str) -> bool {
    DRIVE_BUSES.iter().any(|bus| {
        key.strip_prefix(bus)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn is_numbered(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Power state of a VM (QEMU's `qmpstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Power {
    Stopped,
    Running,
    Paused,
}

/// One virtual machine.
#[derive(Debug, Clone)]
pub(crate) struct VirtualMachine {
    pub vmid: u32,
    pub node: String,
    /// The config file's lines (`key -> value`, values as PVE writes them), without `lock`.
    pub config: BTreeMap<String, String>,
    pub power: Power,
    pub started_at: f64,
    pub created_at: f64,
    pub pid: u32,
    /// The `lock` property of the config.
    pub lock: Option<String>,
    /// The task holding the config file lock, while it runs.
    pub active_task: Option<String>,
    /// Named snapshots, each with the config lines at the time it was taken.
    pub snapshots: SnapshotTree<BTreeMap<String, String>>,
    /// Derived from `config` by [`VirtualMachine::refresh`], so listings of thousands stay cheap.
    pub cpus: u32,
    pub maxmem: u64,
    pub maxdisk: u64,
    pub name: String,
    pub tags: Option<String>,
}

impl VirtualMachine {
    /// A VM with `config`, on `node`, stopped, derived fields computed.
    pub(crate) fn new(vmid: u32, node: &str, config: BTreeMap<String, String>, now: f64) -> Self {
        let mut vm = Self {
            vmid,
            node: node.to_owned(),
            config,
            power: Power::Stopped,
            started_at: 0.0,
            created_at: now,
            pid: 0,
            lock: None,
            active_task: None,
            snapshots: SnapshotTree::default(),
            cpus: 1,
            maxmem: 0,
            maxdisk: 0,
            name: String::new(),
            tags: None,
        };
        vm.refresh();
        vm
    }

    /// A pre-populated VM (benchmarks): every tenth one runs.
    pub(crate) fn prepopulated(vmid: u32, node: &mut super::Node, seed: u64) -> Self {
        let disk_gib = 8 + hash(&[seed, u64::from(vmid), 11]) % 25;
        let created = -(86_400.0 + unit(&[seed, u64::from(vmid), 12]) * 86_400.0);
        let volid = prepopulated_disk(node, vmid, disk_gib * GIB, "images", created);
        let mut config = BTreeMap::new();
        config.insert("name".into(), format!("vm{vmid}"));
        config.insert(
            "cores".into(),
            (1 + hash(&[seed, u64::from(vmid), 13]) % 4).to_string(),
        );
        config.insert(
            "memory".into(),
            (1024u64 << (hash(&[seed, u64::from(vmid), 14]) % 3)).to_string(),
        );
        config.insert("ostype".into(), "l26".into());
        config.insert("scsihw".into(), "virtio-scsi-single".into());
        config.insert(
            "scsi0".into(),
            format!("{volid},iothread=1,size={disk_gib}G"),
        );
        config.insert(
            "net0".into(),
            normalize_net(seed, vmid, 0, "virtio,bridge=vmbr0"),
        );
        config.insert("boot".into(), "order=scsi0;net0".into());
        let mut vm = Self::new(vmid, &node.name, config, created);
        if vmid % 10 == 0 {
            vm.power = Power::Running;
            vm.started_at = created / 2.0;
            vm.pid = node.alloc_pid(seed);
        }
        vm
    }

    pub(crate) fn anchor(&mut self, now: f64) {
        self.started_at += now;
        self.created_at += now;
    }

    /// Recomputes the fields derived from the config.
    pub(crate) fn refresh(&mut self) {
        let num = |k: &str| self.config.get(k).and_then(|v| v.parse::<u32>().ok());
        self.cpus = num("vcpus").unwrap_or(num("sockets").unwrap_or(1) * num("cores").unwrap_or(1));
        let memory = self
            .config
            .get("memory")
            .and_then(|m| {
                let first = m.split(',').next().unwrap_or("");
                first
                    .strip_prefix("current=")
                    .unwrap_or(first)
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(512);
        self.maxmem = memory * MIB;
        self.maxdisk = self
            .boot_disk()
            .map(|(_, spec)| drive_size(spec))
            .unwrap_or(0);
        self.name = self
            .config
            .get("name")
            .cloned()
            .unwrap_or_else(|| format!("VM {}", self.vmid));
        self.tags = self.config.get("tags").cloned();
    }

    /// The first hard disk in PVE's bus order (what PVE reports as `maxdisk`).
    fn boot_disk(&self) -> Option<(&String, &String)> {
        self.config
            .iter()
            .filter(|(k, v)| is_drive_key(k) && !v.contains("media=cdrom"))
            .min_by_key(|(k, _)| {
                let bus = DRIVE_BUSES
                    .iter()
                    .position(|b| k.starts_with(b))
                    .unwrap_or(9);
                (
                    bus,
                    k.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                        .parse::<u32>()
                        .unwrap_or(0),
                )
            })
    }

    /// Every volume of the VM's disks (`scsi0`, `unused0`, ...; not cdroms), in its config order.
    pub(crate) fn disk_volumes(&self) -> Vec<(String, String)> {
        volumes_of(&self.config)
    }

    pub(crate) fn is_running(&self) -> bool {
        self.power != Power::Stopped
    }

    pub(crate) fn is_template(&self) -> bool {
        self.config.get("template").is_some_and(|v| v == "1")
    }

    fn agent_enabled(&self) -> bool {
        self.config.get("agent").is_some_and(|a| {
            let first = a.split(',').next().unwrap_or("");
            let enabled = first.strip_prefix("enabled=").unwrap_or(first);
            matches!(enabled, "1" | "on" | "yes" | "true")
        })
    }

    fn uptime(&self, now: f64) -> i64 {
        if self.is_running() {
            (now - self.started_at).max(0.0) as i64
        } else {
            0
        }
    }

    /// Memory in use: a stable share of `maxmem` while it runs (a VM touches most of its RAM).
    pub(crate) fn mem_used(&self) -> u64 {
        if !self.is_running() {
            return 0;
        }
        let share = 0.3 + unit(&[u64::from(self.vmid), 41]) * 0.5;
        (self.maxmem as f64 * share) as u64
    }

    /// CPU utilisation of the VM's vCPUs, changing every 10 s (none while paused).
    pub(crate) fn cpu_fraction(&self, now: f64) -> f64 {
        if self.power != Power::Running {
            return 0.0;
        }
        0.002 + unit(&[u64::from(self.vmid), 43, (now / 10.0) as u64]) * 0.05
    }

    fn io_counters(&self, now: f64) -> [u64; 4] {
        if !self.is_running() {
            return [0; 4];
        }
        let up = self.uptime(now) as f64;
        let rate = 500.0 + unit(&[u64::from(self.vmid), 47]) * 4000.0;
        [
            (up * rate) as u64,
            (up * rate / 4.0) as u64,
            200_000_000 + (up * rate) as u64,
            50_000_000 + (up * rate / 3.0) as u64,
        ]
    }

    /// Its numbers now, for the fields containers and VMs report alike (status, listings,
    /// `/cluster/resources`).
    pub(crate) fn vitals(&self, now: f64) -> GuestVitals<'_> {
        GuestVitals {
            kind: GuestKind::Qemu,
            vmid: self.vmid,
            name: &self.name,
            running: self.is_running(),
            cpu: self.cpu_fraction(now),
            cpus: self.cpus,
            mem: self.mem_used(),
            maxmem: self.maxmem,
            disk: 0,
            maxdisk: self.maxdisk,
            io: self.io_counters(now),
            uptime: self.uptime(now),
            pid: self.pid,
            tags: self.tags.as_deref(),
            template: self.is_template(),
        }
    }

    /// The fields `GET /nodes/{node}/qemu` and `status/current` share (PVE::QemuServer::vmstatus).
    fn status_fields(&self, now: f64, lock: Option<&str>) -> Map<String, Value> {
        self.vitals(now).status_fields(lock)
    }

    /// The config as `GET .../config` returns it, with its `digest`.
    pub(crate) fn config_value(&self, lock: Option<&str>) -> Value {
        let mut m = typed_config(&self.config);
        if let Some(l) = lock {
            m.insert("lock".into(), l.into());
        }
        if let Some(parent) = self.snapshots.current_parent() {
            m.insert("parent".into(), parent.into());
        }
        m.insert("digest".into(), self.digest().into());
        Value::Object(m)
    }

    /// A digest over the config (PVE's SHA-1 of the file; here SHA-256 truncated to 40 hex).
    pub(crate) fn digest(&self) -> String {
        let text = serde_json::to_string(&self.config).unwrap_or_default();
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
    }
}

/// A config map with PVE's JSON types: integer keys as numbers, booleans as 0/1, the rest strings.
pub(crate) fn typed_config(config: &BTreeMap<String, String>) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in config {
        let value = if INTEGER_KEYS.contains(&k.as_str()) || BOOLEAN_KEYS.contains(&k.as_str()) {
            v.parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v.clone()))
        } else {
            Value::from(v.clone())
        };
        m.insert(k.clone(), value);
    }
    m
}

/// Volumes of the disks in a config (drives that are not cdroms, and `unusedN`).
pub(crate) fn volumes_of(config: &BTreeMap<String, String>) -> Vec<(String, String)> {
    config
        .iter()
        .filter(|(k, v)| {
            (is_drive_key(k) && !v.contains("media=cdrom")) || is_numbered(k, "unused")
        })
        .filter_map(|(k, v)| {
            let first = v.split(',').next().unwrap_or("");
            let volid = first.strip_prefix("file=").unwrap_or(first);
            split_volid(volid).map(|_| (k.clone(), volid.to_owned()))
        })
        .collect()
}

/// The `size=` of a drive property string, in bytes.
fn drive_size(spec: &str) -> u64 {
    spec.split(',')
        .find_map(|p| p.strip_prefix("size="))
        .map(parse_size)
        .unwrap_or(0)
}

/// `32G`, `512M`, `4T`, `1024K`, or bytes.
fn parse_size(text: &str) -> u64 {
    let (num, unit) = text.split_at(text.len() - usize::from(text.ends_with(char::is_alphabetic)));
    let n: f64 = num.parse().unwrap_or(0.0);
    let factor = match unit {
        "K" => 1u64 << 10,
        "M" => MIB,
        "G" => GIB,
        "T" => 1u64 << 40,
        _ => 1,
    };
    (n * factor as f64) as u64
}

/// `8G`, `512M`: how PVE prints disk sizes in drive options.
pub(crate) fn size_text(bytes: u64) -> String {
    if bytes % GIB == 0 {
        format!("{}G", bytes / GIB)
    } else {
        format!("{}M", bytes.div_ceil(MIB))
    }
}

/// A network device with PVE's defaults: `<model>=<mac>` first (a MAC from Proxmox's OUI
/// `BC:24:11` when none is given), then the other options in key order.
pub(crate) fn normalize_net(seed: u64, vmid: u32, index: u32, spec: &str) -> String {
    const MODELS: [&str; 14] = [
        "e1000",
        "e1000-82540em",
        "e1000-82544gc",
        "e1000-82545em",
        "e1000e",
        "i82551",
        "i82557b",
        "i82559er",
        "ne2k_isa",
        "ne2k_pci",
        "pcnet",
        "rtl8139",
        "virtio",
        "vmxnet3",
    ];
    let mut model = None;
    let mut mac = None;
    let mut rest = BTreeMap::new();
    for part in spec.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            None => model = Some(part.to_owned()),
            Some(("model", m)) => model = Some(m.to_owned()),
            Some(("macaddr", m)) => mac = Some(m.to_owned()),
            Some((k, v)) if MODELS.contains(&k) => {
                model = Some(k.to_owned());
                mac = Some(v.to_owned());
            }
            Some((k, v)) => {
                rest.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    let mac = mac.unwrap_or_else(|| proxmox_mac(seed, vmid, index, 0x0051_454D));
    let mut out = format!("{}={mac}", model.unwrap_or_else(|| "virtio".into()));
    for (k, v) in rest {
        out.push_str(&format!(",{k}={v}"));
    }
    out
}

/// PVE's guest type word in lock errors (PVE::QemuConfig->guest_type).
pub(crate) fn locked_text(lock: &str) -> String {
    format!("VM is locked ({lock})")
}

/// The config file's flock is held by a running task.
pub(crate) fn lock_timeout(vmid: u32) -> ApiError {
    ApiError::internal(format!(
        "can't lock file '/var/lock/qemu-server/lock-{vmid}.conf' - got timeout"
    ))
}

/// A VM that is not on the named node (or nowhere).
pub(crate) fn no_such_vm(node: &str, vmid: u32) -> ApiError {
    ApiError::internal(no_such_vm_text(node, vmid))
}

fn no_such_vm_text(node: &str, vmid: u32) -> String {
    format!("Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist")
}

/// `CT 100 already exists on node 'pve1'` or `VM ...`: the word is the EXISTING guest's type
/// (PVE::Cluster::check_vmid_unused).
pub(crate) fn vmid_taken(state: &SimState, vmid: u32) -> Option<ApiError> {
    if let Some(ct) = state.cluster.containers.get(&vmid) {
        return Some(errors::vmid_taken(vmid, &ct.node));
    }
    state
        .cluster
        .vms
        .get(&vmid)
        .map(|vm| ApiError::internal(format!("VM {vmid} already exists on node '{}'", vm.node)))
}

impl ClusterState {
    /// The lock a VM shows: its own, or one held through faults.
    pub(crate) fn vm_lock<'a>(
        &'a self,
        vm: &'a VirtualMachine,
        faults: &'a Faults,
    ) -> Option<&'a str> {
        vm.lock
            .as_deref()
            .or_else(|| faults.held_locks.get(&vm.vmid).map(String::as_str))
    }

    /// Whether a task still holds the VM's config file lock.
    pub(crate) fn vm_busy(&self, vm: &VirtualMachine) -> bool {
        vm.active_task
            .as_deref()
            .and_then(|u| self.tasks.get(u))
            .is_some_and(|t| t.exitstatus.is_none())
    }

    /// Starts a task that holds the VM's config lock while it runs.
    pub(crate) fn spawn_vm_task(&mut self, vmid: u32, spec: TaskSpec) -> String {
        let upid = self.spawn_task(spec);
        if let Some(vm) = self.vms.get_mut(&vmid) {
            vm.active_task = Some(upid.clone());
        }
        upid
    }
}

/// The node index and vmid of a `/nodes/{node}/qemu/{vmid}/...` call; a VM on another node does
/// not exist here (PVE reads the node's own config directory).
pub(crate) fn locate(state: &SimState, call: &Call) -> Result<(usize, u32), ApiError> {
    let idx = state.cluster.require_node(call)?;
    let node = &state.cluster.nodes[idx].name;
    let vmid = vmid_param(call, "vmid")?;
    match state.cluster.vms.get(&vmid) {
        Some(vm) if &vm.node == node => Ok((idx, vmid)),
        _ => Err(no_such_vm(node, vmid)),
    }
}

/// Fails with PVE's errors when the VM is locked or a task holds its config.
pub(crate) fn check_unlocked(state: &SimState, vmid: u32) -> Result<(), ApiError> {
    let vm = &state.cluster.vms[&vmid];
    if let Some(lock) = state.cluster.vm_lock(vm, &state.faults) {
        return Err(ApiError::internal(locked_text(lock)));
    }
    if state.cluster.vm_busy(vm) {
        return Err(lock_timeout(vmid));
    }
    Ok(())
}

/// `GET /nodes/{node}/qemu`: the node's VMs the caller may audit.
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let cluster = &state.cluster;
    let node = &cluster.nodes[idx].name;
    let mut out = Vec::new();
    for vm in cluster.vms.values().filter(|v| &v.node == node) {
        if !caller_can(state, call, &vm_acl_path(vm.vmid), "VM.Audit") {
            continue;
        }
        let lock = cluster.vm_lock(vm, &state.faults);
        out.push(Value::Object(vm.status_fields(cluster.now, lock)));
    }
    Ok(Value::Array(out))
}

/// `GET /nodes/{node}/qemu/{vmid}/status/current`.
pub(crate) fn current(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let cluster = &state.cluster;
    let vm = &cluster.vms[&vmid];
    let mut m = vm.status_fields(cluster.now, cluster.vm_lock(vm, &state.faults));
    let qmp = match vm.power {
        Power::Stopped => "stopped",
        Power::Running => "running",
        Power::Paused => "paused",
    };
    m.insert("qmpstatus".into(), qmp.into());
    if vm.agent_enabled() {
        m.insert("agent".into(), 1.into());
    }
    if vm.is_running() {
        m.insert("running-machine".into(), MACHINE.into());
        m.insert("running-qemu".into(), QEMU_VERSION.into());
    }
    m.insert("ha".into(), unmanaged_ha());
    Ok(Value::Object(m))
}

/// `GET /nodes/{node}/qemu/{vmid}/config` (`current=1` is the same: pending changes are applied
/// at once in the simulator; `snapshot=` gives a snapshot's config).
pub(crate) fn config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let cluster = &state.cluster;
    let vm = &cluster.vms[&vmid];
    if let Some(snap) = call.str("snapshot") {
        let Some(s) = vm.snapshots.get(snap) else {
            return Err(ApiError::internal(super::snapshots::missing(snap)));
        };
        return Ok(super::qemu_snapshots::snapshot_config_value(s));
    }
    Ok(vm.config_value(cluster.vm_lock(vm, &state.faults)))
}

/// `GET /nodes/{node}/qemu/{vmid}/pending`: every key with its `value` (nothing is ever pending
/// in the simulator: changes apply at once).
pub(crate) fn pending(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    let typed = typed_config(&vm.config);
    let out: Vec<Value> = typed
        .into_iter()
        .map(|(k, v)| {
            let mut m = Map::new();
            m.insert("key".into(), k.into());
            m.insert("value".into(), v);
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}

/// A new disk requested as `<storage>:<size in GiB>[,opts]`, or an existing volume / `none`.
enum DriveRequest {
    New {
        storage: String,
        bytes: u64,
        options: Vec<String>,
    },
    Existing(String),
}

fn parse_drive(key: &str, spec: &str) -> Result<DriveRequest, ApiError> {
    let mut parts = spec.split(',');
    let first = parts.next().unwrap_or("");
    let volume = first
        .strip_prefix("file=")
        .or_else(|| first.strip_prefix("volume="))
        .unwrap_or(first);
    let options: Vec<String> = parts
        .filter(|p| !p.is_empty() && !p.starts_with("size="))
        .map(str::to_owned)
        .collect();
    if options.iter().any(|o| o.starts_with("import-from=")) {
        return Err(ApiError::new(
            501,
            "importing disks (import-from) is not modelled by the simulator",
        ));
    }
    if volume == "none" || volume == "cdrom" {
        return Ok(DriveRequest::Existing(spec.to_owned()));
    }
    if let Some((sid, size)) = volume.split_once(':') {
        if let Ok(gib) = size.parse::<f64>() {
            if gib <= 0.0 {
                return Err(ApiError::param(
                    key,
                    "invalid format - disk size must be positive",
                ));
            }
            let bytes = ((gib * GIB as f64) as u64).div_ceil(MIB) * MIB;
            return Ok(DriveRequest::New {
                storage: sid.to_owned(),
                bytes,
                options,
            });
        }
    }
    Ok(DriveRequest::Existing(spec.to_owned()))
}

/// Puts a drive option list into PVE's order: the volume first, then options by key.
fn drive_text(volid: &str, mut options: Vec<String>, size: Option<u64>) -> String {
    if let Some(bytes) = size {
        options.push(format!("size={}", size_text(bytes)));
    }
    options.sort();
    let mut out = volid.to_owned();
    for o in options {
        out.push(',');
        out.push_str(&o);
    }
    out
}

/// Resolves the drives of a create or update: allocates new disks (returning the volumes to add),
/// checks existing volumes (isos, disks) and writes the config values.
pub(crate) struct DrivePlan {
    /// Config values by key.
    pub values: BTreeMap<String, String>,
    /// `(storage, volume)` to allocate.
    pub volumes: Vec<(String, Volume)>,
}

pub(crate) fn plan_drives(
    state: &SimState,
    call: &Call,
    idx: usize,
    vmid: u32,
    drives: &[(String, String)],
) -> Result<DrivePlan, ApiError> {
    let mut plan = DrivePlan {
        values: BTreeMap::new(),
        volumes: Vec::new(),
    };
    // Per storage, how many new volumes are already planned (vm-<id>-disk-<n> numbering).
    let mut planned: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let now = state.cluster.now;
    for (key, spec) in drives {
        match parse_drive(key, spec)? {
            DriveRequest::New {
                storage,
                bytes,
                options,
            } => {
                let Some(s) = state.cluster.storage(idx, &storage) else {
                    return Err(errors::no_such_storage(&storage));
                };
                if options.iter().any(|o| o == "media=cdrom") {
                    return Err(ApiError::param(
                        key,
                        format!("unable to parse volume ID '{storage}:...'"),
                    ));
                }
                if !s.supports("images") {
                    return Err(ApiError::internal(format!(
                        "storage '{storage}' does not support vm images"
                    )));
                }
                let path = format!("/storage/{storage}");
                if !caller_can(state, call, &path, "Datastore.AllocateSpace") {
                    return Err(ApiError::permission(&path, "Datastore.AllocateSpace"));
                }
                let taken = planned.entry(storage.clone()).or_default();
                let volid = (0..)
                    .map(|n| format!("{storage}:vm-{vmid}-disk-{n}"))
                    .find(|v| !s.volumes.contains_key(v) && !taken.contains(v))
                    .unwrap_or_default();
                let already: u64 = plan
                    .volumes
                    .iter()
                    .filter(|(sid, _)| *sid == storage)
                    .map(|(_, v)| v.size)
                    .sum();
                if s.avail() < already + bytes {
                    let name = volid.split(':').nth(1).unwrap_or_default();
                    return Err(ApiError::internal(format!(
                        "lvcreate 'pve/{name}' error:   Volume group \"pve\" has insufficient free space"
                    )));
                }
                taken.push(volid.clone());
                plan.values
                    .insert(key.clone(), drive_text(&volid, options, Some(bytes)));
                plan.volumes.push((
                    storage,
                    Volume {
                        volid,
                        content: "images",
                        format: "raw",
                        size: bytes,
                        ctime: now,
                        vmid: Some(vmid),
                    },
                ));
            }
            DriveRequest::Existing(text) => {
                let mut parts = text.split(',');
                let first = parts.next().unwrap_or("");
                let volume = first
                    .strip_prefix("file=")
                    .or_else(|| first.strip_prefix("volume="))
                    .unwrap_or(first);
                let options: Vec<String> = parts
                    .filter(|p| !p.is_empty() && !p.starts_with("size="))
                    .map(str::to_owned)
                    .collect();
                if volume == "none" || volume == "cdrom" {
                    plan.values
                        .insert(key.clone(), drive_text(volume, options, None));
                    continue;
                }
                let Some((sid, _)) = split_volid(volume) else {
                    return Err(ApiError::param(
                        key,
                        format!("invalid format - unable to parse volume ID '{volume}'"),
                    ));
                };
                let Some(s) = state.cluster.storage(idx, sid) else {
                    return Err(errors::no_such_storage(sid));
                };
                let Some(v) = s.volumes.get(volume) else {
                    return Err(ApiError::internal(format!(
                        "volume '{volume}' does not exist"
                    )));
                };
                let path = format!("/storage/{sid}");
                if !caller_can(state, call, &path, "Datastore.AllocateSpace")
                    && !caller_can(state, call, &path, "Datastore.Audit")
                {
                    return Err(ApiError::permission(&path, "Datastore.Audit"));
                }
                if v.content != "iso" && v.vmid.is_some_and(|owner| owner != vmid) {
                    return Err(ApiError::internal(format!(
                        "volume '{volume}' is already used by VM {}",
                        v.vmid.unwrap_or_default()
                    )));
                }
                plan.values
                    .insert(key.clone(), drive_text(volume, options, Some(v.size)));
            }
        }
    }
    Ok(plan)
}

/// The default boot order PVE writes on create: disks, then cdroms, then the first NIC.
fn default_boot_order(config: &BTreeMap<String, String>) -> Option<String> {
    let mut disks: Vec<&String> = Vec::new();
    let mut cdroms: Vec<&String> = Vec::new();
    for (k, v) in config {
        if is_drive_key(k) && !k.starts_with("efidisk") && !k.starts_with("tpmstate") {
            if v.contains("media=cdrom") {
                cdroms.push(k);
            } else {
                disks.push(k);
            }
        }
    }
    let bus = |k: &&String| {
        DRIVE_BUSES
            .iter()
            .position(|b| k.starts_with(b))
            .unwrap_or(9)
    };
    disks.sort_by_key(|k| (bus(k), k.len(), (*k).clone()));
    let mut order: Vec<&str> = disks.iter().take(1).map(|k| k.as_str()).collect();
    order.extend(cdroms.iter().map(|k| k.as_str()));
    if config.contains_key("net0") {
        order.push("net0");
    }
    (!order.is_empty()).then(|| format!("order={}", order.join(";")))
}

/// A stable UUID-looking value for generated ids (smbios1, vmgenid).
fn uuid(seed: u64, vmid: u32, salt: u64, now: f64) -> String {
    let a = hash(&[seed, u64::from(vmid), salt, now as u64]);
    let b = hash(&[seed, u64::from(vmid), salt + 1, now as u64]);
    uuid_text(a, b)
}

/// `POST /nodes/{node}/qemu`: the VM exists at once with `lock: create`; its `qmcreate` task
/// allocates nothing more and drops the lock when it ends.
pub(crate) fn create(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let node_name = state.cluster.nodes[idx].name.clone();
    let vmid = vmid_param(call, "vmid")?;
    if call.str("archive").is_some() {
        return Err(ApiError::new(
            501,
            "restoring VMs from backups is not modelled by the simulator",
        ));
    }
    if let Some(err) = vmid_taken(state, vmid) {
        return Err(err);
    }
    let seed = state.cluster.seed;
    let mut drives: Vec<(String, String)> = Vec::new();
    let mut config = BTreeMap::new();
    for (key, values) in &call.params {
        let Some(value) = values.first() else {
            continue;
        };
        if NOT_CONFIG.contains(&key.as_str()) || key == "archive" {
            continue;
        }
        if is_drive_key(key) {
            drives.push((key.clone(), value.clone()));
        } else if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
            config.insert(key.clone(), normalize_net(seed, vmid, n, value));
        } else {
            config.insert(key.clone(), value.clone());
        }
    }
    if let Some(cdrom) = call.str("cdrom") {
        drives.push(("ide2".into(), format!("{cdrom},media=cdrom")));
    }
    let plan = plan_drives(state, call, idx, vmid, &drives)?;
    config.extend(plan.values);
    let now = state.cluster.now;
    if !config.contains_key("boot") {
        if let Some(order) = default_boot_order(&config) {
            config.insert("boot".into(), order);
        }
    }
    config
        .entry("smbios1".into())
        .or_insert_with(|| format!("uuid={}", uuid(seed, vmid, 1, now)));
    config
        .entry("vmgenid".into())
        .or_insert_with(|| uuid(seed, vmid, 3, now));
    config.insert(
        "meta".into(),
        format!("creation-qemu={QEMU_VERSION},ctime={}", now as i64),
    );
    let mut log = Vec::new();
    for (sid, volume) in plan.volumes {
        let name = volume
            .volid
            .split(':')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if let Some(storage) = state.cluster.storage_mut(idx, &sid) {
            storage.add_volume(volume);
        }
        log.push(format!("  Logical volume \"{name}\" created."));
    }
    for (key, value) in &config {
        if is_drive_key(key) && !value.contains("media=cdrom") {
            log.push(format!("{key}: successfully created disk '{value}'"));
        }
    }
    let mut vm = VirtualMachine::new(vmid, &node_name, config, now);
    vm.lock = Some("create".into());
    state.cluster.vms.insert(vmid, vm);
    let planned = planned_failure(state, "qmcreate");
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: "qmcreate",
        duration: durations::CREATE,
        effect: TaskEffect::Qemu(QemuEffect::Create {
            vmid,
            start_after: call.bool("start").unwrap_or(false),
        }),
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

/// `PUT` (synchronous, `null`) and `POST` (a `qmconfig` task) `/nodes/{node}/qemu/{vmid}/config`.
pub(crate) fn update_config(state: &mut SimState, call: &Call, as_task: bool) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    if let Some(digest) = call.str("digest") {
        if digest != vm.digest() {
            return Err(ApiError::internal(
                "detected modified configuration - file changed by other user? Try again.",
            ));
        }
    }
    if call.bool("skiplock") != Some(true) {
        check_unlocked(state, vmid)?;
    }
    let seed = state.cluster.seed;
    let mut deletes: Vec<String> = call
        .list("delete")
        .iter()
        .flat_map(|d| d.split([',', ';', ' ']))
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    deletes.dedup();
    let mut drives = Vec::new();
    let mut sets = BTreeMap::new();
    const NOT_SETTABLE: [&str; 7] = [
        "node", "vmid", "digest", "delete", "revert", "skiplock", "force",
    ];
    for (key, values) in &call.params {
        let Some(value) = values.first() else {
            continue;
        };
        if NOT_SETTABLE.contains(&key.as_str()) || key == "background_delay" {
            continue;
        }
        if deletes.contains(key) {
            return Err(ApiError::param(
                key,
                format!("conflicting values for '{key}' (delete and set)"),
            ));
        }
        if is_drive_key(key) {
            drives.push((key.clone(), value.clone()));
        } else if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
            sets.insert(key.clone(), normalize_net(seed, vmid, n, value));
        } else if key == "cdrom" {
            drives.push(("ide2".into(), format!("{value},media=cdrom")));
        } else {
            sets.insert(key.clone(), value.clone());
        }
    }
    let plan = plan_drives(state, call, idx, vmid, &drives)?;
    for (sid, volume) in plan.volumes {
        if let Some(storage) = state.cluster.storage_mut(idx, &sid) {
            storage.add_volume(volume);
        }
    }
    let mut unused_moves = Vec::new();
    let mut destroyed = Vec::new();
    {
        let vm = state.cluster.vms.get_mut(&vmid).expect("located");
        for key in &deletes {
            let Some(old) = vm.config.remove(key) else {
                continue;
            };
            if is_drive_key(key) && !old.contains("media=cdrom") {
                unused_moves.push(old);
            } else if is_numbered(key, "unused") {
                destroyed.push(old);
            }
        }
        // A replaced disk is kept as unused, as PVE does.
        for (key, value) in &plan.values {
            if let Some(old) = vm.config.insert(key.clone(), value.clone()) {
                let old_vol = old.split(',').next().unwrap_or("");
                let new_vol = value.split(',').next().unwrap_or("");
                if !old.contains("media=cdrom")
                    && old_vol != new_vol
                    && split_volid(old_vol).is_some()
                {
                    unused_moves.push(old);
                }
            }
        }
        for old in unused_moves {
            let volid = old.split(',').next().unwrap_or("").to_owned();
            let slot = (0..)
                .map(|n| format!("unused{n}"))
                .find(|k| !vm.config.contains_key(k))
                .unwrap_or_default();
            vm.config.insert(slot, volid);
        }
        vm.config.extend(sets);
        vm.refresh();
    }
    for volid in destroyed {
        if let Some((sid, _)) = split_volid(&volid) {
            if let Some(storage) = state.cluster.storage_mut(idx, sid) {
                storage.remove_volume(&volid);
            }
        }
    }
    if !as_task {
        return Ok(Value::Null);
    }
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: "qmconfig",
        duration: durations::CONFIG,
        effect: TaskEffect::None,
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// `POST /nodes/{node}/qemu/{vmid}/status/{action}`: a task, after PVE's synchronous checks.
pub(crate) fn power(state: &mut SimState, call: &Call, action: PowerAction) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    match action {
        PowerAction::Suspend | PowerAction::Resume | PowerAction::Reboot if !vm.is_running() => {
            return Err(ApiError::internal(format!("VM {vmid} not running")));
        }
        PowerAction::Shutdown | PowerAction::Reboot
            if vm.power == Power::Paused && call.bool("forceStop") != Some(true) =>
        {
            return Err(ApiError::internal("VM is paused - cannot shutdown"));
        }
        PowerAction::Suspend if call.bool("todisk") == Some(true) => {
            return Err(ApiError::new(
                501,
                "suspend to disk (hibernation) is not modelled by the simulator",
            ));
        }
        PowerAction::Start if vm.is_template() => {
            return Err(ApiError::internal(
                "you can't start a VM if it's a template",
            ));
        }
        _ => {}
    }
    if state.cluster.vm_busy(vm) {
        return Err(lock_timeout(vmid));
    }
    let (duration, effect) = match action {
        PowerAction::Start => (durations::START, QemuEffect::Start { vmid }),
        PowerAction::Stop => (durations::STOP, QemuEffect::Stop { vmid }),
        PowerAction::Shutdown => (durations::SHUTDOWN, QemuEffect::Stop { vmid }),
        PowerAction::Reboot => (durations::REBOOT, QemuEffect::Reboot { vmid }),
        PowerAction::Suspend => (durations::SUSPEND, QemuEffect::Suspend { vmid }),
        PowerAction::Resume => (durations::RESUME, QemuEffect::Resume { vmid }),
    };
    let kind = GuestKind::Qemu;
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(action.task()),
        duration,
        effect: TaskEffect::Qemu(effect),
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// `DELETE /nodes/{node}/qemu/{vmid}`: only when stopped, as a `qmdestroy` task.
pub(crate) fn destroy(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    if vm.is_running() {
        return Err(ApiError::internal(format!(
            "VM {vmid} is running - destroy failed"
        )));
    }
    if vm.config.get("protection").is_some_and(|p| p == "1") {
        return Err(ApiError::internal(
            "can't remove VM - protection mode enabled",
        ));
    }
    if call.bool("skiplock") != Some(true) {
        check_unlocked(state, vmid)?;
    }
    let purge = call.bool("purge").unwrap_or(false);
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: "qmdestroy",
        duration: durations::DESTROY,
        effect: TaskEffect::Qemu(QemuEffect::Destroy { vmid, purge }),
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// What a QEMU task does when it ends successfully.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QemuEffect {
    Create {
        vmid: u32,
        start_after: bool,
    },
    Start {
        vmid: u32,
    },
    Stop {
        vmid: u32,
    },
    Reboot {
        vmid: u32,
    },
    Suspend {
        vmid: u32,
    },
    Resume {
        vmid: u32,
    },
    Destroy {
        vmid: u32,
        purge: bool,
    },
    /// A clone's target exists from the start with `lock: clone`; the task unlocks it.
    Clone {
        source: u32,
        target: u32,
    },
    Template {
        vmid: u32,
    },
    Snapshot(super::qemu_snapshots::SnapshotEffect),
}

impl ClusterState {
    /// Applies a finished QEMU task's effect; `Err` is the task's exit status.
    pub(crate) fn apply_qemu_effect(
        &mut self,
        effect: &QemuEffect,
        at: f64,
        faults: &Faults,
        user: &str,
        node_name: &str,
    ) -> Result<Vec<String>, String> {
        let missing = |vmid: u32| no_such_vm_text(node_name, vmid);
        let held = |vmid: u32| faults.held_locks.get(&vmid).cloned();
        match effect {
            QemuEffect::Create { vmid, start_after } => {
                let vm = self.vms.get_mut(vmid).ok_or_else(|| missing(*vmid))?;
                vm.lock = None;
                if *start_after {
                    let node = self.node_index(node_name).unwrap_or(0);
                    let upid = self.spawn_task(TaskSpec {
                        node,
                        kind: "qmstart",
                        id: vmid.to_string(),
                        user: user.to_owned(),
                        duration: durations::START * faults.task_duration_scale,
                        effect: TaskEffect::Qemu(QemuEffect::Start { vmid: *vmid }),
                        planned_exit: None,
                        log: Vec::new(),
                        start: Some(at),
                    });
                    if let Some(vm) = self.vms.get_mut(vmid) {
                        vm.active_task = Some(upid);
                    }
                }
                Ok(Vec::new())
            }
            QemuEffect::Start { vmid } => {
                let seed = self.seed;
                let vm = self.vms.get(vmid).ok_or_else(|| missing(*vmid))?;
                if let Some(lock) = vm.lock.clone().or_else(|| held(*vmid)) {
                    return Err(locked_text(&lock));
                }
                if vm.is_running() {
                    return Err(format!("VM {vmid} already running"));
                }
                let node = self.node_index(&vm.node).unwrap_or(0);
                let pid = self.nodes[node].alloc_pid(seed);
                if let Some(vm) = self.vms.get_mut(vmid) {
                    vm.power = Power::Running;
                    vm.started_at = at;
                    vm.pid = pid;
                }
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            QemuEffect::Stop { vmid } => {
                let vm = self.vms.get_mut(vmid).ok_or_else(|| missing(*vmid))?;
                if let Some(lock) = vm.lock.clone().or_else(|| held(*vmid)) {
                    return Err(locked_text(&lock));
                }
                // Stopping a stopped VM succeeds: PVE's vm_stop returns when there is no pid.
                vm.power = Power::Stopped;
                vm.pid = 0;
                let node = self.node_index(node_name).unwrap_or(0);
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            QemuEffect::Reboot { vmid } => {
                let seed = self.seed;
                let vm = self.vms.get(vmid).ok_or_else(|| missing(*vmid))?;
                if let Some(lock) = vm.lock.clone().or_else(|| held(*vmid)) {
                    return Err(locked_text(&lock));
                }
                if !vm.is_running() {
                    return Err(format!("VM {vmid} not running"));
                }
                let node = self.node_index(node_name).unwrap_or(0);
                let pid = self.nodes[node].alloc_pid(seed);
                if let Some(vm) = self.vms.get_mut(vmid) {
                    vm.power = Power::Running;
                    vm.started_at = at;
                    vm.pid = pid;
                }
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            QemuEffect::Suspend { vmid } | QemuEffect::Resume { vmid } => {
                let vm = self.vms.get_mut(vmid).ok_or_else(|| missing(*vmid))?;
                if !vm.is_running() {
                    return Err(format!("VM {vmid} not running"));
                }
                vm.power = if matches!(effect, QemuEffect::Suspend { .. }) {
                    Power::Paused
                } else {
                    Power::Running
                };
                let node = self.node_index(node_name).unwrap_or(0);
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            QemuEffect::Destroy { vmid, purge } => {
                let vm = self.vms.remove(vmid).ok_or_else(|| missing(*vmid))?;
                let node = self.node_index(&vm.node).unwrap_or(0);
                let mut lines = Vec::new();
                let mut volumes = vm.disk_volumes();
                for (_, snap) in vm.snapshots.oldest_first() {
                    for v in volumes_of(&snap.config) {
                        if !volumes.iter().any(|(_, id)| *id == v.1) {
                            volumes.push(v);
                        }
                    }
                }
                for (_, volid) in volumes {
                    if let Some((sid, name)) = split_volid(&volid) {
                        if let Some(storage) = self.storage_mut(node, sid) {
                            if storage.remove_volume(&volid).is_some() {
                                lines.push(format!(
                                    "  Logical volume \"{}\" successfully removed.",
                                    name.rsplit('/').next().unwrap_or(name)
                                ));
                            }
                        }
                    }
                }
                if *purge {
                    lines.push(format!("purging VM {vmid} from related configurations.."));
                    self.purged_vmids.push(*vmid);
                }
                self.vnc.forget_container(*vmid);
                self.refresh_node_load(node);
                Ok(lines)
            }
            QemuEffect::Clone { source, target } => {
                if let Some(vm) = self.vms.get_mut(source) {
                    if vm.lock.as_deref() == Some("clone") {
                        vm.lock = None;
                    }
                }
                let vm = self.vms.get_mut(target).ok_or_else(|| missing(*target))?;
                vm.lock = None;
                Ok(Vec::new())
            }
            QemuEffect::Template { vmid } => {
                super::qemu_clone::apply_template(self, *vmid).map_err(|e| e.to_string())
            }
            QemuEffect::Snapshot(effect) => {
                super::qemu_snapshots::apply(self, effect, at, node_name)
            }
        }
    }

    /// Rolls back what a failed QEMU task set up: a failed create or clone removes the new VM and
    /// its disks.
    pub(crate) fn abort_qemu_effect(&mut self, effect: &QemuEffect) {
        let removed = match effect {
            QemuEffect::Create { vmid, .. } => self.vms.remove(vmid),
            QemuEffect::Clone { source, target } => {
                if let Some(vm) = self.vms.get_mut(source) {
                    if vm.lock.as_deref() == Some("clone") {
                        vm.lock = None;
                    }
                }
                self.vms.remove(target)
            }
            _ => None,
        };
        if let Some(vm) = removed {
            let node = self.node_index(&vm.node).unwrap_or(0);
            for (_, volid) in vm.disk_volumes() {
                if let Some((sid, _)) = split_volid(&volid) {
                    if let Some(storage) = self.storage_mut(node, sid) {
                        storage.remove_volume(&volid);
                    }
                }
            }
        }
    }
}
