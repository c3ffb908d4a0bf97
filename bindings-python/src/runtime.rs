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
//!
//! The runtime has two worker threads, on purpose, although one is faster for sequential sync
//! calls. With two, tokio wakes the second worker whenever the first picks up a task spawned from
//! outside, so a sequential call costs more wake-ups (3.8 against 1.0 context switches per
//! `GET /nodes/{node}/status`, 117 against 93 us of CPU; `ci` build, loaded machine), and one
//! worker made sequential sync calls about 20% faster on an idle machine. But one worker runs the
//! Rust side of all concurrent calls, and the in-process simulator, on one core: 32 concurrent
//! asyncio calls were 6% slower, 8 Python threads 13%, and the 20,000-guest listing 5-12 ms slower
//! (the connection's reads and the decode no longer overlap). Throughput of concurrent work and
//! large listings is kept; the sync wait below takes care of most of the sequential cost.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime;
use tokio::task::{JoinError, JoinHandle};

/// How often a blocking call wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// Worker threads of the process-wide runtime (why two: see the module documentation).
const WORKER_THREADS: usize = 2;

/// How many times a waiting Python thread yields its CPU, checking for the answer, before it
/// sleeps (a yield is about 0.3 us, so this is about 600 us). Two cases, both measured with the
/// in-process simulator on a 2-vCPU VM:
/// - the calling thread and the worker share a CPU: each yield hands the CPU straight to the
///   worker, and the answer is back in 70-90 us;
/// - they run on two CPUs (an idle machine): a call takes about 200 us, and a thread that slept
///   must be woken on a halted vCPU. Yielding for 2000 rounds instead of 200 took a sequential
///   call from about 4,200 to 7,300 req/s (`ci` build), and the thread never slept.
///
/// A yield, unlike a busy spin, gives the CPU to any other runnable thread (a busy spin on the
/// worker's CPU halved the rate); a call longer than this costs at most this much CPU.
const YIELDS_BEFORE_SLEEPING: u32 = 2000;

/// At most one thread at a time yields before sleeping: with many Python threads in sync calls,
/// the others sleep at once instead of competing with the worker for the cores.
static A_THREAD_IS_YIELDING: AtomicBool = AtomicBool::new(false);

