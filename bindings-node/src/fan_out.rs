//! `client.fanOut(...)`: one operation on every node at once, each node with its own result.

use std::time::Duration;

use napi_derive::napi;
use proxmox_api_core::api::{FanOut as CoreFanOut, DEFAULT_CONCURRENCY, DEFAULT_PER_NODE_TIMEOUT};

use crate::abort::{abortable, AbortSignal};
use crate::enums;
use crate::outcome::Outcome;
use crate::per_node::PerNodeResults;

/// One operation on every node (from `client.fanOut()`): at most `concurrency` nodes at a time,
/// each abandoned after its own timeout; offline nodes are not contacted and come back as
/// `NodeUnreachableError` at once. Every method resolves to a map node -> result.
#[napi]
pub struct FanOut {
    pub(crate) inner: CoreFanOut,
}

impl FanOut {
    /// The core's fan-out with the core's defaults (64 at a time, 30 s per node).
    pub fn new(
        core: CoreFanOut,
        concurrency: Option<u32>,
        per_node_timeout_ms: Option<u32>,
        only: Option<Vec<String>>,
    ) -> Self {
        let mut inner = core
            .concurrency(concurrency.map_or(DEFAULT_CONCURRENCY, |n| n as usize))
            .per_node_timeout(per_node_timeout_ms.map_or(DEFAULT_PER_NODE_TIMEOUT, |ms| {
                Duration::from_millis(u64::from(ms))
            }));
        if let Some(nodes) = only {
            inner = inner.only(nodes);
        }
        FanOut { inner }
    }
}

#[napi]
impl FanOut {
    /// Every node's full status.
    #[napi(ts_return_type = "Promise<PerNode<NodeStatus>>")]
    pub async fn status(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        let fan_out = self.inner.clone();
        abortable(signal, async move {
            fan_out
                .run(|node| async move { node.status().await })
                .await
                .map(PerNodeResults::new)
        })
        .await
        .into()
    }

    /// Every node's storages.
    #[napi(ts_return_type = "Promise<PerNode<Array<StorageSummary>>>")]
    pub async fn storages(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        let fan_out = self.inner.clone();
        abortable(signal, async move {
            fan_out
                .run(|node| async move { node.storages().await })
                .await
                .map(PerNodeResults::new)
        })
        .await
        .into()
    }

    /// Every node's downloaded templates.
    #[napi(ts_return_type = "Promise<PerNode<Array<StorageContentItem>>>")]
    pub async fn templates(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        let fan_out = self.inner.clone();
        abortable(signal, async move {
            fan_out
                .run(|node| async move { node.templates().await })
                .await
                .map(PerNodeResults::new)
        })
        .await
        .into()
    }

    /// Every node's containers.
    #[napi(ts_return_type = "Promise<PerNode<Array<LxcSummary>>>")]
    pub async fn containers(&self, signal: Option<AbortSignal>) -> Outcome<PerNodeResults> {
        let fan_out = self.inner.clone();
        abortable(signal, async move {
            fan_out
                .run(|node| async move { node.containers().await })
                .await
                .map(PerNodeResults::new)
        })
        .await
        .into()
    }

    /// Every node's graph data.
    #[napi(ts_return_type = "Promise<PerNode<Array<NodeRrdPoint>>>")]
    pub async fn rrddata(
        &self,
        #[napi(ts_arg_type = "'hour' | 'day' | 'week' | 'month' | 'year'")] timeframe: String,
        #[napi(ts_arg_type = "'AVERAGE' | 'MAX'")] consolidation: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Outcome<PerNodeResults> {
        let fan_out = self.inner.clone();
        abortable(signal, async move {
            let timeframe = enums::timeframe(&timeframe)?;
            let consolidation = enums::consolidation(consolidation.as_deref())?;
            fan_out
                .run(move |node| async move { node.rrddata(timeframe, consolidation).await })
                .await
                .map(PerNodeResults::new)
        })
        .await
        .into()
    }
}
