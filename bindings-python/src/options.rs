//! The constructor arguments shared by `Client` and `AsyncClient`, and the core client built from
//! them.
//!
//! The options are kept (secrets as `SecretString`) so that a forked child can build its own core
//! client: the parent's connection pool belongs to the parent's runtime, which has no threads in
//! the child.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use proxmox_api_core::{Client as CoreClient, Credentials, TfaProvider};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{invalid_input, to_py_err};

/// Everything needed to build a core client; `Debug` shows no secret.
#[derive(Clone)]
pub struct ClientOptions {
    pub host: String,
    pub credentials: Credentials,
    pub fingerprints: Vec<String>,
    pub ca_pem: Option<String>,
    pub danger_accept_invalid_certs: bool,
    pub insecure_http: bool,
    pub connect_timeout: Option<Duration>,
    pub request_timeout: Option<Duration>,
    /// Answers the server's second-factor challenge (`otp=` or `tfa_callback=`).
    pub tfa: Option<Arc<dyn TfaProvider>>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials' own Debug redacts the secret.
        f.debug_struct("ClientOptions")
            .field("host", &self.host)
            .field("credentials", &self.credentials)
            .field("fingerprints", &self.fingerprints)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<pem>"))
            .field(
                "danger_accept_invalid_certs",
                &self.danger_accept_invalid_certs,
            )
            .field("insecure_http", &self.insecure_http)
            .finish()
    }
}

/// The keyword arguments of the constructors, before validation.
pub struct RawOptions<'py> {
    pub host: String,
    pub user: Option<String>,
    pub password: Option<Bound<'py, PyAny>>,
    pub token_id: Option<String>,
    pub token_secret: Option<Bound<'py, PyAny>>,
    pub fingerprint: Option<Bound<'py, PyAny>>,
    pub ca_pem: Option<String>,
    pub danger_accept_invalid_certs: bool,
    pub insecure_http: bool,
    pub connect_timeout: Option<f64>,
    pub request_timeout: Option<f64>,
    pub otp: Option<Bound<'py, PyAny>>,
    pub tfa_callback: Option<Bound<'py, PyAny>>,
}

impl RawOptions<'_> {
    /// Validates the arguments; every mistake is an `InvalidInputError` naming the argument.
    pub fn validate(self) -> PyResult<ClientOptions> {
        let credentials =
            match (self.user, self.password, self.token_id, self.token_secret) {
                (Some(user), Some(password), None, None) => {
                    Credentials::password(user, secret_text("password", &password)?)
                }
                (None, None, Some(token_id), Some(secret)) => {
                    Credentials::api_token(token_id, secret_text("token_secret", &secret)?)
                }
                (Some(_), None, None, None) => {
                    return Err(invalid_input(
                        "password",
                        "user is given but password is missing",
                    ))
                }
                (None, None, Some(_), None) => {
                    return Err(invalid_input(
                        "token_secret",
                        "token_id is given but token_secret is missing",
                    ))
                }
                (None, None, None, None) => {
                    return Err(invalid_input(
                        "credentials",
                        "give user= and password=, or token_id= and token_secret=",
                    ))
                }
                _ => return Err(invalid_input(
                    "credentials",
                    "give either user= and password=, or token_id= and token_secret=, not a mix",
                )),
            };
        Ok(ClientOptions {
            host: self.host,
            credentials,
            fingerprints: fingerprints(self.fingerprint.as_ref())?,
            ca_pem: self.ca_pem,
            danger_accept_invalid_certs: self.danger_accept_invalid_certs,
            insecure_http: self.insecure_http,
            connect_timeout: seconds("connect_timeout", self.connect_timeout)?,
            request_timeout: seconds("request_timeout", self.request_timeout)?,
            tfa: crate::tfa::provider(self.otp.as_ref(), self.tfa_callback.as_ref())?,
        })
    }
}

