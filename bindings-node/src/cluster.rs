//! `client.cluster()`: the cluster as a whole. Its methods are generated from the operation table
//! (`faces`).

use napi_derive::napi;
use proxmox_api_core::api::ClusterApi as CoreCluster;

/// The cluster. Created by `client.cluster()`.
#[napi]
pub struct ClusterApi {
    pub(crate) inner: CoreCluster,
}
