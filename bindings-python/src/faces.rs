//! The Python faces of the operation table: for every handle of `proxmox_api_bindings`, a sync
//! class (`Node`) and an asyncio class (`AsyncNode`), both generated here from the one table.
//!
//! Each operation has ONE body (`__<handle>_<op>`): it parses the arguments, runs the core call
//! and converts the result; the two classes' methods only pass their [`Mode`], which decides
//! between blocking with the GIL released and returning an awaitable.

use proxmox_api_bindings::prelude::*;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::args::{ArgParser, FromPython};
use crate::results::{Mode, ToPython};

/// A missing argument: its default, or a `TypeError` when it has none.
macro_rules! arg_default {
    ($parser:ident, $name:ident) => {
        return Err($parser.missing(stringify!($name)))
    };
    ($parser:ident, $name:ident, $default:expr) => {
        $default
    };
}

/// The stub text of an argument's default.
macro_rules! default_text {
    ($aty:ty) => {
        None::<String>
    };
    ($aty:ty, $default:expr) => {{
        let value: $aty = $default;
        Some(<$aty as FromPython>::render_default(&value))
    }};
}

/// How an operation's body runs: `io` on the runtime through the mode, `local` at once.
macro_rules! run_op {
    (io, $py:ident, $mode:ident, $ret:ty, $body:expr) => {
        $mode.run_io::<$ret, _>($py, async move { $body })
    };
    (local, $py:ident, $mode:ident, $ret:ty, $body:expr) => {
        $mode.run_local::<$ret>($py, (move || -> Result<$ret, Error> { $body })())
    };
}

/// The result hint of an operation in `mode`.
macro_rules! result_hint {
    (io, $mode:expr, $ret:ty) => {
        $mode.io_hint(<$ret as ToPython>::hint($mode))
    };
    (local, $mode:expr, $ret:ty) => {
        <$ret as ToPython>::hint($mode)
    };
}

