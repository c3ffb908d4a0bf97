//! Typed results: one frozen `#[pyclass]` per core model, holding the core value itself.
//!
//! The data stays in Rust: an attribute becomes a Python object only when it is read, so turning
//! 20,000 decoded guests into Python objects is one small allocation each, with no JSON tree
//! and no per-key Python strings. `to_dict()` converts on demand with interned keys. `__repr__`
//! never shows a secret (tickets and passwords are `Secret` objects whose repr is redacted).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use proxmox_api_bindings::prelude as core;
use proxmox_api_bindings::prelude::{Error, JsonValue};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use secrecy::{ExposeSecret, SecretString};

use crate::convert::json_to_py;
use crate::errors;
use crate::results::{Mode, ToPython};

/// A model field: its value as an attribute (nested models stay typed), as plain data for
/// `to_dict()`, and its type in the stubs.
pub trait Field {
    /// The attribute value.
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject>;
    /// Plain data (nested models as dicts).
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.attr(py)
    }
    /// The stub type.
    fn hint() -> String;
}

macro_rules! scalar_field {
    ($($ty:ty => $hint:literal),* $(,)?) => {$(
        impl Field for $ty {
            fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                Ok(self.clone().into_pyobject(py)?.to_owned().into_any().unbind())
            }
            fn hint() -> String { $hint.into() }
        }
    )*};
}
scalar_field!(String => "str", bool => "bool", u16 => "int", u32 => "int", u64 => "int",
    i64 => "int", f64 => "float");

impl<T: Field> Field for Option<T> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        match self {
            Some(v) => v.attr(py),
            None => Ok(py.None()),
        }
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        match self {
            Some(v) => v.plain(py),
            None => Ok(py.None()),
        }
    }
    fn hint() -> String {
        format!("Optional[{}]", T::hint())
    }
}

impl<T: Field> Field for Vec<T> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items = self
            .iter()
            .map(|v| v.attr(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items = self
            .iter()
            .map(|v| v.plain(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn hint() -> String {
        format!("List[{}]", T::hint())
    }
}

impl<K: Field + Ord, V: Field> Field for BTreeMap<K, V> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let dict = PyDict::new(py);
        for (k, v) in self {
            dict.set_item(k.attr(py)?, v.attr(py)?)?;
        }
        Ok(dict.into_any().unbind())
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        let dict = PyDict::new(py);
        for (k, v) in self {
            dict.set_item(k.plain(py)?, v.plain(py)?)?;
        }
        Ok(dict.into_any().unbind())
    }
    fn hint() -> String {
        format!("Dict[{}, {}]", K::hint(), V::hint())
    }
}

impl Field for (String, String) {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok((&self.0, &self.1).into_pyobject(py)?.into_any().unbind())
    }
    fn hint() -> String {
        "Tuple[str, str]".into()
    }
}

impl Field for JsonValue {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        json_to_py(py, self)
    }
    fn hint() -> String {
        "JsonValue".into()
    }
}

/// Enums as their wire text.
macro_rules! text_field {
    ($($ty:ty: |$v:ident| $text:expr),* $(,)?) => {$(
        impl Field for $ty {
            fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                let $v = self;
                Ok(PyString::new(py, &$text).into_any().unbind())
            }
            fn hint() -> String { "str".into() }
        }
    )*};
}
text_field!(
    core::GuestStatus: |v| v.as_str(),
    core::NodeOnlineStatus: |v| v.to_string(),
    core::TaskState: |v| v.to_string(),
    core::AclSubject: |v| v.as_str(),
    core::SameSite: |v| v.as_str(),
    core::Upid: |v| v.to_string(),
    core::TaskPhase: |v| match v { core::TaskPhase::Running => "running", core::TaskPhase::Stopped => "stopped" },
    core::TaskResult: |v| match v {
        core::TaskResult::Running => "running".to_owned(),
        core::TaskResult::Ok => "OK".to_owned(),
        core::TaskResult::Warnings(n) => format!("WARNINGS: {n}"),
        core::TaskResult::Failed(text) => text.clone(),
    },
);

