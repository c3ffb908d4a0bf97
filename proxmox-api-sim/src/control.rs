//! Fault injection and test control, from Rust ([`SimControl`]) and over HTTP under `/_sim/`
//! (JSON bodies; see the crate README for the list).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::faults::{FailRule, FaultEvent, NetworkFault, NetworkRule, MAX_NETWORK_COUNT};
use crate::server::wire::{self, Body};
use crate::server::ServerContext;
use crate::state::SimState;

/// A handle on a running simulator's state. Cheap to clone.
#[derive(Clone)]
pub struct SimControl {
    state: Arc<Mutex<SimState>>,
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimControl")
    }
}

impl SimControl {
    pub(crate) fn new(state: Arc<Mutex<SimState>>) -> Self {
        Self { state }
    }

    /// Runs `f` on the state under the lock (for tests that need more than the methods here).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut SimState) -> R) -> R {
        f(&mut self.state.lock())
    }

    /// Takes a node offline (595 for `/nodes/{node}/...`, offline in cluster views) or back.
    pub fn set_node_online(&self, node: &str, online: bool) {
        let mut s = self.state.lock();
        if online {
            s.faults.offline_nodes.remove(node);
        } else {
            s.faults.offline_nodes.insert(node.to_owned());
        }
    }

    /// Extra latency for every request.
    pub fn set_latency(&self, latency: Duration) {
        self.state.lock().faults.latency_all = latency;
    }

    /// Extra latency for requests to `/nodes/{node}/...` (zero removes it).
    pub fn set_node_latency(&self, node: &str, latency: Duration) {
        let mut s = self.state.lock();
        if latency.is_zero() {
            s.faults.latency_by_node.remove(node);
        } else {
            s.faults.latency_by_node.insert(node.to_owned(), latency);
        }
    }

    /// Fails the next `count` requests whose method matches (`*` for any) and whose path below
    /// `/api2/json` matches the glob `path` (`*` = anything), with `status` and `message`.
    pub fn fail_next(&self, method: &str, path: &str, count: u32, status: u16, message: &str) {
        self.state.lock().faults.fail_rules.push(FailRule {
            method: method.to_owned(),
            path: path.to_owned(),
            remaining: count.max(1),
            status,
            message: message.to_owned(),
        });
    }

    /// Applies a network fault to the next `count` requests (at most 1000) whose method
    /// matches (`*` for any) and whose path below `/api2/json` matches the glob `path`: a TCP
    /// reset before or after the request is handled, a stall, or a slow body (delays are
    /// capped at 300 s). Each use is recorded in [`SimControl::fault_log`].
    pub fn network_fault(&self, method: &str, path: &str, count: u32, fault: NetworkFault) {
        self.state.lock().faults.network_rules.push(NetworkRule {
            method: method.to_owned(),
            path: path.to_owned(),
            remaining: count.clamp(1, MAX_NETWORK_COUNT),
            fault: fault.bounded(),
        });
    }

    /// The network faults injected so far (the last 1000), oldest first.
    pub fn fault_log(&self) -> Vec<FaultEvent> {
        self.state.lock().faults.fault_log.iter().cloned().collect()
    }

    /// Every ticket and CSRF token issued so far stops working now.
    pub fn expire_tickets(&self) {
        self.state.lock().access.expire_all_tickets();
    }

    /// The next task of `task_type` (e.g. `vzcreate`) ends with `exitstatus`.
    pub fn fail_next_task(&self, task_type: &str, exitstatus: &str) {
        self.state
            .lock()
            .faults
            .task_failures
            .entry(task_type.to_owned())
            .or_default()
            .push_back(exitstatus.to_owned());
    }

    /// Holds container `vmid`'s config lock (as a backup or migration would) until released.
    pub fn hold_lock(&self, vmid: u32, lock: &str) {
        self.state
            .lock()
            .faults
            .held_locks
            .insert(vmid, lock.to_owned());
    }

    /// Releases a lock taken by [`SimControl::hold_lock`].
    pub fn release_lock(&self, vmid: u32) {
        self.state.lock().faults.held_locks.remove(&vmid);
    }

    /// Moves the simulator's clock forward (tickets age, tasks finish).
    pub fn advance_clock(&self, by: Duration) {
        self.state.lock().clock.advance(by);
    }

    /// Multiplies every task's duration (0 = instant).
    pub fn set_task_duration_scale(&self, scale: f64) {
        self.state.lock().faults.task_duration_scale = scale.max(0.0);
    }

    /// Removes every request-level fault (offline nodes, latency, fail rules, network faults
    /// not yet used; the fault log stays).
    pub fn clear_faults(&self) {
        let mut s = self.state.lock();
        s.faults.network_rules.clear();
        s.faults.offline_nodes.clear();
        s.faults.latency_all = Duration::ZERO;
        s.faults.latency_by_node.clear();
        s.faults.fail_rules.clear();
    }

    /// Adds a user (`name@pve` or `name@pam`) with a password.
    pub fn add_user(&self, userid: &str, password: &str) {
        self.state.lock().access.add_user(userid, password);
    }

    /// Grants `role` on `path` to a user, token (`user@realm!name`) or group (`@name`),
    /// propagating.
    pub fn grant(&self, path: &str, ugid: &str, role: &str) {
        self.state.lock().access.grant(path, ugid, role, true);
    }

    /// Puts `userid` into group `groupid`, creating the group when it is missing.
    pub fn add_to_group(&self, groupid: &str, userid: &str) {
        self.state
            .lock()
            .access
            .groups
            .entry(groupid.to_owned())
            .or_default()
            .members
            .insert(userid.to_owned());
    }

    /// Gives `userid` a TOTP second factor; returns the base32 secret (`None`: no such user).
    pub fn enable_totp(&self, userid: &str) -> Option<String> {
        let mut s = self.state.lock();
        let now = s.clock.unix();
        s.access.enable_totp(userid, now)
    }

    /// The current TOTP code of `userid` by the simulator's clock.
    pub fn totp_code(&self, userid: &str) -> Option<String> {
        let s = self.state.lock();
        let factor = s.access.users.get(userid)?.totp.as_ref()?;
        Some(crate::access::totp::code_at(&factor.secret, s.clock.unix()))
    }

    /// The unused recovery codes of `userid`'s second factor.
    pub fn recovery_codes(&self, userid: &str) -> Vec<String> {
        self.state.lock().access.recovery_codes(userid)
    }

    /// The simulator's time, unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.state.lock().clock.unix()
    }
}

