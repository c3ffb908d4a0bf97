//! Users, realms, tickets, API tokens, ACLs, TFA and permission checks.

use crate::api_error::Reply;
use crate::call::Call;
use crate::state::SimState;

/// Access control state.
#[derive(Debug, Default)]
pub struct AccessState {}

impl AccessState {
    /// Whether `caller` holds `privilege` on `path` (ACL propagation applied). Root always does.
    pub fn can(&self, caller: &crate::call::Caller, path: &str, privilege: &str) -> bool {
        let _ = (path, privilege);
        caller.userid == "root@pam"
    }
}

/// Answers the `/access/...` methods the simulator models; `None` for anything else.
pub fn dispatch(state: &mut SimState, call: &Call) -> Option<Reply> {
    let _ = (state, call);
    None
}
