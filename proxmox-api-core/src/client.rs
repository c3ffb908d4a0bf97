//! The client. SKELETON: signatures only, so the domain handles and bindings can be built in
//! parallel; the core-client work replaces the bodies.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::request::{ApiRequest, Method, Params};

/// Login credentials.
#[derive(Clone)]
pub enum Credentials {
    /// `user@realm` and password: ticket authentication.
    Password {
        /// `user@realm`.
        userid: String,
        /// The password.
        password: secrecy::SecretString,
    },
    /// API token `user@realm!tokenid` and its secret.
    ApiToken {
        /// `user@realm!tokenid`.
        tokenid: String,
        /// The token's secret.
        secret: secrecy::SecretString,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password { userid, .. } => write!(f, "Password({userid}, [REDACTED])"),
            Credentials::ApiToken { tokenid, .. } => write!(f, "ApiToken({tokenid}, [REDACTED])"),
        }
    }
}

impl Credentials {
    /// Ticket authentication with a password.
    pub fn password(userid: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials::Password {
            userid: userid.into(),
            password: secrecy::SecretString::from(password.into()),
        }
    }

    /// API token authentication.
    pub fn api_token(tokenid: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials::ApiToken {
            tokenid: tokenid.into(),
            secret: secrecy::SecretString::from(secret.into()),
        }
    }
}

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Overrides the client's request timeout for this call.
    pub timeout: Option<Duration>,
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    host: String,
    credentials: Option<Credentials>,
    clock: Option<Arc<dyn Clock>>,
}

impl ClientBuilder {
    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets the clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Pins a SHA-256 leaf fingerprint.
    pub fn pin_fingerprint(self, fingerprint: &str) -> Result<Self, Error> {
        let _ = fingerprint;
        Ok(self)
    }

    /// Allows `http://` URLs.
    pub fn allow_insecure_http(self, allow: bool) -> Self {
        let _ = allow;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let url = Url::parse(&format!("https://{}/api2/json", self.host))
            .map_err(|e| Error::invalid_input("host", e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                base_url: url,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock::new())),
            }),
        })
    }
}

/// A Proxmox VE API client. Cheap to clone; clones share the session.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base_url: Url,
    clock: Arc<dyn Clock>,
}

impl Client {
    /// Starts building a client for `host`, `host:port` or `https://host:8006[/api2/json]`.
    pub fn builder(host: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            host: host.into(),
            credentials: None,
            clock: None,
        }
    }

    /// Sends a request and decodes its `data`.
    pub async fn send<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        self.send_with(request, CallOptions::default()).await
    }

    /// Sends a request with per-call options and decodes its `data`.
    pub async fn send_with<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        options: CallOptions,
    ) -> Result<T, Error> {
        let _ = (request, options);
        Err(Error::invalid_input("client", "not implemented yet"))
    }

    /// The raw escape hatch: any method and path, JSON `data` back.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        params: Params,
    ) -> Result<serde_json::Value, Error> {
        self.send(ApiRequest::from_path(method, path).params(params))
            .await
    }

    /// A typed GET of any path.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.send(ApiRequest::from_path(Method::Get, path)).await
    }

    /// The client's clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// The API base URL (ending in `/api2/json`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }
}
