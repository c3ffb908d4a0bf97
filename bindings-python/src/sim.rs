//! The simulator linked into the module (cargo feature `sim`, on in the wheel), so users test
//! their own automation with `proxmox_api.testing.Simulator` and no separate binary. It runs on
//! the binding's shared runtime; closing (or dropping) the handle stops it.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use proxmox_api_sim::faults::NetworkFault;
use proxmox_api_sim::{RunningSimulator, SimControl, Simulator};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::args::FromPython;
use crate::errors::invalid_input;
use crate::runtime::block_on;

/// A running in-process Proxmox VE simulator (use `proxmox_api.testing.Simulator`).
#[pyclass(module = "proxmox_api", frozen)]
pub struct NativeSimulator {
    running: Mutex<Option<RunningSimulator>>,
    control: SimControl,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    fingerprint: String,
    #[pyo3(get)]
    user: String,
    #[pyo3(get)]
    password: String,
}

#[pymethods]
impl NativeSimulator {
    /// Starts a simulator on 127.0.0.1 with `nodes` nodes (`pve1`..) and `guests` extra
    /// containers; `task_duration_scale=0` makes tasks finish at once.
    #[new]
    #[pyo3(signature = (nodes=3, guests=0, password=None, plain_http=false, task_duration_scale=1.0))]
    fn new(
        py: Python<'_>,
        nodes: usize,
        guests: usize,
        password: Option<String>,
        plain_http: bool,
        task_duration_scale: f64,
    ) -> PyResult<Self> {
        let mut builder = Simulator::builder()
            .nodes(nodes)
            .guests(guests)
            .plain_http(plain_http)
            .task_duration_scale(task_duration_scale);
        if let Some(password) = password {
            builder = builder.password(password);
        }
        let running = block_on(py, builder.start())?
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the simulator: {e}")))?;
        Ok(Self {
            control: running.control(),
            url: running.url().to_owned(),
            fingerprint: running.fingerprint().to_owned(),
            user: running.user().to_owned(),
            password: running.password().to_owned(),
            running: Mutex::new(Some(running)),
        })
    }

    /// Stops the server.
    fn close(&self) {
        drop(
            self.running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }

    /// Takes a node offline (595 for its paths, offline in cluster views) or back online.
    fn set_node_online(&self, node: &str, online: bool) {
        self.control.set_node_online(node, online);
    }

    /// Extra latency in seconds for every request.
    fn set_latency(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        self.control.set_latency(latency(seconds)?);
        Ok(())
    }

    /// Extra latency in seconds for one node's requests (0 removes it).
    fn set_node_latency(&self, node: &str, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        self.control.set_node_latency(node, latency(seconds)?);
        Ok(())
    }

    /// Fails the next `count` requests matching `method` (`*` = any) and the glob `path`.
    #[pyo3(signature = (method, path, count=1, status=500, message="injected failure"))]
    fn fail_next(&self, method: &str, path: &str, count: u32, status: u16, message: &str) {
        self.control.fail_next(method, path, count, status, message);
    }

    /// Every ticket issued so far stops working now.
    fn expire_tickets(&self) {
        self.control.expire_tickets();
    }

    /// The next task of `task_type` (e.g. `vzcreate`) ends with `exitstatus`.
    fn fail_next_task(&self, task_type: &str, exitstatus: &str) {
        self.control.fail_next_task(task_type, exitstatus);
    }

    /// Holds container `vmid`'s config lock until released.
    fn hold_lock(&self, vmid: u32, lock: &str) {
        self.control.hold_lock(vmid, lock);
    }

    /// Releases a lock taken by `hold_lock`.
    fn release_lock(&self, vmid: u32) {
        self.control.release_lock(vmid);
    }

    /// Moves the simulator's clock forward by `seconds` (tickets age, tasks finish).
    fn advance_clock(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        self.control
            .advance_clock(Duration::from_python(seconds, "seconds")?);
        Ok(())
    }

    /// Multiplies every task's duration (0 = instant).
    fn set_task_duration_scale(&self, scale: f64) {
        self.control.set_task_duration_scale(scale);
    }

    /// A network fault on the next `count` requests matching `method` (`*` = any) and the glob
    /// `path`: `reset-before`, `reset-after`, `stall` (the answer held `seconds`) or `slow-body`
    /// (`chunk` bytes every `seconds`).
    #[pyo3(signature = (kind, method="*", path="*", count=1, seconds=1.0, chunk=16))]
    fn network_fault(
        &self,
        kind: &str,
        method: &str,
        path: &str,
        count: u32,
        seconds: f64,
        chunk: usize,
    ) -> PyResult<()> {
        let delay = Duration::try_from_secs_f64(seconds)
            .map_err(|_| invalid_input("seconds", format!("expected 0 or more, got {seconds}")))?;
        let fault = NetworkFault::from_kind(kind, delay, chunk)
            .map_err(|message| invalid_input("kind", message))?;
        self.control.network_fault(method, path, count, fault);
        Ok(())
    }

    /// The network faults injected so far (the last 1000), oldest first: (kind, method, path).
    fn fault_log(&self) -> Vec<(String, String, String)> {
        self.control
            .fault_log()
            .into_iter()
            .map(|event| (event.kind.to_owned(), event.method, event.path))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("Simulator(url={:?}, user={:?})", self.url, self.user)
    }
}

/// A latency in seconds; zero is allowed (it removes the latency).
fn latency(seconds: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let value: f64 = seconds.extract().unwrap_or(f64::NAN);
    if value == 0.0 {
        return Ok(Duration::ZERO);
    }
    Duration::from_python(seconds, "seconds")
}

/// The stub of the simulator class.
pub const STUBS: &str = r#"
@final
class NativeSimulator:
    """A running in-process Proxmox VE simulator (use `proxmox_api.testing.Simulator`)."""

    def __init__(
        self, nodes: int = 3, guests: int = 0, password: Optional[str] = None,
        plain_http: bool = False, task_duration_scale: float = 1.0,
    ) -> None: ...
    @property
    def url(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def password(self) -> str: ...
    def close(self) -> None: ...
    def set_node_online(self, node: str, online: bool) -> None: ...
    def set_latency(self, seconds: float) -> None: ...
    def set_node_latency(self, node: str, seconds: float) -> None: ...
    def fail_next(
        self, method: str, path: str, count: int = 1, status: int = 500,
        message: str = "injected failure",
    ) -> None: ...
    def expire_tickets(self) -> None: ...
    def fail_next_task(self, task_type: str, exitstatus: str) -> None: ...
    def hold_lock(self, vmid: int, lock: str) -> None: ...
    def release_lock(self, vmid: int) -> None: ...
    def advance_clock(self, seconds: float) -> None: ...
    def set_task_duration_scale(self, scale: float) -> None: ...
    def network_fault(
        self, kind: str, method: str = "*", path: str = "*", count: int = 1,
        seconds: float = 1.0, chunk: int = 16,
    ) -> None: ...
    def fault_log(self) -> List[Tuple[str, str, str]]: ...
"#;

/// Registers the simulator class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeSimulator>()
}
