//! What containers and QEMU guests share: the words PVE uses for each kind (messages, task
//! types, lock files), so the generic snapshot, config, clone and migrate code can answer for
//! either kind with PVE's exact texts.

use super::deterministic::hash;
use super::nodes::Node;
use super::storage::Volume;
use crate::api_error::ApiError;
use crate::call::Call;

/// The two kinds of guests PVE runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GuestKind {
    /// LXC containers (`/nodes/{node}/lxc/{vmid}`).
    Lxc,
    /// QEMU virtual machines (`/nodes/{node}/qemu/{vmid}`).
    Qemu,
}

impl super::ClusterState {
    /// The kind and node of any guest by vmid (vmids are unique across kinds and nodes).
    /// Pools, vzdump and storage content ask this rather than one kind's map; the QEMU model
    /// answers for its guests here too.
    pub(crate) fn guest_kind_and_node(&self, vmid: u32) -> Option<(GuestKind, &str)> {
        self.containers
            .get(&vmid)
            .map(|ct| (GuestKind::Lxc, ct.node.as_str()))
            .or_else(|| {
                self.vms
                    .get(&vmid)
                    .map(|vm| (GuestKind::Qemu, vm.node.as_str()))
            })
    }
}

/// The power actions of `status/{start,stop,shutdown,reboot,suspend,resume}`, for either kind
/// (each kind checks and applies them its own way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PowerAction {
    Start,
    Stop,
    Shutdown,
    Reboot,
    /// QEMU pauses the VM; LXC runs `lxc-checkpoint -s` (the state is saved, the container stops).
    Suspend,
    /// Continues a paused VM, restores a suspended container.
    Resume,
}

impl PowerAction {
    /// The task the action forks.
    pub(crate) fn task(self) -> GuestTask {
        match self {
            PowerAction::Start => GuestTask::Start,
            PowerAction::Stop => GuestTask::Stop,
            PowerAction::Shutdown => GuestTask::Shutdown,
            PowerAction::Reboot => GuestTask::Reboot,
            PowerAction::Suspend => GuestTask::Suspend,
            PowerAction::Resume => GuestTask::Resume,
        }
    }
}

/// A vmid parameter (`vmid`, `newid`) as a number, with PVE's 400 when it is missing.
pub(crate) fn vmid_param(call: &Call, key: &str) -> Result<u32, ApiError> {
    call.int(key)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ApiError::param(key, "property is missing and it is not optional"))
}

/// The ACL path of a guest (`/vms/<vmid>`), the same for both kinds.
pub(crate) fn vm_acl_path(vmid: u32) -> String {
    format!("/vms/{vmid}")
}

/// A stable MAC in Proxmox's OUI `BC:24:11` for a guest's network device `index`; `salt`
/// keeps the kinds' MACs apart.
pub(crate) fn proxmox_mac(seed: u64, vmid: u32, index: u32, salt: u64) -> String {
    let h = hash(&[seed, u64::from(vmid), u64::from(index), salt]);
    format!(
        "BC:24:11:{:02X}:{:02X}:{:02X}",
        h & 0xFF,
        (h >> 8) & 0xFF,
        (h >> 16) & 0xFF
    )
}

/// Allocates a pre-populated guest's disk (benchmarks) of `bytes` on the node's `local-lvm`,
/// created at `created`; returns its volid.
pub(crate) fn prepopulated_disk(
    node: &mut Node,
    vmid: u32,
    bytes: u64,
    content: &'static str,
    created: f64,
) -> String {
    let storage = node
        .storages
        .iter_mut()
        .find(|s| s.id == "local-lvm")
        .expect("every node has local-lvm");
    let volid = storage.next_disk_volid(vmid);
    storage.add_volume(Volume {
        volid: volid.clone(),
        content,
        format: "raw",
        size: bytes,
        ctime: created,
        vmid: Some(vmid),
    });
    volid
}

/// The task types (UPID `type`) PVE forks for a guest operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuestTask {
    Start,
    Stop,
    Shutdown,
    Reboot,
    Snapshot,
    DeleteSnapshot,
    Rollback,
    Clone,
    Template,
    Migrate,
    Resize,
    Suspend,
    Resume,
}

