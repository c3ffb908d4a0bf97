//! LXC containers: create, power actions, destroy, and their list, status and config answers.
//!
//! Locking follows PVE: a task that changes a container holds its config file lock (flock) while
//! it runs, so a second change answers PVE's `can't lock file ... - got timeout` (PVE waits 10 s
//! first; the simulator answers at once). A `lock` in the config (`create` while creating, or one
//! held through faults) makes destroy fail at once and power tasks fail with `CT is locked (..)`,
//! as PVE checks it inside the worker.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::config::Pending;
use super::container_options::extra_value;
use super::deterministic::{hash, unit};
use super::errors;
use super::guest::{
    prepopulated_disk, proxmox_mac, vm_acl_path, vmid_param, GuestKind, PowerAction,
};
use super::guest_status::{unmanaged_ha, GuestVitals};
use super::guest_task::GuestTaskStart;
use super::nodes::Node;
use super::snapshots::SnapshotTree;
use super::storage::{split_volid, Volume};
use super::tasks::{TaskEffect, TaskSpec};
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::faults::Faults;
use crate::state::SimState;

pub(crate) const MIB: u64 = 1 << 20;
pub(crate) const GIB: u64 = 1 << 30;

/// Base task durations in seconds, before `faults.task_duration_scale`.
pub(crate) mod durations {
    pub const CREATE: f64 = 2.0;
    pub const START: f64 = 1.0;
    pub const STOP: f64 = 1.0;
    pub const SHUTDOWN: f64 = 1.5;
    pub const REBOOT: f64 = 2.0;
    pub const DESTROY: f64 = 1.0;
    pub const DOWNLOAD: f64 = 3.0;
    pub const VNCPROXY: f64 = 10.0;
}

/// Key order PVE prints network properties in (its schema order).
const NET_KEY_ORDER: [&str; 14] = [
    "name",
    "bridge",
    "firewall",
    "gw",
    "gw6",
    "hwaddr",
    "ip",
    "ip6",
    "link_down",
    "mtu",
    "rate",
    "tag",
    "trunks",
    "type",
];

/// OS types PVE knows (`ostype` enum of the schema).
const OSTYPES: [&str; 11] = [
    "debian",
    "devuan",
    "ubuntu",
    "centos",
    "fedora",
    "opensuse",
    "archlinux",
    "alpine",
    "gentoo",
    "nixos",
    "unmanaged",
];

/// One container and its configuration.
#[derive(Debug, Clone)]
pub(crate) struct Container {
    pub vmid: u32,
    pub node: String,
    pub hostname: String,
    pub cores: Option<u32>,
    /// CPUs of the host, shown as `cpus` when `cores` is unset.
    pub host_cpus: u32,
    pub memory: Option<u64>,
    pub swap: Option<u64>,
    pub rootfs_volid: String,
    pub disk_bytes: u64,
    pub nets: BTreeMap<u32, String>,
    pub ostype: String,
    pub arch: String,
    pub unprivileged: bool,
    pub onboot: Option<bool>,
    pub tags: Option<String>,
    pub description: Option<String>,
    pub nameserver: Option<String>,
    pub searchdomain: Option<String>,
    pub features: Option<String>,
    pub template: bool,
    pub running: bool,
    pub started_at: f64,
    /// When the container was created (graph data starts there).
    pub created_at: f64,
    pub pid: u32,
    /// The `lock` property of the config.
    pub lock: Option<String>,
    /// The task holding the config file lock, if any.
    pub active_task: Option<String>,
    /// Options the simulator only stores (`cpulimit`, `startup`, `timezone`, ...), as text.
    pub extra: BTreeMap<String, String>,
    /// Changes waiting for the next start.
    pub pending: Pending,
    /// Named snapshots (each holds a copy of the container without its own snapshots).
    pub snapshots: SnapshotTree<Container>,
}

