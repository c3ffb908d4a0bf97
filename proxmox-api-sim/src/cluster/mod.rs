//! Nodes, storages, templates, containers, tasks, rrd data, VNC and cluster views.
//!
//! One [`ClusterState`] holds the whole simulated cluster. The server calls [`dispatch`] with the
//! state locked; handlers never block: long operations become tasks (see `tasks`) that finish
//! lazily in [`ClusterState::tick`] once the simulator's clock passes their end.

mod aplinfo;
mod backup;
mod clone;
mod cluster_views;
mod config;
mod container_options;
mod containers;
mod deterministic;
mod errors;
mod guest;
mod guest_effects;
mod guest_status;
mod guest_task;
mod indexes;
mod interfaces;
mod migrate;
mod nodes;
mod pools;
mod qemu;
mod qemu_agent;
mod qemu_clone;
mod qemu_snapshots;
mod resize;
mod rrd;
mod snapshots;
mod storage;
mod storage_content;
mod tasks;
pub mod upid;
mod vnc;

use std::collections::BTreeMap;

use http::Method;

use crate::answer::{Answer, AnswerReply};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::faults::Faults;
use crate::state::SimState;

pub use cluster_views::CLUSTER_NAME;
pub(crate) use containers::Container;
pub(crate) use nodes::Node;
pub use nodes::{version_info, PVE_RELEASE, PVE_REPOID, PVE_VERSION};
pub(crate) use qemu::VirtualMachine;
pub use storage::DEFAULT_TEMPLATE;
pub(crate) use tasks::TaskStore;
pub use tasks::TASK_HISTORY_CAP;

/// How to build a simulated cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Number of nodes, named `pve1`..`pveN`.
    pub nodes: usize,
    /// Pre-populated containers (for benchmarks), spread over the nodes, mostly stopped.
    pub guests: usize,
    /// Pre-populated QEMU VMs (for benchmarks), vmids after the containers', mostly stopped.
    pub vms: usize,
    /// Seed for every generated value (pids, MAC addresses, rrd series, ticket keys).
    pub seed: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            nodes: 3,
            guests: 0,
            vms: 0,
            seed: 0x5EED_0F9E,
        }
    }
}

/// The simulated cluster: nodes with their storages, containers, tasks and VNC tickets.
#[derive(Debug)]
pub struct ClusterState {
    pub(crate) seed: u64,
    pub(crate) nodes: Vec<Node>,
    /// Every container of the cluster by vmid (vmids are cluster-wide unique, as in PVE).
    pub(crate) containers: BTreeMap<u32, Container>,
    /// Every QEMU VM of the cluster by vmid (never the same vmid as a container).
    pub(crate) vms: BTreeMap<u32, VirtualMachine>,
    pub(crate) tasks: TaskStore,
    pub(crate) vnc: vnc::VncSessions,
    /// PEM of the certificate handed out by vncproxy (the node certificate in PVE).
    pub(crate) certificate_pem: Option<String>,
    /// Unix time of the first tick: every pre-populated timestamp is relative to it until then.
    anchored_at: Option<f64>,
    /// Time of the last tick, so handlers know "now" without a clock.
    pub(crate) now: f64,
    /// Vmids destroyed with `purge=1` whose ACL entries the access layer must drop.
    purged_vmids: Vec<u32>,
    /// Resource pools by id.
    pub(crate) pools: BTreeMap<String, pools::Pool>,
    /// Scheduled backup jobs (`/cluster/backup`) by id.
    pub(crate) backup_jobs: BTreeMap<String, backup::BackupJob>,
}

impl Default for ClusterState {
    fn default() -> Self {
        Self::new(ClusterConfig::default())
    }
}

