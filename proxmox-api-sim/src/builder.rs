//! `Simulator::builder()...start().await`: an in-process simulator, shut down on drop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::access::AccessState;
use crate::clock::SimClock;
use crate::control::SimControl;
use crate::faults::Faults;
use crate::server::hooks::{self, ClusterOptions};
use crate::server::{self, ServerContext};
use crate::state::SimState;
use crate::tls::TlsIdentity;

/// Entry point: `Simulator::builder()`.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// A builder with the defaults: 3 nodes, HTTPS on 127.0.0.1 with a random port, a generated
    /// root password, no failed-authentication delay, real-time clock.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

/// Options of a simulator.
pub struct SimulatorBuilder {
    listen: SocketAddr,
    nodes: usize,
    guests: usize,
    password: Option<SecretString>,
    plain_http: bool,
    auth_failure_delay: Duration,
    task_duration_scale: f64,
    clock: Option<SimClock>,
}

impl std::fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("listen", &self.listen)
            .field("nodes", &self.nodes)
            .field("guests", &self.guests)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("plain_http", &self.plain_http)
            .field("auth_failure_delay", &self.auth_failure_delay)
            .field("task_duration_scale", &self.task_duration_scale)
            .finish()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            nodes: 3,
            guests: 0,
            password: None,
            plain_http: false,
            auth_failure_delay: Duration::ZERO,
            task_duration_scale: 1.0,
            clock: None,
        }
    }
}

/// Why a simulator did not start.
#[derive(Debug)]
pub enum StartError {
    /// Binding the listener failed.
    Bind(std::io::Error),
    /// Making the certificate failed.
    Tls(crate::tls::TlsError),
    /// An option is out of range.
    InvalidOption(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot listen: {e}"),
            StartError::Tls(e) => write!(f, "{e}"),
            StartError::InvalidOption(m) => write!(f, "invalid option: {m}"),
        }
    }
}

impl std::error::Error for StartError {}

impl SimulatorBuilder {
    /// Address to listen on (`127.0.0.1:0` by default; port 0 picks a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Number of nodes, `pve1`..`pveN` (default 3).
    pub fn nodes(mut self, n: usize) -> Self {
        self.nodes = n;
        self
    }

    /// Extra pre-populated containers (benchmarks).
    pub fn guests(mut self, n: usize) -> Self {
        self.guests = n;
        self
    }

    /// root@pam's password (generated when unset).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(SecretString::from(password.into()));
        self
    }

    /// Serve plain HTTP instead of HTTPS.
    pub fn plain_http(mut self, plain: bool) -> Self {
        self.plain_http = plain;
        self
    }

    /// Delay before every 401 (PVE waits about 3 s; default 0 in-process).
    pub fn auth_failure_delay(mut self, delay: Duration) -> Self {
        self.auth_failure_delay = delay;
        self
    }

    /// Factor on every task's duration (0 = instant, default 1).
    pub fn task_duration_scale(mut self, scale: f64) -> Self {
        self.task_duration_scale = scale;
        self
    }

    /// The clock for tickets, tasks and uptime (e.g. [`SimClock::frozen_at`] in tests).
    pub fn clock(mut self, clock: SimClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Binds, makes the certificate and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<RunningSimulator, StartError> {
        if self.nodes == 0 || self.nodes > 10_000 {
            return Err(StartError::InvalidOption(format!(
                "nodes must be between 1 and 10000, got {}",
                self.nodes
            )));
        }
        if !(self.task_duration_scale.is_finite() && self.task_duration_scale >= 0.0) {
            return Err(StartError::InvalidOption(
                "task_duration_scale must be a non-negative number".to_owned(),
            ));
        }
        let password = self
            .password
            .unwrap_or_else(|| SecretString::from(generate_password()));
        let clock = self.clock.unwrap_or_else(SimClock::real);
        let options = ClusterOptions {
            nodes: self.nodes,
            guests: self.guests,
        };
        let faults = Faults {
            task_duration_scale: self.task_duration_scale,
            ..Faults::default()
        };

        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let identity = if self.plain_http {
            None
        } else {
            Some(TlsIdentity::generate(&[addr.ip().to_string()]).map_err(StartError::Tls)?)
        };
        let cluster = hooks::build_cluster(
            &options,
            identity.as_ref().map(|i| i.certificate_pem.as_str()),
        );
        let node_names = cluster.node_names();
        let state = SimState {
            cluster,
            access: AccessState::new(password.expose_secret()),
            clock: clock.clone(),
            faults,
        };
        let state = Arc::new(Mutex::new(state));
        let acceptor = identity
            .as_ref()
            .map(|id| tokio_rustls::TlsAcceptor::from(id.config.clone()));
        let ctx = Arc::new(ServerContext {
            state: state.clone(),
            auth_failure_delay: self.auth_failure_delay,
            node_names,
            clock,
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, acceptor, ctx, shutdown_rx));
        let scheme = if self.plain_http { "http" } else { "https" };
        Ok(RunningSimulator {
            url: format!("{scheme}://{addr}"),
            addr,
            fingerprint: identity
                .as_ref()
                .map(|i| i.fingerprint.clone())
                .unwrap_or_default(),
            certificate_pem: identity.map(|i| i.certificate_pem).unwrap_or_default(),
            password,
            control: SimControl::new(state),
            shutdown,
            task,
        })
    }
}

fn generate_password() -> String {
    let bytes = crate::access::crypto::random_bytes::<12>();
    crate::access::crypto::hex(&bytes)
}

/// A running simulator. Dropping it stops accepting and aborts open connections.
pub struct RunningSimulator {
    url: String,
    addr: SocketAddr,
    fingerprint: String,
    certificate_pem: String,
    password: SecretString,
    control: SimControl,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("url", &self.url)
            .field("fingerprint", &self.fingerprint)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl RunningSimulator {
    /// `https://127.0.0.1:PORT` (no `/api2/json`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `AA:BB:...` SHA-256 fingerprint of the certificate (empty with plain HTTP).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The certificate in PEM (empty with plain HTTP).
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// `root@pam`.
    pub fn user(&self) -> &str {
        crate::access::ROOT
    }

    /// root@pam's password.
    pub fn password(&self) -> &str {
        self.password.expose_secret()
    }

    /// The fault-injection and test-control handle.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// The HTTP control endpoint's base URL (`<url>/_sim`).
    pub fn control_url(&self) -> String {
        format!("{}/_sim", self.url)
    }

    /// Stops the server now (as dropping does) and waits until the accept loop has ended.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
