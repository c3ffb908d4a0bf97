//! Proxmox tasks: a handle per UPID, and a waiter that polls it to the end.
//!
//! Every long operation (create, start, stop, destroy, template download) answers with a UPID at
//! once and runs in the background on its node. [`Task`] wraps that UPID; [`Task::wait`] returns a
//! [`TaskWaiter`] that polls the task's status with backoff until it stops, streams new log lines
//! to a progress callback (or a [`futures_util::Stream`]), and turns the exit status into a
//! [`TaskOutcome`] or a typed error. All waiting goes through the client's injected
//! [`Clock`](crate::clock::Clock), so tests with a `ManualClock` never really sleep.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::Stream;

use crate::client::Client;
use crate::error::Error;
use crate::models::{TaskExit, TaskLogLine, TaskState, TaskStatus};
use crate::request::ApiRequest;
use crate::upid::Upid;

/// How many log lines a [`Error::TaskFailed`] carries.
const LOG_TAIL_LINES: usize = 20;
/// How many "no such task" answers are tolerated right after a task was created. PVE writes the
/// task's index entry asynchronously, so the first status calls may not find it yet.
const NO_SUCH_TASK_RETRIES: u32 = 10;
/// Log lines fetched per request.
const LOG_PAGE: u64 = 500;

/// A running or finished Proxmox task.
#[derive(Clone)]
pub struct Task {
    upid: Upid,
    client: Client,
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("upid", &self.upid).finish()
    }
}

impl Task {
    /// A handle for the task `upid`.
    pub fn new(client: Client, upid: Upid) -> Self {
        Self { upid, client }
    }

    /// The task's identifier.
    pub fn upid(&self) -> &Upid {
        &self.upid
    }

    /// The node the task runs on.
    pub fn node(&self) -> &str {
        &self.upid.node
    }

    fn request(&self, leaf: &str) -> ApiRequest {
        ApiRequest::get([
            "nodes".to_owned(),
            self.upid.node.clone(),
            "tasks".to_owned(),
            self.upid.to_string(),
            leaf.to_owned(),
        ])
    }

    /// The task's current status (`GET /nodes/{node}/tasks/{upid}/status`).
    pub async fn status(&self) -> Result<TaskStatus, Error> {
        self.client.send(self.request("status")).await
    }

    /// Log lines from line offset `start` (0-based), at most `limit` of them.
    pub async fn log_from(&self, start: u64, limit: u64) -> Result<Vec<TaskLogLine>, Error> {
        self.client
            .send(
                self.request("log")
                    .param("start", start as i64)
                    .param("limit", limit as i64),
            )
            .await
    }

    /// The whole log so far.
    pub async fn log(&self) -> Result<Vec<TaskLogLine>, Error> {
        let mut lines = Vec::new();
        loop {
            let page = self.log_from(lines.len() as u64, LOG_PAGE).await?;
            let done = (page.len() as u64) < LOG_PAGE;
            lines.extend(page);
            if done {
                return Ok(lines);
            }
        }
    }

    /// A waiter for this task, to configure and then `.await`.
    pub fn wait(&self) -> TaskWaiter {
        TaskWaiter::new(self.clone())
    }
}

/// Tasks across the cluster. Created by [`Client::tasks`].
#[derive(Debug, Clone)]
pub struct TasksApi {
    client: Client,
}

impl Client {
    /// Tasks across the cluster: history and handles by UPID.
    pub fn tasks(&self) -> TasksApi {
        TasksApi {
            client: self.clone(),
        }
    }

    /// A handle for the task `upid` (e.g. one started by another process).
    pub fn task(&self, upid: Upid) -> Task {
        Task::new(self.clone(), upid)
    }
}

impl TasksApi {
    /// A handle for a task given as UPID text; a malformed UPID is [`Error::InvalidInput`].
    pub fn get(&self, upid: &str) -> Result<Task, Error> {
        let upid: Upid = upid.parse().map_err(|e: crate::upid::UpidParseError| {
            Error::invalid_input("upid", e.to_string())
        })?;
        Ok(Task::new(self.client.clone(), upid))
    }

    /// The cluster's recent tasks, newest first, narrowed by `filter` (same as
    /// [`ClusterApi::tasks`](crate::api::ClusterApi::tasks)).
    pub async fn list(
        &self,
        filter: &crate::api::TaskFilter,
    ) -> Result<Vec<crate::models::TaskSummary>, Error> {
        self.client.cluster().tasks(filter).await
    }
}

