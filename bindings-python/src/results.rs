//! Results into Python, and the one place where the sync and the asyncio faces differ: how a
//! future is waited for ([`Mode`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::StreamExt;
use proxmox_api_bindings::freed_memory::{return_freed_memory, LARGE_RESULT};
use proxmox_api_bindings::prelude::{
    CreatedContainer as CoreCreated, Error, JsonValue, PerNode, ProgressStream,
};
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::json_to_py;
use crate::errors::{self, to_py_err};
use crate::runtime::{block_on, future_into_py};

/// Which face a handle belongs to: every generated method body is shared and only asks the mode
/// how to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `Client` and its handles: block (GIL released) and return the value.
    Sync,
    /// `AsyncClient` and its handles: return an asyncio awaitable.
    Async,
}

/// A table result type as a Python object (handles become the handle class of the same mode).
pub trait ToPython: Send + 'static {
    /// Converts the value.
    fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject>;
    /// The stub type for `mode`.
    fn hint(mode: Mode) -> String;
}

/// A result that becomes a Python object once the GIL is held: what every I/O operation's
/// future yields after type erasure.
type Deferred = Box<dyn FnOnce(Python<'_>, Mode) -> PyResult<PyObject> + Send>;

/// Every operation's future behind one type. Spawning is generic over the future's type, and a
/// tokio task instantiates its whole harness per type (for both schedulers); erased, the 74
/// operations share one instantiation instead of each compiling its own (about half of this
/// crate's build time before).
type ErasedIo = Pin<Box<dyn Future<Output = Result<Deferred, Error>> + Send>>;

/// A [`Deferred`] result converted when asyncio hands the GIL back.
struct Converted(Deferred, Mode);

impl<'py> IntoPyObject<'py> for Converted {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok((self.0)(py, self.1)?.into_bound(py))
    }
}

impl Mode {
    /// Runs an I/O operation: blocks (GIL released during I/O and decoding) or returns an
    /// awaitable. Either way the call runs on the shared runtime as its own task.
    pub fn run_io<T, F>(self, py: Python<'_>, future: F) -> PyResult<PyObject>
    where
        T: ToPython,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let erased: ErasedIo = Box::pin(async move {
            let value = future.await?;
            Ok(Box::new(move |py: Python<'_>, mode| value.to_python(py, mode)) as Deferred)
        });
        self.run_erased(py, erased)
    }

    /// The one non-generic body behind [`Mode::run_io`].
    fn run_erased(self, py: Python<'_>, future: ErasedIo) -> PyResult<PyObject> {
        match self {
            Mode::Sync => {
                let deferred = block_on(py, future)?.map_err(to_py_err)?;
                deferred(py, self)
            }
            Mode::Async => {
                let start: StartFuture = Box::new(move |py| {
                    Ok(future_into_py(py, async move {
                        future
                            .await
                            .map(|deferred| Converted(deferred, self))
                            .map_err(to_py_err)
                    })?
                    .unbind())
                });
                Ok(Py::new(py, Pending::new(start))?.into_any())
            }
        }
    }

    /// A local operation's result (no I/O: the same in both modes).
    pub fn run_local<T: ToPython>(
        self,
        py: Python<'_>,
        result: Result<T, Error>,
    ) -> PyResult<PyObject> {
        result.map_err(to_py_err)?.to_python(py, self)
    }

    /// `T` for the sync face, a coroutine of `T` for the asyncio face.
    pub fn io_hint(self, inner: String) -> String {
        match self {
            Mode::Sync => inner,
            Mode::Async => format!("Coroutine[object, object, {inner}]"),
        }
    }
}

type StartFuture = Box<dyn FnOnce(Python<'_>) -> PyResult<PyObject> + Send>;

/// What the asyncio face's I/O methods return: a coroutine that starts the Rust call when first
/// awaited. So `asyncio.run(client.version())`, `asyncio.gather(...)` and calls made before the
/// event loop runs all work, and a coroutine never awaited never sends anything. It delegates
/// to the asyncio future made on first `send` (registered as a `collections.abc.Coroutine`).
#[pyclass(module = "proxmox_api")]
pub struct Pending {
    // A Mutex only to make the (Send) closure Sync for pyo3; Python serialises access anyway.
    start: std::sync::Mutex<Option<StartFuture>>,
    awaiting: Option<PyObject>,
}

impl Pending {
    fn new(start: StartFuture) -> Self {
        Self {
            start: std::sync::Mutex::new(Some(start)),
            awaiting: None,
        }
    }

    fn iterator(&mut self, py: Python<'_>) -> PyResult<PyObject> {
        if let Some(iterator) = &self.awaiting {
            return Ok(iterator.clone_ref(py));
        }
        let start = self
            .start
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| {
                pyo3::exceptions::PyRuntimeError::new_err("cannot reuse already awaited coroutine")
            })?;
        let future = start(py)?;
        let iterator = future.call_method0(py, "__await__")?;
        self.awaiting = Some(iterator.clone_ref(py));
        Ok(iterator)
    }
}

#[pymethods]
impl Pending {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<PyObject> {
        self.send(py, py.None())
    }

    fn send(&mut self, py: Python<'_>, value: PyObject) -> PyResult<PyObject> {
        let iterator = self.iterator(py)?;
        iterator.call_method1(py, "send", (value,))
    }

    #[pyo3(signature = (kind, value=None, traceback=None))]
    fn throw(
        &mut self,
        py: Python<'_>,
        kind: PyObject,
        value: Option<PyObject>,
        traceback: Option<PyObject>,
    ) -> PyResult<PyObject> {
        let iterator = self.iterator(py)?;
        match (value, traceback) {
            (None, _) => iterator.call_method1(py, "throw", (kind,)),
            (Some(value), None) => iterator.call_method1(py, "throw", (kind, value)),
            (Some(value), Some(tb)) => iterator.call_method1(py, "throw", (kind, value, tb)),
        }
    }

    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        self.start
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(iterator) = self.awaiting.take() {
            iterator.call_method0(py, "close")?;
        }
        Ok(())
    }
}

macro_rules! plain_result {
    ($($ty:ty => $hint:literal),* $(,)?) => {$(
        impl ToPython for $ty {
            fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
                Ok(self.into_pyobject(py)?.to_owned().into_any().unbind())
            }
            fn hint(_mode: Mode) -> String { $hint.into() }
        }
    )*};
}
plain_result!(String => "str", u32 => "int", u64 => "int", () => "None");

