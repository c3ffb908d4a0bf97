//! `client.users()`: accounts, and container ownership as ACL entries on `/vms/<vmid>`.

use napi_derive::napi;
use proxmox_api_core::api::UsersApi as CoreUsers;

use crate::abort::{abortable, AbortSignal};
use crate::json_text::JsonText;
use crate::outcome::Outcome;
use crate::results::json;

/// Optional fields of a new user.
#[napi(object, object_to_js = false)]
pub struct NewUserOptions {
    /// Realm (default `pve`).
    pub realm: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Free-text comment.
    pub comment: Option<String>,
    /// First name.
    pub firstname: Option<String>,
    /// Last name.
    pub lastname: Option<String>,
}

/// Users. Created by `client.users()`. No method ever returns a password.
#[napi]
pub struct UsersApi {
    pub(crate) inner: CoreUsers,
}

#[napi]
impl UsersApi {
    /// Every user (`GET /access/users`).
    #[napi(ts_return_type = "Promise<Array<UserEntry>>")]
    pub async fn list(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.list().await) })
            .await
            .into()
    }

    /// Every ACL entry (`GET /access/acl`).
    #[napi(ts_return_type = "Promise<Array<AclEntry>>")]
    pub async fn acl(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.acl().await) })
            .await
            .into()
    }

    /// The vmids `userid` holds a role on, sorted.
    #[napi(ts_return_type = "Promise<Array<number>>")]
    pub async fn vmids(&self, userid: String, signal: Option<AbortSignal>) -> Outcome<Vec<u32>> {
        abortable(signal, self.inner.vmids(&userid)).await.into()
    }

    /// One user with the vmids they hold a role on.
    #[napi(ts_return_type = "Promise<User>")]
    pub async fn get(&self, userid: String, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.get(&userid).await) })
            .await
            .into()
    }

    /// Creates user `username@realm` (realm `pve` by default); resolves to the user id. The
    /// password (8 to 64 characters) is checked before anything is sent. Not retry-safe once
    /// sent: a second attempt fails with `ConflictError` if the first arrived.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn create(
        &self,
        username: String,
        password: String,
        options: Option<NewUserOptions>,
        signal: Option<AbortSignal>,
    ) -> Outcome<String> {
        let mut create = self.inner.create(username, password);
        if let Some(options) = options {
            if let Some(v) = options.realm {
                create = create.realm(v);
            }
            if let Some(v) = options.email {
                create = create.email(v);
            }
            if let Some(v) = options.comment {
                create = create.comment(v);
            }
            if let Some(v) = options.firstname {
                create = create.firstname(v);
            }
            if let Some(v) = options.lastname {
                create = create.lastname(v);
            }
        }
        abortable(signal, create.send()).await.into()
    }

    /// Sets a user's password (8 to 64 characters, checked before sending); `confirmationPassword` is the current password of the user this client is logged in as, which PVE 8/9 require.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn set_password(
        &self,
        userid: String,
        password: String,
        confirmation_password: String,
        signal: Option<AbortSignal>,
    ) -> Outcome<()> {
        abortable(
            signal,
            self.inner
                .set_password(&userid, password, confirmation_password),
        )
        .await
        .into()
    }

    /// Deletes a user and their ACL entries; their containers are left alone.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn delete(&self, userid: String, signal: Option<AbortSignal>) -> Outcome<()> {
        abortable(signal, self.inner.delete(&userid)).await.into()
    }

    /// Gives `userid` access to container `vmid` with the default role `PVEVMUser`.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn assign(
        &self,
        userid: String,
        vmid: u32,
        signal: Option<AbortSignal>,
    ) -> Outcome<()> {
        abortable(signal, self.inner.assign(&userid, vmid))
            .await
            .into()
    }

    /// Gives `userid` `role` on container `vmid`.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn assign_role(
        &self,
        userid: String,
        vmid: u32,
        role: String,
        signal: Option<AbortSignal>,
    ) -> Outcome<()> {
        abortable(signal, self.inner.assign_role(&userid, vmid, &role))
            .await
            .into()
    }

    /// Removes every role `userid` holds on container `vmid`.
    #[napi(ts_return_type = "Promise<void>")]
    pub async fn unassign(
        &self,
        userid: String,
        vmid: u32,
        signal: Option<AbortSignal>,
    ) -> Outcome<()> {
        abortable(signal, self.inner.unassign(&userid, vmid))
            .await
            .into()
    }

    /// The containers `userid` holds a role on, as the cluster lists them.
    #[napi(ts_return_type = "Promise<Array<GuestResource>>")]
    pub async fn containers(
        &self,
        userid: String,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        abortable(signal, async { json(self.inner.containers(&userid).await) })
            .await
            .into()
    }
}
