//! The JavaScript `Client` class: the core's handles as methods, plus `version` and `request`.

use napi::Env;
use napi_derive::napi;
use proxmox_api_core::ApiRequest;
use serde_json::{Map, Value};

use crate::abort::{abortable, AbortSignal};
use crate::cluster::ClusterApi;
use crate::console::{ConsoleSession, SessionTicket};
use crate::containers::ContainersApi;
use crate::fan_out::FanOut;
use crate::js_error;
use crate::json_text::JsonText;
use crate::login::{self, ClientOptions, Login};
use crate::nodes::{NodeApi, NodesApi};
use crate::outcome::Outcome;
use crate::params::{self, RequestOptions};
use crate::results::json;
use crate::tasks::{Task, TasksApi};
use crate::templates::TemplatesApi;
use crate::users::UsersApi;

/// A Proxmox VE API client. Every async method returns a Promise, takes an optional
/// `AbortSignal` last, and rejects with a `ProxmoxError` subclass (`NotFoundError`,
/// `AuthenticationError`, ...) carrying `code`, `status`, `sent`, `retrySafety` and, for 400s,
/// `errors` (parameter -> reason). Reads are retry-safe; writes say so per method.
///
/// Logs in on first use; the session is renewed and shared by all calls of this client.
#[napi]
pub struct Client {
    pub(crate) core: proxmox_api_core::Client,
}

