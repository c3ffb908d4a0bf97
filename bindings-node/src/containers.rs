//! `client.containers()` (containers across the cluster) and the container handle.

use napi_derive::napi;
use proxmox_api_core::api::{ContainerApi as CoreContainer, ContainersApi as CoreContainers};

use crate::abort::{abortable, AbortSignal};
use crate::console::VncProxy;
use crate::enums;
use crate::json_text::JsonText;
use crate::outcome::Outcome;
use crate::results::json;
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
    /// Every container in the cluster, in one request (`GET /cluster/resources?type=vm`).
    #[napi(ts_return_type = "Promise<Array<GuestResource>>")]
    pub async fn list(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.list().await) })
            .await
            .into()
    }

    /// The node that hosts container `vmid` (`NotFoundError` when none does).
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn locate(&self, vmid: u32, signal: Option<AbortSignal>) -> Outcome<String> {
        abortable(signal, self.inner.locate(vmid)).await.into()
    }

    /// A handle for container `vmid`, wherever it lives (one request to find its node).
    #[napi(ts_return_type = "Promise<ContainerApi>")]
    pub async fn handle(&self, vmid: u32, signal: Option<AbortSignal>) -> Outcome<ContainerApi> {
        abortable(signal, async {
            self.inner
                .handle(vmid)
                .await
                .map(|inner| ContainerApi { inner })
        })
        .await
        .into()
    }

    /// One container by vmid, asking only the node that hosts it: `{ vmid, node, status, config }`.
    #[napi(ts_return_type = "Promise<Container>")]
    pub async fn get(&self, vmid: u32, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.get(vmid).await) })
            .await
            .into()
    }

    /// Creates a container. The spec is checked before anything is sent; the node (most free
    /// memory) and the vmid (next free) are chosen when not given. Not retry-safe once sent:
    /// check with `list()` before creating again.
    #[napi(ts_return_type = "Promise<CreatedContainer>")]
    pub async fn create(
        &self,
        spec: ContainerSpec,
        signal: Option<AbortSignal>,
    ) -> Outcome<CreatedContainer> {
        abortable(signal, async {
            let created = self.inner.create(spec.into_core()?).send().await?;
            Ok::<_, proxmox_api_core::Error>(CreatedContainer {
                vmid: created.vmid,
                node: created.node,
                task: Task::from(created.task),
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

#[napi]
impl ContainerApi {
    /// The container's id.
    #[napi(getter)]
    pub fn vmid(&self) -> u32 {
        self.inner.vmid()
    }

    /// The node it lives on.
    #[napi(getter)]
    pub fn node(&self) -> String {
        self.inner.node().to_owned()
    }

    /// Current status (`GET .../status/current`).
    #[napi(ts_return_type = "Promise<LxcStatus>")]
    pub async fn status(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.status().await) })
            .await
            .into()
    }

    /// Configuration (`GET .../config`).
    #[napi(ts_return_type = "Promise<LxcConfig>")]
    pub async fn config(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.config().await) })
            .await
            .into()
    }

    /// Starts it; resolves to the `vzstart` task.
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn start(&self, signal: Option<AbortSignal>) -> Outcome<Task> {
        abortable(signal, async { self.inner.start().await.map(Task::from) })
            .await
            .into()
    }

    /// Stops it at once (like pulling the plug); resolves to the `vzstop` task.
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn stop(&self, signal: Option<AbortSignal>) -> Outcome<Task> {
        abortable(signal, async { self.inner.stop().await.map(Task::from) })
            .await
            .into()
    }

    /// Shuts it down cleanly; resolves to the `vzshutdown` task.
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn shutdown(&self, signal: Option<AbortSignal>) -> Outcome<Task> {
        abortable(signal, async {
            self.inner.shutdown().await.map(Task::from)
        })
        .await
        .into()
    }

    /// Reboots it; resolves to the `vzreboot` task.
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn reboot(&self, signal: Option<AbortSignal>) -> Outcome<Task> {
        abortable(signal, async { self.inner.reboot().await.map(Task::from) })
            .await
            .into()
    }

    /// Destroys it with its disks and ACL entries (a running container is stopped first);
    /// resolves to the `vzdestroy` task.
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn delete(&self, signal: Option<AbortSignal>) -> Outcome<Task> {
        abortable(signal, async { self.inner.delete().await.map(Task::from) })
            .await
            .into()
    }

    /// Graph data of the container; missing samples are `null`.
    #[napi(ts_return_type = "Promise<Array<GuestRrdPoint>>")]
    pub async fn rrddata(
        &self,
        #[napi(ts_arg_type = "'hour' | 'day' | 'week' | 'month' | 'year'")] timeframe: String,
        #[napi(ts_arg_type = "'AVERAGE' | 'MAX'")] consolidation: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            let timeframe = enums::timeframe(&timeframe)?;
            let consolidation = enums::consolidation(consolidation.as_deref())?;
            json(self.inner.rrddata(timeframe, consolidation).await)
        })
        .await
        .into()
    }

    /// Opens a VNC proxy for the console (its ticket lives about 20-40 s).
    #[napi(ts_return_type = "Promise<VncProxy>")]
    pub async fn vnc_proxy(&self, signal: Option<AbortSignal>) -> Outcome<VncProxy> {
        abortable(signal, async {
            self.inner.vnc_proxy().await.map(VncProxy::from)
        })
        .await
        .into()
    }
}
