//! `client.users()`: accounts, and container ownership as ACL entries on `/vms/<vmid>`. Its
//! methods are generated from the operation table (`faces`) except `create`, whose optional
//! fields are one options object (`users().create(username, password, { realm, email })`).

use napi_derive::napi;
use proxmox_api_core::api::UsersApi as CoreUsers;

use crate::abort::{abortable, AbortSignal};
use crate::outcome::Outcome;

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
}