/// One method per operation, for one face; `$($extra)*` are the face's own methods.
macro_rules! face_class {
    ($class:ty, $handle:ident, $mode:expr, [$($extra:tt)*], { $(
        $(#[doc = $doc:literal])* $name:ident
    )* }) => {
        paste::paste! {
            #[pymethods]
            impl $class {
                $($extra)*
                $(
                    $(#[doc = $doc])*
                    #[pyo3(signature = (*args, **kwargs))]
                    fn $name(
                        &self,
                        py: Python<'_>,
                        args: &Bound<'_, PyTuple>,
                        kwargs: Option<&Bound<'_, PyDict>>,
                    ) -> PyResult<PyObject> {
                        super::[<__ $handle:snake _ $name>](self.core()?, py, $mode, args, kwargs)
                    }
                )*
            }
        }
    };
}

macro_rules! python_faces {
    ( $( $(#[doc = $hdoc:literal])* handle $handle:ident ($core:ty) {
        $( $(#[doc = $doc:literal])*
           $kind:ident fn $name:ident ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* $(,)? )
           -> $ret:ty, retry $retry:ident, js $js:literal => |$h:ident| $body:expr ; )*
    } )* ) => { paste::paste! {
        $(
            /// The core type behind the handle (named here, where the classes do not shadow it).
            pub type [<Core $handle>] = $core;

            $(
                #[allow(unused_mut, unused_variables, clippy::redundant_closure_call, clippy::let_unit_value)]
                fn [<__ $handle:snake _ $name>](
                    core: $core,
                    py: Python<'_>,
                    mode: Mode,
                    args: &Bound<'_, PyTuple>,
                    kwargs: Option<&Bound<'_, PyDict>>,
                ) -> PyResult<PyObject> {
                    const NAMES: &[&str] = &[$(stringify!($arg)),*];
                    let mut parser = ArgParser::new(
                        concat!(stringify!($handle), ".", stringify!($name)), NAMES, args, kwargs)?;
                    $(
                        let $arg: $aty = match parser.next_value()? {
                            Some(value) => <$aty as FromPython>::from_python(&value, stringify!($arg))?,
                            None => arg_default!(parser, $arg $(, $default)?),
                        };
                    )*
                    let $h = core;
                    run_op!($kind, py, mode, $ret, $body)
                }
            )*

            face_impl!($handle, { $( $(#[doc = $doc])* $name )* });
        )*

        /// Registers every face class.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                m.add_class::<classes::$handle>()?;
                m.add_class::<classes::[<Async $handle>]>()?;
            )*
            Ok(())
        }

        /// The stubs of every face class, both modes.
        pub fn stubs(out: &mut String) {
            for mode in [Mode::Sync, Mode::Async] {
                $(
                    let class = match mode {
                        Mode::Sync => stringify!($handle).to_owned(),
                        Mode::Async => format!("Async{}", stringify!($handle)),
                    };
                    out.push_str(&format!("\n@final\nclass {class}:\n"));
                    out.push_str(&docstring("    ", &[$($hdoc),*]));
                    out.push_str(&crate::stubs::face_extras(stringify!($handle), mode));
                    $(
                        #[allow(unused_mut)]
                        let mut params: Vec<String> = vec!["self".to_owned()];
                        $(
                            let hint = <$aty as FromPython>::hint();
                            params.push(match default_text!($aty $(, $default)?) {
                                Some(default) => format!("{}: {} = {}", stringify!($arg), hint, default),
                                None => format!("{}: {}", stringify!($arg), hint),
                            });
                        )*
                        out.push_str(&format!(
                            "    def {}({}) -> {}:\n",
                            stringify!($name),
                            params.join(", "),
                            result_hint!($kind, mode, $ret)
                        ));
                        let retry = format!("Retry safety: {}.", stringify!($retry));
                        out.push_str(&docstring("        ", &[$($doc,)* "", &retry]));
                        out.push_str("        ...\n");
                    )*
                )*
            }
        }
    } };
}

/// A docstring block from doc lines.
fn docstring(indent: &str, lines: &[&str]) -> String {
    let text: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
    let body = text.join(&format!("\n{indent}"));
    let body = body.trim_end();
    if body.is_empty() {
        return String::new();
    }
    format!(
        "{indent}\"\"\"{}\n{indent}\"\"\"\n",
        body.replace('\\', "\\\\")
    )
}

/// The two classes of one handle. `Client` has its own (constructor, context manager, `api`).
macro_rules! face_impl {
    (Client, { $($ops:tt)* }) => {
        impl classes::Client {
            fn core(&self) -> PyResult<CoreClient> {
                self.inner.get()
            }
        }

        impl classes::AsyncClient {
            fn core(&self) -> PyResult<CoreClient> {
                self.inner.get()
            }
        }

        pub mod client_face {
            use super::*;
            client_face!(classes::Client, Mode::Sync, "Client", [
                fn __enter__(slf: Py<Self>) -> Py<Self> {
                    slf
                }

                fn __exit__(
                    &self,
                    _exc_type: &Bound<'_, PyAny>,
                    _exc: &Bound<'_, PyAny>,
                    _traceback: &Bound<'_, PyAny>,
                ) -> bool {
                    self.inner.close();
                    false
                }

                /// Closes the client: its session and connections are dropped, later calls fail.
                fn close(&self) {
                    self.inner.close();
                }
            ], { $($ops)* });
            client_face!(classes::AsyncClient, Mode::Async, "AsyncClient", [
                fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    crate::runtime::future_into_py(py, async move { Ok(slf) })
                }

                fn __aexit__<'py>(
                    &self,
                    py: Python<'py>,
                    _exc_type: &Bound<'_, PyAny>,
                    _exc: &Bound<'_, PyAny>,
                    _traceback: &Bound<'_, PyAny>,
                ) -> PyResult<Bound<'py, PyAny>> {
                    self.inner.close();
                    crate::runtime::future_into_py(py, async move { Ok(false) })
                }

                /// Closes the client (awaitable): its session and connections are dropped.
                fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner.close();
                    crate::runtime::future_into_py(py, async move { Ok(()) })
                }
            ], { $($ops)* });
        }
    };
    ($handle:ident, { $($ops:tt)* }) => { paste::paste! {
        impl ToPython for [<Core $handle>] {
            fn to_python(self, py: Python<'_>, mode: Mode) -> PyResult<PyObject> {
                Ok(match mode {
                    Mode::Sync => Py::new(py, classes::$handle { inner: self })?.into_any(),
                    Mode::Async => Py::new(py, classes::[<Async $handle>] { inner: self })?.into_any(),
                })
            }
            fn hint(mode: Mode) -> String {
                match mode {
                    Mode::Sync => stringify!($handle).to_owned(),
                    Mode::Async => format!("Async{}", stringify!($handle)),
                }
            }
        }

        impl classes::$handle {
            fn core(&self) -> PyResult<[<Core $handle>]> {
                Ok(self.inner.clone())
            }
        }

        impl classes::[<Async $handle>] {
            fn core(&self) -> PyResult<[<Core $handle>]> {
                Ok(self.inner.clone())
            }
        }

        pub mod [<$handle:snake _face>] {
            use super::*;
            face_class!(classes::$handle, $handle, Mode::Sync, [
                fn __repr__(&self) -> String {
                    format!("{}({:?})", stringify!($handle), self.inner)
                }
            ], { $($ops)* });
            face_class!(classes::[<Async $handle>], $handle, Mode::Async, [
                fn __repr__(&self) -> String {
                    format!("Async{}({:?})", stringify!($handle), self.inner)
                }
            ], { $($ops)* });
        }
    } };
}

