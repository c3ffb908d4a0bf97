//! Nodes, storages, templates, containers, tasks, rrd data, VNC and cluster views.

use crate::api_error::Reply;
use crate::call::Call;
use crate::state::SimState;

/// Cluster state.
#[derive(Debug, Default)]
pub struct ClusterState {}

/// Answers the cluster and node methods the simulator models; `None` for anything else.
pub fn dispatch(state: &mut SimState, call: &Call) -> Option<Reply> {
    let _ = (state, call);
    None
}
