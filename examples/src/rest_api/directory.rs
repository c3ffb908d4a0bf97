//! Group membership in Proxmox VE: who administers the gateway and which users it manages.
//!
//! Behind a small trait so that the policy in the routes does not depend on how membership is
//! stored; [`PveGroups`] keeps it where the project keeps all state, in Proxmox VE's
//! `/access/groups`.

use async_trait::async_trait;
use proxmox_api_core::{ApiRequest, Client, Error};
use serde_json::Value;

/// Group membership, as the gateway needs it.
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// Creates `group` unless it exists.
    async fn ensure_group(&self, group: &str, comment: &str) -> Result<(), Error>;
    /// The user ids in `group`.
    async fn members(&self, group: &str) -> Result<Vec<String>, Error>;
    /// Adds `userid` to `group`, keeping their other groups.
    async fn add_member(&self, group: &str, userid: &str) -> Result<(), Error>;
}

/// Membership read from and written to Proxmox VE through the service account.
#[derive(Debug, Clone)]
pub struct PveGroups {
    client: Client,
}

impl PveGroups {
    /// Groups seen through `client`.
    pub fn new(client: Client) -> Self {
        PveGroups { client }
    }
}

#[async_trait]
impl Directory for PveGroups {
    async fn ensure_group(&self, group: &str, comment: &str) -> Result<(), Error> {
        let groups: Value = self
            .client
            .send(ApiRequest::get(["access", "groups"]))
            .await?;
        let exists = groups
            .as_array()
            .is_some_and(|list| list.iter().any(|g| g["groupid"] == group));
        if !exists {
            let _: Value = self
                .client
                .send(
                    ApiRequest::post(["access", "groups"])
                        .param("groupid", group)
                        .param("comment", comment),
                )
                .await?;
        }
        Ok(())
    }

    async fn members(&self, group: &str) -> Result<Vec<String>, Error> {
        // Segments are percent-encoded by the core, so a name cannot change the path.
        let detail: Value = self
            .client
            .send(ApiRequest::get(["access", "groups", group]))
            .await?;
        Ok(detail["members"]
            .as_array()
            .map(|members| {
                members
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn add_member(&self, group: &str, userid: &str) -> Result<(), Error> {
        let _: Value = self
            .client
            .send(
                ApiRequest::put(["access", "users", userid])
                    .param("groups", group)
                    .param("append", true),
            )
            .await?;
        Ok(())
    }
}
