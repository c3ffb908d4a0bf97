//! The original 2016 REST service (the spec is copied in `examples/tests/spec/proxmox-api.apib`)
//! served again over proxmox-api-core, as a gateway that authenticates its callers.
//!
//! Security model, in short (the example's README has the whole route table):
//! - Callers log in as their own Proxmox VE user (`POST /login`); PVE checks the password, the
//!   gateway never stores it and answers a short-lived HMAC-signed session token
//!   ([`session`]) that every other route needs as `Authorization: Bearer`. Failed logins are
//!   limited per user name and per client address ([`login_limiter`]) and always take the same
//!   path (a login attempt at PVE), whether the user exists or not.
//! - Roles and ownership live in PVE: a caller acts only on containers they hold an ACL entry on
//!   (`/vms/<id>`); members of the administrators' group alone manage users, and only users in
//!   the gateway's own group ([`directory`]) who are neither administrators, nor the service
//!   account, nor hold ACL entries outside `/vms/*`.
//! - One service-account client does the work; the gateway acts as a caller's user only to change
//!   that caller's own password. No PVE ticket ever leaves the gateway.
//! - Serving ([`server`]) has a connection limit, header and body read timeouts, survives accept
//!   errors, drains in-flight requests on shutdown, and speaks TLS unless told not to.

pub mod directory;
pub mod error;
pub mod login_limiter;
pub mod params;
mod routes;
pub mod server;
pub mod session;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use proxmox_api_core::{Client, Credentials, Error};
use secrecy::SecretString;
use serde_json::Value;

use directory::Directory;
use error::ApiError;
use login_limiter::LoginLimiter;
use params::Params;
use session::{SessionKey, Sessions};

/// Builds a client logged in as a caller's own user (`userid`, `password`), with the same
/// endpoint and TLS settings as the service account's. Used only for a caller's own password
/// change, which PVE wants made by that user.
pub type UserClientFactory = Arc<dyn Fn(&str, &str) -> Result<Client, Error> + Send + Sync>;

/// Limits that keep one client from stopping the service.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Time allowed for a request's headers (and for a TLS handshake).
    pub header_timeout: Duration,
    /// Time allowed for a request's body.
    pub body_timeout: Duration,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// How long in-flight requests may run on after shutdown is asked for.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
            shutdown_grace: Duration::from_secs(60),
        }
    }
}

/// The gateway's policy settings.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The PVE realm the gateway's users live in (`pve`: PVE keeps their passwords).
    pub realm: String,
    /// The PVE group of the users the gateway manages (created on start if missing).
    pub users_group: String,
    /// The PVE group whose members administer the gateway (manage users).
    pub admins_group: String,
    /// How long a session token lives; renew it before.
    pub session_ttl: Duration,
    /// Failed logins allowed per user name within `failed_login_window`.
    pub max_failed_logins_per_user: usize,
    /// Failed logins allowed per client address within `failed_login_window`.
    pub max_failed_logins_per_address: usize,
    /// The window for the two limits above.
    pub failed_login_window: Duration,
    /// Serving limits.
    pub limits: ServeLimits,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            realm: "pve".into(),
            users_group: "gateway-users".into(),
            admins_group: "gateway-admins".into(),
            session_ttl: Duration::from_secs(15 * 60),
            max_failed_logins_per_user: 5,
            max_failed_logins_per_address: 20,
            failed_login_window: Duration::from_secs(15 * 60),
            limits: ServeLimits::default(),
        }
    }
}

/// How the service account logs in to PVE.
enum ServiceLogin {
    /// With a password, which PVE 8/9 want again as `confirmation-password` for resets.
    Password(SecretString),
    /// With an API token: PVE refuses tokens on `PUT /access/password`.
    ApiToken,
}

/// The gateway: the service account's client, the caller-facing policy and the session keys.
pub struct Gateway {
    service: Client,
    service_userid: String,
    service_login: ServiceLogin,
    user_client: UserClientFactory,
    directory: Arc<dyn Directory>,
    sessions: Sessions,
    limiter: LoginLimiter,
    config: GatewayConfig,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("service_userid", &self.service_userid)
            .field("sessions", &self.sessions)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Checks a group name before it is used in PVE paths.
fn check_group_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "group",
            "group names are 1 to 64 letters, digits, '-', '_' or '.'",
        ))
    }
}

