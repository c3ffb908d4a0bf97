//! One request through the pipeline (docs/ARCHITECTURE.md): route, faults, authenticate,
//! validate, authorize, dispatch. Exactly two short critical sections on the state lock; the
//! only waits (injected latency, the failed-authentication delay) happen outside it.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::multipart::{self, UploadedFile};
use super::params::{parse_json, parse_urlencoded, ParamMap};
use super::wire::{self, Body};
use super::{hooks, ServerContext};
use crate::access::{self, AuthInput};
use crate::api_error::ApiError;
use crate::call::Call;
use crate::schema::{self, MethodDef, Schema};
use crate::state::SimState;

/// PVE's request body limit.
const MAX_BODY: usize = 512 * 1024;
/// The limit for a multipart upload (the file is kept in memory).
const MAX_UPLOAD: usize = 64 * 1024 * 1024;

const VNC_WEBSOCKET: &str = "/nodes/{node}/lxc/{vmid}/vncwebsocket";
/// The one call that takes `multipart/form-data` (and skips the CSRF check, as PVE does).
pub const UPLOAD: &str = "/nodes/{node}/storage/{storage}/upload";
const LOGIN: &str = "/access/ticket";

/// Answers one request, with PVE's response headers (and gzip when the client accepts it).
pub async fn handle(ctx: Arc<ServerContext>, req: Request<Incoming>) -> Response<Body> {
    if let Some(rest) = req.uri().path().strip_prefix("/_sim/") {
        let rest = rest.to_owned();
        return crate::control::handle_http(&ctx, req.method().clone(), &rest, req.into_body())
            .await;
    }
    let headers = req.headers();
    let accept_gzip =
        header_str(headers, http::header::ACCEPT_ENCODING).is_some_and(|v| v.contains("gzip"));
    let client_closes = header_str(headers, http::header::CONNECTION)
        .is_some_and(|v| v.to_ascii_lowercase().contains("close"));
    let response = handle_api(&ctx, req).await;
    wire::finish(response, ctx.clock.now(), accept_gzip, client_closes).await
}

