//! Users and their containers: accounts in a realm, and container access through ACL entries on
//! `/vms/<vmid>`. No operation here ever returns a password.

use secrecy::{ExposeSecret, SecretString};

use crate::api::spec::{check_user_name, check_userid, DEFAULT_OWNER_ROLE};
use crate::client::Client;
use crate::error::Error;
use crate::models::{AclEntry, AclSubject, GuestResource, UserDetail, UserEntry};
use crate::request::ApiRequest;

/// Shortest password accepted: PVE 8 and 9 require 8 characters (the original spec said 6).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password PVE accepts.
pub const MAX_PASSWORD_CHARS: usize = 64;

/// A user with the containers they have access to.
#[derive(Debug, Clone)]
pub struct User {
    /// The user id, `name@realm`.
    pub userid: String,
    /// The account as PVE describes it.
    pub detail: UserDetail,
    /// The containers the user holds a role on (ACL entries on `/vms/<vmid>`), sorted.
    pub vmids: Vec<u32>,
}

/// Users. Created by [`Client::users`].
#[derive(Debug, Clone)]
pub struct UsersApi {
    client: Client,
}

impl Client {
    /// Users and their access to containers.
    pub fn users(&self) -> UsersApi {
        UsersApi {
            client: self.clone(),
        }
    }
}

fn check_password(password: &SecretString) -> Result<(), Error> {
    let chars = password.expose_secret().chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(Error::invalid_input(
            "password",
            format!(
                "must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long (got {chars})"
            ),
        ));
    }
    Ok(())
}

/// Shortest confirmation password PVE accepts (its schema's `minLength` for
/// `confirmation-password`); the longest is [`MAX_PASSWORD_CHARS`].
pub const MIN_CONFIRMATION_PASSWORD_CHARS: usize = 5;

fn check_confirmation_password(password: &SecretString) -> Result<(), Error> {
    let chars = password.expose_secret().chars().count();
    if chars == 0 {
        return Err(Error::invalid_input(
            "confirmation-password",
            "missing: give the current password of the user this client is logged in as",
        ));
    }
    if !(MIN_CONFIRMATION_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(Error::invalid_input(
            "confirmation-password",
            format!(
                "must be {MIN_CONFIRMATION_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long (got {chars})"
            ),
        ));
    }
    Ok(())
}

/// PVE answers an API token on `PUT /access/password` with a permission error that only names
/// the token; say what to do instead. Every other error passes unchanged.
fn explain_token_refusal(error: Error) -> Error {
    // A 401 naming a token ("invalid token value!") is a bad token, not this refusal.
    let refused_token = matches!(&error, Error::PermissionDenied { message, .. }
        if message.to_ascii_lowercase().contains("token"));
    if !refused_token {
        return error;
    }
    Error::PermissionDenied {
        message: "PVE refuses API tokens on PUT /access/password (allowtoken 0): change \
                  passwords with a client logged in with a user's password"
            .to_owned(),
        path: Some("/access/password".to_owned()),
        privilege: None,
    }
}

impl UsersApi {
    /// Every user (`GET /access/users`).
    pub async fn list(&self) -> Result<Vec<UserEntry>, Error> {
        self.client.send(ApiRequest::get(["access", "users"])).await
    }

    /// Every ACL entry (`GET /access/acl`).
    pub async fn acl(&self) -> Result<Vec<AclEntry>, Error> {
        self.client.send(ApiRequest::get(["access", "acl"])).await
    }

    async fn user_acl(&self, userid: &str) -> Result<Vec<AclEntry>, Error> {
        Ok(self
            .acl()
            .await?
            .into_iter()
            .filter(|e| e.kind == AclSubject::User && e.ugid == userid)
            .collect())
    }

    /// The vmids `userid` holds a role on, sorted.
    pub async fn vmids(&self, userid: &str) -> Result<Vec<u32>, Error> {
        check_userid("userid", userid)?;
        let mut vmids: Vec<u32> = self
            .user_acl(userid)
            .await?
            .iter()
            .filter_map(AclEntry::vmid)
            .collect();
        vmids.sort_unstable();
        vmids.dedup();
        Ok(vmids)
    }

    /// One user with the vmids they hold a role on.
    pub async fn get(&self, userid: &str) -> Result<User, Error> {
        check_userid("userid", userid)?;
        let detail: UserDetail = self
            .client
            .send(ApiRequest::get(["access", "users", userid]))
            .await?;
        Ok(User {
            userid: userid.to_owned(),
            detail,
            vmids: self.vmids(userid).await?,
        })
    }

    /// Prepares a new user; `.send()` creates it. The password is checked (8 to 64 characters)
    /// before anything is sent.
    pub fn create(&self, username: impl Into<String>, password: impl Into<String>) -> CreateUser {
        CreateUser {
            client: self.client.clone(),
            username: username.into(),
            password: SecretString::from(password.into()),
            realm: "pve".to_owned(),
            email: None,
            comment: None,
            firstname: None,
            lastname: None,
        }
    }

