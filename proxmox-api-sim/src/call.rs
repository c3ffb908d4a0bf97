//! One validated API call, as handlers see it.

use std::collections::BTreeMap;

use crate::api_error::ApiError;

/// Who made the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `user@realm`.
    pub userid: String,
    /// The token name when authenticated by API token (`user@realm!tokenid`).
    pub tokenid: Option<String>,
}

impl Caller {
    /// `user@realm` or `user@realm!token`, as PVE writes it into UPIDs and logs.
    pub fn auth_id(&self) -> String {
        match &self.tokenid {
            Some(t) => format!("{}!{}", self.userid, t),
            None => self.userid.clone(),
        }
    }
}

/// A request after authentication and schema validation.
#[derive(Debug, Clone)]
pub struct Call {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: http::Method,
    /// The schema path template that matched, e.g. `/nodes/{node}/lxc/{vmid}`.
    pub template: String,
    /// Values of the template's `{placeholders}`, decoded.
    pub path_params: BTreeMap<String, String>,
    /// Query or form parameters, decoded; repeated keys keep every value in order.
    pub params: BTreeMap<String, Vec<String>>,
    /// Who is calling; `None` only for methods the schema marks `user: world`.
    pub caller: Option<Caller>,
}

impl Call {
    /// A path or request parameter as a string (path parameters win).
    pub fn str(&self, key: &str) -> Option<&str> {
        self.path_params.get(key).map(String::as_str).or_else(|| {
            self.params
                .get(key)
                .and_then(|v| v.first())
                .map(String::as_str)
        })
    }

    /// A required parameter, or PVE's "property is missing" 400.
    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.str(key)
            .ok_or_else(|| ApiError::param(key, "property is missing and it is not optional"))
    }

    /// An integer parameter (already validated against the schema).
    pub fn int(&self, key: &str) -> Option<i64> {
        self.str(key).and_then(|v| v.parse().ok())
    }

    /// A boolean parameter: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`, as PVE accepts.
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.str(key)
            .and_then(|v| match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => None,
            })
    }

    /// Every value of a repeated parameter.
    pub fn list(&self, key: &str) -> &[String] {
        self.params.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}
