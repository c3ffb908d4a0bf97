//! The calls both clients offer, as futures over the core client. Conversion only: paths,
//! retries and decoding live in the core.

use std::time::Duration;

use proxmox_api_core::{ApiRequest, CallOptions, Client as CoreClient, Error, Method, Params};
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::json_to_py;
use crate::errors::{invalid_input, to_py_err};

/// A JSON result that becomes plain Python objects once the GIL is held again.
pub struct Json(pub Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(json_to_py(py, &self.0)?.into_bound(py))
    }
}

/// Parses `"GET"`, `"post"`, ... into a method.
pub fn parse_method(method: &str) -> PyResult<Method> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::Get),
        "POST" => Ok(Method::Post),
        "PUT" => Ok(Method::Put),
        "DELETE" => Ok(Method::Delete),
        _ => Err(invalid_input(
            "method",
            format!("expected GET, POST, PUT or DELETE, got {method:?}"),
        )),
    }
}

/// Any serialisable model as JSON, for conversion to Python.
fn to_json<T: serde::Serialize>(model: &T) -> Result<Value, Error> {
    serde_json::to_value(model).map_err(|e| Error::Decode {
        path: String::new(),
        message: e.to_string(),
    })
}

fn finish(result: Result<Value, Error>) -> PyResult<Json> {
    result.map(Json).map_err(to_py_err)
}

/// `GET /version`.
pub async fn version(client: CoreClient) -> PyResult<Json> {
    // TEMPORARY until the core's `Client::version` lands.
    let version = client.get::<proxmox_api_core::models::Version>("/version");
    finish(async { to_json(&version.await?) }.await)
}

/// The cluster's nodes.
pub async fn nodes(client: CoreClient) -> PyResult<Json> {
    // TEMPORARY until the core's `client.nodes().list()` lands.
    let nodes = client.get::<Vec<proxmox_api_core::models::NodeSummary>>("/nodes");
    finish(async { to_json(&nodes.await?) }.await)
}

/// The raw escape hatch.
pub async fn request(
    client: CoreClient,
    method: Method,
    path: String,
    params: Params,
    timeout: Option<Duration>,
) -> PyResult<Json> {
    let request = ApiRequest::from_path(method, &path).params(params);
    let options = CallOptions { timeout };
    finish(client.send_with::<Value>(request, options).await)
}
