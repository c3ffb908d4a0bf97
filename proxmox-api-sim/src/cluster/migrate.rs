//! Migration between simulated nodes (`POST .../migrate`, a `vzmigrate` task; `GET .../migrate`
//! for the preconditions). Containers migrate offline, or in restart mode when running: PVE
//! shuts the container down, copies its local volumes to the target node, and starts it there.

use serde_json::{Map, Value};

use super::containers::{durations as ct_durations, locate, planned_failure};
use super::guest::{GuestKind, GuestTask};
use super::guest_task::GuestTaskStart;
use super::storage::split_volid;
use super::tasks::TaskEffect;
use super::ClusterState;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Base task duration in seconds, before `faults.task_duration_scale`.
const MIGRATE: f64 = 4.0;

/// `GET /nodes/{node}/lxc/{vmid}/migrate`: whether it runs and which nodes it may go to.
pub(crate) fn precondition(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let ct = &state.cluster.containers[&vmid];
    let mut allowed = Vec::new();
    let mut not_allowed = Map::new();
    for node in &state.cluster.nodes {
        if node.index == idx {
            continue;
        }
        if state.faults.offline_nodes.contains(&node.name) {
            not_allowed.insert(
                node.name.clone(),
                serde_json::json!({ "unavailable-storages": [] , "offline": 1 }),
            );
        } else {
            allowed.push(Value::from(node.name.clone()));
        }
    }
    let mut m = Map::new();
    m.insert("running".into(), u8::from(ct.is_running()).into());
    m.insert("allowed-nodes".into(), Value::Array(allowed));
    m.insert("not-allowed-nodes".into(), Value::Object(not_allowed));
    Ok(Value::Object(m))
}

/// `POST /nodes/{node}/lxc/{vmid}/migrate`.
pub(crate) fn migrate(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = locate(state, call)?;
    let kind = GuestKind::Lxc;
    let target_name = call.required("target")?.to_owned();
    if target_name == state.cluster.nodes[idx].name {
        return Err(ApiError::param("target", "target is local node."));
    }
    let target = state
        .cluster
        .node_index(&target_name)
        .ok_or_else(|| ApiError::internal(format!("no such cluster node '{target_name}'")))?;
    let ct = &state.cluster.containers[&vmid];
    let running = ct.is_running();
    let restart = call.bool("restart").unwrap_or(false);
    let online = call.bool("online").unwrap_or(false);
    if running && !online && !restart {
        return Err(ApiError::internal(
            "can't migrate running container without --online or --restart",
        ));
    }
    let lock = state
        .cluster
        .effective_lock(ct, &state.faults)
        .map(str::to_owned);
    let mut planned = planned_failure(state, kind.task_type(GuestTask::Migrate));
    let mut log = vec![format!(
        "starting migration of CT {vmid} to node '{target_name}' ({})",
        state.cluster.nodes[target].ip
    )];
    let effect = if let Some(lock) = lock {
        planned = Some(kind.locked_text(&lock));
        TaskEffect::None
    } else if running && online {
        planned = Some("lxc live migration is currently not implemented".to_owned());
        TaskEffect::None
    } else if state.faults.offline_nodes.contains(&target_name) {
        planned = Some(format!(
            "migration aborted: ssh: connect to host {} port 22: No route to host",
            state.cluster.nodes[target].ip
        ));
        TaskEffect::None
    } else {
        let ct = state.cluster.containers.get_mut(&vmid).expect("located");
        ct.lock = Some("migrate".into());
        if running {
            // Restart mode: the container is shut down for the copy.
            log.insert(0, format!("shutdown CT {vmid}"));
            ct.running = false;
            ct.pid = 0;
            state.cluster.refresh_node_load(idx);
        }
        TaskEffect::Migrate {
            kind,
            vmid,
            target,
            restart: running,
        }
    };
    let upid = GuestTaskStart {
        kind,
        node: idx,
        vmid,
        task_type: kind.task_type(GuestTask::Migrate),
        duration: MIGRATE + if running { ct_durations::START } else { 0.0 },
        effect,
    }
    .fork_with(state, call, planned, log);
    Ok(Value::from(upid))
}

impl ClusterState {
    /// The migration ended: volumes and config move to the target node; a container migrated
    /// in restart mode starts there.
    pub(crate) fn finish_migrate(
        &mut self,
        vmid: u32,
        target: usize,
        restart: bool,
        at: f64,
    ) -> Result<Vec<String>, String> {
        let seed = self.seed;
        let ct = self.lxc_mut(vmid)?;
        let source_name = ct.node.clone();
        let volid = ct.rootfs_volid.clone();
        let source = self.node_index(&source_name).unwrap_or(0);
        let mut lines = Vec::new();
        if let Some((sid, _)) = split_volid(&volid) {
            let moved = self
                .storage_mut(source, sid)
                .and_then(|s| s.remove_volume(&volid));
            if let Some(volume) = moved {
                let Some(dest) = self.storage_mut(target, sid) else {
                    return Err(format!(
                        "migration aborted: storage '{sid}' is not available on node '{}'",
                        self.nodes[target].name
                    ));
                };
                dest.add_volume(volume);
                lines.push(format!("volume '{volid}' is '{volid}' on the target"));
            }
        }
        let target_name = self.nodes[target].name.clone();
        let host_cpus = self.nodes[target].maxcpu;
        let pid = if restart {
            self.nodes[target].alloc_pid(seed)
        } else {
            0
        };
        let ct = self.lxc_mut(vmid)?;
        ct.node = target_name;
        ct.host_cpus = host_cpus;
        ct.lock = None;
        if restart {
            ct.running = true;
            ct.started_at = at;
            ct.pid = pid;
            lines.push("start container on target node".to_owned());
        }
        self.vnc.forget_container(vmid);
        self.refresh_node_load(source);
        self.refresh_node_load(target);
        lines.push("start final cleanup".to_owned());
        lines.push("migration finished successfully (duration 00:00:04)".to_owned());
        Ok(lines)
    }
}
