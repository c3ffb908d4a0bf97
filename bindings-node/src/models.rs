//! Typed results as plain JavaScript objects (TypeScript interfaces in `index.d.ts`).
//!
//! TRANSITIONAL: until `proxmox_api_core::models` has `Version` and `NodeSummary`, these are read
//! from the JSON `data` here; they become pure conversions from the core models when those land.

use napi_derive::napi;
use serde_json::Value;

/// The API version (`GET /version`).
#[napi(object)]
pub struct Version {
    /// Full version, e.g. `8.2.4`.
    pub version: String,
    /// Release, e.g. `8.2`.
    pub release: String,
    /// Short git commit of the build.
    pub repoid: String,
}

/// One cluster node as listed by `GET /nodes`.
#[napi(object)]
pub struct NodeSummary {
    /// Node name, e.g. `pve1`.
    pub node: String,
    /// `online`, `offline` or `unknown`.
    pub status: String,
    /// Whether the node is online.
    pub online: bool,
    /// CPU usage, 0..1 of `maxcpu`.
    pub cpu: Option<f64>,
    /// Number of CPUs.
    pub maxcpu: Option<f64>,
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
    /// SHA-256 fingerprint of the node's certificate, `AA:BB:...`.
    pub ssl_fingerprint: Option<String>,
}

fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn number(value: &Value, key: &str) -> Option<f64> {
    match value.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

impl From<&Value> for Version {
    fn from(value: &Value) -> Self {
        Version {
            version: text(value, "version"),
            release: text(value, "release"),
            repoid: text(value, "repoid"),
        }
    }
}

impl From<&Value> for NodeSummary {
    fn from(value: &Value) -> Self {
        let status = text(value, "status");
        NodeSummary {
            node: text(value, "node"),
            online: status == "online",
            status,
            cpu: number(value, "cpu"),
            maxcpu: number(value, "maxcpu"),
            mem: number(value, "mem"),
            maxmem: number(value, "maxmem"),
            disk: number(value, "disk"),
            maxdisk: number(value, "maxdisk"),
            uptime: number(value, "uptime"),
            ssl_fingerprint: value
                .get("ssl_fingerprint")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}
