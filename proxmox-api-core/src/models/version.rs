//! `GET /version` and `GET /nodes/{node}/version`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::loose;

/// The Proxmox VE version a server runs.
///
/// ```
/// # use proxmox_api_core::models::Version;
/// let v: Version =
///     serde_json::from_str(r#"{"release":"7.4","version":"7.4-16","repoid":"0f39f621"}"#).unwrap();
/// assert_eq!(v.major(), Some(7));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Full pve-manager package version, e.g. `7.4-16` or `9.0.3`.
    pub version: String,
    /// Point release in `x.y` form, e.g. `7.4`.
    pub release: String,
    /// Short git revision of the build: 8 hex digits up to PVE 8.x, 16 from 9.x.
    pub repoid: String,
    /// Default console viewer (`applet`, `vv`, `html5`, `xtermjs`) when the datacenter sets one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub console: Option<String>,
    /// Fields this client does not model, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Version {
    /// The major release number (`7` for `7.4`), when `release` starts with one.
    pub fn major(&self) -> Option<u32> {
        self.release.split('.').next()?.parse().ok()
    }

    /// The minor release number (`4` for `7.4`), when `release` has one.
    pub fn minor(&self) -> Option<u32> {
        self.release.split('.').nth(1)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pve9_with_16_hex_repoid_and_console() {
        let v: Version = serde_json::from_str(
            r#"{"release":"9.1","version":"9.1.1","repoid":"42db4a6cf33dac83","console":"xtermjs","extra":1}"#,
        )
        .unwrap();
        assert_eq!(v.repoid.len(), 16);
        assert_eq!(v.console.as_deref(), Some("xtermjs"));
        assert_eq!((v.major(), v.minor()), (Some(9), Some(1)));
        assert_eq!(v.extra["extra"], 1);
    }

    #[test]
    fn missing_version_is_an_error() {
        let err =
            serde_json::from_str::<Version>(r#"{"release":"9.1","repoid":"ab"}"#).unwrap_err();
        assert!(err.to_string().contains("version"), "{err}");
    }
}
