//! The cluster as a whole: resources, quorum, next free id and task history.

use crate::client::Client;
use crate::error::Error;
use crate::models::{resource_listing, ClusterResource, ClusterStatusEntry, NextId, TaskSummary};
use crate::request::ApiRequest;

/// The kinds `GET /cluster/resources` can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// Guests: containers and virtual machines.
    Vm,
    /// Nodes.
    Node,
    /// Storages, once per node.
    Storage,
    /// Software-defined network zones.
    Sdn,
}

impl ResourceKind {
    /// PVE's name for the filter.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Vm => "vm",
            ResourceKind::Node => "node",
            ResourceKind::Storage => "storage",
            ResourceKind::Sdn => "sdn",
        }
    }
}

/// Which tasks to list; every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    /// Only tasks of this type, e.g. `vzcreate`, `vzdestroy`.
    pub task_type: Option<String>,
    /// Only tasks about this guest.
    pub vmid: Option<u32>,
    /// Only tasks on this node.
    pub node: Option<String>,
}

impl TaskFilter {
    /// Every task.
    pub fn all() -> Self {
        Self::default()
    }

    /// Only tasks of `task_type`.
    pub fn task_type(mut self, task_type: impl Into<String>) -> Self {
        self.task_type = Some(task_type.into());
        self
    }

    /// Only tasks about guest `vmid`.
    pub fn vmid(mut self, vmid: u32) -> Self {
        self.vmid = Some(vmid);
        self
    }

    /// Only tasks on `node`.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Whether `task` passes the filter.
    pub fn matches(&self, task: &TaskSummary) -> bool {
        let type_ok = match &self.task_type {
            Some(t) => &task.task_type == t,
            None => true,
        };
        let vmid_ok = match self.vmid {
            Some(v) => task.vmid() == Some(v),
            None => true,
        };
        let node_ok = match &self.node {
            Some(n) => &task.node == n,
            None => true,
        };
        type_ok && vmid_ok && node_ok
    }
}

/// How a finished (or still running) task ended, as the task history tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskResult {
    /// Still running.
    Running,
    /// `OK`.
    Ok,
    /// `WARNINGS: n`: succeeded with `n` warnings.
    Warnings(u32),
    /// Anything else: the error text.
    Failed(String),
}

impl TaskResult {
    /// Classifies a task history entry's `status` (absent while running).
    pub fn from_status(status: Option<&str>) -> Self {
        match status {
            None | Some("") | Some("running") => TaskResult::Running,
            Some("OK") => TaskResult::Ok,
            Some(text) => match text
                .strip_prefix("WARNINGS: ")
                .and_then(|n| n.trim().parse().ok())
            {
                Some(n) => TaskResult::Warnings(n),
                None => TaskResult::Failed(text.to_owned()),
            },
        }
    }

    /// Whether the task succeeded (with or without warnings).
    pub fn succeeded(&self) -> bool {
        matches!(self, TaskResult::Ok | TaskResult::Warnings(_))
    }
}

/// One container destruction from the task history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestroyRecord {
    /// The destroyed container.
    pub vmid: u32,
    /// The node it was on.
    pub node: String,
    /// Who destroyed it.
    pub user: String,
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds; `None` while running.
    pub end: Option<i64>,
    /// How it ended.
    pub outcome: TaskResult,
}

/// The cluster. Created by [`Client::cluster`].
#[derive(Debug, Clone)]
pub struct ClusterApi {
    client: Client,
}

impl Client {
    /// The cluster as a whole.
    pub fn cluster(&self) -> ClusterApi {
        ClusterApi {
            client: self.clone(),
        }
    }
}

impl ClusterApi {
    /// Every node, guest and storage the caller may see, in one request, optionally of one kind.
    /// Kinds this client does not know are kept as [`ClusterResource::Other`].
    pub async fn resources(
        &self,
        kind: Option<ResourceKind>,
    ) -> Result<Vec<ClusterResource>, Error> {
        self.client
            .send_decoding(
                ApiRequest::get(["cluster", "resources"])
                    .param_opt("type", kind.map(|k| k.as_str())),
                resource_listing::decode_body,
            )
            .await
    }

    /// Quorum and which nodes are online (`GET /cluster/status`).
    pub async fn status(&self) -> Result<Vec<ClusterStatusEntry>, Error> {
        self.client
            .send(ApiRequest::get(["cluster", "status"]))
            .await
    }

    /// The lowest free vmid. It is not reserved: a creation may still lose it to another.
    pub async fn next_id(&self) -> Result<u32, Error> {
        let NextId(id) = self
            .client
            .send(ApiRequest::get(["cluster", "nextid"]))
            .await?;
        Ok(id)
    }

    /// The cluster's recent tasks (`GET /cluster/tasks`), newest first, narrowed by `filter`.
    pub async fn tasks(&self, filter: &TaskFilter) -> Result<Vec<TaskSummary>, Error> {
        let mut tasks: Vec<TaskSummary> = self
            .client
            .send(ApiRequest::get(["cluster", "tasks"]))
            .await?;
        tasks.retain(|t| filter.matches(t));
        tasks.sort_by_key(|t| std::cmp::Reverse(t.starttime));
        Ok(tasks)
    }

    /// Every container destruction in the cluster's task history, newest first.
    pub async fn destroy_log(&self) -> Result<Vec<DestroyRecord>, Error> {
        let tasks = self
            .tasks(&TaskFilter::all().task_type("vzdestroy"))
            .await?;
        Ok(tasks
            .into_iter()
            .filter_map(|t| {
                Some(DestroyRecord {
                    vmid: t.vmid()?,
                    outcome: TaskResult::from_status(t.status.as_deref()),
                    node: t.node,
                    user: t.user,
                    start: t.starttime,
                    end: t.endtime,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_results_classify_pve_exit_statuses() {
        assert_eq!(TaskResult::from_status(None), TaskResult::Running);
        assert_eq!(TaskResult::from_status(Some("OK")), TaskResult::Ok);
        assert_eq!(
            TaskResult::from_status(Some("WARNINGS: 3")),
            TaskResult::Warnings(3)
        );
        assert_eq!(
            TaskResult::from_status(Some("unable to destroy CT 100 - locked")),
            TaskResult::Failed("unable to destroy CT 100 - locked".to_owned())
        );
        assert!(TaskResult::Warnings(1).succeeded());
        assert!(!TaskResult::Running.succeeded());
    }
}
