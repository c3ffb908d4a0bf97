//! `client.containers()` (containers across the cluster) and the container handle. Their methods
//! are generated from the operation table (`faces`), `create` taking one spec object
//! (`containers().create({ hostname, template, ... })`).

use napi_derive::napi;
use proxmox_api_core::api::{ContainerApi as CoreContainer, ContainersApi as CoreContainers};

use crate::tasks::Task;

/// A container that was just created; its `vzcreate` task may still be running.
#[napi(object, object_from_js = false)]
pub struct CreatedContainer {
    /// The vmid it got.
    pub vmid: u32,
    /// The node it was placed on.
    pub node: String,
    /// The creation task: `await created.task.wait({ onProgress })`.
    pub task: Task,
}

/// Containers across the cluster. Created by `client.containers()`.
#[napi]
pub struct ContainersApi {
    pub(crate) inner: CoreContainers,
}

/// One container. Created by `client.node(name).container(vmid)` or `containers().handle(vmid)`.
#[napi]
pub struct ContainerApi {
    pub(crate) inner: CoreContainer,
}
