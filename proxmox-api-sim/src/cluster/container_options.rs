//! A container's options as the config API sees them: setting and deleting one by name,
//! applying pending changes, and the copies snapshots keep.

use serde_json::Value;

use super::config::Pending;
use super::containers::{normalize_net, Container};
use super::snapshots::SnapshotTree;
use crate::api_error::ApiError;

/// Options the simulator stores as text only; integers and booleans among them print as
/// numbers, the rest (including the number `cpulimit`, a string in PVE's answers) as strings.
const INTEGER_EXTRAS: [&str; 2] = ["cpuunits", "tty"];
const BOOLEAN_EXTRAS: [&str; 3] = ["console", "debug", "protection"];

/// An extra option's value as `GET .../config` prints it.
pub(crate) fn extra_value(key: &str, value: &str) -> Value {
    if INTEGER_EXTRAS.contains(&key) {
        if let Ok(n) = value.parse::<i64>() {
            return n.into();
        }
    }
    if BOOLEAN_EXTRAS.contains(&key) {
        let on = matches!(
            value.to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        );
        return u8::from(on).into();
    }
    value.into()
}

fn parse_bool(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn parse_int(key: &str, value: &str) -> Result<u64, ApiError> {
    value.parse::<u64>().map_err(|_| {
        ApiError::param(
            key,
            format!("type check ('integer') failed - got '{value}'"),
        )
    })
}

impl Container {
    /// Options the config PUT cannot change in the simulator (volumes and raw LXC keys).
    pub(crate) fn check_settable(key: &str) -> Result<(), ApiError> {
        let volume = key == "rootfs"
            || key == "lxc"
            || ["mp", "dev", "unused"].iter().any(|p| {
                key.strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
        if volume {
            return Err(ApiError::new(
                501,
                format!("changing '{key}' through the config is not modelled by the simulator (use resize)"),
            ));
        }
        Ok(())
    }

    /// Sets one option from its API text.
    pub(crate) fn set_option(&mut self, seed: u64, key: &str, value: &str) -> Result<(), ApiError> {
        match key {
            "hostname" => self.hostname = value.to_owned(),
            "description" => self.description = Some(value.to_owned()),
            "tags" => self.tags = Some(value.to_owned()),
            "nameserver" => self.nameserver = Some(value.to_owned()),
            "searchdomain" => self.searchdomain = Some(value.to_owned()),
            "features" => self.features = Some(value.to_owned()),
            "ostype" => self.ostype = value.to_owned(),
            "arch" => self.arch = value.to_owned(),
            "cores" => self.cores = Some(parse_int(key, value)? as u32),
            "memory" => self.memory = Some(parse_int(key, value)?),
            "swap" => self.swap = Some(parse_int(key, value)?),
            "onboot" => self.onboot = Some(parse_bool(value)),
            "unprivileged" => self.unprivileged = parse_bool(value),
            "template" => self.template = parse_bool(value),
            "lock" => self.lock = Some(value.to_owned()),
            _ => {
                if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
                    self.nets
                        .insert(n, normalize_net(seed, self.vmid, n, value));
                } else {
                    Self::check_settable(key)?;
                    self.extra.insert(key.to_owned(), value.to_owned());
                }
            }
        }
        Ok(())
    }

    /// Deletes one option (back to PVE's default, which the config does not show).
    pub(crate) fn delete_option(&mut self, key: &str) {
        match key {
            "hostname" => self.hostname = format!("CT{}", self.vmid),
            "description" => self.description = None,
            "tags" => self.tags = None,
            "nameserver" => self.nameserver = None,
            "searchdomain" => self.searchdomain = None,
            "features" => self.features = None,
            "cores" => self.cores = None,
            "memory" => self.memory = None,
            "swap" => self.swap = None,
            "onboot" => self.onboot = None,
            "unprivileged" => self.unprivileged = false,
            "template" => self.template = false,
            "lock" => self.lock = None,
            _ => {
                if let Some(n) = key.strip_prefix("net").and_then(|n| n.parse::<u32>().ok()) {
                    self.nets.remove(&n);
                } else {
                    self.extra.remove(key);
                }
            }
        }
    }

    /// Applies the pending changes `now` accepts and keeps the others pending. Values were
    /// validated when they were written, so a failure here leaves the option pending.
    pub(crate) fn apply_pending(&mut self, seed: u64, now: impl Fn(&str) -> bool) {
        let pending = std::mem::take(&mut self.pending);
        let mut kept = Pending::default();
        for key in pending.deletes {
            if now(&key) {
                self.delete_option(&key);
            } else {
                kept.deletes.insert(key);
            }
        }
        for (key, value) in pending.values {
            if !now(&key) || self.set_option(seed, &key, &value).is_err() {
                kept.values.insert(key, value);
            }
        }
        self.pending = kept;
    }

    /// A copy for a snapshot: the config without runtime state or the snapshots themselves.
    pub(crate) fn snapshot_copy(&self) -> Container {
        let mut copy = self.clone_without_snapshots();
        copy.pending = Pending::default();
        copy.lock = None;
        copy.active_task = None;
        copy.running = false;
        copy.pid = 0;
        copy
    }

    /// `clone()` would copy every snapshot too; snapshots and clones only need the config.
    pub(crate) fn clone_without_snapshots(&self) -> Container {
        Container {
            vmid: self.vmid,
            node: self.node.clone(),
            hostname: self.hostname.clone(),
            cores: self.cores,
            host_cpus: self.host_cpus,
            memory: self.memory,
            swap: self.swap,
            rootfs_volid: self.rootfs_volid.clone(),
            disk_bytes: self.disk_bytes,
            nets: self.nets.clone(),
            ostype: self.ostype.clone(),
            arch: self.arch.clone(),
            unprivileged: self.unprivileged,
            onboot: self.onboot,
            tags: self.tags.clone(),
            description: self.description.clone(),
            nameserver: self.nameserver.clone(),
            searchdomain: self.searchdomain.clone(),
            features: self.features.clone(),
            template: self.template,
            running: self.running,
            started_at: self.started_at,
            created_at: self.created_at,
            pid: self.pid,
            lock: self.lock.clone(),
            active_task: self.active_task.clone(),
            extra: self.extra.clone(),
            pending: self.pending.clone(),
            snapshots: SnapshotTree::default(),
        }
    }

    /// Rollback: the config (and disk size) of `snap`; identity, runtime state and the
    /// snapshots stay. Pending changes are dropped, as the config file is replaced.
    pub(crate) fn restore_config_from(&mut self, snap: &Container) {
        let keep_snapshots = std::mem::take(&mut self.snapshots);
        let restored = Container {
            vmid: self.vmid,
            node: self.node.clone(),
            host_cpus: self.host_cpus,
            running: self.running,
            started_at: self.started_at,
            created_at: self.created_at,
            pid: self.pid,
            lock: self.lock.clone(),
            active_task: self.active_task.clone(),
            rootfs_volid: self.rootfs_volid.clone(),
            pending: Pending::default(),
            snapshots: keep_snapshots,
            ..snap.clone_without_snapshots()
        };
        *self = restored;
    }
}