impl Gateway {
    /// A gateway acting through `service` (logged in with `service_credentials`), storing
    /// membership in `directory`, signing sessions with `key`. Call [`Gateway::start`] next.
    pub fn new(
        service: Client,
        service_credentials: &Credentials,
        user_client: UserClientFactory,
        directory: Arc<dyn Directory>,
        key: SessionKey,
        config: GatewayConfig,
    ) -> Result<Self, Error> {
        check_group_name(&config.users_group)?;
        check_group_name(&config.admins_group)?;
        if config.users_group == config.admins_group {
            return Err(Error::invalid_input(
                "group",
                "the users' and the administrators' groups must differ",
            ));
        }
        let service_login = match service_credentials {
            Credentials::Password { password, .. } => ServiceLogin::Password(password.clone()),
            Credentials::ApiToken { .. } => ServiceLogin::ApiToken,
        };
        let clock = service.clock();
        Ok(Gateway {
            sessions: Sessions::new(key, config.session_ttl, clock.clone()),
            limiter: LoginLimiter::new(
                config.max_failed_logins_per_user,
                config.max_failed_logins_per_address,
                config.failed_login_window,
                clock,
            ),
            service_userid: service_credentials.userid().to_owned(),
            service,
            service_login,
            user_client,
            directory,
            config,
        })
    }

    /// Makes sure both groups exist in PVE (creating them if missing), then is ready to serve.
    pub async fn start(self) -> Result<Arc<Self>, Error> {
        self.directory
            .ensure_group(
                &self.config.users_group,
                "users managed by the proxmox-api REST gateway",
            )
            .await?;
        self.directory
            .ensure_group(
                &self.config.admins_group,
                "administrators of the proxmox-api REST gateway",
            )
            .await?;
        Ok(Arc::new(self))
    }

    /// The settings in force.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// Answers one request from `peer`.
    pub async fn handle(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let (status, body) = match self.dispatch(request, peer).await {
            Ok((status, body)) => (status, body),
            Err(e) => (e.status, e.body()),
        };
        let mut response = Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store");
        if status == StatusCode::UNAUTHORIZED {
            response = response.header("www-authenticate", "Bearer");
        }
        response
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{}"))))
    }

    async fn dispatch(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<(StatusCode, Value), ApiError> {
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().trim_end_matches('/').to_owned();
        let route = routes::Route::find(&path, &method)?;
        // Authenticate before reading the body: an anonymous caller gets nothing processed.
        let caller = if route.needs_session() {
            Some(self.authenticate(&request).await?)
        } else {
            None
        };
        let query = request.uri().query().map(str::to_owned);
        let body = self.read_body(request.into_body()).await?;
        let params = Params::parse(query.as_deref(), &body)?;
        routes::run(self, route, caller.as_ref(), &params, peer).await
    }

    async fn read_body(&self, body: Incoming) -> Result<Bytes, ApiError> {
        let limit = self.config.limits.max_body_bytes;
        let collect = Limited::new(body, limit).collect();
        match tokio::time::timeout(self.config.limits.body_timeout, collect).await {
            Err(_) => Err(ApiError::body_timeout()),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                Err(ApiError::body_too_large(limit))
            }
            Ok(Err(_)) => Err(ApiError::bad_request("the body could not be read")),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
        }
    }

    /// The caller behind the request's bearer token: still a member of one of the gateway's
    /// groups (removing them from it revokes their sessions at once).
    async fn authenticate(&self, request: &Request<Incoming>) -> Result<routes::Caller, ApiError> {
        let token = request
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "log in with POST /login and send 'Authorization: Bearer <token>'",
                )
            })?;
        let userid = self
            .sessions
            .verify(token.trim())
            .ok_or_else(|| ApiError::unauthenticated("the session token is invalid or expired"))?;
        let admin = self.is_member(&self.config.admins_group, &userid).await?;
        if !admin && !self.is_member(&self.config.users_group, &userid).await? {
            return Err(ApiError::unauthenticated(
                "this user is no longer a member of the gateway's groups",
            ));
        }
        Ok(routes::Caller { userid, admin })
    }

    async fn is_member(&self, group: &str, userid: &str) -> Result<bool, ApiError> {
        Ok(self
            .directory
            .members(group)
            .await?
            .iter()
            .any(|m| m == userid))
    }
}
