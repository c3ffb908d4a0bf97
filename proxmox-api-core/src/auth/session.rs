//! The ticket lifecycle.
//!
//! Log in on first use; renew with the ticket itself as password once the ticket is older than
//! `renew_after`, measured on the local clock since it was received (so clock skew between client
//! and server costs nothing); log in again with the stored password when the ticket is past
//! PVE's two hours or renewal is refused; after an unexpected 401, log in again once.
//!
//! Single flight: every refresh happens under one async mutex, and each caller re-checks the
//! session after getting the mutex, so 200 callers arriving with a stale ticket cause one
//! `POST /access/ticket`, not 200. Sessions carry a generation number so a caller whose request
//! was refused with ticket N only forces a new login if the session is still at N.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::tfa::TfaProvider;
use super::ticket::{is_tfa_ticket, tfa_factors, SessionTicket, MAX_TICKET_AGE};
use crate::client::Wire;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::request::{ApiRequest, Method};

/// Headers that authenticate one request, and the session generation they came from.
#[derive(Default)]
pub(crate) struct AuthHeaders {
    /// Header name and (secret) value pairs.
    pub(crate) headers: Vec<(String, String)>,
    /// The ticket session's generation; `None` for tokens and anonymous calls, which have
    /// nothing to re-authenticate.
    pub(crate) generation: Option<u64>,
}

struct Session {
    ticket: SessionTicket,
    /// `PVEAuthCookie=<ticket>`, built once per ticket rather than once per request.
    cookie: SecretString,
    generation: u64,
}