/// The client classes: the constructor, `repr`, the path builder and the raw segment request,
/// plus the mode's own context-manager methods and every table operation of `Client`.
macro_rules! client_face {
    ($class:ty, $mode:expr, $label:literal, [$($extra:tt)*], { $($ops:tt)* }) => {
        face_class!($class, Client, $mode, [
            #[new]
            #[pyo3(signature = (
                host, *, user=None, password=None, token_id=None, token_secret=None,
                fingerprint=None, ca_pem=None, danger_accept_invalid_certs=false,
                insecure_http=false, connect_timeout=None, request_timeout=None, otp=None,
                tfa_callback=None
            ))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                host: String,
                user: Option<String>,
                password: Option<Bound<'_, PyAny>>,
                token_id: Option<String>,
                token_secret: Option<Bound<'_, PyAny>>,
                fingerprint: Option<Bound<'_, PyAny>>,
                ca_pem: Option<String>,
                danger_accept_invalid_certs: bool,
                insecure_http: bool,
                connect_timeout: Option<f64>,
                request_timeout: Option<f64>,
                otp: Option<Bound<'_, PyAny>>,
                tfa_callback: Option<Bound<'_, PyAny>>,
            ) -> PyResult<Self> {
                let options = crate::options::RawOptions {
                    host, user, password, token_id, token_secret, fingerprint, ca_pem,
                    danger_accept_invalid_certs, insecure_http, connect_timeout,
                    request_timeout, otp, tfa_callback,
                }
                .validate()?;
                Ok(Self { inner: crate::options::ProcessLocalClient::new(options)? })
            }

            fn __repr__(&self) -> String {
                format!("{}({})", $label, self.inner.options().describe())
            }

            /// Any endpoint, proxmoxer style: `client.api.nodes("pve1").lxc(100).status.current.get()`.
            #[getter]
            fn api<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let class = if $label == "Client" { "ApiPath" } else { "AsyncApiPath" };
                py.import("proxmox_api.paths")?.getattr(class)?.call1((slf, ()))
            }

            /// The path builder's call: unencoded segments, each encoded by the core.
            #[pyo3(signature = (method, segments, params=None))]
            fn _request_segments(
                &self,
                py: Python<'_>,
                method: &Bound<'_, PyAny>,
                segments: Vec<String>,
                params: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<PyObject> {
                let method = <Method as FromPython>::from_python(method, "method")?;
                let params = crate::convert::params_from_py(params)?;
                let client = self.core()?;
                let request = proxmox_api_core::ApiRequest::new(method, segments).params(params);
                $mode.run_io::<JsonValue, _>(py, async move { client.send::<JsonValue>(request).await })
            }

            $($extra)*
        ], { $($ops)* });
    };
}

/// The face classes: declared apart from the table's core types, which share their names.
pub mod classes {
    use pyo3::prelude::*;

    macro_rules! face_structs {
        ($($handle:ident),*) => { paste::paste! { $(
            /// A handle of the blocking client.
            #[pyclass(module = "proxmox_api", frozen)]
            pub struct $handle {
                pub(crate) inner: super::[<Core $handle>],
            }

            /// A handle of the asyncio client.
            #[pyclass(module = "proxmox_api", frozen)]
            pub struct [<Async $handle>] {
                pub(crate) inner: super::[<Core $handle>],
            }
        )* } };
    }
    face_structs!(
        Nodes, Node, Container, Cluster, Containers, Templates, Users, Tasks, Task, FanOut
    );

    /// A blocking Proxmox VE client. Calls release the GIL while they wait, so threads can share
    /// one client and its session.
    #[pyclass(module = "proxmox_api", frozen)]
    pub struct Client {
        pub(crate) inner: crate::options::ProcessLocalClient,
    }

    /// An asyncio Proxmox VE client: I/O methods return awaitables.
    #[pyclass(module = "proxmox_api", frozen)]
    pub struct AsyncClient {
        pub(crate) inner: crate::options::ProcessLocalClient,
    }
}

proxmox_api_bindings::operations!(python_faces);
