//! The few places where the server reaches into the cluster model. Kept in one file so that
//! wiring the cluster (built in parallel in `src/cluster`) touches nothing else.

use crate::clock::SimClock;
use crate::cluster::ClusterState;
use crate::state::SimState;

/// What the builder asks of the cluster model.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Number of nodes, named `pve1`..`pveN`.
    pub nodes: usize,
    /// Extra pre-populated containers.
    pub guests: usize,
}

/// Node names for `nodes` nodes.
pub fn node_names(nodes: usize) -> Vec<String> {
    (1..=nodes).map(|i| format!("pve{i}")).collect()
}

/// Builds the cluster model.
pub fn build_cluster(options: &ClusterOptions, clock: &SimClock) -> ClusterState {
    let _ = (options, clock);
    ClusterState::default()
}

/// Lets finished tasks finish before a request looks at the cluster.
pub fn tick(state: &mut SimState) {
    let _ = state;
}

/// Whether a VNC ticket issued by vncproxy is valid for this websocket.
pub fn vnc_ticket_valid(
    state: &SimState,
    node: &str,
    vmid: &str,
    port: &str,
    ticket: &str,
) -> bool {
    let _ = (state, node, vmid, port);
    ticket.starts_with("PVEVNC:")
}
