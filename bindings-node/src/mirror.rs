//! The Node face's shape of every core model: the fields (by their Rust names, camelCased when
//! written, see `json_text`) that the Python binding exposes as attributes, listed once per model
//! exactly as in `bindings-python/src/models.rs`, so the two bindings agree on every field name
//! (`ssl_fingerprint` / `sslFingerprint`, `kind` for PVE's `type`, `extra` for fields the core
//! does not model). Serialized straight to JSON text with serde, no intermediate tree.

use std::collections::BTreeMap;
use std::time::Duration;

use proxmox_api_core::api::{self, TaskResult};
use proxmox_api_core::models::{self, AclSubject, GuestStatus, NodeOnlineStatus, TaskState};
use proxmox_api_core::tasks::{self, TaskPhase};
use proxmox_api_core::Upid;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// A value in the Node face's shape.
pub trait Mirror {
    /// Writes the value with `serializer`.
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Serializes a borrowed [`Mirror`] value.
pub struct M<'a, T: ?Sized>(pub &'a T);

impl<T: Mirror + ?Sized> Serialize for M<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.mirror(serializer)
    }
}

/// Values whose serde form is already the Node form (scalars, PVE's own strings, raw JSON).
macro_rules! as_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl Mirror for $ty {
            fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
        }
    )*};
}

as_serde!(
    String, bool, u16, u32, u64, i64, f64, serde_json::Value, GuestStatus, NodeOnlineStatus,
    TaskState, AclSubject, (String, String), BTreeMap<u32, String>,
);

impl<T: Mirror> Mirror for Option<T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.mirror(serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: Mirror> Mirror for Vec<T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&M(item))?;
        }
        seq.end()
    }
}

impl<T: Mirror> Mirror for BTreeMap<String, T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, &M(value))?;
        }
        map.end()
    }
}

/// Seconds, as Python's `float`.
impl Mirror for Duration {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_secs_f64())
    }
}

impl Mirror for Upid {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Mirror for TaskPhase {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            TaskPhase::Running => "running",
            TaskPhase::Stopped => "stopped",
        })
    }
}

/// `running`, `OK`, `WARNINGS: n` or the failure text, as in Python.
impl Mirror for TaskResult {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TaskResult::Running => serializer.serialize_str("running"),
            TaskResult::Ok => serializer.serialize_str("OK"),
            TaskResult::Warnings(n) => serializer.collect_str(&format_args!("WARNINGS: {n}")),
            TaskResult::Failed(text) => serializer.serialize_str(text),
            #[allow(unreachable_patterns)]
            other => serializer.collect_str(&format_args!("{other:?}")),
        }
    }
}

/// The variant's own shape; kinds the core does not know stay as PVE sent them.
impl Mirror for models::ClusterResource {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            models::ClusterResource::Node(r) => r.mirror(serializer),
            models::ClusterResource::Lxc(r) | models::ClusterResource::Qemu(r) => {
                r.mirror(serializer)
            }
            models::ClusterResource::Storage(r) => r.mirror(serializer),
            models::ClusterResource::Other(v) => v.serialize(serializer),
            #[allow(unreachable_patterns)]
            _ => serializer.serialize_none(),
        }
    }
}

/// Models: their fields by Rust name, in Python's order.
macro_rules! models {
    ($($ty:path { $($field:ident),* $(,)? })*) => {$(
        impl Mirror for $ty {
            fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // The real count: serde_json closes an object announced with 0 fields at once.
                let mut object = serializer.serialize_struct("model", [$(stringify!($field)),*].len())?;
                $( object.serialize_field(stringify!($field), &M(&self.$field))?; )*
                object.end()
            }
        }
    )*};
}

models! {
    models::Version { version, release, repoid, console, extra }
    models::NodeSummary { node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, ssl_fingerprint, id, kind }
    models::CpuInfo { model, cpus, cores, sockets, mhz, hvm, user_hz, flags }
    models::MemoryUsage { total, used, free, available }
    models::DiskUsage { total, used, free, avail }
    models::KsmInfo { shared }
    models::NodeStatus { loadavg, cpu, wait, idle, cpuinfo, memory, swap, rootfs, ksm, uptime, kversion, pveversion, current_kernel, boot_info, extra }
    models::StorageSummary { storage, kind, content, active, enabled, shared, total, used, avail, used_fraction }
    models::StorageContentItem { volid, content, format, size, used, ctime, vmid, notes, subtype, parent, encrypted, protected, verification }
    models::AplInfoEntry { template, package, os, version, kind, section, headline, description, infopage, location, maintainer, md5sum, sha512sum, source, architecture, manageurl }
    models::LxcSummary { vmid, name, status, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, pid, lock, tags, template, kind, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull }
    models::LxcStatus { vmid, name, status, pid, ha, lock, tags, template, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, kind, extra }
    models::LxcConfig { hostname, ostype, arch, cores, cpulimit, cpuunits, memory, swap, rootfs, unprivileged, onboot, protection, template, features, tags, description, nameserver, searchdomain, startup, timezone, lock, digest, lxc, nets, mount_points, unused, devices, extra }
    models::NodeResource { id, node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, cgroup_mode }
    models::GuestResource { id, vmid, name, node, status, template, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, hastate, lock, tags, pool }
    models::StorageResource { id, storage, node, status, plugintype, content, shared, disk, maxdisk }
    models::ClusterStatusEntry { kind, id, name, quorate, nodes, version, online, local, ip, nodeid, level }
    models::TaskSummary { upid, node, pid, pstart, starttime, endtime, task_type, id, user, status, saved }
    models::TaskList { tasks, total }
    models::TaskStatus { status, exitstatus, upid, node, pid, pstart, starttime, task_type, id, user }
    models::TaskLogLine { n, t }
    models::UserEntry { userid, enable, expire, firstname, lastname, email, comment, groups, tokens, realm_type, keys, tfa_locked_until, totp_locked }
    models::UserDetail { enable, expire, firstname, lastname, email, comment, groups, tokens, keys, extra }
    models::ApiTokenInfo { tokenid, comment, expire, privsep }
    models::AclEntry { path, roleid, kind, ugid, propagate }
    api::DestroyRecord { vmid, node, user, start, end, outcome }
    api::TemplateLocation { node, storage }
    api::TemplateAvailability { volid, name, size, locations }
    api::Container { vmid, node, status, config }
    api::User { userid, detail, vmids }
    tasks::TaskOutcome { upid, warnings, exit_status }
    tasks::TaskProgress { phase, new_lines, elapsed }
    models::NodeRrdPoint { time, cpu, maxcpu, iowait, loadavg, memtotal, memused, memavailable, arcsize, swaptotal, swapused, roottotal, rootused, netin, netout, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
    models::GuestRrdPoint { time, cpu, maxcpu, mem, maxmem, memhost, disk, maxdisk, netin, netout, diskread, diskwrite, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
}
