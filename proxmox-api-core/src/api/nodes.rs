//! Nodes: the cluster's node list, one node's status, rrd data, templates and tasks.

use crate::api::aggregate::PerNode;
use crate::api::containers::ContainerApi;
use crate::api::rrd::cf_param;
use crate::client::Client;
use crate::error::Error;
use crate::models::{
    AplInfoEntry, LxcSummary, NodeRrdPoint, NodeStatus, NodeSummary, RrdConsolidation,
    RrdTimeframe, StorageContentItem, StorageSummary, TaskSummary,
};
use crate::request::ApiRequest;
use crate::tasks::Task;
use crate::upid::Upid;

/// The cluster's nodes as a whole. Created by [`Client::nodes`].
#[derive(Debug, Clone)]
pub struct NodesApi {
    client: Client,
}

/// One node. Created by [`Client::node`].
#[derive(Debug, Clone)]
pub struct NodeApi {
    client: Client,
    node: String,
}

impl Client {
    /// The cluster's nodes.
    pub fn nodes(&self) -> NodesApi {
        NodesApi {
            client: self.clone(),
        }
    }

    /// One node by name.
    pub fn node(&self, name: impl Into<String>) -> NodeApi {
        NodeApi {
            client: self.clone(),
            node: name.into(),
        }
    }
}

impl NodesApi {
    /// Every node with its online state, load, memory, uptime and certificate fingerprint
    /// (`GET /nodes`).
    pub async fn list(&self) -> Result<Vec<NodeSummary>, Error> {
        self.client.send(ApiRequest::get(["nodes"])).await
    }

    /// The full status of every node at once, each node with its own result (offline nodes as
    /// [`Error::NodeUnreachable`]).
    pub async fn status_all(&self) -> Result<PerNode<NodeStatus>, Error> {
        self.client
            .fan_out()
            .run(|node| async move { node.status().await })
            .await
    }
}

impl NodeApi {
    /// The node's name.
    pub fn name(&self) -> &str {
        &self.node
    }

    pub(crate) fn path<const N: usize>(&self, rest: [&str; N]) -> Vec<String> {
        let mut segments = vec!["nodes".to_owned(), self.node.clone()];
        segments.extend(rest.iter().map(|s| (*s).to_owned()));
        segments
    }

    /// The node's status: load, CPU, memory, swap, root disk, kernel and PVE versions
    /// (`GET /nodes/{node}/status`).
    pub async fn status(&self) -> Result<NodeStatus, Error> {
        self.client
            .send(ApiRequest::get(self.path(["status"])))
            .await
    }

    /// The node's graph data (`GET /nodes/{node}/rrddata`); missing samples are `None`.
    pub async fn rrddata(
        &self,
        timeframe: RrdTimeframe,
        consolidation: RrdConsolidation,
    ) -> Result<Vec<NodeRrdPoint>, Error> {
        self.client
            .send(
                ApiRequest::get(self.path(["rrddata"]))
                    .param("timeframe", timeframe.as_str())
                    .param("cf", cf_param(consolidation)),
            )
            .await
    }

    /// The node's storages (`GET /nodes/{node}/storage`).
    pub async fn storages(&self) -> Result<Vec<StorageSummary>, Error> {
        self.client
            .send(ApiRequest::get(self.path(["storage"])))
            .await
    }

    /// The content of one storage, optionally of one content type (`vztmpl`, `rootdir`, ...).
    pub async fn storage_content(
        &self,
        storage: &str,
        content: Option<&str>,
    ) -> Result<Vec<StorageContentItem>, Error> {
        self.client
            .send(
                ApiRequest::get(self.path(["storage", storage, "content"]))
                    .param_opt("content", content),
            )
            .await
    }

    /// The LXC templates downloaded on this node, across every active storage that holds
    /// templates.
    pub async fn templates(&self) -> Result<Vec<StorageContentItem>, Error> {
        let storages: Vec<StorageSummary> = self
            .client
            .send(ApiRequest::get(self.path(["storage"])).param("content", "vztmpl"))
            .await?;
        let mut templates = Vec::new();
        for storage in storages {
            if !storage_usable(&storage) || !storage.content.iter().any(|c| c == "vztmpl") {
                continue;
            }
            let items = self
                .storage_content(&storage.storage, Some("vztmpl"))
                .await?;
            templates.extend(items.into_iter().filter(|i| i.content == "vztmpl"));
        }
        Ok(templates)
    }

    /// The catalogue of downloadable templates (`GET /nodes/{node}/aplinfo`).
    pub async fn aplinfo(&self) -> Result<Vec<AplInfoEntry>, Error> {
        self.client
            .send(ApiRequest::get(self.path(["aplinfo"])))
            .await
    }

    /// Downloads a catalogue template (its `template` name from [`NodeApi::aplinfo`]) into
    /// `storage` (`POST /nodes/{node}/aplinfo`).
    pub async fn download_template(&self, storage: &str, template: &str) -> Result<Task, Error> {
        if storage.is_empty() {
            return Err(Error::invalid_input("storage", "must not be empty"));
        }
        if template.is_empty() {
            return Err(Error::invalid_input("template", "must not be empty"));
        }
        let upid: Upid = self
            .client
            .send(
                ApiRequest::post(self.path(["aplinfo"]))
                    .param("storage", storage)
                    .param("template", template),
            )
            .await?;
        Ok(Task::new(self.client.clone(), upid))
    }

    /// The containers on this node (`GET /nodes/{node}/lxc`).
    pub async fn containers(&self) -> Result<Vec<LxcSummary>, Error> {
        self.client.send(ApiRequest::get(self.path(["lxc"]))).await
    }

    /// One container on this node.
    pub fn container(&self, vmid: u32) -> ContainerApi {
        ContainerApi::new(self.client.clone(), self.node.clone(), vmid)
    }

    /// The node's task history, newest first (`GET /nodes/{node}/tasks`), optionally only of
    /// one type (`vzcreate`, `vzdestroy`, ...) and one guest.
    pub async fn tasks(
        &self,
        task_type: Option<&str>,
        vmid: Option<u32>,
    ) -> Result<Vec<TaskSummary>, Error> {
        self.client
            .send(
                ApiRequest::get(self.path(["tasks"]))
                    .param_opt("typefilter", task_type)
                    .param_opt("vmid", vmid),
            )
            .await
    }

    /// One page of the node's task history (`start` entries skipped, at most `limit`), with
    /// PVE's `total` of all matching tasks, for paging.
    pub async fn task_page(
        &self,
        task_type: Option<&str>,
        vmid: Option<u32>,
        start: u64,
        limit: u64,
    ) -> Result<crate::models::TaskList, Error> {
        let (tasks, total) = self
            .client
            .send_listing(
                ApiRequest::get(self.path(["tasks"]))
                    .param_opt("typefilter", task_type)
                    .param_opt("vmid", vmid)
                    .param("start", start.to_string())
                    .param("limit", limit.to_string()),
            )
            .await?;
        Ok(crate::models::TaskList { tasks, total })
    }
}

/// Whether a storage can be used now: enabled and active (missing flags count as yes, as PVE
/// omits them on some versions).
pub(crate) fn storage_usable(storage: &StorageSummary) -> bool {
    storage.enabled.unwrap_or(true) && storage.active.unwrap_or(true)
}
