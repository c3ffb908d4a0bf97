//! QEMU snapshots: list, create, rollback, delete (each a task, as in PVE), and a snapshot's
//! config, on the `SnapshotTree` containers use too. A snapshot keeps a copy of the config; the
//! disks are not copied (thin snapshots cost nothing in the simulator's storage accounting).
//!
//! As in PVE::AbstractConfig, the name checks that need the config lock (`already used`, `does
//! not exist`) happen inside the worker, so they surface as the task's exit status.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::guest::GuestKind;
use super::guest_task::GuestTaskStart;
use super::qemu::{check_unlocked, durations, locate, typed_config, Power, QemuEffect};
use super::snapshots::{check_name, missing, snapname, NewSnapshot, Snapshot};
use super::tasks::TaskEffect;
use super::ClusterState;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// What a snapshot task does when it ends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SnapshotEffect {
    Create {
        vmid: u32,
        name: String,
        description: String,
        vmstate: bool,
    },
    Rollback {
        vmid: u32,
        name: String,
        start: bool,
    },
    Delete {
        vmid: u32,
        name: String,
    },
}

/// The config lines a VM's snapshot keeps.
type VmSnapshot = Snapshot<BTreeMap<String, String>>;

/// A snapshot's config as `GET .../config?snapshot=` and `.../snapshot/{name}/config` return it.
pub(crate) fn snapshot_config_value(s: &VmSnapshot) -> Value {
    s.config_answer(typed_config(&s.config))
}

/// `GET /nodes/{node}/qemu/{vmid}/snapshot`: every snapshot, then `current` ("You are here!").
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    Ok(vm
        .snapshots
        .list(GuestKind::Qemu, &vm.digest(), vm.is_running()))
}

fn spawn(
    state: &mut SimState,
    call: &Call,
    idx: usize,
    vmid: u32,
    kind: &'static str,
    duration: f64,
    effect: SnapshotEffect,
) -> Reply {
    let upid = GuestTaskStart {
        kind: GuestKind::Qemu,
        node: idx,
        vmid,
        task_type: kind,
        duration,
        effect: TaskEffect::Qemu(QemuEffect::Snapshot(effect)),
    }
    .fork(state, call);
    Ok(Value::from(upid))
}

/// `POST /nodes/{node}/qemu/{vmid}/snapshot`: a `qmsnapshot` task.
pub(crate) fn create(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    check_name(GuestKind::Qemu, &name)?;
    check_unlocked(state, vmid)?;
    let vmstate = call.bool("vmstate").unwrap_or(false);
    let effect = SnapshotEffect::Create {
        vmid,
        name,
        description: call.str("description").unwrap_or("").to_owned(),
        vmstate,
    };
    spawn(
        state,
        call,
        idx,
        vmid,
        "qmsnapshot",
        durations::SNAPSHOT,
        effect,
    )
}

/// `GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}`: the directory index.
pub(crate) fn index(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    find(state, vmid, &name)?;
    let out: Vec<Value> = ["config", "rollback"]
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("cmd".into(), (*s).into());
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(out))
}

fn find<'a>(state: &'a SimState, vmid: u32, name: &str) -> Result<&'a VmSnapshot, ApiError> {
    state.cluster.vms[&vmid]
        .snapshots
        .get(name)
        .ok_or_else(|| ApiError::internal(missing(name)))
}

/// `GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config`.
pub(crate) fn get_config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    Ok(snapshot_config_value(find(state, vmid, &name)?))
}

/// `PUT /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config`: only the description changes.
pub(crate) fn update_config(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    find(state, vmid, &name)?;
    check_unlocked(state, vmid)?;
    if let Some(description) = call.str("description") {
        if let Some(vm) = state.cluster.vms.get_mut(&vmid) {
            vm.snapshots
                .set_description(&name, description)
                .map_err(ApiError::internal)?;
        }
    }
    Ok(Value::Null)
}

/// `POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback`: a `qmrollback` task.
pub(crate) fn rollback(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    check_unlocked(state, vmid)?;
    let effect = SnapshotEffect::Rollback {
        vmid,
        name,
        start: call.bool("start").unwrap_or(false),
    };
    spawn(
        state,
        call,
        idx,
        vmid,
        "qmrollback",
        durations::ROLLBACK,
        effect,
    )
}

/// `DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}`: a `qmdelsnapshot` task.
pub(crate) fn delete(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let name = snapname(call)?;
    if call.bool("force") != Some(true) {
        check_unlocked(state, vmid)?;
    }
    let effect = SnapshotEffect::Delete { vmid, name };
    spawn(
        state,
        call,
        idx,
        vmid,
        "qmdelsnapshot",
        durations::DELSNAPSHOT,
        effect,
    )
}

/// Applies a finished snapshot task.
pub(crate) fn apply(
    cluster: &mut ClusterState,
    effect: &SnapshotEffect,
    at: f64,
    node_name: &str,
) -> Result<Vec<String>, String> {
    let vmid = match effect {
        SnapshotEffect::Create { vmid, .. }
        | SnapshotEffect::Rollback { vmid, .. }
        | SnapshotEffect::Delete { vmid, .. } => *vmid,
    };
    let seed = cluster.seed;
    let Some(vm) = cluster.vms.get_mut(&vmid) else {
        return Err(format!(
            "Configuration file 'nodes/{node_name}/qemu-server/{vmid}.conf' does not exist"
        ));
    };
    match effect {
        SnapshotEffect::Create {
            name,
            description,
            vmstate,
            ..
        } => {
            vm.snapshots.check_unused(name)?;
            let vmstate = *vmstate && vm.is_running();
            // qemu-server writes the snapshot when its worker ends: prepared and committed at once.
            vm.snapshots.prepare(
                name,
                NewSnapshot {
                    description: description.clone(),
                    snaptime: at as i64,
                    vmstate,
                    config: vm.config.clone(),
                },
            );
            vm.snapshots.commit(name);
            let mut lines = Vec::new();
            if vmstate {
                lines.push("saving VM state and RAM using storage 'local-lvm'".to_owned());
            }
            for (key, volid) in vm.disk_volumes() {
                if key.starts_with("unused") {
                    continue;
                }
                let lv = volid.split(':').nth(1).unwrap_or_default();
                lines.push(format!(
                    "snapshotting '{key}' ({volid})\n  Logical volume \"snap_{lv}_{name}\" created."
                ));
            }
            Ok(lines)
        }
        SnapshotEffect::Rollback { name, start, .. } => {
            let Some(snap) = vm.snapshots.get(name) else {
                return Err(missing(name));
            };
            let config = snap.config.clone();
            let vmstate = snap.vmstate;
            vm.config = config;
            vm.snapshots.rolled_back_to(name);
            vm.refresh();
            let was_running = vm.is_running();
            // Without a saved RAM state the VM is stopped; with one it resumes where it was.
            let node = cluster.node_index(node_name).unwrap_or(0);
            if vmstate || *start {
                let pid = cluster.nodes[node].alloc_pid(seed);
                if let Some(vm) = cluster.vms.get_mut(&vmid) {
                    vm.power = Power::Running;
                    vm.pid = pid;
                    if !was_running {
                        vm.started_at = at;
                    }
                }
            } else if let Some(vm) = cluster.vms.get_mut(&vmid) {
                vm.power = Power::Stopped;
                vm.pid = 0;
            }
            cluster.refresh_node_load(node);
            Ok(Vec::new())
        }
        SnapshotEffect::Delete { name, .. } => {
            // Children of the deleted snapshot now hang off its parent.
            vm.snapshots.remove(name).ok_or_else(|| missing(name))?;
            Ok(Vec::new())
        }
    }
}
