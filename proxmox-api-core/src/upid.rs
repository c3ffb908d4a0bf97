//! Proxmox task identifiers (UPIDs).

/// A parsed UPID: `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upid {
    /// Node the task runs on.
    pub node: String,
    /// Worker process id.
    pub pid: u32,
    /// Process start time in clock ticks (8 or 9 hex digits).
    pub pstart: u64,
    /// Task start as Unix seconds.
    pub starttime: i64,
    /// Task type, e.g. `vzcreate`.
    pub task_type: String,
    /// Task object id (often a vmid); may be empty.
    pub id: String,
    /// User (or token `user@realm!name`) that started it.
    pub user: String,
}
