//! The original 2016 REST service (`/work/shared/spec/proxmox-api.apib`) served again over
//! proxmox-api-core's domain handles.
//!
//! Routes: `/user` (GET list or `?username=`, POST create, PUT change password, DELETE),
//! `/node` (GET or REPORT: every node's status, fanned out), `/template`, `/container`
//! (GET `?id=` or `?username=`, POST create, DELETE), `/vnc?id=`, `/graphics?id=` (rrddata),
//! `/resources`, `/nextid`, `/destroyed`. Parameters come from the query string and/or a JSON
//! object body (the body wins); answers are JSON.
//!
//! Deliberate differences from the 2016 service:
//! - Passwords are never returned: `GET /user` answers `username` and `machines` only.
//! - A container's root password is never its owner's login password: `POST /container` takes
//!   `ssh_public_key` and/or `root_password`, and refuses a root password with which the owner
//!   could log in to Proxmox. No password is ever generated or returned.
//! - No database: all state lives in Proxmox. Users are PVE users in realm `pve`, a user's
//!   machines are their ACL entries on `/vms/<vmid>`, and the destroy log (`/destroyed`, the old
//!   `GET /cluster`) is the cluster's `vzdestroy` task history.
//! - Paths are flat (`/vnc`, `/graphics`, `/resources`, `/nextid`, `/destroyed` instead of
//!   `/utils/...` and `/cluster/...`), and `POST`/`DELETE /container` wait for their task, so a
//!   success answer means the container exists (or is gone).
//! - Errors carry an HTTP status and `{"code", "message"}` with the core error's `code()`.
//!
//! The service has no authentication of its own, like the original: bind it to localhost or put
//! it behind a proxy that authenticates.

mod routes;

use std::convert::Infallible;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use proxmox_api_core::{Client, Error};
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

/// Largest request body accepted, in bytes.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Serves the REST API on `listener` forever, one task per connection, using `client` for every
/// Proxmox call. Returns only when accepting fails.
pub async fn serve(listener: TcpListener, client: Client) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let client = client.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let client = client.clone();
                async move { Ok::<_, Infallible>(handle(&client, request).await) }
            });
            // A client hanging up mid-request is its own business; nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A failed request: the status to answer and the JSON error body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// A request the service itself rejects (missing or malformed parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_INPUT",
            message: message.into(),
        }
    }

    fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "INTERNAL",
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "NOT_FOUND",
            message: message.into(),
        }
    }

    fn method_not_allowed() -> Self {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "METHOD_NOT_ALLOWED",
            message: "method not allowed on this path".into(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError {
            status: status_for(&error),
            code: error.code(),
            // The core's Display never contains secrets.
            message: error.to_string(),
        }
    }
}

/// The HTTP status this service answers for a core error: the client's mistakes keep their 4xx,
/// trouble reaching or inside Proxmox becomes 502/504.
fn status_for(error: &Error) -> StatusCode {
    match error {
        Error::InvalidInput { .. } | Error::InvalidParameters { .. } => StatusCode::BAD_REQUEST,
        Error::PermissionDenied { .. } => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::Timeout { .. } | Error::TaskTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        Error::TaskFailed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        // Our own credentials failing, an unreachable node or a broken answer: upstream trouble.
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// The request's parameters: query string pairs, overridden by a JSON object body.
pub struct Params(Map<String, Value>);

impl Params {
    /// A string parameter, if present and not empty (numbers are accepted as their text).
    pub fn string(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A required string parameter.
    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)
            .ok_or_else(|| ApiError::bad_request(format!("missing parameter '{name}'")))
    }

    /// A non-negative integer parameter, given as a JSON number or a decimal string.
    pub fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        match self.string(name) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| {
                ApiError::bad_request(format!("parameter '{name}' must be a whole number"))
            }),
        }
    }
}

async fn handle(client: &Client, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (status, body) = match dispatch(client, request).await {
        Ok((status, body)) => (status, body),
        Err(e) => (e.status, json!({ "code": e.code, "message": e.message })),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{}"))))
}

async fn dispatch(
    client: &Client,
    request: Request<Incoming>,
) -> Result<(StatusCode, Value), ApiError> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let params = read_params(request).await?;
    let ok = |value| Ok((StatusCode::OK, value));
    match (path.as_str(), method.as_str()) {
        ("/user", "GET") => ok(routes::list_users(client, &params).await?),
        ("/user", "POST") => Ok((
            StatusCode::CREATED,
            routes::create_user(client, &params).await?,
        )),
        ("/user", "PUT") => ok(routes::change_password(client, &params).await?),
        ("/user", "DELETE") => ok(routes::delete_user(client, &params).await?),
        ("/node", "GET" | "REPORT" | "OPTIONS") => ok(routes::node_status(client).await?),
        ("/template", "GET") => ok(routes::templates(client).await?),
        ("/container", "GET") => ok(routes::get_container(client, &params).await?),
        ("/container", "POST") => Ok((
            StatusCode::CREATED,
            routes::create_container(client, &params).await?,
        )),
        ("/container", "DELETE") => ok(routes::delete_container(client, &params).await?),
        ("/vnc" | "/utils/vnc", "GET") => ok(routes::vnc(client, &params).await?),
        ("/graphics" | "/utils/graphic", "GET") => ok(routes::graphics(client, &params).await?),
        ("/resources", "GET" | "REPORT" | "OPTIONS") => ok(routes::resources(client).await?),
        ("/nextid" | "/cluster/nextid", "GET") => {
            ok(json!({ "data": client.cluster().next_id().await? }))
        }
        ("/destroyed", "GET") => ok(routes::destroyed(client).await?),
        (
            "/user" | "/node" | "/template" | "/container" | "/vnc" | "/graphics" | "/resources"
            | "/nextid" | "/destroyed",
            _,
        ) => Err(ApiError::method_not_allowed()),
        _ => Err(ApiError::not_found(format!("no route {path}"))),
    }
}

async fn read_params(request: Request<Incoming>) -> Result<Params, ApiError> {
    let mut params = Map::new();
    if let Some(query) = request.uri().query() {
        for (key, value) in url_pairs(query) {
            params.insert(key, Value::String(value));
        }
    }
    let body = http_body_util::Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?
        .to_bytes();
    if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice(&body) {
            Ok(Value::Object(fields)) => params.extend(fields),
            _ => return Err(ApiError::bad_request("the body must be a JSON object")),
        }
    }
    Ok(Params(params))
}

/// `application/x-www-form-urlencoded` pairs, percent-decoded.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (byte, _) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_decoded() {
        assert_eq!(
            url_pairs("username=a%40b+c&id=100&x"),
            vec![
                ("username".to_owned(), "a@b c".to_owned()),
                ("id".to_owned(), "100".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
    }
}
