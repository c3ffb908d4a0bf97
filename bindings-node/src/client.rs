//! The JavaScript `Client` class: its constructor and the raw calls (`request` with per-call
//! options, `requestSegments` for the path builder). Every other method is generated from the
//! operation table (`faces`).

use napi::Env;
use napi_derive::napi;
use proxmox_api_core::ApiRequest;
use serde_json::{Map, Value};

use crate::abort::{abortable, AbortSignal};
use crate::js_error;
use crate::json_text::JsonText;
use crate::login::{self, ClientOptions, Login};
use crate::outcome::Outcome;
use crate::params::{self, RequestOptions};

/// A Proxmox VE API client. Every async method returns a Promise, takes an optional
/// `AbortSignal` last, and rejects with a `ProxmoxError` subclass (`NotFoundError`,
/// `AuthenticationError`, ...) carrying `code`, `status`, `sent`, `retrySafety` and, for 400s,
/// `errors` (parameter -> reason). Reads are retry-safe; writes say so per method.
///
/// Logs in on first use; the session is renewed and shared by all calls of this client.
#[napi]
pub struct Client {
    pub(crate) inner: proxmox_api_core::Client,
}

#[napi]
impl Client {
    /// Creates a client. Nothing is sent yet; bad input throws `InvalidInputError`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, login: Login, options: Option<ClientOptions>) -> napi::Result<Self> {
        login::build_client(&env, login, options.unwrap_or_default())
            .map(|inner| Client { inner })
            .map_err(|error| js_error::to_napi_error(&env, &error))
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
            let data: Value = self.inner.send_with(request, options).await?;
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
            let data: Value = self.inner.send(prepared?).await?;
            Ok::<_, proxmox_api_core::Error>(JsonText::verbatim(&data))
        })
        .await
        .into()
    }
}