impl ToPython for JsonValue {
    fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
        json_to_py(py, &self)
    }
    fn hint(_mode: Mode) -> String {
        "JsonValue".into()
    }
}

impl<T: ToPython> ToPython for Vec<T> {
    fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject> {
        if self.len() >= LARGE_RESULT {
            // What the core's decode freed goes back before the Python objects are made.
            py.allow_threads(return_freed_memory);
        }
        // Converted first, then one list of the right size: no regrowth of a 20,000-item list.
        let items = self
            .into_iter()
            .map(|item| item.to_python(py, mode))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn hint(mode: Mode) -> String {
        format!("List[{}]", T::hint(mode))
    }
}

/// Per-node results: node name to the value, or to the (unraised) exception for that node.
impl<T: ToPython> ToPython for PerNode<T> {
    fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject> {
        let dict = PyDict::new(py);
        for (node, result) in self {
            let value = match result {
                Ok(value) => value.to_python(py, mode)?,
                Err(error) => errors::build(py, &error)?.unbind(),
            };
            dict.set_item(node, value)?;
        }
        Ok(dict.into_any().unbind())
    }
    fn hint(mode: Mode) -> String {
        format!("Dict[str, Union[{}, ProxmoxError]]", T::hint(mode))
    }
}

/// The stream behind `task.progress()`, shared by the iterator and its pending `__anext__`.
type SharedStream = Arc<tokio::sync::Mutex<ProgressStream>>;

/// `for event in task.progress()`: each step blocks (GIL released) until the next report.
#[pyclass(module = "proxmox_api", frozen)]
pub struct Progress(SharedStream);

/// `async for event in task.progress()`.
#[pyclass(module = "proxmox_api", frozen)]
pub struct AsyncProgress(SharedStream);

async fn next_event(stream: SharedStream) -> Result<Option<crate::models::TaskProgress>, Error> {
    match stream.lock().await.next().await {
        None => Ok(None),
        Some(Ok(progress)) => Ok(Some(crate::models::TaskProgress::from_core(progress))),
        Some(Err(error)) => Err(error),
    }
}

#[pymethods]
impl Progress {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<crate::models::TaskProgress> {
        match block_on(py, next_event(self.0.clone()))?.map_err(to_py_err)? {
            Some(event) => Ok(event),
            None => Err(PyStopIteration::new_err(())),
        }
    }
}

#[pymethods]
impl AsyncProgress {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = self.0.clone();
        future_into_py(py, async move {
            match next_event(stream).await.map_err(to_py_err)? {
                Some(event) => Ok(event),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }
}

impl ToPython for ProgressStream {
    fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject> {
        let shared = Arc::new(tokio::sync::Mutex::new(self));
        Ok(match mode {
            Mode::Sync => Py::new(py, Progress(shared))?.into_any(),
            Mode::Async => Py::new(py, AsyncProgress(shared))?.into_any(),
        })
    }
    fn hint(mode: Mode) -> String {
        match mode {
            Mode::Sync => "Progress".into(),
            Mode::Async => "AsyncProgress".into(),
        }
    }
}

/// A container that was just created: `vmid`, `node`, and its `vzcreate` task (a `Task` or an
/// `AsyncTask`, like the client that created it).
macro_rules! created_container {
    ($($name:ident => $mode:expr),*) => {$(
        #[doc = "A container that was just created: its vmid, node and `vzcreate` task."]
        #[pyclass(module = "proxmox_api", frozen)]
        pub struct $name {
            #[pyo3(get)]
            vmid: u32,
            #[pyo3(get)]
            node: String,
            #[pyo3(get)]
            task: PyObject,
        }

        #[pymethods]
        impl $name {
            /// The fields as plain Python data (the task as its UPID).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let dict = PyDict::new(py);
                dict.set_item(pyo3::intern!(py, "vmid"), self.vmid)?;
                dict.set_item(pyo3::intern!(py, "node"), &self.node)?;
                dict.set_item(pyo3::intern!(py, "task"), self.task.call_method0(py, "upid")?)?;
                Ok(dict)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                Ok(format!("{}(vmid={}, node={:?}, task={})", stringify!($name), self.vmid,
                    self.node, self.task.bind(py).repr()?))
            }

            fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                match other.downcast::<Self>() {
                    Ok(other) => self.to_dict(py)?.eq(other.get().to_dict(py)?),
                    Err(_) => Ok(false),
                }
            }
        }
    )*};
}
created_container!(CreatedContainer => Mode::Sync, AsyncCreatedContainer => Mode::Async);

impl ToPython for CoreCreated {
    fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject> {
        let task = self.task.to_python(py, mode)?;
        Ok(match mode {
            Mode::Sync => Py::new(
                py,
                CreatedContainer {
                    vmid: self.vmid,
                    node: self.node,
                    task,
                },
            )?
            .into_any(),
            Mode::Async => Py::new(
                py,
                AsyncCreatedContainer {
                    vmid: self.vmid,
                    node: self.node,
                    task,
                },
            )?
            .into_any(),
        })
    }
    fn hint(mode: Mode) -> String {
        match mode {
            Mode::Sync => "CreatedContainer".into(),
            Mode::Async => "AsyncCreatedContainer".into(),
        }
    }
}

/// Registers the classes of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pending>()?;
    m.add_class::<Progress>()?;
    m.add_class::<AsyncProgress>()?;
    m.add_class::<CreatedContainer>()?;
    m.add_class::<AsyncCreatedContainer>()?;
    Ok(())
}