impl GuestKind {
    /// `lxc` / `qemu`: the path segment, the `type` in `/cluster/resources` and pools.
    pub(crate) fn type_str(self) -> &'static str {
        match self {
            GuestKind::Lxc => "lxc",
            GuestKind::Qemu => "qemu",
        }
    }

    /// `CT` / `VM`: how PVE names the guest in messages (`CT is locked (backup)`).
    pub(crate) fn label(self) -> &'static str {
        match self {
            GuestKind::Lxc => "CT",
            GuestKind::Qemu => "VM",
        }
    }

    /// The config file PVE reports when a guest is missing.
    pub(crate) fn config_file(self, node: &str, vmid: u32) -> String {
        match self {
            GuestKind::Lxc => format!("nodes/{node}/lxc/{vmid}.conf"),
            GuestKind::Qemu => format!("nodes/{node}/qemu-server/{vmid}.conf"),
        }
    }

    /// The flock file PVE reports on lock timeouts.
    pub(crate) fn lock_file(self, vmid: u32) -> String {
        match self {
            GuestKind::Lxc => format!("/run/lock/lxc/pve-config-{vmid}.lock"),
            GuestKind::Qemu => format!("/var/lock/qemu-server/lock-{vmid}.conf"),
        }
    }

    /// The UPID type of a task (pve-container and qemu-server differ, and are not consistent).
    pub(crate) fn task_type(self, task: GuestTask) -> &'static str {
        match (self, task) {
            (GuestKind::Lxc, GuestTask::Start) => "vzstart",
            (GuestKind::Lxc, GuestTask::Stop) => "vzstop",
            (GuestKind::Lxc, GuestTask::Shutdown) => "vzshutdown",
            (GuestKind::Lxc, GuestTask::Reboot) => "vzreboot",
            (GuestKind::Lxc, GuestTask::Snapshot) => "pctsnapshot",
            (GuestKind::Lxc, GuestTask::DeleteSnapshot) => "lxcdelsnapshot",
            (GuestKind::Lxc, GuestTask::Rollback) => "lxcrollback",
            (GuestKind::Lxc, GuestTask::Clone) => "vzclone",
            (GuestKind::Lxc, GuestTask::Template) => "vztemplate",
            (GuestKind::Lxc, GuestTask::Migrate) => "vzmigrate",
            (GuestKind::Lxc, GuestTask::Resize) => "resize",
            (GuestKind::Lxc, GuestTask::Suspend) => "vzsuspend",
            (GuestKind::Lxc, GuestTask::Resume) => "vzresume",
            (GuestKind::Qemu, GuestTask::Start) => "qmstart",
            (GuestKind::Qemu, GuestTask::Stop) => "qmstop",
            (GuestKind::Qemu, GuestTask::Shutdown) => "qmshutdown",
            (GuestKind::Qemu, GuestTask::Reboot) => "qmreboot",
            (GuestKind::Qemu, GuestTask::Snapshot) => "qmsnapshot",
            (GuestKind::Qemu, GuestTask::DeleteSnapshot) => "qmdelsnapshot",
            (GuestKind::Qemu, GuestTask::Rollback) => "qmrollback",
            (GuestKind::Qemu, GuestTask::Clone) => "qmclone",
            (GuestKind::Qemu, GuestTask::Template) => "qmtemplate",
            (GuestKind::Qemu, GuestTask::Migrate) => "qmigrate",
            (GuestKind::Qemu, GuestTask::Resize) => "resize",
            (GuestKind::Qemu, GuestTask::Suspend) => "qmsuspend",
            (GuestKind::Qemu, GuestTask::Resume) => "qmresume",
        }
    }

    /// The `description` of the `current` entry in a snapshot list: qemu-server sends
    /// `You are here!`, the simulator's LXC list has always left it out.
    pub(crate) fn current_snapshot_description(self) -> Option<&'static str> {
        match self {
            GuestKind::Lxc => None,
            GuestKind::Qemu => Some("You are here!"),
        }
    }

    /// `CT is locked (snapshot)` (PVE::AbstractConfig::check_lock).
    pub(crate) fn locked_text(self, lock: &str) -> String {
        format!("{} is locked ({lock})", self.label())
    }

    /// `can't lock file '...' - got timeout`.
    pub(crate) fn lock_timeout_text(self, vmid: u32) -> String {
        format!("can't lock file '{}' - got timeout", self.lock_file(vmid))
    }
}