impl Container {
    /// A pre-populated container (benchmarks): every tenth one runs.
    pub(crate) fn prepopulated(vmid: u32, node: &mut Node, seed: u64) -> Self {
        let disk_gib = 2 + hash(&[seed, u64::from(vmid), 1]) % 7;
        // Created a few days before the first tick (times are anchored then).
        let created = -(86_400.0 + unit(&[seed, u64::from(vmid), 2]) * 86_400.0);
        let volid = prepopulated_disk(node, vmid, disk_gib * GIB, "rootdir", created);
        let running = vmid % 10 == 0;
        let pid = if running { node.alloc_pid(seed) } else { 0 };
        Self {
            vmid,
            node: node.name.clone(),
            hostname: format!("ct{vmid}"),
            cores: Some(1 + (hash(&[seed, u64::from(vmid), 3]) % 4) as u32),
            host_cpus: node.maxcpu,
            memory: Some(512 << (hash(&[seed, u64::from(vmid), 4]) % 3)),
            swap: Some(512),
            rootfs_volid: volid,
            disk_bytes: disk_gib * GIB,
            nets: BTreeMap::from([(0, mac_net0(seed, vmid, "name=eth0,bridge=vmbr0,ip=dhcp"))]),
            ostype: "debian".into(),
            arch: "amd64".into(),
            unprivileged: true,
            onboot: None,
            tags: None,
            description: None,
            nameserver: None,
            searchdomain: None,
            features: Some("nesting=1".into()),
            template: false,
            running,
            started_at: created / 2.0,
            created_at: created,
            pid,
            lock: None,
            active_task: None,
            extra: BTreeMap::new(),
            pending: Pending::default(),
            snapshots: SnapshotTree::default(),
        }
    }

    pub(crate) fn anchor(&mut self, now: f64) {
        self.started_at += now;
        self.created_at += now;
    }

    pub(crate) fn is_running(&self) -> bool {
        self.running
    }

    pub(crate) fn cpus(&self) -> u32 {
        self.cores.unwrap_or(self.host_cpus)
    }

    fn maxmem(&self) -> u64 {
        self.memory.unwrap_or(512) * MIB
    }

    fn maxswap(&self) -> u64 {
        self.swap.unwrap_or(512) * MIB
    }

    fn uptime(&self, now: f64) -> i64 {
        if self.running {
            (now - self.started_at).max(0.0) as i64
        } else {
            0
        }
    }

    /// Memory in use: a stable share of `maxmem` per container while it runs.
    pub(crate) fn mem_used(&self, _now: f64) -> u64 {
        if !self.running {
            return 0;
        }
        let share = 0.04 + unit(&[u64::from(self.vmid), 17]) * 0.3;
        (self.maxmem() as f64 * share) as u64
    }

    /// CPU utilisation of the container's cores, changing every 10 s.
    pub(crate) fn cpu_fraction(&self, now: f64) -> f64 {
        if !self.running {
            return 0.0;
        }
        0.001 + unit(&[u64::from(self.vmid), (now / 10.0) as u64]) * 0.03
    }

    fn disk_used(&self) -> u64 {
        if !self.running {
            return 0;
        }
        let share = 0.08 + unit(&[u64::from(self.vmid), 23]) * 0.2;
        (self.disk_bytes as f64 * share) as u64
    }

    fn io_counters(&self, now: f64) -> [u64; 4] {
        let up = self.uptime(now) as f64;
        if !self.running {
            return [0; 4];
        }
        let rate = 200.0 + unit(&[u64::from(self.vmid), 29]) * 1800.0;
        [
            (up * rate) as u64,                    // netin
            (up * rate / 3.0) as u64,              // netout
            40_000_000 + (up * rate / 2.0) as u64, // diskread
            10_000_000 + (up * rate / 5.0) as u64, // diskwrite
        ]
    }

