//! Per-node storages: `local` (a directory: templates, ISOs, backups) and `local-lvm` (an LVM
//! thin pool for container root disks). Space is accounted: allocating a root disk shrinks
//! `avail`, destroying it gives the space back.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::deterministic::{str_key, unit};
use super::errors;
use super::{caller_can, ClusterState};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

const GIB: u64 = 1 << 30;

/// Templates every node has downloaded, and one more on odd nodes, so "which nodes hold this
/// template" has an interesting answer.
const PREDOWNLOADED_EVERYWHERE: [&str; 2] = [
    "debian-12-standard_12.12-1_amd64.tar.zst",
    "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
];
const PREDOWNLOADED_ODD_NODES: &str = "alpine-3.22-default_20250617_amd64.tar.xz";

/// The template pre-populated containers are made from.
pub const DEFAULT_TEMPLATE: &str = "debian-12-standard_12.12-1_amd64.tar.zst";

/// Storage plugin types the simulator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StorageKind {
    Dir,
    LvmThin,
}

impl StorageKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StorageKind::Dir => "dir",
            StorageKind::LvmThin => "lvmthin",
        }
    }
}

/// One volume on a storage.
#[derive(Debug, Clone)]
pub(crate) struct Volume {
    pub volid: String,
    pub content: &'static str,
    pub format: &'static str,
    pub size: u64,
    pub ctime: f64,
    pub vmid: Option<u32>,
}

/// A storage as configured on one node.
#[derive(Debug)]
pub(crate) struct Storage {
    pub id: &'static str,
    pub kind: StorageKind,
    /// Allowed content, in PVE's order for the default storages.
    pub content: &'static str,
    pub total: u64,
    /// Space used by things the simulator does not model (OS files, old backups).
    pub base_used: u64,
    pub volumes: BTreeMap<String, Volume>,
    /// Sum of the modelled volumes' sizes.
    pub allocated: u64,
}

impl Storage {
    pub(crate) fn defaults_for_node(node: &str, seed: u64, guests_here: usize) -> Vec<Storage> {
        let key = str_key(node);
        let mut local = Storage {
            id: "local",
            kind: StorageKind::Dir,
            content: "vztmpl,backup,iso",
            total: 100 * GIB,
            base_used: 9 * GIB + (unit(&[seed, key, 10]) * 4.0 * GIB as f64) as u64,
            volumes: BTreeMap::new(),
            allocated: 0,
        };
        let node_number: usize = node.trim_start_matches("pve").parse().unwrap_or(1);
        let mut templates: Vec<&str> = PREDOWNLOADED_EVERYWHERE.to_vec();
        if node_number % 2 == 1 {
            templates.push(PREDOWNLOADED_ODD_NODES);
        }
        for (i, template) in templates.into_iter().enumerate() {
            // Relative to the first tick: downloaded some days ago.
            let ctime =
                -(86_400.0 * (10.0 + i as f64)) - unit(&[seed, key, 11 + i as u64]) * 86_400.0;
            local.add_volume(template_volume("local", template, ctime));
        }
        // Room for every pre-populated guest's disk (up to 8 GiB each) and then some.
        let lvm_total = (350 * GIB).max(guests_here as u64 * 10 * GIB);
        let lvm = Storage {
            id: "local-lvm",
            kind: StorageKind::LvmThin,
            content: "rootdir,images",
            total: lvm_total,
            base_used: (unit(&[seed, key, 20]) * 2.0 * GIB as f64) as u64,
            volumes: BTreeMap::new(),
            allocated: 0,
        };
        vec![local, lvm]
    }

    pub(crate) fn anchor(&mut self, now: f64) {
        for v in self.volumes.values_mut() {
            v.ctime += now;
        }
    }

    /// The plugin type (`dir`, `lvmthin`).
    pub(crate) fn kind_str(&self) -> &'static str {
        self.kind.as_str()
    }

    pub(crate) fn used(&self) -> u64 {
        self.base_used + self.allocated
    }

    pub(crate) fn avail(&self) -> u64 {
        self.total.saturating_sub(self.used())
    }

    pub(crate) fn supports(&self, content: &str) -> bool {
        self.content.split(',').any(|c| c == content)
    }

    pub(crate) fn add_volume(&mut self, volume: Volume) {
        self.allocated += volume.size;
        if let Some(old) = self.volumes.insert(volume.volid.clone(), volume) {
            self.allocated -= old.size;
        }
    }

    pub(crate) fn remove_volume(&mut self, volid: &str) -> Option<Volume> {
        let v = self.volumes.remove(volid)?;
        self.allocated -= v.size;
        Some(v)
    }

    /// The next free `vm-<vmid>-disk-<n>` name on this storage.
    pub(crate) fn next_disk_volid(&self, vmid: u32) -> String {
        (0..)
            .map(|n| format!("{}:vm-{vmid}-disk-{n}", self.id))
            .find(|v| !self.volumes.contains_key(v))
            .unwrap_or_default()
    }

    fn list_entry(&self) -> Value {
        let mut m = Map::new();
        m.insert("storage".into(), self.id.into());
        m.insert("type".into(), self.kind.as_str().into());
        m.insert("content".into(), self.content.into());
        m.insert("active".into(), 1.into());
        m.insert("enabled".into(), 1.into());
        m.insert("shared".into(), 0.into());
        m.insert("total".into(), self.total.into());
        m.insert("used".into(), self.used().into());
        m.insert("avail".into(), self.avail().into());
        m.insert(
            "used_fraction".into(),
            (self.used() as f64 / self.total as f64).into(),
        );
        Value::Object(m)
    }
}

