//! The HTTP layer, behind a trait so tests can swap it.
//!
//! [`HttpRequest`] is fully built (URL with query, headers, body) by the client; a [`Transport`]
//! only moves bytes and reports what happened in terms the retry logic needs: whether the request
//! can have reached the server.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::error::{Error, TimeoutPhase};
use crate::gunzip::GunzipError;
use crate::request::Method;
use crate::tls::{find_tls_error, TlsOptions};

/// Header names whose values are secret (compared case-insensitively).
const SECRET_HEADERS: [&str; 3] = ["cookie", "authorization", "csrfpreventiontoken"];

/// A request ready to go on the wire.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: Url,
    /// Headers in order. Cookie, Authorization and CSRFPreventionToken values are secret.
    pub headers: Vec<(String, String)>,
    /// The form body for POST/PUT. May contain passwords.
    pub body: Option<Bytes>,
    /// The time allowed for the whole exchange, the body included.
    pub timeout: Duration,
    /// The largest response body accepted, enforced while reading it.
    pub max_response_bytes: u64,
}

impl HttpRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s)) {
                    format!("{k}: [REDACTED]")
                } else {
                    format!("{k}: {v}")
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            // The query can carry tickets (vncwebsocket); show the path only.
            .field("path", &self.url.path())
            .field("headers", &headers)
            .field(
                "body",
                &self.body.as_ref().map(|b| format!("[{} bytes]", b.len())),
            )
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// The status line's reason phrase as sent, when the transport can see it. PVE puts its error
    /// message there.
    pub reason: Option<String>,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

/// A failure below HTTP.
#[derive(Debug, Clone)]
pub enum TransportError {
    /// No connection could be made: the request was never sent.
    Connect {
        /// What the network stack said.
        message: String,
    },
    /// The TLS handshake failed: nothing was sent.
    Tls {
        /// What failed.
        message: String,
        /// Pinned fingerprints, if pinning was configured.
        expected: Vec<String>,
        /// The fingerprint the server presented, if seen.
        presented: Option<String>,
    },
    /// No answer in time.
    Timeout {
        /// Whether the request may have reached the server.
        sent: bool,
        /// How long was allowed (the client replaces it with the time really waited).
        after: Duration,
        /// What was being waited for.
        phase: TimeoutPhase,
    },
    /// The body was larger than [`HttpRequest::max_response_bytes`]; reading stopped there.
    TooLarge {
        /// The limit that was exceeded.
        limit: u64,
    },
    /// The connection failed after the request may have been sent.
    Broken {
        /// What happened.
        message: String,
    },
}

impl TransportError {
    /// The client error for this failure; `host` is the `host:port` dialled.
    pub fn into_error(self, host: &str) -> Error {
        match self {
            TransportError::Connect { message } => Error::Connect {
                host: host.to_owned(),
                message,
            },
            TransportError::Tls {
                message,
                expected,
                presented,
            } => Error::Tls {
                message,
                expected,
                presented,
            },
            TransportError::Timeout { sent, after, phase } => Error::Timeout {
                sent,
                elapsed_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                phase,
            },
            TransportError::TooLarge { limit } => Error::ResponseTooLarge { limit },
            TransportError::Broken { message } => Error::Api {
                status: 0,
                message: format!("connection to {host} failed after sending: {message}"),
            },
        }
    }
}

/// Sends one HTTP request.
#[async_trait]
pub trait Transport: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` and returns the complete response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// The default transport: reqwest over rustls (ring), with the client's TLS settings.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport trusting what `tls` says, with the given connect timeout.
    pub fn new(tls: &TlsOptions, connect_timeout: Duration) -> Result<Self, Error> {
        let config = tls.client_config()?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .connect_timeout(connect_timeout)
            // PVE never redirects API calls; following one could leak the cookie elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            // pveproxy speaks HTTP/1.1 only (and the TLS config offers no ALPN): skip the HTTP/2
            // negotiation paths in the pool.
            .http1_only()
            // Bodies are inflated here, after the limited read (see `gunzip`), even if another
            // crate in the build turns on reqwest's own decoder.
            .no_gzip()
            // Sequential small requests: never wait for Nagle to coalesce a request's segments.
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::Tls {
                message: format!("cannot build the HTTP client: {e}"),
                expected: Vec::new(),
                presented: None,
            })?;
        Ok(Self { client })
    }
}

fn to_reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// The error and all its sources, joined, for messages.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

fn classify(err: &reqwest::Error, timeout: Duration, reading_body: bool) -> TransportError {
    if let Some((message, expected, presented)) = find_tls_error(err) {
        return TransportError::Tls {
            message,
            expected,
            presented,
        };
    }
    // reqwest's URLs may carry a query with tickets; never include it.
    let err_without_url = err.to_string();
    let message = error_chain(err).replace(&err_without_url, "");
    let message = message.trim_start_matches(": ").to_owned();
    let message = if message.is_empty() {
        "request failed".to_owned()
    } else {
        message
    };
    if err.is_timeout() {
        let phase = if err.is_connect() {
            TimeoutPhase::Connect
        } else if reading_body {
            TimeoutPhase::Body
        } else {
            TimeoutPhase::Response
        };
        return TransportError::Timeout {
            sent: !err.is_connect(),
            after: timeout,
            phase,
        };
    }
    if err.is_connect() {
        return TransportError::Connect { message };
    }
    TransportError::Broken { message }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let timeout = request.timeout;
        let mut builder = self
            .client
            .request(to_reqwest_method(request.method), request.url.clone())
            .timeout(timeout);
        let mut headers = header_map(&request.headers)?;
        // PVE compresses answers over 1 KiB when asked: a large listing moves a fifth of the bytes.
        headers
            .entry(header::ACCEPT_ENCODING)
            .or_insert(HeaderValue::from_static("gzip"));
        builder = builder.headers(headers);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| classify(&e.without_url(), timeout, false))?;
        let status = response.status().as_u16();
        // hyper stores the reason phrase only when it differs from the canonical one, which is
        // exactly when PVE put its message there.
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            .or_else(|| response.status().canonical_reason().map(ToOwned::to_owned));
        let gzipped = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        // Once inflated, the body is no longer what these two headers describe.
        let headers = response
            .headers()
            .iter()
            .filter(|(k, _)| {
                !gzipped || (*k != header::CONTENT_ENCODING && *k != header::CONTENT_LENGTH)
            })
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = request.max_response_bytes;
        let mut body = read_limited(&mut response, limit, timeout).await?;
        if gzipped {
            body = match crate::gunzip::gunzip(&body, limit) {
                Ok(plain) => Bytes::from(plain),
                Err(GunzipError::TooLarge) => return Err(TransportError::TooLarge { limit }),
                Err(GunzipError::Corrupt(message)) => {
                    return Err(TransportError::Broken { message })
                }
            };
        }
        Ok(HttpResponse {
            status,
            reason,
            headers,
            body,
        })
    }
}

/// The request headers as a `HeaderMap`: the names the client sends are matched to hyper's
/// static names (no parsing), secret values are marked sensitive (never indexed or shown).
fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, TransportError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let known = [
            header::ACCEPT,
            header::COOKIE,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT_ENCODING,
        ]
        .into_iter()
        .find(|known| name.eq_ignore_ascii_case(known.as_str()));
        let header_name = match known {
            Some(known) => known,
            None => HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid_header(name))?,
        };
        let mut header_value = HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
        if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            header_value.set_sensitive(true);
        }
        map.append(header_name, header_value);
    }
    Ok(map)
}

/// A header the transport cannot send, classified as reqwest's own builder error was before
/// (the value is never quoted: it may be secret).
fn invalid_header(name: &str) -> TransportError {
    TransportError::Broken {
        message: format!("header {name} has a name or value that cannot be sent"),
    }
}

/// Reads the body chunk by chunk, stopping as soon as it exceeds `limit` (an endless or huge
/// body must not fill memory). The request's timeout (set on the reqwest request) bounds the
/// whole read, so a slow drip ends too.
async fn read_limited(
    response: &mut reqwest::Response,
    limit: u64,
    timeout: Duration,
) -> Result<Bytes, TransportError> {
    let declared = response.content_length();
    if declared.is_some_and(|len| len > limit) {
        return Err(TransportError::TooLarge { limit });
    }
    let first = match response.chunk().await {
        Ok(Some(chunk)) => chunk,
        Ok(None) => return Ok(Bytes::new()),
        Err(e) => return Err(classify(&e.without_url(), timeout, true)),
    };
    // Most bodies arrive in one chunk: hand it over without copying.
    let mut buffer: Option<bytes::BytesMut> = None;
    let mut total = first.len() as u64;
    if total > limit {
        return Err(TransportError::TooLarge { limit });
    }
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                total += chunk.len() as u64;
                if total > limit {
                    return Err(TransportError::TooLarge { limit });
                }
                let buf = buffer.get_or_insert_with(|| {
                    let hint = declared.unwrap_or(0).min(limit);
                    let mut b = bytes::BytesMut::with_capacity(
                        usize::try_from(hint).unwrap_or(0).max(first.len() * 2),
                    );
                    b.extend_from_slice(&first);
                    b
                });
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(classify(&e.without_url(), timeout, true)),
        }
    }
    Ok(match buffer {
        Some(buf) => buf.freeze(),
        None => first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secret_headers_and_body() {
        let req = HttpRequest {
            method: Method::Post,
            url: Url::parse("https://h:8006/api2/json/x?vncticket=canary-q").unwrap(),
            headers: vec![
                ("Cookie".into(), "PVEAuthCookie=canary-ticket".into()),
                ("CSRFPreventionToken".into(), "canary-csrf".into()),
                (
                    "authorization".into(),
                    "PVEAPIToken=a@b!c=canary-token".into(),
                ),
                ("Accept".into(), "application/json".into()),
            ],
            body: Some(Bytes::from_static(b"password=canary-pw")),
            timeout: Duration::from_secs(1),
            max_response_bytes: 1024,
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("application/json"));
    }
}
