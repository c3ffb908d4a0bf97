//! `client.cluster()`: the cluster as a whole.

use napi_derive::napi;
use proxmox_api_core::api::{ClusterApi as CoreCluster, TaskFilter as CoreFilter};

use crate::abort::{abortable, AbortSignal};
use crate::enums;
use crate::json_text::JsonText;
use crate::outcome::Outcome;
use crate::results::json;

/// The core's task filter from the positional arguments of `tasks(taskType?, vmid?, node?)`.
pub fn task_filter(
    task_type: Option<String>,
    vmid: Option<u32>,
    node: Option<String>,
) -> CoreFilter {
    let mut filter = CoreFilter::all();
    if let Some(t) = task_type {
        filter = filter.task_type(t);
    }
    if let Some(vmid) = vmid {
        filter = filter.vmid(vmid);
    }
    if let Some(node) = node {
        filter = filter.node(node);
    }
    filter
}

/// The cluster. Created by `client.cluster()`.
#[napi]
pub struct ClusterApi {
    pub(crate) inner: CoreCluster,
}

#[napi]
impl ClusterApi {
    /// Every node, guest and storage the caller may see, in one request, optionally of one kind.
    #[napi(ts_return_type = "Promise<Array<ClusterResource>>")]
    pub async fn resources(
        &self,
        #[napi(ts_arg_type = "'vm' | 'node' | 'storage' | 'sdn'")] kind: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            let kind = enums::resource_kind(kind.as_deref())?;
            json(self.inner.resources(kind).await)
        })
        .await
        .into()
    }

    /// Quorum and which nodes are online (`GET /cluster/status`).
    #[napi(ts_return_type = "Promise<Array<ClusterStatusEntry>>")]
    pub async fn status(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.status().await) })
            .await
            .into()
    }

    /// The lowest free vmid. It is not reserved: a creation may still lose it to another.
    #[napi(ts_return_type = "Promise<number>")]
    pub async fn next_id(&self, signal: Option<AbortSignal>) -> Outcome<u32> {
        abortable(signal, self.inner.next_id()).await.into()
    }

    /// The cluster's recent tasks, newest first, narrowed by type (`vzcreate`, ...), guest and
    /// node.
    #[napi(ts_return_type = "Promise<Array<TaskSummary>>")]
    pub async fn tasks(
        &self,
        task_type: Option<String>,
        vmid: Option<u32>,
        node: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            json(self.inner.tasks(&task_filter(task_type, vmid, node)).await)
        })
        .await
        .into()
    }

    /// Every container destruction in the task history, newest first: who, when, how it ended.
    #[napi(ts_return_type = "Promise<Array<DestroyRecord>>")]
    pub async fn destroy_log(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.destroy_log().await) })
            .await
            .into()
    }
}
