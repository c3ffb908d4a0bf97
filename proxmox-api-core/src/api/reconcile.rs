//! Exactly-once container creation: every creation carries a marker tag unique to the call (or
//! derived from the caller's idempotency key), so that a creation whose response was lost can be
//! found again instead of being orphaned or repeated.
//!
//! PVE writes the new container's config (with its tags) before it answers the create call, so
//! once the call was executed the container is visible in `/cluster/resources` with the marker.

use sha2::{Digest, Sha256};

use crate::client::Client;
use crate::error::Error;
use crate::models::{resource_listing, ClusterResource, TaskSummary};
use crate::request::ApiRequest;
use crate::upid::Upid;

/// The tag prefix of creation markers. Tags allow `[a-z0-9_][a-z0-9_\-+.]*`.
const MARKER_PREFIX: &str = "pxa-";

/// The marker tag for one creation: derived from the idempotency key (so a repeated call finds
/// the first one's container), or random for a call without a key.
pub(crate) fn creation_marker(idempotency_key: Option<&str>) -> String {
    match idempotency_key {
        Some(key) => {
            let digest = Sha256::digest(key.as_bytes());
            let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
            format!("{MARKER_PREFIX}key-{hex}")
        }
        None => format!("{MARKER_PREFIX}op-{:016x}", fastrand::u64(..)),
    }
}

/// Whether the server may or may not have executed a write that failed with `error`: it was sent
/// and no definitive answer came back (a broken connection, a timeout, a gateway error).
pub(crate) fn outcome_unknown(error: &Error) -> bool {
    matches!(
        error,
        Error::Timeout { sent: true, .. }
            | Error::Api {
                status: 0 | 502..=504,
                ..
            }
            | Error::NodeUnreachable { .. }
    )
}

/// A container carrying `marker`: its node, vmid and the UPID of its creation task.
pub(crate) async fn find_marked(
    client: &Client,
    marker: &str,
) -> Result<Option<(String, u32, Option<Upid>)>, Error> {
    let resources = client
        .send_decoding(
            ApiRequest::get(["cluster", "resources"]).param("type", "vm"),
            resource_listing::decode_body,
        )
        .await?;
    let Some(guest) = resources
        .iter()
        .filter_map(ClusterResource::as_lxc)
        .find(|g| g.tag_list().iter().any(|t| t == marker))
    else {
        return Ok(None);
    };
    let tasks: Vec<TaskSummary> = client
        .send(
            ApiRequest::get(["nodes", guest.node.as_str(), "tasks"])
                .param("typefilter", "vzcreate")
                .param("vmid", guest.vmid)
                // The creation task may still run; PVE lists running tasks only with `all`.
                .param("source", "all"),
        )
        .await?;
    let upid = tasks
        .iter()
        .filter_map(|t| t.upid.parse::<Upid>().ok())
        .next();
    Ok(Some((guest.node.clone(), guest.vmid, upid)))
}

/// Whether any guest (container or VM) has `vmid`.
pub(crate) async fn vmid_exists(client: &Client, vmid: u32) -> Result<bool, Error> {
    let resources = client
        .send_decoding(
            ApiRequest::get(["cluster", "resources"]).param("type", "vm"),
            resource_listing::decode_body,
        )
        .await?;
    Ok(resources
        .iter()
        .filter_map(ClusterResource::as_guest)
        .any(|g| g.vmid == vmid))
}
