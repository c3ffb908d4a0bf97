//! Tasks (PVE's workers): UPIDs, status, logs, and the per-node and cluster-wide history.
//!
//! A task is created by a handler with the time it will take; it finishes lazily when
//! [`ClusterState::tick`] sees the clock pass its end, and only then applies its effect (a
//! container appears started, a template appears in storage...). History is capped so memory
//! stays bounded by [`TASK_HISTORY_CAP`], not by the number of requests served.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde_json::{Map, Value};

use super::guest::GuestKind;
use super::upid::Upid;
use super::{auth_id, caller_can, ClusterState};
use crate::answer::{Answer, AnswerReply};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::faults::Faults;
use crate::state::SimState;

/// How many tasks the simulator remembers (oldest finished ones are forgotten first).
pub const TASK_HISTORY_CAP: usize = 10_000;

/// What a task does to the cluster when it ends successfully.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TaskEffect {
    None,
    CreateContainer {
        vmid: u32,
        start_after: bool,
    },
    StartContainer {
        vmid: u32,
    },
    StopContainer {
        vmid: u32,
    },
    RebootContainer {
        vmid: u32,
    },
    DestroyContainer {
        vmid: u32,
        purge: bool,
    },
    DownloadTemplate {
        node: usize,
        storage: String,
        template: String,
    },
    /// A QEMU task (its VM's config lock is tracked by the VM itself).
    Qemu(super::qemu::QemuEffect),
    /// Step two of a snapshot (step one ran when the task started).
    SnapshotCommit {
        kind: GuestKind,
        vmid: u32,
        name: String,
    },
    SnapshotDelete {
        kind: GuestKind,
        vmid: u32,
        name: String,
    },
    Rollback {
        kind: GuestKind,
        vmid: u32,
        name: String,
        start: bool,
    },
    /// The clone exists (locked `create`) from the start; the task unlocks it.
    CloneGuest {
        kind: GuestKind,
        source: u32,
        newid: u32,
    },
    Template {
        kind: GuestKind,
        vmid: u32,
    },
    Migrate {
        kind: GuestKind,
        vmid: u32,
        target: usize,
        restart: bool,
    },
    /// Grows a disk to `bytes`.
    Resize {
        kind: GuestKind,
        vmid: u32,
        disk: String,
        bytes: u64,
    },
    Suspend {
        kind: GuestKind,
        vmid: u32,
    },
    Resume {
        kind: GuestKind,
        vmid: u32,
    },
    /// vzdump of one guest: the archive appears on the storage when the task ends.
    Backup {
        kind: GuestKind,
        vmids: Vec<u32>,
        node: usize,
        storage: String,
        /// vzdump's `compress` (`0`, `gzip`, `lzo`, `zstd`).
        compress: String,
    },
    /// download-url: the file appears on the storage when the task ends.
    DownloadUrl {
        node: usize,
        storage: String,
        volid: String,
        content: &'static str,
        size: u64,
    },
}

impl TaskEffect {
    /// The container whose config lock (flock) the task holds while it runs.
    pub(crate) fn locked_vmid(&self) -> Option<u32> {
        match self {
            TaskEffect::CreateContainer { vmid, .. }
            | TaskEffect::StartContainer { vmid }
            | TaskEffect::StopContainer { vmid }
            | TaskEffect::RebootContainer { vmid }
            | TaskEffect::DestroyContainer { vmid, .. }
            | TaskEffect::Template { vmid, .. }
            | TaskEffect::Resize { vmid, .. }
            | TaskEffect::Suspend { vmid, .. }
            | TaskEffect::Resume { vmid, .. } => Some(*vmid),
            // These mark the guest with a `lock` in its config instead of holding the flock.
            TaskEffect::SnapshotCommit { .. }
            | TaskEffect::SnapshotDelete { .. }
            | TaskEffect::Rollback { .. }
            | TaskEffect::CloneGuest { .. }
            | TaskEffect::Migrate { .. }
            | TaskEffect::Backup { .. }
            | TaskEffect::None
            | TaskEffect::Qemu(_)
            | TaskEffect::DownloadTemplate { .. }
            | TaskEffect::DownloadUrl { .. } => None,
        }
    }
}

