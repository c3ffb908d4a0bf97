//! `client.nodes()` and `client.node(name)`: the cluster's nodes, and one node.

use napi_derive::napi;
use proxmox_api_core::api::{NodeApi as CoreNode, NodesApi as CoreNodes};

use crate::abort::{abortable, AbortSignal};
use crate::containers::ContainerApi;
use crate::enums;
use crate::json_text::JsonText;
use crate::outcome::Outcome;
use crate::per_node::PerNodeResults;
use crate::results::json;
use crate::tasks::Task;

/// The cluster's nodes. Created by `client.nodes()`.
#[napi]
pub struct NodesApi {
    pub(crate) inner: CoreNodes,
}

#[napi]
impl NodesApi {
    /// Every node with its online state and metrics (`GET /nodes`). Retry-safe (a read).
    #[napi(ts_return_type = "Promise<Array<NodeSummary>>")]
    pub async fn list(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.list().await) })
            .await
            .into()
    }

    /// Every node's full status, asked concurrently (offline nodes are not contacted and come
    /// back as `NodeUnreachableError` at once). One node's failure never fails the others.
    #[napi(ts_return_type = "Promise<PerNode<NodeStatus>>")]
    pub async fn status_all(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        abortable(signal, async {
            self.inner.status_all().await.map(PerNodeResults::new)
        })
        .await
        .into()
    }
}

/// One node. Created by `client.node(name)`; nothing is sent until a method is called.
#[napi]
pub struct NodeApi {
    pub(crate) inner: CoreNode,
}

#[napi]
impl NodeApi {
    /// The node's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// Full status: cpu, memory, swap, root disk, load, versions (`GET /nodes/{node}/status`).
    #[napi(ts_return_type = "Promise<NodeStatus>")]
    pub async fn status(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.status().await) })
            .await
            .into()
    }

    /// Graph data of the node; missing samples are `null`.
    #[napi(ts_return_type = "Promise<Array<NodeRrdPoint>>")]
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

    /// The node's storages (`GET /nodes/{node}/storage`).
    #[napi(ts_return_type = "Promise<Array<StorageSummary>>")]
    pub async fn storages(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.storages().await) })
            .await
            .into()
    }

    /// What a storage holds, optionally of one content type (`vztmpl`, `rootdir`, `iso`, ...).
    #[napi(ts_return_type = "Promise<Array<StorageContentItem>>")]
    pub async fn storage_content(
        &self,
        storage: String,
        content: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            json(
                self.inner
                    .storage_content(&storage, content.as_deref())
                    .await,
            )
        })
        .await
        .into()
    }

    /// The container templates on every usable storage of the node.
    #[napi(ts_return_type = "Promise<Array<StorageContentItem>>")]
    pub async fn templates(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.templates().await) })
            .await
            .into()
    }

    /// The appliance templates the node can download (`GET /nodes/{node}/aplinfo`).
    #[napi(ts_return_type = "Promise<Array<AplInfoEntry>>")]
    pub async fn aplinfo(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.aplinfo().await) })
            .await
            .into()
    }

    /// Downloads an appliance template to a storage; resolves to the download task. Not
    /// retry-safe once sent (a second download may start).
    #[napi(ts_return_type = "Promise<Task>")]
    pub async fn download_template(
        &self,
        storage: String,
        template: String,
        signal: Option<AbortSignal>,
    ) -> Outcome<Task> {
        abortable(signal, async {
            self.inner
                .download_template(&storage, &template)
                .await
                .map(Task::from)
        })
        .await
        .into()
    }

    /// The node's containers (`GET /nodes/{node}/lxc`).
    #[napi(ts_return_type = "Promise<Array<LxcSummary>>")]
    pub async fn containers(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.containers().await) })
            .await
            .into()
    }

    /// A handle for container `vmid` on this node; nothing is sent.
    #[napi]
    pub fn container(&self, vmid: u32) -> ContainerApi {
        ContainerApi {
            inner: self.inner.container(vmid),
        }
    }

    /// The node's recent tasks, optionally of one type (`vzcreate`, ...) or one guest.
    #[napi(ts_return_type = "Promise<Array<TaskSummary>>")]
    pub async fn tasks(
        &self,
        task_type: Option<String>,
        vmid: Option<u32>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            json(self.inner.tasks(task_type.as_deref(), vmid).await)
        })
        .await
        .into()
    }

    /// One page of the node's task history (`start` entries skipped, at most `limit`, default 0 and 50) with PVE's `total` of all matching tasks, for paging.
    #[napi(ts_return_type = "Promise<TaskList>")]
    pub async fn task_page(
        &self,
        task_type: Option<String>,
        vmid: Option<u32>,
        start: Option<i64>,
        limit: Option<i64>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            let start = non_negative("start", start.unwrap_or(0))?;
            let limit = non_negative("limit", limit.unwrap_or(50))?;
            json(
                self.inner
                    .task_page(task_type.as_deref(), vmid, start, limit)
                    .await,
            )
        })
        .await
        .into()
    }
}

/// A JavaScript integer argument that must not be negative (napi's u32/u64 would wrap it).
fn non_negative(parameter: &str, value: i64) -> Result<u64, proxmox_api_core::Error> {
    u64::try_from(value).map_err(|_| {
        proxmox_api_core::Error::invalid_input(
            parameter,
            format!("must be a whole number of 0 or more, got {value}"),
        )
    })
}
