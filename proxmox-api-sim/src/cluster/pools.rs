//! Resource pools (`/pools`): named groups of guests and storages, the unit PVE grants
//! permissions on (`/pool/<id>`). Members are guests of any kind and storages.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::config::split_list;
use super::guest::GuestKind;
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// One pool.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pool {
    pub comment: Option<String>,
    pub vms: BTreeSet<u32>,
    pub storages: BTreeSet<String>,
}

impl Pool {
    /// Adds a guest (clone and create with `pool`).
    pub(crate) fn add_guest(&mut self, vmid: u32) {
        self.vms.insert(vmid);
    }

    /// Removes a guest (destroyed, or moved to another pool).
    pub(crate) fn remove_guest(&mut self, vmid: u32) {
        self.vms.remove(&vmid);
    }

    fn is_empty(&self) -> bool {
        self.vms.is_empty() && self.storages.is_empty()
    }
}

impl ClusterState {
    /// The pool a guest belongs to.
    pub(crate) fn pool_of(&self, vmid: u32) -> Option<&str> {
        self.pools
            .iter()
            .find(|(_, p)| p.vms.contains(&vmid))
            .map(|(id, _)| id.as_str())
    }
}

fn no_such_pool(id: &str) -> ApiError {
    ApiError::internal(format!("pool '{id}' does not exist"))
}

/// The members of a pool as `GET /pools/{poolid}` lists them (`type` filter optional).
fn members(state: &SimState, pool: &Pool, type_filter: Option<&str>) -> Vec<Value> {
    let cluster = &state.cluster;
    let mut out = Vec::new();
    for vmid in &pool.vms {
        if let Some(vm) = cluster.vms.get(vmid) {
            if type_filter.is_some_and(|t| t != GuestKind::Qemu.type_str()) {
                continue;
            }
            let online = !state.faults.offline_nodes.contains(&vm.node);
            let entry = vm.vitals(cluster.now).resource_entry(
                &vm.node,
                cluster.vm_lock(vm, &state.faults),
                online,
                cluster.pool_of(*vmid),
            );
            if let Ok(v) = serde_json::to_value(&entry) {
                out.push(v);
            }
            continue;
        }
        let Some(ct) = cluster.containers.get(vmid) else {
            continue;
        };
        if type_filter.is_some_and(|t| t != GuestKind::Lxc.type_str()) {
            continue;
        }
        let online = !state.faults.offline_nodes.contains(&ct.node);
        let entry = ct.vitals(cluster.now).resource_entry(
            &ct.node,
            cluster.effective_lock(ct, &state.faults),
            online,
            cluster.pool_of(*vmid),
        );
        if let Ok(v) = serde_json::to_value(&entry) {
            out.push(v);
        }
    }
    if type_filter.is_none_or(|t| t == "storage") {
        for sid in &pool.storages {
            for node in &cluster.nodes {
                if let Some(s) = node.storages.iter().find(|s| s.id == sid) {
                    out.push(json!({
                        "id": format!("storage/{}/{}", node.name, s.id),
                        "node": node.name,
                        "storage": s.id,
                        "type": "storage",
                        "plugintype": s.kind_str(),
                        "content": s.content,
                        "disk": s.used(),
                        "maxdisk": s.total,
                        "shared": 0,
                        "status": "available",
                    }));
                }
            }
        }
    }
    out
}

/// `GET /pools`: the pools the caller may audit (`poolid` narrows to one, with members).
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let only = call.str("poolid");
    let mut out = Vec::new();
    for (id, pool) in &state.cluster.pools {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        if !caller_can(state, call, &format!("/pool/{id}"), "Pool.Audit") {
            continue;
        }
        let mut m = Map::new();
        m.insert("poolid".into(), id.clone().into());
        if let Some(c) = &pool.comment {
            m.insert("comment".into(), c.clone().into());
        }
        if only.is_some() {
            m.insert(
                "members".into(),
                Value::Array(members(state, pool, call.str("type"))),
            );
        }
        out.push(Value::Object(m));
    }
    if let Some(o) = only {
        if out.is_empty() && !state.cluster.pools.contains_key(o) {
            return Err(no_such_pool(o));
        }
    }
    Ok(Value::Array(out))
}

