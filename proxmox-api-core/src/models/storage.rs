//! Storage: `GET /nodes/{node}/storage` and `GET /nodes/{node}/storage/{storage}/content`.

use serde::{Deserialize, Serialize};

use crate::loose;

/// One entry of `GET /nodes/{node}/storage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageSummary {
    /// Storage id, e.g. `local`.
    pub storage: String,
    /// Storage plugin, e.g. `dir`, `lvmthin`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Content types it holds, from PVE's comma list (order is not stable).
    #[serde(default, deserialize_with = "loose::deserialize_comma_list")]
    pub content: Vec<String>,
    /// Currently usable on this node.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub active: Option<bool>,
    /// Enabled in the storage configuration.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub enabled: Option<bool>,
    /// Shared between nodes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub shared: Option<bool>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub total: Option<u64>,
    /// Used bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub used: Option<u64>,
    /// Available bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub avail: Option<u64>,
    /// Used fraction, 0.0 to 1.0.
    #[serde(default, deserialize_with = "loose::deserialize_opt_f64")]
    pub used_fraction: Option<f64>,
}

impl StorageSummary {
    /// Whether the storage holds `content` (e.g. `vztmpl`, `rootdir`).
    pub fn holds(&self, content: &str) -> bool {
        self.content.iter().any(|c| c == content)
    }

    /// Active unless PVE said otherwise.
    pub fn is_active(&self) -> bool {
        self.active.unwrap_or(true)
    }
}

/// One volume of `GET /nodes/{node}/storage/{storage}/content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageContentItem {
    /// Volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`.
    pub volid: String,
    /// Content type: `vztmpl`, `iso`, `backup`, `rootdir`, `images`, ...
    #[serde(default)]
    pub content: String,
    /// Format: `raw`, `subvol`, `tzst` (a `.tar.zst` template), `vma.zst`, ...
    #[serde(default)]
    pub format: String,
    /// Size in bytes.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub size: Option<u64>,
    /// Bytes actually used (thin volumes).
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub used: Option<u64>,
    /// Creation time as Unix seconds.
    #[serde(default, deserialize_with = "loose::deserialize_opt_i64")]
    pub ctime: Option<i64>,
    /// Owning guest, for disks and backups.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub vmid: Option<u32>,
    /// Backup notes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub notes: Option<String>,
    /// Backup guest type (`lxc`, `qemu`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub subtype: Option<String>,
    /// Base volume of a linked clone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub parent: Option<String>,
    /// Encryption key fingerprint of a backup, or `1`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_string")]
    pub encrypted: Option<String>,
    /// Protected from pruning and removal.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub protected: Option<bool>,
    /// Last backup verification (`state`, `upid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<serde_json::Value>,
}

impl StorageContentItem {
    /// The storage part of the volid (`local` for `local:vztmpl/x`).
    pub fn storage(&self) -> &str {
        self.volid
            .split_once(':')
            .map_or("", |(storage, _)| storage)
    }

    /// The file name without the storage and content directory
    /// (`debian-12-standard_12.7-1_amd64.tar.zst` for `local:vztmpl/debian-...`).
    pub fn file_name(&self) -> &str {
        let path = self.volid.split_once(':').map_or(&*self.volid, |(_, p)| p);
        path.rsplit('/').next().unwrap_or(path)
    }

    /// `true` for container templates.
    pub fn is_template(&self) -> bool {
        self.content == "vztmpl"
    }
}