impl Field for Duration {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.as_secs_f64().attr(py)
    }
    fn hint() -> String {
        "float".into()
    }
}

impl Field for SystemTime {
    /// Unix seconds.
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let secs = self
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        secs.attr(py)
    }
    fn hint() -> String {
        "float".into()
    }
}

impl Field for Error {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(errors::build(py, self)?.unbind())
    }
    fn hint() -> String {
        "ProxmoxError".into()
    }
}

/// A secret (ticket, password, cookie value): its repr is redacted; `reveal()` gives the text.
#[pyclass(module = "proxmox_api", frozen)]
pub struct Secret(SecretString);

#[pymethods]
impl Secret {
    /// The secret text. Do not log it.
    fn reveal(&self) -> String {
        self.0.expose_secret().to_owned()
    }

    fn __repr__(&self) -> &'static str {
        "Secret('[REDACTED]')"
    }

    fn __str__(&self) -> &'static str {
        "[REDACTED]"
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .downcast::<Secret>()
            .is_ok_and(|o| o.get().0.expose_secret() == self.0.expose_secret())
    }
}

impl Field for SecretString {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(Py::new(py, Secret(self.clone()))?.into_any())
    }
    fn hint() -> String {
        "Secret".into()
    }
}

/// The stub type of a field, from a projection (no value needed).
fn hint_of<M, T: Field>(_: fn(&M) -> &T) -> String {
    T::hint()
}

/// The generator for the shared model table (`proxmox_api_bindings::models!`): a frozen class
/// per model, with lazy getters, `to_dict`, `__repr__`, `__eq__`, and its stubs. Secret fields
/// are [`Secret`] objects, so `data` and `secret` models are built alike.
macro_rules! py_models {
    ($( $(#[doc = $doc:literal])* $kind:ident $name:ident ($core:ident) { $($field:ident),* $(,)? } )*) => {
        $(
            $(#[doc = $doc])*
            #[pyclass(module = "proxmox_api", frozen)]
            pub struct $name(pub core::$core);

            impl $name {
                /// Wraps a core value.
                pub fn from_core(value: core::$core) -> Self {
                    Self(value)
                }
            }

            #[pymethods]
            impl $name {
                $(
                    #[getter]
                    fn $field(&self, py: Python<'_>) -> PyResult<PyObject> {
                        Field::attr(&self.0.$field, py)
                    }
                )*

                /// The fields as plain Python data (nested models as dicts too).
                fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                    let dict = PyDict::new(py);
                    $( dict.set_item(pyo3::intern!(py, stringify!($field)), Field::plain(&self.0.$field, py)?)?; )*
                    Ok(dict)
                }

                fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                    let mut parts: Vec<String> = Vec::new();
                    $( parts.push(format!("{}={}", stringify!($field), Field::attr(&self.0.$field, py)?.bind(py).repr()?)); )*
                    Ok(format!("{}({})", stringify!($name), parts.join(", ")))
                }

                fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                    match other.downcast::<Self>() {
                        Ok(other) => self.to_dict(py)?.eq(other.get().to_dict(py)?),
                        Err(_) => Ok(false),
                    }
                }
            }

            impl Field for core::$core {
                fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                    Ok(Py::new(py, $name(self.clone()))?.into_any())
                }
                fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
                    Ok($name(self.clone()).to_dict(py)?.into_any().unbind())
                }
                fn hint() -> String { stringify!($name).into() }
            }

            impl ToPython for core::$core {
                fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
                    Ok(Py::new(py, $name(self))?.into_any())
                }
                fn hint(_mode: Mode) -> String { stringify!($name).into() }
            }
        )*

        /// Registers every model class.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_class::<$name>()?; )*
            m.add_class::<Secret>()?;
            m.add_class::<TemplateCatalog>()?;
            Ok(())
        }

        /// The stubs of every model class.
        pub fn stubs(out: &mut String) {
            $(
                out.push_str(&format!("\n@final\nclass {}:\n", stringify!($name)));
                let doc = [$($doc),*].iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
                if !doc.is_empty() {
                    out.push_str(&format!("    \"\"\"{}\"\"\"\n\n", doc.replace('\\', "\\\\")));
                }
                $(
                    out.push_str(&format!(
                        "    @property\n    def {}(self) -> {}: ...\n",
                        stringify!($field),
                        hint_of(|m: &core::$core| &m.$field)
                    ));
                )*
                out.push_str("    def to_dict(self) -> Dict[str, JsonValue]: ...\n");
                out.push_str("    def __eq__(self, other: object) -> bool: ...\n");
            )*
        }
    };
}

