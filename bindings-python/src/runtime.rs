//! The process-wide tokio runtime shared by every client, and how Python waits on it.
//!
//! The runtime is created on first use and remembers the pid that created it. A child made by
//! `os.fork()` inherits the parent's memory but none of its threads, so the inherited runtime has
//! no workers and anything spawned on it would wait forever: when the pid differs, a fresh runtime
//! is built for the child and the inherited one is leaked (dropping it would try to join threads
//! that do not exist in this process).
//!
//! Both the sync and the async client spawn every call onto this runtime and await the task's
//! join handle, so a panic inside a call becomes a Python exception instead of unwinding across
//! the FFI boundary.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime;

/// How often a blocking call wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

struct SharedRuntime {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<SharedRuntime>> = Mutex::new(None);

/// The runtime for this process, created (or re-created after a fork) when needed.
pub fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(shared) = slot.as_ref() {
        if shared.pid == pid {
            return Ok(shared.runtime.clone());
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("proxmox-api")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    let runtime = Arc::new(runtime);
    if let Some(inherited) = slot.replace(SharedRuntime {
        pid,
        runtime: runtime.clone(),
    }) {
        // Its worker threads stayed in the parent; joining them here would hang.
        std::mem::forget(inherited);
    }
    Ok(runtime)
}

/// A task that did not finish normally, as a Python exception.
pub fn join_error_to_py(error: tokio::task::JoinError) -> PyErr {
    if error.is_panic() {
        PyRuntimeError::new_err("internal error: a proxmox_api call panicked (this is a bug)")
    } else {
        PyRuntimeError::new_err("the proxmox_api call was cancelled")
    }
}

/// Runs `future` to completion for a synchronous caller.
///
/// The GIL is released while waiting so other Python threads run, and the wait wakes up
/// periodically to deliver signals: Ctrl-C raises `KeyboardInterrupt` and cancels the call.
pub fn block_on<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let runtime = runtime()?;
    let mut task = runtime.spawn(future);
    loop {
        // The timer is created inside `block_on` so that it finds the runtime's time driver.
        let waited = py.allow_threads(|| {
            runtime.block_on(async { tokio::time::timeout(SIGNAL_CHECK_INTERVAL, &mut task).await })
        });
        match waited {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(join_error)) => return Err(join_error_to_py(join_error)),
            Err(_still_running) => {
                if let Err(interrupted) = py.check_signals() {
                    task.abort();
                    return Err(interrupted);
                }
            }
        }
    }
}

/// The shared runtime as seen by `pyo3_async_runtimes`' generic `future_into_py`, so asyncio
/// awaitables also run on the fork-aware runtime (the crate's own tokio runtime is a
/// process-wide `OnceCell` that a forked child would inherit without threads).
pub struct ForkAwareRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl GenericRuntime for ForkAwareRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = Pin<Box<dyn Future<Output = Result<(), tokio::task::JoinError>> + Send>>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match runtime() {
            Ok(runtime) => Box::pin(runtime.spawn(fut)),
            // Only reachable when the OS refuses to start threads (`future_into_py` checked
            // moments ago); the future is dropped and its awaitable stays pending.
            Err(_) => Box::pin(std::future::ready(Ok(()))),
        }
    }
}

impl ContextExt for ForkAwareRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|cell| {
                cell.get()
                    .map(|locals| Python::with_gil(|py| locals.clone_ref(py)))
            })
            .unwrap_or_default()
    }
}

/// Turns a Rust future into an asyncio awaitable running on the shared runtime. Cancelling the
/// awaitable drops the future (and with it the HTTP call); a panic inside it becomes
/// `pyo3_async_runtimes.RustPanic` on the awaitable instead of an abort.
pub fn future_into_py<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Make sure the runtime exists (and is this process's) before spawning, so a failure to
    // start it is raised here rather than leaving the awaitable pending.
    runtime()?;
    pyo3_async_runtimes::generic::future_into_py::<ForkAwareRuntime, _, T>(py, future)
}
