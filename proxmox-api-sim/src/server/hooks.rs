//! The few places where the server reaches into the cluster model. Kept in one file so that
//! wiring the cluster (built in parallel in `src/cluster`) touches nothing else.

use crate::api_error::ApiError;
use crate::call::Call;
use crate::clock::SimClock;
use crate::cluster::{ClusterConfig, ClusterState};
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

/// Builds the cluster model (times anchor to the clock on the first tick).
pub fn build_cluster(options: &ClusterOptions, clock: &SimClock) -> ClusterState {
    let mut cluster = ClusterState::new(ClusterConfig {
        nodes: options.nodes,
        guests: options.guests,
        ..ClusterConfig::default()
    });
    cluster.tick(clock.unix_f64(), &crate::faults::Faults::default());
    cluster
}

/// Lets finished tasks finish before a request looks at the cluster.
pub fn tick(state: &mut SimState) {
    crate::cluster::tick_state(state);
}

/// The fast path for large listings (`GET /cluster/resources`): the JSON text of `data`.
pub fn dispatch_raw(state: &mut SimState, call: &Call) -> Option<Result<Vec<u8>, ApiError>> {
    crate::cluster::dispatch_raw(state, call)
}

/// Whether a VNC ticket issued by vncproxy is valid for this websocket.
pub fn vnc_ticket_valid(
    state: &SimState,
    node: &str,
    vmid: &str,
    port: &str,
    ticket: &str,
) -> bool {
    match (vmid.parse::<u32>(), port.parse::<u16>()) {
        (Ok(vmid), Ok(port)) => {
            state
                .cluster
                .vnc_ticket_valid(node, vmid, port, ticket, state.clock.unix())
        }
        _ => false,
    }
}
