//! Typed models of Proxmox VE responses. Every model accepts every recorded fixture meant for it
//! and ignores unknown fields.

pub mod node;
pub mod version;

pub use node::{
    CpuInfo, DiskUsage, KsmInfo, MemoryUsage, NodeOnlineStatus, NodeStatus, NodeSummary,
};
pub use version::Version;
