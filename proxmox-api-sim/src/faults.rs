//! Injected faults. The server layer applies the request-level ones (offline nodes, latency,
//! failing requests, expired tickets) and the network ones (connection resets, stalls, slow
//! bodies); the cluster reads the task-level ones. Network faults are counted in a bounded
//! fault log.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

/// Faults in force.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Nodes that answer 595 and show as offline in cluster status and resources.
    pub offline_nodes: BTreeSet<String>,
    /// Extra latency for every request.
    pub latency_all: Duration,
    /// Extra latency for requests to `/nodes/{node}/...`.
    pub latency_by_node: BTreeMap<String, Duration>,
    /// Next-task failures by task type (e.g. `vzcreate`): each entry is one exit status to use.
    pub task_failures: BTreeMap<String, VecDeque<String>>,
    /// Containers whose config lock is held by the test (vmid -> lock name).
    pub held_locks: BTreeMap<u32, String>,
    /// Factor applied to every task's duration (0 = instant).
    pub task_duration_scale: f64,
    /// Requests to fail, checked in order; a rule is dropped once its count is used up.
    pub fail_rules: Vec<FailRule>,
    /// Network-level faults, checked in order; a rule is dropped once its count is used up.
    pub network_rules: Vec<NetworkRule>,
    /// The network faults injected so far, oldest first (the last [`FAULT_LOG_CAP`]).
    pub fault_log: VecDeque<FaultEvent>,
    /// How many network faults were injected in total (also those dropped from the log).
    pub network_faults_injected: u64,
}

/// How many entries the fault log keeps.
pub const FAULT_LOG_CAP: usize = 1000;
/// The most requests one network rule may affect.
pub const MAX_NETWORK_COUNT: u32 = 1000;
/// The longest stall, and the longest a slow body may take in total.
pub const MAX_NETWORK_DELAY: Duration = Duration::from_secs(300);

/// What happens to a request's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFault {
    /// The connection is reset (TCP RST) before the request is handled: nothing changes.
    ResetBefore,
    /// The request is handled (its effects happen), then the connection is reset instead of
    /// answering.
    ResetAfter,
    /// The request is handled, then the answer is held back for this long before it is sent.
    Stall(Duration),
    /// The request is handled; the head goes out at once, the body `chunk` bytes at a time with
    /// `interval` between chunks.
    SlowBody {
        /// Bytes per write (at least 1).
        chunk: usize,
        /// Pause between writes.
        interval: Duration,
    },
}

impl NetworkFault {
    /// The fault named `kind` (`reset-before`, `reset-after`, `stall`, `slow-body`): `delay` is
    /// how long a stall holds the answer, or the pause between a slow body's `chunk`-byte writes.
    /// The control endpoint and the bindings' simulator helpers all parse names here.
    pub fn from_kind(kind: &str, delay: Duration, chunk: usize) -> Result<Self, String> {
        Ok(match kind {
            "reset-before" => NetworkFault::ResetBefore,
            "reset-after" => NetworkFault::ResetAfter,
            "stall" => NetworkFault::Stall(delay),
            "slow-body" => NetworkFault::SlowBody {
                chunk,
                interval: delay,
            },
            other => {
                return Err(format!(
                    "unknown network fault '{other}' (reset-before, reset-after, stall, slow-body)"
                ))
            }
        })
    }

    /// The name used in the fault log and on the control endpoint.
    pub fn name(&self) -> &'static str {
        match self {
            NetworkFault::ResetBefore => "reset-before",
            NetworkFault::ResetAfter => "reset-after",
            NetworkFault::Stall(_) => "stall",
            NetworkFault::SlowBody { .. } => "slow-body",
        }
    }

    /// The same fault within the simulator's bounds.
    pub fn bounded(self) -> Self {
        match self {
            NetworkFault::Stall(d) => NetworkFault::Stall(d.min(MAX_NETWORK_DELAY)),
            NetworkFault::SlowBody { chunk, interval } => NetworkFault::SlowBody {
                chunk: chunk.max(1),
                interval: interval.min(MAX_NETWORK_DELAY),
            },
            other => other,
        }
    }
}

/// "Apply `fault` to the next `remaining` requests matching `method` and `path`".
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRule {
    /// `GET`, `POST`, ... or `*` for any.
    pub method: String,
    /// Glob over the path below `/api2/json`.
    pub path: String,
    /// How many more requests it applies to.
    pub remaining: u32,
    /// The fault.
    pub fault: NetworkFault,
}

