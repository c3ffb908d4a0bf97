//! Python arguments into the Rust types the operation table names, and their stub hints.
//!
//! Every mistake is an `InvalidInputError` naming the argument, raised before anything is sent.

use std::time::Duration;

use proxmox_api_bindings::prelude::{
    Method, OnProgress, Params, Placement, ResourceKind, RrdConsolidation, RrdTimeframe, Secret,
    TaskProgress,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

use crate::convert::params_from_py;
use crate::errors::invalid_input;

/// A table argument type that can be read from a Python value.
pub trait FromPython: Sized {
    /// Converts `value` (never called with a missing argument; `None` reaches `Option` only).
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self>;
    /// The Python type in the stubs.
    fn hint() -> String;
    /// A default value as Python source for the stubs.
    fn render_default(&self) -> String {
        "...".to_owned()
    }
}

fn int<T: TryFrom<i128>>(value: &Bound<'_, PyAny>, name: &str, what: &str) -> PyResult<T> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(invalid_input(name, format!("expected an int ({what})")));
    }
    let wide: i128 = value
        .extract()
        .map_err(|_| invalid_input(name, format!("out of range ({what})")))?;
    T::try_from(wide).map_err(|_| invalid_input(name, format!("out of range ({what})")))
}

impl FromPython for String {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if !value.is_instance_of::<PyString>() {
            return Err(invalid_input(name, "expected a str"));
        }
        value.extract()
    }
    fn hint() -> String {
        "str".into()
    }
    fn render_default(&self) -> String {
        format!("{self:?}")
    }
}

macro_rules! int_arg {
    ($($ty:ty: $what:literal),*) => {$(
        impl FromPython for $ty {
            fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                int(value, name, $what)
            }
            fn hint() -> String { "int".into() }
            fn render_default(&self) -> String { self.to_string() }
        }
    )*};
}
int_arg!(u32: "0 to 4294967295", u64: "0 to 2**64-1", usize: "a non-negative int");

impl FromPython for bool {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        value
            .downcast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| invalid_input(name, "expected a bool"))
    }
    fn hint() -> String {
        "bool".into()
    }
    fn render_default(&self) -> String {
        if *self { "True" } else { "False" }.into()
    }
}

impl FromPython for Duration {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let seconds: f64 = if value.is_instance_of::<PyBool>() {
            f64::NAN
        } else {
            value.extract().unwrap_or(f64::NAN)
        };
        if seconds.is_finite() && seconds > 0.0 && seconds < 1e9 {
            Ok(Duration::from_secs_f64(seconds))
        } else {
            Err(invalid_input(name, "must be a positive number of seconds"))
        }
    }
    fn hint() -> String {
        "float".into()
    }
    fn render_default(&self) -> String {
        format!("{:?}", self.as_secs_f64())
    }
}

impl<T: FromPython> FromPython for Option<T> {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if value.is_none() {
            Ok(None)
        } else {
            T::from_python(value, name).map(Some)
        }
    }
    fn hint() -> String {
        format!("Optional[{}]", T::hint())
    }
    fn render_default(&self) -> String {
        match self {
            None => "None".into(),
            Some(v) => v.render_default(),
        }
    }
}

impl FromPython for Vec<String> {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        // A bare str is a sequence too; taking it letter by letter is never what was meant.
        if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
            return Err(invalid_input(name, "expected a list of str"));
        }
        value
            .try_iter()?
            .map(|item| String::from_python(&item?, name))
            .collect()
    }
    fn hint() -> String {
        "Sequence[str]".into()
    }
    fn render_default(&self) -> String {
        if self.is_empty() {
            "()".into()
        } else {
            format!("{self:?}")
        }
    }
}

/// Enums passed as their wire (or Python-friendly) names.
macro_rules! enum_arg {
    ($ty:ty, $what:literal, [$($text:literal => $value:expr),* $(,)?]) => {
        impl FromPython for $ty {
            fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                let text = String::from_python(value, name)?;
                match text.as_str() {
                    $($text => Ok($value),)*
                    _ => Err(invalid_input(name, format!(
                        "expected one of {}, got {text:?}", [$(format!("{:?}", $text)),*].join(", ")))),
                }
            }
            fn hint() -> String {
                format!("Literal[{}]", [$(format!("{:?}", $text)),*].join(", "))
            }
            fn render_default(&self) -> String {
                $(if *self == $value { return format!("{:?}", $text); })*
                "...".into()
            }
        }
    };
}
enum_arg!(RrdTimeframe, "timeframe", [
    "hour" => RrdTimeframe::Hour, "day" => RrdTimeframe::Day, "week" => RrdTimeframe::Week,
    "month" => RrdTimeframe::Month, "year" => RrdTimeframe::Year,
]);
enum_arg!(RrdConsolidation, "consolidation", [
    "average" => RrdConsolidation::Average, "max" => RrdConsolidation::Max,
]);
enum_arg!(ResourceKind, "kind", [
    "vm" => ResourceKind::Vm, "node" => ResourceKind::Node, "storage" => ResourceKind::Storage,
    "sdn" => ResourceKind::Sdn,
]);
enum_arg!(Placement, "placement", [
    "most_free_memory" => Placement::MostFreeMemory, "least_load" => Placement::LeastLoad,
    "most_free_disk" => Placement::MostFreeDisk,
]);

