//! Cloning (`POST .../clone`, a `vzclone` task) and template conversion (`POST .../template`).
//!
//! As in PVE, the clone exists from the start, locked `create`, so its vmid is taken at once; the
//! task unlocks it, and a failed task removes it and its disk. A full clone copies the root disk
//! (onto `storage` if given); a linked clone, which PVE's storages only allow from a template's
//! base volume, references it (`base-100-disk-0/vm-101-disk-0`). With `target` the clone is
//! placed on another node: full clones only, as the base volume of a linked clone is local.

use serde_json::Value;

use super::containers::{locate, normalize_net, planned_failure, Container, GIB};
use super::errors;
use super::guest::{GuestKind, GuestTask};
use super::guest_task::GuestTaskStart;
use super::storage::{split_volid, Volume};
use super::tasks::TaskEffect;
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task durations in seconds, before `faults.task_duration_scale`.
pub(crate) mod durations {
    pub const CLONE_FULL: f64 = 3.0;
    pub const CLONE_LINKED: f64 = 1.0;
    pub const TEMPLATE: f64 = 1.0;
}

/// `POST /nodes/{node}/lxc/{vmid}/clone`.
pub(crate) fn clone(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let kind = GuestKind::Lxc;
    let newid = call
        .int("newid")
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ApiError::param("newid", "property is missing and it is not optional"))?;
    if newid == vmid {
        return Err(ApiError::param("newid", "newid and vmid must be different"));
    }
    if let Some(err) = super::qemu::vmid_taken(state, newid) {
        return Err(err);
    }
    let target = match call.str("target") {
        Some(t) if t != "localhost" => Some(
            state
                .cluster
                .node_index(t)
                .ok_or_else(|| ApiError::internal(format!("no such cluster node '{t}'")))?,
        ),
        _ => None,
    };
    let dest = target.unwrap_or(idx);
    let snapname = call.str("snapname").map(str::to_owned);
    let src = &state.cluster.containers[&vmid];
    let full = call.bool("full").unwrap_or(!src.template);
    let storage_param = call.str("storage").map(str::to_owned);
    if storage_param.is_some() && !full {
        return Err(ApiError::internal(
            "parameter 'storage' not allowed for linked clones",
        ));
    }
    let source = match &snapname {
        Some(name) => src
            .snapshots
            .get(name)
            .map(|s| s.config.clone_without_snapshots())
            .ok_or_else(|| ApiError::internal(format!("snapshot '{name}' does not exist")))?,
        None => {
            if let Some(lock) = state.cluster.effective_lock(src, &state.faults) {
                return Err(ApiError::internal(kind.locked_text(lock)));
            }
            src.clone_without_snapshots()
        }
    };
    if full && src.is_running() && snapname.is_none() {
        return Err(ApiError::internal(
            "Cannot do full clones on a running container without snapshots",
        ));
    }
    if !full && !src.template {
        return Err(ApiError::internal(format!(
            "Linked clone feature for '{}' is not available",
            src.rootfs_volid
        )));
    }
    if !full && dest != idx {
        return Err(ApiError::internal(format!(
            "Can't clone to node '{}': linked clones need the base volume '{}', which is on local storage",
            state.cluster.nodes[dest].name, src.rootfs_volid
        )));
    }
    let Some((src_storage, src_volname)) = split_volid(&source.rootfs_volid) else {
        return Err(ApiError::internal("source has no root disk"));
    };
    let sid = storage_param.unwrap_or_else(|| src_storage.to_owned());
    let src_volname = src_volname.to_owned();
    let Some(storage) = state.cluster.storage(dest, &sid) else {
        return Err(errors::no_such_storage(&sid));
    };
    if !storage.supports("rootdir") {
        return Err(ApiError::internal(format!(
            "storage '{sid}' does not allow content type 'rootdir' (Container)"
        )));
    }
    let spath = format!("/storage/{sid}");
    if !caller_can(state, call, &spath, "Datastore.AllocateSpace") {
        return Err(ApiError::permission(&spath, "Datastore.AllocateSpace"));
    }
    let pool = call.str("pool").map(str::to_owned);
    if let Some(p) = &pool {
        if !state.cluster.pools.contains_key(p) {
            return Err(ApiError::internal(format!("pool '{p}' does not exist")));
        }
    }
    let new_volid = if full {
        storage.next_disk_volid(newid)
    } else {
        format!("{sid}:{src_volname}/vm-{newid}-disk-0")
    };
    let fits = !full || storage.avail() >= source.disk_bytes;

    let seed = state.cluster.seed;
    let dest_name = state.cluster.nodes[dest].name.clone();
    let mut ct = Container {
        vmid: newid,
        node: dest_name,
        hostname: call
            .str("hostname")
            .map(str::to_owned)
            .unwrap_or_else(|| source.hostname.clone()),
        rootfs_volid: new_volid.clone(),
        template: false,
        running: false,
        pid: 0,
        lock: Some("create".into()),
        active_task: None,
        created_at: state.cluster.now,
        started_at: 0.0,
        host_cpus: state.cluster.nodes[dest].maxcpu,
        ..source.clone_without_snapshots()
    };
    if let Some(d) = call.str("description") {
        ct.description = Some(d.to_owned());
    }
    // A clone gets new MAC addresses (PVE generates them for every network device).
    let nets: Vec<(u32, String)> = ct
        .nets
        .iter()
        .map(|(n, spec)| {
            let without_mac: Vec<&str> = spec
                .split(',')
                .filter(|p| !p.starts_with("hwaddr="))
                .collect();
            (*n, normalize_net(seed, newid, *n, &without_mac.join(",")))
        })
        .collect();
    ct.nets = nets.into_iter().collect();

    let mut planned = planned_failure(state, kind.task_type(GuestTask::Clone));
    if planned.is_none() && !fits {
        planned = Some(format!(
            "clone failed: lvcreate 'pve/vm-{newid}-disk-0' error:   Volume group \"pve\" has insufficient free space"
        ));
    }
    let now = state.cluster.now;
    if fits {
        let size = if full { source.disk_bytes } else { 0 };
        if let Some(storage) = state.cluster.storage_mut(dest, &sid) {
            storage.add_volume(Volume {
                volid: new_volid.clone(),
                content: "rootdir",
                format: "raw",
                size,
                ctime: now,
                vmid: Some(newid),
            });
        }
    }
    let disk_gib = source.disk_bytes as f64 / GIB as f64;
    let log = if full {
        vec![
            format!(
                "create full clone of mountpoint rootfs ({})",
                source.rootfs_volid
            ),
            format!("  Logical volume \"vm-{newid}-disk-0\" created. ({disk_gib:.2} GiB)"),
            "Number of files: 27,613 (reg: 21,466, dir: 2,015, link: 4,101, dev: 2, special: 29)"
                .to_owned(),
        ]
    } else {
        vec![format!(
            "create linked clone of mount point rootfs ({})",
            source.rootfs_volid
        )]
    };
    state.cluster.containers.insert(newid, ct);
    if let Some(p) = &pool {
        if let Some(pool) = state.cluster.pools.get_mut(p) {
            pool.add_guest(newid);
        }
    }
    let duration = if full {
        durations::CLONE_FULL
    } else {
        durations::CLONE_LINKED
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Clone),
        duration,
        effect: TaskEffect::CloneGuest {
            kind,
            source: vmid,
            newid,
        },
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

