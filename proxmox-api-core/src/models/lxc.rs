//! Containers: `GET /nodes/{node}/lxc`, `.../lxc/{vmid}/status/current`, `.../lxc/{vmid}/config`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::loose;
use crate::models::cluster::split_tags;

/// Running state of a guest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GuestStatus {
    /// `running`.
    Running,
    /// `stopped`.
    Stopped,
    /// Anything else, as sent (`paused`, `prelaunch`, `unknown`, ...).
    Other(String),
}

impl GuestStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            GuestStatus::Running => "running",
            GuestStatus::Stopped => "stopped",
            GuestStatus::Other(s) => s,
        }
    }

    /// `true` for [`GuestStatus::Running`].
    pub fn is_running(&self) -> bool {
        *self == GuestStatus::Running
    }
}

impl fmt::Display for GuestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for GuestStatus {
    fn from(s: &str) -> Self {
        match s {
            "running" => GuestStatus::Running,
            "stopped" => GuestStatus::Stopped,
            other => GuestStatus::Other(other.to_owned()),
        }
    }
}

impl Serialize for GuestStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GuestStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(GuestStatus::from(s.as_str()))
    }
}

/// One entry of `GET /nodes/{node}/lxc`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LxcSummary {
    /// Container id (a string before PVE 8.2).
    #[serde(deserialize_with = "loose::deserialize_u32")]
    pub vmid: u32,
    /// Hostname.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub name: Option<String>,
    /// Running state.
    pub status: GuestStatus,
    /// CPUs available (cores, or the CPU limit, which may be fractional).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpus: Option<f64>,
    /// CPU utilisation as a fraction of `cpus`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// Used memory in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub mem: Option<u64>,
    /// Memory limit in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxmem: Option<u64>,
    /// Used swap in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub swap: Option<u64>,
    /// Swap limit in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxswap: Option<u64>,
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
    /// Init process id; only while running.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub pid: Option<u32>,
    /// Config lock held, when any (`create`, `backup`, `disk`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lock: Option<String>,
    /// Tags, `;`-separated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub tags: Option<String>,
    /// Whether it is a template (PVE only sends the key when true).
    #[serde(default, deserialize_with = "loose::deserialize_bool")]
    pub template: bool,
    /// Always `lxc` when present.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Pressure stall: some tasks waiting for CPU (PVE 8.2+).
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressurecpusome: Option<f64>,
    /// Pressure stall: all tasks waiting for CPU.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressurecpufull: Option<f64>,
    /// Pressure stall: some tasks waiting for I/O.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressureiosome: Option<f64>,
    /// Pressure stall: all tasks waiting for I/O.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressureiofull: Option<f64>,
    /// Pressure stall: some tasks waiting for memory.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressurememorysome: Option<f64>,
    /// Pressure stall: all tasks waiting for memory.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub pressurememoryfull: Option<f64>,
}

impl LxcSummary {
    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(self.tags.as_deref())
    }
}

/// `GET /nodes/{node}/lxc/{vmid}/status/current`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LxcStatus {
    /// Container id.
    #[serde(deserialize_with = "loose::deserialize_u32")]
    pub vmid: u32,
    /// Hostname.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub name: Option<String>,
    /// Running state.
    pub status: GuestStatus,
    /// Init process id; PVE sends it only while running.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub pid: Option<u32>,
    /// HA state (`{"managed": 0}` when not HA-managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<serde_json::Value>,
    /// Config lock held, when any.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lock: Option<String>,
    /// Tags, `;`-separated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub tags: Option<String>,
    /// Whether it is a template.
    #[serde(default, deserialize_with = "loose::deserialize_bool")]
    pub template: bool,
    /// CPUs available.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpus: Option<f64>,
    /// CPU utilisation as a fraction of `cpus`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpu: Option<f64>,
    /// Used memory in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub mem: Option<u64>,
    /// Memory limit in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxmem: Option<u64>,
    /// Used swap in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub swap: Option<u64>,
    /// Swap limit in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub maxswap: Option<u64>,
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
    /// Always `lxc` when present.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Fields this client does not model (pressure stall figures, ...), kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl LxcStatus {
    /// `true` while running.
    pub fn is_running(&self) -> bool {
        self.status.is_running()
    }

    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(self.tags.as_deref())
    }

    /// Whether HA manages the container (`ha.managed`).
    pub fn ha_managed(&self) -> bool {
        self.ha
            .as_ref()
            .and_then(|ha| ha.get("managed"))
            .is_some_and(|m| m.as_u64() == Some(1) || m.as_bool() == Some(true) || m == "1")
    }
}

/// Keys of the form `<prefix><index>` (`net0`, `mp3`, `unused1`) collected into a map by index.
mod indexed {
    use std::collections::BTreeMap;

    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The index when `key` is `prefix` followed only by digits.
    pub(super) fn index_of(key: &str, prefix: &str) -> Option<u32> {
        let digits = key.strip_prefix(prefix)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The prefixes collected into their own maps; every other unknown key goes to `extra`.
    pub(super) const PREFIXES: [&str; 4] = ["net", "mp", "unused", "dev"];

    fn collect<'de, D: Deserializer<'de>>(
        deserializer: D,
        prefix: &str,
    ) -> Result<BTreeMap<u32, String>, D::Error> {
        let all = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
        Ok(all
            .into_iter()
            .filter_map(|(key, value)| {
                let index = index_of(&key, prefix)?;
                let text = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                Some((index, text))
            })
            .collect())
    }

    fn emit<S: Serializer>(
        map: &BTreeMap<u32, String>,
        prefix: &str,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(map.len()))?;
        for (index, value) in map {
            out.serialize_entry(&format!("{prefix}{index}"), value)?;
        }
        out.end()
    }

