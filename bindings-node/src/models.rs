//! Typed results as plain JavaScript objects (TypeScript interfaces in `index.d.ts`), converted
//! from the core's models. Byte counts become `number`: exact up to 2^53 bytes (8 PiB).

use napi_derive::napi;
use proxmox_api_core::models;

/// The API version (`GET /version`).
#[napi(object)]
pub struct Version {
    /// Full pve-manager version, e.g. `8.2.4` or `7.4-16`.
    pub version: String,
    /// Point release, e.g. `8.2`.
    pub release: String,
    /// Short git revision of the build.
    pub repoid: String,
    /// Default console viewer, when the datacenter sets one.
    pub console: Option<String>,
}

impl From<models::Version> for Version {
    fn from(version: models::Version) -> Self {
        Version {
            version: version.version,
            release: version.release,
            repoid: version.repoid,
            console: version.console,
        }
    }
}

/// One cluster node as listed by `GET /nodes`. Offline nodes have no metrics.
#[napi(object)]
pub struct NodeSummary {
    /// Node name, e.g. `pve1`.
    pub node: String,
    /// `online`, `offline` or `unknown`.
    #[napi(ts_type = "'online' | 'offline' | 'unknown'")]
    pub status: String,
    /// Whether the node is online.
    pub online: bool,
    /// CPU utilisation, 0..1 of the whole node.
    pub cpu: Option<f64>,
    /// Number of logical CPUs.
    pub maxcpu: Option<u32>,
    /// Used memory in bytes.
    pub mem: Option<f64>,
    /// Total memory in bytes.
    pub maxmem: Option<f64>,
    /// Used root disk in bytes.
    pub disk: Option<f64>,
    /// Root disk size in bytes.
    pub maxdisk: Option<f64>,
    /// Uptime in seconds.
    pub uptime: Option<f64>,
    /// Subscription level (`""` without a subscription).
    pub level: Option<String>,
    /// SHA-256 fingerprint of the node's certificate, `AA:BB:...`.
    pub ssl_fingerprint: Option<String>,
}

fn bytes(value: Option<u64>) -> Option<f64> {
    value.map(|v| v as f64)
}

impl From<models::NodeSummary> for NodeSummary {
    fn from(node: models::NodeSummary) -> Self {
        NodeSummary {
            online: node.is_online(),
            status: node.status.as_str().to_owned(),
            node: node.node,
            cpu: node.cpu,
            maxcpu: node.maxcpu,
            mem: bytes(node.mem),
            maxmem: bytes(node.maxmem),
            disk: bytes(node.disk),
            maxdisk: bytes(node.maxdisk),
            uptime: bytes(node.uptime),
            level: node.level,
            ssl_fingerprint: node.ssl_fingerprint,
        }
    }
}