/// The stubs of the classes of this module.
pub const STUBS: &str = r#"
@final
class Progress:
    """The progress reports of a task (state + new log lines) until it stops."""

    def __iter__(self) -> Progress: ...
    def __next__(self) -> TaskProgress: ...

@final
class AsyncProgress:
    """The progress reports of a task (state + new log lines) until it stops."""

    def __aiter__(self) -> AsyncProgress: ...
    def __anext__(self) -> Awaitable[TaskProgress]: ...

@final
class Pending:
    """The coroutine an asyncio method returns; the call starts when it is first awaited."""

    def __await__(self) -> Generator[object, None, object]: ...
    def send(self, value: object) -> object: ...
    def throw(self, kind: object, value: object = None, traceback: object = None) -> object: ...
    def close(self) -> None: ...

@final
class CreatedContainer:
    """A container that was just created: its vmid, node and `vzcreate` task."""

    @property
    def vmid(self) -> int: ...
    @property
    def node(self) -> str: ...
    @property
    def task(self) -> Task: ...
    def to_dict(self) -> Dict[str, JsonValue]: ...
    def __eq__(self, other: object) -> bool: ...

@final
class AsyncCreatedContainer:
    """A container that was just created: its vmid, node and `vzcreate` task."""

    @property
    def vmid(self) -> int: ...
    @property
    def node(self) -> str: ...
    @property
    def task(self) -> AsyncTask: ...
    def to_dict(self) -> Dict[str, JsonValue]: ...
    def __eq__(self, other: object) -> bool: ...
"#;