/// A secret argument as text. Its value is never echoed back, not even in the error.
fn secret_text(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if !value.is_instance_of::<PyString>() {
        return Err(invalid_input(name, "must be a str"));
    }
    value
        .extract()
        .map_err(|_| invalid_input(name, "must be valid UTF-8"))
}

/// `fingerprint=` accepts one `AA:BB:...` string or a list of them.
fn fingerprints(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if value.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(one) = value.extract::<String>() {
        return Ok(vec![one]);
    }
    value.extract::<Vec<String>>().map_err(|_| {
        invalid_input(
            "fingerprint",
            "expected an 'AA:BB:...' SHA-256 fingerprint or a list of them",
        )
    })
}

/// A timeout in seconds as a `Duration`; it must be a positive, finite number.
pub fn seconds(name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(_) => Err(invalid_input(name, "must be a positive number of seconds")),
    }
}

impl ClientOptions {
    /// Builds the core client; configuration errors (bad host, fingerprint or PEM) are typed.
    pub fn build(&self) -> PyResult<CoreClient> {
        let mut builder = CoreClient::builder(self.host.clone())
            .credentials(self.credentials.clone())
            .allow_insecure_http(self.insecure_http)
            .danger_accept_invalid_certs(self.danger_accept_invalid_certs);
        for fingerprint in &self.fingerprints {
            builder = builder.pin_fingerprint(fingerprint).map_err(to_py_err)?;
        }
        if let Some(pem) = &self.ca_pem {
            builder = builder.add_root_certificate_pem(pem).map_err(to_py_err)?;
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(timeout) = self.request_timeout {
            builder = builder.request_timeout(timeout);
        }
        if let Some(tfa) = &self.tfa {
            builder = builder.tfa_provider(tfa.clone());
        }
        builder.build().map_err(to_py_err)
    }

    /// `host='...', user='...'` for `repr`: identifies the client, shows no secret.
    pub fn describe(&self) -> String {
        let who = match &self.credentials {
            Credentials::Password { userid, .. } => format!("user={userid:?}"),
            Credentials::ApiToken { tokenid, .. } => format!("token_id={tokenid:?}"),
            // The enum may grow; a new kind is still shown without its secret.
            #[allow(unreachable_patterns)]
            _ => "credentials=<redacted>".to_owned(),
        };
        format!("host={:?}, {who}", self.host)
    }
}

/// A core client that belongs to the current process: rebuilt from the options after a fork.
pub struct ProcessLocalClient {
    options: ClientOptions,
    current: Mutex<(u32, CoreClient)>,
    closed: AtomicBool,
}

impl ProcessLocalClient {
    /// Builds the first core client now, so configuration errors surface in the constructor.
    pub fn new(options: ClientOptions) -> PyResult<Self> {
        let client = options.build()?;
        Ok(Self {
            options,
            current: Mutex::new((std::process::id(), client)),
            closed: AtomicBool::new(false),
        })
    }

    /// The core client for this process (a cheap clone sharing the session).
    pub fn get(&self) -> PyResult<CoreClient> {
        if self.closed.load(Ordering::Acquire) {
            return Err(invalid_input("client", "is closed"));
        }
        let pid = std::process::id();
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.0 != pid {
            // The inherited client's pooled connections were driven by the parent's runtime:
            // start over with a fresh client (and a fresh login) in this process.
            // Dropping it could touch the parent's connections, so it is leaked instead.
            let inherited = std::mem::replace(&mut *current, (pid, self.options.build()?));
            std::mem::forget(inherited);
        }
        Ok(current.1.clone())
    }

    /// Closes the client: the session and pooled connections are dropped (calls already running
    /// finish with their own clone); every later call fails with `InvalidInputError`.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            if current.0 == std::process::id() {
                // A fresh, never-used client replaces the one holding the session; building it
                // cannot fail where the first build succeeded.
                if let Ok(fresh) = self.options.build() {
                    current.1 = fresh;
                }
            }
        }
    }

    /// The options the client was built from.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }
}