    /// Its numbers now, for the fields containers and VMs report alike (status, listings,
    /// `/cluster/resources`).
    pub(crate) fn vitals(&self, now: f64) -> GuestVitals<'_> {
        GuestVitals {
            kind: GuestKind::Lxc,
            vmid: self.vmid,
            name: &self.hostname,
            running: self.running,
            cpu: self.cpu_fraction(now),
            cpus: self.cpus(),
            mem: self.mem_used(now),
            maxmem: self.maxmem(),
            disk: self.disk_used(),
            maxdisk: self.disk_bytes,
            io: self.io_counters(now),
            uptime: self.uptime(now),
            pid: self.pid,
            tags: self.tags.as_deref(),
            template: self.template,
        }
    }

    /// The fields `GET /nodes/{node}/lxc` and `status/current` share (PVE::LXC::vmstatus).
    fn status_fields(&self, now: f64, lock: Option<&str>) -> Map<String, Value> {
        let mut m = self.vitals(now).status_fields(lock);
        m.insert("type".into(), "lxc".into());
        m.insert("swap".into(), 0.into());
        m.insert("maxswap".into(), self.maxswap().into());
        m
    }

    /// The config keys as `GET .../config` returns them (only set keys), without `digest`.
    pub(crate) fn config_map(&self, lock: Option<&str>) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("arch".into(), self.arch.clone().into());
        if let Some(c) = self.cores {
            m.insert("cores".into(), c.into());
        }
        if let Some(d) = &self.description {
            m.insert("description".into(), d.clone().into());
        }
        if let Some(f) = &self.features {
            m.insert("features".into(), f.clone().into());
        }
        m.insert("hostname".into(), self.hostname.clone().into());
        if let Some(l) = lock {
            m.insert("lock".into(), l.into());
        }
        if let Some(mem) = self.memory {
            m.insert("memory".into(), mem.into());
        }
        if let Some(ns) = &self.nameserver {
            m.insert("nameserver".into(), ns.clone().into());
        }
        for (i, net) in &self.nets {
            m.insert(format!("net{i}"), net.clone().into());
        }
        if let Some(onboot) = self.onboot {
            m.insert("onboot".into(), u8::from(onboot).into());
        }
        m.insert("ostype".into(), self.ostype.clone().into());
        m.insert(
            "rootfs".into(),
            format!("{},size={}", self.rootfs_volid, size_text(self.disk_bytes)).into(),
        );
        if let Some(sd) = &self.searchdomain {
            m.insert("searchdomain".into(), sd.clone().into());
        }
        if let Some(swap) = self.swap {
            m.insert("swap".into(), swap.into());
        }
        if let Some(tags) = &self.tags {
            m.insert("tags".into(), tags.clone().into());
        }
        if self.template {
            m.insert("template".into(), 1.into());
        }
        if self.unprivileged {
            m.insert("unprivileged".into(), 1.into());
        }
        for (key, value) in &self.extra {
            m.insert(key.clone(), extra_value(key, value));
        }
        if let Some(parent) = self.snapshots.current_parent() {
            m.insert("parent".into(), parent.into());
        }
        m
    }

    /// The config digest (SHA-1 sized, over the whole config file as PVE hashes it: options,
    /// pending section and snapshot sections).
    pub(crate) fn digest(&self, lock: Option<&str>) -> String {
        let mut text = serde_json::to_string(&self.config_map(lock)).unwrap_or_default();
        text.push_str(&self.pending.digest_text());
        for name in self.snapshots.names() {
            text.push('[');
            text.push_str(name);
            text.push(']');
        }
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
    }

    /// The config as `GET .../config` returns it: keys plus `digest`.
    fn config(&self, lock: Option<&str>) -> Value {
        let mut m = self.config_map(lock);
        m.insert("digest".into(), self.digest(lock).into());
        Value::Object(m)
    }
}

/// A number as Perl prints it: whole numbers as integers (an idle `cpu` is `0`), else a float.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub(crate) enum LooseNumber {
    Int(i64),
    Float(f64),
}

impl LooseNumber {
    pub(crate) fn from_f64(x: f64) -> Self {
        if x == x.trunc() && x.abs() < 9e15 {
            LooseNumber::Int(x as i64)
        } else {
            LooseNumber::Float(x)
        }
    }
}

/// `8G`, `512M`: how PVE prints disk sizes in volume options.
pub(crate) fn size_text(bytes: u64) -> String {
    if bytes % GIB == 0 {
        format!("{}G", bytes / GIB)
    } else {
        format!("{}M", bytes.div_ceil(MIB))
    }
}

