//! `containers().create(spec)` arguments, converted to the core's checked `ContainerSpec`.

use napi_derive::napi;
use proxmox_api_core::api::{ContainerSpec as CoreSpec, Placement};
use proxmox_api_core::Error as CoreError;

/// What to create (`containers().create(spec)`). Only `hostname` and `template` are required; the core
/// validates everything before sending.
#[napi(object, object_to_js = false)]
pub struct ContainerSpec {
    /// Hostname (RFC 1123).
    pub hostname: String,
    /// Template volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`.
    pub template: String,
    /// Storage for the root disk (default `local-lvm`).
    pub storage: Option<String>,
    /// Root disk size in GiB (default 8).
    pub disk_gib: Option<u32>,
    /// CPU cores (default 1).
    pub cores: Option<u32>,
    /// Memory in MiB (default 512).
    pub memory_mib: Option<u32>,
    /// Swap in MiB (default 512).
    pub swap_mib: Option<u32>,
    /// PVE's OS type name; guessed from the template when unset.
    pub ostype: Option<String>,
    /// First network interface as a PVE property string (default DHCP on `vmbr0`).
    pub net0: Option<String>,
    /// Root password.
    pub password: Option<String>,
    /// SSH public keys for root.
    pub ssh_public_keys: Option<Vec<String>>,
    /// Unprivileged (default `true`).
    pub unprivileged: Option<bool>,
    /// A user (`name@realm`) to grant access to the new container.
    pub owner: Option<String>,
    /// The role the owner gets on `/vms/<vmid>` (default `PVEVMUser`).
    pub owner_role: Option<String>,
    /// The node; chosen by the core's placement policy (most free memory) when unset.
    pub node: Option<String>,
    /// The vmid; the next free one when unset.
    pub vmid: Option<u32>,
    /// How the node is chosen when `node` is unset (default `most_free_memory`).
    #[napi(ts_type = "'most_free_memory' | 'least_load' | 'most_free_disk'")]
    pub placement: Option<String>,
    /// Makes the creation idempotent: a repeated creation with the same key returns the
    /// container the first one created instead of creating another (one key per intended
    /// container, e.g. a request id).
    pub idempotency_key: Option<String>,
}

impl ContainerSpec {
    /// The core spec and the idempotency key; everything is checked before anything is sent.
    pub fn into_core(self) -> Result<(CoreSpec, Option<String>), CoreError> {
        let mut builder = CoreSpec::builder()
            .hostname(self.hostname)
            .template(self.template);
        if let Some(v) = self.storage {
            builder = builder.storage(v);
        }
        if let Some(v) = self.disk_gib {
            builder = builder.disk_gib(v);
        }
        if let Some(v) = self.cores {
            builder = builder.cores(v);
        }
        if let Some(v) = self.memory_mib {
            builder = builder.memory_mib(v);
        }
        if let Some(v) = self.swap_mib {
            builder = builder.swap_mib(v);
        }
        if let Some(v) = self.ostype {
            builder = builder.ostype(v);
        }
        if let Some(v) = self.net0 {
            builder = builder.net0(v);
        }
        if let Some(v) = self.password {
            builder = builder.password(v);
        }
        for key in self.ssh_public_keys.into_iter().flatten() {
            builder = builder.ssh_public_key(key);
        }
        if let Some(v) = self.unprivileged {
            builder = builder.unprivileged(v);
        }
        if let Some(v) = self.owner {
            builder = builder.owner(v);
        }
        if let Some(v) = self.owner_role {
            builder = builder.owner_role(v);
        }
        if let Some(v) = self.node {
            builder = builder.node(v);
        }
        if let Some(v) = self.vmid {
            builder = builder.vmid(v);
        }
        if let Some(v) = self.placement {
            builder = builder.placement(placement(&v)?);
        }
        Ok((builder.build()?, self.idempotency_key))
    }
}

/// `most_free_memory`, `least_load` or `most_free_disk`.
fn placement(value: &str) -> Result<Placement, CoreError> {
    match value {
        "most_free_memory" => Ok(Placement::MostFreeMemory),
        "least_load" => Ok(Placement::LeastLoad),
        "most_free_disk" => Ok(Placement::MostFreeDisk),
        other => Err(CoreError::invalid_input(
            "placement",
            format!("{other:?} is not one of most_free_memory, least_load, most_free_disk"),
        )),
    }
}
