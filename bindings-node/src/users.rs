//! `client.users()`: accounts, and container ownership as ACL entries on `/vms/<vmid>`. Its
//! methods are generated from the operation table (`faces`), `create` gathering the optional
//! fields into one options object (`users().create(username, password, { realm, email })`).

use napi_derive::napi;
use proxmox_api_core::api::UsersApi as CoreUsers;

/// Users. Created by `client.users()`. No method ever returns a password.
#[napi]
pub struct UsersApi {
    pub(crate) inner: CoreUsers,
}