proxmox_api_bindings::models!(py_models);

/// `GET /cluster/resources` entries: a typed class per kind; unknown kinds as plain data.
impl ToPython for core::ClusterResource {
    fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
        Ok(match self {
            core::ClusterResource::Node(r) => Py::new(py, NodeResource(r))?.into_any(),
            core::ClusterResource::Lxc(r) | core::ClusterResource::Qemu(r) => {
                Py::new(py, GuestResource(r))?.into_any()
            }
            core::ClusterResource::Storage(r) => Py::new(py, StorageResource(r))?.into_any(),
            core::ClusterResource::Other(v) => json_to_py(py, &v)?,
        })
    }
    fn hint(_mode: Mode) -> String {
        "ClusterResource".into()
    }
}

/// The cluster's templates merged by volume id, and the nodes that could not be asked (each
/// with its exception, not raised).
#[pyclass(module = "proxmox_api", frozen)]
pub struct TemplateCatalog {
    templates: Vec<core::TemplateAvailability>,
    unreachable: Py<PyDict>,
}

#[pymethods]
impl TemplateCatalog {
    /// Templates sorted by volume id.
    #[getter]
    fn templates(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.templates.attr(py)
    }

    /// Node name to the error that node gave.
    #[getter]
    fn unreachable(&self, py: Python<'_>) -> Py<PyDict> {
        self.unreachable.clone_ref(py)
    }

    /// The fields as plain Python data (errors stay exception instances).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item(pyo3::intern!(py, "templates"), self.templates.plain(py)?)?;
        dict.set_item(
            pyo3::intern!(py, "unreachable"),
            self.unreachable.bind(py).copy()?,
        )?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "TemplateCatalog(templates={}, unreachable={})",
            self.templates.attr(py)?.bind(py).repr()?,
            self.unreachable.bind(py).repr()?
        ))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.downcast::<Self>() {
            Ok(other) => Ok(self
                .templates
                .plain(py)?
                .bind(py)
                .eq(other.get().templates.plain(py)?)?
                && self
                    .unreachable
                    .bind(py)
                    .keys()
                    .eq(other.get().unreachable.bind(py).keys())?),
            Err(_) => Ok(false),
        }
    }
}

impl ToPython for core::TemplateCatalog {
    fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
        let unreachable = PyDict::new(py);
        for (node, error) in &self.unreachable {
            unreachable.set_item(node, error.attr(py)?)?;
        }
        Ok(Py::new(
            py,
            TemplateCatalog {
                templates: self.templates,
                unreachable: unreachable.unbind(),
            },
        )?
        .into_any())
    }
    fn hint(_mode: Mode) -> String {
        "TemplateCatalog".into()
    }
}

/// The stubs of the hand-written classes.
pub const MANUAL_STUBS: &str = r#"
@final
class TemplateCatalog:
    """The cluster's templates merged by volume id, and the nodes that could not be asked."""

    @property
    def templates(self) -> List[TemplateAvailability]: ...
    @property
    def unreachable(self) -> Dict[str, ProxmoxError]: ...
    def to_dict(self) -> Dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

@final
class Secret:
    """A secret (ticket, password, cookie value); its repr is redacted."""

    def reveal(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

ClusterResource = Union[NodeResource, GuestResource, StorageResource, Dict[str, JsonValue]]
"#;