/// `GET /pools/{poolid}`.
pub(crate) fn get(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("poolid")?;
    let pool = state
        .cluster
        .pools
        .get(id)
        .ok_or_else(|| no_such_pool(id))?;
    let mut m = Map::new();
    if let Some(c) = &pool.comment {
        m.insert("comment".into(), c.clone().into());
    }
    m.insert(
        "members".into(),
        Value::Array(members(state, pool, call.str("type"))),
    );
    Ok(Value::Object(m))
}

/// `POST /pools`.
pub(crate) fn create(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("poolid")?.to_owned();
    if state.cluster.pools.contains_key(&id) {
        return Err(ApiError::internal(format!("pool '{id}' already exists")));
    }
    state.cluster.pools.insert(
        id,
        Pool {
            comment: call.str("comment").map(str::to_owned),
            ..Pool::default()
        },
    );
    Ok(Value::Null)
}

/// `PUT /pools/{poolid}` (and the deprecated `PUT /pools?poolid=`): comment and members;
/// `delete=1` removes the listed members instead of adding them.
pub(crate) fn update(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("poolid")?.to_owned();
    if !state.cluster.pools.contains_key(&id) {
        return Err(no_such_pool(&id));
    }
    let remove = call.bool("delete").unwrap_or(false);
    let allow_move = call.bool("allow-move").unwrap_or(false);
    let vms: Vec<u32> = call
        .str("vms")
        .map(split_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let storages = call.str("storage").map(split_list).unwrap_or_default();
    // Check everything before changing anything.
    for vmid in &vms {
        let path = format!("/vms/{vmid}");
        if !caller_can(state, call, &path, "Permissions.Modify") {
            return Err(ApiError::permission(&path, "Permissions.Modify"));
        }
        if remove {
            if !state.cluster.pools[&id].vms.contains(vmid) {
                return Err(ApiError::internal(format!(
                    "VM {vmid} is not a pool member"
                )));
            }
            continue;
        }
        if state.cluster.guest_kind_and_node(*vmid).is_none() {
            return Err(ApiError::internal(format!("no such VM ID '{vmid}'")));
        }
        match state.cluster.pool_of(*vmid) {
            Some(p) if p == id => {
                return Err(ApiError::internal(format!(
                    "VM {vmid} is already a pool member"
                )))
            }
            Some(p) if !allow_move => {
                return Err(ApiError::internal(format!(
                    "VM {vmid} belongs already to pool '{p}' and allow-move is not set"
                )))
            }
            _ => {}
        }
    }
    for sid in &storages {
        let path = format!("/storage/{sid}");
        if !caller_can(state, call, &path, "Permissions.Modify") {
            return Err(ApiError::permission(&path, "Permissions.Modify"));
        }
        if state.cluster.storage(0, sid).is_none() {
            return Err(ApiError::internal(format!("no such storage '{sid}'")));
        }
        if remove && !state.cluster.pools[&id].storages.contains(sid) {
            return Err(ApiError::internal(format!(
                "storage '{sid}' is not a pool member"
            )));
        }
    }
    if !remove {
        for pool in state.cluster.pools.values_mut() {
            for vmid in &vms {
                pool.remove_guest(*vmid);
            }
        }
    }
    let pool = state.cluster.pools.get_mut(&id).expect("checked above");
    if let Some(c) = call.str("comment") {
        pool.comment = Some(c.to_owned());
    }
    for vmid in vms {
        if remove {
            pool.remove_guest(vmid);
        } else {
            pool.add_guest(vmid);
        }
    }
    for sid in storages {
        if remove {
            pool.storages.remove(&sid);
        } else {
            pool.storages.insert(sid);
        }
    }
    Ok(Value::Null)
}

/// `DELETE /pools/{poolid}` (and `DELETE /pools?poolid=`): only empty pools.
pub(crate) fn delete(state: &mut SimState, call: &Call) -> Reply {
    let id = call.required("poolid")?.to_owned();
    let pool = state
        .cluster
        .pools
        .get(&id)
        .ok_or_else(|| no_such_pool(&id))?;
    if !pool.is_empty() {
        return Err(ApiError::internal(format!("pool '{id}' is not empty")));
    }
    state.cluster.pools.remove(&id);
    Ok(Value::Null)
}
