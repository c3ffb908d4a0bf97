//! `client.cluster()`: the cluster as a whole.

use napi_derive::napi;
use proxmox_api_core::api::{ClusterApi as CoreCluster, TaskFilter as CoreFilter};

use crate::abort::{abortable, AbortSignal};
use crate::enums;
use crate::json_text::JsonText;
use crate::outcome::Outcome;
use crate::results::{json, DestroyRecord};

/// Narrows a task listing; every field is optional.
#[napi(object, object_to_js = false)]
pub struct TaskFilter {
    /// Task type, e.g. `vzcreate`, `vzdestroy`.
    pub task_type: Option<String>,
    /// The guest the task was about.
    pub vmid: Option<u32>,
    /// The node it ran on.
    pub node: Option<String>,
}

impl TaskFilter {
    /// The core's filter.
    pub fn into_core(filter: Option<TaskFilter>) -> CoreFilter {
        let mut core = CoreFilter::all();
        if let Some(filter) = filter {
            if let Some(t) = filter.task_type {
                core = core.task_type(t);
            }
            if let Some(vmid) = filter.vmid {
                core = core.vmid(vmid);
            }
            if let Some(node) = filter.node {
                core = core.node(node);
            }
        }
        core
    }
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

    /// The cluster's recent tasks, newest first, narrowed by `filter`.
    #[napi(ts_return_type = "Promise<Array<TaskSummary>>")]
    pub async fn tasks(
        &self,
        filter: Option<TaskFilter>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async {
            json(self.inner.tasks(&TaskFilter::into_core(filter)).await)
        })
        .await
        .into()
    }

    /// Every container destruction in the task history, newest first: who, when, how it ended.
    #[napi(ts_return_type = "Promise<Array<DestroyRecord>>")]
    pub async fn destroy_log(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async {
            json(self.inner.destroy_log().await.map(|records| {
                records
                    .into_iter()
                    .map(DestroyRecord::from)
                    .collect::<Vec<_>>()
            }))
        })
        .await
        .into()
    }
}
