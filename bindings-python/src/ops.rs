//! The calls both clients offer, as futures over the core client. Conversion only: paths,
//! retries and decoding live in the core.

use std::collections::BTreeMap;
use std::time::Duration;

use proxmox_api_core::{ApiRequest, CallOptions, Client as CoreClient, Error, Method, Params};
use pyo3::prelude::*;
use pyo3::types::PyDict;
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
    finish(async { to_json(&client.version().await?) }.await)
}

/// The cluster's nodes.
pub async fn nodes(client: CoreClient) -> PyResult<Json> {
    finish(async { to_json(&client.nodes().list().await?) }.await)
}

/// The full status of one node.
pub async fn node_status(client: CoreClient, node: String) -> PyResult<Json> {
    finish(async { to_json(&client.node(node).status().await?) }.await)
}

/// Every node's result of a fan-out: a dict of node name to its value, or to the exception
/// (not raised) that node failed with, so one node's failure never hides the others' data.
pub struct PerNodeJson(BTreeMap<String, Result<Value, Error>>);

impl<'py> IntoPyObject<'py> for PerNodeJson {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        let dict = PyDict::new(py);
        for (node, result) in self.0 {
            match result {
                Ok(value) => dict.set_item(node, json_to_py(py, &value)?)?,
                Err(error) => dict.set_item(node, to_py_err(error).into_value(py))?,
            }
        }
        Ok(dict)
    }
}

/// The full status of every node at once, each node with its own result.
pub async fn node_status_all(client: CoreClient) -> PyResult<PerNodeJson> {
    let per_node = client.nodes().status_all().await.map_err(to_py_err)?;
    Ok(PerNodeJson(
        per_node
            .into_iter()
            .map(|(node, result)| (node, result.and_then(|status| to_json(&status))))
            .collect(),
    ))
}

/// Quorum and which nodes are online.
pub async fn cluster_status(client: CoreClient) -> PyResult<Json> {
    finish(async { to_json(&client.cluster().status().await?) }.await)
}

/// The lowest free vmid (not reserved).
pub async fn next_id(client: CoreClient) -> PyResult<Json> {
    finish(async { Ok(Value::from(client.cluster().next_id().await?)) }.await)
}

/// Every container of the cluster, from one `/cluster/resources` request.
pub async fn containers(client: CoreClient) -> PyResult<Json> {
    finish(async { to_json(&client.containers().list().await?) }.await)
}

/// One container by vmid, its status and config merged (the core finds its node first).
pub async fn container(client: CoreClient, vmid: u32) -> PyResult<Json> {
    finish(
        async {
            let container = client.containers().get(vmid).await?;
            Ok(serde_json::json!({
                "vmid": container.vmid,
                "node": container.node,
                "status": to_json(&container.status)?,
                "config": to_json(&container.config)?,
            }))
        }
        .await,
    )
}

/// The users the caller may see.
pub async fn users(client: CoreClient) -> PyResult<Json> {
    finish(async { to_json(&client.users().list().await?) }.await)
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