/// A network property string with PVE's defaults filled in (`hwaddr` from Proxmox's OUI
/// `BC:24:11`, `type=veth`), keys in PVE's order.
fn mac_net0(seed: u64, vmid: u32, spec: &str) -> String {
    normalize_net(seed, vmid, 0, spec)
}

pub(crate) fn normalize_net(seed: u64, vmid: u32, index: u32, spec: &str) -> String {
    let mut props: BTreeMap<String, String> = spec
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    props
        .entry("hwaddr".into())
        .or_insert_with(|| proxmox_mac(seed, vmid, index, 0x004D_4143));
    props.entry("type".into()).or_insert_with(|| "veth".into());
    let mut parts: Vec<String> = NET_KEY_ORDER
        .iter()
        .filter_map(|k| props.remove(*k).map(|v| format!("{k}={v}")))
        .collect();
    parts.extend(props.into_iter().map(|(k, v)| format!("{k}={v}")));
    parts.join(",")
}

/// The OS type PVE would detect from a template's file name.
fn ostype_from_template(template: &str) -> String {
    let file = template.rsplit('/').next().unwrap_or(template);
    let distro = file.split(['-', '_']).next().unwrap_or("");
    match distro {
        "almalinux" | "rockylinux" | "centos" => "centos".into(),
        "proxmox" => "debian".into(),
        d if OSTYPES.contains(&d) => d.into(),
        _ => "unmanaged".into(),
    }
}