impl ClusterState {
    /// A cluster of `config.nodes` nodes (at least one) with `config.guests` pre-populated containers.
    pub fn new(config: ClusterConfig) -> Self {
        let node_count = config.nodes.max(1);
        let mut nodes: Vec<Node> = (0..node_count)
            .map(|index| Node::new(index, config.seed, config.guests + config.vms, node_count))
            .collect();
        let mut containers = BTreeMap::new();
        for i in 0..config.guests {
            let vmid = 100 + i as u32;
            let node = &mut nodes[i % node_count];
            let ct = Container::prepopulated(vmid, node, config.seed);
            containers.insert(vmid, ct);
        }
        let mut vms = BTreeMap::new();
        for i in 0..config.vms {
            let vmid = 100 + (config.guests + i) as u32;
            let node = &mut nodes[(config.guests + i) % node_count];
            vms.insert(vmid, VirtualMachine::prepopulated(vmid, node, config.seed));
        }
        let mut state = Self {
            seed: config.seed,
            nodes,
            containers,
            vms,
            tasks: TaskStore::new(config.seed),
            vnc: vnc::VncSessions::new(config.seed),
            certificate_pem: None,
            anchored_at: None,
            now: 0.0,
            purged_vmids: Vec::new(),
            pools: BTreeMap::new(),
            backup_jobs: BTreeMap::new(),
        };
        state.refresh_all_node_loads();
        state
    }

    /// The node names, `pve1`..`pveN`, in order.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.name.clone()).collect()
    }

    /// Whether `ticket` was issued by vncproxy for this container and port and is still fresh
    /// (PVE accepts a VNC ticket from 20 s before to 40 s after its creation time).
    pub fn vnc_ticket_valid(
        &self,
        node: &str,
        vmid: u32,
        port: u16,
        ticket: &str,
        now_unix: i64,
    ) -> bool {
        self.vnc.ticket_valid(node, vmid, port, ticket, now_unix)
    }

    /// Sets the PEM certificate vncproxy returns as `cert` (the server's own certificate in PVE).
    /// Without one, a self-signed certificate is generated on first use.
    pub fn set_certificate_pem(&mut self, pem: impl Into<String>) {
        self.certificate_pem = Some(pem.into());
    }

    /// Vmids destroyed with `purge=1` since the last call: their ACL entries on `/vms/<vmid>` must
    /// go. [`dispatch`] drains this itself after each tick; exposed for the server, which may tick
    /// on its own.
    pub fn take_purged_vmids(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.purged_vmids)
    }

    /// Advances the model to `now_unix`: finishes every task whose end has passed (applying its
    /// effect) in the order they end. Idempotent and cheap when nothing is due.
    pub fn tick(&mut self, now_unix: f64, faults: &Faults) {
        if self.anchored_at.is_none() {
            self.anchor(now_unix);
        }
        if now_unix > self.now {
            self.now = now_unix;
        }
        while let Some(upid) = self.tasks.pop_due(self.now) {
            self.finish_task(&upid, faults);
        }
    }

    /// Pre-populated times are stored relative to zero; the first tick shifts them to the clock.
    fn anchor(&mut self, now: f64) {
        self.anchored_at = Some(now);
        self.now = now;
        for node in &mut self.nodes {
            node.anchor(now);
        }
        for ct in self.containers.values_mut() {
            ct.anchor(now);
        }
        for vm in self.vms.values_mut() {
            vm.anchor(now);
        }
    }

    pub(crate) fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The node of a `/nodes/{node}/...` call, or PVE's answer for a name it cannot resolve.
    pub(crate) fn require_node(&self, call: &Call) -> Result<usize, ApiError> {
        let name = call.required("node")?;
        self.node_index(name)
            .ok_or_else(|| errors::hostname_lookup_failed(name))
    }

    /// Recomputes a node's load (memory, cpu) from its running containers.
    pub(crate) fn refresh_node_load(&mut self, node_index: usize) {
        let name = self.nodes[node_index].name.clone();
        let now = self.now;
        let mut load = nodes::NodeLoad::default();
        for ct in self.containers.values().filter(|c| c.node == name) {
            if ct.is_running() {
                load.running += 1;
                load.mem += ct.mem_used(now);
                load.cpu_cores += ct.cpu_fraction(now) * f64::from(ct.cpus());
            }
        }
        for vm in self.vms.values().filter(|v| v.node == name) {
            if vm.is_running() {
                load.running += 1;
                load.mem += vm.mem_used();
                load.cpu_cores += vm.cpu_fraction(now) * f64::from(vm.cpus);
            }
        }
        self.nodes[node_index].load = load;
    }

    fn refresh_all_node_loads(&mut self) {
        for i in 0..self.nodes.len() {
            self.refresh_node_load(i);
        }
    }
}