/// Holds the credentials and the current ticket.
pub(crate) struct Authenticator {
    credentials: Option<Credentials>,
    /// The `Authorization` value of token credentials, built once (it never changes).
    token_header: Option<SecretString>,
    tfa: Option<Arc<dyn TfaProvider>>,
    renew_after: Duration,
    session: RwLock<Option<Arc<Session>>>,
    refresh: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("credentials", &self.credentials)
            .field("tfa_provider", &self.tfa.is_some())
            .field("renew_after", &self.renew_after)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub(crate) fn new(
        credentials: Option<Credentials>,
        tfa: Option<Arc<dyn TfaProvider>>,
        renew_after: Duration,
    ) -> Self {
        Self {
            token_header: credentials.as_ref().and_then(Credentials::token_header),
            credentials,
            tfa,
            renew_after,
            session: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Option<Arc<Session>> {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn store(&self, ticket: SessionTicket) -> Arc<Session> {
        let mut slot = self.session.write().unwrap_or_else(|e| e.into_inner());
        let generation = slot.as_ref().map_or(1, |s| s.generation + 1);
        let cookie = SecretString::from(format!("PVEAuthCookie={}", ticket.ticket.expose_secret()));
        let session = Arc::new(Session {
            ticket,
            cookie,
            generation,
        });
        *slot = Some(session.clone());
        session
    }

    /// Whether a 401 on a request made with these credentials is worth one new login.
    pub(crate) fn can_reauthenticate(&self) -> bool {
        matches!(self.credentials, Some(Credentials::Password { .. }))
    }

    /// The headers for one request, logging in or renewing first when needed.
    pub(crate) async fn headers_for(
        &self,
        wire: &Wire,
        method: Method,
    ) -> Result<AuthHeaders, Error> {
        match &self.credentials {
            None => Ok(AuthHeaders::default()),
            Some(Credentials::ApiToken { .. }) => {
                let value = self
                    .token_header
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned())
                    .unwrap_or_default();
                Ok(AuthHeaders {
                    headers: vec![("Authorization".to_owned(), value)],
                    generation: None,
                })
            }
            Some(Credentials::Password { .. }) => {
                let now = wire.clock.now();
                let session = match self.current() {
                    Some(s) if s.ticket.age(now) < self.renew_after => s,
                    _ => self.refresh_stale(wire).await?,
                };
                Ok(Self::ticket_headers(&session, method))
            }
        }
    }

    fn ticket_headers(session: &Session, method: Method) -> AuthHeaders {
        let mut headers = Vec::with_capacity(2);
        headers.push((
            "Cookie".to_owned(),
            session.cookie.expose_secret().to_owned(),
        ));
        if method.is_write() {
            headers.push((
                "CSRFPreventionToken".to_owned(),
                session.ticket.csrf.expose_secret().to_owned(),
            ));
        }
        AuthHeaders {
            headers,
            generation: Some(session.generation),
        }
    }

    /// Renews or replaces a missing or old ticket; one caller at a time does the work.
    async fn refresh_stale(&self, wire: &Wire) -> Result<Arc<Session>, Error> {
        let _single_flight = self.refresh.lock().await;
        let now = wire.clock.now();
        let current = self.current();
        if let Some(s) = &current {
            if s.ticket.age(now) < self.renew_after {
                // Someone else refreshed while we waited for the lock.
                return Ok(s.clone());
            }
        }
        let ticket = match current {
            Some(s) if s.ticket.age(now) < MAX_TICKET_AGE => {
                match self.renew(wire, &s.ticket).await {
                    Ok(ticket) => ticket,
                    Err(Error::Authentication { .. }) => {
                        tracing::debug!("ticket renewal refused; logging in again");
                        self.login(wire).await?
                    }
                    Err(other) => return Err(other),
                }
            }
            _ => self.login(wire).await?,
        };
        Ok(self.store(ticket))
    }

    /// After a 401 with the session of `failed_generation`: log in again, unless another caller
    /// already replaced that session. Returns whether this call logged in itself.
    pub(crate) async fn reauthenticate(
        &self,
        wire: &Wire,
        failed_generation: u64,
    ) -> Result<bool, Error> {
        let _single_flight = self.refresh.lock().await;
        if let Some(s) = self.current() {
            if s.generation != failed_generation {
                return Ok(false);
            }
        }
        let ticket = self.login(wire).await?;
        self.store(ticket);
        Ok(true)
    }

    async fn login(&self, wire: &Wire) -> Result<SessionTicket, Error> {
        let Some(Credentials::Password { userid, password }) = &self.credentials else {
            return Err(Error::invalid_input(
                "credentials",
                "a ticket login needs password credentials",
            ));
        };
        login_with_password(wire, userid, password, self.tfa.as_deref()).await
    }

    async fn renew(&self, wire: &Wire, current: &SessionTicket) -> Result<SessionTicket, Error> {
        let request = ApiRequest::post(["access", "ticket"])
            .param("username", current.userid.as_str())
            .param("password", current.ticket.clone());
        let reply = post_ticket(wire, request).await?;
        if reply.needs_tfa() {
            return Err(Error::Authentication {
                reason: "ticket renewal asked for a second factor".to_owned(),
            });
        }
        reply.into_session(wire, &current.userid)
    }
}

/// What `POST /access/ticket` answered; the ticket is wrapped in a secret immediately.
struct LoginReply {
    ticket: SecretString,
    csrf: Option<SecretString>,
    username: Option<String>,
    need_tfa: bool,
}

impl LoginReply {
    fn needs_tfa(&self) -> bool {
        self.need_tfa || is_tfa_ticket(self.ticket.expose_secret())
    }

    fn into_session(self, wire: &Wire, userid: &str) -> Result<SessionTicket, Error> {
        let csrf = self.csrf.ok_or_else(|| Error::Decode {
            path: "data.CSRFPreventionToken".to_owned(),
            message: "missing from the login reply".to_owned(),
        })?;
        // The age is measured on the local clock from the moment the ticket arrived, never from
        // the server's stamp inside it: with the clocks minutes or hours apart, comparing the
        // stamp with local time renewed (or fully re-logged) on every request, or never.
        let issued_at = wire.clock.now();
        Ok(SessionTicket {
            userid: self.username.unwrap_or_else(|| userid.to_owned()),
            ticket: self.ticket,
            csrf,
            issued_at,
        })
    }
}

async fn post_ticket(wire: &Wire, request: ApiRequest) -> Result<LoginReply, Error> {
    // Decoded through `Value` and picked apart by hand: a typed decode error could quote the
    // ticket in its message.
    let data: serde_json::Value = wire.call(&request).await?;
    let text = |key: &str| {
        data.get(key)
            .and_then(|v| v.as_str())
            .map(ToOwned::to_owned)
    };
    let ticket = text("ticket").ok_or_else(|| Error::Decode {
        path: "data.ticket".to_owned(),
        message: "no ticket in the login reply".to_owned(),
    })?;
    let need_tfa = match data.get("NeedTFA") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(serde_json::Value::String(s)) => !matches!(s.as_str(), "" | "0"),
        Some(_) => true,
    };
    Ok(LoginReply {
        ticket: SecretString::from(ticket),
        csrf: text("CSRFPreventionToken").map(SecretString::from),
        username: text("username"),
        need_tfa,
    })
}

/// A full login, with the second factor from `tfa` when the account asks for one.
pub(crate) async fn login_with_password(
    wire: &Wire,
    userid: &str,
    password: &SecretString,
    tfa: Option<&dyn TfaProvider>,
) -> Result<SessionTicket, Error> {
    let request = ApiRequest::post(["access", "ticket"])
        .param("username", userid)
        .param("password", password.clone());
    let first = post_ticket(wire, request).await?;
    if !first.needs_tfa() {
        return first.into_session(wire, userid);
    }
    let factors = tfa_factors(first.ticket.expose_secret());
    let Some(provider) = tfa else {
        return Err(Error::TfaRequired { factors });
    };
    let answer = provider.second_factor(userid, &factors).await?;
    let request = ApiRequest::post(["access", "ticket"])
        .param("username", userid)
        .param("tfa-challenge", first.ticket)
        .param("password", answer.as_password());
    let second = post_ticket(wire, request).await?;
    if second.needs_tfa() {
        return Err(Error::Authentication {
            reason: "the second factor was not accepted".to_owned(),
        });
    }
    second.into_session(wire, userid)
}
