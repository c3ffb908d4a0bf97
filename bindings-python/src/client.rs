//! `proxmox_api.Client` (blocking) and `proxmox_api.AsyncClient` (asyncio).
//!
//! Both wrap the same process-local core client and the same operations (`ops`); they differ
//! only in how Python waits: the sync client releases the GIL and blocks on the shared runtime,
//! the async client returns an asyncio awaitable.

use proxmox_api_core::Method;
use pyo3::prelude::*;

use crate::convert::params_from_py;
use crate::ops;
use crate::options::{seconds, ProcessLocalClient, RawOptions};
use crate::runtime::{block_on, future_into_py};

/// A blocking Proxmox VE client. Calls release the GIL while they wait, so threads can share
/// one client and its session.
#[pyclass(module = "proxmox_api", frozen)]
pub struct Client {
    inner: ProcessLocalClient,
}

/// An asyncio Proxmox VE client: every method returns an awaitable.
#[pyclass(module = "proxmox_api", frozen)]
pub struct AsyncClient {
    inner: ProcessLocalClient,
}

#[allow(clippy::too_many_arguments)]
fn build(
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
) -> PyResult<ProcessLocalClient> {
    let options = RawOptions {
        host,
        user,
        password,
        token_id,
        token_secret,
        fingerprint,
        ca_pem,
        danger_accept_invalid_certs,
        insecure_http,
        connect_timeout,
        request_timeout,
    }
    .validate()?;
    ProcessLocalClient::new(options)
}

fn request_args(
    method: &str,
    params: Option<&Bound<'_, PyAny>>,
    timeout: Option<f64>,
) -> PyResult<(
    Method,
    proxmox_api_core::Params,
    Option<std::time::Duration>,
)> {
    Ok((
        ops::parse_method(method)?,
        params_from_py(params)?,
        seconds("timeout", timeout)?,
    ))
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        host, *, user=None, password=None, token_id=None, token_secret=None, fingerprint=None,
        ca_pem=None, danger_accept_invalid_certs=false, insecure_http=false,
        connect_timeout=None, request_timeout=None
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
    ) -> PyResult<Self> {
        Ok(Self {
            inner: build(
                host,
                user,
                password,
                token_id,
                token_secret,
                fingerprint,
                ca_pem,
                danger_accept_invalid_certs,
                insecure_http,
                connect_timeout,
                request_timeout,
            )?,
        })
    }

    /// The server's version: `{"version": ..., "release": ..., "repoid": ...}`.
    fn version(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::version(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// The cluster's nodes, one dict per node.
    fn nodes(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::nodes(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// The full status of one node (memory, cpu, load, uptime, versions, ...).
    fn node_status(&self, py: Python<'_>, node: String) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::node_status(client, node))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// Every node's status at once: `{node: status dict, or the ProxmoxError for that node}`.
    /// Offline nodes come back as `NodeUnreachableError` instances without failing the others.
    fn node_status_all(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let per_node = block_on(py, ops::node_status_all(client))??;
        Ok(per_node.into_pyobject(py)?.into_any().unbind())
    }

    /// Quorum and which nodes are online: one dict per cluster and node entry.
    fn cluster_status(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::cluster_status(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// The lowest free vmid (not reserved: a creation may still lose it).
    fn next_id(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::next_id(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// Every container of the cluster, one dict each, from a single request.
    fn containers(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::containers(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// One container by vmid: `{"vmid", "node", "status": {...}, "config": {...}}`.
    fn container(&self, py: Python<'_>, vmid: u32) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::container(client, vmid))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// The users the caller may see, one dict each (never with a password).
    fn users(&self, py: Python<'_>) -> PyResult<PyObject> {
        let client = self.inner.get()?;
        let json = block_on(py, ops::users(client))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    /// Any API call: `method` is GET/POST/PUT/DELETE, `path` is below `/api2/json` (e.g.
    /// `"/nodes/pve1/status"`), `params` a dict of str/int/float/bool/list values. Returns the
    /// response's `data` as plain Python objects.
    #[pyo3(signature = (method, path, params=None, *, timeout=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: String,
        params: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<PyObject> {
        let (method, params, timeout) = request_args(method, params, timeout)?;
        let client = self.inner.get()?;
        let json = block_on(py, ops::request(client, method, path, params, timeout))??;
        Ok(json.into_pyobject(py)?.unbind())
    }

    fn __repr__(&self) -> String {
        format!("Client({})", self.inner.options().describe())
    }
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (
        host, *, user=None, password=None, token_id=None, token_secret=None, fingerprint=None,
        ca_pem=None, danger_accept_invalid_certs=false, insecure_http=false,
        connect_timeout=None, request_timeout=None
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
    ) -> PyResult<Self> {
        Ok(Self {
            inner: build(
                host,
                user,
                password,
                token_id,
                token_secret,
                fingerprint,
                ca_pem,
                danger_accept_invalid_certs,
                insecure_http,
                connect_timeout,
                request_timeout,
            )?,
        })
    }

    /// Awaitable: the server's version.
    fn version<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::version(self.inner.get()?))
    }

    /// Awaitable: the cluster's nodes.
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::nodes(self.inner.get()?))
    }

    /// Awaitable: the full status of one node.
    fn node_status<'py>(&self, py: Python<'py>, node: String) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::node_status(self.inner.get()?, node))
    }

    /// Awaitable: every node's status at once (see `Client.node_status_all`).
    fn node_status_all<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::node_status_all(self.inner.get()?))
    }

    /// Awaitable: quorum and which nodes are online.
    fn cluster_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::cluster_status(self.inner.get()?))
    }

    /// Awaitable: the lowest free vmid.
    fn next_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::next_id(self.inner.get()?))
    }

    /// Awaitable: every container of the cluster.
    fn containers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::containers(self.inner.get()?))
    }

    /// Awaitable: one container by vmid, status and config merged.
    fn container<'py>(&self, py: Python<'py>, vmid: u32) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::container(self.inner.get()?, vmid))
    }

    /// Awaitable: the users the caller may see.
    fn users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        future_into_py(py, ops::users(self.inner.get()?))
    }

    /// Awaitable: any API call (see `Client.request`).
    #[pyo3(signature = (method, path, params=None, *, timeout=None))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: String,
        params: Option<&Bound<'py, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (method, params, timeout) = request_args(method, params, timeout)?;
        future_into_py(
            py,
            ops::request(self.inner.get()?, method, path, params, timeout),
        )
    }

    fn __repr__(&self) -> String {
        format!("AsyncClient({})", self.inner.options().describe())
    }
}
