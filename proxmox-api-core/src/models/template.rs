//! The appliance catalogue: `GET /nodes/{node}/aplinfo`.

use serde::{Deserialize, Serialize};

use crate::loose;

/// One downloadable template of `GET /nodes/{node}/aplinfo` (PVE returns them in random order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AplInfoEntry {
    /// File name to download, e.g. `debian-12-standard_12.7-1_amd64.tar.zst`; the `template`
    /// parameter of the download call.
    pub template: String,
    /// Package name, e.g. `debian-12-standard`.
    #[serde(default)]
    pub package: String,
    /// Operating system, e.g. `debian-12`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub os: Option<String>,
    /// Package version, e.g. `12.7-1`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_string")]
    pub version: Option<String>,
    /// `lxc` (or `openvz` on very old catalogues).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `system`, `turnkeylinux`, `mail`, ...
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub section: Option<String>,
    /// One-line summary.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub headline: Option<String>,
    /// Longer description.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub description: Option<String>,
    /// Project home page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub infopage: Option<String>,
    /// Download URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub location: Option<String>,
    /// Maintainer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub maintainer: Option<String>,
    /// MD5 of the file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub md5sum: Option<String>,
    /// SHA-512 of the file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub sha512sum: Option<String>,
    /// Catalogue the entry came from.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub source: Option<String>,
    /// Architecture, e.g. `amd64`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub architecture: Option<String>,
    /// Management URL template (some TurnKey appliances).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub manageurl: Option<String>,
}
