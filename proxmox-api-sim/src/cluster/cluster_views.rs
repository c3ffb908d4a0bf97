//! Cluster-wide views: `/cluster/status`, `/cluster/resources` and `/cluster/nextid`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::guest_status::GuestResource;

use super::caller_can;
use super::nodes::node_entry;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Name of the simulated cluster.
pub const CLUSTER_NAME: &str = "pve-sim";

/// `GET /cluster/status`: the cluster entry (quorum) and one entry per node.
pub(crate) fn status(state: &mut SimState, _call: &Call) -> Reply {
    let cluster = &state.cluster;
    let total = cluster.nodes.len();
    let online = cluster
        .nodes
        .iter()
        .filter(|n| !state.faults.offline_nodes.contains(&n.name))
        .count();
    let mut out = Vec::with_capacity(total + 1);
    let mut c = Map::new();
    c.insert("type".into(), "cluster".into());
    c.insert("id".into(), "cluster".into());
    c.insert("name".into(), CLUSTER_NAME.into());
    c.insert("nodes".into(), total.into());
    c.insert("quorate".into(), u8::from(online * 2 > total).into());
    c.insert("version".into(), (total + 1).into());
    out.push(Value::Object(c));
    for node in &cluster.nodes {
        let mut m = Map::new();
        m.insert("type".into(), "node".into());
        m.insert("id".into(), format!("node/{}", node.name).into());
        m.insert("name".into(), node.name.clone().into());
        m.insert("nodeid".into(), (node.index + 1).into());
        m.insert("ip".into(), node.ip.clone().into());
        let up = !state.faults.offline_nodes.contains(&node.name);
        m.insert("online".into(), u8::from(up).into());
        // The API is served by the first node.
        m.insert("local".into(), u8::from(node.index == 0).into());
        m.insert("level".into(), "".into());
        out.push(Value::Object(m));
    }
    Ok(Value::Array(out))
}

/// One `/cluster/resources` entry: guests are typed (there are many), the few others are JSON
/// values.
#[derive(Serialize)]
#[serde(untagged)]
enum ResourceEntry<'a> {
    Guest(GuestResource<'a>),
    Other(Value),
}

/// Whether every permission check would pass (root, or no caller), so per-entry checks can be
/// skipped on large listings.
fn is_root(call: &Call) -> bool {
    call.caller.as_ref().is_none_or_root()
}

trait RootExt {
    fn is_none_or_root(&self) -> bool;
}

impl RootExt for Option<&crate::call::Caller> {
    fn is_none_or_root(&self) -> bool {
        match self {
            None => true,
            Some(c) => c.userid == "root@pam" && c.tokenid.is_none(),
        }
    }
}