struct SharedRuntime {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<SharedRuntime>> = Mutex::new(None);

/// Set when the interpreter exits (see [`shutdown_at_exit`]): no runtime is started after that.
static EXITING: AtomicBool = AtomicBool::new(false);

/// How long the exit waits for the runtime's workers to let go of their tasks.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The runtime for this process, created (or re-created after a fork) when needed.
pub fn runtime() -> PyResult<Arc<Runtime>> {
    if EXITING.load(Ordering::Acquire) {
        return Err(PyRuntimeError::new_err(
            "the Python interpreter is exiting: proxmox_api calls are no longer possible",
        ));
    }
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(shared) = slot.as_ref() {
        if shared.pid == pid {
            return Ok(shared.runtime.clone());
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("proxmox-api")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    let runtime = Arc::new(runtime);
    // A fork while another thread was yielding left the flag set in this process, where that
    // thread does not exist.
    A_THREAD_IS_YIELDING.store(false, Ordering::Release);
    if let Some(inherited) = slot.replace(SharedRuntime {
        pid,
        runtime: runtime.clone(),
    }) {
        // Its worker threads stayed in the parent; joining them here would hang.
        std::mem::forget(inherited);
    }
    Ok(runtime)
}

/// Stops the shared runtime while the interpreter exits; `proxmox_api` registers it with
/// `atexit`.
///
/// Without it, the runtime's worker threads outlive the interpreter: an asyncio call whose answer
/// arrives late (or a task still dropping its Python objects) takes the GIL from a worker while
/// Python finalizes, which crashed the process at exit (SIGSEGV, or `PyGILState_Release` fatal
/// errors) in about half of the runs of a script that used `AsyncClient`. `atexit` callbacks run
/// before finalization, when other threads may still take the GIL, so the workers are given the
/// GIL (released here) to finish or drop their tasks, and then they are gone.
#[pyfunction]
pub fn _shutdown_runtime_at_exit(py: Python<'_>) {
    EXITING.store(true, Ordering::Release);
    let taken = RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let Some(shared) = taken else { return };
    if shared.pid != std::process::id() {
        // Inherited through a fork: its workers are the parent's.
        std::mem::forget(shared);
        return;
    }
    match Arc::try_unwrap(shared.runtime) {
        Ok(runtime) => py.allow_threads(|| runtime.shutdown_timeout(EXIT_GRACE)),
        // A call still runs on another (daemon) thread and holds the runtime; dropping it here
        // would wait for that call. It keeps the runtime, and no new call can start one.
        Err(still_in_use) => std::mem::forget(still_in_use),
    }
}

/// A task that did not finish normally, as a Python exception.
pub fn join_error_to_py(error: JoinError) -> PyErr {
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
///
/// The calling thread polls the task's join handle itself with a waker that unparks it, rather
/// than entering the runtime with `Runtime::block_on` and a `tokio::time::timeout`: no timer is
/// inserted into and removed from the runtime's wheel on every call, and the thread can yield for
/// a while before it sleeps (see [`YIELDS_BEFORE_SLEEPING`]).
pub fn block_on<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let runtime = runtime()?;
    let mut task = runtime.spawn(future);
    let wake = Arc::new(ThreadWake::for_current_thread());
    let waker = Waker::from(wake.clone());
    loop {
        match py.allow_threads(|| wake.wait_for(&mut task, &waker)) {
            Some(Ok(value)) => return Ok(value),
            Some(Err(join_error)) => return Err(join_error_to_py(join_error)),
            None => {
                if let Err(interrupted) = py.check_signals() {
                    task.abort();
                    return Err(interrupted);
                }
            }
        }
    }
}

/// `ThreadWake::state`: the waiting thread runs (polls or yields).
const RUNNING: u8 = 0;
/// `ThreadWake::state`: the waiting thread sleeps in `thread::park_timeout` and must be unparked.
const SLEEPING: u8 = 1;
/// `ThreadWake::state`: the task was woken since the waiting thread last polled it.
const WOKEN: u8 = 2;

/// A waker for one Python thread waiting on one task: it sets a flag that the thread checks while
/// it yields, and unparks the thread only if it has gone to sleep (a futex call saved on the
/// worker's side as well).
struct ThreadWake {
    thread: Thread,
    state: AtomicU8,
}

impl ThreadWake {
    fn for_current_thread() -> Self {
        Self {
            thread: thread::current(),
            state: AtomicU8::new(RUNNING),
        }
    }

    /// Polls `task` until it ends (`Some`) or until about [`SIGNAL_CHECK_INTERVAL`] has passed
    /// (`None`: the caller checks signals and calls again). A spurious unpark only returns early.
    fn wait_for<T>(&self, task: &mut JoinHandle<T>, waker: &Waker) -> Option<Result<T, JoinError>> {
        let mut context = Context::from_waker(waker);
        loop {
            // Before polling, so that a wake-up arriving during the poll is not lost.
            self.state.store(RUNNING, Ordering::SeqCst);
            if let Poll::Ready(outcome) = Pin::new(&mut *task).poll(&mut context) {
                return Some(outcome);
            }
            if self.yield_until_woken() {
                continue;
            }
            if self
                .state
                .compare_exchange(RUNNING, SLEEPING, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                continue; // woken between the last check and now
            }
            thread::park_timeout(SIGNAL_CHECK_INTERVAL);
            if self
                .state
                .compare_exchange(SLEEPING, RUNNING, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return None; // not woken: the interval passed (or a spurious unpark)
            }
        }
    }

    /// Yields the CPU up to [`YIELDS_BEFORE_SLEEPING`] times while no wake-up has arrived; true
    /// when one did. Only one thread of the process does this at a time.
    fn yield_until_woken(&self) -> bool {
        if A_THREAD_IS_YIELDING.swap(true, Ordering::Acquire) {
            return false;
        }
        let mut woken = false;
        for _ in 0..YIELDS_BEFORE_SLEEPING {
            if self.state.load(Ordering::Acquire) == WOKEN {
                woken = true;
                break;
            }
            thread::yield_now();
        }
        A_THREAD_IS_YIELDING.store(false, Ordering::Release);
        woken || self.state.load(Ordering::Acquire) == WOKEN
    }
}

impl Wake for ThreadWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.state.swap(WOKEN, Ordering::SeqCst) == SLEEPING {
            self.thread.unpark();
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