    macro_rules! prefix_module {
        ($name:ident, $prefix:literal) => {
            pub(super) mod $name {
                use super::*;

                pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<BTreeMap<u32, String>, D::Error> {
                    collect(d, $prefix)
                }

                pub(crate) fn serialize<S: Serializer>(
                    map: &BTreeMap<u32, String>,
                    s: S,
                ) -> Result<S::Ok, S::Error> {
                    emit(map, $prefix, s)
                }
            }
        };
    }

    prefix_module!(net, "net");
    prefix_module!(mp, "mp");
    prefix_module!(unused, "unused");
    prefix_module!(dev, "dev");

    /// The unknown keys that are not indexed device keys.
    pub(super) fn rest<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, serde_json::Value>, D::Error> {
        let mut all = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
        all.retain(|key, _| !PREFIXES.iter().any(|p| index_of(key, p).is_some()));
        Ok(all)
    }
}

/// `GET /nodes/{node}/lxc/{vmid}/config`.
///
/// Indexed keys are collected by index: `net0..` into [`nets`](LxcConfig::nets), `mp0..` into
/// [`mount_points`](LxcConfig::mount_points), `unused0..` into [`unused`](LxcConfig::unused),
/// `dev0..` into [`devices`](LxcConfig::devices); each value is PVE's property string as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LxcConfig {
    /// Hostname.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub hostname: Option<String>,
    /// OS type, e.g. `debian`, `ubuntu`, `alpine`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub ostype: Option<String>,
    /// Architecture, e.g. `amd64`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub arch: Option<String>,
    /// CPU cores.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub cores: Option<u32>,
    /// CPU limit (fractional CPUs; PVE sends a string). `0` means no limit.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub cpulimit: Option<f64>,
    /// CPU scheduler weight.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub cpuunits: Option<u32>,
    /// Memory in MiB.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub memory: Option<u64>,
    /// Swap in MiB.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub swap: Option<u64>,
    /// Root volume, e.g. `local-lvm:vm-100-disk-0,size=8G`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub rootfs: Option<String>,
    /// Unprivileged container.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub unprivileged: Option<bool>,
    /// Start at boot.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub onboot: Option<bool>,
    /// Protected from removal.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub protection: Option<bool>,
    /// Template flag.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub template: Option<bool>,
    /// Feature flags, e.g. `nesting=1,fuse=1`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub features: Option<String>,
    /// Tags, `;`-separated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub tags: Option<String>,
    /// Free-text notes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub description: Option<String>,
    /// DNS servers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub nameserver: Option<String>,
    /// DNS search domain.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub searchdomain: Option<String>,
    /// Startup order and delays.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub startup: Option<String>,
    /// Timezone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub timezone: Option<String>,
    /// Config lock held, when any.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lock: Option<String>,
    /// SHA-1 of the config, for optimistic concurrency on updates.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub digest: Option<String>,
    /// Raw `lxc.*` lines as `(key, value)` pairs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lxc: Vec<(String, String)>,
    /// Network interfaces by index (`net0` -> 0).
    #[serde(flatten, with = "indexed::net")]
    pub nets: BTreeMap<u32, String>,
    /// Mount points by index (`mp0` -> 0).
    #[serde(flatten, with = "indexed::mp")]
    pub mount_points: BTreeMap<u32, String>,
    /// Unused volumes by index (`unused0` -> 0).
    #[serde(flatten, with = "indexed::unused")]
    pub unused: BTreeMap<u32, String>,
    /// Device passthrough by index (`dev0` -> 0).
    #[serde(flatten, with = "indexed::dev")]
    pub devices: BTreeMap<u32, String>,
    /// Every other key this client does not model, kept as sent.
    #[serde(flatten, deserialize_with = "indexed::rest")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl LxcConfig {
    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<String> {
        split_tags(self.tags.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guest_status_keeps_unknown_values() {
        let s: GuestStatus = serde_json::from_str("\"paused\"").unwrap();
        assert_eq!(s, GuestStatus::Other("paused".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"paused\"");
        assert!(serde_json::from_str::<GuestStatus>("\"running\"")
            .unwrap()
            .is_running());
    }

    #[test]
    fn config_collects_indexed_keys_and_round_trips() {
        let raw = json!({
            "hostname": "ct1", "cores": 2, "memory": 512, "swap": "256", "cpulimit": "1.5",
            "unprivileged": 1, "net0": "name=eth0,bridge=vmbr0,ip=dhcp", "net10": "name=eth1",
            "mp0": "local:1,mp=/data", "unused0": "local-lvm:vm-1-disk-1", "dev0": "/dev/dri",
            "network": "not indexed", "net": "no index", "netx1": "odd", "new-key": 5,
            "lxc": [["lxc.apparmor.profile", "unconfined"]]
        });
        let c: LxcConfig = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(c.cpulimit, Some(1.5));
        assert_eq!(c.swap, Some(256));
        assert_eq!(c.unprivileged, Some(true));
        assert_eq!(c.nets.len(), 2);
        assert_eq!(c.nets[&10], "name=eth1");
        assert_eq!(c.mount_points[&0], "local:1,mp=/data");
        assert_eq!(c.unused[&0], "local-lvm:vm-1-disk-1");
        assert_eq!(c.devices[&0], "/dev/dri");
        assert_eq!(
            c.extra.keys().collect::<Vec<_>>(),
            vec!["net", "network", "netx1", "new-key"]
        );
        assert_eq!(c.lxc[0].0, "lxc.apparmor.profile");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["net0"], raw["net0"]);
        assert_eq!(back["net10"], raw["net10"]);
        assert_eq!(back["new-key"], 5);
        assert_eq!(serde_json::from_value::<LxcConfig>(back).unwrap(), c);
    }
}