/// HTTP methods in any case (`"get"` as proxmoxer users write it).
impl FromPython for Method {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let text = String::from_python(value, name)?;
        match text.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "DELETE" => Ok(Method::Delete),
            _ => Err(invalid_input(
                name,
                format!("expected GET, POST, PUT or DELETE, got {text:?}"),
            )),
        }
    }
    fn hint() -> String {
        "str".into()
    }
}

impl FromPython for Params {
    fn from_python(value: &Bound<'_, PyAny>, _name: &str) -> PyResult<Self> {
        params_from_py(Some(value))
    }
    fn hint() -> String {
        "Optional[Mapping[str, ParamValue]]".into()
    }
    fn render_default(&self) -> String {
        "None".into()
    }
}

impl FromPython for Secret {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        // Never echo the value, not even its type's repr.
        if !value.is_instance_of::<PyString>() {
            return Err(invalid_input(name, "must be a str"));
        }
        Ok(Secret::new(value.extract::<String>()?))
    }
    fn hint() -> String {
        "str".into()
    }
}

impl FromPython for OnProgress {
    fn from_python(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if value.is_none() {
            return Ok(None);
        }
        if !value.is_callable() {
            return Err(invalid_input(
                name,
                "expected a callable taking a TaskProgress",
            ));
        }
        let callback: PyObject = value.clone().unbind();
        Ok(Some(Box::new(move |progress: &TaskProgress| {
            Python::with_gil(|py| {
                let event = crate::models::TaskProgress::from_core(progress.clone());
                // A failing callback must not kill the wait (nor unwind into tokio): Python
                // reports it like an exception in a __del__.
                if let Err(error) = callback.call1(py, (event,)) {
                    error.write_unraisable(py, Some(callback.bind(py)));
                }
            })
        })))
    }
    fn hint() -> String {
        "Optional[Callable[[TaskProgress], object]]".into()
    }
    fn render_default(&self) -> String {
        "None".into()
    }
}

/// Reads the positional and keyword arguments of one generated method.
pub struct ArgParser<'a, 'py> {
    qualname: &'static str,
    names: &'static [&'static str],
    positional: &'a Bound<'py, PyTuple>,
    keywords: Option<&'a Bound<'py, PyDict>>,
    next: usize,
}

impl<'a, 'py> ArgParser<'a, 'py> {
    /// Checks the call's shape (too many positionals, unknown or duplicate keywords) up front.
    pub fn new(
        qualname: &'static str,
        names: &'static [&'static str],
        positional: &'a Bound<'py, PyTuple>,
        keywords: Option<&'a Bound<'py, PyDict>>,
    ) -> PyResult<Self> {
        if positional.len() > names.len() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{qualname}() takes {} arguments but {} were given",
                names.len(),
                positional.len()
            )));
        }
        if let Some(keywords) = keywords {
            for key in keywords.keys() {
                let key: String = key.extract()?;
                match names.iter().position(|n| *n == key) {
                    None => {
                        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                            "{qualname}() got an unexpected keyword argument {key:?}"
                        )))
                    }
                    Some(i) if i < positional.len() => {
                        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                            "{qualname}() got multiple values for argument {key:?}"
                        )))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(Self {
            qualname,
            names,
            positional,
            keywords,
            next: 0,
        })
    }

    /// The next argument's value, if given.
    pub fn next_value(&mut self) -> PyResult<Option<Bound<'py, PyAny>>> {
        let i = self.next;
        self.next += 1;
        if i < self.positional.len() {
            return Ok(Some(self.positional.get_item(i)?));
        }
        match self.keywords {
            Some(keywords) => keywords.get_item(self.names[i]),
            None => Ok(None),
        }
    }

    /// The error for a required argument that was not given.
    pub fn missing(&self, name: &str) -> PyErr {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{}() missing required argument {name:?}",
            self.qualname
        ))
    }
}
