//! `client.containers()` (containers across the cluster) and the container handle. Their methods
//! are generated from the operation table (`faces`) except `create`, whose Node shape is one spec
//! object (`containers().create({ hostname, template, ... })`).

use napi_derive::napi;
use proxmox_api_core::api::{ContainerApi as CoreContainer, ContainersApi as CoreContainers};

use crate::abort::{abortable, AbortSignal};
use crate::outcome::Outcome;
use crate::spec::ContainerSpec;
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

#[napi]
impl ContainersApi {
    /// Creates a container. The spec is checked before anything is sent; the node (by
    /// `placement`, default most free memory) and the vmid (next free) are chosen when not given.
    /// Not retry-safe once sent, unless `idempotencyKey` is given: a repeated creation with the
    /// same key returns the container the first one created.
    #[napi(ts_return_type = "Promise<CreatedContainer>")]
    pub async fn create(
        &self,
        spec: ContainerSpec,
        signal: Option<AbortSignal>,
    ) -> Outcome<CreatedContainer> {
        abortable(signal, async {
            let (spec, idempotency_key) = spec.into_core()?;
            let mut create = self.inner.create(spec);
            if let Some(key) = idempotency_key {
                create = create.idempotency_key(key);
            }
            let created = create.send().await?;
            Ok::<_, proxmox_api_core::Error>(CreatedContainer {
                vmid: created.vmid,
                node: created.node,
                task: Task {
                    inner: created.task,
                },
            })
        })
        .await
        .into()
    }
}

/// One container. Created by `client.node(name).container(vmid)` or `containers().handle(vmid)`.
#[napi]
pub struct ContainerApi {
    pub(crate) inner: CoreContainer,
}
