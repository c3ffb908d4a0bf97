//! Consoles: VNC proxy tickets, the browser console URL, and console sessions for end users.
//!
//! An end user opens the noVNC console in their browser with their OWN session: we log in as that
//! user and hand back their `PVEAuthCookie` to set, never the API user's ticket (that would give
//! them every right the automation account has).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::api::containers::ContainerApi;
use crate::api::spec::{check_node_name, check_userid};
use crate::client::Client;
use crate::error::Error;
use crate::models::{AclEntry, AclSubject, VncProxy};
use crate::request::ApiRequest;

/// The privilege needed to open a guest's console.
pub const CONSOLE_PRIVILEGE: &str = "VM.Console";
/// The name of PVE's session cookie.
pub const AUTH_COOKIE_NAME: &str = "PVEAuthCookie";

/// The built-in roles that include `VM.Console`, used when the server cannot list a user's
/// permissions directly.
const BUILTIN_CONSOLE_ROLES: [&str; 5] = [
    "Administrator",
    "PVEAdmin",
    "PVEVMAdmin",
    "PVEVMUser",
    "PVETemplateUser",
];

impl ContainerApi {
    /// Opens a VNC proxy for the container (`POST .../vncproxy` with `websocket=1`). The ticket
    /// lives only a few tens of seconds: connect to `vncwebsocket` right away.
    pub async fn vnc_proxy(&self) -> Result<VncProxy, Error> {
        self.client()
            .send(ApiRequest::post(self.path(&["vncproxy"])).param("websocket", true))
            .await
    }
}

/// The `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on same-site requests and top-level navigations (what the PVE web UI uses).
    Lax,
    /// Sent on same-site requests only.
    Strict,
}

impl SameSite {
    /// The attribute's value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        }
    }
}

/// A cookie to set in the user's browser.
#[derive(Clone)]
pub struct BrowserCookie {
    /// Always `PVEAuthCookie`.
    pub name: String,
    /// The user's ticket: a secret.
    pub value: SecretString,
    /// `/`.
    pub path: String,
    /// The host the cookie belongs to.
    pub domain: String,
    /// Only over HTTPS.
    pub secure: bool,
    /// The `SameSite` attribute.
    pub same_site: SameSite,
}

impl fmt::Debug for BrowserCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserCookie")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .field("path", &self.path)
            .field("domain", &self.domain)
            .field("secure", &self.secure)
            .field("same_site", &self.same_site)
            .finish()
    }
}

impl BrowserCookie {
    /// The value of a `Set-Cookie` header for this cookie. Contains the secret.
    pub fn set_cookie_header(&self) -> SecretString {
        let mut header = format!(
            "{}={}; Path={}; Domain={}; SameSite={}",
            self.name,
            self.value.expose_secret(),
            self.path,
            self.domain,
            self.same_site.as_str()
        );
        if self.secure {
            header.push_str("; Secure");
        }
        SecretString::from(header)
    }
}

/// What a browser needs to open an end user's console: the URL and the user's own cookie.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    /// The noVNC console URL.
    pub url: String,
    /// The user's session cookie.
    pub cookie: BrowserCookie,
}

impl Client {
    /// The browser URL of a container's noVNC console on this client's server:
    /// `https://HOST:PORT/?console=lxc&novnc=1&vmid=..&vmname=..&node=..&resize=off`.
    pub fn console_url(&self, node: &str, vmid: u32, name: &str) -> String {
        let mut url = self.base_url().clone();
        url.set_path("/");
        url.set_fragment(None);
        url.query_pairs_mut()
            .clear()
            .append_pair("console", "lxc")
            .append_pair("novnc", "1")
            .append_pair("vmid", &vmid.to_string())
            .append_pair("vmname", name)
            .append_pair("node", node)
            .append_pair("resize", "off");
        url.to_string()
    }

    /// Logs in as end user `userid` and returns what their browser needs to open container
    /// `vmid`'s console: the URL and THEIR session cookie. Fails with
    /// [`Error::PermissionDenied`] unless the user holds `VM.Console` on the container, and with
    /// [`Error::Authentication`] when the password is wrong.
    pub async fn console_session_for(
        &self,
        userid: &str,
        password: impl Into<String>,
        node: &str,
        vmid: u32,
    ) -> Result<ConsoleSession, Error> {
        check_userid("userid", userid)?;
        check_node_name(node)?;
        let password = password.into();
        let path = format!("/vms/{vmid}");
        if !self
            .user_has_privilege(userid, &path, CONSOLE_PRIVILEGE)
            .await?
        {
            return Err(Error::PermissionDenied {
                message: format!("Permission check failed ({path}, {CONSOLE_PRIVILEGE})"),
                path: Some(path),
                privilege: Some(CONSOLE_PRIVILEGE.to_owned()),
            });
        }
        let container = self.node(node).container(vmid);
        let name = container
            .config()
            .await?
            .hostname
            .unwrap_or_else(|| format!("CT{vmid}"));
        let session = self.login_as(userid, password).await?;
        Ok(ConsoleSession {
            url: self.console_url(node, vmid, &name),
            cookie: BrowserCookie {
                name: AUTH_COOKIE_NAME.to_owned(),
                value: session.ticket.clone(),
                path: "/".to_owned(),
                domain: self.base_url().host_str().unwrap_or_default().to_owned(),
                secure: self.base_url().scheme() == "https",
                same_site: SameSite::Lax,
            },
        })
    }

    /// Whether `userid` holds `privilege` on `path`, asked as this client's user.
    async fn user_has_privilege(
        &self,
        userid: &str,
        path: &str,
        privilege: &str,
    ) -> Result<bool, Error> {
        let answer: Result<Value, Error> = self
            .send(
                ApiRequest::get(["access", "permissions"])
                    .param("userid", userid)
                    .param("path", path),
            )
            .await;
        match answer {
            Ok(tree) => Ok(tree
                .get(path)
                .and_then(|privs| privs.get(privilege))
                .is_some_and(|v| v.as_i64() == Some(1) || v.as_bool() == Some(true))),
            // Servers (or simulators) that do not offer /access/permissions: read the ACL and
            // judge by the built-in roles.
            Err(Error::Api { status: 501, .. }) => {
                let acl: Vec<AclEntry> = self.send(ApiRequest::get(["access", "acl"])).await?;
                Ok(acl_grants_console(&acl, userid, path))
            }
            Err(e) => Err(e),
        }
    }
}

/// Whether the ACL gives `userid` a built-in console role on `path` or, propagated, on a parent.
fn acl_grants_console(acl: &[AclEntry], userid: &str, path: &str) -> bool {
    acl.iter().any(|e| {
        let applies = e.path == path
            || (e.propagates() && (e.path == "/" || path.starts_with(&format!("{}/", e.path))));
        e.kind == AclSubject::User
            && e.ugid == userid
            && applies
            && BUILTIN_CONSOLE_ROLES.contains(&e.roleid.as_str())
    })
}