/// One injected network fault, as the fault log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultEvent {
    /// `reset-before`, `reset-after`, `stall` or `slow-body`.
    pub kind: &'static str,
    /// The request's method.
    pub method: String,
    /// The request's path below `/api2/json`.
    pub path: String,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            offline_nodes: BTreeSet::new(),
            latency_all: Duration::ZERO,
            latency_by_node: BTreeMap::new(),
            task_failures: BTreeMap::new(),
            held_locks: BTreeMap::new(),
            task_duration_scale: 1.0,
            fail_rules: Vec::new(),
            network_rules: Vec::new(),
            fault_log: VecDeque::new(),
            network_faults_injected: 0,
        }
    }
}

/// "Fail the next `remaining` requests matching `method` and `path`".
#[derive(Debug, Clone, PartialEq)]
pub struct FailRule {
    /// `GET`, `POST`, ... or `*` for any.
    pub method: String,
    /// Glob over the path below `/api2/json` (`*` matches any run of characters, `/` included).
    pub path: String,
    /// How many more requests fail.
    pub remaining: u32,
    /// Status to answer.
    pub status: u16,
    /// Message (status line reason and `message`).
    pub message: String,
}

impl Faults {
    /// Whether any request-level fault is in force (the fast path skips the rest).
    pub fn any_request_faults(&self) -> bool {
        !self.offline_nodes.is_empty()
            || !self.latency_all.is_zero()
            || !self.latency_by_node.is_empty()
            || !self.fail_rules.is_empty()
    }

    /// Uses up one matching fail rule: the status and message to answer with.
    pub fn take_failure(&mut self, method: &str, path: &str) -> Option<(u16, String)> {
        let index = self.fail_rules.iter().position(|r| {
            (r.method == "*" || r.method.eq_ignore_ascii_case(method)) && glob(&r.path, path)
        })?;
        let rule = &mut self.fail_rules[index];
        let answer = (rule.status, rule.message.clone());
        rule.remaining = rule.remaining.saturating_sub(1);
        if rule.remaining == 0 {
            self.fail_rules.remove(index);
        }
        Some(answer)
    }

    /// Uses up one matching network rule and logs it: the fault to apply to this request.
    pub fn take_network_fault(&mut self, method: &str, path: &str) -> Option<NetworkFault> {
        let index = self.network_rules.iter().position(|r| {
            (r.method == "*" || r.method.eq_ignore_ascii_case(method)) && glob(&r.path, path)
        })?;
        let rule = &mut self.network_rules[index];
        let fault = rule.fault;
        rule.remaining = rule.remaining.saturating_sub(1);
        if rule.remaining == 0 {
            self.network_rules.remove(index);
        }
        if self.fault_log.len() >= FAULT_LOG_CAP {
            self.fault_log.pop_front();
        }
        self.fault_log.push_back(FaultEvent {
            kind: fault.name(),
            method: method.to_owned(),
            path: path.to_owned(),
        });
        self.network_faults_injected += 1;
        Some(fault)
    }

    /// The extra latency for a request to `node` (if any).
    pub fn latency_for(&self, node: Option<&str>) -> Duration {
        let per_node = node
            .and_then(|n| self.latency_by_node.get(n))
            .copied()
            .unwrap_or_default();
        self.latency_all + per_node
    }
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches() {
        assert!(glob("/nodes/*/status", "/nodes/pve1/status"));
        assert!(glob("/nodes/*", "/nodes/pve1/lxc/100/status/current"));
        assert!(glob("*", "/version"));
        assert!(!glob("/nodes/*/status", "/nodes/pve1/lxc"));
        assert!(glob("/version", "/version"));
        assert!(!glob("/version", "/versions"));
    }

    #[test]
    fn fail_rules_count_down() {
        let mut f = Faults::default();
        f.fail_rules.push(FailRule {
            method: "GET".into(),
            path: "/nodes/*/status".into(),
            remaining: 2,
            status: 503,
            message: "busy".into(),
        });
        assert!(f.take_failure("POST", "/nodes/pve1/status").is_none());
        assert_eq!(
            f.take_failure("GET", "/nodes/pve1/status"),
            Some((503, "busy".into()))
        );
        assert!(f.take_failure("GET", "/nodes/pve2/status").is_some());
        assert!(f.take_failure("GET", "/nodes/pve2/status").is_none());
        assert!(!f.any_request_faults());
    }
}