#[derive(Deserialize)]
struct NodeOnline {
    node: String,
    online: bool,
}

#[derive(Deserialize)]
struct Latency {
    #[serde(default)]
    node: Option<String>,
    ms: u64,
}

#[derive(Deserialize)]
struct FailNext {
    #[serde(default = "any_method")]
    method: String,
    path: String,
    #[serde(default = "one")]
    count: u32,
    #[serde(default = "status_500")]
    status: u16,
    #[serde(default = "injected")]
    message: String,
}

fn any_method() -> String {
    "*".to_owned()
}
fn one() -> u32 {
    1
}
fn status_500() -> u16 {
    500
}
fn injected() -> String {
    "injected failure".to_owned()
}

#[derive(Deserialize)]
struct NetworkFaultRequest {
    #[serde(default = "any_method")]
    method: String,
    path: String,
    #[serde(default = "one")]
    count: u32,
    kind: String,
    #[serde(default)]
    ms: u64,
    #[serde(default = "one_usize")]
    chunk: usize,
    #[serde(default)]
    interval_ms: u64,
}

fn one_usize() -> usize {
    1
}

impl NetworkFaultRequest {
    fn fault(&self) -> Result<NetworkFault, ApiError> {
        // A stall waits `ms`; a slow body pauses `interval_ms` between chunks.
        let delay = if self.kind == "stall" {
            self.ms
        } else {
            self.interval_ms
        };
        NetworkFault::from_kind(&self.kind, Duration::from_millis(delay), self.chunk)
            .map_err(|message| ApiError::new(400, message))
    }
}

fn fault_log_json(log: &std::collections::VecDeque<FaultEvent>) -> Value {
    Value::Array(
        log.iter()
            .map(|e| json!({"kind": e.kind, "method": e.method, "path": e.path}))
            .collect(),
    )
}

#[derive(Deserialize)]
struct FailNextTask {
    #[serde(rename = "type")]
    task_type: String,
    #[serde(default = "task_error")]
    exitstatus: String,
}

fn task_error() -> String {
    "injected task failure".to_owned()
}

#[derive(Deserialize)]
struct Lock {
    vmid: u32,
    #[serde(default = "backup")]
    lock: String,
}

fn backup() -> String {
    "backup".to_owned()
}

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

#[derive(Deserialize)]
struct Scale {
    scale: f64,
}

#[derive(Deserialize)]
struct AddUser {
    userid: String,
    password: String,
}

#[derive(Deserialize)]
struct Grant {
    path: String,
    ugid: String,
    role: String,
}

#[derive(Deserialize)]
struct GroupMember {
    groupid: String,
    userid: String,
}

