//! Cluster: `GET /cluster/resources`, `GET /cluster/status`, `GET /cluster/nextid`.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};

use crate::loose;
use crate::models::lxc::GuestStatus;
use crate::models::node::NodeOnlineStatus;

/// A node as listed by `GET /cluster/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResource {
    /// Resource id, `node/<name>`.
    pub id: String,
    /// Node name.
    pub node: String,
    /// Online state.
    #[serde(default = "unknown_node_status")]
    pub status: NodeOnlineStatus,
    /// CPU utilisation as a fraction.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// Logical CPUs.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub maxcpu: Option<f64>,
    /// Used memory in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub mem: Option<u64>,
    /// Total memory in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxmem: Option<u64>,
    /// Used root disk in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub disk: Option<u64>,
    /// Root disk size in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxdisk: Option<u64>,
    /// Uptime in seconds.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub uptime: Option<u64>,
    /// Subscription level (`""` without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// cgroup version of the node (1 or 2).
    #[serde(
        default,
        rename = "cgroup-mode",
        deserialize_with = "loose::deserialize_opt_u32"
    )]
    pub cgroup_mode: Option<u32>,
}

fn unknown_node_status() -> NodeOnlineStatus {
    NodeOnlineStatus::Unknown
}

/// A container or VM as listed by `GET /cluster/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestResource {
    /// Resource id, `lxc/<vmid>` or `qemu/<vmid>`.
    pub id: String,
    /// The guest's id (PVE has sent it as a string in some versions).
    #[serde(deserialize_with = "loose::deserialize_u32")]
    pub vmid: u32,
    /// Guest name (hostname for containers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Node the guest lives on.
    pub node: String,
    /// Running state.
    #[serde(default = "unknown_guest_status")]
    pub status: GuestStatus,
    /// Whether the guest is a template (PVE sends `0`/`1`, or omits it).
    #[serde(default, deserialize_with = "loose::deserialize_bool")]
    pub template: bool,
    /// CPU utilisation as a fraction of `maxcpu`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// CPUs available to the guest (may be fractional with a CPU limit).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub maxcpu: Option<f64>,
    /// Used memory in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub mem: Option<u64>,
    /// Memory limit in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxmem: Option<u64>,
    /// Used root disk in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub disk: Option<u64>,
    /// Root disk size in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxdisk: Option<u64>,
    /// Uptime in seconds.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub uptime: Option<u64>,
    /// Bytes received.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub netin: Option<u64>,
    /// Bytes sent.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub netout: Option<u64>,
    /// Bytes read from disk.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub diskread: Option<u64>,
    /// Bytes written to disk.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub diskwrite: Option<u64>,
    /// HA state when the guest is HA-managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hastate: Option<String>,
    /// Config lock held (e.g. `create`, `backup`), when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Tags, `;`-separated (see [`GuestResource::tag_list`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Resource pool, when a member of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

fn unknown_guest_status() -> GuestStatus {
    GuestStatus::Other(String::new())
}

impl GuestResource {
    /// The tags as a list (PVE separates them with `;`, older versions also with `,` or spaces).
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(self.tags.as_deref())
    }
}

/// Splits a PVE tag string into tags.
pub(crate) fn split_tags(tags: Option<&str>) -> Vec<String> {
    tags.unwrap_or_default()
        .split([';', ',', ' '])
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A storage on a node as listed by `GET /cluster/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageResource {
    /// Resource id, `storage/<node>/<storage>`.
    pub id: String,
    /// Storage id, e.g. `local-lvm`.
    pub storage: String,
    /// Node the entry is for.
    pub node: String,
    /// `available` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Storage plugin, e.g. `dir`, `lvmthin`, `zfspool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugintype: Option<String>,
    /// Content types it holds (`images`, `rootdir`, `vztmpl`, ...).
    #[serde(default, deserialize_with = "loose::deserialize_comma_list")]
    pub content: Vec<String>,
    /// Shared between nodes.
    #[serde(default, deserialize_with = "loose::deserialize_bool")]
    pub shared: bool,
    /// Used bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub disk: Option<u64>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxdisk: Option<u64>,
}