impl ClusterState {
    /// The lock a container shows: its own, or one held through faults.
    pub(crate) fn effective_lock<'a>(
        &'a self,
        ct: &'a Container,
        faults: &'a Faults,
    ) -> Option<&'a str> {
        ct.lock
            .as_deref()
            .or_else(|| faults.held_locks.get(&ct.vmid).map(String::as_str))
    }

    /// Applies a finished task's effect; `Err` is the task's exit status.
    pub(crate) fn apply_task_effect(
        &mut self,
        effect: &TaskEffect,
        at: f64,
        faults: &Faults,
        user: &str,
        node_name: &str,
    ) -> Result<Vec<String>, String> {
        let held = |vmid: u32| faults.held_locks.get(&vmid).cloned();
        match effect {
            TaskEffect::None => Ok(Vec::new()),
            TaskEffect::Qemu(effect) => self.apply_qemu_effect(effect, at, faults, user, node_name),
            TaskEffect::CreateContainer { vmid, start_after } => {
                let Some(ct) = self.containers.get_mut(vmid) else {
                    return Err(format!("unable to create CT {vmid} - container vanished"));
                };
                ct.lock = None;
                if *start_after {
                    let node = self.node_index(node_name).unwrap_or(0);
                    self.spawn_task(TaskSpec {
                        node,
                        kind: "vzstart",
                        id: vmid.to_string(),
                        user: user.to_owned(),
                        duration: durations::START * faults.task_duration_scale,
                        effect: TaskEffect::StartContainer { vmid: *vmid },
                        planned_exit: None,
                        log: Vec::new(),
                        start: Some(at),
                    });
                }
                Ok(Vec::new())
            }
            TaskEffect::StartContainer { vmid } => {
                let seed = self.seed;
                let Some(ct) = self.containers.get(vmid) else {
                    return Err(format!(
                        "Configuration file 'nodes/{node_name}/lxc/{vmid}.conf' does not exist"
                    ));
                };
                if ct.template {
                    return Err("you can't start a CT if it's a template".into());
                }
                if let Some(lock) = ct.lock.clone().or_else(|| held(*vmid)) {
                    return Err(errors::config_locked_text(&lock));
                }
                let node = self.node_index(&ct.node).unwrap_or(0);
                let pid = self.nodes[node].alloc_pid(seed);
                if let Some(ct) = self.containers.get_mut(vmid) {
                    ct.running = true;
                    ct.started_at = at;
                    ct.pid = pid;
                    // PVE applies pending changes when a container starts.
                    ct.apply_pending(seed, |_| true);
                }
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::StopContainer { vmid } => {
                let Some(ct) = self.containers.get_mut(vmid) else {
                    return Err(format!(
                        "Configuration file 'nodes/{node_name}/lxc/{vmid}.conf' does not exist"
                    ));
                };
                if let Some(lock) = ct.lock.clone().or_else(|| held(*vmid)) {
                    return Err(errors::config_locked_text(&lock));
                }
                ct.running = false;
                ct.pid = 0;
                let node = self.node_index(node_name).unwrap_or(0);
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::RebootContainer { vmid } => {
                let seed = self.seed;
                let Some(ct) = self.containers.get(vmid) else {
                    return Err(format!(
                        "Configuration file 'nodes/{node_name}/lxc/{vmid}.conf' does not exist"
                    ));
                };
                if let Some(lock) = ct.lock.clone().or_else(|| held(*vmid)) {
                    return Err(errors::config_locked_text(&lock));
                }
                let node = self.node_index(node_name).unwrap_or(0);
                let pid = self.nodes[node].alloc_pid(seed);
                if let Some(ct) = self.containers.get_mut(vmid) {
                    ct.running = true;
                    ct.started_at = at;
                    ct.pid = pid;
                    // PVE applies pending changes when a container starts.
                    ct.apply_pending(seed, |_| true);
                }
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::DestroyContainer { vmid, purge } => {
                let Some(ct) = self.containers.remove(vmid) else {
                    return Err(format!(
                        "Configuration file 'nodes/{node_name}/lxc/{vmid}.conf' does not exist"
                    ));
                };
                let node = self.node_index(&ct.node).unwrap_or(0);
                let mut lines = Vec::new();
                if let Some((sid, name)) = split_volid(&ct.rootfs_volid) {
                    if let Some(storage) = self.storage_mut(node, sid) {
                        storage.remove_volume(&ct.rootfs_volid);
                        lines.push(format!("  Logical volume \"{name}\" successfully removed."));
                    }
                }
                for pool in self.pools.values_mut() {
                    pool.remove_guest(*vmid);
                }
                if *purge {
                    lines.push(format!("purging CT {vmid} from related configurations.."));
                    self.purged_vmids.push(*vmid);
                }
                self.vnc.forget_container(*vmid);
                self.refresh_node_load(node);
                Ok(lines)
            }
            TaskEffect::DownloadTemplate {
                node,
                storage,
                template,
            } => {
                let Some(s) = self.storage_mut(*node, storage) else {
                    return Err(format!("storage '{storage}' does not exist"));
                };
                s.add_volume(super::storage::template_volume(storage, template, at));
                Ok(vec![format!(
                    "download of 'http://download.proxmox.com/images/system/{template}' to '/var/lib/vz/template/cache/{template}' finished"
                )])
            }
            other => self.apply_guest_effect(other, at, faults, user),
        }
    }

    /// Undoes what a task set up when it fails: a failed create removes the container and its
    /// disk, as PVE rolls back.
    pub(crate) fn abort_task_effect(&mut self, effect: &TaskEffect) {
        if let TaskEffect::Qemu(effect) = effect {
            self.abort_qemu_effect(effect);
        }
        self.abort_guest_effect(effect);
        if let TaskEffect::CreateContainer { vmid, .. } = effect {
            if let Some(ct) = self.containers.remove(vmid) {
                if let Some(node) = self.node_index(&ct.node) {
                    if let Some((sid, _)) = split_volid(&ct.rootfs_volid) {
                        if let Some(storage) = self.storage_mut(node, sid) {
                            storage.remove_volume(&ct.rootfs_volid);
                        }
                    }
                }
            }
        }
    }
}

/// The fault-injected exit status for the next task of this type, if any.
pub(crate) fn planned_failure(state: &mut SimState, kind: &str) -> Option<String> {
    let queue = state.faults.task_failures.get_mut(kind)?;
    let exit = queue.pop_front();
    if queue.is_empty() {
        state.faults.task_failures.remove(kind);
    }
    exit
}

/// The node index and the container of a `/nodes/{node}/lxc/{vmid}/...` call; a container on
/// another node does not exist here (PVE reads the node's own config directory).
pub(crate) fn locate(state: &SimState, call: &Call) -> Result<(usize, u32), ApiError> {
    let idx = state.cluster.require_node(call)?;
    let node = &state.cluster.nodes[idx].name;
    let vmid = vmid_param(call, "vmid")?;
    match state.cluster.containers.get(&vmid) {
        Some(ct) if &ct.node == node => Ok((idx, vmid)),
        _ => Err(errors::no_such_container(node, vmid)),
    }
}

/// `GET /nodes/{node}/lxc`: the node's containers the caller may audit.
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let cluster = &state.cluster;
    let node = &cluster.nodes[idx].name;
    let now = cluster.now;
    let mut out = Vec::new();
    for ct in cluster.containers.values().filter(|c| &c.node == node) {
        if !caller_can(state, call, &vm_acl_path(ct.vmid), "VM.Audit") {
            continue;
        }
        let lock = cluster.effective_lock(ct, &state.faults);
        out.push(Value::Object(ct.status_fields(now, lock)));
    }
    Ok(Value::Array(out))
}

/// `GET /nodes/{node}/lxc/{vmid}/status/current`.
pub(crate) fn current(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let cluster = &state.cluster;
    let ct = &cluster.containers[&vmid];
    let mut m = ct.status_fields(cluster.now, cluster.effective_lock(ct, &state.faults));
    m.insert("ha".into(), unmanaged_ha());
    Ok(Value::Object(m))
}

/// `GET /nodes/{node}/lxc/{vmid}/config`.
pub(crate) fn config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let seed = state.cluster.seed;
    let cluster = &state.cluster;
    let ct = &cluster.containers[&vmid];
    let lock = cluster.effective_lock(ct, &state.faults);
    if let Some(name) = call.str("snapshot") {
        let snap = ct
            .snapshots
            .get(name)
            .ok_or_else(|| ApiError::internal(format!("snapshot '{name}' does not exist")))?;
        let mut m = snap.config.config_map(None);
        m.insert("digest".into(), ct.digest(lock).into());
        return Ok(Value::Object(m));
    }
    // Without `current=1` PVE shows the config with pending changes applied.
    if call.bool("current") == Some(true) || ct.pending.is_empty() {
        return Ok(ct.config(lock));
    }
    let mut shown = ct.clone();
    shown.apply_pending(seed, |_| true);
    let mut m = shown.config_map(lock);
    m.insert("digest".into(), ct.digest(lock).into());
    Ok(Value::Object(m))
}

