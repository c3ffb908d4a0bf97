//! Tasks: `GET /nodes/{node}/tasks/{upid}/status`, `.../log`, and the task lists of
//! `GET /nodes/{node}/tasks` and `GET /cluster/tasks`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::loose;
use crate::upid::{Upid, UpidParseError};

/// Whether a task is still running (`status` of the task status call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    /// The worker is still running.
    Running,
    /// The worker has ended; `exitstatus` says how.
    Stopped,
}

/// How a stopped task ended, from its exit status text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaskExit {
    /// `OK`.
    Ok,
    /// `WARNINGS: <n>`: the task succeeded but logged warnings.
    Warnings(u32),
    /// Anything else: the error text PVE recorded (e.g. `interrupted by signal`).
    Failed(String),
}

impl TaskExit {
    /// Interprets an exit status as PVE writes it (`OK`, `WARNINGS: 2`, or an error text).
    pub fn from_exit_status(exitstatus: &str) -> TaskExit {
        if exitstatus == "OK" {
            return TaskExit::Ok;
        }
        if let Some(count) = exitstatus.strip_prefix("WARNINGS:") {
            if let Ok(count) = count.trim().parse() {
                return TaskExit::Warnings(count);
            }
        }
        TaskExit::Failed(exitstatus.to_owned())
    }

    /// `true` for [`TaskExit::Ok`] and [`TaskExit::Warnings`].
    pub fn is_success(&self) -> bool {
        !matches!(self, TaskExit::Failed(_))
    }
}

impl fmt::Display for TaskExit {
    /// The exit status as PVE writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskExit::Ok => f.write_str("OK"),
            TaskExit::Warnings(count) => write!(f, "WARNINGS: {count}"),
            TaskExit::Failed(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Running => "running",
            TaskState::Stopped => "stopped",
        })
    }
}

/// `GET /nodes/{node}/tasks/{upid}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus {
    /// Running or stopped.
    pub status: TaskState,
    /// `OK`, `WARNINGS: <n>` or the error text; absent while running. See [`TaskStatus::exit`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub exitstatus: Option<String>,
    /// The task's UPID, exactly as sent (see [`TaskStatus::parsed_upid`]).
    pub upid: String,
    /// Node the task runs on.
    pub node: String,
    /// Worker process id.
    #[serde(deserialize_with = "loose::deserialize_u32")]
    pub pid: u32,
    /// Worker process start in clock ticks.
    #[serde(deserialize_with = "loose::deserialize_u64")]
    pub pstart: u64,
    /// Start as Unix seconds.
    #[serde(deserialize_with = "loose::deserialize_i64")]
    pub starttime: i64,
    /// Task type, e.g. `vzcreate`.
    #[serde(rename = "type")]
    pub task_type: String,
    /// Task object id (often a vmid, `""` when none).
    #[serde(default, deserialize_with = "loose::deserialize_string")]
    pub id: String,
    /// User or token that started the task.
    pub user: String,
}

impl TaskStatus {
    /// `None` while running; how the task ended once stopped. A stopped task without an exit
    /// status (never seen from PVE) counts as failed rather than succeeded.
    pub fn exit(&self) -> Option<TaskExit> {
        match self.status {
            TaskState::Running => None,
            TaskState::Stopped => Some(match &self.exitstatus {
                Some(text) => TaskExit::from_exit_status(text),
                None => TaskExit::Failed("task stopped without an exit status".into()),
            }),
        }
    }

    /// `true` while the task runs.
    pub fn is_running(&self) -> bool {
        self.status == TaskState::Running
    }

    /// The UPID parsed into its parts.
    pub fn parsed_upid(&self) -> Result<Upid, UpidParseError> {
        self.upid.parse()
    }
}

