//! The client: builder, request pipeline (authenticate, send, retry, decode) and the escape
//! hatches `request` and `get`.
//!
//! Every call goes through [`Client::send_with`]: validate the request, get authentication
//! headers (logging in or renewing first if needed), send through the [`Transport`], turn the
//! response into data or an [`Error`] in [`crate::envelope`], re-authenticate once on an
//! unexpected 401, and retry what [`RetryPolicy`] says is safe.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::api::NodeReachability;
use crate::auth::{AuthHeaders, Authenticator, SessionTicket, TfaProvider};
use crate::clock::{Clock, SystemClock};
use crate::credentials::validate_userid;
pub use crate::credentials::Credentials;
use crate::endpoint::parse_endpoint;
use crate::envelope;
use crate::error::Error;
use crate::request::{ApiRequest, Method, Params};
use crate::retry::RetryPolicy;
use crate::scrub::scrub_submitted_secrets;
use crate::tls::TlsOptions;
use crate::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport};

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest response body: 64 MiB. A 20,000-guest `/cluster/resources` is about 6 MB
/// uncompressed; anything near the limit is a broken or hostile server, not a listing.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// How many times one call logs in again itself after its fresh ticket was refused; a login that
/// succeeds proves the credentials, but a server refusing every new ticket must not loop.
const MAX_OWN_RELOGINS: u32 = 2;
/// How many 401s one call answers with a new session at all (its own logins and other callers').
const MAX_REAUTHENTICATIONS: u32 = 4;
/// Default ticket age after which it is renewed.
pub const DEFAULT_TICKET_RENEW_AFTER: Duration = Duration::from_secs(3600);

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Overrides the client's request timeout for this call.
    pub timeout: Option<Duration>,
}

/// Builds a [`Client`]. Nothing is checked or connected until [`ClientBuilder::build`], except
/// the arguments of the fallible setters.
pub struct ClientBuilder {
    host: String,
    credentials: Option<Credentials>,
    tfa: Option<Arc<dyn TfaProvider>>,
    tls: TlsOptions,
    allow_insecure_http: bool,
    clock: Option<Arc<dyn Clock>>,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    connect_timeout: Duration,
    request_timeout: Duration,
    ticket_renew_after: Duration,
    max_response_bytes: u64,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("host", &self.host)
            .field("credentials", &self.credentials)
            .field("tfa_provider", &self.tfa.is_some())
            .field("tls", &self.tls)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("ticket_renew_after", &self.ticket_renew_after)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets the credentials (password or API token).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Supplies second factors when a password login asks for one.
    pub fn tfa_provider(mut self, provider: Arc<dyn TfaProvider>) -> Self {
        self.tfa = Some(provider);
        self
    }

    /// Sets the clock (default [`SystemClock`]); tests pass a [`crate::ManualClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Replaces the HTTP transport (default [`ReqwestTransport`]). TLS and connect-timeout
    /// settings then belong to that transport.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Pins a SHA-256 leaf fingerprint (`AA:BB:..`); may be called more than once. With pins,
    /// only the leaf certificate is compared.
    pub fn pin_fingerprint(mut self, fingerprint: &str) -> Result<Self, Error> {
        self.tls.pin_fingerprint(fingerprint)?;
        Ok(self)
    }

