//! API requests described as data, built without any I/O.
//!
//! An [`ApiRequest`] is a method, a path given as *unencoded* segments, and parameters. Turning it
//! into bytes (percent-encoding every segment, putting GET/DELETE parameters in the query and the
//! others in a form body, booleans as `1`/`0`, lists as repeated keys) happens here and only here,
//! so it can be tested without a server.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};

/// The HTTP methods the Proxmox VE API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Update.
    Put,
    /// Delete.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether parameters travel in the query string (GET, DELETE) rather than a form body.
    pub fn params_in_query(self) -> bool {
        matches!(self, Method::Get | Method::Delete)
    }

    /// Whether the method changes state and therefore needs a CSRF token with ticket auth.
    pub fn is_write(self) -> bool {
        !matches!(self, Method::Get)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter value, as PVE expects it on the wire.
#[derive(Clone)]
pub enum ParamValue {
    /// A string, sent as is.
    Str(String),
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// A boolean, sent as `1` or `0`.
    Bool(bool),
    /// A list, sent as the same key repeated once per item.
    List(Vec<String>),
    /// A secret (password), sent as is and never shown by `Debug`.
    Secret(SecretString),
}

impl fmt::Debug for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Str(s) => write!(f, "{s:?}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::List(l) => write!(f, "{l:?}"),
            ParamValue::Secret(_) => f.write_str("[REDACTED]"),
        }
    }
}

impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Str(v.to_owned())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue::Str(v)
    }
}
impl From<&String> for ParamValue {
    fn from(v: &String) -> Self {
        ParamValue::Str(v.clone())
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Float(v)
    }
}
impl From<SecretString> for ParamValue {
    fn from(v: SecretString) -> Self {
        ParamValue::Secret(v)
    }
}
impl From<Vec<String>> for ParamValue {
    fn from(v: Vec<String>) -> Self {
        ParamValue::List(v)
    }
}
macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl From<$t> for ParamValue {
            fn from(v: $t) -> Self { ParamValue::Int(v as i64) }
        }
    )*};
}
int_param!(i8, i16, i32, i64, u8, u16, u32, usize);

/// Ordered request parameters.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, ParamValue)>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<ParamValue>) {
        self.0.push((key.into(), value.into()));
    }

    /// Adds a parameter, builder style.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.insert(key, value);
        self
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parameters in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `application/x-www-form-urlencoded` text: booleans as `1`/`0`, lists as repeated keys.
    /// The same text serves as a query string. It contains secrets: never log it.
    pub fn to_form(&self) -> String {
        let mut out = form_urlencoded_serializer();
        for (key, value) in &self.0 {
            match value {
                ParamValue::Str(s) => push_pair(&mut out, key, s),
                ParamValue::Int(i) => push_pair(&mut out, key, &i.to_string()),
                ParamValue::Float(x) => push_pair(&mut out, key, &x.to_string()),
                ParamValue::Bool(b) => push_pair(&mut out, key, if *b { "1" } else { "0" }),
                ParamValue::List(items) => {
                    for item in items {
                        push_pair(&mut out, key, item);
                    }
                }
                ParamValue::Secret(s) => push_pair(&mut out, key, s.expose_secret()),
            }
        }
        out
    }
}

fn form_urlencoded_serializer() -> String {
    String::new()
}

/// Characters left as they are in form values: the unreserved set of RFC 3986.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn push_pair(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.extend(utf8_percent_encode(key, FORM_VALUE));
    out.push('=');
    out.extend(utf8_percent_encode(value, FORM_VALUE));
}

/// Characters left as they are in a path segment: the unreserved set. Everything else, including
/// `/`, `:`, `@` and `!` found in volume ids, UPIDs and token ids, is percent-encoded.
const PATH_SEGMENT: &AsciiSet = FORM_VALUE;

/// One call to the API, described without doing it.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    method: Method,
    segments: Vec<String>,
    params: Params,
    max_response_bytes: Option<u64>,
}

