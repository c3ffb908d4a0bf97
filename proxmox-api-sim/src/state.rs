//! The whole simulated cluster behind one lock.
//!
//! CONTRACT (skeleton): the server takes `state.lock()`, lets `access` authenticate and authorize,
//! validates against the schema, then calls `access::dispatch` and `cluster::dispatch` in that order;
//! `None` from both means "valid but not modelled" (501). Handlers never block and never sleep:
//! tasks finish lazily when the clock passes their end (`cluster::ClusterState::tick`).

use crate::access::AccessState;
use crate::clock::SimClock;
use crate::cluster::ClusterState;
use crate::faults::Faults;

/// Everything the simulator knows.
#[derive(Debug)]
pub struct SimState {
    /// Time for tickets, tasks and node uptime.
    pub clock: SimClock,
    /// Users, passwords, tokens, ACLs, TFA, ticket keys.
    pub access: AccessState,
    /// Nodes, storages, templates, containers, tasks.
    pub cluster: ClusterState,
    /// Injected faults.
    pub faults: Faults,
}
