//! Every type the operation table names, so a binding can `use proxmox_api_bindings::prelude::*`
//! where it expands its generator, plus the few types that exist only for the bindings.

use std::pin::Pin;

pub use std::time::Duration;

pub use futures_util::Stream;
pub use proxmox_api_core::api::{BrowserCookie, ConsoleSession, SameSite};
pub use proxmox_api_core::api::{
    ClusterApi, Container, ContainerApi, ContainerSpec, ContainersApi, CreatedContainer,
    DestroyRecord, FanOut, NodeApi, NodesApi, PerNode, Placement, ResourceKind, TaskFilter,
    TaskResult, TemplateAvailability, TemplateCatalog, TemplateLocation, TemplatesApi, User,
    UsersApi, DEFAULT_CONCURRENCY, DEFAULT_PER_NODE_TIMEOUT,
};
pub use proxmox_api_core::models::{
    AclEntry, AclSubject, ApiTokenInfo, AplInfoEntry, ClusterResource, ClusterStatusEntry, CpuInfo,
    DiskUsage, GuestResource, GuestRrdPoint, GuestStatus, KsmInfo, LxcConfig, LxcStatus,
    LxcSummary, MemoryUsage, NodeOnlineStatus, NodeResource, NodeRrdPoint, NodeStatus, NodeSummary,
    RrdConsolidation, RrdTimeframe, StorageContentItem, StorageResource, StorageSummary, TaskList,
    TaskLogLine, TaskState, TaskStatus, TaskSummary, UserDetail, UserEntry, Version, VncProxy,
};
pub use proxmox_api_core::tasks::TaskPhase;
pub use proxmox_api_core::{
    Client, Error, Method, Params, RetrySafety, SessionTicket, Task, TaskOutcome, TaskProgress,
    TasksApi, Upid,
};
pub use serde_json::Value as JsonValue;

/// A secret argument (a password): bindings convert their string into it and must never echo
/// it (not in `repr`, errors or logs). The core takes it as a `String`; [`Secret::expose`]
/// hands it over at the last moment.
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret, for the core call only.
    pub fn expose(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// A progress callback for `Task.wait`: each binding wraps its language's callable (Python
/// callable, JavaScript function) into this. `None` when the caller gave none.
pub type OnProgress = Option<Box<dyn FnMut(&TaskProgress) + Send + 'static>>;

/// The progress reports of a task until it stops (`Task.progress`): the last item is the error
/// when the task failed or timed out. Bindings turn it into their iterator type.
pub type ProgressStream = Pin<Box<dyn Stream<Item = Result<TaskProgress, Error>> + Send>>;

/// Builds a [`TaskFilter`] from the flattened optional arguments the table uses.
pub fn task_filter(
    task_type: Option<String>,
    vmid: Option<u32>,
    node: Option<String>,
) -> TaskFilter {
    let mut filter = TaskFilter::all();
    if let Some(task_type) = task_type {
        filter = filter.task_type(task_type);
    }
    if let Some(vmid) = vmid {
        filter = filter.vmid(vmid);
    }
    if let Some(node) = node {
        filter = filter.node(node);
    }
    filter
}

/// Parses a UPID given as text; a malformed one is an `InvalidInput` error naming `upid`.
pub fn parse_upid(upid: &str) -> Result<Upid, Error> {
    upid.parse()
        .map_err(|e: proxmox_api_core::UpidParseError| Error::invalid_input("upid", e.to_string()))
}
