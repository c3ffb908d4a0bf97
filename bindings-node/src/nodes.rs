//! `client.nodes()` and `client.node(name)`: the cluster's nodes, and one node. Their methods are
//! generated from the operation table (`faces`).

use napi_derive::napi;
use proxmox_api_core::api::{NodeApi as CoreNode, NodesApi as CoreNodes};

/// The cluster's nodes. Created by `client.nodes()`.
#[napi]
pub struct NodesApi {
    pub(crate) inner: CoreNodes,
}

/// One node. Created by `client.node(name)`; nothing is sent until a method is called.
#[napi]
pub struct NodeApi {
    pub(crate) inner: CoreNode,
}