/// One entry of `GET /cluster/resources`, by its `type`.
///
/// Kinds this client does not model (`pool`, `sdn`, `network`, and whatever later versions add)
/// are kept as [`ClusterResource::Other`] rather than failing the whole listing.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterResource {
    /// `type: node`.
    Node(NodeResource),
    /// `type: lxc`: a container.
    Lxc(GuestResource),
    /// `type: qemu`: a virtual machine.
    Qemu(GuestResource),
    /// `type: storage`.
    Storage(StorageResource),
    /// Any other type, as sent (including its `type` key).
    Other(serde_json::Value),
}

impl ClusterResource {
    /// The wire `type`: `node`, `lxc`, `qemu`, `storage`, or the unknown type's own name.
    pub fn kind(&self) -> &str {
        match self {
            ClusterResource::Node(_) => "node",
            ClusterResource::Lxc(_) => "lxc",
            ClusterResource::Qemu(_) => "qemu",
            ClusterResource::Storage(_) => "storage",
            ClusterResource::Other(v) => v.get("type").and_then(|t| t.as_str()).unwrap_or(""),
        }
    }

    /// The resource id (`node/pve1`, `lxc/100`, ...).
    pub fn id(&self) -> Option<&str> {
        match self {
            ClusterResource::Node(n) => Some(&n.id),
            ClusterResource::Lxc(g) | ClusterResource::Qemu(g) => Some(&g.id),
            ClusterResource::Storage(s) => Some(&s.id),
            ClusterResource::Other(v) => v.get("id").and_then(|t| t.as_str()),
        }
    }

    /// The node the resource belongs to, when it has one.
    pub fn node(&self) -> Option<&str> {
        match self {
            ClusterResource::Node(n) => Some(&n.node),
            ClusterResource::Lxc(g) | ClusterResource::Qemu(g) => Some(&g.node),
            ClusterResource::Storage(s) => Some(&s.node),
            ClusterResource::Other(v) => v.get("node").and_then(|t| t.as_str()),
        }
    }

    /// The guest for `lxc` and `qemu` entries.
    pub fn as_guest(&self) -> Option<&GuestResource> {
        match self {
            ClusterResource::Lxc(g) | ClusterResource::Qemu(g) => Some(g),
            _ => None,
        }
    }

    /// The container for `lxc` entries.
    pub fn as_lxc(&self) -> Option<&GuestResource> {
        match self {
            ClusterResource::Lxc(g) => Some(g),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for ClusterResource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Buffer the entry once, then decode the known kinds from it; entries are small and the
        // buffered value is consumed, not cloned.
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = match value.get("type") {
            Some(serde_json::Value::String(kind)) => kind.as_str(),
            Some(_) | None => return Ok(ClusterResource::Other(value)),
        };
        fn typed<T: de::DeserializeOwned, E: de::Error>(
            kind: &str,
            value: serde_json::Value,
        ) -> Result<T, E> {
            // Keep the path inside the entry (e.g. `.vmid`) in the message: the caller's own
            // path tracking stops at this entry because it is decoded from a buffered value.
            serde_path_to_error::deserialize(value).map_err(|e| {
                E::custom(format_args!(
                    "cluster resource of type {kind} at {}: {}",
                    e.path(),
                    e.inner()
                ))
            })
        }
        Ok(match kind {
            "node" => ClusterResource::Node(typed("node", value)?),
            "lxc" => ClusterResource::Lxc(typed("lxc", value)?),
            "qemu" => ClusterResource::Qemu(typed("qemu", value)?),
            "storage" => ClusterResource::Storage(typed("storage", value)?),
            _ => ClusterResource::Other(value),
        })
    }
}

impl Serialize for ClusterResource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn tagged<T: Serialize, E: ser::Error>(
            kind: &str,
            inner: &T,
        ) -> Result<serde_json::Value, E> {
            let mut value = serde_json::to_value(inner).map_err(E::custom)?;
            if let Some(map) = value.as_object_mut() {
                map.insert("type".into(), kind.into());
            }
            Ok(value)
        }
        match self {
            ClusterResource::Node(n) => tagged::<_, S::Error>("node", n)?.serialize(serializer),
            ClusterResource::Lxc(g) => tagged::<_, S::Error>("lxc", g)?.serialize(serializer),
            ClusterResource::Qemu(g) => tagged::<_, S::Error>("qemu", g)?.serialize(serializer),
            ClusterResource::Storage(s) => {
                tagged::<_, S::Error>("storage", s)?.serialize(serializer)
            }
            ClusterResource::Other(v) => v.serialize(serializer),
        }
    }
}

