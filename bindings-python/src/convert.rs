//! Conversions between Python objects and the core's JSON values and request parameters.

use proxmox_api_core::{ParamValue, Params};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString};
use secrecy::SecretString;
use serde_json::Value;

use crate::errors::invalid_input;

/// A JSON value as plain Python objects: `dict`, `list`, `str`, `int`, `float`, `bool`, `None`.
pub fn json_to_py(py: Python<'_>, value: &Value) -> PyResult<PyObject> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any().unbind()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any().unbind()
            } else {
                n.as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// Whether a parameter carries a secret that must never show up in `Debug` output or logs.
fn is_secret_parameter(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "ticket", "token"]
        .iter()
        .any(|word| key.contains(word))
}

/// Request parameters from a Python mapping of `str` to `str`, `int`, `float`, `bool` or a list of
/// those (sent as a repeated key). `None` values are left out, so optional arguments can be passed
/// through unconditionally. Anything else is an `InvalidInputError` before anything is sent.
pub fn params_from_py(params: Option<&Bound<'_, PyAny>>) -> PyResult<Params> {
    let mut out = Params::new();
    let Some(params) = params else {
        return Ok(out);
    };
    if params.is_none() {
        return Ok(out);
    }
    let mapping = params
        .downcast::<PyMapping>()
        .map_err(|_| invalid_input("params", "expected a dict of parameter name to value"))?;
    for item in mapping.items()?.iter() {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let key: String = key
            .extract()
            .map_err(|_| invalid_input("params", "parameter names must be strings"))?;
        if value.is_none() {
            continue;
        }
        let value = if is_secret_parameter(&key) && value.is_instance_of::<PyString>() {
            ParamValue::Secret(SecretString::from(value.extract::<String>()?))
        } else {
            param_value(&key, &value)?
        };
        out.insert(key, value);
    }
    Ok(out)
}

fn param_value(key: &str, value: &Bound<'_, PyAny>) -> PyResult<ParamValue> {
    // bool before int: Python's bool is a subclass of int.
    if let Ok(b) = value.downcast::<PyBool>() {
        return Ok(ParamValue::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(ParamValue::Int)
            .map_err(|_| invalid_input(key, "integer out of range"));
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(ParamValue::Float(value.extract()?));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(ParamValue::Str(value.extract()?));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<pyo3::types::PyTuple>() {
        let mut items = Vec::new();
        for item in value.try_iter()? {
            let item = item?;
            let text = match param_value(key, &item)? {
                ParamValue::Str(s) => s,
                ParamValue::Int(i) => i.to_string(),
                ParamValue::Float(x) => x.to_string(),
                ParamValue::Bool(b) => if b { "1" } else { "0" }.to_owned(),
                _ => return Err(invalid_input(key, "lists may not be nested")),
            };
            items.push(text);
        }
        return Ok(ParamValue::List(items));
    }
    let type_name = value.get_type().name()?.to_string();
    Err(invalid_input(
        key,
        format!("unsupported value of type {type_name}: use str, int, float, bool or a list"),
    ))
}
