//! The JavaScript `Client` class.

use napi::Env;
use napi_derive::napi;
use proxmox_api_core::ApiRequest;
use serde_json::{Map, Value};

use crate::js_error;
use crate::login::{self, ClientOptions, Login};
use crate::models::{NodeSummary, Version};
use crate::outcome::Outcome;
use crate::params::{self, RequestOptions};

/// A Proxmox VE API client. Methods return Promises; failures reject with an `Error` whose `code`
/// is `PROXMOX_<KIND>` (e.g. `PROXMOX_AUTHENTICATION`) and which carries `status`, `retrySafe`,
/// `sent` and, for `PROXMOX_INVALID_PARAMETERS`, `errors` (parameter -> reason).
///
/// Logs in on first use; the session is renewed and shared by all calls of this client.
#[napi]
pub struct Client {
    pub(crate) core: proxmox_api_core::Client,
}

#[napi]
impl Client {
    /// Creates a client. Nothing is sent yet; bad input throws a `PROXMOX_INVALID_INPUT` error.
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
    pub async fn version(&self) -> Outcome<Version> {
        self.core.version().await.map(Version::from).into()
    }

    /// The cluster's nodes (`GET /nodes`).
    #[napi(ts_return_type = "Promise<Array<NodeSummary>>")]
    pub async fn nodes(&self) -> Outcome<Vec<NodeSummary>> {
        self.core
            .nodes()
            .list()
            .await
            .map(|nodes| nodes.into_iter().map(NodeSummary::from).collect())
            .into()
    }

    /// The raw escape hatch: any method (`GET`, `POST`, `PUT`, `DELETE`) and path below
    /// `/api2/json`, e.g. `request('GET', '/cluster/resources', { type: 'vm' })`. Resolves to the
    /// response's `data`. Parameters are strings, numbers, booleans (sent as 1/0) or arrays
    /// (sent as repeated keys); `null` values are left out.
    ///
    /// `options.timeoutMs` overrides the client's request timeout for this call.
    #[napi(
        ts_args_type = "method: 'GET' | 'POST' | 'PUT' | 'DELETE' | string, path: string, params?: Record<string, string | number | boolean | Array<string | number | boolean> | null | undefined> | null, options?: RequestOptions",
        ts_return_type = "Promise<unknown>"
    )]
    pub async fn request(
        &self,
        method: String,
        path: String,
        params: Option<Map<String, Value>>,
        options: Option<RequestOptions>,
    ) -> Outcome<Value> {
        let prepared = params::parse_method(&method).and_then(|method| {
            let params = params::to_params(params)?;
            let options = params::call_options(options.and_then(|o| o.timeout_ms))?;
            Ok((ApiRequest::from_path(method, &path).params(params), options))
        });
        match prepared {
            Ok((request, options)) => self.core.send_with(request, options).await.into(),
            Err(error) => Outcome(Err(error)),
        }
    }
}