/// Everything needed to start a task.
#[derive(Debug)]
pub(crate) struct TaskSpec {
    pub node: usize,
    pub kind: &'static str,
    pub id: String,
    pub user: String,
    /// Seconds, already scaled by `faults.task_duration_scale`.
    pub duration: f64,
    pub effect: TaskEffect,
    /// An exit status decided up front (injected by faults): the effect is not applied unless it
    /// is a `WARNINGS: n` status.
    pub planned_exit: Option<String>,
    /// Log lines written when the task starts.
    pub log: Vec<String>,
    /// Start time; `None` = now. Follow-up tasks start when their parent ended.
    pub start: Option<f64>,
}

/// One task, running or finished.
#[derive(Debug)]
pub(crate) struct Task {
    pub upid: String,
    pub node: String,
    pub pid: u32,
    pub pstart: u64,
    pub starttime: i64,
    pub kind: &'static str,
    pub id: String,
    pub user: String,
    pub ends_at: f64,
    pub endtime: Option<i64>,
    pub exitstatus: Option<String>,
    pub log: Vec<String>,
    pub effect: TaskEffect,
    pub planned_exit: Option<String>,
}

impl Task {
    fn is_running(&self) -> bool {
        self.exitstatus.is_none()
    }

    fn header(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("upid".into(), self.upid.clone().into());
        m.insert("node".into(), self.node.clone().into());
        m.insert("pid".into(), self.pid.into());
        m.insert("pstart".into(), self.pstart.into());
        m.insert("starttime".into(), self.starttime.into());
        m.insert("type".into(), self.kind.into());
        m.insert("id".into(), self.id.clone().into());
        m.insert("user".into(), self.user.clone().into());
        m
    }

    /// An entry of `GET /nodes/{node}/tasks` and `GET /cluster/tasks`.
    fn list_entry(&self) -> Value {
        let mut m = self.header();
        match (&self.exitstatus, self.endtime) {
            (Some(exit), Some(end)) => {
                m.insert("endtime".into(), end.into());
                m.insert("status".into(), exit.clone().into());
            }
            _ => {
                // Active tasks, as PVE lists them: no end time, `saved` as a string.
                m.insert("status".into(), "RUNNING".into());
                m.insert("saved".into(), "0".into());
            }
        }
        Value::Object(m)
    }

    fn status_entry(&self) -> Value {
        let mut m = self.header();
        match &self.exitstatus {
            Some(exit) => {
                m.insert("status".into(), "stopped".into());
                m.insert("exitstatus".into(), exit.clone().into());
            }
            None => {
                m.insert("status".into(), "running".into());
            }
        }
        Value::Object(m)
    }

    fn is_error(&self) -> bool {
        self.exitstatus
            .as_deref()
            .is_some_and(|e| e != "OK" && !e.starts_with("WARNINGS"))
    }
}

/// Every task the simulator remembers.
#[derive(Debug)]
pub(crate) struct TaskStore {
    by_upid: HashMap<String, Task>,
    /// UPIDs, oldest first.
    order: VecDeque<String>,
    /// Running tasks by (end in microseconds, sequence).
    due: BTreeMap<(i64, u64), String>,
    seq: u64,
    cap: usize,
}

impl TaskStore {
    pub(crate) fn new(_seed: u64) -> Self {
        Self {
            by_upid: HashMap::new(),
            order: VecDeque::new(),
            due: BTreeMap::new(),
            seq: 0,
            cap: TASK_HISTORY_CAP,
        }
    }

    /// The next running task whose end is at or before `now`, taken off the due list.
    pub(crate) fn pop_due(&mut self, now: f64) -> Option<String> {
        let (&key, _) = self.due.first_key_value()?;
        if key.0 > (now * 1e6) as i64 {
            return None;
        }
        self.due.remove(&key)
    }

    pub(crate) fn get(&self, upid: &str) -> Option<&Task> {
        self.by_upid.get(upid)
    }

    pub(crate) fn get_mut(&mut self, upid: &str) -> Option<&mut Task> {
        self.by_upid.get_mut(upid)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_upid.len()
    }

    fn insert(&mut self, task: Task) {
        self.seq += 1;
        self.due
            .insert(((task.ends_at * 1e6) as i64, self.seq), task.upid.clone());
        self.order.push_back(task.upid.clone());
        self.by_upid.insert(task.upid.clone(), task);
        self.prune();
    }

    /// Forgets the oldest finished tasks beyond the cap.
    fn prune(&mut self) {
        while self.order.len() > self.cap {
            let Some(front) = self.order.front() else {
                break;
            };
            if self.by_upid.get(front).is_some_and(Task::is_running) {
                break;
            }
            if let Some(upid) = self.order.pop_front() {
                self.by_upid.remove(&upid);
            }
        }
    }

