//! The constructor's arguments and their conversion into a core `Client`.

use std::sync::Arc;
use std::time::Duration;

use napi::{Env, JsFunction};
use napi_derive::napi;
use proxmox_api_core::{Client as CoreClient, Credentials, Error as CoreError, OneTimeCode};

use crate::tfa;

/// Where and how to log in: `{ host, user, password }` for a ticket session, or
/// `{ host, tokenId, tokenSecret }` for an API token.
// Deliberately not `Debug`: it holds the password or token secret until they are moved into the
// core's secret types.
#[napi(object)]
pub struct Login {
    /// `host`, `host:port` or `https://host:8006[/api2/json]` (port 8006 when none is given).
    pub host: String,
    /// `user@realm`, e.g. `root@pam`, for ticket authentication.
    pub user: Option<String>,
    /// The user's password (ticket authentication).
    pub password: Option<String>,
    /// `user@realm!tokenid` for API token authentication.
    pub token_id: Option<String>,
    /// The API token's secret (a UUID).
    pub token_secret: Option<String>,
}

/// Connection options; every field is optional.
// Not `Debug` either: it holds the one-time code.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ClientOptions {
    /// The server certificate's SHA-256 fingerprint, `AA:BB:...`; only the leaf is compared.
    pub fingerprint: Option<String>,
    /// Several accepted fingerprints (e.g. the old and the new certificate during a renewal).
    pub fingerprints: Option<Vec<String>>,
    /// An extra CA certificate (PEM) trusted besides the system roots.
    pub ca_pem: Option<String>,
    /// Allow `http://` URLs (plain text: only for tests and trusted networks).
    pub allow_insecure_http: Option<bool>,
    /// Accept any certificate. Dangerous: anyone on the path can read the password.
    pub danger_accept_invalid_certs: Option<bool>,
    /// Connect timeout in milliseconds (default 10 000).
    pub connect_timeout_ms: Option<u32>,
    /// Whole-request timeout in milliseconds (default 60 000).
    pub request_timeout_ms: Option<u32>,
    /// A one-time code (TOTP) for an account with two-factor authentication, used by the first
    /// login only: a later login (after the session expired) needs `onTfa`.
    pub otp: Option<String>,
    /// Asked for a TOTP code whenever a login needs a second factor (the first one and any
    /// renewal), e.g. `async ({ userid }) => readCodeFor(userid)`. A throw, a rejection or a
    /// non-string rejects the call with `InvalidInputError` (its `errors.onTfa` says why).
    #[napi(ts_type = "(challenge: TfaChallenge) => Promise<string> | string")]
    pub on_tfa: Option<JsFunction>,
}

/// Turns the JavaScript arguments into a core client, rejecting bad input before anything is sent
/// (on the JavaScript thread: `onTfa` is wrapped here).
pub fn build_client(
    env: &Env,
    login: Login,
    options: ClientOptions,
) -> Result<CoreClient, CoreError> {
    let credentials = credentials(
        login.user,
        login.password,
        login.token_id,
        login.token_secret,
    )?;
    let mut builder = CoreClient::builder(login.host).credentials(credentials);
    for fingerprint in options
        .fingerprint
        .iter()
        .chain(options.fingerprints.iter().flatten())
    {
        builder = builder.pin_fingerprint(fingerprint)?;
    }
    if let Some(pem) = options.ca_pem {
        builder = builder.add_root_certificate_pem(&pem)?;
    }
    if let Some(allow) = options.allow_insecure_http {
        builder = builder.allow_insecure_http(allow);
    }
    if let Some(accept) = options.danger_accept_invalid_certs {
        builder = builder.danger_accept_invalid_certs(accept);
    }
    if let Some(ms) = options.connect_timeout_ms {
        builder = builder.connect_timeout(positive_millis("connectTimeoutMs", ms)?);
    }
    if let Some(ms) = options.request_timeout_ms {
        builder = builder.request_timeout(positive_millis("requestTimeoutMs", ms)?);
    }
    match (options.otp, options.on_tfa) {
        (Some(_), Some(_)) => {
            return Err(CoreError::invalid_input(
                "otp",
                "give otp or onTfa, not both",
            ))
        }
        (Some(code), None) => {
            builder = builder.tfa_provider(Arc::new(OneTimeCode::new(
                code,
                "the one-time code was already used; pass onTfa to answer later logins",
            )));
        }
        (None, Some(on_tfa)) => {
            let callback = tfa::Callback::new(env, &on_tfa)
                .map_err(|_| CoreError::invalid_input("onTfa", "must be a function"))?;
            builder = builder.tfa_provider(Arc::new(callback));
        }
        (None, None) => {}
    }
    builder.build()
}

fn credentials(
    user: Option<String>,
    password: Option<String>,
    token_id: Option<String>,
    token_secret: Option<String>,
) -> Result<Credentials, CoreError> {
    match (user, token_id) {
        (Some(_), Some(_)) => Err(CoreError::invalid_input(
            "login",
            "give either user and password, or tokenId and tokenSecret, not both",
        )),
        (Some(user), None) => match password {
            Some(password) => Ok(Credentials::password(user, password)),
            None => Err(CoreError::invalid_input(
                "password",
                "required with user (or log in with tokenId and tokenSecret)",
            )),
        },
        (None, Some(token_id)) => match token_secret {
            Some(secret) => Ok(Credentials::api_token(token_id, secret)),
            None => Err(CoreError::invalid_input(
                "tokenSecret",
                "required with tokenId",
            )),
        },
        (None, None) => Err(CoreError::invalid_input(
            "login",
            "give user and password (e.g. root@pam), or tokenId (user@realm!name) and tokenSecret",
        )),
    }
}

fn positive_millis(name: &str, ms: u32) -> Result<Duration, CoreError> {
    if ms == 0 {
        return Err(CoreError::invalid_input(
            name,
            "must be at least 1 millisecond",
        ));
    }
    Ok(Duration::from_millis(u64::from(ms)))
}
