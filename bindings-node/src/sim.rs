//! `startSimulator()`: the Proxmox VE simulator linked into the addon (cargo feature `sim`), for
//! users' own tests. It runs on the addon's tokio runtime; `stop()` (or garbage collection)
//! shuts it down.

use std::time::Duration;

use napi::Env;
use napi_derive::napi;
use proxmox_api_core::Error as CoreError;
use proxmox_api_sim::faults::NetworkFault;
use proxmox_api_sim::{RunningSimulator, SimControl, Simulator as CoreSimulator};

use crate::client::Client;
use crate::js_error;
use crate::login::{self, ClientOptions, Login};
use crate::outcome::Outcome;

/// How to start the simulator; every field is optional.
#[napi(object, object_to_js = false)]
pub struct SimulatorOptions {
    /// Number of nodes, `pve1`..`pveN` (default 3).
    pub nodes: Option<u32>,
    /// Extra pre-populated containers, for benchmarks (default 0).
    pub guests: Option<u32>,
    /// `root@pam`'s password (generated when unset).
    pub password: Option<String>,
    /// Multiplies task durations (default 1; 0 makes tasks finish at once).
    pub task_duration_scale: Option<f64>,
    /// Serve plain HTTP instead of HTTPS.
    pub plain_http: Option<bool>,
}

/// A running simulator: its URL, certificate fingerprint, credentials and fault controls.
#[napi]
pub struct Simulator {
    running: Option<RunningSimulator>,
    url: String,
    fingerprint: String,
    user: String,
    password: String,
    control: SimControl,
}

/// Starts a simulated Proxmox VE cluster on `127.0.0.1` (a free port).
///
/// ```ts
/// const sim = await startSimulator({ nodes: 3 })
/// const client = sim.client()            // or new Client({ host: sim.url, user: sim.user, password: sim.password }, { fingerprint: sim.fingerprint })
/// sim.setNodeOnline('pve2', false)
/// sim.stop()
/// ```
#[napi(ts_return_type = "Promise<Simulator>")]
pub async fn start_simulator(options: Option<SimulatorOptions>) -> Outcome<Simulator> {
    let options = options.unwrap_or(SimulatorOptions {
        nodes: None,
        guests: None,
        password: None,
        task_duration_scale: None,
        plain_http: None,
    });
    let mut builder = CoreSimulator::builder().nodes(options.nodes.unwrap_or(3) as usize);
    if let Some(guests) = options.guests {
        builder = builder.guests(guests as usize);
    }
    if let Some(password) = options.password {
        builder = builder.password(password);
    }
    if let Some(scale) = options.task_duration_scale {
        builder = builder.task_duration_scale(scale);
    }
    if let Some(plain) = options.plain_http {
        builder = builder.plain_http(plain);
    }
    builder
        .start()
        .await
        .map(|running| Simulator {
            url: running.url().to_owned(),
            fingerprint: running.fingerprint().to_owned(),
            user: running.user().to_owned(),
            password: running.password().to_owned(),
            control: running.control(),
            running: Some(running),
        })
        .map_err(|e| CoreError::invalid_input("simulator", e.to_string()))
        .into()
}

#[napi]
impl Simulator {
    /// `https://127.0.0.1:PORT`: give it to `Client` as `host`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// SHA-256 fingerprint of its self-signed certificate, `AA:BB:...` (empty over plain HTTP).
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// The admin user, `root@pam`.
    #[napi(getter)]
    pub fn user(&self) -> String {
        self.user.clone()
    }

    /// The admin password (a getter, so `console.log(sim)` does not show it).
    #[napi(getter)]
    pub fn password(&self) -> String {
        self.password.clone()
    }

    /// A `Client` logged in as the admin user, pinned to the simulator's certificate.
    #[napi]
    pub fn client(&self, env: Env, options: Option<ClientOptions>) -> napi::Result<Client> {
        let mut options = options.unwrap_or_default();
        if self.fingerprint.is_empty() {
            options.allow_insecure_http = Some(true);
        } else if options.fingerprint.is_none() && options.fingerprints.is_none() {
            options.fingerprint = Some(self.fingerprint.clone());
        }
        let login = Login {
            host: self.url.clone(),
            user: Some(self.user.clone()),
            password: Some(self.password.clone()),
            token_id: None,
            token_secret: None,
        };
        login::build_client(&env, login, options)
            .map(|inner| Client { inner })
            .map_err(|e| js_error::to_napi_error(&env, &e))
    }