    /// Tasks, newest first.
    fn newest_first(&self) -> impl Iterator<Item = &Task> {
        self.order.iter().rev().filter_map(|u| self.by_upid.get(u))
    }
}

impl ClusterState {
    /// Starts a task and returns its UPID.
    pub(crate) fn spawn_task(&mut self, spec: TaskSpec) -> String {
        let start = spec.start.unwrap_or(self.now);
        let seed = self.seed;
        let node = &mut self.nodes[spec.node];
        let pid = node.alloc_pid(seed);
        // pstart: clock ticks (USER_HZ 100) since boot, as /proc/<pid>/stat has it.
        let pstart = ((start - node.boot_time).max(0.0) * 100.0) as u64;
        let upid = Upid {
            node: node.name.clone(),
            pid,
            pstart,
            starttime: start as i64,
            kind: spec.kind.to_owned(),
            id: spec.id.clone(),
            user: spec.user.clone(),
        }
        .to_string();
        if let Some(vmid) = spec.effect.locked_vmid() {
            if let Some(ct) = self.containers.get_mut(&vmid) {
                ct.active_task = Some(upid.clone());
            }
        }
        self.tasks.insert(Task {
            upid: upid.clone(),
            node: self.nodes[spec.node].name.clone(),
            pid,
            pstart,
            starttime: start as i64,
            kind: spec.kind,
            id: spec.id,
            user: spec.user,
            ends_at: start + spec.duration.max(0.0),
            endtime: None,
            exitstatus: None,
            log: spec.log,
            effect: spec.effect,
            planned_exit: spec.planned_exit,
        });
        upid
    }

    /// Ends a task: applies its effect (or rolls back on failure) and writes the final log line.
    pub(crate) fn finish_task(&mut self, upid: &str, faults: &Faults) {
        let Some(task) = self.tasks.get_mut(upid) else {
            return;
        };
        let at = task.ends_at;
        let effect = std::mem::replace(&mut task.effect, TaskEffect::None);
        let planned = task.planned_exit.take();
        let user = task.user.clone();
        let node_name = task.node.clone();
        if let Some(vmid) = effect.locked_vmid() {
            if let Some(ct) = self.containers.get_mut(&vmid) {
                if ct.active_task.as_deref() == Some(upid) {
                    ct.active_task = None;
                }
            }
        }
        let outcome = match planned {
            Some(exit) if !exit.starts_with("WARNINGS") => {
                self.abort_task_effect(&effect);
                Err(exit)
            }
            warnings => self
                .apply_task_effect(&effect, at, faults, &user, &node_name)
                .map(|lines| (lines, warnings)),
        };
        let Some(task) = self.tasks.get_mut(upid) else {
            return;
        };
        task.endtime = Some(at as i64);
        match outcome {
            Ok((lines, warnings)) => {
                task.log.extend(lines);
                match warnings {
                    Some(w) => {
                        task.log.push(format!("TASK {w}"));
                        task.exitstatus = Some(w);
                    }
                    None => {
                        task.log.push("TASK OK".to_owned());
                        task.exitstatus = Some("OK".to_owned());
                    }
                }
            }
            Err(message) => {
                task.log.push(format!("TASK ERROR: {message}"));
                task.exitstatus = Some(message);
            }
        }
        self.tasks.prune();
    }

    /// Number of tasks remembered (bounded by [`TASK_HISTORY_CAP`]).
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }
}

/// Whether the caller may see this task: its owner (or the owner's tokens), or anyone with
/// `Sys.Audit` on the task's node.
fn may_see(state: &SimState, call: &Call, task: &Task) -> bool {
    let Some(caller) = &call.caller else {
        return true;
    };
    task.user == caller.auth_id()
        || (caller.tokenid.is_none() && task.user.split('!').next() == Some(caller.userid.as_str()))
        || caller_can(state, call, &format!("/nodes/{}", task.node), "Sys.Audit")
}

/// The task a `.../tasks/{upid}/...` call names, with PVE's 400s for bad or unknown UPIDs.
fn find_task<'a>(state: &'a SimState, call: &Call) -> Result<&'a Task, ApiError> {
    let idx = state.cluster.require_node(call)?;
    let text = call.required("upid")?;
    if Upid::parse(text).is_none() {
        return Err(ApiError::param("upid", "unable to parse worker upid"));
    }
    let task = state
        .cluster
        .tasks
        .get(text)
        .filter(|t| t.node == state.cluster.nodes[idx].name)
        .ok_or_else(|| ApiError::param("upid", "no such task"))?;
    if !may_see(state, call, task) {
        return Err(ApiError::permission(
            &format!("/nodes/{}", task.node),
            "Sys.Audit",
        ));
    }
    Ok(task)
}

