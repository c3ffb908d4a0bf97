//! PVE's wording for the errors the cluster handlers raise, in one place.

use super::guest::GuestKind;
use crate::api_error::ApiError;

/// Unknown node name (PVE fails to resolve it before proxying).
pub(crate) fn hostname_lookup_failed(node: &str) -> ApiError {
    ApiError::internal(format!(
        "hostname lookup '{node}' failed - failed to get address info for: {node}: Name or service not known"
    ))
}

/// A container that is not on the named node (or nowhere).
pub(crate) fn no_such_container(node: &str, vmid: u32) -> ApiError {
    ApiError::internal(format!(
        "Configuration file '{}' does not exist",
        GuestKind::Lxc.config_file(node, vmid)
    ))
}

/// The vmid is taken anywhere in the cluster (PVE::Cluster::check_vmid_unused).
pub(crate) fn vmid_taken(vmid: u32, node: &str) -> ApiError {
    ApiError::internal(format!("CT {vmid} already exists on node '{node}'"))
}

/// The config file's flock is held by a running task (PVE waits 10 s, then gives up).
pub(crate) fn lock_timeout(vmid: u32) -> ApiError {
    ApiError::internal(lock_timeout_text(vmid))
}

/// Text of [`lock_timeout`].
pub(crate) fn lock_timeout_text(vmid: u32) -> String {
    format!("can't lock file '/run/lock/lxc/pve-config-{vmid}.lock' - got timeout")
}

/// The config carries a `lock` (PVE::AbstractConfig::check_lock; LXC's guest type is `CT`).
pub(crate) fn config_locked_text(lock: &str) -> String {
    format!("CT is locked ({lock})")
}

/// Unknown storage id.
pub(crate) fn no_such_storage(storage: &str) -> ApiError {
    ApiError::internal(format!("storage '{storage}' does not exist"))
}