fn header_str(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn handle_api(ctx: &ServerContext, mut req: Request<Incoming>) -> Response<Body> {
    let upgrade = crate::websocket::is_upgrade(req.headers()).then(|| hyper::upgrade::on(&mut req));
    let (parts, body) = req.into_parts();
    let method = parts.method;
    let full_path = parts.uri.path();
    let Some(path) = full_path.strip_prefix("/api2/json") else {
        return wire::error(&not_implemented(&method, full_path));
    };
    let path = if path.is_empty() { "/" } else { path };
    let path = volume_path(path);
    let path = path.as_ref();

    // 1. route
    let Some(route) = Schema::get().route(path) else {
        return wire::error(&not_implemented(&method, path));
    };
    let Some(def) = route.method(&method) else {
        return wire::error(&not_implemented(&method, path));
    };
    let upload = method == Method::POST && def.template == UPLOAD;
    let body = match Http::collect(body, if upload { MAX_UPLOAD } else { MAX_BODY }).await {
        Ok(b) => b,
        Err(e) => return wire::error(&e),
    };
    let reads = method == Method::GET || method == Method::HEAD || method == Method::DELETE;
    if reads && !body.is_empty() {
        return wire::error(&ApiError::new(
            501,
            format!("Unexpected content for method '{method}'"),
        ));
    }
    let mut params = ParamMap::new();
    if let Some(query) = parts.uri.query() {
        parse_urlencoded(query.as_bytes(), &mut params);
    }
    // pve-http-server authenticates before it looks at the body, so a body it refuses is
    // answered only after authentication succeeded.
    let mut body_error = None;
    let mut file = None;
    if !body.is_empty() {
        let content_type = header_str(&parts.headers, http::header::CONTENT_TYPE).unwrap_or("");
        match read_body(&body, content_type, upload, &mut params) {
            Ok(f) => file = f,
            Err(e) => body_error = Some(e),
        }
    }
    let node = def
        .template
        .starts_with("/nodes/{node}")
        .then(|| route.path_params.get("node").cloned())
        .flatten();

    // 2. faults (and the node the request is proxied to)
    let mut latency = Duration::ZERO;
    {
        let mut state = ctx.state.lock();
        if state.faults.any_request_faults() {
            if let Some((status, message)) = state.faults.take_failure(method.as_str(), path) {
                return wire::error(&ApiError::new(status, message));
            }
            if let Some(n) = &node {
                if state.faults.offline_nodes.contains(n) {
                    return wire::error(&ApiError::new(595, "no route to host"));
                }
            }
            latency = state.faults.latency_for(node.as_deref());
        }
    }
    if let Some(n) = &node {
        if !ctx.node_names.iter().any(|known| known == n) && schema_accepts_node(n) {
            return wire::error(&ApiError::internal(format!(
                "hostname lookup '{n}' failed - failed to get address info for: {n}: Name or service not known"
            )));
        }
    }
    if !latency.is_zero() {
        sleep(latency).await;
    }

    // 3.-6. authenticate, validate, authorize, dispatch
    let auth = credentials(&parts.headers);
    let input = AuthInput {
        ticket: auth.ticket.as_deref(),
        csrf: auth.csrf.as_deref(),
        authorization: auth.authorization.as_deref(),
    };
    let incoming = Incoming2 {
        path,
        path_params: route.path_params,
        params,
        method: &method,
        upload,
        body_error,
    };
    let outcome = {
        let mut state = ctx.state.lock();
        let state = &mut *state;
        match prepare(state, def, incoming, &input) {
            Err(e) => Err(e),
            Ok(call) if def.template == VNC_WEBSOCKET => {
                crate::websocket::accept(state, &call, &parts.headers, upgrade)
            }
            Ok(call) => dispatch(state, &call, file),
        }
    };
    match outcome {
        Ok(response) => response,
        Err(e) => {
            if e.status == 401 && !ctx.auth_failure_delay.is_zero() {
                sleep(ctx.auth_failure_delay).await;
            }
            if e.status == 401 && def.template == LOGIN {
                wire::login_failure(&e)
            } else {
                wire::error(&e)
            }
        }
    }
}

/// Parameters from a POST/PUT body: form-urlencoded (also without a content type) or JSON;
/// multipart only on the upload call; anything else refused as pve-http-server does.
fn read_body(
    body: &Bytes,
    content_type: &str,
    upload: bool,
    params: &mut ParamMap,
) -> Result<Option<UploadedFile>, ApiError> {
    let not_implemented = || {
        ApiError::new(
            if upload { 501 } else { 506 },
            format!("upload 'Content-Type '{content_type}' not implemented"),
        )
    };
    if upload {
        let boundary = multipart::boundary(content_type).ok_or_else(not_implemented)?;
        return multipart::parse(body, boundary, params).map(Some);
    }
    let media = content_type.split([';', ',']).next().unwrap_or("").trim();
    match media {
        "" | "application/x-www-form-urlencoded" => {
            parse_urlencoded(body, params);
            Ok(None)
        }
        "application/json" => parse_json(body, params).map(|()| None),
        _ => Err(not_implemented()),
    }
}

/// Under `/nodes/{node}/storage/{storage}/content/` the whole rest of the path is the volume
/// id, `/` included (`local:vztmpl/debian-12-....tar.zst`), as PVE routes it.
fn volume_path(path: &str) -> std::borrow::Cow<'_, str> {
    let parts: Vec<&str> = path.splitn(7, '/').collect();
    match parts.as_slice() {
        ["", "nodes", node, "storage", storage, "content", volume] if volume.contains('/') => {
            std::borrow::Cow::Owned(format!(
                "/nodes/{node}/storage/{storage}/content/{}",
                volume.replace('/', "%2F")
            ))
        }
        _ => std::borrow::Cow::Borrowed(path),
    }
}

/// One request between parsing and the state lock.
struct Incoming2<'a> {
    path: &'a str,
    path_params: std::collections::BTreeMap<String, String>,
    params: ParamMap,
    method: &'a Method,
    upload: bool,
    body_error: Option<ApiError>,
}

