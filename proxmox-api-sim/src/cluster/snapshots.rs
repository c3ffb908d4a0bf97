//! Snapshots (PVE::AbstractConfig's snapshot_create / snapshot_delete / snapshot_rollback) and
//! the LXC snapshot endpoints.
//!
//! [`SnapshotTree`] is generic over the guest's config type: containers keep a copy of the
//! container, QEMU guests their config lines (see `qemu_snapshots`). It keeps the named snapshots
//! with their `parent` links and the parent of the current state, and answers with PVE's texts. As in PVE, a snapshot is written in two steps: `prepare` (in the
//! config with `snapstate: prepare`, the guest locked `snapshot`) when the task starts, `commit`
//! when it ends; a failing task removes it again.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::containers::{locate, planned_failure};
use super::guest::{GuestKind, GuestTask};
use super::guest_task::GuestTaskStart;
use super::tasks::TaskEffect;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task durations in seconds, before `faults.task_duration_scale`.
pub(crate) mod durations {
    pub const SNAPSHOT: f64 = 1.0;
    pub const DELETE: f64 = 1.0;
    pub const ROLLBACK: f64 = 1.5;
}

/// One named snapshot: the guest's config at the time, and its place in the tree.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot<C> {
    pub description: String,
    pub snaptime: i64,
    pub parent: Option<String>,
    /// `prepare` while the creating task runs, `delete` while the deleting one does.
    pub snapstate: Option<&'static str>,
    /// Whether the guest's RAM was saved with it (QEMU's `vmstate`).
    pub vmstate: bool,
    pub config: C,
}

/// The snapshots of one guest.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotTree<C> {
    snapshots: BTreeMap<String, Snapshot<C>>,
    /// The snapshot the current state descends from (`parent` of `current`).
    current_parent: Option<String>,
}

impl<C> Default for SnapshotTree<C> {
    fn default() -> Self {
        Self {
            snapshots: BTreeMap::new(),
            current_parent: None,
        }
    }
}

impl<C: Clone> SnapshotTree<C> {
    /// Whether the guest has no snapshots (PVE refuses some operations otherwise).
    pub(crate) fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// A snapshot by name.
    pub(crate) fn get(&self, name: &str) -> Option<&Snapshot<C>> {
        self.snapshots.get(name)
    }

    /// The names, for the config digest.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.snapshots.keys().map(String::as_str)
    }

    /// The parent of the current state.
    pub(crate) fn current_parent(&self) -> Option<&str> {
        self.current_parent.as_deref()
    }

    /// The check the worker makes first (`__snapshot_prepare`): the name must be free.
    pub(crate) fn check_unused(&self, name: &str) -> Result<(), String> {
        if self.snapshots.contains_key(name) {
            return Err(format!("snapshot name '{name}' already used"));
        }
        Ok(())
    }

    /// Step one of a snapshot: recorded with `snapstate: prepare`.
    pub(crate) fn prepare(&mut self, name: &str, snapshot: NewSnapshot<C>) {
        self.snapshots.insert(
            name.to_owned(),
            Snapshot {
                description: snapshot.description,
                snaptime: snapshot.snaptime,
                parent: self.current_parent.clone(),
                snapstate: Some("prepare"),
                vmstate: snapshot.vmstate,
                config: snapshot.config,
            },
        );
    }

    /// Step two: the snapshot is complete and becomes the current state's parent.
    pub(crate) fn commit(&mut self, name: &str) {
        if let Some(s) = self.snapshots.get_mut(name) {
            s.snapstate = None;
            self.current_parent = Some(name.to_owned());
        }
    }

    /// A snapshot that never completed goes away.
    pub(crate) fn abort(&mut self, name: &str) {
        self.snapshots.remove(name);
    }

    /// Changes a snapshot's description (`PUT .../snapshot/{name}/config`).
    pub(crate) fn set_description(&mut self, name: &str, description: &str) -> Result<(), String> {
        let snap = self.snapshots.get_mut(name).ok_or_else(|| missing(name))?;
        snap.description = description.to_owned();
        Ok(())
    }

    /// Marks a snapshot as being deleted.
    pub(crate) fn mark_delete(&mut self, name: &str) -> Result<(), String> {
        let snap = self.snapshots.get_mut(name).ok_or_else(|| missing(name))?;
        snap.snapstate = Some("delete");
        Ok(())
    }

    /// Undoes [`mark_delete`](Self::mark_delete) when the delete task fails.
    pub(crate) fn unmark_delete(&mut self, name: &str) {
        if let Some(s) = self.snapshots.get_mut(name) {
            s.snapstate = None;
        }
    }

    /// Removes a snapshot: its children (and the current state) inherit its parent.
    pub(crate) fn remove(&mut self, name: &str) -> Option<Snapshot<C>> {
        let snap = self.snapshots.remove(name)?;
        for other in self.snapshots.values_mut() {
            if other.parent.as_deref() == Some(name) {
                other.parent = snap.parent.clone();
            }
        }
        if self.current_parent.as_deref() == Some(name) {
            self.current_parent = snap.parent.clone();
        }
        Some(snap)
    }

    /// After a rollback the current state descends from the snapshot rolled back to.
    pub(crate) fn rolled_back_to(&mut self, name: &str) {
        self.current_parent = Some(name.to_owned());
    }

    /// The snapshots, oldest first (by `snaptime`, then name).
    pub(crate) fn oldest_first(&self) -> Vec<(&str, &Snapshot<C>)> {
        let mut entries: Vec<(&str, &Snapshot<C>)> = self
            .snapshots
            .iter()
            .map(|(name, s)| (name.as_str(), s))
            .collect();
        entries.sort_by(|a, b| a.1.snaptime.cmp(&b.1.snaptime).then(a.0.cmp(b.0)));
        entries
    }

    /// `GET .../snapshot`: every snapshot (oldest first), then `current` with the config
    /// digest and whether the guest runs.
    pub(crate) fn list(&self, kind: GuestKind, digest: &str, running: bool) -> Value {
        let mut out: Vec<Value> = self
            .oldest_first()
            .into_iter()
            .map(|(name, s)| {
                let mut m = Map::new();
                m.insert("name".into(), name.into());
                m.insert("snaptime".into(), s.snaptime.into());
                m.insert("description".into(), s.description.clone().into());
                if s.vmstate {
                    m.insert("vmstate".into(), 1.into());
                }
                if let Some(p) = &s.parent {
                    m.insert("parent".into(), p.clone().into());
                }
                if let Some(state) = s.snapstate {
                    m.insert("snapstate".into(), state.into());
                }
                Value::Object(m)
            })
            .collect();
        let mut current = Map::new();
        current.insert("name".into(), "current".into());
        if let Some(description) = kind.current_snapshot_description() {
            current.insert("description".into(), description.into());
        }
        current.insert("digest".into(), digest.into());
        current.insert("running".into(), u8::from(running).into());
        if let Some(p) = &self.current_parent {
            current.insert("parent".into(), p.clone().into());
        }
        out.push(Value::Object(current));
        Value::Array(out)
    }
}