/// Whether the task was still running when a [`TaskProgress`] was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskPhase {
    /// Still running.
    Running,
    /// Stopped (successfully or not; the outcome follows from the waiter).
    Stopped,
}

/// One progress report while waiting for a task.
#[derive(Debug, Clone)]
pub struct TaskProgress {
    /// Running or stopped.
    pub phase: TaskPhase,
    /// Log lines that appeared since the previous report, in order.
    pub new_lines: Vec<String>,
    /// Time waited so far on the client's clock.
    pub elapsed: Duration,
}

/// How a task that ended successfully ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOutcome {
    /// The task's identifier.
    pub upid: Upid,
    /// Number of warnings (`WARNINGS: n` exit status); `0` for a plain `OK`.
    pub warnings: u32,
    /// The exit status exactly as PVE reported it.
    pub exit_status: String,
}

impl TaskOutcome {
    /// Whether the task succeeded without warnings.
    pub fn is_clean(&self) -> bool {
        self.warnings == 0
    }
}

type ProgressCallback = Box<dyn FnMut(&TaskProgress) + Send + 'static>;

/// Polls a task until it stops. Configure it, then `.await` it (or call
/// [`TaskWaiter::progress`] for a stream).
///
/// Defaults: wait at most 10 minutes; poll after 250 ms, then 1.5x longer each time up to 5 s.
pub struct TaskWaiter {
    task: Task,
    max_wait: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    factor: f64,
    on_progress: Option<ProgressCallback>,
}

impl fmt::Debug for TaskWaiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskWaiter")
            .field("upid", &self.task.upid)
            .field("max_wait", &self.max_wait)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("factor", &self.factor)
            .finish_non_exhaustive()
    }
}

impl TaskWaiter {
    fn new(task: Task) -> Self {
        Self {
            task,
            max_wait: Duration::from_secs(600),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            factor: 1.5,
            on_progress: None,
        }
    }

    /// Gives up with [`Error::TaskTimeout`] after this long (the task keeps running on the server).
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Poll intervals: start at `initial`, multiply by `factor` (at least 1) after every poll, never
    /// exceed `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration, factor: f64) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self.factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Calls `callback` after every poll with the task's phase and its new log lines.
    pub fn on_progress(mut self, callback: impl FnMut(&TaskProgress) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Waits for the task to stop. `Ok` for `OK` and `WARNINGS: n`; [`Error::TaskFailed`] with
    /// the exit status and the log's last lines otherwise; [`Error::TaskTimeout`] past the
    /// maximum wait.
    pub async fn run(mut self) -> Result<TaskOutcome, Error> {
        let mut poller = Poller::new(&self);
        loop {
            match poller.step().await? {
                Step::Progress(progress) => {
                    if let Some(callback) = self.on_progress.as_mut() {
                        callback(&progress);
                    }
                }
                Step::Done(progress, result) => {
                    if let Some(callback) = self.on_progress.as_mut() {
                        callback(&progress);
                    }
                    return result;
                }
            }
        }
    }

    /// The same polling as a stream of progress reports. The stream ends after the report of the
    /// stopped task; a failed or timed-out task yields its error as the last item.
    pub fn progress(self) -> impl Stream<Item = Result<TaskProgress, Error>> + Send {
        let poller = Poller::new(&self);
        futures_util::stream::unfold(Some(poller), |state| async move {
            let mut poller = state?;
            match poller.step().await {
                Ok(Step::Progress(progress)) => Some((Ok(progress), Some(poller))),
                Ok(Step::Done(progress, Ok(_))) => Some((Ok(progress), None)),
                // The final report is dropped in favour of the error: the error carries the log tail.
                Ok(Step::Done(_, Err(e))) | Err(e) => Some((Err(e), None)),
            }
        })
    }
}

impl IntoFuture for TaskWaiter {
    type Output = Result<TaskOutcome, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

enum Step {
    Progress(TaskProgress),
    Done(TaskProgress, Result<TaskOutcome, Error>),
}

/// The polling state shared by the future and the stream.
struct Poller {
    task: Task,
    max_wait: Duration,
    next_backoff: Duration,
    max_backoff: Duration,
    factor: f64,
    started: SystemTime,
    lines_seen: u64,
    tail: Vec<String>,
    no_such_task_left: u32,
    polled_once: bool,
}

impl Poller {
    fn new(waiter: &TaskWaiter) -> Self {
        Self {
            task: waiter.task.clone(),
            max_wait: waiter.max_wait,
            next_backoff: waiter.initial_backoff,
            max_backoff: waiter.max_backoff,
            factor: waiter.factor,
            started: waiter.task.client.clock().now(),
            lines_seen: 0,
            tail: Vec::new(),
            no_such_task_left: NO_SUCH_TASK_RETRIES,
            polled_once: false,
        }
    }