    /// Trusts the CA certificate(s) in `pem` in addition to the system roots.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Result<Self, Error> {
        self.tls.add_root_certificate_pem(pem.as_ref())?;
        Ok(self)
    }

    /// Accepts ANY server certificate. Anyone on the path can then read the password and
    /// ticket; prefer [`ClientBuilder::pin_fingerprint`].
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls.danger_accept_invalid_certs(accept);
        self
    }

    /// Allows `http://` URLs (tickets and passwords then travel unencrypted).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed per request (default 60 s); [`CallOptions::timeout`] overrides it per call.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Ticket age after which it is renewed (default 1 h; must be below PVE's 2 h).
    pub fn ticket_renew_after(mut self, age: Duration) -> Self {
        self.ticket_renew_after = age;
        self
    }

    /// The largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`]), enforced
    /// while reading; [`ApiRequest::max_response_bytes`] overrides it per call. A larger body
    /// fails with [`Error::ResponseTooLarge`].
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Checks everything and builds the client. Does not connect.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = parse_endpoint(&self.host, self.allow_insecure_http)?;
        if let Some(credentials) = &self.credentials {
            credentials.validate()?;
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid_input(
                "connect_timeout",
                "must be above zero",
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(Error::invalid_input(
                "request_timeout",
                "must be above zero",
            ));
        }
        if self.ticket_renew_after.is_zero()
            || self.ticket_renew_after >= crate::auth::MAX_TICKET_AGE
        {
            return Err(Error::invalid_input(
                "ticket_renew_after",
                "must be above zero and below the ticket lifetime of 2 h",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid_input(
                "max_response_bytes",
                "must be above zero",
            ));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::invalid_input(
                "retry_policy",
                "max_attempts must be at least 1",
            ));
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::new(&self.tls, self.connect_timeout)?),
        };
        let host = match (base_url.host_str(), base_url.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => String::new(),
        };
        let wire = Wire {
            transport,
            base_url,
            host,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock::new())),
            request_timeout: self.request_timeout,
            max_response_bytes: self.max_response_bytes,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                node_list: std::sync::Mutex::new(None),
                auth: Authenticator::new(self.credentials, self.tfa, self.ticket_renew_after),
                retry: self.retry,
                wire,
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
    /// The last node list a fan-out learnt, and when (see `api::aggregate`).
    node_list: std::sync::Mutex<Option<(SystemTime, Vec<NodeReachability>)>>,
    wire: Wire,
    auth: Authenticator,
    retry: RetryPolicy,
}

/// One HTTP exchange with the server: URL and headers built, sent once, traced. No
/// authentication and no retries (those are the client's and the authenticator's business).
#[derive(Debug)]
pub(crate) struct Wire {
    transport: Arc<dyn Transport>,
    base_url: Url,
    host: String,
    pub(crate) clock: Arc<dyn Clock>,
    request_timeout: Duration,
    max_response_bytes: u64,
}