impl<C> Snapshot<C> {
    /// `GET .../snapshot/{name}/config`: the guest config as it was, with the snapshot's own
    /// keys (`snaptime`, `description`, `parent`, `snapstate`).
    pub(crate) fn config_answer(&self, mut config: Map<String, Value>) -> Value {
        config.remove("digest");
        config.insert("snaptime".into(), self.snaptime.into());
        if !self.description.is_empty() {
            config.insert("description".into(), self.description.clone().into());
        }
        if self.vmstate {
            config.insert("vmstate".into(), 1.into());
        }
        if let Some(p) = &self.parent {
            config.insert("parent".into(), p.clone().into());
        }
        if let Some(state) = self.snapstate {
            config.insert("snapstate".into(), state.into());
        }
        Value::Object(config)
    }
}

/// What a new snapshot records (its `parent` is the tree's current one).
#[derive(Debug)]
pub(crate) struct NewSnapshot<C> {
    pub description: String,
    pub snaptime: i64,
    pub vmstate: bool,
    pub config: C,
}

/// The check PVE makes before forking the snapshot worker: the kind's reserved names.
pub(crate) fn check_name(kind: GuestKind, name: &str) -> Result<(), ApiError> {
    let reserved = match kind {
        _ if name == "current" => Some("current"),
        GuestKind::Lxc if name == "vzdump" => Some("vzdump"),
        GuestKind::Qemu if name.eq_ignore_ascii_case("pending") => Some("pending"),
        _ => None,
    };
    match reserved {
        Some(name) => Err(ApiError::internal(format!(
            "unable to use snapshot name '{name}' (reserved name)"
        ))),
        None => Ok(()),
    }
}

/// `snapshot '<name>' does not exist`, as both the API and the workers say it.
pub(crate) fn missing(name: &str) -> String {
    format!("snapshot '{name}' does not exist")
}

/// The `snapname` of a `.../snapshot/...` call.
pub(crate) fn snapname(call: &Call) -> Result<String, ApiError> {
    Ok(call.required("snapname")?.to_owned())
}

/// `GET /nodes/{node}/lxc/{vmid}/snapshot`.
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let ct = &state.cluster.containers[&vmid];
    let lock = state.cluster.effective_lock(ct, &state.faults);
    let digest = ct.digest(lock);
    Ok(ct.snapshots.list(GuestKind::Lxc, &digest, ct.is_running()))
}