#[napi]
impl Client {
    /// Creates a client. Nothing is sent yet; bad input throws `InvalidInputError`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, login: Login, options: Option<ClientOptions>) -> napi::Result<Self> {
        login::build_client(login, options.unwrap_or_default())
            .map(|core| Client { core })
            .map_err(|error| js_error::to_napi_error(&env, &error))
    }

    /// The API base URL, e.g. `https://pve.example.com:8006/api2/json`.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.core.base_url().to_string()
    }

    /// The server's version (`GET /version`).
    #[napi(ts_return_type = "Promise<Version>")]
    pub async fn version(&self, signal: Option<AbortSignal>) -> Outcome<JsonText> {
        abortable(signal, async { json(self.core.version().await) })
            .await
            .into()
    }

    /// The cluster's nodes: `client.nodes().list()`, `client.nodes().statusAll()`.
    #[napi]
    pub fn nodes(&self) -> NodesApi {
        NodesApi {
            inner: self.core.nodes(),
        }
    }

    /// One node by name; nothing is sent until a method is called.
    #[napi]
    pub fn node(&self, name: String) -> NodeApi {
        NodeApi {
            inner: self.core.node(name),
        }
    }

    /// The cluster as a whole: resources, status, next free id, tasks, the destroy log.
    #[napi]
    pub fn cluster(&self) -> ClusterApi {
        ClusterApi {
            inner: self.core.cluster(),
        }
    }

    /// Containers across the cluster: list, locate, get, create (with placement).
    #[napi]
    pub fn containers(&self) -> ContainersApi {
        ContainersApi {
            inner: self.core.containers(),
        }
    }

    /// Container templates across the cluster.
    #[napi]
    pub fn templates(&self) -> TemplatesApi {
        TemplatesApi {
            inner: self.core.templates(),
        }
    }

    /// Users and their access to containers.
    #[napi]
    pub fn users(&self) -> UsersApi {
        UsersApi {
            inner: self.core.users(),
        }
    }

    /// Tasks started elsewhere.
    #[napi]
    pub fn tasks(&self) -> TasksApi {
        TasksApi {
            inner: self.core.tasks(),
        }
    }

    /// A handle for a task by UPID; a malformed UPID throws `InvalidInputError`.
    #[napi]
    pub fn task(&self, env: Env, upid: String) -> napi::Result<Task> {
        self.core
            .tasks()
            .get(&upid)
            .map(Task::from)
            .map_err(|e| js_error::to_napi_error(&env, &e))
    }

    /// Runs one operation on every node at once, each node with its own result: at most
    /// `concurrency` nodes at a time (default 64: a whole cluster in one wave), each abandoned after `perNodeTimeoutMs`
    /// (default 30 000), optionally `only` some nodes. Offline nodes are not contacted.
    #[napi]
    pub fn fan_out(
        &self,
        concurrency: Option<u32>,
        per_node_timeout_ms: Option<u32>,
        only: Option<Vec<String>>,
    ) -> FanOut {
        FanOut::new(self.core.fan_out(), concurrency, per_node_timeout_ms, only)
    }

    /// Logs in as another user and returns their session ticket (a secret), without touching
    /// this client's session. Accounts with a second factor reject with `TfaRequiredError`.
    #[napi(ts_return_type = "Promise<SessionTicket>")]
    pub async fn login_as(
        &self,
        userid: String,
        password: String,
        signal: Option<AbortSignal>,
    ) -> Outcome<SessionTicket> {
        abortable(signal, async {
            self.core
                .login_as(&userid, password)
                .await
                .map(SessionTicket::from)
        })
        .await
        .into()
    }

    /// The browser URL of container `vmid`'s noVNC console on this client's server.
    #[napi]
    pub fn console_url(&self, node: String, vmid: u32, name: String) -> String {
        self.core.console_url(&node, vmid, &name)
    }

    /// Logs in as end user `userid` and returns what their browser needs to open container
    /// `vmid`'s console: the URL and THEIR session cookie. Rejects with `PermissionDeniedError`
    /// unless the user holds `VM.Console` on it, `AuthenticationError` for a wrong password.
    #[napi(ts_return_type = "Promise<ConsoleSession>")]
    pub async fn console_session_for(
        &self,
        userid: String,
        password: String,
        node: String,
        vmid: u32,
        signal: Option<AbortSignal>,
    ) -> Outcome<ConsoleSession> {
        abortable(signal, async {
            self.core
                .console_session_for(&userid, password, &node, vmid)
                .await
                .map(ConsoleSession::from)
        })
        .await
        .into()
    }

    /// The raw escape hatch: any method and path below `/api2/json`, e.g.
    /// `request('GET', '/cluster/resources', { type: 'vm' })`. Resolves to the response's `data`
    /// with PVE's own field names. Parameters are strings, numbers, booleans (sent as 1/0) or
    /// arrays (sent as repeated keys); `null` values are left out. GETs are retried by the core;
    /// other methods only when provably not sent. `options.timeoutMs` overrides the client's
    /// request timeout for this call. Prefer `client.api` for path segments built from data.
    #[napi(ts_return_type = "Promise<unknown>")]
    pub async fn request(
        &self,
        #[napi(ts_arg_type = "'GET' | 'POST' | 'PUT' | 'DELETE'")] method: String,
        path: String,
        #[napi(
            ts_arg_type = "Record<string, string | number | boolean | Array<string | number | boolean> | null | undefined> | null"
        )]
        params: Option<Map<String, Value>>,
        options: Option<RequestOptions>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        let prepared = params::parse_method(&method).and_then(|method| {
            let params = params::to_params(params)?;
            let options = params::call_options(options.and_then(|o| o.timeout_ms))?;
            Ok((ApiRequest::from_path(method, &path).params(params), options))
        });
        abortable(signal, async {
            let (request, options) = prepared?;
            let data: Value = self.core.send_with(request, options).await?;
            Ok::<_, proxmox_api_core::Error>(JsonText::verbatim(&data))
        })
        .await
        .into()
    }

    /// Like `request`, with the path given as segments that are percent-encoded one by one
    /// (what `client.api.nodes(name)...` calls).
    #[napi(ts_return_type = "Promise<unknown>")]
    pub async fn request_segments(
        &self,
        #[napi(ts_arg_type = "'GET' | 'POST' | 'PUT' | 'DELETE'")] method: String,
        segments: Vec<String>,
        #[napi(
            ts_arg_type = "Record<string, string | number | boolean | Array<string | number | boolean> | null | undefined> | null"
        )]
        params: Option<Map<String, Value>>,
        signal: Option<AbortSignal>,
    ) -> Outcome<JsonText> {
        let prepared = params::parse_method(&method).and_then(|method| {
            let params = params::to_params(params)?;
            Ok(ApiRequest::new(method, segments).params(params))
        });
        abortable(signal, async {
            let data: Value = self.core.send(prepared?).await?;
            Ok::<_, proxmox_api_core::Error>(JsonText::verbatim(&data))
        })
        .await
        .into()
    }
}
