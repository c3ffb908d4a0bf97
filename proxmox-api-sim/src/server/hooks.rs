//! The few places where the server reaches into the cluster model (built in `src/cluster`),
//! kept in one file.

use crate::cluster::{ClusterConfig, ClusterState};
use crate::state::SimState;

/// What the builder asks of the cluster model.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Number of nodes, named `pve1`..`pveN`.
    pub nodes: usize,
    /// Extra pre-populated containers.
    pub guests: usize,
    /// Extra pre-populated QEMU VMs.
    pub vms: usize,
}

/// Builds the cluster model; vncproxy hands out the server's own certificate, as PVE does.
pub fn build_cluster(options: &ClusterOptions, certificate_pem: Option<&str>) -> ClusterState {
    let mut cluster = ClusterState::new(ClusterConfig {
        nodes: options.nodes,
        guests: options.guests,
        vms: options.vms,
        ..ClusterConfig::default()
    });
    if let Some(pem) = certificate_pem {
        cluster.set_certificate_pem(pem);
    }
    cluster
}

/// Lets finished tasks finish before a request looks at the state, and drops the ACL entries
/// of containers a finished destroy purged.
pub fn tick(state: &mut SimState) {
    let now = state.clock.unix_f64();
    state.cluster.tick(now, &state.faults);
    for vmid in state.cluster.take_purged_vmids() {
        state.access.remove_acl_path(&format!("/vms/{vmid}"));
    }
}

/// Whether a VNC ticket issued by vncproxy is valid for this websocket.
pub fn vnc_ticket_valid(
    state: &SimState,
    node: &str,
    vmid: &str,
    port: &str,
    ticket: &str,
) -> bool {
    let (Ok(vmid), Ok(port)) = (vmid.parse::<u32>(), port.parse::<u16>()) else {
        return false;
    };
    state
        .cluster
        .vnc_ticket_valid(node, vmid, port, ticket, state.clock.unix())
}
