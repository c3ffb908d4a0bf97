//! The guest-agent calls (`/nodes/{node}/qemu/{vmid}/agent...`). No simulated VM runs an agent,
//! so every call answers what PVE's `agent_available` (PVE::QemuServer::Agent) dies with, in its
//! order: no `agent` enabled in the config, then the VM not running, then the agent not answering.

use super::qemu::locate;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Any `agent` call (GET or POST, `POST .../agent` with `command` too).
pub(crate) fn call(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let vm = &state.cluster.vms[&vmid];
    let configured = vm.config.get("agent").is_some_and(|a| {
        let first = a.split(',').next().unwrap_or("");
        let enabled = first.strip_prefix("enabled=").unwrap_or(first);
        matches!(enabled, "1" | "on" | "yes" | "true")
    });
    if !configured {
        return Err(ApiError::internal("No QEMU guest agent configured"));
    }
    if !vm.is_running() {
        return Err(ApiError::internal(format!("VM {vmid} is not running")));
    }
    Err(ApiError::internal("QEMU guest agent is not running"))
}