    /// Sets a user's password (`PUT /access/password`).
    ///
    /// `confirmation_password` is the current password of the user this client is logged in as
    /// (PVE 8 and 9 require it as `confirmation-password` from every caller but `root@pam`; it is
    /// the user's own old password when they change it themselves). It is required here for every
    /// caller so that code written against `root@pam` keeps working with a less privileged
    /// account; an empty one is [`Error::InvalidInput`] before anything is sent.
    ///
    /// PVE refuses API tokens on this call (`allowtoken: 0`): a token-authenticated client gets
    /// [`Error::PermissionDenied`] whose message says so and names the fix.
    pub async fn set_password(
        &self,
        userid: &str,
        password: impl Into<String>,
        confirmation_password: impl Into<String>,
    ) -> Result<(), Error> {
        check_userid("userid", userid)?;
        let password = SecretString::from(password.into());
        check_password(&password)?;
        let confirmation = SecretString::from(confirmation_password.into());
        check_confirmation_password(&confirmation)?;
        let result: Result<serde_json::Value, Error> = self
            .client
            .send(
                ApiRequest::put(["access", "password"])
                    .param("userid", userid)
                    .param("password", password)
                    .param("confirmation-password", confirmation),
            )
            .await;
        result.map_err(explain_token_refusal)?;
        Ok(())
    }

    /// Deletes a user and their ACL entries. Their containers are left alone.
    pub async fn delete(&self, userid: &str) -> Result<(), Error> {
        check_userid("userid", userid)?;
        for entry in self.user_acl(userid).await? {
            self.remove_acl(&entry.path, &entry.roleid, userid).await?;
        }
        let _: serde_json::Value = self
            .client
            .send(ApiRequest::delete(["access", "users", userid]))
            .await?;
        Ok(())
    }

    /// Gives `userid` access to container `vmid` with the default role `PVEVMUser`.
    pub async fn assign(&self, userid: &str, vmid: u32) -> Result<(), Error> {
        self.assign_role(userid, vmid, DEFAULT_OWNER_ROLE).await
    }

    /// Gives `userid` `role` on container `vmid` (an ACL entry on `/vms/<vmid>`).
    pub async fn assign_role(&self, userid: &str, vmid: u32, role: &str) -> Result<(), Error> {
        check_userid("userid", userid)?;
        if role.is_empty() {
            return Err(Error::invalid_input("role", "must not be empty"));
        }
        let _: serde_json::Value = self
            .client
            .send(
                ApiRequest::put(["access", "acl"])
                    .param("path", format!("/vms/{vmid}"))
                    .param("roles", role)
                    .param("users", userid),
            )
            .await?;
        Ok(())
    }

    /// Removes every role `userid` holds on container `vmid`.
    pub async fn unassign(&self, userid: &str, vmid: u32) -> Result<(), Error> {
        check_userid("userid", userid)?;
        let path = format!("/vms/{vmid}");
        for entry in self.user_acl(userid).await? {
            if entry.path == path {
                self.remove_acl(&path, &entry.roleid, userid).await?;
            }
        }
        Ok(())
    }

    async fn remove_acl(&self, path: &str, role: &str, userid: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .client
            .send(
                ApiRequest::put(["access", "acl"])
                    .param("path", path)
                    .param("roles", role)
                    .param("users", userid)
                    .param("delete", true),
            )
            .await?;
        Ok(())
    }

    /// The containers `userid` holds a role on, as the cluster lists them (containers that no
    /// longer exist are left out).
    pub async fn containers(&self, userid: &str) -> Result<Vec<GuestResource>, Error> {
        let vmids = self.vmids(userid).await?;
        let all = self.client.containers().list().await?;
        Ok(all
            .into_iter()
            .filter(|g| vmids.contains(&g.vmid))
            .collect())
    }
}

/// A user to create. Created by [`UsersApi::create`].
pub struct CreateUser {
    client: Client,
    username: String,
    password: SecretString,
    realm: String,
    email: Option<String>,
    comment: Option<String>,
    firstname: Option<String>,
    lastname: Option<String>,
}

impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

impl CreateUser {
    /// The realm (default `pve`, which keeps its own passwords).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// An e-mail address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// A comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// First name.
    pub fn firstname(mut self, name: impl Into<String>) -> Self {
        self.firstname = Some(name.into());
        self
    }

    /// Last name.
    pub fn lastname(mut self, name: impl Into<String>) -> Self {
        self.lastname = Some(name.into());
        self
    }

    /// The user id this will create.
    pub fn userid(&self) -> String {
        format!("{}@{}", self.username, self.realm)
    }

    /// Checks the input and creates the user (`POST /access/users`); returns the user id.
    pub async fn send(self) -> Result<String, Error> {
        check_user_name(&self.username)?;
        let userid = self.userid();
        check_userid("realm", &userid)?;
        check_password(&self.password)?;
        if let Some(email) = &self.email {
            if !email.contains('@') {
                return Err(Error::invalid_input(
                    "email",
                    format!("'{email}' is not an e-mail address"),
                ));
            }
        }
        let _: serde_json::Value = self
            .client
            .send(
                ApiRequest::post(["access", "users"])
                    .param("userid", userid.as_str())
                    .param("password", self.password)
                    .param_opt("email", self.email)
                    .param_opt("comment", self.comment)
                    .param_opt("firstname", self.firstname)
                    .param_opt("lastname", self.lastname),
            )
            .await?;
        Ok(userid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_8_to_64_characters() {
        assert!(check_password(&SecretString::from("1234567")).is_err());
        assert!(check_password(&SecretString::from("12345678")).is_ok());
        assert!(check_password(&SecretString::from("é".repeat(64))).is_ok());
        assert!(check_password(&SecretString::from("x".repeat(65))).is_err());
    }

    #[test]
    fn confirmation_passwords_are_required_and_bounded() {
        for bad in ["", "1234", &"x".repeat(65)] {
            let err = check_confirmation_password(&SecretString::from(bad)).unwrap_err();
            assert_eq!(err.parameter_errors().len(), 1);
            assert!(err.parameter_errors().contains_key("confirmation-password"));
        }
        assert!(check_confirmation_password(&SecretString::from("12345")).is_ok());
    }
}