/// `POST /nodes/{node}/lxc/{vmid}/template`: answers `null` at once and converts in a
/// `vztemplate` task (the root disk becomes a read-only `base-` volume).
pub(crate) fn template(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let kind = GuestKind::Lxc;
    let ct = &state.cluster.containers[&vmid];
    if ct.active_task.is_some() {
        return Err(ApiError::internal(kind.lock_timeout_text(vmid)));
    }
    if let Some(lock) = state.cluster.effective_lock(ct, &state.faults) {
        return Err(ApiError::internal(kind.locked_text(lock)));
    }
    if !ct.snapshots.is_empty() {
        return Err(ApiError::internal(
            "unable to create template, because CT contains snapshots",
        ));
    }
    if ct.template {
        return Err(ApiError::internal(
            "you can't convert a template to a template",
        ));
    }
    if ct.is_running() {
        return Err(ApiError::internal(
            "you can't convert a CT to template if the CT is running",
        ));
    }
    GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Template),
        duration: durations::TEMPLATE,
        effect: TaskEffect::Template { kind, vmid },
    }
    .fork(state, call);
    Ok(Value::Null)
}

impl ClusterState {
    /// The clone task ended: the new container is unlocked.
    pub(crate) fn finish_clone(&mut self, source: u32, newid: u32) -> Result<Vec<String>, String> {
        let ct = self
            .containers
            .get_mut(&newid)
            .ok_or_else(|| format!("clone failed: CT {newid} vanished"))?;
        ct.lock = None;
        Ok(vec![format!("clone of CT {source} to CT {newid} finished")])
    }

    /// The clone task failed: the new container and its disk go (PVE's cleanup).
    pub(crate) fn abort_clone(&mut self, newid: u32) {
        if let Some(ct) = self.containers.remove(&newid) {
            self.remove_guest_volume(&ct.node, &ct.rootfs_volid);
            for pool in self.pools.values_mut() {
                pool.remove_guest(newid);
            }
        }
    }

    /// The template task ended: `vm-N-disk-M` becomes `base-N-disk-M`, the config `template: 1`.
    pub(crate) fn finish_template(&mut self, vmid: u32) -> Result<Vec<String>, String> {
        let ct = self.lxc_mut(vmid)?;
        let old = ct.rootfs_volid.clone();
        let new = old.replacen(":vm-", ":base-", 1);
        ct.rootfs_volid = new.clone();
        ct.template = true;
        let node_name = ct.node.clone();
        let node = self.node_index(&node_name).unwrap_or(0);
        if let Some((sid, _)) = split_volid(&old) {
            if let Some(storage) = self.storage_mut(node, sid) {
                if let Some(mut v) = storage.remove_volume(&old) {
                    v.volid = new.clone();
                    storage.add_volume(v);
                }
            }
        }
        let name = new.split(':').nth(1).unwrap_or_default().to_owned();
        Ok(vec![
            format!(
                "  Renamed \"{}\" to \"{name}\" in volume group \"pve\"",
                old.split(':').nth(1).unwrap_or_default()
            ),
            format!("  Logical volume pve/{name} changed."),
        ])
    }

    /// Removes a guest's volume from the storage of the node that holds it.
    pub(crate) fn remove_guest_volume(&mut self, node_name: &str, volid: &str) {
        let Some(node) = self.node_index(node_name) else {
            return;
        };
        if let Some((sid, _)) = split_volid(volid) {
            if let Some(storage) = self.storage_mut(node, sid) {
                storage.remove_volume(volid);
            }
        }
    }
}