/// `POST /nodes/{node}/lxc/{vmid}/snapshot`: a `pctsnapshot` task. The reserved names fail
/// before the task; a used name or a lock fails the task, as in PVE's worker.
pub(crate) fn create(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    let kind = GuestKind::Lxc;
    check_name(kind, &name)?;
    let description = call.str("description").unwrap_or_default().to_owned();
    let mut planned = planned_failure(state, kind.task_type(GuestTask::Snapshot));
    // What PVE's worker checks first (`__snapshot_prepare`): failures end the task, not the call.
    let worker_check = {
        let ct = &state.cluster.containers[&vmid];
        if let Some(lock) = state.cluster.effective_lock(ct, &state.faults) {
            Err(kind.locked_text(lock))
        } else if ct.template {
            Err("you can't take a snapshot if it's a template".to_owned())
        } else {
            ct.snapshots.check_unused(&name)
        }
    };
    let effect = match worker_check {
        Err(message) => {
            planned = Some(message);
            TaskEffect::None
        }
        Ok(()) => {
            let now = state.cluster.now as i64;
            let ct = state
                .cluster
                .containers
                .get_mut(&vmid)
                .expect("located above");
            let config = ct.snapshot_copy();
            ct.snapshots.prepare(
                &name,
                NewSnapshot {
                    description,
                    snaptime: now,
                    vmstate: false,
                    config,
                },
            );
            ct.lock = Some("snapshot".into());
            TaskEffect::SnapshotCommit {
                kind,
                vmid,
                name: name.clone(),
            }
        }
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Snapshot),
        duration: durations::SNAPSHOT,
        effect,
    }
    .fork_with(state, call, planned, Vec::new());
    Ok(Value::from(upid))
}

/// `GET /nodes/{node}/lxc/{vmid}/snapshot/{snapname}`: the directory index (no existence check
/// in PVE).
pub(crate) fn index(state: &mut SimState, call: &Call) -> Reply {
    locate(state, call)?;
    Ok(serde_json::json!([{ "cmd": "rollback" }, { "cmd": "config" }]))
}

/// `GET .../snapshot/{snapname}/config`.
pub(crate) fn config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    let ct = &state.cluster.containers[&vmid];
    let snap = ct
        .snapshots
        .get(&name)
        .ok_or_else(|| ApiError::internal(missing(&name)))?;
    Ok(snap.config_answer(snap.config.config_map(None)))
}

/// `PUT .../snapshot/{snapname}/config`: only the description changes.
pub(crate) fn update_config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    let Some(description) = call.str("description") else {
        return Ok(Value::Null);
    };
    let kind = GuestKind::Lxc;
    let cluster = &mut state.cluster;
    let ct = cluster.containers.get_mut(&vmid).expect("located above");
    if ct.active_task.is_some() {
        return Err(ApiError::internal(kind.lock_timeout_text(vmid)));
    }
    let lock = ct
        .lock
        .clone()
        .or_else(|| state.faults.held_locks.get(&vmid).cloned());
    if let Some(lock) = lock {
        return Err(ApiError::internal(kind.locked_text(&lock)));
    }
    ct.snapshots
        .set_description(&name, description)
        .map_err(ApiError::internal)?;
    Ok(Value::Null)
}

/// `DELETE .../snapshot/{snapname}`: an `lxcdelsnapshot` task; an unknown name or a lock fails
/// the task (PVE checks inside the worker).
pub(crate) fn delete(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    let kind = GuestKind::Lxc;
    let force = call.bool("force").unwrap_or(false);
    let mut planned = planned_failure(state, kind.task_type(GuestTask::DeleteSnapshot));
    let lock = {
        let ct = &state.cluster.containers[&vmid];
        state
            .cluster
            .effective_lock(ct, &state.faults)
            .map(str::to_owned)
    };
    let ct = state
        .cluster
        .containers
        .get_mut(&vmid)
        .expect("located above");
    let check = match lock {
        Some(lock) if !force => Err(kind.locked_text(&lock)),
        _ => ct.snapshots.mark_delete(&name),
    };
    let effect = match check {
        Err(message) => {
            planned = Some(message);
            TaskEffect::None
        }
        Ok(()) => {
            ct.lock = Some("snapshot-delete".into());
            TaskEffect::SnapshotDelete {
                kind,
                vmid,
                name: name.clone(),
            }
        }
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::DeleteSnapshot),
        duration: durations::DELETE,
        effect,
    }
    .fork_with(state, call, planned, Vec::new());
    Ok(Value::from(upid))
}

/// `POST .../snapshot/{snapname}/rollback`: an `lxcrollback` task that stops a running
/// container, restores the snapshot's config and disk, and starts it again with `start=1`.
pub(crate) fn rollback(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    let kind = GuestKind::Lxc;
    let start = call.bool("start").unwrap_or(false);
    let mut planned = planned_failure(state, kind.task_type(GuestTask::Rollback));
    let lock = {
        let ct = &state.cluster.containers[&vmid];
        state
            .cluster
            .effective_lock(ct, &state.faults)
            .map(str::to_owned)
    };
    let ct = state
        .cluster
        .containers
        .get_mut(&vmid)
        .expect("located above");
    let check = if ct.snapshots.get(&name).is_none() {
        Err(missing(&name))
    } else if let Some(lock) = lock {
        Err(kind.locked_text(&lock))
    } else {
        Ok(())
    };
    let mut log = Vec::new();
    let effect = match check {
        Err(message) => {
            planned = Some(message);
            TaskEffect::None
        }
        Ok(()) => {
            if ct.is_running() {
                log.push(format!("stopping CT {vmid}"));
            }
            ct.lock = Some("rollback".into());
            TaskEffect::Rollback {
                kind,
                vmid,
                name: name.clone(),
                start,
            }
        }
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Rollback),
        duration: durations::ROLLBACK,
        effect,
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}
