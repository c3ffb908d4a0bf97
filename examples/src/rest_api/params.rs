//! A request's arguments: the spec passes them as a JSON object body on every method (GET and
//! DELETE included); a query string is accepted for the non-secret ones. Everything is checked
//! here, before any of it can reach Proxmox VE: types named, control characters refused,
//! credentials refused in the query string (it ends up in logs and browser histories).

use serde_json::{Map, Value};

use super::error::{echo, ApiError};

/// Longest string argument accepted, in characters (PVE's longest relevant field is 4096 for SSH
/// keys; everything else is far shorter).
const MAX_STRING_CHARS: usize = 8192;

/// Parameter names that carry a secret: refused in the query string.
fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "secret", "token", "ticket", "key"]
        .iter()
        .any(|word| name.contains(word))
        && name != "ssh_public_key"
}

/// The request's arguments.
#[derive(Debug, Default)]
pub struct Params(Map<String, Value>);

impl Params {
    /// Parses the query string and the body (a JSON object, or empty); the body wins.
    pub fn parse(query: Option<&str>, body: &[u8]) -> Result<Params, ApiError> {
        let mut params = Map::new();
        for (key, value) in url_pairs(query.unwrap_or(""))? {
            if is_credential(&key) {
                return Err(ApiError::invalid(
                    &key,
                    "credentials are refused in the query string; send them in the JSON body",
                ));
            }
            params.insert(key, Value::String(value));
        }
        if !body.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice(body) {
                Ok(Value::Object(fields)) => params.extend(fields),
                _ => return Err(ApiError::bad_request("the body must be a JSON object")),
            }
        }
        Ok(Params(params))
    }

    /// A string argument, if present (numbers are accepted as their decimal text). Empty strings
    /// count as absent; control characters and overlong values are refused.
    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        let text = match self.0.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(ApiError::invalid(
                    name,
                    format!("'{name}' must be a string"),
                ))
            }
        };
        if text.is_empty() {
            return Ok(None);
        }
        // An SSH key file may hold several keys, one a line; nothing else may span lines.
        let allowed_newline = |c: char| name == "ssh_public_key" && c == '\n';
        if text.chars().any(|c| c.is_control() && !allowed_newline(c)) {
            return Err(ApiError::invalid(
                name,
                format!("'{name}' contains control characters"),
            ));
        }
        if text.chars().count() > MAX_STRING_CHARS {
            return Err(ApiError::invalid(
                name,
                format!("'{name}' is longer than {MAX_STRING_CHARS} characters"),
            ));
        }
        Ok(Some(text))
    }

    /// A required string argument.
    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)?
            .ok_or_else(|| ApiError::invalid(name, format!("missing parameter '{name}'")))
    }

    /// A non-negative integer argument, as a JSON number or a decimal string.
    pub fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        let Some(text) = self.string(name)? else {
            return Ok(None);
        };
        text.parse().map(Some).map_err(|_| {
            ApiError::invalid(
                name,
                format!("'{name}' must be a whole number, got '{}'", echo(&text)),
            )
        })
    }

    /// A required container id.
    pub fn vmid(&self) -> Result<u32, ApiError> {
        self.number("id")?
            .ok_or_else(|| ApiError::invalid("id", "missing parameter 'id'"))
    }
}

/// `application/x-www-form-urlencoded` pairs, percent-decoded; invalid UTF-8 is refused.
fn url_pairs(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(text: &str) -> Result<String, ApiError> {
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
    String::from_utf8(out).map_err(|_| ApiError::bad_request("the query string is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_merge_and_the_body_wins() {
        let params = Params::parse(Some("username=a%40b+c&id=100"), br#"{"id": 101}"#).unwrap();
        assert_eq!(params.string("username").unwrap().as_deref(), Some("a@b c"));
        assert_eq!(params.vmid().unwrap(), 101);
    }

    #[test]
    fn bad_input_is_named() {
        let err = Params::parse(Some("password=x"), b"").unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("password"));
        let err = Params::parse(Some("root_password=x"), b"").unwrap_err();
        assert_eq!(err.status, 400);
        let params = Params::parse(
            None,
            br#"{"username":"a\u0000b","id":"1x","ssh_public_key":"k1\nk2"}"#,
        )
        .unwrap();
        assert_eq!(
            params.string("username").unwrap_err().parameter.as_deref(),
            Some("username")
        );
        assert_eq!(params.vmid().unwrap_err().parameter.as_deref(), Some("id"));
        assert!(params.string("ssh_public_key").unwrap().is_some());
        assert!(Params::parse(None, b"[1]").is_err());
    }
}