impl ApiRequest {
    /// A request with the given method and unencoded path segments (below `/api2/json`).
    pub fn new<I, S>(method: Method, segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            method,
            segments: segments.into_iter().map(Into::into).collect(),
            params: Params::new(),
            max_response_bytes: None,
        }
    }

    /// A GET request.
    pub fn get<I: IntoIterator<Item = S>, S: Into<String>>(segments: I) -> Self {
        Self::new(Method::Get, segments)
    }
    /// A POST request.
    pub fn post<I: IntoIterator<Item = S>, S: Into<String>>(segments: I) -> Self {
        Self::new(Method::Post, segments)
    }
    /// A PUT request.
    pub fn put<I: IntoIterator<Item = S>, S: Into<String>>(segments: I) -> Self {
        Self::new(Method::Put, segments)
    }
    /// A DELETE request.
    pub fn delete<I: IntoIterator<Item = S>, S: Into<String>>(segments: I) -> Self {
        Self::new(Method::Delete, segments)
    }

    /// A request for a path written out in full, e.g. `/nodes/pve1/status`. The path is split on
    /// `/`; use [`ApiRequest::new`] when a segment itself contains `/`.
    pub fn from_path(method: Method, path: &str) -> Self {
        Self::new(method, path.split('/').filter(|s| !s.is_empty()))
    }

    /// Adds a parameter.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.params.insert(key, value);
        self
    }

    /// Adds a parameter when `value` is `Some`.
    pub fn param_opt<V: Into<ParamValue>>(self, key: impl Into<String>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.param(key, v),
            None => self,
        }
    }

    /// Replaces all parameters.
    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// Allows a response body of up to `bytes` for this call instead of the client's limit
    /// ([`crate::ClientBuilder::max_response_bytes`]).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// The per-call response size limit, when one was set.
    pub fn response_limit(&self) -> Option<u64> {
        self.max_response_bytes
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The unencoded path segments.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The parameters.
    pub fn parameters(&self) -> &Params {
        &self.params
    }

    /// The percent-encoded path below `/api2/json`, starting with `/`.
    pub fn encoded_path(&self) -> String {
        let mut out = String::new();
        self.write_encoded_path(&mut out);
        out
    }

    /// Appends [`ApiRequest::encoded_path`] to `out` (the client builds the URL in one string).
    pub(crate) fn write_encoded_path(&self, out: &mut String) {
        for segment in &self.segments {
            out.push('/');
            out.extend(utf8_percent_encode(segment, PATH_SEGMENT));
        }
        if self.segments.is_empty() {
            out.push('/');
        }
    }

    /// The path for logs and errors: the encoded path, with no parameters (they may be secret).
    pub fn display_path(&self) -> String {
        self.encoded_path()
    }

    /// The query string (without `?`) for GET/DELETE, or `None` when there is nothing to send.
    pub fn query(&self) -> Option<String> {
        (self.method.params_in_query() && !self.params.is_empty()).then(|| self.params.to_form())
    }

    /// The form body for POST/PUT, or `None` for GET/DELETE (PVE answers 501 to a body on those).
    pub fn form_body(&self) -> Option<String> {
        (!self.method.params_in_query()).then(|| self.params.to_form())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        let req = ApiRequest::get([
            "nodes",
            "pve1",
            "storage",
            "local",
            "content",
            "local:vztmpl/debian 12.tar.zst",
        ]);
        assert_eq!(
            req.encoded_path(),
            "/nodes/pve1/storage/local/content/local%3Avztmpl%2Fdebian%2012.tar.zst"
        );
    }

    #[test]
    fn booleans_and_lists_in_form() {
        let req = ApiRequest::post(["nodes", "pve1", "lxc"])
            .param("unprivileged", true)
            .param("start", false)
            .param("ssh-public-keys", vec!["a b".to_owned(), "c&d".to_owned()])
            .param("password", SecretString::from("s3cr=t"));
        assert_eq!(
            req.form_body().unwrap(),
            "unprivileged=1&start=0&ssh-public-keys=a%20b&ssh-public-keys=c%26d&password=s3cr%3Dt"
        );
        assert!(req.query().is_none());
        assert!(!format!("{req:?}").contains("s3cr"));
    }

    #[test]
    fn get_params_go_to_query() {
        let req = ApiRequest::get(["cluster", "resources"]).param("type", "vm");
        assert_eq!(req.query().as_deref(), Some("type=vm"));
        assert!(req.form_body().is_none());
    }
}