/// Authentication, validation and the permission check: the validated [`Call`].
fn prepare(
    state: &mut SimState,
    def: &MethodDef,
    incoming: Incoming2<'_>,
    input: &AuthInput<'_>,
) -> Result<Call, ApiError> {
    let Incoming2 {
        path,
        path_params,
        params,
        method,
        upload,
        body_error,
    } = incoming;
    let world = def.permissions.get("user").and_then(|u| u.as_str()) == Some("world");
    let write = !(method == Method::GET || method == Method::HEAD);
    let now = state.clock.unix();
    let caller = if world {
        None
    } else {
        Some(state.access.authenticate(input, write, upload, now)?)
    };
    if let Some(e) = body_error {
        return Err(e);
    }
    schema::validate(def, &path_params, &params)?;
    if let Some(caller) = &caller {
        if caller.tokenid.is_some() && !def.allow_token {
            // PVE's `raise_perm_exc("URI '...' not available with API token, need proper
            // ticket.\n")`: the newline sits inside the parentheses, so the status line ends
            // at "ticket." and the body's message is split over two lines.
            return Err(ApiError::new(
                403,
                format!(
                    "Permission check failed (URI '{path}' not available with API token, need proper ticket.\n)"
                ),
            ));
        }
        let lookup = |key: &str| -> Option<String> {
            path_params
                .get(key)
                .cloned()
                .or_else(|| params.get(key).and_then(|v| v.first()).cloned())
        };
        access::check_method_permissions(&state.access, caller, &def.permissions, &lookup)?;
    }
    Ok(Call {
        method: method.clone(),
        template: def.template.clone(),
        path_params,
        params,
        caller,
    })
}

fn dispatch(
    state: &mut SimState,
    call: &Call,
    file: Option<UploadedFile>,
) -> Result<Response<Body>, ApiError> {
    hooks::tick(state);
    if let Some(file) = file {
        return super::upload::handle(state, call, file).map(|data| wire::success(&data));
    }
    if let Some(reply) = access::dispatch(state, call) {
        return reply.map(|data| wire::success(&data));
    }
    // Large listings come pre-serialised (no `Value` tree for 20,000 guests).
    if let Some(raw) = crate::cluster::dispatch_raw(state, call) {
        return raw.map(wire::success_raw);
    }
    if let Some(reply) = crate::cluster::dispatch_answer(state, call) {
        return reply.map(|answer| wire::answer(&answer));
    }
    Err(ApiError::new(
        501,
        format!(
            "Method '{} {}' is valid but not modelled by the simulator",
            call.method, call.template
        ),
    ))
}

/// PVE's answer for a path or method it has no handler for.
fn not_implemented(method: &Method, path: &str) -> ApiError {
    ApiError::new(501, format!("Method '{method} {path}' not implemented"))
}

/// An invalid node name is a 400 from validation, not a failed lookup.
fn schema_accepts_node(node: &str) -> bool {
    !node.is_empty() && node.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

struct Credentials {
    ticket: Option<String>,
    csrf: Option<String>,
    authorization: Option<String>,
}

fn credentials(headers: &HeaderMap) -> Credentials {
    let ticket = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("PVEAuthCookie="))
        .map(|t| {
            percent_encoding::percent_decode_str(t)
                .decode_utf8_lossy()
                .into_owned()
        });
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Credentials {
        ticket,
        csrf: header("csrfpreventiontoken"),
        authorization: header("authorization"),
    }
}

/// Reading a request body with PVE's size limit.
struct Http;

impl Http {
    async fn collect(body: Incoming, limit: usize) -> Result<Bytes, ApiError> {
        match http_body_util::Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(_) => Err(ApiError::new(413, "request too large")),
        }
    }
}

/// Real-time waiting for injected latency and the failed-authentication delay: the
/// simulator's own latency is real time by definition, so the injected clock does not apply.
#[allow(clippy::disallowed_methods)]
async fn sleep(d: Duration) {
    tokio::time::sleep(d).await;
}
