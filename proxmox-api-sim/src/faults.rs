//! Injected faults. The server layer applies the request-level ones (offline nodes, latency,
//! failing requests, expired tickets); the cluster reads the task-level ones.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

/// Faults in force.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Nodes that answer 595 and show as offline in cluster status and resources.
    pub offline_nodes: BTreeSet<String>,
    /// Extra latency for every request.
    pub latency_all: Duration,
    /// Extra latency for requests to `/nodes/{node}/...`.
    pub latency_by_node: BTreeMap<String, Duration>,
    /// Next-task failures by task type (e.g. `vzcreate`): each entry is one exit status to use.
    pub task_failures: BTreeMap<String, VecDeque<String>>,
    /// Containers whose config lock is held by the test (vmid -> lock name).
    pub held_locks: BTreeMap<u32, String>,
    /// Factor applied to every task's duration (0 = instant).
    pub task_duration_scale: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            offline_nodes: BTreeSet::new(),
            latency_all: Duration::ZERO,
            latency_by_node: BTreeMap::new(),
            task_failures: BTreeMap::new(),
            held_locks: BTreeMap::new(),
            task_duration_scale: 1.0,
        }
    }
}
