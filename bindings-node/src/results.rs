//! Results that the core returns as plain Rust structs (not `Serialize`), mirrored as
//! serializable structs with the same field names, and the conversion of core results to the
//! fast JSON path. Their TypeScript interfaces live in `ts/models.d.ts`.

use proxmox_api_core::api::{
    Container as CoreContainer, DestroyRecord as CoreDestroyRecord, TaskResult,
    TemplateAvailability as CoreTemplate, User as CoreUser,
};
use proxmox_api_core::models::{LxcConfig, LxcStatus, UserDetail};
use proxmox_api_core::tasks::{
    TaskOutcome as CoreTaskOutcome, TaskPhase, TaskProgress as CoreProgress,
};
use proxmox_api_core::Error as CoreError;
use serde::Serialize;

use crate::json_text::JsonText;

/// A core result on the fast path: JSON text with camelCase keys.
pub fn json<T: Serialize>(result: Result<T, CoreError>) -> Result<JsonText, CoreError> {
    result.and_then(|value| JsonText::camel(&value))
}

/// A container found by vmid (`containers().get(vmid)`).
#[derive(Serialize)]
pub struct Container {
    vmid: u32,
    node: String,
    status: LxcStatus,
    config: LxcConfig,
}

impl From<CoreContainer> for Container {
    fn from(c: CoreContainer) -> Self {
        Container {
            vmid: c.vmid,
            node: c.node,
            status: c.status,
            config: c.config,
        }
    }
}

/// A user with the containers they hold a role on (`users().get(userid)`).
#[derive(Serialize)]
pub struct User {
    userid: String,
    detail: UserDetail,
    vmids: Vec<u32>,
}

impl From<CoreUser> for User {
    fn from(u: CoreUser) -> Self {
        User {
            userid: u.userid,
            detail: u.detail,
            vmids: u.vmids,
        }
    }
}

/// How a task from the history ended: `state` plus the warning count or failure message.
#[derive(Serialize)]
pub struct TaskResultView {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl From<TaskResult> for TaskResultView {
    fn from(result: TaskResult) -> Self {
        let (state, warnings, message) = match result {
            TaskResult::Running => ("running", None, None),
            TaskResult::Ok => ("ok", None, None),
            TaskResult::Warnings(n) => ("warnings", Some(n), None),
            TaskResult::Failed(message) => ("failed", None, Some(message)),
            // Non-exhaustive upstream: a new kind reads as its Debug text until mapped.
            #[allow(unreachable_patterns)]
            other => ("failed", None, Some(format!("{other:?}"))),
        };
        TaskResultView {
            state,
            warnings,
            message,
        }
    }
}

/// One container destruction from the task history (`cluster().destroyLog()`).
#[derive(Serialize)]
pub struct DestroyRecord {
    vmid: u32,
    node: String,
    user: String,
    start: i64,
    end: Option<i64>,
    outcome: TaskResultView,
}

impl From<CoreDestroyRecord> for DestroyRecord {
    fn from(r: CoreDestroyRecord) -> Self {
        DestroyRecord {
            vmid: r.vmid,
            node: r.node,
            user: r.user,
            start: r.start,
            end: r.end,
            outcome: r.outcome.into(),
        }
    }
}

/// Where one copy of a template lives.
#[derive(Serialize)]
pub struct TemplateLocation {
    node: String,
    storage: String,
}

/// One template and every node and storage holding it.
#[derive(Serialize)]
pub struct TemplateAvailability {
    volid: String,
    name: String,
    size: Option<u64>,
    locations: Vec<TemplateLocation>,
}

impl From<CoreTemplate> for TemplateAvailability {
    fn from(t: CoreTemplate) -> Self {
        TemplateAvailability {
            volid: t.volid,
            name: t.name,
            size: t.size,
            locations: t
                .locations
                .into_iter()
                .map(|l| TemplateLocation {
                    node: l.node,
                    storage: l.storage,
                })
                .collect(),
        }
    }
}

/// How a task that succeeded ended (`task.wait()`).
#[derive(Serialize)]
pub struct TaskOutcome {
    upid: String,
    warnings: u32,
    exit_status: String,
}

impl From<CoreTaskOutcome> for TaskOutcome {
    fn from(o: CoreTaskOutcome) -> Self {
        TaskOutcome {
            upid: o.upid.to_string(),
            warnings: o.warnings,
            exit_status: o.exit_status,
        }
    }
}

/// One progress report while waiting for a task: its state and the log lines that are new since
/// the previous report.
#[derive(Serialize)]
pub struct TaskProgress {
    state: &'static str,
    new_lines: Vec<String>,
    elapsed_ms: f64,
}

impl From<&CoreProgress> for TaskProgress {
    fn from(p: &CoreProgress) -> Self {
        TaskProgress {
            state: match p.phase {
                TaskPhase::Running => "running",
                TaskPhase::Stopped => "stopped",
            },
            new_lines: p.new_lines.clone(),
            elapsed_ms: p.elapsed.as_secs_f64() * 1000.0,
        }
    }
}