    /// Takes a node offline (its API answers 595, the cluster reports it offline) or back online.
    #[napi]
    pub fn set_node_online(&self, node: String, online: bool) {
        self.control.set_node_online(&node, online);
    }

    /// Adds `ms` milliseconds of latency to every request.
    #[napi]
    pub fn set_latency(&self, ms: u32) {
        self.control
            .set_latency(Duration::from_millis(u64::from(ms)));
    }

    /// Adds `ms` milliseconds of latency to requests for one node's paths.
    #[napi]
    pub fn set_node_latency(&self, node: String, ms: u32) {
        self.control
            .set_node_latency(&node, Duration::from_millis(u64::from(ms)));
    }

    /// The next `count` requests matching `method` and `path` fail with `status` and `message`.
    #[napi]
    pub fn fail_next(
        &self,
        method: String,
        path: String,
        count: u32,
        status: u16,
        message: String,
    ) {
        self.control
            .fail_next(&method, &path, count, status, &message);
    }

    /// A network fault on the next `count` requests matching `method` (`*` = any) and the glob `path`: `reset-before`, `reset-after`, `stall` (the answer held `ms`) or `slow-body` (`chunk` bytes every `ms`).
    #[napi]
    pub fn network_fault(
        &self,
        kind: String,
        method: String,
        path: String,
        count: u32,
        ms: u32,
        chunk: u32,
    ) -> napi::Result<()> {
        let fault =
            NetworkFault::from_kind(&kind, Duration::from_millis(u64::from(ms)), chunk as usize)
                .map_err(|message| napi::Error::new(napi::Status::InvalidArg, message))?;
        self.control.network_fault(&method, &path, count, fault);
        Ok(())
    }

    /// The network faults injected so far (the last 1000), oldest first.
    #[napi]
    pub fn fault_log(&self) -> Vec<FaultLogEntry> {
        self.control
            .fault_log()
            .into_iter()
            .map(|event| FaultLogEntry {
                kind: event.kind.to_owned(),
                method: event.method,
                path: event.path,
            })
            .collect()
    }

    /// Invalidates every ticket (clients must log in again).
    #[napi]
    pub fn expire_tickets(&self) {
        self.control.expire_tickets();
    }

    /// The next task of `taskType` (e.g. `vzstart`) ends with `exitStatus` instead of `OK`.
    #[napi]
    pub fn fail_next_task(&self, task_type: String, exit_status: String) {
        self.control.fail_next_task(&task_type, &exit_status);
    }

    /// Puts a config lock (`backup`, `create`, ...) on a guest.
    #[napi]
    pub fn hold_lock(&self, vmid: u32, lock: String) {
        self.control.hold_lock(vmid, &lock);
    }

    /// Removes a guest's config lock.
    #[napi]
    pub fn release_lock(&self, vmid: u32) {
        self.control.release_lock(vmid);
    }

    /// Moves the simulator's clock forward (running tasks finish sooner).
    #[napi]
    pub fn advance_clock(&self, ms: u32) {
        self.control
            .advance_clock(Duration::from_millis(u64::from(ms)));
    }

    /// Multiplies the duration of tasks started from now on (0: they finish at once).
    #[napi]
    pub fn set_task_duration_scale(&self, scale: f64) {
        self.control.set_task_duration_scale(scale);
    }

    /// Removes every injected fault (failures, latency, offline nodes).
    #[napi]
    pub fn clear_faults(&self) {
        self.control.clear_faults();
    }

    /// Adds a user with a password, directly (not through the API).
    #[napi]
    pub fn add_user(&self, userid: String, password: String) {
        self.control.add_user(&userid, &password);
    }

    /// Grants `role` on `path` to a user or group, directly.
    #[napi]
    pub fn grant(&self, path: String, ugid: String, role: String) {
        self.control.grant(&path, &ugid, &role);
    }

    /// Enables TOTP for a user; returns the secret.
    #[napi]
    pub fn enable_totp(&self, userid: String) -> Option<String> {
        self.control.enable_totp(&userid)
    }

    /// The current TOTP code of a user with TOTP enabled.
    #[napi]
    pub fn totp_code(&self, userid: String) -> Option<String> {
        self.control.totp_code(&userid)
    }

    /// Shuts the simulator down; clients get connection errors afterwards.
    #[napi]
    pub fn stop(&mut self) {
        self.running = None;
    }
}

/// One network fault the simulator injected.
#[napi(object)]
pub struct FaultLogEntry {
    /// `reset-before`, `reset-after`, `stall` or `slow-body`.
    pub kind: String,
    /// The request's method.
    pub method: String,
    /// The request's path below `/api2/json`.
    pub path: String,
}
