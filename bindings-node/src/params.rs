//! JavaScript arguments of the raw `request()` escape hatch, converted to core types.

use std::time::Duration;

use napi_derive::napi;
use proxmox_api_core::{CallOptions, Error as CoreError, Method, ParamValue, Params};
use secrecy::SecretString;
use serde_json::{Map, Value};

/// Parameter names whose values are secrets: they travel as `ParamValue::Secret` so that no
/// `Debug` of the request can show them.
const SECRET_PARAMETERS: &[&str] = &["password", "new-password", "otp", "tfa-challenge"];

/// Per-call options of `request()`.
#[napi(object)]
pub struct RequestOptions {
    /// Overrides the client's request timeout for this call, in milliseconds.
    pub timeout_ms: Option<u32>,
}

/// The core's per-call options; a zero timeout is refused before sending.
pub fn call_options(timeout_ms: Option<u32>) -> Result<CallOptions, CoreError> {
    let timeout = match timeout_ms {
        Some(0) => {
            return Err(CoreError::invalid_input(
                "timeoutMs",
                "must be at least 1 millisecond",
            ))
        }
        Some(ms) => Some(Duration::from_millis(u64::from(ms))),
        None => None,
    };
    Ok(CallOptions { timeout })
}

/// Parses `GET`, `POST`, `PUT` or `DELETE` (any case).
pub fn parse_method(method: &str) -> Result<Method, CoreError> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::Get),
        "POST" => Ok(Method::Post),
        "PUT" => Ok(Method::Put),
        "DELETE" => Ok(Method::Delete),
        _ => Err(CoreError::invalid_input(
            "method",
            format!("{method:?} is not one of GET, POST, PUT, DELETE"),
        )),
    }
}

/// Converts a plain object of strings, numbers, booleans and arrays of strings or numbers.
/// `null` and `undefined` values are left out, so optional fields can be passed through as they are.
pub fn to_params(object: Option<Map<String, Value>>) -> Result<Params, CoreError> {
    let mut params = Params::new();
    for (key, value) in object.into_iter().flatten() {
        if let Some(value) = to_param_value(&key, value)? {
            params.insert(key, value);
        }
    }
    Ok(params)
}

fn to_param_value(key: &str, value: Value) -> Result<Option<ParamValue>, CoreError> {
    let converted = match value {
        Value::Null => return Ok(None),
        Value::String(s) if SECRET_PARAMETERS.contains(&key) => {
            ParamValue::Secret(SecretString::from(s))
        }
        Value::String(s) => ParamValue::Str(s),
        Value::Bool(b) => ParamValue::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => ParamValue::Int(i),
            None => ParamValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::Array(items) => ParamValue::List(
            items
                .into_iter()
                .map(|item| list_item(key, item))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(_) => {
            return Err(CoreError::invalid_input(
                key,
                "objects are not allowed as parameter values; PVE takes property strings such as \"name=eth0,bridge=vmbr0\"",
            ))
        }
    };
    Ok(Some(converted))
}

fn list_item(key: &str, item: Value) -> Result<String, CoreError> {
    match item {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if b { "1" } else { "0" }.to_owned()),
        _ => Err(CoreError::invalid_input(
            key,
            "array items must be strings, numbers or booleans",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params_of(value: Value) -> Result<Params, CoreError> {
        match value {
            Value::Object(map) => to_params(Some(map)),
            _ => panic!("test input must be an object"),
        }
    }

    #[test]
    fn methods_parse_in_any_case_and_others_are_refused() {
        assert_eq!(parse_method("get").unwrap(), Method::Get);
        assert_eq!(parse_method("Delete").unwrap(), Method::Delete);
        let error = parse_method("PATCH").unwrap_err();
        assert_eq!(error.code(), "INVALID_INPUT");
        assert!(error.to_string().contains("PATCH"));
    }

    #[test]
    fn values_keep_their_wire_types() {
        let params = params_of(json!({
            "cores": 2,
            "cpulimit": 1.5,
            "unprivileged": true,
            "hostname": "ct1",
            "ssh-public-keys": ["a", 3],
            "description": null
        }))
        .unwrap();
        let form: Vec<String> = params.to_form().split('&').map(str::to_owned).collect();
        for expected in [
            "cores=2",
            "cpulimit=1.5",
            "unprivileged=1",
            "hostname=ct1",
            "ssh-public-keys=a",
            "ssh-public-keys=3",
        ] {
            assert!(
                form.contains(&expected.to_owned()),
                "{expected} missing in {form:?}"
            );
        }
        assert!(!form.iter().any(|pair| pair.starts_with("description")));
    }

    #[test]
    fn passwords_become_secrets() {
        let params = params_of(json!({ "password": "canary-7d1f" })).unwrap();
        assert!(params.to_form().contains("canary-7d1f"));
        assert!(!format!("{params:?}").contains("canary-7d1f"));
    }

    #[test]
    fn nested_objects_are_invalid_input() {
        let error = params_of(json!({ "net0": { "bridge": "vmbr0" } })).unwrap_err();
        assert_eq!(error.code(), "INVALID_INPUT");
        assert_eq!(error.parameter_errors().len(), 1);
        assert!(error.parameter_errors().contains_key("net0"));
    }
}
