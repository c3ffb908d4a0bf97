//! Task handles: `client.tasks()`, `client.task(upid)` and what long operations resolve to. Their
//! methods are generated from the operation table (`faces`) except `wait`, whose Node shape is
//! one options object (`{ timeoutMs, onProgress, signal }`), and the progress stream's `next`.

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};

use napi::threadsafe_function::{ErrorStrategy, ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use proxmox_api_core::tasks::{
    Task as CoreTask, TaskProgress as CoreProgress, TasksApi as CoreTasks,
};
use proxmox_api_core::Error as CoreError;

use crate::abort::{abortable, AbortSignal};
use crate::json_text::JsonText;
use crate::mirror::M;
use crate::outcome::Outcome;
use crate::results::json;

/// How to wait for a task.
#[napi(object, object_to_js = false)]
pub struct WaitOptions {
    /// Give up after this many milliseconds with `TaskTimeoutError` (default 10 minutes). The
    /// task itself keeps running on the server.
    pub timeout_ms: Option<u32>,
    /// Called with the state and the log lines that are new since the previous call.
    #[napi(ts_type = "(progress: TaskProgress) => void")]
    pub on_progress: Option<ThreadsafeFunction<JsonText, ErrorStrategy::Fatal>>,
    /// Stops waiting (the task keeps running on the server).
    pub signal: Option<AbortSignal>,
}

/// A task on the cluster (a UPID). Created by long operations, `client.task(upid)` or
/// `client.tasks().get(upid)`.
#[napi]
pub struct Task {
    pub(crate) inner: CoreTask,
}

impl From<CoreTask> for Task {
    fn from(inner: CoreTask) -> Self {
        Task { inner }
    }
}

#[napi]
impl Task {
    /// Waits until the task stops. Resolves when it succeeded (`warnings` counts `WARNINGS: n`);
    /// rejects with `TaskFailedError` (exit status and log tail) or `TaskTimeoutError`.
    /// Polling (backoff from 250 ms to 5 s) is the core's.
    ///
    /// ```ts
    /// await task.wait({ timeoutMs: 60_000, onProgress: (p) => p.newLines.forEach((l) => console.log(l)) })
    /// ```
    #[napi(ts_return_type = "Promise<TaskOutcome>")]
    pub async fn wait(&self, options: Option<WaitOptions>) -> Outcome<JsonText> {
        let mut waiter = self.inner.wait();
        let mut signal = None;
        if let Some(options) = options {
            if let Some(ms) = options.timeout_ms {
                waiter = waiter.max_wait(Duration::from_millis(u64::from(ms)));
            }
            if let Some(callback) = options.on_progress {
                waiter = waiter.on_progress(move |progress| {
                    if let Ok(event) = JsonText::camel(&M(progress)) {
                        callback.call(event, ThreadsafeFunctionCallMode::NonBlocking);
                    }
                });
            }
            signal = options.signal;
        }
        abortable(signal, async { json(waiter.run().await) })
            .await
            .into()
    }
}

/// The core's progress stream, boxed to be held by a JavaScript object.
type CoreProgressStream = Pin<Box<dyn Stream<Item = Result<CoreProgress, CoreError>> + Send>>;

/// The reports of `task.progress()`; iterate it with `for await (const p of task.progress())`.
#[napi]
pub struct ProgressStream {
    pub(crate) inner: tokio::sync::Mutex<CoreProgressStream>,
}

#[napi]
impl ProgressStream {
    /// The next report, or `null` after the last one; a failed or timed-out task rejects with
    /// its error (`TaskFailedError`, `TaskTimeoutError`).
    #[napi(ts_return_type = "Promise<TaskProgress | null>")]
    pub async fn next(&self, signal: Option<AbortSignal>) -> Outcome<Option<JsonText>> {
        abortable(signal, async {
            let mut stream = self.inner.lock().await;
            match stream.next().await {
                None => Ok(None),
                Some(report) => report.and_then(|p| JsonText::camel(&M(&p)).map(Some)),
            }
        })
        .await
        .into()
    }
}

/// Tasks started elsewhere. Created by `client.tasks()`.
#[napi]
pub struct TasksApi {
    pub(crate) inner: CoreTasks,
}