/// Answers the cluster and node methods the simulator models; `None` for anything else.
/// Only `data`: see [`dispatch_answer`] for the whole envelope.
pub fn dispatch(state: &mut SimState, call: &Call) -> Option<Reply> {
    dispatch_answer(state, call).map(|reply| reply.map(|answer| answer.data))
}

/// [`dispatch`] with the keys PVE sends beside `data` (`total` of a paged task list).
pub fn dispatch_answer(state: &mut SimState, call: &Call) -> Option<AnswerReply> {
    tick_state(state);
    route(state, call)
}

/// Brings the whole state to the clock's time: finishes due tasks and applies what reaches
/// outside the cluster (ACL entries of purged containers). The server calls this before
/// `access::dispatch`, so an ACL listing right after a purge is already clean.
pub fn tick_state(state: &mut SimState) {
    let now = state.clock.unix_f64();
    state.cluster.tick(now, &state.faults);
    let purged = state.cluster.take_purged_vmids();
    if !purged.is_empty() {
        purge_vm_acls(state, &purged);
    }
}

/// The fast path for large listings and frequent calls: the JSON text of `data` (not the
/// envelope) for the calls that have one (`GET /cluster/resources`, `GET /nodes/{node}/status`),
/// `None` for every other call, which goes through [`dispatch`]. Same content as [`dispatch`]
/// would give; the server may try this first and write `{"data":<bytes>}` itself, so 20,000
/// guests list, and a node's status is answered, without building a `Value` tree.
pub fn dispatch_raw(state: &mut SimState, call: &Call) -> Option<Result<Vec<u8>, ApiError>> {
    if call.method != Method::GET {
        return None;
    }
    let answer: fn(&mut SimState, &Call) -> Result<Vec<u8>, ApiError> = match call.template.as_str()
    {
        "/cluster/resources" => cluster_views::resources_json,
        "/nodes/{node}/status" => nodes::status_json,
        _ => return None,
    };
    tick_state(state);
    Some(answer(state, call))
}

/// Drops ACL entries on `/vms/<vmid>` after a purging destroy (PVE's `remove_vm_access`).
fn purge_vm_acls(state: &mut SimState, vmids: &[u32]) {
    for vmid in vmids {
        state.access.remove_acl_path(&format!("/vms/{vmid}"));
    }
}

