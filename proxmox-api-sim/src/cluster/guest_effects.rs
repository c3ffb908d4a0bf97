//! What the guest tasks added for snapshots, clone, template, migrate, resize, suspend/resume,
//! backups and downloads do when they end (or fail). Kept apart from the container lifecycle
//! effects in `containers`; QEMU guests add their arms here.

use super::guest::GuestKind;
use super::storage::split_volid;
use super::tasks::TaskEffect;
use super::ClusterState;
use crate::faults::Faults;

impl ClusterState {
    /// Applies a finished guest task's effect; `Err` is the task's exit status.
    pub(crate) fn apply_guest_effect(
        &mut self,
        effect: &TaskEffect,
        at: f64,
        faults: &Faults,
        user: &str,
    ) -> Result<Vec<String>, String> {
        let seed = self.seed;
        match effect {
            TaskEffect::SnapshotCommit {
                kind: GuestKind::Lxc,
                vmid,
                name,
            } => {
                let ct = self.lxc_mut(*vmid)?;
                ct.snapshots.commit(name);
                ct.lock = None;
                Ok(vec![format!("snapshot container {vmid}: {name}")])
            }
            TaskEffect::SnapshotDelete {
                kind: GuestKind::Lxc,
                vmid,
                name,
            } => {
                let ct = self.lxc_mut(*vmid)?;
                ct.snapshots.remove(name);
                ct.lock = None;
                Ok(Vec::new())
            }
            TaskEffect::Rollback {
                kind: GuestKind::Lxc,
                vmid,
                name,
                start,
            } => {
                let ct = self.lxc_mut(*vmid)?;
                let Some(snap) = ct
                    .snapshots
                    .get(name)
                    .map(|s| s.config.clone_without_snapshots())
                else {
                    ct.lock = None;
                    return Err(format!("snapshot '{name}' does not exist"));
                };
                let old_size = ct.disk_bytes;
                ct.running = false;
                ct.pid = 0;
                ct.restore_config_from(&snap);
                ct.snapshots.rolled_back_to(name);
                ct.lock = None;
                let (node_name, volid, new_size) =
                    (ct.node.clone(), ct.rootfs_volid.clone(), ct.disk_bytes);
                if new_size != old_size {
                    self.set_volume_size(&node_name, &volid, new_size);
                }
                let node = self.node_index(&node_name).unwrap_or(0);
                if *start {
                    let pid = self.nodes[node].alloc_pid(seed);
                    let ct = self.lxc_mut(*vmid)?;
                    ct.running = true;
                    ct.started_at = at;
                    ct.pid = pid;
                }
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::Suspend {
                kind: GuestKind::Lxc,
                vmid,
            } => {
                let ct = self.lxc_mut(*vmid)?;
                if let Some(lock) = ct
                    .lock
                    .clone()
                    .or_else(|| faults.held_locks.get(vmid).cloned())
                {
                    return Err(GuestKind::Lxc.locked_text(&lock));
                }
                ct.running = false;
                ct.pid = 0;
                let node_name = ct.node.clone();
                let node = self.node_index(&node_name).unwrap_or(0);
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::Resume {
                kind: GuestKind::Lxc,
                vmid,
            } => {
                let node_name = self.lxc_mut(*vmid)?.node.clone();
                let node = self.node_index(&node_name).unwrap_or(0);
                let pid = self.nodes[node].alloc_pid(seed);
                let ct = self.lxc_mut(*vmid)?;
                ct.running = true;
                ct.started_at = at;
                ct.pid = pid;
                self.refresh_node_load(node);
                Ok(Vec::new())
            }
            TaskEffect::Resize {
                kind: GuestKind::Lxc,
                vmid,
                disk: _,
                bytes,
            } => {
                let ct = self.lxc_mut(*vmid)?;
                ct.disk_bytes = *bytes;
                let (node_name, volid) = (ct.node.clone(), ct.rootfs_volid.clone());
                self.set_volume_size(&node_name, &volid, *bytes);
                Ok(Vec::new())
            }
            TaskEffect::Template {
                kind: GuestKind::Lxc,
                vmid,
            } => self.finish_template(*vmid),
            TaskEffect::CloneGuest {
                kind: GuestKind::Lxc,
                source,
                newid,
            } => self.finish_clone(*source, *newid),
            TaskEffect::Migrate {
                kind: GuestKind::Lxc,
                vmid,
                target,
                restart,
            } => self.finish_migrate(*vmid, *target, *restart, at),
            TaskEffect::Backup {
                kind: GuestKind::Lxc,
                vmids,
                node,
                storage,
                compress,
            } => self.finish_backup(vmids, *node, storage, compress, at, user),
            TaskEffect::DownloadUrl {
                node,
                storage,
                volid,
                content,
                size,
            } => self.finish_download_url(*node, storage, volid, content, *size, at),
            other => Err(format!(
                "task effect {other:?} is not modelled by the simulator"
            )),
        }
    }

    /// Clears what a failed guest task set up when it started (locks, half-made snapshots and
    /// clones), as PVE's error paths do.
    pub(crate) fn abort_guest_effect(&mut self, effect: &TaskEffect) {
        match effect {
            TaskEffect::SnapshotCommit { vmid, name, .. } => {
                if let Some(ct) = self.containers.get_mut(vmid) {
                    ct.snapshots.abort(name);
                    ct.lock = None;
                }
            }
            TaskEffect::SnapshotDelete { vmid, name, .. } => {
                if let Some(ct) = self.containers.get_mut(vmid) {
                    ct.snapshots.unmark_delete(name);
                    ct.lock = None;
                }
            }
            TaskEffect::Rollback { vmid, .. }
            | TaskEffect::Migrate { vmid, .. }
            | TaskEffect::Template { vmid, .. } => {
                if let Some(ct) = self.containers.get_mut(vmid) {
                    ct.lock = None;
                }
            }
            TaskEffect::CloneGuest { newid, .. } => self.abort_clone(*newid),
            TaskEffect::Backup { vmids, .. } => {
                for vmid in vmids {
                    if let Some(ct) = self.containers.get_mut(vmid) {
                        if ct.lock.as_deref() == Some("backup") {
                            ct.lock = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The container of a running task, or the error PVE's worker would end with.
    pub(crate) fn lxc_mut(&mut self, vmid: u32) -> Result<&mut super::Container, String> {
        self.containers
            .get_mut(&vmid)
            .ok_or_else(|| format!("CT {vmid} does not exist"))
    }

    /// Sets a volume's size on the node that holds it (space accounting follows).
    pub(crate) fn set_volume_size(&mut self, node_name: &str, volid: &str, bytes: u64) {
        let Some(node) = self.node_index(node_name) else {
            return;
        };
        let Some((sid, _)) = split_volid(volid) else {
            return;
        };
        if let Some(storage) = self.storage_mut(node, sid) {
            if let Some(mut v) = storage.remove_volume(volid) {
                v.size = bytes;
                storage.add_volume(v);
            }
        }
    }
}