/// A downloaded template's volume (`local:vztmpl/<file>`).
pub(crate) fn template_volume(storage: &str, template: &str, ctime: f64) -> Volume {
    let format = if template.ends_with(".tar.zst") {
        "tzst"
    } else if template.ends_with(".tar.xz") {
        "txz"
    } else if template.ends_with(".tar.gz") {
        "tgz"
    } else {
        "raw"
    };
    Volume {
        volid: format!("{storage}:vztmpl/{template}"),
        content: "vztmpl",
        format,
        size: 90_000_000 + (unit(&[str_key(template)]) * 160_000_000.0) as u64,
        ctime,
        vmid: None,
    }
}

/// Splits a volume id `storage:rest` into its storage and the rest.
pub(crate) fn split_volid(volid: &str) -> Option<(&str, &str)> {
    let (storage, rest) = volid.split_once(':')?;
    (!storage.is_empty() && !rest.is_empty()).then_some((storage, rest))
}

impl ClusterState {
    pub(crate) fn storage(&self, node: usize, id: &str) -> Option<&Storage> {
        self.nodes[node].storages.iter().find(|s| s.id == id)
    }

    pub(crate) fn storage_mut(&mut self, node: usize, id: &str) -> Option<&mut Storage> {
        self.nodes[node].storages.iter_mut().find(|s| s.id == id)
    }

    /// Whether the node's storage holds this volume.
    pub(crate) fn volume_exists(&self, node: usize, volid: &str) -> bool {
        split_volid(volid)
            .and_then(|(sid, _)| self.storage(node, sid))
            .is_some_and(|s| s.volumes.contains_key(volid))
    }
}

fn can_see_storage(state: &SimState, call: &Call, id: &str) -> bool {
    let path = format!("/storage/{id}");
    caller_can(state, call, &path, "Datastore.Audit")
        || caller_can(state, call, &path, "Datastore.AllocateSpace")
}

/// `GET /nodes/{node}/storage` (filters `content`, `storage`, `enabled`).
pub(crate) fn list(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let content = call.str("content").map(|c| {
        c.split([',', ';', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let only = call.str("storage");
    if let Some(only) = only {
        if state.cluster.storage(idx, only).is_none() {
            return Err(ApiError::param("storage", "No such storage."));
        }
    }
    let mut out = Vec::new();
    for s in &state.cluster.nodes[idx].storages {
        if only.is_some_and(|o| o != s.id) {
            continue;
        }
        if let Some(wanted) = &content {
            if !wanted.iter().any(|c| s.supports(c)) {
                continue;
            }
        }
        if !can_see_storage(state, call, s.id) {
            continue;
        }
        out.push(s.list_entry());
    }
    Ok(Value::Array(out))
}

/// `GET /nodes/{node}/storage/{storage}/content` (filters `content`, `vmid`).
pub(crate) fn content(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let sid = call.required("storage")?;
    let storage = state
        .cluster
        .storage(idx, sid)
        .ok_or_else(|| errors::no_such_storage(sid))?;
    let content = call.str("content");
    let vmid = call.int("vmid");
    let mut out = Vec::new();
    for v in storage.volumes.values() {
        if content.is_some_and(|c| c != v.content) {
            continue;
        }
        if vmid.is_some() && v.vmid.map(i64::from) != vmid {
            continue;
        }
        let mut m = Map::new();
        m.insert("volid".into(), v.volid.clone().into());
        m.insert("format".into(), v.format.into());
        m.insert("content".into(), v.content.into());
        m.insert("ctime".into(), (v.ctime as i64).into());
        m.insert("size".into(), v.size.into());
        if let Some(id) = v.vmid {
            m.insert("vmid".into(), id.into());
        }
        out.push(Value::Object(m));
    }
    Ok(Value::Array(out))
}
