//! Fan-out: one operation on every node of the cluster, each node with its own result.
//!
//! Nodes run concurrently up to a bound (default 64: a whole PVE cluster, which has at most a
//! few dozen nodes, in one wave) and each has its own timeout, raced against
//! the client's clock. Nodes that `GET /cluster/status` reports offline are not contacted at all:
//! they come back as [`Error::NodeUnreachable`] at once instead of costing a timeout each. One
//! node's failure never fails the others.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;

use crate::api::nodes::NodeApi;
use crate::client::Client;
use crate::error::Error;
use crate::models::ClusterStatusEntry;
use crate::request::ApiRequest;

/// Default number of nodes contacted at once: every node of any real cluster in one wave.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Default time after which one node's operation is abandoned with [`Error::Timeout`].
pub const DEFAULT_PER_NODE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a node list learnt from `GET /cluster/status` is reused by later fan-outs. Short:
/// a node that goes offline costs at most one per-node timeout within this window.
pub const NODE_LIST_TTL: Duration = Duration::from_secs(5);

/// Per-node results of a fan-out, by node name.
pub type PerNode<T> = BTreeMap<String, Result<T, Error>>;

/// Configures and runs one operation on every node. Created by [`Client::fan_out`].
#[derive(Debug, Clone)]
pub struct FanOut {
    client: Client,
    concurrency: usize,
    per_node_timeout: Duration,
    nodes: Option<Vec<String>>,
}

impl Client {
    /// Runs operations on every node; see [`FanOut`].
    pub fn fan_out(&self) -> FanOut {
        FanOut {
            client: self.clone(),
            concurrency: DEFAULT_CONCURRENCY,
            per_node_timeout: DEFAULT_PER_NODE_TIMEOUT,
            nodes: None,
        }
    }
}

/// Whether a node can be contacted, from `GET /cluster/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReachability {
    /// The node's name.
    pub node: String,
    /// Whether the cluster reports it online.
    pub online: bool,
}

impl FanOut {
    /// At most this many nodes are contacted at the same time (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Each node's operation is abandoned after this long with [`Error::Timeout`].
    pub fn per_node_timeout(mut self, timeout: Duration) -> Self {
        self.per_node_timeout = timeout;
        self
    }

    /// Restricts the fan-out to these nodes (still skipping those reported offline).
    pub fn only(mut self, nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.nodes = Some(nodes.into_iter().map(Into::into).collect());
        self
    }

    /// Runs `op` on every node. The outer `Err` is only for failing to learn the node list.
    pub async fn run<T, F, Fut>(self, op: F) -> Result<PerNode<T>, Error>
    where
        F: Fn(NodeApi) -> Fut + Send,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let nodes = known_cluster_nodes(&self.client).await?;
        let selected: Vec<NodeReachability> = match &self.nodes {
            Some(only) => nodes
                .into_iter()
                .filter(|n| only.contains(&n.node))
                .collect(),
            None => nodes,
        };
        Ok(self.run_on(selected, op).await)
    }

    /// Runs `op` on the given nodes, reporting the offline ones as unreachable without
    /// contacting them.
    pub async fn run_on<T, F, Fut>(&self, nodes: Vec<NodeReachability>, op: F) -> PerNode<T>
    where
        F: Fn(NodeApi) -> Fut + Send,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let mut results = PerNode::new();
        let mut pending = Vec::new();
        for node in nodes {
            if node.online {
                pending.push((node.node.clone(), op(self.client.node(&node.node))));
            } else {
                results.insert(
                    node.node.clone(),
                    Err(Error::NodeUnreachable {
                        status: 595,
                        message: format!("node '{}' is offline (cluster status)", node.node),
                    }),
                );
            }
        }
        let clock = self.client.clock();
        let timeout = self.per_node_timeout;
        let finished: Vec<(String, Result<T, Error>)> = futures_util::stream::iter(pending)
            .map(|(node, fut)| {
                let clock = clock.clone();
                async move {
                    let deadline = clock.sleep(timeout);
                    let result = match select(Box::pin(fut), deadline).await {
                        Either::Left((result, _)) => result,
                        Either::Right(((), _)) => Err(Error::Timeout {
                            sent: true,
                            elapsed_ms: timeout.as_millis() as u64,
                            phase: crate::error::TimeoutPhase::Unknown,
                        }),
                    };
                    (node, result)
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        results.extend(finished);
        results
    }
}

/// The cluster's nodes, reusing a list learnt less than [`NODE_LIST_TTL`] ago (on the client's
/// clock) instead of asking for it before every fan-out.
pub async fn known_cluster_nodes(client: &Client) -> Result<Vec<NodeReachability>, Error> {
    let now = client.clock().now();
    if let Some(nodes) = client.cached_nodes(now, NODE_LIST_TTL) {
        return Ok(nodes);
    }
    let nodes = cluster_nodes(client).await?;
    client.cache_nodes(now, nodes.clone());
    Ok(nodes)
}

/// Every node of the cluster and whether it is online, from `GET /cluster/status`.
pub async fn cluster_nodes(client: &Client) -> Result<Vec<NodeReachability>, Error> {
    let entries: Vec<ClusterStatusEntry> =
        client.send(ApiRequest::get(["cluster", "status"])).await?;
    Ok(entries
        .into_iter()
        .filter(|e| e.kind == "node")
        .map(|e| NodeReachability {
            online: e.online.unwrap_or(false),
            node: e.name,
        })
        .collect())
}