/// One entry of `GET /cluster/status`: the cluster itself (`type: cluster`) or a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatusEntry {
    /// `cluster` or `node`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cluster` or `node/<name>`.
    #[serde(default)]
    pub id: String,
    /// Cluster or node name.
    #[serde(default)]
    pub name: String,
    /// Cluster entry: whether the cluster has quorum.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub quorate: Option<bool>,
    /// Cluster entry: number of nodes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub nodes: Option<u32>,
    /// Cluster entry: config version.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub version: Option<u32>,
    /// Node entry: whether the node is online.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub online: Option<bool>,
    /// Node entry: whether this is the node that answered.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub local: Option<bool>,
    /// Node entry: cluster network address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Node entry: corosync node id.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub nodeid: Option<u32>,
    /// Node entry: subscription level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

impl ClusterStatusEntry {
    /// `true` for the `type: node` entries.
    pub fn is_node(&self) -> bool {
        self.kind == "node"
    }

    /// `true` for the `type: cluster` entry.
    pub fn is_cluster(&self) -> bool {
        self.kind == "cluster"
    }
}

/// `GET /cluster/nextid`: the lowest free vmid. PVE sends it as a string (`"100"`).
///
/// It does not reserve the id: creating a guest with it can still race.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NextId(#[serde(deserialize_with = "loose::deserialize_u32")] pub u32);

impl fmt::Display for NextId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<NextId> for u32 {
    fn from(id: NextId) -> u32 {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_and_untyped_kinds_are_kept() {
        let list: Vec<ClusterResource> = serde_json::from_value(json!([
            {"type": "pool", "id": "/pool/dev", "pool": "dev"},
            {"type": "sdn", "id": "sdn/pve1/localnetwork", "node": "pve1", "sdn": "localnetwork"},
            {"type": "network", "id": "network/pve1/vmbr0"},
            {"id": "no-type"},
            {"type": 5},
            {"type": "lxc", "id": "lxc/100", "vmid": "100", "node": "pve1", "status": "running", "tags": "a;b"},
        ]))
        .unwrap();
        assert_eq!(list[0].kind(), "pool");
        assert!(matches!(list[0], ClusterResource::Other(_)));
        assert_eq!(list[1].node(), Some("pve1"));
        assert!(matches!(list[3], ClusterResource::Other(_)));
        let guest = list[5].as_lxc().unwrap();
        assert_eq!(guest.vmid, 100);
        assert_eq!(guest.status, GuestStatus::Running);
        assert!(!guest.template);
        assert_eq!(guest.tag_list(), vec!["a", "b"]);
    }

    #[test]
    fn a_broken_known_kind_is_an_error_that_names_it() {
        let err = serde_json::from_value::<ClusterResource>(
            json!({"type": "qemu", "id": "qemu/1", "vmid": "x", "node": "n"}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("qemu") && err.contains("\"x\""), "{err}");
        assert!(err.contains("vmid"), "{err}");
    }

    #[test]
    fn serialization_restores_the_type_tag() {
        let r: ClusterResource = serde_json::from_value(
            json!({"type": "storage", "id": "storage/pve1/local", "storage": "local", "node": "pve1", "content": "iso,vztmpl", "shared": 0}),
        )
        .unwrap();
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["type"], "storage");
        assert_eq!(serde_json::from_value::<ClusterResource>(back).unwrap(), r);
    }

    #[test]
    fn next_id_from_string_or_number() {
        assert_eq!(
            serde_json::from_str::<NextId>("\"100\"").unwrap(),
            NextId(100)
        );
        assert_eq!(
            serde_json::from_str::<NextId>("101").unwrap().to_string(),
            "101"
        );
        assert!(serde_json::from_str::<NextId>("\"abc\"").is_err());
    }
}