/// `GET /nodes/{node}/tasks/{upid}/status`.
pub(crate) fn status(state: &mut SimState, call: &Call) -> Reply {
    Ok(find_task(state, call)?.status_entry())
}

/// `GET /nodes/{node}/tasks/{upid}/log` (`start` 0-based, `limit` default 50; `n` is 1-based).
pub(crate) fn log(state: &mut SimState, call: &Call) -> Reply {
    let task = find_task(state, call)?;
    if task.log.is_empty() {
        // What PVE answers for a task that has not written anything yet.
        let mut m = Map::new();
        m.insert("n".into(), 1.into());
        m.insert("t".into(), "no content".into());
        return Ok(Value::Array(vec![Value::Object(m)]));
    }
    let start = call.int("start").unwrap_or(0).max(0) as usize;
    let limit = call.int("limit").unwrap_or(50).max(0) as usize;
    let lines: Vec<Value> = task
        .log
        .iter()
        .enumerate()
        .skip(start)
        .take(limit)
        .map(|(i, t)| {
            let mut m = Map::new();
            m.insert("n".into(), (i + 1).into());
            m.insert("t".into(), t.clone().into());
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(lines))
}

/// `GET /nodes/{node}/tasks`: newest first, with PVE's filters; `total` beside `data` counts
/// every task that matches them (and the caller may see), not just the page.
pub(crate) fn node_tasks(state: &mut SimState, call: &Call) -> AnswerReply {
    let idx = state.cluster.require_node(call)?;
    let node = state.cluster.nodes[idx].name.as_str();
    let source = call.str("source").unwrap_or("archive");
    let typefilter = call.str("typefilter");
    let vmid = call.str("vmid");
    let userfilter = call.str("userfilter").map(str::to_lowercase);
    let errors_only = call.bool("errors").unwrap_or(false);
    let since = call.int("since");
    let until = call.int("until");
    let statusfilter: Option<Vec<String>> = call
        .str("statusfilter")
        .map(|s| s.split(',').map(|x| x.trim().to_lowercase()).collect());
    let start = call.int("start").unwrap_or(0).max(0) as usize;
    let limit = call.int("limit").unwrap_or(50).max(0) as usize;
    let mut total: u64 = 0;
    let mut page: Vec<Value> = Vec::with_capacity(limit.min(1000));
    let matching = state
        .cluster
        .tasks
        .newest_first()
        .filter(|t| t.node == node)
        .filter(|t| match source {
            "active" => t.is_running(),
            "all" => true,
            _ => !t.is_running(),
        })
        .filter(|t| typefilter.is_none_or(|f| t.kind == f))
        .filter(|t| vmid.is_none_or(|v| t.id == v))
        .filter(|t| {
            userfilter
                .as_deref()
                .is_none_or(|u| t.user.to_lowercase().contains(u))
        })
        .filter(|t| !errors_only || t.is_error())
        .filter(|t| since.is_none_or(|s| t.starttime >= s))
        .filter(|t| until.is_none_or(|u| t.starttime <= u))
        .filter(|t| {
            statusfilter.as_ref().is_none_or(|wanted| {
                let class = match t.exitstatus.as_deref() {
                    None => "active",
                    Some("OK") => "ok",
                    Some(e) if e.starts_with("WARNINGS") => "warning",
                    Some(_) => "error",
                };
                wanted.iter().any(|w| w == class)
            })
        })
        .filter(|t| may_see(state, call, t));
    for (index, task) in matching.enumerate() {
        total += 1;
        if index >= start && page.len() < limit {
            page.push(task.list_entry());
        }
    }
    Ok(Answer::new(Value::Array(page)).with("total", total))
}

/// `GET /cluster/tasks`: recent tasks of every node, newest first.
pub(crate) fn cluster_tasks(state: &mut SimState, call: &Call) -> Reply {
    let out: Vec<Value> = state
        .cluster
        .tasks
        .newest_first()
        .filter(|t| may_see(state, call, t))
        .map(Task::list_entry)
        .collect();
    Ok(Value::Array(out))
}

/// The user a task runs as.
pub(crate) fn task_user(call: &Call) -> String {
    auth_id(call)
}
