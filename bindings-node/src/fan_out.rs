//! `client.fanOut(concurrency?, perNodeTimeout?, only?)`: one operation on every node at once,
//! each node with its own result. Its methods are generated from the operation table (`faces`).

use napi_derive::napi;
use proxmox_api_core::api::FanOut as CoreFanOut;

/// One operation on every node (from `client.fanOut()`): at most `concurrency` nodes at a time,
/// each abandoned after its own timeout; offline nodes are not contacted and come back as
/// `NodeUnreachableError` at once. Every method resolves to a map node -> result.
#[napi]
pub struct FanOut {
    pub(crate) inner: CoreFanOut,
}