/// The entries of `GET /cluster/resources` (`type` = `vm` | `node` | `storage` | `sdn`),
/// filtered by what the caller may audit: guests first, then nodes, storages and SDN zones, as
/// PVE lists them.
fn resource_entries<'a>(state: &'a SimState, call: &Call) -> Vec<ResourceEntry<'a>> {
    let kind = call.str("type");
    let want = |k: &str| kind.is_none_or(|wanted| wanted == k);
    let cluster = &state.cluster;
    let now = cluster.now;
    let root = is_root(call);
    let online = |node: &str| !state.faults.offline_nodes.contains(node);
    let mut out = Vec::new();
    if want("vm") {
        out.reserve(cluster.containers.len() + cluster.vms.len());
        let online_nodes: Vec<(&str, bool)> = cluster
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), online(&n.name)))
            .collect();
        let up = |node: &str| {
            online_nodes
                .iter()
                .find(|(n, _)| *n == node)
                .is_some_and(|(_, up)| *up)
        };
        // Pools are few: only look one up when there are any.
        let pool_of = |vmid: u32| {
            if cluster.pools.is_empty() {
                None
            } else {
                cluster.pool_of(vmid)
            }
        };
        // Guests by vmid, containers and VMs merged (both maps are sorted).
        let mut cts = cluster.containers.values().peekable();
        let mut vms = cluster.vms.values().peekable();
        loop {
            let take_ct = match (cts.peek(), vms.peek()) {
                (Some(ct), Some(vm)) => ct.vmid < vm.vmid,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_ct {
                let Some(ct) = cts.next() else { break };
                if !root && !caller_can(state, call, &format!("/vms/{}", ct.vmid), "VM.Audit") {
                    continue;
                }
                let lock = cluster.effective_lock(ct, &state.faults);
                out.push(ResourceEntry::Guest(ct.vitals(now).resource_entry(
                    &ct.node,
                    lock,
                    up(&ct.node),
                    pool_of(ct.vmid),
                )));
            } else {
                let Some(vm) = vms.next() else { break };
                if !root && !caller_can(state, call, &format!("/vms/{}", vm.vmid), "VM.Audit") {
                    continue;
                }
                let lock = cluster.vm_lock(vm, &state.faults);
                out.push(ResourceEntry::Guest(vm.vitals(now).resource_entry(
                    &vm.node,
                    lock,
                    up(&vm.node),
                    pool_of(vm.vmid),
                )));
            }
        }
    }
    if want("node") {
        for node in &cluster.nodes {
            let audit = caller_can(state, call, &format!("/nodes/{}", node.name), "Sys.Audit");
            out.push(ResourceEntry::Other(node_entry(
                node,
                online(&node.name),
                audit,
                now,
                true,
            )));
        }
    }
    if want("storage") {
        for node in &cluster.nodes {
            for s in &node.storages {
                let path = format!("/storage/{}", s.id);
                if !caller_can(state, call, &path, "Datastore.Audit")
                    && !caller_can(state, call, &path, "Datastore.AllocateSpace")
                {
                    continue;
                }
                let mut m = Map::new();
                m.insert(
                    "id".into(),
                    format!("storage/{}/{}", node.name, s.id).into(),
                );
                m.insert("type".into(), "storage".into());
                m.insert("storage".into(), s.id.into());
                m.insert("node".into(), node.name.clone().into());
                let status = if online(&node.name) {
                    "available"
                } else {
                    "unknown"
                };
                m.insert("status".into(), status.into());
                m.insert("plugintype".into(), s.kind_str().into());
                m.insert("content".into(), s.content.into());
                m.insert("disk".into(), s.used().into());
                m.insert("maxdisk".into(), s.total.into());
                m.insert("shared".into(), 0.into());
                out.push(ResourceEntry::Other(Value::Object(m)));
            }
        }
    }
    if want("sdn") {
        for node in &cluster.nodes {
            let mut m = Map::new();
            m.insert(
                "id".into(),
                format!("sdn/{}/localnetwork", node.name).into(),
            );
            m.insert("type".into(), "sdn".into());
            m.insert("sdn".into(), "localnetwork".into());
            m.insert("node".into(), node.name.clone().into());
            let status = if online(&node.name) { "ok" } else { "unknown" };
            m.insert("status".into(), status.into());
            out.push(ResourceEntry::Other(Value::Object(m)));
        }
    }
    out
}

/// `GET /cluster/resources` as a JSON value.
pub(crate) fn resources(state: &mut SimState, call: &Call) -> Reply {
    let entries = resource_entries(state, call);
    serde_json::to_value(&entries).map_err(|e| ApiError::internal(format!("internal error: {e}")))
}

/// `GET /cluster/resources` serialized straight to the JSON of `data`, skipping the `Value`
/// tree (building, serializing and dropping 20,000 entries as values takes too long).
pub(crate) fn resources_json(state: &mut SimState, call: &Call) -> Result<Vec<u8>, ApiError> {
    let entries = resource_entries(state, call);
    // About 250 bytes per container entry: one allocation instead of a dozen regrowths.
    let mut out = Vec::with_capacity(256 * entries.len() + 64);
    out.push(b'[');
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match entry {
            ResourceEntry::Guest(guest) => guest.write_json(&mut out),
            ResourceEntry::Other(value) => serde_json::to_writer(&mut out, value)
                .map_err(|e| ApiError::internal(format!("internal error: {e}")))?,
        }
    }
    out.push(b']');
    Ok(out)
}

/// `GET /cluster/nextid`: the lowest free vmid from 100, as a string (as PVE sends it); with
/// `vmid`, that id if it is free, else PVE's 400. It reserves nothing: creation can still race.
pub(crate) fn nextid(state: &mut SimState, call: &Call) -> Reply {
    let containers = &state.cluster.containers;
    let vms = &state.cluster.vms;
    if let Some(vmid) = call.int("vmid") {
        let taken = u32::try_from(vmid)
            .ok()
            .is_some_and(|v| containers.contains_key(&v) || vms.contains_key(&v));
        if taken {
            return Err(ApiError::param("vmid", format!("VM {vmid} already exists")));
        }
        return Ok(Value::from(vmid.to_string()));
    }
    let mut candidate: u32 = 100;
    let mut cts = containers.range(100..).map(|(id, _)| *id).peekable();
    let mut qms = vms.range(100..).map(|(id, _)| *id).peekable();
    // Walk both sorted id lists together until the first gap.
    loop {
        let next = match (cts.peek(), qms.peek()) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        if next != candidate {
            break;
        }
        if cts.peek() == Some(&next) {
            cts.next();
        }
        if qms.peek() == Some(&next) {
            qms.next();
        }
        candidate += 1;
    }
    if candidate > 999_999_999 {
        return Err(ApiError::internal(
            "unable to get any free VMID in range [100, 999999999]",
        ));
    }
    Ok(Value::from(candidate.to_string()))
}