impl Wire {
    fn build(
        &self,
        request: &ApiRequest,
        auth_headers: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<HttpRequest, Error> {
        // One string and one parse: cloning the base URL and calling `set_path` and `set_query`
        // re-parsed it twice per request. The segments are already percent-encoded.
        let query = request.query();
        let mut text = String::with_capacity(
            self.base_url.as_str().len() + 64 + query.as_ref().map_or(0, String::len),
        );
        text.push_str(&self.base_url[..url::Position::AfterPath]);
        request.write_encoded_path(&mut text);
        if let Some(query) = &query {
            text.push('?');
            text.push_str(query);
        }
        let url = Url::parse(&text)
            .map_err(|e| Error::invalid_input("path", format!("does not form a valid URL: {e}")))?;
        let mut headers = Vec::with_capacity(2 + auth_headers.len());
        headers.push(("Accept".to_owned(), "application/json".to_owned()));
        let body = request.form_body().map(|form| {
            headers.push((
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ));
            Bytes::from(form)
        });
        headers.extend(auth_headers);
        Ok(HttpRequest {
            method: request.method(),
            url,
            headers,
            body,
            timeout,
            max_response_bytes: request.response_limit().unwrap_or(self.max_response_bytes),
        })
    }

    /// Sends once, traced by a span with method, path (never query or body), attempt, status and
    /// duration.
    pub(crate) async fn exchange(
        &self,
        request: &ApiRequest,
        auth_headers: Vec<(String, String)>,
        timeout: Duration,
        attempt: u32,
    ) -> Result<HttpResponse, Error> {
        let http = self.build(request, auth_headers, timeout)?;
        let span = tracing::info_span!(
            "pve_request",
            method = %request.method(),
            path = %request.display_path(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = self.clock.now();
        let result = self.transport.send(http).instrument(span.clone()).await;
        let elapsed = |clock: &dyn Clock| {
            clock
                .now()
                .duration_since(started)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        };
        match result {
            Ok(response) => {
                // The duration is only for the trace: no second clock read when nobody listens.
                if !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG) {
                    let duration_ms = elapsed(self.clock.as_ref());
                    span.record("duration_ms", duration_ms);
                    span.record("status", response.status);
                    tracing::debug!(parent: &span, status = response.status, duration_ms, "response");
                }
                Ok(response)
            }
            Err(err) => {
                let duration_ms = elapsed(self.clock.as_ref());
                span.record("duration_ms", duration_ms);
                let measured = Duration::from_millis(duration_ms);
                let err = err.into_error(&self.host).with_elapsed(measured);
                tracing::debug!(parent: &span, error = %err, duration_ms, "request failed");
                Err(err)
            }
        }
    }

    /// One unauthenticated call decoded to `T` (used for logins).
    pub(crate) async fn call<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, Error> {
        let response = self
            .exchange(request, Vec::new(), self.request_timeout, 1)
            .await?;
        envelope::decode(&response)
            .map_err(|error| scrub_submitted_secrets(error, request.parameters()))
    }
}

/// Refuses paths that would not reach the intended object: empty, `.` or `..` segments (URL
/// normalisation would silently move `..` up a level).
fn validate_path(request: &ApiRequest) -> Result<(), Error> {
    for segment in request.segments() {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(Error::invalid_input(
                "path",
                format!(
                    "segment '{segment}' in {} is not allowed (empty, '.' or '..')",
                    request.segments().join("/")
                ),
            ));
        }
    }
    Ok(())
}

impl Client {
    /// Starts building a client for `host`, `host:port` or `https://host:8006[/api2/json]`.
    pub fn builder(host: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            host: host.into(),
            credentials: None,
            tfa: None,
            tls: TlsOptions::default(),
            allow_insecure_http: false,
            clock: None,
            transport: None,
            retry: RetryPolicy::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            ticket_renew_after: DEFAULT_TICKET_RENEW_AFTER,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
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
        let response = self.execute(&request, &options).await?;
        envelope::decode_data(&response.body)
            .map_err(|error| scrub_submitted_secrets(error, request.parameters()))
    }

    /// Sends a request and hands the successful body to `decode` (for decoders that read the
    /// bytes themselves, such as the split decode of a large `/cluster/resources`).
    pub(crate) async fn send_decoding<R>(
        &self,
        request: ApiRequest,
        decode: impl FnOnce(bytes::Bytes) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let response = self.execute(&request, &CallOptions::default()).await?;
        decode(response.body).map_err(|error| scrub_submitted_secrets(error, request.parameters()))
    }

    /// Sends a request and decodes its `data` together with the envelope's `total`, which paged
    /// listings (the task history) put next to `data`.
    pub async fn send_listing<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
    ) -> Result<(T, Option<u64>), Error> {
        let response = self.execute(&request, &CallOptions::default()).await?;
        envelope::decode_data_with_total(&response.body)
            .map_err(|error| scrub_submitted_secrets(error, request.parameters()))
    }

