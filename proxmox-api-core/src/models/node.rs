//! Nodes: `GET /nodes` and `GET /nodes/{node}/status`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::loose;

/// Whether the cluster sees a node as online (`status` in `GET /nodes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeOnlineStatus {
    /// The node is a quorate member and answers.
    Online,
    /// The node is known to the cluster but not reachable.
    Offline,
    /// PVE cannot tell (also any value this client does not know).
    #[serde(other)]
    Unknown,
}

impl NodeOnlineStatus {
    /// `true` only for [`NodeOnlineStatus::Online`].
    pub fn is_online(self) -> bool {
        self == NodeOnlineStatus::Online
    }

    /// The wire spelling: `online`, `offline` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeOnlineStatus::Online => "online",
            NodeOnlineStatus::Offline => "offline",
            NodeOnlineStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for NodeOnlineStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `GET /nodes`. Offline nodes omit every metric, hence the `Option`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSummary {
    /// Node name, e.g. `pve1`.
    pub node: String,
    /// Online state as the cluster sees it.
    pub status: NodeOnlineStatus,
    /// CPU utilisation as a fraction (0.0 to 1.0 per the whole node).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// Number of logical CPUs.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub maxcpu: Option<u32>,
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
    /// Support subscription level (`""` without a subscription).
    #[serde(default)]
    pub level: Option<String>,
    /// SHA-256 fingerprint of the node's certificate in `AA:BB:...` form.
    #[serde(default)]
    pub ssl_fingerprint: Option<String>,
    /// Resource id, e.g. `node/pve1`.
    #[serde(default)]
    pub id: Option<String>,
    /// Resource type (always `node` when present).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl NodeSummary {
    /// `true` when the node is online.
    pub fn is_online(&self) -> bool {
        self.status.is_online()
    }

    /// Memory not in use, in bytes, when both figures are known.
    pub fn free_memory(&self) -> Option<u64> {
        Some(self.maxmem?.saturating_sub(self.mem?))
    }
}

/// `cpuinfo` of `GET /nodes/{node}/status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CpuInfo {
    /// CPU model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Logical CPUs (threads).
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub cpus: Option<u32>,
    /// Physical cores per socket.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub cores: Option<u32>,
    /// CPU sockets.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub sockets: Option<u32>,
    /// Clock in MHz (PVE sends a string such as `"3400.000"`).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub mhz: Option<f64>,
    /// Hardware virtualisation available (PVE sends `"1"`).
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub hvm: Option<bool>,
    /// Kernel clock ticks per second.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub user_hz: Option<u32>,
    /// CPU flags, space separated as in `/proc/cpuinfo`.
    #[serde(default)]
    pub flags: Option<String>,
}

/// Memory or swap usage in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryUsage {
    /// Total bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub total: u64,
    /// Used bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub used: u64,
    /// Free bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub free: u64,
    /// Bytes available to new processes (PVE 8.2+; absent before).
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub available: Option<u64>,
}

/// Root filesystem usage in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskUsage {
    /// Total bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub total: u64,
    /// Used bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub used: u64,
    /// Free bytes.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub free: u64,
    /// Bytes available to unprivileged users.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub avail: Option<u64>,
}

/// Kernel same-page merging statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KsmInfo {
    /// Bytes shared by KSM.
    #[serde(default, deserialize_with = "loose::deserialize_u64")]
    pub shared: u64,
}

/// `GET /nodes/{node}/status`: the full status of one node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeStatus {
    /// Load average over 1, 5 and 15 minutes (PVE sends strings).
    #[serde(default, deserialize_with = "loose::deserialize_f64_list")]
    pub loadavg: Vec<f64>,
    /// CPU utilisation as a fraction.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// Fraction of time waiting for I/O.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub wait: Option<f64>,
    /// Idle fraction (older versions).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub idle: Option<f64>,
    /// CPU model and counts.
    #[serde(default)]
    pub cpuinfo: CpuInfo,
    /// Memory usage.
    #[serde(default)]
    pub memory: MemoryUsage,
    /// Swap usage.
    #[serde(default)]
    pub swap: MemoryUsage,
    /// Root filesystem usage.
    #[serde(default)]
    pub rootfs: DiskUsage,
    /// KSM statistics.
    #[serde(default)]
    pub ksm: Option<KsmInfo>,
    /// Uptime in seconds.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub uptime: Option<u64>,
    /// Full `uname` of the running kernel (older versions).
    #[serde(default)]
    pub kversion: Option<String>,
    /// e.g. `pve-manager/7.4-16/0f39f621`.
    #[serde(default)]
    pub pveversion: Option<String>,
    /// The running kernel (`sysname`, `release`, `version`, `machine`; PVE 8.1+).
    #[serde(default, rename = "current-kernel")]
    pub current_kernel: Option<serde_json::Value>,
    /// Boot mode (`mode`: `efi`/`legacy-bios`, `secureboot`; PVE 8.1+).
    #[serde(default, rename = "boot-info")]
    pub boot_info: Option<serde_json::Value>,
    /// Fields this client does not model, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offline_node_without_metrics_decodes() {
        let n: NodeSummary =
            serde_json::from_value(json!({"node": "pve3", "status": "offline", "id": "node/pve3"}))
                .unwrap();
        assert_eq!(n.status, NodeOnlineStatus::Offline);
        assert!(!n.is_online());
        assert_eq!((n.cpu, n.mem, n.free_memory()), (None, None, None));
    }

    #[test]
    fn unknown_status_values_become_unknown() {
        let n: NodeSummary = serde_json::from_value(
            json!({"node": "x", "status": "rebooting", "cpu": 0, "maxcpu": "4"}),
        )
        .unwrap();
        assert_eq!(n.status, NodeOnlineStatus::Unknown);
        assert_eq!((n.cpu, n.maxcpu), (Some(0.0), Some(4)));
    }

    #[test]
    fn node_status_of_pve9_shape() {
        let s: NodeStatus = serde_json::from_value(json!({
            "loadavg": ["0.04", "0.10", "0.09"],
            "cpu": 0.01, "wait": 0,
            "cpuinfo": {"model": "x", "cpus": 2, "cores": 2, "sockets": 1, "mhz": "2999.998", "hvm": "1", "user_hz": 100},
            "memory": {"total": 100, "used": 40, "free": 60, "available": 70},
            "swap": {"total": 0, "used": 0, "free": 0},
            "rootfs": {"total": 10, "used": 5, "free": 5, "avail": 4},
            "ksm": {"shared": 0}, "uptime": 123,
            "current-kernel": {"sysname": "Linux", "release": "6.14.8-2-pve"},
            "boot-info": {"mode": "efi", "secureboot": 0},
            "new-field": [1]
        }))
        .unwrap();
        assert_eq!(s.loadavg, vec![0.04, 0.10, 0.09]);
        assert_eq!(s.cpuinfo.mhz, Some(2999.998));
        assert_eq!(s.cpuinfo.hvm, Some(true));
        assert_eq!(s.memory.available, Some(70));
        assert_eq!(s.rootfs.avail, Some(4));
        assert_eq!(
            s.current_kernel.as_ref().unwrap()["release"],
            "6.14.8-2-pve"
        );
        assert_eq!(s.extra["new-field"], json!([1]));
    }
}