/// One line of `GET /nodes/{node}/tasks/{upid}/log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLogLine {
    /// Line number, 1-based.
    #[serde(deserialize_with = "loose::deserialize_u64")]
    pub n: u64,
    /// The text (the last line is `TASK OK` or `TASK ERROR: <msg>`).
    #[serde(default, deserialize_with = "loose::deserialize_string")]
    pub t: String,
}

/// One page of a node's task history with the number of all matching tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskList {
    /// The tasks on this page, newest first.
    pub tasks: Vec<TaskSummary>,
    /// How many tasks match in all (PVE's `total`), when the server sent it.
    pub total: Option<u64>,
}

/// One entry of the task history (`GET /nodes/{node}/tasks`, `GET /cluster/tasks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// The task's UPID, exactly as sent.
    pub upid: String,
    /// Node the task ran on.
    #[serde(default)]
    pub node: String,
    /// Worker process id.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u32")]
    pub pid: Option<u32>,
    /// Worker process start in clock ticks.
    #[serde(default, deserialize_with = "loose::deserialize_opt_u64")]
    pub pstart: Option<u64>,
    /// Start as Unix seconds (`0` if an entry ever lacks it; the UPID holds it too).
    #[serde(default, deserialize_with = "loose::deserialize_i64")]
    pub starttime: i64,
    /// End as Unix seconds; absent while running.
    #[serde(default, deserialize_with = "loose::deserialize_opt_i64")]
    pub endtime: Option<i64>,
    /// Task type, e.g. `vzdestroy`.
    #[serde(default, rename = "type")]
    pub task_type: String,
    /// Task object id (often a vmid, `""` when none).
    #[serde(default, deserialize_with = "loose::deserialize_string")]
    pub id: String,
    /// User or token that started the task.
    #[serde(default)]
    pub user: String,
    /// `RUNNING` while running, else the exit status (`OK`, `WARNINGS: n`, error text).
    #[serde(default)]
    pub status: Option<String>,
    /// Whether the task's log was saved to the cluster-wide index (PVE sends `"0"`/`"1"`).
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub saved: Option<bool>,
}

impl TaskSummary {
    /// `true` while the task has no end time or says `RUNNING`.
    pub fn is_running(&self) -> bool {
        self.endtime.is_none() || self.status.as_deref() == Some("RUNNING")
    }

    /// How the task ended, `None` while it runs or when the entry has no status.
    pub fn exit(&self) -> Option<TaskExit> {
        if self.is_running() {
            return None;
        }
        self.status.as_deref().map(TaskExit::from_exit_status)
    }

    /// The vmid the task was about, when its id is a number.
    pub fn vmid(&self) -> Option<u32> {
        self.id.parse().ok()
    }

    /// The UPID parsed into its parts.
    pub fn parsed_upid(&self) -> Result<Upid, UpidParseError> {
        self.upid.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_interpretation() {
        assert_eq!(TaskExit::from_exit_status("OK"), TaskExit::Ok);
        assert_eq!(
            TaskExit::from_exit_status("WARNINGS: 3"),
            TaskExit::Warnings(3)
        );
        assert!(TaskExit::from_exit_status("WARNINGS: 3").is_success());
        assert_eq!(
            TaskExit::from_exit_status("WARNINGS: many"),
            TaskExit::Failed("WARNINGS: many".into())
        );
        let failed = TaskExit::from_exit_status(
            "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout",
        );
        assert!(!failed.is_success());
        assert_eq!(
            TaskExit::from_exit_status("ok"),
            TaskExit::Failed("ok".into())
        );
    }

    #[test]
    fn stopped_without_exitstatus_is_failure() {
        let s: TaskStatus = serde_json::from_str(
            r#"{"status":"stopped","upid":"u","node":"n","pid":"1","pstart":2,"starttime":3,"type":"t","id":100,"user":"root@pam"}"#,
        )
        .unwrap();
        assert_eq!(s.id, "100");
        assert!(matches!(s.exit(), Some(TaskExit::Failed(_))));
    }
}
