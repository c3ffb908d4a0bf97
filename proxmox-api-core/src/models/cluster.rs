//! Cluster: `GET /cluster/resources`, `GET /cluster/status`, `GET /cluster/nextid`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::loose;
use crate::models::guest_scan;
use crate::models::key_tap;
use crate::models::lxc::GuestStatus;
use crate::models::node::NodeOnlineStatus;

/// A node as listed by `GET /cluster/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResource {
    /// Resource id, `node/<name>` (rebuilt when PVE omits it).
    #[serde(default)]
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
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
    /// Resource id, `lxc/<vmid>` or `qemu/<vmid>` (rebuilt when PVE omits it).
    #[serde(default)]
    pub id: String,
    /// The guest's id (PVE has sent it as a string in some versions).
    #[serde(deserialize_with = "loose::deserialize_u32")]
    pub vmid: u32,
    /// Guest name (hostname for containers).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub hastate: Option<String>,
    /// Config lock held (e.g. `create`, `backup`), when any.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lock: Option<String>,
    /// Tags, `;`-separated (see [`GuestResource::tag_list`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub tags: Option<String>,
    /// Resource pool, when a member of one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
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
    /// Resource id, `storage/<node>/<storage>` (rebuilt when PVE omits it).
    #[serde(default)]
    pub id: String,
    /// Storage id, e.g. `local-lvm`.
    pub storage: String,
    /// Node the entry is for.
    pub node: String,
    /// `available` or `unknown`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub status: Option<String>,
    /// Storage plugin, e.g. `dir`, `lvmthin`, `zfspool`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
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
        // The entry is kept as its JSON text and decoded from that text straight into its model:
        // no JSON tree is built for the known kinds (a 20,000-guest listing decodes in one pass
        // per entry), and a tree only for the kinds and shapes this client does not know.
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(ClusterResource::from_json(raw.get()))
    }
}

/// Just the `type` of an entry; every other key is skipped without being decoded.
#[derive(Deserialize)]
struct Kind<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: Option<Cow<'a, str>>,
}

impl ClusterResource {
    /// Decodes one entry from its JSON text. Never fails: an entry of an unknown kind, or one of
    /// a known kind that does not decode (a field of an unexpected shape), is kept as
    /// [`ClusterResource::Other`] with everything it contained, so one odd entry never costs the
    /// caller the rest of the listing.
    pub fn from_json(text: &str) -> ClusterResource {
        // Nearly every entry is a guest, most of them of the plain shape the scanner reads.
        if let Some((guest, end)) = guest_scan::scan_guest(text) {
            if text
                .get(end..)
                .is_some_and(|after| after.trim_ascii().is_empty())
            {
                return guest;
            }
        }
        // Other guests are decoded in a single pass that also notes their `type`. Only entries
        // that turn out to be something else are read again below.
        if let Ok(GuestEntry(Some(resource))) = serde_json::from_str::<GuestEntry>(text) {
            return resource;
        }
        let kind = serde_json::from_str::<Kind<'_>>(text)
            .ok()
            .and_then(|k| k.kind);
        let typed = match kind.as_deref() {
            Some("node") => decode_entry(text).map(|mut n: NodeResource| {
                if n.id.is_empty() {
                    n.id = format!("node/{}", n.node);
                }
                ClusterResource::Node(n)
            }),
            Some(kind @ ("lxc" | "qemu")) => {
                decode_entry(text).and_then(|g| ClusterResource::guest(kind, g))
            }
            Some("storage") => decode_entry(text).map(|mut s: StorageResource| {
                if s.id.is_empty() {
                    s.id = format!("storage/{}/{}", s.node, s.storage);
                }
                ClusterResource::Storage(s)
            }),
            _ => None,
        };
        typed.unwrap_or_else(|| {
            ClusterResource::Other(serde_json::from_str(text).unwrap_or(serde_json::Value::Null))
        })
    }
}

/// An entry read as a guest in one pass, its `type` noted on the way: `None` when it is a
/// guest-shaped entry of another kind (or none). Not a guest's shape at all is an error. Either
/// way the caller reads the entry again the general way, with [`ClusterResource::from_json`].
pub(crate) struct GuestEntry(pub(crate) Option<ClusterResource>);

impl<'de> Deserialize<'de> for GuestEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (guest, kind) =
            key_tap::deserialize_noting_key::<GuestResource, _>(deserializer, "type")?;
        Ok(GuestEntry(
            kind.and_then(|kind| ClusterResource::guest(&kind, guest)),
        ))
    }
}

impl ClusterResource {
    /// The entry for a guest of wire type `kind` (`lxc` or `qemu`, else `None`), with its id
    /// rebuilt when PVE left it out.
    pub(super) fn guest(kind: &str, mut guest: GuestResource) -> Option<ClusterResource> {
        if guest.id.is_empty() {
            guest.id = format!("{kind}/{}", guest.vmid);
        }
        match kind {
            "lxc" => Some(ClusterResource::Lxc(guest)),
            "qemu" => Some(ClusterResource::Qemu(guest)),
            _ => None,
        }
    }
}

fn decode_entry<T: de::DeserializeOwned>(text: &str) -> Option<T> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            // Only the position and the expectation, never the entry itself.
            tracing::debug!(%error, "cluster resource kept as an unknown entry");
            None
        }
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub ip: Option<String>,
    /// Node entry: corosync node id.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub nodeid: Option<u32>,
    /// Node entry: subscription level.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
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
    fn a_broken_known_kind_is_kept_as_unknown_without_failing_the_list() {
        let list: Vec<ClusterResource> = serde_json::from_str(
            r#"[{"type": "qemu", "id": "qemu/1", "vmid": "x", "node": "n"},
                {"type": "lxc", "vmid": 101, "node": "pve1", "status": {"odd": true}},
                {"type": "lxc", "id": "lxc/102", "vmid": 102, "node": "pve1", "status": "running"}]"#,
        )
        .unwrap();
        assert_eq!(list.len(), 3);
        assert!(matches!(&list[0], ClusterResource::Other(v) if v["vmid"] == "x"));
        assert_eq!(list[0].kind(), "qemu");
        assert_eq!(list[1].id(), None);
        assert_eq!(list[2].as_lxc().unwrap().vmid, 102);
    }

    #[test]
    fn a_missing_id_is_rebuilt_from_the_kind() {
        let list: Vec<ClusterResource> = serde_json::from_value(json!([
            {"type": "node", "node": "pve1", "status": "online"},
            {"type": "lxc", "vmid": 100, "node": "pve1", "status": "running"},
            {"type": "qemu", "vmid": "101", "node": "pve2", "status": "stopped"},
            {"type": "storage", "storage": "local", "node": "pve1"},
        ]))
        .unwrap();
        let ids: Vec<_> = list.iter().map(|r| r.id().unwrap()).collect();
        assert_eq!(
            ids,
            ["node/pve1", "lxc/100", "qemu/101", "storage/pve1/local"]
        );
    }

    #[test]
    fn empty_strings_are_none() {
        let r: ClusterResource = serde_json::from_value(json!(
            {"type": "lxc", "id": "lxc/100", "vmid": 100, "node": "pve1", "lock": "", "tags": "", "pool": "", "hastate": ""}
        ))
        .unwrap();
        let g = r.as_lxc().unwrap();
        assert_eq!(
            (&g.lock, &g.tags, &g.pool, &g.hastate),
            (&None, &None, &None, &None)
        );
        assert!(g.tag_list().is_empty());
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