    /// Authenticates, sends, re-authenticates once on an unexpected 401 and retries what is
    /// safe. Returns the successful (2xx) response.
    async fn execute(
        &self,
        request: &ApiRequest,
        options: &CallOptions,
    ) -> Result<HttpResponse, Error> {
        validate_path(request)?;
        let timeout = options.timeout.unwrap_or(self.inner.wire.request_timeout);
        if timeout.is_zero() {
            return Err(Error::invalid_input("timeout", "must be above zero"));
        }
        let wire = &self.inner.wire;
        let method = request.method();
        let started = wire.clock.now();
        let mut attempt: u32 = 0;
        let mut own_relogins: u32 = 0;
        let mut reauthentications: u32 = 0;
        loop {
            attempt += 1;
            let error = match self.attempt(request, timeout, attempt).await {
                Ok(Outcome::Done(response)) => return Ok(response),
                Ok(Outcome::Unauthorized { generation, error })
                    if own_relogins < MAX_OWN_RELOGINS
                        && reauthentications < MAX_REAUTHENTICATIONS
                        && self.inner.auth.can_reauthenticate() =>
                {
                    // The ticket was refused before its time (server restart, key rotation,
                    // expiry we did not foresee): log in again and repeat. A 401 means the
                    // request was not executed, so repeating a write is safe. A second
                    // invalidation while this call runs (or another caller's new session being
                    // refused too) is answered the same way, within the bounds above.
                    reauthentications += 1;
                    tracing::debug!(path = %request.display_path(), "unexpected 401; logging in again");
                    match self.inner.auth.reauthenticate(wire, generation).await {
                        Ok(logged_in) => {
                            own_relogins += u32::from(logged_in);
                            attempt -= 1;
                            continue;
                        }
                        Err(login_error) => {
                            let _ = error;
                            login_error.before_sending()
                        }
                    }
                }
                Ok(Outcome::Unauthorized { error, .. }) => error,
                Err(error) => error,
            };
            let elapsed = wire
                .clock
                .now()
                .duration_since(started)
                .unwrap_or(Duration::ZERO);
            match self.inner.retry.next_wait(method, &error, attempt, elapsed) {
                Some(wait) => {
                    tracing::debug!(
                        path = %request.display_path(),
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "retrying"
                    );
                    wire.clock.sleep(wait).await;
                }
                None => return Err(error.with_elapsed(elapsed)),
            }
        }
    }

    async fn attempt(
        &self,
        request: &ApiRequest,
        timeout: Duration,
        attempt: u32,
    ) -> Result<Outcome, Error> {
        let wire = &self.inner.wire;
        let AuthHeaders {
            headers,
            generation,
        } = self
            .inner
            .auth
            .headers_for(wire, request.method())
            .await
            .map_err(Error::before_sending)?;
        let response = wire.exchange(request, headers, timeout, attempt).await?;
        if (200..300).contains(&response.status) {
            return Ok(Outcome::Done(response));
        }
        let error = scrub_submitted_secrets(
            envelope::error_from_response(&response),
            request.parameters(),
        );
        match (response.status, generation) {
            (401, Some(generation)) => Ok(Outcome::Unauthorized { generation, error }),
            _ => Err(error),
        }
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

    /// The server's Proxmox VE version (`GET /version`).
    pub async fn version(&self) -> Result<crate::models::Version, Error> {
        self.get("/version").await
    }

    /// Logs in as another user and returns their ticket, without touching this client's own
    /// session (e.g. for an end user's VNC console cookie). Accounts with a second factor fail
    /// with [`Error::TfaRequired`]. The ticket is secret: never log it.
    pub async fn login_as(
        &self,
        userid: &str,
        password: impl Into<String>,
    ) -> Result<SessionTicket, Error> {
        validate_userid(userid, "userid")?;
        let password = SecretString::from(password.into());
        if secrecy::ExposeSecret::expose_secret(&password).is_empty() {
            return Err(Error::invalid_input("password", "must not be empty"));
        }
        crate::auth::login_with_password(&self.inner.wire, userid, &password, None).await
    }

    /// The node list cached at most `ttl` before `now`, if any.
    pub(crate) fn cached_nodes(
        &self,
        now: SystemTime,
        ttl: Duration,
    ) -> Option<Vec<NodeReachability>> {
        let slot = self
            .inner
            .node_list
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((at, nodes)) if now.duration_since(*at).is_ok_and(|age| age < ttl) => {
                Some(nodes.clone())
            }
            _ => None,
        }
    }

    /// Remembers the node list learnt at `at`.
    pub(crate) fn cache_nodes(&self, at: SystemTime, nodes: Vec<NodeReachability>) {
        *self
            .inner
            .node_list
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((at, nodes));
    }

    /// The client's clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.wire.clock.clone()
    }

    /// The API base URL (ending in `/api2/json`).
    pub fn base_url(&self) -> &Url {
        &self.inner.wire.base_url
    }
}

/// The result of one attempt that got an HTTP answer worth handling.
enum Outcome {
    Done(HttpResponse),
    Unauthorized { generation: u64, error: Error },
}