    fn elapsed(&self) -> Duration {
        self.task
            .client
            .clock()
            .now()
            .duration_since(self.started)
            .unwrap_or_default()
    }

    async fn sleep_backoff(&mut self) -> Result<(), Error> {
        let elapsed = self.elapsed();
        if elapsed >= self.max_wait {
            return Err(Error::TaskTimeout {
                upid: self.task.upid.to_string(),
                waited_ms: elapsed.as_millis() as u64,
            });
        }
        // Never sleep past the deadline: one last poll right at it.
        let delay = self.next_backoff.min(self.max_wait - elapsed);
        self.task.client.clock().sleep(delay).await;
        let next = self.next_backoff.as_secs_f64() * self.factor;
        self.next_backoff = Duration::from_secs_f64(next).min(self.max_backoff);
        Ok(())
    }

    async fn fetch_new_lines(&mut self) -> Result<Vec<String>, Error> {
        let mut new_lines = Vec::new();
        loop {
            let page = self.task.log_from(self.lines_seen, LOG_PAGE).await?;
            let full = page.len() as u64 >= LOG_PAGE;
            self.lines_seen += page.len() as u64;
            new_lines.extend(page.into_iter().map(|line| line.t));
            if !full {
                break;
            }
        }
        self.tail.extend(new_lines.iter().cloned());
        if self.tail.len() > LOG_TAIL_LINES {
            self.tail.drain(..self.tail.len() - LOG_TAIL_LINES);
        }
        Ok(new_lines)
    }

    /// Polls once (sleeping first, except for the very first poll).
    async fn step(&mut self) -> Result<Step, Error> {
        loop {
            if self.polled_once {
                self.sleep_backoff().await?;
            }
            self.polled_once = true;
            let status = match self.task.status().await {
                Ok(status) => status,
                Err(e) if is_no_such_task(&e) && self.no_such_task_left > 0 => {
                    self.no_such_task_left -= 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            // Once PVE knows the task, a later "no such task" is a real error.
            self.no_such_task_left = 0;
            let new_lines = self.fetch_new_lines().await?;
            let elapsed = self.elapsed();
            if status.status == TaskState::Running {
                return Ok(Step::Progress(TaskProgress {
                    phase: TaskPhase::Running,
                    new_lines,
                    elapsed,
                }));
            }
            let progress = TaskProgress {
                phase: TaskPhase::Stopped,
                new_lines,
                elapsed,
            };
            let exit_status = status.exitstatus.clone().unwrap_or_default();
            let result = match status.exit() {
                Some(TaskExit::Ok) => Ok(TaskOutcome {
                    upid: self.task.upid.clone(),
                    warnings: 0,
                    exit_status,
                }),
                Some(TaskExit::Warnings(warnings)) => Ok(TaskOutcome {
                    upid: self.task.upid.clone(),
                    warnings,
                    exit_status,
                }),
                Some(TaskExit::Failed(text)) => Err(Error::TaskFailed {
                    upid: self.task.upid.to_string(),
                    exit_status: text,
                    log_tail: self.tail.clone(),
                }),
                None => Err(Error::TaskFailed {
                    upid: self.task.upid.to_string(),
                    exit_status: "stopped without an exit status".to_owned(),
                    log_tail: self.tail.clone(),
                }),
            };
            return Ok(Step::Done(progress, result));
        }
    }
}

/// PVE answers a status request for a task it has not indexed yet with "no such task" (400 or
/// 500 depending on the version); only that case is retried.
fn is_no_such_task(error: &Error) -> bool {
    matches!(
        error,
        Error::Api { .. } | Error::NotFound { .. } | Error::InvalidParameters { .. }
    ) && error
        .to_string()
        .to_ascii_lowercase()
        .contains("no such task")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_handles_from_upid_text() {
        let client = Client::builder("pve.example.com").build().unwrap();
        let upid = "UPID:pve2:0000ABCD:0012345F:6553F00D:vzstart:105:alice@pve!ci:";
        let task = client.tasks().get(upid).unwrap();
        assert_eq!(task.node(), "pve2");
        assert_eq!(task.upid().to_string(), upid);
        let err = client.tasks().get("not-a-upid").unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
    }
}
