//! Directory indexes, as PVE's `index` methods answer them: each lists its children with the
//! key its schema links by (`subdir`, `name` or `cmd`), in PVE's order. Guest indexes load
//! the config first, so a missing guest gets the usual "does not exist".

use serde_json::{json, Value};

use super::containers::locate;
use crate::api_error::Reply;
use crate::call::Call;
use crate::state::SimState;

fn entries(key: &str, names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| json!({ key: n })).collect())
}

/// `GET /` (PVE::API2: `version`, then each subclass in registration order).
pub(crate) fn root(_state: &mut SimState, _call: &Call) -> Reply {
    Ok(entries(
        "subdir",
        &["version", "cluster", "nodes", "storage", "access", "pools"],
    ))
}

/// `GET /cluster` (PVE::API2::Cluster::index).
pub(crate) fn cluster(_state: &mut SimState, _call: &Call) -> Reply {
    Ok(entries(
        "name",
        &[
            "log",
            "options",
            "resources",
            "status",
            "tasks",
            "backup",
            "ha",
            "acme",
            "nextid",
            "firewall",
            "config",
            "replication",
            "backup-info",
            "metrics",
            "ceph",
            "jobs",
            "sdn",
            "mapping",
            "notifications",
            "bulk-action",
        ],
    ))
}

/// `GET /access` (PVE::API2::AccessControl::index: the subclasses, then `ticket` and
/// `password`).
pub(crate) fn access(_state: &mut SimState, _call: &Call) -> Reply {
    Ok(entries(
        "subdir",
        &[
            "users", "groups", "roles", "acl", "domains", "openid", "tfa", "ticket", "password",
        ],
    ))
}

/// `GET /nodes/{node}` (PVE::API2::Nodes::Nodeinfo::index, alphabetical).
pub(crate) fn node(state: &mut SimState, call: &Call) -> Reply {
    state.cluster.require_node(call)?;
    Ok(entries(
        "name",
        &[
            "aplinfo",
            "apt",
            "capabilities",
            "ceph",
            "certificates",
            "config",
            "disks",
            "dns",
            "firewall",
            "hardware",
            "hosts",
            "journal",
            "lxc",
            "migrateall",
            "netstat",
            "network",
            "qemu",
            "query-url-metadata",
            "replication",
            "report",
            "rrd",
            "rrddata",
            "scan",
            "sdn",
            "services",
            "spiceshell",
            "startall",
            "status",
            "stopall",
            "storage",
            "subscription",
            "suspendall",
            "syslog",
            "tasks",
            "termproxy",
            "time",
            "version",
            "vncshell",
            "vzdump",
            "wakeonlan",
        ],
    ))
}

/// `GET /nodes/{node}/lxc/{vmid}` (PVE::API2::LXC::vmdiridx).
pub(crate) fn container(state: &mut SimState, call: &Call) -> Reply {
    locate(state, call)?;
    Ok(entries(
        "subdir",
        &[
            "config",
            "pending",
            "status",
            "vncproxy",
            "termproxy",
            "vncwebsocket",
            "spiceproxy",
            "migrate",
            "clone",
            "rrd",
            "rrddata",
            "firewall",
            "snapshot",
            "resize",
            "interfaces",
        ],
    ))
}

/// `GET /nodes/{node}/lxc/{vmid}/status` (PVE::API2::LXC::Status::vmcmdidx).
pub(crate) fn container_status(state: &mut SimState, call: &Call) -> Reply {
    locate(state, call)?;
    Ok(entries(
        "subdir",
        &["current", "start", "stop", "shutdown", "reboot", "migrate"],
    ))
}
