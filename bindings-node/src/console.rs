//! Consoles: a VNC proxy for a container and an end user's browser console session. Both hold
//! secrets, so they are classes whose secret parts are methods (never enumerable properties):
//! `console.log(session)` shows nothing secret.

use napi_derive::napi;
use proxmox_api_core::api::{BrowserCookie as CoreCookie, ConsoleSession as CoreSession};
use proxmox_api_core::models::VncProxy as CoreVnc;
use proxmox_api_core::SessionTicket as CoreTicket;
use secrecy::ExposeSecret;

/// A VNC proxy opened for a container (`container.vncProxy()`); the ticket lives about 20-40 s.
#[napi]
pub struct VncProxy {
    pub(crate) inner: CoreVnc,
}

impl From<CoreVnc> for VncProxy {
    fn from(inner: CoreVnc) -> Self {
        VncProxy { inner }
    }
}

#[napi]
impl VncProxy {
    /// The user the proxy was opened for.
    #[napi(getter)]
    pub fn user(&self) -> String {
        self.inner.user.clone()
    }

    /// The proxy's port.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.inner.port)
    }

    /// The UPID of the proxy task.
    #[napi(getter)]
    pub fn upid(&self) -> String {
        self.inner.upid.clone()
    }

    /// PEM certificate of the node's proxy.
    #[napi(getter)]
    pub fn cert(&self) -> String {
        self.inner.cert.clone()
    }

    /// The `PVEVNC:...` ticket (the `vncticket` of the websocket call). A secret.
    #[napi]
    pub fn ticket(&self) -> String {
        self.inner.ticket.expose_secret().to_owned()
    }

    /// The one-time VNC password, when the server sent one. A secret.
    #[napi]
    pub fn password(&self) -> Option<String> {
        self.inner
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
    }
}

/// The end user's session cookie for the console.
#[napi]
pub struct BrowserCookie {
    inner: CoreCookie,
}

#[napi]
impl BrowserCookie {
    /// Cookie name (`PVEAuthCookie`).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Cookie path.
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.path.clone()
    }

    /// Cookie domain (the server's host).
    #[napi(getter)]
    pub fn domain(&self) -> String {
        self.inner.domain.clone()
    }

    /// Whether the cookie is HTTPS-only.
    #[napi(getter)]
    pub fn secure(&self) -> bool {
        self.inner.secure
    }

    /// The cookie's `SameSite` attribute: `Lax`, `Strict` or `None`.
    #[napi(getter)]
    pub fn same_site(&self) -> String {
        self.inner.same_site.as_str().to_owned()
    }

    /// The cookie's value (the user's ticket). A secret.
    #[napi]
    pub fn value(&self) -> String {
        self.inner.value.expose_secret().to_owned()
    }

    /// A complete `Set-Cookie` header value for the browser. A secret.
    #[napi]
    pub fn set_cookie_header(&self) -> String {
        self.inner.set_cookie_header().expose_secret().to_owned()
    }
}

/// What a browser needs to open an end user's console (`client.consoleSessionFor(...)`).
#[napi]
pub struct ConsoleSession {
    url: String,
    cookie: CoreCookie,
}

impl From<CoreSession> for ConsoleSession {
    fn from(session: CoreSession) -> Self {
        ConsoleSession {
            url: session.url,
            cookie: session.cookie,
        }
    }
}

#[napi]
impl ConsoleSession {
    /// The noVNC console URL.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The user's session cookie.
    #[napi(getter)]
    pub fn cookie(&self) -> BrowserCookie {
        BrowserCookie {
            inner: self.cookie.clone(),
        }
    }
}

/// Another user's session (`client.loginAs(...)`). The ticket and CSRF token are secrets:
/// methods, never properties, so `console.log(ticket)` shows neither.
#[napi]
pub struct SessionTicket {
    pub(crate) inner: CoreTicket,
}

impl From<CoreTicket> for SessionTicket {
    fn from(inner: CoreTicket) -> Self {
        SessionTicket { inner }
    }
}

#[napi]
impl SessionTicket {
    /// The user the ticket is for, `user@realm`.
    #[napi(getter)]
    pub fn userid(&self) -> String {
        self.inner.userid.clone()
    }

    /// The ticket (cookie `PVEAuthCookie`). A secret.
    #[napi]
    pub fn ticket(&self) -> String {
        self.inner.ticket.expose_secret().to_owned()
    }

    /// The CSRF prevention token (header `CSRFPreventionToken` on writes). A secret.
    #[napi]
    pub fn csrf(&self) -> String {
        self.inner.csrf.expose_secret().to_owned()
    }

    /// When the ticket was received, as Unix seconds on this machine's clock (as in Python).
    #[napi(getter)]
    pub fn issued_at(&self) -> f64 {
        self.inner
            .issued_at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|age| age.as_secs_f64())
            .unwrap_or(0.0)
    }
}