/// Parsed `rootfs`: `[volume=]<storage>:<size in GiB>[,opts]`.
fn parse_rootfs(spec: &str) -> Result<(String, f64), ApiError> {
    let first = spec.split(',').next().unwrap_or("");
    let volume = first.strip_prefix("volume=").unwrap_or(first);
    let (sid, size) = volume.split_once(':').ok_or_else(|| {
        ApiError::param(
            "rootfs",
            format!("invalid format - unable to parse volume ID '{volume}'"),
        )
    })?;
    match size.parse::<f64>() {
        Ok(gib) if gib > 0.0 => Ok((sid.to_owned(), gib)),
        Ok(_) => Err(ApiError::param(
            "rootfs",
            "invalid format - disk size must be positive",
        )),
        // An existing volume (`local-lvm:vm-100-disk-0`) instead of a new one.
        Err(_) => Err(ApiError::new(
            501,
            "rootfs on an existing volume is not modelled by the simulator",
        )),
    }
}

/// `POST /nodes/{node}/lxc`: creates the container at once with `lock: create` and returns the
/// UPID of its `vzcreate` task; the lock goes when the task ends.
pub(crate) fn create(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let node_name = state.cluster.nodes[idx].name.clone();
    let vmid = call
        .int("vmid")
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ApiError::param("vmid", "property is missing and it is not optional"))?;
    let ostemplate = call.required("ostemplate")?.to_owned();
    if call.bool("restore") == Some(true) || ostemplate == "-" {
        return Err(ApiError::new(
            501,
            "restoring containers is not modelled by the simulator",
        ));
    }
    if let Some(err) = super::qemu::vmid_taken(state, vmid) {
        return Err(err);
    }

    // The template must be on this node's storage.
    let (tsid, _) = split_volid(&ostemplate)
        .ok_or_else(|| ApiError::internal(format!("unable to parse volume ID '{ostemplate}'")))?;
    if state.cluster.storage(idx, tsid).is_none() {
        return Err(errors::no_such_storage(tsid));
    }
    let tpath = format!("/storage/{tsid}");
    if !caller_can(state, call, &tpath, "Datastore.AllocateSpace")
        && !caller_can(state, call, &tpath, "Datastore.Audit")
    {
        return Err(ApiError::permission(
            &tpath,
            "Datastore.AllocateSpace|Datastore.Audit",
        ));
    }
    if !state.cluster.volume_exists(idx, &ostemplate) {
        return Err(ApiError::internal(format!(
            "can't find file '{ostemplate}'"
        )));
    }

    // The root disk.
    let rootfs = match call.str("rootfs") {
        Some(r) => r.to_owned(),
        None => format!("{}:4", call.str("storage").unwrap_or("local")),
    };
    let (rsid, gib) = parse_rootfs(&rootfs)?;
    let Some(rstorage) = state.cluster.storage(idx, &rsid) else {
        return Err(errors::no_such_storage(&rsid));
    };
    if !rstorage.supports("rootdir") {
        return Err(if call.str("rootfs").is_none() {
            ApiError::param(
                "storage",
                format!("storage '{rsid}' does not support container directories"),
            )
        } else {
            ApiError::internal(format!(
                "storage '{rsid}' does not allow content type 'rootdir' (Container)"
            ))
        });
    }
    let rpath = format!("/storage/{rsid}");
    if !caller_can(state, call, &rpath, "Datastore.AllocateSpace") {
        return Err(ApiError::permission(&rpath, "Datastore.AllocateSpace"));
    }
    let disk_bytes = ((gib * GIB as f64) as u64).div_ceil(MIB) * MIB;
    let volid = rstorage.next_disk_volid(vmid);
    let fits = rstorage.avail() >= disk_bytes;

    let seed = state.cluster.seed;
    let mut nets = BTreeMap::new();
    for (key, values) in &call.params {
        if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
            if let Some(v) = values.first() {
                nets.insert(n, normalize_net(seed, vmid, n, v));
            }
        }
    }
    let template_file = ostemplate
        .rsplit('/')
        .next()
        .unwrap_or(&ostemplate)
        .to_owned();
    let ct = Container {
        vmid,
        node: node_name.clone(),
        hostname: call
            .str("hostname")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("CT{vmid}")),
        cores: call.int("cores").map(|c| c as u32),
        host_cpus: state.cluster.nodes[idx].maxcpu,
        memory: call.int("memory").map(|m| m as u64),
        swap: call.int("swap").map(|s| s as u64),
        rootfs_volid: volid.clone(),
        disk_bytes,
        nets,
        ostype: call
            .str("ostype")
            .map(str::to_owned)
            .unwrap_or_else(|| ostype_from_template(&ostemplate)),
        arch: call.str("arch").unwrap_or("amd64").to_owned(),
        unprivileged: call.bool("unprivileged").unwrap_or(false),
        onboot: call.bool("onboot"),
        tags: call.str("tags").map(str::to_owned),
        description: call.str("description").map(str::to_owned),
        nameserver: call.str("nameserver").map(str::to_owned),
        searchdomain: call.str("searchdomain").map(str::to_owned),
        features: call.str("features").map(str::to_owned),
        template: false,
        running: false,
        started_at: 0.0,
        created_at: state.cluster.now,
        pid: 0,
        lock: Some("create".into()),
        active_task: None,
        extra: BTreeMap::new(),
        pending: Pending::default(),
        snapshots: SnapshotTree::default(),
    };

    let mut planned = planned_failure(state, "vzcreate");
    if planned.is_none() && !fits {
        let name = volid.split(':').nth(1).unwrap_or_default();
        planned = Some(format!(
            "unable to create CT {vmid} - lvcreate 'pve/{name}' error:   Volume group \"pve\" has insufficient free space"
        ));
    }
    let now = state.cluster.now;
    if fits {
        if let Some(storage) = state.cluster.storage_mut(idx, &rsid) {
            storage.add_volume(Volume {
                volid: volid.clone(),
                content: "rootdir",
                format: "raw",
                size: disk_bytes,
                ctime: now,
                vmid: Some(vmid),
            });
        }
    }
    let log = vec![
        format!(
            "  Logical volume \"{}\" created.",
            volid.split(':').nth(1).unwrap_or_default()
        ),
        format!("extracting archive '/var/lib/vz/template/cache/{template_file}'"),
        "Total bytes read: 524595200 (501MiB, 187MiB/s)".to_owned(),
        format!("Detected container architecture: {}", ct.arch),
        "Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...".to_owned(),
    ];
    state.cluster.containers.insert(vmid, ct);
    let upid = GuestTaskStart {
        kind: GuestKind::Lxc,
        node: idx,
        vmid,
        task_type: "vzcreate",
        duration: durations::CREATE,
        effect: TaskEffect::CreateContainer {
            vmid,
            start_after: call.bool("start").unwrap_or(false),
        },
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

/// `POST /nodes/{node}/lxc/{vmid}/status/{action}`: a task, after PVE's synchronous checks.
pub(crate) fn power(state: &mut SimState, call: &Call, action: PowerAction) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let ct = &state.cluster.containers[&vmid];
    match action {
        PowerAction::Start | PowerAction::Resume if ct.running => {
            return Err(ApiError::internal(format!("CT {vmid} already running")));
        }
        PowerAction::Stop | PowerAction::Shutdown | PowerAction::Reboot | PowerAction::Suspend
            if !ct.running =>
        {
            return Err(ApiError::internal(format!("CT {vmid} not running")));
        }
        _ => {}
    }
    // Resume forks without taking the config lock.
    if ct.active_task.is_some() && action != PowerAction::Resume {
        return Err(errors::lock_timeout(vmid));
    }
    let kind = GuestKind::Lxc;
    let (duration, effect) = match action {
        PowerAction::Start => (durations::START, TaskEffect::StartContainer { vmid }),
        PowerAction::Stop => (durations::STOP, TaskEffect::StopContainer { vmid }),
        PowerAction::Shutdown => (durations::SHUTDOWN, TaskEffect::StopContainer { vmid }),
        PowerAction::Reboot => (durations::REBOOT, TaskEffect::RebootContainer { vmid }),
        PowerAction::Suspend => (durations::STOP, TaskEffect::Suspend { kind, vmid }),
        PowerAction::Resume => (durations::START, TaskEffect::Resume { kind, vmid }),
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(action.task()),
        duration,
        effect,
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// `DELETE /nodes/{node}/lxc/{vmid}`: only when stopped (or with `force`), as a `vzdestroy` task.
pub(crate) fn destroy(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let cluster = &state.cluster;
    let ct = &cluster.containers[&vmid];
    if ct.running && !call.bool("force").unwrap_or(false) {
        return Err(ApiError::internal(format!(
            "unable to destroy CT {vmid} - container is running"
        )));
    }
    if let Some(lock) = cluster.effective_lock(ct, &state.faults) {
        return Err(ApiError::internal(errors::config_locked_text(lock)));
    }
    if ct.active_task.is_some() {
        return Err(errors::lock_timeout(vmid));
    }
    let purge = call.bool("purge").unwrap_or(false);
    let mut planned = planned_failure(state, "vzdestroy");
    // lvmthin refuses to free a template's base volume while linked clones use it; the task
    // fails and the template stays.
    let base = state.cluster.containers[&vmid].rootfs_volid.clone();
    let clone_prefix = format!("{base}/");
    if state
        .cluster
        .containers
        .values()
        .any(|c| c.rootfs_volid.starts_with(&clone_prefix))
    {
        let name = base.split(':').nth(1).unwrap_or_default();
        planned.get_or_insert_with(|| {
            format!("base volume '{name}' is still in use by linked cloned")
        });
    }
    let upid = GuestTaskStart {
        kind: GuestKind::Lxc,
        node: idx,
        vmid,
        task_type: "vzdestroy",
        duration: durations::DESTROY,
        effect: TaskEffect::DestroyContainer { vmid, purge },
    }
    .fork_with(state, call, planned, Vec::new());
    Ok(Value::from(upid))
}