#[derive(Deserialize)]
struct UserOnly {
    userid: String,
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(400, format!("bad control request: {e}")))
}

/// Answers `/_sim/<action>`.
pub async fn handle_http(
    ctx: &ServerContext,
    method: Method,
    action: &str,
    body: Incoming,
) -> Response<Body> {
    let body: Bytes = match http_body_util::Limited::new(body, 64 * 1024)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => return wire::error(&ApiError::new(413, "request too large")),
    };
    let control = SimControl::new(ctx.state.clone());
    match run(&control, &method, action, &body) {
        Ok(data) => wire::success(&data),
        Err(e) => wire::error(&e),
    }
}

fn run(
    control: &SimControl,
    method: &Method,
    action: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    if method == Method::GET {
        return match action {
            "health" | "state" => {
                let s = control.state.lock();
                Ok(json!({
                    "now": s.clock.unix(),
                    "offline_nodes": s.faults.offline_nodes,
                    "latency_ms": s.faults.latency_all.as_millis() as u64,
                    "fail_rules": s.faults.fail_rules.len(),
                    "task_duration_scale": s.faults.task_duration_scale,
                    "network_rules": s.faults.network_rules.len(),
                    "network_faults_injected": s.faults.network_faults_injected,
                    "fault_log": fault_log_json(&s.faults.fault_log),
                }))
            }
            "fault-log" => Ok(fault_log_json(&control.state.lock().faults.fault_log)),
            _ => Err(ApiError::new(
                501,
                format!("Method 'GET /_sim/{action}' not implemented"),
            )),
        };
    }
    if method != Method::POST {
        return Err(ApiError::new(
            501,
            format!("Method '{method} /_sim/{action}' not implemented"),
        ));
    }
    match action {
        "node-online" => {
            let r: NodeOnline = parse(body)?;
            control.set_node_online(&r.node, r.online);
        }
        "latency" => {
            let r: Latency = parse(body)?;
            let d = Duration::from_millis(r.ms);
            match r.node {
                Some(node) => control.set_node_latency(&node, d),
                None => control.set_latency(d),
            }
        }
        "fail-next" => {
            let r: FailNext = parse(body)?;
            control.fail_next(&r.method, &r.path, r.count, r.status, &r.message);
        }
        "network-fault" => {
            let r: NetworkFaultRequest = parse(body)?;
            control.network_fault(&r.method, &r.path, r.count, r.fault()?);
        }
        "expire-tickets" => control.expire_tickets(),
        "fail-next-task" => {
            let r: FailNextTask = parse(body)?;
            control.fail_next_task(&r.task_type, &r.exitstatus);
        }
        "hold-lock" => {
            let r: Lock = parse(body)?;
            control.hold_lock(r.vmid, &r.lock);
        }
        "release-lock" => {
            let r: Lock = parse(body)?;
            control.release_lock(r.vmid);
        }
        "advance-clock" => {
            let r: Advance = parse(body)?;
            if !(r.seconds.is_finite() && r.seconds >= 0.0) {
                return Err(ApiError::new(400, "seconds must be a non-negative number"));
            }
            control.advance_clock(Duration::from_secs_f64(r.seconds));
        }
        "task-duration-scale" => {
            let r: Scale = parse(body)?;
            control.set_task_duration_scale(r.scale);
        }
        "clear-faults" => control.clear_faults(),
        "add-user" => {
            let r: AddUser = parse(body)?;
            control.add_user(&r.userid, &r.password);
        }
        "grant" => {
            let r: Grant = parse(body)?;
            control.grant(&r.path, &r.ugid, &r.role);
        }
        "add-to-group" => {
            let r: GroupMember = parse(body)?;
            control.add_to_group(&r.groupid, &r.userid);
        }
        "enable-totp" => {
            let r: UserOnly = parse(body)?;
            let secret = control
                .enable_totp(&r.userid)
                .ok_or_else(|| ApiError::new(400, format!("no such user '{}'", r.userid)))?;
            return Ok(json!({"secret": secret, "recovery": control.recovery_codes(&r.userid)}));
        }
        "totp-code" => {
            let r: UserOnly = parse(body)?;
            let code = control
                .totp_code(&r.userid)
                .ok_or_else(|| ApiError::new(400, format!("user '{}' has no TOTP", r.userid)))?;
            return Ok(json!({"code": code}));
        }
        _ => {
            return Err(ApiError::new(
                501,
                format!("Method 'POST /_sim/{action}' not implemented"),
            ))
        }
    }
    Ok(Value::Null)
}
