//! Typed models of Proxmox VE responses. Every model accepts every recorded fixture meant for it
//! and ignores unknown fields.

pub mod access;
pub mod cluster;
pub mod lxc;
pub mod node;
pub mod task;
pub mod version;

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
pub use task::{TaskExit, TaskLogLine, TaskState, TaskStatus, TaskSummary};
pub use version::Version;
