//! Typed models of Proxmox VE responses, one module per domain. Every model accepts every
//! recorded fixture meant for it (`tests/fixtures.rs`) and ignores unknown fields.

pub mod access;
pub mod cluster;
mod guest_scan;
mod key_tap;
pub mod lxc;
pub mod node;
pub(crate) mod resource_listing;
pub mod rrd;
pub mod storage;
pub mod task;
pub mod template;
pub mod version;
pub mod vnc;

pub use access::{
    AclEntry, AclSubject, ApiTokenInfo, CreatedApiToken, TicketData, UserDetail, UserEntry,
};
pub use cluster::{
    ClusterResource, ClusterStatusEntry, GuestResource, NextId, NodeResource, StorageResource,
};
pub use lxc::{GuestStatus, LxcConfig, LxcStatus, LxcSummary};
pub use node::{
    CpuInfo, DiskUsage, KsmInfo, MemoryUsage, NodeOnlineStatus, NodeStatus, NodeSummary,
};
pub use rrd::{GuestRrdPoint, NodeRrdPoint, RrdConsolidation, RrdTimeframe};
pub use storage::{StorageContentItem, StorageSummary};
pub use task::{TaskExit, TaskList, TaskLogLine, TaskState, TaskStatus, TaskSummary};
pub use template::AplInfoEntry;
pub use version::Version;
pub use vnc::VncProxy;