fn route(state: &mut SimState, call: &Call) -> Option<AnswerReply> {
    let m = &call.method;
    let reply = match call.template.as_str() {
        "/nodes" if m == Method::GET => nodes::list(state, call),
        "/nodes/{node}/status" if m == Method::GET => nodes::status(state, call),
        "/nodes/{node}/version" if m == Method::GET => nodes::version(state, call),
        "/nodes/{node}/rrddata" if m == Method::GET => rrd::node_rrddata(state, call),
        "/nodes/{node}/storage" if m == Method::GET => storage::list(state, call),
        "/nodes/{node}/storage/{storage}/content" if m == Method::GET => {
            storage::content(state, call)
        }
        "/nodes/{node}/aplinfo" if m == Method::GET => aplinfo::list(state, call),
        "/nodes/{node}/aplinfo" if m == Method::POST => aplinfo::download(state, call),
        "/nodes/{node}/tasks" if m == Method::GET => return Some(tasks::node_tasks(state, call)),
        "/nodes/{node}/tasks/{upid}/status" if m == Method::GET => tasks::status(state, call),
        "/nodes/{node}/tasks/{upid}/log" if m == Method::GET => tasks::log(state, call),
        "/cluster/tasks" if m == Method::GET => tasks::cluster_tasks(state, call),
        "/cluster/status" if m == Method::GET => cluster_views::status(state, call),
        "/cluster/resources" if m == Method::GET => cluster_views::resources(state, call),
        "/cluster/nextid" if m == Method::GET => cluster_views::nextid(state, call),
        "/nodes/{node}/lxc" if m == Method::GET => containers::list(state, call),
        "/nodes/{node}/lxc" if m == Method::POST => containers::create(state, call),
        "/nodes/{node}/lxc/{vmid}" if m == Method::DELETE => containers::destroy(state, call),
        "/nodes/{node}/lxc/{vmid}/config" if m == Method::GET => containers::config(state, call),
        "/nodes/{node}/lxc/{vmid}/status/current" if m == Method::GET => {
            containers::current(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/status/start" if m == Method::POST => {
            containers::power(state, call, guest::PowerAction::Start)
        }
        "/nodes/{node}/lxc/{vmid}/status/stop" if m == Method::POST => {
            containers::power(state, call, guest::PowerAction::Stop)
        }
        "/nodes/{node}/lxc/{vmid}/status/shutdown" if m == Method::POST => {
            containers::power(state, call, guest::PowerAction::Shutdown)
        }
        "/nodes/{node}/lxc/{vmid}/status/reboot" if m == Method::POST => {
            containers::power(state, call, guest::PowerAction::Reboot)
        }
        "/nodes/{node}/lxc/{vmid}/rrddata" if m == Method::GET => {
            rrd::container_rrddata(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/vncproxy" if m == Method::POST => vnc::vncproxy(state, call),
        t if t.starts_with("/nodes/{node}/qemu") => route_qemu(state, call)?,
        _ => route_guest_ops(state, call)?,
    };
    Some(reply.map(Answer::from))
}

/// The QEMU methods (`/nodes/{node}/qemu...`).
fn route_qemu(state: &mut SimState, call: &Call) -> Option<Reply> {
    use guest::PowerAction as P;
    let m = &call.method;
    let t = call.template.as_str();
    let reply = match t {
        "/nodes/{node}/qemu" if m == Method::GET => qemu::list(state, call),
        "/nodes/{node}/qemu" if m == Method::POST => qemu::create(state, call),
        "/nodes/{node}/qemu/{vmid}" if m == Method::DELETE => qemu::destroy(state, call),
        "/nodes/{node}/qemu/{vmid}/config" if m == Method::GET => qemu::config(state, call),
        "/nodes/{node}/qemu/{vmid}/config" if m == Method::PUT => {
            qemu::update_config(state, call, false)
        }
        "/nodes/{node}/qemu/{vmid}/config" if m == Method::POST => {
            qemu::update_config(state, call, true)
        }
        "/nodes/{node}/qemu/{vmid}/pending" if m == Method::GET => qemu::pending(state, call),
        "/nodes/{node}/qemu/{vmid}/status/current" if m == Method::GET => {
            qemu::current(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/status/start" if m == Method::POST => {
            qemu::power(state, call, P::Start)
        }
        "/nodes/{node}/qemu/{vmid}/status/stop" if m == Method::POST => {
            qemu::power(state, call, P::Stop)
        }
        "/nodes/{node}/qemu/{vmid}/status/shutdown" if m == Method::POST => {
            qemu::power(state, call, P::Shutdown)
        }
        "/nodes/{node}/qemu/{vmid}/status/reboot" if m == Method::POST => {
            qemu::power(state, call, P::Reboot)
        }
        "/nodes/{node}/qemu/{vmid}/status/suspend" if m == Method::POST => {
            qemu::power(state, call, P::Suspend)
        }
        "/nodes/{node}/qemu/{vmid}/status/resume" if m == Method::POST => {
            qemu::power(state, call, P::Resume)
        }
        "/nodes/{node}/qemu/{vmid}/clone" if m == Method::POST => qemu_clone::clone(state, call),
        "/nodes/{node}/qemu/{vmid}/template" if m == Method::POST => {
            qemu_clone::template(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot" if m == Method::GET => {
            qemu_snapshots::list(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot" if m == Method::POST => {
            qemu_snapshots::create(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}" if m == Method::GET => {
            qemu_snapshots::index(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}" if m == Method::DELETE => {
            qemu_snapshots::delete(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config" if m == Method::GET => {
            qemu_snapshots::get_config(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config" if m == Method::PUT => {
            qemu_snapshots::update_config(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback" if m == Method::POST => {
            qemu_snapshots::rollback(state, call)
        }
        "/nodes/{node}/qemu/{vmid}/rrddata" if m == Method::GET => rrd::vm_rrddata(state, call),
        "/nodes/{node}/qemu/{vmid}/vncproxy" if m == Method::POST => vnc::vm_vncproxy(state, call),
        t if t.starts_with("/nodes/{node}/qemu/{vmid}/agent") => qemu_agent::call(state, call),
        _ => return None,
    };
    Some(reply)
}

/// The guest operations, storage content, pools, backups and directory indexes.
fn route_guest_ops(state: &mut SimState, call: &Call) -> Option<Reply> {
    use guest::PowerAction;
    let m = &call.method;
    let reply = match call.template.as_str() {
        "/" if m == Method::GET => indexes::root(state, call),
        "/cluster" if m == Method::GET => indexes::cluster(state, call),
        "/access" if m == Method::GET => indexes::access(state, call),
        "/nodes/{node}" if m == Method::GET => indexes::node(state, call),
        "/nodes/{node}/lxc/{vmid}" if m == Method::GET => indexes::container(state, call),
        "/nodes/{node}/lxc/{vmid}/status" if m == Method::GET => {
            indexes::container_status(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/config" if m == Method::PUT => config::update(state, call),
        "/nodes/{node}/lxc/{vmid}/pending" if m == Method::GET => config::pending(state, call),
        "/nodes/{node}/lxc/{vmid}/resize" if m == Method::PUT => resize::resize(state, call),
        "/nodes/{node}/lxc/{vmid}/interfaces" if m == Method::GET => {
            interfaces::interfaces(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/status/suspend" if m == Method::POST => {
            containers::power(state, call, PowerAction::Suspend)
        }
        "/nodes/{node}/lxc/{vmid}/status/resume" if m == Method::POST => {
            containers::power(state, call, PowerAction::Resume)
        }
        "/nodes/{node}/lxc/{vmid}/snapshot" if m == Method::GET => snapshots::list(state, call),
        "/nodes/{node}/lxc/{vmid}/snapshot" if m == Method::POST => snapshots::create(state, call),
        "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}" if m == Method::GET => {
            snapshots::index(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}" if m == Method::DELETE => {
            snapshots::delete(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback" if m == Method::POST => {
            snapshots::rollback(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config" if m == Method::GET => {
            snapshots::config(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config" if m == Method::PUT => {
            snapshots::update_config(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/clone" if m == Method::POST => clone::clone(state, call),
        "/nodes/{node}/lxc/{vmid}/template" if m == Method::POST => clone::template(state, call),
        "/nodes/{node}/lxc/{vmid}/migrate" if m == Method::GET => {
            migrate::precondition(state, call)
        }
        "/nodes/{node}/lxc/{vmid}/migrate" if m == Method::POST => migrate::migrate(state, call),
        "/nodes/{node}/storage/{storage}" if m == Method::GET => {
            storage_content::index(state, call)
        }
        "/nodes/{node}/storage/{storage}/status" if m == Method::GET => {
            storage_content::status(state, call)
        }
        "/nodes/{node}/storage/{storage}/content/{volume}" if m == Method::GET => {
            storage_content::get_volume(state, call)
        }
        "/nodes/{node}/storage/{storage}/content/{volume}" if m == Method::DELETE => {
            storage_content::delete_volume(state, call)
        }
        "/nodes/{node}/storage/{storage}/download-url" if m == Method::POST => {
            storage_content::download_url(state, call)
        }
        "/storage" if m == Method::GET => storage_content::config_list(state, call),
        "/storage/{storage}" if m == Method::GET => storage_content::config_get(state, call),
        "/pools" if m == Method::GET => pools::list(state, call),
        "/pools" if m == Method::POST => pools::create(state, call),
        "/pools" if m == Method::PUT => pools::update(state, call),
        "/pools" if m == Method::DELETE => pools::delete(state, call),
        "/pools/{poolid}" if m == Method::GET => pools::get(state, call),
        "/pools/{poolid}" if m == Method::PUT => pools::update(state, call),
        "/pools/{poolid}" if m == Method::DELETE => pools::delete(state, call),
        "/nodes/{node}/vzdump" if m == Method::POST => backup::vzdump(state, call),
        "/cluster/backup" if m == Method::GET => backup::list_jobs(state, call),
        "/cluster/backup" if m == Method::POST => backup::create_job(state, call),
        "/cluster/backup/{id}" if m == Method::GET => backup::get_job(state, call),
        "/cluster/backup/{id}" if m == Method::DELETE => backup::delete_job(state, call),
        _ => return None,
    };
    Some(reply)
}

/// Whether the caller holds `privilege` on `path` (no caller: the server let it through unauthenticated).
pub(crate) fn caller_can(state: &SimState, call: &Call, path: &str, privilege: &str) -> bool {
    match &call.caller {
        Some(caller) => state.access.can(caller, path, privilege),
        None => true,
    }
}

/// The authenticated id written into UPIDs and task lists (`user@realm` or `user@realm!token`).
pub(crate) fn auth_id(call: &Call) -> String {
    call.caller
        .as_ref()
        .map(|c| c.auth_id())
        .unwrap_or_else(|| "root@pam".to_owned())
}

/// HOOK for the server's storage upload handler (`src/server/upload.rs`, owned by the wire
/// work): puts an uploaded file on a node's storage as `<storage>:<content>/<filename>` and
/// starts the `imgcopy` task PVE runs for it. The volume is listed at once (the bytes are
/// already here); `failure` (a checksum mismatch) makes the task fail and adds nothing.
pub(crate) fn add_uploaded_volume(
    state: &mut SimState,
    call: &Call,
    content: &'static str,
    filename: &str,
    size: u64,
    failure: Option<String>,
) -> Result<String, ApiError> {
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?.to_owned();
    let storage = state
        .cluster
        .storage(idx, &sid)
        .ok_or_else(|| errors::no_such_storage(&sid))?;
    if !storage.supports(content) {
        return Err(ApiError::internal(format!(
            "storage '{sid}' does not support '{content}' content"
        )));
    }
    let planned = failure.or_else(|| containers::planned_failure(state, "imgcopy"));
    let now = state.clock.unix_f64();
    if planned.is_none() {
        let mut volume = if content == "vztmpl" {
            storage::template_volume(&sid, filename, now)
        } else {
            storage::Volume {
                volid: format!("{sid}:{content}/{filename}"),
                content,
                format: content,
                size,
                ctime: now,
                vmid: None,
            }
        };
        volume.size = size;
        if let Some(s) = state.cluster.storage_mut(idx, &sid) {
            s.add_volume(volume);
        }
    }
    let upid = state.cluster.spawn_task(tasks::TaskSpec {
        node: idx,
        kind: "imgcopy",
        id: String::new(),
        user: tasks::task_user(call),
        duration: 1.0 * state.faults.task_duration_scale,
        effect: tasks::TaskEffect::None,
        planned_exit: planned,
        log: vec![format!(
            "starting file import from: /var/tmp/pveupload-{filename}"
        )],
        start: None,
    });
    Ok(upid)
}
